"""The store's story reads (mentions indicators): the documents of a span of time whose words match, the
places and entities they name, and how many documents each day brought (to tell a quiet day from a feed
outage).

A document is known at its publication time, else at its ingest time. Which documents match is decided
in Python, not in SQL: queries are Unicode, case-insensitive word patterns (``прорыв*``, ``Wagnera``), and
neither SQLite's LIKE nor its ``lower()`` folds case beyond ASCII, so no SQL prefilter would be exact on
both backends. The rows stream in chunks and only the matching ones are kept; which matched is remembered
(:mod:`forewarn.store.matched`), and a later read of the same query takes only those.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Date, String, and_, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from forewarn.store import schema as t
from forewarn.store.core import StoreCore, among
from forewarn.store.matched import hits
from forewarn.store.types import as_date

READ = 2000  # rows fetched at a time


@dataclass(frozen=True, slots=True)
class StoryText:
    """A stored document as words at a time: what a story read needs of it."""

    id: str
    source_id: str | None
    cluster_id: str
    known_at: datetime  # published, else ingested
    title: str | None
    text: str


@dataclass(frozen=True, slots=True)
class StoryTags:
    """What a document names: countries and "COUNTRY:admin1" regions, canonical entity ids and names."""

    places: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()


class StoryReads(StoreCore):
    def story_texts(self, *, since: datetime, until: datetime, keep: Callable[[str, str | None, str], bool],
                    matched: str | None = None, before: bool = False, words: bool = True) -> list[StoryText]:
        """The documents known in [``since``, ``until``] (before ``until`` with ``before``) for which ``keep(id,
        title, text)`` is true, oldest first; only among those a remembered text match found
        (:mod:`forewarn.store.matched`'s key) when given. Without ``words``, titles and texts are not read (each
        comes back empty)."""
        days = (since.astimezone(UTC).date(), until.astimezone(UTC).date())  # the hits' days: the days known
        return self._texts(_known_between(since, until, before), days, matched, keep, words)

    def stories_known_at(self, instants: Collection[datetime], *, matched: str) -> list[StoryText]:
        """:meth:`story_texts` of the documents known at one of these very times, no words read: the days under way
        of a replay's steps at midnight (each holds only what became known at its very start), in one read."""
        if not instants:
            return []
        at = sorted(set(instants))
        days = (at[0].astimezone(UTC).date(), at[-1].astimezone(UTC).date())
        return self._texts(_known_by(lambda known: known.in_(at)), days, matched, lambda *_: True, words=False)

    def _texts(self, known: ColumnElement[bool], days: tuple[date, date], matched: str | None,
               keep: Callable[[str, str | None, str], bool], words: bool) -> list[StoryText]:
        """The documents ``known`` selects, among a remembered match's hits on ``days`` when ``matched``."""
        d = t.documents.c
        among_hits = [d.id.in_(hits(matched, days))] if matched is not None else []
        title, text = (d.title, d.text) if words else (literal(None, String).label("title"), literal("").label("text"))
        q = (select(d.id, d.source_id, d.cluster_id, d.published_at, d.ingested_at, title, text)
             .where(known, *among_hits).order_by(d.published_at, d.id).execution_options(yield_per=READ))
        with self.engine.connect() as conn:
            return [StoryText(r.id, r.source_id, r.cluster_id, r.published_at or r.ingested_at, r.title, r.text)
                    for r in conn.execute(q) if keep(r.id, r.title, r.text)]

    def story_days(self, *, since: datetime, until: datetime) -> dict[date, int]:
        """How many documents (any words) are known on each day (UTC) in [``since``, ``until``]: the whole days
        as ingest counted them (``document_days``), the parts of days at either end counted from the documents."""
        since, until = since.astimezone(UTC), until.astimezone(UTC)
        first = since.date() if since == _midnight(since.date()) else since.date() + timedelta(days=1)
        last = until.date() - timedelta(days=1)
        if last < first:
            return self._count_days(since, until, before=False)
        dd = t.document_days.c
        q = select(dd.day, dd.documents).where(dd.day >= first, dd.day <= last, dd.documents > 0)
        with self.engine.connect() as conn:
            found = {as_date(day): n for day, n in conn.execute(q)}
        start = self._count_days(since, _midnight(first), before=True) if since < _midnight(first) else {}
        return start | found | self._count_days(_midnight(until.date()), until, before=False)

    def _count_days(self, since: datetime, until: datetime, *, before: bool) -> dict[date, int]:
        """:meth:`story_days` counted from the documents, in [``since``, ``until``] (before ``until``)."""
        d = t.documents.c
        day = _utc_day(self.dialect, func.coalesce(d.published_at, d.ingested_at)).label("day")
        q = select(day, func.count()).where(_known_between(since, until, before)).group_by(day)
        with self.engine.connect() as conn:
            return {as_date(known): n for known, n in conn.execute(q)}

    def story_tags(self, document_ids: Collection[str], *, places: bool = True, entities: bool = True
                   ) -> dict[str, StoryTags]:
        """The places and entities each of these documents names, by id (documents naming none left out); only
        the places, or only the entities, when the other is not asked for."""
        named: dict[str, set[str]] = {}
        who: dict[str, set[str]] = {}
        wanted = sorted(set(document_ids))
        with self.engine.connect() as conn:
            for where in among(conn, t.places.c.document_id, wanted) if places else ():
                for r in conn.execute(_places_of(where)):
                    named.setdefault(r.document_id, set()).update(_place_keys(r.country, r.admin1))
            for where in among(conn, t.mentions.c.document_id, wanted) if entities else ():
                for r in conn.execute(_entities_of(where)):
                    who.setdefault(r.document_id, set()).update((r.id, r.name))
        return {doc: StoryTags(frozenset(named.get(doc, ())), frozenset(who.get(doc, ())))
                for doc in named.keys() | who.keys()}


def count_document_days(conn: Connection) -> None:
    """Count every stored document into ``document_days`` afresh: for a store loaded other than through ingest
    (the bench's fill)."""
    d = t.documents.c
    day = _utc_day(conn.dialect.name, func.coalesce(d.published_at, d.ingested_at))
    conn.execute(t.document_days.delete())
    conn.execute(t.document_days.insert().from_select(["day", "documents"],
                                                      select(day, func.count()).group_by(day)))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _utc_day(dialect: str, at: Any) -> Any:
    """The UTC day of a stored time, in SQL (SQLite keeps times as UTC text)."""
    return cast(func.timezone("UTC", at), Date) if dialect == "postgresql" else func.substr(at, 1, 10)


def _known_between(since: datetime, until: datetime, before: bool = False) -> ColumnElement[bool]:
    """Known in [since, until] ([since, until) with ``before``)."""
    return _known_by(lambda at: and_(at >= since, at < until) if before else at.between(since, until))


def _known_by(test: Callable[[Any], ColumnElement[bool]]) -> ColumnElement[bool]:
    """Published at a time ``test`` takes, or undated and ingested at one (the published_at index serves the
    first)."""
    d = t.documents.c
    return or_(test(d.published_at), and_(d.published_at.is_(None), test(d.ingested_at)))


def _places_of(where: ColumnElement[bool]) -> Any:
    p = t.places.c
    return select(p.document_id, p.country, p.admin1).where(where).distinct()


def _entities_of(where: ColumnElement[bool]) -> Any:
    m = t.mentions.c
    own, canon = t.entities.alias("own"), t.entities.alias("canon")
    return (select(m.document_id, canon.c.id, canon.c.name).distinct()
            .select_from(t.mentions.join(own, own.c.id == m.entity_id).join(canon, canon.c.id == own.c.canonical_id))
            .where(where))


def _place_keys(country: str, admin1: str | None) -> tuple[str, ...]:
    return (country, f"{country}:{admin1}") if admin1 else (country,)
