"""Replay: each step sees only what was published before it; steps, crossings and CSV."""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from review_helpers import T0, observation, scenario, warning

from forewarn.detect.score import assess
from forewarn.detect.surge import find_surges
from forewarn.errors import InvalidArgument
from forewarn.model import Reliability
from forewarn.review import ReplayStep, parse_step, replay, write_csv
from forewarn.review.replay import crossings, history_days
from forewarn.review.steps import format_step, parse_instant

DAY = timedelta(days=1)


def build_up() -> list:
    """One report on 3 July, two more on 4 July, from independent sources."""
    return [observation(1, T0 + timedelta(days=2, hours=10)), observation(2, T0 + timedelta(days=3, hours=8)),
            observation(3, T0 + timedelta(days=3, hours=9))]


def test_each_step_is_the_assessment_from_what_was_published_before_it() -> None:
    s = scenario()
    obs = build_up()
    series = replay(s, obs, T0, T0 + 9 * DAY, "1d")
    assert [r.at for r in series.steps] == [T0 + i * DAY for i in range(10)]
    for row in series.steps:
        expected = assess(s, [o for o in obs if o.known_at < row.at], row.at)
        assert row.probability == pytest.approx(expected.probability)
        assert row.log_odds == pytest.approx(expected.log_odds)
        assert row.level == expected.level
        assert row.signals == len(expected.counted)
    assert series.steps[0].probability == pytest.approx(0.05)  # nothing known yet: the prior
    assert series.steps[4].level == "high" and series.steps[4].top_signal == "massing"
    assert (series.observations, series.matched) == (3, 3)


def test_an_observation_known_just_after_a_step_does_not_affect_it() -> None:
    s = scenario()
    step = T0 + 4 * DAY
    late = observation(9, step + timedelta(seconds=1), day=(step - DAY).date())  # about the day before, known after
    at_the_step = observation(10, step, day=(step - DAY).date())  # published exactly at the step: known by it
    base = replay(s, build_up(), T0, T0 + 8 * DAY)
    more = replay(s, [*build_up(), late, at_the_step], T0, T0 + 8 * DAY)
    for a, b in zip(base.steps, more.steps, strict=True):
        if a.at < step:
            assert a == b
        elif a.at == step:  # as the live assessment at that instant would: the one published then, not the later
            assert b.probability > a.probability and b.signals == a.signals + 1
        else:
            assert b.probability > a.probability and b.signals == a.signals + 2


def test_an_event_dated_after_the_step_is_not_scored_even_when_known() -> None:
    s = scenario()
    announced = observation(1, T0 + timedelta(hours=1), day=(T0 + 5 * DAY).date())  # an announcement of a later day
    series = replay(s, [announced], T0, T0 + 6 * DAY)
    assert [r.signals for r in series.steps] == [0, 0, 0, 0, 0, 1, 1]


def test_crossings_are_upward_level_changes_from_the_prior_level() -> None:
    s = scenario()
    series = replay(s, build_up(), T0, T0 + 40 * DAY)
    assert [(c.at, c.previous, c.level) for c in series.crossings] == [(T0 + 4 * DAY, None, "high")]
    assert series.steps[5].level == "elevated"  # falling back is no crossing
    # the signals decay: the level falls back, and a fresh report crosses again
    again = replay(s, [*build_up(), observation(4, T0 + timedelta(days=30, hours=6)),
                       observation(5, T0 + timedelta(days=30, hours=7)),
                       observation(6, T0 + timedelta(days=30, hours=8))], T0, T0 + 40 * DAY)
    assert [c.at for c in again.crossings] == [T0 + 4 * DAY, T0 + 31 * DAY]
    assert again.steps[29].level is None


def test_first_reaching_each_threshold() -> None:
    series = replay(scenario(), build_up(), T0, T0 + 9 * DAY)
    elevated, high, critical = series.thresholds
    assert series.first_reaching(elevated).at == T0 + 4 * DAY  # type: ignore[union-attr]
    assert series.first_reaching(high).at == T0 + 4 * DAY  # type: ignore[union-attr]
    assert series.first_reaching(critical) is None


def test_non_matching_observations_are_left_out_of_the_scoring() -> None:
    s = scenario()
    elsewhere = observation(7, T0 + timedelta(hours=5), country="POL")
    other_type = observation(8, T0 + timedelta(hours=6), type="PROTEST")
    series = replay(s, [*build_up(), elsewhere, other_type], T0, T0 + 9 * DAY)
    assert (series.observations, series.matched) == (5, 3)
    assert series.steps == replay(s, build_up(), T0, T0 + 9 * DAY).steps


def test_surge_indicators_see_every_observation_known_before_the_step() -> None:
    s = scenario(surge=True)
    quiet = [observation(100 + i, T0 + timedelta(days=i, hours=12), type="ASSAULT") for i in range(0, 20, 4)]
    burst = [observation(200 + i, T0 + timedelta(days=20, hours=9 + i), type="ASSAULT") for i in range(6)]
    obs = [*quiet, *burst]
    series = replay(s, obs, T0 + 18 * DAY, T0 + 24 * DAY)
    for row in series.steps:
        visible = [o for o in obs if o.known_at < row.at]
        expected = assess(s, visible, row.at, find_surges(visible, row.at, region=s.region))
        assert row.probability == pytest.approx(expected.probability)
    assert [r.top_signal for r in series.steps][:3] == ["", "", ""]
    assert series.steps[3].top_signal == "shelling-surge"  # 21 July: the 20 July burst is known
    assert series.matched == 0


def test_stored_warnings_of_the_scenario_ride_along() -> None:
    ours, other = warning(1, T0 + DAY), warning(2, T0 + DAY, scenario_id="elsewhere")
    series = replay(scenario(), [], T0, T0 + DAY, warnings=[ours, other])
    assert series.warnings == (ours,)


def test_csv(tmp_path: Path) -> None:
    series = replay(scenario(), build_up(), T0, T0 + 5 * DAY, "1d")
    path = write_csv(series, tmp_path / "series.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["at", "probability", "log_odds", "level", "signals", "top_signal"]
    assert len(rows) == 7
    assert rows[1] == ["2024-07-01T00:00:00+00:00", "0.050000", "-2.944439", "", "0", ""]
    assert rows[5][0] == "2024-07-05T00:00:00+00:00" and rows[5][3] == "high" and rows[5][5] == "massing"
    assert float(rows[5][1]) == pytest.approx(series.steps[4].probability, abs=1e-6)


def test_csv_to_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    series = replay(scenario(), [], T0, T0)
    with pytest.raises(InvalidArgument, match="cannot write"):
        write_csv(series, tmp_path / "no" / "such" / "series.csv")


def test_sub_day_steps_and_a_single_step() -> None:
    series = replay(scenario(), build_up(), T0, T0 + DAY, "12h")
    assert [r.at for r in series.steps] == [T0, T0 + timedelta(hours=12), T0 + DAY]
    assert series.step_text == "12h"
    assert len(replay(scenario(), [], T0, T0).steps) == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("1d", timedelta(days=1)), ("12h", timedelta(hours=12)), ("30m", timedelta(minutes=30)),
    (" 2D ", timedelta(days=2)), ("7d", timedelta(days=7)),
])
def test_parse_step(text: str, expected: timedelta) -> None:
    assert parse_step(text) == expected
    assert parse_step(format_step(expected)) == expected


@pytest.mark.parametrize("text", ["", "0d", "-1d", "1w", "d", "1.5d", "1 day", "abc"])
def test_parse_step_refuses(text: str) -> None:
    with pytest.raises(InvalidArgument, match="step"):
        parse_step(text)


def test_parse_instant() -> None:
    assert parse_instant("2024-08-06", "--to") == datetime(2024, 8, 6, tzinfo=UTC)
    assert parse_instant("2024-08-06T12:30", "--to") == datetime(2024, 8, 6, 12, 30, tzinfo=UTC)
    assert parse_instant("2024-08-06T12:30+03:00", "--to") == datetime(2024, 8, 6, 9, 30, tzinfo=UTC)
    with pytest.raises(InvalidArgument, match="--from '6 Aug' is not a date"):
        parse_instant("6 Aug", "--from")


def test_empty_and_unbounded_ranges_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="is empty"):
        replay(scenario(), [], T0 + DAY, T0)
    with pytest.raises(InvalidArgument, match="too many"):
        replay(scenario(), [], T0, T0 + 3650 * DAY, "1m")
    with pytest.raises(InvalidArgument, match="timezone-aware"):
        replay(scenario(), [], datetime(2024, 7, 1), datetime(2024, 7, 2))
    with pytest.raises(InvalidArgument, match="not positive"):
        replay(scenario(), [], T0, T0 + DAY, timedelta(0))


def test_crossings_by_level_sequence() -> None:
    levels = [None, "elevated", "high", "elevated", "high", None, "critical", "critical"]
    rows = [ReplayStep(T0 + i * DAY, 0.0, 0.0, level, 0, "", 0.0) for i, level in enumerate(levels)]
    found = crossings(scenario(), rows)
    assert [(c.at, c.previous, c.level) for c in found] == [
        (T0 + DAY, None, "elevated"), (T0 + 2 * DAY, "elevated", "high"), (T0 + 4 * DAY, "elevated", "high"),
        (T0 + 6 * DAY, None, "critical")]
    # a prior already at "elevated": staying there is no crossing
    assert [c.level for c in crossings(scenario(prior=0.3), rows[1:])] == ["high", "high", "critical"]


def test_a_step_reads_events_as_far_back_as_the_live_assessment_does() -> None:
    s = scenario()
    step = T0 + 80 * DAY
    oldest = (step - history_days(s) * DAY).date()
    old = observation(1, T0 + timedelta(hours=3), source="channel", cluster="story", reliability=Reliability.A)
    fresh = observation(2, step - timedelta(hours=5), source="channel", cluster="story", reliability=Reliability.D)
    assert old.event.date < oldest <= fresh.event.date
    row = replay(s, [old, fresh], step, step).steps[0]
    live = assess(s, [fresh], step)  # what the live system reads at that time: not the expired report
    assert row.probability == pytest.approx(live.probability)
    assert row.top_contribution == pytest.approx(math.log(3.0) * 0.5 * 0.5 ** (1 / 10))  # grade D, one day old
