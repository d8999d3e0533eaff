"""Ingest and extraction as a service of the Workspace (``ws.intake``): read registered sources, paths
and URLs, or a document posted in the workbench, into the store, then (when the `extract` setting is
on) run extraction on what is new."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from forewarn.config import Settings
from forewarn.errors import AlreadyExists, Code, ForewarnError, InvalidArgument, Issue, NotFound, Severity
from forewarn.ingest.normalise import document_id, normalise
from forewarn.ingest.pipeline import IngestConfig, IngestInput, Ingestor, ProgressFn
from forewarn.ingest.posted import DEFAULT_SOURCE, Posted, check_may_post, new_source, posted_input, status_of
from forewarn.ingest.sources import SourceDesk, source_input
from forewarn.ledger.service import LedgerService
from forewarn.model import ExtractReport, IngestReport, Principal, Source, SourceKind
from forewarn.nlp.language import detect
from forewarn.store import SqlStore

if TYPE_CHECKING:  # spaCy loads only when extraction runs
    from forewarn.nlp.extract import Extractor
    from forewarn.nlp.runner import ProgressFn as ExtractProgress


@dataclass
class Intake:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    who: Principal
    sources: SourceDesk
    ledger: LedgerService
    _nlp: Extractor | None = field(default=None, init=False, repr=False)  # built on first use: seconds to load

    def ingest(self, targets: Sequence[str], *, kind: SourceKind = SourceKind.AUTO, include: Sequence[str] = (),
               exclude: Sequence[str] = (), column_map: Mapping[str, str] | None = None,
               options: Mapping[str, str] | None = None, progress: ProgressFn | None = None,
               backfill: bool = False) -> IngestReport:
        """Ingest registered sources (by id) and/or paths and URLs. ``kind``, ``column_map`` and
        ``options`` apply to paths and URLs; a registered source brings its own. ``backfill``: the
        extraction of what is new runs on a Dask cluster (a large archive)."""
        if not targets:
            raise InvalidArgument("nothing to ingest", hint="name source ids, paths or URLs, or use --all")
        known = {s.id: s for s in self.sources.all()}
        inputs = [self._input(t, known, kind, include, exclude, column_map or {}, options or {}) for t in targets]
        report = self._ingestor().run(inputs, self.who.name, progress)
        if self.settings.extract and (report.new or report.near_duplicate):  # a near-copy is a document too
            report = replace(report, extraction=self.extract(backfill=backfill))
        return report

    def ingest_all(self, progress: ProgressFn | None = None, backfill: bool = False) -> IngestReport:
        """Ingest every registered source that has something to read (not the workbench's "web:"
        sources, whose documents are posted to it)."""
        sources = [s for s in self.sources.all() if not s.posted]
        if not sources:
            raise NotFound("no sources registered", hint="add one with `forewarn source add`")
        return self.ingest([s.id for s in sources], progress=progress, backfill=backfill)

    def _input(self, target: str, known: Mapping[str, Source], kind: SourceKind, include: Sequence[str],
               exclude: Sequence[str], column_map: Mapping[str, str], options: Mapping[str, str]) -> IngestInput:
        if target in known:
            return source_input(known[target])
        return IngestInput(location=target, kind=kind, include=tuple(include), exclude=tuple(exclude),
                           column_map=dict(column_map), options=dict(options))

    def post(self, text: str, *, title: str | None = None, url: str | None = None, published_at: str | None = None,
             source_id: str = DEFAULT_SOURCE) -> Posted:
        """Ingest one document posted in the workbench into ``source_id`` (:mod:`forewarn.ingest.posted`:
        created when missing; Forbidden where this principal may not post), then run extraction on it
        when the `extract` setting is on and it is new. A stored post is recorded in the ledger."""
        source, created = self._posting_source(source_id)
        inp = posted_input(source, text, title, url, published_at, self.who, self.clock())
        report = self._ingestor().run([inp], self.who.name)
        status = status_of(report)
        if status == "failed":
            return Posted(None, status, source.id, report, report.issues)
        doc_id = document_id(normalise(text))  # the pipeline's id of the text
        self.ledger.record("document-posted", f"document:{doc_id}", {
            "source": source.id, "reliability": source.reliability.value, "source_created": created,
            "status": status, "run_id": report.run_id})
        if status == "duplicate" or not self.settings.extract:
            return Posted(doc_id, status, source.id, report, report.issues)
        extraction, failure = self._extract_posted(doc_id, inp.location)
        return Posted(doc_id, status, source.id, report, report.issues + failure, extraction)

    def _posting_source(self, source_id: str) -> tuple[Source, bool]:
        """The named source, and whether this call created it."""
        try:
            found = self.store.get_source(source_id)
        except NotFound:
            source = new_source(source_id, self.who, self.clock())
            if self._added(source):
                return source, True
            found = self.store.get_source(source_id)  # someone else created it meanwhile
        check_may_post(found, self.who)
        return found, False

    def _added(self, source: Source) -> bool:
        try:
            self.store.add_source(source)
        except AlreadyExists:
            return False
        return True

    def _extract_posted(self, doc_id: str, location: str) -> tuple[ExtractReport | None, tuple[Issue, ...]]:
        """Extraction of a posted document; a failure is a warning: the document is stored, and
        `forewarn extract` can run it later."""
        try:
            return self.extract(document_ids=[doc_id]), ()
        except ForewarnError as err:
            return None, (Issue(err.code if err.code else Code.EXTRACTION_FAILED, err.message, location,
                                hint=err.hint or "run `forewarn extract` once the cause is fixed",
                                severity=Severity.WARNING),)

    def fill_languages(self, batch: int = 500) -> dict[str, int]:
        """Detect and store the language of every document stored without one (before languages were kept
        at intake); how many got each language, recorded in the ledger. Idempotent: a second run finds nothing
        to do (a text without letters stays without a language)."""
        filled: Counter[str] = Counter()
        after = ""
        while rows := self.store.unlabelled_documents(after, batch):
            found = {doc_id: lang for doc_id, text in rows if (lang := detect(text)) is not None}
            self.store.set_languages(found)
            filled.update(found.values())
            after = rows[-1][0]
        if filled:
            self.ledger.record("languages-filled", "documents", {"documents": dict(filled.most_common())})
        return dict(filled.most_common())

    def _ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.clock, IngestConfig.from_settings(self.settings))

    def extract(self, *, document_ids: Sequence[str] = (), failed_only: bool = False, stale: bool = False,
                progress: ExtractProgress | None = None, backfill: bool = False) -> ExtractReport:
        """Run extraction on the documents named (ids or unique prefixes), or else on every
        document not yet extracted or whose extraction failed; ``stale`` adds those extracted by
        another extractor version (after a model, lexicon or dictionary change); ``failed_only``
        retries the failed ones only. ``backfill``: on a Dask cluster (the ``backfill_*`` settings)."""
        from forewarn.nlp.runner import extract_documents

        if document_ids:
            ids = [self.store.get_document(d).id for d in document_ids]
        else:
            version = self._extractor().version if stale else None
            ids = self.store.documents_needing_extraction(version, only_failed=failed_only)
        return extract_documents(self.store, self.settings, self._extractor, ids, self.clock, progress,
                                 backfill=backfill)

    def _extractor(self) -> Extractor:
        if self._nlp is None:
            from forewarn.nlp.extract import shared_extractor

            self._nlp = shared_extractor(self.settings)
        return self._nlp
