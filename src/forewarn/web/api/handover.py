"""Shift handovers: the notes (newest first), one note, writing one (duty officer: the open warnings
and what changed are filled in; the body says what to watch) and acknowledging one (the incoming duty
officer). Notes never change; a correction is a new note naming the one it corrects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from forewarn.warn.handover import WATCH_MAX, Draft, Handover
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActDutyOfficer, DutyOfficer, Viewer, acting

router = APIRouter(tags=["handovers"])
HandoverId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the handover's number")]


class WriteIn(BaseModel):
    watch: str = Field(min_length=1, max_length=WATCH_MAX, description="what the next shift should watch")
    corrects: int | None = Field(None, ge=1, le=2**31 - 1, description="the note this one corrects")


@router.get("/handovers", response_model=Page[Handover], summary="Shift handover notes, newest first")
def list_handovers(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[Handover]:
    found, total = acting(request, p).handovers.listing(paging.limit, paging.offset)
    return paging.page(request, found, total)


@router.get("/handovers/draft", response_model=Draft,
            summary="What a note written now would be filled in with (duty officer)")
def draft(request: Request, p: DutyOfficer) -> Draft:
    return acting(request, p).handovers.draft()


@router.get("/handovers/{handover_id}", response_model=Handover, summary="One handover note")
def get_handover(request: Request, p: Viewer, handover_id: HandoverId) -> Handover:
    return acting(request, p).handovers.get(handover_id)


@router.post("/handovers", response_model=Handover, status_code=201,
             summary="Write a handover note (duty officer; ledgered: handover-written)")
def write(request: Request, p: ActDutyOfficer, body: WriteIn) -> Handover:
    return acting(request, p).handovers.write(body.watch, body.corrects)


@router.post("/handovers/{handover_id}/acknowledge", response_model=Handover,
             summary="Acknowledge a handover as the incoming officer (duty officer; ledgered: handover-acknowledged)")
def acknowledge(request: Request, p: ActDutyOfficer, handover_id: HandoverId) -> Handover:
    return acting(request, p).handovers.acknowledge(handover_id)
