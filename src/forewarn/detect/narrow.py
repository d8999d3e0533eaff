"""Reading only what can count: a replay or a post-mortem over a large store reads the events one of the
scenario's indicators can match — each events indicator's filters (types, modes, actor and recipient countries,
lowest confidence, region) handed to the store as a pre-filter (:class:`~forewarn.model.query.EventClause`) —
rather than every event of its types in its region, most of which no indicator matches. The events a surge
indicator counts (its types, placed in a first-level region) are read as surges count them
(:class:`~forewarn.model.records.SurgeRow`: cell, day, cluster, when known; no sentence, no participants), and
the observations of a surge's events only once the surge is found (:meth:`StoreRead.members`).

What the reviews need of the rest, the store answers in SQL without reading the rows (:class:`StoreRead`):
how many events the whole read held known by a time (a post-mortem's "coded events collected", a replay's
count), and the earliest date among them (where a surge's record begins, so that the surge baselines are the
whole read's). Corrected events are read in full, every version, whatever the filters say, and left out of
the SQL. A review from the narrowed read equals one from the whole read (tested).

An indicator's keywords are tested in Python (no SQL test of Unicode word patterns is exact on both backends),
once: the store remembers, day by day, which events of the indicator's filters have one in their sentence
(:mod:`forewarn.store.matched`), and the read takes only those. :func:`remember` tests the days it does not
remember yet — every day of the period, the first time; afterwards only new days and days whose events changed.

It applies where the store's region filter is exact (a region with a radius is a bounding box in SQL, and the
counts would take the box's corners) and where it leaves something out (:func:`narrowable`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial

from forewarn.detect.match import keywords_found
from forewarn.detect.observe import read
from forewarn.detect.types import Observation, WholeRead
from forewarn.model import Indicator, IndicatorKind, Region, Scenario, Surge
from forewarn.model.query import EventClause, EventQuery
from forewarn.model.records import SurgeRow
from forewarn.store import SqlStore
from forewarn.store.core import begun
from forewarn.store.matched import Hit, match_key
from forewarn.store.matched import remember as remember_matches
from forewarn.store.observed import Known, count_known, first_known_day, observed_events

MEMBERS = 900  # events of surges read at a time


def clauses(scenario: Scenario) -> tuple[EventClause, ...]:
    """The events each events indicator of ``scenario`` can match, as store pre-filters; an indicator's keywords
    as the events whose sentences the store remembers them matching (:func:`remember`)."""
    found = ((_clause(scenario, i), i.keywords) for i in scenario.indicators if i.kind is IndicatorKind.EVENTS)
    return tuple(replace(clause, hits=_key(clause, keywords) if keywords else None) for clause, keywords in found)


def surge_clauses(scenario: Scenario) -> tuple[EventClause, ...]:
    """The events each surge indicator of ``scenario`` counts (those of its types placed in a first-level region,
    of the scenario's region unless it looks beyond it), as store pre-filters."""
    return tuple(EventClause(types=i.types, region=scenario.region if i.in_region else None, in_admin1=True)
                 for i in scenario.indicators if i.kind is IndicatorKind.SURGE)


def remember(store: SqlStore, scenario: Scenario, first: date, last: date) -> None:
    """Have the store remember, for every day from ``first`` to ``last``, which events the keywords of each events
    indicator of ``scenario`` match: the days it does not remember yet (new, or changed since) tested here
    (:mod:`forewarn.store.matched`)."""
    for i in scenario.indicators:
        if i.kind is IndicatorKind.EVENTS and i.keywords:
            clause = _clause(scenario, i)
            remember_matches(store.engine, _key(clause, i.keywords), "events", first, last,
                             partial(_examine, store, clause, i.keywords))


def _clause(scenario: Scenario, i: Indicator) -> EventClause:
    return EventClause(types=i.types, modes=i.modes, actor_countries=i.actor_countries,
                       recipient_countries=i.recipient_countries, min_confidence=i.min_confidence,
                       region=scenario.region if i.in_region else None)


def _key(clause: EventClause, keywords: tuple[str, ...]) -> str:
    """The key the store remembers the matches of ``keywords`` among the events of ``clause`` under."""
    return match_key("evidence", clause, keywords)


def _examine(store: SqlStore, clause: EventClause, keywords: tuple[str, ...], first: date, last: date,
             days: frozenset[date]) -> Iterator[Hit]:
    """The events of ``clause`` dated on ``days`` (from ``first`` to ``last``; whenever known) whose sentence has
    one of ``keywords``."""
    query = EventQuery(any_of=(clause,), date_from=first, date_to=last, limit=None)
    for o in observed_events(store.engine, query):
        if o.event.date in days and keywords_found(keywords, o.evidence):
            yield Hit(o.event.id, o.event.date)


def narrowable(region: Region | None, found: tuple[EventClause, ...]) -> bool:
    """Would reading only what ``found`` admits be exact and leave something out: the store selects exactly the
    events of ``region`` (no radius, which SQL reads as a box), and every clause filters (an indicator of nothing
    but a region reads the whole read)?"""
    return (region is None or region.radius_km is None) and not any(_wide(c) for c in found)


def _wide(clause: EventClause) -> bool:
    return not (clause.types or clause.modes or clause.actor_countries or clause.recipient_countries
                or clause.min_confidence > 0 or clause.in_admin1 or clause.hits)


@dataclass(frozen=True)
class StoreRead:
    """The whole read of ``query`` (documents known by its end; dated from ``since``, or known from
    ``known_from`` whatever their date), answered by the store; ``corrected``: the versions of its corrected
    events, which the store's answers leave out (``query.but_ids``)."""

    store: SqlStore
    query: EventQuery
    since: date | None
    known_from: datetime | None
    corrected: tuple[Observation, ...]
    until: datetime | None = None  # the read's end: corrections made by then apply
    rows: tuple[SurgeRow, ...] = ()
    _tallies: dict[tuple[datetime, bool, datetime | None], tuple[int, date | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _ahead: dict[tuple[datetime, bool, datetime | None], Callable[[], tuple[int, date | None]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def ahead(self, at: datetime) -> None:
        """Begin :meth:`count`'s read at ``at`` in a thread of its own (:func:`~forewarn.store.core.begun`), beside
        the caller's work (a replay's steps, which ask for it at the end), by one database process; :meth:`count`
        waits for it."""
        key = (at, False, None)
        if key not in self._tallies and key not in self._ahead:
            self._ahead[key] = begun(self.store.engine, partial(self._counted, *key, beside=True))

    def count(self, at: datetime, *, before: bool = False, since: datetime | None = None) -> int:
        return self._tally(at, before, since)[0] + sum(_stands(o, at, before, since) for o in self.corrected)

    def first_day(self, at: datetime, *, before: bool = False, since: datetime | None = None,
                  dated_from: date | None = None) -> date | None:
        if dated_from is None:
            stored = self._tally(at, before, since)[1]
        else:
            stored = first_known_day(self.store.engine, self._query(dated_from, at.date()),
                                     replace(self._known(at, before, since), factual=True))
        mine = [o.event.date for o in self.corrected if _stands(o, at, before, since) and not o.event.hypothetical
                and (dated_from is None or o.event.date >= dated_from) and o.event.date <= at.date()]
        return min([*([stored] if stored is not None else []), *mine], default=None)

    def members(self, event_ids: Collection[str]) -> list[Observation]:
        keep = set(event_ids)
        wanted = sorted(keep)
        found = [o for i in range(0, len(wanted), MEMBERS) for o in read(
            self.store, EventQuery(ids=tuple(wanted[i:i + MEMBERS]), limit=None), until=self.until, known_from=None,
            history=True)[0]]
        return [o for o in found if o.event.id in keep]  # the read adds every corrected event

    def _tally(self, at: datetime, before: bool, since: datetime | None) -> tuple[int, date | None]:
        """The store's count and earliest factual date (up to ``at``'s date) for these bounds, asked once."""
        key = (at, before, since)
        if key not in self._tallies:
            self._tallies[key] = self._ahead.pop(key, partial(self._counted, at, before, since))()
        return self._tallies[key]

    def _counted(self, at: datetime, before: bool, since: datetime | None, *, beside: bool = False
                 ) -> tuple[int, date | None]:
        return count_known(self.store.engine, self._query(None), self._known(at, before, since), at.date(),
                           beside=beside)

    def _query(self, dated_from: date | None, dated_to: date | None = None) -> EventQuery:
        """The read's query, from ``dated_from`` (and its own look-back without a period) to ``dated_to``."""
        lower = [d for d in (dated_from, self.since if self.known_from is None else None) if d is not None]
        upper = [d for d in (dated_to, self.query.date_to) if d is not None]
        return replace(self.query, date_from=max(lower, default=None), date_to=min(upper, default=None))

    def _known(self, at: datetime, before: bool, since: datetime | None) -> Known:
        period = (self.since, self.known_from) if self.known_from is not None and self.since is not None else None
        return Known(at=at, before=before, since=since, dated_or_known=period)


def _stands(o: Observation, at: datetime, before: bool, since: datetime | None) -> bool:
    """Was this version known by ``at`` (before it), from ``since``, and does it stand at ``at``?"""
    known = o.known_at < at if before else o.known_at <= at
    return known and (since is None or o.known_at >= since) and o.shown_at(at)


def with_members(visible: Sequence[Observation], surges: Sequence[Surge], whole: WholeRead | None,
                 stands: Callable[[Observation], bool]) -> list[Observation]:
    """``visible`` and the observations of the surges' events that a narrowed read had only as rows (those
    ``stands`` keeps), in the read's order: event date, then id (a corrected event's versions as read)."""
    wanted = {e for s in surges for e in s.event_ids} - {o.event.id for o in visible}
    if whole is None or not wanted:
        return list(visible)
    more = [o for o in whole.members(wanted) if stands(o)]
    return sorted([*visible, *more], key=lambda o: (o.event.date, o.event.id))
