"""No-event precision: on sentences sampled at random from the press corpus and labelled by hand
(eval/data/press_sentences.jsonl, labelled before the system existed; guide in
eval/data/press_sentences.md), does forewarn find an event exactly where there is one?

A sentence "has an event" for the system when it yields at least one event that is neither
negated nor hypothetical. Reports precision and recall of "has an event" (target precision
≥ 0.80), false events per 100 sentences (events the system produced in sentences labelled
none), and type accuracy on sentences both sides say have an event. Each sentence is extracted
on its own (the references keep no publication date; relative dates do not matter here).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_press_sentences import PRESS, load_labelled

from forewarn.config import load_settings
from forewarn.model.extraction import Event, Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig


def counted(events: tuple[Event, ...]) -> list[Event]:
    return [e for e in events if not e.flags.negated and not e.flags.hypothetical]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--show", action="store_true", help="print each disagreement")
    args = parser.parse_args()
    if not PRESS.is_dir():
        print(f"skipped: {PRESS} is absent (the labelled data lives in the shared checkout)")
        return
    sentences = load_labelled()
    extractor = Extractor(ExtractorConfig.from_settings(load_settings()))
    results = extractor.extract(ExtractInput(s.key, s.text, date(2022, 1, 1)) for s in sentences)
    tp = fp = fn = tn = false_events = type_ok = 0
    for s, result in zip(sentences, results, strict=True):
        events = counted(result.events) if isinstance(result, Extraction) else []
        gold = s.label is not None
        if events and gold:
            tp += 1
            type_ok += s.label in {e.type for e in events}
        elif events:
            fp += 1
            false_events += len(events)
        elif gold:
            fn += 1
        else:
            tn += 1
        if args.show and bool(events) != gold:
            print(f"gold={s.label} system={[e.type for e in events]} | {s.text[:200]}")
    n = len(sentences)
    figures = {
        "sentences": n, "labelled_event": tp + fn, "labelled_none": fp + tn,
        "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
        "false_events_per_100": 100 * false_events / n, "type_accuracy_on_agreed": type_ok / tp if tp else 0.0,
        "tp": tp, "fp": fp, "fn": fn, "tn": tn, "extractor": extractor.version,
    }
    print(f"{n} sentences ({tp + fn} labelled with an event, {fp + tn} none)")
    print(f"has-event precision {figures['precision']:.3f} (target >= 0.80)   recall {figures['recall']:.3f}")
    print(f"false events per 100 sentences {figures['false_events_per_100']:.1f}   "
          f"type accuracy where both see an event {figures['type_accuracy_on_agreed']:.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
