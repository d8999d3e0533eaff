"""parse_date, check_not_future and the readers' date policy (resolve_date)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from reader_helpers import NOW

from forewarn.errors import Code, ItemError, Severity
from forewarn.model.document import DatePrecision
from forewarn.sources import dates
from forewarn.sources.dates import check_not_future, parse_date, resolve_date

S, D, M, Y = DatePrecision.SECOND, DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR


@pytest.mark.parametrize(("value", "expected", "precision"), [
    ("2024-08-06", datetime(2024, 8, 6, tzinfo=UTC), D),
    ("2024-08-06T10:15:00Z", datetime(2024, 8, 6, 10, 15, tzinfo=UTC), S),
    ("2024-08-06T10:15:00+03:00", datetime(2024, 8, 6, 7, 15, tzinfo=UTC), S),
    ("2024-08-06 10:15:00", datetime(2024, 8, 6, 10, 15, tzinfo=UTC), S),
    ("2024-08", datetime(2024, 8, 1, tzinfo=UTC), M),
    ("Tue, 06 Aug 2024 10:00:00 GMT", datetime(2024, 8, 6, 10, tzinfo=UTC), S),
    ("Tue, 06 Aug 2024 10:00:00 +0200", datetime(2024, 8, 6, 8, tzinfo=UTC), S),
    ("6 August 2024", datetime(2024, 8, 6, tzinfo=UTC), D),
    ("Aug. 6, 2024", datetime(2024, 8, 6, tzinfo=UTC), D),
    ("August 6th, 2024", datetime(2024, 8, 6, tzinfo=UTC), D),
    ("August 2024", datetime(2024, 8, 1, tzinfo=UTC), M),
    ("2024", datetime(2024, 1, 1, tzinfo=UTC), Y),
    (1722939300, datetime(2024, 8, 6, 10, 15, tzinfo=UTC), S),
    ("1722939300", datetime(2024, 8, 6, 10, 15, tzinfo=UTC), S),
    (1722939300000, datetime(2024, 8, 6, 10, 15, tzinfo=UTC), S),
])
def test_fast_paths(value: str | int, expected: datetime, precision: DatePrecision,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "_fallback", _no_dateparser)
    assert parse_date(value) == (expected, precision)


def _no_dateparser(text: str) -> None:
    raise AssertionError(f"{text!r} should not need dateparser")


@pytest.mark.parametrize(("value", "expected", "precision"), [
    ("6 августа 2024 г.", datetime(2024, 8, 6, tzinfo=UTC), D),
    ("12 серпня 2024 10:15", datetime(2024, 8, 12, 10, 15, tzinfo=UTC), S),
    ("Tuesday, 6 August 2024", datetime(2024, 8, 6, tzinfo=UTC), D),
    ("août 2024", datetime(2024, 8, 1, tzinfo=UTC), M),
])
def test_dateparser_fallback(value: str, expected: datetime, precision: DatePrecision) -> None:
    assert parse_date(value) == (expected, precision)


@pytest.mark.parametrize("value", ["banana", "yesterday", "next week", "in 2 days", "5 pm", "12345",
                                   "2024-13-45", "31 February 2024", "", "x" * 500, True])
def test_garbage_and_clock_relative_values_are_unparseable(value: str | bool) -> None:
    with pytest.raises(ItemError) as caught:
        parse_date(value)
    assert caught.value.code is Code.DATE_UNPARSEABLE
    assert "cannot read the date" in caught.value.message


def test_results_are_always_timezone_aware_utc() -> None:
    for value in ("2024-08-06T10:15:00", "2024-08-06T10:15:00-05:00", "6 августа 2024 г."):
        parsed, _ = parse_date(value)
        assert parsed.utcoffset() == timedelta(0)


def test_check_not_future_allows_a_day_of_clock_skew() -> None:
    assert check_not_future(NOW + timedelta(hours=23), NOW, "f.txt") is None
    issue = check_not_future(NOW + timedelta(days=3), NOW, "f.txt", "row 2")
    assert issue is not None
    assert (issue.code, issue.location, issue.item) == (Code.DATE_IN_FUTURE, "f.txt", "row 2")
    assert issue.severity is Severity.WARNING
    assert "after the time of reading" in issue.message


def test_resolve_date_keeps_a_good_date() -> None:
    outcome = resolve_date("2024-08-06", NOW, "f.txt")
    assert (outcome.published_at, outcome.precision, outcome.issue) == (datetime(2024, 8, 6, tzinfo=UTC), D, None)


def test_resolve_date_turns_an_unparseable_date_into_a_warning() -> None:
    outcome = resolve_date("sometime soon", NOW, "f.txt", "line 3")
    assert outcome.published_at is None
    assert outcome.meta == (("raw_date", "sometime soon"),)
    assert outcome.issue is not None
    assert (outcome.issue.code, outcome.issue.severity) == (Code.DATE_UNPARSEABLE, Severity.WARNING)
    assert (outcome.issue.location, outcome.issue.item) == ("f.txt", "line 3")
    assert "kept without a date" in outcome.issue.hint


def test_resolve_date_turns_a_future_date_into_a_warning() -> None:
    outcome = resolve_date("2031-01-01T00:00:00Z", NOW, "f.txt")
    assert outcome.published_at is None
    assert outcome.meta == (("raw_date", "2031-01-01T00:00:00Z"),)
    assert outcome.issue is not None and outcome.issue.code is Code.DATE_IN_FUTURE


def test_resolve_date_without_a_value_is_silent() -> None:
    assert resolve_date(None, NOW, "f.txt") == resolve_date("  ", NOW, "f.txt") == dates.DateOutcome()
