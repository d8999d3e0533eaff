"""Mentions indicators: attention as evidence — a day on which unusually many independent stories match a query.

A story matches a mentions indicator when its title or text matches the query (the keyword syntax of
:func:`forewarn.detect.match.keyword_pattern`: any of the words or phrases, case-insensitive, at word
boundaries in any script, a trailing ``*`` any ending), when it names one of the indicator's ``entities``
(canonical id or name, case-insensitive) if any are given, and, when ``in_region``, when it names a place in
the scenario's region (one of its countries or first-level regions; a region given only by a point and
radius matches no story, since stories carry no coordinates).

Per day (publication date, UTC) the count is the number of independent stories: distinct duplicate
clusters, so copies of one report count once. A day signals when

* its count is at least ``min_stories`` and its stories come from at least two distinct sources (a
  document without a source is its own): one outlet's live blog is not a swell of reporting; and
* (a) the count is unusual against the ``baseline_days`` days before it — the negative-binomial test of
  :mod:`forewarn.detect.surge` (Poisson when the baseline is not over-dispersed), p < ``max_p``, tested once
  there are :data:`~forewarn.detect.surge.MIN_BASELINE_DAYS` baseline days; or (b) ``highest_in_days`` > 0
  and the count is higher than on each of the ``highest_in_days`` days before it, all of them within the
  stream's record (HDX Signals' rule).

Baseline days are only days on which the stream brought any document at all: a feed outage is not a quiet
day. Days found unusual by (a) stay out of later baselines, as surges do. Each signalling day is one signal of
strength 1.0 decaying from that day. Counts come from the words of the reports, whether or not events were
coded from them, so the indicator works where extraction misses.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from forewarn.detect.match import keyword_pattern, names_place_in, text_matches
from forewarn.detect.surge import MIN_BASELINE_DAYS, Tail, tail_probability
from forewarn.detect.types import DayOfStories, Story
from forewarn.detect.weights import EXPIRED, decay, rank
from forewarn.errors import InvalidArgument
from forewarn.model import Indicator, IndicatorKind, Scenario, Signal, SignalKind

MIN_SOURCES = 2  # a day's stories must come from at least this many sources to signal
TOP_STORIES = 3  # stories named in a signal's evidence
NOTHING = re.compile(r"(?!)")  # the pattern of an empty query: matches no story


@dataclass(slots=True)
class StoryDay:
    """One day's matching stories: their duplicate clusters, their sources, the stories."""

    clusters: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    stories: list[Story] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.clusters)

    @property
    def source_count(self) -> int:
        return len(self.sources)

    @property
    def made(self) -> None:
        """Its signals are made afresh: its stories grow as they become known."""
        return None

    def quoted(self, stories: Sequence[Story]) -> list[Story]:
        """These of its stories as a signal quotes them: as they are (each has its words)."""
        return list(stories)

    def add(self, s: Story) -> None:
        self.clusters.add(s.cluster_id)
        self.sources.add(s.source_id or f"document:{s.document_id}")
        self.stories.append(s)


class StoryDays:
    """An indicator's matching stories grouped by day as they become known: what :func:`mention_signals` groups from
    the stories known at each of a rising series of times (a replay's steps), each call adding only the stories
    that became known since the last (a :class:`~forewarn.detect.types.StoryCounts` of stories in hand)."""

    def __init__(self, stories: Sequence[Story]) -> None:
        self._stories = sorted(stories, key=lambda s: s.known_at)
        self._next = 0
        self._days: dict[date, StoryDay] = {}
        self._at: datetime | None = None

    def days(self, at: datetime, first: date | None = None, *, before: bool = False) -> dict[date, StoryDay]:
        if self._at is not None and at < self._at:
            raise InvalidArgument("story days move forward in time only", hint="start a new StoryDays")
        self._at = at
        while self._next < len(self._stories) and _known(self._stories[self._next], at, before):
            story = self._stories[self._next]
            self._days.setdefault(story.day, StoryDay()).add(story)
            self._next += 1
        return {d: v for d, v in self._days.items() if (first is None or first <= d) and d <= at.date()}


    def ahead(self, times: Sequence[datetime]) -> None:
        """Nothing to read: the stories are in hand."""


def _known(story: Story, at: datetime, before: bool) -> bool:
    return story.known_at < at if before else story.known_at <= at


@dataclass(frozen=True, slots=True)
class _Finding:
    day: date
    tail: Tail | None  # the test against the baseline (None: too few baseline days)
    previous_high: int | None  # the highest count of the highest_in_days days before, beaten (None: not)


def story_pattern(indicator: Indicator) -> re.Pattern[str]:
    """The indicator's query as one compiled, cached, case-insensitive pattern (any script: ``прорыв*``,
    ``Wagnera``, ``ВСУ``); an empty query matches nothing."""
    return keyword_pattern(indicator.query) if indicator.query else NOTHING


def story_matches(scenario: Scenario, indicator: Indicator, story: Story) -> bool:
    """Does ``story`` count for the (mentions) indicator: query, entities, and region when ``in_region``?"""
    return (_names(indicator.entities, story.entities)
            and (not indicator.in_region or names_place_in(scenario.region, story.places))
            and text_matches(story_pattern(indicator), story.document_id, story.title, story.text))


def mention_signals(scenario: Scenario, indicator: Indicator, stories: Sequence[Story], at: datetime,
                    day_totals: Mapping[date, int] | None = None, matches: Callable[[Story], bool] | None = None,
                    days: Mapping[date, DayOfStories] | None = None) -> list[Signal]:
    """One signal per signalling day up to ``at``'s date, from the stories known at ``at``; before saturation,
    expired ones dropped. ``day_totals`` are the documents (matching or not) per day (see
    :func:`forewarn.detect.stories.documents_per_day`): the days the stream was up. Without them, the days on which
    any of ``stories`` appeared count as up. ``matches``: which stories the indicator matches (default
:func:`story_matches`); ``days``: the matching stories known at ``at`` already grouped or counted by day
    (:class:`StoryDays`, or the store's counts), in place of ``stories``. Pure: the same arguments give the same
    signals."""
    if at.tzinfo is None:
        raise InvalidArgument("mention times must be timezone-aware", hint="give an offset, e.g. +00:00")
    if indicator.kind is not IndicatorKind.MENTIONS:
        return []
    known = [s for s in stories if s.known_at <= at and s.day <= at.date()]
    active = {s.day for s in known} | {d for d, n in (day_totals or {}).items() if n > 0 and d <= at.date()}
    if days is None:
        matching = matches or (lambda story: story_matches(scenario, indicator, story))
        days = _by_day(s for s in known if matching(s))
    active |= {d for d, v in days.items() if v.count and d <= at.date()}
    found = (_signal(indicator, f, days[f.day], at) for f in _findings(indicator, days, active))
    return [s for s in found if s.decay >= EXPIRED]


def _names(wanted: Collection[str], named: Collection[str]) -> bool:
    if not wanted:
        return True
    folded = {w.casefold() for w in wanted}
    return any(n.casefold() in folded for n in named)


def _by_day(stories: Iterable[Story]) -> dict[date, StoryDay]:
    days: dict[date, StoryDay] = {}
    for s in stories:
        days.setdefault(s.day, StoryDay()).add(s)
    return days


def _findings(indicator: Indicator, days: Mapping[date, DayOfStories], active: Collection[date]) -> list[_Finding]:
    """The signalling days, oldest first; days unusual against their baseline leave later baselines."""
    counts = {d: v.count for d, v in days.items()}
    first = min(active, default=date.max)
    unusual: set[date] = set()
    found = []
    for day in sorted(d for d, v in days.items() if counts[d] >= indicator.min_stories
                      and v.source_count >= MIN_SOURCES):
        window = [counts.get(d, 0) for d in _before(day, indicator.baseline_days) if d in active and d not in unusual]
        tail = tail_probability(counts[day], window) if len(window) >= MIN_BASELINE_DAYS else None
        if tail is not None and tail.p_value < indicator.max_p:
            unusual.add(day)
        high = _beaten_high(indicator.highest_in_days, counts, day, first)
        if day in unusual or high is not None:
            found.append(_Finding(day, tail, high))
    return found


@functools.lru_cache(maxsize=4096)  # a replay asks for the same days at every step
def _before(day: date, n: int) -> tuple[date, ...]:
    return tuple(day - timedelta(days=i) for i in range(1, n + 1))


def _beaten_high(n: int, counts: Mapping[date, int], day: date, first: date) -> int | None:
    """The highest count of the ``n`` days before ``day`` when ``day``'s count is higher; None when it is not,
    when the rule is off (``n`` = 0) or when the stream's record does not cover those days."""
    if n <= 0 or day - timedelta(days=n) < first:
        return None
    high = max(counts.get(d, 0) for d in _before(day, n))
    return high if counts[day] > high else None


def _signal(indicator: Indicator, finding: _Finding, day: DayOfStories, at: datetime) -> Signal:
    d = decay((at.date() - finding.day).days, indicator.half_life_days)
    made = _made(indicator, finding, day)
    return replace(made, decay=d, contribution=math.log(indicator.weight) * d)


def _made(indicator: Indicator, finding: _Finding, day: DayOfStories) -> Signal:
    """The signal of a finding, but for its decay (undecayed): made once for a day whose stories no longer change
    (``day.made``; a replay's steps ask for it again and again), else made afresh."""
    key = (indicator.id, finding.day, finding.tail, finding.previous_high)
    memo = day.made
    if memo is not None and key in memo:
        return memo[key]
    stories = day.stories
    top = _top(stories)
    made = Signal(
        indicator_id=indicator.id, kind=SignalKind.MENTIONS, observed_on=finding.day,
        known_at=max(s.known_at for s in stories), source_ids=tuple(sorted({s.source_id for s in stories
                                                                           if s.source_id})),
        reliability=top[0].reliability.value, event_ids=(),
        document_ids=tuple(sorted({s.document_id for s in stories})), strength=1.0, decay=1.0,
        contribution=math.log(indicator.weight), counted=True,
        evidence=describe_mentions(indicator, finding, day, day.quoted(top[:TOP_STORIES])),
    )
    if memo is not None:
        memo[key] = made
    return made


def _top(stories: Sequence[Story]) -> list[Story]:
    """One story per duplicate cluster, best source first (by reliability), then earliest."""
    firsts: dict[str, Story] = {}
    for s in sorted(stories, key=lambda s: (rank(s.reliability), s.known_at, s.document_id)):
        firsts.setdefault(s.cluster_id, s)
    return list(firsts.values())


def describe_mentions(indicator: Indicator, finding: _Finding, day: DayOfStories, top: Sequence[Story]) -> str:
    """The line a person reads: the count, the test that found it unusual, the top stories."""
    text = (f"{day.count} independent stories from {day.source_count} sources matching "
            f"{_query_text(indicator)} on {finding.day.isoformat()}")
    if (t := finding.tail) is not None:
        text += f" against a baseline of {t.mean:.1f}/day (variance {t.var:.1f}); {t.test} p = {t.p_value:.2g}"
    if finding.previous_high is not None:
        text += f"; the most in {indicator.highest_in_days} days (previous high {finding.previous_high})"
    stories = "; ".join(f"{_headline(s)} ({s.source_id or 'no source'})" for s in top[:TOP_STORIES])
    return (f"{text}. Top stories: {stories}. Counted from the words of the reports, whether or not events were "
            "coded from them.")


def _query_text(indicator: Indicator) -> str:
    text = " or ".join(f'"{q}"' for q in indicator.query)
    if indicator.entities:
        text += " naming " + " or ".join(indicator.entities)
    return text + (" in the scenario's region" if indicator.in_region else "")


def _headline(story: Story, width: int = 90) -> str:
    line = " ".join((story.title or story.text).split())
    return line if len(line) <= width else line[:width - 1].rstrip() + "…"

