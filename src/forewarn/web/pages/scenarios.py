"""The scenarios: the list with each one's current (stored) probability, and one scenario's page —
its probability over time with thresholds and warnings, the signals behind the current value,
each indicator's recent matches, and its warnings. Everything is read from STORED assessments
(indexed by scenario and time): a page view never re-assesses over the store. Analysts add and
remove scenarios here; duty officers run a cycle."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from forewarn.accounts import Role
from forewarn.cycle import run_cycle
from forewarn.errors import InvalidArgument, NotFound
from forewarn.warn.policy import Policy
from forewarn.web import board_queries as q
from forewarn.web import scenario_queries as sq
from forewarn.web.api.scenarios import add_posted_yaml
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting, root
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.charts import Line, Marker, line_chart
from forewarn.web.render import render

router = APIRouter()

ScenarioId = Annotated[str, Path(min_length=1, max_length=64)]
RANGES = {"7": 7, "30": 30, "90": 90, "365": 365, "all": None}
Range = Literal["7", "30", "90", "365", "all"]
SIGNAL_ROWS = 300  # rows of the contributions table
MATCHES = 5  # recent matches shown per indicator
WARNING_ROWS = 100  # the scenario's latest warnings listed
EVIDENCE_CHARS = 400


@router.get("/scenarios")
def scenario_list(request: Request, p: Viewer) -> Response:
    ws = root(request)
    records = ws.scenario_records()
    with ws.store.engine.connect() as conn:
        latest = sq.latest_of(conn, [r.scenario.id for r in records])
        counts = sq.open_counts(conn)
    added = {r.scenario.id for r in records}
    defaults = [s for s in ws.available_scenarios() if s.id not in added] if p.may(Role.ANALYST) else []
    response = render(request, "scenarios.html", records=records, latest=latest, counts=counts, defaults=defaults,
                      flash=take_flash(request), can_edit=p.may(Role.ANALYST), can_cycle=p.may(Role.DUTY_OFFICER))
    return clear_flash(request, response)


@router.get("/scenarios/{scenario_id}")
def scenario_page(request: Request, p: Viewer, scenario_id: ScenarioId,
                  days: Annotated[Range, Query(description="chart range: days back, or all")] = "90") -> Response:
    ws = root(request)
    records = {r.scenario.id: r for r in ws.scenario_records(include_removed=True)}
    record = records.get(scenario_id)
    if record is None:
        raise NotFound(f"scenario {scenario_id!r} is not in this workspace", hint="the scenarios page lists them")
    s = record.scenario
    now = ws.clock()
    with ws.store.engine.connect() as conn:
        last = sq.latest(conn, s.id)
        warnings = sq.warnings_of(conn, s.id, WARNING_ROWS)
        end = max(now, last.at) if last else now
        back = RANGES[days]
        first = sq.first_at(conn, s.id) or end  # nothing was known before the first assessment: not drawn
        start = max(end - timedelta(days=back), first) if back is not None else first
        series = sq.series(conn, s.id, start, end) if last else None
        signals = _signals(last.signals if last else ())
        documents = q.documents_brief(conn, {d for sig in signals for d in sig["document_ids"][:3]})
    names = {i.id: i.name for i in s.indicators}
    policy = Policy.from_settings(ws.settings)
    chart = line_chart(
        series.points if series else [], title=f"Probability of {s.name}",
        lines=[Line(t.probability, f"{t.level} {t.probability:.0%}", f"sev-{t.level}") for t in s.thresholds],
        markers=[Marker(w.raised_at, f"warning {w.id} ({w.severity}): {w.title}", f"sev-{w.severity}")
                 for w in warnings if series and series.start <= w.raised_at <= end],
        start=series.start if series else None, end=end) if series else None
    by_indicator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sig in sorted(signals, key=lambda x: (x["observed_on"], x["known_at"]), reverse=True):
        by_indicator[sig["indicator_id"]].append(sig)
    response = render(
        request, "scenario.html", s=s, record=record, last=last, chart=chart, series=series, days=days,
        ranges=list(RANGES), signals=signals[:SIGNAL_ROWS], more_signals=max(len(signals) - SIGNAL_ROWS, 0),
        counted_total=sum(x["contribution"] for x in signals if x["counted"]), names=names,
        by_indicator=by_indicator, matches=MATCHES, documents=documents, warnings=warnings,
        ack_minutes={t.level: policy.minutes(t.level, s.thresholds) for t in s.thresholds},
        prior_log_odds=_log_odds(s.prior), evidence_chars=EVIDENCE_CHARS, flash=take_flash(request),
        can_edit=p.may(Role.ANALYST) and record.enabled, warning_rows=WARNING_ROWS)
    return clear_flash(request, response)


def _signals(stored: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The stored signals, counted ones first, strongest first; ids as lists whatever was stored."""
    found = []
    for sig in stored:
        item = dict(sig)
        for key in ("event_ids", "document_ids", "source_ids"):
            item[key] = list(item.get(key) or [])
        item.setdefault("note", "")
        item.setdefault("evidence", "")
        found.append(item)
    return sorted(found, key=lambda x: (not x.get("counted"), -abs(float(x.get("contribution") or 0))))


def _log_odds(p: float) -> float:
    return math.log(p / (1 - p)) if 0 < p < 1 else 0.0


@router.post("/scenarios")
def add_scenario(request: Request, p: ActAnalyst, yaml: Annotated[str, Form(max_length=200_000)] = "",
                 default: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Add (or update) a scenario from pasted YAML or a shipped default."""
    ws = acting(request, p)

    def act() -> tuple[str, str]:
        if yaml.strip() and default:
            raise InvalidArgument("paste a scenario or choose a default one, not both")
        if default:
            [change] = ws.add_scenarios(defaults=[default])
        elif yaml.strip():
            change = add_posted_yaml(ws, yaml)
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
        s = ws.remove_scenario(scenario_id)
        return f"Scenario {s.name} ({s.id}) removed: it is no longer assessed; its history stays."

    return attempt(request, "/scenarios", act)


@router.post("/cycle")
def cycle(request: Request, p: ActDutyOfficer) -> Response:
    """Run one assessment cycle now, as the authenticated user."""
    ws = acting(request, p)

    def act() -> str:
        report = run_cycle(ws, root(request).clock())
        return (f"Cycle done: {len(report.assessments)} scenario(s) assessed, {len(report.published)} changed, "
                f"{len(report.warnings)} warning(s) raised or reopened, {len(report.escalated)} escalated.")

    return attempt(request, "/scenarios", act)
