"""Attributed claims in Russian and Ukrainian text (being written)."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from forewarn.model.extraction import Claim, EntityMention


def find_claims(doc: Doc, entities: Sequence[EntityMention]) -> list[Claim]:
    return []
