"""The store's document reads: one document (by id or prefix), filtered lists and counts, sightings,
clusters, and the workspace's figures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from forewarn.errors import NotFound
from forewarn.model import Document, Sighting
from forewarn.model.document import DatePrecision
from forewarn.model.query import DocumentQuery
from forewarn.store import schema as t
from forewarn.store.core import StoreCore, chunks
from forewarn.store.queries import document_filters


class DocumentReads(StoreCore):
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
            for chunk in chunks(sorted(set(doc_ids))):
                found.update((r.id, _document(r)) for r in conn.execute(
                    select(t.documents).where(t.documents.c.id.in_(chunk))))
        return found


def _document(r: Any) -> Document:
    return Document(
        id=r.id, text=r.text, title=r.title, url=r.url, source_id=r.source_id, published_at=r.published_at,
        published_precision=DatePrecision(r.published_precision) if r.published_precision else None,
        ingested_at=r.ingested_at, language=r.language, marking=r.marking, team=r.team, cluster_id=r.cluster_id,
        reader=r.reader, location=r.location, item=r.item, raw_sha256=r.raw_sha256, run_id=r.run_id,
        meta=tuple((k, v) for k, v in r.meta), compartment_id=r.compartment,
    )


def _sighting(r: Any) -> Sighting:
    return Sighting(document_id=r.document_id, source_id=r.source_id, location=r.location, item=r.item,
                    url=r.url, published_at=r.published_at, raw_sha256=r.raw_sha256, run_id=r.run_id,
                    seen_at=r.seen_at)
