"""The ingest pipeline: read → normalise → deduplicate → cluster → write, batch by batch.

Each batch is one transaction: its documents, sightings, LSH bands, cluster sizes, issues, feed
validators and the run's counters land together or not at all. What a progress callback reports
as committed is on disk; a killed process loses at most the batch in flight, and re-running the
same inputs completes the work (items already stored count as duplicates, nothing doubles).

Every item passes :func:`~forewarn.ingest.normalise.clean` on its way in: locations become valid,
reversible text and characters no store can hold are removed (FW-E031), so both backends store the
same thing. A hand-written report without a publication date gets a FW-E030 warning. A named target
that is missing at the start is "not found" (FW-E010); one that yielded no item but errors is listed
in the report's ``unread`` (the CLI exits 3 for it).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from forewarn import sources
from forewarn.config import Settings
from forewarn.errors import Code, Issue, Severity
from forewarn.ingest.batch import BatchBuilder, Pending
from forewarn.ingest.normalise import clean, clean_issue, text_location
from forewarn.model import IngestReport, RawDocument, Source, SourceKind
from forewarn.model.source import POSTED, FeedValidators
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.files import is_url
from forewarn.store.batch import BatchCounts
from forewarn.store.interfaces import IngestStore

REPORT_ISSUES = 200
DATED_BY_HEADER = frozenset({"text"})  # readers of hand-written reports, dated by a `Date:` header


@dataclass(frozen=True)
class IngestInput:
    """One thing to ingest: a path or URL, read as ``kind``, on behalf of ``source`` if any; or, with
    ``items``, what was read already (a document posted to the workbench), named by ``location``."""

    location: str
    kind: SourceKind = SourceKind.AUTO
    source: Source | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    column_map: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)
    items: tuple[ReadItem, ...] | None = None


ProgressFn = Callable[[int, int, int], None]  # (items read, items failed, documents committed)


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """What ingest takes from Settings: documents per transaction, the largest document, the
    near-duplicate threshold, the feed timeout and whether links out of a folder are followed."""

    batch_size: int
    max_bytes: int
    near_duplicate_threshold: float
    http_timeout: float
    follow_symlinks: bool

    @classmethod
    def from_settings(cls, s: Settings) -> IngestConfig:
        return cls(s.batch_size, s.max_bytes, s.near_duplicate_threshold, s.http_timeout, s.follow_symlinks)


class Ingestor:
    def __init__(self, store: IngestStore, clock: Callable[[], datetime], options: IngestConfig) -> None:
        self.store = store
        self.clock = clock
        self.options = options

    def run(self, inputs: Iterable[IngestInput], actor: str, progress: ProgressFn | None = None) -> IngestReport:
        inputs = list(inputs)
        started = time.perf_counter()
        self.store.interrupt_stale_runs(self.clock())
        run_id = self.store.start_run(actor, [text_location(i.location) for i in inputs], self.clock())
        state = _RunState(run_id, progress)
        try:
            builder = BatchBuilder(self.store, run_id, self.options.near_duplicate_threshold, actor)
            for inp in inputs:
                self._read_input(inp, builder, state)
            self._flush(builder, state)
        except (KeyboardInterrupt, SystemExit):
            self._finish_quietly(run_id, "interrupted")
            raise
        except Exception:
            self._finish_quietly(run_id, "failed")
            raise
        final = self.store.finish_run(run_id, "completed", self.clock())
        return state.report(final.status, time.perf_counter() - started)

    def _finish_quietly(self, run_id: int, status: str) -> None:
        """Mark the run ended; if the store cannot (a full disk), the original error is what matters:
        the run is closed as interrupted by the next one."""
        with contextlib.suppress(Exception):
            self.store.finish_run(run_id, status, self.clock())

    def _read_input(self, inp: IngestInput, builder: BatchBuilder, state: _RunState) -> None:
        if inp.items is None and inp.location.startswith(POSTED):
            return  # a posted-document source: its documents come from the workbench, nothing to read
        read, failed = state.read, state.failed
        if inp.items is None and _not_found(inp.location):
            self._accept(_not_found_issue(inp.location), inp, builder, state)
        else:
            self._read_items(inp, builder, state)
        if state.read == read and state.failed > failed:
            state.unread.append(text_location(inp.location))

    def _read_items(self, inp: IngestInput, builder: BatchBuilder, state: _RunState) -> None:
        ctx = ReadContext(now=self.clock(), include=inp.include, exclude=inp.exclude, column_map=inp.column_map,
                          options=inp.options, max_bytes=self.options.max_bytes, validators=_Validators(self.store),
                          http_timeout=self.options.http_timeout, follow_symlinks=self.options.follow_symlinks)
        for item in sources.read(inp.location, inp.kind, ctx) if inp.items is None else inp.items:
            self._accept(item, inp, builder, state)
            if builder.size >= self.options.batch_size:
                self._flush(builder, state)

    def _accept(self, item: RawDocument | Issue | FeedValidators, inp: IngestInput,
                builder: BatchBuilder, state: _RunState) -> None:
        if isinstance(item, Issue):
            _note(clean_issue(item), builder, state)
        elif isinstance(item, FeedValidators):
            builder.add_validators(item)
        else:
            self._accept_document(item, inp, builder, state)
        if state.progress and (state.read + state.failed) % 50 == 0:
            state.progress(state.read + state.failed, state.failed, state.committed)

    def _accept_document(self, raw: RawDocument, inp: IngestInput, builder: BatchBuilder, state: _RunState) -> None:
        doc, cleaned = clean(raw)
        refused = self._check(doc)
        for issue in (cleaned, refused if refused is not None else _undated(doc)):
            if issue is not None:
                _note(issue, builder, state)
        if refused is None:
            builder.add(Pending(doc, inp.source))
            state.read += 1

    def _check(self, doc: RawDocument) -> Issue | None:
        if len(doc.text) > self.options.max_bytes:
            return Issue(Code.TOO_LARGE, f"document text has {len(doc.text):,} characters, over the limit of "
                         f"{self.options.max_bytes:,}", doc.location, doc.item,
                         hint="raise --max-bytes (FOREWARN_MAX_BYTES) or split the item")
        if not doc.text.strip():
            return Issue(Code.NO_TEXT, "the item has no text", doc.location, doc.item,
                         hint="nothing to analyse; check the column mapping or the export")
        return None

    def _flush(self, builder: BatchBuilder, state: _RunState) -> None:
        if builder.empty:
            return
        now = self.clock()
        with self.store.ingest_transaction() as tx:
            batch = builder.build(tx, now)
            self.store.write_batch(tx, batch)
        state.commit(batch.counts)
        builder.clear()
        if state.progress:
            state.progress(state.read + state.failed, state.failed, state.committed)


def _note(issue: Issue, builder: BatchBuilder, state: _RunState) -> None:
    builder.add_issue(issue)
    state.note_issue(issue)


def _not_found(location: str) -> bool:
    """A named path that does not exist when the run starts (a URL is not a path)."""
    return not (is_url(location) or os.path.lexists(location))


def _not_found_issue(location: str) -> Issue:
    return Issue(Code.FILE_MISSING, "not found: no such file or folder (nor a registered source id)",
                 location, hint="check the path, or list the source ids with `forewarn source list`")


def _undated(doc: RawDocument) -> Issue | None:
    """FW-E030 for a hand-written report with no publication date (none given; a date given but
    unreadable has its own warning already)."""
    if doc.published_at is not None or doc.reader not in DATED_BY_HEADER or any(k == "raw_date" for k, _ in doc.meta):
        return None
    return Issue(Code.NO_PUBLICATION_DATE, "no publication date: relative dates in it (\"overnight\", \"20 August\") "
                 "are read against the ingest time, and its events are flagged undated-source", doc.location, doc.item,
                 hint="start the file with a `Date: 2024-08-06` header line (see the README), then re-ingest",
                 severity=Severity.WARNING)


class _Validators:
    """The store's saved feed validators, as readers ask for them."""

    def __init__(self, store: IngestStore) -> None:
        self.store = store

    def get(self, url: str) -> FeedValidators | None:
        return self.store.validators(url)


class _RunState:
    def __init__(self, run_id: int, progress: ProgressFn | None) -> None:
        self.run_id = run_id
        self.progress = progress
        self.read = 0
        self.failed = 0
        self.committed = 0
        self.counts: Counter[str] = Counter()
        self.failed_codes: Counter[str] = Counter()
        self.warning_codes: Counter[str] = Counter()
        self.issues: list[Issue] = []
        self.unread: list[str] = []  # named targets that yielded no item, only errors

    def note_issue(self, issue: Issue) -> None:
        if issue.severity is Severity.ERROR:
            self.failed += 1
            self.failed_codes[issue.code.value] += 1
        else:
            self.warning_codes[issue.code.value] += 1
        if len(self.issues) < REPORT_ISSUES:
            self.issues.append(issue)

    def commit(self, counts: BatchCounts) -> None:
        self.counts.update(asdict(counts))
        self.committed = self.counts["new"] + self.counts["near_duplicate"]

    def report(self, status: str, seconds: float) -> IngestReport:
        c = self.counts
        return IngestReport(
            run_id=self.run_id, new=c["new"], duplicate=c["duplicate"], near_duplicate=c["near_duplicate"],
            failed=c["failed"], warnings=c["warnings"], status=status,
            failed_by_code=tuple(sorted(self.failed_codes.items())),
            warnings_by_code=tuple(sorted(self.warning_codes.items())),
            issues=tuple(self.issues), seconds=seconds, unread=tuple(self.unread),
        )
