"""Entities: search, one entity, its events, the entities seen with it, and merging (analyst)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from forewarn.web import events_queries as eq
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.events import EventOut, event_out
from forewarn.web.auth import ActAnalyst, Viewer, acting, root
from forewarn.web.events_filters import Blank

router = APIRouter(tags=["entities"])
EntityId = Annotated[str, Path(min_length=1, max_length=300)]
Kind = Literal["person", "org", "group", "country", "place"]


class EntitySummaryOut(BaseModel):
    id: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    aliases: list[str]
    events: int  # events its merge group takes part in (as actor, plus as recipient), at most 1,000 per role
    events_capped: bool  # true: there are more


class EntityOut(BaseModel):
    id: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    origin: str  # dictionary, ner, user (edited by a person)
    merged_into: str | None
    canonical_id: str
    canonical_name: str
    aliases: list[str]
    members: list[str]  # entities merged into this one
    updated_at: datetime
    updated_by: str | None


class NeighbourOut(BaseModel):
    id: str
    name: str
    kind: str
    events: int  # events shared (among the entity's latest 2,000 per member and role)
    documents: int  # documents mentioning both (among 500 documents mentioning it)


class MergeIn(BaseModel):
    into: str = Field(min_length=1, max_length=300, description="the entity to merge into")
    note: str | None = Field(default=None, max_length=2000)


class MergeOut(BaseModel):
    id: int
    from_id: str
    into_id: str
    actor: str
    at: datetime
    note: str | None


def entity_out(x: eq.EntityInfo) -> EntityOut:
    return EntityOut(id=x.id, name=x.name, kind=x.kind, country=x.country, sector=x.sector, origin=x.origin,
                     merged_into=x.merged_into, canonical_id=x.canonical_id, canonical_name=x.canonical_name,
                     aliases=list(x.aliases), members=list(x.members), updated_at=x.updated_at,
                     updated_by=x.updated_by)


@router.get("/entities", response_model=Page[EntitySummaryOut], summary="Entities (unmerged), by name")
def list_entities(
    request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
    kind: Annotated[Kind | None, Blank, Query(description="person, org, group, country or place")] = None,
    q: Annotated[Annotated[str, Field(max_length=200)] | None, Blank,
                 Query(description="part of the id, name or an alias (case-insensitive)")] = None,
) -> Page[EntitySummaryOut]:
    rows, total = eq.find_entities(root(request).store.engine, kind=kind, search=q, limit=paging.limit,
                                   offset=paging.offset)
    return paging.page(request, [EntitySummaryOut(id=r.id, name=r.name, kind=r.kind, country=r.country,
                                                  sector=r.sector, aliases=list(r.aliases), events=r.events,
                                                  events_capped=r.capped) for r in rows], total)


@router.get("/entities/{entity_id}", response_model=EntityOut, summary="One entity, with aliases and merged members")
def get_entity(request: Request, p: Viewer, entity_id: EntityId) -> EntityOut:
    return entity_out(eq.get_entity(root(request).store.engine, entity_id))


@router.get("/entities/{entity_id}/events", response_model=Page[EventOut],
            summary="Events the entity (with everything merged into it) takes part in, newest first")
def entity_events(request: Request, p: Viewer, paging: Annotated[Paging, Depends()], entity_id: EntityId,
                  role: Annotated[Literal["actor", "recipient", "any"], Query()] = "any") -> Page[EventOut]:
    engine = root(request).store.engine
    eq.get_entity(engine, entity_id)
    events, total = eq.entity_events(engine, entity_id, role, limit=paging.limit, offset=paging.offset)
    sentences = eq.evidence(engine, events)
    return paging.page(request, [event_out(e, sentences[e.id].sentence if e.id in sentences else None)
                                 for e in events], total)


@router.get("/entities/{entity_id}/cooccurring", response_model=list[NeighbourOut],
            summary="The entities seen most often with this one (shared events, then shared documents)")
def cooccurring(request: Request, p: Viewer, entity_id: EntityId,
                limit: Annotated[int, Query(ge=1, le=50)] = 12) -> list[NeighbourOut]:
    return [NeighbourOut(id=n.id, name=n.name, kind=n.kind, events=n.events, documents=n.documents)
            for n in eq.cooccurring(root(request).store.engine, entity_id, limit)]


@router.post("/entities/{entity_id}/merge", response_model=MergeOut, status_code=201,
             summary="Merge the entity (and whatever is merged into it) into another (analyst)")
def merge(request: Request, p: ActAnalyst, entity_id: EntityId, body: MergeIn) -> MergeOut:
    m = acting(request, p).merge_entities(entity_id, body.into, body.note)
    return MergeOut(id=m.id, from_id=m.from_id, into_id=m.into_id, actor=m.actor, at=m.at, note=m.note)
