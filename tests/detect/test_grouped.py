"""An events indicator's groups kept from step to step give, at every step, the signals grouped afresh."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.detect.detect_helpers import indicator, obs

from forewarn.detect.grouped import RunningGroups, stepped_signals
from forewarn.detect.score import event_report, event_signals, saturate
from forewarn.detect.types import Observation
from forewarn.model import Reliability, Signal

START = datetime(2024, 7, 1, tzinfo=UTC)
DAYS = 6  # the look-back of the steps
TROOPS = indicator(half_life_days=2.0, saturation=3)


def standing(matching: list[Observation], at: datetime) -> list[Observation]:
    """What a live cycle at ``at`` groups: known, dated within the look-back, not replaced."""
    oldest = at.date() - timedelta(days=DAYS)
    return [o for o in matching if o.known_at <= at and oldest <= o.event.date <= at.date() and o.shown_at(at)]


def ordered(signals: list[Signal]) -> list[Signal]:
    return sorted(signals, key=lambda s: (s.event_ids, s.observed_on))


reports = st.tuples(
    st.integers(0, 20),  # the event's day after START
    st.integers(0, 30),  # hours after the event's day it became known
    st.integers(0, 5),  # its cluster
    st.sampled_from(["s1", "s2", "s3", None]),  # its source
    st.sampled_from(list(Reliability)),
    st.one_of(st.none(), st.integers(1, 400)),  # hours after it became known that a correction replaced it
)


def observations(rows: list[tuple[int, int, int, str | None, Reliability, int | None]]) -> list[Observation]:
    found = []
    for n, (day, hours, cluster, source, reliability, hidden) in enumerate(rows):
        o = obs(f"e{n:03d}", day=(START + timedelta(days=day)).date(), source=source, cluster=f"c{cluster}",
                reliability=reliability, known_at=START + timedelta(days=day, hours=hours))
        found.append(o if hidden is None else replace(o, hidden_from=o.known_at + timedelta(hours=hidden)))
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(reports, max_size=40), st.sampled_from([timedelta(hours=7), timedelta(days=1)]))
def test_each_step_gives_the_signals_grouped_afresh(rows: list[tuple[int, int, int, str | None, Reliability,
                                                                     int | None]], step: timedelta) -> None:
    matching = observations(rows)
    times = [START + k * step for k in range(int(timedelta(days=26) / step))]
    steps = zip(times, stepped_signals(TROOPS, matching, times, DAYS),
                stepped_signals(TROOPS, matching, times, DAYS, counted=True), strict=True)
    for at, found, counted in steps:
        afresh = event_signals(TROOPS, standing(matching, at), at)
        assert ordered(found) == ordered(afresh), at
        assert ordered(counted) == ordered([s for s in saturate(TROOPS, afresh) if s.counted]), at


def test_a_report_leaving_splits_the_group_it_joined() -> None:
    """Two sources' reports of one day are linked by a copy in both clusters; without the copy they are two."""
    day = date(2024, 7, 3)
    a = obs("a", day=day, source="s1", cluster="c1")
    b = obs("b", day=day, source="s2", cluster="c2")
    link = obs("link", day=day, source="s1", cluster="c2")
    groups = RunningGroups(TROOPS)
    at = datetime(2024, 7, 4, tzinfo=UTC)
    groups.update({0: event_report(a), 1: event_report(b), 2: event_report(link)}, ())
    assert [s.event_ids for s in groups.signals(at)] == [("a", "b", "link")]
    groups.update({}, [2])
    assert sorted(s.event_ids for s in groups.signals(at)) == [("a",), ("b",)]
