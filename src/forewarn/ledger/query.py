"""Reading ledger entries back, with filters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, select

from forewarn.errors import InvalidArgument
from forewarn.model import LedgerEntry
from forewarn.store import schema as t

PREFIX_MARK = "*"


def entries(engine: Engine, *, kind: str | Sequence[str] | None = None, actor: str | None = None,
            subject: str | None = None, since: datetime | None = None, until: datetime | None = None,
            limit: int | None = None, offset: int = 0, newest_first: bool = False) -> list[LedgerEntry]:
    """Ledger entries in chain order (or newest first). ``kind`` is one kind or several; ``subject``
    matches exactly, or as a prefix when it ends in ``:`` or ``*`` ("warning:" → every warning's
    entries); ``since`` and ``until`` bound the entry time, both inclusive."""
    with engine.connect() as conn:
        return fetch(conn, select_entries(kind=kind, actor=actor, subject=subject, since=since, until=until,
                                          limit=limit, offset=offset, newest_first=newest_first))


def select_entries(*, kind: str | Sequence[str] | None = None, actor: str | None = None, subject: str | None = None,
                   since: datetime | None = None, until: datetime | None = None, limit: int | None = None,
                   offset: int = 0, newest_first: bool = False) -> Select[Any]:
    c = t.ledger.c
    query = select(t.ledger).order_by(c.seq.desc() if newest_first else c.seq)
    kinds = [kind] if isinstance(kind, str) else list(kind or ())
    if kinds:
        query = query.where(c.kind.in_(kinds))
    if actor is not None:
        query = query.where(c.actor == actor)
    if subject:
        query = query.where(_subject(subject))
    for bound, name in ((since, "since"), (until, "until")):
        if bound is not None and bound.tzinfo is None:
            raise InvalidArgument(f"{name} must be timezone-aware", hint="give a time with its UTC offset")
    if since is not None:
        query = query.where(c.at >= since)
    if until is not None:
        query = query.where(c.at <= until)
    if limit is not None:
        query = query.limit(limit)
    return query.offset(offset) if offset else query


def _subject(subject: str) -> Any:
    c = t.ledger.c
    if subject.endswith(PREFIX_MARK):
        return c.subject.startswith(subject[:-1], autoescape=True)
    if subject.endswith(":"):
        return c.subject.startswith(subject, autoescape=True)
    return c.subject == subject


def fetch(conn: Connection, query: Select[Any]) -> list[LedgerEntry]:
    return [row_entry(r) for r in conn.execute(query)]


def row_entry(row: Any) -> LedgerEntry:
    """A ledger row as an entry, its payload parsed from the stored canonical JSON."""
    return LedgerEntry(int(row.seq), row.at, row.actor, row.kind, row.subject, json.loads(row.payload),
                       row.prev_hash, row.hash, row.key_id, row.signature)
