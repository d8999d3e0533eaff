"""Surge detection: bursts over quiet baselines flag, bursty baselines do not, one surge alerts once."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from detect_helpers import SUDZHA, SUMY, indicator, obs, place, scenario

from forewarn.detect.score import assess
from forewarn.detect.surge import (
    ALPHA,
    MIN_BASELINE_DAYS,
    MIN_COUNT,
    SurgeWatch,
    baseline,
    day_tests,
    find_surges,
    negative_binomial_tail,
    poisson_tail,
    tail_probability,
)
from forewarn.detect.types import Observation
from forewarn.errors import InvalidArgument
from forewarn.model import IndicatorKind, Region, SignalKind

DAY0 = date(2024, 7, 1)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def end_of(n: int) -> datetime:
    return datetime.combine(day(n), time(23, 0), UTC)


def series(counts: dict[int, int], *, type: str = "ASSAULT", start_marker: bool = True, **kwargs: object
           ) -> list[Observation]:
    """Observations giving ``counts[n]`` independent reports on day n (each its own document and cluster).
    A report elsewhere on day 0 marks where the record begins."""
    found = [obs(f"{type}-{n}-{i}", type=type, mode=None, day=day(n), source=f"s{i}", **kwargs)  # type: ignore[arg-type]
             for n, c in counts.items() for i in range(c)]
    if start_marker:
        found.append(obs("marker", type="PROTEST", mode=None, day=DAY0, place=SUMY))
    return found


QUIET = {5: 1, 15: 1, 22: 1}  # a quiet month: three single reports
BURSTY = {2: 6, 7: 5, 12: 7, 17: 6}  # reports come in bursts


def test_a_burst_over_a_quiet_baseline_is_a_surge() -> None:
    [s] = find_surges(series(QUIET | {28: 5}), end_of(28))
    assert (s.country, s.admin1, s.type, s.day, s.count) == ("RUS", "Kursk Oblast", "ASSAULT", day(28), 5)
    assert s.test == "poisson" and s.p_value < ALPHA
    assert s.baseline_mean == 4 / 29  # three reports and the pseudo-day's one over 28 + 1 days
    assert len(s.event_ids) == 5


def test_an_overdispersed_baseline_absorbs_a_burst_that_poisson_would_flag() -> None:
    counts = series(BURSTY | {28: 6})
    window = baseline({day(n): c for n, c in BURSTY.items()}, day(28), DAY0)
    tail = tail_probability(6, window)
    assert tail.test == "negative-binomial" and tail.var > 4 * tail.mean
    poisson_p = poisson_tail(6, tail.mean)
    assert poisson_p < ALPHA < tail.p_value  # Poisson would alert, the negative binomial does not
    assert negative_binomial_tail(6, tail.mean, tail.var) == tail.p_value
    surges = find_surges(counts, end_of(28))
    assert [s for s in surges if s.day == day(28)] == []
    assert all(s.day < day(28) - timedelta(days=7) for s in surges)  # not suppression: nothing flagged near it
    # the same day over the quiet baseline is a surge
    assert [s.day for s in find_surges(series(QUIET | {28: 6}), end_of(28))] == [day(28)]


def test_a_surge_alerts_once_then_only_when_it_grows() -> None:
    counts = QUIET | {28: 5, 29: 5, 30: 8, 31: 4, 33: 8}
    surges = find_surges(series(counts), end_of(34))
    assert [(s.day, s.count) for s in surges] == [(day(28), 5), (day(30), 8)]
    # day 29 alone would have been a surge: suppression, not the test, kept it quiet
    daily = {day(n): c for n, c in counts.items()}
    assert tail_probability(5, baseline(daily, day(29), DAY0, {day(28)})).p_value < ALPHA
    # a surge that goes on is flagged again once the quiet week is over, not every day
    going_on = find_surges(series(QUIET | {n: 5 for n in range(28, 45)}), end_of(45))
    assert [s.day for s in going_on] == [day(28), day(36), day(44)]


def test_surge_days_stay_out_of_later_baselines() -> None:
    daily = {day(n): c for n, c in (QUIET | {28: 9}).items()}
    with_surge, without = baseline(daily, day(31), DAY0), baseline(daily, day(31), DAY0, {day(28)})
    assert 9 in with_surge and 9 not in without and len(without) == len(with_surge) - 1
    # a new surge ten days after a big one is still seen against the quiet month; had the first stayed in
    # the baseline, it would have hidden the second
    [first, second] = find_surges(series(QUIET | {28: 9, 38: 6}), end_of(38))
    assert (first.day, second.day) == (day(28), day(38)) and second.baseline_mean < 0.2
    masked = baseline(daily, day(38), DAY0)
    assert 9 in masked and tail_probability(6, masked).p_value > ALPHA


def test_few_reports_are_never_a_surge() -> None:
    assert find_surges(series({28: MIN_COUNT - 1}), end_of(28)) == []
    assert tail_probability(MIN_COUNT - 1, [0] * 28).p_value < ALPHA  # the minimum count, not the test, decides
    assert [s.count for s in find_surges(series({28: MIN_COUNT}), end_of(28))] == [MIN_COUNT]


def test_copies_of_one_report_count_once() -> None:
    copies = [obs(f"c{i}", type="ASSAULT", mode=None, day=day(28), source=f"s{i}", cluster="story")
              for i in range(6)]
    assert find_surges(copies + series(QUIET), end_of(28)) == []


def test_a_short_record_is_not_tested() -> None:
    assert find_surges(series({3: 9}), end_of(3)) == []  # three days of baseline
    assert find_surges(series({3: 9}), end_of(3), start=DAY0 - timedelta(days=30)) != []


def test_no_look_ahead() -> None:
    found = series(QUIET | {28: 5})
    assert find_surges(found, end_of(27)) == []
    late = [o if o.event.date != day(28) else obs(o.event.id, type="ASSAULT", mode=None, day=day(28),
                                                  known_at=end_of(29)) for o in found]
    assert find_surges(late, end_of(28)) == []
    assert find_surges(late, end_of(29))[0].day == day(28)


def test_region_places_and_flags() -> None:
    found = series(QUIET | {28: 5})
    assert find_surges(found, end_of(28), region=Region(admin1=("UKR:Sumy Oblast",))) == []
    assert len(find_surges(found, end_of(28), region=Region(countries=("RUS",)))) == 1
    country_only = series(QUIET | {28: 5}, place=place("Russia", "RUS", None))
    assert find_surges(country_only, end_of(28)) == []  # no first-level region: no series
    negated = series(QUIET | {28: 5}, negated=True)
    assert find_surges(negated, end_of(28)) == []


def test_surges_feed_a_surge_indicator() -> None:
    found = series(QUIET | {28: 5})
    at = end_of(29)
    sc = scenario(indicator("surge", kind=IndicatorKind.SURGE, types=("ASSAULT",), weight=2, half_life_days=2))
    a = assess(sc, found, at, find_surges(found, at))
    [s] = a.signals
    assert s.kind is SignalKind.SURGE and s.observed_on == day(28) and s.decay == 0.5 ** 0.5
    assert a.probability > sc.prior


def test_tails_agree_with_scipy_stats() -> None:
    from scipy import stats

    for count, mean, var in ((3, 1 / 29, 1 / 29 + 1e-3), (6, 0.86, 4.48), (5, 0.31, 0.94), (20, 3.0, 10.0),
                             (1, 0.5, 2.0)):
        r = mean * mean / (var - mean)
        assert negative_binomial_tail(count, mean, var) == pytest.approx(stats.nbinom.sf(count - 1, r, mean / var))
        assert poisson_tail(count, mean) == pytest.approx(stats.poisson.sf(count - 1, mean))


# -- the incremental watch a replay steps with ------------------------------------------------------


def _random_reports(seed: int, rates: tuple[int, ...] = (0, 0, 1, 1, 2, 3, 9), days: int = 60) -> list[Observation]:
    """Bursty reports over ``days`` days in two regions and two types (``rates``: the reports a day, one drawn), some
    known days late, some copies of one report (a shared cluster), some negated, and some superseded by an
    analyst's correction."""
    rng = random.Random(seed)
    found: list[Observation] = []
    for n in range(days):
        for i in range(rng.choice(rates)):
            where = rng.choice((SUMY, SUDZHA, None))
            o = obs(f"e{n}-{i}", type=rng.choice(("ASSAULT", "MOBILIZE")), mode=None, day=day(n), place=where,
                    cluster=f"c{n}-{rng.randrange(3)}", negated=rng.random() < 0.05,
                    known_at=end_of(n) + timedelta(hours=rng.choice((-20, 0, 0, 30, 90))))
            if rng.random() < 0.08:  # corrected: this version stands until the correction, the new one after
                fixed = o.known_at + timedelta(hours=rng.randrange(1, 200))
                found.append(replace(o, hidden_from=fixed))
                o = replace(o, event=replace(o.event, type="ASSAULT", place=SUMY), known_at=fixed)
            found.append(o)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_surge_watch_equals_find_surges_at_every_step(seed: int) -> None:
    reports = _random_reports(seed)
    watch = SurgeWatch(reports)
    for n in range(0, 70, 2):
        at, oldest = end_of(n), day(n - 35)
        standing = [o for o in reports if o.known_at <= at and o.event.date >= oldest and o.shown_at(at)]
        assert watch.surges(at, oldest) == find_surges(standing, at), n


@pytest.mark.parametrize("seed", range(8))
def test_surge_watch_retests_the_days_a_step_changes(seed: int) -> None:
    """Daily steps over denser series, where the watch keeps a day's test from the step before unless its count,
    its baseline's counts, the record's beginning or the unusual days of its baseline changed: reports placed nowhere
    known weeks late move the beginning back without changing any series' counts, and the window's first day moving
    on makes a day once unusual usual, and so the days after it. Each step equals surges found afresh."""
    rng = random.Random(seed)
    reports = _random_reports(seed, rates=(0, 1, 2, 3, 4, 6, 12), days=90)
    reports += [obs(f"early-{k}", type="PROTEST", mode=None, day=day(-k), place=None, cluster=f"early-{k}",
                    known_at=end_of(rng.randrange(5, 60))) for k in range(1, 20, 3)]
    watch = SurgeWatch(reports)
    for n in range(95):
        at, oldest = end_of(n), day(n - 45)
        standing = [o for o in reports if o.known_at <= at and o.event.date >= oldest and o.shown_at(at)]
        assert watch.surges(at, oldest) == find_surges(standing, at), n


@pytest.mark.parametrize("seed", range(4))
def test_a_surge_watch_of_some_types_finds_their_surges_from_the_whole_records_beginning(seed: int) -> None:
    """Watching only the series of the types a scenario's surge indicators count (a replay's): the surges of those
    types are the ones watching every series finds, found against the same baselines, however the other types'
    reports move where the record begins (here an early report of another type, known late)."""
    reports = _random_reports(seed, rates=(0, 1, 2, 3, 4, 6, 12), days=90)
    reports.append(obs("early", type="MOBILIZE", mode=None, day=day(-9), place=SUMY, cluster="early",
                       known_at=end_of(30)))
    reports += [obs(f"burst-{i}", type="ASSAULT", mode=None, day=day(70), place=SUMY, cluster=f"burst-{i}")
                for i in range(40)]
    every, some = SurgeWatch(reports), SurgeWatch(reports, types={"ASSAULT"})
    found = 0
    for n in range(95):
        at, oldest = end_of(n), day(n - 45)
        watched = some.surges(at, oldest)
        assert watched == [s for s in every.surges(at, oldest) if s.type == "ASSAULT"], n
        found += len(watched)
    assert found > 0


@pytest.mark.parametrize("seed", range(10))
def test_each_day_is_tested_against_its_baseline(seed: int) -> None:
    """What :func:`day_tests` finds (from running sums over a series' first weeks) is each day's count against its
    :func:`baseline`, the unusual days before it left out, bursts early in the series included."""
    rng = random.Random(seed)
    counts = {day(n): rng.choice((0, 0, 0, 1, 1, 2)) for n in range(70)}
    for n in (rng.randrange(8, 16), rng.randrange(17, 26), rng.randrange(30, 60)):  # bursts
        counts[day(n)] = rng.randrange(12, 20)
    first = day(rng.randrange(0, 5))
    tests = day_tests(counts, first, day(69))
    assert tests.unusual & {day(n) for n in range(5, 28)}  # an unusual day among the first weeks' baselines
    for d, tail in tests.tails.items():
        window = baseline(counts, d, first, {u for u in tests.unusual if u < d})
        assert tail == (tail_probability(counts[d], window) if len(window) >= MIN_BASELINE_DAYS else None), d
    assert set(tests.tails) == {d for d, c in counts.items() if c >= MIN_COUNT and d >= first}


def test_surge_watch_refuses_to_go_back() -> None:
    watch = SurgeWatch(series({28: 5}))
    watch.surges(end_of(28), day(0))
    with pytest.raises(InvalidArgument):
        watch.surges(end_of(27), day(0))
