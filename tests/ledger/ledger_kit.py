"""Helpers for the tests that play an attacker who gets past the database's triggers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select

from forewarn.app import Workspace
from forewarn.ledger import entry_hash
from forewarn.store import schema as t


@contextmanager
def attacker(ws: Workspace) -> Iterator[Connection]:
    """A write transaction with the append-only triggers out of the way, as a database
    administrator could arrange."""
    with ws.store.transaction() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER ledger_no_update")
            conn.exec_driver_sql("DROP TRIGGER ledger_no_delete")
            conn.exec_driver_sql("DROP TRIGGER ledger_no_replace")
        else:
            conn.exec_driver_sql("ALTER TABLE ledger DISABLE TRIGGER ledger_no_change")
        yield conn


def rows(conn: Connection, from_seq: int = 1) -> list[dict[str, Any]]:
    c = t.ledger.c
    return [dict(r._mapping) for r in conn.execute(select(t.ledger).where(c.seq >= from_seq).order_by(c.seq))]


def rehash(row: dict[str, Any], prev: str) -> dict[str, Any]:
    """The row chained to ``prev`` with its hash recomputed (its signature cannot be redone)."""
    row = {**row, "prev_hash": prev}
    row["hash"] = entry_hash(row["seq"], row["at"], row["actor"], row["kind"], row["subject"], row["payload"], prev)
    return row


def rewrite_from(conn: Connection, seq: int, new_rows: list[dict[str, Any]]) -> None:
    """Replace every row from ``seq`` on by ``new_rows``, renumbered and re-hashed: a consistent
    rewrite of the chain's tail."""
    prev = conn.execute(select(t.ledger.c.hash).where(t.ledger.c.seq == seq - 1)).scalar_one()
    conn.execute(t.ledger.delete().where(t.ledger.c.seq >= seq))
    for n, row in enumerate(new_rows, start=seq):
        row = rehash({**row, "seq": n}, prev)
        conn.execute(t.ledger.insert().values(**row))
        prev = row["hash"]
