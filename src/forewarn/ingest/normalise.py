"""Text normalisation, the content identity of a document, and locations as text.

Two rules make every input storable the same way on SQLite and PostgreSQL:

* **Unstorable characters are removed.** NUL (U+0000) and lone surrogates (U+D800–U+DFFF, which a
  JSON ``"\\ud800"`` escape can produce) cannot be held by PostgreSQL text and cannot be encoded
  as UTF-8 at all; :func:`clean` removes them from a document's text, title, URL, item and metadata
  (the ingest reports FW-E031 TEXT_CLEANED for the item; ``raw_sha256`` still names the original
  bytes). :func:`normalise` removes them too, so a document's id never depends on them.
* **A location is valid text that maps back to its bytes.** A file name may hold bytes that are not
  UTF-8 (``bad\\xff.txt``); Python gives them as surrogate escapes, which no store can hold.
  :func:`text_location` writes such a path reversibly: each byte that is not part of valid UTF-8
  becomes ``\\xHH`` (two lower-case hex digits) and a backslash becomes ``\\\\``; every other
  character stays as it is. :func:`os_location` undoes it. URLs and posted-document locations
  (``web:…``) are not paths and stay as they are.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import unicodedata

from forewarn.errors import Code, Issue, Severity
from forewarn.model import RawDocument
from forewarn.model.document import OBSERVED

OBSERVED_COLUMNS = OBSERVED + "columns"

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2})")
_NOT_PATHS = ("http://", "https://", "web:")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def normalise(text: str) -> str:
    """NFC, invisible characters removed, runs of whitespace collapsed, paragraphs kept (one blank
    line between them), lines inside a paragraph joined, ends trimmed. Case and punctuation are
    kept: they carry meaning, and exact duplicates differ only in layout."""
    if "\x00" in text or not text.isascii():
        text = _UNSTORABLE.sub("", text)
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


def document_id(normalised_text: str, meta: tuple[tuple[str, str], ...] = ()) -> str:
    """SHA-256 hex of the normalised text: the same text has the same id in every workspace. A structured
    row's id is of its text and its observation (the ``observed.*`` entries of ``meta``, not the columns
    they came from), so two rows with the same words at different places or of different types stay two
    documents, and the same row read again is the same document."""
    observed = "\x1f".join(f"{k}={v}" for k, v in meta if k.startswith(OBSERVED) and k != OBSERVED_COLUMNS)
    data = f"{normalised_text}\x1e{observed}" if observed else normalised_text
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def sighting_key(doc_id: str, location: str, item: str | None) -> str:
    """The identity of one sighting. ``location`` is in :func:`text_location` form (valid text)."""
    raw = "\x1f".join((doc_id, location, item or ""))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def storable(value: str) -> str:
    """``value`` without the characters no store can hold (NUL, lone surrogates)."""
    return _UNSTORABLE.sub("", value) if _UNSTORABLE.search(value) else value


def clean(raw: RawDocument) -> tuple[RawDocument, Issue | None]:
    """The document with unstorable characters removed from every text field (its location in
    :func:`text_location` form), and a FW-E031 warning when any were removed."""
    fields = {"text": raw.text, "title": raw.title, "url": raw.url, "item": raw.item, "language": raw.language}
    changed: dict[str, object] = {name: kept for name, value in fields.items()
                                  if value and (kept := storable(value)) is not value}
    meta = tuple((storable(k), storable(v)) for k, v in raw.meta)
    location = text_location(raw.location)
    if meta != raw.meta:
        changed["meta"] = meta
    if not changed:
        return (raw if location == raw.location else dataclasses.replace(raw, location=location)), None
    doc = dataclasses.replace(raw, **changed, location=location)  # type: ignore[arg-type]
    return doc, Issue(Code.TEXT_CLEANED, f"removed NUL or other characters no store can hold from the "
                      f"{', '.join(changed)}", doc.location, doc.item, severity=Severity.WARNING,
                      hint="kept without them; raw_sha256 still names the original bytes")


def clean_issue(issue: Issue) -> Issue:
    """A reader's issue made storable: its location in text form, unstorable characters removed."""
    return dataclasses.replace(issue, location=text_location(issue.location), message=storable(issue.message),
                               item=None if issue.item is None else storable(issue.item), hint=storable(issue.hint))


def text_location(location: str) -> str:
    """A path as valid, reversible text (see the module docstring); URLs and ``web:`` unchanged."""
    if location.startswith(_NOT_PATHS):
        return storable(location)
    try:
        location.encode("utf-8")
    except UnicodeEncodeError:
        return _escaped(location)
    return location.replace("\\", "\\\\")


def _escaped(location: str) -> str:
    try:
        data = location.encode("utf-8", "surrogateescape")  # the file name's own bytes
    except UnicodeEncodeError:  # a surrogate that stands for no byte: its UTF-8-like encoding
        data = location.encode("utf-8", "surrogatepass")
    decoded = data.decode("utf-8", "surrogateescape").replace("\\", "\\\\")
    return _ESCAPED_BYTE.sub(lambda m: f"\\x{ord(m[0]) - 0xDC00:02x}", decoded)


def os_location(text: str) -> str:
    """The path :func:`text_location` wrote, as the operating system names it (``os.fsdecode``)."""
    if text.startswith(_NOT_PATHS):
        return text
    unescaped = _ESCAPE.sub(lambda m: "\\" if m[1] == "\\" else chr(0xDC00 + int(m[1][1:], 16)), text)
    return os.fsdecode(unescaped.encode("utf-8", "surrogateescape"))
