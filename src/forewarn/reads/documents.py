"""Reads of the document list and the document reader: a page of documents without their texts
(dated and undated read apart, each in index order; a text search without dates held to the latest
``TEXT_SCOPE`` documents; a Cyrillic search word searched in all its inflected forms) and a duplicate
cluster's first members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from forewarn.model import Document, Sighting, Source
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.query import DocumentQuery
from forewarn.model.records import DocumentExtraction
from forewarn.nlp.slavic.forms import search_forms
from forewarn.nlp.translate import Reading
from forewarn.reads.events import Evidence
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.queries import document_filters

TEXT_SCOPE = 10_000  # a text search without dates reads the latest 10,000 documents


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A listed document without its text: ``snippet`` is its first 240 characters, ``cluster_size``
    the number of documents in its near-duplicate cluster."""

    id: str
    title: str | None
    snippet: str
    source_id: str | None
    published_at: datetime | None
    ingested_at: datetime
    url: str | None
    cluster_id: str
    cluster_size: int
    language: str | None
    compartment_id: int | None = None  # who may see it (None: anyone)


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """A document of a near-duplicate cluster."""

    id: str
    title: str | None
    source_id: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class DocumentList:
    """A page of documents, the total, whether a text search was held to the latest ``TEXT_SCOPE``, and the
    other forms of the search word it looked for too."""

    documents: tuple[DocumentSummary, ...]
    total: int
    scoped: bool
    forms: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentDetail:
    """A document with what extraction stored for it (its events' evidence sentences by event id),
    where it was seen (``sources``: every registered source, by id), and its duplicate cluster's size
    and first members."""

    document: Document
    extraction: DocumentExtraction
    evidence: Mapping[str, Evidence]
    sightings: tuple[Sighting, ...]
    sources: Mapping[str, Source]
    cluster_size: int
    members: tuple[ClusterMember, ...]
    reading: Reading | None = None  # the English reading by the workspace's translator, where one is set
    marking: str = ""  # its compartment's label ("" for an open document), issue 18


def with_forms(q: DocumentQuery) -> DocumentQuery:
    """The query with the inflected forms of its search word, a Cyrillic word in its dictionary form ("Суджа":
    "Судже", "Суджи", …), in the query's language (Russian and Ukrainian when it has none)."""
    return replace(q, forms=search_forms(q.text, q.language)) if q.text else q


def find_documents(engine: Engine, q: DocumentQuery, scope: int | None = TEXT_SCOPE,
                   access: Access = EVERYTHING) -> DocumentList:
    """A page of documents, newest published first (undated ones last), without their full text; the
    total; and whether a text search was held to the latest ``scope`` dated documents (it is when no
    date range narrows a search over more documents than that: a substring search reads every text
    it looks at). Dated and undated documents are read apart, so that each is read in index order. Only the
    documents ``access`` may see are listed and counted."""
    d = t.documents.c
    plain = document_filters(replace(q, text=None), access)
    conds = document_filters(q, access)
    scoped = False
    with engine.connect() as conn:
        searchable = q.text and scope is not None and q.since is None and q.until is None
        if searchable and int(conn.execute(select(func.count()).select_from(t.documents)
                                           .where(*plain)).scalar_one()) > (scope or 0):
            since = conn.execute(select(d.published_at).where(*plain, d.published_at.is_not(None))
                                 .order_by(d.published_at.desc()).offset((scope or 1) - 1).limit(1)).scalar()
            if since is not None:  # the publication time of the scope-th latest document
                conds.append(d.published_at >= since)
                scoped = True
        if q.text:  # one pass over the texts: the matches' keys give the total and the page
            keys = conn.execute(select(d.published_at, d.id).where(*conds)).all()
            dated = sorted(((k.published_at, k.id) for k in keys if k.published_at is not None),
                           key=lambda k: (-k[0].timestamp(), k[1]))
            undated = sorted(k.id for k in keys if k.published_at is None)
            ids = [i for _, i in dated] + undated
            return DocumentList(_summaries(conn, ids[q.offset:q.offset + q.limit], access), len(ids), scoped, q.forms)
        n_dated = int(conn.execute(select(func.count()).select_from(t.documents)
                                   .where(*conds, d.published_at.is_not(None))).scalar_one())
        n_undated = int(conn.execute(select(func.count()).select_from(t.documents)
                                     .where(*conds, d.published_at.is_(None))).scalar_one())
        page: list[str] = []
        if q.offset < n_dated:
            page += conn.execute(select(d.id).where(*conds, d.published_at.is_not(None))
                                 .order_by(d.published_at.desc(), d.id).limit(q.limit).offset(q.offset)).scalars()
        if len(page) < q.limit and q.offset + len(page) >= n_dated:
            page += conn.execute(select(d.id).where(*conds, d.published_at.is_(None)).order_by(d.id)
                                 .limit(q.limit - len(page)).offset(max(q.offset - n_dated, 0))).scalars()
        return DocumentList(_summaries(conn, page, access), n_dated + n_undated, False)


def _summaries(conn: Connection, ids: Sequence[str], access: Access = EVERYTHING) -> tuple[DocumentSummary, ...]:
    """The listed documents, in the order of ``ids`` (each cluster's size: its members ``access`` may see)."""
    if not ids:
        return ()
    d, cl = t.documents.c, t.clusters.c
    size: Any = func.coalesce(cl.size, 1)
    if access.restricted:
        other = t.documents.alias("member")
        size = (select(func.count()).where(other.c.cluster_id == d.cluster_id,
                                           *hidden_from(other.c.compartment, access)).scalar_subquery())
    rows = conn.execute(select(d.id, d.title, func.substr(d.text, 1, 240).label("snippet"), d.source_id,
                               d.published_at, d.ingested_at, d.url, d.cluster_id, d.language,
                               size.label("size"), d.compartment)
                        .select_from(t.documents.outerjoin(t.clusters, cl.id == d.cluster_id))
                        .where(d.id.in_(list(ids)))).all()
    by_id = {r.id: DocumentSummary(r.id, r.title, r.snippet or "", r.source_id, r.published_at, r.ingested_at,
                                   r.url, r.cluster_id, int(r.size), r.language, r.compartment) for r in rows}
    return tuple(by_id[i] for i in ids if i in by_id)


def cluster_of(engine: Engine, cluster_id: str, limit: int = 50,
               access: Access = EVERYTHING) -> tuple[int, tuple[ClusterMember, ...]]:
    """The size of a duplicate cluster and its first members (oldest publication first): those ``access`` may
    see (counted, when anything is hidden from it, rather than read from the cluster's stored size)."""
    d = t.documents.c
    seen = hidden_from(d.compartment, access)
    with engine.connect() as conn:
        size = conn.execute(select(func.count()).where(d.cluster_id == cluster_id, *seen)).scalar() if seen else \
            conn.execute(select(t.clusters.c.size).where(t.clusters.c.id == cluster_id)).scalar()
        rows = conn.execute(select(d.id, d.title, d.source_id, d.published_at).where(d.cluster_id == cluster_id, *seen)
                            .order_by(d.published_at.nulls_last(), d.id).limit(limit)).all()
    return int(size or len(rows)), tuple(ClusterMember(r.id, r.title, r.source_id, r.published_at) for r in rows)
