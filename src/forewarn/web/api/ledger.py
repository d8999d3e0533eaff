"""The ledger (read, verify, anchor) and post-mortems."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from forewarn.errors import InvalidArgument
from forewarn.ledger.anchor import FORMAT
from forewarn.ledger.verify import VerifyReport
from forewarn.model import LedgerEntry
from forewarn.review.desk import PostMortemView
from forewarn.review.judged import judgments_json
from forewarn.review.report import BREAKS
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActAdmin, Viewer, acting
from forewarn.web.ledger_views import ledger_filter, moment, verify_words

router = APIRouter(tags=["ledger"])

Kinds = Annotated[list[str], Query(max_length=20, description="entry kind, e.g. warning-disposed; repeatable or "
                                                               "comma-separated")]
ActorQ = Annotated[str | None, Query(max_length=128, description="only entries by this actor")]
SubjectQ = Annotated[str | None, Query(max_length=300, description="exact subject (warning:12), or a prefix ending "
                                                                   "in ':' or '*' (warning:)")]
SinceQ = Annotated[str | None, Query(max_length=40, description="at or after: YYYY-MM-DD or an ISO date-time (UTC "
                                                                "unless given)")]
UntilQ = Annotated[str | None, Query(max_length=40, description="at or before (a date includes the whole day)")]


class Problem(BaseModel):
    seq: int = Field(description="where in the chain; for a state mismatch the entry the ledger's value comes "
                                 "from (0: no entry records the row)")
    kind: str = Field(description="modified, deleted, reordered, forged, time-backwards, bad-signature, unsigned, "
                                  "bad-key, truncated, rewritten, malformed or state-mismatch (docs/ledger.md)")
    message: str
    table: str | None = Field(None, description="a state mismatch's table (warnings, assessments, users, "
                                                "api_tokens)")
    row: str | None = Field(None, description="… and row (id 3, name ana)")
    column: str | None = Field(None, description="… and column, when one disagrees")


class Verification(BaseModel):
    ok: bool
    status: Literal["ok", "broken"]
    entries: int = Field(description="entries checked")
    last_seq: int
    last_hash: str
    problems: list[Problem]
    more: int = Field(description="problems found beyond those listed")
    auto_anchored: int | None = Field(description="the seq of the newest automatic anchor checked against")
    notes: list[str] = Field(description="what else to know (an anchor file that could not be read …)")
    summary: str
    checked_at: datetime


class AnchorOut(BaseModel):
    """Keep this document away from the database: `forewarn ledger verify --anchor FILE` checks against it.
    An :class:`~forewarn.ledger.anchor.Anchor` read by field name, with the anchor file's ``format``."""

    model_config = ConfigDict(from_attributes=True, json_schema_serialization_defaults_required=True)

    format: str = FORMAT
    seq: int
    hash: str
    at: datetime
    count: int
    actor: str
    key_id: str | None
    public_key: str | None
    signature: str | None


def verification(report: VerifyReport, checked_at: datetime) -> Verification:
    return Verification(ok=report.ok, status="ok" if report.ok else "broken", entries=report.count,
                        last_seq=report.last_seq, last_hash=report.last_hash,
                        problems=[Problem(seq=p.seq, kind=p.kind.value, message=p.message, table=p.table, row=p.row,
                                          column=p.column) for p in report.problems],
                        more=report.more, auto_anchored=report.auto_anchored, notes=list(report.notes),
                        summary=verify_words(report), checked_at=checked_at)


@router.get("/ledger", response_model=Page[LedgerEntry], summary="Ledger entries, newest first, with filters")
def list_entries(request: Request, p: Viewer, paging: Annotated[Paging, Depends()], kind: Kinds = [],  # noqa: B006
                 actor: ActorQ = None, subject: SubjectQ = None, since: SinceQ = None, until: UntilQ = None,
                 oldest_first: Annotated[bool, Query(alias="oldest-first", description="chain order (default: "
                                                                                       "newest first)")] = False
                 ) -> Page[LedgerEntry]:
    found = acting(request, p).ledger.page(ledger_filter(kind, actor, subject, since, until), limit=paging.limit,
                                           offset=paging.offset, newest_first=not oldest_first)
    return paging.page(request, found.entries, found.total)


@router.get("/ledger/verify", response_model=Verification, summary="Recompute and check the whole chain, "
            "against the newest automatic anchor, and the state tables against it (a broken chain is a 200 "
            "with ok false and every problem, with where it is)")
def verify_ledger(request: Request, p: Viewer) -> Verification:
    ws = acting(request, p)
    return verification(ws.ledger.verify(), ws.clock())


@router.post("/ledger/anchor", response_model=AnchorOut, summary="Verify the chain and anchor its head (admin)")
def anchor_ledger(request: Request, p: ActAdmin) -> AnchorOut:
    return AnchorOut.model_validate(acting(request, p).ledger.anchor())


# -- post-mortem ----------------------------------------------------------------------------------

class Finding(BaseModel):
    link: str
    text: str
    warning_id: int | None


class Signal(BaseModel):
    indicator_ids: list[str]
    kind: str
    known_at: datetime
    observed_on: date
    event_ids: list[str]
    document_ids: list[str]
    source_ids: list[str]
    reliability: str
    evidence: str


class Outcome(BaseModel):
    """A warning raised before the event, as it stood when the event came."""

    id: int
    origin: str
    partner: str | None
    severity: str
    title: str
    raised_at: datetime
    raised_by: str
    status: str = Field(description="unacknowledged, acknowledged, acted-on, dismissed or superseded")
    owner: str = Field(description="whom it was waiting on")
    escalations: int
    by: str | None = Field(description="who acknowledged or disposed of it")
    when: datetime | None
    rationale: str | None
    reopened: int


class TimelineItem(BaseModel):
    at: datetime
    kind: str
    actor: str
    warning_id: int | None
    summary: str
    detail: str
    after_event: bool


class DayCount(BaseModel):
    day: date
    count: int


class ReplayPoint(BaseModel):
    at: datetime
    probability: float
    level: str | None
    signals: int


class PublishedPoint(BaseModel):
    at: datetime
    probability: float
    level: str | None


class PostMortemOut(BaseModel):
    scenario_id: str
    scenario_name: str
    scenario_version: str
    event_at: datetime
    window_start: datetime
    at: datetime = Field(description="when this report was made")
    broken: str = Field(description="where the chain broke: not-collected, not-matched, no-warning, dismissed, "
                                    "unacknowledged, or none")
    broken_text: str
    findings: list[Finding]
    documents_in_window: int
    observations_in_window: int
    signals: int
    hidden_signals: int = Field(0, description="signals from holdings the caller may not see: counted, not shown")
    first_signal: Signal | None
    first_warning: int | None
    lead_time_seconds: float | None = Field(description="from the first warning to the event")
    signal_lead_time_seconds: float | None = Field(description="from the first signal becoming known to the event")
    warnings: list[Outcome]
    timeline: list[TimelineItem]
    signals_per_day: list[DayCount]
    published: list[PublishedPoint] = Field(description="the assessments the live system published in the window "
                                                        "(the last one before it first, dated at its start)")
    replay: list[ReplayPoint] | None = Field(description="the window recomputed day by day (with replay=true)")
    judgments: dict[str, Any] | None = Field(
        None, description="the scenario's question as the reader may see it (the blind rule): estimates, published "
                          "lines with their softening gaps and dissents, and dissents from the warnings' dispositions")


def event_instant(value: str) -> datetime:
    """The event's time: a date is midnight UTC that day."""
    at = moment(value, "event_date")
    if at is None:
        raise InvalidArgument("event_date is required", hint="YYYY-MM-DD (midnight UTC) or an ISO date-time")
    return at


def postmortem_out(view: PostMortemView) -> PostMortemOut:
    pm, s = view.report, view.report.first_signal
    first = None if s is None else Signal(
        indicator_ids=list(s.indicator_ids), kind=s.kind.value, known_at=s.known_at, observed_on=s.observed_on,
        event_ids=list(s.event_ids), document_ids=list(s.document_ids), source_ids=list(s.source_ids),
        reliability=s.reliability, evidence=s.evidence)
    outcomes = [Outcome(id=o.warning.id, origin=o.warning.origin.value, partner=o.warning.partner,
                        severity=o.warning.severity, title=o.warning.title, raised_at=o.warning.raised_at,
                        raised_by=o.warning.raised_by, status=o.status.value, owner=o.owner,
                        escalations=o.escalations, by=o.by, when=o.when, rationale=o.rationale, reopened=o.reopened)
                for o in pm.outcomes]
    replay = None if pm.series is None else [
        ReplayPoint(at=st.at, probability=st.probability, level=st.level, signals=st.signals) for st in pm.series.steps]
    return PostMortemOut(
        scenario_id=pm.scenario.id, scenario_name=pm.scenario.name, scenario_version=pm.scenario.version,
        event_at=pm.event_at, window_start=pm.window_start, at=pm.at, broken=pm.broken.value,
        broken_text=BREAKS[pm.broken],
        findings=[Finding(link=f.link.value, text=f.text, warning_id=f.warning_id) for f in pm.findings],
        documents_in_window=pm.documents_in_window, observations_in_window=pm.observations_in_window,
        signals=len(pm.signals), hidden_signals=pm.hidden_signals, first_signal=first,
        first_warning=pm.first_warning.id if pm.first_warning else None,
        lead_time_seconds=pm.lead_time.total_seconds() if pm.lead_time is not None else None,
        signal_lead_time_seconds=pm.signal_lead_time.total_seconds() if pm.signal_lead_time is not None else None,
        warnings=outcomes,
        timeline=[TimelineItem(at=e.at, kind=e.kind.value, actor=e.actor, warning_id=e.warning_id, summary=e.summary,
                               detail=e.detail, after_event=e.at > pm.event_at) for e in pm.timeline],
        signals_per_day=[DayCount(day=d.day, count=d.count) for d in pm.signals_per_day],
        published=[PublishedPoint(at=a.at, probability=a.probability, level=a.level) for a in view.published],
        replay=replay, judgments=judgments_json(pm.judgments) if pm.judgments else None)


@router.get("/postmortem/{scenario_id}", response_model=PostMortemOut, tags=["review"],
            summary="What was known and done before an event, and where the chain broke")
def postmortem(request: Request, p: Viewer, scenario_id: Annotated[str, PathParam(max_length=200)],
               event_date: Annotated[str, Query(alias="event-date", max_length=40, description="when the event "
                                                "happened: YYYY-MM-DD (midnight UTC) or an ISO date-time")],
               margin_days: Annotated[int | None, Query(alias="margin-days", ge=0, le=3650, description="days looked "
                                                        "at before the scenario's horizon (default 30)")] = None,
               replay: Annotated[bool, Query(description="add the replay of the window (probability per day)")]
               = False) -> PostMortemOut:
    view = acting(request, p).review.postmortem_view(scenario_id, event_instant(event_date), margin_days=margin_days,
                                                     with_replay=replay)
    return postmortem_out(view)
