"""A page of a list and the size of the whole list: what the list views of the read services return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of ``items`` and how many there are in all."""

    items: tuple[T, ...]
    total: int
