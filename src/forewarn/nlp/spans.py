"""Small helpers over spaCy Docs shared by the components."""

from __future__ import annotations

from spacy.tokens import Doc, Span

_KEY = "forewarn.sentence_of_token"


def sentence_of(doc: Doc) -> list[int]:
    """The sentence index of every token (computed once per Doc, kept in ``doc.user_data``)."""
    cached = doc.user_data.get(_KEY)
    if cached is None or len(cached) != len(doc):
        cached = [0] * len(doc)
        for i, sent in enumerate(doc.sents):
            for t in range(sent.start, sent.end):
                cached[t] = i
        doc.user_data[_KEY] = cached
    return cached


def sentence_index(span: Span) -> int:
    """Index of the sentence that contains the span's first token."""
    return sentence_of(span.doc)[span.start]
