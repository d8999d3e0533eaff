"""One warning cycle: assess every scenario as of a time, publish what changed, react (raise or
reopen warnings), escalate overdue warnings, deliver notifications, then anchor the ledger's head
outside the database when it moved (:mod:`forewarn.ledger.autoanchor`). ``forewarn watch`` runs it
after each poll; ``forewarn cycle`` runs it once. Time comes in as an argument: the same cycle
runs live and, in the demo, over a simulated clock."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from forewarn import ledger
from forewarn.errors import Issue
from forewarn.model import Assessment, Scenario, Signal, WarningRecord
from forewarn.store import schema as t

if TYPE_CHECKING:
    from forewarn.app import Workspace
    from forewarn.warn import DeliveryReport

PUBLISH_STEP = 0.005  # a probability change smaller than this is not published again
LEDGER_SIGNALS = 20  # counted signals summarised in an assessment's ledger entry


@dataclass(frozen=True)
class StoredAssessment:
    id: int
    scenario_id: str
    scenario_version: str
    at: datetime
    probability: float
    log_odds: float
    level: str | None
    signals: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class CycleReport:
    at: datetime
    assessments: tuple[Assessment, ...]
    published: tuple[str, ...]  # scenario ids whose assessment was stored (changed)
    warnings: tuple[WarningRecord, ...]  # raised or reopened
    escalated: tuple[WarningRecord, ...]
    delivery: DeliveryReport
    anchor_issue: Issue | None = None  # FW-E094: the automatic ledger anchor could not be written


def run_cycle(ws: Workspace, at: datetime) -> CycleReport:
    assessments, published, warnings = [], [], []
    latest = latest_assessments(ws)
    for scenario, assessment in ws.assess_all(at):
        previous = latest.get(scenario.id)
        if _changed(previous, assessment):
            publish(ws, scenario, assessment)
            published.append(scenario.id)
        warnings += ws.react(scenario, assessment, previous.level if previous else None)
        assessments.append(assessment)
    escalated = ws.escalate_due()
    delivery = ws.deliver_notifications()
    anchored = ws.auto_anchors.at_cycle(ws.store.engine)  # the cycle's entries, anchored outside the database
    return CycleReport(at, tuple(assessments), tuple(published), tuple(warnings), tuple(escalated), delivery,
                       anchored)


def _changed(previous: StoredAssessment | None, current: Assessment) -> bool:
    return (previous is None or previous.level != current.level or previous.scenario_version != current.scenario_version
            or abs(previous.probability - current.probability) >= PUBLISH_STEP)


def publish(ws: Workspace, scenario: Scenario, a: Assessment) -> None:
    """Store an assessment with every signal's contribution, and record it in the ledger."""
    with ws.store.transaction() as conn:
        ledger.lock(conn)  # before reading the clock: appends from several processes stay in time order
        now = ws.clock()
        conn.execute(t.assessments.insert().values(
            scenario_id=a.scenario_id, scenario_version=a.scenario_version, at=a.at, probability=a.probability,
            log_odds=a.log_odds, level=a.level, signals=[signal_json(s) for s in a.signals], created_at=now))
        _ledger_entry(ws, conn, scenario, a, now)


def _ledger_entry(ws: Workspace, conn: Connection, scenario: Scenario, a: Assessment, now: datetime) -> None:
    counted = sorted(a.counted, key=lambda s: -abs(s.contribution))[:LEDGER_SIGNALS]
    payload = {"scenario": scenario.id, "version": a.scenario_version, "as_of": a.at.isoformat(),
               "probability": round(a.probability, 6), "level": a.level, "prior": a.prior,
               "signals": [{"indicator": s.indicator_id, "contribution": round(s.contribution, 6),
                            "events": list(s.event_ids)} for s in counted]}
    ledger.append(conn, at=now, actor=ws.actor, kind="assessment-published",
                  subject=f"scenario:{scenario.id}", payload=payload, signer=ws.signer)


def signal_json(s: Signal) -> dict[str, Any]:
    value = asdict(s)
    value.update(kind=s.kind.value, observed_on=s.observed_on.isoformat(), known_at=s.known_at.isoformat(),
                 source_ids=list(s.source_ids), event_ids=list(s.event_ids), document_ids=list(s.document_ids))
    return value


def latest_assessments(ws: Workspace) -> dict[str, StoredAssessment]:
    """The last published assessment of every scenario, by scenario id (one query)."""
    a = t.assessments
    last = select(func.max(a.c.id)).group_by(a.c.scenario_id)
    with ws.store.engine.connect() as conn:
        return {r.scenario_id: stored_assessment(r) for r in conn.execute(select(a).where(a.c.id.in_(last)))}


def assessment_history(ws: Workspace, scenario_id: str, limit: int | None = None) -> list[StoredAssessment]:
    """Published assessments of a scenario, newest first."""
    a = t.assessments
    q = select(a).where(a.c.scenario_id == scenario_id).order_by(a.c.id.desc()).limit(limit)
    with ws.store.engine.connect() as conn:
        return [stored_assessment(r) for r in conn.execute(q)]


def stored_assessment(r: Any) -> StoredAssessment:
    """An assessments row as a StoredAssessment (a row read without its signals has none)."""
    signals = tuple(r.signals) if "signals" in r._fields else ()
    return StoredAssessment(int(r.id), r.scenario_id, r.scenario_version, r.at, float(r.probability),
                            float(r.log_odds), r.level, signals)
