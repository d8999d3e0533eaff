"""Events with the facts of their documents that scoring needs, in one read (no document text but the
evidence span): what :func:`forewarn.detect.observe.observations` builds observations from.

Two ways in: by event date (the events a live cycle or a replay step can count, since a day), and by when
their documents became known (a post-mortem's window: events published in it, however old their date). And two
questions answered in SQL, without reading the events: how many a read holds that were known by a time, and the
earliest date among them (:func:`count_known`, :func:`first_known_day`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, any_, case, func, or_, select

from forewarn.model.query import EventQuery
from forewarn.model.records import StoredEvent, SurgeRow
from forewarn.store import schema as t
from forewarn.store.queries import event_filters, event_records, event_select
from forewarn.store.types import as_date


@dataclass(frozen=True, slots=True)
class Observed:
    """A stored event with its document's cluster, the time it became known and its evidence sentence."""

    event: StoredEvent
    cluster_id: str
    known_at: datetime  # the document's publication time, else its ingest time
    evidence: str  # the event's span of its document's text


def observed_events(engine: Engine, query: EventQuery, *, until: datetime | None = None,
                    known_from: datetime | None = None) -> Iterator[Observed]:
    """The events ``query`` selects whose documents were known by ``until`` (and from ``known_from``) when
    given, ordered by event date, then id."""
    ev, d = t.events.c, t.documents.c
    evidence = func.substr(d.text, ev.start + 1, ev.end - ev.start).label("evidence")
    q = (event_select().join(t.documents, d.id == ev.document_id)
         .add_columns(d.cluster_id.label("doc_cluster_id"), d.published_at.label("doc_published_at"),
                      d.ingested_at.label("doc_ingested_at"), evidence)
         .where(*event_filters(query), *_known(until, None))
         .order_by(ev.date, ev.id))
    if known_from is None or until is None:
        yield from _observed(engine, q.where(*_known(None, known_from)))
    else:  # by the event's copy of its document's publication time, else through the undated documents
        ways = _known_ways(engine.dialect.name, until, known_from)
        if engine.dialect.name == "postgresql":
            ways = (_published_first(ways[0], query), *ways[1:])
        found = [o for way in ways for o in _observed(engine, q.where(way))]
        yield from sorted(found, key=lambda o: (o.event.date, o.event.id))


def _published_first(published: ColumnElement[bool], query: EventQuery) -> ColumnElement[bool]:
    """The events published in a period (``published``: on the events' copy of the time) and dated in ``query``'s
    days, looked up first by the index of their publication times (0026), as ``id = ANY(ARRAY(…))`` (read once,
    then an index condition on the ids, as :class:`~forewarn.store.matched.AmongHits`). A review's late reports
    (known in its period, dated before its look-back) are few; otherwise PostgreSQL may read them through the
    indexes of the query's clauses instead, every older event of their types (a second at 10 M events, for none
    found)."""
    ev = t.events.c
    dated = [*([ev.date >= query.date_from] if query.date_from else []), *([ev.date <= query.date_to]
                                                                          if query.date_to else [])]
    return ev.id == any_(func.array(select(ev.id).where(published, *dated).scalar_subquery()))


def _observed(engine: Engine, q: Any) -> Iterator[Observed]:
    with engine.connect() as conn:
        result = conn.execute(q).yield_per(5000)
        record = event_records(tuple(result.keys()))
        for r in result:
            yield Observed(record(r), r.doc_cluster_id, r.doc_published_at or r.doc_ingested_at, r.evidence)


def surge_rows(engine: Engine, query: EventQuery, *, until: datetime, known_from: datetime | None = None
               ) -> list[SurgeRow]:
    """:func:`observed_events`' events (dated in ``query``'s days, and with ``known_from`` those known from then on
    however old) as surges count them, those placed in a first-level region only: a few columns, no sentence.

    An event of a dated document is known from the event's copy of its document's publication time, and its cluster
    is its document unless the document is a near-duplicate of an earlier one: only those few documents are looked
    up (by the index of 0030), not each event's document (10 µs an event, 150,000 events in a large region's
    replay at 10 M). An undated document's events are read with their documents."""
    query = replace(query, placed=True)  # (placed in a first-level region, so placed: no events without a place)
    parts = _rows_known(query, until, None)
    if known_from is not None and query.date_from is not None:
        parts += _rows_known(replace(query, date_from=None, date_to=query.date_from - timedelta(days=1)), until,
                             known_from)
    with engine.connect() as conn:  # fetched whole: a large scenario's region has 100,000 rows and more
        return [row for part in parts for row in map(SurgeRow._make, conn.execute(part).all())]


def _rows_known(query: EventQuery, until: datetime, since: datetime | None) -> list[Select[Any]]:
    """The surge rows of ``query``'s events placed in a first-level region, known by ``until`` (from ``since``): of
    dated documents, then of undated ones."""
    filters = [*event_filters(query), *_placed_in_admin1()]
    return [rows.where(*filters, _within(at, until, since)) for rows, at in (
        (_dated_rows(), t.events.c.published_at), (_undated_rows(), t.documents.c.ingested_at))]


def _placed_in_admin1() -> list[ColumnElement[bool]]:
    """Events placed in a first-level region (the cells a surge counts)."""
    ev = t.events.c
    return [ev.place_admin1.is_not(None), ev.place_admin1 != "", ev.place_country.is_not(None)]


def _dated_rows() -> Select[Any]:
    """Surge rows of the events of dated documents: known at their copy of the publication time, of the cluster of
    their document if it is a near-duplicate (``ix_documents_duplicates``), else of the document itself."""
    ev, duplicate = t.events.c, t.documents.alias("duplicate")
    dup = duplicate.c
    cluster = func.coalesce(dup.cluster_id, ev.document_id)
    return (select(ev.id, ev.place_country, ev.place_admin1, ev.type, ev.date, cluster, ev.published_at)
            .select_from(t.events.outerjoin(duplicate, and_(dup.id == ev.document_id, dup.cluster_id != dup.id)))
            .where(ev.published_at.is_not(None)))


def _undated_rows() -> Select[Any]:
    """Surge rows of the events of undated documents: known when ingested, of their documents' clusters."""
    ev, d = t.events.c, t.documents.c
    return (select(ev.id, ev.place_country, ev.place_admin1, ev.type, ev.date, d.cluster_id, d.ingested_at)
            .join_from(t.events, t.documents, d.id == ev.document_id)
            .where(ev.published_at.is_(None), d.published_at.is_(None)))


def _within(at: Any, until: datetime, since: datetime | None, *, before: bool = False) -> ColumnElement[bool]:
    """The time ``at`` by ``until`` (before it with ``before``), and from ``since`` when given."""
    by = at < until if before else at <= until
    return by if since is None else and_(at >= since, by)


@dataclass(frozen=True, slots=True)
class Known:
    """Which of a query's events a count or a first day looks at, by when their documents became known: by ``at``
    (strictly before it with ``before``), from ``since`` when given; with ``dated_or_known`` (a day, a time), only
    those dated from the day or known from the time (a replay's read: its look-back, and whatever became known in
    its period however old); ``factual``: hypothetical events left out."""

    at: datetime
    before: bool = False
    since: datetime | None = None
    dated_or_known: tuple[date, datetime] | None = None
    factual: bool = False


def count_known(engine: Engine, query: EventQuery, known: Known, first_until: date, *, beside: bool = False
                ) -> tuple[int, date | None]:
    """How many events ``query`` selects are ``known``, and the earliest date, up to ``first_until``, of those that
    are not hypothetical (None for none): one pass. ``beside``: counted beside other work (a replay's steps), by one
    process: PostgreSQL's parallel workers would take the cores that work runs on."""
    ev = t.events.c
    factual = func.min(case((and_(ev.hypothetical.is_(False), ev.date <= first_until), ev.date))).label("first")
    with engine.connect() as conn:
        if beside and engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")  # this transaction's only
        found = [conn.execute(select(func.count(), factual).select_from(source).where(*conds)).one()
                 for source, conds in _parts(engine.dialect.name, query, known)]
    return sum(int(n) for n, _ in found), _earliest(first for _, first in found)


def first_known_day(engine: Engine, query: EventQuery, known: Known) -> date | None:
    """The earliest date of the events ``query`` selects that are ``known``; None for none."""
    ev = t.events.c
    with engine.connect() as conn:
        return _earliest(conn.execute(select(ev.date).select_from(source).where(*conds).order_by(ev.date).limit(1))
                         .scalar() for source, conds in _parts(engine.dialect.name, query, known))


def _earliest(found: Iterable[Any]) -> date | None:
    days = [as_date(d) for d in found if d is not None]
    return min(days, default=None)


def _parts(dialect: str, query: EventQuery, known: Known) -> list[tuple[Any, list[ColumnElement[bool]]]]:
    """The statements a count or a first day adds up: events known from a time are found by when their documents
    became known (:func:`_known_ways`; a post-mortem's window: a few weeks, however old their events' dates); the
    rest by date, known by a time on the events' copies of their documents' publication times on PostgreSQL (the
    undated documents' events through those documents), each event's document looked up on SQLite."""
    ev = t.events.c
    common = [*event_filters(query), *([ev.hypothetical.is_(False)] if known.factual else [])]
    if known.since is not None:
        if known.dated_or_known is not None and known.dated_or_known[1] > known.since:  # the read's membership
            common.append(or_(ev.date >= known.dated_or_known[0],
                              *_known_ways(dialect, known.at, known.dated_or_known[1], before=known.before)))
        return [(t.events, [*common, way])
                for way in _known_ways(dialect, known.at, known.since, before=known.before)]
    known_by: list[tuple[Any, list[ColumnElement[bool]]]]
    if dialect == "sqlite":
        known_by = [(t.events.join(t.documents, t.documents.c.id == ev.document_id),
                     [*common, *_known(known.at, None, before=known.before)])]
    else:  # by the events' copies of their documents' publication times: no document read for each event
        known_by = [(t.events, [*common, way]) for way in _known_ways(dialect, known.at, None, before=known.before)]
    if known.dated_or_known is None:
        return known_by
    day, since = known.dated_or_known
    return [*((source, [*conds, ev.date >= day]) for source, conds in known_by),
            *((t.events, [*common, ev.date < day, way])
              for way in _known_ways(dialect, known.at, since, before=known.before))]


def _known_ways(dialect: str, until: datetime, since: datetime | None, *, before: bool = False
                ) -> tuple[ColumnElement[bool], ...]:
    """The event's document was known from ``since`` (any time before, with None) to ``until`` (before it with
    ``before``), as conditions that exclude each other, each for a statement of its own. On PostgreSQL two:
    published then (on the event's copy of its document's publication time, which the index of 0026 holds), or
    undated and ingested then (through the few undated documents of the time). On SQLite one: among the documents
    known then, which its planner looks up one by one in the index of the events' documents (without statistics,
    it reads the 0026 index's condition through the index of the events' types and dates instead: every event of
    the types)."""
    ev, d = t.events.c, t.documents.c
    if dialect == "sqlite":
        return (ev.document_id.in_(select(d.id).where(*_known(until, since, before=before)).correlate(None)),)
    undated = select(d.id).where(d.published_at.is_(None), _within(d.ingested_at, until, since, before=before))
    return (_within(ev.published_at, until, since, before=before),
            and_(ev.published_at.is_(None), ev.document_id.in_(undated.correlate(None))))


def _known(until: datetime | None, known_from: datetime | None, *, before: bool = False
           ) -> list[ColumnElement[bool]]:
    """Documents published (else ingested) by ``until`` (before it with ``before``) and from ``known_from``; each
    bound on the column that holds the time, so the published_at index serves the usual case."""
    d = t.documents.c
    conds: list[ColumnElement[bool]] = []
    if until is not None:
        by = (d.published_at < until, d.ingested_at < until) if before else (d.published_at <= until,
                                                                             d.ingested_at <= until)
        conds.append(or_(by[0], and_(d.published_at.is_(None), by[1])))
    if known_from is not None:
        conds.append(or_(d.published_at >= known_from, and_(d.published_at.is_(None), d.ingested_at >= known_from)))
    return conds
