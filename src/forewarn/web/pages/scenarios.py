"""The scenarios: the list with each one's current (stored) probability, and one scenario's page —
its probability over time with thresholds and warnings, the signals behind the current value,
each indicator's recent matches, and its warnings. Everything is read from STORED assessments
(indexed by scenario and time): a page view never re-assesses over the store; the signals are shown as
readable rows (:mod:`forewarn.reads.evidence`: only the events, claims and documents they cite, by id).
Analysts add and remove scenarios here; duty officers run a cycle."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from forewarn.accounts import Role
from forewarn.cycle import run_cycle, seen_report
from forewarn.detect.shown import hidden_text
from forewarn.errors import InvalidArgument
from forewarn.model.marking import Compartment
from forewarn.warn.board import scenario_lines
from forewarn.web.api.scenarios import add_posted_yaml
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.charts import Line, Marker, line_chart
from forewarn.web.render import render

router = APIRouter()

ScenarioId = Annotated[str, Path(min_length=1, max_length=64)]
RANGES = {"7": 7, "30": 30, "90": 90, "365": 365, "all": None}
Range = Literal["7", "30", "90", "365", "all"]
MATCHES = 5  # recent matches shown per indicator
WARNING_ROWS = 100  # the scenario's latest warnings listed
EVIDENCE_CHARS = 400


@router.get("/scenarios")
def scenario_list(request: Request, p: Viewer) -> Response:
    ws = acting(request, p)
    lines = ws.scenarios.lines()
    added = {line.record.scenario.id for line in lines}
    defaults = [s for s in ws.scenarios.available() if s.id not in added] if p.may(Role.ANALYST) else []
    response = render(request, "scenarios.html", lines=lines, defaults=defaults,
                      flash=take_flash(request), can_edit=p.may(Role.ANALYST), can_cycle=p.may(Role.DUTY_OFFICER))
    return clear_flash(request, response)


@router.get("/scenarios/{scenario_id}")
def scenario_page(request: Request, p: Viewer, scenario_id: ScenarioId,
                  days: Annotated[Range, Query(description="chart range: days back, or all")] = "90") -> Response:
    ws = acting(request, p)
    view = ws.scenarios.page(scenario_id, RANGES[days], WARNING_ROWS, MATCHES)
    record, last, series, end, warnings = view.record, view.last, view.series, view.end, view.warnings
    s = record.scenario
    names = {i.id: i.name for i in s.indicators}
    policy = ws.warnings.policy()
    chart = line_chart(
        series.points if series else [], title=f"Probability of {s.name}",
        lines=[Line(t.probability, f"{t.level} {t.probability:.0%}", f"sev-{t.level}") for t in s.thresholds],
        markers=[Marker(w.raised_at, f"warning {w.id} ({w.severity}): {w.title}", f"sev-{w.severity}")
                 for w in warnings if series and series.start <= w.raised_at <= end],
        start=series.start if series else None, end=end) if series else None
    by_indicator = {i: [_signal(sig) for sig in found[:MATCHES]] for i, found in view.recent.items()}
    counted = [x for x in (last.signals if last else ()) if x.get("counted")]
    evidence = ws.reads.signal_evidence(last.signals if last else (), names, seen=True)  # view.last: shown
    response = render(
        request, "scenario.html", s=s, record=record, last=last, chart=chart, series=series, days=days,
        ranges=list(RANGES), evidence=evidence, hidden_text=hidden_text,
        counted_total=sum(float(x.get("contribution") or 0) for x in counted), names=names, by_indicator=by_indicator,
        matched={i: len(found) for i, found in view.recent.items()}, matches=MATCHES, documents=view.documents,
        warnings=warnings,
        ack_minutes={t.level: policy.minutes(t.level, s.thresholds) for t in s.thresholds},
        prior_log_odds=_log_odds(s.prior), evidence_chars=EVIDENCE_CHARS, flash=take_flash(request),
        can_edit=p.may(Role.ANALYST) and record.enabled, warning_rows=WARNING_ROWS,
        scenario_line=scenario_lines(ws.judgments.scenario_lines([s.id]).values(),  # issue 17
                                     ws.settings.softening_gap).get(s.id))
    return clear_flash(request, response)


def _signal(sig: Mapping[str, Any]) -> dict[str, Any]:
    """A stored signal with its ids as lists whatever was stored, and a note and evidence (maybe empty)."""
    item = dict(sig)
    for key in ("event_ids", "document_ids", "source_ids"):
        item[key] = list(item.get(key) or [])
    item.setdefault("note", "")
    item.setdefault("evidence", "")
    return item


def _log_odds(p: float) -> float:
    return math.log(p / (1 - p)) if 0 < p < 1 else 0.0


@router.post("/scenarios")
def add_scenario(request: Request, p: ActAnalyst, yaml: Annotated[str, Form(max_length=200_000)] = "",
                 default: Annotated[str, Form(max_length=64)] = "",
                 marking: Annotated[str, Form(max_length=32)] = "TLP:CLEAR",
                 teams: Annotated[str, Form(max_length=500)] = "",
                 recipients: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Add (or update) a scenario from pasted YAML or a shipped default, in a compartment (marking, owning
    teams and recipients, comma-separated)."""
    ws = acting(request, p)

    def act() -> tuple[str, str]:
        if yaml.strip() and default:
            raise InvalidArgument("paste a scenario or choose a default one, not both")
        compartment = Compartment.of(marking, teams.split(","), recipients.split(","))
        if default:
            [change] = ws.scenarios.add_many(defaults=[default], compartment=compartment)
        elif yaml.strip():
            change = add_posted_yaml(ws, yaml, compartment)
        else:
            raise InvalidArgument("paste a scenario's YAML or choose a default one")
        how = {"scenario-added": "added", "scenario-changed": "updated"}.get(change.kind or "", "unchanged")
        return (f"Scenario {change.scenario.name} ({change.scenario.id}) {how}.",
                f"/scenarios/{change.scenario.id}")

    return attempt(request, "/scenarios", act)


@router.post("/scenarios/{scenario_id}/remove")
def remove_scenario(request: Request, p: ActAnalyst, scenario_id: ScenarioId) -> Response:
    ws = acting(request, p)

    def act() -> str:
        s = ws.scenarios.remove(scenario_id)
        return f"Scenario {s.name} ({s.id}) removed: it is no longer assessed; its history stays."

    return attempt(request, "/scenarios", act)


@router.post("/cycle")
def cycle(request: Request, p: ActDutyOfficer) -> Response:
    """Run one assessment cycle now, as the authenticated user."""
    ws = acting(request, p)

    def act() -> str:
        report = seen_report(ws, run_cycle(ws, ws.clock()))
        return (f"Cycle done: {len(report.assessments)} scenario(s) assessed, {len(report.published)} changed, "
                f"{len(report.warnings)} warning(s) raised or reopened, {len(report.escalated)} escalated.")

    return attempt(request, "/scenarios", act)
