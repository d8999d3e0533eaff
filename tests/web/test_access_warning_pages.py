"""The board, the scenario and warning pages and the scenarios and warnings API under compartments (issue 18):
an outsider reads a restricted report's signal only as "n signals from holdings you may not see", a member reads
it; a scenario of team north's is not there at all for an outsider (lists, counts, pages, API: 404 as a wrong
id)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import login

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "warn"))
from access_warn_support import CANARY, NORTH, OPEN_WORDS, PASSWORD, SCENARIO_YAML, AccessWorld, build

from forewarn.app import Workspace
from forewarn.web import create_app

HIDDEN_ONE = "1 signal from holdings you may not see"
Clients = Callable[[str], TestClient]


@pytest.fixture
def clients(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace],
            request: pytest.FixtureRequest) -> Iterator[tuple[AccessWorld, Clients]]:
    ws = make_workspace(db_url)
    world = build(ws, tmp_path, NORTH if getattr(request, "param", "") == "closed" else None)
    app = create_app(ws)
    opened: list[TestClient] = []

    def make(name: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        client.headers["X-CSRF-Token"] = login(client, name, PASSWORD)
        return client

    yield world, make
    for client in opened:
        client.__exit__(None, None, None)


def _reads(w: AccessWorld) -> list[str]:
    return ["/", "/warnings?state=all", f"/warnings/{w.warning_id}", "/scenarios", f"/scenarios/{w.scenario_id}",
            f"/api/v1/warnings/{w.warning_id}", "/api/v1/warnings?state=all", "/api/v1/warnings/changes",
            f"/api/v1/scenarios/{w.scenario_id}", f"/api/v1/scenarios/{w.scenario_id}/assessments",
            "/api/v1/scenarios"]


def test_an_outsider_reads_the_count_and_a_member_the_evidence(clients: tuple[AccessWorld, Clients]) -> None:
    w, make = clients
    sam, nora = make("sam"), make("nora")
    for path in _reads(w):
        outside, inside = sam.get(path), nora.get(path)
        assert outside.status_code == 200 and inside.status_code == 200, path
        assert CANARY not in outside.text and w.north_doc not in outside.text, path
        if path not in ("/", "/scenarios", "/warnings?state=all", "/api/v1/scenarios", "/api/v1/warnings/changes"):
            assert CANARY in inside.text or w.north_doc in inside.text, path
    for path in (f"/warnings/{w.warning_id}", f"/scenarios/{w.scenario_id}", f"/api/v1/warnings/{w.warning_id}",
                 f"/api/v1/scenarios/{w.scenario_id}"):
        assert HIDDEN_ONE in sam.get(path).text, path
        assert "from holdings you may not see" not in nora.get(path).text, path
        assert OPEN_WORDS in sam.get(path).text, path
    assert sam.get(f"/api/v1/scenarios/{w.scenario_id}").json()["latest_assessment"]["hidden_signals"] == 1


@pytest.mark.parametrize("clients", ["closed"], indirect=True)
def test_a_restricted_scenario_is_not_there_for_an_outsider(clients: tuple[AccessWorld, Clients]) -> None:
    w, make = clients
    sam, nora = make("sam"), make("nora")
    for path in (f"/warnings/{w.warning_id}", f"/scenarios/{w.scenario_id}", f"/api/v1/warnings/{w.warning_id}",
                 f"/api/v1/scenarios/{w.scenario_id}", f"/api/v1/scenarios/{w.scenario_id}/assessments"):
        assert sam.get(path).status_code == 404, path
        assert nora.get(path).status_code == 200, path
    for path in ("/", "/warnings?state=all", "/scenarios", "/api/v1/scenarios", "/api/v1/warnings?state=all"):
        outside = sam.get(path)
        assert outside.status_code == 200 and w.scenario_id not in outside.text, path
        assert "Armour near Sudzha" not in outside.text, path
        assert w.scenario_id in nora.get(path).text, path
    assert sam.get("/api/v1/scenarios").json()["total"] == 0
    assert sam.get("/api/v1/warnings?state=all").json()["total"] == 0
    cycled = sam.post("/api/v1/cycle")
    assert cycled.status_code == 200 and w.scenario_id not in cycled.text, cycled.text


def test_a_scenario_added_with_a_marking_is_for_its_team(clients: tuple[AccessWorld, Clients]) -> None:
    _, make = clients
    sam, nora = make("sam"), make("nora")
    text = SCENARIO_YAML.replace("id: armour-watch", "id: north-watch")
    added = nora.post("/api/v1/scenarios", json={"yaml": text, "marking": "TLP:AMBER+STRICT", "teams": ["north"]})
    assert added.status_code == 201, added.text
    assert nora.get("/api/v1/scenarios/north-watch").status_code == 200
    assert sam.get("/api/v1/scenarios/north-watch").status_code == 404
    page = nora.post("/scenarios", data={"yaml": text.replace("north-watch", "north-page"), "marking": "TLP:AMBER",
                                         "teams": "north", "recipients": "sam"})
    assert page.status_code == 303
    assert sam.get("/scenarios/north-page").status_code == 200  # named as a recipient of the AMBER one
    refused = nora.post("/api/v1/scenarios", json={"yaml": text, "marking": "TLP:RED"})
    assert refused.status_code == 422 and "named recipients" in refused.text, refused.text
