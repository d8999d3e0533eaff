"""Events coded from Russian and Ukrainian text (being written)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from spacy.tokens import Doc

from forewarn.model.extraction import DateMention, EntityMention, Event, PlaceMention
from forewarn.nlp.actors import ActorDictionary


def find_events(doc: Doc, entities: Sequence[EntityMention], places: Sequence[PlaceMention],
                dates: Sequence[DateMention], published: date, actors: ActorDictionary) -> list[Event]:
    return []

