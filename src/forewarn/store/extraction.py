"""The store's extraction writes: each document's results (mentions, places, events, claims) in place of
an earlier extraction's, the entities they name, and the extraction status, in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forewarn.errors import NotFound
from forewarn.model.extraction import (
    Claim,
    ClaimedEvent,
    Entity,
    EntityMention,
    Event,
    Extraction,
    Participant,
    PlaceMention,
)
from forewarn.model.records import ExtractionCounts, event_id
from forewarn.store import schema as t
from forewarn.store.core import StoreCore, chunks
from forewarn.store.counts import count_events
from forewarn.store.matched import bump

# a document's source id, publication time, compartment, and the day (UTC) it became known (published, else ingested)
Facts = tuple[str | None, datetime | None, int | None, date]


class ExtractionWrites(StoreCore):
    def save_extractions(self, extractions: Sequence[Extraction], now: datetime) -> None:
        """Store each document's extraction in place of what an earlier one stored for it, all in
        one transaction. Entities are added when missing; an existing one is updated only while no
        person has edited it, and its aliases are only ever added to. Idempotent."""
        latest = {x.document_id: x for x in extractions}  # a document given twice: the last one counts
        if not latest:
            return
        with self._write() as conn:
            facts = self._document_facts(conn, list(latest))
            # first: the status rows' locks make a concurrent extraction of the same document wait, and then remove
            # what this one stored (its events neither kept nor counted twice: tests/store/test_event_counts.py)
            self._upsert_status(conn, [_status_row(x.document_id, x.extractor, "ok", None, now, _counts(x))
                                       for x in latest.values()])
            cleared = self._clear_results(conn, list(latest))
            parts = self._save_entities(conn, _entities_of(latest.values()), now)
            xs = list(latest.values())
            self._insert(conn, t.mentions, [_mention_row(x, i, m) for x in xs for i, m in enumerate(x.entities)])
            self._insert(conn, t.places, [_place_row(x, i, p) for x in xs for i, p in enumerate(x.places)])
            self._insert(conn, t.claims, [{**_claim_row(x, i, c, parts), "compartment": facts[x.document_id][2]}
                                          for x in xs for i, c in enumerate(x.claims)])
            events = [row for x in xs for row in _event_rows(x, facts[x.document_id], parts, now)]
            self._insert(conn, t.events, events)
            count_events(conn, added=events, removed=cleared)
            bump(conn, "events", {*(row["date"] for row in cleared), *(row["date"] for row in events)})
            bump(conn, "documents", {facts[x.document_id][3] for x in xs})  # the places and entities they name

    def record_extraction_failure(self, document_id: str, extractor: str, error: str, now: datetime) -> None:
        """Mark a document's latest extraction as failed (it is then listed for a retry). What an
        earlier successful extraction stored for it stays until a later one succeeds."""
        with self._write() as conn:
            self._document_facts(conn, [document_id])
            self._upsert_status(conn, [_status_row(document_id, extractor, "failed", error, now, ExtractionCounts())])

    def _document_facts(self, conn: Connection, doc_ids: list[str]) -> dict[str, Facts]:
        """(source id, publication time, compartment, day known) of each document; every one must exist."""
        d = t.documents.c
        found: dict[str, Facts] = {}
        for chunk in chunks(doc_ids):
            q = select(d.id, d.source_id, d.published_at, d.ingested_at, d.compartment).where(d.id.in_(chunk))
            for r in conn.execute(q):
                found[r.id] = (r.source_id, r.published_at, r.compartment, (r.published_at or r.ingested_at).date())
        missing = [i for i in doc_ids if i not in found]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise NotFound(f"no document {missing[0]!r}{more}", hint="extractions are stored for stored documents only")
        return found

    def _upsert_status(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        ins = (pg_insert if self.dialect == "postgresql" else sqlite_insert)(t.extractions)
        keep = ("extractor", "status", "error", "extracted_at", "counts")
        conn.execute(ins.on_conflict_do_update(index_elements=["document_id"],
                                               set_={k: ins.excluded[k] for k in keep}), rows)

    def _clear_results(self, conn: Connection, doc_ids: list[str]) -> list[Mapping[str, Any]]:
        """Remove what an earlier extraction stored for these documents; the events removed (what they are
        counted by: :func:`forewarn.store.counts.key_of`)."""
        for table in (t.mentions, t.places, t.claims):
            for chunk in chunks(doc_ids):
                conn.execute(table.delete().where(table.c.document_id.in_(chunk)))
        ev = t.events.c
        counted = [ev.date, ev.type, ev.negated, ev.compartment, ev.place_country, ev.place_admin1, ev.place_name,
                   ev.place_lat, ev.place_lon]
        return [dict(r._mapping) for chunk in chunks(doc_ids)
                for r in conn.execute(t.events.delete().where(ev.document_id.in_(chunk)).returning(*counted))]

    def _save_entities(self, conn: Connection, entities: dict[str, Entity],
                       now: datetime) -> dict[str, tuple[str | None, str | None]]:
        """Add missing entities, update the ones no person edited, add aliases; returns each
        entity's (country, sector) as events record them (the canonical entity's)."""
        e = t.entities
        existing: dict[str, Any] = {}
        for chunk in chunks(list(entities)):
            existing.update((r.id, r) for r in conn.execute(select(e).where(e.c.id.in_(chunk))))
        self._insert(conn, e, [_entity_row(x, now) for i, x in entities.items() if i not in existing])
        stale = [_entity_update(x, now) for i, x in entities.items()
                 if i in existing and existing[i].origin != "user" and _entity_changed(existing[i], x)]
        if stale:
            conn.execute(update(e).where(e.c.id == bindparam("b_id")).values(
                name=bindparam("b_name"), kind=bindparam("b_kind"), country=bindparam("b_country"),
                sector=bindparam("b_sector"), updated_at=bindparam("b_at")), stale)
        open_ = [x for i, x in entities.items() if i not in existing or existing[i].origin != "user"]
        self._insert(conn, t.entity_aliases, [{"entity_id": x.id, "alias": a} for x in open_
                                              for a in sorted(set(x.aliases))])
        return self._participant_facts(conn, list(entities))

    def _participant_facts(self, conn: Connection, ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
        own, canon = t.entities.alias("own"), t.entities.alias("canon")
        facts: dict[str, tuple[str | None, str | None]] = {}
        for chunk in chunks(ids):
            q = (select(own.c.id, func.coalesce(canon.c.country, own.c.country).label("country"),
                        func.coalesce(canon.c.sector, own.c.sector).label("sector"))
                 .select_from(own.join(canon, canon.c.id == own.c.canonical_id)).where(own.c.id.in_(chunk)))
            facts.update((r.id, (r.country, r.sector)) for r in conn.execute(q))
        return facts


def _counts(x: Extraction) -> ExtractionCounts:
    return ExtractionCounts(entities=len(x.entities), places=len(x.places), dates=len(x.dates),
                            events=len(x.events), claims=len(x.claims))


def _status_row(doc_id: str, extractor: str, status: str, error: str | None, now: datetime,
                counts: ExtractionCounts) -> dict[str, Any]:
    return {"document_id": doc_id, "extractor": extractor, "status": status, "error": error, "extracted_at": now,
            "counts": dataclasses.asdict(counts)}


def _entities_of(extractions: Iterable[Extraction]) -> dict[str, Entity]:
    """Every entity an extraction refers to (the first description of each id counts)."""
    found: dict[str, Entity] = {}
    for x in extractions:
        for m in x.entities:
            found.setdefault(m.entity.id, m.entity)
        for ev in x.events:
            for p in (ev.actor, ev.recipient):
                if p is not None:
                    found.setdefault(p.entity.id, p.entity)
        for c in x.claims:
            claimed = (c.claimed.actor, c.claimed.recipient) if c.claimed else ()
            for p in (c.speaker, *claimed):
                if p is not None:
                    found.setdefault(p.entity.id, p.entity)
    return found


def _entity_row(x: Entity, now: datetime) -> dict[str, Any]:
    return {"id": x.id, "name": x.name, "kind": x.kind.value, "country": x.country,
            "sector": x.sector.value if x.sector else None,
            "origin": "dictionary" if x.id.startswith("dict:") else "ner", "merged_into": None,
            "canonical_id": x.id, "updated_at": now, "updated_by": None}


def _entity_changed(r: Any, x: Entity) -> bool:
    sector = x.sector.value if x.sector else None
    return (r.name, r.kind, r.country, r.sector) != (x.name, x.kind.value, x.country, sector)


def _entity_update(x: Entity, now: datetime) -> dict[str, Any]:
    return {"b_id": x.id, "b_name": x.name, "b_kind": x.kind.value, "b_country": x.country,
            "b_sector": x.sector.value if x.sector else None, "b_at": now}


def _mention_row(x: Extraction, seq: int, m: EntityMention) -> dict[str, Any]:
    return {"document_id": x.document_id, "seq": seq, "entity_id": m.entity.id, "text": m.text, "start": m.start,
            "end": m.end, "sentence": m.sentence, "extractor": x.extractor}


def _place_row(x: Extraction, seq: int, p: PlaceMention) -> dict[str, Any]:
    g = p.place
    return {"document_id": x.document_id, "seq": seq, "name": g.name, "lat": g.lat, "lon": g.lon,
            "country": g.country, "admin1": g.admin1, "gazetteer_id": g.gazetteer_id, "precision": g.precision.value,
            "text": p.text, "start": p.start, "end": p.end, "sentence": p.sentence, "extractor": x.extractor}


def _claim_row(x: Extraction, seq: int, c: Claim, parts: dict[str, tuple[str | None, str | None]]) -> dict[str, Any]:
    s = c.speaker
    return {"document_id": x.document_id, "seq": seq, "speaker_entity_id": s.entity.id if s else None,
            "speaker_text": c.speaker_text, "speaker_start": s.start if s else None,
            "speaker_end": s.end if s else None, "cue": c.cue, "content_start": c.content_start,
            "content_end": c.content_end, "quoted": c.quoted, "stance": c.stance, "sentence": c.sentence,
            "start": c.start, "end": c.end, "extractor": x.extractor, **_claimed_row(c.claimed, parts)}


def _claimed_row(e: ClaimedEvent | None, parts: dict[str, tuple[str | None, str | None]]) -> dict[str, Any]:
    """The claims table's ``claimed_*`` columns: the event a claim is about (all None without one)."""
    actor = _participant_row("actor", e.actor if e else None, parts)
    recipient = _participant_row("recipient", e.recipient if e else None, parts)
    g = e.place.place if e and e.place else None
    return {"claimed_type": e.type if e else None, "claimed_modality": e.modality if e else None,
            **{f"claimed_{k}": actor[k] for k in ("actor_entity_id", "actor_text", "actor_country", "actor_sector")},
            **{f"claimed_{k}": recipient[k] for k in ("recipient_entity_id", "recipient_text", "recipient_country")},
            "claimed_place_name": g.name if g else None, "claimed_place_country": g.country if g else None,
            "claimed_place_admin1": g.admin1 if g else None, "claimed_place_lat": g.lat if g else None,
            "claimed_place_lon": g.lon if g else None}


def _event_rows(x: Extraction, facts: Facts,
                parts: dict[str, tuple[str | None, str | None]], now: datetime) -> list[dict[str, Any]]:
    """One row per distinct event id (the first of the events sharing one counts)."""
    rows: dict[str, dict[str, Any]] = {}
    for ev in x.events:
        row = _event_row(x, ev, facts, parts, now)
        rows.setdefault(row["id"], row)
    return list(rows.values())


def _event_row(x: Extraction, ev: Event, facts: Facts,
               parts: dict[str, tuple[str | None, str | None]], now: datetime) -> dict[str, Any]:
    e, f = ev.evidence, ev.flags
    return {
        "id": event_id(x.document_id, ev), "document_id": x.document_id, "source_id": facts[0],
        "published_at": facts[1], "extractor": x.extractor, "coded_at": now, "type": ev.type, "mode": ev.mode,
        "contexts": list(ev.contexts), **_participant_row("actor", ev.actor, parts),
        **_participant_row("recipient", ev.recipient, parts), **_event_place_row(ev.place),
        "date": ev.date, "date_precision": ev.date_precision.value, "date_from_publication": ev.date_from_publication,
        "negated": f.negated, "hypothetical": f.hypothetical, "future": f.future, "reported": f.reported,
        "sentence": e.sentence, "start": e.start, "end": e.end, "trigger_start": e.trigger_start,
        "trigger_end": e.trigger_end, "confidence": float(ev.confidence),
        "actor_inferred": ev.actor is not None and ev.actor.inferred, "coder": ev.coder, "compartment": facts[2],
    }


def _participant_row(role: str, p: Participant | None,
                     parts: dict[str, tuple[str | None, str | None]]) -> dict[str, Any]:
    country, sector = parts[p.entity.id] if p else (None, None)
    return {f"{role}_entity_id": p.entity.id if p else None, f"{role}_text": p.text if p else None,
            f"{role}_start": p.start if p else None, f"{role}_end": p.end if p else None,
            f"{role}_country": country, f"{role}_sector": sector}


def _event_place_row(p: PlaceMention | None) -> dict[str, Any]:
    g = p.place if p else None
    return {"place_name": g.name if g else None, "place_lat": g.lat if g else None, "place_lon": g.lon if g else None,
            "place_country": g.country if g else None, "place_admin1": g.admin1 if g else None,
            "place_gazetteer_id": g.gazetteer_id if g else None, "place_precision": g.precision.value if g else None,
            "place_text": p.text if p else None, "place_start": p.start if p else None,
            "place_end": p.end if p else None}
