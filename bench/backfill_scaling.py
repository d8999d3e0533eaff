"""Backfill on a Dask cluster against one process, and its scaling on paper.

Documents: 200 press releases of ../shared/data/press_2021_2022 (every 8th; --documents 300 takes every 6th,
the extraction bench's 1.2 M characters), ingested once into a SQLite store; each measurement extracts a
fresh copy of it, in a fresh child process, through forewarn's own path (reads from the store, results
saved by the driver, a chunk per transaction):

  one process   the default path (``extract_processes = 1``): the baseline
  dask ×1       ``--backfill`` on a local Dask cluster of 1 worker process
  dask ×2       the same with 2 worker processes

Start-up (the model load; for Dask also starting the cluster, whose workers load the model in parallel) is
timed apart from the steady state (reading, extracting and saving every document); module imports are not
timed. Tasks hold ``backfill_batch`` documents, fewer for a run this small (every worker gets 8 tasks). On
the 2-worker cluster, after the backfill: the scheduler's overhead per task (round trips of empty tasks
through the same cluster, one at a time) and the empty tasks per second it sustains (2,000 at once); the
driver's save rate (the results of the 1-worker run saved again into a fresh copy); each worker's resident
memory, sampled every second over the backfill. Medians of --repeat runs, the modes interleaved.

Target (issue 20): dask ×2 ≥ 1.7 × one process on this 2-core machine; each worker's memory flat.
Scaling on paper, from the measured figures:
  docs/s(N workers) = min(N × r_w × (1 − o / (b / r_w + o)), save rate, tasks/s × b)
  r_w: one worker's steady docs/s (dask ×1), o: overhead per task (s), b: documents per task
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import PRESS, press_rows

MODES = {"one": 0, "dask1": 1, "dask2": 2}
TARGET = 1.7
WORKERS_ON_PAPER = (4, 8, 16, 32, 64)
EMPTY_ROUND_TRIPS = 200
EMPTY_BURST = 2_000
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def write_archive(db: Path, documents: int) -> int:
    """Ingest ``documents`` press releases (evenly spread) into a fresh store; their characters."""
    from forewarn.app import Workspace
    from forewarn.config import Settings
    from forewarn.model import SourceKind

    rows = press_rows()
    picked = rows[::max(1, len(rows) // documents)][:documents]
    lines = db.with_suffix(".jsonl")
    with lines.open("w", encoding="utf-8") as f:
        for i, r in enumerate(picked):
            f.write(json.dumps({"id": str(i), "title": r["headline"], "date": r["date"], "url": r["link"],
                                "text": r["body"]}, ensure_ascii=False) + "\n")
    with Workspace.open(Settings(database_url=f"sqlite:///{db}", actor="bench", extract=False)) as ws:
        report = ws.intake.ingest([str(lines)], kind=SourceKind.JSONL)
    assert report.new + report.near_duplicate == len(picked), report
    return sum(len(r["body"]) for r in picked)


# -- in the child process ---------------------------------------------------------------------------------

def child(mode: str, db: Path, again: Path | None) -> dict[str, Any]:
    from forewarn.app import Workspace
    from forewarn.config import Settings
    from forewarn.nlp import runner
    from forewarn.nlp.cluster import ExtractionCluster
    from forewarn.nlp.extract import shared_extractor

    settings = Settings(database_url=f"sqlite:///{db}", actor="bench", extract=False, extract_processes=1,
                        backfill_workers=max(1, MODES[mode]))
    with Workspace.open(settings, clock=clock) as ws:
        ids = ws.store.documents_needing_extraction()
        started = time.perf_counter()
        if mode == "one":
            extractor = shared_extractor(settings)
            loaded = time.perf_counter()
            report = runner.extract_documents(ws.store, settings, lambda: extractor, ids, clock)
            return _figures(report.documents, started, loaded, time.perf_counter())
        with ExtractionCluster.start(settings) as cluster:
            loaded = time.perf_counter()
            with _memory(cluster.client) as samples:
                kept: list[Any] = []
                results = _kept(cluster.extract(runner.inputs(ws.store, ids), len(ids)), kept)
                report = runner.save_results(ws.store, cluster.version, results, clock, workers=cluster.workers)
                ended = time.perf_counter()  # before the memory sampler is joined
            out = _figures(report.documents, started, loaded, ended) | {"rss_mb": samples}
            if mode == "dask2":
                out |= _overhead(cluster.client)
    if again is not None:
        out |= _save_rate(again, cluster.version, kept)
    return out


def _figures(documents: int, started: float, loaded: float, ended: float) -> dict[str, Any]:
    return {"documents": documents, "startup_s": loaded - started, "steady_s": ended - loaded,
            "steady_docs_s": documents / (ended - loaded), "total_docs_s": documents / (ended - started)}


def _kept(results: Iterator[Any], kept: list[Any]) -> Iterator[Any]:
    for r in results:
        kept.append(r)
        yield r


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


class _Sampler(threading.Thread):
    """Each worker's resident memory, every second, until stopped."""

    def __init__(self, client: Any) -> None:
        super().__init__(daemon=True)
        self.client, self.stop = client, threading.Event()
        self.samples: dict[str, list[float]] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            for worker, rss in self.client.run(_rss).items():
                self.samples.setdefault(worker, []).append(rss / 2**20)
            self.stop.wait(1.0)


class _memory:
    def __init__(self, client: Any) -> None:
        self.sampler = _Sampler(client)

    def __enter__(self) -> dict[str, list[float]]:
        self.sampler.start()
        return self.sampler.samples

    def __exit__(self, *exc: object) -> None:
        self.sampler.stop.set()
        self.sampler.join()


def _empty(i: int) -> int:
    return i


def _overhead(client: Any) -> dict[str, float]:
    """Round trip of one empty task at a time (median), and empty tasks per second in a burst."""
    trips = []
    for i in range(EMPTY_ROUND_TRIPS):
        t = time.perf_counter()
        client.submit(_empty, i, pure=False).result()
        trips.append(time.perf_counter() - t)
    t = time.perf_counter()
    client.gather(client.map(_empty, range(EMPTY_BURST), pure=False))
    return {"task_overhead_s": statistics.median(trips), "tasks_per_s": EMPTY_BURST / (time.perf_counter() - t)}


def _save_rate(db: Path, version: str, results: list[Any]) -> dict[str, float]:
    """The driver saving precomputed results into a fresh copy of the store, as a backfill saves them."""
    from forewarn.app import Workspace
    from forewarn.config import Settings
    from forewarn.nlp.runner import save_results

    with Workspace.open(Settings(database_url=f"sqlite:///{db}", actor="bench", extract=False), clock=clock) as ws:
        t = time.perf_counter()
        save_results(ws.store, version, results, clock)
        return {"save_docs_s": len(results) / (time.perf_counter() - t)}


# -- in the parent ----------------------------------------------------------------------------------------

def measure(mode: str, archive: Path, work: Path, run: int) -> dict[str, Any]:
    db = Path(shutil.copy(archive, work / f"{mode}-{run}.db"))
    again = [str(shutil.copy(archive, work / f"save-{run}.db"))] if mode == "dask1" else []
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(db), *again], check=True,
                         capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def row(label: str, measured: float, baseline: float | None = None, target: str = "", unit: str = "") -> str:
    if baseline is None:
        return f"| {label} | {measured:,.2f}{unit} | | | {target} |"
    return f"| {label} | {measured:,.2f}{unit} | {baseline:,.2f}{unit} | {measured / baseline:.2f} | {target} |"


def report(runs: dict[str, list[dict[str, Any]]], batch: int) -> None:
    one, d1, d2 = runs["one"], runs["dask1"], runs["dask2"]
    rate = {m: median(rs, "steady_docs_s") for m, rs in runs.items()}
    ratio = rate["dask2"] / rate["one"]
    print("| figure | measured | baseline (one process) | ratio | target |")
    print("|---|---|---|---|---|")
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(row("docs/s, steady: dask ×2", rate["dask2"], rate["one"], f"≥ {TARGET} ({verdict})"))
    print(row("docs/s, steady: dask ×1", rate["dask1"], rate["one"]))
    print(row("docs/s with start-up: dask ×2", median(d2, "total_docs_s"), median(one, "total_docs_s")))
    print(row("docs/s with start-up: dask ×1", median(d1, "total_docs_s"), median(one, "total_docs_s")))
    for label, rs in (("dask ×2", d2), ("dask ×1", d1)):
        print(row(f"start-up s (cluster + model): {label}", median(rs, "startup_s"), median(one, "startup_s")))
    print(row("per-worker docs/s: dask ×2 / 2", rate["dask2"] / 2, rate["dask1"], "vs dask ×1"))
    overhead, tasks_s, save = median(d2, "task_overhead_s"), median(d2, "tasks_per_s"), median(d1, "save_docs_s")
    print(row("scheduler overhead per task, ms (empty round trip)", overhead * 1e3))
    print(row("empty tasks/s the scheduler sustains", tasks_s))
    print(row("driver save rate, docs/s (precomputed results)", save))
    _memory_table(d2[-1]["rss_mb"])
    _on_paper(rate["dask1"], overhead, tasks_s, save, batch)


def _memory_table(samples: dict[str, list[float]]) -> None:
    print("\nresident memory of each worker over the last dask ×2 backfill, MB (sampled every second; the first "
          "sample: the model loaded, nothing parsed yet; growth: median of the second half − median of the first)\n")
    print("| worker | samples | first | middle | last | max | growth |")
    print("|---|---|---|---|---|---|---|")
    for worker, mb in sorted(samples.items()):
        half = len(mb) // 2
        growth = statistics.median(mb[half:]) - statistics.median(mb[:half])
        print(f"| {worker} | {len(mb)} | {mb[0]:.0f} | {mb[half]:.0f} | {mb[-1]:.0f} | {max(mb):.0f} | {growth:+.0f} |")


def _on_paper(per_worker: float, overhead: float, tasks_s: float, save: float, batch: int) -> None:
    share = overhead / (batch / per_worker + overhead)
    print(f"\nscaling on paper: docs/s(N) = min(N × r_w × (1 − o / (b / r_w + o)), save rate, tasks/s × b), "
          f"r_w = {per_worker:.2f} docs/s, o = {overhead * 1e3:.1f} ms, b = {batch}, overhead share "
          f"{share:.4f}, save rate {save:,.0f} docs/s, tasks/s × b = {tasks_s * batch:,.0f} docs/s\n")
    print("| workers | projected docs/s | bound by |")
    print("|---|---|---|")
    for n in WORKERS_ON_PAPER:
        bounds = {"workers": n * per_worker * (1 - share), "driver's saving": save, "scheduler": tasks_s * batch}
        limit = min(bounds, key=lambda k: bounds[k])
        print(f"| {n} | {bounds[limit]:,.1f} | {limit} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--documents", type=int, default=200, help="press releases, spread evenly over them")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode (medians)")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()
    if args.child:
        mode, db, *again = args.child
        print(json.dumps(child(mode, Path(db), Path(again[0]) if again else None)))
        return
    if not PRESS.is_dir():
        print(f"skipped: needs the press corpus at {PRESS} (../shared/data); it is not there")
        return
    from forewarn.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        chars = write_archive(work / "archive.db", args.documents)
        runs: dict[str, list[dict[str, Any]]] = {m: [] for m in MODES}
        for run in range(args.repeat):  # modes interleaved, so a change in the machine's load hits them alike
            for mode in MODES:
                runs[mode].append(measure(mode, work / "archive.db", work, run))
    batch = Settings().backfill_batch
    print(f"{runs['one'][0]['documents']} press releases, {chars:,} characters; {os.cpu_count()} cores; "
          f"backfill_batch {batch}; medians of {args.repeat} runs\n")
    report(runs, batch)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
