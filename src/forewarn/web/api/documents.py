"""Documents: the list, one document with everything extraction marked in it, and ingest of a
posted document."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from forewarn.errors import InvalidArgument
from forewarn.ingest.posted import DEFAULT_SOURCE, Posted
from forewarn.model import Sighting, Source
from forewarn.model.query import DocumentQuery
from forewarn.model.records import StoredClaim
from forewarn.nlp.language import primary
from forewarn.reads.documents import ClusterMember, DocumentSummary
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.events import EventOut, event_out
from forewarn.web.api.sources import IssueOut, issue_out
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.events_filters import Blank
from forewarn.web.events_marks import Span, spans_of

router = APIRouter(tags=["documents"])
SOURCE_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
MAX_TEXT = 10 * 1024 * 1024
LANGUAGE = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$"  # a language tag: "ru", "uk-UA"


class SightingOut(BaseModel):
    """Where a document was seen: the stored sighting with its source's name and reliability."""

    source_id: str | None
    source_name: str | None
    reliability: str | None
    location: str
    item: str | None
    url: str | None
    published_at: datetime | None
    seen_at: datetime
    run_id: int


class ClusterOut(BaseModel):
    id: str
    size: int
    members: list[ClusterMember]  # the first 50


class ExtractionStatusOut(BaseModel):
    """The latest extraction attempt: :class:`~forewarn.model.records.ExtractionStatus` less the
    document id (the enclosing document's) and the counts (the document lists what was found)."""

    extractor: str
    status: str
    error: str | None
    extracted_at: datetime


class ReadingOut(BaseModel):
    text: str | None
    translator: str
    error: str | None


class DocumentOut(BaseModel):
    id: str
    title: str | None
    url: str | None
    source_id: str | None
    published_at: datetime | None
    published_precision: str | None
    ingested_at: datetime
    language: str | None
    marking: str
    marking_label: str  # who may see it: "TLP:CLEAR", or "TLP:AMBER · team north · for ana" (issue 18)
    location: str
    text: str
    extraction: ExtractionStatusOut | None
    marks: list[Span]
    events: list[EventOut]
    claims: list[StoredClaim]  # attributed statements; ``claimed``: the event a claim is about, where coded
    sightings: list[SightingOut]
    cluster: ClusterOut
    english: ReadingOut | None = None  # the workspace translator's English reading (setting ``translator``), if set


class PostedDocumentIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=1000)
    url: str | None = Field(default=None, max_length=4000)
    published_at: str | None = Field(default=None, max_length=64,
                                     description="publication time (ISO 8601 or a common date form); a time in "
                                                 "the future is dropped with a warning")
    source: str = Field(default=DEFAULT_SOURCE, pattern=SOURCE_ID,
                        description="source id; created (reliability F, yours) when missing. An analyst posts "
                                    "into `web` and posted-document sources they created; any other source "
                                    "needs a duty officer or an admin (403 FW-E101)")


class ExtractionOut(BaseModel):
    """What extraction did with a posted document: the counts of
    :class:`~forewarn.model.ingest.ExtractReport` that say something about one document (not its
    timing, nor the failures, which come back as issues)."""

    extractor: str
    extracted: int
    failed: int
    events: int
    claims: int


class PostedOut(BaseModel):
    document_id: str
    new: bool  # false: the text was stored before
    status: str  # new, near-duplicate (new, in an existing cluster), duplicate
    source_id: str
    run_id: int
    url: str  # the document in the workbench
    issues: list[IssueOut]  # warnings (e.g. a date that could not be read)
    extraction: ExtractionOut | None


@router.get("/documents", response_model=Page[DocumentSummary], summary="Documents, newest published first")
def list_documents(
    request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
    source: Annotated[Annotated[str, Field(max_length=64)] | None, Blank, Query(description="source id")] = None,
    run: Annotated[int | None, Blank, Query(ge=1, le=2**62, description="only documents first stored by this "
                                                                          "ingest run")] = None,
    cluster: Annotated[Annotated[str, Field(max_length=64, pattern=r"^[0-9a-fA-F]+$")] | None, Blank,
                       Query(description="only this duplicate cluster (its id)")] = None,
    since: Annotated[datetime | None, Blank, Query(description="published at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Blank, Query(description="published before (ISO 8601)")] = None,
    search: Annotated[Annotated[str, Field(max_length=200)] | None, Blank,
                      Query(description="part of the title or text (case-insensitive; a Russian or Ukrainian word "
                                        "in its dictionary form finds its other forms too); without since/until it "
                                        "searches the latest 10,000 documents")] = None,
    language: Annotated[Annotated[str, Field(pattern=LANGUAGE)] | None, Blank,
                        Query(description="the document's language (ISO 639-1, e.g. ru, uk, en)")] = None,
) -> Page[DocumentSummary]:
    query = replace(document_query(source, since, until, search, paging.limit, paging.offset, language), run_id=run,
                    cluster_id=cluster.lower() if cluster else None)
    found = acting(request, p).reads.document_list(query)
    return paging.page(request, list(found.documents), found.total)


def document_query(source: str | None, since: datetime | None, until: datetime | None, search: str | None,
                   limit: int, offset: int, language: str | None = None) -> DocumentQuery:
    since = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    until = until.replace(tzinfo=UTC) if until and until.tzinfo is None else until
    if since and until and since >= until:
        raise InvalidArgument("the time range is empty", hint="`since` must be before `until`")
    return DocumentQuery(source_id=source, since=since, until=until, text=search, language=primary(language),
                         limit=limit, offset=offset)


@router.get("/documents/{document_id}", response_model=DocumentOut,
            summary="A document (id or unique prefix) with its marks, events, sightings and cluster")
def get_document(request: Request, p: Viewer,
                 document_id: Annotated[str, Path(min_length=4, max_length=64, pattern=r"^[0-9a-fA-F]+$")]
                 ) -> DocumentOut:
    found = acting(request, p).reads.document_detail(document_id.lower())
    doc, x, sources, status = found.document, found.extraction, found.sources, found.extraction.status
    return DocumentOut(
        id=doc.id, title=doc.title, url=doc.url, source_id=doc.source_id, published_at=doc.published_at,
        published_precision=doc.published_precision.value if doc.published_precision else None,
        ingested_at=doc.ingested_at, language=doc.language, marking=doc.marking, marking_label=found.marking,
        location=doc.location, text=doc.text,
        extraction=ExtractionStatusOut(extractor=status.extractor, status=status.status, error=status.error,
                                       extracted_at=status.extracted_at) if status else None,
        marks=sorted(spans_of(x, doc.text), key=lambda s: (s.start, -s.end, s.kind)),
        events=[event_out(e, found.evidence[e.id].sentence if e.id in found.evidence else None) for e in x.events],
        claims=list(x.claims), sightings=[sighting_out(s, sources.get(s.source_id or "")) for s in found.sightings],
        cluster=ClusterOut(id=doc.cluster_id, size=found.cluster_size, members=list(found.members)),
        english=ReadingOut(text=r.text, translator=r.translator, error=r.error) if (r := found.reading) else None,
    )


def sighting_out(s: Sighting, source: Source | None) -> SightingOut:
    return SightingOut(source_id=s.source_id, source_name=source.name if source else None,
                       reliability=source.reliability.value if source else None, location=s.location, item=s.item,
                       url=s.url, published_at=s.published_at, seen_at=s.seen_at, run_id=s.run_id)


def stored(posted: Posted) -> str:
    """The posted document's id; the first error as a problem when it could not be ingested."""
    if posted.document_id is None:
        first = next((i for i in posted.issues if i.severity.value == "error"), None)
        raise InvalidArgument(first.message if first else "the document could not be ingested",
                              hint=first.hint if first else "", code=first.code if first else None)
    return posted.document_id


@router.post("/documents", response_model=PostedOut, status_code=201,
             summary="Ingest a posted document (analyst; into another's source: duty officer); 201 when stored, "
                     "200 when it was stored before",
             responses={200: {"model": PostedOut, "description": "the text was stored before (a duplicate)"}})
def post_document(request: Request, response: Response, p: ActAnalyst, body: PostedDocumentIn) -> PostedOut:
    posted = acting(request, p).intake.post(body.text, title=body.title, url=body.url,
                                            published_at=body.published_at, source_id=body.source)
    document_id = stored(posted)
    if not posted.new:
        response.status_code = 200
    x = posted.extraction
    return PostedOut(
        document_id=document_id, new=posted.new, status=posted.status, source_id=posted.source_id,
        run_id=posted.report.run_id, url=f"/documents/{document_id}",
        issues=[issue_out(i) for i in posted.issues],
        extraction=ExtractionOut(extractor=x.extractor, extracted=x.extracted, failed=x.failed, events=x.events,
                                 claims=x.claims) if x else None)
