"""Small helpers over spaCy Docs shared by the components."""

from __future__ import annotations

import numpy as np
from spacy.attrs import SENT_START
from spacy.tokens import Doc, Span, Token

_KEY = "forewarn.sentence_of_token"


def sentence_of(doc: Doc) -> list[int]:
    """The sentence index of every token (computed once per Doc, kept in ``doc.user_data``)."""
    cached = doc.user_data.get(_KEY)
    if cached is None or len(cached) != len(doc):
        starts = doc.to_array(SENT_START) == 1
        if len(starts):
            starts[0] = True  # the first token always opens a sentence
        cached = (np.cumsum(starts) - 1).tolist()
        doc.user_data[_KEY] = cached
    return cached


def sentence_index(span: Span) -> int:
    """Index of the sentence that contains the span's first token."""
    return sentence_of(span.doc)[span.start]


def opens_sentence(tok: Token) -> bool:
    """Is ``tok`` the first token of its sentence (``tok.i == tok.sent.start``)? Asked without building the
    sentence: ``Token.sent`` walks to both ends of it, so asking that of every token is quadratic in a long one."""
    return tok.i == 0 or tok.is_sent_start is True
