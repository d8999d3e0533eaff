"""The post-mortem page: pick a scenario and the date of an event; see what was known, what was warned,
what people did and when, and where the chain from collection to action broke."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from forewarn.errors import InvalidArgument
from forewarn.model.warning import WarningRecord, WarningState
from forewarn.review import MARGIN_DAYS, PostMortem
from forewarn.review.desk import PostMortemView
from forewarn.review.report import BREAKS
from forewarn.web.auth import Viewer, acting
from forewarn.web.charts import Line, Marker, bar_chart, line_chart
from forewarn.web.ledger_views import moment
from forewarn.web.render import render

router = APIRouter()
DETAIL_WIDTH = 300


def clip(text: str, width: int = DETAIL_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def markers(pm: PostMortem) -> list[Marker]:
    found = [Marker(o.warning.raised_at, f"warning #{o.warning.id} raised ({o.warning.severity})",
                    f"sev-{o.warning.severity}") for o in pm.outcomes]
    return [*found, Marker(pm.event_at, "the event", "event")]


def charts(view: PostMortemView) -> dict[str, Markup | None]:
    """The probability the live system published over the window, the replay (when asked for) and the
    signals per day, each with the warnings raised and the event marked."""
    pm, published = view.report, view.published
    marks = markers(pm)
    lines = [Line(t.probability, t.level, f"sev-{t.level}") for t in pm.scenario.thresholds]
    found: dict[str, Markup | None] = {"published": None, "replay": None, "signals": None}
    if published:
        found["published"] = line_chart([(a.at, a.probability) for a in published],
                                        title=f"{pm.scenario.name}: probability as published at the time",
                                        lines=lines, markers=marks, start=pm.window_start, end=pm.event_at)
    if pm.series is not None and pm.series.steps:
        found["replay"] = line_chart([(s.at, s.probability) for s in pm.series.steps],
                                     title=f"{pm.scenario.name}: probability replayed from what was known each day",
                                     lines=lines, markers=marks, start=pm.window_start, end=pm.event_at)
    if pm.signals_per_day:
        found["signals"] = bar_chart([(d.day, d.count) for d in pm.signals_per_day],
                                     title="Signals per day (by when known)", markers=marks)
    return found


@router.get("/postmortem")
def postmortem_page(request: Request, p: Viewer, scenario: Annotated[str, Query(max_length=200)] = "",
                    event_date: Annotated[str, Query(alias="event-date", max_length=40)] = "",
                    margin_days: Annotated[int | None, Query(alias="margin-days", ge=0, le=3650)] = None,
                    replay: Annotated[bool, Query()] = False) -> Response:
    ws = acting(request, p)
    records = ws.scenarios.records()
    starting = None
    if not scenario and not event_date:  # the page opens on the latest warning's scenario, not empty
        starting = starting_point(ws.warnings.board(tuple(WarningState), limit=STARTING_LOOK))
        scenario, event_date = (starting.scenario_id or "", starting.event_date) if starting else ("", "")
    view = None
    if scenario and event_date:
        event = moment(event_date, "event-date")
        if event is None:
            raise InvalidArgument("give the date of the event")
        view = ws.review.postmortem_view(scenario, event, margin_days=margin_days, with_replay=replay)
    elif scenario or event_date:
        raise InvalidArgument("a post-mortem needs a scenario and the date of the event",
                              hint="pick both in the form")
    pm = view.report if view else None
    shown = {} if view is None else charts(view)
    timeline = [] if pm is None else [{"entry": e, "detail": clip(e.detail), "after": e.at > pm.event_at}
                                      for e in pm.timeline]
    return render(request, "postmortem.html", records=records, pm=pm, breaks=BREAKS, timeline=timeline,
                  charts=shown, form={"scenario": scenario, "event_date": event_date, "margin_days": margin_days,
                                      "replay": replay}, default_margin=MARGIN_DAYS, starting=starting)


STARTING_LOOK = 500  # warnings looked at for the page's starting point


@dataclass(frozen=True, slots=True)
class Starting:
    """Where the page opens when nothing is asked: the scenario of the newest warning about one, and
    the day after it was raised as the event date."""

    warning_id: int
    scenario_id: str | None
    event_date: str


def starting_point(warnings: Sequence[WarningRecord]) -> Starting | None:
    about = [w for w in warnings if w.scenario_id]
    if not about:
        return None
    newest = max(about, key=lambda w: (w.raised_at, w.id))
    day = (newest.raised_at.astimezone(UTC) + timedelta(days=1)).date()
    return Starting(newest.id, newest.scenario_id, day.isoformat())
