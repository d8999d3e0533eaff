"""Questions, blind estimates and published lines (issue 17), and the pure arithmetic around them: ICD 203
estimative words for a probability, log-odds, the median of the analysts' blind estimates, the softening gap and
the commitments the ledger keeps in place of the values (so that reading the ledger does not break the blind rule).

A question is binary (it resolves yes or no, or is annulled). Every question is read as a threat question: "yes"
is the bad outcome, so a line *lower* than the analysts' blind median is a *softer* one."""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from forewarn.errors import InvalidArgument

# ICD 203 estimative language: (upper bound of the band, words); a probability on a boundary takes the lower band
ICD203: tuple[tuple[float, str], ...] = (
    (0.05, "almost no chance"), (0.20, "very unlikely"), (0.45, "unlikely"), (0.55, "roughly even chance"),
    (0.80, "likely"), (0.95, "very likely"), (1.0, "almost certainly"),
)
RATIONALE_MAX = 4000  # characters
TITLE_MAX = 300
EDGE = 1e-6  # a reference probability is kept this far from 0 and 1
SALT_BYTES = 16  # random bytes of salt in a ledger commitment (stored as hex)


class QuestionState(StrEnum):
    OPEN = "open"
    RESOLVED_YES = "resolved-yes"
    RESOLVED_NO = "resolved-no"
    ANNULLED = "annulled"


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    title: str
    criteria: str
    resolves_by: date
    owner: str
    state: QuestionState
    created_by: str
    created_at: datetime
    scenario_id: str | None = None  # set on a scenario's own question
    reveal_at: datetime | None = None  # after it, everyone sees every estimate
    resolution: str | None = None  # the rationale
    resolved_by: str | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    id: int
    question_id: int
    analyst: str
    probability: float
    rationale: str
    at: datetime
    blind: bool  # made before its analyst could see anyone else's (their first, before the reveal time)
    salt: str = ""  # the random salt of its ledger commitment (hex)

    @property
    def words(self) -> str:
        return words(self.probability)


@dataclass(frozen=True, slots=True)
class Line:
    id: int
    question_id: int
    probability: float
    words: str
    published_by: str
    at: datetime
    gap: float | None  # logit(line) - logit(median of the blind estimates before it); None without any
    model_gap: float | None  # logit(line) - logit(the model's probability then); None for a question of no scenario
    flagged: bool  # softer than the analysts by more than the `softening_gap` setting
    salt: str = ""  # the random salt of its ledger commitment (hex)


def new_salt() -> str:
    """A fresh random salt for a ledger commitment (hex)."""
    return secrets.token_hex(SALT_BYTES)


def words(probability: float) -> str:
    """The ICD 203 estimative words for a probability in (0, 1)."""
    return next(w for upper, w in ICD203 if probability <= upper)


def check_probability(p: float, what: str = "probability") -> float:
    """``p`` when it is a number strictly between 0 and 1; InvalidArgument otherwise."""
    if not (isinstance(p, int | float) and math.isfinite(p) and 0 < p < 1):
        raise InvalidArgument(f"{what} {p!r} is not strictly between 0 and 1",
                              hint="give a probability such as 0.3 (certainty, 0 or 1, is not an estimate)")
    return float(p)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def blind_estimates(estimates: Sequence[Estimate], before: datetime) -> dict[str, float]:
    """Each analyst's blind estimate made before ``before``, by analyst."""
    return {e.analyst: e.probability for e in sorted(estimates, key=lambda e: (e.at, e.id))
            if e.blind and e.at <= before}


def blind_median(estimates: Sequence[Estimate], before: datetime) -> float | None:
    """The median of the blind estimates made before ``before`` (one per analyst: their blind one)."""
    found = blind_estimates(estimates, before)
    return statistics.median(found.values()) if found else None


def gap(line: float, reference: float | None) -> float | None:
    """The signed log-odds difference of the line from ``reference`` (negative: the line is lower, softer)."""
    if reference is None:
        return None
    return logit(line) - logit(min(max(reference, EDGE), 1 - EDGE))  # a model may say 0 or 1


def softer(gap_logits: float | None, allowed: float) -> bool:
    """Whether a line is softer (lower, for a threat question) than its reference by more than ``allowed``."""
    return gap_logits is not None and gap_logits < -allowed


def decimal(value: float | None) -> str | None:
    """A number as the canonical decimal string a commitment hashes: the shortest one that reads back as the same
    float (exact, and the same on every machine); None stays None."""
    return None if value is None else repr(float(value))


def commitment(*fields: str | int | bool | None) -> str:
    """The sha256 (hex) of ``fields`` as a compact JSON array: what the ledger keeps of an estimate or a line in
    place of its values. The fields end with a random salt of SALT_BYTES or more, so the value cannot be found by
    trying every probability; the value and the salt stay in the row (see :func:`estimate_commitment`)."""
    text = json.dumps(list(fields), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def estimate_commitment(e: Estimate) -> str:
    """The commitment of an estimate: its question, analyst, probability, rationale and salt."""
    return commitment("estimate", e.question_id, e.analyst, decimal(e.probability), e.rationale, e.salt)


def line_commitment(x: Line) -> str:
    """The commitment of a published line: its question, publisher, probability, words, gaps, flag and salt."""
    return commitment("line", x.question_id, x.published_by, decimal(x.probability), x.words, decimal(x.gap),
                      decimal(x.model_gap), x.flagged, x.salt)
