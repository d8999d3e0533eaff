"""Small server-rendered SVG charts (no script, no external library): a probability line over time
with threshold lines and markers, daily bars, and daily bars stacked by event type with a legend.
Output is markup safe to embed: every label is escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from markupsafe import Markup, escape

W, H = 760, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 10, 26


@dataclass(frozen=True)
class Line:
    """A horizontal reference line (a threshold) at ``value``."""

    value: float
    label: str
    css: str = ""  # extra class, e.g. "sev-high"


@dataclass(frozen=True)
class Marker:
    """A vertical mark at a time (a warning raised, an event)."""

    at: datetime | date
    label: str
    css: str = ""


def _x(t: float, t0: float, t1: float) -> float:
    return LEFT + (t - t0) / ((t1 - t0) or 1) * (W - LEFT - RIGHT)


def _y(v: float, v1: float) -> float:
    return TOP + (1 - v / (v1 or 1)) * (H - TOP - BOTTOM)


def _ts(value: datetime | date) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()


def _frame(v1: float, ticks: Sequence[float], fmt: str, t0: float, t1: float, title: str) -> list[str]:
    parts = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for v in ticks:
        y = _y(v, v1)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{fmt.format(v)}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{W - RIGHT}" y1="{H - BOTTOM}" y2="{H - BOTTOM}"/>')
    span_days = (t1 - t0) / 86400
    for i in range(6):  # six date labels along the bottom
        t = t0 + (t1 - t0) * i / 5
        fmt = "%d %b %H:%M" if span_days < 2 else "%d %b" if span_days < 300 else "%b %Y"
        label = datetime.fromtimestamp(t, UTC).strftime(fmt)
        anchor = "start" if i == 0 else "end" if i == 5 else "middle"  # the ends stay inside the frame
        parts.append(f'<text x="{_x(t, t0, t1):.1f}" y="{H - 8}" text-anchor="{anchor}">{label}</text>')
    return parts


def _markers(markers: Sequence[Marker], t0: float, t1: float) -> list[str]:
    parts = []
    for m in markers:
        x = _x(min(max(_ts(m.at), t0), t1), t0, t1)
        parts.append(f'<line class="marker {escape(m.css)}" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{H - BOTTOM}">'
                     f'<title>{escape(m.label)}</title></line>')
    return parts


def line_chart(points: Sequence[tuple[datetime, float]], *, title: str, lines: Sequence[Line] = (),
               markers: Sequence[Marker] = (), start: datetime | None = None, end: datetime | None = None,
               v_max: float = 1.0, percent: bool = True) -> Markup:
    """A step line (the value holds until the next point), as probabilities by default."""
    if not points and start is None:
        return Markup(f'<p class="muted">{escape(title)}: no data yet.</p>')
    t0 = _ts(start or points[0][0])
    t1 = _ts(end or (points[-1][0] if points else start or datetime.now(UTC)))
    if t1 <= t0:
        t1 = t0 + 86400
    ticks = [v_max * i / 4 for i in range(5)]
    parts = _frame(v_max, ticks, "{:.0%}" if percent else "{:g}", t0, t1, title)
    for ln in lines:
        y = _y(ln.value, v_max)
        parts.append(f'<line class="threshold {escape(ln.css)}" x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="currentColor"><title>{escape(ln.label)}</title></line>'
                     f'<text x="{W - RIGHT - 2}" y="{y - 3:.1f}" text-anchor="end">{escape(ln.label)}</text>')
    if points:
        path, prev_y = [], None
        for at, v in points:
            x, y = _x(_ts(at), t0, t1), _y(v, v_max)
            path.append(f"M{x:.1f},{y:.1f}" if prev_y is None else f"H{x:.1f}V{y:.1f}")
            prev_y = y
        path.append(f"H{W - RIGHT}")
        parts.append(f'<path class="series" d="{"".join(path)}"/>')
    parts += _markers(markers, t0, t1)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(counts: Sequence[tuple[date, int]], *, title: str, markers: Sequence[Marker] = ()) -> Markup:
    """Daily counts as bars; days missing from ``counts`` are zero."""
    if not counts:
        return Markup(f'<p class="muted">{escape(title)}: nothing to count.</p>')
    by_day = dict(counts)
    first, last = min(by_day), max(by_day)
    days = (last - first).days + 1
    t0, t1 = _ts(first), _ts(last + timedelta(days=1))
    top = max(by_day.values()) or 1
    step = max(1, round(top / 4))
    v1 = step * 4 if step * 4 >= top else step * 5
    parts = _frame(v1, [step * i for i in range(int(v1 / step) + 1)], "{:g}", t0, t1, title)
    width = max((W - LEFT - RIGHT) / days - 1, 0.6)
    for day, n in sorted(by_day.items()):
        if n <= 0:
            continue
        x, y = _x(_ts(day), t0, t1), _y(n, v1)
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{H - BOTTOM - y:.1f}">'
                     f'<title>{day:%Y-%m-%d}: {n}</title></rect>')
    parts += _markers(markers, t0, t1)
    parts.append("</svg>")
    return Markup("".join(parts))


# a qualitative palette (Tableau 10, then darker variants): one colour per event type, in the order given
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac", "#2f4b7c", "#a05195", "#d45087", "#665191", "#008080", "#7f7f00")


def colours(series: Sequence[str], order: Sequence[str] = ()) -> dict[str, str]:
    """A colour per series name, stable for a name's place in ``order`` (else its first appearance)."""
    names = set(series)
    known = [s for s in order if s in names] + sorted(names - set(order))
    return {s: PALETTE[(order.index(s) if s in order else len(order) + i) % len(PALETTE)]
            for i, s in enumerate(known)}


def stacked_bars(counts: Sequence[tuple[date, str, int]], *, title: str, order: Sequence[str] = ()) -> Markup:
    """Daily counts stacked by series (an event type), with a legend of the series shown and dates on the
    axis; days missing are zero. ``order``: the series' stacking order and colours (e.g. every type)."""
    if not counts:
        return Markup(f'<p class="muted">{escape(title)}: nothing to count.</p>')
    by_day: dict[date, dict[str, int]] = {}
    for day, name, n in counts:
        by_day.setdefault(day, {})[name] = by_day.get(day, {}).get(name, 0) + n
    colour = colours([name for _, name, _ in counts], order)
    first, last = min(by_day), max(by_day)
    t0, t1 = _ts(first), _ts(last + timedelta(days=1))
    top = max(sum(v.values()) for v in by_day.values()) or 1
    step = max(1, round(top / 4))
    v1 = step * 4 if step * 4 >= top else step * 5
    parts = _frame(v1, [step * i for i in range(int(v1 / step) + 1)], "{:g}", t0, t1, title)
    width = max((W - LEFT - RIGHT) / ((last - first).days + 1) - 1, 0.6)
    for day, found in sorted(by_day.items()):
        base = 0
        x = _x(_ts(day), t0, t1)
        for name in colour:
            n = found.get(name, 0)
            if n <= 0:
                continue
            y0, y1 = _y(base, v1), _y(base + n, v1)
            parts.append(f'<rect class="stack" fill="{colour[name]}" x="{x:.1f}" y="{y1:.1f}" width="{width:.1f}" '
                         f'height="{y0 - y1:.1f}"><title>{day:%Y-%m-%d} {escape(name)}: {n}</title></rect>')
            base += n
    parts.append("</svg>")
    return Markup("".join(parts)) + legend(colour, {name: sum(v.get(name, 0) for v in by_day.values())
                                                    for name in colour})


def legend(colour: dict[str, str], totals: dict[str, int]) -> Markup:
    """The series' names with their colours and totals, as a list under a chart."""
    items = "".join(f'<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" '
                    f'fill="{c}"/></svg>{escape(name)} <span class="muted">{totals.get(name, 0):,}</span></li>'
                    for name, c in colour.items())
    return Markup(f'<ul class="legend">{items}</ul>')
