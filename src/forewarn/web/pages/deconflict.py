"""The deconfliction page (issue 18): the viewer's teams' matches — each selector as the viewer's team holds it and
"another team holds reporting on this selector", nothing of the other side — with the requests to talk about each
(sent, received: accept or decline), a form to mark a selector not to be matched, the selectors so marked, and for
analysts a button to run the matching now. Reads go through ``ws.deconfliction`` (the viewer's teams only); each
post is one ledgered action, a refusal comes back as a flash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from forewarn.geo.selectors import KINDS
from forewarn.model import Role
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.render import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE = "/deconfliction"


@router.get("/deconfliction")
def deconfliction_page(request: Request, p: Viewer) -> Response:
    ws = acting(request, p)
    teams = ws.deconfliction.teams()
    response = render(request, "deconfliction.html", rows=ws.deconfliction.listing(),
                      excluded=ws.deconfliction.excluded(), teams=teams, kinds=KINDS,
                      may_act=p.may(Role.ANALYST) and bool(teams), may_run=p.may(Role.ANALYST),
                      flash=take_flash(request))
    return clear_flash(request, response)


@router.post("/deconfliction/run")
def run_matching(request: Request, p: ActAnalyst) -> Response:
    desk = acting(request, p).deconfliction
    return attempt(request, PAGE, lambda: f"matched the holdings until {desk.run().until:%Y-%m-%d %H:%M} UTC")


@router.post("/deconfliction/matches/{match_id}/request")
def request_talk(request: Request, p: ActAnalyst, match_id: Id,
                 team: Annotated[str, Form(max_length=64)] = "") -> Response:
    desk = acting(request, p).deconfliction
    return attempt(request, PAGE, lambda: f"request {desk.request(match_id, team or None).id} sent: the other team "
                                          "sees it, not who asked")


@router.post("/deconfliction/requests/{request_id}/{answer}")
def answer(request: Request, p: ActAnalyst, request_id: Id, answer: Annotated[str, Path(pattern="^(accept|decline)$")]
           ) -> Response:
    desk = acting(request, p).deconfliction
    return attempt(request, PAGE, lambda: f"request {request_id} {desk.answer(request_id, answer == 'accept').state}")


@router.post("/deconfliction/excluded")
def exclude(request: Request, p: ActAnalyst, team: Annotated[str, Form(max_length=64)] = "",
            kind: Annotated[str, Form(max_length=16)] = "", text: Annotated[str, Form(max_length=500)] = "",
            selector: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None) -> Response:
    desk = acting(request, p).deconfliction
    return attempt(request, PAGE, lambda: f"selector {desk.exclude(team, kind or None, text or None, selector).id} "
                                          "is not matched any more")
