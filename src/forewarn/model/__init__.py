"""Frozen dataclasses: the nouns of forewarn. Never nested dicts."""

from forewarn.model.document import Document, RawDocument, Sighting
from forewarn.model.ingest import ExtractReport, IngestReport, IngestRun
from forewarn.model.principal import Principal, PrincipalKind, Role
from forewarn.model.scenario import (
    Assessment,
    Indicator,
    IndicatorKind,
    Region,
    Scenario,
    Signal,
    SignalKind,
    StoredAssessment,
    Surge,
    Threshold,
)
from forewarn.model.source import FeedValidators, Marking, Reliability, Source, SourceKind
from forewarn.model.warning import Disposition, LedgerEntry, Origin, WarningRecord, WarningState

__all__ = [
    "Assessment",
    "Disposition",
    "Document",
    "ExtractReport",
    "FeedValidators",
    "Indicator",
    "IndicatorKind",
    "IngestReport",
    "IngestRun",
    "LedgerEntry",
    "Marking",
    "Origin",
    "Principal",
    "PrincipalKind",
    "RawDocument",
    "Region",
    "Reliability",
    "Role",
    "Scenario",
    "Sighting",
    "Signal",
    "SignalKind",
    "Source",
    "SourceKind",
    "StoredAssessment",
    "Surge",
    "Threshold",
    "WarningRecord",
    "WarningState",
]
