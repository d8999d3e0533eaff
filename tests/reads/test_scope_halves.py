"""A scope's dates in two halves (a long read of the explorer or the map read side by side): each date once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from forewarn.model.query import EventQuery
from forewarn.reads.events import Scope

FIRST = date(2024, 2, 27)  # a leap day within


@pytest.mark.parametrize("days", [1, 2, 3, 30, 31, 366])
def test_the_halves_hold_each_date_once(days: int) -> None:
    sc = Scope(EventQuery(types=("ASSAULT",), date_from=FIRST, date_to=FIRST + timedelta(days - 1)))
    parts = sc.halves()
    covered = [p.query.date_from + timedelta(i) for p in parts  # type: ignore[operator]
               for i in range((p.query.date_to - p.query.date_from).days + 1)]  # type: ignore[operator]
    assert covered == [FIRST + timedelta(i) for i in range(days)]
    assert len(parts) == (1 if days == 1 else 2) and abs(len(covered) - 2 * _span(parts[0])) <= 1
    assert all(p.query.types == ("ASSAULT",) for p in parts)


def _span(sc: Scope) -> int:
    return (sc.query.date_to - sc.query.date_from).days + 1  # type: ignore[operator]


def test_a_scope_without_a_range_of_dates_is_one_part() -> None:
    for q in (EventQuery(), EventQuery(date_from=FIRST), EventQuery(date_to=FIRST)):
        assert Scope(q).halves() == (Scope(q),)
