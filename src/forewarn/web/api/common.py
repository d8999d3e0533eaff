"""What every API endpoint shares: the page envelope and its query parameters, and the check that
the query names only parameters the operation knows, none of them blank."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel

from forewarn.errors import Code, InvalidArgument
from forewarn.web.openapi import dependencies

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int | None  # all matches, not only this page (None where counting is not offered)
    limit: int
    offset: int
    next: str | None  # URL of the next page, null on the last


class Paging:
    """``limit`` (1–500, default 50) and ``offset`` query parameters, and the page they give."""

    def __init__(self, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = 50,
                 offset: Annotated[int, Query(ge=0, le=10**9, description="items to skip")] = 0) -> None:
        self.limit, self.offset = limit, offset

    def page(self, request: Request, items: list[T], total: int | None) -> Page[T]:
        more = (self.offset + len(items) < total) if total is not None else len(items) == self.limit
        nxt = str(request.url.include_query_params(offset=self.offset + self.limit)) if more and items else None
        return Page[T](items=items, total=total, limit=self.limit, offset=self.offset, next=nxt)


def known_query(request: Request) -> None:
    """Refuse (422) a query parameter the operation does not declare — a misspelt filter would
    otherwise be ignored and the answer silently unfiltered — and a blank value, which filters by
    nothing (leave the parameter out instead). Runs before every API operation."""
    if not request.query_params:  # most calls: nothing to check
        return
    known_names(request)
    blank = sorted({name for name, value in request.query_params.multi_items() if not value.strip()})
    if blank:
        raise InvalidArgument(f"blank query parameter{'s' * (len(blank) > 1)}: {', '.join(blank)}",
                              hint="give each a value, or leave it out to not filter by it")


def known_names(request: Request) -> None:
    """Refuse (422, FW-E106) a query parameter the route does not declare, naming it (with the name
    meant, where one is close) and listing the known ones. Pages run it too (their blank form fields
    are absent filters, so blanks pass)."""
    dependant: Dependant | None = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = {field.alias for d in dependencies(dependant) for field in d.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InvalidArgument(
            f"unknown query parameter{'s' * (len(unknown) > 1)}: {', '.join(unknown)}{meant(unknown, known)}",
            code=Code.UNKNOWN_PARAMETER, hint=f"this {_what(request)} knows: {', '.join(sorted(known))}" if known
            else f"this {_what(request)} takes no query parameters")


def meant(unknown: list[str], known: set[str]) -> str:
    """" (say from instead of date_from)" for the names that have a close known one: spelt with
    underscores, or as they were called before they were named as the command line's options."""
    guesses = [f"{guess} instead of {name}" for name in unknown if (guess := _close(name, known))]
    return f" (say {', '.join(guesses)})" if guesses else ""


RENAMED = {"date_from": "from", "date_to": "to", "q": "search", "order": "oldest-first", "since_date": "since"}


def _close(name: str, known: set[str]) -> str | None:
    for guess in (name.replace("_", "-"), RENAMED.get(name, ""), name.removeprefix("date-").removeprefix("date_")):
        if guess and guess != name and guess in known:
            return guess
    close = get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def _what(request: Request) -> str:
    return "operation" if request.url.path.startswith("/api/") else "page"
