"""Replay and post-mortem under compartments (issue 18): rebuilt over everything, shown as the reader may see it.
A signal from a holding the reader may not see appears only as "n signals from holdings you may not see" (never its
evidence, ids, sources or places), in every output (the service, Markdown, HTML, the CLI's --json, the API, the
page); the post-mortem of a scenario hidden from the reader is NotFound, as a wrong id."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from compartment_support import HOLDINGS, Holdings, add_people, canaries_of, person, seed_holdings, visible
from detect_store_helpers import SCENARIO

from forewarn.app import Workspace
from forewarn.cli.main import app as cli
from forewarn.cli.review import postmortem_json
from forewarn.errors import NotFound
from forewarn.model import Marking
from forewarn.model.marking import Compartment
from forewarn.review.report import to_html, to_markdown
from forewarn.web import create_app

EVENT = datetime(2024, 8, 13, tzinfo=UTC)
ASKERS = ("nora", "sam", "rita", "xavier")
HIDDEN_WORDS = "from holdings you may not see"


@pytest.fixture
def held(workspace: Workspace, tmp_path: Path) -> tuple[Workspace, Holdings]:
    add_people(workspace)
    found = seed_holdings(workspace, tmp_path)
    (tmp_path / "armour.yaml").write_text(SCENARIO)
    workspace.scenarios.add(tmp_path / "armour.yaml")
    strict = SCENARIO.replace("id: armour-watch", "id: north-watch").replace("name: Armour near Sudzha",
                                                                            "name: CANARY-SCENARIO-NORTH")
    (tmp_path / "north.yaml").write_text(strict)
    workspace.scenarios.add(tmp_path / "north.yaml", compartment=Compartment.of(Marking.AMBER_STRICT, ["north"]))
    return workspace, found


def _canaries(found: Holdings, key: str) -> list[str]:
    h = next(x for x in HOLDINGS if x.key == key)
    c = canaries_of(h, found)
    return [*c["text"], *c["source"][:1], *c["ids"]]


def _assert_only_visible(text: str, name: str, found: Holdings) -> None:
    for h in HOLDINGS:
        if not visible(h, name):
            for token in _canaries(found, h.key):
                assert token not in text, (name, h.key, token)


def test_each_reader_sees_their_signals_and_a_count_of_the_rest(held: tuple[Workspace, Holdings]) -> None:
    ws, found = held
    everything = ws.review.postmortem("armour-watch", EVENT)  # the configured actor, in no team: sees open ones
    full = person(ws, "admin").review  # an account in no team
    assert len(everything.signals) >= 2
    for name in ASKERS:
        pm = person(ws, name).review.postmortem("armour-watch", EVENT, with_replay=True)
        hidden = sum(1 for h in HOLDINGS if not visible(h, name))
        assert pm.hidden_signals == hidden, name
        assert len(pm.signals) == len(HOLDINGS) - hidden
        assert sum(d.count for d in pm.signals_per_day) == len(pm.signals)
        outputs = {"json": json.dumps(postmortem_json(pm), default=str), "markdown": to_markdown(pm),
                   "html": to_html(pm)}
        for what, text in outputs.items():
            _assert_only_visible(text, name, found)
            assert what == "json" or (HIDDEN_WORDS in text) is (hidden > 0), (name, what)
        seen = [h for h in HOLDINGS if visible(h, name)]
        assert any(h.token in outputs["markdown"] for h in seen), name  # their own signals are listed
    assert full.postmortem("armour-watch", EVENT).hidden_signals == sum(
        1 for h in HOLDINGS if h.compartment.restricted)


def test_a_hidden_scenario_has_no_post_mortem_and_no_replay(held: tuple[Workspace, Holdings]) -> None:
    ws, _ = held
    with pytest.raises(NotFound) as wrong:
        person(ws, "sam").review.postmortem("no-such-scenario", EVENT)
    with pytest.raises(NotFound) as hidden:
        person(ws, "sam").review.postmortem("north-watch", EVENT)
    assert str(hidden.value).replace("north-watch", "X") == str(wrong.value).replace("no-such-scenario", "X")
    with pytest.raises(NotFound):
        person(ws, "sam").review.replay("north-watch", datetime(2024, 8, 1, tzinfo=UTC), EVENT)
    assert person(ws, "nora").review.postmortem("north-watch", EVENT).scenario.name == "CANARY-SCENARIO-NORTH"


def test_the_api_the_page_and_the_cli_show_only_a_count(held: tuple[Workspace, Holdings], db_url: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ws, found = held
    _, secret = ws.accounts.create_token("sam", "test", actor="setup")
    auth = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(ws), follow_redirects=False) as client:
        api = client.get("/api/v1/postmortem/armour-watch?event-date=2024-08-13&replay=true", headers=auth)
        page = client.get("/postmortem?scenario=armour-watch&event-date=2024-08-13", headers=auth)
        gone = client.get("/api/v1/postmortem/north-watch?event-date=2024-08-13", headers=auth)
    assert api.status_code == 200 and gone.status_code == 404 and "CANARY-SCENARIO-NORTH" not in gone.text
    assert "CANARY-SCENARIO-NORTH" not in page.text and "north-watch" not in page.text
    hidden = sum(1 for h in HOLDINGS if not visible(h, "sam"))
    assert api.json()["hidden_signals"] == hidden
    _assert_only_visible(api.text, "sam", found)
    assert page.status_code == 200, page.text[:500]
    _assert_only_visible(page.text, "sam", found)
    assert f"{hidden} signals {HIDDEN_WORDS}" in page.text
    monkeypatch.setenv("FOREWARN_DATABASE_URL", db_url)
    monkeypatch.setenv("FOREWARN_ACTOR", "sam")
    shown = CliRunner().invoke(cli, ["postmortem", "armour-watch", "--event-date", "2024-08-13", "--json"])
    assert shown.exit_code == 0, shown.output
    _assert_only_visible(shown.output, "sam", found)
    assert json.loads(shown.output)["hidden_signals"] == hidden
    markdown = CliRunner().invoke(cli, ["postmortem", "armour-watch", "--event-date", "2024-08-13"])
    assert markdown.exit_code == 0 and f"{hidden} signals {HIDDEN_WORDS}" in markdown.output
    _assert_only_visible(markdown.output, "sam", found)
