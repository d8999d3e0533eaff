"""Russian and Ukrainian place mentions: is each inflected mention resolved to the right gazetteer entry?

Test set: ``eval/data/places_slavic.jsonl``, hand-written sentences (written before the rules were tuned), one
per line: ``lang`` ("ru" or "uk"), ``text``, and ``mentions`` — each the mention's text, its character offsets
and the gold id ("geonames:486816", "katottg:UA…" for a village of the Ukrainian layer, "admin1:RU.41",
"country:POL"), and optionally ``section`` (a line without one is in "places"). Mentions are inflected in
every case ("в Судже", "из Харькова", "Курской области", "на Харківщині", "під Бахмутом"); places the
gazetteer lacks (Russian villages under 500 people, seas) are in the text unlabelled.
Section "districts": districts, hromadas and municipal okrugs named by
the adjective of their centre ("в Суджанском районе", "Краснопільська громада") and front sectors named after
a town ("на сумском направлении"), each labelled with the first-level region it lies in; a city's own
district ("в Киевском районе Харькова") is unlabelled (only the city is).

Each sentence goes through the language's analysis (``forewarn_slavic``: tokens, morphology, syntax, NER) and
``forewarn.nlp.slavic.places.find_places``. A gold mention counts as right when a found mention overlaps it
and resolves to the gold id (found and right / all). Run with the focus countries a workspace watching the
theatre has (UKR, RUS, BLR, MDA: the Ukrainian villages' layer is on) and without any (no village layer).
Figures per language, per section and overall; misses are listed. ``--json PATH`` writes the figures.

Usage: python eval/places_slavic.py [--json PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from forewarn.config import Settings
from forewarn.geo.gazetteer import Gazetteer
from forewarn.model.extraction import PlaceMention
from forewarn.nlp.pipeline import ExtractorConfig, build_pipeline
from forewarn.nlp.slavic.places import find_places

DATA = Path(__file__).resolve().parent / "data" / "places_slavic.jsonl"
TARGET = 0.90
THEATRE = ("UKR", "RUS", "BLR", "MDA")


@dataclass(frozen=True, slots=True)
class Gold:
    lang: str
    section: str
    sentence: str
    text: str
    start: int
    end: int
    id: str


@dataclass(frozen=True, slots=True)
class Outcome:
    gold: Gold
    got: str | None  # the id of the overlapping mention, None when nothing overlaps
    right: bool


def read(path: Path, limit: int | None) -> list[tuple[str, str, list[Gold]]]:
    rows = []
    for line in path.read_text("utf-8").splitlines()[:limit]:
        record: dict[str, Any] = json.loads(line)
        section = record.get("section", "places")
        golds = [Gold(record["lang"], section, record["text"], m["text"], m["start"], m["end"], m["id"])
                 for m in record["mentions"]]
        rows.append((record["lang"], record["text"], golds))
    return rows


def _analysis(lang: str) -> Language:
    return build_pipeline(ExtractorConfig.from_settings(Settings()), lang)


def score(golds: list[Gold], found: list[PlaceMention]) -> list[Outcome]:
    out = []
    for g in golds:
        over = [m for m in found if m.start < g.end and g.start < m.end]
        ids = [m.place.gazetteer_id for m in over]
        out.append(Outcome(g, ids[0] if ids else None, g.id in ids))
    return out


def run(rows: list[tuple[str, str, list[Gold]]], focus: tuple[str, ...],
        pipelines: dict[str, Language]) -> list[Outcome]:
    gazetteer = Gazetteer.default(focus=focus)
    outcomes: list[Outcome] = []
    for lang, text, golds in rows:
        nlp = pipelines[lang]
        with nlp.select_pipes(enable=["forewarn_slavic"]):
            doc = nlp(text)
        outcomes += score(golds, find_places(doc, gazetteer, frozenset(focus), lang))
    return outcomes


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    def share(items: list[Outcome]) -> dict[str, Any]:
        return {"n": len(items), "right": round(sum(o.right for o in items) / len(items), 3) if items else 0.0}

    sections = sorted({o.gold.section for o in outcomes})
    return {lang: share([o for o in outcomes if o.gold.lang == lang]) for lang in ("ru", "uk")} | {
        section: share([o for o in outcomes if o.gold.section == section]) for section in sections} | {
        "all": share(outcomes)}


def report(results: dict[str, list[Outcome]], seconds: float) -> dict[str, Any]:
    rep = {name: figures(outcomes) for name, outcomes in results.items()}
    print(f"{'focus':<20}{'subset':<10}{'n':>5}{'right':>8}{'target':>8}")
    for name, figs in rep.items():
        for lang, f in figs.items():
            print(f"{name:<20}{lang:<10}{f['n']:>5}{f['right']:>8.3f}{TARGET:>8.2f}")
    print(f"({seconds:.1f} s)")
    for name, outcomes in results.items():
        misses = [o for o in outcomes if not o.right]
        print(f"\nmisses, focus {name} ({len(misses)}):")
        for o in misses:
            print(f"  [{o.gold.lang}] {o.gold.text!r}: expected {o.gold.id}, got {o.got}\n      {o.gold.sentence}")
    return rep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--limit", type=int, help="only the first N sentences")
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"no test set at {DATA}", file=sys.stderr)
        return 1
    rows = read(DATA, args.limit)
    began = time.perf_counter()
    pipelines = {lang: _analysis(lang) for lang in ("ru", "uk")}
    results = {",".join(THEATRE): run(rows, THEATRE, pipelines), "none": run(rows, (), pipelines)}
    rep = report(results, time.perf_counter() - began)
    if args.json:
        args.json.write_text(json.dumps(rep, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
