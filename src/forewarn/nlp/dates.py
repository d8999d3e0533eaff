"""Time expressions: find them in a parsed document and resolve them to dates.

``resolve`` turns one expression into ``(value, precision)``; ``find_dates`` finds the expressions of
a spaCy ``Doc`` (NER ``DATE``/``TIME`` entities plus one compiled regular expression over the text for
what NER misses) and resolves each against the publication date.

Rules (``pub`` is the publication date, ``anchor`` the explicit date a relative expression hangs on):

* Explicit dates: ``Aug. 6``, ``6 August 2024``, ``August 6th, 2024``, ``the 6th of August``,
  ``2024-08-06``, ``8/6/2024`` (slashes are month/day/year unless the first number is over 12),
  ``06.08.2024`` (dots are day.month.year) → DAY.  ``August 2024``/``in August`` → MONTH, ``in 2023`` →
  YEAR; ``early/mid/late/the end of`` and seasons (``summer 2022``) keep the period's precision.
  Ranges (``Aug 5-6``, ``5 to 6 August``, ``the night of 5 to 6 August``, ``between 5 and 6 August``)
  give their first day.  A leading weekday (``Tuesday, Aug. 6``) is ignored.
* Year inference for dates without a year: the latest such date that is at most 31 days after
  ``pub`` (so ``Dec. 28`` published on 3 January is last December; ``Jan. 3`` published on 28 December
  is next January; ``Feb. 29`` goes back to the latest leap year).
* Weekdays: ``Tuesday``/``on Tuesday``/``this Tuesday`` → the latest Tuesday on or before ``pub``
  (past-tense reporting); ``last Tuesday`` → the latest strictly before; ``next``/``this coming
  Tuesday`` → the first strictly after.  ``Tuesday night``/``early Tuesday`` → that Tuesday.
* Deictic words: ``today``, ``tonight``, ``this morning``, ``earlier today`` → ``pub``; ``yesterday``
  (any part of the day) → ``pub - 1``; ``last night`` and ``overnight`` → ``pub - 1`` (a night is dated
  by the evening it begins, like ``the night of 5 to 6 August`` → 5 August); ``tomorrow`` → ``pub + 1``.
* Named months: ``last December`` → the latest December before ``pub``'s month, ``next March`` → the first
  March after it, ``this May`` → May of ``pub``'s year (MONTH); ``this summer`` → ``pub``'s year (YEAR).
* Calendar periods relative to ``pub``: ``last/this/next week`` → WEEK (value: that week's Monday),
  ``last/this/earlier this/next month`` → MONTH (the 1st), ``last/this year`` → YEAR (1 January).
  ``the weekend``/``over the weekend``/``last weekend`` → the latest Saturday on or before ``pub``
  (``last weekend`` published on a Saturday or Sunday: the one before) with WEEK precision.
* ``N units ago`` → the computed day ``pub - N units`` (calendar months and years, clamped to the month's
  end).  Precision follows the unit: days → DAY, weeks → WEEK, months → MONTH, years → YEAR; a vague
  count (``days ago``, ``a few``, ``several``) or an approximate one (``nearly``, ``about``, ``more than``)
  coarsens days to WEEK and a vague count of weeks to MONTH.  Vague counts are taken as 3; a vague
  count of months or years (``years ago``, ``several months later``) is too vague and gives ``None``.
* Anchored expressions count from ``anchor`` (``pub`` when there is none) with the same arithmetic and
  precision rules: ``days before``/``days earlier`` → anchor - 3 days, WEEK; ``a week after 6 August``
  (the anchor is inside the expression) → 13 August, WEEK; ``the day before``/``the previous day`` →
  anchor - 1, DAY; ``the following day``/``the next day``/``a day later`` → anchor + 1, DAY;
  ``the same day``/``that day`` → anchor; ``the following week/month`` → the next calendar period.
* Not points in time (``None``): durations (``for three days``, ``48 hours``, ``24/7``), ages
  (``70 years old``), recurring (``every day``, ``daily``, ``on Tuesdays``), vague (``recently``,
  ``for years``, ``the past decades``, ``in the coming days``), centuries and decades, bare numbers.
* Anything else that names a month, a weekday or a year goes to ``dateparser`` (slow, so last and
  cached); its period gives the precision.

``find_dates`` keeps every regex span that resolves, and NER spans that overlap none of them; an NER span
that contains exactly one regex span and resolves replaces it (more context), one that overlaps several
gives way to them (NER sometimes merges "9 June; days earlier" into one entity).  Mentions preceded by
``every``/``each`` are recurring and dropped; counted spans preceded by ``for`` are durations.
It anchors relative expressions on the nearest DAY-precision mention: the latest one
before it in the same sentence, else the first one after it in the same sentence, else the last one
of the previous sentence.  Forward-looking or same-day anchored expressions (``the following day``,
``two days later``, ``that day``) with no such mention are dropped rather than dated after ``pub``;
backward ones (``days before``) count from ``pub``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from spacy.tokens import Doc

from forewarn.model.extraction import DateMention, TimePrecision
from forewarn.nlp.spans import sentence_index
from forewarn.sources.dates import MONTH_NAMES, MONTHS

DAY, WEEK, MONTH, YEAR = TimePrecision.DAY, TimePrecision.WEEK, TimePrecision.MONTH, TimePrecision.YEAR
_ORDER = {DAY: 0, WEEK: 1, MONTH: 2, YEAR: 3}

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS: dict[str, int] = {name: i for i, name in enumerate(_WEEKDAY_NAMES)}
WEEKDAYS.update({"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5,
                 "sun": 6})
_SEASONS = frozenset({"spring", "summer", "autumn", "fall", "winter"})
COUNTS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "a couple of": 2, "a couple": 2, "couple of": 2,
}
VAGUE_COUNTS = frozenset({"a few", "few", "several"})
VAGUE_COUNT = 3
_APPROX = frozenset({"about", "around", "nearly", "almost", "roughly", "approximately", "some", "more than",
                     "less than", "over", "under", "at least", "barely", "close to"})
_EXACT = frozenset({"just", "only", "exactly"})
YEAR_SPAN = (1800, 2100)
FUTURE_SLACK = timedelta(days=31)  # a date without a year may lie at most this far after publication
_DATEPARSER_MAX_CHARS = 60


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(sorted({re.escape(w) for w in words}, key=len, reverse=True))


# ---------------------------------------------------------------------------------------------- resolve

_COUNT_RE = rf"(?P<count>\d{{1,3}}|{_alt([*COUNTS, *VAGUE_COUNTS])})"
_QUAL_RE = rf"(?P<qual>{_alt([*_APPROX, *_EXACT])})"
_UNIT_RE = r"(?P<unit>minute|hour|day|week|fortnight|month|year)"
_PART_OF_DAY = r"(?:morning|afternoon|evening|night|overnight)"

_DASHES = re.compile(r"[‐‑‒–—―−]")
_ABBREV_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_LEAD = re.compile(
    r"^(?:on|in|at|during|since|from|as of|by|until|till|through|throughout|between|early|late|earlier|later|mid"
    r"|the (?:end|beginning|start|middle|first half|second half|night|evening|morning|afternoon) of"
    r"|night of|the early hours of|the small hours of) "
)
_NOT_A_POINT = re.compile(
    r"\b(?:every|each|daily|weekly|monthly|yearly|annually|annual|nightly|hourly|recently|recent|lately|nowadays"
    r"|these days|old|aged?|century|centuries|millenni\w*|decades?|the past|past (?:few|several|\d+)|in the past"
    r"|the coming|upcoming|soon|once|per)\b"
    r"|^for\b|\b\d+s\b|'\d0s\b|-year-old|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days\b|\b\d+/7\b"
)
_DEICTIC: dict[str, int] = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "today's": 0,
    "yesterday": -1, "last night": -1, "last evening": -1, "overnight": -1, "the day before yesterday": -2,
    "tomorrow": 1, "the day after tomorrow": 2,
}
_DEICTIC_PART = re.compile(rf"^(yesterday|tomorrow|today) {_PART_OF_DAY}$")
_PERIOD = re.compile(r"^(?P<rel>last|this|next|past|this past|(?:the )?current) (?P<unit>week|month|year)$")
_NAMED_MONTH = re.compile(rf"^(?P<rel>last|past|this past|next|coming|this coming|this) (?P<month>{_alt(MONTHS)})$")
_THIS_SEASON = re.compile(rf"^(?:this|the current) (?:{_alt(_SEASONS)})$")
_WEEKEND = re.compile(r"^(?:over |at |during )?(?P<rel>the|this|this past|past|last|next)? ?weekend$")
_AGO = re.compile(rf"^(?:{_QUAL_RE} )?(?:{_COUNT_RE} )?{_UNIT_RE}(?P<plural>s)? ago$")
_COUNTED = re.compile(
    rf"^(?:{_QUAL_RE} )?(?:{_COUNT_RE} )?{_UNIT_RE}(?P<plural>s)? "
    r"(?P<dir>before|after|earlier|later|prior to|prior|afterwards|afterward|on|on from)(?: (?P<tail>.+))?$"
)
_THE_UNIT = re.compile(
    r"^the (?P<unit>day|night|evening|morning|afternoon|week|weekend|month|year) "
    r"(?P<dir>before|after|earlier|later|prior)(?: (?P<tail>.+))?$"
)
_THE_ADJ = re.compile(
    r"^(?:the|that) (?P<dir>next|following|previous|preceding|same|subsequent|very same) "
    r"(?P<unit>day|night|evening|morning|afternoon|week|weekend|month|year)$"
)
_THAT_DAY = re.compile(r"^that (?:same )?(?:day|night|morning|evening|afternoon)$")
_WEEKDAY = re.compile(
    rf"^(?:(?P<rel>last|next|this past|this coming|this|coming|past) )?(?P<wd>{_alt(WEEKDAYS)})"
    rf"(?: {_PART_OF_DAY})?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_NUMERIC_FORMS = (_ISO, _ISO_MONTH, _SLASH, _DOTTED)
_RANGE_SEP = re.compile(r"\s*(?:-|/|\bto\b|\band\b|\binto\b|\buntil\b|\bthrough\b|\bthru\b)\s*")
_DAY_TOKEN = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_TRAILING_PART = re.compile(rf" {_PART_OF_DAY}$")
_DATEPARSER_GATE = re.compile(rf"\b(?:{_alt([*MONTHS, *WEEKDAYS])})\b|\b(?:1[89]|20)\d\d\b")
_FORWARD_DIRS = frozenset({"after", "later", "afterwards", "afterward", "on", "on from", "next", "following",
                           "subsequent", "same", "very same"})


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved expression; ``anchored`` when it counted from the anchor (or from ``pub`` for lack of one)."""

    value: date
    precision: TimePrecision
    anchored: bool = False
    forward: bool = False  # counts forward from (or equals) its anchor: meaningless without one


@dataclass(frozen=True, slots=True)
class _Parts:
    day: int | None = None
    month: int | None = None
    year: int | None = None
    season: bool = False


def resolve(
    expression: str, published: date, anchor: date | None = None
) -> tuple[date, TimePrecision] | None:
    """Resolve one time expression; ``None`` when it is not a point in time or cannot be read."""
    res = resolve_full(expression, published, anchor)
    return None if res is None else (res.value, res.precision)


def resolve_full(expression: str, published: date, anchor: date | None = None) -> Resolution | None:
    """Like ``resolve`` but says whether the result hangs on the anchor."""
    return _resolve(normalise(expression), _as_date(published), None if anchor is None else _as_date(anchor))


def normalise(expression: str) -> str:
    """Lower case, plain dashes, no abbreviation dots or commas, no leading preposition or hedge."""
    s = _DASHES.sub("-", expression.lower().replace("’", "'"))
    s = _ABBREV_DOT.sub(" ", s).replace(",", " ").replace("mid-", "mid ")
    s = " ".join(s.split()).strip(" ;:()[]\"'")
    while (m := _LEAD.match(s)) is not None:
        s = s[m.end():]
    return s


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"expected a datetime.date, got {type(value).__name__}: {value!r}")
    return value


@lru_cache(maxsize=8192)
def _resolve(s: str, pub: date, anchor: date | None) -> Resolution | None:
    if not s or _NOT_A_POINT.search(s):
        return None
    for rule in (_deictic, _period, _named_month, _weekend, _ago, _anchored, _weekday):
        res = rule(s, pub, anchor)
        if res is not None:
            return res
    readable, res = _explicit(s, pub)
    return res if readable else _dateparser(s, pub)


# --------------------------------------------------------------------------------------------- arithmetic


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, clamped to the last day of the target month."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m + 1, d)
        except ValueError:
            continue
    raise ValueError(f"cannot shift {day} by {months} months")


def _offset(base: date, unit: str, n: int) -> date:
    if unit == "month":
        return add_months(base, n)
    if unit == "year":
        return add_months(base, 12 * n)
    days = {"minute": 0, "day": 1, "week": 7, "fortnight": 14}.get(unit)
    if days is None:  # hours: whole days only
        return base + timedelta(days=int(n / 24))
    return base + timedelta(days=days * n)


def _period_start(day: date, unit: str, shift: int = 0) -> tuple[date, TimePrecision]:
    if unit in ("day", "night", "evening", "morning", "afternoon"):
        return day + timedelta(days=shift), DAY
    if unit == "week":
        return day - timedelta(days=day.weekday()) + timedelta(weeks=shift), WEEK
    if unit == "weekend":
        return _saturday_on_or_before(day) + timedelta(weeks=shift), WEEK
    if unit == "month":
        return add_months(day.replace(day=1), shift), MONTH
    return date(day.year + shift, 1, 1), YEAR


def _saturday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 5) % 7)


def _counted_precision(unit: str, vague: bool, approx: bool) -> TimePrecision | None:
    """Days → DAY (WEEK if vague or approximate), weeks → WEEK (MONTH if vague), months → MONTH, years → YEAR.

    ``None`` for a vague count of months or years (``months ago``, ``several years later``): too vague.
    """
    if unit in ("minute", "hour", "day"):
        return WEEK if vague or approx else DAY
    if unit in ("week", "fortnight"):
        return MONTH if vague else WEEK
    if vague:
        return None
    return MONTH if unit == "month" else YEAR


def _count(word: str | None) -> tuple[int, bool]:
    """(number, vague) for a count word; no word means a bare plural such as ``days``."""
    if word is None or word in VAGUE_COUNTS:
        return VAGUE_COUNT, True
    return (int(word), False) if word.isdigit() else (COUNTS[word], False)


def _coarser(a: TimePrecision, b: TimePrecision) -> TimePrecision:
    return a if _ORDER[a] >= _ORDER[b] else b


# ------------------------------------------------------------------------------------------------ rules


def _deictic(s: str, pub: date, anchor: date | None) -> Resolution | None:
    m = _DEICTIC_PART.match(s)
    key = m.group(1) if m else s
    offset = _DEICTIC.get(key)
    return None if offset is None else Resolution(pub + timedelta(days=offset), DAY)


def _period(s: str, pub: date, anchor: date | None) -> Resolution | None:
    m = _PERIOD.match(s)
    if m is None:
        return None
    shift = {"last": -1, "past": -1, "this past": -1, "next": 1}.get(m.group("rel"), 0)
    return Resolution(*_period_start(pub, m.group("unit"), shift))


def _named_month(s: str, pub: date, anchor: date | None) -> Resolution | None:
    """``last December`` → the latest December before this month; ``next March`` → the first after it."""
    if _THIS_SEASON.match(s):
        return Resolution(date(pub.year, 1, 1), YEAR)
    m = _NAMED_MONTH.match(s)
    if m is None:
        return None
    month, rel = MONTHS[m.group("month")], m.group("rel")
    if rel == "this":
        year = pub.year
    elif rel in ("next", "coming", "this coming"):
        year = pub.year if month > pub.month else pub.year + 1
    else:
        year = pub.year if month < pub.month else pub.year - 1
    return Resolution(date(year, month, 1), MONTH)


def _weekend(s: str, pub: date, anchor: date | None) -> Resolution | None:
    m = _WEEKEND.match(s)
    if m is None:
        return None
    latest = _saturday_on_or_before(pub)
    rel = m.group("rel")
    if rel == "next":
        return Resolution(latest + timedelta(weeks=1), WEEK)
    in_weekend = pub.weekday() >= 5
    if rel in ("last", "past", "this past") and in_weekend:
        return Resolution(latest - timedelta(weeks=1), WEEK)
    return Resolution(latest, WEEK)


def _ago(s: str, pub: date, anchor: date | None) -> Resolution | None:
    m = _AGO.match(s)
    if m is None:
        return None
    n, vague = _count(m.group("count")) if m.group("count") or m.group("plural") else (1, False)
    unit = m.group("unit")
    precision = _counted_precision(unit, vague, m.group("qual") in _APPROX)
    return None if precision is None else Resolution(_offset(pub, unit, -n), precision)


def _anchored(s: str, pub: date, anchor: date | None) -> Resolution | None:
    m = _COUNTED.match(s)
    if m is not None and (m.group("count") is not None or m.group("plural")):
        return _counted(m, pub, anchor)
    m = _THE_UNIT.match(s) or _THE_ADJ.match(s)
    if m is not None:
        return _adjacent(m, pub, anchor)
    if _THAT_DAY.match(s):
        return Resolution(anchor or pub, DAY, anchored=True, forward=True)
    return None


def _tail_anchor(tail: str | None, pub: date, anchor: date | None) -> tuple[date, TimePrecision, bool]:
    """The date an anchored expression counts from: a date inside it, else the anchor, else ``pub``."""
    if tail:
        inner = _resolve(tail, pub, None)
        if inner is not None and not inner.anchored:
            return inner.value, inner.precision, False
    return anchor or pub, DAY, True


def _counted(m: re.Match[str], pub: date, anchor: date | None) -> Resolution | None:
    base, base_precision, hangs = _tail_anchor(m.group("tail"), pub, anchor)
    n, vague = _count(m.group("count"))
    unit = m.group("unit")
    forward = m.group("dir") in _FORWARD_DIRS
    precision = _counted_precision(unit, vague, m.group("qual") in _APPROX)
    if precision is None:
        return None
    value = _offset(base, unit, n if forward else -n)
    return Resolution(value, _coarser(precision, base_precision), anchored=hangs, forward=hangs and forward)


def _adjacent(m: re.Match[str], pub: date, anchor: date | None) -> Resolution | None:
    groups = m.groupdict()
    base, base_precision, hangs = _tail_anchor(groups.get("tail"), pub, anchor)
    direction = m.group("dir")
    shift = 0 if direction in ("same", "very same") else 1 if direction in _FORWARD_DIRS else -1
    value, precision = _period_start(base, m.group("unit"), shift)
    forward = hangs and shift >= 0
    return Resolution(value, _coarser(precision, base_precision), anchored=hangs, forward=forward)


def _weekday(s: str, pub: date, anchor: date | None) -> Resolution | None:
    m = _WEEKDAY.match(s)
    if m is None:
        return None
    wd = WEEKDAYS[m.group("wd")]
    rel = m.group("rel")
    if rel in ("next", "this coming", "coming"):
        return Resolution(pub + timedelta(days=(wd - pub.weekday()) % 7 or 7), DAY)
    back = (pub.weekday() - wd) % 7
    if rel in ("last", "this past", "past"):
        back = back or 7
    return Resolution(pub - timedelta(days=back), DAY)


def _explicit(s: str, pub: date) -> tuple[bool, Resolution | None]:
    """Whether the grammar of explicit dates reads ``s``, and its resolution (None for an impossible date)."""
    if any(form.match(s) for form in _NUMERIC_FORMS):
        return True, _numeric(s)
    s = _TRAILING_PART.sub("", s)
    pieces = _RANGE_SEP.split(s, maxsplit=1)
    first = _parts(pieces[0])
    if first is None:
        return False, None
    if len(pieces) == 2 and (first.month is None or first.year is None):
        second = _parts(pieces[1])
        if second is None:
            return False, None
        first = _Parts(first.day, first.month or second.month, first.year or second.year, first.season)
    return True, _from_parts(first, pub)


def _numeric(s: str) -> Resolution | None:
    if m := _ISO.match(s):
        return _day_or_none(int(m[1]), int(m[2]), int(m[3]))
    if m := _ISO_MONTH.match(s):
        return _year_month(int(m[1]), int(m[2]))
    if m := _SLASH.match(s):
        a, b = int(m[1]), int(m[2])
        return _day_or_none(int(m[3]), b, a) if a > 12 else _day_or_none(int(m[3]), a, b)
    if m := _DOTTED.match(s):
        return _day_or_none(int(m[3]), int(m[2]), int(m[1]))
    return None


def _year_month(year: int, second: int) -> Resolution | None:
    """``2024-08`` is August 2024 (MONTH); ``2022-23`` (a span of two years) is 2022 (YEAR)."""
    if not YEAR_SPAN[0] <= year <= YEAR_SPAN[1]:
        return None
    return Resolution(date(year, second, 1), MONTH) if 1 <= second <= 12 else Resolution(date(year, 1, 1), YEAR)


def _day_or_none(year: int, month: int, day: int) -> Resolution | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return Resolution(value, DAY) if YEAR_SPAN[0] <= year <= YEAR_SPAN[1] else None


def _parts(piece: str) -> _Parts | None:
    """Day, month, year and season words of one date piece, or None if anything else is in it."""
    day = month = year = None
    season = False
    for token in piece.split():
        if token in ("the", "of") or token in WEEKDAYS:
            continue
        if token in MONTHS and month is None:
            month = MONTHS[token]
        elif (d := _DAY_TOKEN.match(token)) is not None and day is None:
            day = int(d[1])
        elif token.isdigit() and len(token) == 4 and year is None:
            year = int(token)
        elif len(token) == 3 and token[0] == "'" and token[1:].isdigit() and year is None:
            year = 2000 + int(token[1:])
        elif token in _SEASONS:
            season = True
        else:
            return None
    return _Parts(day, month, year, season)


def _from_parts(p: _Parts, pub: date) -> Resolution | None:
    if p.year is not None and not YEAR_SPAN[0] <= p.year <= YEAR_SPAN[1]:
        return None
    if p.season:
        return Resolution(date(p.year, 1, 1), YEAR) if p.year and p.day is None and p.month is None else None
    if p.month is None:
        return Resolution(date(p.year, 1, 1), YEAR) if p.year and p.day is None else None
    if p.day is None:
        year = p.year or infer_year(p.month, 1, pub)
        return None if year is None else Resolution(date(year, p.month, 1), MONTH)
    year = p.year or infer_year(p.month, p.day, pub)
    return None if year is None else _day_or_none(year, p.month, p.day)


def infer_year(month: int, day: int, pub: date) -> int | None:
    """The year of the latest month/day that falls at most ``FUTURE_SLACK`` after ``pub``."""
    limit = pub + FUTURE_SLACK
    for year in range(limit.year, limit.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= limit:
            return year
    return None


def _dateparser(s: str, pub: date) -> Resolution | None:
    """The long tail: only for expressions naming a month, a weekday or a year (dateparser is slow)."""
    if len(s) > _DATEPARSER_MAX_CHARS or _DATEPARSER_GATE.search(s) is None:
        return None
    from dateparser.date import DateDataParser

    settings = {"RELATIVE_BASE": datetime(pub.year, pub.month, pub.day), "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False}
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(s)
    if data.date_obj is None or not YEAR_SPAN[0] <= data.date_obj.year <= YEAR_SPAN[1]:
        return None
    unit = {"week": "week", "month": "month", "year": "year"}.get(data.period or "day", "day")
    value, precision = _period_start(data.date_obj.date(), unit)
    return Resolution(value, precision)


# -------------------------------------------------------------------------------------------- detection


def _cased(words: Iterable[str]) -> str:
    """Title-case and upper-case forms only: ``May``/``MAY`` are months, ``may`` is a verb."""
    forms = {f for w in words for f in (w.title(), w.upper())}
    return _alt(forms)


_D_MON = rf"(?:{_cased(MONTH_NAMES)}|(?:{_cased(m for m in MONTHS if m not in MONTH_NAMES)})\.?)"
_D_WD = rf"(?:{_cased(_WEEKDAY_NAMES)})(?![sS])\b"
_D_DAYNUM = r"[0-3]?\d(?i:st|nd|rd|th)?\b"
_D_YEAR = r"(?:1[89]\d\d|20\d\d)\b"
_D_SEP = r"\s*(?:-|–|—|(?i:to|and|into|until|through)\b)\s*"
_D_WD_PREFIX = rf"(?:{_D_WD},?\s+(?:(?i:the)\s+)?)?"
_D_NIGHT = r"(?:(?i:(?:the\s+)?(?:night|early\s+hours|small\s+hours)\s+of)\s+)?"
_D_DAY_FIRST = rf"(?:(?i:the)\s+)?{_D_DAYNUM}(?:{_D_SEP}{_D_DAYNUM})?\s+(?:(?i:of)\s+)?{_D_MON}(?:,?\s+{_D_YEAR})?"
_D_MONTH_FIRST = (
    rf"{_D_MON}\s+(?:(?i:the)\s+)?{_D_DAYNUM}(?:{_D_SEP}(?:{_D_MON}\s+)?{_D_DAYNUM})?(?:,?\s+{_D_YEAR})?"
)
_D_ISO = r"(?:1[89]|20)\d\d-[01]\d-[0-3]\d\b"
_D_NUMERIC = r"[0-3]?\d[/.][0-3]?\d[/.](?:1[89]|20)\d\d\b"
_D_EXPLICIT = rf"(?:{_D_ISO}|{_D_NUMERIC}|{_D_DAY_FIRST}|{_D_MONTH_FIRST}|{_D_WD})"
_D_PREP = (
    r"(?i:in|since|during|until|till|by|from|throughout|early|late|mid-?|last|next|this|"
    r"the\s+(?:end|start|beginning|middle)\s+of)"
)
_D_COUNT = (
    r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|a\s+few|few|several|a\s+couple(?:\s+of)?|couple\s+of)"
)
_D_QUAL = r"(?:about|around|nearly|almost|roughly|approximately|some|more\s+than|less\s+than|over|just|only"
_D_QUAL += r"|at\s+least|close\s+to)"
_D_UNIT = r"(?:minute|hour|day|week|fortnight|month|year)"
_D_DIR = r"(?:before|after|earlier|later|prior(?:\s+to)?|afterwards?)"
_D_DAYPART = r"(?:morning|afternoon|evening|night|overnight)"

_DETECT = re.compile(
    r"\b(?:"
    rf"(?P<the_rel>(?i:the\s+(?:day|night|evening|morning|week|month|year)\s+(?:before|after|earlier|later|prior)"
    rf"|(?:the|that)\s+(?:next|following|previous|preceding|same|subsequent)\s+(?:day|week|weekend|month|year|{_D_DAYPART})"
    rf"|that\s+(?:same\s+)?(?:day|night|morning|evening))\b(?:\s+{_D_EXPLICIT})?)"
    rf"|(?P<ago>(?i:{_D_UNIT}(?P<ago_plural>s)?\s+ago)\b)"
    rf"|(?P<counted>(?i:{_D_UNIT}(?P<counted_plural>s)?\s+{_D_DIR})\b(?:\s+{_D_EXPLICIT})?)"
    rf"|(?P<explicit>{_D_NIGHT}(?:{_D_ISO}|{_D_NUMERIC}|{_D_WD_PREFIX}(?:{_D_DAY_FIRST}|{_D_MONTH_FIRST})))"
    rf"|(?P<month_year>{_D_MON},?\s+{_D_YEAR})"
    rf"|(?P<month_alone>{_D_PREP}\s+{_D_MON}(?!\w)(?!\s*\d))"
    rf"|(?P<year_alone>{_D_PREP}\s+{_D_YEAR}(?![-/.]\d))"
    rf"|(?P<period>(?<![Tt]he\s)(?<!THE\s)(?i:(?:(?:early|late|earlier|later)\s+)?(?:last|this|next)\s+"
    r"(?:week|weekend|month|year)|(?:over|at|during)\s+the\s+weekend|this\s+past\s+weekend)\b)"
    rf"|(?P<deictic>(?i:(?:(?:early|late|earlier|later)\s+)?(?:the\s+day\s+(?:before\s+yesterday|after\s+tomorrow)"
    rf"|(?:yesterday|tomorrow|this|last)\s+{_D_DAYPART}|yesterday|today|tonight|tomorrow|overnight))\b)"
    rf"|(?P<weekday>(?:(?i:(?:last|next|this(?:\s+past|\s+coming)?|coming|past|early|late|earlier|later)(?:\s+on)?)\s+)?"
    rf"{_D_WD}(?:\s+(?i:{_D_DAYPART})\b)?)"
    r")"
)
_COUNT_REACH = 40
_COUNT_BEFORE = re.compile(rf"(?i:(?:\b{_D_QUAL}\s+)?\b{_D_COUNT}\s+)$")
_STRIP_PREP = re.compile(r"(?i:in|since|during|until|till|by|from|throughout|over|at)\s+")
_RECURRING_BEFORE = re.compile(r"(?i:\b(?:every|each)\s+)$")
_DURATION_BEFORE = re.compile(r"(?i:\bfor\s+)$")
_DAY_TIME = re.compile(
    rf"(?i:\b(?:{_D_DAYPART}|tonight|today|yesterday|tomorrow|{_alt(_WEEKDAY_NAMES)})\b)"
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    from_rules: bool


def rule_candidates(text: str) -> Iterator[_Candidate]:
    """Spans the detection pattern finds (one pass of a compiled regex over the text)."""
    for m in _DETECT.finditer(text):
        start, end, kind = m.start(), m.end(), m.lastgroup
        if kind in ("ago_plural", "counted_plural"):
            kind = kind.split("_")[0]
        if kind in ("ago", "counted"):
            # the regex starts at the unit word (fast); the count and its hedge are read backwards
            count = _COUNT_BEFORE.search(text, max(0, start - _COUNT_REACH), start)
            if count is None and m.group(f"{kind}_plural") is None:
                continue  # "day after day", "year after year"
            start = start if count is None else count.start()
            if kind == "counted" and _DURATION_BEFORE.search(text, max(0, start - 12), start):
                continue
        if kind in ("month_alone", "year_alone", "period") and (p := _STRIP_PREP.match(text, start, end)):
            start = p.end()
        yield _Candidate(start, end, True)


def ner_candidates(doc: Doc) -> Iterator[_Candidate]:
    """NER ``DATE`` entities, and ``TIME`` entities that name a day (``last night``, ``Tuesday morning``)."""
    for ent in doc.ents:
        if ent.label_ == "DATE" or (ent.label_ == "TIME" and _DAY_TIME.search(ent.text)):
            yield _Candidate(ent.start_char, ent.end_char, False)


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    sentence: int
    res: Resolution


def _resolved(cands: Iterator[_Candidate], text: str, pub: date) -> list[tuple[_Candidate, Resolution]]:
    out: list[tuple[_Candidate, Resolution]] = []
    for c in cands:
        if _RECURRING_BEFORE.search(text, max(0, c.start - 12), c.start):
            continue  # "every Tuesday"
        res = resolve_full(text[c.start:c.end], pub)
        if res is not None:
            out.append((c, res))
    return out


def _select(rules: list[tuple[_Candidate, Resolution]], ner: list[tuple[_Candidate, Resolution]]
            ) -> list[tuple[_Candidate, Resolution]]:
    """Rule spans, plus NER spans that overlap none of them; an NER span that contains exactly one rule span
    replaces it (it carries more context), one that overlaps several gives way to them."""
    kept: list[tuple[_Candidate, Resolution]] = []
    for item in sorted(rules, key=lambda cr: cr[0].start):
        if not kept or item[0].start >= kept[-1][0].end:
            kept.append(item)
    starts = [c.start for c, _ in kept]
    ends = [c.end for c, _ in kept]
    replaced: dict[int, tuple[_Candidate, Resolution]] = {}
    added: list[tuple[_Candidate, Resolution]] = []
    for c, res in ner:
        first, stop = bisect_right(ends, c.start), bisect_left(starts, c.end)
        if stop == first:
            added.append((c, res))
        elif stop == first + 1 and c.start <= starts[first] and ends[first] <= c.end:
            replaced[first] = (c, res)
    merged = [replaced.get(i, item) for i, item in enumerate(kept)] + added
    return sorted(merged, key=lambda cr: cr[0].start)


def find_dates(doc: Doc, published: date) -> list[DateMention]:
    """Time expressions of ``doc``, resolved against ``published``, in text order."""
    pub = _as_date(published)
    text = doc.text
    rules = _resolved(rule_candidates(text), text, pub)
    ner = _resolved(ner_candidates(doc), text, pub)
    if not rules and not ner:
        return []
    found: list[_Found] = []
    for c, res in _select(rules, ner):
        span = doc.char_span(c.start, c.end, alignment_mode="expand")
        if span is None or not len(span):
            raise ValueError(f"no tokens under the date candidate {c.start}:{c.end} of the document")
        found.append(_Found(c.start, c.end, sentence_index(span), res))
    return [_mention(f, text) for f in _apply_anchors(found, text, pub)]


def _apply_anchors(found: list[_Found], text: str, pub: date) -> list[_Found]:
    """Re-resolve anchored expressions on the nearest DAY mention; drop forward ones with no anchor."""
    out: list[_Found] = []
    for i, f in enumerate(found):
        if not f.res.anchored:
            out.append(f)
            continue
        anchor = _anchor_for(f, out, found, i + 1)
        if anchor is None:
            if not f.res.forward:
                out.append(f)
            continue
        res = resolve_full(text[f.start:f.end], pub, anchor)
        if res is not None:
            out.append(_Found(f.start, f.end, f.sentence, res))
    return out


def _anchor_for(f: _Found, before: list[_Found], found: list[_Found], after: int) -> date | None:
    """The latest DAY mention before ``f`` in its sentence, else the first unanchored one after it in its
    sentence, else the last one of the previous sentence."""
    previous_sentence: date | None = None
    for g in reversed(before):
        if g.sentence < f.sentence - 1:
            break
        if g.res.precision == DAY:
            if g.sentence == f.sentence:
                return g.res.value
            previous_sentence = previous_sentence or g.res.value
    for g in found[after:]:
        if g.sentence != f.sentence:
            break
        if g.res.precision == DAY and not g.res.anchored:
            return g.res.value
    return previous_sentence


def _mention(f: _Found, text: str) -> DateMention:
    return DateMention(f.res.value, f.res.precision, text[f.start:f.end], f.start, f.end, f.sentence)
