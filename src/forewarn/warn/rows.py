"""The `warnings` table: rows to WarningRecords, one warning by id, the board query (in the order of
:func:`forewarn.warn.policy.board_key`, written here in SQL by :func:`board_order`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, case, select

from forewarn.errors import NotFound
from forewarn.model import Disposition, Origin, WarningRecord, WarningState
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.warn.policy import BOARD_SEVERITIES, OTHER_RANK, severity_rank

W = t.warnings.c


def to_record(row: Row[Any]) -> WarningRecord:
    return WarningRecord(
        id=row.id, origin=Origin(row.origin), scenario_id=row.scenario_id, severity=row.severity, title=row.title,
        text=row.text, probability=row.probability, event_ids=tuple(row.event_ids),
        document_ids=tuple(row.document_ids), partner=row.partner, partner_ref=row.partner_ref,
        state=WarningState(row.state), disposition=Disposition(row.disposition) if row.disposition else None,
        rationale=row.rationale, signposts=tuple(row.signposts), owner=row.owner, chain=tuple(row.chain),
        escalation_level=row.escalation_level, raised_at=row.raised_at, raised_by=row.raised_by,
        ack_deadline=row.ack_deadline, acknowledged_at=row.acknowledged_at, acknowledged_by=row.acknowledged_by,
        disposed_at=row.disposed_at, disposed_by=row.disposed_by, reopened=row.reopened, updated_at=row.updated_at,
        owner_account=row.owner_account, owner_name=row.owner_name, due_at=row.due_at, reminders=row.reminders,
    )


def fetch(conn: Connection, warning_id: int, *, lock: bool = False, access: Access = EVERYTHING) -> WarningRecord:
    """One warning ``access`` may see (a hidden one: NotFound, as a wrong id); ``lock`` holds its row until the
    transaction ends (PostgreSQL; SQLite's write transaction already excludes other writers)."""
    query = select(t.warnings).where(W.id == warning_id, *hidden_from(W.compartment, access))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no warning {warning_id}", hint="`forewarn warnings --all` lists them")
    return to_record(row)


def fetch_many(conn: Connection, *, states: Sequence[WarningState], scenario_id: str | None = None,
               lock: bool = False) -> list[WarningRecord]:
    """Warnings in ``states`` (of one scenario when given), by id; locked in id order when asked."""
    query = select(t.warnings).where(W.state.in_([s.value for s in states])).order_by(W.id)
    if scenario_id is not None:
        query = query.where(W.scenario_id == scenario_id)
    return [to_record(r) for r in conn.execute(query.with_for_update() if lock else query)]


def board_order() -> tuple[ColumnElement[Any], ...]:
    """:func:`forewarn.warn.policy.board_key` in SQL: the database sorts as the board does."""
    escalated = case((W.escalation_level > 0, 0), else_=1)
    severity = case({s: severity_rank(s) for s in BOARD_SEVERITIES}, value=W.severity, else_=OTHER_RANK)
    return escalated, severity, W.raised_at, W.id


def board_query(*, states: Sequence[WarningState], severity: str | None = None, scenario_id: str | None = None,
                access: Access = EVERYTHING) -> Select[Any]:
    """Warnings in ``states`` (of one severity, of one scenario, when given) that ``access`` may see, in board
    order."""
    query = (select(t.warnings).where(W.state.in_([s.value for s in states]), *hidden_from(W.compartment, access))
             .order_by(*board_order()))
    if severity:
        query = query.where(W.severity == severity.strip().lower())
    if scenario_id is not None:
        query = query.where(W.scenario_id == scenario_id)
    return query


def board(conn: Connection, *, states: Sequence[WarningState], scenario_id: str | None, limit: int,
          access: Access = EVERYTHING) -> list[WarningRecord]:
    """The first ``limit`` warnings of the board's order (those ``access`` may see)."""
    query = board_query(states=states, scenario_id=scenario_id, access=access)
    return [to_record(r) for r in conn.execute(query.limit(limit))]


def due_ids(conn: Connection, at: datetime) -> list[int]:
    """Unacknowledged open warnings whose next automatic step (escalation, or a reminder at the
    chain's end) is due, the longest due first."""
    query = (select(W.id).where(W.state == WarningState.RAISED.value, W.due_at <= at)
             .order_by(W.due_at, W.id))
    return [int(i) for i in conn.execute(query).scalars()]


def update(conn: Connection, warning_id: int, **values: Any) -> None:
    conn.execute(t.warnings.update().where(W.id == warning_id).values(**values))


def insert(conn: Connection, **values: Any) -> int:
    result = conn.execute(t.warnings.insert().values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
