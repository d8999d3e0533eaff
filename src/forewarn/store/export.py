"""The export's reads: the events matching a query, a page at a time in (date, id) order, never all at once.

Each page is one query that starts after the last (date, id) of the page before (a keyset: no OFFSET, so the
millionth event costs what the first did), with the same filters as every event list
(:func:`~forewarn.store.queries.event_filters`, the asker's access among them). A radius (``near``) is checked
on the rows read, as :meth:`find_events` does; the query's offset and limit count the events that pass it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, or_, select

from forewarn.model import Document
from forewarn.model.marking import Access, Compartment
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.model.records import StoredEvent
from forewarn.store import schema as t
from forewarn.store.access import compartments_on
from forewarn.store.core import chunks
from forewarn.store.documents import document_record
from forewarn.store.queries import document_filters, event_filters, event_select, events_of, within

PAGE = 2000  # events read per query


def event_pages(engine: Engine, query: EventQuery, access: Access, size: int = PAGE) -> Iterator[list[StoredEvent]]:
    """The events matching ``query`` that ``access`` may see, in (date, id) order, ``size`` rows read per query
    (a page may hold fewer after the radius, the offset or the limit). Each page is read on its own connection,
    so none is held open while the caller writes a page out."""
    skip, left = query.offset, query.limit
    after: tuple[date, str] | None = None
    while left is None or left > 0:
        rows = _page(engine, query, access, after, size)
        if not rows:
            return
        after = (rows[-1].date, rows[-1].id)
        kept = [e for e in rows if query.near is None or (e.place and within(e.place.lat, e.place.lon, query.near))]
        kept, skip = kept[skip:], max(0, skip - len(kept))
        if left is not None:
            kept, left = kept[:left], left - min(left, len(kept))
        if kept:
            yield kept
        if len(rows) < size:
            return


def _page(engine: Engine, query: EventQuery, access: Access, after: tuple[date, str] | None,
          size: int) -> list[StoredEvent]:
    ev = t.events.c
    q = event_select().where(*event_filters(query, access), *_after(after)).order_by(ev.date, ev.id).limit(size)
    with engine.connect() as conn:
        return list(events_of(conn.execute(q)))


def _after(after: tuple[date, str] | None) -> list[Any]:
    """Rows after (date, id): written as ``date >= d AND (date > d OR id > i)`` so that both databases read the
    date index from ``d`` on and sort only within a day."""
    if after is None:
        return []
    ev, (day, last) = t.events.c, after
    return [ev.date >= day, or_(ev.date > day, and_(ev.date == day, ev.id > last))]


def eventless_pages(engine: Engine, query: EventQuery, access: Access, size: int = PAGE) -> Iterator[list[Document]]:
    """The documents with no stored event that ``access`` may see, by id, ``size`` a page, narrowed as far as an
    event query can narrow a document: its source, its id (prefix), and its publication date within the query's
    dates. None for a query that filters by anything else an event has (a type, an actor, a place …): no document
    without events could match it."""
    if not documents_match(query):
        return
    d = t.documents.c
    conds = [*document_filters(_as_documents(query), access), ~exists().where(t.events.c.document_id == d.id)]
    if query.document_id:
        conds.append(d.id.startswith(query.document_id, autoescape=True))
    after: str | None = None
    while True:
        q = select(t.documents).where(*conds, *([d.id > after] if after else [])).order_by(d.id).limit(size)
        with engine.connect() as conn:
            page = [document_record(r) for r in conn.execute(q)]
        if page:
            yield page
        if len(page) < size:
            return
        after = page[-1].id


def documents_match(query: EventQuery) -> bool:
    """Whether documents without events belong in an export of ``query``: it names nothing but dates, a source or
    a document, and no limit or offset (those count events)."""
    return not (query.types or query.modes or query.actor or query.recipient or query.actor_country
                or query.recipient_country or query.place or query.near or query.region
                or query.min_confidence is not None or query.placed or query.limit is not None or query.offset)


def _as_documents(query: EventQuery) -> DocumentQuery:
    start = datetime.combine(query.date_from, time(), UTC) if query.date_from else None
    end = datetime.combine(query.date_to + timedelta(days=1), time(), UTC) if query.date_to else None
    return DocumentQuery(source_id=query.source_id, since=start, until=end)


def object_compartments(engine: Engine, kind: str, ids: Iterable[Any]) -> dict[Any, Compartment]:
    """The compartments of these scenarios (``kind`` "scenario", string ids) or warnings ("warning", integer
    ids), by id; open ones left out. The caller has already read them through the asker's access: this says
    only how each is marked."""
    table = {"scenario": t.scenarios, "warning": t.warnings}[kind]
    wanted = sorted(set(ids))
    marked: dict[Any, int] = {}
    with engine.connect() as conn:
        for chunk in chunks(wanted):
            q = select(table.c.id, table.c.compartment).where(table.c.id.in_(chunk), table.c.compartment.is_not(None))
            marked.update((r.id, r.compartment) for r in conn.execute(q))
        found = compartments_on(conn, marked.values())
    return {i: found[c] for i, c in marked.items() if c in found}
