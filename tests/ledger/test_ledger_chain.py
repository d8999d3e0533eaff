"""Appending and the database's own refusal to change or remove ledger rows."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from forewarn.app import Workspace
from forewarn.errors import ClockBackwards, InvalidArgument, StoreUnavailable
from forewarn.ledger import GENESIS, append, entry_hash
from forewarn.store import schema as t


def test_the_hash_is_sha256_of_the_documented_encoding() -> None:
    at = datetime(2024, 8, 12, 14, 30, tzinfo=UTC)
    text = ('{"actor":"ana","at":"2024-08-12T14:30:00.000000+00:00","kind":"comment",'
            '"payload":"{\\"text\\":\\"Kursk\\"}","prev":"' + GENESIS + '","seq":1,"subject":"warning:1"}')
    assert entry_hash(1, at, "ana", "comment", "warning:1", '{"text":"Kursk"}', GENESIS) == \
        hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_clean_chain_verifies(chain: Workspace) -> None:
    report = chain.ledger.verify()
    last = chain.ledger.entries(newest_first=True, limit=1)[0]
    assert report.ok and not report.problems
    assert (report.count, report.last_seq, report.last_hash) == (10, 10, last.hash)
    assert report.summary() == f"chain intact: 10 entries, last seq 10, hash {last.hash}"


def test_entries_chain_from_genesis_and_carry_their_payload(chain: Workspace) -> None:
    entries = chain.ledger.entries()
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert entries[2].payload == {"n": 3, "text": "note 3"} and entries[2].actor == "tester"


def test_an_empty_ledger_verifies(sqlite_workspace: Workspace) -> None:
    report = sqlite_workspace.ledger.verify()
    assert report.ok and (report.count, report.last_seq, report.last_hash) == (0, 0, GENESIS)


def test_verifying_reads_in_chunks(chain: Workspace) -> None:
    from forewarn.ledger.verify import verify

    assert verify(chain.store, chunk=3) == chain.ledger.verify()


@pytest.mark.parametrize("statement", ["UPDATE ledger SET actor = 'someone else' WHERE seq = 3",
                                       "UPDATE ledger SET payload = '{}'",
                                       "DELETE FROM ledger WHERE seq = 3",
                                       "DELETE FROM ledger"])
def test_the_database_refuses_to_change_or_remove_rows(chain: Workspace, statement: str) -> None:
    before = chain.ledger.entries()
    with pytest.raises(StoreUnavailable, match="append-only"), chain.store.transaction() as conn:
        conn.exec_driver_sql(statement)
    assert chain.ledger.entries() == before
    assert chain.ledger.verify().ok


def test_postgresql_refuses_truncate(pg_url: str, make_workspace: Any) -> None:
    ws = make_workspace(pg_url)
    ws.ledger.record("comment", "warning:1", {"text": "keep me"})
    with pytest.raises(StoreUnavailable, match="append-only"), ws.store.transaction() as conn:
        conn.exec_driver_sql("TRUNCATE ledger")
    assert len(ws.ledger.entries()) == 1


def test_the_refusing_triggers_are_in_place(chain: Workspace) -> None:
    with chain.store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                                             "tbl_name = 'ledger'").scalars())
            assert names == {"ledger_no_update", "ledger_no_delete", "ledger_no_replace"}
        else:
            names = set(conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger'::regclass "
                                             "AND NOT tgisinternal AND tgenabled = 'O'").scalars())
            assert names == {"ledger_no_change", "ledger_no_truncate"}


def test_an_append_dated_before_the_last_entry_is_refused(chain: Workspace, clock: Any) -> None:
    clock.advance(seconds=-1)
    with pytest.raises(ClockBackwards, match="FW-E091"):
        chain.ledger.record("comment", "warning:1", {"text": "too early"})
    assert chain.ledger.verify().count == 10


def test_an_append_at_the_same_time_as_the_last_is_fine(chain: Workspace) -> None:
    chain.ledger.record("comment", "warning:1", {"text": "same minute"})
    assert chain.ledger.verify().last_seq == 11


def test_nothing_is_written_when_the_change_it_records_fails(sqlite_workspace: Workspace, clock: Any) -> None:
    with pytest.raises(RuntimeError), sqlite_workspace.store.transaction() as conn:
        append(conn, at=clock(), actor="tester", kind="comment", subject="warning:1", payload={"n": 1})
        raise RuntimeError("the change itself failed")
    assert sqlite_workspace.ledger.entries() == []


@pytest.mark.parametrize("payload", [{"at": datetime(2024, 1, 1, tzinfo=UTC)}, {"x": float("nan")}])
def test_a_payload_must_be_plain_json(sqlite_workspace: Workspace, payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument, match="plain JSON"):
        sqlite_workspace.ledger.record("comment", "warning:1", payload)


def test_a_naive_time_is_refused(sqlite_workspace: Workspace) -> None:
    with pytest.raises(InvalidArgument, match="timezone-aware"), sqlite_workspace.store.transaction() as conn:
        append(conn, at=datetime(2024, 1, 1), actor="a", kind="comment", subject="s", payload={})


def test_times_keep_their_microseconds_through_the_store(workspace: Workspace, clock: Any) -> None:
    clock.now = datetime(2024, 8, 12, 12, 0, 0, 123456, tzinfo=UTC)
    entry = workspace.ledger.record("comment", "warning:1", {"text": "precise"})
    clock.advance(microseconds=1)
    workspace.ledger.record("comment", "warning:1", {"text": "next"})
    assert workspace.ledger.entries()[0].at == entry.at
    assert workspace.ledger.verify().ok


def test_record_is_attributed_and_timed(workspace: Workspace, clock: Any) -> None:
    clock.advance(hours=2)
    entry = workspace.ledger.record("comment", "warning:7", {"text": "seen"})
    assert (entry.seq, entry.actor, entry.at, entry.key_id) == (1, "tester", clock(), None)
    with workspace.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.ledger)).scalar() == 1
    assert clock() - entry.at == timedelta(0)
