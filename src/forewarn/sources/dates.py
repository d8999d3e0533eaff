"""Publication dates: fast exact parsers first, dateparser only as the fallback.

Every result is timezone-aware (UTC when the input names no zone; dates with a zone are
converted to UTC) and carries its precision: ``second`` when a time of day was given, else
``day``, ``month`` ("August 2024") or ``year`` ("2024"); coarse dates point at the start of
their period.

Policy shared by all readers (:func:`resolve_date`): an unparseable or future date never drops
a document. The document keeps ``published_at=None`` and the raw value in meta
(``("raw_date", value)``), and a WARNING issue (``DATE_UNPARSEABLE`` or ``DATE_IN_FUTURE``)
travels alongside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from forewarn.errors import Code, Issue, ItemError, Severity
from forewarn.model.document import DatePrecision

FUTURE_TOLERANCE = timedelta(days=1)
MAX_DATE_CHARS = 100
DATEPARSER_LANGUAGES = ("en", "ru", "uk", "de", "fr", "es")
_FIXED_BASE = datetime(2000, 1, 1)  # dateparser never sees the clock: it fills nothing from "today"

MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
# full names and the usual abbreviations, lower case → month number
MONTHS: dict[str, int] = {name: i + 1 for i, name in enumerate(MONTH_NAMES)}
MONTHS.update({name[:3]: i + 1 for i, name in enumerate(MONTH_NAMES)})
MONTHS["sept"] = 9
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_ISO_START = re.compile(r"\d{4}-\d{2}")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_MDY = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_MY = re.compile(r"([A-Za-z]+)\.?,?\s+(\d{4})")


def parse_date(value: str | int | float) -> tuple[datetime, DatePrecision]:
    """Parse a publication date; raise ``ItemError(DATE_UNPARSEABLE)`` when it is not one."""
    try:
        result = _parse(value)
    except (ValueError, OverflowError, OSError, TypeError) as err:
        raise _unparseable(value) from err
    if result is None:
        raise _unparseable(value)
    return result


def _unparseable(value: object) -> ItemError:
    shown = str(value)[:MAX_DATE_CHARS]
    return ItemError(Code.DATE_UNPARSEABLE, f"cannot read the date {shown!r}",
                     hint="use ISO 8601 (2024-08-06T10:15:00Z) or map another column with --map date=…")


def _parse(value: str | int | float) -> tuple[datetime, DatePrecision] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = " ".join(str(value).split())
    if not text or len(text) > MAX_DATE_CHARS:
        return None
    if _NUMBER.fullmatch(text):
        return _from_number(text)  # numbers never reach dateparser
    return _fast(text) or _fallback(text)


def _fast(text: str) -> tuple[datetime, DatePrecision] | None:
    if _ISO_START.match(text):
        return _iso(text)
    if _HAS_TIME.search(text):
        return _rfc2822(text)
    return _english(text)


def _from_number(text: str) -> tuple[datetime, DatePrecision] | None:
    if len(text) == 4 and text.isdigit():
        return datetime(int(text), 1, 1, tzinfo=UTC), DatePrecision.YEAR
    if len(text.split(".")[0].lstrip("-")) >= 9:
        return _from_epoch(float(text))
    return None


def _from_epoch(seconds: float) -> tuple[datetime, DatePrecision]:
    if abs(seconds) >= 1e11:  # milliseconds
        seconds /= 1000
    return datetime.fromtimestamp(seconds, tz=UTC), DatePrecision.SECOND


def _iso(text: str) -> tuple[datetime, DatePrecision] | None:
    month = _ISO_MONTH.fullmatch(text)
    if month:
        return datetime(int(month[1]), int(month[2]), 1, tzinfo=UTC), DatePrecision.MONTH
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    precision = DatePrecision.DAY if len(text) <= 10 else DatePrecision.SECOND
    return _utc(parsed), precision


def _rfc2822(text: str) -> tuple[datetime, DatePrecision] | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return None
    return _utc(parsed), DatePrecision.SECOND


def _english(text: str) -> tuple[datetime, DatePrecision] | None:
    if m := _DMY.fullmatch(text):
        return _ymd(m[3], m[2], m[1])
    if m := _MDY.fullmatch(text):
        return _ymd(m[3], m[1], m[2])
    if (m := _MY.fullmatch(text)) and m[1].lower() in MONTHS:
        return datetime(int(m[2]), MONTHS[m[1].lower()], 1, tzinfo=UTC), DatePrecision.MONTH
    return None


def _ymd(year: str, month: str, day: str) -> tuple[datetime, DatePrecision] | None:
    number = MONTHS.get(month.lower())
    if number is None:
        return None
    return datetime(int(year), number, int(day), tzinfo=UTC), DatePrecision.DAY


def _utc(parsed: datetime) -> datetime:
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_PERIODS = {"time": DatePrecision.SECOND, "day": DatePrecision.DAY, "week": DatePrecision.DAY,
            "month": DatePrecision.MONTH, "year": DatePrecision.YEAR}


def _fallback(text: str) -> tuple[datetime, DatePrecision] | None:
    data = _dateparser().get_date_data(text)
    if data.date_obj is None:
        return None
    precision = _PERIODS.get(data.period or "day", DatePrecision.DAY)
    parsed = _utc(data.date_obj)
    if precision is DatePrecision.MONTH:
        parsed = parsed.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif precision is DatePrecision.YEAR:
        parsed = parsed.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return parsed, precision


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    """One parser for the process: fixed languages (no auto-detection storm), absolute dates only
    (no "yesterday" resolved against the clock), a year required (no guessed year)."""
    from dateparser.date import DateDataParser

    settings = {
        "RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC",
        "PARSERS": ["custom-formats", "absolute-time"], "REQUIRE_PARTS": ["year"],
        "PREFER_DAY_OF_MONTH": "first", "RETURN_TIME_AS_PERIOD": True, "RELATIVE_BASE": _FIXED_BASE,
    }
    return DateDataParser(languages=list(DATEPARSER_LANGUAGES), settings=settings,
                          try_previous_locales=False)


def check_not_future(dt: datetime, now: datetime, location: str = "",
                     item: str | None = None) -> Issue | None:
    """A date more than a day after ``now`` (the run's time, never the clock) is suspicious."""
    if dt <= now + FUTURE_TOLERANCE:
        return None
    return Issue(Code.DATE_IN_FUTURE, f"the date {dt.isoformat()} is after the time of reading "
                 f"({now.isoformat()})", location, item,
                 hint="check the source's clock or time zone; the document was kept without a date",
                 severity=Severity.WARNING)


@dataclass(frozen=True, slots=True)
class DateOutcome:
    """What a reader puts on a document for one raw date value, and the warning if any."""

    published_at: datetime | None = None
    precision: DatePrecision | None = None
    meta: tuple[tuple[str, str], ...] = ()
    issue: Issue | None = None


def resolve_date(value: str | int | float | None, now: datetime, location: str,
                 item: str | None = None) -> DateOutcome:
    """Apply the readers' date policy to one raw value (None or blank: no date, no issue)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DateOutcome()
    raw = (("raw_date", str(value)),)
    try:
        parsed, precision = parse_date(value)
    except ItemError as err:
        hint = f"{err.hint}; the document was kept without a date"
        issue = Issue(err.code, err.message, location, item, hint, Severity.WARNING)
        return DateOutcome(meta=raw, issue=issue)
    future = check_not_future(parsed, now, location, item)
    if future is not None:
        return DateOutcome(meta=raw, issue=future)
    return DateOutcome(parsed, precision)
