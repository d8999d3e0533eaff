"""The readable evidence of a warning or a scenario's latest assessment in the API: the rows the pages show
(:mod:`forewarn.reads.evidence`), grouped by indicator, strongest first — read from the same dataclasses, so
the page and the API say the same thing. An event analysts corrected carries its corrected values and a
``correction`` object (the extracted values, who changed what and when, or its rejection and why); so does
its row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from forewarn.app import Workspace
from forewarn.model import WarningRecord
from forewarn.reads.evidence import EvidenceGroup


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PartyOut(_Out):
    text: str = Field(description="the words of the report")
    entity_id: str | None = Field(description="the canonical entity it was linked to (null: not linked)")
    name: str | None = Field(description="the canonical entity's name")


class PlaceOut(_Out):
    name: str
    country: str | None
    admin1: str | None
    precision: str | None


class SourceOut(_Out):
    id: str
    name: str
    grade: str = Field(description="Admiralty reliability grade as stored (A-F; empty: unknown)")


class SentenceOut(_Out):
    before: str
    marked: str = Field(description="the event's trigger, or what a claim says")
    after: str
    cut: bool = Field(description="the sentence is longer than shown")


class DocumentOut(_Out):
    id: str
    title: str | None
    source_id: str | None
    known_at: datetime | None = Field(description="published, else ingested")


class ExtractedOut(_Out):
    type: str
    mode: str | None
    actor: PartyOut | None
    recipient: PartyOut | None
    place: PlaceOut | None
    date: date
    date_precision: str


class FieldChangeOut(_Out):
    field: str = Field(description="type, mode, actor, recipient, place or date")
    original: str = Field(description="the value before, as shown when it was corrected")
    value: str = Field(description="the value now")
    author: str
    at: datetime


class CorrectionOut(_Out):
    status: str = Field(description="corrected, or rejected: scoring leaves the event out from the rejection on "
                                    "(an assessment made before may still cite it)")
    changed: list[str] = Field(description="the fields whose value now differs from the extraction")
    original: ExtractedOut = Field(description="the event's values as extracted")
    fields: list[FieldChangeOut] = Field(description="each corrected field: latest value, who, when")
    author: str = Field(description="who made the latest correction")
    at: datetime = Field(description="when")
    reason: str | None = Field(description="why (a rejection's reason, or the latest correction's)")
    href: str = Field(description="the event page's corrections")


class EventOut(_Out):
    id: str
    document: DocumentOut
    type: str = Field(description="as corrected, when it was (see correction)")
    mode: str | None
    date: date
    date_precision: str
    actor: PartyOut | None
    recipient: PartyOut | None
    place: PlaceOut | None
    sentence: SentenceOut | None
    source: SourceOut | None
    flags: list[str] = Field(description="negated, hypothetical, future, reported")
    anchor: str = Field(description="the element id of its trigger on the document's page")
    correction: CorrectionOut | None = Field(description="how analysts corrected or rejected it (null: none)")


class ClaimOut(_Out):
    document: DocumentOut
    speaker: PartyOut
    stance: str | None
    cue: str
    claimed_type: str | None
    sentence: SentenceOut | None
    source: SourceOut | None


class EvidenceRowOut(_Out):
    kind: str = Field(description="event, claim, surge, mentions; document (attached by hand)")
    indicator_id: str
    observed_on: date | None
    known_at: datetime | None
    contribution: float | None = Field(description="log-odds (null: evidence attached without a signal)")
    counted: bool
    strength: float | None
    decay: float | None
    note: str
    summary: str = Field(description="the signal's stored evidence text")
    event: EventOut | None = Field(description="the signal's best report, or the event attached")
    claim: ClaimOut | None
    examples: list[EventOut] = Field(description="a surge's example events")
    sources: list[SourceOut]
    best_grade: str
    count: int | None = Field(description="independent reports (surge) or stories (mentions)")
    test: str = Field(description="how a surge or a day of mentions was found unusual")
    place: PlaceOut | None = Field(description="a surge's first-level region")
    stories: list[DocumentOut] = Field(description="a day of mentions' top stories")
    documents: list[DocumentOut]
    more_documents: int
    more_events: int
    correction: CorrectionOut | None = Field(description="the correction of the row's event (null: none)")


class EvidenceGroupOut(_Out):
    indicator_id: str = Field(description="the indicator; `attached` for evidence no signal carries")
    name: str
    contribution: float = Field(description="the counted rows' sum (log-odds)")
    rows: list[EvidenceRowOut]
    hidden: int = Field(description="uncounted signals of the indicator left out")


def evidence_out(groups: Sequence[EvidenceGroup]) -> list[EvidenceGroupOut]:
    return [EvidenceGroupOut.model_validate(g) for g in groups]


def warning_evidence(ws: Workspace, w: WarningRecord) -> list[EvidenceGroup]:
    """A warning's readable evidence, its scenario's indicators named (removed scenarios too)."""
    names = {i.id: i.name for r in ws.scenarios.records(include_removed=True) if r.scenario.id == w.scenario_id
             for i in r.scenario.indicators} if w.scenario_id else {}
    return ws.reads.warning_evidence(w, names)
