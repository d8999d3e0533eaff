"""The one ingest write path: one transaction per batch (documents, LSH bands, sightings, cluster sizes,
issues, feed validators, run counters), and the look-ups a batch makes inside it. The hot path of
ingest: bulk statements straight to the driver; on PostgreSQL the big inserts go through COPY
(:mod:`forewarn.store.copy`) and each look-up is one query whatever the batch's size (``= ANY(%b)``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, bindparam, select, update

from forewarn.model import Document, Sighting
from forewarn.model.source import FeedValidators
from forewarn.store import schema as t
from forewarn.store.batch import Batch, Candidates
from forewarn.store.copy import compress_fast, copy_insert
from forewarn.store.core import StoreCore, chunks, driver_rows
from forewarn.store.matched import add_documents, bump
from forewarn.store.runs import issue_row


class IngestWrites(StoreCore):
    @contextmanager
    def ingest_transaction(self) -> Iterator[Connection]:
        """One batch's transaction; a database error comes out coded, without the batch's texts."""
        with self._write("writing an ingest batch") as conn:
            if self.dialect == "postgresql":
                compress_fast(conn)
            yield conn

    def existing_documents(self, tx: Connection, ids: Iterable[str]) -> set[str]:
        return {doc_id for doc_id, in self._select(tx, "SELECT id FROM documents WHERE id", list(ids))}

    def existing_sightings(self, tx: Connection, keys: Iterable[str]) -> set[str]:
        return {key for key, in self._select(tx, "SELECT key FROM sightings WHERE key", list(keys))}

    def candidates(self, tx: Connection, band_keys: Iterable[int]) -> Candidates:
        """The stored documents sharing any of ``band_keys``, with their fingerprints. The hot
        path of ingest, so it goes to the driver directly (no per-row type processing)."""
        by_band: dict[int, list[int]] = {}
        for band_key, doc_key in self._select(tx, "SELECT band_key, document_key FROM lsh_bands WHERE band_key",
                                              list(band_keys)):
            by_band.setdefault(band_key, []).append(doc_key)
        ids: dict[int, list[str]] = {}
        known: dict[str, tuple[bytes, int, str]] = {}
        for key, doc_id, signature, shingles, cluster_id in self._select(
                tx, "SELECT key, id, signature, shingles, cluster_id FROM documents WHERE key",
                sorted({k for keys in by_band.values() for k in keys})):
            ids.setdefault(key, []).append(doc_id)
            known[doc_id] = (bytes(signature), shingles, cluster_id)
        bands = {band: [i for k in keys for i in ids.get(k, ())] for band, keys in by_band.items()}
        return Candidates(bands, known)

    def _select(self, tx: Connection, query: str, keys: list[Any]) -> list[tuple[Any, ...]]:
        """The rows of ``query`` (ending in the key column) for ``keys``: on PostgreSQL one query, the keys one
        array parameter; on SQLite one ``IN`` list per chunk."""
        if self.dialect == "postgresql":
            statements = [(f"{query} = ANY(%b)", (keys,))] if keys else []  # %b: the array sent binary
        else:
            statements = [(f"{query} IN ({self._marks(len(chunk))})", tuple(chunk)) for chunk in chunks(keys)]
        return [row for sql, params in statements for row in tx.exec_driver_sql(sql, params).cursor.fetchall()]

    def write_batch(self, tx: Connection, batch: Batch) -> None:
        if batch.documents:
            self._bulk(tx, t.documents, [_document_row(d.document, d.shingles, d.signature) for d in batch.documents])
            self._bulk_values(tx, t.lsh_bands, ("band_key", "document_key"), _band_rows(batch))
            bump(tx, "documents", {known_day(d.document) for d in batch.documents})
            add_documents(tx, Counter(known_day(d.document) for d in batch.documents))
        if batch.sightings:
            self._bulk(tx, t.sightings, [_sighting_row(s.key, s.sighting) for s in batch.sightings])
        self._write_clusters(tx, batch)
        if batch.issues:
            tx.execute(t.ingest_issues.insert(), [issue_row(batch.run_id, i) for i in batch.issues])
        for v in batch.validators:
            self._save_validators(tx, v, batch)
        self._count(tx, batch)

    def _write_clusters(self, tx: Connection, batch: Batch) -> None:
        """A document whose cluster id is its own id founds that cluster; the others add to theirs."""
        growth = Counter(d.document.cluster_id for d in batch.documents)
        founded = {d.document.id for d in batch.documents if d.document.cluster_id == d.document.id}
        if founded:
            self._bulk(tx, t.clusters, [{"id": cid, "created_at": batch.now, "size": growth[cid]}
                                        for cid in sorted(founded)])
        grown = [{"cid": cid, "added": n} for cid, n in sorted(growth.items()) if cid not in founded]
        if grown:
            c = t.clusters.c
            tx.execute(update(t.clusters).where(c.id == bindparam("cid")).values(size=c.size + bindparam("added")),
                       grown)

    def _bulk(self, tx: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._bulk_values(tx, table, list(rows[0]), driver_rows(tx, table, rows))

    def _bulk_values(self, tx: Connection, table: Table, names: Sequence[str],
                     values: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows of driver values, skipping those whose key exists already (a concurrent writer got there
        first): on PostgreSQL through COPY, on SQLite as :meth:`_insert`."""
        if self.dialect == "postgresql":
            copy_insert(tx, table, names, values)
        else:
            self._insert(tx, table, values, names)

    def _save_validators(self, tx: Connection, v: FeedValidators, batch: Batch) -> None:
        tx.execute(t.feed_validators.delete().where(t.feed_validators.c.url == v.url))
        tx.execute(t.feed_validators.insert().values(url=v.url, etag=v.etag, last_modified=v.last_modified,
                                                     updated_at=batch.now))

    def _count(self, tx: Connection, batch: Batch) -> None:
        c, n = t.ingest_runs.c, batch.counts
        tx.execute(update(t.ingest_runs).where(c.id == batch.run_id).values(
            new=c.new + n.new, duplicate=c.duplicate + n.duplicate, near_duplicate=c.near_duplicate + n.near_duplicate,
            failed=c.failed + n.failed, warnings=c.warnings + n.warnings))

    def unlabelled_documents(self, after: str, limit: int) -> list[tuple[str, str]]:
        """Up to ``limit`` documents stored without a language (id and text), in id order after ``after``."""
        d = t.documents.c
        q = select(d.id, d.text).where(d.language.is_(None), d.id > after).order_by(d.id).limit(limit)
        with self.engine.connect() as conn:
            return [(r.id, r.text) for r in conn.execute(q)]

    def set_languages(self, languages: Mapping[str, str]) -> None:
        """Give each document of ``languages`` (id → language) its language where it has none yet."""
        if not languages:
            return
        d = t.documents.c
        q = (update(t.documents).where(d.id == bindparam("doc_id"), d.language.is_(None))
             .values(language=bindparam("lang")))
        with self._write("storing documents' languages") as conn:
            conn.execute(q, [{"doc_id": i, "lang": lang} for i, lang in languages.items()])

    def validators(self, url: str) -> FeedValidators | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.feed_validators).where(t.feed_validators.c.url == url)).first()
        return None if row is None else FeedValidators(row.url, row.etag, row.last_modified)


def document_key(doc_id: str) -> int:
    """The first 8 bytes of a document id as a signed 64-bit integer (compact, index-friendly)."""
    return int.from_bytes(bytes.fromhex(doc_id[:16]), "big", signed=True)


def known_day(d: Document) -> date:
    """The day (UTC) a document became known: published, else ingested."""
    return (d.published_at or d.ingested_at).astimezone(UTC).date()


def _document_row(d: Document, shingles: int, signature: bytes) -> dict[str, Any]:
    return {
        "id": d.id, "key": document_key(d.id), "source_id": d.source_id, "url": d.url, "title": d.title, "text": d.text,
        "published_at": d.published_at,
        "published_precision": d.published_precision.value if d.published_precision else None,
        "ingested_at": d.ingested_at, "language": d.language, "marking": d.marking, "team": d.team,
        "cluster_id": d.cluster_id, "reader": d.reader, "location": d.location, "item": d.item,
        "raw_sha256": d.raw_sha256, "run_id": d.run_id, "meta": [list(m) for m in d.meta],
        "shingles": shingles, "signature": signature, "compartment": d.compartment_id,
    }


def _sighting_row(key: str, s: Sighting) -> dict[str, Any]:
    return {"key": key, "document_id": s.document_id, "source_id": s.source_id, "location": s.location,
            "item": s.item, "url": s.url, "published_at": s.published_at, "raw_sha256": s.raw_sha256,
            "run_id": s.run_id, "seen_at": s.seen_at}


def _band_rows(batch: Batch) -> list[tuple[int, int]]:
    """(band key, document key) rows in key order, so the B-tree pages are visited once each."""
    bands = np.array([d.band_keys for d in batch.documents], dtype=np.int64)
    docs = np.repeat(np.array([document_key(d.document.id) for d in batch.documents], dtype=np.int64),
                     bands.shape[1])
    bands = bands.ravel()
    order = np.lexsort((docs, bands))
    return list(zip(bands[order].tolist(), docs[order].tolist(), strict=True))
