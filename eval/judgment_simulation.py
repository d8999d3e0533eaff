"""Scored judgments on a simulated world: do the scores (forewarn.model.scoring) rank analysts of known skill
right, and does the softening gap show a line passed upward softer than its analysts?

The world: QUESTIONS binary questions, each open for DAYS days. Behind each is a Gaussian random walk X (one unit
of variance a day, X at the opening ~ N(0, START_SD²)); the question resolves yes when X ends above 0, so the true
probability on day t is Φ(X_t / √(DAYS − t)), a martingale: a forecaster who says it is calibrated by
construction. Each analyst gives ESTIMATES estimates on random days (the first within the first five days), each
a known distortion of the true probability at that moment:

  calibrated      the true probability
  noisy           its log-odds plus N(0, 1) noise (calibrated on average, less sharp in what it knows)
  under-confident its log-odds times 0.4 (Mandel & Barnes' strategic analysts)
  over-confident  its log-odds doubled
  hedger          pulled toward the house line: its log-odds minus HOUSE_SOFTENING · HEDGE

On day PUBLISH the team publishes a line: the house view, the true log-odds minus HOUSE_SOFTENING ("the situation
is under control"). The **softening gap** is the line's log-odds minus the median log-odds of the analysts'
standing blind estimates at that moment (negative: softer than the analysts); it is flagged past FLAG logits.

Each analyst's *expected* Brier score is known exactly from the true probabilities ((f − p)² + p(1 − p),
time-averaged like the score itself); the realised scores should rank them the same way (the exit status is 1
when they do not), and the paired differences between neighbours in that order show by how much. Printed: per
analyst the realised time-averaged Brier and log scores, the expected Brier, coverage, calibration (reliability,
resolution) and discrimination (ROC area), the mean signed gap of the published line to that analyst; then the team's
softening gap and the aggregates (mean, median, mean log-odds, extremized leave-one-out) of the analysts' standing
estimates on day AGGREGATE_DAY. ``--check N`` also compares the scoring arithmetic with scikit-learn on N random
cases and prints the largest difference. Seeded (SEED); takes a few seconds.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from forewarn.model import scoring
from forewarn.model.scoring import Estimate, QuestionLife

SEED = 17
QUESTIONS = 1500
DAYS = 30
START_SD = 4.0
ESTIMATES = 5
PUBLISH = 12
AGGREGATE_DAY = 20
HOUSE_SOFTENING = 1.5
HEDGE = 0.8
FLAG = 0.5
T0 = datetime(2024, 6, 1, tzinfo=UTC)

Distortion = Callable[[float, random.Random], float]
ANALYSTS: dict[str, Distortion] = {
    "calibrated": lambda z, rng: z,
    "noisy": lambda z, rng: z + rng.gauss(0.0, 1.0),
    "under-confident": lambda z, rng: 0.4 * z,
    "over-confident": lambda z, rng: 2.0 * z,
    "hedger": lambda z, rng: z - HOUSE_SOFTENING * HEDGE,
}


@dataclass(frozen=True, slots=True)
class Question:
    """A simulated question: its life, the true probability each day (day 0 … DAYS − 1), the analysts'
    timelines, and the published line."""

    life: QuestionLife
    truth: tuple[float, ...]
    timelines: dict[str, list[Estimate]]
    line: float


def normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def day(t: int) -> datetime:
    return T0 + timedelta(days=t)


def simulate(rng: random.Random) -> Question:
    x = rng.gauss(0.0, START_SD)
    truth = []
    for t in range(DAYS):
        truth.append(normal_cdf(x / math.sqrt(DAYS - t)))
        x += rng.gauss(0.0, 1.0)
    timelines = {name: timeline(truth, distort, rng) for name, distort in ANALYSTS.items()}
    line = scoring.sigmoid(scoring.logit(truth[PUBLISH]) - HOUSE_SOFTENING)
    return Question(QuestionLife(day(0), day(DAYS), int(x > 0)), tuple(truth), timelines, line)


def timeline(truth: Sequence[float], distort: Distortion, rng: random.Random) -> list[Estimate]:
    days = sorted({rng.randrange(5), *rng.sample(range(5, DAYS), ESTIMATES - 1)})
    return [Estimate(day(t), scoring.sigmoid(distort(scoring.logit(truth[t]), rng))) for t in days]


def standing_at(estimates: Sequence[Estimate], t: int) -> float | None:
    """The analyst's estimate standing on day t (made before or on it), if any."""
    made = [e for e in estimates if e.at <= day(t)]
    return made[-1].probability if made else None


def expected_brier(q: Question, estimates: Sequence[Estimate]) -> float:
    """The expected time-averaged Brier score, day by day, given the true probabilities."""
    values = [(f - p) ** 2 + p * (1 - p) for t, p in enumerate(q.truth) if (f := standing_at(estimates, t)) is not None]
    return statistics.fmean(values)


def analyst_row(name: str, world: Sequence[Question]) -> list[str]:
    score = scoring.forecaster_score([(q.life, q.timelines[name]) for q in world])
    assert score is not None
    forecasts = [e.probability for q in world for e in q.timelines[name]]
    outcomes = [q.life.outcome for q in world for _ in q.timelines[name]]
    calib = scoring.calibration(forecasts, outcomes, bins=10)
    auc = scoring.discrimination(forecasts, outcomes).auc
    gaps = [scoring.logit(q.line) - scoring.logit(s) for q in world
            if (s := standing_at(q.timelines[name], PUBLISH)) is not None]
    expected = statistics.fmean(expected_brier(q, q.timelines[name]) for q in world)
    return [name, f"{score.brier:.4f}", f"{expected:.4f}", f"{score.log:.4f}", f"{score.coverage:.2f}",
            f"{calib.reliability:.4f}", f"{calib.resolution:.4f}", f"{auc:.3f}", f"{statistics.fmean(gaps):+.2f}"]


def line_row(world: Sequence[Question]) -> list[str]:
    score = scoring.forecaster_score([(q.life, [Estimate(day(PUBLISH), q.line)]) for q in world])
    assert score is not None
    calib = scoring.calibration([q.line for q in world], [q.life.outcome for q in world])
    auc = scoring.discrimination([q.line for q in world], [q.life.outcome for q in world]).auc
    return ["published line", f"{score.brier:.4f}", "", f"{score.log:.4f}", f"{score.coverage:.2f}",
            f"{calib.reliability:.4f}", f"{calib.resolution:.4f}", f"{auc:.3f}", "+0.00"]


def paired_difference(world: Sequence[Question], better: str, worse: str) -> tuple[float, float]:
    """The mean per-question difference of the two analysts' time-averaged Brier scores (worse − better) and
    its 95% half-width."""
    diffs = []
    for q in world:
        a, b = (scoring.time_averaged(q.life, q.timelines[name]) for name in (better, worse))
        assert a is not None and b is not None
        diffs.append(b.brier - a.brier)
    return statistics.fmean(diffs), 1.96 * statistics.stdev(diffs) / math.sqrt(len(diffs))


def softening_gaps(world: Sequence[Question]) -> list[float]:
    """Per question: the line's log-odds minus the median log-odds of the analysts' standing blind estimates."""
    out = []
    for q in world:
        blind = [s for est in q.timelines.values() if (s := standing_at(est, PUBLISH)) is not None]
        out.append(scoring.logit(q.line) - statistics.median(scoring.logit(p) for p in blind))
    return out


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     for r in lines)


def check_against_scikit_learn(cases: int, rng: random.Random) -> float:
    """The largest absolute difference between forewarn's arithmetic and scikit-learn's on ``cases`` random
    cases (Brier, log loss, reliability table, ROC area)."""
    import numpy as np
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

    worst = 0.0
    for _ in range(cases):
        n = rng.randint(2, 60)
        ps = [rng.uniform(scoring.LOG_FLOOR, 1 - scoring.LOG_FLOOR) for _ in range(n)]
        ys = [0, 1] + [int(rng.random() < p) for p in ps[2:]]
        calib = scoring.calibration(ps, ys, bins=10)
        observed, predicted = calibration_curve(ys, ps, n_bins=10)
        auc = scoring.discrimination(ps, ys).auc
        worst = max(worst, abs(scoring.mean_brier(ps, ys) - brier_score_loss(ys, ps)),
                    abs(scoring.mean_log(ps, ys) - log_loss(ys, np.column_stack([1 - np.array(ps), ps]))),
                    abs((auc if auc is not None else math.inf) - roc_auc_score(ys, ps)),
                    *(abs(r.observed - o) for r, o in zip(calib.rows, observed, strict=True)),
                    *(abs(r.mean_forecast - p) for r, p in zip(calib.rows, predicted, strict=True)))
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", type=int, default=0, metavar="N", help="compare with scikit-learn on N cases")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    world = [simulate(rng) for _ in range(args.questions)]
    rows = [analyst_row(name, world) for name in ANALYSTS]
    header = ["forecaster", "Brier", "expected", "log", "cover", "REL", "RES", "AUC", "line gap"]
    yes = sum(q.life.outcome for q in world)
    print(f"{len(world)} questions, {DAYS} days each, {yes} resolved yes; seed {args.seed}")
    print(table(header, [*rows, line_row(world)]))
    by_score = [r[0] for r in sorted(rows, key=lambda r: float(r[1]))]
    by_truth = [r[0] for r in sorted(rows, key=lambda r: float(r[2]))]
    print(f"rank by realised Brier:  {' < '.join(by_score)}")
    print(f"rank by expected Brier:  {' < '.join(by_truth)}  ({'same' if by_score == by_truth else 'DIFFERENT'})")
    pairs = [paired_difference(world, a, b) for a, b in itertools.pairwise(by_truth)]
    print("paired Brier differences, next in expected order minus previous (95%): "
          + ", ".join(f"{m:+.4f} ± {h:.4f}" for m, h in pairs))
    gaps = softening_gaps(world)
    flagged = sum(g < -FLAG for g in gaps)
    print(f"softening gap (line − median of blind estimates, logits): mean {statistics.fmean(gaps):+.2f}, "
          f"median {statistics.median(gaps):+.2f}; flagged (softer by > {FLAG}): {flagged}/{len(gaps)}")
    crowd = [([s for est in q.timelines.values() if (s := standing_at(est, AGGREGATE_DAY)) is not None],
              q.life.outcome) for q in world]
    report = scoring.aggregation_report(crowd)
    print(f"aggregates of the analysts on day {AGGREGATE_DAY} (Brier): mean {report.mean:.4f}, median "
          f"{report.median:.4f}, mean log-odds {report.log_odds_mean:.4f}, extremized leave-one-out "
          f"{report.extremized_loo:.4f} (a = {report.factor:.3f}; leave-one-out {report.loo_factors[0]:.3f}–"
          f"{report.loo_factors[1]:.3f})")
    if args.check:
        worst = check_against_scikit_learn(args.check, random.Random(args.seed))
        print(f"scoring arithmetic against scikit-learn: {args.check} random cases, max abs difference {worst:.2e}")
    return 0 if by_score == by_truth else 1


if __name__ == "__main__":
    sys.exit(main())
