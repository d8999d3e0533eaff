"""Scenarios (named threats to watch) and what scoring one produces: signals, surges, assessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Region:
    """Where a scenario plays out. An event is in the region when its place lies in one of the
    countries (ISO alpha-3), or in one of the first-level regions (``"RUS:Kursk"``: country and
    admin1 name as the gazetteer spells it), or within ``radius_km`` of ``point`` (lat, lon)."""

    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    point: tuple[float, float] | None = None
    radius_km: float | None = None


class IndicatorKind(StrEnum):
    EVENTS = "events"  # a pattern over coded events
    SURGE = "surge"  # a statistically unusual surge of events in the region
    CLAIM = "claim"  # attributed claims: who said what about which event (a government's public warning)
    MENTIONS = "mentions"  # attention: unusually many independent stories a day matching a query


# The stances the claims component gives a claim (forewarn.nlp.claims): a warning or fear that someone may act, a
# denial, an accusation, the speaker's own threat, an assurance that the speaker will not act, a commitment to act,
# an assertion, a confirmation, an admission, a call on someone to act, a prediction.
STANCES = ("warn", "deny", "accuse", "threat", "assure", "promise", "assert", "confirm", "admit", "urge", "predict")


@dataclass(frozen=True, slots=True)
class Indicator:
    """One thing that, observed, shifts the odds of the scenario.

    ``weight`` is the likelihood ratio of one independent observation (2.0 doubles the odds;
    below 1 lowers them). Its effect halves every ``half_life_days`` after the event.
    At most ``saturation`` independent observations count (the strongest ones)."""

    id: str
    name: str
    kind: IndicatorKind
    weight: float
    half_life_days: float
    saturation: int = 5
    types: tuple[str, ...] = ()  # PLOVER types; empty: any
    modes: tuple[str, ...] = ()
    actor_countries: tuple[str, ...] = ()
    actor_sectors: tuple[str, ...] = ()
    recipient_countries: tuple[str, ...] = ()
    recipient_sectors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # any of them, case-insensitive, in the evidence sentence
    in_region: bool = True  # the event must lie in the scenario's region
    min_confidence: float = 0.0
    description: str = ""
    # claim indicators: who speaks, and how (types/actor/recipient/in_region are then the CLAIMED event's)
    speakers: tuple[str, ...] = ()  # canonical entity names or ids, case-insensitive; empty: anyone
    speaker_countries: tuple[str, ...] = ()
    speaker_sectors: tuple[str, ...] = ()
    stances: tuple[str, ...] = ()  # warn, deny, accuse, threat, assure, promise, …; empty: any
    # mentions indicators: the query (keyword syntax, any language) and the test on the daily counts
    query: tuple[str, ...] = ()  # any of these words or phrases in a story's title or text
    entities: tuple[str, ...] = ()  # the story must also name one of these entities (names or ids)
    baseline_days: int = 28  # the days before the tested day that make its baseline
    max_p: float = 0.01  # a count is unusual when its p-value against the baseline is below this
    highest_in_days: int = 0  # also signal a count that is the highest in this many days (0: off)
    min_stories: int = 3  # fewer independent stories in a day never signal


@dataclass(frozen=True, slots=True)
class Threshold:
    level: str  # e.g. elevated, high, critical (ascending)
    probability: float
    ack_minutes: int | None = None  # None: the `ack_minutes` setting for this level


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    name: str
    description: str
    region: Region
    horizon_days: int
    prior: float
    indicators: tuple[Indicator, ...]
    thresholds: tuple[Threshold, ...]  # ascending probability
    owner: str
    escalation: tuple[str, ...] = ()  # after the owner, in order
    version: str = ""  # SHA-256 of the source text
    source: str = ""  # file it was read from, or "workspace"

    @property
    def chain(self) -> tuple[str, ...]:
        return (self.owner, *self.escalation)

    def level_of(self, probability: float) -> str | None:
        """The highest threshold level ``probability`` reaches, or None."""
        level = None
        for t in self.thresholds:
            if probability >= t.probability:
                level = t.level
        return level


@dataclass(frozen=True, slots=True)
class Surge:
    """A day on which events of one type in one first-level region ran unusually high."""

    country: str
    admin1: str
    type: str
    day: date
    count: int
    baseline_mean: float
    baseline_var: float
    p_value: float
    test: str  # "negative-binomial" or "poisson"
    event_ids: tuple[str, ...]


class SignalKind(StrEnum):
    EVENT = "event"
    SURGE = "surge"
    CLAIM = "claim"
    MENTIONS = "mentions"


@dataclass(frozen=True, slots=True)
class Signal:
    """One independent observation of an indicator and what it contributes to the log-odds.

    ``contribution = ln(weight) * strength * decay`` when counted; 0 with a ``note`` saying why
    when not (beyond saturation, or corroborating an observation from the same source)."""

    indicator_id: str
    kind: SignalKind
    observed_on: date  # the event's (or surge's) date
    known_at: datetime  # when it became known (publication)
    source_ids: tuple[str, ...]
    reliability: str  # best Admiralty grade among its sources
    event_ids: tuple[str, ...]
    document_ids: tuple[str, ...]
    strength: float  # reliability weight, 0-1
    decay: float  # 0.5 ** (age / half-life)
    contribution: float  # log-odds
    counted: bool
    note: str = ""
    evidence: str = ""  # the sentence (or surge description) a person reads


@dataclass(frozen=True, slots=True)
class Assessment:
    scenario_id: str
    scenario_version: str
    at: datetime
    prior: float
    log_odds: float
    probability: float
    level: str | None
    signals: tuple[Signal, ...]

    @property
    def counted(self) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if s.counted)


@dataclass(frozen=True)
class StoredAssessment:
    """A published assessment as stored (``signals``: each signal as JSON; empty when read without them)."""

    id: int
    scenario_id: str
    scenario_version: str
    at: datetime
    probability: float
    log_odds: float
    level: str | None
    signals: tuple[dict[str, Any], ...]
    hidden_signals: int = 0  # issue 18: signals from holdings the reader may not see, left out of ``signals``
