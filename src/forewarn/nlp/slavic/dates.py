"""Dates in Russian and Ukrainian text (being written)."""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc

from forewarn.model.extraction import DateMention


def find_dates(doc: Doc, published: date, lang: str) -> list[DateMention]:
    return []
