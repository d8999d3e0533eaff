"""The parts of the store that a caller other than a service needs, as protocols: ingest takes an
:class:`IngestStore`, extraction an :class:`ExtractionStore`. :class:`~forewarn.store.sql.SqlStore`
is both (mypy checks it where the workspace hands its store to them, and ``tests/store`` checks it
too); the services take the ``SqlStore`` itself. A transaction (``tx``) is the store's own object,
passed back to it unopened."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from forewarn.model import Document, IngestRun
from forewarn.model.extraction import Extraction
from forewarn.model.source import FeedValidators
from forewarn.store.batch import Batch, Candidates


class IngestStore(Protocol):
    """What ingest (``ingest/pipeline.py``, ``ingest/batch.py``) asks of the store: runs, one
    transaction per batch with its look-ups, and the feeds' saved validators."""

    def interrupt_stale_runs(self, now: datetime) -> list[int]: ...
    def start_run(self, actor: str, inputs: Sequence[str], now: datetime) -> int: ...
    def finish_run(self, run_id: int, status: str, now: datetime) -> IngestRun: ...
    def ingest_transaction(self) -> AbstractContextManager[Any]: ...
    def existing_documents(self, tx: Any, ids: Iterable[str]) -> set[str]: ...
    def existing_sightings(self, tx: Any, keys: Iterable[str]) -> set[str]: ...
    def candidates(self, tx: Any, band_keys: Iterable[int]) -> Candidates: ...
    def write_batch(self, tx: Any, batch: Batch) -> None: ...
    def validators(self, url: str) -> FeedValidators | None: ...


class ExtractionStore(Protocol):
    """What extraction (``nlp/runner.py``) asks of the store: the stored documents in, the results out."""

    def get_documents(self, doc_ids: Iterable[str]) -> dict[str, Document]: ...
    def save_extractions(self, extractions: Sequence[Extraction], now: datetime) -> None: ...
    def record_extraction_failure(self, document_id: str, extractor: str, error: str, now: datetime) -> None: ...
