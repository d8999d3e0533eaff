"""Notes, tags and corrections as a service of the Workspace (``ws.annotations``): each action and its ledger
entry commit in one transaction, as the acting principal, at the workspace's clock.

A correction is checked field by field before anything is written: the type and mode against PLOVER's lists
(:data:`forewarn.model.query.EVENT_MODES`), an actor or recipient by entity id or exact name (the entity desk's
entities), a place by gazetteer id or name (a town, else a first-level region, else a country), a date as ISO.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from forewarn.errors import InvalidArgument, NotFound
from forewarn.ledger.service import LedgerService
from forewarn.model.annotations import (
    NOTE_MAX,
    REASON_MAX,
    Changes,
    Correction,
    CorrectionAction,
    CorrectionState,
    Note,
    Target,
    TargetKind,
    checked_text,
    document_key,
    key_of,
    normalise_tag,
    shown,
    state,
)
from forewarn.model.marking import EVERYTHING, Access, Compartment, strictest
from forewarn.model.query import EVENT_MODES, EVENT_TYPES
from forewarn.model.records import StoredEvent, StoredParticipant, StoredPlace
from forewarn.store import SqlStore
from forewarn.store import notes as db
from forewarn.store.access import compartments_on

if TYPE_CHECKING:
    from forewarn.geo.gazetteer import Gazetteer


@dataclass(frozen=True, slots=True)
class CorrectionInput:
    """What an analyst asks to change, as typed (each None: unchanged)."""

    type: str | None = None
    mode: str | None = None
    actor: str | None = None
    recipient: str | None = None
    place: str | None = None
    date: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class TagChange:
    target: Target
    tag: str
    changed: bool  # False: it already had (or did not have) the tag


@dataclass(frozen=True)
class AnnotationDesk:
    store: SqlStore
    clock: Callable[[], datetime]
    ledger: LedgerService
    gazetteer: Callable[[], Gazetteer]
    access: Callable[[], Access] = lambda: EVERYTHING  # what the asker may see (the workspace's Reads.access)

    @property
    def actor(self) -> str:
        return self.ledger.who.name

    # -- targets -------------------------------------------------------------------------------------
    def target(self, kind: TargetKind | str, ref: str) -> Target:
        """A document (id or unique prefix) or an event (its id) as an annotation's target; one the asker may not
        see is not found (the same NotFound as a wrong id)."""
        return self._located(kind, ref)[0]

    def _located(self, kind: TargetKind | str, ref: str) -> tuple[Target, int | None]:
        """The target and its compartment id (None: open)."""
        if TargetKind(kind) is TargetKind.DOCUMENT:
            doc = self.store.get_document(ref.strip())
            if not self.access().sees(doc.compartment_id):
                raise NotFound(f"no document {ref.strip()!r}", hint="`forewarn documents` lists them")
            return Target(TargetKind.DOCUMENT, document_key(doc.id), doc.id), doc.compartment_id
        event = self.event(ref)
        return Target(TargetKind.EVENT, key_of(event), event.document_id, event.id), event.compartment_id

    def event(self, event_id: str) -> StoredEvent:
        found = db.event_by_id(self.store.engine, event_id.strip())
        if found is None or not self.access().sees(found.compartment_id):
            raise NotFound(f"no event {event_id!r}", hint="`forewarn events --document ID` lists a document's events")
        return found

    # -- notes and tags ------------------------------------------------------------------------------
    def note(self, kind: TargetKind | str, ref: str, text: str, *, marking: str | None = None,
             teams: Sequence[str] = (), recipients: Sequence[str] = ()) -> Note:
        """A note on a document or an event, with its ledger entry (``note-added``). Its compartment is the
        strictest of its target's and the one given (``marking``, ``teams``, ``recipients``; none: the target's)."""
        (target, held), body = self._located(kind, ref), checked_text(text, "note", NOTE_MAX)
        own = asked_compartment(marking, teams, recipients)
        with self.store.transaction() as conn:
            at = self.clock()
            cid = self._compartment(conn, held, own)
            note_id = db.add_note(conn, target, body, self.actor, at, cid)
            self.ledger.append(conn, "note-added", _subject(target), {"note": note_id, "text": body})
        return Note(note_id, target, body, self.actor, at)

    def _compartment(self, conn: Connection, held: int | None, own: Compartment | None) -> int | None:
        """The id of the strictest of the target's compartment (``held``) and ``own`` (in the write transaction)."""
        if own is None:
            return held
        return self.store.compartment_id(conn, strictest([*compartments_on(conn, [held]).values(), own]))

    def tag(self, kind: TargetKind | str, ref: str, label: str) -> TagChange:
        """Tag a document or an event (the tag normalised), with its ledger entry (``tag-added``) when it is new."""
        target, tag = self.target(kind, ref), normalise_tag(label)
        with self.store.transaction() as conn:
            added = db.add_tag(conn, target, tag, self.actor, self.clock())
            if added:
                self.ledger.append(conn, "tag-added", _subject(target), {"tag": tag})
        return TagChange(target, tag, added)

    def untag(self, kind: TargetKind | str, ref: str, label: str) -> TagChange:
        """Remove a tag, with its ledger entry (``tag-removed``) when the target had it."""
        target, tag = self.target(kind, ref), normalise_tag(label)
        with self.store.transaction() as conn:
            removed = db.remove_tag(conn, target, tag)
            if removed:
                self.ledger.append(conn, "tag-removed", _subject(target), {"tag": tag})
        return TagChange(target, tag, removed)

    # -- corrections ---------------------------------------------------------------------------------
    def correct(self, event_id: str, asked: CorrectionInput) -> CorrectionState:
        """Correct an event's fields, each checked; with its ledger entry (``event-corrected``)."""
        event = self.event(event_id)
        changes = self._changes(event, asked)
        if not changes.fields:
            raise InvalidArgument("nothing to correct", hint="give --type, --mode, --actor, --recipient, --place or "
                                                             "--date")
        reason = checked_text(asked.reason, "reason", REASON_MAX) if asked.reason and asked.reason.strip() else None
        return self._record(event, CorrectionAction.CORRECT, changes, reason)

    def reject(self, event_id: str, reason: str) -> CorrectionState:
        """Reject an event (mis-coded, not an event): scoring ignores it from now on; ledgered (``event-rejected``)."""
        event = self.event(event_id)
        return self._record(event, CorrectionAction.REJECT, Changes(), checked_text(reason, "reason", REASON_MAX))

    def _record(self, event: StoredEvent, action: CorrectionAction, changes: Changes, reason: str | None
                ) -> CorrectionState:
        target = Target(TargetKind.EVENT, key_of(event), event.document_id, event.id)
        original = {f: shown(f, event) for f in changes.fields}
        with self.store.transaction() as conn:
            at = self.clock()
            c = Correction(0, target, event.trigger_start, event.trigger_end, event.type, action, changes, original,
                           reason, self.actor, at)
            c = replace(c, id=db.add_correction(conn, c))
            kind = "event-rejected" if action is CorrectionAction.REJECT else "event-corrected"
            self.ledger.append(conn, kind, f"event:{event.id}", {
                "correction": c.id, "key": target.key, "changes": db.changes_json(changes), "original": original,
                "reason": reason})
        return state(target.key, event.document_id, event, db.corrections(self.store.engine, keys=[target.key]))

    def _changes(self, event: StoredEvent, asked: CorrectionInput) -> Changes:
        kind = _event_type(asked.type) if asked.type else None
        mode = _mode(kind or event.type, asked.mode) if asked.mode else None
        return Changes(type=kind if kind != event.type else None, mode=mode,
                       actor=self._participant(asked.actor, "actor") if asked.actor else None,
                       recipient=self._participant(asked.recipient, "recipient") if asked.recipient else None,
                       place=self._place(asked.place, event.sentence) if asked.place else None,
                       date=_date(asked.date) if asked.date else None)

    def _participant(self, ref: str, role: str) -> StoredParticipant:
        """An entity by id, else by exact name or alias (case-insensitive), at the end of its merge chain."""
        spec = ref.strip()
        try:
            entity = self.store.get_entity(spec)
        except NotFound:
            found = [e for e in self.store.list_entities(search=spec, limit=50)
                     if spec.casefold() in {e.name.casefold(), *(a.casefold() for a in e.aliases)}]
            if len(found) != 1:
                what = "no entity" if not found else f"{len(found)} entities ({', '.join(e.id for e in found[:5])})"
                raise InvalidArgument(f"{role} {spec!r}: {what} of that id or name",
                                      hint="give an entity id: `forewarn entities list --search NAME`") from None
            entity = found[0]
        canonical = self.store.get_entity(entity.canonical_id) if entity.canonical_id != entity.id else entity
        return StoredParticipant(entity_id=canonical.id, canonical_id=canonical.id, name=canonical.name,
                                 text=canonical.name, start=0, end=0, country=canonical.country,
                                 sector=canonical.sector)

    def _place(self, ref: str, sentence: int) -> StoredPlace:
        """A place by gazetteer id ("geonames:706483", "admin1:UA.07", "country:UKR") or by name."""
        g, spec = self.gazetteer(), ref.strip()
        kind, _, ident = spec.partition(":")
        if kind == "country":
            place = g.country(ident)
        elif kind == "admin1":
            place = g.region(spec)
        elif kind == "geonames":
            place = next((m.place for m in g.towns(ident) if m.place.gazetteer_id == spec), None)
        else:
            match = next(iter(g.towns(spec)), None) or next(iter(g.regions(spec, qualified=True)), None) \
                or g.country_named(spec)
            place = match.place if match is not None else None
        if place is None:
            raise InvalidArgument(f"place {spec!r} is not in the gazetteer",
                                  hint="give a town, a first-level region or a country by name, or a gazetteer id "
                                       "such as country:UKR or admin1:UA.07")
        return StoredPlace(name=place.name, lat=place.lat, lon=place.lon, country=place.country, admin1=place.admin1,
                           gazetteer_id=place.gazetteer_id, precision=str(place.precision), text=place.name, start=0,
                           end=0, sentence=sentence)


def asked_compartment(marking: str | None, teams: Sequence[str] = (), recipients: Sequence[str] = ()
                      ) -> Compartment | None:
    """The compartment asked for at a write (``--marking``, ``--team``, ``--recipients``), checked; None when no
    marking is given (a team or recipients without a marking are refused: say which marking)."""
    if not (marking or "").strip():
        if teams or recipients:
            raise InvalidArgument("a team or recipients need a marking",
                                  hint="add --marking TLP:AMBER (or TLP:AMBER+STRICT, TLP:RED)")
        return None
    return Compartment.of(str(marking).strip(), teams, recipients)


def _subject(target: Target) -> str:
    return f"document:{target.document_id}" if target.kind is TargetKind.DOCUMENT else f"event:{target.event_id}"


def _event_type(text: str) -> str:
    kind = text.strip().upper()
    if kind not in EVENT_TYPES:
        raise InvalidArgument(f"event type {text!r} is not a PLOVER type", hint=f"one of {', '.join(EVENT_TYPES)}")
    return kind


def _mode(kind: str, text: str) -> str:
    mode = text.strip().lower()
    allowed = EVENT_MODES[kind]
    if mode not in allowed:
        hint = f"{kind}'s modes: {', '.join(allowed)}" if allowed else f"{kind} has no modes"
        raise InvalidArgument(f"mode {text!r} is not a mode of {kind}", hint=hint)
    return mode


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidArgument(f"date {text!r} is not an ISO date", hint="write it YYYY-MM-DD, e.g. 2024-08-05",
                              ) from None
