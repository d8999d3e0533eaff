"""What every API endpoint shares: the page envelope and its query parameters, and the check that
the query names only parameters the operation knows, none of them blank."""

from __future__ import annotations

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
    dependant: Dependant | None = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not request.query_params:  # most calls: nothing to check
        return
    known = {field.alias for d in dependencies(dependant) for field in d.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InvalidArgument(
            f"unknown query parameter{'s' * (len(unknown) > 1)}: {', '.join(unknown)}", code=Code.UNKNOWN_PARAMETER,
            hint=f"this operation knows: {', '.join(sorted(known))}" if known
            else "this operation takes no query parameters")
    blank = sorted({name for name, value in request.query_params.multi_items() if not value.strip()})
    if blank:
        raise InvalidArgument(f"blank query parameter{'s' * (len(blank) > 1)}: {', '.join(blank)}",
                              hint="give each a value, or leave it out to not filter by it")
