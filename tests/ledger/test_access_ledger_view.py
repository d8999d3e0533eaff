"""The ledger view under compartments (issue 18): an entry about an object the asker may not see shows that
something happened (seq, kind, time) and not what; a filter by subject or actor finds nothing about a hidden
object; `ledger verify` still checks the whole chain. Canaries of compartment_support prove it, on every way out
(the service, the API, the page, the CLI)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from compartment_support import HOLDINGS, Holdings, add_notes, add_people, canaries_of, person, seed_holdings, visible

from forewarn.app import Workspace
from forewarn.cli.main import app as cli
from forewarn.ledger.query import LedgerFilter
from forewarn.web import create_app

ASKERS = ("nora", "sam", "rita", "xavier", "viewer")


@pytest.fixture
def held(workspace: Workspace, tmp_path: Path) -> tuple[Workspace, Holdings]:
    add_people(workspace)
    workspace.accounts.add_user("viewer", "a viewer passphrase", "viewer", actor="setup")
    found = seed_holdings(workspace, tmp_path)
    add_notes(workspace, found)
    for h in HOLDINGS:  # an entry about each document whose payload holds its canary
        workspace.ledger.record("comment", f"document:{found.documents[h.key]}", {"text": h.token})
        workspace.ledger.record("comment", f"event:{found.events[h.key][0]}", {"text": h.quote})
    return workspace, found


def _text(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _tokens(h_key: str, found: Holdings) -> list[str]:
    h = next(x for x in HOLDINGS if x.key == h_key)
    c = canaries_of(h, found)
    return [*c["text"], *c["note"], *c["ids"]]


def test_each_asker_sees_what_happened_about_hidden_objects_not_what(held: tuple[Workspace, Holdings]) -> None:
    ws, found = held
    for name in ASKERS:
        page = person(ws, name).ledger.page(LedgerFilter(), limit=500)
        shown = _text([asdict(e) for e in page.entries])
        withheld = [e for e in page.entries if not e.hash]
        assert page.total == len(ws.ledger.page(LedgerFilter(), limit=500).entries)  # every entry, hidden or not
        for h in HOLDINGS:
            for token in _tokens(h.key, found):
                assert (token in shown) is visible(h, name), (name, h.key, token)
        for e in withheld:
            assert e.seq and e.kind and e.at and not (e.actor or e.subject or e.payload or e.prev_hash)
        assert bool(withheld) is any(not visible(h, name) for h in HOLDINGS)


def test_a_note_hidden_by_its_own_marking_is_withheld(held: tuple[Workspace, Holdings]) -> None:
    ws, found = held
    clr = found.documents["clr"]
    note = person(ws, "nora").annotations.note("document", clr, "CANARY-OWN-NOTE-9c1", marking="TLP:AMBER+STRICT",
                                               teams=["north"])
    assert "CANARY-OWN-NOTE-9c1" in _text([asdict(e) for e in person(ws, "nora").ledger.page(
        LedgerFilter(), limit=500).entries])
    seen = person(ws, "sam").ledger.page(LedgerFilter(), limit=500).entries
    assert "CANARY-OWN-NOTE-9c1" not in _text([asdict(e) for e in seen])
    assert any(not e.hash and e.kind == "note-added" for e in seen)
    filtered = person(ws, "sam").ledger.page(LedgerFilter(subject=f"document:{clr}"), limit=500)
    assert note.id not in [e.payload.get("note") for e in filtered.entries]
    assert "CANARY-OWN-NOTE-9c1" not in _text([asdict(e) for e in filtered.entries])
    assert filtered.total == len(filtered.entries)  # withheld in place, so the count is the page's


def test_an_entry_citing_hidden_evidence_is_withheld(held: tuple[Workspace, Holdings]) -> None:
    ws, found = held
    hidden_event = found.events["amn"][0]
    ws.ledger.record("assessment-published", "scenario:open-one", {"signals": [{"events": [hidden_event]}]})
    ws.ledger.record("warning-raised", "warning:424242", {"document_ids": [found.documents["red"]]})
    seen = person(ws, "sam").ledger.page(LedgerFilter(kinds=("assessment-published", "warning-raised")), limit=50)
    assert [e.hash for e in seen.entries] == ["", ""] and hidden_event not in _text([asdict(e) for e in seen.entries])
    assert all(e.hash for e in person(ws, "rita").ledger.page(LedgerFilter(kinds=("warning-raised",)),
                                                               limit=50).entries)


def test_a_filter_by_subject_or_actor_finds_nothing_about_a_hidden_object(held: tuple[Workspace, Holdings]) -> None:
    ws, found = held
    red, amn = found.documents["red"], found.documents["amn"]
    sam = person(ws, "sam").ledger
    assert sam.page(LedgerFilter(subject=f"document:{red}"), limit=50).total == 0
    assert sam.page(LedgerFilter(subject=f"document:{red[:6]}*"), limit=50).total == 0  # nor by a prefix
    assert sam.page(LedgerFilter(subject=f"event:{found.events['amn'][0]}"), limit=50).entries == []
    assert person(ws, "rita").ledger.page(LedgerFilter(subject=f"document:{red}"), limit=50).total >= 1
    by_actor = sam.page(LedgerFilter(actor="tester"), limit=500)
    assert by_actor.total == len(by_actor.entries) and all(e.hash for e in by_actor.entries)
    assert red not in _text([asdict(e) for e in by_actor.entries])
    assert person(ws, "nora").ledger.page(LedgerFilter(subject=f"document:{amn}"), limit=50).total >= 1


def test_the_api_the_page_and_the_cli_withhold_alike(held: tuple[Workspace, Holdings], db_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ws, found = held
    _, secret = ws.accounts.create_token("sam", "test", actor="setup")
    hidden = [h for h in HOLDINGS if not visible(h, "sam")]
    with TestClient(create_app(ws), follow_redirects=False) as client:
        auth = {"Authorization": f"Bearer {secret}"}
        api = client.get("/api/v1/ledger?limit=200", headers=auth)
        page = client.get("/ledger", headers=auth)
        verify = client.get("/api/v1/ledger/verify", headers=auth)
        empty = client.get(f"/api/v1/ledger?subject=document:{found.documents['red']}", headers=auth)
    assert api.status_code == page.status_code == 200
    assert verify.json()["ok"] is True and verify.json()["entries"] > 0  # the whole chain, hidden or not
    assert empty.json()["total"] == 0 and empty.json()["items"] == []
    assert "about something you may not see" in page.text
    for h in hidden:
        for token in _tokens(h.key, found):
            assert token not in api.text and token not in page.text, (h.key, token)
    assert all(t in api.text for t in _tokens("clr", found))
    monkeypatch.setenv("FOREWARN_DATABASE_URL", db_url)
    monkeypatch.setenv("FOREWARN_ACTOR", "sam")
    shown = CliRunner().invoke(cli, ["ledger", "show", "--limit", "200", "--json"])
    assert shown.exit_code == 0, shown.output
    for h in hidden:
        for token in _tokens(h.key, found):
            assert token not in shown.output, (h.key, token)
    assert CliRunner().invoke(cli, ["ledger", "verify"]).exit_code == 0
