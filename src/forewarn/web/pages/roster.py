"""The duty roster page: who is on shift now, every shift on the roster, and (duty officers and admins)
forms to add a shift or take one off. Each change is a ledger entry; a refusal comes back as a flash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from forewarn.accounts import Role
from forewarn.web.auth import ActDutyOfficer, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.ledger_views import moment
from forewarn.web.render import render

router = APIRouter()
Field = Annotated[str, Form(max_length=128)]
Moment = Annotated[str, Form(max_length=40)]


@router.get("/roster")
def roster_page(request: Request, p: Viewer) -> Response:
    ws = acting(request, p)
    now = ws.clock()
    can_edit = p.may(Role.DUTY_OFFICER)
    response = render(request, "roster.html", shifts=ws.warnings.roster(), on_shift=ws.warnings.roster(now), at=now,
                      can_edit=can_edit, accounts=ws.accounts.users() if can_edit else [],
                      flash=take_flash(request))
    return clear_flash(request, response)


@router.post("/roster")
def add_shift(request: Request, p: ActDutyOfficer, role: Field = "", account: Field = "", start: Moment = "",
              until: Moment = "") -> Response:
    desk = acting(request, p).warnings

    def action() -> str:
        s = desk.roster_add(role, account, moment(start, "from"), moment(until, "until"))
        return f"{s.name} holds {s.role} (roster entry {s.id})"
    return attempt(request, "/roster", action)


@router.post("/roster/{shift_id}/remove")
def remove_shift(request: Request, p: ActDutyOfficer, shift_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
                 ) -> Response:
    desk = acting(request, p).warnings
    return attempt(request, "/roster", lambda: f"roster entry {desk.roster_remove(shift_id).id} removed")
