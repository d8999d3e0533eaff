"""Shift handovers: the list of notes with the form to write one (duty officer: what it will be filled
in with is shown first), one note, and acknowledging one as the incoming officer (from the note or
from the board's panel)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from forewarn.accounts import Role
from forewarn.errors import InvalidArgument
from forewarn.warn.handover import WATCH_MAX
from forewarn.web.api.common import Paging
from forewarn.web.auth import ActDutyOfficer, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, safe_next, take_flash
from forewarn.web.render import render

router = APIRouter()
HandoverId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/handovers")
def handover_list(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Response:
    ws = acting(request, p)
    found, total = ws.handovers.listing(paging.limit, paging.offset)
    can_write = p.may(Role.DUTY_OFFICER)
    response = render(request, "handovers.html", handovers=found, total=total, limit=paging.limit,
                      offset=paging.offset, params={"limit": paging.limit}, flash=take_flash(request),
                      draft=ws.handovers.draft() if can_write else None, watch_max=WATCH_MAX)
    return clear_flash(request, response)


@router.get("/handovers/{handover_id}")
def handover_page(request: Request, p: Viewer, handover_id: HandoverId) -> Response:
    h = acting(request, p).handovers.get(handover_id)
    response = render(request, "handover.html", h=h, flash=take_flash(request),
                      can_ack=p.may(Role.DUTY_OFFICER) and h.written_by != p.user.name
                      and not h.acknowledged_by(p.user.name))
    return clear_flash(request, response)


@router.post("/handovers")
def write(request: Request, p: ActDutyOfficer, watch: Annotated[str, Form(max_length=WATCH_MAX)] = "",
          corrects: Annotated[str, Form(max_length=12)] = "") -> Response:
    ws = acting(request, p)

    def act() -> tuple[str, str]:
        h = ws.handovers.write(watch, _number(corrects))
        return f"Handover {h.id} written.", f"/handovers/{h.id}"

    return attempt(request, "/handovers", act)


@router.post("/handovers/{handover_id}/acknowledge")
def acknowledge(request: Request, p: ActDutyOfficer, handover_id: HandoverId,
                next: Annotated[str, Form(max_length=500)] = "") -> Response:
    ws = acting(request, p)

    def act() -> str:
        h = ws.handovers.acknowledge(handover_id)
        return f"Handover {h.id} from {h.written_by} acknowledged."

    return attempt(request, safe_next(next, f"/handovers/{handover_id}"), act)


def _number(text: str) -> int | None:
    """The form's "corrects" field: blank for none; anything else must be a note's number."""
    text = text.strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit() or len(text) > 10:
        raise InvalidArgument(f"not a handover number: {text!r}", hint="give the number of the note it corrects")
    return int(text)
