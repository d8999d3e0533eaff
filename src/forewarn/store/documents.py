"""The store's document reads: one document (by id or prefix), filtered lists and counts, sightings,
clusters, and the workspace's figures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, func, select

from forewarn.errors import NotFound
from forewarn.model import Document, Sighting
from forewarn.model.document import DatePrecision
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.query import DocumentQuery
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.core import StoreCore, chunks
from forewarn.store.queries import document_filters, via_document, via_source


class DocumentReads(StoreCore):
    def get_document(self, doc_id: str, access: Access = EVERYTHING) -> Document:
        """A document by id or unique prefix; one hidden from ``access`` is as missing (the same NotFound)."""
        c = t.documents.c
        cond = c.id == doc_id if len(doc_id) == 64 else c.id.startswith(doc_id, autoescape=True)
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.documents).where(cond, *hidden_from(c.compartment, access)).limit(2)).all()
        if not rows:
            raise NotFound(f"no document {doc_id!r}", hint="`forewarn docs` lists document ids")
        if len(rows) > 1:
            raise NotFound(f"document id prefix {doc_id!r} is ambiguous", hint="give more characters")
        return document_record(rows[0])

    def find_documents(self, query: DocumentQuery, access: Access = EVERYTHING) -> list[Document]:
        c = t.documents.c
        q = (select(t.documents).where(*document_filters(query, access))
             .order_by(c.published_at.desc().nulls_last(), c.id).limit(query.limit).offset(query.offset))
        with self.engine.connect() as conn:
            return [document_record(r) for r in conn.execute(q)]

    def count_documents(self, query: DocumentQuery, access: Access = EVERYTHING) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.documents)
                                .where(*document_filters(query, access))).scalar_one()

    def sightings_of(self, doc_id: str, access: Access = EVERYTHING) -> list[Sighting]:
        """Where a document was seen (the sightings from sources hidden from ``access`` left out)."""
        g = t.sightings.c
        q = select(t.sightings).where(g.document_id == doc_id, *via_source(g.source_id, access)).order_by(g.id)
        with self.engine.connect() as conn:
            return [_sighting(r) for r in conn.execute(q)]

    def cluster_members(self, cluster_id: str, access: Access = EVERYTHING) -> list[Document]:
        return self.find_documents(DocumentQuery(cluster_id=cluster_id, limit=10_000), access)

    def stats(self, access: Access = EVERYTHING) -> dict[str, Any]:
        """The workspace's figures (sources, documents, sightings and their dates: those ``access`` may see)."""
        d, g = t.documents.c, t.sightings.c
        seen = hidden_from(d.compartment, access)
        with self.engine.connect() as conn:
            scalar = lambda q: conn.execute(q).scalar_one()  # noqa: E731
            by_source = conn.execute(select(d.source_id, func.count()).where(*seen).group_by(d.source_id)
                                     .order_by(func.count().desc())).all()
            first, last = conn.execute(select(func.min(d.published_at), func.max(d.published_at)).where(*seen)).one()
            return {
                "backend": self.dialect,
                "schema_revision": self.schema_revision(),
                "sources": scalar(select(func.count()).select_from(t.sources)
                                  .where(*hidden_from(t.sources.c.compartment, access))),
                "documents": scalar(select(func.count()).select_from(t.documents).where(*seen)),
                "sightings": scalar(select(func.count()).select_from(t.sightings)
                                    .where(*via_source(g.source_id, access), *via_document(g.document_id, access))),
                "clusters": scalar(select(func.count()).select_from(t.clusters).where(*_holding(t.clusters.c.id,
                                                                                                 d.cluster_id, seen))),
                "clusters_with_duplicates": scalar(select(func.count()).select_from(t.clusters)
                                                   .where(t.clusters.c.size > 1,
                                                          *_holding(t.clusters.c.id, d.cluster_id, seen))),
                "ingest_runs": scalar(select(func.count()).select_from(t.ingest_runs)
                                      .where(*visible_runs(t.ingest_runs.c.id, access))),
                "issues": scalar(select(func.count()).select_from(t.ingest_issues)
                                 .where(*visible_runs(t.ingest_issues.c.run_id, access))),
                "first_published": first,
                "last_published": last,
                "documents_by_source": {(s or "(none)"): n for s, n in by_source},
            }

    def get_documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        """The stored documents among ``doc_ids`` (full ids), by id."""
        found: dict[str, Document] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(doc_ids))):
                found.update((r.id, document_record(r)) for r in conn.execute(
                    select(t.documents).where(t.documents.c.id.in_(chunk))))
        return found


def _holding(key: Any, column: Any, seen: list[Any]) -> list[Any]:
    """Rows (``key``) some visible document points at through ``column`` (none when nothing is hidden)."""
    return [exists().where(column == key, *seen)] if seen else []


def visible_runs(column: Any, access: Access) -> list[Any]:
    """Keep the ingest runs (``column``: a run id) that stored no document hidden from ``access``: a run that
    brought in hidden holdings is itself hidden, its figures and issues with it."""
    if not access.restricted:
        return []
    d = t.documents.c
    return [~exists().where(d.run_id == column, d.compartment.in_(sorted(access.hidden)))]


def document_record(r: Any) -> Document:
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
