"""Verifying the chain: recompute every hash, follow every link, check every signature.

Rows are read in sequence order a chunk at a time (keyset pagination), so memory stays bounded
whatever the ledger's length. Each problem names the sequence number where it was found and one
:class:`ProblemKind`; docs/ledger.md says what each kind means and what can cause it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, select

from forewarn.errors import LedgerBroken
from forewarn.ledger.chain import GENESIS, entry_hash
from forewarn.ledger.keys import KEY_REGISTERED, key_id_of
from forewarn.store import schema as t

if TYPE_CHECKING:
    from forewarn.ledger.anchor import Anchor
    from forewarn.store import SqlStore

CHUNK = 5000  # rows per read
MAX_PROBLEMS = 200  # listed; beyond that they are only counted
MOVE_WINDOW = 8  # how far (in seq) a moved entry is looked for


class ProblemKind(StrEnum):
    MODIFIED = "modified"  # an entry's content no longer matches its hash, or it was changed and re-hashed
    DELETED = "deleted"  # entries are missing (a gap in seq, or the later ones renumbered to close it)
    REORDERED = "reordered"  # an entry sits at another place than the one it was written at
    FORGED = "forged"  # entries put in between two that chain to each other, or a start not at genesis
    TIME_BACKWARDS = "time-backwards"  # an entry is dated earlier than the one before it
    BAD_SIGNATURE = "bad-signature"  # a signature that does not verify, or by a key not registered to the actor
    UNSIGNED = "unsigned"  # an unsigned entry from an actor who has registered a key
    BAD_KEY = "bad-key"  # a key registration that does not hold
    TRUNCATED = "truncated"  # the chain ends before the entry an anchor vouches for
    REWRITTEN = "rewritten"  # the entry an anchor vouches for has another hash now


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    kind: ProblemKind
    message: str

    def render(self) -> str:
        return f"seq {self.seq}: {self.kind.value}: {self.message}"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    count: int  # entries read
    last_seq: int  # 0 for an empty ledger
    last_hash: str  # GENESIS for an empty ledger
    problems: tuple[Problem, ...]
    more: int = 0  # problems found beyond those listed
    anchored: int | None = None  # the seq of the anchor checked against, if any

    def summary(self) -> str:
        if self.ok:
            return f"chain intact: {self.count:,} entries, last seq {self.last_seq}, hash {self.last_hash}"
        found = len(self.problems) + self.more
        return f"chain broken: {found} problem{'s' * (found != 1)} in {self.count:,} entries"

    def check(self) -> None:
        """Raise :class:`LedgerBroken` unless the chain verified."""
        if not self.ok:
            first = self.problems[0].render() if self.problems else ""
            raise LedgerBroken(f"{self.summary()}; first at {first}",
                               hint="treat the store as tampered with; `forewarn ledger verify` lists every problem")


def verify(source: Engine | SqlStore, anchor: Anchor | None = None, *, chunk: int = CHUNK) -> VerifyReport:
    """Verify the whole chain (and, given an anchor, that the entry it vouches for is still there)."""
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:  # one read transaction: a consistent view while appends go on
        if conn.dialect.name == "postgresql":  # (SQLite's WAL read transaction is a snapshot already)
            conn.execution_options(isolation_level="REPEATABLE READ")
        walk = _Walk(conn, anchor)
        for row in _rows(conn, chunk):
            walk.row(row)
        return walk.report()


def _rows(conn: Connection, chunk: int) -> Iterator[Any]:
    c = t.ledger.c
    query = select(c.seq, c.at, c.actor, c.kind, c.subject, c.payload, c.prev_hash, c.hash, c.key_id,
                   c.signature).order_by(c.seq).limit(chunk)
    batch = conn.execute(query).all()
    while batch:
        yield from batch
        batch = conn.execute(query.where(c.seq > batch[-1].seq)).all()


@dataclass(slots=True)
class _Key:
    actor: str
    key: Ed25519PublicKey


@dataclass(slots=True)
class _Walk:
    """The state of one pass over the chain."""

    conn: Connection
    anchor: Anchor | None
    expected: int = 1  # the next seq
    prev_hash: str = GENESIS  # stored hash of the previous row
    prev_at: datetime | None = None
    prev_offset: int = 0  # written seq minus seq of the previous row (≠ 0: it had been moved)
    count: int = 0
    problems: list[Problem] = field(default_factory=list)
    more: int = 0
    moved: set[int] = field(default_factory=set)  # seqs of rows found away from where they were written
    keys: dict[str, _Key] = field(default_factory=dict)
    signs_since: dict[str, int] = field(default_factory=dict)  # actor → seq of their first key
    anchor_seen: bool = False

    def add(self, seq: int, kind: ProblemKind, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(seq, kind, message))
        else:
            self.more += 1

    def row(self, r: Any) -> None:
        if r.seq < self.expected:  # only a seq below 1 can come out of order
            self.add(r.seq, ProblemKind.FORGED, "an entry numbered below 1, before the chain's start")
            return
        self.count += 1
        gap = r.seq > self.expected
        if gap:
            first, last = self.expected, r.seq - 1
            span = f"entry {first} is" if first == last else f"entries {first}–{last} are"
            self.add(first, ProblemKind.DELETED, f"{span} missing")
        written = _written_seq(r)
        if written is None:
            self.add(r.seq, ProblemKind.MODIFIED, "its content no longer matches its hash: changed after it was "
                                                   "written")
        else:
            moved = False if gap else self._link(r, written)
            if not moved:
                self._time(r)
            self._signature(r)
        self._anchor(r)
        self.expected, self.prev_hash, self.prev_at = r.seq + 1, r.hash, r.at
        self.prev_offset = 0 if written is None else written - r.seq

    def _link(self, r: Any, written: int) -> bool:
        """Check that the row chains from the one before it; True when it was moved."""
        moved = written != r.seq
        if moved and len(self.moved) < MAX_PROBLEMS:
            self.moved.add(r.seq)
        if r.prev_hash == self.prev_hash:
            if moved and self.prev_offset != written - r.seq:  # not part of a renumbering reported already
                self.add(r.seq, ProblemKind.REORDERED, f"it was written as seq {written}")
            return moved
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return moved
        self._broken_link(r, written, moved)
        return moved

    def _broken_link(self, r: Any, written: int, moved: bool) -> None:
        if r.prev_hash == GENESIS:  # it claims to start the chain, but does not
            if moved:
                self.add(r.seq, ProblemKind.REORDERED, f"it was written as seq {written}")
            else:
                self.add(r.seq, ProblemKind.FORGED, "it claims to start the chain")
            return
        source = _seq_of(self.conn, r.prev_hash, r.seq)
        if source is None and moved and written > r.seq:
            self.add(r.seq, ProblemKind.DELETED, f"it was written as seq {written}; the entries before it were "
                                                 "removed and the later ones renumbered")
        elif source is None and r.seq == 1:
            self.add(r.seq, ProblemKind.FORGED, "the first entry does not chain from the start of the chain")
        elif source is None:
            self.add(r.seq - 1, ProblemKind.MODIFIED, f"seq {r.seq} was chained to a different entry: this one "
                                                      "was changed and re-hashed, or replaced")
        elif source > r.seq:
            self.add(r.seq, ProblemKind.REORDERED, f"it chains from seq {source}, which comes after it")
        elif any(source < k < r.seq for k in self.moved):  # its predecessor was moved away (reported there)
            if moved:
                self.add(r.seq, ProblemKind.REORDERED, f"it was written as seq {written}")
        else:
            span = f"entry {source + 1} was" if source + 1 == r.seq - 1 else f"entries {source + 1}–{r.seq - 1} were"
            self.add(source + 1, ProblemKind.FORGED, f"{span} put in: seq {r.seq} chains from seq {source}")

    def _time(self, r: Any) -> None:
        if self.prev_at is not None and r.at < self.prev_at:
            self.add(r.seq, ProblemKind.TIME_BACKWARDS, f"dated {r.at.isoformat()}, before the entry ahead of it "
                                                        f"({self.prev_at.isoformat()})")

    def _signature(self, r: Any) -> None:
        new = None
        if r.kind == KEY_REGISTERED:
            new = self._registration(r)
            if new is None:
                return
        if r.key_id is None or r.signature is None:
            if r.key_id or r.signature:
                self.add(r.seq, ProblemKind.BAD_SIGNATURE, "a signature without its key id, or a key id without "
                                                           "a signature")
            elif r.actor in self.signs_since:
                self.add(r.seq, ProblemKind.UNSIGNED, f"unsigned entry from an actor who signs ({r.actor}, since "
                                                      f"seq {self.signs_since[r.actor]}): forged?")
            elif new is not None:
                self.add(r.seq, ProblemKind.BAD_KEY, "a key registration must be signed by the key it registers")
            return
        key = self._signing_key(r, new)
        if key is None:
            return
        if not _verifies(key.key, r):
            self.add(r.seq, ProblemKind.BAD_SIGNATURE, "the signature does not verify: the entry or its signature "
                                                       "was changed")
        elif new is not None:
            self.keys[new[0]] = new[1]
            self.signs_since.setdefault(r.actor, r.seq)

    def _signing_key(self, r: Any, new: tuple[str, _Key] | None) -> _Key | None:
        if new is not None and r.actor not in self.signs_since:  # an actor's first key signs itself in
            if r.key_id != new[0]:
                self.add(r.seq, ProblemKind.BAD_KEY, "an actor's first key must sign its own registration")
                return None
            return new[1]
        key = self.keys.get(r.key_id)
        if new is not None and (key is None or key.actor != r.actor):
            self.add(r.seq, ProblemKind.BAD_KEY, f"a further key for {r.actor} must be registered with a signature "
                                                 "by a key they have")
            return None
        if key is None:
            self.add(r.seq, ProblemKind.BAD_SIGNATURE, f"signed with key {r.key_id[:16]}…, which is not registered "
                                                       "before this entry")
            return None
        if key.actor != r.actor:
            self.add(r.seq, ProblemKind.BAD_SIGNATURE, f"signed with a key of {key.actor}, not of {r.actor}")
            return None
        return key

    def _registration(self, r: Any) -> tuple[str, _Key] | None:
        """The key a key-registered entry registers, when the registration holds."""
        try:
            p = json.loads(r.payload)
            key_id, actor, public = p["key_id"], p["actor"], p["public_key"]
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
            valid = key_id == key_id_of(public) and key_id not in self.keys
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            self.add(r.seq, ProblemKind.BAD_KEY, "the registered key is malformed, registered already, or its id "
                                                 "is not the hash of its public key")
            return None
        if actor != r.actor:
            self.add(r.seq, ProblemKind.BAD_KEY, f"{r.actor} registered a key for {actor}; actors register their own")
            return None
        return key_id, _Key(actor, key)

    def _anchor(self, r: Any) -> None:
        if self.anchor is None or r.seq != self.anchor.seq:
            return
        self.anchor_seen = True
        if r.hash != self.anchor.hash:
            self.add(r.seq, ProblemKind.REWRITTEN, f"it is not the entry anchored at {self.anchor.at.isoformat()} "
                                                   "(another hash): the chain was rewritten up to here")

    def report(self) -> VerifyReport:
        last_seq = self.expected - 1
        if self.anchor is not None:
            self._check_anchor(last_seq)
        ok = not self.problems and not self.more
        return VerifyReport(ok, self.count, last_seq, self.prev_hash, tuple(self.problems), self.more,
                            None if self.anchor is None else self.anchor.seq)

    def _check_anchor(self, last_seq: int) -> None:
        assert self.anchor is not None
        a = self.anchor
        if not self.anchor_seen and last_seq < a.seq:
            self.add(a.seq, ProblemKind.TRUNCATED, f"the chain ends at seq {last_seq}, but the anchor of "
                                                   f"{a.at.isoformat()} vouches for seq {a.seq}")
        key = self.keys.get(a.key_id) if a.key_id else None
        if a.key_id and (key is None or key.actor != a.actor):
            self.add(a.seq, ProblemKind.BAD_SIGNATURE, f"the anchor is signed with a key not registered to "
                                                       f"{a.actor} in this ledger")


def _written_seq(r: Any) -> int | None:
    """The seq the row's hash was computed with: its own, a nearby one (it was moved), or None."""
    def hashed(seq: int) -> bool:
        return entry_hash(seq, r.at, r.actor, r.kind, r.subject, r.payload, r.prev_hash) == r.hash

    if hashed(r.seq):
        return int(r.seq)
    for offset in range(1, MOVE_WINDOW + 1):
        for seq in (r.seq - offset, r.seq + offset):
            if seq > 0 and hashed(seq):
                return int(seq)
    return None


def _seq_of(conn: Connection, digest: str, other_than: int) -> int | None:
    """Where the entry with this hash is now (a scan: only run where the chain is broken)."""
    c = t.ledger.c
    return conn.execute(select(c.seq).where(c.hash == digest, c.seq != other_than).limit(1)).scalar()


def _verifies(key: Ed25519PublicKey, r: Any) -> bool:
    try:
        key.verify(bytes.fromhex(r.signature), bytes.fromhex(r.hash))
    except (InvalidSignature, ValueError):
        return False
    return True
