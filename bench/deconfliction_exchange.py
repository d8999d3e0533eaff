"""Deconfliction between installations by file: 100,000 × 100,000 selector keys, 10,000 in common.

Every step of forewarn.sharing.exchange is timed on the side that runs it, files written to and read from
a temporary folder as they would travel:

  B request   the requester pads and blinds its keys, writes the request and its secret state
  A answer    the responder reads the request, pads and blinds its own keys, re-blinds the request,
              writes the response
  B finish    the requester reads the response and its state, and finds the keys in common

The total is the wall time of the three (the issue's target: ≤ 60 s), with the process's CPU time beside it (on a
busy machine the wall time is the other processes' too). The baseline is what a trusted
third party would do: a plain Python set intersection of the raw keys. The ratio is total / baseline.
The found intersection is checked against the baseline's (the run fails if they differ).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from forewarn.sharing import exchange as ex

T = TypeVar("T")
TARGET_S = 60.0  # issue 18: 100,000 x 100,000 selectors matched in at most a minute


def selectors(n: int, common: int, seed: int) -> tuple[list[str], list[str]]:
    """Two lists of ``n`` distinct phone-number keys with ``common`` in common."""
    rng = random.Random(seed)
    pool = list(dict.fromkeys(f"phone:+7{rng.randrange(10**9, 10**10)}" for _ in range(2 * n + 1000)))
    return pool[:n], pool[n - common:2 * n - common]


def timed(rows: list[tuple[str, float, float]], name: str, fn: Callable[[], T]) -> T:
    """Run ``fn``, append its wall time under ``name``, return its value."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    rows.append((name, time.perf_counter() - start, time.process_time() - cpu))
    return value


def run(a: list[str], b: list[str], folder: Path, mode: str) -> tuple[list[tuple[str, float, float]], ex.Result]:
    """The three steps, through files in ``folder``."""
    rows: list[tuple[str, float, float]] = []

    def request() -> None:
        doc, state = ex.request_exchange(b, exchange_id="bench", peer="B", mode=mode)
        (folder / "request.json").write_text(ex.dumps(doc))
        (folder / "state.json").write_text(ex.dumps(ex.state_doc(state)))

    def answer() -> None:
        doc = ex.answer_exchange(ex.loads((folder / "request.json").read_text()), a, peer="A")
        (folder / "response.json").write_text(ex.dumps(doc))

    def finish() -> ex.Result:
        state = ex.read_state(ex.loads((folder / "state.json").read_text()))
        return ex.finish_exchange(state, ex.loads((folder / "response.json").read_text()))

    timed(rows, "B request", request)
    timed(rows, "A answer", answer)
    return rows, timed(rows, "B finish", finish)


def main() -> int:
    """Parse the arguments, run the exchange and the baseline, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--common", type=int, default=10_000)
    parser.add_argument("--mode", choices=ex.MODES, default="intersection")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    a, b = selectors(args.keys, args.common, args.seed)
    start = time.perf_counter()
    truth = set(a) & set(b)
    baseline = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        rows, result = run(a, b, Path(tmp), args.mode)
        sizes = {p.name: p.stat().st_size for p in Path(tmp).iterdir()}
    if result.size != len(truth) or (result.keys is not None and result.keys != truth):
        raise SystemExit(f"wrong result: {result.size} found, {len(truth)} in common")
    total, cpu = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"\n{args.keys:,} x {args.keys:,} selector keys, {len(truth):,} in common, mode {args.mode}; files: "
          + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(sizes.items())) + "\n")
    print("| step | seconds | CPU seconds | baseline s (set intersection) | ratio | target total ≤ 60 s |")
    print("|---|---|---|---|---|---|")
    for name, seconds, used in rows:
        print(f"| {name} | {seconds:.2f} | {used:.2f} | – | – | – |")
    passed = total <= TARGET_S
    print(f"| total | {total:.2f} | {cpu:.2f} | {baseline:.4f} | {total / max(baseline, 1e-9):.0f} | "
          f"{'PASS' if passed else 'FAIL'} |")
    if cpu < 0.8 * total:
        print(f"\nthe process had the CPU {cpu / total:.0%} of the time: the machine was busy, the wall time "
              "overstates the exchange's own")
    print(f"\n{'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1

if __name__ == "__main__":
    sys.exit(main())
