"""The workspace clock's one row (table ``workspace_clock``, migration 0011): read it, write it, clear it.
Writes take the caller's connection: the change and its ledger entry commit together."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, select

from forewarn.model.clock import WorkspaceTime
from forewarn.store import schema as t

ROW = 1  # the table holds at most this one row


def read(engine: Engine) -> WorkspaceTime | None:
    """The workspace's time as set, or None (the workspace runs on the real time)."""
    c = t.workspace_clock.c
    with engine.connect() as conn:
        row = conn.execute(select(c.at, c.set_at, c.running, c.set_by).where(c.id == ROW)).first()
    return None if row is None else WorkspaceTime(row.at, row.set_at, bool(row.running), row.set_by)


def write(conn: Connection, value: WorkspaceTime) -> None:
    """Set the workspace's time (replacing the one set before), inside the caller's transaction."""
    clear(conn)
    conn.execute(t.workspace_clock.insert().values(id=ROW, at=value.at, set_at=value.set_at, running=value.running,
                                                   set_by=value.set_by))


def clear(conn: Connection) -> None:
    """Back to the real time, inside the caller's transaction."""
    conn.execute(delete(t.workspace_clock))
