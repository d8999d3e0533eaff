"""The event a structured row states in its own columns (docs/observations.md), built each time its
document is extracted from the observation kept with the document, so re-extraction never loses it.

* **Place**: the row's point; its country and first-level region are the nearest town's (a reverse lookup
  in the gazetteer); its name is the row's ``place``, else that town's when it lies within
  :data:`NAMED_KM`, else the coordinates; precision the row's, else ``point``.
* **Type**: the row's. The text's events of that type are replaced by the row's event (one thing
  happened, and the row says where and when exactly); the most confident of them lends its mode, actor,
  recipient and contexts where the row has none. A row without a type takes the text's most confident
  event (not negated) in the same way; when the text has none, the row gives no event.
* **Actor and recipient**: a name the actor dictionary knows is its entity; otherwise the country and
  sector its words name ("Military Forces of Russia" → the Russian military), else the row's country and
  sector columns, make a group entity as the extractor does for "Russian troops"; a name with neither is
  an organisation of its own.
* **Date**: the row's, to its precision. **Evidence**: the whole text. **Confidence**: the row's, else 1.0
  (else the lending event's, when the type came from the text). **Coder**: ``columns``, or
  ``columns+<coder>`` when a text event lent anything.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from forewarn.geo.gazetteer import Gazetteer
from forewarn.model.document import DatePrecision, Observation
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
    TimePrecision,
)
from forewarn.nlp.actors import ActorDictionary, normalize, slug

CODER = "columns"
NAMED_KM = 10.0  # the nearest town names a row's point when it lies this close and the row names no place
_PRECISION = {DatePrecision.MONTH: TimePrecision.MONTH, DatePrecision.YEAR: TimePrecision.YEAR}


class Observer:
    """Adds a structured row's event to its document's extraction."""

    def __init__(self, dictionary: ActorDictionary, gazetteer: Gazetteer) -> None:
        self.dictionary = dictionary
        self.gazetteer = gazetteer

    def apply(self, x: Extraction, observation: Observation | None, text: str, day: date,
              precision: DatePrecision | None) -> Extraction:
        """``x`` with the row's place and event (see the module docstring); unchanged without an observation."""
        if observation is None:
            return x
        place = self.place(observation, text)
        lender = _lender(x.events, observation.type)
        if observation.type is None and lender is None:
            return replace(x, places=(*x.places, place))
        event = self._event(observation, lender, place, text, day, precision)
        kept = tuple(e for e in x.events if not _replaced(e, observation.type, lender))
        return replace(x, places=(*x.places, place), events=(*kept, event))

    def place(self, o: Observation, text: str) -> PlaceMention:
        town, km = self.gazetteer.nearest_town(o.lat, o.lon)
        by_town = o.place is None and km <= NAMED_KM
        name = o.place or (town.name if by_town else f"{o.lat:.5f}, {o.lon:.5f}")
        gazetteer_id = town.gazetteer_id if by_town else f"point:{o.lat:.5f},{o.lon:.5f}"
        precision = PlacePrecision(o.precision) if o.precision else PlacePrecision.POINT
        start, end = _span(text, name)
        return PlaceMention(Place(name, o.lat, o.lon, town.country, town.admin1, gazetteer_id, precision),
                            name, start, end, 0)

    def participant(self, name: str | None, country: str | None, sector: str | None, text: str) -> Participant | None:
        entity = self._entity(name, country, Sector(sector) if sector else None)
        if entity is None:
            return None
        words = name or entity.name
        start, end = _span(text, words) if name else (0, 0)
        return Participant(entity, words, start, end)

    def _event(self, o: Observation, lender: Event | None, place: PlaceMention, text: str, day: date,
               precision: DatePrecision | None) -> Event:
        actor = self.participant(o.actor, o.actor_country, o.actor_sector, text)
        recipient = self.participant(o.recipient, o.recipient_country, o.recipient_sector, text)
        lent = lender is not None and (o.type is None or (o.mode is None and lender.mode is not None)
                                       or (actor is None and lender.actor is not None)
                                       or (recipient is None and lender.recipient is not None))
        guessed = o.type is None and lender is not None  # the type came from the text: its confidence
        confidence = o.confidence if o.confidence is not None else lender.confidence if guessed and lender else 1.0
        return Event(
            type=o.type or (lender.type if lender else ""), mode=o.mode or (lender.mode if lender else None),
            contexts=lender.contexts if lender else (), actor=actor or (lender.actor if lender else None),
            recipient=recipient or (lender.recipient if lender else None), place=place, date=day,
            date_precision=_PRECISION.get(precision or DatePrecision.DAY, TimePrecision.DAY),
            date_from_publication=False, flags=Flags(), evidence=Evidence(0, 0, len(text), 0, len(text)),
            confidence=confidence, coder=f"{CODER}+{lender.coder}" if lent and lender else CODER)

    def _entity(self, name: str | None, country: str | None, sector: Sector | None) -> Entity | None:
        known = self.dictionary.lookup(name) if name else None
        if known is not None:
            return known
        said_country, said_sector = self._named(name) if name else (None, None)
        country, sector = said_country or country, said_sector or sector
        if country and sector is None and name is None:
            return self.dictionary.country(country) or self.dictionary.group(country, None)
        if country or sector:
            return self.dictionary.group(country, sector)
        return Entity(id=f"ner:org:{slug(name)}", name=name, kind=EntityKind.ORG) if name else None

    def _named(self, name: str) -> tuple[str | None, Sector | None]:
        """The country and the sector an unknown actor's own words name ("Military Forces of Russia (2000-)")."""
        words = normalize(name).split()
        grams = [" ".join(words[i:i + n]) for n in (3, 2, 1) for i in range(len(words) - n + 1)]
        country = next((c for g in grams if (c := self._country_of(g)) is not None), None)
        agent = next((a for g in grams if (a := self.dictionary.agents.get(g)) is not None), None)
        return country, agent.sector if agent else None

    def _country_of(self, words: str) -> str | None:
        entity = self.dictionary.lookup(words)
        if entity is not None and entity.kind is EntityKind.COUNTRY:
            return entity.country
        return self.dictionary.demonym(words)


def _lender(events: tuple[Event, ...], kind: str | None) -> Event | None:
    """The text's event the row's event stands for: the most confident of its type (any type when the row
    gives none), not negated."""
    same = [e for e in events if (kind is None or e.type == kind) and not e.flags.negated]
    return max(same, key=lambda e: e.confidence, default=None)


def _replaced(event: Event, kind: str | None, lender: Event | None) -> bool:
    """Whether the row's event replaces this text event: every one of the row's type, or the lender."""
    return event is lender or (kind is not None and event.type == kind)


def _span(text: str, words: str) -> tuple[int, int]:
    """Where ``words`` first stand in ``text`` (case ignored), else (0, 0)."""
    start = text.lower().find(words.lower())
    return (start, start + len(words)) if start >= 0 else (0, 0)
