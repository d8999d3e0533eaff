"""Judgments for the page benches (issue 17): after the events fill, and not cached with it, a few questions
with blind estimates, revised ones, published lines (one of them softened, so flagged) and dissents, so that the
board and the scenario page are measured showing each scenario's line and its softening gap.

Added once per store (:func:`add_judgments` does nothing when the store already holds a question), at times after
the store's last ledger entry (the ledger refuses an earlier one). The bench's admin records an estimate on the
first scenario's question (so the blind rule shows it its line) and none on the second (so the page shows the line
withheld): both paths are measured. Every number is the fill's own choice."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.store import open_store
from forewarn.store import schema as t

ANALYSTS = ("bench-analyst-1", "bench-analyst-2", "bench-analyst-3", "bench-analyst-4", "bench-analyst-5")
BLIND = (0.35, 0.45, 0.5, 0.55, 0.6)  # the analysts' first (blind) estimates on each scenario's question
LINES = ((0.1, "the situation is under control"), (0.5, "roughly even chance"))  # softened, then not
QUESTIONS = 3  # questions of no scenario, besides the scenarios' own


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)  # every action after the one before: the ledger keeps time order
        return self.now


def add_judgments(url: str, scenarios: tuple[str, ...], admin: str,
                  progress: Callable[[str], None] = print) -> int:
    """Questions, estimates, lines and dissents in the store at ``url`` unless it has a question already;
    the number of estimates recorded (0: there were judgments already)."""
    started = time.perf_counter()
    store = open_store(url, migrate=False)
    with store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(t.questions)).scalar_one():
            store.close()
            return 0
        last = conn.execute(select(func.max(t.ledger.c.at))).scalar_one()
    last = datetime.now(UTC) if last is None else last.replace(tzinfo=UTC) if last.tzinfo is None else last
    ws = Workspace(Settings(database_url=url, actor="bench-fill", extract=False), store, _Clock(last))
    try:
        made = sum(_scenario(ws, sid, admin if k == 0 else None) for k, sid in enumerate(scenarios))
        made += sum(_question(ws, k) for k in range(QUESTIONS))
    finally:
        ws.close()
    progress(f"  judgments: {made} estimates on {len(scenarios) + QUESTIONS} questions in "
             f"{time.perf_counter() - started:.1f} s")
    return made


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def _scenario(ws: Workspace, scenario_id: str, admin: str | None) -> int:
    """Blind estimates, a softened line (flagged) and a dissent on it, revised estimates, a second line."""
    for name, p in zip(ANALYSTS, BLIND, strict=True):
        _as(ws, name).judgments.estimate(scenario_id, p, f"{name}: reading of the build-up")
    lead = _as(ws, "bench-lead", Role.DUTY_OFFICER)
    line = lead.judgments.publish_line(scenario_id, *LINES[0])
    _as(ws, ANALYSTS[-1]).dissents.file("line", line.id, "None of us estimated anything like that.")
    for name in ANALYSTS[:3]:
        _as(ws, name).judgments.estimate(scenario_id, 0.7, "revised after the line")
    lead.judgments.publish_line(scenario_id, *LINES[1])
    if admin:
        _as(ws, admin, Role.ADMIN).judgments.estimate(scenario_id, 0.4, "the bench's own")
    return len(ANALYSTS) + 3 + (1 if admin else 0)


def _question(ws: Workspace, k: int) -> int:
    resolves = ws.clock().date() + timedelta(days=30 + k)
    q = _as(ws, ANALYSTS[0]).judgments.add_question(f"Bench question {k + 1}", "Resolves yes if it happens.",
                                                   resolves)
    for name, p in zip(ANALYSTS, BLIND, strict=True):
        _as(ws, name).judgments.estimate(str(q.id), p)
    return len(ANALYSTS)
