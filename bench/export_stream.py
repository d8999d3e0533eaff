"""Streaming export of the 1 M-event workspace: events/s and peak memory of each format's export.

The workspace is bench/fill_events.py's cached SQLite store (1,000,000 events, 222,054 documents, two scenarios
with 150 assessments each, 24 warnings), or a store given with ``--url`` (a PostgreSQL one filled with
``python bench/fill_events.py --db URL``). Each export runs in a fresh child process acting for one account
(``ws.exports.export``, as `forewarn export` does: every event, its document's claims, the sources and markings;
for stix and misp the analysis as well) and writes to a sink that only counts what it is given (no disk in the
way); peak RSS is that process's largest resident set, all of it (interpreter, imports, export).

  measured   each format: plover, stix, misp
  baseline   a raw select of the same event rows (``events`` joined as the export reads them, in (date, id)
             order, streamed) with the store's engine, each row written as a JSON line: the same run, the same
             store; "of raw" is the format's events/s over the baseline's

Targets (issue 19): ≥ 5,000 events/s and peak RSS ≤ 500 MB for every format.

    python bench/export_stream.py                      # 1,000,000 events (filled first when not cached)
    python bench/export_stream.py --limit 100000       # the first 100,000 events only
    python bench/export_stream.py --url postgresql://... --formats plover
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_RATE = 5000  # events/s
TARGET_PEAK_MB = 500
RAW = "raw select"


class Sink(io.TextIOBase):
    """A text stream that keeps nothing: it counts the characters written."""

    def __init__(self) -> None:
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def child(url: str, fmt: str, limit: int | None) -> dict[str, float]:
    from forewarn.app import Workspace
    from forewarn.config import Settings
    from forewarn.model.query import EventQuery

    ws = Workspace.open(Settings(database_url=url, actor="bench-export", extract=False))
    sink, query = Sink(), EventQuery(limit=limit)
    out = cast(IO[str], sink)
    started = time.perf_counter()
    events = _raw(ws, sink, query) if fmt == RAW else ws.exports.export(out, query, fmt)
    seconds = time.perf_counter() - started
    ws.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"events": events, "seconds": seconds, "peak_mb": peak_kb / 1024, "mb_written": sink.chars / 1e6}


def _raw(ws: object, out: Sink, query: object) -> int:
    """The baseline: the export's event rows (the same select and order) as JSON lines, one streamed query."""
    from forewarn.store import schema as t
    from forewarn.store.queries import event_filters, event_select

    engine = ws.store.engine  # type: ignore[attr-defined]
    q = event_select().where(*event_filters(query)).order_by(t.events.c.date, t.events.c.id)  # type: ignore[arg-type]
    if query.limit is not None:  # type: ignore[attr-defined]
        q = q.limit(query.limit)  # type: ignore[attr-defined]
    written = 0
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=2000).execute(q):
            out.write(json.dumps(dict(row._mapping), default=str, ensure_ascii=False) + "\n")
            written += 1
    return written


def measure(url: str, fmt: str, limit: int | None) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", fmt, "--url", url] + (["--limit", str(limit)] if limit else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def available(url: str) -> list[str]:
    from forewarn.app import Workspace
    from forewarn.config import Settings

    with Workspace.open(Settings(database_url=url, actor="bench-export", extract=False)) as ws:
        return [f.name for f in ws.exports.formats()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the cached bench workspace")
    parser.add_argument("--url", help="a filled store to export from (default: the cached SQLite workspace)")
    parser.add_argument("--limit", type=int, help="export only the first N events")
    parser.add_argument("--formats", help="comma-separated formats (default: every one)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.child, args.limit)))
        return
    url = args.url
    if url is None:
        from fill_events import cached_sqlite

        url = cached_sqlite(args.events).url
    formats = args.formats.split(",") if args.formats else available(url)
    base = measure(url, RAW, args.limit)
    rows = [(fmt, measure(url, fmt, args.limit)) for fmt in formats]
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"export of {base['events']:,.0f} events from the {backend} bench workspace, each format in a fresh process")
    print(f"{'format':12} {'events':>10} {'seconds':>8} {'events/s':>9} {'of raw':>7} {'peak MB':>8} {'MB out':>8}  "
          f"targets (≥ {TARGET_RATE:,}/s, ≤ {TARGET_PEAK_MB} MB)")
    for fmt, r in [(RAW, base), *rows]:
        rate = r["events"] / r["seconds"]
        ok = rate >= TARGET_RATE and r["peak_mb"] <= TARGET_PEAK_MB
        verdict = "" if fmt == RAW else ("met" if ok else "MISSED")
        print(f"{fmt:12} {r['events']:10,.0f} {r['seconds']:8.1f} {rate:9,.0f} "
              f"{rate / (base['events'] / base['seconds']):7.2f} {r['peak_mb']:8.0f} {r['mb_written']:8.0f}  {verdict}")


if __name__ == "__main__":
    main()
