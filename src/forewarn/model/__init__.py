"""Frozen dataclasses: the nouns of forewarn. Never nested dicts."""

from forewarn.model.document import Document, RawDocument, Sighting
from forewarn.model.ingest import ExtractReport, IngestReport, IngestRun
from forewarn.model.scenario import (
    Assessment,
    Indicator,
    IndicatorKind,
    Region,
    Scenario,
    Signal,
    SignalKind,
    Surge,
    Threshold,
)
from forewarn.model.source import Marking, Reliability, Source, SourceKind
from forewarn.model.warning import Disposition, LedgerEntry, Origin, WarningRecord, WarningState

__all__ = [
    "Assessment",
    "Disposition",
    "Document",
    "ExtractReport",
    "Indicator",
    "IndicatorKind",
    "IngestReport",
    "IngestRun",
    "LedgerEntry",
    "Marking",
    "Origin",
    "RawDocument",
    "Region",
    "Reliability",
    "Scenario",
    "Sighting",
    "Signal",
    "SignalKind",
    "Source",
    "SourceKind",
    "Surge",
    "Threshold",
    "WarningRecord",
    "WarningState",
]
