"""Events counted by day, event type, negation, compartment, place (country, region, name) and 0.25° grid cell
(``event_counts``), kept by the write path in the transaction that adds, removes or re-marks the events. The
explorer's daily counts, its regions and the map's grid over a window of half a million events read tens of
thousands of these rows instead (docs/scale.md). Each key's count and the sums of its events' coordinates (the
map's mean positions) are kept.

Every write of events counts through here: :func:`count_events` (extraction: the events removed and added),
:func:`move_compartment` (re-marking); :func:`recount_events` counts a store loaded another way (the bench's fill)
afresh, and a test checks that the kept counts equal a fresh count after each kind of write.

A primary key holds no NULL on SQLite, so the key stands sentinels for it: compartment 0 (open), ``''`` for no
country, region or name, cell -1 for no point. A transaction adds to the rows in one statement near its end, its
keys in sorted order, so that concurrent writers take the rows' locks in the same order (no deadlock).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, Integer, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement

from forewarn.store import schema as t
from forewarn.store.core import chunks

FINE_CELL = 0.25  # degrees: the grid the counts (and the map's default view) are kept on
CELL_KEY = 100_000  # a cell's number: row * CELL_KEY + column (columns < 36,000 at 0.01°)

Key = tuple[date, str, bool, int, str, str, str, int]  # as the columns of event_counts, in order
_KEY_COLUMNS = ("date", "type", "negated", "compartment", "place_country", "place_admin1", "place_name", "cell")


def grid_index(dialect: str, column: Any, offset: int, cell: float) -> Any:
    """floor((column + offset) / cell) in SQL: a grid row or column (the sum is never negative, so a cast
    truncates like floor on SQLite; PostgreSQL's cast rounds, so it says floor). :func:`fine_cell` is the same
    arithmetic in Python."""
    scaled = (column + literal_column(str(offset))) / literal_column(repr(float(cell)))
    return func.floor(scaled) if dialect == "postgresql" else cast(scaled, Integer)


def fine_cell(lat: float | None, lon: float | None) -> int:
    """The number of the 0.25° cell holding a point (-1: no point), as :func:`grid_index` makes it."""
    if lat is None or lon is None:
        return -1
    return math.floor((lat + 90) / FINE_CELL) * CELL_KEY + math.floor((lon + 180) / FINE_CELL)


def key_of(row: Mapping[str, Any]) -> Key:
    """An events row's key (its columns by name)."""
    return (row["date"], row["type"], bool(row["negated"]), row["compartment"] or 0, row["place_country"] or "",
            row["place_admin1"] or "", row["place_name"] or "", fine_cell(row["place_lat"], row["place_lon"]))


def count_events(conn: Connection, added: Iterable[Mapping[str, Any]], removed: Iterable[Mapping[str, Any]]) -> None:
    """Count the events rows ``added`` and uncount those ``removed`` (in the caller's transaction). A key whose
    events were removed and added alike is not touched (its sums cancel exactly: each is summed once, exactly)."""
    parts: dict[Key, tuple[list[int], list[float], list[float]]] = {}
    for sign, rows in ((1, added), (-1, removed)):
        for row in rows:
            n, lats, lons = parts.setdefault(key_of(row), ([], [], []))
            n.append(sign)
            if row["place_lat"] is not None:
                lats.append(sign * row["place_lat"])
            if row["place_lon"] is not None:
                lons.append(sign * row["place_lon"])
    _add(conn, {k: (sum(n), math.fsum(lats), math.fsum(lons)) for k, (n, lats, lons) in parts.items()})


def move_compartment(conn: Connection, where: ColumnElement[bool], old: int | None, new: int | None) -> None:
    """Move the counts of the events matching ``where`` (all in compartment ``old``) to compartment ``new``: call
    before the events are updated."""
    deltas: dict[Key, tuple[int, float, float]] = {}
    for r in conn.execute(_grouped(conn.dialect.name, where)):
        for compartment, sign in ((old or 0, -1), (new or 0, 1)):
            key: Key = (r[0], r[1], bool(r[2]), compartment, r[4], r[5], r[6], int(r[7]))
            n, slat, slon = deltas.get(key, (0, 0.0, 0.0))
            deltas[key] = (n + sign * int(r.n), slat + sign * float(r.lat_sum), slon + sign * float(r.lon_sum))
    _add(conn, deltas)


def recount_events(conn: Connection) -> None:
    """Count every stored event afresh (for a store loaded other than through the write path)."""
    conn.execute(t.event_counts.delete())
    conn.execute(t.event_counts.insert().from_select([*_KEY_COLUMNS, "n", "lat_sum", "lon_sum"],
                                                     _grouped(conn.dialect.name)))


def _grouped(dialect: str, *where: ColumnElement[bool]) -> Any:
    """The events (matching ``where``) grouped by key in SQL, as event_counts' columns."""
    ev = t.events.c
    cell = (grid_index(dialect, ev.place_lat, 90, FINE_CELL) * literal_column(str(CELL_KEY))
            + grid_index(dialect, ev.place_lon, 180, FINE_CELL))
    key = [ev.date, ev.type, ev.negated, func.coalesce(ev.compartment, 0), func.coalesce(ev.place_country, ""),
           func.coalesce(ev.place_admin1, ""), func.coalesce(ev.place_name, ""),
           func.coalesce(cast(cell, Integer), -1)]
    return (select(*key, func.count().label("n"), func.coalesce(func.sum(ev.place_lat), 0.0).label("lat_sum"),
                   func.coalesce(func.sum(ev.place_lon), 0.0).label("lon_sum"))
            .where(*where).group_by(*key))


def _add(conn: Connection, deltas: Mapping[Key, tuple[int, float, float]]) -> None:
    """Add to the counts of these keys, in key order; drop the rows left counting nothing."""
    rows = [dict(zip((*_KEY_COLUMNS, "n", "lat_sum", "lon_sum"), (*k, n, slat, slon), strict=True))
            for k, (n, slat, slon) in sorted(deltas.items()) if n or slat or slon]
    if not rows:
        return
    c = t.event_counts.c
    ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t.event_counts)
    conn.execute(ins.on_conflict_do_update(index_elements=list(_KEY_COLUMNS), set_={
        "n": c.n + ins.excluded.n, "lat_sum": c.lat_sum + ins.excluded.lat_sum,
        "lon_sum": c.lon_sum + ins.excluded.lon_sum}), rows)
    for days in chunks(sorted({k[0] for k, (n, _, _) in deltas.items() if n < 0})):
        conn.execute(t.event_counts.delete().where(c.date.in_(days), c.n <= 0))
