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

from forewarn.accounts import Role
from forewarn.errors import InvalidArgument
from forewarn.web import events_queries as eq
from forewarn.web.api.documents import MAX_TEXT, SOURCE_ID, document_query
from forewarn.web.auth import ActAnalyst, Viewer, acting, root
from forewarn.web.events_filters import Blank
from forewarn.web.events_ingest import DEFAULT_SOURCE, ingest_posted
from forewarn.web.events_marks import document_segments
from forewarn.web.render import render

router = APIRouter()
PAGE = 50


@router.get("/documents")
def documents_page(
    request: Request, p: Viewer,
    source: Annotated[Annotated[str, Field(max_length=64)] | None, Blank, Query()] = None,
    since: Annotated[datetime | None, Blank, Query()] = None,
    until: Annotated[datetime | None, Blank, Query()] = None,
    q: Annotated[Annotated[str, Field(max_length=200)] | None, Blank, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    ws = root(request)
    found, total, scoped = eq.find_documents(ws.store.engine, document_query(source, since, until, q, PAGE, offset))
    params = {"source": source, "since": since.isoformat() if since else None,
              "until": until.isoformat() if until else None, "q": q}
    return render(request, "documents.html", documents=found, total=total, offset=offset, limit=PAGE,
                  params={k: v for k, v in params.items() if v}, source=source, since=since, until=until, q=q,
                  sources=ws.sources(), may_post=p.may(Role.ANALYST), default_source=DEFAULT_SOURCE,
                  scoped=scoped, scope=eq.TEXT_SCOPE)


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
    posted = ingest_posted(acting(request, p), text, title=title, url=url, published_at=published_at or None,
                           source_id=source_id, role=p.user.role)
    if posted.document_id is None:
        first = next((i for i in posted.issues if i.severity.value == "error"), None)
        raise InvalidArgument(first.message if first else "the document could not be ingested",
                              hint=first.hint if first else "", code=first.code if first else None)
    return RedirectResponse(f"/documents/{posted.document_id}?posted={posted.status}", status_code=303)


@router.get("/documents/{document_id}")
def document_page(
    request: Request, p: Viewer,
    document_id: Annotated[str, Path(min_length=4, max_length=64, pattern=r"^[0-9a-fA-F]+$")],
    posted: Annotated[Literal["new", "near-duplicate", "duplicate"] | None, Blank, Query()] = None,
) -> Response:
    ws = root(request)
    doc = ws.store.get_document(document_id.lower())
    x = ws.store.extraction_of(doc.id)
    sources = {s.id: s for s in ws.sources()}
    size, members = eq.cluster_of(ws.store.engine, doc.cluster_id)
    sentences = eq.evidence(ws.store.engine, x.events)
    return render(request, "document.html", doc=doc, x=x, segments=document_segments(x, doc.text),
                  sightings=ws.store.sightings_of(doc.id), sources=sources, cluster_size=size, members=members,
                  sentences=sentences, posted=posted, source=sources.get(doc.source_id or ""))
