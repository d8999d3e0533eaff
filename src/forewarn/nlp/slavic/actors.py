"""Actors named in Russian and Ukrainian text, linked to the canonical entities (being written)."""

from __future__ import annotations

from spacy.tokens import Doc

from forewarn.model.extraction import EntityMention
from forewarn.nlp.actors import ActorDictionary


class SlavicLinker:
    def __init__(self, dictionary: ActorDictionary, lang: str) -> None:
        self.dictionary = dictionary
        self.lang = lang

    def __call__(self, doc: Doc) -> list[EntityMention]:
        return []
