"""The explorer's first page read beside its daily counts (reads.events.guess_first_page): from the scope's last
date alone, taken only where that date holds the whole page; else read again from the dates the counts say hold it.
Either way the page is the one read after the counts. Guessed only where reads run beside each other (PostgreSQL);
SQLite, which reads in the process, reads the counts, then the page. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_scale_indexes import FIRST, _fill, _statements, store  # noqa: F401 (the store fixture)

import forewarn.reads as reads_module
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.query import EventQuery
from forewarn.reads import Reads
from forewarn.reads.events import EventFilter, Scope, daily_counts, guess_first_page, listing, page_dates
from forewarn.store import SqlStore


@pytest.mark.parametrize(("limit", "last_day", "taken"), [(3, 59, True), (10, 59, True), (25, 59, False),
                                                          (3, 70, False)])
def test_a_guessed_first_page_is_the_page(store: SqlStore, limit: int, last_day: int,  # noqa: F811
                                          taken: bool) -> None:
    _fill(store)  # ten events a day over 60 days
    sc = Scope(EventQuery(date_from=FIRST, date_to=FIRST + timedelta(last_day)))
    days = daily_counts(store.engine, sc)
    guessed = guess_first_page(store.engine, sc, limit)
    assert guessed is not None and (guessed.span == page_dates(days, limit, 0)) is taken
    plain = listing(store.engine, sc, days, limit, 0)
    reads = _statements(store, lambda: listing(store.engine, sc, days, limit, 0, guessed))
    assert listing(store.engine, sc, days, limit, 0, guessed) == plain and len(plain.events) == limit
    assert len(reads) == (0 if taken else 2)  # else the page and its sentences read again


def test_no_guess_without_a_last_date(store: SqlStore) -> None:  # noqa: F811
    assert guess_first_page(store.engine, Scope(EventQuery(date_from=FIRST)), 50) is None


def test_the_explorer_guesses_where_reads_run_beside_each_other(store: SqlStore,  # noqa: F811
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(store)
    guesses: list[int] = []
    guess = reads_module.guess_first_page
    monkeypatch.setattr(reads_module, "guess_first_page", lambda *args: guesses.append(1) or guess(*args))
    reads = Reads(store, Principal("admin", Role.ADMIN, PrincipalKind.USER))
    shown = EventFilter(EventQuery(date_from=FIRST, date_to=FIRST + timedelta(59)))
    first, second = reads.explore(shown, 3, 0), reads.explore(shown, 3, 3)
    assert [e.id for e in first.listed.events] == ["e00599", "e00539", "e00479"] and len(second.listed.events) == 3
    assert len(guesses) == (1 if store.dialect == "postgresql" else 0)  # the first page only
