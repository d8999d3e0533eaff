"""A replay series drawn as a chart (PNG or SVG): the probability, the thresholds, where a live
system would have warned, the warnings actually stored, and the event.

Matplotlib's object-oriented API with the Agg canvas: no display, no global pyplot state. Output
is deterministic (fixed SVG ids, no dates in the metadata), so the same series draws the same file.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from forewarn.errors import InvalidArgument
from forewarn.model import Disposition, Origin, WarningRecord
from forewarn.review.replay import ReplaySeries

FORMATS = {".png": "png", ".svg": "svg"}
LINE = "#1f4e79"
LEVEL_COLOURS = ("#e0a800", "#e8590c", "#c92a2a", "#862e9c")  # ascending thresholds
ORIGIN_COLOURS = {Origin.SCENARIO: "#e8590c", Origin.PERSON: "#5f3dc4", Origin.PARTNER: "#0b7285"}
METADATA = {"svg": {"Date": None, "Creator": "forewarn"}, "png": {"Software": "forewarn"}}


def write_chart(series: ReplaySeries, path: Path, *, warnings: Sequence[WarningRecord] | None = None,
                event_at: datetime | None = None, title: str | None = None) -> Path:
    """Draw ``series`` to ``path`` (.png or .svg). ``warnings``: the stored warnings to mark
    (default: those the series carries); ``event_at``: the event, drawn as a vertical line."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidArgument(f"cannot draw a chart as {path.name!r}", hint="name a .png or .svg file")
    data = render(series, fmt, warnings=warnings, event_at=event_at, title=title)
    try:
        path.write_bytes(data)
    except OSError as e:
        raise InvalidArgument(f"cannot write {path}: {e.strerror}", hint="check the folder exists and is writable",
                              ) from None
    return path


def chart_data_uri(series: ReplaySeries, *, warnings: Sequence[WarningRecord] | None = None,
                   event_at: datetime | None = None, title: str | None = None) -> str:
    """The chart as an SVG ``data:`` URI, for an <img> in a self-contained page (no scripts run in it)."""
    svg = render(series, "svg", warnings=warnings, event_at=event_at, title=title)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def render(series: ReplaySeries, fmt: str, *, warnings: Sequence[WarningRecord] | None = None,
           event_at: datetime | None = None, title: str | None = None) -> bytes:
    with matplotlib.rc_context():
        rc = matplotlib.rcParams
        rc["svg.hashsalt"], rc["svg.fonttype"], rc["font.size"] = "forewarn", "path", 9.0  # fixed ids; no fonts
        figure = _figure(series, series.warnings if warnings is None else warnings, event_at, title)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, metadata=METADATA[fmt], dpi=100)
    return buffer.getvalue()


def _figure(series: ReplaySeries, warnings: Sequence[WarningRecord], event_at: datetime | None,
            title: str | None) -> Figure:
    figure = Figure(figsize=(10, 4.8), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.plot(_xs(s.at for s in series.steps), [s.probability for s in series.steps], color=LINE, linewidth=1.8,
            label="probability")
    _thresholds(ax, series)
    _crossings(ax, series)
    _warnings(ax, series, warnings)
    if event_at is not None:
        ax.axvline(_x(event_at), color="black", linewidth=2.0, label="event")
    ax.set_xlim(_x(series.start), _x(max(series.end, event_at or series.end)))
    ax.set_ylim(0.0, 1.0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylabel("probability")
    ax.grid(True, color="#dddddd", linewidth=0.6)
    heading = title or f"{series.scenario_name} — replay every {series.step_text}"
    ax.set_title(heading, loc="left", parse_math=False)
    _legend(figure, ax)
    return figure


def _thresholds(ax: Axes, series: ReplaySeries) -> None:
    for i, t in enumerate(series.thresholds):
        colour = LEVEL_COLOURS[min(i, len(LEVEL_COLOURS) - 1)]
        ax.axhline(t.probability, color=colour, linestyle="--", linewidth=1.0)
        ax.annotate(f"{t.level} {t.probability:.0%}", xy=(1.0, t.probability),
                    xycoords=("axes fraction", "data"), xytext=(4, 0), textcoords="offset points", va="center",
                    color=colour, parse_math=False)


def _crossings(ax: Axes, series: ReplaySeries) -> None:
    if series.crossings:
        ax.scatter(_xs(c.at for c in series.crossings), [c.probability for c in series.crossings],
                   marker="^", s=60, color="#c92a2a", zorder=3, label="would warn")


def _warnings(ax: Axes, series: ReplaySeries, warnings: Sequence[WarningRecord]) -> None:
    def inside(at: datetime) -> bool:
        return series.start <= at <= series.end

    for origin, colour in ORIGIN_COLOURS.items():
        raised = [w.raised_at for w in warnings if w.origin is origin and inside(w.raised_at)]
        for i, at in enumerate(raised):
            ax.axvline(_x(at), color=colour, linewidth=1.2, linestyle="-.",
                       label=f"{origin.value} warning" if i == 0 else None)
    acked = _xs(w.acknowledged_at for w in warnings if w.acknowledged_at and inside(w.acknowledged_at))
    if acked:
        ax.scatter(acked, [0.97] * len(acked), marker="o", s=36, color="#2b8a3e", zorder=3,
                   label="acknowledged")
    dismissed = _xs(w.disposed_at for w in warnings
                    if w.disposed_at and w.disposition is Disposition.DISMISSED and inside(w.disposed_at))
    if dismissed:
        ax.scatter(dismissed, [0.97] * len(dismissed), marker="x", s=44, color="#495057", zorder=3,
                   label="dismissed")


def _x(at: datetime) -> float:
    return float(date2num(at))


def _xs(times: Iterable[datetime]) -> list[float]:
    return [_x(at) for at in times]


def _legend(figure: Figure, ax: Axes) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:  # below the plot: nothing of the series hides behind it
        figure.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 7), fontsize=8,
                      frameon=False)
