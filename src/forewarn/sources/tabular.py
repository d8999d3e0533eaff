"""JSON Lines and CSV: one line or row, one document. Both stream: a file is never loaded whole.

Fields are found through a column map (``text=body,date=published``, see
:func:`parse_column_map`); an unmapped field takes the first present of its default names
(:data:`DEFAULTS`, matched exactly, then ignoring case). In a CSV a mapped column missing from
the header is one ``COLUMN_MISSING`` issue for the file, which then yields nothing more.

``item`` is the row's id (the ``id`` field) when it has one, else ``line N`` / ``row N``
(1-based; a CSV's header is not counted). ``raw_sha256``: for JSONL the SHA-256 of the line's
bytes without its line ending (in a UTF-16/32 file, of the line re-encoded as UTF-8); for CSV
the SHA-256 of the row's cells re-serialised as a JSON array (UTF-8), since a parsed row no
longer has its exact bytes.

The encoding is chosen from the first 64 KB (:func:`~forewarn.sources.encoding.sniff_encoding`)
and each line is decoded on its own (:class:`~forewarn.sources.files.LineReader`): a line or row
with invalid bytes is one ``UNDECODABLE`` issue and the rest of the file is read. A JSONL line,
a CSV line or a CSV row (a quoted record over several lines) longer than ``ctx.max_bytes`` is
skipped in bounded chunks with ``TOO_LARGE``; a NUL byte past the sniffed head ends the file with
``BINARY`` (the items before it are kept); a JSON line nested deeper than
:data:`~forewarn.sources.jsonload.MAX_DEPTH` is ``NESTING_TOO_DEEP``. Blank lines and rows are
skipped silently. An item whose text is empty or missing but whose title is not keeps the title
as its text (a headline-only feed item); with neither, it is ``NO_TEXT``.

A row with coordinates is a structured observation (:mod:`forewarn.sources.observed`): its checked
fields travel in the document's meta, and a bad value refuses the row with its own coded issue.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from forewarn.errors import Code, Issue, ItemError
from forewarn.model.document import RawDocument
from forewarn.sources import observed, presets
from forewarn.sources.base import ReadContext, ReadItem, os_issue
from forewarn.sources.dates import DateOutcome, resolve_date
from forewarn.sources.files import FileReader, LineReader, sha256_hex
from forewarn.sources.html import headed, markup_to_text
from forewarn.sources.jsonload import loads

DOCUMENT_FIELDS = ("text", "title", "date", "url", "id", "language", "author")
FIELDS = DOCUMENT_FIELDS + observed.FIELDS
DEFAULTS: Mapping[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "message"),
    "title": ("title", "headline"),
    "date": ("date", "published", "published_at", "pubDate", "created_at"),
    "url": ("url", "link"),
    "id": ("id",),
    "language": ("language", "lang"),
    "author": ("author",),
    **observed.DEFAULTS,
}
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})  # GDELT's ``.export.CSV`` too: suffixes are compared in lower case
_DELIMITERS = (",", ";", "\t", "|")
_MAP_HINT = "write the map as field=column pairs separated by commas, e.g. text=body,date=published"


def parse_column_map(spec: str) -> dict[str, str]:
    """Parse ``text=body,date=published`` into ``{"text": "body", "date": "published"}``.

    Field names are case-insensitive; column names are kept as written. Raises
    ``ItemError(MAPPING_INVALID)`` for a piece without ``=``, an unknown field, an empty column,
    a field given twice, or an empty map.
    """
    mapping: dict[str, str] = {}
    for piece in (p for p in spec.split(",") if p.strip()):
        field, sep, column = piece.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not field or not column:
            raise _bad_map(f"{piece.strip()!r} is not field=column")
        if field not in FIELDS:
            raise _bad_map(f"unknown field {field!r} (known fields: {', '.join(FIELDS)})")
        if field in mapping:
            raise _bad_map(f"field {field!r} is mapped twice")
        mapping[field] = column
    if not mapping:
        raise _bad_map("the column map is empty")
    return mapping


def _bad_map(message: str) -> ItemError:
    return ItemError(Code.MAPPING_INVALID, f"invalid column map: {message}", hint=_MAP_HINT)


def defaults(options: Mapping[str, str]) -> Mapping[str, tuple[str, ...]]:
    """Each field's default column names: :data:`DEFAULTS`, after ACLED's with ``--option types=acled``."""
    if not observed.acled(options):
        return DEFAULTS
    return {f: observed.ACLED_COLUMNS.get(f, ()) + DEFAULTS.get(f, ()) for f in FIELDS}


def pick(keys: Mapping[str, Any] | Sequence[str], field: str, column_map: Mapping[str, str],
         names: Mapping[str, tuple[str, ...]] = DEFAULTS) -> str | None:
    """The column (or JSON key) that holds ``field``: the mapped one, else the first default
    present (``names``); exact names first, then ignoring case. None when there is none."""
    wanted = (column_map[field],) if field in column_map else names.get(field, ())
    for name in wanted:
        if name in keys:
            return name
    folded = _lowered(tuple(keys))
    for name in wanted:
        if name.lower() in folded:
            return str(folded[name.lower()])
    return None


@functools.lru_cache(maxsize=64)
def _lowered(keys: tuple[Any, ...]) -> dict[str, Any]:
    """Each key by its lower-case form (the keys of a file's rows are mostly the same few: kept, not rebuilt
    for every field of every row)."""
    return {str(key).lower(): key for key in keys}


def open_lines(path: Path, limit: int | None = None) -> LineReader | Issue:
    try:
        return LineReader(path, limit)
    except ItemError as err:
        return err.issue(str(path))
    except OSError as err:
        return os_issue(err, str(path))


def _text_value(value: Any) -> str | None:
    """A field's value as text, or None when it is missing or not a scalar."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value).strip() or None


class _Row:
    """The fields of one line or row, and how to turn them into a document."""

    __slots__ = ("columns", "fields", "item", "location", "raw_sha256", "text_name")

    def __init__(self, fields: dict[str, Any], item: str, location: str, raw_sha256: str,
                 text_name: str, columns: Mapping[str, str]) -> None:
        self.fields = fields
        self.item = item
        self.location = location
        self.raw_sha256 = raw_sha256
        self.text_name = text_name  # the column or key the text was looked for in
        self.columns = columns  # field -> the column or key it was read from

    def items(self, reader: str, ctx: ReadContext, meta: tuple[tuple[str, str], ...]) -> Iterator[ReadItem]:
        get = self.fields.get
        title, body = _plain(get("title")), _plain(get("text"))
        text = headed(title, body) if body is not None else title if _blank(get("text")) else None
        if text is None:  # a headline-only item has its title as text
            yield self._no_text()
            return
        date = resolve_date(_date_value(get("date")), ctx.now, self.location, self.item)
        found = self._observation(ctx, date)
        if isinstance(found, Issue):
            yield found
            return
        author = _text_value(get("author"))
        yield RawDocument(text=text, location=self.location, reader=reader, raw_sha256=self.raw_sha256,
                          item=self.item, title=title, url=_text_value(get("url")),
                          published_at=date.published_at, published_precision=date.precision,
                          language=_text_value(get("language")),
                          meta=meta + ((("author", author),) if author else ()) + date.meta + found)
        if date.issue is not None:
            yield date.issue

    def _observation(self, ctx: ReadContext, date: DateOutcome) -> tuple[tuple[str, str], ...] | Issue:
        """The row's observation as meta entries (none for a row without coordinates), or why it is refused."""
        if not observed.structured(self.fields):
            return ()
        found = observed.observation(self.fields, self.columns, ctx.options, self.location, self.item)
        if isinstance(found, Issue):
            return found
        size = observed.size(self.fields, self.columns, self.location, self.item)
        if isinstance(size, Issue):
            return size
        if date.published_at is None:
            why = date.issue.message if date.issue is not None else f"no date ({self.columns.get('date', 'date')})"
            return Issue(Code.OBSERVATION_UNDATED, f"a row with coordinates needs its date: {why}", self.location,
                         self.item, hint="give the day of the observation (ISO 8601, e.g. 2022-02-20), or map the "
                         "date column with --map date=<column>; the other rows were read")
        return found.meta() + size

    def _no_text(self) -> Issue:
        value = self.fields.get("text")
        what = f"is a JSON {type(value).__name__}, not text" if isinstance(value, dict | list | bool) \
            else "is empty or missing, and so is the title"
        return Issue(Code.NO_TEXT, f"the text ({self.text_name}) {what}", self.location, self.item,
                     hint="fill the text, or map the right column with --map text=<column>")


def _plain(value: Any) -> str | None:
    """A text field's value as plain text (HTML, as feed archives keep descriptions, made text)."""
    text = _text_value(value)
    return markup_to_text(text) or None if text is not None else None


def _blank(value: Any) -> bool:
    """Whether a text field is missing or empty (rather than holding something that is not text)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _date_value(value: Any) -> str | int | float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _text_value(value)


class JsonlReader(FileReader):
    name = "jsonl"
    suffixes = JSONL_SUFFIXES

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        lines = open_lines(path, ctx.max_bytes)
        if isinstance(lines, Issue):
            yield lines
            return
        with lines:
            yield from _guarded(self._lines(lines, str(path), ctx), lines, str(path))

    def _lines(self, lines: LineReader, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
        meta = (("encoding", lines.encoding),)
        names = defaults(ctx.options)
        for number, line in enumerate(lines, start=1):
            problem = _line_problem(lines, location, f"line {number}", ctx.max_bytes)
            if problem is not None:
                yield problem
            elif line.strip():
                parsed = _json_row(line, number, location, lines.raw_line(line), ctx.column_map, names)
                yield from [parsed] if isinstance(parsed, Issue) else parsed.items(self.name, ctx, meta)


def _line_problem(lines: LineReader, location: str, item: str, limit: int) -> Issue | None:
    if lines.take_too_long():
        return Issue(Code.TOO_LARGE, f"the line is longer than {limit} bytes", location, item,
                     hint="raise --max-bytes, or shorten the line")
    error = lines.take_error()
    if error is not None:
        return Issue(Code.UNDECODABLE, f"invalid {lines.encoding} bytes ({error.reason})", location, item,
                     hint="re-save the file as UTF-8; the other lines were read")
    return None


def _json_row(line: str, number: int, location: str, raw: bytes, column_map: Mapping[str, str],
              names: Mapping[str, tuple[str, ...]]) -> _Row | Issue:
    item = f"line {number}"
    try:
        value = loads(line)
    except ItemError as err:
        return err.issue(location, item)
    except json.JSONDecodeError as err:
        return Issue(Code.JSON_INVALID, f"not valid JSON: {err.msg} at column {err.colno}", location, item,
                     hint="fix or remove the line; the other lines were read")
    if not isinstance(value, dict):
        return Issue(Code.JSON_INVALID, f"the line is a JSON {type(value).__name__}, not an object",
                     location, item, hint="each line must be one JSON object, e.g. {\"text\": \"…\"}")
    keys = {field: key for field in FIELDS if (key := pick(value, field, column_map, names)) is not None}
    fields = {field: value[key] for field, key in keys.items()}
    row_id = _text_value(fields.get("id"))
    text_name = keys.get("text") or column_map.get("text") or "/".join(names["text"])
    return _Row(fields, row_id or item, location, sha256_hex(raw), text_name, keys)


def _undecodable(err: UnicodeDecodeError, encoding: str, location: str) -> Issue:
    return Issue(Code.UNDECODABLE, f"the file stops being valid {encoding} further on ({err.reason}); "
                 "reading stopped there", location, hint="re-save the whole file as UTF-8")


class CsvReader(FileReader):
    name = "csv"
    suffixes = CSV_SUFFIXES

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        lines = open_lines(path, ctx.max_bytes)
        if isinstance(lines, Issue):
            yield lines
            return
        csv.field_size_limit(max(csv.field_size_limit(), ctx.max_bytes))
        unknown = presets.check(ctx.options, str(path))
        rows = self._gdelt_rows if presets.preset(ctx.options) == presets.GDELT else self._rows
        with lines:
            yield from [unknown] if unknown else _guarded(rows(lines, str(path), ctx), lines, str(path))

    def _gdelt_rows(self, lines: LineReader, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
        """A GDELT 2.0 event file: tab-separated, no header, 61 columns (:mod:`forewarn.sources.presets`)."""
        columns = csv_columns(list(presets.GDELT_COLUMNS), ctx.column_map, location, presets.GDELT_FIELDS,
                              needs_text=False)
        if isinstance(columns, Issue):
            yield columns
            return
        names = {field: presets.GDELT_COLUMNS[index] for field, index in columns.items()}
        for number, line in enumerate(lines, start=1):
            problem = _line_problem(lines, location, f"row {number}", ctx.max_bytes)
            if problem is not None:
                yield problem
            elif line.strip():
                yield from _gdelt_row(line, number, location, columns, names).items(
                    self.name, ctx, (("encoding", lines.encoding), ("preset", presets.GDELT)))

    def _rows(self, lines: LineReader, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
        budget = _RowBudget(iter(lines), ctx.max_bytes)
        rows = csv.reader(budget, delimiter=_delimiter(lines.first_line))
        header = _header(rows, location, ctx.max_bytes)
        if isinstance(header, Issue):
            yield header
            return
        columns = csv_columns(header, ctx.column_map, location, defaults(ctx.options))
        if isinstance(columns, Issue):
            yield columns
            return
        meta = (("encoding", lines.encoding),)
        lines.take_error()  # a bad header byte shows in the column names, not in the rows
        for number, row in enumerate(_csv_rows(rows, budget), start=1):
            problem = _row_problem(row, lines, location, f"row {number}", ctx.max_bytes)
            if problem is not None:
                yield problem
            elif isinstance(row, list) and any(row):
                yield from _csv_row(row, number, columns, location, header).items(self.name, ctx, meta)


def _row_problem(row: list[str] | Exception, lines: LineReader, location: str, item: str,
                 limit: int) -> Issue | None:
    error = lines.take_error()
    if lines.take_too_long() or isinstance(row, _RowTooLarge):
        return Issue(Code.TOO_LARGE, f"the row (or one of its lines) is longer than {limit} bytes", location,
                     item, hint="raise --max-bytes, or shorten the row; the other rows were read")
    if isinstance(row, csv.Error):
        return Issue(Code.READ_FAILED, f"broken CSV row: {row}", location, item,
                     hint="fix that row (quoting, size); the other rows were read")
    if error is not None:
        return Issue(Code.UNDECODABLE, f"invalid {lines.encoding} bytes ({error.reason})", location, item,
                     hint="re-save the file as UTF-8; the other rows were read")
    return None


def _header(rows: Iterator[list[str]], location: str, limit: int) -> list[str] | Issue:
    try:
        return [name.strip() for name in next(rows, [])]
    except (csv.Error, _RowTooLarge) as err:
        reason = f"longer than {limit} bytes" if isinstance(err, _RowTooLarge) else str(err)
        return Issue(Code.READ_FAILED, f"the header row cannot be read ({reason})", location,
                     hint="check that the file is a CSV file with one header row of column names")


def _delimiter(first_line: str) -> str:
    """The delimiter most used in the header line (comma when none is)."""
    counts = {sep: first_line.count(sep) for sep in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def csv_columns(header: list[str], column_map: Mapping[str, str], location: str,
                names: Mapping[str, tuple[str, ...]] = DEFAULTS, *, needs_text: bool = True) -> dict[str, int] | Issue:
    """Field -> column index; an Issue when a mapped column (or, with ``needs_text``, any text column) is
    absent."""
    if not any(header):
        return Issue(Code.EMPTY, "the CSV file has no header row", location,
                     hint="add a header row naming the columns (text, title, date …)")
    columns: dict[str, int] = {}
    for field in FIELDS:
        name = pick(header, field, column_map, names)
        if name is not None:
            columns[field] = header.index(name)
        elif field in column_map or (field == "text" and needs_text):
            return _column_missing(field, column_map, header, location, names)
    return columns


def _column_missing(field: str, column_map: Mapping[str, str], header: list[str], location: str,
                    names: Mapping[str, tuple[str, ...]]) -> Issue:
    available = ", ".join(repr(name) for name in header)
    if field in column_map:
        what = f"column {column_map[field]!r} (mapped to {field}) is not in the header"
    else:
        what = f"no text column: none of {', '.join(names['text'])} is in the header"
    return Issue(Code.COLUMN_MISSING, f"{what}; available columns: {available}", location,
                 hint=f"map the right column with --map {field}=<column>")


class _RowTooLarge(Exception):
    """One CSV row (a record of several lines, in quotes) grew past the size limit."""


class _RowBudget:
    """The lines of a CSV file for the csv module, with a size budget per row: a row that grows
    past ``limit`` characters raises :class:`_RowTooLarge`, after the rest of its record is skipped
    (while its quote marks are unbalanced, a quoted field, and so the record, goes on), so that
    none of its lines is read as a row of its own. :meth:`start_row` starts a row's budget afresh
    (the header's lines do not count against the first row)."""

    def __init__(self, lines: Iterator[str], limit: int) -> None:
        self.lines = lines
        self.limit = limit
        self.used = 0
        self.quotes = 0  # quote marks in the row so far: odd inside a quoted field

    def __iter__(self) -> _RowBudget:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.used += len(line)
        self.quotes += line.count('"')
        if self.used > self.limit:
            self._skip_record()
            raise _RowTooLarge
        return line

    def start_row(self) -> None:
        """The next line read begins a new row, with the whole budget."""
        self.used = self.quotes = 0

    def _skip_record(self) -> None:
        while self.quotes % 2:
            line = next(self.lines, None)
            if line is None:
                return
            self.quotes += line.count('"')


def _csv_rows(rows: Iterator[list[str]], budget: _RowBudget) -> Iterator[list[str] | Exception]:
    """The rows, with the error in place of a row the csv module (or the budget) refused."""
    while True:
        budget.start_row()
        try:
            row = next(rows)
        except StopIteration:
            return
        except (csv.Error, _RowTooLarge) as err:
            yield err
            continue
        yield row


def _guarded(items: Iterator[ReadItem], lines: LineReader, location: str) -> Iterator[ReadItem]:
    """``items``, ended by an issue when the file stops being readable part-way (undecodable or
    binary bytes, a read error): the items before it are kept."""
    try:
        yield from items
    except UnicodeDecodeError as err:
        yield _undecodable(err, lines.encoding, location)
    except ItemError as err:
        yield err.issue(location)
    except OSError as err:
        yield os_issue(err, location)


def _csv_row(row: list[str], number: int, columns: Mapping[str, int], location: str,
             header: list[str]) -> _Row:
    size = len(row)
    fields = {field: row[index] for field, index in columns.items() if index < size}
    row_id = _text_value(fields.get("id"))
    raw = json.dumps(row, ensure_ascii=False).encode("utf-8")
    names = {field: header[index] for field, index in columns.items()}
    return _Row(fields, row_id or f"row {number}", location, sha256_hex(raw), header[columns["text"]], names)


class _GdeltRow(_Row):
    """A GDELT row: its text is built from its fields; a row of the wrong width is one issue."""

    __slots__ = ("cells",)

    def __init__(self, cells: list[str], fields: dict[str, Any], item: str, location: str, raw_sha256: str,
                 columns: Mapping[str, str]) -> None:
        super().__init__(fields, item, location, raw_sha256, "(built from the row's fields)", columns)
        self.cells = cells

    def items(self, reader: str, ctx: ReadContext, meta: tuple[tuple[str, str], ...]) -> Iterator[ReadItem]:
        if len(self.cells) != len(presets.GDELT_COLUMNS):
            yield Issue(Code.READ_FAILED, f"a GDELT 2.0 event row has {len(presets.GDELT_COLUMNS)} tab-separated "
                        f"columns; this one has {len(self.cells)}", self.location, self.item,
                        hint="read GDELT 2.0 event export files (*.export.CSV) with --option preset=gdelt; "
                        "the other rows were read")
            return
        yield from super().items(reader, ctx, meta + presets.gdelt_meta(self.cells))


def _gdelt_row(line: str, number: int, location: str, columns: Mapping[str, int],
               names: Mapping[str, str]) -> _Row:
    cells = line.rstrip("\r\n").split("\t")
    fields = presets.gdelt_fields(cells, columns) if len(cells) == len(presets.GDELT_COLUMNS) else {}
    item = _text_value(fields.get("id")) or f"row {number}"
    raw = sha256_hex(line.rstrip("\r\n").encode("utf-8"))
    return _GdeltRow(cells, fields, item, location, raw, {f: c for f, c in names.items() if f in fields})
