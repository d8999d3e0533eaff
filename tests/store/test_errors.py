"""Database errors are coded at the store: whoever opened the connection, on SQLite and PostgreSQL."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from forewarn.app import Workspace
from forewarn.errors import Code, ForewarnError, StoreUnavailable, UnstorableValue
from forewarn.store import SqlStore, open_store
from forewarn.store import schema as t

SECRET = "CANARY-ROW-5e1d0"


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


def test_an_error_on_any_connection_is_coded_without_the_statement(store: SqlStore) -> None:
    with pytest.raises(StoreUnavailable) as caught, store.engine.connect() as conn:  # a service's own read
        conn.exec_driver_sql(f"SELECT '{SECRET}' FROM no_such_table")
    assert caught.value.code is Code.DATABASE_UNAVAILABLE and "the workspace store failed" in str(caught.value)
    assert SECRET not in str(caught.value) and "SELECT" not in str(caught.value)


def test_a_batch_error_names_the_batch_and_rolls_it_back(store: SqlStore) -> None:
    with pytest.raises(StoreUnavailable, match=r"\(writing an ingest batch\): IntegrityError") as caught, \
            store.ingest_transaction() as tx:
        tx.execute(t.sources.insert().values(id="kept-out", kind="text", name="n", location="l"))
        tx.execute(t.sources.insert().values(id=None, kind="text", name=SECRET, location=SECRET))
    assert SECRET not in str(caught.value)
    assert store.list_sources() == []


def test_a_refusal_of_the_schema_says_why(workspace: Workspace) -> None:
    workspace.ledger.record("comment", "warning:1", {"text": "keep me"})
    with pytest.raises(StoreUnavailable, match="append-only"), workspace.store.transaction() as conn:
        conn.exec_driver_sql("DELETE FROM ledger")
    assert len(workspace.ledger.entries()) == 1


def test_a_value_postgresql_cannot_hold_is_unstorable(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        with pytest.raises(UnstorableValue) as caught:
            store.get_source("a\x00b")
    finally:
        store.close()
    assert caught.value.code is Code.DATABASE_UNAVAILABLE and "DataError" in str(caught.value)


def test_a_server_that_does_not_answer_cannot_be_opened() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ForewarnError) as caught:
        open_store(f"postgresql+psycopg://spy:hunter2@127.0.0.1:{port}/x")
    assert caught.value.code is Code.DATABASE_UNAVAILABLE and "cannot open the workspace store" in str(caught.value)
    assert "hunter2" not in str(caught.value)
