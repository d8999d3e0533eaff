"""Documents posted in the workbench: the text goes through the same pipeline as a file (normalisation,
exact and near-duplicate detection, clustering, one ingest run with its issues), read from memory
instead of a file (:meth:`forewarn.ingest.intake.Intake.post`). It belongs to a source (``web`` unless
named; a missing source is created, reliability F: cannot be judged, and owned by the account that
created it). The same text posted again for the same source is a duplicate and stores nothing new.

A document inherits its source's reliability grade, which weighs scoring, so an analyst posts only
into the shared ``web`` source and posted-document sources they created; posting into any other
source (a feed, a file source, another account's posted source) needs a duty officer or an admin
(FW-E101 otherwise). Every post is a ``document-posted`` ledger entry naming the account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from forewarn.errors import Forbidden, Issue
from forewarn.ingest.pipeline import IngestInput
from forewarn.model import ExtractReport, IngestReport, Principal, RawDocument, Reliability, Role, Source, SourceKind
from forewarn.model.source import POSTED
from forewarn.sources.base import ReadItem
from forewarn.sources.dates import resolve_date

DEFAULT_SOURCE = "web"
OWNER = "owner"  # the source option naming the account that created a posted-document source
MAY_POST_ANYWHERE = Role.DUTY_OFFICER


@dataclass(frozen=True)
class Posted:
    """What became of a posted document: its id (None when the item failed), its status (new,
    near-duplicate, duplicate, failed), the source it went into, the run, and its issues."""

    document_id: str | None
    status: str
    source_id: str
    report: IngestReport
    issues: tuple[Issue, ...]
    extraction: ExtractReport | None = None

    @property
    def new(self) -> bool:
        return self.status in ("new", "near-duplicate")


def may_post_into(source: Source, who: Principal) -> bool:
    """Whether ``who`` may post into ``source``."""
    if who.may(MAY_POST_ANYWHERE):
        return True
    return source.posted and (source.id == DEFAULT_SOURCE or dict(source.options).get(OWNER) == who.name)


def check_may_post(source: Source, who: Principal) -> None:
    if not may_post_into(source, who):
        what = "another account's posted-document source" if source.posted else f"a {source.kind.value} source"
        raise Forbidden(f"{who.name} may not post into source {source.id!r} ({what}, reliability "
                        f"{source.reliability.value}): its documents would inherit its grade",
                        hint=f"post into {DEFAULT_SOURCE!r} or a new source of your own, or ask a "
                             f"{MAY_POST_ANYWHERE.label} or an admin")


def new_source(source_id: str, who: Principal, now: datetime) -> Source:
    """A posted-document source for ``source_id``, reliability F, owned by ``who``."""
    return Source(id=source_id, kind=SourceKind.TEXT, name="Posted in the workbench" if source_id == DEFAULT_SOURCE
                  else source_id, location=POSTED + source_id, reliability=Reliability.F,
                  options=((OWNER, who.name),), created_at=now)


def posted_input(source: Source, text: str, title: str | None, url: str | None, published_at: str | None,
                 who: Principal, now: datetime) -> IngestInput:
    """The posted document as the pipeline's input: one item (and a date warning, if any)."""
    location = POSTED + source.id
    dated = resolve_date(published_at, now, location)
    raw = RawDocument(text=text, location=location, reader="web", raw_sha256=hashlib.sha256(text.encode()).hexdigest(),
                      title=(title or "").strip() or None, url=(url or "").strip() or None,
                      published_at=dated.published_at, published_precision=dated.precision,
                      meta=(("posted_by", who.name), *dated.meta))
    items: list[ReadItem] = [raw]
    if dated.issue is not None:
        items.append(dated.issue)
    return IngestInput(location=location, kind=SourceKind.TEXT, source=source, items=tuple(items))


def status_of(report: IngestReport) -> str:
    """What became of the one posted item."""
    if report.failed:
        return "failed"
    if report.new:
        return "new"
    return "near-duplicate" if report.near_duplicate else "duplicate"
