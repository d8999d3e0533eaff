"""The events explorer's view and the map page's data. The explorer: the filters as applied (with the
default window of latest days when they name no dates), the daily counts (in all, and by event type),
the counts by region, a page of events. The map page: the filtered events counted per grid cell and
day in SQL (one sort key per cell), on a grid sized to the bulk of the events (their 5th to 95th
percentiles, so that a few outliers do not stretch the view), the places they name most, and how many
have no place. The API's grid (:func:`map_data`) counts cells without days; a cell holding one event
links to it. Counts are read from the events' kept counts (:mod:`forewarn.store.counts`) wherever they answer
the filter (``Scope.counted``), else counted from the events."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Engine, Row, and_, case, false, func, literal_column, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from forewarn.geo.grid import WORLD, BBox, Cluster, cell_size
from forewarn.model.scenario import Region
from forewarn.reads.events import EventList, Scope, as_date
from forewarn.store import schema as t
from forewarn.store.core import reads_beside, side_by_side
from forewarn.store.counts import CELL_KEY, FINE_CELL, grid_index

MAX_SINGLES = 400  # single-event cells looked up to link to their event …
SINGLES_UNDER = 5_000  # … when the map shows fewer events than this (else a point links to a zoom)
REGIONS = 15  # the regions listed by the explorer and the map
_Day = TypeVar("_Day", date, None)  # a merged cell's day (None: cells counted without days)


class _Cell(NamedTuple):  # a tuple: the map makes thousands a request (a frozen dataclass is 2.4× as slow to make)
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


def _counted(sc: Scope, where: Sequence[ColumnElement[bool]]) -> tuple[ColumnElement[bool], ...] | None:
    """The scope's conditions on the kept counts (``event_counts``) when they answer it and nothing more is asked
    (``where``: a scenario's region); else None, and the events are counted."""
    return None if where else sc.counted


def _grid(engine: Engine, sc: Scope, cell: float, where: Sequence[ColumnElement[bool]] = ()) -> list[_Cell]:
    """The filtered events (inside ``bbox``, and ``where``) counted per grid cell, in SQL (one sort key per cell):
    on the fine grid, from the kept counts where they answer the scope."""
    ev, c = t.events.c, t.event_counts.c
    counted = _counted(sc, where)
    if counted is not None and cell == FINE_CELL:
        query = (select(c.cell.label("k"), func.sum(c.n).label("n"), func.sum(c.lat_sum).label("slat"),
                        func.sum(c.lon_sum).label("slon")).where(*counted, c.cell >= 0).group_by(c.cell))
    else:
        query = (select(_cell_key(engine, cell), func.count().label("n"), func.sum(ev.place_lat).label("slat"),
                        func.sum(ev.place_lon).label("slon"))
                 .where(*sc.conditions, *where, ev.place_lat.is_not(None), ev.place_lon.is_not(None))
                 .group_by(literal_column("k")))
    with engine.connect() as conn:
        return [_Cell(int(r.k) // CELL_KEY, int(r.k) % CELL_KEY, int(r.n), float(r.slat), float(r.slon))
                for r in conn.execute(query).all()]


def _merge(cells: Sequence[_Cell], factor: int) -> list[_Cell]:
    """Cells of a grid ``factor`` times coarser."""
    return [c for c, _ in _merge_days([(c, None) for c in cells], factor)]


def map_data(engine: Engine, sc: Scope) -> MapData:
    """The filtered events on a grid. With ``bbox``: the events inside it, in cells sized to it.
    Without: one pass on a fine grid gives where the events are (the view: their box, padded) and,
    merged, the clusters for that view. Cells holding one event link to it (found by their exact
    position: few events are counted again from the events, not from the kept counts' sums)."""
    found = _map_data(engine, sc)
    if sc.counted is not None and found.total <= SINGLES_UNDER:
        return _map_data(engine, replace(sc, counts=False))
    return found


def _map_data(engine: Engine, sc: Scope) -> MapData:
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
    or there are no events), the filtered events' daily counts (in all and by type), their counts by
    region, how many have no place, and a page of them."""

    window: tuple[date, date] | None
    days: tuple[tuple[date, int], ...]
    listed: EventList
    by_type: tuple[tuple[date, str, int], ...]
    regions: tuple[RegionCount, ...]
    unplaced: int


# -- counts by type and region ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RegionCount:
    """Events in one first-level region of a country (``admin1`` None: placed in the country, no region)."""

    country: str
    admin1: str | None
    count: int


def day_type_counts(engine: Engine, sc: Scope) -> list[tuple[date, str, int, int]]:
    """The filtered events per day and event type, and how many of them have a place, counted in SQL (from the
    kept counts where they answer the scope): one pass gives the explorer its chart, its daily counts and its
    count of events without a place."""
    ev, c = t.events.c, t.event_counts.c
    if sc.counted is not None:
        query = (select(c.date, c.type, func.sum(c.n), func.sum(case((c.cell >= 0, c.n), else_=0)))
                 .where(*sc.counted).group_by(c.date, c.type))
    else:
        query = (select(ev.date, ev.type, func.count(), func.count(ev.place_lat)).where(*sc.conditions)
                 .group_by(ev.date, ev.type))
    with engine.connect() as conn:
        return sorted((as_date(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in conn.execute(query).all())


def explorer_counts(rows: Sequence[tuple[date, str, int, int]]) -> tuple[list[tuple[date, int]],
                                                                        list[tuple[date, str, int]], int]:
    """From :func:`day_type_counts`' rows: the daily counts, the counts by day and type, and how many have no place."""
    days: dict[date, int] = {}
    for day, _, n, _ in rows:
        days[day] = days.get(day, 0) + n
    return sorted(days.items()), [(d, kind, n) for d, kind, n, _ in rows], sum(n - placed for _, _, n, placed in rows)


def region_counts(engine: Engine, sc: Scope, limit: int = REGIONS,
                  where: Sequence[ColumnElement[bool]] = ()) -> list[RegionCount]:
    """The first-level regions (or countries) holding most of the filtered placed events, counted in SQL (from the
    kept counts where they answer the scope)."""
    ev, c = t.events.c, t.event_counts.c
    counted = _counted(sc, where)
    if counted is not None:
        n = func.sum(c.n).label("n")
        query = (select(c.place_country, c.place_admin1, n).where(*counted, c.place_country != "")
                 .group_by(c.place_country, c.place_admin1).order_by(n.desc(), c.place_country, c.place_admin1))
    else:
        n = func.count().label("n")
        query = (select(ev.place_country, ev.place_admin1, n)
                 .where(*sc.conditions, *where, ev.place_country.is_not(None))
                 .group_by(ev.place_country, ev.place_admin1)
                 .order_by(n.desc(), ev.place_country, func.coalesce(ev.place_admin1, "")))
    with engine.connect() as conn:
        return [RegionCount(str(r[0]), r[1] or None, int(r[2])) for r in conn.execute(query.limit(limit))]


def day_type_region_counts(engine: Engine, sc: Scope, limit: int = REGIONS
                           ) -> tuple[list[tuple[date, str, int, int]], list[RegionCount]]:
    """:func:`day_type_counts` and :func:`region_counts` of the explorer: on PostgreSQL from one pass over the
    filtered events (``GROUPING SETS``; at 10 M events a month of one actor country's is 78,000 entries of its
    index, read once instead of twice), its dates' two halves read side by side; elsewhere from two passes."""
    if engine.dialect.name != "postgresql":
        return day_type_counts(engine, sc), region_counts(engine, sc, limit)
    days: list[tuple[date, str, int, int]] = []
    regions: dict[tuple[str, str | None], int] = {}
    for part in side_by_side(engine, [partial(_day_type_region_rows, engine, half) for half in _parts(engine, sc)]):
        for day, kind, country, admin1, n, placed in part:
            if day is not None:
                days.append((as_date(day), str(kind), int(n), int(placed)))
            elif country:  # not the events without a place (NULL, or the kept counts' "")
                key = (str(country), admin1 or None)
                regions[key] = regions.get(key, 0) + int(n)
    ranked = sorted(regions.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))[:limit]
    return sorted(days), [RegionCount(country, admin1, n) for (country, admin1), n in ranked]


def _parts(engine: Engine, sc: Scope) -> tuple[Scope, ...]:
    """The scope in the parts a long read of it is read in, side by side: its dates' two halves where that pays
    (:func:`~forewarn.store.core.reads_beside`), else whole."""
    return sc.halves() if reads_beside(engine) else (sc,)


def _day_type_region_rows(engine: Engine, sc: Scope) -> Sequence[Row[Any, Any, Any, Any, Any, Any]]:
    """The filtered events counted per (day, type) and per (country, first-level region), two grouping sets of one
    pass (PostgreSQL): rows of (day, type, None, None, n, placed) and (None, None, country, admin1, n, placed)."""
    ev, c = t.events.c, t.event_counts.c
    if sc.counted is not None:
        keys = (c.date, c.type, c.place_country, c.place_admin1)
        query = select(*keys, func.sum(c.n), func.sum(case((c.cell >= 0, c.n), else_=0))).where(*sc.counted)
    else:
        keys = (ev.date, ev.type, ev.place_country, ev.place_admin1)
        query = select(*keys, func.count(), func.count(ev.place_lat)).where(*sc.conditions)
    with engine.connect() as conn:
        return conn.execute(query.group_by(func.grouping_sets(tuple_(*keys[:2]), tuple_(*keys[2:])))).all()


def unplaced_count(engine: Engine, sc: Scope) -> int:
    """How many of the filtered events have no place (they cannot be drawn)."""
    ev, c = t.events.c, t.event_counts.c
    query = (select(func.sum(c.n)).where(*sc.counted, c.cell < 0) if sc.counted is not None
             else select(func.count()).where(*sc.conditions, ev.place_lat.is_(None)))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


# -- the map page -----------------------------------------------------------------------------------------

MAX_POINTS = 3_000  # (cell, day) rows the map page ships at most: past this the grid is coarser
LABELS = 40  # the places named most, labelled on the map
ONE_PASS_DAYS = 62  # a date range up to this long is counted per fine cell and day in one pass


@dataclass(frozen=True, slots=True)
class Point:
    """Events of one grid cell on one day: their mean position and count; for one event, its ids."""

    lat: float
    lon: float
    day: date
    count: int
    event_id: str | None = None
    document_id: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A place the filtered events name, with how many name it (a label on the map)."""

    name: str
    lat: float
    lon: float
    count: int


@dataclass(frozen=True)
class MapView:
    """What the map page shows: the view (the bulk of the events, or the scenario's region), the grid
    step, the points per cell and day, the places named most, and the placed and unplaced counts."""

    view: BBox
    cell: float
    points: tuple[Point, ...]
    places: tuple[Place, ...]
    placed: int
    unplaced: int
    regions: tuple[RegionCount, ...]
    window: tuple[date, date] | None = None


def quantile(values: Sequence[tuple[float, int]], q: float) -> float:
    """The ``q`` quantile of weighted values ((value, weight) pairs; at least one)."""
    ordered = sorted(values)
    total = sum(w for _, w in ordered)
    seen = 0
    for v, w in ordered:
        seen += w
        if seen >= q * total:
            return v
    return ordered[-1][0]


def bulk_box(cells: Sequence[tuple[float, float, int]], lo: float = 0.05, hi: float = 0.95) -> BBox | None:
    """The box holding the bulk of the events ((lat, lon, count) per cell): from the ``lo`` to the ``hi``
    quantile of their latitudes and longitudes, padded; None for no events."""
    if not cells:
        return None
    lats = [(lat, n) for lat, _, n in cells]
    lons = [(lon, n) for _, lon, n in cells]
    box = BBox(quantile(lons, lo), quantile(lats, lo), quantile(lons, hi), quantile(lats, hi))
    return box.padded(0.15, minimum=0.5)


def _day_grid(engine: Engine, sc: Scope, cell: float, where: Sequence[ColumnElement[bool]]) -> list[tuple[_Cell, date]]:
    """The filtered placed events counted per grid cell and day, in SQL: on a grid of whole fine cells, the kept
    counts' fine cells merged where they answer the scope."""
    ev, c = t.events.c, t.event_counts.c
    counted = _counted(sc, where)
    factor = round(cell / FINE_CELL)
    if counted is not None and factor >= 1 and math.isclose(factor * FINE_CELL, cell):
        query = (select(c.date, c.cell, func.sum(c.n), func.sum(c.lat_sum), func.sum(c.lon_sum))
                 .where(*counted, c.cell >= 0).group_by(c.date, c.cell))
        with engine.connect() as conn:
            fine = [(_Cell(k // CELL_KEY, k % CELL_KEY, int(n), float(slat), float(slon)), as_date(day))
                    for day, k, n, slat, slon in conn.execute(query).all()]
        return _merge_days(fine, factor)
    query = (select(ev.date, _cell_key(engine, cell), func.count().label("n"), func.sum(ev.place_lat).label("slat"),
                    func.sum(ev.place_lon).label("slon"))
             .where(*sc.conditions, *where, ev.place_lat.is_not(None), ev.place_lon.is_not(None))
             .group_by(ev.date, literal_column("k")))
    with engine.connect() as conn:
        found = conn.execute(query).all()
    days = {raw: as_date(raw) for raw in {r[0] for r in found}}
    return [(_Cell(int(k) // CELL_KEY, int(k) % CELL_KEY, int(n), float(slat), float(slon)), days[raw])
            for raw, k, n, slat, slon in found]


def _cell_key(engine: Engine, cell: float) -> Any:
    """An event's grid cell as one sort key (NULL for an event without a point)."""
    ev, dialect = t.events.c, engine.dialect.name
    return (grid_index(dialect, ev.place_lat, 90, cell) * literal_column(str(CELL_KEY))
            + grid_index(dialect, ev.place_lon, 180, cell)).label("k")


@dataclass(frozen=True, slots=True)
class _Named:
    """The filtered events naming one place (country, region, name), as :func:`top_places` and
    :func:`top_regions` read them: how many, how many with a point, the sums of their points."""

    place_country: str | None
    place_admin1: str | None
    place_name: str | None
    n: int
    placed: int
    slat: float
    slon: float


def _one_pass(engine: Engine, sc: Scope, where: Sequence[ColumnElement[bool]]
              ) -> tuple[list[tuple[_Cell, date]], list[_Cell], int, list[_Named]]:
    """The map's counts of a short date range from one grouped pass over the filtered events (per day and fine
    cell, and per place named; on PostgreSQL its dates' halves side by side): the fine grid per day and in all, how many
    have no point, and the places and regions they name (a place has both coordinates or neither). From the kept counts
    where they answer the scope. On PostgreSQL the two groupings are two grouping sets of the one pass (a month at
    10 M events: 4,800 rows instead of 7,000 of every day, cell and place); elsewhere the rows are grouped by all."""
    sets = engine.dialect.name == "postgresql"
    grid: list[tuple[_Cell, date]] = []
    cells: dict[tuple[Any, int], list[float]] = {}  # without grouping sets: a day's cell has a row per place
    named: dict[tuple[str | None, str | None, str | None], list[float]] = {}
    unplaced = 0
    reads = [partial(_one_pass_rows, engine, part, where, sets) for part in _parts(engine, sc)]
    for part in side_by_side(engine, reads):
        for day, k, country, admin1, name, n, placed, slat, slon in part:
            if day is not None:  # a row of a day and cell (on PostgreSQL, not of a place)
                if k is None:
                    unplaced += int(n)
                elif sets:  # the one row of its day and cell (the halves hold different days)
                    grid.append((_Cell(int(k) // CELL_KEY, int(k) % CELL_KEY, int(n), slat, slon), day))
                else:
                    c = cells.setdefault((day, int(k)), [0, 0.0, 0.0])
                    c[0], c[1], c[2] = c[0] + n, c[1] + float(slat), c[2] + float(slon)
            if (day is None or not sets) and (country is not None or placed):  # as _located: a place, or a point
                m = named.setdefault((country, admin1, name), [0, 0, 0.0, 0.0])
                m[0] += n if country is not None else placed
                m[1] += placed
                m[2] += float(slat or 0.0)
                m[3] += float(slon or 0.0)
    days = {raw: as_date(raw) for raw in {raw for raw, _ in cells}}
    grid += [(_Cell(k // CELL_KEY, k % CELL_KEY, int(m[0]), m[1], m[2]), days[raw]) for (raw, k), m in cells.items()]
    places = [_Named(*key, int(m[0]), int(m[1]), m[2], m[3]) for key, m in named.items()]
    return grid, _merge([c for c, _ in grid], 1), unplaced, places


def _one_pass_rows(engine: Engine, sc: Scope, where: Sequence[ColumnElement[bool]], sets: bool) -> Sequence[Row[Any]]:
    """:func:`_one_pass`'s rows: (day, fine cell, country, first-level region, place name, events, placed events, sum
    of latitudes, of longitudes), grouped by all of them, or (``sets``) by day and cell and apart by place."""
    ev, kept = t.events.c, t.event_counts.c
    counted = _counted(sc, where)
    if counted is not None:
        cell, places = case((kept.cell >= 0, kept.cell)).label("k"), _kept_places()
        query = select(kept.date, cell, *places, *_kept_sums()).where(*counted)
        keys: tuple[Any, ...] = (kept.date, cell, *places) if sets else (kept.date, kept.cell, kept.place_country,
                                                                        kept.place_admin1, kept.place_name)
    else:
        cell, places = _cell_key(engine, FINE_CELL), [ev.place_country, ev.place_admin1, ev.place_name]
        query = (select(ev.date, cell, *places, func.count(), func.count(ev.place_lat), func.sum(ev.place_lat),
                        func.sum(ev.place_lon)).where(*sc.conditions, *where))
        keys = (ev.date, cell if sets else literal_column("k"), *places)
    grouping = (func.grouping_sets(tuple_(*keys[:2]), tuple_(*keys[2:])),) if sets else keys
    with engine.connect() as conn:
        return conn.execute(query.group_by(*grouping)).all()


def _kept_places() -> list[Any]:
    """The kept counts' place columns, their sentinels NULL again (as the events' columns)."""
    c = t.event_counts.c
    return [func.nullif(c[name], "").label(name) for name in ("place_country", "place_admin1", "place_name")]


def _kept_sums() -> list[Any]:
    """Summed over kept counts: how many events, how many with a point, the sums of their points."""
    c = t.event_counts.c
    return [func.sum(c.n).label("n"), func.sum(case((c.cell >= 0, c.n), else_=0)).label("placed"),
            func.sum(c.lat_sum).label("slat"), func.sum(c.lon_sum).label("slon")]


def _merge_days(rows: Sequence[tuple[_Cell, _Day]], factor: int) -> list[tuple[_Cell, _Day]]:
    """Cells and days of a grid ``factor`` times coarser (the same as counting on it: floor of floor)."""
    merged: dict[tuple[int, int, _Day], list[float]] = {}
    for c, day in rows:
        key = (c.gy // factor, c.gx // factor, day)
        m = merged.get(key)
        if m is None:
            merged[key] = [c.n, c.lat_sum, c.lon_sum]
        else:
            m[0] += c.n
            m[1] += c.lat_sum
            m[2] += c.lon_sum
    return [(_Cell(gy, gx, int(m[0]), m[1], m[2]), day) for (gy, gx, day), m in merged.items()]


def _short(sc: Scope) -> bool:
    """Whether the scope's dates span few enough days to count the fine grid per day in one pass."""
    q = sc.query
    return q.date_from is not None and q.date_to is not None and (q.date_to - q.date_from).days < ONE_PASS_DAYS


def _points(engine: Engine, sc: Scope, where: Sequence[ColumnElement[bool]], cell: float,
            fine: Sequence[tuple[_Cell, date]] | None) -> tuple[float, list[tuple[_Cell, date]]]:
    """The grid step and the (cell, day) rows the map ships: merged from the fine grid's days when it
    was counted per day and the step is coarser, else counted on the step; coarser while too many."""
    if fine is not None and cell >= FINE_CELL:
        factor = max(1, round(cell / FINE_CELL))
        rows = _merge_days(fine, factor)
        while len(rows) > MAX_POINTS and factor * FINE_CELL < 45:
            factor *= 2
            rows = _merge_days(fine, factor)
        return FINE_CELL * factor, rows
    rows = _day_grid(engine, sc, cell, where)
    while len(rows) > MAX_POINTS and cell < 45:
        cell *= 2
        rows = _day_grid(engine, sc, cell, where)
    return cell, rows


def _located(engine: Engine, sc: Scope, where: Sequence[ColumnElement[bool]]) -> tuple[list[Place], list[RegionCount]]:
    """The places named most (labels) and the regions holding most events, from one grouped pass (over the kept
    counts where they answer the scope)."""
    ev, c = t.events.c, t.event_counts.c
    counted = _counted(sc, where)
    if counted is not None:
        query = (select(*_kept_places(), *_kept_sums()).where(*counted, or_(c.place_country != "", c.cell >= 0))
                 .group_by(c.place_country, c.place_admin1, c.place_name))
    else:
        query = (select(ev.place_country, ev.place_admin1, ev.place_name, func.count().label("n"),
                        func.count(ev.place_lat).label("placed"), func.sum(ev.place_lat).label("slat"),
                        func.sum(ev.place_lon).label("slon"))
                 .where(*sc.conditions, *where, or_(ev.place_country.is_not(None), ev.place_lat.is_not(None)))
                 .group_by(ev.place_country, ev.place_admin1, ev.place_name))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return top_places(rows), top_regions(rows)


def top_places(rows: Sequence[Any], limit: int = LABELS) -> list[Place]:
    """The place names most events name (their mean position), from rows of (…, place_name, placed, slat, slon)."""
    named: dict[str, list[float]] = {}
    for r in rows:
        if r.place_name is not None and r.placed:
            m = named.setdefault(r.place_name, [0, 0.0, 0.0])
            m[0] += r.placed
            m[1] += float(r.slat)
            m[2] += float(r.slon)
    ranked = sorted(named.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    return [Place(name, m[1] / m[0], m[2] / m[0], int(m[0])) for name, m in ranked]


def top_regions(rows: Sequence[Any], limit: int = REGIONS) -> list[RegionCount]:
    """The (country, first-level region) pairs holding most events, from rows of (country, admin1, …, n, …)."""
    counted: dict[tuple[str, str | None], int] = {}
    for r in rows:
        if r.place_country is not None:
            key = (str(r.place_country), r.place_admin1)
            counted[key] = counted.get(key, 0) + int(r.n)
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))[:limit]
    return [RegionCount(country, admin1, n) for (country, admin1), n in ranked]


def map_view(engine: Engine, sc: Scope, *, region: BBox | None = None,
             where: Sequence[ColumnElement[bool]] = ()) -> MapView:
    """The map page's data for the events of ``sc`` (and ``where``: a scenario's region, say). The view
    is ``region`` when given, else the box of the bulk of the events, counted on a fine grid first. Over a
    short date range one pass counts them per fine cell and day, and the places they name (and, without
    ``where``, those without a place): the points are merged from it and the places and regions read from it,
    without another pass over the events. The grid step keeps the (cell, day) rows under ``MAX_POINTS``. The
    counts are the kept ones where they answer the scope, but for few events, whose single-event points link to
    the event found by its exact position."""
    found = _map_view(engine, sc, region, where)
    if _counted(sc, where) is not None and found.placed <= SINGLES_UNDER:
        return _map_view(engine, replace(sc, counts=False), region, where)
    return found


def _map_view(engine: Engine, sc: Scope, region: BBox | None, where: Sequence[ColumnElement[bool]]) -> MapView:
    fine_days: list[tuple[_Cell, date]] | None = None
    unplaced: int | None = None
    if _short(sc):
        fine_days, fine, unplaced, named = _one_pass(engine, sc, where)
        places, regions = top_places(named), top_regions(named)
    else:
        fine = _grid(engine, sc, FINE_CELL, where)
        places, regions = _located(engine, sc, where)
    placed = sum(c.n for c in fine)
    view = region or sc.bbox or bulk_box([(c.lat_sum / c.n, c.lon_sum / c.n, c.n) for c in fine]) or WORLD
    cell, rows = _points(engine, sc, where, cell_size(view, columns=40), fine_days) if placed else \
        (cell_size(view, columns=40), [])
    singles = _singles(engine, sc, [c for c, _ in rows if c.n == 1]) if placed <= SINGLES_UNDER else {}
    points = []
    for c, day in rows:
        one = singles.get((c.lat_sum, c.lon_sum)) if c.n == 1 else None
        points.append(Point(round(c.lat_sum / c.n, 5), round(c.lon_sum / c.n, 5), day, c.n,
                            one[0] if one else None, one[1] if one else None, one[2] if one else None))
    points.sort(key=lambda p: (p.day, p.lat, p.lon))
    missing = unplaced if unplaced is not None and not where else unplaced_count(engine, sc)
    return MapView(view, cell, tuple(points), tuple(places), placed, missing, tuple(regions))


def region_where(region: Region) -> tuple[tuple[ColumnElement[bool], ...], BBox | None]:
    """A scenario's region as conditions on the events' places (its countries, its first-level regions, the
    box around its point and radius), and the box that point and radius make (the view), if any."""
    ev = t.events.c
    parts: list[ColumnElement[bool]] = []
    if region.countries:
        parts.append(ev.place_country.in_(region.countries))
    for spec in region.admin1:
        country, _, name = spec.partition(":")
        parts.append(and_(ev.place_country == country, ev.place_admin1 == name))
    box = None
    if region.point is not None:
        lat, lon = region.point
        km = region.radius_km or 50.0
        dy, dx = km / 111.0, km / (111.0 * max(math.cos(math.radians(lat)), 0.05))
        box = BBox(lon - dx, lat - dy, lon + dx, lat + dy).clamped()
        parts.append(and_(ev.place_lat.between(box.s, box.n), ev.place_lon.between(box.w, box.e)))
    return ((or_(*parts),) if parts else (false(),)), box
