"""Extraction over stored documents: read them in chunks, extract (in one or several processes, or on a
Dask cluster for a backfill), save each chunk's results in one transaction, record each failure with its
document. Every write of extraction results goes through :func:`save_results`, in this process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from forewarn.config import Settings
from forewarn.model import Document, ExtractReport
from forewarn.model.extraction import Extraction
from forewarn.nlp.extract import ExtractFailure, ExtractInput, Extractor, Result, extract_parallel
from forewarn.store.interfaces import ExtractionStore

if TYPE_CHECKING:  # Dask loads only for a backfill
    from forewarn.nlp.cluster import ExtractionCluster

SAVE_EVERY = 256  # documents per saving transaction
SAVE_RECORDS = 200_000  # and at most this many extracted records (a few very long documents fill one)
LOAD_EVERY = 16  # documents read from the store at a time (texts of up to max_bytes each)
KEEP_FAILURES = 20

ProgressFn = Callable[[int, int], None]  # (documents done, failed so far)


def extract_documents(store: ExtractionStore, settings: Settings, extractor: Callable[[], Extractor],
                      document_ids: Sequence[str], clock: Callable[[], datetime],
                      progress: ProgressFn | None = None, *, backfill: bool = False) -> ExtractReport:
    """Extract ``document_ids`` and store the results; the rest proceeds when one document fails.
    ``backfill``: on a Dask cluster (:mod:`forewarn.nlp.cluster`), else in this machine's processes."""
    started = time.perf_counter()
    if not document_ids:
        return ExtractReport(extractor="")
    if backfill:
        report = _backfill(store, settings, document_ids, clock, progress)
    else:
        local = extractor()
        results = _results(settings, local, inputs(store, document_ids), len(document_ids))
        report = save_results(store, local.version, results, clock, progress)
    return replace(report, seconds=time.perf_counter() - started)


def _backfill(store: ExtractionStore, settings: Settings, document_ids: Sequence[str],
              clock: Callable[[], datetime], progress: ProgressFn | None) -> ExtractReport:
    from forewarn.nlp.cluster import ExtractionCluster  # Dask: an optional extra

    with ExtractionCluster.start(settings) as cluster:
        return extract_on(cluster, store, document_ids, clock, progress)


def extract_on(cluster: ExtractionCluster, store: ExtractionStore, document_ids: Sequence[str],
               clock: Callable[[], datetime], progress: ProgressFn | None = None) -> ExtractReport:
    """Extract ``document_ids`` on a started cluster and store the results here, in this process."""
    results = cluster.extract(inputs(store, document_ids), len(document_ids))
    return save_results(store, cluster.version, results, clock, progress, workers=cluster.workers)


def save_results(store: ExtractionStore, version: str, results: Iterable[Result], clock: Callable[[], datetime],
                 progress: ProgressFn | None = None, workers: int = 0) -> ExtractReport:
    """Store ``results`` (of extractor ``version``) a chunk per transaction, each failure with its document;
    ``seconds`` is the time it took to go through them (extraction included when they come lazily)."""
    started = time.perf_counter()
    done = failed = events = claims = 0
    failures: list[tuple[str, str]] = []
    for chunk in _save_chunks(results):
        ok = [r for r in chunk if isinstance(r, Extraction)]
        store.save_extractions(ok, clock())
        for bad in (r for r in chunk if isinstance(r, ExtractFailure)):
            store.record_extraction_failure(bad.document_id, version, bad.error, clock())
            if len(failures) < KEEP_FAILURES:
                failures.append((bad.document_id, bad.error))
        done, failed = done + len(chunk), failed + len(chunk) - len(ok)
        events += sum(len(r.events) for r in ok)
        claims += sum(len(r.claims) for r in ok)
        if progress:
            progress(done, failed)
    return ExtractReport(extractor=version, documents=done, extracted=done - failed, failed=failed, events=events,
                         claims=claims, seconds=time.perf_counter() - started, failures=tuple(failures),
                         workers=workers)


def _save_chunks(results: Iterable[Result]) -> Iterator[list[Result]]:
    """Results to save together: ``SAVE_EVERY`` documents, or fewer when they hold more than
    ``SAVE_RECORDS`` records, so memory does not grow with a run of long documents."""
    chunk: list[Result] = []
    records = 0
    for result in results:
        chunk.append(result)
        records += _records(result)
        if len(chunk) >= SAVE_EVERY or records >= SAVE_RECORDS:
            yield chunk
            chunk, records = [], 0
    if chunk:
        yield chunk


def _records(result: Result) -> int:
    if not isinstance(result, Extraction):
        return 1
    return sum(map(len, (result.entities, result.places, result.dates, result.events, result.claims)))


def _results(settings: Settings, local: Extractor, items: Iterator[ExtractInput], documents: int) -> Iterator[Result]:
    if settings.extract_processes > 1 and documents > local.config.batch_size:
        return extract_parallel(local.config, items, settings.extract_processes)
    return local.extract(items)


def inputs(store: ExtractionStore, document_ids: Sequence[str]) -> Iterator[ExtractInput]:
    """The stored documents as extraction inputs, read ``LOAD_EVERY`` at a time."""
    for i in range(0, len(document_ids), LOAD_EVERY):
        chunk = document_ids[i:i + LOAD_EVERY]
        documents = store.get_documents(chunk)
        yield from (extract_input(documents[d]) for d in chunk if d in documents)


def extract_input(doc: Document) -> ExtractInput:
    """Relative dates resolve against the publication date, or the ingest date when there is none; a
    structured row's observation travels with its text."""
    reference = doc.published_at or doc.ingested_at
    return ExtractInput(doc.id, doc.text, reference.date(), doc.observation, doc.published_precision, doc.language)
