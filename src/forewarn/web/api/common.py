"""What every API endpoint shares: the page envelope and its query parameters."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel

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
