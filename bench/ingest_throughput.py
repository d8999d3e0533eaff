"""Ingest throughput, pinned to one core; every row of the table says what it measures.

Part "ingest": ingest without NLP (extraction switched off explicitly, ``extract=False``; near-
duplicate detection on). Corpus: the press releases of ../shared/data/press_2021_2022 replicated
(with variation) to --docs documents as JSON lines (bench/corpus.py; --mode stream, the default, is
a realistic mix of distinct stories and re-posts; --mode replicas gives every story ~50 near-copies,
a stress case).

  baseline: raw sqlite3 insert   read the JSONL, hash each text, INSERT it with executemany (the
                                 floor: what any ingest into SQLite must do, with no dedup,
                                 clustering or provenance)
  ingest, no NLP → SQLite        ``Workspace.ingest`` into a fresh SQLite file
  baseline: raw PostgreSQL COPY  the same floor on PostgreSQL: each text hashed, the rows (the
                                 re-posts left out) COPYed into a table with a primary key, 5,000
                                 per transaction, long texts compressed with LZ4 as ingest does
  ingest, no NLP → PostgreSQL    ``Workspace.ingest`` into a fresh schema (COPY, see
                                 forewarn.store.copy); these two when FOREWARN_BENCH_PG_URL is set
                                 (make bench starts a local server)

Part "pipeline": the full pipeline, ingest and extraction (extraction on, as by default), on real
feed items: --feed-items English items spread over ../shared/data/news_2023_mayjun (28 news feeds,
May–June 2023; read from there, written as one RSS 2.0 file into a temporary folder). Skipped, with
a message, where that folder is absent.

  baseline: raw spaCy nlp.pipe   the same spaCy model over the texts the pipeline stored, same batch
                                 size (the model loaded beforehand)
  ingest + extraction → SQLite   ``Workspace.ingest`` of the feed file into a fresh SQLite file: read
                                 (feed reader, HTML to text), deduplicate, store, then extract
                                 entities, places, dates, events and claims and store them (the
                                 pipeline built beforehand, as the baseline's model)

Each is run --repeat times (PostgreSQL: --pg-repeat; pipeline: --feed-repeat), the rows of a part
taking turns (SQLite's and PostgreSQL's runs meet the same load on a shared machine); the table
(markdown) gives the median items/s, the ratio to the row's baseline and the target. The client is
pinned to one core; a PostgreSQL server runs where it runs (here: the other core). Beside the
wall-clock rate, items per CPU-second: the CPU time of this process plus, for a server on this
machine, of the PostgreSQL backends the run used (read from /proc), which a busy machine inflates
far less than the wall clock; it is the rate with client and server taking turns on one core, a
floor for the wall-clock rate on an idle machine. The load average before and after is printed.

    python bench/ingest_throughput.py --docs 30000 --feed-items 1000 --feed-repeat 1
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
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import NEWS, feed_items, write_corpus, write_feed
from pgschemas import pg_schemas

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import SourceKind
from forewarn.model.query import DocumentQuery
from forewarn.runtime import settle

TARGET = "≥ 1,500 documents/s on one core"
PG_BATCH = 5_000


Run = Callable[[], tuple[int, float | None]]  # one run: items, CPU seconds of the server backends (None: unknown)


@dataclass(frozen=True)
class Row:
    label: str
    rate: float  # items/s, the median
    cpu_rate: float | None  # items per CPU-second (this process and the server's backends), the median
    items: int
    baseline: Row | None = None  # what it is compared with (None: it is a baseline)
    target: str = "—"


@dataclass
class Timings:
    """A row's runs, as they come."""

    rates: list[float] = field(default_factory=list)
    cpu_rates: list[float] = field(default_factory=list)
    items: int = 0

    def add(self, run: Run) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        self.items, server = run()
        self.rates.append(self.items / (time.perf_counter() - start))
        if server is not None:
            self.cpu_rates.append(self.items / (time.process_time() - cpu + server))

    def row(self, label: str, baseline: Row | None = None, target: str = "—") -> Row:
        cpu = statistics.median(self.cpu_rates) if self.cpu_rates else None
        return Row(label, statistics.median(self.rates), cpu, self.items, baseline, target)


def taking_turns(runs: dict[str, tuple[Run, int]]) -> dict[str, Timings]:
    """Each run as many times as it is asked for, the runs taking turns."""
    timings = {label: Timings() for label in runs}
    for i in range(max(times for _, times in runs.values())):
        for label, (run, times) in runs.items():
            if i < times:
                timings[label].add(run)
    return timings


def backend_cpu(url: str, app: str) -> float | None:
    """CPU seconds of the PostgreSQL backends connected as ``app``: read from /proc, so for a server on this
    machine only (None elsewhere)."""
    with psycopg.connect(libpq(url)) as conn:
        local, pids = conn.execute(
            "SELECT coalesce(host(inet_server_addr()) IN ('127.0.0.1', '::1'), true), "
            "array_agg(pid) FROM pg_stat_activity WHERE application_name = %s", (app,)).fetchone() or (False, None)
    return sum(_cpu_seconds(pid) for pid in pids or ()) if local else None


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg", "postgresql", 1)


def named(url: str, app: str) -> str:
    """``url`` connecting as application ``app`` (how its backends are found)."""
    return f"{url}{'&' if '?' in url else '?'}application_name={app}"


def baseline(corpus: Path, workdir: Path) -> tuple[int, float]:
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
    return n, 0.0


def _flush(conn: sqlite3.Connection, batch: list[tuple[str, ...]]) -> int:
    with conn:
        conn.executemany("INSERT OR IGNORE INTO docs VALUES (?, ?, ?, ?, ?)", batch)
    n = len(batch)
    batch.clear()
    return n


def baseline_pg(url: str, corpus: Path) -> tuple[int, float | None]:
    """The PostgreSQL floor: hash each text, COPY the rows not seen before into a table keyed by the hash."""
    app = f"bench-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(named(url, app))) as conn:
        conn.execute("CREATE TABLE docs (id text PRIMARY KEY, title text, date text, url text, text text)")
        conn.commit()
        seen: set[str] = set()
        n = 0
        with corpus.open(encoding="utf-8") as f:
            batch: list[tuple[str, ...]] = []
            for line in f:
                r = json.loads(line)
                batch.append((hashlib.sha256(r["text"].encode()).hexdigest(), r["title"], r["date"], r["url"],
                              r["text"]))
                n += 1
                if len(batch) == PG_BATCH:
                    _copy(conn, batch, seen)
            _copy(conn, batch, seen)
        return n, backend_cpu(url, app)


def _copy(conn: psycopg.Connection[Any], batch: list[tuple[str, ...]], seen: set[str]) -> None:
    conn.execute("SET LOCAL default_toast_compression = lz4")
    with conn.cursor() as cur, cur.copy("COPY docs FROM STDIN") as copy:
        for row in batch:
            if row[0] not in seen:
                seen.add(row[0])
                copy.write_row(row)
    conn.commit()
    batch.clear()


def forewarn_ingest(url: str, corpus: Path, *, extract: bool, kind: SourceKind) -> tuple[int, float | None]:
    """``Workspace.ingest`` of ``corpus``, extraction on or off as asked; the items read and the CPU seconds of
    the server backends (0.0 for SQLite, which runs in this process)."""
    app = f"bench-{uuid.uuid4().hex[:8]}"
    server = not url.startswith("sqlite")
    with Workspace.open(Settings(database_url=named(url, app) if server else url, actor="bench",
                                 extract=extract)) as ws:
        settle()  # as `forewarn ingest` does before a long run
        report = ws.intake.ingest([str(corpus)], kind=kind)
        if report.failed:
            print(f"  note: {report.failed} items failed: {report.failed_by_code}")
        if extract and (report.extraction is None or report.extraction.failed):
            print(f"  note: extraction {report.extraction}")
        return report.read, backend_cpu(url, app) if server else 0.0


def ingest_rows(args: argparse.Namespace, work: Path) -> list[Row]:
    """Part "ingest": no NLP, against the raw sqlite3 floor."""
    corpus = work / "corpus.jsonl"
    chars = write_corpus(corpus, args.docs, mode=args.mode)
    print(f"ingest without NLP: press corpus ({args.mode}), {args.docs:,} documents, {chars / 1e6:,.0f} M characters; "
          f"median of {args.repeat} runs (PostgreSQL: {args.pg_repeat})")

    def run(url: Callable[[], str]) -> Run:
        return lambda: forewarn_ingest(url(), corpus, extract=False, kind=SourceKind.JSONL)

    pg_url = os.environ.get("FOREWARN_BENCH_PG_URL", "")
    if not pg_url:
        print("(PostgreSQL skipped: set FOREWARN_BENCH_PG_URL or run `make bench`)")
    with pg_schemas(pg_url) if pg_url else nullcontext(lambda: "") as fresh:
        t = taking_turns({
            "raw sqlite3": (lambda: baseline(corpus, work), args.repeat),
            "SQLite": (run(lambda: f"sqlite:///{work / uuid.uuid4().hex}.db"), args.repeat),
            "raw COPY": (lambda: baseline_pg(fresh(), corpus), args.pg_repeat if pg_url else 0),
            "PostgreSQL": (run(fresh), args.pg_repeat if pg_url else 0)})
    raw_sqlite = t["raw sqlite3"].row("baseline: raw sqlite3 insert")
    sqlite = t["SQLite"].row("ingest, no NLP → SQLite", raw_sqlite, TARGET)
    if not pg_url:
        return [raw_sqlite, sqlite]
    raw_pg = t["raw COPY"].row("baseline: raw PostgreSQL COPY")
    pg = t["PostgreSQL"].row("ingest, no NLP → PostgreSQL", raw_pg, TARGET)
    return [raw_sqlite, sqlite, raw_pg, pg, replace(pg, label="the same PostgreSQL ingest, against SQLite's",
                                                    baseline=sqlite, target="—")]


def warm_pipeline(settings: Settings) -> None:
    """Build the shared extraction pipeline (spaCy loads here, outside the timed part)."""
    from forewarn.nlp.extract import ExtractInput, shared_extractor

    list(shared_extractor(settings).extract([ExtractInput("warm-up", "Officials met in Kyiv on Monday.",
                                                          date(2023, 5, 1))]))


def stored_texts(url: str) -> list[str]:
    with Workspace.open(Settings(database_url=url, actor="bench", extract=False)) as ws:
        return [d.text for d in ws.store.find_documents(DocumentQuery(limit=10**9))]


def spacy_run(settings: Settings, texts: list[str]) -> Run:
    """Raw ``nlp.pipe`` of the same model over ``texts`` (loaded before the clock starts)."""
    import spacy

    nlp = spacy.load(settings.spacy_model)
    return lambda: (sum(1 for _ in nlp.pipe(texts, batch_size=settings.extract_batch_size)), 0.0)


def pipeline_rows(args: argparse.Namespace, work: Path) -> list[Row]:
    """Part "pipeline": ingest + extraction on real feed items, against raw spaCy on the same texts."""
    items = feed_items(args.feed_items)
    if items is None:
        print(f"\nfull pipeline skipped: needs {NEWS} (the shared data); it is not there")
        return []
    feed = work / "news.xml"
    size = write_feed(feed, items)
    print(f"\ningest + extraction: {len(items):,} English feed items of news_2023_mayjun ({size / 1e6:.1f} MB of RSS); "
          f"median of {args.feed_repeat} runs")
    settings = replace(Settings(), extract=True)
    warm_pipeline(settings)
    urls: list[str] = []

    def run() -> tuple[int, float | None]:
        urls.append(f"sqlite:///{work / uuid.uuid4().hex}.db")
        return forewarn_ingest(urls[-1], feed, extract=True, kind=SourceKind.FEED)

    full = Timings()
    full.add(run)  # the first run stores the texts the baseline reads
    texts = stored_texts(urls[-1])
    print(f"  {len(texts):,} documents stored, {sum(map(len, texts)) / 1e3:,.0f} k characters")
    t = taking_turns({"spaCy": (spacy_run(settings, texts), args.feed_repeat), "full": (run, args.feed_repeat - 1)})
    full.rates += t["full"].rates
    full.cpu_rates += t["full"].cpu_rates
    raw = t["spaCy"].row("baseline: raw spaCy nlp.pipe")
    return [raw, full.row("ingest + extraction → SQLite", raw, "≥ 50 items/s on one core")]


def table(title: str, rows: list[Row]) -> None:
    if not rows:
        return
    print(f"\n{title}\n\n| figure | items/s | vs baseline | items per CPU-second | vs baseline | target |\n"
          "|---|---:|---|---:|---|---|")
    for r in rows:
        base = r.baseline
        versus = f"{r.rate / base.rate:.2f}× {base.label.removeprefix('baseline: ')}" if base else "—"
        cpu = f"{r.cpu_rate:,.1f}" if r.cpu_rate else "—"
        cpu_versus = f"{r.cpu_rate / base.cpu_rate:.2f}×" if base and r.cpu_rate and base.cpu_rate else "—"
        print(f"| {r.label} ({r.items:,} items) | {r.rate:,.1f} | {versus} | {cpu} | {cpu_versus} | {r.target} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("ingest", "pipeline", "both"), default="both")
    parser.add_argument("--docs", type=int, default=90_000, help="press documents for the ingest part")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-repeat", type=int, default=1)
    parser.add_argument("--mode", choices=("stream", "replicas"), default="stream")
    parser.add_argument("--feed-items", type=int, default=2_000, help="feed items for the pipeline part")
    parser.add_argument("--feed-repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="forewarn-bench-") as tmp:
        ingest = ingest_rows(args, Path(tmp)) if args.part != "pipeline" else []
        pipeline = pipeline_rows(args, Path(tmp)) if args.part != "ingest" else []
    table("ingest without NLP (extract off)", ingest)
    table("full pipeline (ingest + extraction)", pipeline)
    print(f"\nload average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in load)} before, "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} after ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
