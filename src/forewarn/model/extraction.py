"""What extraction produces: frozen dataclasses, no spaCy objects.

Character offsets (``start``/``end``) are always into the document's stored text, so every
extraction points at its evidence. ``sentence`` is the index of the sentence in the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class EntityKind(StrEnum):
    PERSON = "person"
    ORG = "org"
    GROUP = "group"  # a collective with no name of its own: "Russian troops", "protesters"
    COUNTRY = "country"
    PLACE = "place"


class Sector(StrEnum):
    MILITARY = "military"
    GOVERNMENT = "government"
    INTELLIGENCE = "intelligence"
    POLICE = "police"
    REBEL = "rebel"  # rebels, militias, insurgents, paramilitaries, armed groups
    CIVILIAN = "civilian"
    MEDIA = "media"
    BUSINESS = "business"
    IGO = "igo"  # international organisation
    NGO = "ngo"


ARMED_SECTORS = frozenset({Sector.MILITARY, Sector.REBEL, Sector.POLICE})
POLITICAL_SECTORS = ARMED_SECTORS | frozenset({Sector.GOVERNMENT, Sector.INTELLIGENCE, Sector.IGO})


class PlacePrecision(StrEnum):
    POINT = "point"  # a site: a building, a bridge, a checkpoint
    TOWN = "town"
    REGION = "region"  # first-level administrative region (oblast, state, province)
    COUNTRY = "country"


class TimePrecision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity: the dictionary's entry or one discovered in text.

    ``id`` is stable text (``dict:rus-fsb``, ``ner:person:vladimir-putin``), never a Python hash.
    ``country`` is ISO 3166 alpha-3 (or IGO-style codes such as ``IGO`` for international bodies).
    """

    id: str
    name: str
    kind: EntityKind
    country: str | None = None
    sector: Sector | None = None
    aliases: tuple[str, ...] = ()

    @property
    def political(self) -> bool:
        """A state, or a body of one of the political sectors (government, armed forces, police,
        intelligence, rebels, international organisations)."""
        return self.kind == EntityKind.COUNTRY or self.sector in POLITICAL_SECTORS


@dataclass(frozen=True, slots=True)
class EntityMention:
    entity: Entity
    text: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry (or a place built from one: a region, a country)."""

    name: str
    lat: float
    lon: float
    country: str  # ISO alpha-3
    admin1: str | None  # first-level region name, e.g. "Kharkiv Oblast"
    gazetteer_id: str  # "geonames:706483", "admin1:UA.07", "country:UKR"
    precision: PlacePrecision


@dataclass(frozen=True, slots=True)
class PlaceMention:
    place: Place
    text: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True, slots=True)
class DateMention:
    """A resolved time expression. ``value`` is the first day of the period for WEEK/MONTH/YEAR."""

    value: date
    precision: TimePrecision
    text: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True, slots=True)
class Participant:
    """An event's actor or recipient: the entity and the words that named it. ``inferred``: nobody
    was named; a documented rule supplied the entity (a sighting's actor from who holds the place),
    and ``text``/``start``/``end`` are the words it was inferred from."""

    entity: Entity
    text: str
    start: int
    end: int
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    sentence: int
    start: int  # the sentence's span in the document text
    end: int
    trigger_start: int  # the word(s) that carry the event
    trigger_end: int


@dataclass(frozen=True, slots=True)
class Flags:
    negated: bool = False
    hypothetical: bool = False
    future: bool = False
    reported: bool = False  # reported speech: someone says it happened


@dataclass(frozen=True, slots=True)
class Event:
    type: str  # one of the 16 PLOVER types
    mode: str | None
    contexts: tuple[str, ...]
    actor: Participant | None
    recipient: Participant | None
    place: PlaceMention | None
    date: date
    date_precision: TimePrecision
    date_from_publication: bool  # no date expression: the publication date stands in
    flags: Flags
    evidence: Evidence
    confidence: float
    coder: str = "rules"  # what coded its type: "rules", "model:NAME" or "rules+model:NAME"


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    """The event a claim is about, as the speaker puts it: "the US warns Russia could invade Ukraine"
    claims an ASSAULT by Russia on Ukraine (modality "possible"), not an act of the US."""

    type: str  # one of the 16 PLOVER types
    actor: Participant | None
    recipient: Participant | None
    place: PlaceMention | None
    modality: str | None  # "asserted", "possible", "planned", "denied", "feared" …


@dataclass(frozen=True, slots=True)
class Claim:
    speaker: Participant | None  # None when the statement is attributed to no one we can name
    speaker_text: str
    cue: str  # lemma of the attributing verb: say, tell, warn, claim, deny …
    content_start: int
    content_end: int
    quoted: bool  # direct quotation (in quotation marks) or indirect
    stance: str | None  # "assert", "deny", "warn", "promise", … where clear
    sentence: int
    start: int  # the sentence span
    end: int
    claimed: ClaimedEvent | None = None  # the event the content is about, where one is coded


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one document by one extractor version."""

    document_id: str
    extractor: str  # version string: model name/version + forewarn component versions
    entities: tuple[EntityMention, ...] = field(default=())
    places: tuple[PlaceMention, ...] = field(default=())
    dates: tuple[DateMention, ...] = field(default=())
    events: tuple[Event, ...] = field(default=())
    claims: tuple[Claim, ...] = field(default=())
