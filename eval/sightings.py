"""Sighting reports: does the primary event of a troop or equipment sighting carry an actor?

Rows of ../shared/data/cir_geo_dev in the groups "Russian Military Presence" and "Russian Firing
Positions" (month suffixes removed): short geolocated descriptions of Russian forces seen somewhere,
often with nobody named ("Column of tanks moving north"). The primary event is the sentence's most
confident event, as in eval/event_types.py. Reported, over all rows (a row without an event counts as
having no actor):

- share whose primary event has an actor, named or inferred (target >= 0.90);
- share whose actor's country is RUS (target >= 0.90): every row in these groups is a sighting of
  Russian forces (allied forces named as such, "LNR fighters", are counted as they are coded);
- both split into named and inferred actors, and the inferred actors' countries by the row's own country
  (a row placed in Belarus or in an area Ukraine held infers that country's military: reported, not hidden).

Then eval/data/sighting_fragments.jsonl: short sighting reports and look-alikes written for forewarn (not
taken from any data set) before the sighting rules were written: "Tanks on the road to Melitopol" is a
sighting, "Fish tank cleaning tips", "Convoy of aid trucks arrives …", "Soviet tanks on display at the war
museum" are not. A row is a sighting when its primary event is MOBILIZE; reported: precision and recall of
sightings, and the share of labelled sightings whose actor's country is the labelled one.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from event_types import DATA, _group

from forewarn.config import load_settings
from forewarn.model.extraction import Event, Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig

GROUPS = frozenset({"Russian Military Presence", "Russian Firing Positions"})
FRAGMENTS = Path(__file__).resolve().parent / "data" / "sighting_fragments.jsonl"


def primary_event(extraction: Extraction) -> Event | None:
    """The most confident event, the first one on ties."""
    if not extraction.events:
        return None
    return max(extraction.events, key=lambda e: (e.confidence, -e.evidence.trigger_start))


def sighting_rows() -> list[dict[str, str]]:
    with (DATA / "cir_geo_dev" / "events_2022q2.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if _group(r["group"]) in GROUPS]


def primaries(extractor: Extractor, rows: Sequence[dict[str, str]]) -> list[Event | None]:
    inputs = (ExtractInput(str(i), r["text"], date.fromisoformat(r["date"])) for i, r in enumerate(rows))
    return [primary_event(x) if isinstance(x, Extraction) else None for x in extractor.extract(inputs)]


def _kind(event: Event | None) -> str:
    if event is None:
        return "no event"
    if event.actor is None:
        return "no actor"
    return "inferred" if event.actor.inferred else "named"


def scores(rows: Sequence[dict[str, str]], events: Sequence[Event | None]) -> dict[str, object]:
    n = len(rows)
    kinds = [_kind(e) for e in events]
    right = [e is not None and e.actor is not None and e.actor.entity.country == "RUS" for e in events]
    inferred_countries = Counter(f"{r['country'] or '?'} -> {e.actor.entity.country}"
                                 for r, e in zip(rows, events, strict=True)
                                 if e is not None and e.actor is not None and e.actor.inferred)
    return {
        "n": n,
        "with_actor": sum(k in ("named", "inferred") for k in kinds) / n,
        "country_right": sum(right) / n,
        "named": kinds.count("named") / n,
        "inferred": kinds.count("inferred") / n,
        "no_actor": kinds.count("no actor") / n,
        "no_event": kinds.count("no event") / n,
        "country_right_named": sum(ok for ok, k in zip(right, kinds, strict=True) if k == "named") / n,
        "country_right_inferred": sum(ok for ok, k in zip(right, kinds, strict=True) if k == "inferred") / n,
        "inferred_row_country_to_actor_country": dict(inferred_countries.most_common()),
    }


def fragments(extractor: Extractor) -> dict[str, object]:
    """Sighting precision and recall, and actor country, on the hand-written fragments."""
    rows = [json.loads(line) for line in FRAGMENTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    events = primaries(extractor, rows)
    gold = [r["type"] == "MOBILIZE" for r in rows]
    seen = [e is not None and e.type == "MOBILIZE" for e in events]
    hits = sum(g and p for g, p in zip(gold, seen, strict=True))
    right = sum(g and e is not None and e.actor is not None and e.actor.entity.country == r["actor"]
                for g, e, r in zip(gold, events, rows, strict=True))
    false = [r["text"] for r, g, p in zip(rows, gold, seen, strict=True) if p and not g]
    missed = [r["text"] for r, g, p in zip(rows, gold, seen, strict=True) if g and not p]
    return {"n": len(rows), "sightings": sum(gold), "precision": hits / max(sum(seen), 1),
            "recall": hits / max(sum(gold), 1), "actor_country_right": right / max(sum(gold), 1),
            "false_sightings": false, "missed": missed}


def report_fragments(result: dict[str, object]) -> None:
    print(f"\n== Hand-written sighting fragments (eval/data/sighting_fragments.jsonl): n={result['n']}"
          f" ({result['sightings']} sightings)")
    print(f"   sighting precision {result['precision']:.3f}  recall {result['recall']:.3f}"
          f"   actor country right {result['actor_country_right']:.3f}")
    for key in ("false_sightings", "missed"):
        for text in result[key]:  # type: ignore[attr-defined]
            print(f"   {key.replace('_', ' ')}: {text}")


def report(result: dict[str, object]) -> None:
    print(f"\n== CIR sighting rows (Russian Military Presence, Russian Firing Positions): n={result['n']}")
    print(f"   with an actor (named or inferred): {result['with_actor']:.3f}   (target >= 0.90)")
    print(f"   actor country RUS:                 {result['country_right']:.3f}   (target >= 0.90)")
    print(f"   named {result['named']:.3f} (RUS {result['country_right_named']:.3f})"
          f"   inferred {result['inferred']:.3f}"
          f" (RUS {result['country_right_inferred']:.3f})   no actor {result['no_actor']:.3f}"
          f"   no event {result['no_event']:.3f}")
    for key, count in result["inferred_row_country_to_actor_country"].items():  # type: ignore[attr-defined]
        print(f"   inferred, row country -> actor country: {key:24} {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the labelled data lives in the shared checkout)")
        return
    extractor = Extractor(ExtractorConfig.from_settings(load_settings()))
    rows = sighting_rows()
    result = scores(rows, primaries(extractor, rows))
    report(result)
    written = fragments(extractor)
    report_fragments(written)
    if args.json:
        args.json.write_text(json.dumps(result | {"fragments": written, "extractor": extractor.version}, indent=2),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
