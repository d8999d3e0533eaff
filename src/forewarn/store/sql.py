"""SqlStore: the Store protocol over SQLAlchemy Core, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    Table,
    and_,
    bindparam,
    create_engine,
    distinct,
    event,
    false,
    func,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.sql.elements import ColumnElement

from forewarn.distance import KM_PER_DEGREE, haversine_km
from forewarn.errors import (
    AlreadyExists,
    Code,
    ForewarnError,
    InvalidArgument,
    Issue,
    NotFound,
    Severity,
    StorageFull,
    StoreUnavailable,
)
from forewarn.model import Document, IngestRun, Marking, Reliability, Sighting, Source, SourceKind
from forewarn.model.document import DatePrecision
from forewarn.model.scenario import Region
from forewarn.nlp.types import (
    Claim,
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Extraction,
    Participant,
    PlaceMention,
    Sector,
)
from forewarn.sources.base import FeedValidators
from forewarn.store import schema as t
from forewarn.store.batch import Batch, Candidates
from forewarn.store.query import DocumentQuery, EventQuery
from forewarn.store.records import (
    DocumentExtraction,
    EntityMerge,
    EntityRecord,
    ExtractionCounts,
    ExtractionStatus,
    StoredClaim,
    StoredEvent,
    StoredMention,
    StoredParticipant,
    StoredPlace,
    event_id,
)

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE = "forewarn_write"  # execution option of the one write path
NOTES = "forewarn_notes"  # conn.info key: what a transaction() noted for the after-commit hooks
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
        return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, NoSuchModuleError) as err:  # the URL itself is not repeated: it may hold a password
        raise StoreUnavailable(f"the database URL is malformed ({type(err).__name__})",
                               hint="use postgresql+psycopg://user@host:port/db (--db or FOREWARN_DATABASE_URL)",
                               ) from None


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 30})  # parameters hold texts

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


def store_error(err: DBAPIError, doing: str) -> ForewarnError:
    """A database error met ``doing`` something, as a coded error that never repeats the statement or
    its parameters (they may hold document text): FW-E041 for a full disk or quota, else FW-E002 with
    the driver's error class, SQLSTATE and, for an operational error (connection, lock, I/O), its
    first line."""
    if _disk_full(err):
        return StorageFull(f"the disk or the database quota is full ({doing}); the write was rolled back",
                           hint="free space on the database's disk (or raise its quota), then re-run: committed "
                                "work is kept")
    return StoreUnavailable(f"the workspace store failed ({doing}): {_error_name(err)}",
                            hint="nothing of the failed transaction was stored; check that the database server "
                                 "runs (and its log), then re-run")


def _disk_full(err: DBAPIError) -> bool:
    orig = err.orig
    return (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) == "53100" or \
        getattr(orig, "sqlite_errorname", "") == "SQLITE_FULL" or "database or disk is full" in str(orig)


def _error_name(err: DBAPIError) -> str:
    """E.g. "IntegrityError (NotNullViolation, SQLSTATE 23502)", "OperationalError (…): database is locked"."""
    sqlstate = getattr(err.orig, "sqlstate", None)
    state = f"SQLSTATE {sqlstate}" if sqlstate else getattr(err.orig, "sqlite_errorname", "")
    details = [type(err.orig).__name__, state]
    name = f"{type(err).__name__} ({', '.join(d for d in details if d)})"
    if isinstance(err, OperationalError):  # about the server or the file, not about the data
        name += ": " + str(err.orig).strip().split("\n", 1)[0][:200]
    return name


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.after_commit: dict[str, Callable[[dict[str, Any]], None]] = {}  # see transaction()
        self.writes = 0  # write transactions begun: lets a command say whom it recorded
        self._open = threading.local()  # this thread's transaction() while it is open

    def _write(self) -> AbstractContextManager[Connection]:
        """A write transaction: every change to the workspace goes through here. Inside
        :meth:`transaction` (same thread) a write joins that transaction: an action and its ledger
        entry commit together or not at all."""
        joined: Connection | None = getattr(self._open, "conn", None)
        if joined is not None:
            return nullcontext(joined)
        self.writes += 1
        return self.engine.execution_options(**{WRITE: True}).begin()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The write path for the modules that keep their own tables (warnings, ledger): one
        transaction, the writer lock taken up front on SQLite. What the transaction notes in
        ``conn.info[NOTES]`` (the ledger notes its new head) goes to each ``after_commit`` hook once
        it has committed (automatic ledger anchors); nothing goes after a rollback."""
        if getattr(self._open, "conn", None) is not None:
            raise RuntimeError("store transactions do not nest")
        notes: dict[str, Any] = {}
        with self._write() as conn:
            conn.info[NOTES] = notes
            self._open.conn = conn
            try:
                yield conn
            finally:
                self._open.conn = None
                conn.info.pop(NOTES, None)
        for hook in list(self.after_commit.values()):
            hook(notes)

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

    def list_runs(self, limit: int = 20, offset: int = 0) -> list[IngestRun]:
        """The newest runs first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.ingest_runs).order_by(t.ingest_runs.c.id.desc()).limit(limit).offset(offset))
            return [_run(r) for r in rows]

    def count_runs(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.ingest_runs)).scalar_one())

    def run_issues(self, run_id: int, limit: int | None = None, offset: int = 0) -> list[Issue]:
        """A run's issues in the order they were found."""
        i = t.ingest_issues
        q = select(i).where(i.c.run_id == run_id).order_by(i.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [Issue(Code(r.code), r.message, r.location, r.item, r.hint, Severity(r.severity))
                    for r in conn.execute(q)]

    def count_run_issues(self, run_id: int) -> int:
        i = t.ingest_issues
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(i).where(i.c.run_id == run_id)).scalar_one())

    # -- the one ingest write path ---------------------------------------------------------
    @contextmanager
    def ingest_transaction(self) -> Iterator[Connection]:
        """One batch's transaction; a database error comes out coded, without the batch's texts."""
        try:
            with self._write() as conn:
                yield conn
        except DBAPIError as err:
            raise store_error(err, "writing an ingest batch") from None

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
        first). The ingest hot path: dict rows go through each column type's own bind processor (the
        dialect's, so a stored value looks exactly like one SQLAlchemy binds in a query), then straight
        to the driver's executemany, without SQLAlchemy's per-row statement work.
        Tuple rows (with ``names``) must already hold driver values."""
        if not rows:
            return
        if names:
            values = rows
        else:
            names = list(rows[0])
            procs = [(i, p) for i, n in enumerate(names)
                     if (p := table.c[n].type.dialect_impl(tx.dialect).bind_processor(tx.dialect))]
            values = [_processed(tuple(row.values()), procs) for row in rows]  # type: ignore[union-attr]
        verb, tail = ("INSERT OR IGNORE", "") if self.dialect == "sqlite" else ("INSERT", " ON CONFLICT DO NOTHING")
        columns = ", ".join(tx.dialect.identifier_preparer.quote(n) for n in names)  # "end" is a keyword
        tx.exec_driver_sql(f"{verb} INTO {table.name} ({columns}) VALUES ({self._marks(len(names))}){tail}", values)

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
        q = (select(t.documents).where(*document_filters(query))
             .order_by(c.published_at.desc().nulls_last(), c.id).limit(query.limit).offset(query.offset))
        with self.engine.connect() as conn:
            return [_document(r) for r in conn.execute(q)]

    def count_documents(self, query: DocumentQuery) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.documents)
                                .where(*document_filters(query))).scalar_one()

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

    def get_documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        """The stored documents among ``doc_ids`` (full ids), by id."""
        found: dict[str, Document] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(doc_ids))):
                found.update((r.id, _document(r)) for r in conn.execute(
                    select(t.documents).where(t.documents.c.id.in_(chunk))))
        return found

    # -- extractions: writes -----------------------------------------------------------------
    def save_extractions(self, extractions: Sequence[Extraction], now: datetime) -> None:
        """Store each document's extraction in place of what an earlier one stored for it, all in
        one transaction. Entities are added when missing; an existing one is updated only while no
        person has edited it, and its aliases are only ever added to. Idempotent."""
        latest = {x.document_id: x for x in extractions}  # a document given twice: the last one counts
        if not latest:
            return
        with self._write() as conn:
            facts = self._document_facts(conn, list(latest))
            self._upsert_status(conn, [_status_row(x.document_id, x.extractor, "ok", None, now, _counts(x))
                                       for x in latest.values()])
            self._clear_results(conn, list(latest))
            parts = self._save_entities(conn, _entities_of(latest.values()), now)
            xs = list(latest.values())
            self._insert(conn, t.mentions, [_mention_row(x, i, m) for x in xs for i, m in enumerate(x.entities)])
            self._insert(conn, t.places, [_place_row(x, i, p) for x in xs for i, p in enumerate(x.places)])
            self._insert(conn, t.claims, [_claim_row(x, i, c) for x in xs for i, c in enumerate(x.claims)])
            self._insert(conn, t.events, [row for x in xs for row in _event_rows(x, facts[x.document_id], parts, now)])

    def record_extraction_failure(self, document_id: str, extractor: str, error: str, now: datetime) -> None:
        """Mark a document's latest extraction as failed (it is then listed for a retry). What an
        earlier successful extraction stored for it stays until a later one succeeds."""
        with self._write() as conn:
            self._document_facts(conn, [document_id])
            self._upsert_status(conn, [_status_row(document_id, extractor, "failed", error, now, ExtractionCounts())])

    def _document_facts(self, conn: Connection, doc_ids: list[str]) -> dict[str, tuple[str | None, datetime | None]]:
        """(source id, publication time) of each document; every one must exist."""
        d = t.documents.c
        found: dict[str, tuple[str | None, datetime | None]] = {}
        for chunk in _chunks(doc_ids):
            for r in conn.execute(select(d.id, d.source_id, d.published_at).where(d.id.in_(chunk))):
                found[r.id] = (r.source_id, r.published_at)
        missing = [i for i in doc_ids if i not in found]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise NotFound(f"no document {missing[0]!r}{more}", hint="extractions are stored for stored documents only")
        return found

    def _upsert_status(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        ins = (pg_insert if self.dialect == "postgresql" else sqlite_insert)(t.extractions)
        keep = ("extractor", "status", "error", "extracted_at", "counts")
        conn.execute(ins.on_conflict_do_update(index_elements=["document_id"],
                                               set_={k: ins.excluded[k] for k in keep}), rows)

    def _clear_results(self, conn: Connection, doc_ids: list[str]) -> None:
        for table in (t.mentions, t.places, t.events, t.claims):
            for chunk in _chunks(doc_ids):
                conn.execute(table.delete().where(table.c.document_id.in_(chunk)))

    def _save_entities(self, conn: Connection, entities: dict[str, Entity],
                       now: datetime) -> dict[str, tuple[str | None, str | None]]:
        """Add missing entities, update the ones no person edited, add aliases; returns each
        entity's (country, sector) as events record them (the canonical entity's)."""
        e = t.entities
        existing: dict[str, Any] = {}
        for chunk in _chunks(list(entities)):
            existing.update((r.id, r) for r in conn.execute(select(e).where(e.c.id.in_(chunk))))
        self._insert(conn, e, [_entity_row(x, now) for i, x in entities.items() if i not in existing])
        stale = [_entity_update(x, now) for i, x in entities.items()
                 if i in existing and existing[i].origin != "user" and _entity_changed(existing[i], x)]
        if stale:
            conn.execute(update(e).where(e.c.id == bindparam("b_id")).values(
                name=bindparam("b_name"), kind=bindparam("b_kind"), country=bindparam("b_country"),
                sector=bindparam("b_sector"), updated_at=bindparam("b_at")), stale)
        open_ = [x for i, x in entities.items() if i not in existing or existing[i].origin != "user"]
        self._insert(conn, t.entity_aliases, [{"entity_id": x.id, "alias": a} for x in open_
                                              for a in sorted(set(x.aliases))])
        return self._participant_facts(conn, list(entities))

    def _participant_facts(self, conn: Connection, ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
        own, canon = t.entities.alias("own"), t.entities.alias("canon")
        facts: dict[str, tuple[str | None, str | None]] = {}
        for chunk in _chunks(ids):
            q = (select(own.c.id, func.coalesce(canon.c.country, own.c.country).label("country"),
                        func.coalesce(canon.c.sector, own.c.sector).label("sector"))
                 .select_from(own.join(canon, canon.c.id == own.c.canonical_id)).where(own.c.id.in_(chunk)))
            facts.update((r.id, (r.country, r.sector)) for r in conn.execute(q))
        return facts

    # -- extractions: reads ------------------------------------------------------------------
    def extraction_status(self, document_id: str) -> ExtractionStatus | None:
        x = t.extractions
        with self.engine.connect() as conn:
            row = conn.execute(select(x).where(x.c.document_id == document_id)).first()
        return None if row is None else _status(row)

    def documents_needing_extraction(self, extractor: str | None = None, only_failed: bool = False,
                                     limit: int | None = None) -> list[str]:
        """Ids of documents never extracted, whose last extraction failed, or (given ``extractor``)
        extracted by another extractor version; ``only_failed``: the failed ones only."""
        d, x = t.documents.c, t.extractions.c
        if only_failed:
            cond: ColumnElement[bool] = x.status == "failed"
        else:
            conds = [x.document_id.is_(None), x.status == "failed"]
            if extractor is not None:
                conds.append(x.extractor != extractor)
            cond = or_(*conds)
        q = (select(d.id).select_from(t.documents.outerjoin(t.extractions, x.document_id == d.id))
             .where(cond).order_by(d.id).limit(limit))
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

    def find_events(self, query: EventQuery) -> list[StoredEvent]:
        ev = t.events.c
        q = event_select().where(*event_filters(query)).order_by(ev.date, ev.id)
        if query.near is None:
            q = q.limit(query.limit).offset(query.offset)
        with self.engine.connect() as conn:
            found = [event_record(r) for r in conn.execute(q)]
        if query.near is None:
            return found
        near = [e for e in found if e.place and _within(e.place.lat, e.place.lon, query.near)]
        end = None if query.limit is None else query.offset + query.limit
        return near[query.offset:end]

    def count_events(self, query: EventQuery) -> int:
        ev = t.events.c
        with self.engine.connect() as conn:
            if query.near is None:
                return conn.execute(select(func.count()).select_from(t.events)
                                    .where(*event_filters(query))).scalar_one()
            rows = conn.execute(select(ev.place_lat, ev.place_lon).where(*event_filters(query)))
            return sum(1 for lat, lon in rows if _within(lat, lon, query.near))

    def claims_of(self, document_id: str) -> list[StoredClaim]:
        c = t.claims.c
        own, canon = t.entities.alias("own"), t.entities.alias("canon")
        q = (select(t.claims, canon.c.id.label("speaker_canonical_id"), canon.c.name.label("speaker_name"),
                    func.coalesce(canon.c.country, own.c.country).label("speaker_country"),
                    func.coalesce(canon.c.sector, own.c.sector).label("speaker_sector"))
             .select_from(t.claims.outerjoin(own, own.c.id == c.speaker_entity_id)
                          .outerjoin(canon, canon.c.id == own.c.canonical_id))
             .where(c.document_id == document_id).order_by(c.seq))
        with self.engine.connect() as conn:
            return [_claim(r) for r in conn.execute(q)]

    def extraction_of(self, document_id: str) -> DocumentExtraction:
        """Everything stored for a document: status, mentions, places, events (negated ones too), claims."""
        m, p = t.mentions.c, t.places.c
        own, canon = t.entities.alias("own"), t.entities.alias("canon")
        mq = (select(t.mentions, canon.c.id.label("canonical_id"), canon.c.name, own.c.kind)
              .select_from(t.mentions.join(own, own.c.id == m.entity_id).join(canon, canon.c.id == own.c.canonical_id))
              .where(m.document_id == document_id).order_by(m.seq))
        with self.engine.connect() as conn:
            mentions = tuple(_mention(r) for r in conn.execute(mq))
            places = tuple(_place(r) for r in conn.execute(
                select(t.places).where(p.document_id == document_id).order_by(p.seq)))
        events = self.find_events(EventQuery(document_id=document_id, include_negated=True, limit=None))
        return DocumentExtraction(document_id, self.extraction_status(document_id), mentions, places,
                                  tuple(events), tuple(self.claims_of(document_id)))

    # -- entities ----------------------------------------------------------------------------
    def list_entities(self, kind: str | None = None, search: str | None = None, limit: int = 100,
                      include_merged: bool = False) -> list[EntityRecord]:
        """Entities with the number of events their merge group takes part in, most active first.
        ``search``: case-insensitive substring of id, name or an alias. Merged entities are left
        out unless ``include_merged``."""
        e = t.entities.c
        conds: list[ColumnElement[bool]] = []
        if kind is not None:
            conds.append(e.kind == entity_kind(kind))
        if search:
            conds.append(entity_matches(search, ids_too=True))
        if not include_merged:
            conds.append(e.merged_into.is_(None))
        return self._entity_records(conds, limit)

    def get_entity(self, entity_id: str) -> EntityRecord:
        found = self._entity_records([t.entities.c.id == entity_id], 1)
        if not found:
            raise NotFound(f"no entity {entity_id!r}", hint="`forewarn entities list --search NAME` finds entity ids")
        return found[0]

    def _entity_records(self, conds: list[ColumnElement[bool]], limit: int) -> list[EntityRecord]:
        e, a = t.entities.c, t.entity_aliases.c
        counts = _event_counts()
        n = func.coalesce(counts.c.n, 0).label("n_events")
        q = (select(t.entities, n).select_from(t.entities.outerjoin(counts, counts.c.canonical_id == e.canonical_id))
             .where(*conds).order_by(n.desc(), e.name, e.id).limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            ids = [r.id for r in rows]
            aliases: dict[str, list[str]] = {}
            members: dict[str, list[str]] = {}
            for chunk in _chunks(ids):
                for r in conn.execute(select(a.entity_id, a.alias).where(a.entity_id.in_(chunk))
                                      .order_by(a.entity_id, a.alias)):
                    aliases.setdefault(r.entity_id, []).append(r.alias)
                merged = e.canonical_id.in_(chunk) & (e.id != e.canonical_id)
                for r in conn.execute(select(e.id, e.canonical_id).where(merged).order_by(e.id)):
                    members.setdefault(r.canonical_id, []).append(r.id)
        return [_entity_record(r, aliases.get(r.id, ()), members.get(r.id, ())) for r in rows]

    def _entity_row_of(self, conn: Connection, entity_id: str) -> Any:
        row = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
        if row is None:
            raise NotFound(f"no entity {entity_id!r}", hint="`forewarn entities list --search NAME` finds entity ids")
        return row

    def merge_entities(self, from_id: str, into_id: str, actor: str, now: datetime, note: str | None = None) -> int:
        """Merge ``from_id`` (and whatever was merged into it) into ``into_id``; returns the merge's id.
        A chain resolves to its end: merging A into B, then B into C, makes C canonical for all three."""
        e = t.entities.c
        with self._write() as conn:
            src, dst = self._entity_row_of(conn, from_id), self._entity_row_of(conn, into_id)
            _check_merge(src, dst)
            conn.execute(update(t.entities).where(e.id == from_id).values(merged_into=into_id, updated_at=now))
            conn.execute(update(t.entities).where(e.canonical_id == from_id).values(canonical_id=dst.canonical_id))
            result = conn.execute(t.entity_merges.insert().values(from_id=from_id, into_id=into_id, actor=actor,
                                                                  at=now, note=note))
            self._refresh_participants(conn, [dst.canonical_id])
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def undo_merge(self, merge_id: int, actor: str, now: datetime) -> EntityMerge:
        """Undo a merge: the merged entity (with what was merged into it) stands alone again."""
        e = t.entities.c
        with self._write() as conn:
            merge = self._merge_row_of(conn, merge_id)
            if merge.undone_at is not None:
                raise _conflict(f"merge {merge_id} was undone already, by {merge.undone_by}",
                                hint="`forewarn entities merges` shows the log")
            group = self._entity_row_of(conn, merge.from_id).canonical_id
            conn.execute(update(t.entities).where(e.id == merge.from_id).values(merged_into=None, updated_at=now))
            self._recanonicalise(conn, group)
            m = t.entity_merges.c
            conn.execute(update(t.entity_merges).where(m.id == merge_id).values(undone_by=actor, undone_at=now))
            self._refresh_participants(conn, [group, merge.from_id])
            return _merge(self._merge_row_of(conn, merge_id))

    def _merge_row_of(self, conn: Connection, merge_id: int) -> Any:
        row = conn.execute(select(t.entity_merges).where(t.entity_merges.c.id == merge_id)).first()
        if row is None:
            raise NotFound(f"no entity merge {merge_id}", hint="`forewarn entities merges` lists them")
        return row

    def _recanonicalise(self, conn: Connection, group: str) -> None:
        """Recompute the canonical id of every member of a former merge group."""
        e = t.entities.c
        parent = {r.id: r.merged_into for r in conn.execute(select(e.id, e.merged_into).where(e.canonical_id == group))}
        moved = [{"b_id": i, "b_canonical": c} for i in sorted(parent) if (c := _chain_end(i, parent)) != group]
        if moved:
            conn.execute(update(t.entities).where(e.id == bindparam("b_id"))
                         .values(canonical_id=bindparam("b_canonical")), moved)

    def _refresh_participants(self, conn: Connection, groups: list[str]) -> None:
        """Events record their participants' country and sector as the canonical entity has them:
        bring them up to date for the members of these merge groups."""
        ev = t.events.c
        members = select(t.entities.c.id).where(t.entities.c.canonical_id.in_(groups))
        for role in ("actor", "recipient"):
            who = ev[f"{role}_entity_id"]
            conn.execute(update(t.events).where(who.in_(members)).values(
                {f"{role}_country": _resolved(who, "country"), f"{role}_sector": _resolved(who, "sector")}))

    def edit_entity(self, entity_id: str, *, actor: str, now: datetime, name: str | None = None,
                    country: str | None = None, sector: str | None = None, add_aliases: Sequence[str] = (),
                    remove_aliases: Sequence[str] = ()) -> EntityRecord:
        """Edit an entity by hand. It becomes origin 'user': later extractions leave it (and its
        aliases) as the person left it."""
        values = _entity_edit(name, country, sector)
        a = t.entity_aliases.c
        with self._write() as conn:
            row = self._entity_row_of(conn, entity_id)
            held = set(conn.execute(select(a.alias).where(a.entity_id == entity_id)).scalars())
            absent = [x for x in remove_aliases if x not in held]
            if absent:
                raise NotFound(f"entity {entity_id!r} has no alias {absent[0]!r}",
                               hint=f"its aliases: {', '.join(sorted(held)) or '(none)'}")
            conn.execute(update(t.entities).where(t.entities.c.id == entity_id)
                         .values(origin="user", updated_at=now, updated_by=actor, **values))
            for chunk in _chunks(list(remove_aliases)):
                conn.execute(t.entity_aliases.delete().where(a.entity_id == entity_id, a.alias.in_(chunk)))
            added = sorted({x.strip() for x in add_aliases if x.strip()} - held)
            self._insert(conn, t.entity_aliases, [{"entity_id": entity_id, "alias": x} for x in added])
            if "country" in values or "sector" in values:
                self._refresh_participants(conn, [row.canonical_id])
        return self.get_entity(entity_id)

    def list_merges(self, entity_id: str | None = None, limit: int = 100) -> list[EntityMerge]:
        """The merge log, newest first; ``entity_id``: the merges from or into it."""
        m = t.entity_merges.c
        q = select(t.entity_merges).order_by(m.id.desc()).limit(limit)
        if entity_id is not None:
            q = q.where(or_(m.from_id == entity_id, m.into_id == entity_id))
        with self.engine.connect() as conn:
            return [_merge(r) for r in conn.execute(q)]

    def get_merge(self, merge_id: int) -> EntityMerge:
        with self.engine.connect() as conn:
            return _merge(self._merge_row_of(conn, merge_id))


# -- row mapping ---------------------------------------------------------------------------
def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), IN_CHUNK):
        yield values[i:i + IN_CHUNK]


def document_filters(q: DocumentQuery) -> list[ColumnElement[bool]]:
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
        pattern = _like(q.text)
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


# -- extraction rows -------------------------------------------------------------------------


def _counts(x: Extraction) -> ExtractionCounts:
    return ExtractionCounts(entities=len(x.entities), places=len(x.places), dates=len(x.dates),
                            events=len(x.events), claims=len(x.claims))


def _status_row(doc_id: str, extractor: str, status: str, error: str | None, now: datetime,
                counts: ExtractionCounts) -> dict[str, Any]:
    return {"document_id": doc_id, "extractor": extractor, "status": status, "error": error, "extracted_at": now,
            "counts": dataclasses.asdict(counts)}


def _status(r: Any) -> ExtractionStatus:
    return ExtractionStatus(document_id=r.document_id, extractor=r.extractor, status=r.status, error=r.error,
                            extracted_at=r.extracted_at, counts=ExtractionCounts(**r.counts))


def _entities_of(extractions: Iterable[Extraction]) -> dict[str, Entity]:
    """Every entity an extraction refers to (the first description of each id counts)."""
    found: dict[str, Entity] = {}
    for x in extractions:
        for m in x.entities:
            found.setdefault(m.entity.id, m.entity)
        for ev in x.events:
            for p in (ev.actor, ev.recipient):
                if p is not None:
                    found.setdefault(p.entity.id, p.entity)
        for c in x.claims:
            if c.speaker is not None:
                found.setdefault(c.speaker.entity.id, c.speaker.entity)
    return found


def _entity_row(x: Entity, now: datetime) -> dict[str, Any]:
    return {"id": x.id, "name": x.name, "kind": x.kind.value, "country": x.country,
            "sector": x.sector.value if x.sector else None,
            "origin": "dictionary" if x.id.startswith("dict:") else "ner", "merged_into": None,
            "canonical_id": x.id, "updated_at": now, "updated_by": None}


def _entity_changed(r: Any, x: Entity) -> bool:
    sector = x.sector.value if x.sector else None
    return (r.name, r.kind, r.country, r.sector) != (x.name, x.kind.value, x.country, sector)


def _entity_update(x: Entity, now: datetime) -> dict[str, Any]:
    return {"b_id": x.id, "b_name": x.name, "b_kind": x.kind.value, "b_country": x.country,
            "b_sector": x.sector.value if x.sector else None, "b_at": now}


def _mention_row(x: Extraction, seq: int, m: EntityMention) -> dict[str, Any]:
    return {"document_id": x.document_id, "seq": seq, "entity_id": m.entity.id, "text": m.text, "start": m.start,
            "end": m.end, "sentence": m.sentence, "extractor": x.extractor}


def _place_row(x: Extraction, seq: int, p: PlaceMention) -> dict[str, Any]:
    g = p.place
    return {"document_id": x.document_id, "seq": seq, "name": g.name, "lat": g.lat, "lon": g.lon,
            "country": g.country, "admin1": g.admin1, "gazetteer_id": g.gazetteer_id, "precision": g.precision.value,
            "text": p.text, "start": p.start, "end": p.end, "sentence": p.sentence, "extractor": x.extractor}


def _claim_row(x: Extraction, seq: int, c: Claim) -> dict[str, Any]:
    s = c.speaker
    return {"document_id": x.document_id, "seq": seq, "speaker_entity_id": s.entity.id if s else None,
            "speaker_text": c.speaker_text, "speaker_start": s.start if s else None,
            "speaker_end": s.end if s else None, "cue": c.cue, "content_start": c.content_start,
            "content_end": c.content_end, "quoted": c.quoted, "stance": c.stance, "sentence": c.sentence,
            "start": c.start, "end": c.end, "extractor": x.extractor}


def _event_rows(x: Extraction, facts: tuple[str | None, datetime | None],
                parts: dict[str, tuple[str | None, str | None]], now: datetime) -> list[dict[str, Any]]:
    """One row per distinct event id (the first of the events sharing one counts)."""
    rows: dict[str, dict[str, Any]] = {}
    for ev in x.events:
        row = _event_row(x, ev, facts, parts, now)
        rows.setdefault(row["id"], row)
    return list(rows.values())


def _event_row(x: Extraction, ev: Event, facts: tuple[str | None, datetime | None],
               parts: dict[str, tuple[str | None, str | None]], now: datetime) -> dict[str, Any]:
    e, f = ev.evidence, ev.flags
    return {
        "id": event_id(x.document_id, ev), "document_id": x.document_id, "source_id": facts[0],
        "published_at": facts[1], "extractor": x.extractor, "coded_at": now, "type": ev.type, "mode": ev.mode,
        "contexts": list(ev.contexts), **_participant_row("actor", ev.actor, parts),
        **_participant_row("recipient", ev.recipient, parts), **_event_place_row(ev.place),
        "date": ev.date, "date_precision": ev.date_precision.value, "date_from_publication": ev.date_from_publication,
        "negated": f.negated, "hypothetical": f.hypothetical, "future": f.future, "reported": f.reported,
        "sentence": e.sentence, "start": e.start, "end": e.end, "trigger_start": e.trigger_start,
        "trigger_end": e.trigger_end, "confidence": float(ev.confidence),
    }


def _participant_row(role: str, p: Participant | None,
                     parts: dict[str, tuple[str | None, str | None]]) -> dict[str, Any]:
    country, sector = parts[p.entity.id] if p else (None, None)
    return {f"{role}_entity_id": p.entity.id if p else None, f"{role}_text": p.text if p else None,
            f"{role}_start": p.start if p else None, f"{role}_end": p.end if p else None,
            f"{role}_country": country, f"{role}_sector": sector}


def _event_place_row(p: PlaceMention | None) -> dict[str, Any]:
    g = p.place if p else None
    return {"place_name": g.name if g else None, "place_lat": g.lat if g else None, "place_lon": g.lon if g else None,
            "place_country": g.country if g else None, "place_admin1": g.admin1 if g else None,
            "place_gazetteer_id": g.gazetteer_id if g else None, "place_precision": g.precision.value if g else None,
            "place_text": p.text if p else None, "place_start": p.start if p else None,
            "place_end": p.end if p else None}


# -- extraction reads ------------------------------------------------------------------------
def _like(text: str) -> str:
    """A case-insensitive LIKE pattern for a literal substring (escape character: backslash)."""
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def entity_matches(spec: str, ids_too: bool = False) -> ColumnElement[bool]:
    """Entities whose id is ``spec``, or whose name or an alias contains it (case-insensitive)."""
    e, a = t.entities.c, t.entity_aliases.c
    pattern = _like(spec)
    by_alias = select(a.entity_id).where(func.lower(a.alias).like(pattern, escape="\\"))
    by_id = func.lower(e.id).like(pattern, escape="\\") if ids_too else e.id == spec
    return or_(by_id, func.lower(e.name).like(pattern, escape="\\"), e.id.in_(by_alias))


def entity_group(spec: str) -> Any:
    """Ids of the entities matching ``spec`` and of every entity merged with one of them."""
    e = t.entities.c
    canonical = select(e.canonical_id).where(entity_matches(spec))
    return select(e.id).where(e.canonical_id.in_(canonical))


def event_filters(q: EventQuery) -> list[ColumnElement[bool]]:
    c = t.events.c
    conds: list[ColumnElement[bool]] = []
    if q.types:
        conds.append(c.type.in_(q.types))
    if q.modes:
        conds.append(c.mode.in_(q.modes))
    for role, spec, country in (("actor", q.actor, q.actor_country), ("recipient", q.recipient, q.recipient_country)):
        if spec:
            conds.append(c[f"{role}_entity_id"].in_(entity_group(spec)))
        if country:
            conds.append(c[f"{role}_country"] == country.upper())
    if q.place:
        pattern = _like(q.place)
        conds.append(or_(func.lower(c.place_name).like(pattern, escape="\\"),
                         func.lower(c.place_admin1).like(pattern, escape="\\")))
    if q.near is not None:
        conds += _bounding_box(*q.near)
    if q.region is not None:
        conds.append(_in_region(q.region))
    conds += _event_scalar_filters(q)
    return conds


def _event_scalar_filters(q: EventQuery) -> list[ColumnElement[bool]]:
    c = t.events.c
    conds: list[ColumnElement[bool]] = []
    if q.date_from:
        conds.append(c.date >= q.date_from)
    if q.date_to:
        conds.append(c.date <= q.date_to)
    if q.source_id:
        conds.append(c.source_id == q.source_id)
    if q.document_id:
        doc = q.document_id
        conds.append(c.document_id == doc if len(doc) == 64 else c.document_id.startswith(doc, autoescape=True))
    if q.min_confidence is not None:
        conds.append(c.confidence >= q.min_confidence)
    if not q.include_negated:
        conds.append(c.negated.is_(False))
    return conds


def _bounding_box(lat: float, lon: float, radius_km: float) -> list[ColumnElement[bool]]:
    """A box holding the circle (the exact distance is checked afterwards)."""
    c = t.events.c
    dlat = radius_km / KM_PER_DEGREE
    conds: list[ColumnElement[bool]] = [c.place_lat.between(lat - dlat, lat + dlat)]
    widest = abs(lat) + dlat  # where the circle reaches nearest a pole, a degree of longitude is shortest
    if widest < 89.0:
        dlon = radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest)))
        if lon - dlon >= -180 and lon + dlon <= 180:  # no box across the antimeridian
            conds.append(c.place_lon.between(lon - dlon, lon + dlon))
    return conds


def _in_region(region: Region) -> ColumnElement[bool]:
    """Events in the region's countries or first-level regions, or without a place but with a
    participant of one of its countries (as ``in_region`` decides), or within its radius's bounding box."""
    c = t.events.c
    found: list[ColumnElement[bool]] = []
    if region.countries:
        found.append(c.place_country.in_(region.countries))
        found.append(and_(c.place_name.is_(None), or_(  # the recipient's country, else the actor's
            c.recipient_country.in_(region.countries),
            and_(c.recipient_country.is_(None), c.actor_country.in_(region.countries)))))
    for spec in region.admin1:
        country, _, admin1 = spec.partition(":")
        found.append(and_(c.place_country == country, c.place_admin1 == admin1))
    if region.point is not None and region.radius_km is not None:
        found.append(and_(*_bounding_box(region.point[0], region.point[1], region.radius_km)))
    return or_(*found) if found else false()


def _within(lat: float | None, lon: float | None, near: tuple[float, float, float]) -> bool:
    if lat is None or lon is None:
        return False
    return haversine_km(lat, lon, near[0], near[1]) <= near[2]


def event_select() -> Select[Any]:
    """Events with each participant's canonical entity (id and name)."""
    ev = t.events
    cols: list[Any] = [ev]
    joined: Any = ev
    for role in ("actor", "recipient"):
        own, canon = t.entities.alias(f"{role}_own"), t.entities.alias(f"{role}_canon")
        joined = (joined.outerjoin(own, own.c.id == ev.c[f"{role}_entity_id"])
                  .outerjoin(canon, canon.c.id == own.c.canonical_id))
        cols += [canon.c.id.label(f"{role}_canonical_id"), canon.c.name.label(f"{role}_name")]
    return select(*cols).select_from(joined)


def event_record(r: Any) -> StoredEvent:
    return StoredEvent(
        id=r.id, document_id=r.document_id, source_id=r.source_id, published_at=r.published_at,
        extractor=r.extractor, coded_at=r.coded_at, type=r.type, mode=r.mode, contexts=tuple(r.contexts),
        actor=_participant(r, "actor"), recipient=_participant(r, "recipient"), place=_event_place(r),
        date=r.date, date_precision=r.date_precision, date_from_publication=r.date_from_publication,
        negated=r.negated, hypothetical=r.hypothetical, future=r.future, reported=r.reported, sentence=r.sentence,
        start=r.start, end=r.end, trigger_start=r.trigger_start, trigger_end=r.trigger_end, confidence=r.confidence,
    )


def _participant(r: Any, role: str) -> StoredParticipant | None:
    m = r._mapping
    entity_id = m[f"{role}_entity_id"]
    if entity_id is None:
        return None
    return StoredParticipant(entity_id=entity_id, canonical_id=m[f"{role}_canonical_id"] or entity_id,
                             name=m[f"{role}_name"] or m[f"{role}_text"], text=m[f"{role}_text"],
                             start=m[f"{role}_start"], end=m[f"{role}_end"], country=m[f"{role}_country"],
                             sector=m[f"{role}_sector"])


def _event_place(r: Any) -> StoredPlace | None:
    if r.place_name is None:
        return None
    return StoredPlace(name=r.place_name, lat=r.place_lat, lon=r.place_lon, country=r.place_country,
                       admin1=r.place_admin1, gazetteer_id=r.place_gazetteer_id, precision=r.place_precision,
                       text=r.place_text, start=r.place_start, end=r.place_end, sentence=r.sentence)


def _place(r: Any) -> StoredPlace:
    return StoredPlace(name=r.name, lat=r.lat, lon=r.lon, country=r.country, admin1=r.admin1,
                       gazetteer_id=r.gazetteer_id, precision=r.precision, text=r.text, start=r.start, end=r.end,
                       sentence=r.sentence)


def _mention(r: Any) -> StoredMention:
    return StoredMention(document_id=r.document_id, entity_id=r.entity_id, canonical_id=r.canonical_id, name=r.name,
                         kind=r.kind, text=r.text, start=r.start, end=r.end, sentence=r.sentence,
                         extractor=r.extractor)


def _claim(r: Any) -> StoredClaim:
    speaker = None
    if r.speaker_entity_id is not None:
        speaker = StoredParticipant(entity_id=r.speaker_entity_id, canonical_id=r.speaker_canonical_id,
                                    name=r.speaker_name, text=r.speaker_text, start=r.speaker_start,
                                    end=r.speaker_end, country=r.speaker_country, sector=r.speaker_sector)
    return StoredClaim(document_id=r.document_id, speaker=speaker, speaker_text=r.speaker_text, cue=r.cue,
                       content_start=r.content_start, content_end=r.content_end, quoted=r.quoted, stance=r.stance,
                       sentence=r.sentence, start=r.start, end=r.end, extractor=r.extractor)


# -- entities --------------------------------------------------------------------------------
def _resolved(entity_id: Any, field: str) -> Any:
    """The canonical entity's value of ``field`` (the entity's own where the canonical has none)."""
    own, canon = t.entities.alias("own"), t.entities.alias("canon")
    return (select(func.coalesce(canon.c[field], own.c[field]))
            .select_from(own.join(canon, canon.c.id == own.c.canonical_id))
            .where(own.c.id == entity_id).scalar_subquery())


def _event_counts() -> Any:
    """Per merge group (canonical id): how many events, negated ones left out, its members take part in."""
    ev, e = t.events.c, t.entities.c
    roles = union_all(*(select(ev.id.label("event_id"), ev[f"{role}_entity_id"].label("entity_id"))
                        .where(ev[f"{role}_entity_id"].is_not(None), ev.negated.is_(False))
                        for role in ("actor", "recipient"))).subquery()
    return (select(e.canonical_id, func.count(distinct(roles.c.event_id)).label("n"))
            .select_from(roles.join(t.entities, e.id == roles.c.entity_id)).group_by(e.canonical_id).subquery())


def _entity_record(r: Any, aliases: Iterable[str], members: Iterable[str]) -> EntityRecord:
    return EntityRecord(id=r.id, name=r.name, kind=r.kind, country=r.country, sector=r.sector, origin=r.origin,
                        merged_into=r.merged_into, canonical_id=r.canonical_id, aliases=tuple(aliases),
                        updated_at=r.updated_at, updated_by=r.updated_by, events=r.n_events, members=tuple(members))


def _merge(r: Any) -> EntityMerge:
    return EntityMerge(id=r.id, from_id=r.from_id, into_id=r.into_id, actor=r.actor, at=r.at, note=r.note,
                       undone_by=r.undone_by, undone_at=r.undone_at)


def _conflict(message: str, hint: str = "") -> ForewarnError:
    return ForewarnError(message, hint=hint, code=Code.ENTITY_CONFLICT)


def _check_merge(src: Any, dst: Any) -> None:
    if src.id == dst.id:
        raise _conflict(f"cannot merge entity {src.id!r} into itself")
    undo = "undo that merge first (`forewarn entities merges` shows its id, `forewarn entities unmerge ID`)"
    if src.merged_into is not None:
        raise _conflict(f"entity {src.id!r} is merged into {src.merged_into!r} already", hint=undo)
    if dst.canonical_id == src.id:
        raise _conflict(f"entity {dst.id!r} is merged into {src.id!r}: merging back would make a cycle", hint=undo)


def _chain_end(entity_id: str, parent: dict[str, str | None]) -> str:
    seen = {entity_id}
    while (nxt := parent.get(entity_id)) is not None and nxt not in seen:
        seen.add(nxt)
        entity_id = nxt
    return entity_id


def entity_kind(kind: str) -> str:
    try:
        return EntityKind(kind.lower()).value
    except ValueError:
        raise InvalidArgument(f"unknown entity kind {kind!r}",
                              hint=f"kinds: {', '.join(k.value for k in EntityKind)}") from None


def _entity_edit(name: str | None, country: str | None, sector: str | None) -> dict[str, str]:
    """The columns a hand edit sets, checked."""
    values: dict[str, str] = {}
    if name is not None:
        if not name.strip():
            raise InvalidArgument("an entity name cannot be empty")
        values["name"] = name.strip()
    if country is not None:
        code = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise InvalidArgument(f"country {country!r} is not a three-letter code",
                                  hint="use ISO 3166 alpha-3 (UKR, RUS) or IGO")
        values["country"] = code
    if sector is not None:
        try:
            values["sector"] = Sector(sector.lower()).value
        except ValueError:
            raise InvalidArgument(f"unknown sector {sector!r}",
                                  hint=f"sectors: {', '.join(s.value for s in Sector)}") from None
    return values
