"""Issue 16 item 12 on the web and the command line: the entity list hides extraction noise by
default (``all=true`` / ``--all`` shows it, with why), says how many it hid, ranks by activity, and
suggests merges; a suggested merge posts from the page, merges, and is ledgered."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from detect_store_helpers import REPORTS, extraction
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import HOSTILE_REPORT, World

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.model import Role
from forewarn.model.extraction import Entity, EntityKind, Participant

ROLE = Callable[[Role | str], TestClient]
AGAIN = Entity("ner:org:again", "AGAIN", EntityKind.ORG, None, None)
ARMOUR = Entity("ner:person:armour", "Armour", EntityKind.PERSON, None, None)
PUTIN = Entity("ner:person:vladimir-putin", "Vladimir Putin", EntityKind.PERSON, None, None)
SURNAME = Entity("ner:person:putin", "Putin", EntityKind.PERSON, None, None)
NOISE = {AGAIN.id, ARMOUR.id}


@pytest.fixture
def noisy(world_ws: tuple[Workspace, World]) -> World:
    """The world's documents re-coded with named actors: two noise entities, Vladimir Putin in two
    documents and "Putin" in one (a merge worth suggesting)."""
    ws, world = world_ws
    reports = sorted((*REPORTS, HOSTILE_REPORT), key=lambda r: r.name)
    assert len(reports) >= 5
    actors = [AGAIN, ARMOUR, PUTIN, PUTIN, SURNAME]
    redone = []
    for report, actor in zip(reports, actors, strict=False):
        doc_id = world.documents[report.name]
        x = extraction(doc_id, ws.store.get_document(doc_id).text, report)
        events = tuple(dataclasses.replace(e, actor=Participant(actor, actor.name, 0, 1)) for e in x.events)
        redone.append(dataclasses.replace(x, events=events))
    ws.store.save_extractions(redone, datetime(2024, 8, 12, 1, tzinfo=UTC))
    return world


def test_noise_hidden_by_default_and_shown_with_all(as_role: ROLE, noisy: World) -> None:
    viewer = as_role("viewer")
    page = viewer.get("/api/v1/entities").json()
    listed = {e["id"] for e in page["items"]}
    assert PUTIN.id in listed and not listed & NOISE and page["hidden"] >= len(NOISE)
    every = viewer.get("/api/v1/entities", params={"all": "true"}).json()
    reasons = {e["id"]: e["noise"] for e in every["items"]}
    assert set(reasons) >= NOISE and reasons[AGAIN.id] == "all-caps common word" and reasons[PUTIN.id] is None
    assert every["total"] == page["total"] + page["hidden"]
    html = viewer.get("/entities").text
    assert f'data-hidden="{page["hidden"]}"' in html and "show all" in html and "AGAIN" not in html
    shown = viewer.get("/entities", params={"all": "true"}).text
    assert "AGAIN" in shown and "likely noise: all-caps common word" in shown


def test_sorted_by_activity_by_default_and_by_name_when_asked(as_role: ROLE, noisy: World) -> None:
    viewer = as_role("viewer")
    items = viewer.get("/api/v1/entities").json()["items"]
    assert items[0]["id"] == PUTIN.id and items[0]["events"] == 2
    assert [e["events"] for e in items] == sorted((e["events"] for e in items), reverse=True)
    by_name = [e["name"].casefold() for e in viewer.get("/api/v1/entities", params={"sort": "name"}).json()["items"]]
    assert by_name == sorted(by_name)


def test_a_suggested_merge_posts_merges_and_is_ledgered(as_role: ROLE, noisy: World) -> None:
    analyst = as_role("analyst")
    page = analyst.get("/entities").text
    form = re.search(r'<form[^>]*action="/entities/ner%3Aperson%3Aputin/merge".*?</form>', page, re.S)
    assert form, "the page offers Putin → Vladimir Putin"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    assert fields["into"] == PUTIN.id
    done = analyst.post("/entities/ner%3Aperson%3Aputin/merge", data=fields)
    assert done.status_code == 303 and done.headers["location"].startswith("/entities/ner%3Aperson%3Avladimir-putin")
    after = analyst.get("/api/v1/entities").json()
    assert SURNAME.id not in {e["id"] for e in after["items"]}
    assert not any(s["from_id"] == SURNAME.id for s in after["suggestions"])
    [entry] = analyst.get("/api/v1/ledger", params={"kind": "entity-merged"}).json()["items"]
    assert entry["actor"] == "analyst" and entry["subject"] == f"entity:{SURNAME.id}"
    viewer_post = as_role("viewer").post("/entities/ner%3Aorg%3Aagain/merge", data={"into": PUTIN.id})
    assert viewer_post.status_code == 403


def test_cli_entities_list_hides_noise_and_all_shows_it(world_ws: tuple[Workspace, World], noisy: World) -> None:
    ws, _ = world_ws
    url = ws.settings.database_url
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(app, ["--db", url, "entities", "list", *args], env={"COLUMNS": "220"})
        assert result.exit_code == 0, result.output
        return result.stdout

    page = json.loads(cli("--json"))
    assert not {e["id"] for e in page["items"]} & NOISE and page["hidden"] >= len(NOISE)
    assert page["items"][0]["id"] == PUTIN.id and {s["from_id"] for s in page["suggestions"]} == {SURNAME.id}
    every = json.loads(cli("--all", "--json"))
    assert {e["id"] for e in every["items"]} >= NOISE
    table = cli()
    assert "hidden as extraction noise (--all lists them)" in table and "AGAIN" not in table
    assert f"forewarn entities merge {SURNAME.id} {PUTIN.id}" in table
    assert "all-caps common word" in cli("--all")
