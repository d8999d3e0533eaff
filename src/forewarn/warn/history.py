"""A warning's history: its ledger entries, oldest first, as they are shown (payloads redacted by
the ledger's one read path, :func:`forewarn.ledger.query.row_entry`), and the one rule that folds
repeated entries into one row (:func:`runs`): the reminders of a warning at the end of its chain, and
repeated identical escalations (a ledger from before reminders has "director → director" every
deadline), shown as "reminded 3 times, 12 Aug 06:00 – 18:00" on the warning page, the ledger page and
in the post-mortem's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from forewarn.ledger.query import fetch, select_entries
from forewarn.model import LedgerEntry

REPEATABLE = ("warning-reminded", "warning-escalated")


def entries_about(conn: Connection, subject: str) -> list[LedgerEntry]:
    """The entries about ``subject`` (``warning:12``), in chain order."""
    return fetch(conn, select_entries(subject=subject))


@dataclass(frozen=True, slots=True)
class Run:
    """One entry, or several repeats of one (same subject, same kind, the same people) in a row."""

    entries: tuple[LedgerEntry, ...]  # oldest first; never empty

    @property
    def first(self) -> LedgerEntry:
        return self.entries[0]

    @property
    def last(self) -> LedgerEntry:
        return self.entries[-1]

    @property
    def grouped(self) -> bool:
        return len(self.entries) > 1

    @property
    def label(self) -> str:
        """"reminded 3 times", "escalated director → director 26 times" (one entry: its kind)."""
        e, n = self.first, len(self.entries)
        if n == 1:
            return e.kind
        if e.kind == "warning-escalated":
            return f"escalated {e.payload.get('from')} → {e.payload.get('to')} {n} times"
        return f"{e.kind.removeprefix('warning-')} {n} times"

    @property
    def span(self) -> str:
        """When: "12 Aug 06:00 – 18:00" (the year and the day on the right only when they change)."""
        times = [e.at for e in self.entries]  # oldest first, or newest first as on the ledger page
        return span(min(times), max(times))

    @property
    def seqs(self) -> str:
        """"10–12": the first and last entry numbers."""
        numbers = [e.seq for e in self.entries]
        return f"{min(numbers)}–{max(numbers)}" if self.grouped else str(numbers[0])


def repeat_key(e: LedgerEntry) -> tuple[str, ...] | None:
    """What makes two entries repeats of each other, or None for an entry never folded."""
    if e.kind not in REPEATABLE:
        return None
    if e.kind == "warning-escalated":
        return e.subject, e.kind, str(e.payload.get("from")), str(e.payload.get("to"))
    return e.subject, e.kind


def runs(entries: Iterable[LedgerEntry]) -> list[Run]:
    """``entries`` in their order, each repeat folded into the run of the first entry it repeats; a
    run ends at the next entry about the same subject that does not repeat it (entries about other
    subjects in between, as on the ledger page, do not end it)."""
    found: list[list[LedgerEntry]] = []
    open_runs: dict[str, tuple[int, tuple[str, ...]]] = {}  # subject → (index in found, key)
    for e in entries:
        key, current = repeat_key(e), open_runs.get(e.subject)
        if key is not None and current is not None and current[1] == key:
            found[current[0]].append(e)
            continue
        found.append([e])
        if key is None:
            open_runs.pop(e.subject, None)
        else:
            open_runs[e.subject] = (len(found) - 1, key)
    return [Run(tuple(group)) for group in found]


def span(start: datetime, end: datetime) -> str:
    if start.date() == end.date():
        right = f"{end:%H:%M}"
    elif start.year == end.year:
        right = f"{end:%d %b %H:%M}"
    else:
        right = f"{end:%d %b %Y %H:%M}"
    return f"{start:%d %b %Y %H:%M} – {right}" if start.year != end.year else f"{start:%d %b %H:%M} – {right}"
