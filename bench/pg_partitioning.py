"""Does partitioning the events table by month pay on PostgreSQL? The same queries timed on the cached store's
``events`` (bench/fill_events.py, default 10,000,000 events) and on a copy of it partitioned by month of the
event's date (``bench_events_by_month``, one partition per calendar month, the same indexes; the primary key
(id, date), as a partitioned table's unique keys must hold the partition key), built in that database for the
run and dropped afterwards (``--keep`` keeps it for the next run).

The queries, at the store's latest event date L:

  post-mortem, <scenario>, 120 days   a post-mortem's (and a 120-day replay's) window read: every event of the
                                      scenario's region dated L-119 … L, not negated, by date and id (the product's
                                      own filter, forewarn.store.queries.event_filters), all rows read
  post-mortem, 50 km box, 120 days    the same with a point and radius (Kharkiv, 50 km): a bounding box
  explorer: day × type, 30 days       the explorer's chart over its default window (every event)
  explorer: type + month              the count of one type over the last full month
  explorer: actor country, 30 days    the chart of one actor country over the window
  map: grid × day, 30 days            the map page's fine grid (0.25°) per day over the window
  latest date                         max(date) of the events not negated (the explorer's window starts there)
  no dates: one source                the count of one source's events over every date (no partition pruned)
  by id: 50 look-ups                  50 events by id, one query each (the document and warning pages' look-ups)
  by document: 50 look-ups            the events of 50 documents, one query each

Each query runs --repeat times (11) on each table, alternating, timed until its last row is read; the table
shows medians and p95 (``statistics.quantiles``, n=20, inclusive) and partitioned / plain of the medians. The
plain table is the baseline.

    FOREWARN_BENCH_PG_URL="$(bash scripts/postgres.sh)" python bench/pg_partitioning.py
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fill_events import bench_server, cached_postgres
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.dialects import postgresql

from forewarn.detect.scenarios import default_scenarios
from forewarn.model.query import EventQuery
from forewarn.store import schema as t
from forewarn.store.queries import event_filters

PARTED = "bench_events_by_month"
EVENTS = 10_000_000
LOOKUPS = 50
KHARKIV = (49.99, 36.23, 50.0)


@dataclass(frozen=True)
class Query:
    name: str
    sql: str  # on the plain table "events"
    params: tuple[dict[str, Any], ...] = ({},)  # run once each per repetition (look-ups)


def queries(conn: Connection) -> list[Query]:
    """The queries, their dates and keys read from the store."""
    last = conn.execute(text("SELECT max(date) FROM events")).scalar_one()
    month_end = last.replace(day=1) - timedelta(days=1)
    window = (last - timedelta(days=29), last)
    source = conn.execute(text("SELECT source_id FROM events GROUP BY source_id ORDER BY count(*) DESC LIMIT 1")
                          ).scalar_one()
    ids = conn.execute(text(f"SELECT id, document_id FROM events TABLESAMPLE SYSTEM (1) REPEATABLE (7) "
                            f"LIMIT {LOOKUPS}")).all()
    scenarios = [s for s in default_scenarios() if s.id in ("cross-border-incursion", "large-scale-invasion")]
    found = [Query(f"post-mortem, {s.id}, 120 days", _window_read(EventQuery(
        date_from=last - timedelta(days=119), date_to=last, region=s.region, limit=None))) for s in scenarios]
    live = "negated = false"
    in_window = f"date BETWEEN '{window[0]}' AND '{window[1]}' AND {live}"
    cell = "floor((place_lat + 90) / 0.25) * 100000 + floor((place_lon + 180) / 0.25)"
    return [
        *found,
        Query("post-mortem, 50 km box, 120 days", _window_read(EventQuery(
            date_from=last - timedelta(days=119), date_to=last, near=KHARKIV, limit=None))),
        Query("explorer: day × type, 30 days",
              f"SELECT date, type, count(*), count(place_lat) FROM events WHERE {in_window} GROUP BY date, type"),
        Query("explorer: type + month",
              f"SELECT count(*) FROM events WHERE type = 'ASSAULT' AND date BETWEEN '{month_end.replace(day=1)}' "
              f"AND '{month_end}' AND {live}"),
        Query("explorer: actor country, 30 days",
              f"SELECT date, type, count(*), count(place_lat) FROM events WHERE actor_country = 'RUS' "
              f"AND {in_window} GROUP BY date, type"),
        Query("map: grid × day, 30 days",
              f"SELECT date, {cell} AS k, count(*), sum(place_lat), sum(place_lon) FROM events WHERE {in_window} "
              "AND place_lat IS NOT NULL GROUP BY date, k"),
        Query("latest date", f"SELECT max(date) FROM events WHERE {live}"),
        Query("no dates: one source", f"SELECT count(*) FROM events WHERE source_id = '{source}' AND {live}"),
        Query(f"by id: {len(ids)} look-ups", "SELECT * FROM events WHERE id = :id",
              tuple({"id": r.id} for r in ids)),
        Query(f"by document: {len(ids)} look-ups", "SELECT * FROM events WHERE document_id = :d ORDER BY start",
              tuple({"d": r.document_id} for r in ids)),
    ]


def _window_read(q: EventQuery) -> str:
    """The product's read of events in a window (forewarn.store.events.find_events' filter and order) as SQL."""
    ev = t.events.c
    stmt = select(t.events).where(*event_filters(q)).order_by(ev.date, ev.id)
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def on(sql: str, table: str) -> str:
    """``sql`` on ``table`` instead of events (the table and its qualified columns)."""
    return re.sub(r"\bevents\b(?=[.\s]|$)", table, sql)


# -- the partitioned copy ---------------------------------------------------------------------------

def build(conn: Connection, progress: Callable[[str], None]) -> None:
    """The partitioned copy of events, one partition per month of their dates, with the same indexes."""
    t0 = time.perf_counter()
    first, last = conn.execute(select(func.min(t.events.c.date), func.max(t.events.c.date))).one()
    conn.execute(text(f"DROP TABLE IF EXISTS {PARTED}"))
    conn.execute(text(f"CREATE TABLE {PARTED} (LIKE events INCLUDING DEFAULTS) PARTITION BY RANGE (date)"))
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        conn.execute(text(f"CREATE TABLE {PARTED}_{month:%Y%m} PARTITION OF {PARTED} "
                          f"FOR VALUES FROM ('{month}') TO ('{following}')"))
        month = following
    conn.execute(text(f"INSERT INTO {PARTED} SELECT * FROM events"))
    progress(f"  {PARTED}: rows copied in {time.perf_counter() - t0:.0f} s")
    conn.execute(text("SET maintenance_work_mem = '512MB'"))
    conn.execute(text(f"ALTER TABLE {PARTED} ADD PRIMARY KEY (id, date)"))
    for index in sorted(t.events.indexes, key=lambda i: str(i.name)):
        columns = ", ".join(f'"{c.name}"' for c in index.columns)
        conn.execute(text(f"CREATE INDEX {index.name}_bm ON {PARTED} ({columns})"))
    progress(f"  {PARTED}: built with its indexes in {time.perf_counter() - t0:.0f} s")


def built(conn: Connection) -> bool:
    """Whether a kept copy is there, as many rows as events."""
    if conn.execute(text("SELECT to_regclass(:t)"), {"t": PARTED}).scalar() is None:
        return False
    return bool(conn.execute(text(f"SELECT (SELECT count(*) FROM {PARTED}) = (SELECT count(*) FROM events)"))
                .scalar())


# -- measuring --------------------------------------------------------------------------------------

def timed(conn: Connection, sql: str, params: tuple[dict[str, Any], ...]) -> tuple[float, int]:
    """Milliseconds to run ``sql`` once with each of ``params``, every row read; the rows."""
    rows = 0
    t0 = time.perf_counter()
    for p in params:
        rows += len(conn.execute(text(sql), p).all())
    return (time.perf_counter() - t0) * 1000, rows


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(conn: Connection, q: Query, repeat: int) -> tuple[int, list[float], list[float]]:
    plain, parted = on(q.sql, "events"), on(q.sql, PARTED)
    timed(conn, plain, q.params)  # warm both
    rows = timed(conn, parted, q.params)[1]
    a, b = [], []
    for _ in range(repeat):
        a.append(timed(conn, plain, q.params)[0])
        b.append(timed(conn, parted, q.params)[0])
    return rows, a, b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help=f"keep {PARTED} for the next run")
    args = parser.parse_args()

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    filled = cached_postgres(bench_server(), args.events, progress=progress)
    engine = create_engine(filled.url, isolation_level="AUTOCOMMIT")  # VACUUM; every query on its own
    try:
        with engine.connect() as conn:
            if not built(conn):
                build(conn, progress)
            conn.execute(text(f"VACUUM ANALYZE {PARTED}"))  # statistics and the visibility map, as for events
            report(conn, filled.events, args.repeat, progress)
            if not args.keep:
                conn.execute(text(f"DROP TABLE {PARTED}"))
    finally:
        engine.dispose()
    return 0


def report(conn: Connection, events: int, repeat: int, progress: Callable[[str], None]) -> None:
    sizes = conn.execute(text(
        "SELECT pg_size_pretty(pg_total_relation_size('events')), "
        f"(SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
        f"WHERE inhparent = '{PARTED}'::regclass), (SELECT count(*) FROM pg_inherits "
        f"WHERE inhparent = '{PARTED}'::regclass)")).one()
    print(f"\nPostgreSQL, {events:,} events: events {sizes[0]}, {PARTED} {sizes[1]} in {sizes[2]} monthly "
          f"partitions; medians and p95 of {repeat} runs, ms\n")
    print("| query | rows | plain median | plain p95 | by month median | by month p95 | by month / plain |")
    print("|---|---|---|---|---|---|---|")
    for q in queries(conn):
        rows, a, b = measure(conn, q, repeat)
        ratio = statistics.median(b) / max(statistics.median(a), 0.001)
        print(f"| {q.name} | {rows:,} | {statistics.median(a):.1f} | {p95(a):.1f} | {statistics.median(b):.1f} | "
              f"{p95(b):.1f} | {ratio:.2f} |", flush=True)
        progress(f"  {q.name}: {ratio:.2f}")


if __name__ == "__main__":
    sys.exit(main())
