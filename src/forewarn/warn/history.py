"""A warning's history: its ledger entries, oldest first."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from forewarn.model import LedgerEntry
from forewarn.store import schema as t

L = t.ledger.c


def entries_about(conn: Connection, subject: str) -> list[LedgerEntry]:
    query = select(t.ledger).where(L.subject == subject).order_by(L.seq)
    return [LedgerEntry(int(r.seq), r.at, r.actor, r.kind, r.subject, json.loads(r.payload), r.prev_hash, r.hash,
                        r.key_id, r.signature) for r in conn.execute(query)]
