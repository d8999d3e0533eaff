"""Questions and what hangs on them under compartments (issue 18): a question carries a compartment (given when
added; a scenario's own question takes its scenario's); its estimates, lines, dissents, assumptions and matrices
follow it (hidden question: NotFound, as a wrong number; left out of every list), before the blind rule. Notes take
the strictest of their target's compartment and their own marking. Canaries prove it on the desks, the API and the
CLI."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "detect"))
from compartment_support import Holdings, add_people, person, seed_holdings
from detect_store_helpers import SCENARIO

from forewarn.app import Workspace
from forewarn.cli.main import app as cli
from forewarn.errors import InvalidArgument, NotFound
from forewarn.ledger.query import LedgerFilter
from forewarn.model import Marking
from forewarn.model.judgment import QuestionState
from forewarn.model.marking import Compartment
from forewarn.store import schema as t
from forewarn.warn.ach import WITHHELD
from forewarn.web import create_app

TITLE = "CANARY-Q-NORTH-41d7 will it happen?"
STRICT = Compartment.of(Marking.AMBER_STRICT, ["north"])
SIGNPOST = "- id: canary-signpost\n  types: [MOBILIZE]\n  keywords: [armour]\n"


@pytest.fixture
def held(workspace: Workspace, tmp_path: Path) -> tuple[Workspace, Holdings]:
    add_people(workspace)
    workspace.accounts.add_user("nils", "a north passphrase", "analyst", actor="setup")
    with workspace.store.engine.begin() as conn:
        conn.execute(t.team_members.insert().values(team_id="north", account="nils", added_by="setup",
                                                    added_at=datetime(2024, 8, 1, tzinfo=UTC)))
    found = seed_holdings(workspace, tmp_path)
    (tmp_path / "north.yaml").write_text(SCENARIO.replace("id: armour-watch", "id: north-watch"))
    workspace.scenarios.add(tmp_path / "north.yaml", compartment=STRICT)
    return workspace, found


def _north_question(ws: Workspace) -> int:
    nora = person(ws, "nora")
    qid = nora.judgments.add_question(TITLE, "CANARY-CRITERIA-9e2", date(2030, 1, 1), compartment=STRICT).id
    nora.judgments.estimate(str(qid), 0.3, "CANARY-RATIONALE-5b0")
    nora.assumptions.add(str(qid), "CANARY-ASSUMPTION-77c", SIGNPOST)
    nora.ach.create("CANARY-MATRIX-3f1", ["H-one", "H-two"], question_id=qid)
    return qid


def test_a_hidden_question_and_all_tied_to_it_are_as_if_absent(held: tuple[Workspace, Holdings]) -> None:
    ws, _ = held
    qid = _north_question(ws)
    sam = person(ws, "sam")
    with pytest.raises(NotFound) as wrong:
        sam.judgments.view("999999")
    for read in (lambda: sam.judgments.view(str(qid)), lambda: sam.judgments.shown(str(qid)),
                 lambda: sam.judgments.estimate(str(qid), 0.5), lambda: sam.assumptions.listing(str(qid)),
                 lambda: sam.dissents.listing(question=str(qid))):
        with pytest.raises(NotFound) as hidden:
            read()
        assert str(hidden.value).replace(str(qid), "N") == str(wrong.value).replace("999999", "N")
    [matrix] = person(ws, "nora").ach.listing()
    for read in (lambda: sam.ach.get(matrix.id), lambda: sam.ach.history(matrix.id),
                 lambda: sam.ach.add_hypothesis(matrix.id, "H-three")):
        with pytest.raises(NotFound):
            read()
    [assumption] = person(ws, "nora").assumptions.listing()
    with pytest.raises(NotFound):
        sam.assumptions.get(assumption.id)
    shown = json.dumps([str(v) for v in sam.judgments.listing()] + [str(a) for a in sam.assumptions.listing()]
                       + [str(m) for m in sam.ach.listing()] + [str(sam.judgments.scenario_lines())])
    assert "CANARY" not in shown
    assert [v.question.id for v in person(ws, "nils").judgments.listing()] == [qid]  # a north member sees it


def test_the_compartment_comes_before_the_blind_rule(held: tuple[Workspace, Holdings]) -> None:
    ws, _ = held
    qid = _north_question(ws)
    nils = person(ws, "nils").judgments.view(str(qid))
    assert not nils.revealed and nils.others == ()  # visible to north, still blind until nils estimates
    person(ws, "nils").judgments.estimate(str(qid), 0.6)
    assert person(ws, "nils").judgments.view(str(qid)).revealed


def test_a_scenarios_question_takes_its_scenarios_compartment(held: tuple[Workspace, Holdings]) -> None:
    ws, _ = held
    person(ws, "nora").judgments.estimate("north-watch", 0.2, "CANARY-SCEN-RATIONALE")
    with ws.store.engine.connect() as conn:
        stored = conn.execute(select(t.questions.c.compartment).where(t.questions.c.scenario_id == "north-watch")
                              ).scalar()
    assert stored is not None and ws.store.compartments([stored])[stored] == STRICT
    sam = person(ws, "sam").judgments
    assert "north-watch" not in sam.scenario_lines() and sam.listing() == []
    with pytest.raises(NotFound):
        sam.view("north-watch")
    assert "north-watch" in person(ws, "nora").judgments.scenario_lines()


def test_one_may_not_mark_a_question_out_of_ones_own_sight(held: tuple[Workspace, Holdings]) -> None:
    ws, _ = held
    with pytest.raises(InvalidArgument, match="could not see"):
        person(ws, "sam").judgments.add_question(TITLE, "c", date(2030, 1, 1), compartment=STRICT)


def test_notes_take_the_strictest_of_their_target_and_their_own_marking(held: tuple[Workspace, Holdings]) -> None:
    ws, found = held
    nora = person(ws, "nora").annotations
    on_open = nora.note("document", found.documents["clr"], "CANARY-NOTE-OWN", marking="TLP:AMBER+STRICT",
                        teams=["north"])
    on_amber = nora.note("document", found.documents["amn"], "CANARY-NOTE-PLAIN")
    comps = {}
    with ws.store.engine.connect() as conn:
        for n in (on_open, on_amber):
            comps[n.id] = conn.execute(select(t.annotation_notes.c.compartment)
                                       .where(t.annotation_notes.c.id == n.id)).scalar()
    assert ws.store.compartments([comps[on_open.id]])[comps[on_open.id]] == STRICT
    assert comps[on_amber.id] == found.compartments["amn"]  # the target's
    with pytest.raises(NotFound):  # a target hidden from the writer is not found
        person(ws, "sam").annotations.note("document", found.documents["amn"], "x")
    with pytest.raises(InvalidArgument, match="need a marking"):
        nora.note("document", found.documents["clr"], "x", teams=["north"])


def test_a_matrix_withholds_items_cited_from_hidden_holdings(held: tuple[Workspace, Holdings]) -> None:
    ws, found = held
    nora = person(ws, "nora").ach
    m = nora.create("Open matrix", ["H-one", "H-two"])
    nora.add_evidence(m.id, ref=f"document:{found.documents['amn']}", grade="2")
    nora.add_evidence(m.id, ref=f"document:{found.documents['clr']}", grade="2")
    seen = person(ws, "sam").ach.get(m.id)
    text = json.dumps([str(e) for e in seen.evidence] + [str(c) for c in person(ws, "sam").ach.history(m.id)])
    assert "TITLE-AMN" not in text and found.documents["amn"] not in text and WITHHELD in text
    assert "TITLE-CLR" in text
    assert "TITLE-AMN" in json.dumps([str(e) for e in nora.get(m.id).evidence])
    entries = person(ws, "sam").ledger.page(LedgerFilter(kinds=("ach-changed",)), limit=50).entries
    assert "TITLE-AMN" not in json.dumps([str(e) for e in entries]) and any(not e.hash for e in entries)


def test_the_api_and_the_cli_take_a_marking(held: tuple[Workspace, Holdings], db_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ws, found = held
    _, nora_token = ws.accounts.create_token("nora", "test", actor="setup")
    _, sam_token = ws.accounts.create_token("sam", "test", actor="setup")
    with TestClient(create_app(ws), follow_redirects=False) as client:
        made = client.post("/api/v1/questions", headers={"Authorization": f"Bearer {nora_token}"},
                           json={"title": TITLE, "criteria": "c", "resolves_by": "2030-01-01",
                                 "marking": "TLP:AMBER+STRICT", "teams": ["north"]})
        assert made.status_code == 201, made.text
        qid = made.json()["id"]
        sam = {"Authorization": f"Bearer {sam_token}"}
        listed, one = client.get("/api/v1/questions", headers=sam), client.get(f"/api/v1/questions/{qid}", headers=sam)
        page = client.get("/questions", headers=sam)
    assert one.status_code == 404 and TITLE not in listed.text + one.text + page.text
    monkeypatch.setenv("FOREWARN_DATABASE_URL", db_url)
    monkeypatch.setenv("FOREWARN_ACTOR", "nora")
    added = CliRunner().invoke(cli, ["question", "add", "CANARY-CLI-Q", "--criteria", "c", "--resolves-by",
                                     "2030-01-01", "--marking", "TLP:AMBER+STRICT", "--team", "north", "--json"])
    assert added.exit_code == 0, added.output
    noted = CliRunner().invoke(cli, ["note", "add", "document", found.documents["clr"], "CANARY-CLI-NOTE",
                                     "--marking", "TLP:RED", "--recipients", "rita", "--json"])
    assert noted.exit_code == 0, noted.output
    monkeypatch.setenv("FOREWARN_ACTOR", "sam")
    listing = CliRunner().invoke(cli, ["question", "list", "--json"])
    assert listing.exit_code == 0 and "CANARY-CLI-Q" not in listing.output and TITLE not in listing.output
    monkeypatch.setenv("FOREWARN_ACTOR", "nora")
    own = CliRunner().invoke(cli, ["question", "list", "--state", QuestionState.OPEN.value])
    assert own.exit_code == 0 and "CANARY-CLI-Q" in own.output
    note_id = json.loads(noted.output)["id"]
    with ws.store.engine.connect() as conn:
        cid = conn.execute(select(t.annotation_notes.c.compartment).where(t.annotation_notes.c.id == note_id)).scalar()
    assert ws.store.compartments([cid])[cid] == Compartment.of(Marking.RED, [], ["rita"])
