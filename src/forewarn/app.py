"""Workspace: the one composition root. The CLI, the web app and the tests all build one.

Every method returns data; nothing here prints or exits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from forewarn.config import Settings
from forewarn.errors import InvalidArgument, Issue, NotFound
from forewarn.export import write_plover_jsonl
from forewarn.ingest.pipeline import IngestInput, Ingestor, ProgressFn
from forewarn.model import (
    Document,
    ExtractReport,
    IngestReport,
    IngestRun,
    Marking,
    Reliability,
    Sighting,
    Source,
    SourceKind,
)
from forewarn.sources.tabular import parse_column_map
from forewarn.store import SqlStore, open_store
from forewarn.store.query import DocumentQuery, EventQuery
from forewarn.store.records import DocumentExtraction, EntityMerge, EntityRecord, StoredEvent

if TYPE_CHECKING:  # spaCy loads only when extraction runs
    from forewarn.ledger import Signer
    from forewarn.nlp.extract import Extractor
    from forewarn.nlp.runner import ProgressFn as ExtractProgress

Clock = Callable[[], datetime]
EXPORT_CHUNK = 500  # events exported per read of their documents


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DocumentView:
    document: Document
    sightings: tuple[Sighting, ...]
    cluster: tuple[Document, ...]  # all members of its duplicate cluster, itself included


@dataclass(frozen=True)
class RunView:
    run: IngestRun
    issues: tuple[Issue, ...]


class Workspace:
    def __init__(self, settings: Settings, store: SqlStore, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._nlp: Extractor | None = None  # built on first use: loading the model takes seconds
        self._signer: Signer | None = None

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utc_now) -> Workspace:
        return cls(settings, open_store(settings.database_url), clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def actor(self) -> str:
        return self.settings.resolved_actor()

    # -- sources ---------------------------------------------------------------------------
    def add_source(self, name: str, location: str, *, kind: SourceKind = SourceKind.AUTO, source_id: str | None = None,
                   reliability: Reliability = Reliability.F, marking: Marking = Marking.CLEAR,
                   team: str | None = None, options: Mapping[str, str] | None = None) -> Source:
        source = Source(id=source_id or slugify(name), kind=kind, name=name, location=_absolute(location),
                        reliability=reliability, marking=marking, team=team,
                        options=tuple(sorted((options or {}).items())), created_at=self.clock())
        self.store.add_source(source)
        return source

    def sources(self) -> list[Source]:
        return self.store.list_sources()

    def remove_source(self, source_id: str) -> int:
        return self.store.remove_source(source_id)

    # -- ingest ----------------------------------------------------------------------------
    def ingest(self, targets: Sequence[str], *, kind: SourceKind = SourceKind.AUTO, include: Sequence[str] = (),
               exclude: Sequence[str] = (), column_map: Mapping[str, str] | None = None,
               options: Mapping[str, str] | None = None, progress: ProgressFn | None = None) -> IngestReport:
        """Ingest registered sources (by id) and/or paths and URLs. ``kind``, ``column_map`` and
        ``options`` apply to paths and URLs; a registered source brings its own."""
        if not targets:
            raise InvalidArgument("nothing to ingest", hint="name source ids, paths or URLs, or use --all")
        known = {s.id: s for s in self.sources()}
        inputs = [self._input(t, known, kind, include, exclude, column_map or {}, options or {}) for t in targets]
        report = self._ingestor().run(inputs, self.actor, progress)
        if self.settings.extract and report.new:
            report = replace(report, extraction=self.extract())
        return report

    def ingest_all(self, progress: ProgressFn | None = None) -> IngestReport:
        sources = self.sources()
        if not sources:
            raise NotFound("no sources registered", hint="add one with `forewarn source add`")
        return self.ingest([s.id for s in sources], progress=progress)

    def _input(self, target: str, known: Mapping[str, Source], kind: SourceKind, include: Sequence[str],
               exclude: Sequence[str], column_map: Mapping[str, str], options: Mapping[str, str]) -> IngestInput:
        if target in known:
            return source_input(known[target])
        return IngestInput(location=target, kind=kind, include=tuple(include), exclude=tuple(exclude),
                           column_map=dict(column_map), options=dict(options))

    def _ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.clock, self.settings)

    def runs(self, limit: int = 20) -> list[IngestRun]:
        return self.store.list_runs(limit)

    def run(self, run_id: int) -> RunView:
        return RunView(self.store.get_run(run_id), tuple(self.store.run_issues(run_id)))

    # -- documents -------------------------------------------------------------------------
    def documents(self, query: DocumentQuery) -> tuple[list[Document], int]:
        return self.store.find_documents(query), self.store.count_documents(query)

    def document(self, doc_id: str) -> DocumentView:
        doc = self.store.get_document(doc_id)
        return DocumentView(doc, tuple(self.store.sightings_of(doc.id)),
                            tuple(self.store.cluster_members(doc.cluster_id)))

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    # -- extraction ----------------------------------------------------------------------------
    def extract(self, *, document_ids: Sequence[str] = (), failed_only: bool = False, stale: bool = False,
                progress: ExtractProgress | None = None) -> ExtractReport:
        """Run extraction on the documents named (ids or unique prefixes), or else on every
        document not yet extracted or whose extraction failed; ``stale`` adds those extracted by
        another extractor version (after a model, lexicon or dictionary change); ``failed_only``
        retries the failed ones only."""
        from forewarn.nlp.runner import extract_documents

        if document_ids:
            ids = [self.store.get_document(d).id for d in document_ids]
        else:
            version = self._extractor().version if stale else None
            ids = self.store.documents_needing_extraction(version, only_failed=failed_only)
        return extract_documents(self.store, self.settings, self._extractor, ids, self.clock, progress)

    def _extractor(self) -> Extractor:
        if self._nlp is None:
            from forewarn.nlp.extract import shared_extractor

            self._nlp = shared_extractor(self.settings)
        return self._nlp

    # -- events and entities (stored extractions) ---------------------------------------------
    def events(self, query: EventQuery) -> list[StoredEvent]:
        return self.store.find_events(query)

    def count_events(self, query: EventQuery) -> int:
        return self.store.count_events(query)

    def extraction(self, doc_id: str) -> DocumentExtraction:
        """What extraction stored for a document (id or unique prefix)."""
        return self.store.extraction_of(self.store.get_document(doc_id).id)

    def entities(self, kind: str | None = None, search: str | None = None, limit: int = 100,
                 include_merged: bool = False) -> list[EntityRecord]:
        return self.store.list_entities(kind=kind, search=search, limit=limit, include_merged=include_merged)

    def entity(self, entity_id: str) -> EntityRecord:
        return self.store.get_entity(entity_id)

    def merges(self, entity_id: str | None = None, limit: int = 100) -> list[EntityMerge]:
        return self.store.list_merges(entity_id, limit)

    def merge_entities(self, from_id: str, into_id: str, note: str | None = None) -> EntityMerge:
        merge_id = self.store.merge_entities(from_id, into_id, self.actor, self.clock(), note)
        return self.store.get_merge(merge_id)

    def undo_merge(self, merge_id: int) -> EntityMerge:
        return self.store.undo_merge(merge_id, self.actor, self.clock())

    def edit_entity(self, entity_id: str, *, name: str | None = None, country: str | None = None,
                    sector: str | None = None, add_aliases: Sequence[str] = (),
                    remove_aliases: Sequence[str] = ()) -> EntityRecord:
        return self.store.edit_entity(entity_id, actor=self.actor, now=self.clock(), name=name, country=country,
                                      sector=sector, add_aliases=add_aliases, remove_aliases=remove_aliases)

    def export_plover(self, out: IO[str], query: EventQuery) -> int:
        """Write the events matching ``query`` (its limit and offset apply) as PLOVER JSONL; returns the count."""
        events = self.store.find_events(query)
        written = 0
        for i in range(0, len(events), EXPORT_CHUNK):  # documents a chunk at a time: bounded memory
            chunk = events[i:i + EXPORT_CHUNK]
            documents = self.store.get_documents({e.document_id for e in chunk})
            written += write_plover_jsonl(chunk, documents.__getitem__, out)
        return written


    # -- ledger (forewarn.ledger) ---------------------------------------------------------------
    @property
    def signer(self) -> Signer | None:
        """This actor's Ed25519 signer when the `signing_key` setting names a key, else None."""
        if self._signer is None and self.settings.signing_key:
            from forewarn.ledger.keys import load_signer

            self._signer = load_signer(Path(self.settings.signing_key).expanduser())
        return self._signer

    # >>> ledger methods (ledger helper)
    # <<< ledger methods

    # -- scenarios and scoring (forewarn.detect) ------------------------------------------------
    # >>> scenario methods (detect helper)
    # <<< scenario methods

    # -- warnings and notifications (forewarn.warn) ---------------------------------------------
    # >>> warning methods (warn helper)
    # <<< warning methods

    # -- replay and post-mortem (forewarn.review) -----------------------------------------------
    # >>> review methods (review helper)
    # <<< review methods


def source_input(source: Source) -> IngestInput:
    opts = dict(source.options)
    return IngestInput(
        location=source.location, kind=source.kind, source=source,
        include=_split(opts.pop("include", "")), exclude=_split(opts.pop("exclude", "")),
        column_map=parse_map(opts.pop("map", "")), options=opts,
    )


def parse_map(spec: str) -> dict[str, str]:
    """``text=body,date=published`` → {"text": "body", "date": "published"}."""
    return parse_column_map(spec) if spec.strip() else {}


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]
    if not slug:
        raise InvalidArgument(f"cannot make an id from {name!r}", hint="pass --id")
    return slug


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _absolute(location: str) -> str:
    if re.match(r"^https?://", location):
        return location
    return str(Path(location).expanduser().resolve())
