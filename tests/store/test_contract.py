"""The Store contract: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from forewarn.errors import AlreadyExists, Code, Issue, NotFound, Severity
from forewarn.ingest import dedup
from forewarn.ingest.normalise import document_id, sighting_key
from forewarn.model import Document, Marking, Reliability, Sighting, Source, SourceKind
from forewarn.model.document import DatePrecision
from forewarn.model.query import DocumentQuery
from forewarn.model.source import FeedValidators
from forewarn.store import SqlStore, core, open_store
from forewarn.store.batch import Batch, BatchCounts, KeyedSighting, StoredDocument
from forewarn.store.schema import metadata

T0 = datetime(2024, 8, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> SqlStore:
    s = open_store(db_url)
    yield s
    s.close()


def make_doc(text: str, run_id: int, *, source: str | None = "wire", published: datetime | None = T0,
             cluster: str | None = None, title: str | None = None) -> StoredDocument:
    doc_id = document_id(text)
    fp = dedup.fingerprint(text)
    doc = Document(id=doc_id, text=text, title=title, url="https://example.org/" + doc_id[:8], source_id=source,
                   published_at=published, published_precision=DatePrecision.SECOND if published else None,
                   ingested_at=T0 + timedelta(days=11), language="en", marking="TLP:CLEAR", team=None,
                   cluster_id=cluster or doc_id, reader="text", location="/data/" + doc_id[:8] + ".txt", item=None,
                   raw_sha256="0" * 64, run_id=run_id, meta=(("author", "K."),))
    return StoredDocument(doc, fp.shingles, fp.signature, fp.band_keys)


def sighting_of(sd: StoredDocument) -> KeyedSighting:
    d = sd.document
    s = Sighting(document_id=d.id, source_id=d.source_id, location=d.location, item=d.item, url=d.url,
                 published_at=d.published_at, raw_sha256=d.raw_sha256, run_id=d.run_id, seen_at=d.ingested_at)
    return KeyedSighting(sighting_key(d.id, d.location, d.item), s)


def write(store: SqlStore, run_id: int, docs: list[StoredDocument], **kw: object) -> None:
    founded = sum(1 for d in docs if d.document.cluster_id == d.document.id)
    batch = Batch(run_id, T0, tuple(docs), tuple(sighting_of(d) for d in docs),
                  counts=BatchCounts(new=founded, near_duplicate=len(docs) - founded), **kw)
    with store.ingest_transaction() as tx:
        store.write_batch(tx, batch)


def test_migrations_match_the_schema_and_rerun_cleanly(store: SqlStore) -> None:
    store.migrate()  # second time: nothing to do, no error
    assert store.schema_revision() == "0030"
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_a_store_at_the_latest_revision_opens_without_the_migrations_and_one_behind_is_upgraded(
        store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a store already at the latest revision runs no migration (loading them all costs each open tens of
    milliseconds); one a revision behind is brought up to it."""
    upgrades: list[str] = []
    real = core.command.upgrade
    monkeypatch.setattr(core.command, "upgrade", lambda cfg, to: upgrades.append(to) or real(cfg, to))
    store.migrate()
    assert upgrades == []
    with store.engine.begin() as conn:
        command.downgrade(core.migrations_config(conn), "-1")
    assert store.schema_revision() == "0029"
    store.migrate()
    assert upgrades == ["head"] and store.schema_revision() == "0030"


def test_sources_round_trip_and_refuse_duplicates(store: SqlStore) -> None:
    src = Source(id="sumy-chat", kind=SourceKind.TELEGRAM, name="Sumy chat ☀", location="/x/result.json",
                 reliability=Reliability.D, marking=Marking.AMBER, team="east",
                 options=(("channel", "sumy_chat"),), created_at=T0)
    store.add_source(src)
    assert store.get_source("sumy-chat") == src
    assert store.list_sources() == [src]
    with pytest.raises(AlreadyExists):
        store.add_source(src)
    assert store.remove_source("sumy-chat") == 0
    with pytest.raises(NotFound):
        store.get_source("sumy-chat")


def test_runs_count_and_finish(store: SqlStore) -> None:
    run_id = store.start_run("alice", ["/in"], T0)
    write(store, run_id, [make_doc("one report about armour near Sumy", run_id)])
    run = store.finish_run(run_id, "completed", T0 + timedelta(minutes=1))
    assert (run.status, run.new, run.actor, run.inputs) == ("completed", 1, "alice", ("/in",))
    assert run.finished_at == T0 + timedelta(minutes=1)
    assert store.list_runs()[0].id == run_id


def test_stale_running_run_is_marked_interrupted(store: SqlStore) -> None:
    run_id = store.start_run("alice", ["/in"], T0)
    from sqlalchemy import update

    from forewarn.store.schema import ingest_runs

    with store.engine.begin() as conn:  # pretend a killed process left it behind
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(pid=2**22 + 7))
    assert store.interrupt_stale_runs(T0) == [run_id]
    assert store.get_run(run_id).status == "interrupted"
    assert [i.code for i in store.run_issues(run_id)] == [Code.INGEST_INTERRUPTED]
    assert store.interrupt_stale_runs(T0) == []


def test_batch_write_then_lookups(store: SqlStore) -> None:
    run_id = store.start_run("alice", ["/in"], T0)
    a = make_doc("Columns of armour were seen moving north of Sumy towards the border at dawn today", run_id)
    b = make_doc("Columns of armour were seen moving north of Sumy towards the border at dawn today. "
                 "Subscribe to our channel", run_id, cluster=a.document.id)
    write(store, run_id, [a, b],
          issues=(Issue(Code.JSON_INVALID, "line 3 is not JSON", "/in/x.jsonl", "line 3"),),
          validators=(FeedValidators("https://news.example/feed", '"v1"', "Thu, 01 Aug 2024 09:00:00 GMT"),))
    with store.ingest_transaction() as tx:
        assert store.existing_documents(tx, [a.document.id, "f" * 64]) == {a.document.id}
        assert store.existing_sightings(tx, [sighting_of(b).key]) == {sighting_of(b).key}
        found = store.candidates(tx, a.band_keys)
    assert a.document.id in {d for ids in found.bands.values() for d in ids}
    assert found.known[a.document.id] == (a.signature, a.shingles, a.document.id)
    assert found.known[b.document.id][2] == a.document.id
    assert store.get_document(a.document.id) == a.document
    assert store.get_document(a.document.id[:10]) == a.document
    assert {d.id for d in store.cluster_members(a.document.id)} == {a.document.id, b.document.id}
    assert store.run_issues(run_id) == [Issue(Code.JSON_INVALID, "line 3 is not JSON", "/in/x.jsonl", "line 3",
                                              "", Severity.ERROR)]
    assert store.validators("https://news.example/feed") == FeedValidators(
        "https://news.example/feed", '"v1"', "Thu, 01 Aug 2024 09:00:00 GMT")
    stats = store.stats()
    assert (stats["documents"], stats["clusters"], stats["clusters_with_duplicates"]) == (2, 1, 1)


def test_failed_transaction_writes_nothing(store: SqlStore) -> None:
    run_id = store.start_run("alice", ["/in"], T0)
    doc = make_doc("a report that must not be half-written", run_id)
    with pytest.raises(RuntimeError), store.ingest_transaction() as tx:
        store.write_batch(tx, Batch(run_id, T0, (doc,), (sighting_of(doc),), counts=BatchCounts(new=1)))
        raise RuntimeError("killed mid-batch")
    assert store.count_documents(DocumentQuery()) == 0
    assert store.get_run(run_id).new == 0
    assert store.stats()["sightings"] == 0


def test_reads_go_on_beside_an_open_write(store: SqlStore) -> None:
    run_id = store.start_run("alice", ["/in"], T0)
    write(store, run_id, [make_doc("a committed report", run_id)])
    with store.ingest_transaction() as tx:
        store.write_batch(tx, Batch(run_id, T0, (make_doc("an uncommitted report", run_id),)))
        assert store.count_documents(DocumentQuery()) == 1  # sees the committed state, is not blocked
        assert store.stats()["schema_revision"] == "0030"


def test_concurrent_duplicate_insert_is_skipped_not_an_error(store: SqlStore) -> None:
    run_id = store.start_run("alice", ["/in"], T0)
    doc = make_doc("the same report written by two ingests", run_id, cluster="c" * 64)
    for _ in range(2):
        with store.ingest_transaction() as tx:
            store.write_batch(tx, Batch(run_id, T0, (doc,), (sighting_of(doc),)))
    assert store.count_documents(DocumentQuery()) == 1
    assert len(store.sightings_of(doc.document.id)) == 1


def test_document_filters_times_and_hostile_search(store: SqlStore) -> None:
    run_id = store.start_run("alice", ["/in"], T0)
    kyiv = timezone(timedelta(hours=3))
    docs = [
        make_doc("Кур'єр: колона техніки біля Сум", run_id, published=datetime(2024, 8, 2, 23, 30, tzinfo=kyiv)),
        make_doc("Shelling of Tetkino reported, 100% of power lost", run_id, source="kursk",
                 published=datetime(2024, 7, 20, tzinfo=UTC), title="O'Brien; DROP TABLE documents;--"),
        make_doc("An undated bulletin", run_id, published=None),
    ]
    write(store, run_id, docs)
    first = store.get_document(docs[0].document.id)
    assert first.published_at == datetime(2024, 8, 2, 20, 30, tzinfo=UTC)
    assert first.published_at.tzinfo is not None
    q = DocumentQuery
    assert store.count_documents(q(source_id="kursk")) == 1
    assert store.count_documents(q(since=datetime(2024, 8, 1, tzinfo=UTC))) == 1
    assert store.count_documents(q(until=datetime(2024, 8, 1, tzinfo=UTC))) == 1
    assert store.count_documents(q(text="СУМ")) == 1  # case-insensitive beyond ASCII, on both backends
    assert store.count_documents(q(text="техніки")) == 1
    assert store.count_documents(q(text="100%")) == 1
    assert store.count_documents(q(text="%")) == 1  # a literal percent sign, not a wildcard
    assert store.count_documents(q(text="_")) == 0
    assert store.count_documents(q(text="drop table")) == 1
    assert store.count_documents(q(text="'; DELETE FROM documents; --")) == 0
    assert store.count_documents(q()) == 3
    listed = store.find_documents(q(limit=2))
    assert [d.published_at for d in listed] == [first.published_at, datetime(2024, 7, 20, tzinfo=UTC)]
    assert store.find_documents(q(limit=2, offset=2))[0].published_at is None


def test_time_bounds_hold_exactly(store: SqlStore) -> None:
    """Bulk-written times compare with query bounds as the same values (on SQLite: the same text):
    ``since`` includes a time exactly on it, ``until`` (exclusive) leaves it out."""
    run_id = store.start_run("alice", ["/in"], T0)
    on_the_second = datetime(2024, 8, 9, tzinfo=UTC)
    write(store, run_id, [make_doc("Convoy seen at dawn near the border", run_id, published=on_the_second)])
    tick = timedelta(microseconds=1)
    assert store.count_documents(DocumentQuery(since=on_the_second)) == 1
    assert store.count_documents(DocumentQuery(since=on_the_second + tick)) == 0
    assert store.count_documents(DocumentQuery(until=on_the_second)) == 0
    assert store.count_documents(DocumentQuery(until=on_the_second + tick)) == 1


def test_unknown_document_and_run_say_what_to_do(store: SqlStore) -> None:
    with pytest.raises(NotFound, match="forewarn docs"):
        store.get_document("abc")
    run_id = store.start_run("alice", ["/in"], T0)
    write(store, run_id, [make_doc("a report", run_id)])
    for wildcard in ("%", "_", "__"):  # a prefix is text, never a LIKE pattern
        with pytest.raises(NotFound):
            store.get_document(wildcard)
    with pytest.raises(NotFound, match="forewarn runs"):
        store.get_run(404)
