"""Competing hypotheses through the workspace (issue 17, item 7): ``ws.ach`` creates and changes matrices (each
change a version, ledgered ach-changed in its transaction), cites documents, events, claims and notes through the
one read path with their source's grade, keeps every version reconstructible, refuses bad input with FW-E072 and a
hint, and lets only analysts and above change a matrix; and the ``forewarn ach`` commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from web_support import World, build_world

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.errors import AchInvalid, Code, Forbidden, NotFound
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.ach import Rating, scores
from forewarn.model.query import EventQuery
from forewarn.store import schema as t


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


@pytest.fixture
def world_ws(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> tuple[Workspace, World]:
    ws = make_workspace(db_url)
    return ws, build_world(ws, tmp_path)


def _graded_document(ws: Workspace, world: World) -> str:
    doc_id = next(iter(world.documents.values()))
    source = ws.store.get_document(doc_id).source_id
    with ws.store.transaction() as conn:
        conn.execute(t.sources.update().where(t.sources.c.id == source).values(reliability="B"))
    return doc_id


def test_a_matrix_cites_stored_items_with_their_grade_and_every_change_is_a_ledgered_version(
        world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    ana = _as(ws, "ana")
    m = ana.ach.create("Sudzha build-up", ["exercise", "incursion into Kursk"])
    assert (m.id, m.version, m.owner, [h.label for h in m.hypotheses]) == (m.id, 1, "ana", ["H1", "H2"])
    doc_id = _graded_document(ws, world)
    m = ana.ach.add_evidence(m.id, f"document:{doc_id}", grade="2")
    e1 = m.evidence[-1]
    assert (e1.label, e1.kind.value, e1.grade, e1.weight, e1.href) == ("E1", "document", "B2", 1.25,
                                                                        f"/documents/{doc_id}")
    assert e1.text  # its title (or its opening words)
    event = ws.reads.events(EventQuery(limit=1))[0]
    m = ana.ach.add_evidence(m.id, f"event:{event.id}")
    assert m.evidence[-1].kind.value == "event" and m.evidence[-1].text.startswith(f"{event.type}: ")
    m = ana.ach.add_evidence(m.id, text="Pontoon bridging seen near the border", grade="c3")
    assert m.evidence[-1].grade == "C3" and m.evidence[-1].kind.value == "text"
    m = ana.ach.rate(m.id, 1, 1, "i")
    m = ana.ach.rate(m.id, 1, 2, "CC")
    m = ana.ach.rate(m.id, 3, 1, "II")
    assert m.version == 7 and m.rating(1, 1) is Rating.I
    assert scores(m) == pytest.approx({1: 1.25 + 2 * 1.0, 2: 0.0})
    assert ana.ach.rate(m.id, 1, 1, "I").version == 7  # the same rating again changes nothing
    entries = ws.ledger.entries(kind="ach-changed")
    assert [e.payload["version"] for e in entries] == list(range(1, 8))
    assert {e.subject for e in entries} == {f"ach:{m.id}"} and entries[0].actor == "ana"
    assert entries[-1].payload == {"id": m.id, "version": 7, "change": "rate",
                                   "payload": {"evidence": 3, "hypothesis": 1, "rating": "II"}}
    assert entries[1].payload["id"] == m.id and entries[1].payload["payload"]["id"] == 1  # E1 keeps the matrix id
    at4 = ws.ach.get(m.id, 4)
    assert at4.version == 4 and len(at4.evidence) == 3 and not at4.ratings
    assert [c.op for c in ws.ach.history(m.id)][:2] == ["create", "add-evidence"]
    m = ana.ach.remove_evidence(m.id, 1)
    assert [e.label for e in m.evidence] == ["E2", "E3"] and ws.ach.get(m.id, 7).rating(1, 2) is Rating.CC
    assert ana.ach.add_evidence(m.id, text="another", grade="").evidence[-1].label == "E4"  # E1 is not reused
    assert [r.id for r in ws.ach.listing()] == [m.id]


def test_bad_input_is_refused_with_a_code_and_a_hint(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    ana = _as(ws, "ana")
    m = ana.ach.create("t", ["a", "b"])
    cases: list[Callable[[], object]] = [
        lambda: ana.ach.add_evidence(m.id, "document:nope"),
        lambda: ana.ach.add_evidence(m.id, "event:nope"),
        lambda: ana.ach.add_evidence(m.id, "claim:x:1"),
        lambda: ana.ach.add_evidence(m.id, "note:99"),
        lambda: ana.ach.add_evidence(m.id, f"document:{next(iter(world.documents.values()))}", grade="A1"),
        lambda: ana.ach.add_evidence(m.id, text="x", grade="Z9"),
        lambda: ana.ach.add_evidence(m.id, text="   "),
        lambda: ana.ach.rate(m.id, 1, 1, "C"),  # no E1 yet
        lambda: ana.ach.create("t", ["only one"]),
        lambda: ana.ach.create("t", [f"h{i}" for i in range(13)]),
        lambda: ana.ach.remove_hypothesis(m.id, 1),  # two is the least
    ]
    for case in cases:
        with pytest.raises(AchInvalid) as e:
            case()
        assert e.value.code is Code.ACH_INVALID and e.value.hint
    ana.ach.add_evidence(m.id, text="x")
    with pytest.raises(AchInvalid, match="CC, C, N, I, II"):
        ana.ach.rate(m.id, 1, 1, "maybe")
    with pytest.raises(AchInvalid, match="no hypothesis H9"):
        ana.ach.rate(m.id, 1, 9, "C")
    for i in range(10):
        ana.ach.add_hypothesis(m.id, f"more {i}")
    with pytest.raises(AchInvalid, match="2 to 12 hypotheses, not 13"):
        ana.ach.add_hypothesis(m.id, "a 13th")
    with pytest.raises(NotFound):
        ana.ach.get(999)
    with pytest.raises(NotFound):
        ana.ach.get(m.id, 99)
    with pytest.raises(NotFound):
        ana.ach.create("t", ["a", "b"], question_id=999)
    assert len(ws.ledger.entries(kind="ach-changed")) == 1 + 1 + 10  # refusals recorded nothing


def test_only_analysts_and_above_change_a_matrix_any_viewer_reads_it(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    q = _as(ws, "ana").judgments.add_question("Will they cross?", "Regular troops cross.", date(2024, 9, 1))
    m = _as(ws, "ana").ach.create("t", ["a", "b"], question_id=q.id)
    viewer = _as(ws, "vic", Role.VIEWER)
    for case in (lambda: viewer.ach.create("t", ["a", "b"]), lambda: viewer.ach.add_hypothesis(m.id, "c"),
                 lambda: viewer.ach.add_evidence(m.id, text="x"), lambda: viewer.ach.remove_hypothesis(m.id, 1)):
        with pytest.raises(Forbidden):
            case()
    assert viewer.ach.get(m.id).question_id == q.id and [r.id for r in viewer.ach.listing(q.id)] == [m.id]
    assert viewer.ach.listing(q.id + 1) == []


def test_the_ach_commands(world_ws: tuple[Workspace, World], db_url: str) -> None:
    assert world_ws  # the world is built in the database the commands open
    env = {"FOREWARN_DATABASE_URL": db_url, "FOREWARN_ACTOR": "ana", "FOREWARN_EXTRACT": "false"}
    cli = CliRunner()

    def call(*args: str) -> str:
        done = cli.invoke(app, list(args), env=env)
        assert done.exit_code == 0, done.output
        return done.output

    made = json.loads(call("ach", "new", "Sudzha", "-H", "exercise", "-H", "incursion", "--json"))
    mid = str(made["id"])
    call("ach", "evidence", mid, "--text", "bridging kit at the border", "--grade", "A1")
    call("ach", "evidence", mid, "--text", "leave cancelled", "--grade", "C3")
    call("ach", "rate", mid, "E1", "H1", "II")
    call("ach", "rate", mid, "E2", "H1", "I")
    call("ach", "rate", mid, "E2", "H2", "i")  # E2 is against both: not diagnostic
    shown = json.loads(call("ach", "show", mid, "--json"))
    assert shown["ranking"] == [["H2"], ["H1"]] and shown["hypotheses"][0]["inconsistency"] == 4.0
    assert [s["evidence"] for s in shown["sensitivity"]] == ["E1"]
    assert not shown["evidence"][1]["diagnostic"] and shown["hypotheses"][1]["inconsistency"] == 1.0
    assert shown["evidence"][0]["diagnostic"] and shown["evidence"][0]["ratings"] == {"H1": "II", "H2": None}
    text = call("ach", "show", mid)
    assert "Ranking (least inconsistent first): H2 > H1" in text and "Hinges on: E1" in text
    old = json.loads(call("ach", "show", mid, "--version", "3", "--json"))
    assert old["version"] == 3 and old["ranking"] == [["H1", "H2"]]
    assert "the ranking does not hinge on any single item" in call("ach", "show", mid, "--version", "3")
    assert "remove-" not in call("ach", "history", mid) and "rate" in call("ach", "history", mid)
    bad = cli.invoke(app, ["ach", "rate", mid, "E1", "H1", "Q"], env=env)
    assert bad.exit_code != 0 and "FW-E072" in bad.output
    assert "1 matrix" in call("ach", "list")


def test_changes_made_at_once_each_take_their_own_version(db_url: str,
                                                          make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(db_url)
    ana = _as(ws, "ana")
    m = ana.ach.create("t", [f"h{i}" for i in range(4)])
    m = ana.ach.add_evidence(m.id, text="x")
    m = ana.ach.add_evidence(m.id, text="y")
    cells = [(e, h) for e in (1, 2) for h in range(1, 5)]
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda c: ana.ach.rate(m.id, c[0], c[1], "I").version, cells))
    assert sorted(done) == list(range(4, 12))
    assert len(ws.ach.get(m.id).ratings) == 8 and [c.version for c in ws.ach.history(m.id)] == list(range(1, 12))
