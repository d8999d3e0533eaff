"""Surges: days on which events of one type in one first-level region ran unusually high.

For each (country, first-level region, event type) the daily count is the number of independent
reports (distinct duplicate clusters) of such events dated that day — copies of one story count once,
so one viral report is not a surge. A day is tested against the :data:`BASELINE_DAYS` days before it:

* the baseline gets one pseudo-day with one report (:data:`PSEUDO_DAYS`), so that an all-zero baseline
  does not give a zero rate under which any count at all would be "impossible" (p = 0); the minimum
  count keeps one or two reports after a silent month from being a surge;
* when the baseline's variance exceeds its mean (the usual case for news-derived counts: reports come
  in bursts), the tail probability ``P(X >= count)`` is the negative binomial's with its dispersion
  fitted by the method of moments (``r = mean² / (var − mean)``); otherwise Poisson's;
* a day is a surge when the count is at least :data:`MIN_COUNT` and the tail probability is below
  :data:`ALPHA`.

Why the negative binomial: daily event counts per region are sparse (mostly 0 or 1) and over-dispersed
(one incident brings a cluster of reports, quiet days follow). Poisson assumes the variance equals the
mean, so on a bursty baseline it calls every burst "unusual" and alerts constantly; the negative
binomial widens its tail by the variance actually seen, and reduces to Poisson on a steady baseline.
Exact discrete tails also suit small counts, where z-scores on a normal approximation mislead.

Unusual days (those passing the test) stay out of later baselines: a surge must not teach the detector
that surges are normal, which would mask an escalation in the following weeks. Suppression instead keeps
one surge from alerting every day: once a (place, type) is flagged, the following :data:`SUPPRESS_DAYS`
days flag again only when their count exceeds the flagged peak (which then becomes the new peak); a surge
still going on after that is flagged again, about once a week.

Days before ``start`` (by default the earliest event date among the observations: where the record
begins) are not baseline; a day with fewer than :data:`MIN_BASELINE_DAYS` baseline days is not tested.
"""

from __future__ import annotations

import bisect
import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from itertools import repeat

from forewarn.detect.match import in_region
from forewarn.detect.types import Observation
from forewarn.errors import InvalidArgument
from forewarn.model import Region, Surge
from forewarn.model.records import SurgeRow

BASELINE_DAYS = 28
MIN_BASELINE_DAYS = 7
PSEUDO_DAYS = 1  # one extra baseline day …
PSEUDO_COUNT = 1  # … with one report on it
MIN_COUNT = 3
ALPHA = 0.01
SUPPRESS_DAYS = 7
OVERDISPERSED = 1e-6  # relative excess of variance over mean below which counts are taken as Poisson
ONE_DAY = timedelta(days=1)
NEGATIVE_BINOMIAL = "negative-binomial"
POISSON = "poisson"


@dataclass(slots=True)
class _Day:
    clusters: set[str] = field(default_factory=set)
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Tail:
    p_value: float
    test: str
    mean: float
    var: float


Key = tuple[str, str, str]  # country, first-level region, event type


def find_surges(observations: Sequence[Observation], at: datetime, *, region: Region | None = None,
                start: date | None = None, rows: Sequence[SurgeRow] = ()) -> list[Surge]:
    """Surges up to ``at``'s date, from the observations known at ``at`` (events in ``region`` when given), and
    the ``rows`` known then (other events, as surges count them: in ``region`` already). Pure: the same arguments
    give the same surges. Sorted by day, place and type."""
    if at.tzinfo is None:
        raise InvalidArgument("surge times must be timezone-aware", hint="give an offset, e.g. +00:00")
    today = at.date()
    usable = [o for o in observations if o.known_at <= at and o.event.date <= today
              and not o.event.negated and not o.event.hypothetical]
    counted: list[Observation | SurgeRow] = [*usable, *(r for r in rows if r.known_at <= at and r.day <= today)]
    if not counted:
        return []
    first = start or min(_date(c) for c in counted)
    series: dict[Key, dict[date, _Day]] = defaultdict(dict)
    for c in counted:
        key = _key(c)
        if key is None or (region is not None and isinstance(c, Observation) and not in_region(region, c.event)):
            continue
        day = series[key].setdefault(_date(c), _Day())
        day.clusters.add(c.cluster_id)
        day.events.append(_id(c))
    return _sorted(s for key in sorted(series) for s in series_surges(
        key, {d: len(v.clusters) for d, v in series[key].items()}, first, partial(_events_of, series[key])))


def _events_of(days: dict[date, _Day], day: date) -> list[str]:
    return days[day].events


Change = tuple[int, date, Key | None, str, str]  # 1 or -1, the event's date, series (None: none), cluster, event id


def _change(o: Observation, sign: int, types: Set[str] | None = None) -> Change:
    """An observation becoming known (``sign`` 1) or superseded (-1), as the watch counts it."""
    return sign, o.event.date, _watched(_key(o), o.event.type, types), o.cluster_id, o.event.id


def _watched(key: Key | None, kind: str, types: Set[str] | None) -> Key | None:
    """The series ``key`` of an event of type ``kind`` where ``types`` (None: all) are watched, else none."""
    return key if types is None or kind in types else None


def _key(o: Observation | SurgeRow) -> Key | None:
    if isinstance(o, SurgeRow):
        return o.country, o.admin1, o.type
    place = o.event.place
    return None if place is None or not place.admin1 else (place.country, place.admin1, o.event.type)


def _date(o: Observation | SurgeRow) -> date:
    return o.day if isinstance(o, SurgeRow) else o.event.date


def _id(o: Observation | SurgeRow) -> str:
    return o.event_id if isinstance(o, SurgeRow) else o.event.id


def _sorted(surges: Iterable[Surge]) -> list[Surge]:
    return sorted(surges, key=lambda s: (s.day, s.country, s.admin1, s.type))


class SurgeWatch:
    """:func:`find_surges` at a rising series of times over one set of observations, each call costing the
    observations that became known or were superseded since the last one, not all of them: what a replay's
    steps need. ``surges(at, since)`` equals ``find_surges`` of the observations known at ``at``, dated from
    ``since`` and standing at ``at`` (a correction known by then supersedes the version it corrects), and of the
    ``rows`` known then (other events, as surges count them). ``begins``: where the record begins, from ``since`` to
    ``at``, when the observations are only part of a read (:mod:`forewarn.detect.narrow`): the earliest date of the
    read's observations standing at ``at``. A series' days whose counts and baselines are as they were at the last
    call keep their tests (:func:`day_tests`): a step tests again only the days its changes reach. ``types``: only
    the series of these event types are tested (those a scenario's surge indicators count; the others' surges would
    match none of them), the events of the others still telling where the record begins."""

    def __init__(self, observations: Sequence[Observation],
                 begins: Callable[[date, datetime], date | None] | None = None, rows: Sequence[SurgeRow] = (),
                 types: Set[str] | None = None) -> None:
        kept = [o for o in observations if not o.event.negated and not o.event.hypothetical
                and (o.hidden_from is None or o.hidden_from > o.known_at)]  # else never standing
        changes: list[tuple[datetime, Change]] = [(o.known_at, _change(o, 1, types)) for o in kept]
        changes += [(r.known_at, (1, r.day, _watched((r.country, r.admin1, r.type), r.type, types), r.cluster_id,
                                  r.event_id)) for r in rows]
        changes += [(o.hidden_from, _change(o, -1, types)) for o in kept if o.hidden_from is not None]
        changes.sort(key=operator.itemgetter(0))
        self._times = [at for at, _ in changes]
        self._changes = [change for _, change in changes]
        self._next = 0
        self._at: datetime | None = None
        self._dated: Counter[date] = Counter()  # observations standing, by event date (where the record begins)
        self._cells: dict[Key, dict[date, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        self._counts: dict[Key, dict[date, int]] = defaultdict(dict)  # independent reports, by series and day
        self._events: dict[tuple[Key, date], dict[str, int]] = defaultdict(dict)
        self._tests: dict[Key, Tests] = {}  # each series' tests and surges at the last call …
        self._flagged: dict[Key, dict[date, Surge]] = {}
        self._changed: dict[Key, date] = {}  # … and the earliest day of it whose events changed since
        self._begins = begins

    def surges(self, at: datetime, since: date) -> list[Surge]:
        if self._at is not None and at < self._at:
            raise InvalidArgument("a surge watch moves forward in time only", hint="start a new SurgeWatch")
        self._advance(at)
        today = at.date()
        days = [since + timedelta(days=i) for i in range((today - since).days + 1)]
        first = next((d for d in days if self._dated[d]), None)
        if self._begins is not None and first != since:
            first = min((d for d in (first, self._begins(since, at)) if d is not None), default=None)
        if first is None:
            return []
        found: list[Surge] = []
        for key in sorted(self._counts):
            counts, changed = self._counts[key], self._changed.pop(key, date.max)
            tests = day_tests(counts, first, today, self._tests.get(key), changed)
            surges = flagged(key, counts, tests, partial(self._standing, key), self._flagged.get(key), changed)
            self._tests[key], self._flagged[key] = tests, {s.day: s for s in surges}
            found += surges
        return _sorted(found)

    def _standing(self, key: Key, day: date) -> list[str]:
        return list(self._events[(key, day)])

    def _advance(self, at: datetime) -> None:
        """Apply every change (an observation becoming known, or superseded) up to ``at``."""
        self._at = at
        end = bisect.bisect_right(self._times, at)
        for change in self._changes[self._next:end]:
            self._count(*change)
        self._next = end

    def _count(self, sign: int, day: date, key: Key | None, cluster: str, event: str) -> None:
        """An event of ``day`` (in the series ``key``, None for none) counted (``sign`` 1) or no longer (-1)."""
        self._dated[day] += sign
        if key is None:
            return
        clusters = self._cells[key][day]
        _bump(clusters, cluster, sign)
        _bump(self._events[(key, day)], event, sign)
        self._counts[key][day] = len(clusters)
        self._changed[key] = min(day, self._changed.get(key, day))


def _bump(counter: dict[str, int], item: str, sign: int) -> None:
    """``item`` counted once more (``sign`` 1) or once less (-1); gone at none."""
    n = counter.get(item, 0) + sign
    if n > 0:
        counter[item] = n
    else:
        counter.pop(item, None)


@dataclass(frozen=True, slots=True)
class Tests:
    """A series' days from ``first`` to ``last`` with at least :data:`MIN_COUNT` reports, each tested against its
    baseline: its tail (``None``: too short a baseline to test); ``unusual``: the days whose tail is below
    :data:`ALPHA`."""

    first: date
    last: date
    tails: dict[date, Tail | None]
    unusual: set[date]


def series_surges(key: Key, counts: dict[date, int], first: date, events: Callable[[date], list[str]]
                  ) -> list[Surge]:
    """The surges of one (country, first-level region, type) series of daily counts from ``first`` on;
    ``events``: the event ids of a day (asked only of the days flagged)."""
    return flagged(key, counts, day_tests(counts, first, date.max), events)


def day_tests(counts: dict[date, int], first: date, last: date, before: Tests | None = None,
              changed: date = date.max) -> Tests:
    """The days from ``first`` to ``last`` of at least :data:`MIN_COUNT` reports, tested in order, each against a
    baseline leaving out the unusual days before it. ``before``: the same series' tests at an earlier call, whose
    counts differ from ``counts`` from ``changed`` on only; a day keeps its tail from them when its count and its
    whole baseline are as they were — before ``changed``, its baseline's days all from ``first`` on then and now,
    and none of them unusual now and not then or the other way round."""
    tails: dict[date, Tail | None] = {}
    unusual: set[date] = set()
    earlier, was_unusual = (before.tails, before.unusual) if before is not None else ({}, set())
    kept_from = date.max if before is None else max(first, before.first) + timedelta(days=BASELINE_DAYS)
    begun = _Begun(counts, first)
    for day in _candidates(counts, first, last, before, changed):
        tail = earlier[day] if kept_from <= day < changed and day in earlier else \
            _test(counts, day, first, unusual, begun)
        tails[day] = tail
        if tail is not None and tail.p_value < ALPHA:
            unusual.add(day)
        if (day in unusual) != (day in was_unusual):  # not the days whose baselines it is in
            kept_from = max(kept_from, day + timedelta(days=BASELINE_DAYS + 1))
    return Tests(first, last, tails, unusual)


def _test(counts: dict[date, int], day: date, first: date, unusual: Set[date], begun: _Begun) -> Tail | None:
    """``day``'s count against its :func:`baseline` (None: too short to test), those of the series' first
    :data:`BASELINE_DAYS` days from the running sums of the days before them."""
    if day < first + timedelta(days=BASELINE_DAYS):
        n, total, squares = begun.upto(day, unusual)
    else:
        window = baseline(counts, day, first, unusual)
        n, total, squares = len(window), sum(window), sum(map(operator.mul, window, window))
    return _tail(counts[day], n, total, squares) if n >= MIN_BASELINE_DAYS else None


class _Begun:
    """The number, sum and sum of squares of a series' counts from ``first`` up to a day, unusual days left out:
    the baseline of a day less than :data:`BASELINE_DAYS` after ``first``, kept as the days are tested in order."""

    def __init__(self, counts: dict[date, int], first: date) -> None:
        self._counts, self._next, self._sums = counts, first, (0, 0, 0)

    def upto(self, day: date, unusual: Set[date]) -> tuple[int, int, int]:
        """The sums of the days before ``day`` (every day before it tested, the unusual ones known)."""
        n, total, squares = self._sums
        while self._next < day:
            if self._next not in unusual:
                value = self._counts.get(self._next, 0)
                n, total, squares = n + 1, total + value, squares + value * value
            self._next += ONE_DAY
        self._sums = (n, total, squares)
        return self._sums


def _candidates(counts: dict[date, int], first: date, last: date, before: Tests | None, changed: date) -> list[date]:
    """The days from ``first`` to ``last`` of at least :data:`MIN_COUNT` reports, in order: ``before``'s where their
    counts are as they were and it looked at them."""
    if before is None or first < before.first:
        return sorted(d for d, c in counts.items() if c >= MIN_COUNT and first <= d <= last)
    fresh = min(changed, before.last + timedelta(days=1))
    kept = [d for d in before.tails if first <= d < fresh]
    span = (last - max(fresh, first)).days + 1
    ahead = (max(fresh, first) + timedelta(days=i) for i in range(span))
    return kept + [d for d in ahead if counts.get(d, 0) >= MIN_COUNT]


def flagged(key: Key, counts: dict[date, int], tests: Tests, events: Callable[[date], list[str]],
            before: Mapping[date, Surge] | None = None, changed: date = date.max) -> list[Surge]:
    """The unusual days flagged as surges: each, unless it falls within :data:`SUPPRESS_DAYS` of the last flagged
    and does not exceed its peak. ``before``: the series' surges flagged at an earlier call, whose counts and events
    differ from these from ``changed`` on only (a surge of a day before it is kept when its tail is as it was)."""
    found: list[Surge] = []
    peak, quiet_until = 0, date.min
    for day in sorted(tests.unusual):
        count, tail = counts[day], tests.tails[day]
        assert tail is not None  # an unusual day was tested
        if day <= quiet_until and count <= peak:
            continue  # the same surge going on: flagged already
        kept = before.get(day) if before is not None and day < changed else None
        if kept is None or (kept.p_value, kept.test, kept.baseline_mean, kept.baseline_var) != (
                tail.p_value, tail.test, tail.mean, tail.var):
            kept = _surge(key, day, count, tail, events(day))
        found.append(kept)
        peak, quiet_until = count, day + timedelta(days=SUPPRESS_DAYS)
    return found


def _surge(key: Key, day: date, count: int, tail: Tail, events: list[str]) -> Surge:
    country, admin1, kind = key
    return Surge(country=country, admin1=admin1, type=kind, day=day, count=count, baseline_mean=tail.mean,
                 baseline_var=tail.var, p_value=tail.p_value, test=tail.test, event_ids=tuple(sorted(set(events))))


def baseline(counts: dict[date, int], day: date, first: date, unusual: Set[date] = frozenset()) -> list[int]:
    """Counts of the :data:`BASELINE_DAYS` days before ``day``, zeros included, leaving out days before
    ``first`` and ``unusual`` days (surges, flagged or suppressed)."""
    days = _days_before(day)
    if days[-1] >= first and unusual.isdisjoint(days):  # every day of the window (a replay asks this most)
        return list(map(counts.get, days, repeat(0)))
    return [counts.get(d, 0) for d in days if d >= first and d not in unusual]


@functools.lru_cache(maxsize=4096)  # a replay asks for the same days at every step
def _days_before(day: date) -> tuple[date, ...]:
    return tuple(day - timedelta(days=i) for i in range(1, BASELINE_DAYS + 1))


def moments(n: int, total: int, squares: int) -> tuple[float, float]:
    """Mean and (sample) variance of a baseline of ``n`` counts, of this sum and sum of squares, with the pseudo-day
    added: the variance from whole numbers, rounded once (``(n·Σx² − (Σx)²) / (n·(n − 1))``)."""
    n, total = n + PSEUDO_DAYS, total + PSEUDO_COUNT * PSEUDO_DAYS
    squares += PSEUDO_COUNT * PSEUDO_COUNT * PSEUDO_DAYS
    mean = total / n
    return mean, (n * squares - total * total) / (n * (n - 1)) if n > 1 else mean


def tail_probability(count: int, window: Sequence[int]) -> Tail:
    """``P(X >= count)`` under the baseline: negative binomial when over-dispersed, else Poisson."""
    return _tail(count, len(window), sum(window), sum(v * v for v in window))


@functools.lru_cache(maxsize=1 << 16)  # a replay tests the same days against the same baselines at every step
def _tail(count: int, n: int, total: int, squares: int) -> Tail:
    """:func:`tail_probability` of a baseline of ``n`` counts of this sum and sum of squares."""
    mean, var = moments(n, total, squares)
    if var > mean * (1 + OVERDISPERSED):
        return Tail(negative_binomial_tail(count, mean, var), NEGATIVE_BINOMIAL, mean, var)
    return Tail(poisson_tail(count, mean), POISSON, mean, var)


def negative_binomial_tail(count: int, mean: float, var: float) -> float:
    """``P(X >= count)`` for the negative binomial of this mean and variance: ``nbinom.sf(count - 1, r, p)``
    with ``r = mean² / (var − mean)`` (method of moments) and ``p = mean / var``, computed as the regularised
    incomplete beta function ``I_{1-p}(count, r)`` (what scipy.stats evaluates, without its overhead)."""
    from scipy import special  # here: scipy takes a while to import, and only surge tests need it

    r = mean * mean / (var - mean)
    return float(special.betainc(count, r, 1 - mean / var))


def poisson_tail(count: int, mean: float) -> float:
    """``P(X >= count)`` under Poisson: ``poisson.sf(count - 1, mean)``, the regularised lower incomplete
    gamma function ``P(count, mean)``."""
    from scipy import special

    return float(special.gammainc(count, mean))
