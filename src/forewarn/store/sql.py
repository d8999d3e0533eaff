"""SqlStore: the Store protocol over SQLAlchemy Core, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, bindparam, create_engine, event, func, or_, select, update
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import AlreadyExists, Code, Issue, NotFound, Severity, StoreUnavailable
from forewarn.model import Document, IngestRun, Marking, Reliability, Sighting, Source, SourceKind
from forewarn.model.document import DatePrecision
from forewarn.sources.base import FeedValidators
from forewarn.store import schema as t
from forewarn.store.batch import Batch, Candidates
from forewarn.store.query import DocumentQuery

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE = "forewarn_write"  # execution option of the one write path
IN_CHUNK = 900  # bound parameters per IN (...) clause, well under SQLite's limit


def open_store(url: str, *, migrate: bool = True) -> SqlStore:
    store = SqlStore(make_engine(url))
    if migrate:
        store.migrate()
    return store


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, NoSuchModuleError) as err:  # the URL itself is not repeated: it may hold a password
        raise StoreUnavailable(f"the database URL is malformed ({type(err).__name__})",
                               hint="use postgresql+psycopg://user@host:port/db (--db or FOREWARN_DATABASE_URL)",
                               ) from None


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable against a killed process
        cur.execute("PRAGMA wal_autocheckpoint=25000")  # checkpoint every ~100 MB of WAL, not 4 MB
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: the hot index pages, within the memory budget
        cur.close()
        # SQLite's lower() folds ASCII only; searches must fold Cyrillic too
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a write takes the lock up front (one writer at a time, no lock-upgrade deadlocks);
        # reads stay deferred, so they run beside a writer (WAL)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def _write(self) -> AbstractContextManager[Connection]:
        """A write transaction: every change to the workspace goes through here."""
        return self.engine.execution_options(**{WRITE: True}).begin()

    # -- lifecycle -------------------------------------------------------------------------
    def migrate(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self._write() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as err:
            raise StoreUnavailable(f"cannot open the workspace store: {err.orig}",
                                   hint="check that the database server runs and the URL is right") from err

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def close(self) -> None:
        self.engine.dispose()

    # -- sources ---------------------------------------------------------------------------
    def add_source(self, source: Source) -> None:
        with self._write() as conn:
            if conn.execute(select(t.sources.c.id).where(t.sources.c.id == source.id)).first():
                raise AlreadyExists(f"source {source.id!r} already exists",
                                    hint="choose another name, or remove the existing source first")
            conn.execute(t.sources.insert().values(
                id=source.id, kind=source.kind.value, name=source.name, location=source.location,
                reliability=source.reliability.value, marking=source.marking.value, team=source.team,
                options=[list(o) for o in source.options], created_at=source.created_at,
            ))

    def get_source(self, source_id: str) -> Source:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sources).where(t.sources.c.id == source_id)).first()
        if row is None:
            raise NotFound(f"no source {source_id!r}", hint="`forewarn source list` shows the sources")
        return _source(row)

    def list_sources(self) -> list[Source]:
        with self.engine.connect() as conn:
            return [_source(r) for r in conn.execute(select(t.sources).order_by(t.sources.c.id))]

    def remove_source(self, source_id: str) -> int:
        """Remove a source from the registry; its documents stay (they keep the source id as
        provenance). Returns how many documents still name it."""
        self.get_source(source_id)
        with self._write() as conn:
            conn.execute(t.sources.delete().where(t.sources.c.id == source_id))
            return conn.execute(select(func.count()).where(t.documents.c.source_id == source_id)).scalar_one()

    # -- ingest runs -----------------------------------------------------------------------
    def start_run(self, actor: str, inputs: Sequence[str], now: datetime) -> int:
        with self._write() as conn:
            result = conn.execute(t.ingest_runs.insert().values(
                started_at=now, status="running", actor=actor, host=socket.gethostname(), pid=os.getpid(),
                inputs=list(inputs), new=0, duplicate=0, near_duplicate=0, failed=0, warnings=0,
            ))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(self, run_id: int, status: str, now: datetime) -> IngestRun:
        """Close a run: completed, interrupted (stopped by a signal or a kill) or failed (an error)."""
        with self._write() as conn:
            self._close_runs(conn, [run_id], status, now)
        return self.get_run(run_id)

    def _close_runs(self, conn: Connection, run_ids: list[int], status: str, now: datetime) -> None:
        runs = t.ingest_runs
        conn.execute(update(runs).where(runs.c.id.in_(run_ids)).values(status=status, finished_at=now))
        if status != "completed":
            issue = Issue(Code.INGEST_INTERRUPTED, f"the ingest run ended early ({status}); what it committed is kept",
                          "ingest run", hint="re-run the same ingest to complete it: stored items count as duplicates")
            conn.execute(t.ingest_issues.insert(), [_issue_row(run_id, issue) for run_id in run_ids])

    def interrupt_stale_runs(self, now: datetime) -> list[int]:
        """Mark as interrupted the runs left 'running' by a process of this host that is gone."""
        host = socket.gethostname()
        with self._write() as conn:
            rows = conn.execute(select(t.ingest_runs.c.id, t.ingest_runs.c.pid).where(
                t.ingest_runs.c.status == "running", t.ingest_runs.c.host == host)).all()
            stale = [r.id for r in rows if not _pid_alive(r.pid)]
            if stale:
                self._close_runs(conn, stale, "interrupted", now)
        return stale

    def get_run(self, run_id: int) -> IngestRun:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.ingest_runs).where(t.ingest_runs.c.id == run_id)).first()
        if row is None:
            raise NotFound(f"no ingest run {run_id}", hint="`forewarn runs` lists them")
        return _run(row)

    def list_runs(self, limit: int = 20) -> list[IngestRun]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.ingest_runs).order_by(t.ingest_runs.c.id.desc()).limit(limit))
            return [_run(r) for r in rows]

    def run_issues(self, run_id: int) -> list[Issue]:
        q = select(t.ingest_issues).where(t.ingest_issues.c.run_id == run_id).order_by(t.ingest_issues.c.id)
        with self.engine.connect() as conn:
            return [Issue(Code(r.code), r.message, r.location, r.item, r.hint, Severity(r.severity))
                    for r in conn.execute(q)]

    # -- the one ingest write path ---------------------------------------------------------
    @contextmanager
    def ingest_transaction(self) -> Iterator[Connection]:
        with self._write() as conn:
            yield conn

    def existing_documents(self, tx: Connection, ids: Iterable[str]) -> set[str]:
        return self._present(tx, t.documents.c.id, ids)

    def existing_sightings(self, tx: Connection, keys: Iterable[str]) -> set[str]:
        return self._present(tx, t.sightings.c.key, keys)

    def candidates(self, tx: Connection, band_keys: Iterable[int]) -> Candidates:
        """The stored documents sharing any of ``band_keys``, with their fingerprints. The hot
        path of ingest, so it goes to the driver directly (no per-row type processing)."""
        by_band: dict[int, list[int]] = {}
        for chunk in _chunks(list(band_keys)):
            sql = f"SELECT band_key, document_key FROM lsh_bands WHERE band_key IN ({self._marks(len(chunk))})"
            for band_key, doc_key in tx.exec_driver_sql(sql, tuple(chunk)).cursor.fetchall():
                by_band.setdefault(band_key, []).append(doc_key)
        ids: dict[int, list[str]] = {}
        known: dict[str, tuple[bytes, int, str]] = {}
        for chunk in _chunks(sorted({k for keys in by_band.values() for k in keys})):
            sql = (f"SELECT key, id, signature, shingles, cluster_id FROM documents "
                   f"WHERE key IN ({self._marks(len(chunk))})")
            for key, doc_id, signature, shingles, cluster_id in tx.exec_driver_sql(sql, tuple(chunk)).cursor.fetchall():
                ids.setdefault(key, []).append(doc_id)
                known[doc_id] = (bytes(signature), shingles, cluster_id)
        bands = {band: [i for k in keys for i in ids.get(k, ())] for band, keys in by_band.items()}
        return Candidates(bands, known)

    def _marks(self, n: int) -> str:
        return ", ".join(["?" if self.dialect == "sqlite" else "%s"] * n)

    def write_batch(self, tx: Connection, batch: Batch) -> None:
        if batch.documents:
            self._insert(tx, t.documents, [_document_row(d.document, d.shingles, d.signature)
                                           for d in batch.documents])
            self._insert(tx, t.lsh_bands, _band_rows(batch), names=("band_key", "document_key"))
        if batch.sightings:
            self._insert(tx, t.sightings, [_sighting_row(s.key, s.sighting) for s in batch.sightings])
        self._write_clusters(tx, batch)
        if batch.issues:
            tx.execute(t.ingest_issues.insert(), [_issue_row(batch.run_id, i) for i in batch.issues])
        for v in batch.validators:
            self._save_validators(tx, v, batch)
        self._count(tx, batch)

    def _write_clusters(self, tx: Connection, batch: Batch) -> None:
        """A document whose cluster id is its own id founds that cluster; the others add to theirs."""
        growth = Counter(d.document.cluster_id for d in batch.documents)
        founded = {d.document.id for d in batch.documents if d.document.cluster_id == d.document.id}
        if founded:
            self._insert(tx, t.clusters, [{"id": cid, "created_at": batch.now, "size": growth[cid]}
                                          for cid in sorted(founded)])
        grown = [{"cid": cid, "added": n} for cid, n in sorted(growth.items()) if cid not in founded]
        if grown:
            c = t.clusters.c
            tx.execute(update(t.clusters).where(c.id == bindparam("cid")).values(size=c.size + bindparam("added")),
                       grown)

    def _save_validators(self, tx: Connection, v: FeedValidators, batch: Batch) -> None:
        tx.execute(t.feed_validators.delete().where(t.feed_validators.c.url == v.url))
        tx.execute(t.feed_validators.insert().values(url=v.url, etag=v.etag, last_modified=v.last_modified,
                                                     updated_at=batch.now))

    def _count(self, tx: Connection, batch: Batch) -> None:
        c, n = t.ingest_runs.c, batch.counts
        tx.execute(update(t.ingest_runs).where(c.id == batch.run_id).values(
            new=c.new + n.new, duplicate=c.duplicate + n.duplicate, near_duplicate=c.near_duplicate + n.near_duplicate,
            failed=c.failed + n.failed, warnings=c.warnings + n.warnings))

    def validators(self, url: str) -> FeedValidators | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.feed_validators).where(t.feed_validators.c.url == url)).first()
        return None if row is None else FeedValidators(row.url, row.etag, row.last_modified)

    def _insert(self, tx: Connection, table: Table, rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]],
                names: Sequence[str] = ()) -> None:
        """Bulk INSERT that skips rows whose key already exists (a concurrent writer got there
        first). The ingest hot path: dict rows go through each column type's own bind processor,
        then straight to the driver's executemany, without SQLAlchemy's per-row statement work.
        Tuple rows (with ``names``) must already hold driver values."""
        if not rows:
            return
        if names:
            values = rows
        else:
            names = list(rows[0])
            procs = [(i, p) for i, n in enumerate(names) if (p := table.c[n].type.bind_processor(tx.dialect))]
            values = [_processed(tuple(row.values()), procs) for row in rows]  # type: ignore[union-attr]
        verb, tail = ("INSERT OR IGNORE", "") if self.dialect == "sqlite" else ("INSERT", " ON CONFLICT DO NOTHING")
        tx.exec_driver_sql(f"{verb} INTO {table.name} ({', '.join(names)}) VALUES ({self._marks(len(names))}){tail}",
                           values)

    def _present(self, tx: Connection, col: Any, values: Iterable[Any]) -> set[Any]:
        """Which of ``values`` the column holds."""
        found: set[Any] = set()
        for chunk in _chunks(list(values)):
            found.update(tx.execute(select(col).where(col.in_(chunk))).scalars())
        return found

    # -- documents -------------------------------------------------------------------------
    def get_document(self, doc_id: str) -> Document:
        c = t.documents.c
        cond = c.id == doc_id if len(doc_id) == 64 else c.id.startswith(doc_id, autoescape=True)
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.documents).where(cond).limit(2)).all()
        if not rows:
            raise NotFound(f"no document {doc_id!r}", hint="`forewarn docs` lists document ids")
        if len(rows) > 1:
            raise NotFound(f"document id prefix {doc_id!r} is ambiguous", hint="give more characters")
        return _document(rows[0])

    def find_documents(self, query: DocumentQuery) -> list[Document]:
        c = t.documents.c
        q = (select(t.documents).where(*_document_filters(query))
             .order_by(c.published_at.desc().nulls_last(), c.id).limit(query.limit).offset(query.offset))
        with self.engine.connect() as conn:
            return [_document(r) for r in conn.execute(q)]

    def count_documents(self, query: DocumentQuery) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.documents)
                                .where(*_document_filters(query))).scalar_one()

    def sightings_of(self, doc_id: str) -> list[Sighting]:
        q = select(t.sightings).where(t.sightings.c.document_id == doc_id).order_by(t.sightings.c.id)
        with self.engine.connect() as conn:
            return [_sighting(r) for r in conn.execute(q)]

    def cluster_members(self, cluster_id: str) -> list[Document]:
        return self.find_documents(DocumentQuery(cluster_id=cluster_id, limit=10_000))

    def stats(self) -> dict[str, Any]:
        d = t.documents.c
        with self.engine.connect() as conn:
            scalar = lambda q: conn.execute(q).scalar_one()  # noqa: E731
            by_source = conn.execute(select(d.source_id, func.count()).group_by(d.source_id)
                                     .order_by(func.count().desc())).all()
            first, last = conn.execute(select(func.min(d.published_at), func.max(d.published_at))).one()
            return {
                "backend": self.dialect,
                "schema_revision": self.schema_revision(),
                "sources": scalar(select(func.count()).select_from(t.sources)),
                "documents": scalar(select(func.count()).select_from(t.documents)),
                "sightings": scalar(select(func.count()).select_from(t.sightings)),
                "clusters": scalar(select(func.count()).select_from(t.clusters)),
                "clusters_with_duplicates": scalar(select(func.count()).select_from(t.clusters)
                                                   .where(t.clusters.c.size > 1)),
                "ingest_runs": scalar(select(func.count()).select_from(t.ingest_runs)),
                "issues": scalar(select(func.count()).select_from(t.ingest_issues)),
                "first_published": first,
                "last_published": last,
                "documents_by_source": {(s or "(none)"): n for s, n in by_source},
            }


# -- row mapping ---------------------------------------------------------------------------
def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), IN_CHUNK):
        yield values[i:i + IN_CHUNK]


def _document_filters(q: DocumentQuery) -> list[ColumnElement[bool]]:
    c = t.documents.c
    conds: list[ColumnElement[bool]] = []
    if q.source_id:
        conds.append(c.source_id == q.source_id)
    if q.run_id is not None:
        conds.append(c.run_id == q.run_id)
    if q.cluster_id:
        conds.append(c.cluster_id == q.cluster_id)
    if q.since:
        conds.append(c.published_at >= q.since)
    if q.until:
        conds.append(c.published_at < q.until)
    if q.text:
        pattern = "%" + q.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds.append(or_(func.lower(c.text).like(pattern, escape="\\"),
                         func.lower(c.title).like(pattern, escape="\\")))
    return conds


def _source(r: Any) -> Source:
    return Source(id=r.id, kind=SourceKind(r.kind), name=r.name, location=r.location,
                  reliability=Reliability(r.reliability), marking=Marking(r.marking), team=r.team,
                  options=tuple((k, v) for k, v in r.options), created_at=r.created_at)


def _run(r: Any) -> IngestRun:
    return IngestRun(id=r.id, started_at=r.started_at, finished_at=r.finished_at, status=r.status,
                     actor=r.actor, inputs=tuple(r.inputs), new=r.new, duplicate=r.duplicate,
                     near_duplicate=r.near_duplicate, failed=r.failed, warnings=r.warnings)


def _document(r: Any) -> Document:
    return Document(
        id=r.id, text=r.text, title=r.title, url=r.url, source_id=r.source_id, published_at=r.published_at,
        published_precision=DatePrecision(r.published_precision) if r.published_precision else None,
        ingested_at=r.ingested_at, language=r.language, marking=r.marking, team=r.team, cluster_id=r.cluster_id,
        reader=r.reader, location=r.location, item=r.item, raw_sha256=r.raw_sha256, run_id=r.run_id,
        meta=tuple((k, v) for k, v in r.meta),
    )


def _document_row(d: Document, shingles: int, signature: bytes) -> dict[str, Any]:
    return {
        "id": d.id, "key": document_key(d.id), "source_id": d.source_id, "url": d.url, "title": d.title, "text": d.text,
        "published_at": d.published_at,
        "published_precision": d.published_precision.value if d.published_precision else None,
        "ingested_at": d.ingested_at, "language": d.language, "marking": d.marking, "team": d.team,
        "cluster_id": d.cluster_id, "reader": d.reader, "location": d.location, "item": d.item,
        "raw_sha256": d.raw_sha256, "run_id": d.run_id, "meta": [list(m) for m in d.meta],
        "shingles": shingles, "signature": signature,
    }


def _sighting(r: Any) -> Sighting:
    return Sighting(document_id=r.document_id, source_id=r.source_id, location=r.location, item=r.item,
                    url=r.url, published_at=r.published_at, raw_sha256=r.raw_sha256, run_id=r.run_id,
                    seen_at=r.seen_at)


def _sighting_row(key: str, s: Sighting) -> dict[str, Any]:
    return {"key": key, "document_id": s.document_id, "source_id": s.source_id, "location": s.location,
            "item": s.item, "url": s.url, "published_at": s.published_at, "raw_sha256": s.raw_sha256,
            "run_id": s.run_id, "seen_at": s.seen_at}


def _issue_row(run_id: int, i: Issue) -> dict[str, Any]:
    return {"run_id": run_id, "code": i.code.value, "severity": i.severity.value, "location": i.location,
            "item": i.item, "message": i.message, "hint": i.hint}


def _band_rows(batch: Batch) -> list[tuple[int, int]]:
    """(band key, document key) rows in key order, so the B-tree pages are visited once each."""
    bands = np.array([d.band_keys for d in batch.documents], dtype=np.int64)
    docs = np.repeat(np.array([document_key(d.document.id) for d in batch.documents], dtype=np.int64),
                     bands.shape[1])
    bands = bands.ravel()
    order = np.lexsort((docs, bands))
    return list(zip(bands[order].tolist(), docs[order].tolist(), strict=True))


def _processed(row: tuple[Any, ...], procs: list[tuple[int, Any]]) -> tuple[Any, ...]:
    values = list(row)
    for i, proc in procs:
        values[i] = proc(values[i])
    return tuple(values)


def document_key(doc_id: str) -> int:
    """The first 8 bytes of a document id as a signed 64-bit integer (compact, index-friendly)."""
    return int.from_bytes(bytes.fromhex(doc_id[:16]), "big", signed=True)


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
