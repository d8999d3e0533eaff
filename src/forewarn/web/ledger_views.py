"""What the ledger, post-mortem and sources views share: the time filters (a date or an ISO
date-time), the ledger's filter as the API and the page take it, a source location fit to show, and
the ledger's verification in plain words. No reads here: the services on the workspace do those."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit, urlunsplit

from forewarn.errors import InvalidArgument
from forewarn.ledger.query import LedgerFilter
from forewarn.ledger.verify import VerifyReport

MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_KIND = 64


def moment(value: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """A filter time: ``YYYY-MM-DD`` (the day's start, or with ``end_of_day`` its last instant) or an
    ISO date-time (UTC unless it names an offset). Empty: no bound."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            start = datetime.combine(date.fromisoformat(value), time(), UTC)
            at = start + timedelta(days=1, microseconds=-1) if end_of_day else start
        else:
            at = datetime.fromisoformat(value)
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if not MIN_YEAR <= at.astimezone(UTC).year <= MAX_YEAR:
            raise ValueError("out of range")
    except (ValueError, OverflowError):
        raise InvalidArgument(f"{name} {value!r} is not a date or time between {MIN_YEAR} and {MAX_YEAR}",
                              hint="use YYYY-MM-DD or an ISO 8601 date-time") from None
    return at


def ledger_filter(kinds: Sequence[str] = (), actor: str | None = None, subject: str | None = None,
                  since: str | None = None, until: str | None = None) -> LedgerFilter:
    """The filters as the API and the page take them (kinds repeatable or comma-separated)."""
    flat = tuple(dict.fromkeys(k.strip() for value in kinds for k in value.split(",") if k.strip()))
    if any(len(k) > MAX_KIND for k in flat):
        raise InvalidArgument(f"an entry kind is at most {MAX_KIND} characters", hint="kinds look like warning-raised")
    return LedgerFilter(flat, (actor or "").strip() or None, (subject or "").strip() or None,
                        moment(since, "since"), moment(until, "until", end_of_day=True))


# -- presentation helpers shared by the API and the pages --------------------------------------

def public_location(location: str) -> str:
    """A source location fit to show: a URL loses any user name and password it carries."""
    parts = urlsplit(location)
    if parts.scheme and parts.netloc and "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return location


def verify_words(report: VerifyReport) -> str:
    """The verification result in plain words."""
    if report.ok:
        if report.count == 0:
            return "The ledger is empty: there is nothing to verify yet."
        return (f"The chain is intact: {report.count:,} entries, last seq {report.last_seq}, "
                f"last hash {report.last_hash}.")
    found = len(report.problems) + report.more
    return (f"The chain is broken: {found:,} problem{'s' * (found != 1)} in {report.count:,} entries. "
            "Treat the store as tampered with.")
