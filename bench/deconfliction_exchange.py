"""Deconfliction between installations by file: 100,000 × 100,000 selector keys, 10,000 in common.

Every step of forewarn.sharing.exchange is timed on the side that runs it, files written to and read from
a temporary folder as they would travel:

  B request   the requester pads and blinds its keys, writes the request and its secret state
  A answer    the responder reads the request, pads and blinds its own keys, re-blinds the request,
              writes the response
  B finish    the requester reads the response and its state, and finds the keys in common

The total is the wall time of the three (the issue's target: ≤ 60 s). The baseline is what a trusted
third party would do: a plain Python set intersection of the raw keys. The ratio is total / baseline.
The found intersection is checked against the baseline's (the run fails if they differ).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from forewarn.sharing import exchange as ex

T = TypeVar("T")


def selectors(n: int, common: int, seed: int) -> tuple[list[str], list[str]]:
    """Two lists of ``n`` distinct phone-number keys with ``common`` in common."""
    rng = random.Random(seed)
    pool = list(dict.fromkeys(f"phone:+7{rng.randrange(10**9, 10**10)}" for _ in range(2 * n + 1000)))
    return pool[:n], pool[n - common:2 * n - common]


def timed(rows: list[tuple[str, float]], name: str, fn: Callable[[], T]) -> T:
    """Run ``fn``, append its wall time under ``name``, return its value."""
    start = time.perf_counter()
    value = fn()
    rows.append((name, time.perf_counter() - start))
    return value


def run(a: list[str], b: list[str], folder: Path, mode: str) -> tuple[list[tuple[str, float]], ex.Result]:
    """The three steps, through files in ``folder``."""
    rows: list[tuple[str, float]] = []

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


def main() -> None:
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
    total = sum(t for _, t in rows)
    print(f"{args.keys:,} x {args.keys:,} keys, {len(truth):,} in common, mode {args.mode}")
    print(f"{'step':<12}{'seconds':>10}")
    for name, seconds in rows:
        print(f"{name:<12}{seconds:>10.2f}")
    print(f"{'total':<12}{total:>10.2f}   target <= 60 s: {'met' if total <= 60 else 'MISSED'}")
    print(f"{'baseline':<12}{baseline:>10.4f}   (plain set intersection of the raw keys)")
    print(f"{'ratio':<12}{total / baseline:>10.0f}x")
    print("files: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(sizes.items())))


if __name__ == "__main__":
    main()
