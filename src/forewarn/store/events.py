"""The store's extraction reads: a document's extraction status and everything stored for it, the
documents awaiting extraction, and filtered event lists and counts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.query import ClaimClause, EventQuery
from forewarn.model.records import (
    DocumentExtraction,
    ExtractionCounts,
    ExtractionStatus,
    StoredClaim,
    StoredClaimed,
    StoredEvent,
    StoredMention,
    StoredParticipant,
    StoredPlace,
)
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.core import StoreCore, chunks
from forewarn.store.queries import event_filters, event_select, events_of, within


@dataclass(frozen=True, slots=True)
class KnownClaim:
    """A stored claim with what scoring needs of its document."""

    claim: StoredClaim
    source_id: str | None
    cluster_id: str
    known_at: datetime  # published, else ingested
    span: str  # the document's text from the claim's start to its end: its sentence(s)
    places: frozenset[str] = frozenset()  # the places its sentence names: countries and "COUNTRY:admin1"


class ExtractionReads(StoreCore):
    def extraction_status(self, document_id: str) -> ExtractionStatus | None:
        x = t.extractions
        with self.engine.connect() as conn:
            row = conn.execute(select(x).where(x.c.document_id == document_id)).first()
        return None if row is None else _status(row)

    def documents_needing_extraction(self, extractor: str | None = None, only_failed: bool = False,
                                     limit: int | None = None) -> list[str]:
        """Ids of documents never extracted, whose last extraction failed, or (given ``extractor``)
        extracted by another extractor version; ``only_failed``: the failed ones only."""
        d, x = t.documents.c, t.extractions.c
        if only_failed:
            cond: ColumnElement[bool] = x.status == "failed"
        else:
            conds = [x.document_id.is_(None), x.status == "failed"]
            if extractor is not None:
                conds.append(x.extractor != extractor)
            cond = or_(*conds)
        q = (select(d.id).select_from(t.documents.outerjoin(t.extractions, x.document_id == d.id))
             .where(cond).order_by(d.id).limit(limit))
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

    def find_events(self, query: EventQuery, access: Access = EVERYTHING) -> list[StoredEvent]:
        ev = t.events.c
        q = event_select().where(*event_filters(query, access)).order_by(ev.date, ev.id)
        if query.near is None:
            q = q.limit(query.limit).offset(query.offset)
        with self.engine.connect() as conn:
            found = list(events_of(conn.execute(q)))
        if query.near is None:
            return found
        near = [e for e in found if e.place and within(e.place.lat, e.place.lon, query.near)]
        end = None if query.limit is None else query.offset + query.limit
        return near[query.offset:end]

    def count_events(self, query: EventQuery, access: Access = EVERYTHING) -> int:
        ev = t.events.c
        with self.engine.connect() as conn:
            if query.near is None:
                return conn.execute(select(func.count()).select_from(t.events)
                                    .where(*event_filters(query, access))).scalar_one()
            rows = conn.execute(select(ev.place_lat, ev.place_lon).where(*event_filters(query, access)))
            return sum(1 for lat, lon in rows if within(lat, lon, query.near))

    def claims_of(self, document_id: str, access: Access = EVERYTHING) -> list[StoredClaim]:
        """A document's claims with the canonical entities of their speaker and of the actor and recipient
        of the event each is about."""
        return self.claims_of_documents([document_id], access).get(document_id, [])

    def claims_of_documents(self, document_ids: Collection[str], access: Access = EVERYTHING
                            ) -> dict[str, list[StoredClaim]]:
        """The claims of each of these documents (as :meth:`claims_of`), by document id; one read per chunk
        (the claims hidden from ``access`` left out)."""
        c = t.claims.c
        found: dict[str, list[StoredClaim]] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(document_ids))):
                q = (_claims_select().where(c.document_id.in_(chunk), *hidden_from(c.compartment, access))
                     .order_by(c.document_id, c.seq))
                for r in conn.execute(q):
                    found.setdefault(r.document_id, []).append(_claim(r))
        return found

    def claims_known(self, *, since: datetime | None = None, until: datetime | None = None,
                     any_of: tuple[ClaimClause, ...] | None = None) -> list[KnownClaim]:
        """The claims of the documents known (published, else ingested) in [``since``, ``until``] (either
        open when None), with their documents' source, cluster and the claim's sentence, in one read; only those
        one of ``any_of`` admits when given."""
        c, d = t.claims.c, t.documents.c
        admitted = [] if any_of is None else [or_(false(), *(_claim_clause(k) for k in any_of))]
        q = (_claims_select(d.source_id.label("document_source_id"), d.cluster_id, d.published_at, d.ingested_at,
                            func.substr(d.text, c.start + 1, c.end - c.start).label("span"))
             .join_from(t.claims, t.documents, d.id == c.document_id)
             .where(*_known_within(since, until), *admitted).order_by(c.document_id, c.seq))
        with self.engine.connect() as conn:
            rows = list(conn.execute(q))
            named = _places_named(conn, {r.document_id for r in rows})
        return [KnownClaim(_claim(r), r.document_source_id, r.cluster_id, r.published_at or r.ingested_at, r.span,
                           _within(named.get(r.document_id, ()), r.start, r.end)) for r in rows]

    def extraction_of(self, document_id: str, access: Access = EVERYTHING) -> DocumentExtraction:
        """Everything stored for a document: status, mentions, places, events (negated ones too), claims (the
        events and claims hidden from ``access`` left out: the caller checked it may see the document)."""
        m, p = t.mentions.c, t.places.c
        own, canon = t.entities.alias("own"), t.entities.alias("canon")
        mq = (select(t.mentions, canon.c.id.label("canonical_id"), canon.c.name, own.c.kind)
              .select_from(t.mentions.join(own, own.c.id == m.entity_id).join(canon, canon.c.id == own.c.canonical_id))
              .where(m.document_id == document_id).order_by(m.seq))
        with self.engine.connect() as conn:
            mentions = tuple(_mention(r) for r in conn.execute(mq))
            places = tuple(_place(r) for r in conn.execute(
                select(t.places).where(p.document_id == document_id).order_by(p.seq)))
        events = self.find_events(EventQuery(document_id=document_id, include_negated=True, limit=None), access)
        return DocumentExtraction(document_id, self.extraction_status(document_id), mentions, places,
                                  tuple(events), tuple(self.claims_of(document_id, access)))


def _claim_clause(clause: ClaimClause) -> ColumnElement[bool]:
    c = t.claims.c
    return and_(true(), *([c.stance.in_(clause.stances)] if clause.stances else []),
                *([c.claimed_type.in_(clause.types)] if clause.types else []))


def _places_named(conn: Any, document_ids: Collection[str]) -> dict[str, list[tuple[int, int, str, str | None]]]:
    """Each document's places: (start, end, country, admin1)."""
    p = t.places.c
    found: dict[str, list[tuple[int, int, str, str | None]]] = {}
    for ids in chunks(sorted(document_ids)):
        for r in conn.execute(select(p.document_id, p.start, p.end, p.country, p.admin1).where(p.document_id.in_(ids))):
            found.setdefault(r.document_id, []).append((r.start, r.end, r.country, r.admin1))
    return found


def _within(places: Collection[tuple[int, int, str, str | None]], start: int, end: int) -> frozenset[str]:
    """The countries and "COUNTRY:admin1" regions of the places between ``start`` and ``end``."""
    inside = [(country, admin1) for s, e, country, admin1 in places if s >= start and e <= end]
    return frozenset({c for c, _ in inside} | {f"{c}:{a}" for c, a in inside if a})


def _claims_select(*extra: Any) -> Any:
    """Claims with the canonical entities (and their countries and sectors) of their speaker and of the
    actor and recipient of the event each is about, and ``extra`` columns."""
    c = t.claims.c
    cols: list[Any] = [t.claims]
    joined: Any = t.claims
    for role in ("speaker", "claimed_actor", "claimed_recipient"):
        own, canon = t.entities.alias(f"{role}_own"), t.entities.alias(f"{role}_canon")
        joined = (joined.outerjoin(own, own.c.id == c[f"{role}_entity_id"])
                  .outerjoin(canon, canon.c.id == own.c.canonical_id))
        cols += [canon.c.id.label(f"{role}_canonical_id"), canon.c.name.label(f"{role}_name"),
                 func.coalesce(canon.c.country, own.c.country).label(f"{role}_entity_country"),
                 func.coalesce(canon.c.sector, own.c.sector).label(f"{role}_entity_sector")]
    return select(*cols, *extra).select_from(joined)


def _known_within(since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    """Documents published in [since, until], or undated and ingested then (the published_at index serves)."""
    d = t.documents.c
    conds = []
    if since is not None:
        conds.append(or_(d.published_at >= since, and_(d.published_at.is_(None), d.ingested_at >= since)))
    if until is not None:
        conds.append(or_(d.published_at <= until, and_(d.published_at.is_(None), d.ingested_at <= until)))
    return conds


def _status(r: Any) -> ExtractionStatus:
    return ExtractionStatus(document_id=r.document_id, extractor=r.extractor, status=r.status, error=r.error,
                            extracted_at=r.extracted_at, counts=ExtractionCounts(**r.counts))


def _place(r: Any) -> StoredPlace:
    return StoredPlace(name=r.name, lat=r.lat, lon=r.lon, country=r.country, admin1=r.admin1,
                       gazetteer_id=r.gazetteer_id, precision=r.precision, text=r.text, start=r.start, end=r.end,
                       sentence=r.sentence)


def _mention(r: Any) -> StoredMention:
    return StoredMention(document_id=r.document_id, entity_id=r.entity_id, canonical_id=r.canonical_id, name=r.name,
                         kind=r.kind, text=r.text, start=r.start, end=r.end, sentence=r.sentence,
                         extractor=r.extractor)


def _claim(r: Any) -> StoredClaim:
    speaker = _claim_participant(r, "speaker", r.speaker_text, r.speaker_start, r.speaker_end)
    return StoredClaim(document_id=r.document_id, speaker=speaker, speaker_text=r.speaker_text, cue=r.cue,
                       content_start=r.content_start, content_end=r.content_end, quoted=r.quoted, stance=r.stance,
                       sentence=r.sentence, start=r.start, end=r.end, extractor=r.extractor, claimed=_claimed(r))


def _claimed(r: Any) -> StoredClaimed | None:
    if r.claimed_type is None:
        return None
    return StoredClaimed(type=r.claimed_type, modality=r.claimed_modality,
                         actor=_claim_participant(r, "claimed_actor", r.claimed_actor_text, None, None),
                         recipient=_claim_participant(r, "claimed_recipient", r.claimed_recipient_text, None, None),
                         place_name=r.claimed_place_name, place_country=r.claimed_place_country,
                         place_admin1=r.claimed_place_admin1, place_lat=r.claimed_place_lat,
                         place_lon=r.claimed_place_lon)


def _claim_participant(r: Any, role: str, text: str | None, start: int | None,
                       end: int | None) -> StoredParticipant | None:
    """A claim's speaker or claimed actor/recipient: the words and the canonical entity (whose country and
    sector it has). The claimed event's participants keep no offsets: ``start``/``end`` are -1."""
    m = r._mapping
    entity_id = m[f"{role}_entity_id"]
    if entity_id is None:
        return None
    return StoredParticipant(entity_id=entity_id, canonical_id=m[f"{role}_canonical_id"] or entity_id,
                             name=m[f"{role}_name"] or text or entity_id, text=text or "",
                             start=-1 if start is None else start, end=-1 if end is None else end,
                             country=m[f"{role}_entity_country"], sector=m[f"{role}_entity_sector"])
