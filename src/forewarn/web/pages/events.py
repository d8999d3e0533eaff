"""The events explorer: filters, the matching events (paged), a map of where they are and a daily
count chart. Everything is counted in SQL; the map is server-rendered SVG over an offline basemap,
navigated by links (no script needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from forewarn.geo.grid import BBox
from forewarn.model.query import EVENT_TYPES
from forewarn.reads.events import WINDOW_DAYS
from forewarn.web.auth import Viewer, acting
from forewarn.web.charts import bar_chart
from forewarn.web.events_filters import EventFilters
from forewarn.web.map import picture
from forewarn.web.render import query, render

router = APIRouter()
PAGE = 50


@router.get("/events")
def events_page(request: Request, p: Viewer, f: Annotated[EventFilters, Depends()],
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    ws = acting(request, p)
    x = ws.reads.explore(f.filter, PAGE, offset)
    if x.window:
        f.with_window(*x.window)
    params = f.params()

    def zoom_href(cell_box: BBox) -> str:
        return "/events" + query(params, bbox=cell_box.padded(0.25, minimum=0.02).text, offset=None)

    data = x.map
    view = data.view
    drawn = picture(view, data.clusters, zoom_href=zoom_href, event_href=lambda doc, ev: f"/documents/{doc}#ev-{ev}",
                    cell=data.cell, frame=f.bbox)
    pan = {
        "out": view.zoomed(2.0), "in": view.zoomed(0.5),
        "west": view.shifted(-0.5, 0), "east": view.shifted(0.5, 0),
        "north": view.shifted(0, 0.5), "south": view.shifted(0, -0.5),
    }
    chart = bar_chart(x.days, title="Events per day")
    return render(request, "events.html", f=f, params=params, types=EVENT_TYPES, sources=ws.sources.all(),
                  total=x.listed.total, events=x.listed.events, sentences=x.listed.evidence, offset=offset, limit=PAGE,
                  map=drawn, placed=data.total, cell=data.cell, view=view, pan={k: b.text for k, b in pan.items()},
                  chart=chart, window_days=WINDOW_DAYS)
