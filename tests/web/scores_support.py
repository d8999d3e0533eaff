"""A small world of judgments whose scores are worked out by hand (tests of the scores).

Q1 opens at T0 and resolves yes at T0 + 10 h: alice says 0.8 at T0, bob 0.4 at T0 + 5 h, the line is 0.2 from T0;
its scenario "s-score" was assessed 0.1 at T0 - 2 h, 0.7 at T0 - 1 h, 0.9 at T0 + 5 h and 0.0 after the resolution.
Q2 opens at T0 + 10 h and resolves no at T0 + 20 h: alice says 0.3 and bob 0.1 at its opening.
Q3 stays open (carol says 0.9) and Q4 is annulled (dave says 0.5): neither is ever scored.

By hand (Brier, time-averaged): alice (0.04 + 0.09) / 2 = 0.065; bob (0.36 · 1/2 [covers half of Q1] + 0.01) / 2
= 0.185; the line 0.64 (Q1 only); the model 0.5 · 0.09 + 0.5 · 0.01 = 0.05 (Q1 only); the team mean on Q1 0.8 then
0.6: 0.5 · 0.04 + 0.5 · 0.16 = 0.10, on Q2 0.2: 0.04, so 0.07; the team median is the same (two analysts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from forewarn.app import Workspace
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.judgment import QuestionState
from forewarn.store import schema as t

T0 = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)
SCENARIO = "s-score"
ANALYSTS = ("alice", "bob")


def person(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def hand_world(ws: Workspace, advance: Callable[..., None]) -> tuple[int, int]:
    """Build the world on ``ws`` whose clock starts at T0 and moves by ``advance(hours=…)``; (Q1, Q2)."""
    alice, bob, carol, dave = (person(ws, n) for n in ("alice", "bob", "carol", "dave"))
    q1 = str(alice.judgments.add_question("Will the line hold?", "It holds.", date(2024, 9, 1)).id)
    alice.judgments.estimate(q1, 0.8, "armour")
    person(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(q1, 0.2, "under control")
    _scenario_of(ws, int(q1))
    advance(hours=5)
    bob.judgments.estimate(q1, 0.4)
    q3 = str(carol.judgments.add_question("Will it rain?", "It rains.", date(2024, 9, 1)).id)
    carol.judgments.estimate(q3, 0.9)
    q4 = str(dave.judgments.add_question("Will it snow?", "It snows.", date(2024, 9, 1)).id)
    dave.judgments.estimate(q4, 0.5)
    advance(hours=5)
    alice.judgments.resolve(q1, QuestionState.RESOLVED_YES, "It held.")
    dave.judgments.resolve(q4, QuestionState.ANNULLED, "Ill-posed.")
    q2 = str(bob.judgments.add_question("Will the bridge fall?", "It falls.", date(2024, 9, 1)).id)
    alice.judgments.estimate(q2, 0.3)
    bob.judgments.estimate(q2, 0.1)
    advance(hours=10)
    bob.judgments.resolve(q2, QuestionState.RESOLVED_NO, "It stood.")
    return int(q1), int(q2)


def _scenario_of(ws: Workspace, qid: int) -> None:
    """Make Q1 a scenario's question and give the scenario assessments around it."""
    points = ((-2, 0.1), (-1, 0.7), (5, 0.9), (11, 0.0))
    with ws.store.transaction() as conn:
        conn.execute(update(t.questions).where(t.questions.c.id == qid).values(scenario_id=SCENARIO))
        conn.execute(t.assessments.insert(), [
            {"scenario_id": SCENARIO, "scenario_version": "v1", "at": T0 + timedelta(hours=h), "probability": p,
             "log_odds": 0.0, "level": None, "signals": [], "created_at": T0} for h, p in points])


def many(ws: Workspace, advance: Callable[..., None], questions: int, seed: int = 17) -> None:
    """``questions`` more questions, each estimated by three analysts of different skill, given a line and resolved
    a day later: enough for a reliability plot."""
    import random

    rng = random.Random(seed)
    officer = person(ws, "duty", Role.DUTY_OFFICER)
    for k in range(questions):
        truth = rng.random()
        q = str(person(ws, "alice").judgments.add_question(f"Question {k}", "It happens.", date(2099, 1, 1)).id)
        for name, spread in (("alice", 0.1), ("bob", 0.35), ("analyst", 0.2)):
            p = min(max(truth + rng.gauss(0, spread), 0.02), 0.98)
            person(ws, name).judgments.estimate(q, p)
        officer.judgments.publish_line(q, min(max(truth - 0.2, 0.02), 0.98))
        advance(hours=24)
        outcome = QuestionState.RESOLVED_YES if rng.random() < truth else QuestionState.RESOLVED_NO
        person(ws, "alice").judgments.resolve(q, outcome, "Seen.")
