"""The world of the blind-rule sweep (issue 17): judgments whose every value and text is distinctive, so that a
raw response body that holds any of them has revealed it.

Analyst alice (and carol) estimate blind on a question of their own and on the scenario's own question; a duty
officer publishes a line on each (with words of its own); carol dissents from the question's line and alice from
the scenario's; alice adds a key assumption to the question; an ACH matrix hangs on the question (ACH is
deliberately not blind: its texts are ordinary and are not looked for); a third question is resolved, so scores
exist. :func:`secrets_of` gives what analyst bob (no estimate of his own) and a viewer must never find in any body
before the reveal; :func:`salts` the rows' commitment salts (with a salt, a ledger commitment gives a 4-digit
probability away in 10,000 tries)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.model import Principal, PrincipalKind
from forewarn.model.judgment import Line, QuestionState
from forewarn.store import schema as t

NOW = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)
REVEAL = NOW + timedelta(days=2)  # the question's reveal time (the scenario's question has none)
PASSWORD = "a blind sweep passphrase"
SIGNPOSTS = "- id: blind-sweep\n  types: [MOBILIZE]\n"
TEAM = "blind-sweep"  # every account of the world is a member (issue 18: a team is read by its members and admins)

# question Q (reveal at REVEAL) and the scenario's question S: (probability, rationale or words)
ALICE_Q = (0.8765, "secret-rationale-zq7")
CAROL_Q = (0.7123, "carol-rationale-hb2")
LINE_Q = (0.6543, "line-words-vq3")
DISSENT_Q = "dissent-text-wp5"
ASSUMPTION_Q = "assumption-text-jm8"
ALICE_S = (0.9321, "scenario-rationale-ty6")
LINE_S = (0.4321, "scenario-line-words-gf9")
DISSENT_S = "scenario-dissent-nm2"


def renderings(p: float) -> tuple[str, ...]:
    """Every way forewarn writes a probability: JSON (repr), the pages' ``%.2f`` (inside its span), the CLI's and
    reports' ``.0%`` / ``.1%``, the web's ``pct`` ("88 %"), and three decimals (explanations)."""
    return (repr(p), f"{p * 100:g}", f'class="prob">{p:.2f}<', f"{p:.0%}", f"{p:.1%}", f"{p * 100:.0f} %",
            f"{p * 100:.1f} %", f"{p:.3f}")


def gap_renderings(line: Line) -> tuple[str, ...]:
    """A line's gaps (the one to the analysts gives their blind median away; the one to the model, public, the
    line): JSON, and ``%+.2f`` where the pages and reports write it (a bare "+0.39" is also a signal's log-odds)."""
    gaps = [g for g in (line.gap, line.model_gap) if g is not None]
    return tuple(text for g in gaps for text in (repr(g)[:8], f">{g:+.2f}<", f"{g:+.2f} logits",
                                                 f"model {g:+.2f}", f" {g:+.2f} |", f"{g:+.3f}"))


def secrets_of(j: Judged, scope: str) -> dict[str, tuple[str, ...]]:
    """What must stay hidden, by name: ``q`` the question's, ``s`` the scenario question's."""
    if scope == "q":
        return {"alice's estimate": (*renderings(ALICE_Q[0]), ALICE_Q[1]),
                "carol's estimate": (*renderings(CAROL_Q[0]), CAROL_Q[1]),
                "the line": (*renderings(LINE_Q[0]), LINE_Q[1], *gap_renderings(j.lines[0]),
                             *renderings(round(statistics.median((ALICE_Q[0], CAROL_Q[0])), 4))),
                "the dissent": (DISSENT_Q,), "the assumption": (ASSUMPTION_Q,)}
    return {"alice's scenario estimate": (*renderings(ALICE_S[0]), ALICE_S[1]),
            "the scenario's line": (*renderings(LINE_S[0]), LINE_S[1], *gap_renderings(j.lines[1])),
            "the scenario's dissent": (DISSENT_S,)}


@dataclass(frozen=True)
class Judged:
    question: int  # Q: alice's and carol's estimates, a line, a dissent, an assumption, an ACH matrix
    scenario: str  # S is the scenario's own question, referred to by the scenario's id
    scenario_question: int
    resolved: int  # R: resolved yes, with estimates (so scores exist)
    assumption: int
    matrix: int
    handover: int
    lines: tuple[Line, Line]  # the lines on Q and on S


def person(ws: Workspace, name: str, role: Role) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def judge(ws: Workspace, scenario: str) -> Judged:
    """Accounts alice, carol, bob, ben (analysts) and dana (duty officer), and the judgments above."""
    for name, role in (("alice", Role.ANALYST), ("carol", Role.ANALYST), ("bob", Role.ANALYST),
                       ("ben", Role.ANALYST), ("dana", Role.DUTY_OFFICER)):
        ws.accounts.add_user(name, PASSWORD, role, actor="setup")
    alice, carol = person(ws, "alice", Role.ANALYST), person(ws, "carol", Role.ANALYST)
    dana = person(ws, "dana", Role.DUTY_OFFICER)
    resolved = resolved_question(ws, alice, carol)
    q = alice.judgments.add_question("Will the blind sweep hold?", "Yes if nothing leaks.", date(2099, 1, 1),
                                     reveal_at=REVEAL).id
    for who, (p, why) in ((alice, ALICE_Q), (carol, CAROL_Q)):
        who.judgments.estimate(str(q), p, why)
    alice.judgments.estimate(scenario, *ALICE_S)
    lines = [dana.judgments.publish_line(ref, p, words) for ref, (p, words) in ((str(q), LINE_Q), (scenario, LINE_S))]
    carol.dissents.file("line", lines[0].id, DISSENT_Q)
    alice.dissents.file("line", lines[1].id, DISSENT_S)  # carol has no estimate on S: its line is hidden from her
    assumption = alice.assumptions.add(str(q), ASSUMPTION_Q, SIGNPOSTS).id
    matrix = alice.ach.create("ordinary matrix on the blind question", ["it holds", "it leaks"], question_id=q).id
    handover = dana.handovers.write("watch the blind sweep").id
    return Judged(q, scenario, lines[1].question_id, resolved, assumption, matrix, handover, (lines[0], lines[1]))


def team_of_everyone(ws: Workspace) -> str:
    """TEAM, with every account as a member: its page and API answer every sweeper (it owns nothing)."""
    ws.teams.add(TEAM, "The blind sweep's team")
    for user in ws.accounts.users():
        ws.teams.add_member(TEAM, user.name)
    return TEAM


def resolved_question(ws: Workspace, alice: Workspace, carol: Workspace) -> int:
    """A question estimated at NOW - 3 h and resolved yes at NOW - 2 h (a score needs a life of some length);
    the workspace clock is left at NOW."""
    ws.time.set(NOW - timedelta(hours=3), frozen=True)
    r = alice.judgments.add_question("Was the bridge closed?", "Yes if it was.", date(2099, 1, 1)).id
    alice.judgments.estimate(str(r), 0.3, "an ordinary rationale")
    carol.judgments.estimate(str(r), 0.6, "another ordinary rationale")
    ws.time.set(NOW - timedelta(hours=2), frozen=True)
    alice.judgments.resolve(str(r), QuestionState.RESOLVED_YES, "it was closed")
    ws.time.set(NOW, frozen=True)
    return r


def salts(ws: Workspace, questions: tuple[int, ...]) -> tuple[str, ...]:
    """The commitment salts of every judgment row on ``questions`` (estimates, lines, dissents, assumptions)."""
    tables: tuple[Any, ...] = (t.estimates, t.published_lines, t.dissents, t.assumptions)
    with ws.store.engine.connect() as conn:
        found = [r.salt for table in tables
                 for r in conn.execute(select(table.c.salt).where(table.c.question_id.in_(questions)))]
    return tuple(s for s in found if s)
