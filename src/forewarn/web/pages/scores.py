"""The scores page (issue 17): the leaderboard of the resolved questions as the viewer may see it
(forewarn.reads.scores), calibration with a reliability plot drawn on the server as SVG (no script), the Murphy
decomposition and discrimination, and the aggregation report (the extremizing factor fitted leave-one-out
against the plain mean)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from forewarn.model.scoring import Calibration
from forewarn.reads.scores import MAX_BINS, Row, ScoreBoard
from forewarn.web.auth import Viewer, acting
from forewarn.web.render import render

router = APIRouter()
SIZE, MARGIN = 300, 40  # the plot's square and its margin, in SVG units
PLOTTED = 5  # most series on the plot


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    r: float
    title: str


@dataclass(frozen=True, slots=True)
class Series:
    """One forecaster's reliability curve in SVG units (``css``: its colour class)."""

    label: str
    css: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@router.get("/scores")
def scores_page(request: Request, p: Viewer,
                bins: Annotated[int, Query(ge=1, le=MAX_BINS)] = 10) -> Response:
    ws = acting(request, p)
    b = ws.reads.scores(ws.clock(), bins)
    return render(request, "scores.html", b=b, series=plotted(b), size=SIZE, margin=MARGIN,
                  ticks=[i / 5 for i in range(6)], x=x_of, y=y_of)


def plotted(b: ScoreBoard) -> list[Series]:
    """The series on the reliability plot (those with a calibration): the analysts pooled, the published line,
    the model, the viewer's own row, the team mean — then the other rows, best first, up to PLOTTED."""
    first = {"published line": 1, "model": 2, "team mean": 4}
    rows = sorted(b.rows, key=lambda r: 3 if r.own else first.get(r.label, 5))
    shown = [r for r in (b.pooled, *rows) if r is not None and r.calibration is not None][:PLOTTED]
    return [series(r, f"s{i}") for i, r in enumerate(shown)]


def series(r: Row, css: str) -> Series:
    c: Calibration | None = r.calibration
    if c is None:
        return Series(r.label, css, ())
    most = max(row.count for row in c.rows)
    return Series(r.label, css, tuple(
        Point(x_of(row.mean_forecast), y_of(row.observed), 2.5 + 5.0 * math.sqrt(row.count / most),
              f"{r.label}: forecast {row.mean_forecast:.2f}, observed {row.observed:.2f} (n = {row.count})")
        for row in c.rows))


def x_of(p: float) -> float:
    return MARGIN + p * SIZE


def y_of(p: float) -> float:
    return MARGIN + (1.0 - p) * SIZE
