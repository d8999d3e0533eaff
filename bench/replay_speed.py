"""Replay speed: a 120-day replay at daily steps over the extracted press corpus
(../shared/data/press_2021_2022, 1,794 releases; the cached workspace eval/press_workspace.py builds).

For every packaged default scenario, three times each (the table shows medians):

  read       reading the scenario's observations (events with their documents' facts) from the store:
             the floor any replay pays, the baseline
  replay     the 120 assessments, one per day, each from what was published before that day
  total      read + replay: what `forewarn replay --step 1d` over 120 days costs

Target: total ≤ 30 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))
from press_workspace import open_press_workspace

from forewarn.detect.observe import observations
from forewarn.detect.scenarios import default_scenarios
from forewarn.review.replay import replay

START = datetime(2021, 10, 27, tzinfo=UTC)
DAYS = 120
TARGET_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    end = START + timedelta(days=DAYS - 1)
    ws = open_press_workspace()
    print(f"{DAYS}-day replay at daily steps, {START.date()} … {end.date()}, medians of {args.repeat}\n")
    print("| scenario | observations | read (baseline) s | replay s | total s | total / read | target |")
    print("|---|---|---|---|---|---|---|")
    try:
        for scenario in default_scenarios():
            reads, replays = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                obs = observations(ws.store, until=end, region=scenario.region)
                t1 = time.perf_counter()
                series = replay(scenario, obs, START, end, "1d")
                t2 = time.perf_counter()
                reads.append(t1 - t0)
                replays.append(t2 - t1)
                assert len(series.steps) == DAYS
            read, rep = statistics.median(reads), statistics.median(replays)
            total = statistics.median(r + p for r, p in zip(reads, replays, strict=True))
            mark = "✔" if total <= TARGET_S else "✗"
            print(f"| {scenario.id} | {len(obs):,} | {read:.2f} | {rep:.2f} | {total:.2f} | {total / read:.1f} | "
                  f"≤ {TARGET_S:.0f} s {mark} |")
    finally:
        ws.close()


if __name__ == "__main__":
    main()
