"""Notes, tags and corrections: what analysts add to documents and events (issue 16, item 9).

An annotation names its target by a stable key, not by the event's row id alone: a document by its id
(the SHA-256 of its text), an event by its document, its trigger's offsets and its type as extracted
(:func:`event_key`). Re-extraction rebuilds a document's events; an event coded again at the same trigger
with the same type gets the same key, so its notes, tags and corrections attach to it again, whatever its
sentence numbering became. A correction whose event is gone is kept and shown as *orphaned*.

A correction is append-only: each one records the fields it sets (type, mode, actor, recipient, place,
date) or that the event is rejected; the event's state at a time is the fold of the corrections made by
then (:func:`corrected`, :func:`versions`). Pure functions: time comes in as an argument.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from datetime import date as Day
from enum import StrEnum

from forewarn.errors import InvalidArgument
from forewarn.model.records import StoredEvent, StoredParticipant, StoredPlace

TAG_MAX = 48
NOTE_MAX = 4000
REASON_MAX = 2000
_TAG_BAD = re.compile(r"[^a-z0-9:._/-]+")


class TargetKind(StrEnum):
    DOCUMENT = "document"
    EVENT = "event"


class CorrectionAction(StrEnum):
    CORRECT = "correct"
    REJECT = "reject"


def document_key(document_id: str) -> str:
    return f"document:{document_id}"


def event_key(document_id: str, trigger_start: int, trigger_end: int, event_type: str) -> str:
    """The key an event's annotations attach by: it survives re-extraction that codes the same trigger as
    the same type (the event's id also hashes its sentence number, which a new segmenter may change)."""
    return f"event:{document_id}:{trigger_start}:{trigger_end}:{event_type}"


def key_of(event: StoredEvent) -> str:
    return event_key(event.document_id, event.trigger_start, event.trigger_end, event.type)


def normalise_tag(text: str) -> str:
    """A tag as stored: NFKC, lower case, runs of spaces and punctuation as one hyphen, at most 48 characters
    ("Needs Review!" → "needs-review"). Refuses an empty one."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    tag = _TAG_BAD.sub("-", folded).strip("-")
    if not tag:
        raise InvalidArgument(f"tag {text!r} is empty once normalised",
                              hint="a tag is a short label of letters, digits and - : . _ /")
    if len(tag) > TAG_MAX:
        raise InvalidArgument(f"tag {tag[:20]!r}… is {len(tag)} characters long (at most {TAG_MAX})",
                              hint="use a shorter label; put longer text in a note")
    return tag


def checked_text(text: str, what: str, most: int) -> str:
    """A note's or a reason's text, stripped; refuses an empty or an overlong one."""
    value = text.strip()
    if not value:
        raise InvalidArgument(f"the {what} is empty", hint=f"write the {what}")
    if len(value) > most:
        raise InvalidArgument(f"the {what} is {len(value):,} characters long (at most {most:,})",
                              hint=f"shorten the {what}")
    return value


@dataclass(frozen=True, slots=True)
class Target:
    """What an annotation is about: a document, or an event of it (by its key; ``event_id`` as it was)."""

    kind: TargetKind
    key: str
    document_id: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    target: Target
    text: str
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Tag:
    id: int
    target: Target
    tag: str
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Changes:
    """The fields a correction sets; None leaves a field as it was."""

    type: str | None = None
    mode: str | None = None
    actor: StoredParticipant | None = None
    recipient: StoredParticipant | None = None
    place: StoredPlace | None = None
    date: Day | None = None  # (named Day here: the field's name would shadow the type)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in ("type", "mode", "actor", "recipient", "place", "date") if getattr(self, f) is not None)


@dataclass(frozen=True, slots=True)
class Correction:
    """One correction of one event (by its key), as made: the fields it set or a rejection, why, who, when.
    ``original``: the event's value of each field it changed, as shown then."""

    id: int
    target: Target
    trigger_start: int
    trigger_end: int
    original_type: str
    action: CorrectionAction
    changes: Changes
    original: dict[str, str]
    reason: str | None
    author: str
    at: datetime

    @property
    def rejected(self) -> bool:
        return self.action is CorrectionAction.REJECT


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One corrected field as shown: the original value (struck through), the value now, who and when."""

    field: str
    original: str
    value: str
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CorrectionState:
    """An event's corrections folded: the fields changed (latest value of each), rejected or not (and why),
    whether the event still exists after re-extraction."""

    key: str
    document_id: str
    event_id: str | None
    corrections: tuple[Correction, ...]
    fields: tuple[FieldChange, ...]
    rejected: Correction | None
    orphaned: bool = False


def shown(field: str, event: StoredEvent) -> str:
    """An event's field as text, for the record of what a correction changed."""
    if field in ("actor", "recipient"):
        who: StoredParticipant | None = getattr(event, field)
        return "" if who is None else f"{who.name} ({who.canonical_id})"
    if field == "place":
        return "" if event.place is None else _place_text(event.place)
    if field == "date":
        return event.date.isoformat()
    value = getattr(event, field)
    return "" if value is None else str(value)


def shown_change(field: str, changes: Changes) -> str:
    value = getattr(changes, field)
    if isinstance(value, StoredParticipant):
        return f"{value.name} ({value.canonical_id})"
    if isinstance(value, StoredPlace):
        return _place_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _place_text(place: StoredPlace) -> str:
    return ", ".join(p for p in (place.name, place.admin1 if place.admin1 != place.name else None, place.country) if p)


def apply(event: StoredEvent, changes: Changes) -> StoredEvent:
    """The event with a correction's fields set (a corrected date is a day, not read from the publication)."""
    out = event
    if changes.type is not None:
        out = replace(out, type=changes.type, mode=changes.mode)
    elif changes.mode is not None:
        out = replace(out, mode=changes.mode)
    for role in ("actor", "recipient"):
        who = getattr(changes, role)
        if who is not None:
            out = replace(out, **{role: who})
    if changes.place is not None:
        out = replace(out, place=replace(changes.place, sentence=event.sentence))
    if changes.date is not None:
        out = replace(out, date=changes.date, date_precision="day", date_from_publication=False)
    return out


def corrected(event: StoredEvent, corrections: Sequence[Correction], at: datetime | None = None
              ) -> StoredEvent | None:
    """The event as corrected by the corrections made by ``at`` (all when None), oldest first; None when
    the latest of them rejects it (a correction after a rejection restores the event, with every field set
    before)."""
    out, rejected = event, False
    for c in sorted(corrections, key=lambda c: (c.at, c.id)):
        if at is not None and c.at > at:
            break
        rejected = c.rejected
        if not c.rejected:
            out = apply(out, c.changes)
    return None if rejected else out


@dataclass(frozen=True, slots=True)
class Version:
    """The event as it stood from ``since`` (a correction's time; None: as extracted) until ``until`` (the
    next correction's; None: still), or None while rejected."""

    event: StoredEvent | None
    since: datetime | None
    until: datetime | None


def versions(event: StoredEvent, corrections: Sequence[Correction], at: datetime | None = None) -> list[Version]:
    """The event's successive states under the corrections made by ``at``: as extracted, then after each
    correction. A replay step at T sees the version whose span holds T."""
    made = [c for c in sorted(corrections, key=lambda c: (c.at, c.id)) if at is None or c.at <= at]
    times: list[datetime | None] = [None, *(c.at for c in made)]
    found = []
    for i, since in enumerate(times):
        upto = made[:i]
        until = times[i + 1] if i + 1 < len(times) else None
        found.append(Version(corrected(event, upto), since, until))
    return found


def state(key: str, document_id: str, event: StoredEvent | None, corrections: Sequence[Correction]
          ) -> CorrectionState:
    """The corrections of one event key folded for display; ``event`` None: orphaned by re-extraction."""
    ordered = tuple(sorted(corrections, key=lambda c: (c.at, c.id)))
    latest: dict[str, FieldChange] = {}
    for c in ordered:
        for f in c.changes.fields:
            first = latest.get(f)
            original = first.original if first else c.original.get(f, "")
            latest[f] = FieldChange(f, original, shown_change(f, c.changes), c.author, c.at)
    last = ordered[-1] if ordered else None
    rejected = last if last is not None and last.rejected else None
    event_id = event.id if event is not None else (ordered[-1].target.event_id if ordered else None)
    return CorrectionState(key, document_id, event_id, ordered, tuple(latest.values()), rejected, event is None)
