"""The explorer's first page read beside its daily counts on PostgreSQL (reads.events.guess_first_page): from the
scope's last date alone, taken only where that date holds the whole page; else read again from the dates the counts
say hold it. Either way the page is the one read after the counts. SQLite, which reads in the process, guesses not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_scale_indexes import FIRST, _fill, _statements, store  # noqa: F401 (the store fixture)

from forewarn.model.query import EventQuery
from forewarn.reads.events import Scope, daily_counts, guess_first_page, listing, page_dates
from forewarn.store import SqlStore


@pytest.mark.parametrize(("limit", "last_day", "taken"), [(3, 59, True), (10, 59, True), (25, 59, False),
                                                          (3, 70, False)])
def test_a_guessed_first_page_is_the_page(store: SqlStore, limit: int, last_day: int,  # noqa: F811
                                          taken: bool) -> None:
    _fill(store)  # ten events a day over 60 days
    sc = Scope(EventQuery(date_from=FIRST, date_to=FIRST + timedelta(last_day)))
    days = daily_counts(store.engine, sc)
    guessed = guess_first_page(store.engine, sc, limit)
    if store.dialect == "sqlite":
        assert guessed is None
        return
    assert guessed is not None and (guessed.span == page_dates(days, limit, 0)) is taken
    plain = listing(store.engine, sc, days, limit, 0)
    reads = _statements(store, lambda: listing(store.engine, sc, days, limit, 0, guessed))
    assert listing(store.engine, sc, days, limit, 0, guessed) == plain and len(plain.events) == limit
    assert len(reads) == (0 if taken else 2)  # else the page and its sentences read again


def test_no_guess_without_a_last_date(store: SqlStore) -> None:  # noqa: F811
    assert guess_first_page(store.engine, Scope(EventQuery(date_from=FIRST)), 50) is None
