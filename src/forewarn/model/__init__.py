"""Frozen dataclasses: the nouns of forewarn. Never nested dicts."""

from forewarn.model.document import Document, RawDocument, Sighting
from forewarn.model.ingest import ExtractReport, IngestReport, IngestRun
from forewarn.model.source import Marking, Reliability, Source, SourceKind

__all__ = [
    "Document",
    "ExtractReport",
    "IngestReport",
    "IngestRun",
    "Marking",
    "RawDocument",
    "Reliability",
    "Sighting",
    "Source",
    "SourceKind",
]
