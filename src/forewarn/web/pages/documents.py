"""Documents: the list (with a form to post one, for analysts) and the reader, which shows the text
with everything extraction found in it marked, the document's events, its duplicate cluster and
where it was seen (sightings)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from forewarn.errors import InvalidArgument
from forewarn.ingest.posted import DEFAULT_SOURCE
from forewarn.model import Role
from forewarn.reads.documents import TEXT_SCOPE
from forewarn.web.api.documents import LANGUAGE, MAX_TEXT, SOURCE_ID, document_query, stored
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.events_filters import Blank
from forewarn.web.events_marks import document_segments
from forewarn.web.render import render

router = APIRouter()
PAGE = 50
LANGUAGES = (("en", "English"), ("ru", "Russian"), ("uk", "Ukrainian"))  # offered in the filter; any code may be typed


@router.get("/documents")
def documents_page(
    request: Request, p: Viewer,
    source: Annotated[Annotated[str, Field(max_length=64)] | None, Blank, Query()] = None,
    since: Annotated[datetime | None, Blank, Query()] = None,
    until: Annotated[datetime | None, Blank, Query()] = None,
    q: Annotated[Annotated[str, Field(max_length=200)] | None, Blank, Query(alias="search")] = None,
    language: Annotated[Annotated[str, Field(pattern=LANGUAGE)] | None, Blank, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    ws = acting(request, p)
    query = document_query(source, since, until, q, PAGE, offset, language)
    found = ws.reads.document_list(query)
    params = {"source": source, "since": since.isoformat() if since else None,
              "until": until.isoformat() if until else None, "search": q, "language": query.language}
    return render(request, "documents.html", documents=found.documents, total=found.total, offset=offset, limit=PAGE,
                  params={k: v for k, v in params.items() if v}, source=source, since=since, until=until, q=q,
                  language=query.language, languages=LANGUAGES,
                  sources=ws.reads.sources(), may_post=p.may(Role.ANALYST), default_source=DEFAULT_SOURCE,
                  scoped=found.scoped, scope=TEXT_SCOPE, forms=found.forms)


@router.post("/documents")
def post_document(
    request: Request, p: ActAnalyst,
    text: Annotated[str, Form(min_length=1, max_length=MAX_TEXT)],
    title: Annotated[str, Form(max_length=1000)] = "",
    url: Annotated[str, Form(max_length=4000)] = "",
    published_at: Annotated[str, Form(max_length=64)] = "",
    source: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    source_id = source.strip() or DEFAULT_SOURCE
    if not re.fullmatch(SOURCE_ID, source_id):
        raise InvalidArgument(f"source {source_id!r} is not a source id",
                              hint="lower-case letters, digits and hyphens, e.g. web or field-reports")
    posted = acting(request, p).intake.post(text, title=title, url=url, published_at=published_at or None,
                                            source_id=source_id)
    return RedirectResponse(f"/documents/{stored(posted)}?posted={posted.status}", status_code=303)


@router.get("/documents/{document_id}")
def document_page(
    request: Request, p: Viewer,
    document_id: Annotated[str, Path(min_length=4, max_length=64, pattern=r"^[0-9a-fA-F]+$")],
    posted: Annotated[Literal["new", "near-duplicate", "duplicate"] | None, Blank, Query()] = None,
) -> Response:
    ws = acting(request, p)
    found = ws.reads.document_detail(document_id.lower())
    doc, x, sources = found.document, found.extraction, found.sources
    return render(request, "document.html", doc=doc, x=x, segments=document_segments(x, doc.text),
                  notes=ws.reads.detail_annotations(found), may_annotate=p.may(Role.ANALYST),  # F: notes, tags
                  sightings=found.sightings, sources=sources, cluster_size=found.cluster_size, members=found.members,
                  sentences=found.evidence, posted=posted, source=sources.get(doc.source_id or ""),
                  reading=found.reading, marking=found.marking)
