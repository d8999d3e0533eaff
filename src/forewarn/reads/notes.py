"""Reads of notes, tags and corrections: a document's (with its events' and the corrections re-extraction
orphaned), an event's, the corrections of a page of events, the targets carrying a tag."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from forewarn.model.annotations import (
    Correction,
    CorrectionState,
    Note,
    Tag,
    TargetKind,
    corrected,
    document_key,
    key_of,
    normalise_tag,
    state,
)
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.records import StoredEvent
from forewarn.reads.listing import Listing
from forewarn.store import notes as db


@dataclass(frozen=True, slots=True)
class EventAnnotations:
    """An event as extracted, as corrected now (None: rejected), its notes, tags and corrections."""

    event: StoredEvent
    now: StoredEvent | None
    notes: tuple[Note, ...]
    tags: tuple[str, ...]
    corrections: CorrectionState | None
    marking: str = ""  # the event's marking label (set by the read service for its page; "" in lists)


@dataclass(frozen=True, slots=True)
class DocumentAnnotations:
    """A document's notes and tags, its events' annotations by event id, and the corrections whose event
    re-extraction no longer finds (kept, shown as orphaned)."""

    document_id: str
    notes: tuple[Note, ...]
    tags: tuple[str, ...]
    events: dict[str, EventAnnotations]
    orphaned: tuple[CorrectionState, ...]


def document_annotations(engine: Engine, document_id: str, events: Sequence[StoredEvent],
                         access: Access = EVERYTHING) -> DocumentAnnotations:
    """A visible document's notes and tags (``events``: its events ``access`` may see; the notes it may not see
    left out)."""
    keys = {key_of(e): e for e in events}
    doc_key = document_key(document_id)
    notes = db.notes_of(engine, [doc_key, *keys], access)
    tags = db.tags_of(engine, [doc_key, *keys])
    fixes = db.corrections(engine, document_id=document_id)
    annotated = {e.id: _event(e, notes, tags, fixes) for e in events}
    gone = sorted({c.target.key for c in fixes} - set(keys))
    orphaned = tuple(state(k, document_id, None, [c for c in fixes if c.target.key == k]) for k in gone)
    return DocumentAnnotations(document_id, tuple(n for n in notes if n.target.key == doc_key),
                               tuple(g.tag for g in tags if g.target.key == doc_key), annotated, orphaned)


def event_annotations(engine: Engine, event: StoredEvent, access: Access = EVERYTHING) -> EventAnnotations:
    key = key_of(event)
    return _event(event, db.notes_of(engine, [key], access), db.tags_of(engine, [key]),
                  db.corrections(engine, keys=[key]))


def corrections_of(engine: Engine, events: Sequence[StoredEvent]) -> dict[str, CorrectionState]:
    """The corrections of these events (a page of a list), by event id; uncorrected events are left out."""
    keys = {key_of(e): e for e in events}
    fixes = db.corrections(engine, keys=keys)
    found: dict[str, CorrectionState] = {}
    for key in {c.target.key for c in fixes}:
        event = keys[key]
        found[event.id] = state(key, event.document_id, event, [c for c in fixes if c.target.key == key])
    return found


def tagged(engine: Engine, kind: TargetKind | str, tag: str, limit: int, offset: int,
           access: Access = EVERYTHING) -> Listing[Tag]:
    """The documents (or events) carrying a tag, newest tagging first (those ``access`` may see)."""
    items, total = db.tagged(engine, normalise_tag(tag), TargetKind(kind), limit, offset, access)
    return Listing(tuple(items), total)


def _event(event: StoredEvent, notes: Sequence[Note], tags: Sequence[Tag], fixes: Sequence[Correction]
           ) -> EventAnnotations:
    key = key_of(event)
    mine = [c for c in fixes if c.target.key == key]
    return EventAnnotations(event, corrected(event, mine) if mine else event,
                            tuple(n for n in notes if n.target.key == key),
                            tuple(g.tag for g in tags if g.target.key == key),
                            state(key, event.document_id, event, mine) if mine else None)

