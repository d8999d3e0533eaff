"""Development backtest: the packaged default scenarios replayed over the press corpus
(../shared/data/press_2021_2022: Kremlin and Ukrainian presidential press releases,
24 Oct 2021 – 24 Jun 2022).

- large-scale-invasion: the daily probability series from the corpus start to 24 Feb 2022, the
  first day each threshold is reached, and the lead time before the invasion;
- every other default scenario over the whole corpus: how many warnings (upward threshold
  crossings, what a live system would have raised) it produces. None of those scenarios happened
  in this period in their regions, so each warning is a false alarm (the report says which).

The scenarios were written from general knowledge of what precedes such events, before this run;
nothing here tunes them. Writes the series (CSV) and charts (SVG) to --out.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from press_workspace import cache_dir, open_press_workspace

from forewarn.detect.observe import observations
from forewarn.detect.scenarios import default_scenario, default_scenarios
from forewarn.detect.types import Observation
from forewarn.review.chart import write_chart
from forewarn.review.replay import ReplaySeries, replay, write_csv

INVASION = "large-scale-invasion"
INVASION_AT = datetime(2022, 2, 24, 3, 0, tzinfo=UTC)  # the first strikes, about 05:00 Kyiv time
CORPUS_START = datetime(2021, 10, 24, tzinfo=UTC)
CORPUS_END = datetime(2022, 6, 25, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=cache_dir() / "backtest", help="folder for CSV and charts")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with open_press_workspace() as ws:
        everything = observations(ws.store, until=CORPUS_END)
    print(f"press corpus: {len(everything):,} coded events (non-negated) from 1,794 press releases\n")
    invasion = _run(INVASION, everything, CORPUS_START, INVASION_AT, args.out)
    _report_invasion(invasion)
    print("\nOther default scenarios over the whole corpus (24 Oct 2021 – 24 Jun 2022), daily steps:\n")
    print("| scenario | warnings raised (false alarms) | first | peak probability | matched events |")
    print("|---|---|---|---|---|")
    for scenario in default_scenarios():
        if scenario.id == INVASION:
            continue
        series = _run(scenario.id, everything, CORPUS_START, CORPUS_END, args.out)
        first = series.crossings[0].at.date().isoformat() if series.crossings else "—"
        peak = max(s.probability for s in series.steps)
        print(f"| {scenario.id} | {len(series.crossings)} | {first} | {peak:.3f} | {series.matched} |")
    print(f"\nseries and charts: {args.out}")


def _run(scenario_id: str, everything: list[Observation], start: datetime, end: datetime, out: Path) -> ReplaySeries:
    scenario = default_scenario(scenario_id)
    started = time.perf_counter()
    series = replay(scenario, everything, start, end, "1d")
    elapsed = time.perf_counter() - started
    write_csv(series, out / f"{scenario_id}.csv")
    write_chart(series, out / f"{scenario_id}.svg")
    print(f"[{scenario_id}: {len(series.steps)} daily steps replayed in {elapsed:.1f} s]", file=sys.stderr)
    return series


def _report_invasion(series: ReplaySeries) -> None:
    print(f"## {INVASION}: 24 Oct 2021 – 24 Feb 2022, daily\n")
    print("| threshold | probability | first day reached | lead time before 24 Feb 2022 |")
    print("|---|---|---|---|")
    for threshold in series.thresholds:
        step = series.first_reaching(threshold)
        if step is None:
            print(f"| {threshold.level} | {threshold.probability:.2f} | not reached | — |")
            continue
        lead = (INVASION_AT - step.at).total_seconds() / 86400
        print(f"| {threshold.level} | {threshold.probability:.2f} | {step.at.date()} | {lead:.1f} days |")
    print("\nwarnings a live system would have raised: "
          + (", ".join(f"{c.at.date()} {c.level} (p={c.probability:.2f})" for c in series.crossings) or "none"))
    print("\nweekly series (probability at each Monday, and the indicator contributing most):\n")
    print("| day | probability | level | counted signals | top indicator |")
    print("|---|---|---|---|---|")
    for step in series.steps:
        if step.at.weekday() == 0 or step is series.steps[-1]:
            print(f"| {step.at.date()} | {step.probability:.3f} | {step.level or '—'} | {step.signals} | "
                  f"{step.top_signal or '—'} |")


if __name__ == "__main__":
    main()
