"""Verifying the chain: recompute every hash, follow every link, check every signature.

Rows are read in sequence order a chunk at a time (keyset pagination), so memory stays bounded
whatever the ledger's length. Each problem names the sequence number where it was found and one
:class:`ProblemKind`; docs/ledger.md says what each kind means and what can cause it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, or_, select

from forewarn.errors import LedgerBroken
from forewarn.ledger.chain import GENESIS, entry_hash
from forewarn.ledger.crosscheck import cross_check
from forewarn.ledger.keys import KEY_REGISTERED, key_id_of
from forewarn.ledger.problems import Problem, ProblemKind
from forewarn.ledger.rows import MAX_SEQ, Malformed, Row, parse, stored_columns
from forewarn.store import schema as t

if TYPE_CHECKING:
    from forewarn.ledger.anchor import Anchor
    from forewarn.store import SqlStore

CHUNK = 5000  # rows per read
MAX_PROBLEMS = 200  # listed; beyond that they are only counted
MOVE_WINDOW = 8  # how far (in seq) a moved entry is looked for


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    count: int  # entries read
    last_seq: int  # 0 for an empty ledger
    last_hash: str  # GENESIS for an empty ledger
    problems: tuple[Problem, ...]
    more: int = 0  # problems found beyond those listed
    anchored: int | None = None  # the seq of the anchor checked against, if any
    auto_anchored: int | None = None  # the seq of the newest automatic anchor checked against, if any
    notes: tuple[str, ...] = ()  # what else the reader should know (an unreadable anchor file …)

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


def verify(source: Engine | SqlStore, anchor: Anchor | None = None, *, chunk: int = CHUNK,
           auto_anchor: Anchor | None = None, notes: Sequence[str] = (), state: bool = True) -> VerifyReport:
    """Verify the whole chain (and, given an anchor or an automatic one, that the entry it vouches
    for is still there), then, with ``state``, that the state tables agree with it (:mod:`.crosscheck`).
    Never raises on what it reads: a malformed row is a problem at its place."""
    engine = source if isinstance(source, Engine) else source.engine
    anchors = [(f"the anchor of {a.at.isoformat()}", a) for a in (anchor,) if a is not None]
    anchors += [(f"the automatic anchor of {a.at.isoformat()}", a) for a in (auto_anchor,) if a is not None]
    with engine.connect() as conn:  # one read transaction: a consistent view while appends go on
        if conn.dialect.name == "postgresql":  # (SQLite's WAL read transaction is a snapshot already)
            conn.execution_options(isolation_level="REPEATABLE READ")
        walk = _Walk(conn, anchors)
        for row in _rows(conn, chunk):
            walk.row(row)
        for odd in _odd_rows(conn):
            walk.odd(odd)
        if state:
            for problem in cross_check(conn):
                walk.keep(problem)
        return walk.report(anchor, auto_anchor, tuple(notes))


def _rows(conn: Connection, chunk: int) -> Iterator[Row | Malformed]:
    """The rows whose seq is a number, in seq order, a chunk at a time (keyset on the stored number)."""
    c = t.ledger.c
    query = (select(c.seq.label("position"), *stored_columns()).where(c.seq <= MAX_SEQ).order_by(c.seq)
             .limit(chunk))
    batch = conn.execute(query).all()
    while batch:
        yield from (parse(r) for r in batch)
        batch = conn.execute(query.where(c.seq > batch[-1].position)).all()


def _odd_rows(conn: Connection) -> Iterator[Malformed | Row]:
    """Rows whose seq is no number at all (text, bytes, NULL: only on SQLite), which sort after the chain."""
    c = t.ledger.c
    query = select(*stored_columns()).where(or_(c.seq.is_(None), c.seq > MAX_SEQ)).limit(MAX_PROBLEMS + 1)
    yield from (parse(r) for r in conn.execute(query))


@dataclass(slots=True)
class _Key:
    actor: str
    key: Ed25519PublicKey


@dataclass(slots=True)
class _Walk:
    """The state of one pass over the chain."""

    conn: Connection
    anchors: list[tuple[str, Anchor]]  # (how to name it, the anchor)
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
    anchors_seen: set[int] = field(default_factory=set)  # indexes into anchors

    def add(self, seq: int, kind: ProblemKind, message: str) -> None:
        self.keep(Problem(seq, kind, message))

    def keep(self, problem: Problem) -> None:
        """List the problem, or only count it once MAX_PROBLEMS are listed."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1

    def row(self, r: Row | Malformed) -> None:
        if isinstance(r, Malformed):
            self.malformed(r)
            return
        if r.seq < self.expected:  # only a seq below 1 can come out of order
            self.add(r.seq, ProblemKind.FORGED, "an entry numbered below 1, before the chain's start")
            return
        gap = self._place(r.seq)
        written = _written_seq(r)
        if written is None:
            self.add(r.seq, ProblemKind.MODIFIED, "its content no longer matches its hash: changed after it was "
                                                   "written")
        else:
            moved = False if gap else self._link(r, written)
            if not moved:
                self._time(r)
            self._signature(r)
        self._anchor(r.seq, r.hash)
        self.expected, self.prev_hash, self.prev_at = r.seq + 1, r.hash, r.at
        self.prev_offset = 0 if written is None else written - r.seq

    def _place(self, seq: int) -> bool:
        """Count a row at ``seq`` and report the entries missing before it; True when some are."""
        self.count += 1
        if seq <= self.expected:
            return False
        first, last = self.expected, seq - 1
        span = f"entry {first} is" if first == last else f"entries {first}–{last} are"
        self.add(first, ProblemKind.DELETED, f"{span} missing")
        return True

    def malformed(self, m: Malformed) -> None:
        """A row, among those numbered, whose fields are not of their types: reported at its place;
        the chain goes on from its stored hash."""
        if m.seq is None:  # a fraction, sorted among the whole numbers
            self.count += 1
            self.add(self.expected, ProblemKind.MALFORMED, f"the row after seq {self.expected - 1}: {m.problem}")
            return
        if m.seq < self.expected:
            self.add(m.seq, ProblemKind.MALFORMED, f"a row numbered below 1: {m.problem}")
            return
        self._place(m.seq)
        self.add(m.seq, ProblemKind.MALFORMED, f"{m.problem}: changed behind the ledger's back")
        digest = m.text("hash") or ""
        self._anchor(m.seq, digest)
        self.expected, self.prev_hash, self.prev_offset = m.seq + 1, digest, 0

    def odd(self, m: Malformed | Row) -> None:
        """A row whose seq is not a number (it sorts after the chain): reported where it chains from."""
        self.count += 1
        prev = m.text("prev_hash") if isinstance(m, Malformed) else m.prev_hash
        source = _seq_of(self.conn, prev, -1) if prev else None
        problem = m.problem if isinstance(m, Malformed) else "its seq is not a number"
        if source is None:
            self.add(self.expected, ProblemKind.MALFORMED, f"a row stored after the chain's end: {problem}")
        else:
            self.add(source + 1, ProblemKind.MALFORMED, f"the row that chains from seq {source} (so stands for "
                                                        f"seq {source + 1}): {problem}")

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

    def _anchor(self, seq: int, digest: str) -> None:
        for n, (name, a) in enumerate(self.anchors):
            if seq != a.seq:
                continue
            self.anchors_seen.add(n)
            if digest != a.hash:
                self.add(seq, ProblemKind.REWRITTEN, f"it is not the entry {name} vouches for (another hash): the "
                                                     "chain was rewritten up to here")

    def report(self, anchor: Anchor | None, auto_anchor: Anchor | None, notes: tuple[str, ...]) -> VerifyReport:
        last_seq = self.expected - 1
        for n, (name, a) in enumerate(self.anchors):
            self._check_anchor(n, name, a, last_seq)
        ok = not self.problems and not self.more
        return VerifyReport(ok, self.count, last_seq, self.prev_hash, tuple(self.problems), self.more,
                            None if anchor is None else anchor.seq, None if auto_anchor is None else auto_anchor.seq,
                            notes)

    def _check_anchor(self, n: int, name: str, a: Anchor, last_seq: int) -> None:
        if n not in self.anchors_seen and last_seq < a.seq:
            self.add(a.seq, ProblemKind.TRUNCATED, f"the chain ends at seq {last_seq}, but {name} vouches for "
                                                   f"seq {a.seq}")
        key = self.keys.get(a.key_id) if a.key_id else None
        if a.key_id and (key is None or key.actor != a.actor):
            self.add(a.seq, ProblemKind.BAD_SIGNATURE, f"{name} is signed with a key not registered to "
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
    """Where the entry with this hash is now, if at a whole number (a scan: only run where the chain
    is broken)."""
    c = t.ledger.c
    found = conn.execute(select(c.seq).where(c.hash == digest, c.seq != other_than, c.seq <= MAX_SEQ)
                         .order_by(c.seq).limit(1)).scalar()
    return found if isinstance(found, int) else None


def _verifies(key: Ed25519PublicKey, r: Any) -> bool:
    try:
        key.verify(bytes.fromhex(r.signature), bytes.fromhex(r.hash))
    except (InvalidSignature, ValueError):
        return False
    return True
