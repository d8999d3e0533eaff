"""One warning cycle: assess every scenario as of a time, publish what changed against the latest
assessment published as of that time (:mod:`forewarn.detect.assessments` defines "latest"), react (raise or
reopen warnings), escalate overdue warnings, deliver notifications, then anchor the ledger's head
outside the database when it moved (:mod:`forewarn.ledger.autoanchor`). ``forewarn watch`` runs it
after each poll; ``forewarn cycle`` runs it once. Time comes in as an argument: the same cycle
runs live and, in the demo, over a simulated clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from forewarn.errors import Issue, NotFound
from forewarn.model import Assessment, StoredAssessment, WarningRecord
from forewarn.warn.assumptions import check_signposts
from forewarn.warn.deconfliction import run_deconfliction

if TYPE_CHECKING:
    from forewarn.app import Workspace
    from forewarn.warn import DeliveryReport

PUBLISH_STEP = 0.005  # a probability change smaller than this is not published again


@dataclass(frozen=True)
class CycleReport:
    at: datetime
    assessments: tuple[Assessment, ...]
    published: tuple[str, ...]  # scenario ids whose assessment was stored (changed)
    warnings: tuple[WarningRecord, ...]  # raised or reopened
    escalated: tuple[WarningRecord, ...]
    delivery: DeliveryReport
    anchor_issue: Issue | None = None  # FW-E094: the automatic ledger anchor could not be written
    flagged_assumptions: tuple[int, ...] = ()  # flagged for review this cycle: a signpost matched


def run_cycle(ws: Workspace, at: datetime) -> CycleReport:
    assessments, published, warnings = [], [], []
    latest = ws.scenarios.latest(until=at)
    for scenario, assessment in ws.scenarios.assess_all(at):
        previous = latest.get(scenario.id)
        if _changed(previous, assessment):
            ws.scenarios.publish(scenario, assessment)
            published.append(scenario.id)
        warnings += ws.warnings.react(scenario, assessment, previous.level if previous else None)
        assessments.append(assessment)
    flagged = check_signposts(ws, at)  # key assumptions whose signposts matched new evidence (issue 17)
    run_deconfliction(ws, at)  # selectors of teams' holdings matched across teams (issue 18)
    escalated = ws.warnings.escalate_due()
    delivery = ws.warnings.deliver()
    anchored = ws.ledger.anchor_after_cycle()  # the cycle's entries, anchored outside the database
    return CycleReport(at, tuple(assessments), tuple(published), tuple(warnings), tuple(escalated), delivery,
                       anchored, flagged)


def _changed(previous: StoredAssessment | None, current: Assessment) -> bool:
    return (previous is None or previous.level != current.level or previous.scenario_version != current.scenario_version
            or abs(previous.probability - current.probability) >= PUBLISH_STEP)


def seen_report(ws: Workspace, report: CycleReport) -> CycleReport:
    """A cycle's report as ``ws``'s principal may see it: scoring ran as forewarn over every scenario, but the
    report names only the scenarios, and shows only the warnings and signals (their evidence), they may see."""
    visible = ws.scenarios.visible_ids()

    def seen(found: tuple[WarningRecord, ...]) -> tuple[WarningRecord, ...]:
        return tuple(w for w in (_seen(ws, w.id) for w in found) if w is not None)

    return replace(report, assessments=tuple(ws.scenarios.seen(a) for a in report.assessments
                                             if a.scenario_id in visible),
                   published=tuple(i for i in report.published if i in visible),
                   warnings=seen(report.warnings), escalated=seen(report.escalated))


def _seen(ws: Workspace, warning_id: int) -> WarningRecord | None:
    try:
        return ws.warnings.get(warning_id)
    except NotFound:
        return None
