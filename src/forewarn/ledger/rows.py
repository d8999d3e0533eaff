"""Ledger rows as stored, read without trusting their types.

Whoever can write to the database file can put anything into a ledger row: a time that is no
time, a seq that is text or a fraction, bytes that are not UTF-8, NULL where the schema says NOT
NULL. Every reader of ledger rows goes through :func:`stored_columns` and :func:`parse`, which
never raise on such a row: it comes back as a :class:`Malformed` saying what is wrong, so that
verification reports it as tampering at its place and the pages show it instead of failing.

On SQLite the columns are read as the bytes stored (``CAST(… AS BLOB)``) and decoded here; on
PostgreSQL the types hold, except a time outside what Python can represent (``infinity``, a
year past 9999), which is read as NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from forewarn.store import schema as t

MAX_SEQ = 2**63 - 1  # a numeric seq is at most this; text and blobs sort above every number in SQLite
TEXTS = ("actor", "kind", "subject", "payload", "prev_hash", "hash")
OPTIONAL = ("key_id", "signature")
SHOWN = 40  # characters of a malformed value quoted in a message


class _Stored(FunctionElement[Any]):
    """A text column as stored: on SQLite its bytes; elsewhere the column itself. Untyped: nothing
    converts the value on the way out."""

    inherit_cache = True
    name = "stored"


class _StoredSeq(FunctionElement[Any]):
    """The seq as stored: on SQLite the integer when it is one, else the bytes stored."""

    inherit_cache = True
    name = "stored_seq"


class _StoredTime(FunctionElement[Any]):
    """A time column as stored: SQLite's text bytes (NULL for a number or blob); on PostgreSQL the
    time when Python can represent it, else NULL."""

    inherit_cache = True
    name = "stored_time"


@compiles(_Stored)
@compiles(_StoredSeq)
def _stored_default(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_Stored, "sqlite")
def _stored_sqlite(element: _Stored, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


@compiles(_StoredSeq, "sqlite")
def _seq_sqlite(element: _StoredSeq, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CASE WHEN typeof({column}) = 'integer' THEN {column} ELSE CAST({column} AS BLOB) END"


@compiles(_StoredTime)
def _time_default(element: _StoredTime, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return (f"CASE WHEN {column} BETWEEN TIMESTAMPTZ '0001-01-02 00:00:00+00' AND "
            f"TIMESTAMPTZ '9999-12-30 00:00:00+00' THEN {column} END")


@compiles(_StoredTime, "sqlite")
def _time_sqlite(element: _StoredTime, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CASE WHEN typeof({column}) = 'text' THEN CAST({column} AS BLOB) END"


def stored(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A text column of any table, read as stored (decode it with :func:`as_text`)."""
    return _Stored(column).label(column.key)


def stored_time(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A time column of any table, read as stored (parse it with :func:`as_time`)."""
    return _StoredTime(column).label(column.key)


def stored_columns() -> list[ColumnElement[Any]]:
    """The ledger's columns, labelled by their names, as stored (for :func:`parse`)."""
    c = t.ledger.c
    return [_StoredSeq(c.seq).label("seq"), _StoredTime(c.at).label("at"),
            *(_Stored(c[name]).label(name) for name in (*TEXTS, *OPTIONAL))]


@dataclass(frozen=True, slots=True)
class Row:
    """A well-formed ledger row."""

    seq: int
    at: datetime
    actor: str
    kind: str
    subject: str
    payload: str
    prev_hash: str
    hash: str
    key_id: str | None
    signature: str | None


@dataclass(frozen=True, slots=True)
class Malformed:
    """A row some field of which is not of its type; each field that could be read is kept."""

    seq: int | None  # None: the stored seq is not a whole number
    found_seq: str  # the seq as stored, for messages
    problem: str  # what is wrong, in words
    at: datetime | None
    fields: dict[str, str | None]  # the text fields that decoded (actor, kind, subject, payload, hashes …)

    def text(self, name: str) -> str | None:
        return self.fields.get(name)


def parse(raw: Any) -> Row | Malformed:
    """A row read with :func:`stored_columns`, checked field by field."""
    problems: list[str] = []
    seq = _seq(raw.seq, problems)
    at = _time(raw.at, problems)
    texts = {name: _text(getattr(raw, name), name, problems, optional=name in OPTIONAL) for name in
             (*TEXTS, *OPTIONAL)}
    if problems or seq is None or at is None:
        return Malformed(seq, _shown(raw.seq), "; ".join(problems), at, texts)
    actor, kind, subject, payload, prev_hash, digest = (texts[name] or "" for name in TEXTS)
    return Row(seq, at, actor, kind, subject, payload, prev_hash, digest, texts["key_id"], texts["signature"])


def _seq(value: Any, problems: list[str]) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    problems.append(f"its seq {_shown(value)} is not a whole number")
    return None


def _time(value: Any, problems: list[str]) -> datetime | None:
    at = as_time(value)
    if value is None:  # NULL, a number or bytes in SQLite; out of Python's range in PostgreSQL
        problems.append("its time is missing or out of range")
    elif at is None:
        problems.append(f"its time {_shown(value)} is not a date and time")
    return at


def _text(value: Any, name: str, problems: list[str], *, optional: bool) -> str | None:
    if value is None:
        if not optional:
            problems.append(f"its {name} is missing (NULL)")
        return None
    text = as_text(value)
    if text is None:
        problems.append(f"its {name} {_shown(value)} is not UTF-8 text")
    return text


def as_time(value: Any) -> datetime | None:
    """A stored time (see :func:`stored_columns`) as an aware UTC datetime, or None."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        at = datetime.fromisoformat(_decode(value))
    except (ValueError, TypeError):
        return None
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def as_text(value: Any) -> str | None:
    """A stored text (see :func:`stored_columns`) as a str, or None when it is not UTF-8 text."""
    try:
        return _decode(value)
    except (ValueError, TypeError):
        return None


def _decode(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8")
    raise TypeError(f"{type(value).__name__} is not text")


def _shown(value: Any) -> str:
    """A stored value quoted for a message: text as text, bytes that are not UTF-8 in hex, cut short."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            return f"x'{data[:SHOWN // 2].hex()}'" + ("…" if len(data) > SHOWN // 2 else "")
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"
