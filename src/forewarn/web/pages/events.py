"""The events explorer and the event map. The explorer: filters, the matching events (paged), their
daily counts stacked by event type and their counts by region, all counted in SQL; no script needed.
The map (``/map``, the same filters, and ``scenario`` to fit a scenario's region): Leaflet served from
``/static/vendor`` with the countries' borders, clusters that split as you zoom, the places the events
name, a scale and a time slider; without script it still lists the places and regions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from forewarn.accounts import Role
from forewarn.model.query import EVENT_TYPES
from forewarn.reads.events import WINDOW_DAYS
from forewarn.web.auth import Viewer, acting
from forewarn.web.charts import stacked_bars
from forewarn.web.events_filters import EventFilters
from forewarn.web.map import assets_problem, missing_assets, payload
from forewarn.web.render import render, render_error

router = APIRouter()
PAGE = 50


@router.get("/events")
def events_page(request: Request, p: Viewer, f: Annotated[EventFilters, Depends()],
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    ws = acting(request, p)
    x = ws.reads.explore(f.filter, PAGE, offset)
    if x.window:
        f.with_window(*x.window)
    chart = stacked_bars(x.by_type, title="Events per day, by type", order=EVENT_TYPES)
    return render(request, "events.html", f=f, params=f.params(), types=EVENT_TYPES, sources=ws.reads.sources(),
                  total=x.listed.total, events=x.listed.events, sentences=x.listed.evidence, offset=offset, limit=PAGE,
                  regions=x.regions, unplaced=x.unplaced, chart=chart, window_days=WINDOW_DAYS,
                  corrections=ws.reads.corrections_of(x.listed.events), may_correct=p.may(Role.ANALYST),
                  markings=x.listed.markings)


@router.get("/map")
def map_page(request: Request, p: Viewer, f: Annotated[EventFilters, Depends()],
             scenario: Annotated[str | None, Query(max_length=100, description="fit and filter to this scenario's "
                                                   "region")] = None) -> Response:
    missing = missing_assets()
    if missing:
        return render_error(request, assets_problem(missing, request.url.path))
    ws = acting(request, p)
    watched = ws.scenarios.get(scenario) if scenario else None
    view = ws.reads.event_map_view(f.filter, watched.region if watched else None)
    if view.window:
        f.with_window(*view.window)
    total = view.placed + view.unplaced
    return render(request, "map.html", f=f, params=f.params(), view=view, data=payload(view), scenario=watched,
                  total=total, window_days=WINDOW_DAYS)
