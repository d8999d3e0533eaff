"""What detectors read (a coded event with the facts about its document that scoring needs) and what a
scenario test returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forewarn.model import Assessment, Indicator, Reliability, Scenario, Signal, Surge
from forewarn.model.records import StoredEvent


@dataclass(frozen=True, slots=True)
class Observation:
    event: StoredEvent
    cluster_id: str  # the document's duplicate cluster: copies of one report count once
    reliability: Reliability  # of the document's source (F when it has none)
    known_at: datetime  # when it could first be known: publication (ingest time when undated)
    evidence: str  # the evidence sentence, for keywords and for people


@dataclass(frozen=True, slots=True)
class IndicatorTest:
    """What one indicator of a scenario finds in the store: every matching observation (or, for a surge
    indicator, the observations of its surges), and the signals they make at the time of the test."""

    indicator: Indicator
    observations: tuple[Observation, ...]
    signals: tuple[Signal, ...]
    surges: tuple[Surge, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioTest:
    scenario: Scenario
    at: datetime
    assessment: Assessment
    indicators: tuple[IndicatorTest, ...]


@dataclass(frozen=True, slots=True)
class ScenarioRecord:
    """A scenario as the workspace stores it: the YAML text, where it came from, who added it when."""

    scenario: Scenario
    yaml: str
    origin: str
    enabled: bool
    added_at: datetime
    added_by: str


@dataclass(frozen=True, slots=True)
class ScenarioChange:
    scenario: Scenario
    kind: str | None  # scenario-added, scenario-changed, scenario-removed; None when nothing changed


@dataclass(frozen=True, slots=True)
class ScenarioView:
    """A scenario with its assessment at a time; ``record`` is None for a file or default not in the workspace."""

    scenario: Scenario
    assessment: Assessment
    record: ScenarioRecord | None = None
