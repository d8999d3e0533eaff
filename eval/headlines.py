"""Headline and caption style: does forewarn code news headlines and photo captions as a reader would?

eval/data/headlines.jsonl: 140 headlines and captions written for this set in the style of wire services,
tabloids and regional papers (title case, "X: Y" and "Y, X says" attributions, verbless phrases,
"as"-clauses, quantities, photo captions, and ordinary news with no political event), each labelled
before the rules were tuned on it with its PLOVER type (or null), the actor's country and the
recipient's country where the text gives them (ISO 3166 alpha-3), and its style.

Each line is extracted on its own. An item "has an event" when it yields one that is neither negated
nor hypothetical. Reported: has-event precision and recall, false events per 100 items labelled none,
type accuracy on items labelled with an event (the most confident counted event's type), actor-country
and recipient-country accuracy on items whose label names one (of the counted event of the gold type,
else the most confident), and type accuracy per style. ``--show`` prints each disagreement.

Usage: python eval/headlines.py [--show] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from no_event import counted

from forewarn.config import load_settings
from forewarn.model.extraction import Event, Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig

DATA = Path(__file__).resolve().parent / "data" / "headlines.jsonl"
PUBLISHED = date(2022, 6, 1)


@dataclass(frozen=True, slots=True)
class Headline:
    text: str
    type: str | None
    actor: str | None
    recipient: str | None
    style: str


def load() -> list[Headline]:
    return [Headline(**json.loads(line)) for line in DATA.read_text("utf-8").splitlines() if line.strip()]


def chosen(events: list[Event], gold: str | None) -> Event | None:
    """The event scored for participants: one of the gold type, else the most confident."""
    same = [e for e in events if e.type == gold]
    return max(same or events, key=lambda e: e.confidence, default=None)


def country(event: Event | None, role: str) -> str | None:
    who = getattr(event, role) if event is not None else None
    return who.entity.country if who is not None else None


def ratio(hits: int, n: int) -> float:
    return hits / n if n else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--show", action="store_true", help="print each disagreement")
    args = parser.parse_args()
    rows = load()
    extractor = Extractor(ExtractorConfig.from_settings(load_settings()))
    results = extractor.extract(ExtractInput(str(i), r.text, PUBLISHED) for i, r in enumerate(rows))
    tally: dict[str, int] = defaultdict(int)
    styles: dict[str, list[bool]] = defaultdict(list)
    for row, result in zip(rows, results, strict=True):
        events = counted(result.events) if isinstance(result, Extraction) else []
        top = max(events, key=lambda e: e.confidence).type if events else None
        pick = chosen(events, row.type)
        found = {"type": top == row.type, "actor": country(pick, "actor") == row.actor,
                 "recipient": country(pick, "recipient") == row.recipient}
        tally["tp"] += bool(events) and row.type is not None
        tally["fp"] += bool(events) and row.type is None
        tally["fn"] += not events and row.type is not None
        tally["false_events"] += len(events) if row.type is None else 0
        tally["none"] += row.type is None
        if row.type is not None:
            tally["type_ok"] += found["type"]
            styles[row.style].append(found["type"])
        for role in ("actor", "recipient"):
            if row.type is not None and getattr(row, role) is not None:
                tally[f"{role}_n"] += 1
                tally[f"{role}_ok"] += found[role]
        if args.show and not (found["type"] and (row.type is None or found["actor"] or row.actor is None)):
            shown = [(e.type, country(e, "actor"), country(e, "recipient")) for e in events]
            print(f"gold=({row.type}, {row.actor}, {row.recipient}) system={shown} | {row.text}")
    tp, fp, fn = tally["tp"], tally["fp"], tally["fn"]
    figures = {
        "items": len(rows), "labelled_event": tp + fn, "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn),
        "false_events_per_100_none": 100 * ratio(tally["false_events"], tally["none"]),
        "type_accuracy": ratio(tally["type_ok"], tp + fn),
        "actor_country_accuracy": ratio(tally["actor_ok"], tally["actor_n"]),
        "recipient_country_accuracy": ratio(tally["recipient_ok"], tally["recipient_n"]),
        "type_accuracy_by_style": {s: ratio(sum(v), len(v)) for s, v in sorted(styles.items())},
        "extractor": extractor.version,
    }
    print(f"{len(rows)} headlines and captions ({tp + fn} labelled with an event): has-event precision "
          f"{figures['precision']:.3f}  recall {figures['recall']:.3f}  false events per 100 none "
          f"{figures['false_events_per_100_none']:.1f}")
    print(f"type accuracy {figures['type_accuracy']:.3f}   actor country {figures['actor_country_accuracy']:.3f} "
          f"(n={tally['actor_n']})   recipient country {figures['recipient_country_accuracy']:.3f} "
          f"(n={tally['recipient_n']})")
    print("type accuracy by style: " + ", ".join(f"{s} {ratio(sum(v), len(v)):.2f}" for s, v in sorted(styles.items())))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
