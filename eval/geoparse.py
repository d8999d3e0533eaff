"""Geoparsing: how close the place found in a short event description lies to the coded location.

Data: ../shared/data/cir_geo_dev/events_2022q2.csv (columns id,date,group,text,lat,lon,country,province,town),
one row per coded event with a short free-text description and the event's coordinates.

Each text goes through the full extraction, and each row's place is scored two ways:

* **event's place (the headline figures):** the place of the row's most confident event that has one (the
  place of the action), or, when no event has a place, the document's place as below;
* **document's place:** the most specific place the text mentions (a town over a region over a country;
  the first one among equals), whatever the events say.

What counts as right is the same both ways. Figures:

  (a) rows whose text contains the row's town name (compared without case, accents or apostrophes):
      share resolved within 25 km and within 161 km of the coded point; unresolved rows count as misses
      (targets ≥ 0.88 and ≥ 0.93, issue 13);
  (b) all rows: among rows where anything was resolved, the share within 161 km (target ≥ 0.90);
  (c) all rows: the share resolved at all.

``--focus`` runs with the focus_countries setting a workspace watching this theatre would have
(`make eval` reports both: without it, and with UKR,RUS,BLR,MDA).

Usage: python eval/geoparse.py [--json PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forewarn.model.extraction import Extraction, PlaceMention

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cir_geo_dev" / "events_2022q2.csv"


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    text: str
    lat: float
    lon: float
    town: str


@dataclass(frozen=True, slots=True)
class Outcome:
    row: Row
    name: str | None  # the resolved place's name, None when nothing was resolved
    precision: str | None
    mention: str | None
    km: float | None


@dataclass(frozen=True, slots=True)
class Scored:
    """A row scored both ways: by its event's place (headline) and by the document's place."""

    event: Outcome
    document: Outcome


def read_rows(path: Path) -> list[Row]:
    rows = []
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            try:
                lat, lon = float(r["lat"]), float(r["lon"])
            except ValueError:
                continue
            rows.append(Row(r["id"], r["text"] or "", lat, lon, r["town"] or ""))
    return rows


def outcome(row: Row, mention: PlaceMention | None) -> Outcome:
    from forewarn.geo.distance import haversine_km

    if mention is None:
        return Outcome(row, None, None, None, None)
    km = haversine_km(row.lat, row.lon, mention.place.lat, mention.place.lon)
    return Outcome(row, mention.place.name, mention.place.precision.value, mention.text, km)


def score(row: Row, result: Extraction) -> Scored:
    from forewarn.nlp.geo import most_specific

    document = most_specific(list(result.places))
    placed = sorted((e for e in result.events if e.place is not None), key=lambda e: -e.confidence)
    return Scored(outcome(row, placed[0].place if placed else document), outcome(row, document))


def resolve_all(rows: list[Row], focus: str = "") -> tuple[list[Scored], float]:
    from datetime import date

    from forewarn.config import Settings
    from forewarn.model.extraction import Extraction
    from forewarn.nlp.extract import ExtractInput, Extractor
    from forewarn.nlp.pipeline import ExtractorConfig

    countries = tuple(c for c in focus.split(",") if c)
    extractor = Extractor(ExtractorConfig.from_settings(Settings(focus_countries=countries)))
    scored = []
    started = time.perf_counter()
    inputs = (ExtractInput(str(i), r.text, date(2022, 5, 1)) for i, r in enumerate(rows))
    for row, result in zip(rows, extractor.extract(inputs), strict=True):
        assert isinstance(result, Extraction), result
        scored.append(score(row, result))
    return scored, time.perf_counter() - started


def share(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def figures(outcomes: list[Outcome]) -> dict[str, float | int]:
    from forewarn.geo.gazetteer import normalize

    named = [o for o in outcomes if o.row.town and f" {normalize(o.row.town)} " in f" {normalize(o.row.text)} "]
    resolved = [o for o in outcomes if o.km is not None]
    return {
        "rows": len(outcomes),
        "town_rows": len(named),
        "town_within_25km": share(sum(o.km is not None and o.km <= 25 for o in named), len(named)),
        "town_within_161km": share(sum(o.km is not None and o.km <= 161 for o in named), len(named)),
        "resolved_rows": len(resolved),
        "resolved_within_161km": share(sum(o.km is not None and o.km <= 161 for o in resolved), len(resolved)),
        "resolved_share": share(len(resolved), len(outcomes)),
    }


def print_table(event: dict[str, float | int], document: dict[str, float | int], seconds: float) -> None:
    print(f"rows {event['rows']}, of which name their town: {event['town_rows']}, resolved: {event['resolved_rows']}"
          f" ({seconds:.1f} s for the extraction)")
    print(f"{'figure':<52} {'event':>7} {'doc':>7} {'target':>7}")
    for key, label, target in (
        ("town_within_25km", "(a) town named: within 25 km (unresolved = miss)", "0.88"),
        ("town_within_161km", "(a) town named: within 161 km (unresolved = miss)", "0.93"),
        ("resolved_within_161km", "(b) all rows, resolved ones: within 161 km", "0.90"),
        ("resolved_share", "(c) all rows: share resolved", "—"),
    ):
        print(f"{label:<52} {event[key]:>7.3f} {document[key]:>7.3f} {target:>7}")
    print("event: the event's own place (else the document's) — the headline; doc: the document's place")


def print_worst(outcomes: list[Outcome], n: int = 15) -> None:
    misses = sorted((o for o in outcomes if o.km is not None), key=lambda o: -(o.km or 0.0))[:n]
    print(f"\n{n} worst misses (resolved place far from the coded point):")
    for o in misses:
        print(f"  {o.row.id:<8} {o.km:>7.0f} km  {o.mention!r} -> {o.name} ({o.precision}); coded town {o.row.town!r}")
        print(f"           text: {o.row.text[:140]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows (quick runs)")
    parser.add_argument("--focus", default="", help="focus_countries setting to run with, e.g. UKR,RUS,BLR,MDA "
                        "(the area a workspace watches); default none")
    args = parser.parse_args(argv)
    if not DATA.is_file():
        print(f"geoparse eval skipped: the labelled data is not there ({DATA})")
        return 0
    rows = read_rows(DATA)
    if args.limit:
        rows = rows[: args.limit]
    scored, seconds = resolve_all(rows, args.focus)
    print(f"focus countries: {args.focus or 'none'}")
    event, document = figures([s.event for s in scored]), figures([s.document for s in scored])
    print_table(event, document, seconds)
    print_worst([s.event for s in scored])
    if args.json:
        args.json.write_text(json.dumps({**event, "document": document}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
