"""Text normalisation and the content identity of a document."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\s*\n\s*\n\s*")
_LINE_BREAK = re.compile(r" ?\n ?")


def normalise(text: str) -> str:
    """NFC, invisible characters removed, runs of spaces collapsed, paragraphs kept (one blank
    line between them), lines inside a paragraph joined, ends trimmed. Case and punctuation are
    kept: they carry meaning, and exact duplicates differ only in layout."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    paragraphs = _BLANK_LINES.split(text.strip())
    return "\n\n".join(_LINE_BREAK.sub(" ", p).strip() for p in paragraphs if p.strip())


def document_id(normalised_text: str) -> str:
    """SHA-256 hex of the normalised text: the same text has the same id in every workspace."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()


def sighting_key(doc_id: str, location: str, item: str | None) -> str:
    raw = "\x1f".join((doc_id, location, item or ""))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
