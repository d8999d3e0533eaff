"""Questions, blind estimates and published lines (issue 17, items 1–3): the ICD 203 words, the blind rule
(service and CLI), the softening gap and its flag, resolution, roles and the ledger."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from web_support import build_world

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.errors import ConfigError, Forbidden, InvalidArgument, QuestionStateError, RationaleRequired
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.judgment import (
    Line,
    QuestionState,
    blind_median,
    commitment,
    decimal,
    estimate_commitment,
    gap,
    line_commitment,
    logit,
    softer,
    words,
)
from forewarn.warn.judgments import lines_of


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


@pytest.fixture
def ws(db_url: str, make_workspace: Callable[..., Workspace]) -> Workspace:
    return make_workspace(db_url)


def _question(ws: Workspace, **kw: object) -> int:
    return ws.judgments.add_question("Will the border be crossed?", "Regular troops cross into Kursk oblast.",
                                     date(2024, 9, 1), **kw).id  # type: ignore[arg-type]


@pytest.mark.parametrize(("p", "expected"), [
    (0.01, "almost no chance"), (0.05, "almost no chance"), (0.06, "very unlikely"), (0.3, "unlikely"),
    (0.5, "roughly even chance"), (0.7, "likely"), (0.9, "very likely"), (0.97, "almost certainly")])
def test_icd203_words(p: float, expected: str) -> None:
    assert words(p) == expected


def test_gap_arithmetic() -> None:
    assert gap(0.2, 0.6) == pytest.approx(math.log(0.25) - math.log(1.5))
    assert gap(0.5, None) is None and math.isfinite(gap(0.5, 1.0) or 0.0)  # a model's 1 is kept off the edge
    assert softer(-0.51, 0.5) and not softer(-0.49, 0.5) and not softer(2.0, 0.5) and not softer(None, 0.5)
    assert logit(0.5) == 0


def test_softening_gap_setting_is_checked() -> None:
    assert Settings().softening_gap == 0.5
    with pytest.raises(ConfigError):
        Settings(softening_gap=0)


def test_blind_rule_in_the_service(ws: Workspace, clock: object) -> None:
    qid = str(_question(ws))
    alice, bob, carol = _as(ws, "alice"), _as(ws, "bob"), _as(ws, "carol")
    alice.judgments.estimate(qid, 0.7, "armour massing")
    _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(qid, 0.2, "under control")
    before = bob.judgments.view(qid)
    assert not before.revealed and before.others == () and before.lines == () and before.mine == ()
    assert [v.others for v in bob.judgments.listing()] == [()]
    mine = bob.judgments.estimate(qid, 0.6)
    assert mine.blind
    after = bob.judgments.view(qid)
    assert after.revealed and [e.analyst for e in after.others] == ["alice"] and len(after.lines) == 1
    assert not bob.judgments.estimate(qid, 0.4).blind  # a change after seeing the others is not blind
    assert not carol.judgments.view(qid).revealed


def test_reveal_time_opens_it_to_everyone(ws: Workspace, clock: object) -> None:
    qid = str(_question(ws, reveal_at=datetime(2024, 8, 13, tzinfo=UTC)))
    _as(ws, "alice").judgments.estimate(qid, 0.7)
    assert not _as(ws, "bob").judgments.view(qid).revealed
    clock.advance(days=1)  # type: ignore[attr-defined]
    seen = _as(ws, "bob").judgments.view(qid)
    assert seen.revealed and [e.analyst for e in seen.others] == ["alice"]
    assert not _as(ws, "bob").judgments.estimate(qid, 0.5).blind  # after the reveal time nothing is blind


def test_a_softened_line_is_flagged_and_ledgered(ws: Workspace, clock: object) -> None:
    qid = str(_question(ws))
    for name, p in (("alice", 0.7), ("bob", 0.6), ("carol", 0.8)):
        _as(ws, name).judgments.estimate(qid, p)
        clock.advance(minutes=5)  # type: ignore[attr-defined]
    line = _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(qid, 0.2, "under control")
    assert line.gap == pytest.approx(logit(0.2) - logit(0.7)) and line.flagged and line.model_gap is None
    entry = ws.ledger.entries(kind="line-published")[-1]
    assert entry.actor == "duty" and entry.subject == f"question:{qid}"
    assert set(entry.payload) == {"id", "question_id", "published_by", "at", "commitment"}  # the blind rule
    assert entry.payload["commitment"] == line_commitment(lines_of_question(ws, int(qid))[0])  # flag included
    fair = _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(qid, 0.6)
    assert not fair.flagged and fair.words == "likely"


def lines_of_question(ws: Workspace, question_id: int) -> tuple[Line, ...]:
    with ws.store.engine.connect() as conn:
        return lines_of(conn, question_id)


def test_commitments_bind_every_value_and_are_salted() -> None:
    from forewarn.model.judgment import Estimate

    t0 = datetime(2024, 8, 1, tzinfo=UTC)
    e = Estimate(1, 7, "alice", 0.7, "armour", t0, True, "00" * 16)
    first = estimate_commitment(e)
    assert len(first) == 64 and first == commitment("estimate", 7, "alice", "0.7", "armour", "00" * 16)
    changed = [replace(e, probability=0.7000000000000001), replace(e, rationale="armour."), replace(e, analyst="bob"),
               replace(e, question_id=8), replace(e, salt="01" + "00" * 15)]
    assert first not in {estimate_commitment(x) for x in changed}
    assert estimate_commitment(replace(e, id=2, at=t0 + timedelta(1), blind=False)) == first  # not bound: kept in clear
    assert decimal(0.1) == "0.1" and decimal(1e-300) == "1e-300" and decimal(None) is None
    line = Line(1, 7, 0.2, "under control", "duty", t0, -2.2, None, True, "ab" * 16)
    assert line_commitment(line) != line_commitment(replace(line, flagged=False))
    assert line_commitment(line) != line_commitment(replace(line, gap=-2.1))


def test_blind_median_takes_each_analysts_blind_estimate_before_the_line() -> None:
    from forewarn.model.judgment import Estimate

    t0 = datetime(2024, 8, 1, tzinfo=UTC)
    ests = [Estimate(1, 1, "a", 0.7, "", t0, True), Estimate(2, 1, "a", 0.2, "", t0 + timedelta(1), False),
            Estimate(3, 1, "b", 0.9, "", t0, True), Estimate(4, 1, "c", 0.1, "", t0 + timedelta(3), True)]
    assert blind_median(ests, t0 + timedelta(2)) == pytest.approx(0.8)
    assert blind_median(ests, t0 - timedelta(1)) is None


def test_roles_resolution_and_closed_questions(ws: Workspace) -> None:
    qid = str(_question(ws))
    with pytest.raises(Forbidden):
        _as(ws, "vic", Role.VIEWER).judgments.estimate(qid, 0.5)
    with pytest.raises(Forbidden):
        _as(ws, "alice").judgments.publish_line(qid, 0.5)
    with pytest.raises(InvalidArgument):
        _as(ws, "alice").judgments.estimate(qid, 1.0)
    with pytest.raises(RationaleRequired):
        ws.judgments.resolve(qid, QuestionState.RESOLVED_YES, "  ")
    q = ws.judgments.resolve(qid, QuestionState.RESOLVED_YES, "Troops crossed on 6 August.")
    assert q.state is QuestionState.RESOLVED_YES and q.resolved_by == "tester"
    with pytest.raises(QuestionStateError):
        _as(ws, "alice").judgments.estimate(qid, 0.5)
    assert _as(ws, "bob").judgments.view(qid).revealed  # a closed question hides nothing
    kinds = [e.kind for e in ws.ledger.entries(kind=["question-added", "question-resolved"])]
    assert kinds == ["question-added", "question-resolved"]


def test_a_scenario_is_a_question_made_on_demand(ws: Workspace, tmp_path: Path) -> None:
    world = build_world(ws, tmp_path)
    e = _as(ws, "alice").judgments.estimate(world.scenario_id, 0.9, "armour on the border")
    v = _as(ws, "alice").judgments.view(world.scenario_id)
    assert v.question.scenario_id == world.scenario_id and v.question.id == e.question_id
    assert v.model is not None and 0 < v.model < 1
    line = ws.judgments.publish_line(world.scenario_id, 0.05)
    assert line.model_gap == pytest.approx(logit(0.05) - logit(ws.scenarios.assess(world.scenario_id).probability))
    assert len(ws.ledger.entries(kind="question-added")) == 1  # the same question both times


runner = CliRunner()


def _cli(db: str, actor: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", actor, *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_blind_rule_through_the_cli(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    code, out = _cli(db, "lead", "question", "add", "Will the border be crossed?", "--criteria", "Troops cross.",
                     "--resolves-by", "2099-01-01", "--json")
    assert code == 0, out
    qid = str(json.loads(out)["id"])
    assert _cli(db, "alice", "estimate", qid, "0.7", "--rationale", "armour")[0] == 0
    code, out = _cli(db, "lead", "line", "publish", qid, "0.2", "--words", "under control")
    assert code == 0 and "FLAGGED" not in out and "withheld" in out, out  # the lead has not estimated: blind
    assert _cli(db, "carol", "estimate", qid, "0.65")[0] == 0
    code, out = _cli(db, "carol", "line", "publish", qid, "0.2", "--words", "under control")
    assert code == 0 and "FLAGGED" in out, out
    code, out = _cli(db, "bob", "question", "show", qid, "--json")
    hidden = json.loads(out)
    assert not hidden["revealed"] and hidden["others"] == [] and hidden["lines"] == [] and "0.7" not in out
    assert "under control" not in _cli(db, "bob", "question", "show", qid)[1]
    assert _cli(db, "bob", "estimate", qid, "0.6")[0] == 0
    shown = json.loads(_cli(db, "bob", "question", "show", qid, "--json")[1])
    assert shown["revealed"] and sorted(e["analyst"] for e in shown["others"]) == ["alice", "carol"]
    assert shown["lines"][0]["words"] == "under control" and shown["lines"][0]["flagged"]
    assert _cli(db, "bob", "estimate", qid, "1.5")[0] == 1
    code, out = _cli(db, "lead", "question", "resolve", qid, "yes", "--rationale", "They crossed.")
    assert code == 0 and "resolved-yes" in out
