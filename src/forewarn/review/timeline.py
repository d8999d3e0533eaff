"""One line per thing that happened before (and around) an event: signals becoming known, warnings
raised, acknowledged, escalated, disposed of and reopened — each with who and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forewarn.model import LedgerEntry, WarningRecord
from forewarn.review.warnstate import text
from forewarn.warn.history import Run, runs


class TimelineKind(StrEnum):  # in this order when two share a time
    SIGNAL = "signal"
    RAISED = "raised"
    ESCALATED = "escalated"
    REMINDED = "reminded"
    ACKNOWLEDGED = "acknowledged"
    DISPOSED = "disposed"
    SUPERSEDED = "superseded"
    REOPENED = "reopened"
    NOTE = "note"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: TimelineKind
    actor: str  # who acted (the sources, for a signal)
    warning_id: int | None
    summary: str
    detail: str = ""  # evidence, rationale, note or reason
    repeats: tuple[TimelineEntry, ...] = ()  # folded repeats (reminders, identical escalations), oldest first


def signal_entry(at: datetime, indicator_ids: Sequence[str], source_ids: Sequence[str],
                 evidence: str) -> TimelineEntry:
    return TimelineEntry(at, TimelineKind.SIGNAL, ", ".join(source_ids), None,
                         f"signal: {', '.join(indicator_ids)}", evidence)


def warning_entries(warning: WarningRecord, history: Sequence[LedgerEntry]) -> list[TimelineEntry]:
    """The warning's ledger history as timeline entries; without one, what its record says."""
    if not history:
        return _from_record(warning)
    return [_run(warning, run) for run in runs(sorted(history, key=lambda e: e.seq))]


def _run(w: WarningRecord, run: Run) -> TimelineEntry:
    """One entry, or repeated reminders (identical escalations) as one: "warning #3 reminded 3 times"."""
    first = _entry(w, run.first)
    if not run.grouped:
        return first
    return TimelineEntry(first.at, first.kind, first.actor, w.id, f"warning #{w.id} {run.label}", run.span,
                         tuple(_entry(w, e) for e in run.entries))


def _entry(w: WarningRecord, e: LedgerEntry) -> TimelineEntry:
    kind = e.kind.removeprefix("warning-")
    label = f"warning #{w.id}"
    if kind == "raised":
        return TimelineEntry(e.at, TimelineKind.RAISED, e.actor, w.id, _raised(w), w.text)
    if kind == "acknowledged":
        return TimelineEntry(e.at, TimelineKind.ACKNOWLEDGED, e.actor, w.id, f"{label} acknowledged",
                             text(e, "note") or "")
    if kind == "escalated":
        to = text(e, "to", "owner")
        return TimelineEntry(e.at, TimelineKind.ESCALATED, e.actor, w.id,
                             f"{label} escalated" + (f" to {to}" if to else ""), text(e, "reason") or "")
    if kind == "reminded":
        n, cap = e.payload.get("n"), e.payload.get("cap")
        return TimelineEntry(e.at, TimelineKind.REMINDED, e.actor, w.id,
                             f"{label} reminded ({n} of {cap})" + ("; no further reminders" if e.payload.get("last")
                                                                   else ""), text(e, "owner") or "")
    if kind == "disposed":
        how = text(e, "disposition") or "disposed"
        return TimelineEntry(e.at, TimelineKind.DISPOSED, e.actor, w.id, f"{label} disposed of: {how}",
                             text(e, "rationale") or "")
    if kind == "superseded":
        by = e.payload.get("by") or e.payload.get("superseded_by")
        return TimelineEntry(e.at, TimelineKind.SUPERSEDED, e.actor, w.id,
                             f"{label} superseded" + (f" by #{by}" if by is not None else ""),
                             text(e, "rationale", "reason") or "")
    if kind == "reopened":
        fresh = e.payload.get("new_event_ids")
        why = f"{len(fresh)} new matching events" if isinstance(fresh, list) else (text(e, "reason") or "")
        return TimelineEntry(e.at, TimelineKind.REOPENED, e.actor, w.id, f"{label} reopened", why)
    return TimelineEntry(e.at, TimelineKind.NOTE, e.actor, w.id, f"{label}: {e.kind}", text(e, "note", "text") or "")


def _raised(w: WarningRecord) -> str:
    source = f" from {w.partner}" + (f" (ref. {w.partner_ref})" if w.partner_ref else "") if w.partner else ""
    return f"warning #{w.id} raised ({w.origin.value}{source}, {w.severity}): {w.title}"


def _from_record(w: WarningRecord) -> list[TimelineEntry]:
    entries = [TimelineEntry(w.raised_at, TimelineKind.RAISED, w.raised_by, w.id, _raised(w), w.text)]
    if w.acknowledged_at is not None:
        entries.append(TimelineEntry(w.acknowledged_at, TimelineKind.ACKNOWLEDGED, w.acknowledged_by or "", w.id,
                                     f"warning #{w.id} acknowledged"))
    if w.disposed_at is not None and w.disposition is not None:
        entries.append(TimelineEntry(w.disposed_at, TimelineKind.DISPOSED, w.disposed_by or "", w.id,
                                     f"warning #{w.id} disposed of: {w.disposition.value}", w.rationale or ""))
    return entries
