"""Replay: a scenario recomputed as of each step of a past period, from what was known then.

At each step time T only observations with ``known_at <= T`` (published by T) are visible,
so the series is what a live system would have shown at T: no look-ahead. A step reads exactly what a live
cycle at T reads (:func:`forewarn.detect.service.assess_scenarios`), so a replay step and a live cycle at the
same time give the same probability and level (tested to 1e-9): events dated no earlier than
:func:`history_days` before T, in the live read's order; claims said no earlier than
:func:`forewarn.detect.score.lookback_days` before T; stories, and the documents per day that say when the
stream was up, of the :func:`forewarn.detect.score.story_days` before T; surges found among the events; scored
with :func:`forewarn.detect.score.assess`, the function the live system runs. Each events indicator's groups of
reports are kept from step to step (:mod:`forewarn.detect.grouped`): the signals grouping them afresh would give.
Where a replay and the live chain still disagree, the steps fall at other times (a 1-day replay at midnight does
not see a level reached at 18:00 and lost by the next midnight): :func:`forewarn.review.steps.live_step` gives
the live chain's step.
"""

from __future__ import annotations

import bisect
import csv
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from forewarn.detect.grouped import stepped_signals
from forewarn.detect.match import claim_matches, in_place, indicator_matches
from forewarn.detect.mentions import StoryDays, story_matches
from forewarn.detect.score import Matches, assess, lookback_days, story_days
from forewarn.detect.surge import BASELINE_DAYS, SurgeWatch
from forewarn.detect.types import ClaimObservation, Observation, Story, StoryCounts, WholeRead
from forewarn.errors import InvalidArgument
from forewarn.model import Assessment, IndicatorKind, Scenario, Signal, Surge, Threshold, WarningRecord
from forewarn.review.steps import format_step, parse_step

__all__ = ["Crossing", "ReplaySeries", "ReplayStep", "parse_step", "replay", "write_csv"]

MAX_STEPS = 20_000  # a year at half-hour steps; more is a mistyped step
CSV_HEADER = ("at", "probability", "log_odds", "level", "signals", "top_signal")


@dataclass(frozen=True, slots=True)
class ReplayStep:
    at: datetime
    probability: float
    log_odds: float
    level: str | None
    signals: int  # counted signals
    top_signal: str  # indicator of the largest counted contribution ("" when none)
    top_contribution: float  # its log-odds


@dataclass(frozen=True, slots=True)
class Crossing:
    """A step whose level ranks above the previous step's: where a live system would have warned."""

    at: datetime
    level: str
    previous: str | None
    probability: float


@dataclass(frozen=True, slots=True)
class ReplaySeries:
    scenario_id: str
    scenario_name: str
    scenario_version: str
    thresholds: tuple[Threshold, ...]
    start: datetime
    end: datetime
    step: timedelta
    steps: tuple[ReplayStep, ...]
    crossings: tuple[Crossing, ...]
    observations: int  # observations visible at the last step
    matched: int  # of them, those matching an event indicator
    warnings: tuple[WarningRecord, ...] = ()  # stored warnings of the scenario, for charts
    step_reason: str = ""  # why this step: given, or the live cycle's (see forewarn.review.steps.live_step)

    @property
    def step_text(self) -> str:
        return format_step(self.step)

    def first_reaching(self, threshold: Threshold) -> ReplayStep | None:
        """The first step whose probability reaches ``threshold``."""
        return next((s for s in self.steps if s.probability >= threshold.probability), None)


def replay(scenario: Scenario, observations: Sequence[Observation], start: datetime, end: datetime,
           step: timedelta | str = "1d", *, warnings: Sequence[WarningRecord] = (),
           claims: Sequence[ClaimObservation] = (), stories: Sequence[Story] = (),
           day_totals: Mapping[date, int] | None = None, step_reason: str = "", whole: WholeRead | None = None,
           counted: Mapping[str, StoryCounts] | None = None) -> ReplaySeries:
    """The scenario assessed at ``start``, ``start + step``, … up to ``end`` inclusive, each time
    from the observations (in the order the live read gives them: event date, then id), claims and stories
    known by that time (``day_totals``: documents per day, for mentions indicators). ``warnings`` ride along
    for charts; ``step_reason`` says why this step. ``whole``: the observations are those an indicator can match
    of a read, and ``whole`` answers for all of it (:mod:`forewarn.detect.narrow`). ``counted``: by mentions
    indicator id, its stories as the store counts them (:func:`forewarn.detect.stories.count_stories`), in place of
    those among ``stories``."""
    delta = parse_step(step) if isinstance(step, str) else step
    times = step_times(start, end, delta)
    if whole is not None:
        whole.ahead(times[-1])  # the store counts the read while the steps run
    reader = _Reader(scenario, observations, claims, stories, day_totals, whole, counted or {})
    rows = [_row(assessment) for assessment in reader.assessments(times)]
    last = times[-1]
    return ReplaySeries(
        scenario_id=scenario.id, scenario_name=scenario.name, scenario_version=scenario.version,
        thresholds=scenario.thresholds, start=times[0], end=last, step=delta, steps=tuple(rows),
        crossings=crossings(scenario, rows),
        observations=whole.count(last) if whole else sum(o.shown_at(last) for o in _known_by(reader.everything, last)),
        matched=sum(o.shown_at(last) for o in _known_by(reader.matching, last)),
        warnings=tuple(w for w in warnings if w.scenario_id == scenario.id), step_reason=step_reason,
    )


class _Reader:
    """What a live cycle at T reads for one scenario, from everything a replay was given: the same
    observations (in the same order), claims, stories and documents per day, and the same surges."""

    def __init__(self, scenario: Scenario, observations: Sequence[Observation], claims: Sequence[ClaimObservation],
                 stories: Sequence[Story], day_totals: Mapping[date, int] | None, whole: WholeRead | None,
                 counted: Mapping[str, StoryCounts]) -> None:
        self.scenario, self.day_totals = scenario, day_totals
        self.matches = Matches(scenario)  # every step asks about the same items
        self.surging = any(i.kind is IndicatorKind.SURGE for i in scenario.indicators)
        self.days, self.claim_days = history_days(scenario), lookback_days(scenario)
        self.story_span = story_days(scenario)
        self.order = {id(o): _order(o, n) for n, o in enumerate(observations)}  # the live read's order
        self.everything = _by_known_at(observations)
        self.whole = whole
        begins = None if whole is None else lambda since, at: whole.first_day(at, dated_from=since)
        self.surge_watch = SurgeWatch(observations, begins, whole.rows if whole else (),
                                      surge_types(scenario)) if self.surging else None
        self.by_id: dict[str, list[Observation]] = {}
        for o in observations if self.surging else ():
            self.by_id.setdefault(o.event.id, []).append(o)
        self.indicated = {i.id: [o for o in observations if (not i.types or o.event.type in i.types)
                                 and indicator_matches(scenario, i, o)]  # (by type first: most are of other types)
                          for i in scenario.indicators if i.kind is IndicatorKind.EVENTS}  # each events indicator's
        matched = {id(o) for found in self.indicated.values() for o in found}
        self.matching = _by_known_at([o for o in observations if id(o) in matched])
        self.said = _by_known_at([c for c in claims if _claimed(scenario, c)])
        # with the documents per day known (the days the stream was up), stories no indicator matches change nothing
        heard = [s for s in stories if day_totals is None or _mentioned(scenario, s)] if self.story_span else []
        self.heard = _by_known_at(heard)
        self.story_days: dict[str, StoryCounts] = {  # grouped as they become known, step by step
            i.id: counted.get(i.id) or StoryDays([s for s in heard if self.matches(i, s)]) for i in scenario.indicators
            if i.kind is IndicatorKind.MENTIONS}

    def assessments(self, times: Sequence[datetime]) -> Iterator[Assessment]:
        """The scenario at each of ``times`` (rising): each events indicator's groups kept from step to step, and of
        their signals only those that count (a step's row reads no other)."""
        grouped = {i.id: stepped_signals(i, self.indicated[i.id], times, self.days, counted=True)
                   for i in self.scenario.indicators if i.kind is IndicatorKind.EVENTS}
        for tally in self.story_days.values():
            tally.ahead(times)
        for at, surges in zip(times, self.surges(times), strict=True):
            yield self.assess(at, surges, {k: next(signals) for k, signals in grouped.items()})

    def surges(self, times: Sequence[datetime]) -> list[list[Surge]]:
        """The surges found at each of ``times`` (rising), and the observations of the events of those outside the
        region's places that the read had as surge rows only, read at once (see :meth:`assess`)."""
        if self.surge_watch is None:
            return [[] for _ in times]
        found = [self.surge_watch.surges(at, at.date() - timedelta(days=self.days)) for at in times]
        unread = sorted({e for surges in found for s in self._outside(surges) for e in s.event_ids} - self.by_id.keys())
        for o in self.whole.members(unread) if self.whole is not None and unread else ():
            self.by_id.setdefault(o.event.id, []).append(o)
            self.order[id(o)] = _order(o, 0)
        return found

    def assess(self, at: datetime, surges: Sequence[Surge], grouped: Mapping[str, Sequence[Signal]]) -> Assessment:
        """The scenario at ``at``, from what a live cycle at ``at`` would have read (``surges``: those found then;
        ``grouped``: each events indicator's signals then). Only surge signals read observations, and only to tell
        whether a surge outside the region's places has an event in the region: a step's row reads no surge's
        sources (its contribution does not depend on them)."""
        oldest, first_story = at.date() - timedelta(days=self.days), at.date() - timedelta(days=self.story_span)
        visible = self._ordered(self._members(self._outside(surges), oldest, at))
        first_claim = at.date() - timedelta(days=self.claim_days)
        claims = [c for c in _known_by(self.said, at) if c.day >= first_claim]
        stories = [s for s in _known_by(self.heard, at) if s.day >= first_story]
        return assess(self.scenario, visible, at, surges, claims, stories, day_totals=self._totals(first_story, at),
                      matches=self.matches, story_days={k: d.days(at, first_story) for k, d in self.story_days.items()},
                      grouped=grouped)

    def _totals(self, first: date, at: datetime) -> dict[date, int] | None:
        """The documents per day a live cycle at ``at`` reads: those of its stories' span only."""
        if self.day_totals is None:
            return None
        return {d: n for d, n in self.day_totals.items() if first <= d <= at.date()}

    def _outside(self, surges: Sequence[Surge]) -> list[Surge]:
        """The surges outside the scenario region's places (a surge signal reads their events to tell whether one is
        in the region)."""
        region = self.scenario.region
        return [s for s in surges if not in_place(region, s.country, s.admin1)]

    def _members(self, surges: Sequence[Surge], oldest: date, at: datetime) -> list[Observation]:
        """The observations of the surges' events, in the versions standing at ``at`` (see :meth:`surges`)."""
        wanted = {e for surge in surges for e in surge.event_ids}
        return [o for e in wanted for o in self.by_id.get(e, ()) if o.known_at <= at and o.event.date >= oldest
                and o.shown_at(at)]

    def _ordered(self, found: Sequence[Observation]) -> list[Observation]:
        """In the live read's order: event date, then id (then the versions of a corrected event as read)."""
        order = self.order
        return sorted(found, key=lambda o: order[id(o)])


def surge_types(scenario: Scenario) -> frozenset[str] | None:
    """The event types the scenario's surge indicators count (None: every type, where one names none)."""
    surging = [i for i in scenario.indicators if i.kind is IndicatorKind.SURGE]
    return None if any(not i.types for i in surging) else frozenset(t for i in surging for t in i.types)


def _order(o: Observation, position: int) -> tuple[date, str, int]:
    """Where an observation falls in the live read's order: event date, id, then its place in the read."""
    return o.event.date, o.event.id, position


def history_days(scenario: Scenario) -> int:
    """How far back (in event days) a step looks, as the live assessment does: the longest-lived signal,
    plus a surge baseline when the scenario watches for surges."""
    surging = any(i.kind is IndicatorKind.SURGE for i in scenario.indicators)
    return lookback_days(scenario) + (BASELINE_DAYS if surging else 0)


def step_times(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidArgument("replay times must be timezone-aware", hint="give an offset, or dates (UTC)")
    if step <= timedelta(0):
        raise InvalidArgument(f"step {step} is not positive", hint="e.g. 1d, 12h, 30m")
    if start > end:
        raise InvalidArgument(f"the period {start.isoformat()} … {end.isoformat()} is empty",
                              hint="--from must not be after --to")
    count = int((end - start) / step) + 1
    if count > MAX_STEPS:
        raise InvalidArgument(f"{count:,} steps of {format_step(step)} is too many (at most {MAX_STEPS:,})",
                              hint="use a longer --step or a shorter period")
    return [start + i * step for i in range(count)]


def crossings(scenario: Scenario, rows: Sequence[ReplayStep]) -> tuple[Crossing, ...]:
    """Steps whose level ranks above the previous step's; before the first step, the level of the prior."""
    ranks = {t.level: i for i, t in enumerate(scenario.thresholds)}

    def rank(level: str | None) -> int:
        return -1 if level is None else ranks.get(level, -1)

    previous = scenario.level_of(scenario.prior)
    found: list[Crossing] = []
    for row in rows:
        if row.level is not None and rank(row.level) > rank(previous):
            found.append(Crossing(row.at, row.level, previous, row.probability))
        previous = row.level
    return tuple(found)


def write_csv(series: ReplaySeries, path: Path) -> Path:
    """The series as CSV: at,probability,log_odds,level,signals,top_signal."""
    try:
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for s in series.steps:
                writer.writerow((s.at.isoformat(), f"{s.probability:.6f}", f"{s.log_odds:.6f}", s.level or "",
                                 s.signals, s.top_signal))
    except OSError as e:
        raise InvalidArgument(f"cannot write {path}: {e.strerror}", hint="check the folder exists and is writable",
                              ) from None
    return path


def _row(assessment: Assessment) -> ReplayStep:
    counted = assessment.counted
    top = max(counted, key=lambda s: abs(s.contribution), default=None)
    return ReplayStep(at=assessment.at, probability=assessment.probability, log_odds=assessment.log_odds,
                      level=assessment.level, signals=len(counted), top_signal=top.indicator_id if top else "",
                      top_contribution=top.contribution if top else 0.0)


def _mentioned(scenario: Scenario, story: Story) -> bool:
    return any(story_matches(scenario, i, story) for i in scenario.indicators if i.kind is IndicatorKind.MENTIONS)


def _claimed(scenario: Scenario, claim: ClaimObservation) -> bool:
    return any(claim_matches(scenario, i, claim) for i in scenario.indicators if i.kind is IndicatorKind.CLAIM)


class _Known(Protocol):
    @property
    def known_at(self) -> datetime: ...


K = TypeVar("K", bound=_Known)


class _Timeline(Generic[K]):
    """Observations (claims, stories) sorted by when they became known, with those times for bisection."""

    __slots__ = ("items", "keys")

    def __init__(self, items: list[K]) -> None:
        self.items = items
        self.keys = [o.known_at for o in items]


def _by_known_at(items: Sequence[K]) -> _Timeline[K]:
    return _Timeline(sorted(items, key=lambda o: o.known_at))


def _known_by(timeline: _Timeline[K], at: datetime) -> Sequence[K]:
    return timeline.items[:bisect.bisect_right(timeline.keys, at)]
