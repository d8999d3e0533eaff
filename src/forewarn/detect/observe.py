"""Observations from the store: stored events and claims with what scoring needs about their documents.

The one place in ``forewarn.detect`` that reads the store; scoring and surge detection take the
result as plain data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from forewarn.detect.match import in_region
from forewarn.detect.types import ClaimObservation, Observation
from forewarn.model import Region, Reliability
from forewarn.model.query import EventQuery
from forewarn.store import SqlStore

CHUNK = 1000  # events whose documents are read at once


def observations(store: SqlStore, *, until: datetime | None = None, since: date | None = None,
                 region: Region | None = None, types: Sequence[str] = ()) -> list[Observation]:
    """Events dated on or after ``since`` (and on or before ``until``'s date), in ``region`` when given,
    of ``types`` when given, known by ``until`` when given (published, else ingested, by then).
    Negated events are left out. Ordered by event date, then id."""
    query = EventQuery(types=tuple(types), date_from=since, date_to=until.date() if until else None, region=region,
                       limit=None)
    events = store.find_events(query)  # the region narrows in SQL; the exact test (a radius) follows
    if region is not None:
        events = [e for e in events if in_region(region, e)]
    reliability = {s.id: s.reliability for s in store.list_sources()}
    found: list[Observation] = []
    for i in range(0, len(events), CHUNK):
        chunk = events[i:i + CHUNK]
        documents = store.get_documents({e.document_id for e in chunk})
        for event in chunk:
            doc = documents[event.document_id]
            known_at = doc.published_at or doc.ingested_at
            if until is not None and known_at > until:
                continue
            found.append(Observation(event=event, cluster_id=doc.cluster_id,
                                     reliability=reliability.get(event.source_id or "", Reliability.F),
                                     known_at=known_at, evidence=doc.text[event.start:event.end]))
    return found


def claim_observations(store: SqlStore, *, until: datetime | None = None, since: date | None = None
                       ) -> list[ClaimObservation]:
    """The stored claims said (published, else ingested) on or after ``since`` and known by ``until``, each
    with its document's source, cluster and reliability and its sentence; ordered by when they became known."""
    start = datetime.combine(since, time(0), tzinfo=UTC) if since is not None else None
    reliability = {s.id: s.reliability for s in store.list_sources()}
    found = [ClaimObservation(claim=k.claim, source_id=k.source_id, cluster_id=k.cluster_id,
                              reliability=reliability.get(k.source_id or "", Reliability.F), known_at=k.known_at,
                              day=k.known_at.date(), evidence=k.span, places=k.places)
             for k in store.claims_known(since=start, until=until)]
    return sorted(found, key=lambda c: (c.known_at, c.claim.document_id, c.claim.start))
