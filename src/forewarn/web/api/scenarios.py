"""Scenarios: the ones watched with their latest stored probability, one in full, its stored
assessments over time; adding (posted YAML or a default) and removing them; and running one
assessment cycle now. Probabilities shown are the STORED assessments the cycle published, never a
fresh assessment over the store."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from forewarn.app import Workspace
from forewarn.cycle import run_cycle, seen_report
from forewarn.detect.desk import ScenarioLine
from forewarn.detect.shown import hidden_text
from forewarn.detect.types import ScenarioChange
from forewarn.model import Indicator, Region, StoredAssessment, Threshold
from forewarn.model.marking import Compartment
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.evidence import EvidenceGroupOut, evidence_out
from forewarn.web.api.warnings import WarningOut, warning_out
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting

router = APIRouter(tags=["scenarios"])

ScenarioId = Annotated[str, Path(min_length=1, max_length=64, description="the scenario's id")]


class SignalOut(BaseModel):
    """One observation of an indicator and its contribution to the log-odds: a stored signal (JSON in
    the assessment's row) checked against the fields of :class:`~forewarn.model.Signal`; rows stored
    before ``note`` and ``evidence`` existed lack them, hence a model of its own with their defaults."""

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
    """A stored (published) assessment: a :class:`~forewarn.model.StoredAssessment` with its signals
    typed (or null when not asked for)."""

    id: int
    scenario_id: str
    scenario_version: str
    at: datetime
    probability: float
    log_odds: float
    level: str | None
    signals: list[SignalOut] | None = Field(description="every signal with its contribution that the asker may see "
                                                        "(null when not asked for)")
    hidden_signals: int = Field(0, description="signals from holdings the asker may not see: left out of `signals`, "
                                               "nothing else said about them")
    hidden: str = Field("", description='"n signals from holdings you may not see" (empty for none)')


class LatestOut(BaseModel):
    """A stored assessment in brief (read from a :class:`~forewarn.model.StoredAssessment`)."""

    model_config = ConfigDict(from_attributes=True)

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
    thresholds: list[Threshold]
    indicator_count: int
    latest: LatestOut | None = Field(description="the last stored assessment (null before the first cycle)")
    open_warnings: int


class ScenarioDetail(ScenarioSummary):
    region: Region
    indicators: list[Indicator]
    yaml: str
    latest_assessment: AssessmentOut | None = Field(description="the last stored assessment with its signals")
    evidence: list[EvidenceGroupOut] = Field(
        default_factory=list, description="the latest assessment's signals as readable rows grouped by indicator, "
                                          "strongest first (every counted signal, a few uncounted ones)")


class ScenarioIn(BaseModel):
    """Exactly one of ``yaml`` (a scenario file's text) and ``default`` (the id of a shipped scenario)."""

    yaml: str | None = Field(None, min_length=1, max_length=200_000)
    default: str | None = Field(None, min_length=1, max_length=64)
    marking: str = Field("TLP:CLEAR", max_length=32, description="who may see it, its assessments and warnings: "
                                                                  "TLP:CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
    teams: list[str] = Field(default_factory=list, max_length=32, description="owning teams")
    recipients: list[str] = Field(default_factory=list, max_length=64,
                                  description="named accounts (or teams, for AMBER) that may see it")

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


def summary(line: ScenarioLine) -> ScenarioSummary:
    s, record, latest = line.record.scenario, line.record, line.latest
    return ScenarioSummary(
        id=s.id, name=s.name, description=s.description, owner=s.owner, escalation=list(s.escalation),
        horizon_days=s.horizon_days, prior=s.prior, version=s.version, origin=record.origin,
        added_at=record.added_at, added_by=record.added_by,
        thresholds=list(s.thresholds), indicator_count=len(s.indicators), open_warnings=line.open_warnings,
        latest=LatestOut.model_validate(latest) if latest else None)


def assessment_out(a: StoredAssessment, signals: bool = True) -> AssessmentOut:
    return AssessmentOut.model_validate({**asdict(a), "signals": list(a.signals) if signals else None,
                                         "hidden": hidden_text(a.hidden_signals)})


@router.get("/scenarios", response_model=Page[ScenarioSummary], summary="The scenarios watched, with their latest "
            "stored probability")
def list_scenarios(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[ScenarioSummary]:
    lines = acting(request, p).scenarios.lines()
    return paging.page(request, [summary(line) for line in lines[paging.offset:paging.offset + paging.limit]],
                       len(lines))


@router.get("/scenarios/{scenario_id}", response_model=ScenarioDetail, summary="One scenario in full")
def get_scenario(request: Request, p: Viewer, scenario_id: ScenarioId) -> ScenarioDetail:
    ws = acting(request, p)
    line = ws.scenarios.line(scenario_id)
    s, last = line.record.scenario, line.latest
    evidence = ws.reads.signal_evidence(last.signals, {i.id: i.name for i in s.indicators},
                                        seen=True) if last else []  # line.latest: as shown to the asker
    return ScenarioDetail(
        **summary(line).model_dump(), yaml=line.record.yaml,
        region=s.region, indicators=list(s.indicators),
        latest_assessment=assessment_out(last) if last else None, evidence=evidence_out(evidence))


@router.get("/scenarios/{scenario_id}/assessments", response_model=Page[AssessmentOut],
            summary="A scenario's stored assessments, newest first")
def list_assessments(request: Request, p: Viewer, scenario_id: ScenarioId, paging: Annotated[Paging, Depends()],
                     since: Annotated[datetime | None, Query(description="at or after (ISO 8601)")] = None,
                     until: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
                     signals: Annotated[bool, Query(description="include each assessment's signals")] = True,
                     ) -> Page[AssessmentOut]:
    """Removed scenarios keep their history: it is listed too. ``signals=false`` lists only the
    probabilities (much smaller: for charts)."""
    found, total = acting(request, p).scenarios.history(scenario_id, since=_utc(since), until=_utc(until),
                                                        limit=paging.limit, offset=paging.offset, signals=signals)
    return paging.page(request, [assessment_out(a, signals) for a in found], total)


@router.post("/scenarios", response_model=ScenarioChangeOut, status_code=201,
             summary="Add (or update) a scenario from posted YAML or a default one (analyst)",
             responses={200: {"model": ScenarioChangeOut, "description": "unchanged (same id and text): nothing "
                                                                         "was changed"}})
def add_scenario(request: Request, response: Response, p: ActAnalyst, body: ScenarioIn) -> ScenarioChangeOut:
    """An unchanged scenario (same id and text) changes nothing: 200 with ``change`` null."""
    ws = acting(request, p)
    compartment = Compartment.of(body.marking, body.teams, body.recipients)
    if body.default is not None:
        [change] = ws.scenarios.add_many(defaults=[body.default], compartment=compartment)
    else:
        assert body.yaml is not None
        change = add_posted_yaml(ws, body.yaml, compartment)
    if change.kind is None:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/scenarios/{change.scenario.id}"
    return ScenarioChangeOut(change=change.kind, scenario=summary(ws.scenarios.line(change.scenario.id,
                                                                                   include_removed=True)))


def add_posted_yaml(ws: Workspace, text: str, compartment: Compartment | None = None) -> ScenarioChange:
    """Add a scenario from YAML posted by ``ws``'s actor (in ``compartment``); messages and its record name it
    so."""
    return ws.scenarios.add_text(text, f"posted YAML (web:{ws.actor})", compartment)


@router.delete("/scenarios/{scenario_id}", response_model=ScenarioChangeOut,
               summary="Stop watching a scenario (analyst); its history stays")
def remove_scenario(request: Request, p: ActAnalyst, scenario_id: ScenarioId) -> ScenarioChangeOut:
    ws = acting(request, p)
    removed = ws.scenarios.remove(scenario_id)
    return ScenarioChangeOut(change="scenario-removed",
                             scenario=summary(ws.scenarios.line(removed.id, include_removed=True)))


@router.post("/cycle", response_model=CycleOut, summary="Run one assessment cycle now (duty officer)")
def cycle(request: Request, p: ActDutyOfficer) -> CycleOut:
    """Assess every scenario, publish what changed, raise or reopen warnings, escalate overdue ones and
    deliver notifications — as the authenticated user."""
    ws = acting(request, p)
    report = seen_report(ws, run_cycle(ws, ws.clock()))
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
