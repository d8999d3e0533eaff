"""The tamper matrix: an attacker who gets past the triggers changes the ledger; verify must say
what was done and where (exact kind and seq), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ledger_kit import attacker, rehash, rewrite_from, rows
from sqlalchemy import Connection

from forewarn.app import Workspace
from forewarn.errors import LedgerBroken
from forewarn.ledger import GENESIS
from forewarn.ledger.keys import Ed25519Signer
from forewarn.ledger.verify import ProblemKind as K
from forewarn.store import schema as t

Tamper = Callable[[Connection], None]


def update(conn: Connection, where: int, **values: Any) -> None:
    conn.execute(t.ledger.update().where(t.ledger.c.seq == where).values(**values))


def renumber(conn: Connection, old: int, new: int) -> None:
    update(conn, old, seq=new)


def modify_payload(conn: Connection) -> None:
    update(conn, 5, payload=json.dumps({"n": 5, "text": "nothing to see"}, separators=(",", ":")))


def backdate(conn: Connection) -> None:
    update(conn, 5, at=rows(conn, 5)[0]["at"] - timedelta(days=3))


def modify_and_rehash(conn: Connection) -> None:
    row = rows(conn, 5)[0]
    changed = rehash({**row, "payload": '{"n":5,"text":"nothing to see"}'}, row["prev_hash"])
    update(conn, 5, payload=changed["payload"], hash=changed["hash"])


def delete_middle(conn: Connection) -> None:
    conn.execute(t.ledger.delete().where(t.ledger.c.seq == 5))


def delete_and_renumber(conn: Connection) -> None:
    conn.execute(t.ledger.delete().where(t.ledger.c.seq == 5))
    for seq in range(6, 11):
        renumber(conn, seq, seq - 1)


def swap(conn: Connection) -> None:
    renumber(conn, 4, -4)
    renumber(conn, 5, 4)
    renumber(conn, -4, 5)


def insert_shifting(conn: Connection) -> None:
    """A forged entry at 5, the later ones moved up by one, no hash recomputed."""
    before = rows(conn, 4)[0]
    for seq in range(10, 4, -1):
        renumber(conn, seq, seq + 1)
    forged = {**before, "seq": 5, "subject": "warning:99", "payload": '{"text":"forged"}'}
    conn.execute(t.ledger.insert().values(**rehash(forged, before["hash"])))


def forged_entry(after: dict[str, Any], **changes: Any) -> dict[str, Any]:
    entry = {**after, "subject": "warning:99", "payload": '{"text":"it was all fine"}', "key_id": None,
             "signature": None, **changes}
    return entry


def insert_rehashed(conn: Connection) -> None:
    """A forged entry at 5 and every later hash recomputed: a consistent chain."""
    tail = rows(conn, 5)
    rewrite_from(conn, 5, [forged_entry(tail[0]), *tail])


def append_forged(conn: Connection, **changes: Any) -> None:
    last = rows(conn, 10)[0]
    entry = forged_entry(last, **{"seq": 11, "at": last["at"] + timedelta(minutes=1), **changes})
    conn.execute(t.ledger.insert().values(**rehash(entry, last["hash"])))


def append_unsigned(conn: Connection) -> None:
    append_forged(conn)


def append_junk_signature(conn: Connection) -> None:
    append_forged(conn, key_id=rows(conn, 10)[0]["key_id"], signature=os.urandom(64).hex())


def append_own_key(conn: Connection) -> None:
    """Signed properly, but with a key of the forger's that was never registered."""
    forger = Ed25519Signer(Ed25519PrivateKey.generate())
    last = rows(conn, 10)[0]
    entry = rehash(forged_entry(last, seq=11, at=last["at"] + timedelta(minutes=1), key_id=forger.key_id),
                   last["hash"])
    conn.execute(t.ledger.insert().values(**{**entry, "signature": forger.sign(bytes.fromhex(entry["hash"]))}))


def register_forger_key(conn: Connection) -> None:
    """The forger registers a key of their own for tester (self-signed), then signs with it."""
    forger = Ed25519Signer(Ed25519PrivateKey.generate())
    last = rows(conn, 10)[0]
    for seq, kind, payload in ((11, "key-registered", {"key_id": forger.key_id, "public_key": forger.public_key,
                                                      "actor": "tester"}),
                               (12, "comment", {"text": "it was all fine"})):
        entry = rehash({**last, "seq": seq, "kind": kind, "payload": json.dumps(payload, separators=(",", ":")),
                        "at": last["at"] + timedelta(minutes=1), "key_id": forger.key_id}, last["hash"])
        entry["signature"] = forger.sign(bytes.fromhex(entry["hash"]))
        conn.execute(t.ledger.insert().values(**entry))
        last = entry


def tamper_signature(conn: Connection) -> None:
    sig = rows(conn, 6)[0]["signature"]
    update(conn, 6, signature=("0" if sig[0] != "0" else "1") + sig[1:])


def strip_signature(conn: Connection) -> None:
    update(conn, 6, signature=None, key_id=None)


def append_backdated(conn: Connection) -> None:
    last = rows(conn, 10)[0]
    append_forged(conn, at=last["at"] - timedelta(hours=1))


def claim_the_start(conn: Connection) -> None:
    last = rows(conn, 10)[0]
    entry = forged_entry(last, seq=11, at=last["at"] + timedelta(minutes=1))
    conn.execute(t.ledger.insert().values(**rehash(entry, GENESIS)))


def delete_first(conn: Connection) -> None:
    conn.execute(t.ledger.delete().where(t.ledger.c.seq == 1))


def half_signature(conn: Connection) -> None:
    update(conn, 6, key_id=None)


def key_for_someone_else(conn: Connection) -> None:
    """tester registers a key in olga's name (signed by that key)."""
    key = Ed25519Signer(Ed25519PrivateKey.generate())
    last = rows(conn, 10)[0]
    entry = rehash({**last, "seq": 11, "kind": "key-registered", "subject": "actor:olga", "key_id": key.key_id,
                    "payload": json.dumps({"actor": "olga", "key_id": key.key_id, "public_key": key.public_key},
                                          separators=(",", ":"), sort_keys=True),
                    "at": last["at"] + timedelta(minutes=1)}, last["hash"])
    conn.execute(t.ledger.insert().values(**{**entry, "signature": key.sign(bytes.fromhex(entry["hash"]))}))


def truncate_tail(conn: Connection) -> None:
    conn.execute(t.ledger.delete().where(t.ledger.c.seq > 7))


@dataclass(frozen=True)
class Case:
    tamper: Tamper
    expected: list[tuple[K, int]]  # every problem, in order
    signed: bool = False


CASES = {
    "modified-payload": Case(modify_payload, [(K.MODIFIED, 5)]),
    "modified-time": Case(backdate, [(K.MODIFIED, 5)]),
    "modified-and-rehashed": Case(modify_and_rehash, [(K.MODIFIED, 5)]),
    "deleted-middle": Case(delete_middle, [(K.DELETED, 5)]),
    "deleted-and-renumbered": Case(delete_and_renumber, [(K.DELETED, 5)]),
    "reordered": Case(swap, [(K.REORDERED, 4), (K.REORDERED, 5)]),
    "forged-insert-shifting": Case(insert_shifting, [(K.FORGED, 5)]),
    "time-backwards": Case(append_backdated, [(K.TIME_BACKWARDS, 11)]),
    "claims-the-start": Case(claim_the_start, [(K.FORGED, 11)]),
    "deleted-first": Case(delete_first, [(K.DELETED, 1)]),
    "key-for-someone-else": Case(key_for_someone_else, [(K.BAD_KEY, 11)]),
    "half-a-signature": Case(half_signature, [(K.BAD_SIGNATURE, 6)], signed=True),
    "forged-insert-rehashed-signed": Case(insert_rehashed, [(K.UNSIGNED, 5)] + [(K.BAD_SIGNATURE, s)
                                                                               for s in range(6, 12)], signed=True),
    "forged-append-unsigned": Case(append_unsigned, [(K.UNSIGNED, 11)], signed=True),
    "forged-append-junk-signature": Case(append_junk_signature, [(K.BAD_SIGNATURE, 11)], signed=True),
    "forged-append-unregistered-key": Case(append_own_key, [(K.BAD_SIGNATURE, 11)], signed=True),
    "forged-key-registration": Case(register_forger_key, [(K.BAD_KEY, 11), (K.BAD_SIGNATURE, 12)], signed=True),
    "tampered-signature": Case(tamper_signature, [(K.BAD_SIGNATURE, 6)], signed=True),
    "stripped-signature": Case(strip_signature, [(K.UNSIGNED, 6)], signed=True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_tamper_is_found_where_it_was_done(name: str, db_url: str, request: pytest.FixtureRequest) -> None:
    case = CASES[name]
    ws: Workspace = request.getfixturevalue("signed_chain" if case.signed else "chain")
    assert ws.ledger.verify().ok
    with attacker(ws) as conn:
        case.tamper(conn)
    report = ws.ledger.verify()
    assert not report.ok
    assert [(p.kind, p.seq) for p in report.problems] == case.expected, report.problems
    with pytest.raises(LedgerBroken, match="FW-E092 chain broken"):
        report.check()


def test_a_consistent_rewrite_passes_without_an_anchor_and_fails_with_one(chain: Workspace, tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.json"
    chain.ledger.anchor(anchor)
    with attacker(chain) as conn:
        insert_rehashed(conn)
    plain = chain.ledger.verify()
    assert plain.ok and plain.last_seq == 11  # the honest limit: unsigned, unanchored, it cannot tell
    report = chain.ledger.verify(anchor)
    assert [(p.kind, p.seq) for p in report.problems] == [(K.REWRITTEN, 10)]


def test_a_cut_off_tail_is_a_shorter_chain_unless_an_anchor_remembers(chain: Workspace, tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.json"
    chain.ledger.anchor(anchor)
    with attacker(chain) as conn:
        truncate_tail(conn)
    plain = chain.ledger.verify()
    assert plain.ok and (plain.count, plain.last_seq) == (7, 7)
    report = chain.ledger.verify(anchor)
    assert [(p.kind, p.seq) for p in report.problems] == [(K.TRUNCATED, 10)]
    assert report.anchored == 10


def test_an_older_anchor_still_vouches_for_its_entry(chain: Workspace, clock: Any, tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.json"
    chain.ledger.anchor(anchor)
    clock.advance(minutes=1)
    chain.ledger.record("comment", "warning:1", {"text": "later"})
    report = chain.ledger.verify(anchor)
    assert report.ok and report.last_seq == 11 and report.anchored == 10


def test_problems_past_the_listing_limit_are_counted(sqlite_workspace: Workspace, clock: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from forewarn.ledger import verify as v

    monkeypatch.setattr(v, "MAX_PROBLEMS", 2)
    for n in range(6):
        clock.advance(minutes=1)
        sqlite_workspace.ledger.record("comment", "x:1", {"n": n})
    with attacker(sqlite_workspace) as conn:
        for seq in range(1, 6):
            update(conn, seq, payload="{}")
    report = sqlite_workspace.ledger.verify()
    assert len(report.problems) == 2 and report.more == 3
    assert "5 problems" in report.summary()
