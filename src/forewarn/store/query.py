"""Filters for listing documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DocumentQuery:
    source_id: str | None = None
    run_id: int | None = None
    cluster_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None  # case-insensitive substring of title or text
    limit: int = 50
    offset: int = 0
