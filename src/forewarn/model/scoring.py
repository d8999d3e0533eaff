"""Scores for probability judgments on binary questions: pure arithmetic on plain values, no I/O.

A question's life runs from ``opened_at`` to ``resolved_at`` with an outcome of 0 or 1; a forecaster's timeline
is a list of estimates (time, probability). Each estimate holds until the next one (or the resolution).

- **Per estimate**: the Brier score ``(p - y)²`` and the log score ``-ln(p)`` if yes, ``-ln(1 - p)`` if no (the
  natural log loss; lower is better for both). The log score clips p to [``LOG_FLOOR``, 1 - ``LOG_FLOOR``] so a
  forecast of 0 or 1 costs a large but finite amount (ln 1000 ≈ 6.9), as Metaculus does.
- **Time-averaged** over a question's life: each estimate's score weighted by how long it stood. Before the
  first estimate the forecaster has no score: by default that span is left out (the score runs from the first
  estimate on); with ``prior`` set (say 0.5, or the base rate) that span is scored as if the forecaster had said
  ``prior``. Either way ``coverage`` is the share of the life the forecaster's own estimates stood for. An estimate made
  before the question opened stands from the opening; one made after the resolution is ignored.
- **Per forecaster**: the mean of the time-averaged scores over the questions scored, and the mean coverage.
- **Calibration**: a reliability table (equal-width bins as scikit-learn's ``calibration_curve``: a forecast on an
  inner edge falls in the lower bin) and the Murphy decomposition ``Brier = REL - RES + UNC``, exact when the
  forecasts within a bin are equal; for forecasts that vary within a bin two more terms make it exact for any
  forecasts (Stephenson, Coelho and Jolliffe 2008): ``Brier = REL - RES + UNC + WBV - WBC``.
- **Discrimination**: the area under the ROC curve (ties count half) and the mean forecast on yes minus on no.
- **Aggregation**: mean, median and the extremized mean log-odds ``sigmoid(a · mean logit)``; the factor ``a`` is
  fitted on resolved questions by minimizing the Brier (or log) score within bounds (default [1, 3]) and reported
  leave-one-out against the plain mean.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np

from forewarn.errors import InvalidArgument

LOG_FLOOR = 1e-3
"""Log scores and log-odds clip a probability to [LOG_FLOOR, 1 - LOG_FLOOR]."""
EXTREMIZE_BOUNDS = (1.0, 3.0)
Loss = Literal["brier", "log"]


@dataclass(frozen=True, slots=True)
class Estimate:
    """One probability a forecaster gave at a time; it holds until the next one."""

    at: datetime
    probability: float


@dataclass(frozen=True, slots=True)
class QuestionLife:
    """A resolved binary question: when it opened, when it resolved, and its outcome (1 yes, 0 no)."""

    opened_at: datetime
    resolved_at: datetime
    outcome: int


@dataclass(frozen=True, slots=True)
class TimeAveraged:
    """A forecaster's scores on one question, averaged over the span scored; ``coverage`` is that span's share
    of the question's life and ``estimates`` how many estimates stood within it."""

    brier: float
    log: float
    coverage: float
    estimates: int


@dataclass(frozen=True, slots=True)
class ForecasterScore:
    """A forecaster over many questions: the mean of its time-averaged scores and coverage."""

    brier: float
    log: float
    coverage: float
    questions: int


@dataclass(frozen=True, slots=True)
class ReliabilityRow:
    """One non-empty bin of a reliability table: its edges, the mean forecast, the observed frequency of yes."""

    lower: float
    upper: float
    mean_forecast: float
    observed: float
    count: int


@dataclass(frozen=True, slots=True)
class Calibration:
    """A reliability table and the Murphy decomposition of the Brier score over the same bins:
    ``brier = reliability - resolution + uncertainty + within_variance - within_covariance`` (the last two are
    zero when the forecasts within each bin are equal)."""

    rows: tuple[ReliabilityRow, ...]
    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_variance: float
    within_covariance: float


@dataclass(frozen=True, slots=True)
class Discrimination:
    """How well forecasts separate yes from no: the ROC area (None with one class only) and the mean forecast on
    the questions that resolved yes minus on those that resolved no."""

    auc: float | None
    mean_difference: float | None


@dataclass(frozen=True, slots=True)
class AggregationReport:
    """Aggregates of several forecasters on resolved questions, scored by ``loss``: the plain mean, the median,
    the mean log-odds (a = 1), and the extremized mean log-odds with ``a`` fitted leave-one-out (each question
    scored with the factor fitted on the others); ``factor`` is the factor fitted on all the questions,
    ``loo_factors`` the range of the leave-one-out ones and ``question_factors`` each question's own leave-one-out
    factor, in the order the questions were given (so a caller scoring the questions otherwise need not refit)."""

    loss: Loss
    questions: int
    mean: float
    median: float
    log_odds_mean: float
    extremized_loo: float
    factor: float
    loo_factors: tuple[float, float]
    question_factors: tuple[float, ...] = ()


def check_probability(p: float, where: str = "probability") -> float:
    """``p`` as a float, refused unless it is a finite number in [0, 1]."""
    value = float(p)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise InvalidArgument(f"{where}: {p!r} is not a probability", hint="give a number from 0 to 1")
    return value


def check_outcome(y: int, where: str = "outcome") -> int:
    """``y`` refused unless it is 0 or 1."""
    if y not in (0, 1) or isinstance(y, float):
        raise InvalidArgument(f"{where}: {y!r} is not an outcome", hint="an outcome is 1 (yes) or 0 (no)")
    return int(y)


def clip(p: float) -> float:
    """``p`` within [LOG_FLOOR, 1 - LOG_FLOOR]."""
    return min(max(p, LOG_FLOOR), 1.0 - LOG_FLOOR)


def logit(p: float) -> float:
    """The log-odds of ``p`` (clipped, so 0 and 1 stay finite)."""
    q = clip(p)
    return math.log(q / (1.0 - q))


def sigmoid(x: float) -> float:
    """The probability of log-odds ``x``, without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def brier(p: float, y: int) -> float:
    """The Brier score of one forecast: ``(p - y)²``."""
    return (check_probability(p) - check_outcome(y)) ** 2


def log_score(p: float, y: int) -> float:
    """The log score (log loss) of one forecast: ``-ln p`` if yes, ``-ln(1 - p)`` if no, p clipped."""
    q = clip(check_probability(p))
    return -math.log(q) if check_outcome(y) == 1 else -math.log(1.0 - q)


def mean_brier(forecasts: Sequence[float], outcomes: Sequence[int]) -> float:
    """The mean Brier score of paired forecasts and outcomes."""
    return _mean([brier(p, y) for p, y in _pairs(forecasts, outcomes)])


def mean_log(forecasts: Sequence[float], outcomes: Sequence[int]) -> float:
    """The mean log score of paired forecasts and outcomes."""
    return _mean([log_score(p, y) for p, y in _pairs(forecasts, outcomes)])


def standing(life: QuestionLife, timeline: Iterable[Estimate],
             prior: float | None = None) -> list[tuple[float, float]]:
    """The spans of the question's life each estimate stood for: (seconds, probability), in time order; with
    ``prior``, the span before the first estimate (the whole life if there is none) stood at ``prior``."""
    spans = _estimate_spans(life, timeline)
    short = _life_seconds(life) - math.fsum(s for s, _ in spans)
    if prior is None or short <= 0:
        return spans
    return [(short, check_probability(prior, "prior")), *spans]


def time_averaged(life: QuestionLife, timeline: Sequence[Estimate],
                  prior: float | None = None) -> TimeAveraged | None:
    """A forecaster's time-averaged Brier and log scores on one question, or None when no estimate (and no
    prior) stood during its life. ``coverage`` is the share of the life the forecaster's own estimates stood
    for, with or without a prior."""
    y = check_outcome(life.outcome)
    own = _estimate_spans(life, timeline)
    spans = standing(life, timeline, prior)
    total = math.fsum(s for s, _ in spans)
    if total <= 0:
        return None
    return TimeAveraged(brier=math.fsum(s * brier(p, y) for s, p in spans) / total,
                        log=math.fsum(s * log_score(p, y) for s, p in spans) / total,
                        coverage=math.fsum(s for s, _ in own) / _life_seconds(life), estimates=len(own))


def forecaster_score(questions: Iterable[tuple[QuestionLife, Sequence[Estimate]]],
                     prior: float | None = None) -> ForecasterScore | None:
    """A forecaster's mean time-averaged scores over the questions it scored on (None when none)."""
    scores = [s for life, timeline in questions if (s := time_averaged(life, timeline, prior)) is not None]
    if not scores:
        return None
    return ForecasterScore(brier=_mean([s.brier for s in scores]), log=_mean([s.log for s in scores]),
                           coverage=_mean([s.coverage for s in scores]), questions=len(scores))


def bin_index(p: float, bins: int) -> int:
    """The bin of ``p`` among ``bins`` equal-width bins of [0, 1] (an inner edge belongs to the lower bin)."""
    return bisect_left(_edges(bins)[1:-1], p)


def calibration(forecasts: Sequence[float], outcomes: Sequence[int], bins: int = 10) -> Calibration:
    """The reliability table and the Murphy decomposition of the Brier score over ``bins`` equal-width bins."""
    pairs = _pairs(forecasts, outcomes)
    if bins < 1:
        raise InvalidArgument(f"bins: {bins} is not a number of bins", hint="give at least 1 bin")
    groups: dict[int, list[tuple[float, int]]] = {}
    for p, y in pairs:
        groups.setdefault(bin_index(p, bins), []).append((p, y))
    edges = _edges(bins)
    rows = tuple(_row(edges[k], edges[k + 1], groups[k]) for k in sorted(groups))
    return _decompose(rows, groups, pairs)


def discrimination(forecasts: Sequence[float], outcomes: Sequence[int]) -> Discrimination:
    """The ROC area and the mean forecast on yes minus on no (None with only one outcome present)."""
    pairs = _pairs(forecasts, outcomes)
    yes = [p for p, y in pairs if y == 1]
    no = [p for p, y in pairs if y == 0]
    if not yes or not no:
        return Discrimination(auc=None, mean_difference=None)
    return Discrimination(auc=_auc(yes, no), mean_difference=_mean(yes) - _mean(no))


def aggregate_mean(probabilities: Sequence[float]) -> float:
    """The plain mean of several forecasters' probabilities."""
    return _mean([check_probability(p) for p in _some(probabilities)])


def aggregate_median(probabilities: Sequence[float]) -> float:
    """The median of several forecasters' probabilities."""
    return float(statistics.median([check_probability(p) for p in _some(probabilities)]))


def mean_logit(probabilities: Sequence[float]) -> float:
    """The mean log-odds of several forecasters' probabilities (each clipped)."""
    return _mean([logit(check_probability(p)) for p in _some(probabilities)])


def extremized(probabilities: Sequence[float], factor: float) -> float:
    """The extremized mean log-odds: ``sigmoid(factor · mean logit)`` (factor 1: the mean log-odds)."""
    return sigmoid(factor * mean_logit(probabilities))


def fit_extremizing(questions: Sequence[tuple[Sequence[float], int]], loss: Loss = "brier",
                    bounds: tuple[float, float] = EXTREMIZE_BOUNDS) -> float:
    """The extremizing factor within ``bounds`` that minimizes the mean ``loss`` of the extremized aggregate on
    resolved questions (each: the forecasters' probabilities and the outcome)."""
    if not questions:
        raise InvalidArgument("no resolved questions to fit the extremizing factor on",
                              hint="resolve a question first")
    return _fit([mean_logit(ps) for ps, _ in questions], [check_outcome(y) for _, y in questions], loss, bounds)


def aggregation_report(questions: Sequence[tuple[Sequence[float], int]], loss: Loss = "brier",
                       bounds: tuple[float, float] = EXTREMIZE_BOUNDS) -> AggregationReport:
    """Mean, median, mean log-odds and the leave-one-out extremized aggregate on resolved questions."""
    if len(questions) < 2:
        raise InvalidArgument(f"{len(questions)} resolved question(s): leave-one-out needs at least 2",
                              hint="resolve more questions first")
    score = _loss(loss)
    logits = [mean_logit(ps) for ps, _ in questions]
    ys = [check_outcome(y) for _, y in questions]
    factors = [_fit(logits[:i] + logits[i + 1:], ys[:i] + ys[i + 1:], loss, bounds) for i in range(len(ys))]
    return AggregationReport(
        loss=loss, questions=len(ys),
        mean=_mean([score(aggregate_mean(ps), y) for ps, y in questions]),
        median=_mean([score(aggregate_median(ps), y) for ps, y in questions]),
        log_odds_mean=_mean([score(sigmoid(x), y) for x, y in zip(logits, ys, strict=True)]),
        extremized_loo=_mean([score(sigmoid(a * x), y) for a, x, y in zip(factors, logits, ys, strict=True)]),
        factor=_fit(logits, ys, loss, bounds), loo_factors=(min(factors), max(factors)),
        question_factors=tuple(factors))


# -- helpers ---------------------------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _some(probabilities: Sequence[float]) -> Sequence[float]:
    if not probabilities:
        raise InvalidArgument("no probabilities to aggregate", hint="an aggregate needs at least one estimate")
    return probabilities


def _pairs(forecasts: Sequence[float], outcomes: Sequence[int]) -> list[tuple[float, int]]:
    if len(forecasts) != len(outcomes) or not forecasts:
        raise InvalidArgument(f"{len(forecasts)} forecasts against {len(outcomes)} outcomes",
                              hint="give one outcome per forecast, and at least one")
    return [(check_probability(p), check_outcome(y)) for p, y in zip(forecasts, outcomes, strict=True)]


def _seconds(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0)


def _life_seconds(life: QuestionLife) -> float:
    span = (life.resolved_at - life.opened_at).total_seconds()
    if span <= 0:
        raise InvalidArgument(f"question resolved at {life.resolved_at}, not after it opened at {life.opened_at}",
                              hint="a question resolves after it opens")
    return span


def _estimate_spans(life: QuestionLife, timeline: Iterable[Estimate]) -> list[tuple[float, float]]:
    """(seconds, probability) for each estimate that stood during the life: from its time (or the opening) to
    the next estimate (or the resolution)."""
    _life_seconds(life)
    ordered = sorted((e for e in timeline if e.at <= life.resolved_at), key=lambda e: e.at)
    ends = [e.at for e in ordered[1:]] + [life.resolved_at] * bool(ordered)
    spans = [(_seconds(max(e.at, life.opened_at), end), check_probability(e.probability, f"estimate at {e.at}"))
             for e, end in zip(ordered, ends, strict=True)]
    return [(s, p) for s, p in spans if s > 0]


def _edges(bins: int) -> list[float]:
    step = 1.0 / bins
    return [i * step for i in range(bins)] + [1.0]


def _row(lower: float, upper: float, group: list[tuple[float, int]]) -> ReliabilityRow:
    return ReliabilityRow(lower=lower, upper=upper, mean_forecast=_mean([p for p, _ in group]),
                          observed=_mean([float(y) for _, y in group]), count=len(group))


def _decompose(rows: tuple[ReliabilityRow, ...], groups: dict[int, list[tuple[float, int]]],
               pairs: list[tuple[float, int]]) -> Calibration:
    n = len(pairs)
    base = _mean([float(y) for _, y in pairs])
    within = [(p - row.mean_forecast, y - row.observed) for row, k in zip(rows, sorted(groups), strict=True)
              for p, y in groups[k]]
    return Calibration(
        rows=rows, brier=_mean([(p - y) ** 2 for p, y in pairs]),
        reliability=math.fsum(r.count * (r.mean_forecast - r.observed) ** 2 for r in rows) / n,
        resolution=math.fsum(r.count * (r.observed - base) ** 2 for r in rows) / n,
        uncertainty=base * (1.0 - base),
        within_variance=math.fsum(df * df for df, _ in within) / n,
        within_covariance=2.0 * math.fsum(df * dy for df, dy in within) / n)


def _auc(yes: list[float], no: list[float]) -> float:
    """The Mann-Whitney ROC area by ranks (ties get their average rank, so count half)."""
    ranked = sorted([(p, 1) for p in yes] + [(p, 0) for p in no])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average = (i + 1 + j) / 2.0
        rank_sum += average * sum(label for _, label in ranked[i:j])
        i = j
    return (rank_sum - len(yes) * (len(yes) + 1) / 2.0) / (len(yes) * len(no))


def _loss(loss: Loss) -> Callable[[float, int], float]:
    if loss == "brier":
        return brier
    if loss == "log":
        return log_score
    raise InvalidArgument(f"loss: {loss!r} is not a scoring rule", hint="use 'brier' or 'log'")


def _fit(logits: Sequence[float], ys: Sequence[int], loss: Loss, bounds: tuple[float, float]) -> float:
    """Minimize the mean loss of ``sigmoid(a · x)`` over a in ``bounds``: a grid, then a golden-section search
    around the best grid point (the loss in a is smooth; the grid guards against a second dip)."""
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
        raise InvalidArgument(f"extremizing bounds {bounds} are not an interval", hint="e.g. (1, 3)")
    cost = _vector_cost(np.asarray(logits, dtype=float), np.asarray(ys, dtype=float), loss)
    grid = [lo + (hi - lo) * i / 20 for i in range(21)]
    best = min(range(21), key=lambda i: cost(grid[i]))
    return _golden(cost, grid[max(best - 1, 0)], grid[min(best + 1, 20)])


def _vector_cost(x: np.ndarray, y: np.ndarray, loss: Loss) -> Callable[[float], float]:
    """The mean loss of ``sigmoid(a · x)`` against ``y`` as a function of a (vectorized: leave-one-out fits it
    once per question)."""
    _loss(loss)

    def cost(a: float) -> float:
        p = 1.0 / (1.0 + np.exp(-np.clip(a * x, -700.0, 700.0)))
        if loss == "brier":
            return float(np.mean((p - y) ** 2))
        q = np.clip(p, LOG_FLOOR, 1.0 - LOG_FLOOR)
        return float(-np.mean(y * np.log(q) + (1.0 - y) * np.log(1.0 - q)))

    return cost


def _golden(cost: Callable[[float], float], a: float, b: float, tol: float = 1e-7) -> float:
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = cost(c), cost(d)
    while b - a > tol:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = cost(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = cost(d)
    return min((a, b, (a + b) / 2.0), key=cost)
