"""Events: the filtered list, one event, daily counts, and the map's grid clusters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel

from forewarn.geo.grid import BBox
from forewarn.model.records import StoredEvent, StoredParticipant, StoredPlace
from forewarn.reads.events import EventList
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import Viewer, acting
from forewarn.web.events_filters import EventFilters

router = APIRouter(tags=["events"])


class PlaceOut(BaseModel):
    """Where an event took place: :class:`~forewarn.model.records.StoredPlace` less its sentence index
    (the event's evidence names the sentence)."""

    name: str
    lat: float
    lon: float
    country: str
    admin1: str | None
    gazetteer_id: str
    precision: str
    text: str
    start: int
    end: int


class EvidenceOut(BaseModel):
    sentence: int  # index of the sentence in the document
    start: int  # the sentence's span in the document text
    end: int
    trigger_start: int
    trigger_end: int
    text: str | None = None  # the sentence (cut to 400 characters) where listed


class EventOut(BaseModel):
    """An event: the stored record with its evidence (offsets, and the sentence where listed) gathered
    in one object, and a link to it in the workbench."""

    id: str
    document_id: str
    source_id: str | None
    published_at: datetime | None
    type: str
    mode: str | None
    contexts: list[str]
    actor: StoredParticipant | None  # ``inferred``: nobody was named, a documented rule supplied it
    recipient: StoredParticipant | None
    place: PlaceOut | None
    date: date
    date_precision: str
    date_from_publication: bool
    negated: bool
    hypothetical: bool
    future: bool
    reported: bool
    confidence: float
    extractor: str
    coder: str  # what coded the type: "rules", "model:NAME" or "rules+model:NAME"
    coded_at: datetime
    evidence: EvidenceOut
    url: str  # the evidence in the workbench
    marking: str | None = None  # who may see it, for a restricted event ("TLP:AMBER · team north"); None: open


class DayCount(BaseModel):
    date: date
    count: int


class ClusterOut(BaseModel):
    lat: float  # the mean position of its events
    lon: float
    count: int
    cell: list[float]  # west, south, east, north of its grid cell
    event_id: str | None  # for a single event
    document_id: str | None


class MapOut(BaseModel):
    bbox: list[float]  # the box counted: west, south, east, north
    cell: float  # grid step in degrees
    total: int  # events inside the box (the clusters' counts add up to it)
    clusters: list[ClusterOut]


def place_out(p: StoredPlace | None) -> PlaceOut | None:
    if p is None:
        return None
    return PlaceOut(name=p.name, lat=p.lat, lon=p.lon, country=p.country, admin1=p.admin1,
                    gazetteer_id=p.gazetteer_id, precision=p.precision, text=p.text, start=p.start, end=p.end)


def event_out(e: StoredEvent, sentence: str | None = None, marking: str | None = None) -> EventOut:
    return EventOut(
        id=e.id, document_id=e.document_id, source_id=e.source_id, published_at=e.published_at, type=e.type,
        mode=e.mode, contexts=list(e.contexts), actor=e.actor, recipient=e.recipient, place=place_out(e.place),
        date=e.date,
        date_precision=e.date_precision, date_from_publication=e.date_from_publication, negated=e.negated,
        hypothetical=e.hypothetical, future=e.future, reported=e.reported, confidence=e.confidence,
        extractor=e.extractor, coder=e.coder, coded_at=e.coded_at,
        evidence=EvidenceOut(sentence=e.sentence, start=e.start, end=e.end, trigger_start=e.trigger_start,
                             trigger_end=e.trigger_end, text=sentence),
        url=f"/documents/{e.document_id}#ev-{e.id}", marking=marking)


def box_list(b: BBox) -> list[float]:
    return [round(b.w, 6), round(b.s, 6), round(b.e, 6), round(b.n, 6)]


def events_out(listed: EventList) -> list[EventOut]:
    return [event_out(e, listed.sentence(e), listed.markings.get(e.id)) for e in listed.events]


@router.get("/events", response_model=Page[EventOut], summary="Events matching the filters, newest first")
def list_events(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                f: Annotated[EventFilters, Depends()]) -> Page[EventOut]:
    listed = acting(request, p).reads.event_list(f.filter, paging.limit, paging.offset)
    return paging.page(request, events_out(listed), listed.total)


@router.get("/events/daily", response_model=list[DayCount], summary="Events per day matching the filters")
def daily(request: Request, p: Viewer, f: Annotated[EventFilters, Depends()]) -> list[DayCount]:
    return [DayCount(date=d, count=n) for d, n in acting(request, p).reads.event_days(f.filter)]


@router.get("/events/map", response_model=MapOut,
            summary="Events matching the filters counted on a grid over the box (default: where they are)")
def event_map(request: Request, p: Viewer, f: Annotated[EventFilters, Depends()]) -> MapOut:
    data = acting(request, p).reads.event_map(f.filter)
    return MapOut(bbox=box_list(f.bbox or data.view), cell=data.cell, total=data.total,
                  clusters=[ClusterOut(lat=round(c.lat, 5), lon=round(c.lon, 5), count=c.count, cell=box_list(c.cell),
                                       event_id=c.event_id, document_id=c.document_id) for c in data.clusters])


@router.get("/events/{event_id}", response_model=EventOut, summary="One event")
def get_event(request: Request, p: Viewer,
              event_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9a-fA-F]+$")]) -> EventOut:
    return events_out(acting(request, p).reads.event(event_id.lower()))[0]
