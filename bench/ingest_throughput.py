"""Ingest throughput without NLP, near-duplicate detection on, pinned to one core.

Corpus: the press releases of ../shared/data/press_2021_2022 replicated (with variation) to
--docs documents as JSON lines (bench/corpus.py; --mode stream, the default, is a realistic mix of
distinct stories and re-posts; --mode replicas gives every story ~50 near-copies, a stress case).
Rows of the table:

  baseline  read the JSONL, hash each text, INSERT it with raw sqlite3 executemany (the floor:
            what any ingest into SQLite must do, with no dedup, clustering or provenance)
  forewarn  `Workspace.ingest` into a fresh SQLite file, and into PostgreSQL when
            FOREWARN_BENCH_PG_URL is set (make bench starts a local server)

Each is run --repeat times; the table gives the median documents/s and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import SourceKind


def baseline(corpus: Path, workdir: Path) -> int:
    db = workdir / f"raw-{uuid.uuid4().hex}.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, title TEXT, date TEXT, url TEXT, text TEXT)")
    n = 0
    with corpus.open(encoding="utf-8") as f:
        batch: list[tuple[str, ...]] = []
        for line in f:
            r = json.loads(line)
            batch.append((hashlib.sha256(r["text"].encode()).hexdigest(), r["title"], r["date"], r["url"], r["text"]))
            if len(batch) == 500:
                n += _flush(conn, batch)
        n += _flush(conn, batch)
    conn.close()
    return n


def _flush(conn: sqlite3.Connection, batch: list[tuple[str, ...]]) -> int:
    with conn:
        conn.executemany("INSERT OR IGNORE INTO docs VALUES (?, ?, ?, ?, ?)", batch)
    n = len(batch)
    batch.clear()
    return n


def forewarn_ingest(url: str, corpus: Path) -> int:
    with Workspace.open(Settings(database_url=url, actor="bench")) as ws:
        report = ws.ingest([str(corpus)], kind=SourceKind.JSONL)
        if report.failed:
            print(f"  note: {report.failed} items failed: {report.failed_by_code}")
        return report.read


def fresh_pg(url: str) -> str:
    schema = "bench_" + uuid.uuid4().hex[:10]
    with create_engine(url).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    rates = []
    n = 0
    for _ in range(repeat):
        start = time.perf_counter()
        n = fn()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=90_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-repeat", type=int, default=1)
    parser.add_argument("--mode", choices=("stream", "replicas"), default="stream")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    pg_url = os.environ.get("FOREWARN_BENCH_PG_URL", "")
    with tempfile.TemporaryDirectory(prefix="forewarn-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        chars = write_corpus(corpus, args.docs, mode=args.mode)
        print(f"corpus ({args.mode}): {args.docs:,} documents, {chars / 1e6:,.0f} M characters; one core; "
              f"median of {args.repeat} runs (PostgreSQL: {args.pg_repeat})\n")
        rows = [("baseline: raw sqlite3 insert", *timed(lambda: baseline(corpus, work), args.repeat))]
        rows.append(("forewarn ingest → SQLite", *timed(
            lambda: forewarn_ingest(f"sqlite:///{work / uuid.uuid4().hex}.db", corpus), args.repeat)))
        if pg_url:
            rows.append(("forewarn ingest → PostgreSQL", *timed(
                lambda: forewarn_ingest(fresh_pg(pg_url), corpus), args.pg_repeat)))
        else:
            print("(PostgreSQL skipped: set FOREWARN_BENCH_PG_URL or run `make bench`)")
    base = rows[0][1]
    print(f"{'figure':34} {'docs/s':>10} {'vs baseline':>12}")
    for label, rate, n in rows:
        print(f"{label:34} {rate:10,.0f} {rate / base:11.2f}x   ({n:,} docs)")
    print("\ntarget: forewarn ingest → SQLite ≥ 1,500 documents/s on one core")


if __name__ == "__main__":
    main()
