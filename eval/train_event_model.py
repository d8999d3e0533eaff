"""Train the event-type classifier (forewarn.nlp.classifier) and write it into the package.

Training data, all of it data whose licence allows shipping what is learned from it:
- PLOVER gold standard, EVEN rows only (CC BY-SA 4.0; the odd rows are the held-out figure), older type
  names mapped to the current 16 (as eval/event_types.py does);
- eval/data/event_model_sentences.jsonl: sentences written for this model (type or none);
- silver labels from the rules on press releases (../shared/data/press_2021_2022, CC BY 4.0), documents
  of the hand-labelled press set (eval/data/press_sentences.jsonl) left out: a sentence whose most
  confident asserted rule event has confidence >= SILVER_CONFIDENCE is labelled with its type; a
  sentence of 4-80 words with no rule event at all is labelled none. Paragraphs are drawn with SEED.
Hand-written and gold rows weigh GOLD_WEIGHT, silver rows 1, and each label weighs as much as any other
(rare types are not drowned by none). Multinomial logistic regression (scikit-learn, training only) over
the classifier's own hashed features, TF-IDF weighted and L2-normalised as at prediction time.
Not used: conflibert_cameo_train (GPL), news_2023_mayjun and news_2024_feeds (publishers' items,
evaluation only), cir_geo_dev (evaluation only).

Usage: python eval/train_event_model.py [--name events-2] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from event_types import DATA, OLD_NAMES
from sample_press_sentences import LABELS, PRESS

from forewarn.config import Settings
from forewarn.model.extraction import Event
from forewarn.nlp import pipeline
from forewarn.nlp.classifier import DIMENSIONS, NONE, EventModel, hashed_counts
from forewarn.nlp.pipeline import ExtractorConfig

ROOT = Path(__file__).resolve().parents[1]
OWN = ROOT / "eval" / "data" / "event_model_sentences.jsonl"
SEED = 13
GOLD_WEIGHT = 3.0
SILVER_CONFIDENCE = 0.75
SILVER_PARAGRAPHS = 8000
SILVER_CAP = {NONE: 600}  # most silver sentences per label
SILVER_CAP_TYPE = 150
C = 10.0  # inverse regularisation strength


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    weight: float


def gsr_rows() -> list[dict[str, str]]:
    rows = json.loads((DATA / "plover_gsr" / "PLOVER_GSR_CAMEO.clean.json").read_text("utf-8"))
    return [r for r in rows if r["event"] != "DOCUMENT"]


def gsr_even() -> list[Example]:
    return [Example(r["text"], OLD_NAMES.get(r["event"], r["event"]), GOLD_WEIGHT) for r in gsr_rows()[0::2]]


def own() -> list[Example]:
    rows = [json.loads(line) for line in OWN.read_text("utf-8").splitlines() if line.strip()]
    return [Example(r["text"], r["label"] or NONE, GOLD_WEIGHT) for r in rows]


def _press_paragraphs() -> list[str]:
    held_out = {json.loads(line)["link"] for line in LABELS.read_text("utf-8").splitlines() if line.strip()}
    csv.field_size_limit(sys.maxsize)
    paragraphs: list[str] = []
    for name in ("putin.csv", "zelenskyy.csv"):
        with (PRESS / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["link"] not in held_out:
                    paragraphs.extend(p.strip() for p in row["body"].split("\n") if 20 <= len(p.strip()) <= 3000)
    random.Random(SEED).shuffle(paragraphs)
    return paragraphs[:SILVER_PARAGRAPHS]


def _silver_label(events: Sequence[Event], words: int) -> str | None:
    asserted = [e for e in events if not e.flags.negated and not e.flags.hypothetical]
    if asserted:
        best = max(asserted, key=lambda e: e.confidence)
        return best.type if best.confidence >= SILVER_CONFIDENCE else None
    return NONE if not events and 4 <= words <= 80 else None


def _rule_sentences(texts: Sequence[str]) -> Iterator[tuple[str, list[Event]]]:
    nlp = pipeline.build_pipeline(ExtractorConfig.from_settings(Settings(event_model="")))
    docs = (pipeline.make_doc(nlp, t, date(2022, 1, 1)) for t in texts)
    for doc in nlp.pipe(docs, batch_size=64):
        for sent in doc.sents:
            yield sent.text, [e for e in doc._.fw_events if e.evidence.start == sent.start_char]


def silver() -> list[Example]:
    counts: Counter[str] = Counter()
    out = []
    for text, events in _rule_sentences(_press_paragraphs()):
        label = _silver_label(events, len(text.split()))
        if label is not None and counts[label] < SILVER_CAP.get(label, SILVER_CAP_TYPE):
            counts[label] += 1
            out.append(Example(text, label, 1.0))
    return out


def _matrix(texts: Sequence[str]) -> sparse.csr_matrix:
    rows = [hashed_counts(t) for t in texts]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(indptr[-1]))
    counts = np.fromiter((c for r in rows for c in r.values()), dtype=np.float64, count=int(indptr[-1]))
    return sparse.csr_matrix((1.0 + np.log(counts), indices, indptr), shape=(len(rows), DIMENSIONS))


def _tfidf(tf: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    weighted = tf @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    return sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ weighted


def train(examples: Sequence[Example], name: str) -> EventModel:
    """A model fitted on ``examples`` (three labels at least; deterministic for the same examples)."""
    tf = _matrix([e.text for e in examples])
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=DIMENSIONS)
    idf = np.log((1 + n) / (1 + df)) + 1.0  # smoothed, as scikit-learn's TfidfTransformer
    columns = np.flatnonzero(df)  # features never seen weigh nothing: fitting without them is the same, and faster
    fit = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    fit.fit(_tfidf(tf, idf)[:, columns], [e.label for e in examples], sample_weight=[e.weight for e in examples])
    labels = tuple(str(c) for c in fit.classes_)
    unseen_idf = float(np.log(1 + n) + 1.0)
    return EventModel(name, "unsaved", labels, columns, idf[columns], unseen_idf, fit.coef_.T, fit.intercept_)


def shippable() -> list[Example]:
    """Every training example whose licence allows shipping the model."""
    return gsr_even() + own() + silver()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="events-2", help="the model's name (its file: <name>.npz)")
    parser.add_argument("--out", type=Path, help="write here instead of src/forewarn/data/nlp/<name>.npz")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: the training data lives in the shared checkout")
    examples = shippable()
    print(f"{len(examples)} examples: {dict(sorted(Counter(e.label for e in examples).items()))}")
    model = train(examples, args.name)
    out = args.out or ROOT / "src" / "forewarn" / "data" / "nlp" / f"{args.name}.npz"
    model.save(out)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {len(model.columns)} features)")


if __name__ == "__main__":
    main()
