"""Page server time with markings enforced (issue 18): the same pages over the same store of N events (default
1,000,000), asked by an account that sees everything and by one from whom a tenth of the holdings is hidden.

The store: a copy of the page bench's cached SQLite file (bench/fill_events.py), kept beside it under a name
that carries the fraction, with the page bench's judgments (bench/fill_judgments.py) and then markings:

- a team "north" whose only member is the bench's admin (``bench-admin``);
- a seeded random FRACTION (default 10 %) of the documents, drawn uniformly, so spread over the two years and
  every country and town of the fill, restricted: half of them AMBER+STRICT of team "north", half RED with
  ``bench-admin`` its named recipient; their events and claims take their compartment, as extraction does;
- the sources that were AMBER (with no owning team in the fill, which opens them to nobody) owned by "north";
- a second admin account, ``bench-outsider``, in no team, who records the same estimate as the admin on the
  first scenario's question (so both see its line: the two askers' pages do the same work but for the markings).

So ``bench-admin`` sees everything (nothing is hidden from it: its reads carry no compartment condition, the
pages as they were before markings) and ``bench-outsider`` has every restricted compartment hidden (every read
carries ``compartment IS NULL OR compartment NOT IN (…)``).

Pages (web_pages.py's, their DOM hooks checked on every answer): the board, the two scenario pages, the
explorer's five filters and the map. Each is requested --warmup times by each asker, then --repeat times by
each, the two askers alternating request by request (same process, same store, same minute). Server time is
the ``Server-Timing: app;dur`` header. The table: median and p95 of each asker, the ratio of the p95s (target
≤ 1.2, issue 18), and whether the two askers' pages differ once session tokens, the clock and the signed-in
name are taken out (they must, for a page that shows restricted holdings: the markings are enforced, not merely
measured; "NO" on such a page means the bench measured a page that does not filter yet).

    python bench/markings_pages.py --events 50000 --repeat 10
    python bench/markings_pages.py --db URL     # a given store, marked first unless it has teams already
    python bench/markings_pages.py --explain    # and the plan of each page's slowest statement (outsider)
    FOREWARN_BENCH_PG_URL="$(bash scripts/postgres.sh)" python bench/markings_pages.py --backend postgresql
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from fill_events import ADMIN, DEFAULT_EVENTS, SCENARIOS, cache_path, cached_sqlite, fill
from fill_judgments import _Clock, add_judgments
from pgschemas import pg_schemas
from sqlalchemy import Connection, func, select, text
from web_pages import SCENARIO, Page, PageError, _get, _p95, _short, explain, pages, profiled, replayed

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.marking import Compartment
from forewarn.runtime import settle
from forewarn.store import open_store
from forewarn.store import schema as t
from forewarn.web import create_app
from forewarn.web.auth import SESSION_COOKIE

OUTSIDER, OUTSIDER_PASSWORD = "bench-outsider", "bench-outsider-password"
TEAM = "north"
TARGET_RATIO = 1.2
MEASURED = ("board", "scenario", "scenario: line withheld", "events: no filter", "events: type + month",
            "events: actor country", "events: source", "events: place text", "map")
# what differs between two askers' pages whatever they may see: session tokens, the clock, who is signed in
_PER_REQUEST = re.compile(r'(csrf[-_]token"? (?:content|value)=|data-now=)"[^"]*"|<span class="user"[^<]*</span>')


# -- the store ---------------------------------------------------------------------------------------------------

def marked_sqlite(n: int, fraction: float, progress: Callable[[str], None]) -> str:
    """The URL of the marked copy of the cached store of ``n`` events (made once, then reused)."""
    base = cache_path(n)
    path = base.with_name(base.name.removesuffix(".db") + f"-marked{round(fraction * 100)}.db")
    if not path.exists():
        cached_sqlite(n, progress=progress)
        partial = path.with_name(path.name + ".partial")
        shutil.copyfile(base, partial)
        prepare(f"sqlite:///{partial}", fraction, progress)
        os.replace(partial, path)
    return f"sqlite:///{path}"


def prepare(url: str, fraction: float, progress: Callable[[str], None], seed: int = 18) -> None:
    """Judgments, the team, the restricted documents, events and claims, and the outsider (once per store)."""
    add_judgments(url, SCENARIOS, ADMIN, progress)
    store = open_store(url, migrate=False)
    with store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(t.teams)).scalar_one():
            store.close()
            return
        last = conn.execute(select(func.max(t.ledger.c.at))).scalar_one()
    started = time.perf_counter()
    with store.engine.begin() as conn:
        restricted = _mark(store, conn, fraction, random.Random(seed), last)
    if store.engine.dialect.name == "postgresql":  # the updates left the visibility map stale: index-only scans
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # would visit rows
            conn.exec_driver_sql("VACUUM ANALYZE sources, documents, events, claims")
    ws = Workspace(Settings(database_url=url, actor="bench-fill", extract=False), store,
                   _Clock(last.replace(tzinfo=UTC) if last.tzinfo is None else last))
    try:
        ws.accounts.add_user(OUTSIDER, OUTSIDER_PASSWORD, Role.ADMIN, actor="bench-fill", display_name="Outsider")
        outsider = ws.acting_as(Principal(OUTSIDER, Role.ADMIN, PrincipalKind.USER))
        outsider.judgments.estimate(SCENARIO, 0.4, "the bench's own")
    finally:
        ws.close()
    progress(f"  markings: {restricted:,} documents restricted in {time.perf_counter() - started:.0f} s")


def _mark(store: Any, conn: Connection, fraction: float, rng: random.Random, at: datetime) -> int:
    conn.execute(t.teams.insert().values(id=TEAM, name="North", created_by="bench-fill", created_at=at))
    conn.execute(t.team_members.insert().values(team_id=TEAM, account=ADMIN, added_by="bench-fill", added_at=at))
    compartment_id = store.compartment_id
    strict = compartment_id(conn, Compartment.of("TLP:AMBER+STRICT", [TEAM]))
    red = compartment_id(conn, Compartment.of("TLP:RED", [], [ADMIN]))
    amber = compartment_id(conn, Compartment.of("TLP:AMBER", [TEAM]))
    conn.execute(text("UPDATE sources SET compartment = :c WHERE compartment IS NOT NULL"), {"c": amber})
    conn.execute(text("DELETE FROM compartments WHERE id NOT IN (:a, :s, :r)"), {"a": amber, "s": strict, "r": red})
    ids = list(conn.execute(select(t.documents.c.id).order_by(t.documents.c.id)).scalars())
    chosen = rng.sample(ids, round(len(ids) * fraction))
    for k in range(0, len(chosen), 5000):
        for half, cid in ((chosen[k:k + 5000:2], strict), (chosen[k + 1:k + 5000:2], red)):
            conn.execute(t.documents.update().where(t.documents.c.id.in_(half)).values(compartment=cid))
    for table in ("events", "claims"):
        conn.execute(text(f"UPDATE {table} SET compartment = (SELECT d.compartment FROM documents d "
                          f"WHERE d.id = {table}.document_id) WHERE document_id IN "
                          "(SELECT id FROM documents WHERE compartment IS NOT NULL)"))
    return len(chosen)


# -- measuring ---------------------------------------------------------------------------------------------------

def measure(ws: Workspace, repeat: int, warmup: int, progress: Callable[[str], None],
            plans: bool = False) -> list[tuple[Page, list[float], list[float], bool]]:
    """Per page: the seer's times, the outsider's times, and whether their pages differ."""
    cookies = {name: ws.accounts.start_session(ws.accounts.user(name), hours=8)[0] for name in (ADMIN, OUTSIDER)}
    out = []
    app = create_app(ws)
    settle()
    with TestClient(app, follow_redirects=False) as client:

        def get(name: str, page: Page) -> tuple[float, str]:
            client.cookies.set(SESSION_COOKIE, cookies[name])
            return _get(client, page)

        for page in pages(ws.store.engine):
            if page.name not in MEASURED:
                continue
            try:
                bodies = {name: _PER_REQUEST.sub("", [get(name, page)[1] for _ in range(warmup)][-1])
                          for name in cookies}
            except PageError as err:
                progress(f"  {page.name}: {page.path} {err}")
                continue
            times: dict[str, list[float]] = {name: [] for name in cookies}
            for _ in range(repeat):
                for name in cookies:
                    times[name].append(get(name, page)[0])
            out.append((page, times[ADMIN], times[OUTSIDER], bodies[ADMIN] != bodies[OUTSIDER]))
            if plans:
                with profiled(ws.store.engine) as seen:
                    get(OUTSIDER, page)
                _plan(ws, page, replayed(ws.store.engine, seen))
            progress(f"  {page.name}: p95 {_p95(times[ADMIN]):.0f} / {_p95(times[OUTSIDER]):.0f} ms")
    return out


def _plan(ws: Workspace, page: Page, queries: list[tuple[float, str, object]]) -> None:
    """The outsider's slowest statement on ``page`` and its plan (to stderr: the table stays on stdout)."""
    if not queries:
        return
    ms, statement, parameters = max(queries, key=lambda q: q[0])
    lines = [f"  plan, {page.name} as {OUTSIDER}: slowest of {len(queries)} SELECTs, {ms:.1f} ms: "
             f"{_short(statement, 300)}", *(f"      {line[:200]}" for line in
                                            explain(ws.store.engine, statement, parameters))]
    print("\n".join(lines), file=sys.stderr, flush=True)


def report(backend: str, n: int, results: list[tuple[Page, list[float], list[float], bool]]) -> bool:
    print(f"\n{backend}, {n:,} events: server time (Server-Timing app;dur), {ADMIN} (sees everything) and "
          f"{OUTSIDER} (restricted holdings hidden), alternating\n")
    print("| page | n | all: median ms | all: p95 ms | hidden: median ms | hidden: p95 ms | p95 ratio | "
          f"pages differ | target ratio ≤ {TARGET_RATIO} |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    for page, seer, outsider, differ in results:
        ratio = _p95(outsider) / max(_p95(seer), 0.01)
        passed = ratio <= TARGET_RATIO
        ok &= passed
        print(f"| {page.name} | {len(seer)} | {statistics.median(seer):.1f} | {_p95(seer):.1f} | "
              f"{statistics.median(outsider):.1f} | {_p95(outsider):.1f} | {ratio:.2f} | "
              f"{'yes' if differ else 'NO'} | {'PASS' if passed else 'FAIL'} |")
    return ok


def run(url: str, n: int, args: argparse.Namespace, progress: Callable[[str], None]) -> bool:
    ws = Workspace.open(Settings(database_url=url, actor="bench-web", extract=False))
    try:
        hidden = ws.store.access(Principal(OUTSIDER, Role.ADMIN, PrincipalKind.USER)).hidden
        seer = ws.store.access(Principal(ADMIN, Role.ADMIN, PrincipalKind.USER)).hidden
        with ws.store.engine.connect() as conn:
            share = conn.execute(text("SELECT avg(CASE WHEN compartment IS NULL THEN 0.0 ELSE 1.0 END) "
                                      "FROM events")).scalar_one()
        print(f"\nrestricted events: {float(share):.1%}; compartments hidden from {ADMIN}: {len(seer)}, "
              f"from {OUTSIDER}: {len(hidden)}")
        return report(ws.store.dialect, n, measure(ws, args.repeat, args.warmup, progress, args.explain))
    finally:
        ws.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--fraction", type=float, default=0.1, help="share of the documents restricted")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--db", help="measure this store (a URL), marked first when it is not yet")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--explain", action="store_true",
                        help="print the plan of each page's slowest statement as the outsider asks (stderr)")
    args = parser.parse_args()

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    started = datetime.now()
    ok = True
    if args.db:
        prepare(args.db, args.fraction, progress)
        ok = run(args.db, args.events, args, progress)
    if not args.db and args.backend in ("sqlite", "both"):
        url = marked_sqlite(args.events, args.fraction, progress)
        print(f"\nSQLite store: {url}")
        ok &= run(url, args.events, args, progress)
    if not args.db and args.backend in ("postgresql", "both"):
        ok &= _postgres(args, progress)
    print(f"\n{'PASS' if ok else 'FAIL'} ({(datetime.now() - started).total_seconds():.0f} s in all)")
    return 0 if ok else 1


def _postgres(args: argparse.Namespace, progress: Callable[[str], None]) -> bool:
    url = os.environ.get("FOREWARN_BENCH_PG_URL")
    if not url:
        print("\nPostgreSQL: skipped (set FOREWARN_BENCH_PG_URL, e.g. \"$(bash scripts/postgres.sh)\")")
        return True
    with pg_schemas(url) as fresh:
        schema_url = fresh()
        t0 = time.perf_counter()
        filled = fill(schema_url, args.events, progress=progress)
        prepare(schema_url, args.fraction, progress)
        print(f"\nPostgreSQL store: a fresh schema filled and marked in {time.perf_counter() - t0:.0f} s "
              f"({filled.events:,} events)")
        return run(schema_url, args.events, args, progress)


if __name__ == "__main__":
    sys.exit(main())

