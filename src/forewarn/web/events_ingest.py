"""Ingest of a document posted in the workbench: the text goes through the same pipeline as a file
(normalisation, exact and near-duplicate detection, clustering, one ingest run with its issues), read
from memory instead of a file. It belongs to a source (``web`` unless named; a missing source is
created, reliability F: cannot be judged, and owned by the account that created it). The same text
posted again for the same source is a duplicate and stores nothing new.

A document inherits its source's reliability grade, which weighs scoring, so an analyst posts only
into the shared ``web`` source and posted-document sources they created; posting into any other
source (a feed, a file source, another account's posted source) needs a duty officer or an admin
(FW-E101 otherwise). Every post is a ``document-posted`` ledger entry naming the account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.errors import AlreadyExists, Code, Forbidden, ForewarnError, Issue, NotFound, Severity
from forewarn.ingest.normalise import document_id, normalise
from forewarn.ingest.pipeline import IngestInput, Ingestor
from forewarn.model import ExtractReport, IngestReport, RawDocument, Reliability, Source, SourceKind
from forewarn.model.source import POSTED
from forewarn.sources.base import ReadItem
from forewarn.sources.dates import resolve_date

DEFAULT_SOURCE = "web"
OWNER = "owner"  # the source option naming the account that created a posted-document source
MAY_POST_ANYWHERE = Role.DUTY_OFFICER


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


def may_post_into(source: Source, actor: str, role: Role | None) -> bool:
    """Whether ``actor`` (with ``role``; None: a local caller, not the web) may post into ``source``."""
    if role is None or role.allows(MAY_POST_ANYWHERE):
        return True
    return source.posted and (source.id == DEFAULT_SOURCE or dict(source.options).get(OWNER) == actor)


def check_may_post(source: Source, actor: str, role: Role | None) -> None:
    if not may_post_into(source, actor, role):
        what = "another account's posted-document source" if source.posted else f"a {source.kind.value} source"
        raise Forbidden(f"{actor} may not post into source {source.id!r} ({what}, reliability "
                        f"{source.reliability.value}): its documents would inherit its grade",
                        hint=f"post into {DEFAULT_SOURCE!r} or a new source of your own, or ask a "
                             f"{MAY_POST_ANYWHERE.label} or an admin")


def source_for(ws: Workspace, source_id: str, role: Role | None = None) -> tuple[Source, bool]:
    """The named source, and whether this call created it (reliability F, owned by ``ws``'s actor);
    Forbidden when ``role`` may not post into an existing one."""
    try:
        found = ws.store.get_source(source_id)
    except NotFound:
        return _create_source(ws, source_id, role)
    check_may_post(found, ws.actor, role)
    return found, False


def _create_source(ws: Workspace, source_id: str, role: Role | None) -> tuple[Source, bool]:
    source = Source(id=source_id, kind=SourceKind.TEXT, name="Posted in the workbench" if source_id == DEFAULT_SOURCE
                    else source_id, location=POSTED + source_id, reliability=Reliability.F,
                    options=((OWNER, ws.actor),), created_at=ws.clock())
    try:
        ws.store.add_source(source)
    except AlreadyExists:  # someone else created it meanwhile
        found = ws.store.get_source(source_id)
        check_may_post(found, ws.actor, role)
        return found, False
    return source, True


def ingest_posted(ws: Workspace, text: str, *, title: str | None = None, url: str | None = None,
                  published_at: str | None = None, source_id: str = DEFAULT_SOURCE, role: Role | None = None
                  ) -> Posted:
    """Ingest one posted document as ``ws``'s actor, whose account has ``role`` (None: a local
    caller, trusted with every source); extraction runs on it when the ``extract`` setting is on
    and it is new. A stored post is recorded in the ledger."""
    source, created = source_for(ws, source_id, role)
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
    if doc_id is not None:
        ws.record("document-posted", f"document:{doc_id}", {
            "source": source.id, "reliability": source.reliability.value, "source_created": created,
            "status": status, "run_id": report.run_id})
    extraction = None
    if doc_id and status != "duplicate" and ws.settings.extract:
        try:
            extraction = ws.extract(document_ids=[doc_id])
        except ForewarnError as err:  # the document is stored; `forewarn extract` can run it later
            issues += (Issue(err.code if err.code else Code.EXTRACTION_FAILED, err.message, location,
                             hint=err.hint or "run `forewarn extract` once the cause is fixed",
                             severity=Severity.WARNING),)
    return Posted(doc_id, status, source.id, report, issues, extraction)
