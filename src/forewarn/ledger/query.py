"""Reading ledger entries back, with filters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, select

from forewarn.errors import InvalidArgument
from forewarn.ledger.rows import Malformed, Row, parse, stored_columns
from forewarn.model import LedgerEntry
from forewarn.redact import redact_value
from forewarn.store import schema as t

PREFIX_MARK = "*"
MALFORMED = "malformed"  # the kind a row that cannot be read as an entry is shown with
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    query = select(*stored_columns()).order_by(c.seq.desc() if newest_first else c.seq)
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
    """A ledger row as an entry to show, its payload parsed from the stored canonical JSON with every
    URL in it redacted (entries written before targets were stored redacted may hold a webhook's
    credentials; the stored row stays as hashed, and `verify` reads it, not this). The row is read
    as stored (:func:`select_entries`): a malformed one never raises, see :func:`malformed_entry`."""
    parsed = parse(row)
    try:
        payload = json.loads(parsed.payload) if isinstance(parsed, Row) else None
    except ValueError:
        payload = None
    if not isinstance(parsed, Row) or not isinstance(payload, dict):
        return malformed_entry(parsed)
    return LedgerEntry(parsed.seq, parsed.at, parsed.actor, parsed.kind, parsed.subject, redact_value(payload),
                       parsed.prev_hash, parsed.hash, parsed.key_id, parsed.signature)


def malformed_entry(r: Row | Malformed) -> LedgerEntry:
    """A row that cannot be shown as it is (a field not of its type, a payload that is not a JSON
    object), shown as kind ``malformed`` with what is wrong; ``ledger verify`` reports it as
    tampering. A seq that is not a whole number shows as 0, a time that is no time as 1970-01-01."""
    if isinstance(r, Row):
        return LedgerEntry(r.seq, r.at, r.actor, MALFORMED, r.subject,
                           {"problem": "its payload is not a JSON object"}, r.prev_hash, r.hash)
    return LedgerEntry(r.seq or 0, r.at or EPOCH, r.text("actor") or "", MALFORMED, r.text("subject") or "",
                       {"problem": r.problem, "seq": r.found_seq}, r.text("prev_hash") or "", r.text("hash") or "")
