"""Places named in Russian and Ukrainian text (being written)."""

from __future__ import annotations

from collections.abc import Collection

from spacy.tokens import Doc

from forewarn.geo.gazetteer import Gazetteer
from forewarn.model.extraction import PlaceMention


def find_places(doc: Doc, gazetteer: Gazetteer, focus: Collection[str], lang: str) -> list[PlaceMention]:
    return []
