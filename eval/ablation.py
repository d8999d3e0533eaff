"""Ablation of event typing: the rules alone, the learned model alone, and the two combined (the pipeline
with ``event_model`` set), on every development set, with per-type precision, recall and F1 and bootstrap
95% intervals (BOOTSTRAP resamples of the sentences, seed SEED).

Sets (../shared/data; eval/event_types.py and eval/no_event.py describe the first three):
1. PLOVER gold standard, ODD rows only (the model learned from the even rows): type of the most
   confident event (rules, combined) or the model's label; none is wrong.
2. CIR incident groups mapped to types as in eval/event_types.py.
3. Hand-labelled press sentences: has-event precision and recall (an asserted event; the model: a label
   other than none).
4. conflibert_cameo_train. Its labels are CAMEO quad classes (0 neutral statement, 1 verbal cooperation,
   2 material cooperation, 3 verbal conflict, 4 material conflict: read the sentences), so a PLOVER type
   is scored by its quad class (``forewarn.nlp.lexicon.QUADS``), none as 0. The shipped model never saw
   this set (GPL); a fifth column, "cv", is a model of the same kind learned from the set itself,
   5-fold cross-validated (what the set's own labels can teach; nothing of it ships).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from event_types import CIR_TYPES, DATA, OLD_NAMES, _group, predict, scores
from no_event import counted
from sample_press_sentences import PRESS, load_labelled
from train_event_model import Example, gsr_rows, train

from forewarn.config import load_settings
from forewarn.model.extraction import Extraction
from forewarn.nlp.classifier import NONE, EventModel
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.lexicon import QUADS
from forewarn.nlp.pipeline import ClassifierComponent, ExtractorConfig

SEED = 13
BOOTSTRAP = 1000
FOLDS = 5
Labels = list[str | None]
Systems = dict[str, Labels]


def interval(gold: Sequence[str], pred: Labels, statistic: Callable[[Sequence[str], Labels], float]) -> tuple[
        float, float]:
    rng = random.Random(SEED)
    n = len(gold)
    values = []
    for _ in range(BOOTSTRAP):
        idx = [rng.randrange(n) for _ in range(n)]
        values.append(statistic([gold[i] for i in idx], [pred[i] for i in idx]))
    values.sort()
    return values[int(0.025 * BOOTSTRAP)], values[int(0.975 * BOOTSTRAP) - 1]


def _macro(gold: Sequence[str], pred: Labels) -> float:
    return float(scores(gold, pred)["macro_f1"])  # type: ignore[arg-type]


def _type_f1(t: str) -> Callable[[Sequence[str], Labels], float]:
    def f1(gold: Sequence[str], pred: Labels) -> float:
        per = scores(gold, pred)["per_type"]
        return float(per[t]["f1"]) if t in per else 0.0  # type: ignore[index, operator]
    return f1


def typing_table(name: str, gold: Sequence[str], systems: Systems) -> dict[str, object]:
    print(f"\n== {name} (n={len(gold)})")
    out: dict[str, object] = {}
    for system, pred in systems.items():
        result = scores(gold, pred)
        lo, hi = interval(gold, pred, _macro)
        result["macro_f1_95"] = (lo, hi)
        out[system] = result
        print(f"   {system:9} macro-F1 {result['macro_f1']:.3f} [{lo:.3f}-{hi:.3f}]  accuracy {result['accuracy']:.3f}")
    print(f"   {'type':10} {'n':>4}  " + "  ".join(f"{s + ' P/R/F1 [F1 95%]':>31}" for s in systems))
    for t in sorted(set(gold)):
        cells = []
        for system, pred in systems.items():
            v = out[system]["per_type"][t]  # type: ignore[index]
            lo, hi = interval(gold, pred, _type_f1(t))
            cells.append(f"{v['precision']:.2f}/{v['recall']:.2f}/{v['f1']:.2f} [{lo:.2f}-{hi:.2f}]")
        print(f"   {t:10} {sum(g == t for g in gold):4d}  " + "  ".join(f"{c:>31}" for c in cells))
    return out


def _has_event(gold: Sequence[str], pred: Labels) -> tuple[float, float]:
    tp = sum(g != NONE and p is not None for g, p in zip(gold, pred, strict=True))
    said = sum(p is not None for p in pred)
    real = sum(g != NONE for g in gold)
    return (tp / said if said else 0.0), (tp / real if real else 0.0)


def has_event_table(gold: Sequence[str], systems: Systems) -> dict[str, object]:
    print(f"\n== Hand-labelled press sentences, has-event (n={len(gold)}, {sum(g != NONE for g in gold)} with one)")
    out: dict[str, object] = {}
    for system, pred in systems.items():
        p, r = _has_event(gold, pred)
        plo, phi = interval(gold, pred, lambda g, q: _has_event(g, q)[0])
        rlo, rhi = interval(gold, pred, lambda g, q: _has_event(g, q)[1])
        out[system] = {"precision": p, "recall": r, "precision_95": (plo, phi), "recall_95": (rlo, rhi)}
        print(f"   {system:9} precision {p:.3f} [{plo:.3f}-{phi:.3f}]  recall {r:.3f} [{rlo:.3f}-{rhi:.3f}]")
    return out


class Coders:
    """The three systems over the same texts."""

    def __init__(self, model: EventModel) -> None:
        config = ExtractorConfig.from_settings(load_settings())
        self.model = model
        self.rules = Extractor(replace(config, event_model=""))
        self.combined = Extractor(replace(config, event_model=model.name))
        classifier = self.combined.nlp.get_pipe("forewarn_classifier")
        if isinstance(classifier, ClassifierComponent):  # the model under test, not the packaged one of that name
            classifier.model = model

    def label(self, texts: Sequence[str]) -> Labels:
        return [label if label != NONE else None for label in (self.model.predict(t)[0] for t in texts)]

    def systems(self, texts: Sequence[str]) -> Systems:
        day = [date(2022, 1, 1)] * len(texts)
        return {"rules": predict(self.rules, texts, day), "model": self.label(texts),
                "combined": predict(self.combined, texts, day)}

    def asserted(self, texts: Sequence[str]) -> Systems:
        """Has-event view: an asserted event's type, else None (the model: its label)."""
        out: Systems = {"model": self.label(texts)}
        for name, extractor in (("rules", self.rules), ("combined", self.combined)):
            results = extractor.extract(ExtractInput(str(i), t, date(2022, 1, 1)) for i, t in enumerate(texts))
            out[name] = [_first(r) for r in results]
        return {k: out[k] for k in ("rules", "model", "combined")}


def _first(result: object) -> str | None:
    events = counted(result.events) if isinstance(result, Extraction) else []
    return events[0].type if events else None


def conflibert(coders: Coders) -> dict[str, object]:
    lines = (DATA / "conflibert_cameo_train" / "train.tsv").read_text("utf-8").splitlines()
    rows = [line.rsplit("\t", 1) for line in lines if line.strip()]
    texts, gold = [r[0] for r in rows], [f"Q{r[1].strip()}" for r in rows]
    systems = {k: _quad(v) for k, v in coders.systems(texts).items()}
    systems["cv"] = _cross_validated(texts, gold)
    return typing_table("ConfliBERT CAMEO quad classes (PLOVER types scored by quad class)", gold, systems)


def _quad(labels: Labels) -> Labels:
    return [f"Q{QUADS[t]}" if t else "Q0" for t in labels]


def _cross_validated(texts: Sequence[str], gold: Sequence[str]) -> Labels:
    order = list(range(len(texts)))
    random.Random(SEED).shuffle(order)
    pred: Labels = [None] * len(texts)
    for k in range(FOLDS):
        test = set(order[k::FOLDS])
        model = train([Example(texts[i], gold[i], 1.0) for i in order if i not in test], f"cv{k}")
        for i in test:
            pred[i] = model.predict(texts[i])[0]
    return pred


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not DATA.is_dir() or not PRESS.is_dir():
        print(f"skipped: {DATA} is absent (the labelled data lives in the shared checkout)")
        return
    coders = Coders(EventModel.load(load_settings().event_model or "events-2"))
    print(f"rules: {coders.rules.version}\ncombined: {coders.combined.version}")
    odd = gsr_rows()[1::2]
    odd_texts = [r["text"] for r in odd]
    results: dict[str, object] = {"gsr_odd": typing_table(
        "PLOVER gold standard, held-out odd rows", [OLD_NAMES.get(r["event"], r["event"]) for r in odd],
        coders.systems(odd_texts))}
    with (DATA / "cir_geo_dev" / "events_2022q2.csv").open(encoding="utf-8") as fh:
        cir = [r for r in csv.DictReader(fh) if _group(r["group"]) in CIR_TYPES]
    results["cir"] = typing_table("CIR incident groups", [CIR_TYPES[_group(r["group"])] for r in cir],
                                  coders.systems([r["text"] for r in cir]))
    press = load_labelled()
    results["press"] = has_event_table([s.label or NONE for s in press], coders.asserted([s.text for s in press]))
    results["conflibert"] = conflibert(coders)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
