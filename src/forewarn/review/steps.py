"""Reading the times a review runs over: step lengths ("1d", "12h", "30m") and instants ("2024-08-06",
"2024-08-06T12:00", "2024-08-06T12:00+03:00"), and the step the live chain ran at (:func:`live_step`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from forewarn.errors import InvalidArgument

_STEP = re.compile(r"^\s*(\d+)\s*([dhm])\s*$", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
MINUTE = timedelta(minutes=1)
FALLBACK_STEPS = 1000  # at most this many steps of the poll interval when no live chain gives the step


def parse_step(value: str) -> timedelta:
    """``"1d"`` → one day; ``"12h"``, ``"30m"``: hours, minutes. Must be positive."""
    found = _STEP.match(value)
    if found is None or int(found.group(1)) == 0:
        raise InvalidArgument(f"step {value!r} is not a positive length of time",
                              hint="a whole number and a unit: 1d (days), 12h (hours), 30m (minutes)")
    return timedelta(**{_UNITS[found.group(2).lower()]: int(found.group(1))})


def format_step(step: timedelta) -> str:
    """The shortest of "Nd", "Nh", "Nm" that says ``step`` exactly (else its seconds)."""
    seconds = int(step.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_instant(value: str, flag: str) -> datetime:
    """A date (midnight UTC that day) or an ISO date-time (UTC unless it names an offset)."""
    try:
        if len(value.strip()) == 10:
            return midnight(date.fromisoformat(value.strip()))
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidArgument(f"{flag} {value!r} is not a date or date-time",
                              hint="use YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM[+HH:MM]") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def as_instant(value: date | datetime) -> datetime:
    """A datetime as is (naive: UTC); a date: midnight UTC that day."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return midnight(value)


def live_step(published: Sequence[datetime], poll_seconds: float, period: timedelta) -> tuple[timedelta, str]:
    """The step the live chain ran at, and why: the most common interval (to the minute; on a tie the
    shorter) between consecutive published assessments (a cycle publishes only what changed, so their
    intervals are whole numbers of its step, the step itself the most common). With fewer than two, the
    watch's poll interval (``poll_seconds``, the ``watch_interval`` setting) when ``period`` holds at most
    :data:`FALLBACK_STEPS` of it, else one day."""
    times = sorted(set(published))
    gaps = Counter(_to_minute(b - a) for a, b in pairwise(times))
    gaps.pop(timedelta(0), None)
    if gaps:
        step, count = min(gaps.items(), key=lambda item: (-item[1], item[0]))
        return step, (f"the live cycle's step: the most common interval between its {len(times)} published "
                      f"assessments ({count} of {len(times) - 1})")
    poll = max(MINUTE, _to_minute(timedelta(seconds=poll_seconds)))
    why = "fewer than two published assessments to measure the live cycle's step by"
    if period / poll <= FALLBACK_STEPS:
        return poll, f"the watch's poll interval (watch_interval = {poll_seconds:g} s): {why}"
    return timedelta(days=1), (f"one day: {why}, and the watch's poll interval ({poll_seconds:g} s) would make more "
                               f"than {FALLBACK_STEPS:,} steps")


def _to_minute(delta: timedelta) -> timedelta:
    return timedelta(minutes=round(delta.total_seconds() / 60))
