"""The short facts about the evidence signals and warnings cite: a stored document's title, source
and publication time, an event's document, type and date — read by id (on PostgreSQL all the ids in one array
parameter, elsewhere a few hundred to a query), never the documents' text or any row beyond those asked for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from forewarn.store import schema as t
from forewarn.store.core import among


@dataclass(frozen=True, slots=True)
class DocumentBrief:
    id: str
    title: str | None
    source_id: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventBrief:
    id: str
    document_id: str
    type: str
    date: date


def documents_brief(conn: Connection, ids: Iterable[str]) -> dict[str, DocumentBrief]:
    """Title, source and publication time of the stored documents among ``ids`` (not their text)."""
    d = t.documents.c
    rows = _by_id(conn, [d.id, d.title, d.source_id, d.published_at], ids)
    return {r.id: DocumentBrief(r.id, r.title, r.source_id, r.published_at) for r in rows}


def events_brief(conn: Connection, ids: Iterable[str]) -> dict[str, EventBrief]:
    """Document, type and date of the stored events among ``ids``."""
    e = t.events.c
    rows = _by_id(conn, [e.id, e.document_id, e.type, e.date], ids)
    return {r.id: EventBrief(r.id, r.document_id, r.type, r.date) for r in rows}


def _by_id(conn: Connection, columns: list[Any], ids: Iterable[str]) -> list[Row[Any]]:
    """The rows whose id (the first column) is among ``ids`` (:func:`forewarn.store.core.among`)."""
    wanted = sorted(set(ids))
    return [r for where in among(conn, columns[0], wanted) for r in conn.execute(select(*columns).where(where))]
