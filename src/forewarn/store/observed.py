"""Events with the facts of their documents that scoring needs, in one read (no document text but the
evidence span): what :func:`forewarn.detect.observe.observations` builds observations from.

Two ways in: by event date (the events a live cycle or a replay step can count, since a day), and by when
their documents became known (a post-mortem's window: events published in it, however old their date).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, and_, func, or_

from forewarn.model.query import EventQuery
from forewarn.model.records import StoredEvent
from forewarn.store import schema as t
from forewarn.store.queries import event_filters, event_record, event_select


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
         .where(*event_filters(query), *_known(until, known_from))
         .order_by(ev.date, ev.id))
    with engine.connect() as conn:
        for r in conn.execute(q).yield_per(5000):
            yield Observed(event_record(r), r.doc_cluster_id, r.doc_published_at or r.doc_ingested_at, r.evidence)


def _known(until: datetime | None, known_from: datetime | None) -> list[ColumnElement[bool]]:
    """Documents published (else ingested) by ``until`` and from ``known_from``; each bound on the column that
    holds the time, so the published_at index serves the usual case."""
    d = t.documents.c
    conds: list[ColumnElement[bool]] = []
    if until is not None:
        conds.append(or_(d.published_at <= until, and_(d.published_at.is_(None), d.ingested_at <= until)))
    if known_from is not None:
        conds.append(or_(d.published_at >= known_from, and_(d.published_at.is_(None), d.ingested_at >= known_from)))
    return conds

