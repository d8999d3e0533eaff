"""Appending to the hash chain.

Each entry's hash is SHA-256 over a canonical encoding (UTF-8 JSON, sorted keys, no spaces) of
its sequence number, time, actor, kind, subject, payload and the previous entry's hash. The
first entry chains to :data:`GENESIS`. docs/ledger.md gives the encoding exactly; a test pins it.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Connection, Select, select

from forewarn.errors import ClockBackwards, InvalidArgument, SigningKeyError
from forewarn.ledger.rows import MAX_SEQ, as_text, as_time, stored, stored_time
from forewarn.model import LedgerEntry
from forewarn.store import schema as t
from forewarn.store.core import NOTES

GENESIS = "0" * 64
HEAD_NOTE = "ledger_head"  # the (seq, hash) a transaction's last append left, for after-commit hooks
LOCK_KEY = 0x666F726577  # PostgreSQL advisory lock that serialises appends ("forew")


class Signer(Protocol):
    key_id: str

    def sign(self, data: bytes) -> str: ...  # hex signature


def canonical_payload(payload: dict[str, Any]) -> str:
    try:
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise InvalidArgument(f"a ledger payload must be plain JSON: {err}") from err


def entry_hash(seq: int, at: datetime, actor: str, kind: str, subject: str, payload: str, prev_hash: str) -> str:
    body = {"seq": seq, "at": _iso(at), "actor": actor, "kind": kind, "subject": subject,
            "payload": payload, "prev": prev_hash}
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def last_entry(conn: Connection) -> tuple[int, str, datetime | None] | None:
    """(seq, hash, at) of the chain's last entry, or None for an empty ledger. A tampered last row
    does not stop appends (that would let whoever corrupts one row silence every warning): a seq
    stored as a fraction counts as its whole part, a hash that is not text as empty, a time that is
    no time as None (the time check is then skipped). `ledger verify` reports the row."""
    row = conn.execute(_head_query()).first()
    if row is None:
        return None
    return math.floor(row.seq), as_text(row.hash) or "", as_time(row.at)


@cache
def _head_query() -> Select[Any]:
    """The last entry's seq, hash and time as stored (built once: every append runs it)."""
    c = t.ledger.c
    return select(c.seq, stored(c.hash), stored_time(c.at)).where(c.seq <= MAX_SEQ).order_by(c.seq.desc()).limit(1)


def lock(conn: Connection) -> None:
    """Take the chain's writer lock for the rest of the caller's transaction: on PostgreSQL an
    advisory lock (taking it again in the same transaction is harmless); SQLite's write transaction
    already holds the one writer lock. Read a live clock *after* this, so two writers cannot append
    out of time order."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")


def append(conn: Connection, *, at: datetime, actor: str, kind: str, subject: str, payload: dict[str, Any],
           signer: Signer | None = None) -> LedgerEntry:
    """Append one entry inside the caller's write transaction (so the entry and the change it
    records commit together, or neither does). Refuses a time earlier than the last entry's."""
    if at.tzinfo is None:
        raise InvalidArgument("ledger times must be timezone-aware")
    at = at.astimezone(UTC)
    lock(conn)
    if signer is not None:
        _check_signer(conn, signer, actor)
    last = last_entry(conn)
    seq, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
    if last is not None and last[2] is not None and at < last[2]:
        raise ClockBackwards(f"the time {_iso(at)} is earlier than the last ledger entry ({_iso(last[2])})",
                             hint="check the system clock; nothing was recorded")
    text = canonical_payload(payload)
    digest = entry_hash(seq, at, actor, kind, subject, text, prev)
    signature = signer.sign(bytes.fromhex(digest)) if signer else None
    key_id = signer.key_id if signer else None
    conn.execute(t.ledger.insert().values(seq=seq, at=at, actor=actor, kind=kind, subject=subject, payload=text,
                                          prev_hash=prev, hash=digest, key_id=key_id, signature=signature))
    _note_head(conn, seq, digest)
    return LedgerEntry(seq, at, actor, kind, subject, json.loads(text), prev, digest, key_id, signature)


def _note_head(conn: Connection, seq: int, digest: str) -> None:
    """Tell the store's after-commit hooks (automatic anchors) the head this transaction leaves."""
    notes = conn.info.get(NOTES)
    if notes is not None:
        notes[HEAD_NOTE] = (seq, digest)


def _check_signer(conn: Connection, signer: Signer, actor: str) -> None:
    owner = conn.execute(select(t.ledger_keys.c.actor).where(t.ledger_keys.c.key_id == signer.key_id)).scalar()
    if owner != actor:
        whose = "is not registered" if owner is None else f"is registered to {owner}, not {actor}"
        raise SigningKeyError(f"the signing key {signer.key_id[:16]}… {whose}; nothing was recorded",
                              hint="register it with `forewarn ledger keygen`, or set signing_key to your own key")


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")
