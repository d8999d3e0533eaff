"""False events on ordinary world news: a fixed random sample of English feed items from
../shared/data/news_2023_mayjun (28 news feeds, May–June 2023), labelled by hand as event / none.

An item's text is its title, a blank line, and its description as plain text (the feed reader's
HTML-to-text). The sample: English items (language ``en-*``) with a title, in file order, 220 drawn
with ``random.Random(13)``. eval/data/news_sample_labels.jsonl keeps only each item's key (its link)
and label, never the publishers' text; the labels were written by reading the items before the
rules were measured on them. Guide: "event" when the item reports, as having happened or happening,
an interaction of the kind PLOVER codes (an attack, a protest, an arrest, a deployment, an agreement,
talks, an accusation, sanctions, aid, a threat, a demand …) between political actors or against
people; "none" for sport, markets and business results, weather, culture, lifestyle, crime without
a political side only when no one acts on anyone (an accident, a death), opinion pieces and
questions, previews and explainers of what might happen.

Reported (an item "has an event" when it yields one that is neither negated nor hypothetical):
has-event precision and recall, false events per 100 items (events in items labelled none;
target <= 10), and with ``--show`` each disagreement.

Usage: python eval/news_sample.py [--show] [--json PATH] [--print-sample]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from no_event import counted

from forewarn.config import load_settings
from forewarn.model.extraction import Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig
from forewarn.sources.html import html_to_text

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT.parent / "shared" / "data" / "news_2023_mayjun" / "items.jsonl.gz"
LABELS = ROOT / "eval" / "data" / "news_sample_labels.jsonl"
SIZE, SEED = 220, 13


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    text: str
    published: date


def sample() -> list[Item]:
    """The fixed sample, in draw order."""
    with gzip.open(NEWS, "rt", encoding="utf-8") as fh:
        rows = [r for r in map(json.loads, fh) if r["language"].startswith("en") and r["title"].strip()]
    drawn = random.Random(SEED).sample(rows, SIZE)
    return [Item(r["link"], _text(r), date.fromisoformat(r["date"][:10])) for r in drawn]


def _text(row: dict[str, str]) -> str:
    title, description = html_to_text(row["title"]), html_to_text(row["description"] or "")
    return f"{title}\n\n{description}" if description else title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--show", action="store_true", help="print each disagreement")
    parser.add_argument("--print-sample", action="store_true", help="print the sample to label, then stop")
    args = parser.parse_args()
    if not NEWS.is_file():
        print(f"skipped: {NEWS} is absent (the data lives in the shared checkout)")
        return
    items = sample()
    if args.print_sample:
        for i, item in enumerate(items):
            print(f"[{i}] {item.key}\n{item.text}\n")
        return
    labels = {r["key"]: r["label"] for r in map(json.loads, LABELS.read_text("utf-8").splitlines())}
    extractor = Extractor(ExtractorConfig.from_settings(load_settings()))
    results = extractor.extract(ExtractInput(str(i), it.text, it.published) for i, it in enumerate(items))
    tp = fp = fn = false_events = 0
    for item, result in zip(items, results, strict=True):
        events = counted(result.events) if isinstance(result, Extraction) else []
        gold = labels[item.key] == "event"
        tp, fp, fn = tp + (gold and bool(events)), fp + (not gold and bool(events)), fn + (gold and not events)
        false_events += 0 if gold else len(events)
        if args.show and bool(events) != gold:
            print(f"gold={labels[item.key]} system={[e.type for e in events]} | {item.text[:240]!r}")
    n = len(items)
    figures = {"items": n, "labelled_event": tp + fn, "precision": tp / (tp + fp) if tp + fp else 0.0,
               "recall": tp / (tp + fn) if tp + fn else 0.0, "false_events_per_100": 100 * false_events / n,
               "tp": tp, "fp": fp, "fn": fn, "extractor": extractor.version}
    print(f"{n} items ({tp + fn} labelled with an event): has-event precision {figures['precision']:.3f}  "
          f"recall {figures['recall']:.3f}  false events per 100 items {figures['false_events_per_100']:.1f}"
          " (target <= 10)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
