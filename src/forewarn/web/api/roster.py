"""The duty roster: who holds a role (a post that escalation chains name) during a shift. Anyone may
read it; duty officers and admins change it, each change a ledger entry naming the caller."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from forewarn.warn.roster import MAX_ROLE, Shift
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActDutyOfficer, Viewer, acting
from forewarn.web.ledger_views import moment

router = APIRouter(tags=["roster"])


class ShiftOut(BaseModel):
    id: int
    role: str = Field(description="the post, lower-case, as escalation chains name it")
    account: str
    name: str = Field(description="the account's display name")
    starts_at: datetime
    ends_at: datetime | None = Field(description="null: until removed")
    added_by: str
    added_at: datetime


class NewShift(BaseModel):
    role: Annotated[str, Field(min_length=1, max_length=MAX_ROLE, description="e.g. duty-officer")]
    account: Annotated[str, Field(min_length=1, max_length=128, description="an enabled account's name")]
    starts_at: datetime | None = Field(None, description="default: now; UTC unless it names an offset")
    ends_at: datetime | None = Field(None, description="default: until removed")


def shift_out(s: Shift) -> ShiftOut:
    return ShiftOut(id=s.id, role=s.role, account=s.account, name=s.name, starts_at=s.starts_at, ends_at=s.ends_at,
                    added_by=s.added_by, added_at=s.added_at)


def _utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


@router.get("/roster", response_model=Page[ShiftOut], summary="The duty roster, by role then shift start")
def list_roster(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                at: Annotated[str | None, Query(max_length=40, description="only the shifts covering this time "
                                                                           "(YYYY-MM-DD or ISO date-time)")] = None
                ) -> Page[ShiftOut]:
    found = acting(request, p).warnings.roster(moment(at, "at"))  # a roster is short: one read
    return paging.page(request, [shift_out(s) for s in found[paging.offset:paging.offset + paging.limit]], len(found))


@router.post("/roster", response_model=ShiftOut, status_code=201, summary="Put an account on a shift (duty officer)")
def add_shift(request: Request, p: ActDutyOfficer, body: NewShift) -> ShiftOut:
    desk = acting(request, p).warnings
    return shift_out(desk.roster_add(body.role, body.account, _utc(body.starts_at), _utc(body.ends_at)))


@router.delete("/roster/{shift_id}", response_model=ShiftOut, summary="Take a shift off the roster (duty officer)")
def remove_shift(request: Request, p: ActDutyOfficer,
                 shift_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)]) -> ShiftOut:
    return shift_out(acting(request, p).warnings.roster_remove(shift_id))
