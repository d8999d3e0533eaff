"""Russian and Ukrainian time expressions: exact-day accuracy of ``forewarn.nlp.slavic.dates.find_dates``.

Test set: ``eval/data/dates_slavic.jsonl``, sentences written for forewarn (Russian and Ukrainian, one time
expression each), each with its language, publication date, the expected value and precision under the
rules documented in ``forewarn/nlp/slavic/dates.py`` and ``forewarn/nlp/dates.py``, and whether the
expression is ``relative`` or ``absolute``. The set was written before the rules were tuned. Each sentence
goes through the whole pipeline of its language (``build_pipeline(config, lang)``); the date mention that
overlaps the expression most is its match.

Figures per language and overall: detected (an overlapping mention), day (its value is the expected
date: exact-day accuracy, target ≥ 0.90), precision (its precision is the expected one), strict (both).
Misses are listed. ``--json PATH`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from forewarn.config import Settings
from forewarn.model.extraction import DateMention
from forewarn.nlp.pipeline import ExtractorConfig, build_pipeline, make_doc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dates import Case, Outcome, failure, figures, match  # eval/dates.py: the English twin

DATA = Path(__file__).resolve().parent / "data" / "dates_slavic.jsonl"
LANGUAGES = ("ru", "uk")
TARGET = 0.90


@dataclass(frozen=True, slots=True)
class LangCase:
    lang: str
    case: Case


def load_cases(path: Path) -> list[LangCase]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["expression"] not in row["text"] or row["lang"] not in LANGUAGES:
            raise ValueError(f"{path}:{n}: the expression is not in the text, or the language is not ru/uk")
        cases.append(LangCase(row["lang"], Case(row["text"], row["expression"], date.fromisoformat(row["published"]),
                                                date.fromisoformat(row["expected"]), row["precision"], row["kind"])))
    return cases


def run(cases: list[LangCase]) -> tuple[dict[str, list[Outcome]], float]:
    config = ExtractorConfig.from_settings(Settings())
    outcomes: dict[str, list[Outcome]] = {}
    began = time.perf_counter()
    for lang in LANGUAGES:
        nlp = build_pipeline(config, lang)
        mine = [c.case for c in cases if c.lang == lang]
        docs = nlp.pipe(make_doc(nlp, c.text, c.published) for c in mine)
        outcomes[lang] = [Outcome(c, match(c, _dates(d))) for c, d in zip(mine, docs, strict=True)]
    return outcomes, time.perf_counter() - began


def _dates(doc: Any) -> list[DateMention]:
    return list(doc._.fw_dates)


def report(outcomes: dict[str, list[Outcome]], seconds: float) -> dict[str, Any]:
    every = [o for group in outcomes.values() for o in group]
    groups = {**outcomes, "all": every}
    return {"by_language": {name: figures(group) for name, group in groups.items()},
            "by_kind": {kind: figures([o for o in every if o.case.kind == kind]) for kind in ("relative", "absolute")},
            "target_day": TARGET, "seconds": round(seconds, 1),
            "failures": {lang: [failure(o) for o in group if not o.strict] for lang, group in outcomes.items()}}


def print_report(rep: dict[str, Any]) -> None:
    print(f"{'set':<12}{'n':>5}{'detected':>10}{'day':>8}{'target':>8}{'precision':>11}{'strict':>8}")
    rows = {**rep["by_language"], **{f"  {k}": v for k, v in rep["by_kind"].items()}}
    for name, f in rows.items():
        print(f"{name:<12}{f['n']:>5}{f['detected']:>10.3f}{f['day']:>8.3f}{rep['target_day']:>8.2f}"
              f"{f['precision']:>11.3f}{f['strict']:>8.3f}")
    print(f"(whole pipelines, {rep['seconds']} s)")
    for lang, failures in rep["failures"].items():
        print(f"\n{lang} misses ({len(failures)}):")
        for f in failures:
            print(f"  [{f['published']}] {f['text']}")
            print(f"      {f['expression']!r}: expected {f['expected']}, got {f['got']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="JSONL test cases (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    outcomes, seconds = run(load_cases(args.data))
    rep = report(outcomes, seconds)
    print_report(rep)
    if args.json:
        args.json.write_text(json.dumps(rep, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
