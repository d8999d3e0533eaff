"""Structured observations: ingest of CSV rows that carry coordinates (docs/observations.md), against the same
rows read as plain documents, in one run.

Corpus: --rows generated rows (seeded), each a date, a point in eastern Ukraine, a PLOVER type on three rows
of four (the fourth takes the text's), an actor country and a one-sentence observer report. The baseline file
is the same rows with the coordinate columns renamed, so the reader sees no coordinates and stores each row as
a plain document. Both go through ``Workspace.ingest`` into a fresh SQLite file, first without extraction (the
reader's checks, the observation kept with the document, dedup, store), then with extraction (the text's own
events, and the row's event built from its columns). Median of --repeat runs; ratio to the plain rows.

    python bench/observations_throughput.py --rows 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from forewarn.app import Workspace
from forewarn.config import Settings

KINDS = ("MOBILIZE", "ASSAULT", "PROTEST", "")


def write_rows(path: Path, rows: int, *, located: bool) -> Path:
    """The corpus as CSV; ``located`` false renames the coordinate columns (a plain document per row)."""
    rng = random.Random(20240806)
    lat, lon = ("lat", "lon") if located else ("y", "x")
    with path.open("w", encoding="utf-8") as out:
        out.write(f"id,date,{lat},{lon},type,actor_country,text\n")
        for i in range(rows):
            out.write(f"r{i},2022-02-{1 + i % 28:02d},{48 + rng.random() * 4:.5f},{30 + rng.random() * 8:.5f},"
                      f"{KINDS[i % 4]},RUS,Observer report {i}: armoured vehicles seen moving near the road at "
                      f"kilometre {i}.\n")
    return path


def rate(corpus: Path, folder: Path, rows: int, *, extract: bool) -> float:
    """Rows per second of one ingest into a fresh SQLite file."""
    url = f"sqlite:///{folder / f'{corpus.stem}-{extract}-{time.monotonic_ns()}.db'}"
    with Workspace.open(Settings(database_url=url, actor="bench", extract=extract)) as ws:
        started = time.perf_counter()
        report = ws.intake.ingest([str(corpus)])
        elapsed = time.perf_counter() - started
    assert report.new + report.near_duplicate == rows and not report.failed, report
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="forewarn-bench-") as tmp:
        folder = Path(tmp)
        located = write_rows(folder / "located.csv", args.rows, located=True)
        plain = write_rows(folder / "plain.csv", args.rows, located=False)
        print(f"{args.rows:,} CSV rows; median of {args.repeat} runs\n")
        print(f"{'figure':44} {'rows/s':>9} {'baseline':>9} {'ratio':>7}")
        for extract in (False, True):
            base = statistics.median(rate(plain, folder, args.rows, extract=extract) for _ in range(args.repeat))
            found = statistics.median(rate(located, folder, args.rows, extract=extract) for _ in range(args.repeat))
            label = f"rows with coordinates, {'with' if extract else 'no'} extraction"
            print(f"{label:44} {found:9,.1f} {base:9,.1f} {found / base:6.2f}x")
    print("\nbaseline: the same rows without coordinates (plain documents), same run")


if __name__ == "__main__":
    main()
