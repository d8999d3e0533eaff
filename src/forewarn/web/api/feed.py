"""The live feed: incoming documents newest known first, each with its source's grade, its events and
why it was flagged; what is new to the caller; marking it all seen (a ``feed-seen`` ledger entry).
Reading the feed through the API never moves the caller's mark (the page's visit does)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from forewarn.reads.feed import COUNT_CAP, FeedItem, FeedQuery
from forewarn.web.api.common import MAX_LIMIT, Page
from forewarn.web.auth import ActViewer, Viewer, acting

router = APIRouter(tags=["feed"])

Scenario = Annotated[str | None, Query(max_length=64, description="only items this scenario's indicators matched")]
Flagged = Annotated[bool, Query(description="only items some scenario's indicators matched")]
Cursor = Annotated[str | None, Query(max_length=200, pattern=r"^[0-9a-zA-Z.\-]+$",
                                     description="the `next` page's cursor")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")]


class FeedPage(Page[FeedItem]):
    """A page of the feed (``offset`` is always 0: pages follow ``next``, a cursor), with how many items
    are new to the caller (``new``, counted up to 1000) and since when."""

    new: int
    new_since: datetime


class NewCount(BaseModel):
    new: int  # counted up to 1000
    shown: str  # "12", "999+"
    new_since: datetime | None  # the caller's mark (None: never visited; the last day counts as new)


class Seen(BaseModel):
    seen_until: datetime | None  # the newest item now marked seen (None: the feed is empty)


@router.get("/feed", response_model=FeedPage, summary="The live feed, newest known first")
def get_feed(request: Request, p: Viewer, scenario: Scenario = None, flagged: Flagged = False,
             cursor: Cursor = None, limit: Limit = 50) -> FeedPage:
    found = acting(request, p).feed.page(FeedQuery(scenario, flagged, cursor, limit))
    nxt = str(request.url.include_query_params(cursor=found.next)) if found.next else None
    return FeedPage(items=list(found.items), total=None, limit=limit, offset=0, next=nxt, new=found.new,
                    new_since=found.new_since)


@router.get("/feed/new", response_model=NewCount, summary="How many feed items are new to the caller")
def new_count(request: Request, p: Viewer) -> NewCount:
    ws = acting(request, p)
    n = ws.feed.new_count()
    return NewCount(new=n, shown=f"{COUNT_CAP}+" if n > COUNT_CAP else str(n), new_since=ws.feed.mark())


@router.post("/feed/seen", response_model=Seen, summary="Mark every item of the feed seen (ledgered: feed-seen)")
def mark_seen(request: Request, p: ActViewer) -> Seen:
    return Seen(seen_until=acting(request, p).feed.seen())
