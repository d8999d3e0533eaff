"""Reads behind the board, the warning pages and the warnings API: warnings in board order with
filters, offset and a total; what changed since a cursor (the ledger's sequence number); and the
short facts about a warning's evidence (document titles, event dates). Each is one or two indexed
queries: nothing here reads the events or documents tables beyond the ids asked for."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, case, func, select

from forewarn.ledger.rows import MAX_SEQ
from forewarn.model import WarningRecord, WarningState
from forewarn.store import schema as t
from forewarn.warn import rows
from forewarn.warn.policy import BOARD_SEVERITIES

W = t.warnings.c
L = t.ledger.c
CHANGE_ROWS = 2000  # ledger rows read per call of `changes`; the cursor then moves only that far
IN_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True, slots=True)
class Changes:
    cursor: int  # the ledger's sequence number the caller has seen up to
    warnings: list[WarningRecord]  # changed after the previous cursor (or, on a reset, all open ones)
    reset: bool  # True: `warnings` is the whole open board, not a difference


@dataclass(frozen=True, slots=True)
class DocumentBrief:
    id: str
    title: str | None
    source_id: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventBrief:
    id: str
    document_id: str
    type: str
    date: date


def _order() -> tuple[object, ...]:
    """The board's order: escalated first, then by severity (critical, high, elevated, others), oldest first."""
    escalated = case((W.escalation_level > 0, 0), else_=1)
    severity = case({s: i for i, s in enumerate(BOARD_SEVERITIES)}, value=W.severity, else_=len(BOARD_SEVERITIES))
    return escalated, severity, W.raised_at, W.id


def list_warnings(conn: Connection, *, states: Sequence[WarningState], severity: str | None = None,
                  scenario_id: str | None = None, limit: int = 50, offset: int = 0
                  ) -> tuple[list[WarningRecord], int]:
    """One page of warnings in board order, and how many match in all."""
    where: list[ColumnElement[bool]] = [W.state.in_([s.value for s in states])]
    if severity:
        where.append(W.severity == severity.strip().lower())
    if scenario_id:
        where.append(W.scenario_id == scenario_id)
    query = select(t.warnings).where(*where).order_by(*_order()).limit(limit).offset(offset)  # type: ignore[arg-type]
    found = [rows.to_record(r) for r in conn.execute(query)]
    if len(found) < limit and (found or offset == 0):  # the last page: no need to count
        return found, offset + len(found)
    return found, int(conn.execute(select(func.count()).select_from(t.warnings).where(*where)).scalar_one())


def fetch_warnings(conn: Connection, ids: Iterable[int]) -> list[WarningRecord]:
    """The warnings with these ids (unknown ones left out), in board order."""
    wanted = sorted(set(ids))
    found: list[WarningRecord] = []
    for i in range(0, len(wanted), IN_CHUNK):
        query = select(t.warnings).where(W.id.in_(wanted[i:i + IN_CHUNK]))
        found += [rows.to_record(r) for r in conn.execute(query)]
    return sorted(found, key=board_key)


def board_key(w: WarningRecord) -> tuple[int, int, datetime, int]:
    rank = BOARD_SEVERITIES.index(w.severity) if w.severity in BOARD_SEVERITIES else len(BOARD_SEVERITIES)
    return (0 if w.escalation_level > 0 else 1), rank, w.raised_at, w.id


def ledger_head(conn: Connection) -> int:
    """The sequence number of the ledger's last entry (0 when empty); a seq tampered into text or a
    fraction does not count (`ledger verify` reports it)."""
    return math.floor(conn.execute(select(func.max(L.seq)).where(L.seq <= MAX_SEQ)).scalar_one_or_none() or 0)


def changes(conn: Connection, since: int | None, open_limit: int = 500) -> Changes:
    """Warnings changed after ledger entry ``since``: every change to a warning appends an entry
    about ``warning:<id>`` in the same transaction, and entries get their numbers in commit order
    (the ledger lock is held to the commit), so nothing committed after a cursor is skipped. No
    cursor (or one from another ledger, ahead of its head): the open board, as a reset."""
    head = ledger_head(conn)
    if since is None or since > head:
        board, _ = list_warnings(conn, states=rows.OPEN_STATES, limit=open_limit)
        return Changes(head, board, True)
    query = (select(L.seq, L.subject).where(L.seq > since, L.seq <= head, L.subject.like("warning:%"))
             .order_by(L.seq).limit(CHANGE_ROWS))
    found = list(conn.execute(query))
    cursor = int(found[-1].seq) if len(found) == CHANGE_ROWS else head
    ids = {int(s) for _, subject in found if (s := subject.partition(":")[2]).isdigit()}
    return Changes(cursor, fetch_warnings(conn, ids), False)


def documents_brief(conn: Connection, ids: Iterable[str]) -> dict[str, DocumentBrief]:
    """Title, source and publication time of the stored documents among ``ids`` (not their text)."""
    d = t.documents.c
    wanted = sorted(set(ids))
    found: dict[str, DocumentBrief] = {}
    for i in range(0, len(wanted), IN_CHUNK):
        query = select(d.id, d.title, d.source_id, d.published_at).where(d.id.in_(wanted[i:i + IN_CHUNK]))
        found.update((r.id, DocumentBrief(r.id, r.title, r.source_id, r.published_at)) for r in conn.execute(query))
    return found


def events_brief(conn: Connection, ids: Iterable[str]) -> dict[str, EventBrief]:
    """Document, type and date of the stored events among ``ids``."""
    e = t.events.c
    wanted = sorted(set(ids))
    found: dict[str, EventBrief] = {}
    for i in range(0, len(wanted), IN_CHUNK):
        query = select(e.id, e.document_id, e.type, e.date).where(e.id.in_(wanted[i:i + IN_CHUNK]))
        found.update((r.id, EventBrief(r.id, r.document_id, r.type, r.date)) for r in conn.execute(query))
    return found


def scenario_names(conn: Connection, *, enabled_only: bool = False) -> dict[str, str]:
    """Scenario names by id, in id order; removed ones too unless ``enabled_only`` (old warnings name them)."""
    s = t.scenarios.c
    query = select(s.id, s.name).order_by(s.id)
    if enabled_only:
        query = query.where(s.enabled.is_(True))
    return {r.id: r.name for r in conn.execute(query)}
