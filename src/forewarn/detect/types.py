"""What detectors read (a coded event with the facts about its document that scoring needs) and what a
scenario test returns."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from forewarn.model import Assessment, Indicator, Reliability, Scenario, Signal, Surge
from forewarn.model.records import StoredClaim, StoredEvent, SurgeRow


@dataclass(frozen=True, slots=True)
class Observation:
    event: StoredEvent
    cluster_id: str  # the document's duplicate cluster: copies of one report count once
    reliability: Reliability  # of the document's source (F when it has none)
    known_at: datetime  # when it could first be known: publication (ingest time when undated)
    evidence: str  # the evidence sentence, for keywords and for people
    hidden_from: datetime | None = None  # superseded from then by an analyst's correction (a replay's history)

    def shown_at(self, at: datetime) -> bool:
        """Whether this version of the event stands at ``at`` (no later correction has replaced it by then)."""
        return self.hidden_from is None or self.hidden_from > at


class WholeRead(Protocol):
    """What a review needs of every observation of a scenario's read when it was given only those an indicator
    can match (:mod:`forewarn.detect.narrow`): how many were known by a time, and the earliest date among them;
    the events its surge indicators count, as surges count them (``rows``: those not among the observations), and
    the observations of those a surge names (its members)."""

    @property
    def rows(self) -> Sequence[SurgeRow]:
        ...

    def members(self, event_ids: Collection[str]) -> list[Observation]:
        """The observations of these events (of :attr:`rows`), whenever known."""
        ...

    def count(self, at: datetime, *, before: bool = False, since: datetime | None = None) -> int:
        """How many were known by ``at`` (before it with ``before``), from ``since``, and stand at ``at``."""
        ...

    def ahead(self, at: datetime) -> None:
        """Begin :meth:`count` at ``at`` now, beside the caller's work (it may also do nothing)."""
        ...

    def first_day(self, at: datetime, *, before: bool = False, since: datetime | None = None,
                  dated_from: date | None = None) -> date | None:
        """The earliest date, from ``dated_from`` to ``at``'s date, of those :meth:`count` counts that are not
        hypothetical (where a surge's record begins); None for none."""
        ...


@dataclass(frozen=True, slots=True)
class ClaimObservation:
    """An attributed claim with the facts about its document that scoring needs (claim indicators)."""

    claim: StoredClaim
    source_id: str | None
    cluster_id: str
    reliability: Reliability  # of the document's source (F when it has none)
    known_at: datetime  # publication (ingest time when undated)
    day: date  # the day it was said: the publication date
    evidence: str  # the claim's sentence
    places: frozenset[str] = frozenset()  # the places its sentence names: countries and "COUNTRY:admin1"


@dataclass(frozen=True, slots=True)
class Story:
    """A document as attention (mentions indicators): one story of one source on one day. ``text`` is what
    queries are matched against (title and text); ``places`` the countries and "COUNTRY:admin1" regions
    it names, ``entities`` the canonical ids and names of the entities it names (for filters)."""

    document_id: str
    source_id: str | None
    cluster_id: str
    reliability: Reliability
    known_at: datetime
    day: date
    title: str
    text: str
    places: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()


class DayOfStories(Protocol):
    """One day's stories matching a mentions indicator: how many independent ones (duplicate clusters), from how
    many sources, and the stories themselves (a signal's evidence; read from the store only when asked, and then
    perhaps without their words: :meth:`quoted` gives those of the few a signal quotes)."""

    @property
    def count(self) -> int: ...

    @property
    def source_count(self) -> int: ...

    @property
    def stories(self) -> Sequence[Story]: ...

    @property
    def made(self) -> MutableMapping[Hashable, Signal] | None:
        """Where the signals made of the day are kept, while its stories stand (None: they may still grow)."""

    def quoted(self, stories: Sequence[Story]) -> list[Story]:
        """These of its stories with their title and text (a signal's evidence quotes a few)."""


class StoryCounts(Protocol):
    """A mentions indicator's matching stories by day, as known at any time of a period: ``days(at, first)`` the
    days from ``first`` (all, when None) to ``at``'s date, with the stories known by ``at`` (before it, with
    ``before``). Times asked rise (a replay's steps)."""

    def days(self, at: datetime, first: date | None = None, *, before: bool = False) -> Mapping[date, DayOfStories]:
        ...

    def ahead(self, times: Sequence[datetime]) -> None:
        """The times to be asked, in turn (what can be read for all of them at once is)."""


@dataclass(frozen=True, slots=True)
class Heard:
    """The claims and stories scenarios read, and the documents per day over the stories' span (the days the
    stream was up: see :func:`forewarn.detect.mentions.mention_signals`). ``counted``: by scenario id and mentions
    indicator id, the indicator's stories counted per day by the store, instead of read one by one into
    ``stories``."""

    claims: Sequence[ClaimObservation] = ()
    stories: Sequence[Story] = ()
    day_totals: Mapping[date, int] | None = None
    counted: Mapping[tuple[str, str], StoryCounts] = field(default_factory=dict)

    def counts(self, scenario: Scenario) -> dict[str, StoryCounts]:
        """The stories counted for ``scenario``'s mentions indicators, by indicator id."""
        return {i: c for (s, i), c in self.counted.items() if s == scenario.id}


@dataclass(frozen=True, slots=True)
class IndicatorTest:
    """What one indicator of a scenario finds in the store: every matching observation (for a surge
    indicator, the observations of its surges; for a claim indicator, the matching claims; for a mentions
    indicator, the matching stories of its window), and the signals they make at the time of the test."""

    indicator: Indicator
    observations: tuple[Observation, ...]
    signals: tuple[Signal, ...]
    surges: tuple[Surge, ...] = ()
    claims: tuple[ClaimObservation, ...] = ()
    stories: tuple[Story, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioTest:
    scenario: Scenario
    at: datetime
    assessment: Assessment
    indicators: tuple[IndicatorTest, ...]
    hidden: int = 0  # signals from holdings the reader may not see, left out (with what they rest on)


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
    hidden: int = 0  # signals from holdings the reader may not see, left out of ``assessment.signals``
