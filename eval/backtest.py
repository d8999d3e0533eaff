"""Development backtest: the packaged default scenarios replayed daily over the press corpus
(../shared/data/press_2021_2022: Kremlin and Ukrainian presidential press releases,
24 Oct 2021 – 24 Jun 2022), by eval/backtest_streams.py with the same tables as the news streams:

- large-scale-invasion: the lead before the invasion of 24 Feb 2022 (03:00 UTC, the first strikes) of
  each threshold, the level then, against the target (elevated >= 14 days before);
- every default scenario: the warnings (upward threshold crossings, what a live system would have
  raised) and which were false alarms, with the evidence of each.

The scenarios were written from general knowledge of what precedes such events, before this run;
nothing here tunes them. Writes the series (CSV), charts (SVG) and summary.json to --out/press.

Usage: python eval/backtest.py [--out DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backtest_streams import main

if __name__ == "__main__":
    main(["--streams", "press", *sys.argv[1:]])
