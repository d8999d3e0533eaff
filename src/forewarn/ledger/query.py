"""Reading ledger entries back, with filters: a page of them and how many match (for pagers), the
kinds the ledger holds, the head's sequence number, and the display names of the actors.

Every read is bounded (LIMIT, COUNT in SQL) and uses an index, except a filter on time alone
(``at`` has no index: the count reads the ledger)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select

from forewarn.errors import InvalidArgument
from forewarn.ledger.rows import MAX_SEQ, Malformed, Row, parse, stored_columns
from forewarn.model import LedgerEntry
from forewarn.redact import redact_value
from forewarn.store import schema as t

PREFIX_MARK = "*"
MALFORMED = "malformed"  # the kind a row that cannot be read as an entry is shown with
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LedgerFilter:
    """Which entries a page shows (all when empty); times inclusive."""

    kinds: tuple[str, ...] = ()
    actor: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def arguments(self) -> dict[str, Any]:
        return {"kind": list(self.kinds) or None, "actor": self.actor or None, "subject": self.subject or None,
                "since": self.since, "until": self.until}


@dataclass(frozen=True)
class EntryPage:
    entries: list[LedgerEntry]
    total: int  # entries matching the filter in all


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


def page_entries(engine: Engine, f: LedgerFilter, *, limit: int, offset: int = 0, newest_first: bool = True,
                 matching: int | None = None) -> list[LedgerEntry]:
    """One page of matching entries. ``matching`` (the count, when known) lets SQLite pick the cheaper
    path for a kind or actor filter: its index finds every match and sorts them all, which is slow when
    a large share of the ledger matches; walking the chain from its end and skipping the rest stops
    after the page. PostgreSQL's planner makes that choice by itself."""
    query = select_entries(**f.arguments(), limit=limit, offset=offset, newest_first=newest_first)
    if matching and (f.kinds or f.actor) and engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            last = conn.execute(select(func.max(t.ledger.c.seq))).scalar() or 0
        if (offset + limit) * last / matching < matching:  # rows walked vs. rows the index would fetch
            query = _walk_chain(f, limit=limit, offset=offset, newest_first=newest_first)
    with engine.connect() as conn:
        return fetch(conn, query)


def _walk_chain(f: LedgerFilter, *, limit: int, offset: int, newest_first: bool) -> Select[Any]:
    """The page's query with the kind and actor tests made unusable as index lookups (``col || ''``),
    so SQLite reads the ledger in seq order and stops after the page."""
    c = t.ledger.c
    query = select_entries(subject=f.subject, since=f.since, until=f.until, limit=limit, offset=offset,
                           newest_first=newest_first)
    if f.kinds:
        query = query.where(c.kind.concat("").in_(f.kinds))
    if f.actor:
        query = query.where(c.actor.concat("") == f.actor)
    return query


def count_entries(engine: Engine, f: LedgerFilter) -> int:
    """How many ledger entries match (one COUNT in the database)."""
    inner = select_entries(**f.arguments()).order_by(None).with_only_columns(t.ledger.c.seq).subquery()
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def kinds(engine: Engine, most: int = 100) -> list[str]:
    """The kinds of entry the ledger holds, for a filter's choices: one index seek per kind (a skip
    scan), so it costs the same however long the ledger is."""
    kind = t.ledger.c.kind
    found: list[str] = []
    with engine.connect() as conn:
        while len(found) < most:
            query = select(func.min(kind))
            nxt = conn.execute(query.where(kind > found[-1]) if found else query).scalar()
            if nxt is None:
                break
            found.append(str(nxt))
    return found


def display_names(engine: Engine) -> dict[str, str]:
    """Account name → display name (accounts are few): how a page names the actors."""
    u = t.users.c
    with engine.connect() as conn:
        return {str(r.name): str(r.display_name) for r in conn.execute(select(u.name, u.display_name))}


def head_seq(conn: Connection) -> int:
    """The sequence number of the ledger's last entry (0 when empty); a seq tampered into text or a
    fraction does not count (`ledger verify` reports it)."""
    c = t.ledger.c
    return math.floor(conn.execute(select(func.max(c.seq)).where(c.seq <= MAX_SEQ)).scalar_one_or_none() or 0)
