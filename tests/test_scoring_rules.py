"""The scoring arithmetic of forewarn.model.scoring: checked against scikit-learn on thousands of random cases
(Brier, log loss, reliability table, ROC area), the Murphy decomposition exact, time-averaging by hand, and the
extremizing factor fitted within its bounds, recovering a known factor and beating the plain mean out of sample;
and the seeded simulation (eval/judgment_simulation.py) ranks analysts of known skill right."""

from __future__ import annotations

import importlib
import inspect
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from forewarn.errors import Code, InvalidArgument
from forewarn.model import scoring
from forewarn.model.scoring import Estimate, QuestionLife

CASES = 1000
ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 7, 1, tzinfo=UTC)
_PROBA = "y_proba" if "y_proba" in inspect.signature(log_loss).parameters else "y_pred"


def _case(rng: random.Random, ties: bool = False) -> tuple[list[float], list[int]]:
    """Random forecasts in [LOG_FLOOR, 1 - LOG_FLOOR] (rounded to two places for ties) with both outcomes."""
    n = rng.randint(2, 60)
    ps = [rng.uniform(scoring.LOG_FLOOR, 1 - scoring.LOG_FLOOR) for _ in range(n)]
    ps = [min(max(round(p, 2), scoring.LOG_FLOOR), 1 - scoring.LOG_FLOOR) for p in ps] if ties else ps
    ys = [0, 1] + [int(rng.random() < p) for p in ps[2:]]
    return ps, ys


def _sk_log(ps: list[float], ys: list[int]) -> float:
    return float(log_loss(ys, **{_PROBA: np.array(ps)}, labels=[0, 1]))


def test_scores_agree_with_scikit_learn_on_random_cases() -> None:
    rng = random.Random(17)
    worst = 0.0
    for i in range(CASES):
        ps, ys = _case(rng, ties=i % 2 == 1)
        bins = rng.randint(1, 15)
        table = scoring.calibration(ps, ys, bins)
        auc = scoring.discrimination(ps, ys).auc
        assert auc is not None
        observed, predicted = calibration_curve(ys, ps, n_bins=bins)
        assert len(table.rows) == len(observed)
        diffs = [abs(scoring.mean_brier(ps, ys) - brier_score_loss(ys, ps)),
                 abs(scoring.mean_log(ps, ys) - _sk_log(ps, ys)),
                 abs(table.brier - brier_score_loss(ys, ps)),
                 abs(auc - roc_auc_score(ys, ps)),
                 *(abs(r.observed - o) for r, o in zip(table.rows, observed, strict=True)),
                 *(abs(r.mean_forecast - p) for r, p in zip(table.rows, predicted, strict=True))]
        worst = max(worst, *diffs)
    assert worst <= 1e-9


def test_murphy_decomposition_is_exact_for_binned_forecasts() -> None:
    """Forecasts equal within each bin: Brier = REL - RES + UNC; forecasts that vary within bins need the two
    within-bin terms, which the three-term identity would miss."""
    rng = random.Random(5)
    centres = [0.05 + 0.1 * k for k in range(10)]
    for _ in range(300):
        ps = [rng.choice(centres) for _ in range(rng.randint(2, 80))]
        ys = [int(rng.random() < p) for p in ps]
        c = scoring.calibration(ps, ys, bins=10)
        assert c.reliability - c.resolution + c.uncertainty == pytest.approx(brier_score_loss(ys, ps), abs=1e-12)
        assert c.within_variance == pytest.approx(0.0, abs=1e-15)
        assert c.within_covariance == pytest.approx(0.0, abs=1e-15)
    ps, ys = _case(random.Random(9))
    c = scoring.calibration(ps, ys, bins=3)
    full = c.reliability - c.resolution + c.uncertainty + c.within_variance - c.within_covariance
    assert full == pytest.approx(c.brier, abs=1e-12)
    assert abs(c.reliability - c.resolution + c.uncertainty - c.brier) > 1e-4


def test_per_estimate_scores_by_hand() -> None:
    assert scoring.brier(0.8, 1) == pytest.approx(0.04)
    assert scoring.log_score(0.8, 0) == pytest.approx(-math.log(0.2))
    assert scoring.log_score(1.0, 0) == pytest.approx(-math.log(scoring.LOG_FLOOR))
    assert scoring.log_score(0.0, 0) == pytest.approx(-math.log(1 - scoring.LOG_FLOOR))


def test_time_average_weights_each_estimate_by_how_long_it_stood() -> None:
    """Life of 10 days; 0.8 from day 2, 0.6 from day 7: scored over 8 days, coverage 0.8; a prior of 0.5 fills
    the first 2 days. An estimate before the opening stands from it; one after the resolution is ignored."""
    life = QuestionLife(T0, T0 + timedelta(days=10), 1)
    timeline = [Estimate(T0 + timedelta(days=7), 0.6), Estimate(T0 + timedelta(days=2), 0.8),
                Estimate(T0 + timedelta(days=11), 0.0)]
    got = scoring.time_averaged(life, timeline)
    assert got is not None
    assert (got.brier, got.coverage, got.estimates) == (pytest.approx((5 * 0.04 + 3 * 0.16) / 8), 0.8, 2)
    assert got.log == pytest.approx((5 * -math.log(0.8) + 3 * -math.log(0.6)) / 8)
    with_prior = scoring.time_averaged(life, timeline, prior=0.5)
    assert with_prior is not None
    assert (with_prior.brier, with_prior.coverage) == (pytest.approx((2 * 0.25 + 5 * 0.04 + 3 * 0.16) / 10), 0.8)
    early = scoring.time_averaged(life, [Estimate(T0 - timedelta(days=3), 0.7)])
    assert early is not None
    assert (early.brier, early.coverage) == (pytest.approx(0.09), 1.0)
    assert scoring.time_averaged(life, [Estimate(T0 + timedelta(days=12), 0.9)]) is None
    assert scoring.time_averaged(life, []) is None


def test_forecaster_score_is_the_mean_over_questions_scored() -> None:
    yes = QuestionLife(T0, T0 + timedelta(days=4), 1)
    no = QuestionLife(T0, T0 + timedelta(days=4), 0)
    got = scoring.forecaster_score([(yes, [Estimate(T0, 0.9)]), (no, [Estimate(T0 + timedelta(days=2), 0.3)]),
                                    (no, [])])
    assert got is not None
    assert (got.brier, got.coverage, got.questions) == (pytest.approx((0.01 + 0.09) / 2), 0.75, 2)
    assert scoring.forecaster_score([(no, [])]) is None


@pytest.mark.parametrize(("call", "where"), [
    (lambda: scoring.brier(1.2, 1), "probability"),
    (lambda: scoring.brier(float("nan"), 1), "probability"),
    (lambda: scoring.brier(0.5, 2), "outcome"),
    (lambda: scoring.mean_brier([0.5], [1, 0]), "forecasts"),
    (lambda: scoring.time_averaged(QuestionLife(T0, T0, 1), [Estimate(T0, 0.5)]), "resolved"),
    (lambda: scoring.time_averaged(QuestionLife(T0, T0 + timedelta(1), 1), [Estimate(T0, -0.1)]), "estimate at"),
    (lambda: scoring.calibration([0.5], [1], bins=0), "bins"),
    (lambda: scoring.aggregate_median([]), "no probabilities"),
    (lambda: scoring.aggregation_report([([0.5], 1)]), "leave-one-out"),
    (lambda: scoring.fit_extremizing([([0.5], 1)], bounds=(3.0, 1.0)), "bounds"),
    (lambda: scoring.fit_extremizing([]), "no resolved questions"),
    (lambda: scoring.fit_extremizing([([0.5], 1)], loss="spherical"), "scoring rule"),  # type: ignore[arg-type]
])
def test_bad_input_is_a_coded_error(call: object, where: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code is Code.INVALID_ARGUMENT
    assert where in caught.value.message
    assert caught.value.hint


def test_discrimination() -> None:
    got = scoring.discrimination([0.9, 0.6, 0.6, 0.2], [1, 1, 0, 0])
    assert got.auc == pytest.approx(0.875)
    assert got.mean_difference == pytest.approx(0.75 - 0.4)
    assert scoring.discrimination([0.9, 0.2], [1, 1]) == scoring.Discrimination(None, None)


def test_aggregates() -> None:
    ps = [0.6, 0.7, 0.9]
    assert scoring.aggregate_mean(ps) == pytest.approx(2.2 / 3)
    assert scoring.aggregate_median(ps) == 0.7
    mean_logit = sum(math.log(p / (1 - p)) for p in ps) / 3
    assert scoring.extremized(ps, 1.0) == pytest.approx(1 / (1 + math.exp(-mean_logit)))
    assert scoring.extremized(ps, 2.5) == pytest.approx(1 / (1 + math.exp(-2.5 * mean_logit)))
    assert scoring.extremized([0.5, 0.5], 3.0) == pytest.approx(0.5)


def _crowd(shrink: float, questions: int, seed: int) -> list[tuple[list[float], int]]:
    """Questions with true log-odds z; five forecasters each say sigmoid(shrink · z + noise)."""
    rng = random.Random(seed)
    out = []
    for _ in range(questions):
        z = rng.gauss(0.0, 1.5)
        ps = [scoring.sigmoid(shrink * z + rng.gauss(0.0, 0.2)) for _ in range(5)]
        out.append((ps, int(rng.random() < scoring.sigmoid(z))))
    return out


@pytest.mark.parametrize("loss", ["brier", "log"])
def test_extremizing_factor_is_the_bounded_minimum(loss: scoring.Loss) -> None:
    questions = _crowd(0.5, 300, seed=1)
    a = scoring.fit_extremizing(questions, loss)
    logits = [scoring.mean_logit(ps) for ps, _ in questions]
    rule = scoring.brier if loss == "brier" else scoring.log_score

    def cost(f: float) -> float:
        return sum(rule(scoring.sigmoid(f * x), y) for x, y in zip(logits, [y for _, y in questions], strict=True))

    brute = min((1 + i / 1000 for i in range(2001)), key=cost)
    assert a == pytest.approx(brute, abs=2e-3)
    assert 1.5 < a < 2.6  # the crowd shrank the log-odds by half: the fit undoes most of it
    assert scoring.fit_extremizing(_crowd(2.0, 300, seed=2), loss) == pytest.approx(1.0, abs=1e-6)  # bound


def test_leave_one_out_extremizing_beats_the_mean_of_an_under_confident_crowd() -> None:
    report = scoring.aggregation_report(_crowd(0.5, 120, seed=3))
    assert report.questions == 120
    assert report.extremized_loo < report.log_odds_mean
    assert report.extremized_loo < report.mean
    assert 1.0 <= report.loo_factors[0] <= report.factor <= report.loo_factors[1] <= 3.0
    over = scoring.aggregation_report(_crowd(1.0, 120, seed=4), loss="log")
    assert over.loss == "log"
    assert over.factor < 1.4


def test_the_simulation_ranks_analysts_of_known_skill_and_shows_the_softening(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """eval/judgment_simulation.py (seeded): the realised scores rank the analysts as their known skill does, the
    hedger sits closest to the softened line, and the line is flagged softer than its analysts on most questions."""
    monkeypatch.syspath_prepend(str(ROOT / "eval"))
    simulation = importlib.import_module("judgment_simulation")
    assert simulation.main(["--questions", "800"]) == 0
    out = capsys.readouterr().out
    assert "(same)" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.split()[:1] in
            [["calibrated"], ["hedger"]]}
    assert float(rows["hedger"][-1]) > float(rows["calibrated"][-1]) + 0.8  # line gap: the hedger hugs the line
    flagged, total = out.split("flagged (softer by > 0.5): ")[1].split()[0].split("/")
    assert int(flagged) > int(total) / 2


def test_the_report_gives_each_question_its_own_leave_one_out_factor() -> None:
    """``question_factors``: question i's factor is the one fitted on every question but i (in the given order),
    its range is ``loo_factors``, and scoring each question with its own reproduces ``extremized_loo``."""
    crowd = _crowd(0.5, 30, seed=5)
    for loss in ("brier", "log"):
        report = scoring.aggregation_report(crowd, loss=loss)
        assert len(report.question_factors) == len(crowd)
        for i in (0, 7, 29):
            assert report.question_factors[i] == pytest.approx(
                scoring.fit_extremizing(crowd[:i] + crowd[i + 1:], loss), abs=1e-9)
        assert (min(report.question_factors), max(report.question_factors)) == report.loo_factors
        rule = scoring.brier if loss == "brier" else scoring.log_score
        rescored = [rule(scoring.extremized(ps, a), y) for (ps, y), a in zip(crowd, report.question_factors,
                                                                              strict=True)]
        assert math.fsum(rescored) / len(rescored) == pytest.approx(report.extremized_loo, abs=1e-12)
