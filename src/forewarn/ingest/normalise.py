"""Text normalisation and the content identity of a document."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def normalise(text: str) -> str:
    """NFC, invisible characters removed, runs of whitespace collapsed, paragraphs kept (one blank
    line between them), lines inside a paragraph joined, ends trimmed. Case and punctuation are
    kept: they carry meaning, and exact duplicates differ only in layout."""
    if not text.isascii():  # ASCII is already NFC and has no invisible characters
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_collapse_spaces(p) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _collapse_spaces(paragraph: str) -> str:
    # fast path: printable text (no tabs, line breaks or Unicode spaces) without double spaces
    if paragraph.isprintable() and "  " not in paragraph:
        return paragraph.strip()
    return " ".join(paragraph.split())


def document_id(normalised_text: str) -> str:
    """SHA-256 hex of the normalised text: the same text has the same id in every workspace."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()


def sighting_key(doc_id: str, location: str, item: str | None) -> str:
    raw = "\x1f".join((doc_id, location, item or ""))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
