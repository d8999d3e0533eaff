"""Ingest runs and their reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from forewarn.errors import Issue


@dataclass(frozen=True, slots=True)
class IngestRun:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str  # running, completed, interrupted, failed
    actor: str
    inputs: tuple[str, ...]
    new: int = 0
    duplicate: int = 0
    near_duplicate: int = 0
    failed: int = 0
    warnings: int = 0


@dataclass(frozen=True, slots=True)
class ExtractReport:
    """What an extraction pass did. ``failures`` lists the first (document id, error) pairs; every
    failure is also stored with its document (``forewarn extract --failed`` retries them)."""

    extractor: str
    documents: int = 0
    extracted: int = 0
    failed: int = 0
    events: int = 0
    claims: int = 0
    seconds: float = 0.0
    failures: tuple[tuple[str, str], ...] = ()
    workers: int = 0  # Dask worker threads of a --backfill run (0: extracted in this machine's processes)


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingest run did: counts, and every issue with its code."""

    run_id: int
    new: int
    duplicate: int
    near_duplicate: int
    failed: int
    warnings: int
    status: str = "completed"
    failed_by_code: tuple[tuple[str, int], ...] = ()
    warnings_by_code: tuple[tuple[str, int], ...] = ()
    issues: tuple[Issue, ...] = field(default=())  # the first ones; the store keeps them all
    seconds: float = 0.0
    extraction: ExtractReport | None = None  # when ingest ran extraction on the new documents
    unread: tuple[str, ...] = ()  # named targets nothing could be read from (missing, unreadable, only errors)

    @property
    def read(self) -> int:
        return self.new + self.duplicate + self.near_duplicate + self.failed
