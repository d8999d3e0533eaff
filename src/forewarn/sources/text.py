"""Plain text and Markdown files: one file, one document.

A file may start with a header block that the reader strips from the text:

* plain text: ``Key: value`` lines (keys, case-insensitive: Title, Date, URL, Author, Source,
  Language) ended by a blank line. Only a block made entirely of known keys counts, so prose
  that happens to start with "Note: …" stays text.
* Markdown: ``---`` front matter with simple ``key: value`` lines (same keys; other keys are
  kept in meta as ``("fm:<key>", value)``; list and nested YAML lines are ignored).

Without a Title key, a Markdown file's leading ``# heading`` is the title; the heading stays in
the text (nothing is lost, and a headline often carries the event). ``raw_sha256`` is the
SHA-256 of the whole file's bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from forewarn.errors import Code, Issue, ItemError
from forewarn.model.document import RawDocument
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.dates import resolve_date
from forewarn.sources.encoding import decode_bytes
from forewarn.sources.files import FileReader, load, sha256_hex

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HEADER_KEYS = frozenset({"title", "date", "url", "author", "source", "language"})
MAX_HEADER_LINES = 60
_FIELD = re.compile(r"([A-Za-z][\w-]*)\s*:\s*(.*?)\s*")
_HEADING = re.compile(r"#\s+(.+?)(?:\s+#+)?\s*")


class TextReader(FileReader):
    name = "text"
    suffixes = TEXT_SUFFIXES

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        data = load(path, ctx.max_bytes)
        if isinstance(data, Issue):
            yield data
            return
        try:
            text, encoding = decode_bytes(data)
        except ItemError as err:
            yield err.issue(str(path))
            return
        markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
        yield from _document(text, markdown, sha256_hex(data), str(path), ctx, (("encoding", encoding),))


def _document(text: str, markdown: bool, digest: str, location: str, ctx: ReadContext,
              meta: tuple[tuple[str, str], ...]) -> Iterator[ReadItem]:
    fields, extra, body = split_header(text, markdown)
    body = body.strip()
    if not body:
        yield Issue(Code.NO_TEXT, "the file has a header but no text after it", location,
                    hint="add the report's text below the header, or remove the file")
        return
    title = fields.get("title") or (markdown_title(body) if markdown else None)
    date = resolve_date(fields.get("date"), ctx.now, location)
    meta += tuple((key, fields[key]) for key in ("author", "source") if fields.get(key))
    yield RawDocument(text=body, location=location, reader="text", raw_sha256=digest, title=title,
                      url=fields.get("url") or None, published_at=date.published_at,
                      published_precision=date.precision, language=fields.get("language") or None,
                      meta=meta + extra + date.meta)
    if date.issue is not None:
        yield date.issue


def split_header(text: str, markdown: bool) -> tuple[dict[str, str], tuple[tuple[str, str], ...], str]:
    """Return ``(known fields, other front-matter fields, text without the header)``."""
    if markdown and _first_line(text).strip() == "---":
        front = _front_matter(text)
        if front is not None:
            return front
    return _key_value_header(text)


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _lines(text: str) -> Iterator[tuple[str, int]]:
    """The first lines of ``text`` with the offset just after each."""
    start = 0
    for _ in range(MAX_HEADER_LINES):
        end = text.find("\n", start)
        if end < 0:
            return
        yield text[start:end].rstrip("\r"), end + 1
        start = end + 1


def _key_value_header(text: str) -> tuple[dict[str, str], tuple[tuple[str, str], ...], str]:
    fields: dict[str, str] = {}
    for line, after in _lines(text):
        if not line.strip():
            return (fields, (), text[after:]) if fields else ({}, (), text)
        match = _FIELD.fullmatch(line)
        if match is None or match[1].lower() not in HEADER_KEYS:
            break
        fields[match[1].lower()] = match[2]
    return {}, (), text


def _front_matter(text: str) -> tuple[dict[str, str], tuple[tuple[str, str], ...], str] | None:
    fields: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    for index, (line, after) in enumerate(_lines(text)):
        if index and line.strip() in ("---", "..."):
            return fields, tuple(extra), text[after:]
        match = _FIELD.fullmatch(line) if index else None
        if match is None or not match[2]:
            continue
        key, value = match[1].lower(), _unquote(match[2])
        if key in HEADER_KEYS:
            fields[key] = value
        else:
            extra.append((f"fm:{key}", value))
    return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def markdown_title(body: str) -> str | None:
    """The text of a leading ``# heading``, if the first non-blank line is one."""
    for line in body.lstrip().split("\n", 1)[:1]:
        match = _HEADING.fullmatch(line.rstrip("\r"))
        if match:
            return match[1]
    return None
