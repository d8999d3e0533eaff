"""Reads of the events explorer and the events API: the filtered events (their scope, resolved once
per view), a page of them with their evidence sentences, daily counts and the explorer's default
window. Every list is limited and every count aggregated in SQL, so that a page stays fast with a
million events. Filters are the store's own (:func:`forewarn.store.queries.event_filters`), so the
explorer, the API and the command line agree on what a filter means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Engine, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import NotFound
from forewarn.geo.grid import BBox
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.query import EventQuery
from forewarn.model.records import StoredEvent
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.queries import entity_group, event_filters, event_record, event_select, events_of
from forewarn.store.types import as_date

SNIPPET = 400  # characters of an evidence sentence shown in lists
WINDOW_DAYS = 30  # the explorer opens on the latest 30 days
MAX_RESOLVED = 500  # an actor or recipient filter naming more entities than this stays a subquery
MAX_PLACES = 5_000  # a place filter among more place names (or regions) than this stays a substring test
_UNFILTERED = EventQuery(limit=None)


@dataclass(frozen=True)
class EventFilter:
    """What a caller filters events by: the store's query (no limit: views page it themselves) and a
    box the events must be placed in."""

    query: EventQuery
    bbox: BBox | None = None

    @property
    def dated(self) -> bool:
        return self.query.date_from is not None or self.query.date_to is not None


@dataclass(frozen=True)
class Scope:
    """The filtered events: the store's filters, an optional box, and the actor and recipient filters
    resolved to entity ids up front (``entities``: role → ids, None where a filter names too many to
    list), so that the planner knows how few entities they name and each query of a page does not
    search the entities again."""

    query: EventQuery
    bbox: BBox | None = None
    entities: Mapping[str, list[str] | None] = field(default_factory=dict)
    places: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # the place filter as names and regions
    access: Access = EVERYTHING  # who asks: the events hidden from it are not in the scope (issue 18)
    counts: bool = True  # whether the kept counts may answer it (see ``counted``)

    @cached_property
    def conditions(self) -> tuple[ColumnElement[bool], ...]:
        q, c = self.query, t.events.c
        listed = {role: ids for role, ids in self.entities.items() if ids is not None}
        conds = event_filters(replace(q, actor=None if "actor" in listed else q.actor,
                                       recipient=None if "recipient" in listed else q.recipient,
                                       place=None if self.places is not None else q.place), self.access)
        for role, ids in listed.items():
            conds.append(c[f"{role}_entity_id"].in_(ids) if ids else false())
        if self.places is not None:
            names, regions = self.places
            conds.append(or_(c.place_name.in_(names), c.place_admin1.in_(regions)) if names or regions else false())
        if self.bbox is not None:
            b = self.bbox
            conds += [c.place_lat.between(b.s, b.n), c.place_lon.between(b.w, b.e)]
        return tuple(conds)

    @cached_property
    def counted(self) -> tuple[ColumnElement[bool], ...] | None:
        """The scope as conditions on the events' kept counts (``event_counts``), or None when it filters by
        something they are not counted by (only dates, types, negation, the place's names and regions, whether
        placed, and who asks are)."""
        q, c = self.query, t.event_counts.c
        if not self.counts or self.bbox is not None or self.entities or (q.place and self.places is None) or \
                replace(q, types=(), date_from=None, date_to=None, include_negated=False, placed=None, place=None,
                        limit=None, offset=0) != _UNFILTERED:
            return None
        conds: list[ColumnElement[bool]] = list(hidden_from(c.compartment, self.access))
        if q.types:
            conds.append(c.type.in_(q.types))
        if q.date_from:
            conds.append(c.date >= q.date_from)
        if q.date_to:
            conds.append(c.date <= q.date_to)
        if not q.include_negated:
            conds.append(c.negated.is_(False))
        if q.placed is not None:
            conds.append(c.cell >= 0 if q.placed else c.cell < 0)
        if self.places is not None:
            names, regions = self.places
            conds.append(or_(c.place_name.in_(names), c.place_admin1.in_(regions)) if names or regions else false())
        return tuple(conds)

    def dated(self, first: date, last: date) -> Scope:
        """The scope over these dates."""
        return replace(self, query=replace(self.query, date_from=first, date_to=last))

    def halves(self) -> tuple[Scope, ...]:
        """The scope as the two halves of its dates, for a long read to be read side by side (two connections, two
        of the server's cores: :func:`forewarn.store.core.side_by_side`); itself when it names no range of days."""
        first, last = self.query.date_from, self.query.date_to
        if first is None or last is None or last <= first:
            return (self,)
        middle = first + timedelta(days=(last - first).days // 2)
        return self.dated(first, middle), self.dated(middle + timedelta(days=1), last)


def scope(engine: Engine, q: EventQuery, bbox: BBox | None = None, access: Access = EVERYTHING) -> Scope:
    """The scope of ``q`` (and ``bbox``), its entity and place filters resolved, over the events ``access`` may
    see."""
    resolved: dict[str, list[str] | None] = {}
    with engine.connect() as conn:
        for role, spec in (("actor", q.actor), ("recipient", q.recipient)):
            if spec:
                ids = list(conn.execute(entity_group(spec).limit(MAX_RESOLVED + 1)).scalars())
                resolved[role] = ids if len(ids) <= MAX_RESOLVED else None
    return with_places(engine, Scope(q, bbox, resolved, access=access))


def with_places(engine: Engine, sc: Scope) -> Scope:
    """The scope with its place filter (a substring of the place's name or region) turned into the names and
    regions of the stored events' places it matches: an IN list the indexes on the place's name and region
    serve, instead of a case-folded substring test of every event in each query of the page. The names and
    regions are read from those indexes, one probe per distinct value (:func:`_distinct`), not from the events;
    where there are too many to list, the filter stays a substring test."""
    q = sc.query
    if not q.place or sc.places is not None:
        return sc
    c = t.events.c
    with engine.connect() as conn:
        names, regions = _distinct(conn, c.place_name), _distinct(conn, c.place_admin1)
    if names is None or regions is None:
        return sc
    needle = q.place.lower()
    found = (tuple(n for n in names if needle in n.lower()), tuple(r for r in regions if needle in r.lower()))
    return replace(sc, places=found)


def _distinct(conn: Connection, column: Any) -> list[str] | None:
    """The distinct values (not NULL) of an indexed column of the events, in order, each found from the one
    before by the index (a loose index scan: the least value above it); None past ``MAX_PLACES`` of them."""
    walk = select(func.min(column).label("v")).cte("walk", recursive=True)
    above = select(func.min(column)).where(column > walk.c.v).scalar_subquery()
    walk = walk.union_all(select(above).where(walk.c.v.is_not(None)))
    found = list(conn.execute(select(walk.c.v).where(walk.c.v.is_not(None)).limit(MAX_PLACES + 1)).scalars())
    return found if len(found) <= MAX_PLACES else None


# -- events ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Evidence:
    """An event's evidence sentence (cut to ``SNIPPET`` characters) and its trigger within it."""

    sentence: str
    trigger_start: int
    trigger_end: int
    cut: bool

    @property
    def parts(self) -> tuple[str, str, str]:
        """(before, trigger, after): to mark the trigger without building markup from text."""
        a, b = self.trigger_start, self.trigger_end
        return self.sentence[:a], self.sentence[a:b], self.sentence[b:]


@dataclass(frozen=True)
class EventList:
    """A page of events, each with its evidence sentence (by event id), and how many there are in all
    (None: more than could be counted)."""

    events: tuple[StoredEvent, ...]
    evidence: Mapping[str, Evidence]
    total: int | None
    markings: Mapping[str, str] = field(default_factory=dict)  # marking labels of the restricted ones, by event id

    def sentence(self, event: StoredEvent) -> str | None:
        found = self.evidence.get(event.id)
        return found.sentence if found else None


def find_events(engine: Engine, sc: Scope, *, limit: int = 50, offset: int = 0,
                span: tuple[date, date, int] | None = None) -> list[StoredEvent]:
    """A page of events, newest first (by date, then id). Given the ``span`` of dates that holds the page and how
    many events lie on later dates (:func:`page_dates`), only those dates are read: the sort never sees more than a
    few days of events, however many match."""
    ev = t.events.c
    conds = list(sc.conditions)
    if span is not None:
        first, last, skipped = span
        conds += [ev.date >= first, ev.date <= last]
        offset -= skipped
    newest = (ev.date.desc(), ev.id.desc())
    page = select(ev.id).where(*conds).order_by(*newest).limit(limit).offset(offset)  # the page, then its entities:
    query = event_select().where(ev.id.in_(page)).order_by(*newest)  # not every event of its dates joined to them
    with engine.connect() as conn:
        return list(events_of(conn.execute(query)))


def page_dates(days: Sequence[tuple[date, int]], limit: int, offset: int) -> tuple[date, date, int] | None:
    """The first and last date holding the events ``offset … offset + limit - 1`` (newest first), and how
    many events lie on later dates; None past the end."""
    newer = 0
    last: date | None = None
    for day, n in sorted(days, reverse=True):
        if last is None:
            if newer + n > offset:
                last, skipped = day, newer
            else:
                newer += n
                continue
        newer += n
        if newer >= offset + limit:
            return day, last, skipped
    return (min(days)[0], last, skipped) if last is not None else None


def get_event(engine: Engine, event_id: str, access: Access = EVERYTHING) -> StoredEvent:
    """One event; one hidden from ``access`` is as missing (the same NotFound)."""
    ev = t.events.c
    with engine.connect() as conn:
        row = conn.execute(event_select().where(ev.id == event_id, *hidden_from(ev.compartment, access))).first()
    if row is None:
        raise NotFound(f"no event {event_id!r}", hint="event ids are listed by GET /api/v1/events")
    return event_record(row)


def evidence(engine: Engine, events: Sequence[StoredEvent]) -> dict[str, Evidence]:
    """The evidence sentence of each event (read from its document's text in SQL, cut short)."""
    if not events:
        return {}
    ev, d = t.events.c, t.documents.c
    q = (select(ev.id, func.substr(d.text, ev.start + 1, SNIPPET).label("text"))
         .select_from(t.events.join(t.documents, d.id == ev.document_id))
         .where(ev.id.in_(sorted({e.id for e in events}))))
    with engine.connect() as conn:
        texts = {r.id: r.text or "" for r in conn.execute(q)}
    found: dict[str, Evidence] = {}
    for e in events:
        text = texts.get(e.id, "")
        length = max(e.end - e.start, 0)
        sentence = text[:length]
        a = min(max(e.trigger_start - e.start, 0), len(sentence))
        b = min(max(e.trigger_end - e.start, a), len(sentence))
        found[e.id] = Evidence(sentence, a, b, length > len(sentence))
    return found


def daily_counts(engine: Engine, sc: Scope) -> list[tuple[date, int]]:
    """The filtered events per day (from the kept counts where they answer the scope)."""
    if sc.counted is not None:
        c = t.event_counts.c
        query = select(c.date, func.sum(c.n)).where(*sc.counted).group_by(c.date).order_by(c.date)
    else:
        ev = t.events.c
        query = select(ev.date, func.count()).where(*sc.conditions).group_by(ev.date).order_by(ev.date)
    with engine.connect() as conn:
        return [(as_date(r[0]), int(r[1])) for r in conn.execute(query)]


def window(engine: Engine, sc: Scope, days: int = WINDOW_DAYS) -> tuple[date, date] | None:
    """The explorer's default date range: the ``days`` days up to the latest event (the latest matching
    event when that range holds none of the filtered events); None when there are no events."""
    ev = t.events.c
    with engine.connect() as conn:
        last = conn.execute(select(func.max(ev.date)).where(*hidden_from(ev.compartment, sc.access))).scalar()
        if last is None:
            return None
        last = as_date(last)
        first = last - timedelta(days=days - 1)
        hit = conn.execute(select(ev.id).where(*sc.conditions, ev.date >= first, ev.date <= last).limit(1)).first()
        if hit is None:
            found = conn.execute(select(func.max(ev.date)).where(*sc.conditions)).scalar()
            if found is None:
                return first, last
            last = as_date(found)
            first = last - timedelta(days=days - 1)
    return first, last


def listing(engine: Engine, sc: Scope, days: Sequence[tuple[date, int]], limit: int, offset: int,
            guessed: Guessed | None = None) -> EventList:
    """A page of the events of ``sc`` (its ``days``: their daily counts) with their evidence; the total. A page
    ``guessed`` before the counts were known is taken where it was read from the dates that hold the page."""
    span = page_dates(days, limit, offset)
    if guessed is not None and guessed.span == span:
        events, sentences = guessed.events, guessed.evidence
    else:
        events = find_events(engine, sc, limit=limit, offset=offset, span=span) if span is not None else []
        sentences = evidence(engine, events)
    return EventList(tuple(events), sentences, sum(n for _, n in days))


@dataclass(frozen=True)
class Guessed:
    """A first page of events read from its latest date alone, beside the long read of the daily counts: the page
    when that date holds a page of events (as on a busy store), else read again once the counts are known."""

    span: tuple[date, date, int]
    events: list[StoredEvent]
    evidence: dict[str, Evidence]


def guess_first_page(engine: Engine, sc: Scope, limit: int) -> Guessed | None:
    """:class:`Guessed`: the first page read from the scope's last date (None when it names none). Worth reading only
    beside the counts (:func:`~forewarn.store.core.reads_beside`): a guess that misses is two reads more."""
    last = sc.query.date_to
    if last is None:
        return None
    events = find_events(engine, sc, limit=limit, span=(last, last, 0))
    return Guessed((last, last, 0), events, evidence(engine, events))
