"""The live feed page: incoming documents newest known first, new ones (since the caller's last visit)
highlighted and counted; filter by scenario or to flagged items; "mark all seen". Opening the first
page of the whole feed is a visit: it moves the caller's mark to the newest item (a ``feed-seen``
ledger entry); later pages and filtered views keep the highlighting of the visit they came from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from forewarn.reads.feed import FeedQuery
from forewarn.web.auth import ActViewer, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.render import render, when

router = APIRouter()
PER_PAGE = 50


@router.get("/feed")
def feed_page(request: Request, p: Viewer,
              scenario: Annotated[str | None, Query(max_length=64)] = None,
              flagged: Annotated[str | None, Query(max_length=8)] = None,
              cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    ws = acting(request, p)
    q = FeedQuery(scenario or None, flagged in ("1", "true", "on"), cursor or None, PER_PAGE)
    found = ws.feed.visit(q)
    params = {"scenario": q.scenario, "flagged": "1" if q.flagged else None}
    response = render(request, "feed.html", feed=found, params=params, flash=take_flash(request),
                      by_publication=ws.feed.by_publication())
    return clear_flash(request, response)


@router.post("/feed/seen")
def mark_seen(request: Request, p: ActViewer) -> Response:
    ws = acting(request, p)

    def act() -> str:
        until = ws.feed.seen()
        return f"Everything known up to {when(until)} is marked seen." if until else "The feed is empty."

    return attempt(request, "/feed", act)
