"""Scenarios: the ones watched with their latest stored probability, one in full, its stored
assessments over time; adding (posted YAML or a default) and removing them; and running one
assessment cycle now. Probabilities shown are the STORED assessments the cycle published, never a
fresh assessment over the store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field, model_validator

from forewarn.app import Workspace
from forewarn.cycle import StoredAssessment, run_cycle
from forewarn.detect.types import ScenarioChange, ScenarioRecord
from forewarn.errors import NotFound
from forewarn.model import Scenario
from forewarn.web import scenario_queries as sq
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.warnings import WarningOut, warning_out
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting, root

router = APIRouter(tags=["scenarios"])

ScenarioId = Annotated[str, Path(min_length=1, max_length=64, description="the scenario's id")]


class ThresholdOut(BaseModel):
    level: str
    probability: float
    ack_minutes: int | None


class RegionOut(BaseModel):
    countries: list[str]
    admin1: list[str]
    point: list[float] | None
    radius_km: float | None


class IndicatorOut(BaseModel):
    id: str
    name: str
    kind: Literal["events", "surge"]
    weight: float = Field(description="likelihood ratio of one observation")
    half_life_days: float
    saturation: int
    types: list[str]
    modes: list[str]
    actor_countries: list[str]
    actor_sectors: list[str]
    recipient_countries: list[str]
    recipient_sectors: list[str]
    keywords: list[str]
    in_region: bool
    min_confidence: float
    description: str


class SignalOut(BaseModel):
    """One observation of an indicator and its contribution to the log-odds."""

    indicator_id: str
    kind: str
    observed_on: date
    known_at: datetime
    source_ids: list[str]
    reliability: str
    event_ids: list[str]
    document_ids: list[str]
    strength: float
    decay: float
    contribution: float
    counted: bool
    note: str = ""
    evidence: str = ""


class AssessmentOut(BaseModel):
    """A stored (published) assessment."""

    id: int
    scenario_id: str
    scenario_version: str
    at: datetime
    probability: float
    log_odds: float
    level: str | None
    signals: list[SignalOut] | None = Field(description="every signal with its contribution (null when not asked for)")


class LatestOut(BaseModel):
    at: datetime
    probability: float
    level: str | None
    scenario_version: str


class ScenarioSummary(BaseModel):
    id: str
    name: str
    description: str
    owner: str
    escalation: list[str]
    horizon_days: int
    prior: float
    version: str
    origin: str
    added_at: datetime | None
    added_by: str | None
    thresholds: list[ThresholdOut]
    indicator_count: int
    latest: LatestOut | None = Field(description="the last stored assessment (null before the first cycle)")
    open_warnings: int


class ScenarioDetail(ScenarioSummary):
    region: RegionOut
    indicators: list[IndicatorOut]
    yaml: str
    latest_assessment: AssessmentOut | None = Field(description="the last stored assessment with its signals")


class ScenarioIn(BaseModel):
    """Exactly one of ``yaml`` (a scenario file's text) and ``default`` (the id of a shipped scenario)."""

    yaml: str | None = Field(None, min_length=1, max_length=200_000)
    default: str | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def one_of(self) -> ScenarioIn:
        if (self.yaml is None) == (self.default is None):
            raise ValueError("give either `yaml` or `default`, not both or neither")
        return self


class ScenarioChangeOut(BaseModel):
    change: str | None = Field(description="scenario-added, scenario-changed, scenario-removed; null: unchanged")
    scenario: ScenarioSummary


class AssessedOut(BaseModel):
    scenario_id: str
    probability: float
    level: str | None
    published: bool


class DeliveryOut(BaseModel):
    sent: int
    failed: int
    dead: int


class CycleOut(BaseModel):
    at: datetime
    assessments: list[AssessedOut]
    published: list[str]
    warnings: list[WarningOut] = Field(description="raised or reopened by this cycle")
    escalated: list[WarningOut]
    delivery: DeliveryOut


def summary(s: Scenario, record: ScenarioRecord | None, latest: sq.Latest | None, open_warnings: int
            ) -> ScenarioSummary:
    return ScenarioSummary(
        id=s.id, name=s.name, description=s.description, owner=s.owner, escalation=list(s.escalation),
        horizon_days=s.horizon_days, prior=s.prior, version=s.version, origin=record.origin if record else s.source,
        added_at=record.added_at if record else None, added_by=record.added_by if record else None,
        thresholds=[ThresholdOut(level=t.level, probability=t.probability, ack_minutes=t.ack_minutes)
                    for t in s.thresholds],
        indicator_count=len(s.indicators), open_warnings=open_warnings,
        latest=LatestOut(at=latest.at, probability=latest.probability, level=latest.level,
                         scenario_version=latest.scenario_version) if latest else None)


def assessment_out(a: StoredAssessment, signals: bool = True) -> AssessmentOut:
    return AssessmentOut(id=a.id, scenario_id=a.scenario_id, scenario_version=a.scenario_version, at=a.at,
                         probability=a.probability, log_odds=a.log_odds, level=a.level,
                         signals=[SignalOut.model_validate(s) for s in a.signals] if signals else None)


def _indicator(i: Any) -> IndicatorOut:
    return IndicatorOut(
        id=i.id, name=i.name, kind=i.kind.value, weight=i.weight, half_life_days=i.half_life_days,
        saturation=i.saturation, types=list(i.types), modes=list(i.modes), actor_countries=list(i.actor_countries),
        actor_sectors=list(i.actor_sectors), recipient_countries=list(i.recipient_countries),
        recipient_sectors=list(i.recipient_sectors), keywords=list(i.keywords), in_region=i.in_region,
        min_confidence=i.min_confidence, description=i.description)


def _record(request: Request, scenario_id: str) -> ScenarioRecord:
    ws = root(request)
    match = [r for r in ws.scenario_records() if r.scenario.id == scenario_id]
    if not match:
        ws.scenario(scenario_id)  # raises NotFound with the store's words (removed, or never added)
        raise NotFound(f"scenario {scenario_id!r} is not in this workspace")
    return match[0]


def _summary_of(request: Request, s: Scenario) -> ScenarioSummary:
    ws = root(request)
    records = {r.scenario.id: r for r in ws.scenario_records(include_removed=True)}
    with ws.store.engine.connect() as conn:
        latest = sq.latest_of(conn, [s.id]).get(s.id)
        open_warnings = sq.open_counts(conn).get(s.id, 0)
    return summary(s, records.get(s.id), latest, open_warnings)


@router.get("/scenarios", response_model=Page[ScenarioSummary], summary="The scenarios watched, with their latest "
            "stored probability")
def list_scenarios(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[ScenarioSummary]:
    ws = root(request)
    records = ws.scenario_records()
    chosen = records[paging.offset:paging.offset + paging.limit]
    with ws.store.engine.connect() as conn:
        latest = sq.latest_of(conn, [r.scenario.id for r in chosen])
        counts = sq.open_counts(conn)
    items = [summary(r.scenario, r, latest.get(r.scenario.id), counts.get(r.scenario.id, 0)) for r in chosen]
    return paging.page(request, items, len(records))


@router.get("/scenarios/{scenario_id}", response_model=ScenarioDetail, summary="One scenario in full")
def get_scenario(request: Request, p: Viewer, scenario_id: ScenarioId) -> ScenarioDetail:
    ws = root(request)
    record = _record(request, scenario_id)
    s = record.scenario
    with ws.store.engine.connect() as conn:
        last = sq.latest(conn, s.id)
        open_warnings = sq.open_counts(conn).get(s.id, 0)
    brief = sq.Latest(last.scenario_id, last.scenario_version, last.at, last.probability, last.level) if last else None
    base = summary(s, record, brief, open_warnings)
    return ScenarioDetail(
        **base.model_dump(), yaml=record.yaml,
        region=RegionOut(countries=list(s.region.countries), admin1=list(s.region.admin1),
                         point=list(s.region.point) if s.region.point else None, radius_km=s.region.radius_km),
        indicators=[_indicator(i) for i in s.indicators],
        latest_assessment=assessment_out(last) if last else None)


@router.get("/scenarios/{scenario_id}/assessments", response_model=Page[AssessmentOut],
            summary="A scenario's stored assessments, newest first")
def list_assessments(request: Request, p: Viewer, scenario_id: ScenarioId, paging: Annotated[Paging, Depends()],
                     since: Annotated[datetime | None, Query(description="at or after (ISO 8601)")] = None,
                     until: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
                     signals: Annotated[bool, Query(description="include each assessment's signals")] = True,
                     ) -> Page[AssessmentOut]:
    """Removed scenarios keep their history: it is listed too. ``signals=false`` lists only the
    probabilities (much smaller: for charts)."""
    with root(request).store.engine.connect() as conn:
        if not sq.known(conn, scenario_id):
            raise NotFound(f"scenario {scenario_id!r} is not in this workspace",
                           hint="GET /api/v1/scenarios lists them")
        found, total = sq.history(conn, scenario_id, since=_utc(since), until=_utc(until), limit=paging.limit,
                                  offset=paging.offset, signals=signals)
    return paging.page(request, [assessment_out(a, signals) for a in found], total)


@router.post("/scenarios", response_model=ScenarioChangeOut, status_code=201,
             summary="Add (or update) a scenario from posted YAML or a default one (analyst)",
             responses={200: {"model": ScenarioChangeOut, "description": "unchanged (same id and text): nothing "
                                                                         "was changed"}})
def add_scenario(request: Request, response: Response, p: ActAnalyst, body: ScenarioIn) -> ScenarioChangeOut:
    """An unchanged scenario (same id and text) changes nothing: 200 with ``change`` null."""
    ws = acting(request, p)
    if body.default is not None:
        [change] = ws.add_scenarios(defaults=[body.default])
    else:
        assert body.yaml is not None
        change = add_posted_yaml(ws, body.yaml)
    if change.kind is None:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/scenarios/{change.scenario.id}"
    return ScenarioChangeOut(change=change.kind, scenario=_summary_of(request, change.scenario))


def add_posted_yaml(ws: Workspace, text: str) -> ScenarioChange:
    """Add a scenario from YAML posted by ``ws``'s actor; messages and its record name it so."""
    return ws.add_scenario_text(text, f"posted YAML (web:{ws.actor})")


@router.delete("/scenarios/{scenario_id}", response_model=ScenarioChangeOut,
               summary="Stop watching a scenario (analyst); its history stays")
def remove_scenario(request: Request, p: ActAnalyst, scenario_id: ScenarioId) -> ScenarioChangeOut:
    ws = acting(request, p)
    removed = ws.remove_scenario(scenario_id)
    return ScenarioChangeOut(change="scenario-removed", scenario=_summary_of(request, removed))


@router.post("/cycle", response_model=CycleOut, summary="Run one assessment cycle now (duty officer)")
def cycle(request: Request, p: ActDutyOfficer) -> CycleOut:
    """Assess every scenario, publish what changed, raise or reopen warnings, escalate overdue ones and
    deliver notifications — as the authenticated user."""
    ws = acting(request, p)
    report = run_cycle(ws, root(request).clock())
    published = set(report.published)
    return CycleOut(
        at=report.at, published=list(report.published),
        assessments=[AssessedOut(scenario_id=a.scenario_id, probability=a.probability, level=a.level,
                                 published=a.scenario_id in published) for a in report.assessments],
        warnings=[warning_out(w) for w in report.warnings], escalated=[warning_out(w) for w in report.escalated],
        delivery=DeliveryOut(sent=report.delivery.sent, failed=report.delivery.failed, dead=report.delivery.dead))


def _utc(value: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
