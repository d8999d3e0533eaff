"""Rendering helpers: Rich tables for people, JSON for scripts.

Every ``--json`` output goes through :func:`to_jsonable`, which turns any value into JSON:
dataclasses into objects, enums into their values, dates and times into ISO 8601 strings,
**durations (timedelta) into seconds** (a number), paths and other objects into strings, non-finite
numbers into null, pydantic models (the API's items) into what the API sends.

A list prints one page envelope, the API's: ``{"items": [...], "total": n, "limit": n, "offset": n,
"next": "50" | null}`` (:func:`print_page`); on the command line ``next`` is the value to give
``--offset`` (or ``--cursor``) for the next page, null on the last.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from rich.console import Console

from forewarn.model.document import format_dated
from forewarn.model.records import StoredParticipant

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


def to_jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump") and not isinstance(value, type):  # a pydantic model: as the API sends it
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return _scalar(value)


def _scalar(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, bytes):
        return value.hex()
    return str(value)  # a path, a UUID, a Decimal …: its text


def print_json(value: Any) -> None:
    # plain print: Rich would wrap long lines and break the JSON
    print(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))


def page(items: Sequence[Any], *, total: int | None, limit: int, offset: int = 0, **extra: Any) -> dict[str, Any]:
    """The API's page envelope around ``items`` (``extra`` fields after it); ``next`` is the next
    page's ``--offset`` while there are more, else None."""
    more = offset + len(items) < total if total is not None else len(items) == limit
    return {"items": list(items), "total": total, "limit": limit, "offset": offset,
            "next": str(offset + limit) if more and items else None, **extra}


def print_page(items: Sequence[Any], *, total: int | None, limit: int, offset: int = 0, **extra: Any) -> None:
    """Print a list as the API's page envelope (see :func:`page`)."""
    print_json(page(items, total=total, limit=limit, offset=offset, **extra))


def print_all(items: Sequence[Any], **extra: Any) -> None:
    """Print a whole (unpaged) list in the page envelope: every item, so ``next`` is null."""
    print_page(items, total=len(items), limit=max(len(items), 1), **extra)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def dated(value: date | None, precision: str | None) -> str:
    """A date shown to its precision ("2024", "2024-08", "2024-08-06", "2024-08-06 10:15")."""
    return format_dated(value, precision)


def short(text: str | None, width: int = 70) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def who(p: StoredParticipant | None, country: bool = False) -> str:
    """An actor, recipient or speaker by name, "(inferred)" when no one was named, and its country if asked."""
    if p is None:
        return "—"
    return p.name + (" (inferred)" if p.inferred else "") + (f" ({p.country})" if country and p.country else "")
