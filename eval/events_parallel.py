"""Event types in three languages: the same sentences in English, Russian and Ukrainian.

Test set: ``eval/data/events_parallel.jsonl``, hand-written (written before the Russian and Ukrainian
coders were tuned): each item is one sentence in English (``en``), Russian (``ru``) and Ukrainian
(``uk``) with its PLOVER type (``type``; null for a sentence that reports no event) and optionally the
mode. News and milblogger registers ("обстрел", "прилёт", "колонна техники у Суджи", "заход ДРГ").
Two splits: ``dev`` (the first 160 items, written before the coders existed but read while their lexicons
were written: an optimistic figure) and ``heldout`` (items marked ``"split": "heldout"``, written after the
first version and never used to change a rule or a lexicon: the honest figure).

Each sentence is extracted alone by the whole pipeline of its language (``Extractor`` with the language
declared). Scoring, per language: a sentence's coded types are the set of its events' types; for each
PLOVER type in the gold set, a sentence whose gold is that type counts a true positive when the type is
coded and a false negative when it is not; a sentence whose gold is another type (or none) counts a false
positive for each other type coded. Macro-F1 is the mean F1 over the gold types; also reported: exact
(coded set = {gold}, or empty for no event) and no-event precision (no-event sentences with nothing coded).
Target: each of ru and uk within 0.10 of English's macro-F1 (on held-out). ``--split`` picks the items scored
(default: each split and all); misses (a false negative or positive) of the dev split are listed with
``--misses`` (held-out misses are not shown, so that they stay unread); ``--json PATH`` writes the figures.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from forewarn.config import load_settings
from forewarn.model.extraction import Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig

DATA = Path(__file__).resolve().parent / "data" / "events_parallel.jsonl"
LANGS = ("en", "ru", "uk")
PUBLISHED = date(2024, 8, 6)
TARGET_GAP = 0.10
SPLITS = ("dev", "heldout")


def load(path: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def coded(extractor: Extractor, texts: Sequence[str], lang: str) -> list[frozenset[str]]:
    inputs = (ExtractInput(str(n), text, PUBLISHED, language=lang) for n, text in enumerate(texts))
    return [frozenset(e.type for e in r.events) if isinstance(r, Extraction) else frozenset()
            for r in extractor.extract(inputs)]


def scores(gold: Sequence[str | None], pred: Sequence[frozenset[str]]) -> dict[str, object]:
    per_type: dict[str, dict[str, float]] = {}
    for t in sorted({g for g in gold if g is not None}):
        tp = sum(g == t and t in p for g, p in zip(gold, pred, strict=True))
        fp = sum(g != t and t in p for g, p in zip(gold, pred, strict=True))
        fn = sum(g == t and t not in p for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_type[t] = {"precision": precision, "recall": recall, "f1": f1, "n": tp + fn}
    exact = sum(p == (frozenset({g}) if g else frozenset()) for g, p in zip(gold, pred, strict=True))
    nulls = [p for g, p in zip(gold, pred, strict=True) if g is None]
    return {"macro_f1": sum(v["f1"] for v in per_type.values()) / len(per_type), "exact": exact / len(gold),
            "no_event_clean": sum(not p for p in nulls) / len(nulls) if nulls else 1.0, "n": len(gold),
            "per_type": per_type}


def misses(items: Sequence[dict[str, str | None]], gold: Sequence[str | None], pred: Sequence[frozenset[str]],
           lang: str) -> list[str]:
    return [f"  [{lang}] gold={g or '-':9} coded={','.join(sorted(p)) or '-':18} {item[lang]}"
            for item, g, p in zip(items, gold, pred, strict=True) if (g is not None and g not in p) or (p - {g})]


def report(title: str, results: dict[str, dict[str, object]]) -> None:
    print(f"\n== {title}: n={results['en']['n']}")
    english = float(results["en"]["macro_f1"])  # type: ignore[arg-type]
    print(f"{'lang':5} {'macro-F1':>9} {'gap':>7} {'exact':>7} {'no-event clean':>15}  target: gap <= {TARGET_GAP}")
    for lang, r in results.items():
        gap = english - float(r["macro_f1"])  # type: ignore[arg-type]
        ok = "" if lang == "en" else ("  ok" if gap <= TARGET_GAP else "  MISSED")
        print(f"{lang:5} {r['macro_f1']:9.3f} {gap:7.3f} {r['exact']:7.3f} {r['no_event_clean']:15.3f}{ok}")
    print(f"\n{'type':10} " + " ".join(f"{lang + ' F1':>7}" for lang in results) + f" {'n':>4}")
    for t, v in results["en"]["per_type"].items():  # type: ignore[attr-defined]
        row = " ".join(f"{results[lang]['per_type'][t]['f1']:7.2f}" for lang in results)  # type: ignore[index]
        print(f"{t:10} {row} {int(v['n']):4d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--misses", action="store_true", help="list the sentences coded wrong")
    parser.add_argument("--split", choices=(*SPLITS, "each"), default="each", help="which items to score")
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"skipped: {DATA} is absent")
        return
    items = load(DATA)
    extractor = Extractor(ExtractorConfig.from_settings(load_settings()))
    splits = SPLITS if args.split == "each" else (args.split,)
    chosen = [item for item in items if args.split == "each" or item.get("split", "dev") == args.split]
    preds = {lang: coded(extractor, [str(item[lang]) for item in chosen], lang) for lang in LANGS}
    figures: dict[str, dict[str, dict[str, object]]] = {}
    for split in (*splits, "all") if args.split == "each" else splits:
        keep = [n for n, item in enumerate(chosen) if split == "all" or item.get("split", "dev") == split]
        gold = [chosen[n]["type"] for n in keep]
        figures[split] = {lang: scores(gold, [preds[lang][n] for n in keep]) for lang in LANGS}
        report(split, figures[split])
    dev = [n for n, item in enumerate(chosen) if item.get("split", "dev") == "dev"]
    if args.misses:
        listed = [line for lang in LANGS for line in misses([chosen[n] for n in dev], [chosen[n]["type"] for n in dev],
                                                            [preds[lang][n] for n in dev], lang)]
        print("\nmisses (dev):\n" + "\n".join(listed))
    if args.json:
        args.json.write_text(json.dumps({**figures, "extractor": extractor.version}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
