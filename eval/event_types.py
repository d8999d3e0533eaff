"""Event typing: does forewarn give a sentence the right PLOVER type?

1. PLOVER gold standard (../shared/data/plover_gsr, v0.5b1, 322 sentences): older names mapped to
   the current 16 types (DEMAND→REQUEST; DISAPPROVE, INVESTIGATE→ACCUSE; FIGHT→ASSAULT; DOCUMENT
   rows skipped). Prediction: the type of the sentence's most confident event (none = wrong).
   Reports per-type precision/recall/F1 and macro-F1 over the types in the gold set (target ≥ 0.80 on
   the held-out odd rows),
   on all rows and separately on even and odd rows: only even rows were ever read while
   developing the rules, so the odd half is an honest held-out figure.
2. Real incident descriptions (../shared/data/cir_geo_dev): the `group` column (month suffixes
   removed) mapped to a type; accuracy of the most confident event (target ≥ 0.90).
   Mapping: Russian Military Presence, Russian Firing Positions → MOBILIZE (forces positioned);
   Bombing or Explosion, Ground Battle, Civilian Infrastructure Damage, Military Infrastructure
   Damage, Civilian Casualty, Russian/Ukrainian Military Losses, Munitions (munitions used or
   left, mines laid), Mass grave or Burial (the aftermath of killings) → ASSAULT;
   Detentions or Arrests → COERCE; Other, Russian Allies Presence/Losses (mixes presence and
   losses) → not scored.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from forewarn.config import load_settings
from forewarn.model.extraction import Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
CIR_TYPES = {
    "Russian Military Presence": "MOBILIZE", "Russian Firing Positions": "MOBILIZE",
    "Bombing or Explosion": "ASSAULT", "Ground Battle": "ASSAULT", "Civilian Infrastructure Damage": "ASSAULT",
    "Military Infrastructure Damage": "ASSAULT", "Civilian Casualty": "ASSAULT", "Russian Military Losses": "ASSAULT",
    "Ukrainian Military Losses": "ASSAULT", "Munitions": "ASSAULT", "Mass grave or Burial": "ASSAULT",
    "Detentions or Arrests": "COERCE",
}


def primary(extraction: Extraction) -> str | None:
    """The type of the most confident event, the first one on ties."""
    if not extraction.events:
        return None
    return max(extraction.events, key=lambda e: (e.confidence, -e.evidence.trigger_start)).type


def predict(extractor: Extractor, texts: Sequence[str], published: Sequence[date]) -> list[str | None]:
    inputs = (ExtractInput(str(i), t, d) for i, (t, d) in enumerate(zip(texts, published, strict=True)))
    out: list[str | None] = []
    for result in extractor.extract(inputs):
        out.append(primary(result) if isinstance(result, Extraction) else None)
    return out


def scores(gold: Sequence[str], pred: Sequence[str | None]) -> dict[str, object]:
    per_type = {}
    for t in sorted(set(gold)):
        tp = sum(g == t and p == t for g, p in zip(gold, pred, strict=True))
        fp = sum(g != t and p == t for g, p in zip(gold, pred, strict=True))
        fn = sum(g == t and p != t for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_type[t] = {"precision": precision, "recall": recall, "f1": f1, "n": tp + fn}
    macro = sum(v["f1"] for v in per_type.values()) / len(per_type)
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
    return {"macro_f1": macro, "accuracy": accuracy, "no_event": sum(p is None for p in pred), "n": len(gold),
            "per_type": per_type}


def plover_gsr(extractor: Extractor) -> dict[str, object]:
    rows = [r for r in json.loads((DATA / "plover_gsr" / "PLOVER_GSR_CAMEO.clean.json").read_text("utf-8"))
            if r["event"] != "DOCUMENT"]
    gold = [OLD_NAMES.get(r["event"], r["event"]) for r in rows]
    pred = predict(extractor, [r["text"] for r in rows], [date.fromisoformat(r["date"]) for r in rows])
    result = scores(gold, pred)
    for name, half in (("dev_even_rows", 0), ("heldout_odd_rows", 1)):
        result[name] = scores(gold[half::2], pred[half::2])["macro_f1"]
    return result


def cir_geo(extractor: Extractor) -> dict[str, object]:
    with (DATA / "cir_geo_dev" / "events_2022q2.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if _group(r["group"]) in CIR_TYPES]
    gold = [CIR_TYPES[_group(r["group"])] for r in rows]
    pred = predict(extractor, [r["text"] for r in rows], [date.fromisoformat(r["date"]) for r in rows])
    result = scores(gold, pred)
    by_group: dict[str, list[bool]] = {}
    for r, g, p in zip(rows, gold, pred, strict=True):
        by_group.setdefault(_group(r["group"]), []).append(g == p)
    result["accuracy_by_group"] = {k: (sum(v) / len(v), len(v)) for k, v in sorted(by_group.items())}
    return result


def _group(name: str) -> str:
    return re.sub(r"\s+(January|February|March|April|May|June|July|August|September|October|November|December"
                  r"|Feb - June)(\s+\d{4})?$", "", name.strip())


def report(name: str, result: dict[str, object]) -> None:
    print(f"\n== {name}: n={result['n']}  macro-F1={result['macro_f1']:.3f}  accuracy={result['accuracy']:.3f}"
          f"  no event={result['no_event']}")
    for key in ("dev_even_rows", "heldout_odd_rows"):
        if key in result:
            print(f"   macro-F1 on {key}: {result[key]:.3f}")
    print(f"   {'type':10} {'prec':>6} {'rec':>6} {'F1':>6} {'n':>5}")
    for t, v in result["per_type"].items():  # type: ignore[attr-defined]
        print(f"   {t:10} {v['precision']:6.2f} {v['recall']:6.2f} {v['f1']:6.2f} {v['n']:5d}")
    for g, (acc, n) in result.get("accuracy_by_group", {}).items():  # type: ignore[attr-defined]
        print(f"   {g:34} accuracy {acc:.2f} (n={n})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the labelled data lives in the shared checkout)")
        return
    extractor = Extractor(ExtractorConfig.from_settings(load_settings()))
    results = {"plover_gsr": plover_gsr(extractor), "cir_geo_dev": cir_geo(extractor), "extractor": extractor.version}
    report("PLOVER gold standard (target macro-F1 >= 0.80 on the held-out odd rows)", results["plover_gsr"])  # type: ignore[arg-type]
    report("CIR incident descriptions (target accuracy >= 0.90)", results["cir_geo_dev"])  # type: ignore[arg-type]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
