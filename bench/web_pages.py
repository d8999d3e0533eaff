"""Workbench page speed: server time of the pages over a store of N events (default 1,000,000, from
bench/fill_events.py: the cached SQLite file; on PostgreSQL, when FOREWARN_BENCH_PG_URL is set, a fresh schema
filled for the run and dropped afterwards, its fill time printed — or, from 2,000,000 events or with --cached,
the cached database of N events on that server, filled once and kept: fill_events.cached_postgres).

Pages, each requested --repeat times (30) after --warmup requests (2) through Starlette's
TestClient with an admin's session cookie, every answer checked for status 200 and the page's DOM
hook (a page that did not render is an error, not a fast page):

  board                       /                                       open warnings; each scenario's published line
  scenario                    /scenarios/cross-border-incursion       chart, readable evidence rows, history; its line
                                                                      and softening gap (the admin has estimated)
  scenario: line withheld     /scenarios/large-scale-invasion         the same, its line withheld by the blind rule
  warning                     /warnings/<id>                          the latest warning, its evidence rows
  document                    /documents/<id>                         a document with events, in a duplicate cluster
  events: no filter           /events
  events: type + month        /events?type=ASSAULT&from=…&to=…   (the last full month)
  events: actor country       /events?actor-country=RUS
  events: source              /events?source=<the busiest source>
  events: place text          /events?place=kharkiv
  map                         /map                                    the latest window's places, clustered
  feed                        /feed                                   the live feed's first page (a visit)
  feed: scenario              /feed?scenario=cross-border-incursion   the items its latest assessment flagged

Before measuring, the store gets judgments once (bench/fill_judgments.py: questions, blind and revised
estimates, published lines, one softened and flagged, and dissents), so the board and the scenario pages are
measured with them (issue 17).

Server time is the ``Server-Timing: app;dur=<ms>`` header the app adds (from the request reaching
the app until its response starts: routing, authentication, every query, the template). The table
shows its median and p95 (``statistics.quantiles``, n=20, inclusive) over the repetitions.

Baseline, measured in the same run on the same store: the raw SQL (``text()``, no ORM work) of the
one query a page cannot do without, the median of --repeat runs. For the board: the open warnings
in board order; for the scenario: its latest stored assessment (with its signals); for the
document: its events; for the explorer: ``SELECT count(*) FROM events WHERE <the filter>`` (the
total the explorer shows). Where the explorer, given no dates, shows a default date range (its
form's from and to fields then hold it), the baseline counts over that range too. For the map: the
count of placed events (over every date); for the feed: its first page's keys (the newest documents
known); for the feed of a scenario: the signals of its latest assessment. The ratio is page / baseline.

Then one more request of each page with every statement it runs recorded (SQLAlchemy cursor
events), and each SELECT run again on its own three times, timed until its last row is read (the
fastest counts; SQLite computes most rows while they are fetched, after the cursor event): how
many SELECTs the page ran, their total time and the slowest. --explain prints, for every page that
misses the target, its slowest statements and the plan of the slowest (``EXPLAIN QUERY PLAN`` /
``EXPLAIN (ANALYZE, BUFFERS)``).

Target: p95 ≤ 100 ms on each page, on each backend (issue 16; it was 200 ms before).

    python bench/web_pages.py --events 50000 --repeat 10
    FOREWARN_BENCH_PG_URL="$(bash scripts/postgres.sh)" python bench/web_pages.py --backend both --explain
    FOREWARN_BENCH_PG_URL="$(bash scripts/postgres.sh)" python bench/web_pages.py --backend postgresql \
        --events 10000000                                 # the cached 10 M store (its first fill: about an hour)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from fill_events import ADMIN, DEFAULT_EVENTS, SCENARIOS, cached_postgres, cached_sqlite, fill
from fill_judgments import add_judgments
from pgschemas import pg_schemas
from sqlalchemy import Engine, event, text

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.runtime import settle
from forewarn.web import create_app
from forewarn.web.auth import SESSION_COOKIE

TARGET_MS = 100.0
CACHED_FROM = 2_000_000  # PostgreSQL stores of this many events are filled once and kept (a fill of minutes)
MIN_REPEAT = 5  # requests of a page however slow it is
REPLAYS = 3  # runs of each of a page's statements on their own: the fastest counts
SCENARIO = "cross-border-incursion"  # the bench's admin has estimated on its question: its line is shown
WITHHELD = "large-scale-invasion"  # and not on this one's: the blind rule withholds its line
LINE_SHOWN = ('class="line-words"', "logits")  # a scenario's published line and its softening gap (issue 17)
LINE_WITHHELD = ("withheld until you record your own estimate",)
PLACE = "kharkiv"
COUNTRY = "RUS"
TYPE = "ASSAULT"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    hook: str  # text the rendered page must hold
    baseline: str  # SQL
    params: dict[str, Any] = field(default_factory=dict)
    also: tuple[str, ...] = ()  # more text the page must hold (the judgments, issue 17)


@dataclass
class Result:
    page: Page
    times: list[float]
    baseline: list[float]
    queries: list[tuple[float, str, Any]]  # (ms, statement, parameters) of the profiled request
    error: str = ""  # the page did not render

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return _p95(self.times)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


# -- what to ask for ------------------------------------------------------------------------------

LIVE = "negated = false"  # the explorer, like the store, leaves negated events out
FEED_KEYS = "SELECT ingested_at, id FROM documents ORDER BY ingested_at DESC, id DESC LIMIT 51"  # a feed page's keys


def pages(engine: Engine) -> list[Page]:
    """The pages and their baselines, with targets read from the filled store."""
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(date) FROM events")).scalar_one()
        last = last if isinstance(last, date) else date.fromisoformat(str(last))
        warning = conn.execute(text("SELECT id FROM warnings ORDER BY raised_at DESC, id DESC LIMIT 1")).scalar_one()
        source = conn.execute(text("SELECT source_id FROM events GROUP BY source_id ORDER BY count(*) DESC "
                                   "LIMIT 1")).scalar_one()
        doc = conn.execute(text(
            "SELECT d.id FROM documents d JOIN clusters c ON c.id = d.cluster_id "
            "WHERE c.size > 1 AND (SELECT count(*) FROM events e WHERE e.document_id = d.id) >= 5 "
            "ORDER BY d.published_at DESC LIMIT 1")).scalar_one()
    month_end = last.replace(day=1) - timedelta(days=1)
    month = (month_end.replace(day=1), month_end)
    place_like = (f"(lower(place_name) LIKE '%{PLACE}%' ESCAPE '\\' "
                  f"OR lower(place_admin1) LIKE '%{PLACE}%' ESCAPE '\\')")
    count = "SELECT count(*) FROM events WHERE "
    explorer: list[tuple[str, dict[str, str], str, dict[str, Any]]] = [
        ("events: no filter", {}, count + LIVE, {}),
        ("events: type + month", {"type": TYPE, "from": month[0].isoformat(), "to": month[1].isoformat()},
         count + f"type = :type AND date >= :since AND date <= :until AND {LIVE}",
         {"type": TYPE, "since": month[0], "until": month[1]}),
        ("events: actor country", {"actor-country": COUNTRY}, count + f"actor_country = :c AND {LIVE}",
         {"c": COUNTRY}),
        ("events: source", {"source": source}, count + f"source_id = :s AND {LIVE}", {"s": source}),
        ("events: place text", {"place": PLACE}, count + f"{place_like} AND {LIVE}", {}),
    ]
    return [
        Page("board", "/", "data-warning-id",
             "SELECT * FROM warnings WHERE state IN ('raised', 'acknowledged') "
             "ORDER BY CASE WHEN escalation_level > 0 THEN 0 ELSE 1 END, raised_at, id LIMIT 200",
             also=LINE_SHOWN + LINE_WITHHELD),
        Page("scenario", f"/scenarios/{SCENARIO}", "contributions",
             "SELECT * FROM assessments WHERE scenario_id = :s ORDER BY at DESC, id DESC LIMIT 1", {"s": SCENARIO},
             also=LINE_SHOWN),
        Page("scenario: line withheld", f"/scenarios/{WITHHELD}", "contributions",
             "SELECT * FROM assessments WHERE scenario_id = :s ORDER BY at DESC, id DESC LIMIT 1", {"s": WITHHELD},
             also=LINE_WITHHELD),
        Page("warning", f"/warnings/{warning}", "evidence-group", "SELECT * FROM warnings WHERE id = :w",
             {"w": warning}),
        Page("document", f"/documents/{doc}", "document-text",
             "SELECT * FROM events WHERE document_id = :d ORDER BY start", {"d": doc}),
        *(Page(name, "/events" + (f"?{urlencode(q)}" if q else ""), 'class="events', sql, params)
          for name, q, sql, params in explorer),
        Page("map", "/map", 'id="map-data"', count + LIVE + " AND place_lat IS NOT NULL"),
        Page("feed", "/feed", 'class="feed-item', FEED_KEYS),
        Page("feed: scenario", f"/feed?scenario={SCENARIO}", 'class="feed-item',
             "SELECT signals FROM assessments WHERE scenario_id = :s ORDER BY at DESC, id DESC LIMIT 1",
             {"s": SCENARIO}),
    ]


# -- measuring ------------------------------------------------------------------------------------

def server_ms(response: Any) -> float:
    timing = response.headers.get("server-timing", "")
    for part in timing.split(","):
        name, _, rest = part.strip().partition(";")
        if name == "app" and rest.startswith("dur="):
            return float(rest[4:])
    raise AssertionError(f"no Server-Timing app;dur in {timing!r}")


def fetch(client: TestClient, page: Page) -> float:
    return _get(client, page)[0]


def shown_dates(client: TestClient, page: Page) -> tuple[str, str] | None:
    """The date range the explorer's filter form shows (its default range when none was asked for)."""
    html = _get(client, page)[1]
    found = [re.search(rf'name="{name}"[^>]*value="(\d{{4}}-\d{{2}}-\d{{2}})"', html)
             for name in ("from", "to")]
    return (found[0].group(1), found[1].group(1)) if found[0] and found[1] else None


def _get(client: TestClient, page: Page) -> tuple[float, str]:
    response = client.get(page.path)
    if response.status_code != 200:
        raise PageError(f"answered {response.status_code}")
    for hook in (page.hook, *page.also):
        if hook not in response.text:
            raise PageError(f"has no {hook!r}: not the page, or an empty one")
    return server_ms(response), response.text


class PageError(Exception):
    """A page that did not render."""


def time_sql(engine: Engine, page: Page, repeat: int) -> list[float]:
    out = []
    with engine.connect() as conn:
        for _ in range(repeat + 1):
            t0 = time.perf_counter()
            conn.execute(text(page.baseline), page.params).all()
            out.append((time.perf_counter() - t0) * 1000)
    return out[1:]  # the first warms the connection's statement cache


@contextmanager
def profiled(engine: Engine) -> Iterator[list[tuple[float, str, Any]]]:
    """Every statement run on ``engine`` meanwhile: (ms, statement, parameters)."""
    seen: list[tuple[float, str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info.setdefault("h5_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        started = conn.info["h5_started"].pop()
        seen.append(((time.perf_counter() - started) * 1000, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def measure(ws: Workspace, repeat: int, warmup: int, budget: float, progress: Callable[[str], None],
            only: tuple[str, ...] = ()) -> list[Result]:
    """``only``: measure the pages whose name holds one of these (all when empty)."""
    user = ws.accounts.user(ADMIN)
    cookie, _ = ws.accounts.start_session(user, hours=8)
    results = []
    app = create_app(ws)
    settle()  # as `forewarn serve` does before serving
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        for page in pages(ws.store.engine):
            if only and not any(name in page.name for name in only):
                continue
            try:
                for _ in range(warmup):
                    fetch(client, page)
            except PageError as err:
                progress(f"  {page.name}: {page.path} {err}")
                results.append(Result(page, [], [], [], error=str(err)))
                continue
            times: list[float] = []
            started = time.monotonic()
            while len(times) < repeat and (len(times) < MIN_REPEAT or time.monotonic() - started < budget):
                times.append(fetch(client, page))
            if page.path.startswith("/events") and "from=" not in page.path and (
                    dates := shown_dates(client, page)):
                page = replace(page, baseline=page.baseline + " AND date >= :shown_from AND date <= :shown_to",
                               params={**page.params, "shown_from": date.fromisoformat(dates[0]),
                                       "shown_to": date.fromisoformat(dates[1])})
            baseline = time_sql(ws.store.engine, page, repeat)
            with profiled(ws.store.engine) as seen:
                fetch(client, page)
            results.append(Result(page, times, baseline, replayed(ws.store.engine, seen)))
            progress(f"  {page.name}: p95 {_p95(times):.0f} ms")
    return results


def replayed(engine: Engine, seen: list[tuple[float, str, Any]]) -> list[tuple[float, str, Any]]:
    """The page's SELECT statements run again, each timed until its last row is fetched (a cursor
    event fires before the rows are read: SQLite computes most of them while they are fetched)."""
    out = []
    with engine.connect() as conn:
        for _, statement, parameters in seen:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            runs = []
            for _ in range(REPLAYS):
                t0 = time.perf_counter()
                conn.exec_driver_sql(statement, parameters).all()
                runs.append((time.perf_counter() - t0) * 1000)
            out.append((min(runs), statement, parameters))
    return out


def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    verb = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS)"
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"{verb} {statement}", parameters).all()
    if engine.dialect.name == "sqlite":
        return [f"{r[0]}/{r[1]}: {r[3]}" for r in rows]
    return [str(r[0]) for r in rows]


# -- reporting ------------------------------------------------------------------------------------

def args_repeat(results: list[Result]) -> int:
    return max((len(r.times) for r in results), default=0)


def report(backend: str, n: int, results: list[Result], engine: Engine, show_plans: bool) -> bool:
    print(f"\n{backend}, {n:,} events: server time (Server-Timing app;dur), up to {args_repeat(results)} requests "
          "a page\n")
    print("| page | n | median ms | p95 ms | baseline SQL ms | page / baseline | SELECTs | SQL ms (slowest) "
          "| target p95 ≤ 100 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    for r in results:
        if r.error:
            ok = False
            print(f"| {r.page.name} | 0 | – | – | – | – | – | – | ERROR: {r.error} |")
            continue
        base = statistics.median(r.baseline)
        total = sum(q[0] for q in r.queries)
        slowest = max((q[0] for q in r.queries), default=0.0)
        passed = r.p95 <= TARGET_MS
        ok &= passed
        print(f"| {r.page.name} | {len(r.times)} | {r.median:.1f} | {r.p95:.1f} | {base:.1f} | "
              f"{r.median / max(base, 0.01):.1f} | "
              f"{len(r.queries)} | {total:.1f} ({slowest:.1f}) | {'PASS' if passed else 'FAIL'} |")
    print("\nbaselines:")
    for r in results:
        print(f"  {r.page.name}: {r.page.baseline}  {_few(r.page.params) if r.page.params else ''}")
    if show_plans:
        for r in results:
            if r.error or r.p95 <= TARGET_MS or not r.queries:
                continue
            ranked = sorted(r.queries, key=lambda q: -q[0])
            print(f"\n{r.page.name} ({r.page.path}): {len(r.queries)} statements, "
                  f"{sum(q[0] for q in r.queries):.0f} ms in SQL of a {r.median:.0f} ms page; the slowest:")
            for ms, statement, _ in ranked[:6]:
                print(f"  {ms:7.1f} ms  {_short(statement)}")
            ms, statement, parameters = ranked[0]
            print(f"the slowest, {ms:.0f} ms:")
            print("  " + _short(statement, 10_000, elide=False))
            print(f"  parameters: {_few(parameters)}")
            for line in explain(engine, statement, parameters):
                print(f"    {line if len(line) <= 200 else line[:199] + '…'}")
    return ok


def _short(statement: str, width: int = 150, *, elide: bool = True) -> str:
    """A statement on one line, its long IN lists (and its column list) elided."""
    mark = r"(?:\?|%\(\w+\)s|%s)(?:::\w+)?"
    flat = re.sub(rf"(?:{mark}, ){{3,}}({mark})", r"\1, …", " ".join(statement.split()))
    head, sep, tail = flat.partition(" FROM ")
    if elide and sep and len(head) > 60:
        flat = f"{head[:40]} … FROM {tail}"
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def _few(parameters: Any, n: int = 8) -> str:
    if isinstance(parameters, dict) and len(parameters) > n:
        return f"{dict(list(parameters.items())[:n])} … ({len(parameters)} in all)"
    if isinstance(parameters, (list, tuple)) and len(parameters) > n:
        return f"{list(parameters[:n])} … ({len(parameters)} in all)"
    return str(parameters)


def run_backend(backend: str, n: int, args: argparse.Namespace) -> bool:
    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    if args.db:
        print(f"\nstore: {args.db.split('@')[-1]} (given)")
        return _run(args.db, n, args, progress)
    if backend == "sqlite":
        t0 = time.perf_counter()
        filled = cached_sqlite(n, progress=progress)
        where = "cached file" if filled.cached else f"filled in {time.perf_counter() - t0:.0f} s"
        print(f"\nSQLite store: {filled.url} ({where}; {filled.documents:,} documents)")
        return _run(filled.url, n, args, progress)
    url = os.environ.get("FOREWARN_BENCH_PG_URL")
    if not url:
        print("\nPostgreSQL: skipped (set FOREWARN_BENCH_PG_URL, e.g. \"$(bash scripts/postgres.sh)\")")
        return True
    if args.cached or n >= CACHED_FROM:
        t0 = time.perf_counter()
        filled = cached_postgres(url, n, progress=progress)
        where = "cached database" if filled.cached else f"filled in {time.perf_counter() - t0:.0f} s"
        print(f"\nPostgreSQL store: {filled.url.split('@')[-1]} ({where}; {filled.events:,} events, "
              f"{filled.documents:,} documents)")
        return _run(filled.url, n, args, progress)
    with pg_schemas(url) as fresh:
        schema_url = fresh()
        t0 = time.perf_counter()
        filled = fill(schema_url, n, progress=progress)
        print(f"\nPostgreSQL store: a fresh schema filled in {time.perf_counter() - t0:.0f} s "
              f"({filled.events:,} events, {filled.documents:,} documents)")
        return _run(schema_url, n, args, progress)


def _run(url: str, n: int, args: argparse.Namespace, progress: Callable[[str], None]) -> bool:
    add_judgments(url, SCENARIOS, ADMIN, progress)  # once per store: questions, estimates, lines, dissents
    ws = Workspace.open(Settings(database_url=url, actor="bench-web", extract=False))
    try:
        results = measure(ws, args.repeat, args.warmup, args.budget, progress, tuple(args.page or ()))
        return report(ws.store.dialect, n, results, ws.store.engine, args.explain)
    finally:
        ws.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds of requests per page: a slow page gets fewer repetitions (at least 5)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cached", action="store_true",
                        help="PostgreSQL: the cached database of --events events (bench/fill_events.py), filled once "
                             f"and kept, as from {CACHED_FROM:,} events anyway, not a fresh schema filled for the run")
    parser.add_argument("--db", help="measure this already filled store (a URL) instead; --backend is then ignored")
    parser.add_argument("--explain", action="store_true", help="print the slowest query's plan of each failing page")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--page", action="append", help="measure only the pages whose name holds this (repeatable: "
                                                        "--page scenario --page warning)")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" and not args.db else (args.backend,)
    started = datetime.now()
    ok = all([run_backend(b, args.events, args) for b in backends])
    print(f"\n{'PASS' if ok else 'FAIL'} ({(datetime.now() - started).total_seconds():.0f} s in all)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
