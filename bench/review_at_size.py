"""Post-mortem and replay at size: a store of millions of events (issue 20's target: ≤ 5 s at 10 M events).

On a filled store (--db URL: the cached 10 M-event PostgreSQL store of bench/fill_events.py, or any other),
for each scenario (--scenario, repeatable; default: the two default scenarios the fill's places lie in):

  share         of the store's events, those of the scenario's types in its region (anywhere where an indicator
                looks beyond it; the region as the store's query has it): how much of the store the scenario reads
  read          the raw rows of the events a 120-day replay reads (SQL only: every column of the events of the
                scenario's types dated within the replay's look-back, as tuples): the baseline
  post-mortem   ``ws.review.postmortem(scenario, day)``: the day is the fill's last but --before days
  replay        ``ws.review.replay(scenario, day - 119 days, day, "1d")``: 120 daily steps

Each is timed twice over: its first run, which tests every day of its period for the scenario's keywords and
attention queries and has the store remember the matches (forewarn.store.matched; what the bench's store
remembered before is forgotten at the start), then the median of --repeat runs after it, which read what was
remembered (as every review after the first does, until the store's days change). The raw read is timed last:
it brings one to three million rows through the server and into this process (2–4 GB), which left the reviews timed
after it slower (cross-border-incursion's replay 5.1–6.7 s after it against 4.3–5.3 s without, the same hour).
With --no-warm it is not run once unmeasured before it is timed. Target: post-mortem and replay ≤ 5 s each.

    FOREWARN_BENCH_PG_URL="$(bash scripts/postgres.sh)" python bench/review_at_size.py   # the 10 M store
    python bench/review_at_size.py --db sqlite:///…/events-1000000-….db                     # any other
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from fill_events import cached_postgres
from sqlalchemy import func, select, text

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.detect.scenarios import default_scenario
from forewarn.model import IndicatorKind
from forewarn.model.query import EventQuery
from forewarn.review.replay import history_days
from forewarn.store import schema as t

SCENARIOS = ("cross-border-incursion", "large-scale-invasion")
DAYS = 120
TARGET_S = 5.0


def timed(repeat: int, work: Callable[[], object], warm: bool = True) -> float:
    """The median seconds of ``repeat`` runs of ``work`` after one unmeasured run (none without ``warm``)."""
    if warm:
        work()
    return statistics.median(seconds(work) for _ in range(repeat))


def seconds(work: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    work()
    return time.perf_counter() - t0


def first_and_again(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """The seconds of the first run of ``work`` and the median of ``repeat`` runs after it."""
    return seconds(work), statistics.median(seconds(work) for _ in range(repeat))


def forget(ws: Workspace) -> None:
    """Drop the text matches the store remembers: the first review of each scenario tests its days again."""
    with ws.store.engine.begin() as conn:
        conn.execute(t.match_hits.delete())
        conn.execute(t.match_days.delete())
        conn.execute(t.match_marks.delete())


def raw_read(ws: Workspace, types: tuple[str, ...], since: date, until: date) -> int:
    """Every column of the events of ``types`` dated in [since, until], read as tuples: the baseline."""
    where = "date >= :since AND date <= :until AND NOT negated"
    params: dict[str, object] = {"since": since, "until": until}
    if types:
        where += " AND type IN (" + ", ".join(f":t{i}" for i in range(len(types))) + ")"
        params |= {f"t{i}": kind for i, kind in enumerate(types)}
    with ws.store.engine.connect() as conn:
        return sum(1 for _ in conn.execute(text(f"SELECT * FROM events WHERE {where}"), params))


def store_url(events: int) -> str | None:
    """The cached PostgreSQL store of ``events`` events (bench/fill_events.py), or None without a server."""
    server = os.environ.get("FOREWARN_BENCH_PG_URL")
    return cached_postgres(server, events, progress=lambda line: print(line, file=sys.stderr)).url if server else None


def last_day(ws: Workspace) -> date:
    with ws.store.engine.connect() as conn:
        found = conn.execute(select(func.max(t.events.c.date))).scalar_one()
    return found if isinstance(found, date) else date.fromisoformat(str(found)[:10])


def measure(ws: Workspace, scenario_id: str, day: date, total: int, repeat: int, warm: bool) -> tuple[str, bool]:
    scenario = default_scenario(scenario_id)
    end = datetime.combine(day, clock(0), UTC)
    start = end - timedelta(days=DAYS - 1)
    types = tuple(sorted({k for i in scenario.indicators for k in i.types}))
    looks_beyond = any(not i.in_region for i in scenario.indicators if i.kind is not IndicatorKind.MENTIONS)
    reads = ws.store.count_events(EventQuery(types=types, region=None if looks_beyond else scenario.region, limit=None))
    since = start.date() - timedelta(days=history_days(scenario))
    pm_first, postmortem = first_and_again(repeat, lambda: ws.review.postmortem(scenario_id, day))
    replay_first, replay = first_and_again(repeat, lambda: ws.review.replay(scenario_id, start, end, "1d"))
    read = timed(repeat, lambda: raw_read(ws, types, since, day), warm)  # last: see the module's docstring
    ok = postmortem <= TARGET_S and replay <= TARGET_S
    mark = "✔" if ok else "✗"
    return (f"| {scenario_id} | {reads / total:.0%} | {read:.2f} | {pm_first:.2f} | {postmortem:.2f} "
            f"({postmortem / read:.1f}×) | {replay_first:.2f} | {replay:.2f} ({replay / read:.1f}×) | "
            f"≤ {TARGET_S:.0f} s {mark} |"), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a filled store's URL (default: the cached PostgreSQL store of --events events "
                                     "on the server of FOREWARN_BENCH_PG_URL, filled first when missing)")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--scenario", action="append", help="default scenario id (repeatable)")
    parser.add_argument("--before", type=int, default=10, help="days before the fill's last day the event falls on")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-warm", action="store_true", help="no unmeasured raw read before the timed ones")
    args = parser.parse_args()
    url = args.db or store_url(args.events)
    if url is None:
        print("PostgreSQL: skipped (set FOREWARN_BENCH_PG_URL, e.g. \"$(bash scripts/postgres.sh)\", or give --db)")
        return 0
    ws = Workspace.open(Settings(database_url=url, actor="bench-review", extract=False))
    try:
        with ws.store.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(t.events)).scalar_one()
        day = last_day(ws) - timedelta(days=args.before)
        forget(ws)
        print(f"store: {ws.store.dialect}, {total:,} events; post-mortem of {day}, replay {DAYS} days to it at daily "
              f"steps; first runs, then medians of {args.repeat} runs after them\n")
        print("| scenario | share of the store read | raw read of the replay's rows (baseline) s "
              "| post-mortem, first s | post-mortem s | replay, first s | replay s | target |")
        print("|---|---|---|---|---|---|---|---|")
        results = [measure(ws, s, day, total, args.repeat, not args.no_warm) for s in args.scenario or SCENARIOS]
    finally:
        ws.close()
    for line, _ in results:
        print(line)
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
