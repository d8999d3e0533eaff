"""What had become of a warning by a given time, replayed from its ledger history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forewarn.model import Disposition, LedgerEntry, WarningRecord


class WarningStatus(StrEnum):
    UNACKNOWLEDGED = "unacknowledged"
    ACKNOWLEDGED = "acknowledged"
    ACTED_ON = "acted-on"
    DISMISSED = "dismissed"
    SUPERSEDED = "superseded"


DISPOSED = {Disposition.ACTED_ON: WarningStatus.ACTED_ON, Disposition.DISMISSED: WarningStatus.DISMISSED,
            Disposition.SUPERSEDED: WarningStatus.SUPERSEDED}


@dataclass(frozen=True, slots=True)
class WarningOutcome:
    warning: WarningRecord
    status: WarningStatus  # as of the time asked about
    owner: str  # whom it was waiting on then
    escalations: int  # before then
    by: str | None  # who took the action behind ``status`` (acknowledged or disposed of it)
    when: datetime | None
    rationale: str | None  # of a disposal; the note of an acknowledgement
    reopened: int  # times it reopened before then


def outcome_at(warning: WarningRecord, history: Sequence[LedgerEntry], at: datetime) -> WarningOutcome:
    """The warning's state just before ``at``, from its ledger ``history`` (entries at or after
    ``at`` are ignored). Without a history, the record's own fields (times before ``at``) say it."""
    if not history:
        return _from_record(warning, at)
    state = _State(warning.chain[0] if warning.chain else warning.owner)
    for entry in sorted(history, key=lambda e: e.seq):
        if entry.at < at:
            state.apply(entry)
    return WarningOutcome(warning, state.status, state.owner, state.escalations, state.by, state.when,
                          state.rationale, state.reopened)


class _State:
    """A warning's lifecycle, advanced one ledger entry at a time."""

    def __init__(self, owner: str) -> None:
        self.status = WarningStatus.UNACKNOWLEDGED
        self.owner = owner
        self.escalations = 0
        self.by: str | None = None
        self.when: datetime | None = None
        self.rationale: str | None = None
        self.reopened = 0

    def apply(self, entry: LedgerEntry) -> None:
        kind = entry.kind.removeprefix("warning-")
        if kind == "raised":
            self.owner = text(entry, "owner") or self.owner
        elif kind == "escalated":  # hands it on: the next person must acknowledge it again
            self.escalations += 1
            self.owner = text(entry, "to", "owner") or self.owner
            if self.status is WarningStatus.ACKNOWLEDGED:
                self.status, self.by, self.when, self.rationale = WarningStatus.UNACKNOWLEDGED, None, None, None
        elif kind == "acknowledged" and self.status is WarningStatus.UNACKNOWLEDGED:
            self._act(WarningStatus.ACKNOWLEDGED, entry, text(entry, "note"))
        elif kind == "disposed":
            disposition = _disposition(text(entry, "disposition"))
            status = DISPOSED[disposition] if disposition else WarningStatus.DISMISSED
            self._act(status, entry, text(entry, "rationale"))
        elif kind == "superseded":
            self._act(WarningStatus.SUPERSEDED, entry, text(entry, "rationale", "reason"))
        elif kind == "reopened":
            self.reopened += 1
            self.status, self.by, self.when, self.rationale = WarningStatus.UNACKNOWLEDGED, None, None, None
            self.owner = text(entry, "owner") or self.owner

    def _act(self, status: WarningStatus, entry: LedgerEntry, rationale: str | None) -> None:
        self.status, self.by, self.when, self.rationale = status, entry.actor, entry.at, rationale


def text(entry: LedgerEntry, *keys: str) -> str | None:
    """The first of ``keys`` in the entry's payload that holds a non-empty string."""
    for key in keys:
        value = entry.payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _disposition(value: str | None) -> Disposition | None:
    try:
        return Disposition(value) if value else None
    except ValueError:
        return None


def _from_record(w: WarningRecord, at: datetime) -> WarningOutcome:
    if w.disposed_at is not None and w.disposed_at < at and w.disposition is not None:
        return WarningOutcome(w, DISPOSED[w.disposition], w.owner, w.escalation_level, w.disposed_by, w.disposed_at,
                              w.rationale, w.reopened)
    if w.acknowledged_at is not None and w.acknowledged_at < at:
        return WarningOutcome(w, WarningStatus.ACKNOWLEDGED, w.owner, w.escalation_level, w.acknowledged_by,
                              w.acknowledged_at, None, w.reopened)
    return WarningOutcome(w, WarningStatus.UNACKNOWLEDGED, w.owner, w.escalation_level, None, None, None, w.reopened)
