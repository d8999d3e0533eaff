"""What one ingest transaction writes: everything in a batch lands together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forewarn.errors import Issue
from forewarn.model import Document, Sighting
from forewarn.model.source import FeedValidators


@dataclass(frozen=True, slots=True)
class StoredDocument:
    document: Document
    shingles: int
    signature: bytes
    band_keys: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class KeyedSighting:
    key: str
    sighting: Sighting


@dataclass(frozen=True, slots=True)
class BatchCounts:
    new: int = 0
    duplicate: int = 0
    near_duplicate: int = 0
    failed: int = 0
    warnings: int = 0


@dataclass(frozen=True)
class Batch:
    run_id: int
    now: datetime  # the run's clock: when these rows were written
    documents: tuple[StoredDocument, ...] = ()
    sightings: tuple[KeyedSighting, ...] = ()
    issues: tuple[Issue, ...] = ()
    validators: tuple[FeedValidators, ...] = ()
    counts: BatchCounts = BatchCounts()


@dataclass(frozen=True)
class Candidates:
    """Stored documents that may be near-duplicates of a batch's new ones."""

    bands: dict[int, list[str]]  # LSH band key -> ids of the documents having it
    known: dict[str, tuple[bytes, int, str]]  # id -> (signature, distinct shingles, cluster id)

