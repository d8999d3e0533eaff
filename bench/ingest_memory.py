"""Peak memory (max RSS) of ingesting 10,000, 30,000 and 90,000 documents into SQLite, without NLP
(``FOREWARN_EXTRACT=false`` for the child: this measures the ingest; extraction's memory is
bench/extraction_speed.py's).

Each ingest runs in a fresh child process (the `forewarn` command) and its peak resident set size
is read with getrusage(RUSAGE_CHILDREN) in a wrapper process. Baseline: the same command that
only opens the workspace (`forewarn stats`) — the interpreter, the libraries, the store.
Target: flat (streaming) across sizes, and ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus

PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_mb(args: list[str]) -> float:
    env = {**os.environ, "FOREWARN_EXTRACT": "false"}  # ingest only, explicitly (extraction is on by default)
    out = subprocess.run([sys.executable, "-c", PEAK, *args], check=True, capture_output=True, text=True,
                         env=env).stdout
    return int(out.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 90_000])
    args = parser.parse_args()
    forewarn = [sys.executable, "-m", "forewarn"]
    with tempfile.TemporaryDirectory(prefix="forewarn-mem-") as tmp:
        rows = [("baseline: open workspace (stats)", 0,
                 peak_mb([*forewarn, "--db", f"sqlite:///{tmp}/base.db", "stats"]))]
        for n in args.sizes:
            corpus = Path(tmp) / f"corpus-{n}.jsonl"
            write_corpus(corpus, n)
            db = f"sqlite:///{tmp}/ws-{n}.db"
            rows.append((f"ingest, no NLP, {n:,} documents", n,
                         peak_mb([*forewarn, "--db", db, "ingest", str(corpus), "--kind", "jsonl", "--json"])))
            corpus.unlink()
    base = rows[0][2]
    print(f"{'figure':36} {'peak RSS MB':>12} {'vs baseline':>12}")
    for label, _, mb in rows:
        print(f"{label:36} {mb:12.0f} {mb / base:11.2f}x")
    print("\ntarget: flat across sizes, ≤ 400 MB")


if __name__ == "__main__":
    main()
