"""The events explorer's view: the filters as applied (with the default window of latest days when
they name no dates), the daily counts, a page of events, and the map — the filtered events counted
on a grid in SQL (one sort key per cell), the cells of the default view merged from one pass on a
fine grid; a cell holding one event links to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, Integer, cast, func, literal_column, select

from forewarn.geo.grid import WORLD, BBox, Cluster, cell_size
from forewarn.reads.events import EventList, Scope
from forewarn.store import schema as t

FINE_CELL = 0.25  # degrees: the grid the default map view is counted on
_KEY = 100_000  # a cell's sort key: row * _KEY + column (columns < 36,000 at 0.01°)
MAX_SINGLES = 400  # single-event cells looked up to link to their event …
SINGLES_UNDER = 5_000  # … when the map shows fewer events than this (else a point links to a zoom)


@dataclass(frozen=True, slots=True)
class _Cell:
    gy: int  # grid row and column: floor((lat + 90) / cell), floor((lon + 180) / cell)
    gx: int
    n: int
    lat_sum: float
    lon_sum: float


@dataclass(frozen=True, slots=True)
class MapData:
    view: BBox  # the box shown (fitted to the canvas)
    cell: float  # grid step, degrees
    clusters: list[Cluster]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.clusters)


def _cell_index(engine: Engine, column: Any, offset: int, cell: float) -> Any:
    """floor((column + offset) / cell): the grid row or column (the sum is never negative, so a
    cast truncates like floor on SQLite; PostgreSQL's cast rounds, so it says floor)."""
    scaled = (column + literal_column(str(offset))) / literal_column(repr(float(cell)))
    return func.floor(scaled) if engine.dialect.name == "postgresql" else cast(scaled, Integer)


def _grid(engine: Engine, sc: Scope, cell: float) -> list[_Cell]:
    """The filtered events (inside ``bbox``) counted per grid cell, in SQL (one sort key per cell)."""
    ev = t.events.c
    key = (_cell_index(engine, ev.place_lat, 90, cell) * literal_column(str(_KEY))
           + _cell_index(engine, ev.place_lon, 180, cell)).label("k")
    query = (select(key, func.count().label("n"), func.sum(ev.place_lat).label("slat"),
                    func.sum(ev.place_lon).label("slon"))
             .where(*sc.conditions, ev.place_lat.is_not(None), ev.place_lon.is_not(None))
             .group_by(literal_column("k")))
    with engine.connect() as conn:
        return [_Cell(int(r.k) // _KEY, int(r.k) % _KEY, int(r.n), float(r.slat), float(r.slon))
                for r in conn.execute(query)]


def _merge(cells: Sequence[_Cell], factor: int) -> list[_Cell]:
    """Cells of a grid ``factor`` times coarser."""
    merged: dict[tuple[int, int], _Cell] = {}
    for c in cells:
        key = (c.gy // factor, c.gx // factor)
        m = merged.get(key)
        merged[key] = _Cell(key[0], key[1], c.n, c.lat_sum, c.lon_sum) if m is None else \
            _Cell(key[0], key[1], m.n + c.n, m.lat_sum + c.lat_sum, m.lon_sum + c.lon_sum)
    return list(merged.values())


def map_data(engine: Engine, sc: Scope) -> MapData:
    """The filtered events on a grid. With ``bbox``: the events inside it, in cells sized to it.
    Without: one pass on a fine grid gives where the events are (the view: their box, padded) and,
    merged, the clusters for that view. Cells holding one event link to it."""
    if sc.bbox is not None:
        view = sc.bbox.fitted()
        cell = cell_size(view)
        cells = _grid(engine, sc, cell)
    else:
        fine = _grid(engine, sc, FINE_CELL)
        if fine:  # the box of the occupied cells
            box = BBox(max(min(c.gx for c in fine) * FINE_CELL - 180, -180.0),
                       max(min(c.gy for c in fine) * FINE_CELL - 90, -90.0),
                       min((max(c.gx for c in fine) + 1) * FINE_CELL - 180, 180.0),
                       min((max(c.gy for c in fine) + 1) * FINE_CELL - 90, 90.0))
            view = box.padded(0.15, minimum=1.0).fitted()
        else:
            view = WORLD.fitted()
        factor = max(1, round(cell_size(view) / FINE_CELL))
        cell = FINE_CELL * factor
        cells = _merge(fine, factor)
    many = sum(c.n for c in cells) > SINGLES_UNDER
    singles = {} if many else _singles(engine, sc, [c for c in cells if c.n == 1])
    found = []
    for c in cells:
        s, w = c.gy * cell - 90, c.gx * cell - 180
        one = singles.get((c.lat_sum, c.lon_sum)) if c.n == 1 else None
        found.append(Cluster(lat=c.lat_sum / c.n, lon=c.lon_sum / c.n, count=c.n,
                             cell=BBox(max(w, -180.0), max(s, -90.0), min(w + cell, 180.0), min(s + cell, 90.0)),
                             event_id=one[0] if one else None, document_id=one[1] if one else None,
                             label=one[2] if one else None))
    return MapData(view, cell, found)


def _singles(engine: Engine, sc: Scope, cells: Sequence[_Cell]) -> dict[tuple[float, float], tuple[str, str, str]]:
    """(event id, document id, label) of the one event of each single-event cell, by position; none
    when there are very many such cells (they then link to a zoom like clusters)."""
    if not cells or len(cells) > MAX_SINGLES:
        return {}
    ev = t.events.c
    lats = sorted({c.lat_sum for c in cells})
    query = (select(ev.id, ev.document_id, ev.type, ev.place_name, ev.place_lat, ev.place_lon)
             .where(*sc.conditions, ev.place_lat.in_(lats)))
    wanted = {(c.lat_sum, c.lon_sum) for c in cells}
    found: dict[tuple[float, float], tuple[str, str, str]] = {}
    with engine.connect() as conn:
        for r in conn.execute(query):
            key = (float(r.place_lat), float(r.place_lon))
            if key in wanted and key not in found:
                found[key] = (r.id, r.document_id, f"{r.type} at {r.place_name}")
    return found


@dataclass(frozen=True)
class Explorer:
    """What the explorer shows: the default dates it set (``window``; None when the filter named dates,
    or there are no events), the filtered events' daily counts, a page of them, and the map."""

    window: tuple[date, date] | None
    days: tuple[tuple[date, int], ...]
    listed: EventList
    map: MapData
