"""Reads the ledger, post-mortem, sources and ingest-run views need beyond the Workspace's own:
counts for the pagers, a page of ledger entries, published assessments over a window, and the shared
parsing of time filters.

Every read is bounded (LIMIT, COUNT in SQL) and uses an index, except a ledger filter on time alone
(``at`` has no index: the count reads the ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, Select, func, select

from forewarn.errors import InvalidArgument
from forewarn.ledger.query import fetch, select_entries
from forewarn.ledger.verify import VerifyReport
from forewarn.model import LedgerEntry
from forewarn.store import schema as t

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


@dataclass(frozen=True)
class LedgerFilter:
    kinds: tuple[str, ...] = ()
    actor: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def arguments(self) -> dict[str, Any]:
        return {"kind": list(self.kinds) or None, "actor": self.actor or None, "subject": self.subject or None,
                "since": self.since, "until": self.until}


def ledger_filter(kinds: Sequence[str] = (), actor: str | None = None, subject: str | None = None,
                  since: str | None = None, until: str | None = None) -> LedgerFilter:
    """The filters as the API and the page take them (kinds repeatable or comma-separated)."""
    flat = tuple(dict.fromkeys(k.strip() for value in kinds for k in value.split(",") if k.strip()))
    if any(len(k) > MAX_KIND for k in flat):
        raise InvalidArgument(f"an entry kind is at most {MAX_KIND} characters", hint="kinds look like warning-raised")
    return LedgerFilter(flat, (actor or "").strip() or None, (subject or "").strip() or None,
                        moment(since, "since"), moment(until, "until", end_of_day=True))


def page_entries(engine: Engine, f: LedgerFilter, *, limit: int, offset: int = 0, newest_first: bool = True,
                 matching: int | None = None) -> list[LedgerEntry]:
    """One page of matching entries. ``matching`` (the count, when known) lets SQLite pick the cheaper
    path for a kind or actor filter: its index finds every match and sorts them all, which is slow when
    a large share of the ledger matches; walking the chain from its end and skipping the rest stops
    after the page. PostgreSQL's planner makes that choice by itself."""
    query = select_entries(**f.arguments(), limit=limit, offset=offset, newest_first=newest_first)
    if matching and (f.kinds or f.actor) and engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            last = conn.execute(select(func.max(t.ledger.c.seq))).scalar() or 0
        if (offset + limit) * last / matching < matching:  # rows walked vs. rows the index would fetch
            query = _walk_chain(f, limit=limit, offset=offset, newest_first=newest_first)
    with engine.connect() as conn:
        return fetch(conn, query)


def _walk_chain(f: LedgerFilter, *, limit: int, offset: int, newest_first: bool) -> Select[Any]:
    """The page's query with the kind and actor tests made unusable as index lookups (``col || ''``),
    so SQLite reads the ledger in seq order and stops after the page."""
    c = t.ledger.c
    query = select_entries(subject=f.subject, since=f.since, until=f.until, limit=limit, offset=offset,
                           newest_first=newest_first)
    if f.kinds:
        query = query.where(c.kind.concat("").in_(f.kinds))
    if f.actor:
        query = query.where(c.actor.concat("") == f.actor)
    return query


def count_entries(engine: Engine, f: LedgerFilter) -> int:
    """How many ledger entries match (one COUNT in the database)."""
    inner = select_entries(**f.arguments()).order_by(None).with_only_columns(t.ledger.c.seq).subquery()
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def ledger_kinds(engine: Engine, most: int = 100) -> list[str]:
    """The kinds of entry the ledger holds, for the filter's choices: one index seek per kind (a skip
    scan), so it costs the same however long the ledger is."""
    kind = t.ledger.c.kind
    found: list[str] = []
    with engine.connect() as conn:
        while len(found) < most:
            query = select(func.min(kind))
            nxt = conn.execute(query.where(kind > found[-1]) if found else query).scalar()
            if nxt is None:
                break
            found.append(str(nxt))
    return found


def display_names(engine: Engine) -> dict[str, str]:
    """Account name → display name (accounts are few)."""
    u = t.users.c
    with engine.connect() as conn:
        return {str(r.name): str(r.display_name) for r in conn.execute(select(u.name, u.display_name))}


# -- published assessments over a window (the post-mortem's chart) -------------------------------

@dataclass(frozen=True)
class Published:
    at: datetime
    probability: float
    level: str | None


def published_between(engine: Engine, scenario_id: str, start: datetime, end: datetime,
                      most: int = 5000) -> list[Published]:
    """The scenario's published assessments from ``start`` to ``end`` (the last one before ``start``
    first, so a chart's line starts where it stood), oldest first; without their signals."""
    a = t.assessments.c
    cols = (a.at, a.probability, a.level)
    with engine.connect() as conn:
        before = conn.execute(select(*cols).where(a.scenario_id == scenario_id, a.at < start)
                              .order_by(a.at.desc()).limit(1)).first()
        rows = conn.execute(select(*cols).where(a.scenario_id == scenario_id, a.at >= start, a.at <= end)
                            .order_by(a.at).limit(most)).all()
    return [Published(max(r.at, start), float(r.probability), r.level) for r in [*([before] if before else []), *rows]]


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
