"""What the store gives back: events, entities, merges, per-document results, documents and runs.

These are read models (the stored rows, with merged entities resolved), distinct from
:mod:`forewarn.model.extraction`, which is what an extractor produces.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from forewarn.errors import Issue
from forewarn.model.document import Document, Sighting
from forewarn.model.extraction import Event
from forewarn.model.ingest import IngestRun


def event_id(document_id: str, event: Event) -> str:
    """Stable id of an event: its document, evidence sentence, trigger offsets and type. Re-running
    extraction with the same result keeps the id, whatever the extractor version."""
    ev = event.evidence
    key = f"{document_id}|{ev.sentence}|{ev.trigger_start}|{ev.trigger_end}|{event.type}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class StoredParticipant:
    """An actor, recipient or speaker: the words, the entity they named, and that entity's
    canonical form (the end of its merge chain). Country and sector are the canonical entity's."""

    entity_id: str
    canonical_id: str
    name: str  # the canonical entity's name
    text: str
    start: int
    end: int
    country: str | None
    sector: str | None
    inferred: bool = False  # nobody was named: a documented rule supplied the entity


@dataclass(frozen=True, slots=True)
class StoredPlace:
    name: str
    lat: float
    lon: float
    country: str
    admin1: str | None
    gazetteer_id: str
    precision: str
    text: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: str
    document_id: str
    source_id: str | None
    published_at: datetime | None
    extractor: str
    coded_at: datetime
    type: str
    mode: str | None
    contexts: tuple[str, ...]
    actor: StoredParticipant | None
    recipient: StoredParticipant | None
    place: StoredPlace | None
    date: date
    date_precision: str
    date_from_publication: bool
    negated: bool
    hypothetical: bool
    future: bool
    reported: bool
    sentence: int
    start: int  # the evidence sentence's span in the document text
    end: int
    trigger_start: int
    trigger_end: int
    confidence: float
    coder: str = "rules"  # what coded its type: "rules", "model:NAME" or "rules+model:NAME"
    compartment_id: int | None = field(default=None, compare=False)  # who may see it (None: anyone), issue 18

    @property
    def undated_source(self) -> bool:
        """Its document has no publication date: relative dates were read against the ingest time."""
        return self.published_at is None

    @property
    def flags(self) -> tuple[str, ...]:
        """The flags that are set, by name: negated, hypothetical, future, reported, undated-source."""
        names = ("negated", "hypothetical", "future", "reported", "undated_source")
        return tuple(n.replace("_", "-") for n in names if getattr(self, n))


@dataclass(frozen=True, slots=True)
class StoredMention:
    document_id: str
    entity_id: str
    canonical_id: str
    name: str  # the canonical entity's name
    kind: str
    text: str
    start: int
    end: int
    sentence: int
    extractor: str


@dataclass(frozen=True, slots=True)
class StoredClaim:
    document_id: str
    speaker: StoredParticipant | None
    speaker_text: str
    cue: str
    content_start: int
    content_end: int
    quoted: bool
    stance: str | None
    sentence: int
    start: int
    end: int
    extractor: str
    claimed: StoredClaimed | None = None


@dataclass(frozen=True, slots=True)
class StoredClaimed:
    """The event a stored claim is about (the claims table's ``claimed_*`` columns)."""

    type: str
    modality: str | None
    actor: StoredParticipant | None
    recipient: StoredParticipant | None
    place_name: str | None
    place_country: str | None
    place_admin1: str | None
    place_lat: float | None
    place_lon: float | None


@dataclass(frozen=True, slots=True)
class ExtractionCounts:
    entities: int = 0
    places: int = 0
    dates: int = 0
    events: int = 0
    claims: int = 0


@dataclass(frozen=True, slots=True)
class ExtractionStatus:
    """The latest extraction attempt on a document."""

    document_id: str
    extractor: str
    status: str  # ok, failed
    error: str | None
    extracted_at: datetime
    counts: ExtractionCounts


@dataclass(frozen=True, slots=True)
class DocumentExtraction:
    """What is stored for one document (results of the last successful extraction)."""

    document_id: str
    status: ExtractionStatus | None
    mentions: tuple[StoredMention, ...]
    places: tuple[StoredPlace, ...]
    events: tuple[StoredEvent, ...]
    claims: tuple[StoredClaim, ...]


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """A stored entity. ``origin`` is dictionary, ner or user (edited by a person: extraction no
    longer changes it). ``members`` are the entities merged into it, directly or through a chain;
    ``events`` counts the events its whole merge group takes part in (as actor or recipient)."""

    id: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    origin: str
    merged_into: str | None
    canonical_id: str
    aliases: tuple[str, ...]
    updated_at: datetime
    updated_by: str | None  # who last edited it by hand
    events: int = 0
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityMerge:
    id: int
    from_id: str
    into_id: str
    actor: str
    at: datetime
    note: str | None
    undone_by: str | None
    undone_at: datetime | None

    @property
    def active(self) -> bool:
        return self.undone_at is None


@dataclass(frozen=True)
class DocumentView:
    """A stored document with where it was seen and its duplicate cluster (itself included)."""

    document: Document
    sightings: tuple[Sighting, ...]
    cluster: tuple[Document, ...]


@dataclass(frozen=True)
class RunView:
    """An ingest run with the issues it recorded."""

    run: IngestRun
    issues: tuple[Issue, ...]


class SurgeRow(NamedTuple):
    """What a surge counts of an event (placed in a first-level region): its cell, its day, its document's cluster
    and when it became known. A named tuple: a large region's replay reads 150,000 of them."""

    event_id: str
    country: str
    admin1: str
    type: str
    day: date
    cluster_id: str
    known_at: datetime
