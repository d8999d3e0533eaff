"""What every export writer takes and how it is driven.

An export is a stream: :meth:`Writer.begin`, then :meth:`Writer.chunk` for each bounded batch of events (with
the documents, claims, sources and compartments they cite), then :meth:`Writer.analysis` once (scenarios,
assessments, warnings and their ledger history, as the asker may see them), then :meth:`Writer.end`. A writer
keeps only what it needs to avoid writing a shared object twice (an identity, a place, a marking), never the
events, so memory stays bounded however many events pass through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

from forewarn.model import Document
from forewarn.model.marking import Compartment
from forewarn.model.records import StoredClaim, StoredEvent
from forewarn.model.scenario import Scenario, StoredAssessment
from forewarn.model.source import Source
from forewarn.model.warning import LedgerEntry, WarningRecord

OPEN = Compartment()  # the compartment of an object whose compartment id is None


@dataclass(frozen=True)
class Chunk:
    """A batch of events and everything they cite. ``documents``: by id, every document of an event;
    ``claims``: by document id (absent: none); ``sources``: by id, every source named; ``compartments``: by id,
    every compartment id an event or document holds (None is open: :data:`OPEN`)."""

    events: Sequence[StoredEvent]
    documents: Mapping[str, Document]
    claims: Mapping[str, Sequence[StoredClaim]] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)
    compartments: Mapping[int, Compartment] = field(default_factory=dict)

    def compartment(self, compartment_id: int | None) -> Compartment:
        """The compartment of an id (None: open)."""
        return OPEN if compartment_id is None else self.compartments[compartment_id]


@dataclass(frozen=True)
class Analysis:
    """What the analysts made of the events, as the asker may see it: scenarios (with their compartments by
    scenario id; absent: open), their published assessments, warnings and each warning's ledger history (by
    warning id, oldest first)."""

    scenarios: Sequence[Scenario] = ()
    scenario_compartments: Mapping[str, Compartment] = field(default_factory=dict)
    assessments: Sequence[StoredAssessment] = ()
    warnings: Sequence[WarningRecord] = ()
    warning_compartments: Mapping[int, Compartment] = field(default_factory=dict)
    history: Mapping[int, Sequence[LedgerEntry]] = field(default_factory=dict)


class Writer(Protocol):
    """A streaming export writer for one format (``name``: what ``--format`` says; ``media_type``: what a
    download is served as; ``suffix``: a file name's ending)."""

    name: str
    media_type: str
    suffix: str

    def begin(self, out: IO[str]) -> None: ...

    def chunk(self, chunk: Chunk) -> int:
        """Write the chunk's events (and what they cite, once per export); returns the events written."""
        ...

    def analysis(self, analysis: Analysis) -> None: ...

    def end(self) -> None: ...
