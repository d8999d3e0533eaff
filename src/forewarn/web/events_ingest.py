"""Ingest of a document posted in the workbench: the text goes through the same pipeline as a file
(normalisation, exact and near-duplicate detection, clustering, one ingest run with its issues), read
from memory instead of a file. It belongs to a source (``web`` unless named; a missing source is
created, reliability F: cannot be judged). The same text posted again for the same source is a
duplicate and stores nothing new."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from forewarn.app import Workspace
from forewarn.errors import AlreadyExists, Code, ForewarnError, Issue, NotFound, Severity
from forewarn.ingest.normalise import document_id, normalise
from forewarn.ingest.pipeline import IngestInput, Ingestor
from forewarn.model import ExtractReport, IngestReport, RawDocument, Reliability, Source, SourceKind
from forewarn.model.source import POSTED
from forewarn.sources.base import ReadItem
from forewarn.sources.dates import resolve_date

DEFAULT_SOURCE = "web"


@dataclass(frozen=True)
class Posted:
    document_id: str | None  # None when the item failed
    status: str  # new, near-duplicate, duplicate, failed
    source_id: str
    report: IngestReport
    issues: tuple[Issue, ...]
    extraction: ExtractReport | None = None

    @property
    def new(self) -> bool:
        return self.status in ("new", "near-duplicate")


def source_for(ws: Workspace, source_id: str) -> Source:
    """The named source, created (reliability F) when missing."""
    try:
        return ws.store.get_source(source_id)
    except NotFound:
        pass
    source = Source(id=source_id, kind=SourceKind.TEXT, name="Posted in the workbench" if source_id == DEFAULT_SOURCE
                    else source_id, location=POSTED + source_id, reliability=Reliability.F,
                    created_at=ws.clock())
    try:
        ws.store.add_source(source)
    except AlreadyExists:  # someone else created it meanwhile
        return ws.store.get_source(source_id)
    return source


def ingest_posted(ws: Workspace, text: str, *, title: str | None = None, url: str | None = None,
                  published_at: str | None = None, source_id: str = DEFAULT_SOURCE) -> Posted:
    """Ingest one posted document as ``ws``'s actor; extraction runs on it when the ``extract``
    setting is on and it is new."""
    source = source_for(ws, source_id)
    location = POSTED + source.id
    dated = resolve_date(published_at, ws.clock(), location)
    raw = RawDocument(text=text, location=location, reader="web", raw_sha256=hashlib.sha256(text.encode()).hexdigest(),
                      title=(title or "").strip() or None, url=(url or "").strip() or None,
                      published_at=dated.published_at, published_precision=dated.precision,
                      meta=(("posted_by", ws.actor), *dated.meta))
    items: list[ReadItem] = [raw]
    if dated.issue is not None:
        items.append(dated.issue)
    inp = IngestInput(location=location, kind=SourceKind.TEXT, source=source, items=tuple(items))
    report = Ingestor(ws.store, ws.clock, ws.settings).run([inp], ws.actor)
    issues = tuple(report.issues)
    if report.failed:
        status = "failed"
    elif report.new:
        status = "new"
    elif report.near_duplicate:
        status = "near-duplicate"
    else:
        status = "duplicate"
    doc_id = None if status == "failed" else document_id(normalise(text))
    extraction = None
    if doc_id and status != "duplicate" and ws.settings.extract:
        try:
            extraction = ws.extract(document_ids=[doc_id])
        except ForewarnError as err:  # the document is stored; `forewarn extract` can run it later
            issues += (Issue(err.code if err.code else Code.EXTRACTION_FAILED, err.message, location,
                             hint=err.hint or "run `forewarn extract` once the cause is fixed",
                             severity=Severity.WARNING),)
    return Posted(doc_id, status, source.id, report, issues, extraction)
