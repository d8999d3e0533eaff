"""Key assumptions with signposts (issue 17, item 8): a signpost matching a newly known event flags its
assumption once and queues one notice to its owner (a cycle re-run at the same time flags nothing twice), one that
does not match leaves it holding; review by the owner; the blind rule; bad signposts are a coded error with line
and column; the ledger keeps commitments, not the text."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from detect_store_helpers import seed

from forewarn.app import Workspace
from forewarn.cycle import run_cycle
from forewarn.errors import Code, Forbidden, NotFound, SignpostInvalid
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.assumption import AssumptionState, assumption_commitment
from forewarn.store import schema as t

BRIDGING = """\
- id: bridging-at-border
  name: Bridging vehicles at the Kursk border
  types: [MOBILIZE]
  actor: {countries: [UKR]}
  keywords: [bridging]
  region: {admin1: ["RUS:Kursk"]}
"""
SHELLING = """\
- id: shelling
  types: [ASSAULT]
  region: {countries: [RUS]}
"""
BEFORE = datetime(2024, 8, 5, 12, tzinfo=UTC)
CHECK = datetime(2024, 8, 12, 6, tzinfo=UTC)


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


@pytest.fixture
def ws(db_url: str, make_workspace: Callable[..., Workspace], clock: object) -> Workspace:
    clock.now = BEFORE  # type: ignore[attr-defined]
    return make_workspace(db_url, notify_email=("desk@example.org",))


def _question(ws: Workspace) -> int:
    ann = _as(ws, "ann")
    qid = ann.judgments.add_question("Will Ukraine enter Kursk oblast?", "Regular troops cross.", date(2024, 9, 1)).id
    ann.judgments.estimate(str(qid), 0.1, "they would not")
    return qid


def _outbox(ws: Workspace) -> list[str]:
    with ws.store.engine.connect() as conn:
        return [r.subject for r in conn.execute(t.outbox.select())]


def test_a_matching_signpost_flags_once_and_notifies_the_owner(ws: Workspace, tmp_path: Path, clock: object) -> None:
    qid = _question(ws)
    ann = _as(ws, "ann")
    watched = ann.assumptions.add(str(qid), "Ukraine lacks the bridging to cross", BRIDGING)
    quiet = ann.assumptions.add(str(qid), "No shelling of Russian towns", SHELLING)
    assert (watched.state, watched.owner, watched.checked_until) == (AssumptionState.HOLDING, "ann", BEFORE)
    clock.now = CHECK  # type: ignore[attr-defined]
    docs = seed(ws, tmp_path / "inbox")
    report = run_cycle(ws, CHECK)
    assert report.flagged_assumptions == (watched.id,)
    seen = ann.assumptions.get(watched.id)
    assert seen.assumption.state is AssumptionState.FLAGGED
    assert [(m.signpost, m.kind, m.document_id) for m in seen.matches] == [("bridging-at-border", "event", docs["o2"])]
    assert ann.assumptions.get(quiet.id).assumption.state is AssumptionState.HOLDING
    assert _outbox(ws) == [f"assumption:{watched.id}"]
    [flag] = ws.ledger.entries(kind="assumption-flagged")
    assert flag.payload["signposts"] == [1] and flag.payload["evidence"] == [seen.matches[0].evidence_id]
    again = run_cycle(ws, CHECK)  # the same time again: nothing new
    assert again.flagged_assumptions == () and _outbox(ws) == [f"assumption:{watched.id}"]
    assert len(ws.ledger.entries(kind="assumption-flagged")) == 1


def test_review_by_the_owner_and_a_rationale(ws: Workspace, tmp_path: Path, clock: object) -> None:
    qid = _question(ws)
    a = _as(ws, "ann").assumptions.add(str(qid), "Ukraine lacks the bridging to cross", BRIDGING)
    clock.now = CHECK  # type: ignore[attr-defined]
    seed(ws, tmp_path / "inbox")
    ws.assumptions.check(CHECK)
    with pytest.raises(Forbidden):
        _as(ws, "bob").assumptions.review(a.id, False, "it broke")
    done = _as(ws, "ann").assumptions.review(a.id, False, "bridging units reached the border")
    assert (done.state, done.reviewed_by, done.review) == (AssumptionState.BROKEN, "ann",
                                                           "bridging units reached the border")
    entry = ws.ledger.entries(kind="assumption-reviewed")[-1]
    assert entry.payload["state"] == "reviewed-broken" and "bridging" not in json.dumps(entry.payload)
    added = ws.ledger.entries(kind="assumption-added")[-1]
    assert added.payload["commitment"] == assumption_commitment(a) and "bridging" not in json.dumps(added.payload)
    admin = _as(ws, "root", Role.ADMIN)
    assert admin.assumptions.withdraw(a.id).state is AssumptionState.WITHDRAWN
    assert [e.kind for e in ws.ledger.entries(kind=["assumption-added", "assumption-flagged", "assumption-reviewed",
                                                    "assumption-withdrawn"])] == [
        "assumption-added", "assumption-flagged", "assumption-reviewed", "assumption-withdrawn"]


def test_a_holds_review_watches_on_from_the_review(ws: Workspace, tmp_path: Path, clock: object) -> None:
    qid = _question(ws)
    a = _as(ws, "ann").assumptions.add(str(qid), "Ukraine lacks the bridging to cross", BRIDGING)
    clock.now = CHECK  # type: ignore[attr-defined]
    seed(ws, tmp_path / "inbox")
    ws.assumptions.check(CHECK)
    held = _as(ws, "ann").assumptions.review(a.id, True, "a few vehicles; not enough")
    assert held.state is AssumptionState.HOLDS and held.checked_until == CHECK
    assert ws.assumptions.check(datetime(2024, 8, 13, tzinfo=UTC)) == ()  # nothing new since the review


def test_assumptions_follow_the_blind_rule(ws: Workspace) -> None:
    qid = _question(ws)
    a = _as(ws, "ann").assumptions.add(str(qid), "They would not", SHELLING)
    bob = _as(ws, "bob")
    assert bob.assumptions.listing(str(qid)) == [] and bob.assumptions.listing() == []
    with pytest.raises(NotFound):
        bob.assumptions.get(a.id)
    bob.judgments.estimate(str(qid), 0.4)
    assert [x.id for x in bob.assumptions.listing(str(qid))] == [a.id]
    assert bob.assumptions.get(a.id).assumption.text == "They would not"
    with pytest.raises(Forbidden):
        _as(ws, "val", Role.VIEWER).assumptions.add(str(qid), "x", SHELLING)


@pytest.mark.parametrize(("text", "where", "says"), [
    ("- id: x\n  types: [NOPE]\n", "signposts:2:11", "unknown event type 'NOPE'"),
    ("- id: x\n  typs: [MOBILIZE]\n", "signposts:2:3", "did you mean 'types'"),
    ("- id: x\n  kind: surge\n", "signposts:2:9", "not a surge indicator"),
    ("- id: x\n  types: [MOBILIZE\n", "signposts:3:1", "not valid YAML"),
    ("- id: x\n  region: {countries: [XXX]}\n", "signposts:2:24", "not a known ISO"),
])
def test_bad_signposts_are_a_coded_error_with_line_and_column(ws: Workspace, text: str, where: str,
                                                             says: str) -> None:
    qid = _question(ws)
    with pytest.raises(SignpostInvalid) as caught:
        _as(ws, "ann").assumptions.add(str(qid), "An assumption", text)
    e = caught.value
    assert e.code is Code.SIGNPOST_INVALID and e.message.startswith(where + ":"), e.message
    assert says in e.message + e.hint and e.hint, (e.message, e.hint)


def test_assumptions_through_the_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from forewarn.cli.main import app

    def cli(actor: str, *args: str) -> tuple[int, str]:
        done = CliRunner().invoke(app, ["--db", db, "--actor", actor, *args], env={"COLUMNS": "200"})
        return done.exit_code, done.output

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    (tmp_path / "good.yaml").write_text(BRIDGING)
    (tmp_path / "bad.yaml").write_text("- id: x\n  types: [NOPE]\n")
    code, out = cli("ann", "question", "add", "Will they cross?", "--criteria", "Troops cross.", "--resolves-by",
                    "2099-01-01", "--json")
    qid = str(json.loads(out)["id"])
    assert cli("ann", "estimate", qid, "0.2")[0] == 0
    code, out = cli("ann", "assumption", "add", qid, "They lack bridging", "--signposts", str(tmp_path / "bad.yaml"))
    assert code == 1 and "FW-E071" in out and "signposts:2:11" in out, out
    code, out = cli("ann", "assumption", "add", qid, "They lack bridging", "--signposts", str(tmp_path / "good.yaml"),
                    "--json")
    assert code == 0, out
    aid = str(json.loads(out)["id"])
    code, out = cli("ann", "assumption", "show", aid)
    assert code == 0 and "Bridging vehicles at the Kursk border" in out and "RUS:Kursk Oblast" in out, out
    assert "They lack bridging" not in cli("bob", "assumption", "list")[1]
    code, out = cli("ann", "assumption", "review", aid, "holds", "--rationale", "nothing seen")
    assert code == 0 and "reviewed-holds" in out, out
