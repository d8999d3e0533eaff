"""PostgreSQL's bulk ingest through COPY (issue 20): it stores exactly what the INSERT path stored, hostile texts
included; re-running is idempotent; a batch that fails midway leaves nothing behind; two ingests writing the same
rows at once both finish (the second skips what the first wrote)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine

from forewarn.app import Workspace
from forewarn.errors import Code, UnstorableValue
from forewarn.ingest import dedup
from forewarn.ingest.normalise import document_id, sighting_key, text_location
from forewarn.model import Document, Sighting
from forewarn.model.query import DocumentQuery
from forewarn.store import SqlStore, open_store
from forewarn.store import ingest as store_ingest
from forewarn.store.batch import Batch, BatchCounts, KeyedSighting, StoredDocument
from forewarn.store.ingest import IngestWrites

pytestmark = pytest.mark.postgres

STORY = ("Armoured columns were seen moving along the road from Sudzha towards the border crossing overnight, "
         "officials of the regional administration said on Monday, adding that shelling went on near Tetkino.")
SECRET = "CANARY-TEXT-5c21e"
HOSTILE = [
    "a tab\there, two\t\ttabs, a trailing tab\t",
    "back\\slash, \\N, \\\\N, \\t, \\x41 and a line of its own:\n\\.\nafter the end-of-data marker",
    "lines\nlf, crlf\r\nand a lone cr\rend; \u2028 line separator, \u2029 paragraph separator",
    "Обстріл Сум вночі: «дрони» — 12 шт.; 北京 官员 表示; مسؤولون قالوا; emoji 🛰️🇺🇦 and z\u200dw\u200cj, e\u0301",
    "quotes \"double\" 'single' `back` and a comma, a pipe | and a semicolon; {\"json\": [1, 2]}",
    " ".join(f"word{i % 997} {STORY}" for i in range(4000)),  # ~1 MB: TOASTed, many COPY buffers
]
NOW = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)
INGESTED = ("documents", "lsh_bands", "sightings", "clusters")
TABLES = {"documents": "id", "lsh_bands": "band_key, document_key", "sightings": "id", "clusters": "id",
          "ingest_issues": "id", "ingest_runs": "id"}


def _corpus(folder: Path) -> Path:
    """Hostile texts, their near-copies and exact re-posts, a line that is not JSON, titles, authors and urls with
    tabs and backslashes, in a folder whose name holds a tab, a backslash, a newline and a carriage return (the
    texts' own tabs and line breaks are normalised away; the location keeps them)."""
    path = folder / "in\tx\\y\nz\r" / "hostile.jsonl"
    rows: list[str] = []
    for i, text in enumerate(HOSTILE):
        row = {"title": f"title {i}\twith\\tab", "text": text, "date": f"2024-08-0{i + 1}T09:30:00+03:00",
               "url": f"https://news.example/{i}?q=a\\b", "author": f"K.\t\\{i}"}
        rows += [json.dumps(row, ensure_ascii=False),
                 json.dumps({**row, "text": f"{text} {STORY} Subscribe to our channel."}, ensure_ascii=False),
                 json.dumps(row, ensure_ascii=False)]
    rows.append("{not json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ingest tables, in key order (sightings by id: their order is stored too)."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql", 1)) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY {key}").fetchall() for t, key in TABLES.items()}


def _ingest(ws: Workspace, corpus: Path) -> tuple[int, int, int, int]:
    report = ws.intake.ingest([str(corpus)])
    assert report.status == "completed"
    return report.new, report.near_duplicate, report.duplicate, report.failed


def _first_ingest(ws: Workspace, corpus: Path) -> tuple[int, int, int, int]:
    """An ingest of the corpus into an empty store: 12 distinct texts stored (each near-copy of an earlier one
    joins its cluster), the 6 re-posts duplicates (one more sighting each), the line that is not JSON failed."""
    counts = _ingest(ws, corpus)
    new, near, duplicate, failed = counts
    assert (new + near, duplicate, failed) == (12, 6, 1) and near > 0
    return counts


@pytest.fixture
def other_pg_url(pg_url: str) -> Iterator[str]:
    """A second fresh schema beside ``pg_url``'s, dropped afterwards."""
    schema = pg_url.rsplit("%3D", 1)[1] + "_b"
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{pg_url}_b"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


def _with_insert_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The write path as it was before COPY: executemany of INSERT … ON CONFLICT DO NOTHING."""
    def insert(self: IngestWrites, tx: Any, table: Any, names: Any, values: Any) -> None:
        self._insert(tx, table, values, names)

    monkeypatch.setattr(IngestWrites, "_bulk_values", insert)


def test_copy_stores_the_rows_the_insert_path_stores(tmp_path: Path, pg_url: str, other_pg_url: str,
                                                      make_workspace: Callable[..., Workspace],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _corpus(tmp_path)
    counts = _first_ingest(make_workspace(pg_url, batch_size=4), corpus)
    with monkeypatch.context() as m:
        _with_insert_path(m)
        assert _ingest(make_workspace(other_pg_url, batch_size=4), corpus) == counts
    copied, inserted = _rows(pg_url), _rows(other_pg_url)
    assert {t: len(rows) for t, rows in copied.items()} == {
        "documents": 12, "lsh_bands": 12 * dedup.BANDS, "sightings": 18, "clusters": counts[0], "ingest_issues": 1,
        "ingest_runs": 1}
    assert copied == inserted


def test_copy_stores_what_sqlite_stores(tmp_path: Path, pg_url: str, make_workspace: Callable[..., Workspace]) -> None:
    corpus = _corpus(tmp_path)
    on_pg, on_sqlite = make_workspace(pg_url), make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    assert _first_ingest(on_pg, corpus) == _ingest(on_sqlite, corpus)
    docs = on_pg.store.find_documents(DocumentQuery(limit=100))
    assert {d.location for d in docs} == {text_location(str(corpus))}  # a tab, backslashes, a newline, a return
    assert all("\t" in d.title and "\t" in dict(d.meta)["author"] for d in docs if d.title)
    assert any("\\N, \\\\N" in d.text for d in docs) and any("🛰" in d.text for d in docs)
    assert sorted(docs, key=lambda d: d.id) == sorted(on_sqlite.store.find_documents(DocumentQuery(limit=100)),
                                                      key=lambda d: d.id)
    for d in docs:
        assert on_pg.store.sightings_of(d.id) == on_sqlite.store.sightings_of(d.id)


def test_rerunning_the_same_ingest_is_idempotent(tmp_path: Path, pg_url: str,
                                                 make_workspace: Callable[..., Workspace]) -> None:
    corpus = _corpus(tmp_path)
    ws = make_workspace(pg_url, batch_size=4)
    _first_ingest(ws, corpus)
    before = _rows(pg_url)
    assert _ingest(ws, corpus) == (0, 0, 18, 1)  # every item seen: nothing new, nothing written twice
    after = _rows(pg_url)
    assert {t: rows for t, rows in after.items() if t not in ("ingest_issues", "ingest_runs")} == \
        {t: rows for t, rows in before.items() if t not in ("ingest_issues", "ingest_runs")}
    assert len(after["ingest_runs"]) == 2


def test_a_batch_that_fails_midway_leaves_nothing_behind(tmp_path: Path, pg_url: str,
                                                         make_workspace: Callable[..., Workspace],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The documents and their bands are copied, then a sighting is refused: nothing of the batch stays, the error
    is coded without the text, and the same ingest then goes through."""
    corpus = _corpus(tmp_path)
    row = store_ingest._sighting_row
    monkeypatch.setattr(store_ingest, "_sighting_row", lambda key, s: {**row(key, s), "key": SECRET * 8})
    ws = make_workspace(pg_url)
    with pytest.raises(UnstorableValue) as caught:
        ws.intake.ingest([str(corpus)])
    assert caught.value.code is Code.DATABASE_UNAVAILABLE and "StringDataRightTruncation" in str(caught.value)
    assert SECRET not in str(caught.value) and "COPY" not in str(caught.value)
    rows = _rows(pg_url)
    assert {t: len(rows[t]) for t in INGESTED} == {"documents": 0, "lsh_bands": 0, "sightings": 0, "clusters": 0}
    assert [issue[2] for issue in rows["ingest_issues"]] == [Code.INGEST_INTERRUPTED.value]  # the run's own end
    assert ws.reads.runs(1)[0].status == "failed"
    monkeypatch.setattr(store_ingest, "_sighting_row", row)
    _first_ingest(ws, corpus)


# -- batches written by hand: the fallback through the staging table ----------------------------------------------

def _stored(text: str, run_id: int) -> StoredDocument:
    doc_id, fp = document_id(text), dedup.fingerprint(text)
    doc = Document(id=doc_id, text=text, title=None, url=None, source_id=None, published_at=None,
                   published_precision=None, ingested_at=NOW, language="en", marking="TLP:CLEAR", team=None,
                   cluster_id=doc_id, reader="text", location=f"/in/{doc_id[:8]}.txt", item=None,
                   raw_sha256="0" * 64, run_id=run_id, meta=(("author", "K."),))
    return StoredDocument(doc, fp.shingles, fp.signature, fp.band_keys)


def _batch(store: SqlStore, texts: list[str], *, refused: bool = False) -> Batch:
    """A batch of new documents and their sightings; ``refused``: sighting keys too long for the column."""
    run_id = store.start_run("tester", ["/in"], NOW)
    docs = [_stored(text, run_id) for text in texts]
    sightings = tuple(KeyedSighting(SECRET * 8 if refused else sighting_key(d.id, d.location, d.item),
                                    Sighting(document_id=d.id, source_id=None, location=d.location, item=None,
                                             url=None, published_at=None, raw_sha256=d.raw_sha256, run_id=run_id,
                                             seen_at=NOW))
                      for d in (sd.document for sd in docs))
    return Batch(run_id, NOW, tuple(docs), sightings, counts=BatchCounts(new=len(docs)))


def _write(store: SqlStore, batch: Batch) -> None:
    with store.ingest_transaction() as tx:
        store.write_batch(tx, batch)


def test_a_batch_failing_after_the_fallback_leaves_nothing_behind(pg_url: str) -> None:
    """Documents and bands that exist already go through the staging table; a sighting refused after that still
    rolls the whole batch back; the same batch with good sightings then goes through."""
    store = open_store(pg_url)
    texts = [f"{STORY} {i}" for i in range(4)]
    try:
        _write(store, _batch(store, texts[:3]))
        before = _rows(pg_url)
        with pytest.raises(UnstorableValue) as caught:
            _write(store, _batch(store, texts, refused=True))
        assert SECRET not in str(caught.value)
        after = _rows(pg_url)
        assert {t: after[t] for t in INGESTED} == {t: before[t] for t in INGESTED}
        _write(store, _batch(store, texts))
        assert {t: len(rows) for t, rows in _rows(pg_url).items() if t in INGESTED} == {
            "documents": 4, "lsh_bands": 4 * dedup.BANDS, "sightings": 4, "clusters": 4}
    finally:
        store.close()


def test_two_ingests_writing_the_same_rows_at_once_both_finish(pg_url: str) -> None:
    """The second's COPY waits on the first's uncommitted rows, meets them once they commit, and falls back to
    skipping them: no error, nothing doubled, its own new rows stored."""
    first, second = open_store(pg_url), open_store(pg_url)
    texts = [f"{STORY} {i}" for i in range(5)]
    try:
        one, two = _batch(first, texts[:4]), _batch(second, texts[1:])
        failures: list[BaseException] = []
        with first.ingest_transaction() as tx:
            first.write_batch(tx, one)
            waiting = threading.Thread(target=_write_catching, args=(second, two, failures))
            waiting.start()
            _await_blocked_by(tx.exec_driver_sql("SELECT pg_backend_pid()").scalar_one(), pg_url)
        waiting.join(timeout=60)
        assert not waiting.is_alive() and failures == []
        rows = _rows(pg_url)
        assert {t: len(rows[t]) for t in INGESTED} == {
            "documents": 5, "lsh_bands": 5 * dedup.BANDS, "sightings": 5, "clusters": 5}
        assert {r[0] for r in rows["documents"]} == {document_id(text) for text in texts}
    finally:
        first.close()
        second.close()


def _write_catching(store: SqlStore, batch: Batch, failures: list[BaseException]) -> None:
    try:
        _write(store, batch)
    except BaseException as err:  # reported to the test's thread
        failures.append(err)


def _await_blocked_by(pid: int, url: str, timeout: float = 30.0) -> None:
    """Until a session waits on a lock that session ``pid`` holds (the second ingest's COPY on the first's rows)."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                if conn.exec_driver_sql("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                                        (pid,)).scalar():
                    return
                conn.rollback()
                time.sleep(0.01)
    finally:
        engine.dispose()
    raise AssertionError("the second ingest never waited on the first")


def test_long_texts_are_compressed_with_lz4_where_the_server_has_it(tmp_path: Path, pg_url: str,
                                                                     make_workspace: Callable[..., Workspace]) -> None:
    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql", 1)) as conn:
        if conn.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                        "WHERE name = 'default_toast_compression'").fetchone() != (True,):
            pytest.skip("this PostgreSQL has no LZ4 (before 14, or built without it)")
    _first_ingest(make_workspace(pg_url), _corpus(tmp_path))
    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql", 1)) as conn:
        methods = conn.execute("SELECT DISTINCT pg_column_compression(text) FROM documents").fetchall()
        assert set(methods) == {("lz4",), (None,)}  # the long texts; the short ones are stored as they are
