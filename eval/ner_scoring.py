"""Exact-span scoring of named entities (PER, ORG, LOC), shared by ``eval/ner_ru.py`` and ``eval/ner_uk.py``.

A predicted entity is right when its start, end and type equal a gold entity's. Spans are character
offsets with surrounding whitespace and quotes stripped on both sides (so «Газпром» and Газпром agree
wherever the annotators put the quotes). ``ignored`` gold spans (types outside the three, e.g. NEREL's
FACILITY) make a prediction on exactly that span count neither way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from spacy.language import Language

from forewarn.config import Settings
from forewarn.nlp.pipeline import ExtractorConfig, build_pipeline, make_doc

TYPES = ("PER", "ORG", "LOC")
PIPELINE_LABELS = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC"}
_TRIM = " \t\n\xa0\"'«»“”„"

Entity = tuple[int, int, str]


@dataclass(slots=True)
class Tally:
    """True positives, false positives and false negatives per type."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, type, text)

    def add(self, text: str, gold: set[Entity], predicted: set[Entity], ignored: set[tuple[int, int]]) -> None:
        for start, end, kind in predicted - gold:
            if (start, end) not in ignored:
                self.fp[kind] += 1
                self.errors.append(("fp", kind, text[start:end]))
        for start, end, kind in gold - predicted:
            self.fn[kind] += 1
            self.errors.append(("fn", kind, text[start:end]))
        for _, _, kind in gold & predicted:
            self.tp[kind] += 1

    def prf(self, kinds: Iterable[str]) -> tuple[float, float, float, int]:
        kinds = list(kinds)
        tp, fp, fn = (sum(c[k] for k in kinds) for c in (self.tp, self.fp, self.fn))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0), tp + fn


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without whitespace and quotes at either edge."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def pipeline(lang: str) -> Language:
    """The whole forewarn pipeline of ``lang`` with the default settings."""
    return build_pipeline(ExtractorConfig.from_settings(Settings()), lang)


def predict(nlp: Language, texts: list[str]) -> list[set[Entity]]:
    """The pipeline's ``doc.ents`` of each text, as trimmed (start, end, PER|ORG|LOC)."""
    docs = nlp.pipe(make_doc(nlp, t, date(2024, 1, 1)) for t in texts)
    return [{(*trimmed(t, e.start_char, e.end_char), PIPELINE_LABELS[e.label_])
             for e in doc.ents if e.label_ in PIPELINE_LABELS}
            for t, doc in zip(texts, docs, strict=True)]


def print_table(tally: Tally, target: float, title: str) -> float:
    """Print P/R/F1 per type and micro-averaged against ``target``; returns the micro F1."""
    print(title)
    print(f"{'type':<8}{'gold':>7}{'P':>8}{'R':>8}{'F1':>8}")
    for kind in TYPES:
        p, r, f, n = tally.prf([kind])
        print(f"{kind:<8}{n:>7}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    p, r, f, n = tally.prf(TYPES)
    verdict = "met" if f >= target else "NOT met"
    print(f"{'micro':<8}{n:>7}{p:>8.3f}{r:>8.3f}{f:>8.3f}   target F1 >= {target:.2f}: {verdict}")
    return f


def print_errors(tally: Tally, limit: int) -> None:
    """The most frequent missed and spurious entities."""
    for kind in ("fn", "fp"):
        common = Counter((t, s) for k, t, s in tally.errors if k == kind).most_common(limit)
        print(f"\nmost frequent {'missed' if kind == 'fn' else 'spurious'}: "
              + "; ".join(f"{s} {t}×{n}" for (t, s), n in common))
