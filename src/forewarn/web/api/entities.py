"""Entities: search, one entity, its events, the entities seen with it, and merging (analyst)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from forewarn.reads.entities import EntityInfo, EntityRow, MergeSuggestion, Neighbour
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.events import EventOut, events_out
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.events_filters import Blank

router = APIRouter(tags=["entities"])
EntityId = Annotated[str, Path(min_length=1, max_length=300)]
Kind = Literal["person", "org", "group", "country", "place"]


class MergeIn(BaseModel):
    into: str = Field(min_length=1, max_length=300, description="the entity to merge into")
    note: str | None = Field(default=None, max_length=2000)


class MergeOut(BaseModel):
    """A merge just made: :class:`~forewarn.model.records.EntityMerge` less the fields of its undoing
    (a new merge is not undone)."""

    id: int
    from_id: str
    into_id: str
    actor: str
    at: datetime
    note: str | None


class EntityPage(Page[EntityRow]):
    """The entity list's page, with how many entities were hidden as extraction noise (``all=true``
    lists them, each with its ``noise`` reason) and the merges worth making."""

    hidden: int
    suggestions: list[MergeSuggestion]


@router.get("/entities", response_model=EntityPage,
            summary="Entities (unmerged), most active first; extraction noise hidden unless all=true")
def list_entities(
    request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
    kind: Annotated[Kind | None, Blank, Query(description="person, org, group, country or place")] = None,
    search: Annotated[Annotated[str, Field(max_length=200)] | None, Blank,
                      Query(description="part of the id, name or an alias (case-insensitive)")] = None,
    sort: Annotated[Literal["activity", "name"], Query(description="activity (events, then mentions, recent "
                                                                   "first; default) or name")] = "activity",
    show_all: Annotated[bool, Query(alias="all", description="also the entities that look like extraction "
                                                             "noise")] = False,
) -> EntityPage:
    ws = acting(request, p)
    found = ws.reads.entity_list(kind, search, paging.limit, paging.offset, sort=sort, show_all=show_all,
                                 places=ws.scenarios.gazetteer)
    page = paging.page(request, list(found.items), found.total)
    return EntityPage(**page.model_dump(exclude={"items"}), items=page.items, hidden=found.hidden,
                      suggestions=list(found.suggestions))


@router.get("/entities/{entity_id}", response_model=EntityInfo,
            summary="One entity, with aliases and merged members")
def get_entity(request: Request, p: Viewer, entity_id: EntityId) -> EntityInfo:
    return acting(request, p).reads.entity_info(entity_id)


@router.get("/entities/{entity_id}/events", response_model=Page[EventOut],
            summary="Events the entity (with everything merged into it) takes part in, newest first")
def entity_events(request: Request, p: Viewer, paging: Annotated[Paging, Depends()], entity_id: EntityId,
                  role: Annotated[Literal["actor", "recipient", "any"], Query()] = "any") -> Page[EventOut]:
    listed = acting(request, p).reads.entity_events(entity_id, role, paging.limit, paging.offset)
    return paging.page(request, events_out(listed), listed.total)


@router.get("/entities/{entity_id}/cooccurring", response_model=list[Neighbour],
            summary="The entities seen most often with this one (shared events, then shared documents)")
def cooccurring(request: Request, p: Viewer, entity_id: EntityId,
                limit: Annotated[int, Query(ge=1, le=50)] = 12) -> list[Neighbour]:
    return acting(request, p).reads.cooccurring(entity_id, limit)


@router.post("/entities/{entity_id}/merge", response_model=MergeOut, status_code=201,
             summary="Merge the entity (and whatever is merged into it) into another (analyst)")
def merge(request: Request, p: ActAnalyst, entity_id: EntityId, body: MergeIn) -> MergeOut:
    m = acting(request, p).entities.merge(entity_id, body.into, body.note)
    return MergeOut(id=m.id, from_id=m.from_id, into_id=m.into_id, actor=m.actor, at=m.at, note=m.note)
