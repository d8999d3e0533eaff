"""The store's notes, tags and corrections (tables of migration 0013): writes inside a caller's transaction
(the service appends the ledger entry in the same one), reads by target key, by tag and by time."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, select

from forewarn.model.annotations import (
    Changes,
    Correction,
    CorrectionAction,
    Note,
    Tag,
    Target,
    TargetKind,
)
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.records import StoredEvent, StoredParticipant, StoredPlace
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.core import chunks
from forewarn.store.queries import event_record, event_select, events_of, via_document


def add_note(conn: Connection, target: Target, text: str, author: str, at: datetime,
             compartment: int | None = None) -> int:
    """A note on ``target``; ``compartment``: who may see it (its target's, or stricter; None: everyone)."""
    row = {"target": target.key, "document_id": target.document_id, "event_id": target.event_id, "text": text,
           "author": author, "created_at": at, "compartment": compartment}
    return int(conn.execute(insert(t.annotation_notes).values(row).returning(t.annotation_notes.c.id)).scalar_one())


def add_tag(conn: Connection, target: Target, tag: str, author: str, at: datetime) -> bool:
    """Tag a target; False when it already has the tag."""
    c = t.annotation_tags.c
    if conn.execute(select(c.id).where(c.target == target.key, c.tag == tag)).first() is not None:
        return False
    conn.execute(insert(t.annotation_tags).values(target=target.key, document_id=target.document_id,
                                                  event_id=target.event_id, tag=tag, author=author, created_at=at))
    return True


def remove_tag(conn: Connection, target: Target, tag: str) -> bool:
    """Remove a tag; False when the target did not have it."""
    c = t.annotation_tags.c
    return bool(conn.execute(delete(t.annotation_tags).where(c.target == target.key, c.tag == tag)).rowcount)


def add_correction(conn: Connection, c: Correction) -> int:
    row = {"target": c.target.key, "document_id": c.target.document_id, "event_id": c.target.event_id or "",
           "trigger_start": c.trigger_start, "trigger_end": c.trigger_end, "original_type": c.original_type,
           "action": c.action.value, "changes": changes_json(c.changes), "original": c.original, "reason": c.reason,
           "author": c.author, "made_at": c.at}
    return int(conn.execute(insert(t.event_corrections).values(row).returning(t.event_corrections.c.id)).scalar_one())


def notes_of(engine: Engine, keys: Collection[str], access: Access = EVERYTHING) -> list[Note]:
    """The notes of these targets (those ``access`` may see), oldest first."""
    n = t.annotation_notes.c
    found = [Note(r.id, _target(r), r.text, r.author, r.created_at)
             for r in _of_targets(engine, t.annotation_notes, keys, [*hidden_from(n.compartment, access),
                                                                     *via_document(n.document_id, access)])]
    return sorted(found, key=lambda n: (n.at, n.id))


def tags_of(engine: Engine, keys: Collection[str]) -> list[Tag]:
    """The tags of these targets, by tag."""
    found = [_tag(r) for r in _of_targets(engine, t.annotation_tags, keys)]
    return sorted(found, key=lambda g: (g.tag, g.target.key))


def _of_targets(engine: Engine, table: Table, keys: Collection[str], where: Collection[Any] = ()) -> list[Any]:
    """The rows of ``table`` whose target is one of ``keys`` (chunked IN lists), and ``where``."""
    with engine.connect() as conn:
        return [r for chunk in chunks(sorted(set(keys))) for r in conn.execute(select(table).where(
            table.c.target.in_(chunk), *where))]


def tagged(engine: Engine, tag: str, kind: TargetKind, limit: int, offset: int,
           access: Access = EVERYTHING) -> tuple[list[Tag], int]:
    """A page of the targets of one kind carrying ``tag`` (newest first), and their number: those of documents and
    events ``access`` may see."""
    c, ev = t.annotation_tags.c, t.events.c
    seen = [*via_document(c.document_id, access)]
    if access.restricted and kind is TargetKind.EVENT:
        seen.append(~select(ev.id).where(ev.id == c.event_id, ev.compartment.in_(sorted(access.hidden))).exists())
    cond = and_((c.tag == tag) & c.target.like(f"{kind.value}:%"), *seen)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(t.annotation_tags).where(cond)).scalar_one())
        rows = conn.execute(select(t.annotation_tags).where(cond).order_by(c.created_at.desc(), c.id.desc())
                            .limit(limit).offset(offset)).all()
    return [_tag(r) for r in rows], total


def corrections(engine: Engine, *, keys: Collection[str] | None = None, document_id: str | None = None,
                until: datetime | None = None) -> list[Correction]:
    """Corrections of these keys (or of a document's events, or all), made by ``until`` when given; oldest first."""
    c = t.event_corrections.c
    conds: list[Any] = []
    if document_id is not None:
        conds.append(c.document_id == document_id)
    if until is not None:
        conds.append(c.made_at <= until)
    with engine.connect() as conn:
        if keys is None:
            rows = list(conn.execute(select(t.event_corrections).where(*conds)))
        else:
            rows = [r for chunk in chunks(sorted(set(keys)))
                    for r in conn.execute(select(t.event_corrections).where(c.target.in_(chunk), *conds))]
    return sorted((correction_of(r) for r in rows), key=lambda x: (x.at, x.id))


def events_of_documents(engine: Engine, document_ids: Collection[str]) -> list[StoredEvent]:
    """Every stored event of these documents (negated ones too)."""
    ev = t.events.c
    found: list[StoredEvent] = []
    with engine.connect() as conn:
        for chunk in chunks(sorted(set(document_ids))):
            found += events_of(conn.execute(event_select().where(ev.document_id.in_(chunk))))
    return found


def event_by_id(engine: Engine, event_id: str) -> StoredEvent | None:
    with engine.connect() as conn:
        row = conn.execute(event_select().where(t.events.c.id == event_id)).first()
    return None if row is None else event_record(row)


def changes_json(changes: Changes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in changes.fields:
        value = getattr(changes, field)
        out[field] = value.isoformat() if isinstance(value, date) else asdict(value) if field in (
            "actor", "recipient", "place") else value
    if changes.type is not None and changes.mode is None:
        out["mode"] = None  # a new type without a mode clears the old type's mode
    return out


def changes_of(data: dict[str, Any]) -> Changes:
    return Changes(
        type=data.get("type"), mode=data.get("mode"),
        actor=StoredParticipant(**data["actor"]) if data.get("actor") else None,
        recipient=StoredParticipant(**data["recipient"]) if data.get("recipient") else None,
        place=StoredPlace(**data["place"]) if data.get("place") else None,
        date=date.fromisoformat(data["date"]) if data.get("date") else None,
    )


def _target(r: Any) -> Target:
    """A row's target (its ``target`` key, ``document_id`` and ``event_id``)."""
    kind = TargetKind.EVENT if r.target.startswith("event:") else TargetKind.DOCUMENT
    return Target(kind, r.target, r.document_id, r.event_id)


def _tag(r: Any) -> Tag:
    return Tag(r.id, _target(r), r.tag, r.author, r.created_at)


def correction_of(r: Any) -> Correction:
    """A correction as read from a row of ``event_corrections``."""
    return Correction(
        id=r.id, target=_target(r), trigger_start=r.trigger_start,
        trigger_end=r.trigger_end, original_type=r.original_type, action=CorrectionAction(r.action),
        changes=changes_of(r.changes), original=dict(r.original), reason=r.reason, author=r.author, at=r.made_at)
