"""Observations from the store: stored events and claims with what scoring needs about their documents.

The one place in ``forewarn.detect`` that reads the store; scoring and surge detection take the
result as plain data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from forewarn.detect.match import in_region
from forewarn.detect.types import ClaimObservation, Observation
from forewarn.model import Region, Reliability
from forewarn.model.annotations import Correction, Version, corrected, key_of, versions
from forewarn.model.query import ClaimClause, EventClause, EventQuery
from forewarn.model.records import StoredEvent
from forewarn.store import SqlStore
from forewarn.store.notes import corrections, events_of_documents
from forewarn.store.observed import Observed, observed_events


def observations(store: SqlStore, *, until: datetime | None = None, since: date | None = None,
                 region: Region | None = None, types: Sequence[str] = (), history: bool = False,
                 known_from: datetime | None = None) -> list[Observation]:
    """Events dated on or after ``since`` (and on or before ``until``'s date), in ``region`` when given,
    of ``types`` when given, known by ``until`` when given (published, else ingested, by then).
    ``known_from``: also the events known from then on, whatever their date (a post-mortem's window).
    Negated events are left out. Ordered by event date, then id.

    Analysts' corrections made by ``until`` apply (:mod:`forewarn.model.annotations`): an event is read as
    corrected, known from the correction's time on, and a rejected one is left out. ``history``: every
    version instead (as extracted, then after each correction), each hidden from the next correction's time
    (``Observation.hidden_from``): what a replay needs to use, at each step, the corrections known then."""
    query = read_query(until=until, since=since, region=region, types=types)
    return read(store, query, until=until, known_from=known_from, history=history)[0]


def read_query(*, until: datetime | None, since: date | None, region: Region | None, types: Sequence[str]
               ) -> EventQuery:
    """The query :func:`observations` reads with."""
    return EventQuery(types=tuple(types), date_from=since, date_to=until.date() if until else None, region=region,
                      limit=None)


def read(store: SqlStore, query: EventQuery, *, until: datetime | None, known_from: datetime | None,
         history: bool, any_of: tuple[EventClause, ...] | None = None) -> tuple[list[Observation], frozenset[str]]:
    """:func:`observations` of ``query``, only the uncorrected events one of ``any_of`` admits when given (every
    corrected one whatever it says), and the ids of the corrected events."""
    found = _observed(store, replace(query, any_of=any_of), until, known_from)
    versions, corrected = _versions(store, [o.event for o in found.values()], query, until, history)
    if query.region is not None:
        versions = [v for v in versions if in_region(query.region, v[0])]
    reliability = {s.id: s.reliability for s in store.list_sources()}
    facts = _facts(store, found, versions)
    result: list[Observation] = []
    for event, fixed_at, hidden_from in versions:
        cluster_id, known_at, evidence = facts[event.id]
        known_at = max(known_at, fixed_at) if fixed_at is not None else known_at
        if until is not None and known_at > until:
            continue
        result.append(Observation(event=event, cluster_id=cluster_id,
                                  reliability=reliability.get(event.source_id or "", Reliability.F),
                                  known_at=known_at, evidence=evidence, hidden_from=hidden_from))
    return result, corrected


def _observed(store: SqlStore, query: EventQuery, until: datetime | None, known_from: datetime | None
              ) -> dict[str, Observed]:
    """The events of ``query`` (and, with ``known_from``, those known from then on, however old) with their
    documents' facts, by event id, in the query's order."""
    found = {o.event.id: o for o in observed_events(store.engine, query, until=until)}
    if known_from is not None and query.date_from is not None:  # remembered matches cover the query's days only
        older = replace(query, date_from=None, date_to=query.date_from - timedelta(days=1),
                        any_of=None if query.any_of is None else tuple(replace(c, hits=None) for c in query.any_of))
        found |= {o.event.id: o for o in observed_events(store.engine, older, until=until, known_from=known_from)}
        found = dict(sorted(found.items(), key=lambda kv: (kv[1].event.date, kv[0])))
    return found


Fact = tuple[str, datetime, str]  # the document's cluster, when it became known, the event's evidence


def _facts(store: SqlStore, found: dict[str, Observed], versions: list[Versioned]) -> dict[str, Fact]:
    """What each version needs of its document, by event id: read with the event, else (an event found only
    through its correction) from the document itself. A correction never moves an event's span."""
    facts: dict[str, Fact] = {i: (o.cluster_id, o.known_at, o.evidence) for i, o in found.items()}
    missing = [e for e, _, _ in versions if e.id not in facts]
    documents = store.get_documents({e.document_id for e in missing})
    for e in missing:
        doc = documents[e.document_id]
        facts[e.id] = (doc.cluster_id, doc.published_at or doc.ingested_at, doc.text[e.start:e.end])
    return facts


Versioned = tuple[StoredEvent, datetime | None, datetime | None]  # the event, corrected at, hidden from


def _versions(store: SqlStore, events: list[StoredEvent], query: EventQuery, until: datetime | None,
              history: bool) -> tuple[list[Versioned], frozenset[str]]:
    """The events with the corrections made by ``until``: an uncorrected event as it is; a corrected one (found
    among its document's events, whatever the query's filters said of its original values) as corrected, or
    each of its versions with ``history``, kept when the query's types and dates take it. And the ids of the
    corrected events."""
    fixes = corrections(store.engine, until=until)
    if not fixes:
        return [(e, None, None) for e in events], frozenset()
    by_key: dict[str, list[Correction]] = {}
    for c in fixes:
        by_key.setdefault(c.target.key, []).append(c)
    found: list[Versioned] = [(e, None, None) for e in events if key_of(e) not in by_key]
    ids: set[str] = set()
    for event in events_of_documents(store.engine, {c.target.document_id for c in fixes}):
        mine = by_key.get(key_of(event))
        if mine is None or event.negated:
            continue
        ids.add(event.id)
        states = versions(event, mine) if history else [Version(corrected(event, mine), mine[-1].at, None)]
        found += [(v.event, v.since, v.until) for v in states if v.event is not None and _wanted(v.event, query)]
    return sorted(found, key=lambda v: (v[0].date, v[0].id, v[1] or datetime.min.replace(tzinfo=UTC))), frozenset(ids)


def _wanted(event: StoredEvent, query: EventQuery) -> bool:
    if query.types and event.type not in query.types:
        return False
    return (query.date_from is None or event.date >= query.date_from) and (
        query.date_to is None or event.date <= query.date_to)


def claim_observations(store: SqlStore, *, until: datetime | None = None, since: date | None = None,
                       any_of: tuple[ClaimClause, ...] | None = None) -> list[ClaimObservation]:
    """The stored claims said (published, else ingested) on or after ``since`` and known by ``until`` (only those
    one of ``any_of`` admits, when given), each with its document's source, cluster and reliability and its
    sentence; ordered by when they became known."""
    start = datetime.combine(since, time(0), tzinfo=UTC) if since is not None else None
    reliability = {s.id: s.reliability for s in store.list_sources()}
    found = [ClaimObservation(claim=k.claim, source_id=k.source_id, cluster_id=k.cluster_id,
                              reliability=reliability.get(k.source_id or "", Reliability.F), known_at=k.known_at,
                              day=k.known_at.date(), evidence=k.span, places=k.places)
             for k in store.claims_known(since=start, until=until, any_of=any_of)]
    return sorted(found, key=lambda c: (c.known_at, c.claim.document_id, c.claim.start))
