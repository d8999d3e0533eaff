"""The live feed: incoming documents, newest known first, each with its headline, source and grade, its
first events and places, and why it was flagged — the indicators of the scenarios whose latest published
assessment counts it as a signal.

"Known" is the time forewarn learnt of a document, its ingest time; in a workspace living in its own time (a
demo, a replayed stream), whose documents were all ingested after that time, it is the publication time, when
scoring, replay and the post-mortem count them as known.

Cheap per request, however big the store: a page is a keyset scan of the index on (ingested_at, id) (or on
published_at), then look-ups by the page's ids. "Why flagged" is read from each scenario's latest stored assessment
(its signals name their documents); the map of document → indicators is built once per assessment
and kept (:class:`Matches`, per engine) until a newer assessment is published — no re-scoring.

Each account has a mark, the newest item it has seen (``feed_visits``): items known after it are new;
without a mark (a first visit), those of the last day are."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import yaml
from sqlalchemy import Connection, Engine, func, select, tuple_

from forewarn.errors import InvalidArgument, NotFound
from forewarn.ledger.service import LedgerService
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.core import chunks

if TYPE_CHECKING:
    from forewarn.reads import Reads

D, E, A, S = t.documents.c, t.events.c, t.assessments.c, t.scenarios.c


FIRST_VISIT = timedelta(days=1)  # without a mark, items of the last day are new
EVENTS_SHOWN = 4  # events drawn per item
COUNT_CAP = 999  # new items counted up to this ("999+")
HEADLINE = 160  # characters of the text that stand in for a missing title
EPOCH, MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)


def known_column(published: bool) -> Any:
    """The column the feed orders and counts by: the ingest time, or (``published``) the publication time."""
    return D.published_at if published else D.ingested_at


@dataclass(frozen=True, slots=True)
class Flag:
    """Why an item was flagged: an indicator of a scenario matched it."""

    scenario_id: str
    scenario: str
    indicator_id: str
    indicator: str


@dataclass(frozen=True, slots=True)
class FeedEvent:
    id: str
    type: str
    mode: str | None
    actor: str | None
    recipient: str | None
    place: str | None
    day: date


@dataclass(frozen=True, slots=True)
class FeedItem:
    document_id: str
    known_at: datetime
    headline: str
    published_at: datetime | None
    source_id: str | None
    source: str | None
    grade: str | None  # the source's reliability (Admiralty A-F)
    place: str | None
    events: tuple[FeedEvent, ...]
    event_count: int
    flags: tuple[Flag, ...]
    new: bool


@dataclass(frozen=True, slots=True)
class FeedQuery:
    scenario: str | None = None  # only items this scenario's indicators matched
    flagged: bool = False  # only items some scenario's indicators matched
    cursor: str | None = None  # from a page's ``next``
    limit: int = 50


@dataclass(frozen=True)
class Feed:
    items: tuple[FeedItem, ...]
    next: str | None  # the cursor of the next page, None on the last
    new_since: datetime  # items known after this are new
    new: int  # new items matching the filter (at most COUNT_CAP + 1: "999+")
    now: datetime
    scenarios: dict[str, str]  # id → name of the scenarios that can flag (the filter's choices)
    newest: datetime | None  # the newest item known by now (whatever the filter): a visit marks up to it

    @property
    def new_shown(self) -> str:
        return f"{COUNT_CAP}+" if self.new > COUNT_CAP else str(self.new)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ends (the last item's time and id), and the visit's ``new_since`` carried along."""

    at: datetime
    id: str
    since: datetime

    def encode(self) -> str:
        return f"{_micros(self.at)}.{self.id}.{_micros(self.since)}"

    @staticmethod
    def decode(text: str) -> Cursor:
        try:
            at, doc, since = text.split(".")
            if not doc.isalnum() or len(doc) > 64:
                raise ValueError(doc)
            return Cursor(_from_micros(int(at)), doc, _from_micros(int(since)))
        except (ValueError, OverflowError, OSError):
            raise InvalidArgument(f"not a feed cursor: {text[:80]!r}",
                                  hint="use the `next` of the page before, or leave cursor out") from None


def _micros(at: datetime) -> int:
    return (at - EPOCH) // MICROSECOND


def _from_micros(value: int) -> datetime:
    return EPOCH + value * MICROSECOND


# -- what flagged each document: the latest assessments' signals, kept per assessment ----------------

@dataclass(frozen=True)
class Matches:
    """One scenario's latest assessment, read once: document id → the indicators its signals name, and
    the documents by the time they became known (newest first)."""

    assessment_id: int
    by_document: dict[str, tuple[str, ...]]
    known: tuple[tuple[datetime, str], ...]
    published: bool = False  # ordered by publication time (else by ingest time)


@dataclass
class _Cache:
    matches: dict[str, Matches] = field(default_factory=dict)
    names: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (scenario, version) → names


_CACHES: WeakKeyDictionary[Engine, _Cache] = WeakKeyDictionary()
_LOCK = threading.Lock()


def _cache(engine: Engine) -> _Cache:
    with _LOCK:
        return _CACHES.setdefault(engine, _Cache())


def latest_ids(conn: Connection) -> dict[str, int]:
    """The id of each enabled scenario's latest assessment (one indexed look-up each)."""
    found: dict[str, int] = {}
    for sid in conn.execute(select(S.id).where(S.enabled).order_by(S.id)).scalars():
        row = conn.execute(select(A.id).where(A.scenario_id == sid).order_by(A.at.desc(), A.id.desc())
                           .limit(1)).first()
        if row is not None:
            found[sid] = int(row[0])
    return found


def matches(engine: Engine, conn: Connection, published: bool = False) -> dict[str, Matches]:
    """Every enabled scenario's :class:`Matches`, rebuilt only for a scenario with a newer assessment."""
    cache = _cache(engine)
    current = latest_ids(conn)
    kept = {sid: m for sid, m in cache.matches.items()
            if current.get(sid) == m.assessment_id and m.published == published}
    for sid, aid in current.items():
        if sid not in kept:
            kept[sid] = _read_matches(conn, aid, published)
    cache.matches = kept
    return kept


def _read_matches(conn: Connection, assessment_id: int, published: bool) -> Matches:
    docs = by_document(conn.execute(select(A.signals).where(A.id == assessment_id)).scalar_one() or [])
    return Matches(assessment_id, docs, tuple(_known_order(conn, docs, published)), published)


def by_document(signals: Iterable[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Document id → the indicator ids whose signals name it, in first-seen order."""
    found: dict[str, dict[str, None]] = {}
    for s in signals:
        for doc in s.get("document_ids") or ():
            found.setdefault(doc, {})[str(s.get("indicator_id", ""))] = None
    return {doc: tuple(ids) for doc, ids in found.items()}


def _known_order(conn: Connection, ids: Iterable[str], published: bool) -> list[tuple[datetime, str]]:
    pairs: list[tuple[datetime, str]] = []
    for chunk in chunks(sorted(ids)):
        rows = conn.execute(select(known_column(published), D.id).where(D.id.in_(chunk)))
        pairs += [(r[0], r[1]) for r in rows if r[0] is not None]
    return sorted(pairs, reverse=True)


def scenario_names(engine: Engine, conn: Connection) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Enabled scenarios' names by id, and their indicators' names by (scenario, indicator) — read from
    the stored YAML once per scenario version."""
    cache = _cache(engine)
    names: dict[str, str] = {}
    indicators: dict[tuple[str, str], str] = {}
    for r in conn.execute(select(S.id, S.name, S.version, S.yaml).where(S.enabled).order_by(S.name)):
        names[r.id] = r.name
        key = (r.id, r.version)
        if key not in cache.names:
            cache.names[key] = indicator_names(r.yaml)
        indicators.update({(r.id, i): n for i, n in cache.names[key].items()})
    return names, indicators


def indicator_names(text: str) -> dict[str, str]:
    """Indicator id → name from a scenario's YAML (empty when it cannot be read: ids then stand in)."""
    try:
        loaded = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    items = loaded.get("indicators") if isinstance(loaded, dict) else None
    return {str(i["id"]): str(i.get("name") or i["id"]) for i in items or () if isinstance(i, dict) and "id" in i}


# -- the page --------------------------------------------------------------------------------------

def feed(engine: Engine, q: FeedQuery, now: datetime, mark: datetime | None, published: bool = False,
         access: Access = EVERYTHING) -> Feed:
    """A page of the feed as known at ``now``, new items being those known after ``mark`` (or in the last day);
    ``published``: known by publication time (a workspace in its own time), not by ingest time. Only the
    documents and events ``access`` may see are listed and counted."""
    cursor = Cursor.decode(q.cursor) if q.cursor else None
    since = cursor.since if cursor else (mark if mark is not None else now - FIRST_VISIT)
    with engine.connect() as conn:
        found = matches(engine, conn, published)
        names, indicators = scenario_names(engine, conn)
        if access.restricted:  # the scenarios hidden from the asker flag nothing, and are not named
            found, names = _visible_scenarios(conn, found, names, access)
        if q.scenario is not None and q.scenario not in found and q.scenario not in names:
            raise NotFound(f"no scenario {q.scenario!r} in this workspace",
                           hint="`forewarn scenario list` names them; leave scenario out for every item")
        keys, new = _page_keys(conn, found, q, (now, published), cursor, since, access)
        items = _items(conn, keys[:q.limit], found, names, indicators, (since, published), access)
        newest = newest_known(conn, now, published, access)
    nxt = Cursor(keys[q.limit - 1][0], keys[q.limit - 1][1], since).encode() if len(keys) > q.limit else None
    return Feed(tuple(items), nxt, since, new, now, names, newest)


def _visible_scenarios(conn: Connection, found: dict[str, Matches], names: dict[str, str], access: Access
                       ) -> tuple[dict[str, Matches], dict[str, str]]:
    """The matches and names of the scenarios ``access`` may see."""
    hidden = set(conn.execute(select(S.id).where(S.compartment.in_(sorted(access.hidden)))).scalars())
    return ({k: v for k, v in found.items() if k not in hidden}, {k: v for k, v in names.items() if k not in hidden})


def _page_keys(conn: Connection, found: dict[str, Matches], q: FeedQuery, at: tuple[datetime, bool],
               cursor: Cursor | None, since: datetime, access: Access = EVERYTHING
               ) -> tuple[list[tuple[datetime, str]], int]:
    """The page's (known_at, id) keys (one more than the limit: is there a next page?) and the new count;
    ``at``: now, and whether documents are known by publication time."""
    now, published = at
    if q.scenario is not None or q.flagged:
        known = _flagged_order(found, q.scenario)
        window = _visible_keys(conn, [k for k in known if k[0] <= now], access)
        new = sum(1 for k in window if k[0] > since)
        after = [k for k in window if cursor is None or k < (cursor.at, cursor.id)]
        return after[:q.limit + 1], new
    key = known_column(published)
    query = select(key, D.id).where(key <= now, *hidden_from(D.compartment, access))
    if cursor is not None:
        query = query.where(tuple_(key, D.id) < tuple_(cursor.at, cursor.id))
    keys = [(r[0], r[1]) for r in conn.execute(query.order_by(key.desc(), D.id.desc()).limit(q.limit + 1))]
    return keys, count_new(conn, now, since, published, access)


def _visible_keys(conn: Connection, keys: list[tuple[datetime, str]], access: Access) -> list[tuple[datetime, str]]:
    """The keys of the documents ``access`` may see (all of them, without a read, when nothing is hidden)."""
    if not access.restricted:
        return keys
    hidden: set[str] = set()
    for chunk in chunks(sorted({k[1] for k in keys})):
        hidden.update(conn.execute(select(D.id).where(D.id.in_(chunk), D.compartment.in_(sorted(access.hidden))))
                      .scalars())
    return [k for k in keys if k[1] not in hidden]


def _flagged_order(found: dict[str, Matches], scenario: str | None) -> list[tuple[datetime, str]]:
    if scenario is not None:
        return list(found[scenario].known) if scenario in found else []
    return list(dict.fromkeys(heapq.merge(*(m.known for m in found.values()), reverse=True)))


def count_new(conn: Connection, now: datetime, since: datetime, published: bool = False,
              access: Access = EVERYTHING) -> int:
    """Documents known in (since, now] (that ``access`` may see), counted up to COUNT_CAP + 1 (a bounded index
    range)."""
    key = known_column(published)
    inner = (select(D.id).where(key > since, key <= now, *hidden_from(D.compartment, access))
             .limit(COUNT_CAP + 1).subquery())
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def _items(conn: Connection, keys: Sequence[tuple[datetime, str]], found: dict[str, Matches],
           names: dict[str, str], indicators: dict[tuple[str, str], str], seen: tuple[datetime, bool],
           access: Access = EVERYTHING) -> list[FeedItem]:
    """The page's items; ``seen``: the mark items after which are new, and whether known by publication time."""
    since, published = seen
    ids = [k[1] for k in keys]
    if not ids:
        return []
    docs = {r.id: r for r in conn.execute(select(
        D.id, known_column(published).label("known_at"), D.title, func.substr(D.text, 1, HEADLINE).label("lead"),
        D.published_at, D.source_id).where(D.id.in_(ids)))}
    events, counts = _events(conn, ids, access)
    sources = {r.id: r for r in conn.execute(select(t.sources.c.id, t.sources.c.name, t.sources.c.reliability)
                                             .where(t.sources.c.id.in_({d.source_id for d in docs.values()})))}
    items = []
    for doc_id in ids:
        d, src = docs[doc_id], sources.get(docs[doc_id].source_id)
        shown = tuple(events.get(doc_id, ()))
        items.append(FeedItem(
            doc_id, d.known_at, headline(d.title, d.lead), d.published_at, d.source_id,
            src.name if src else None, src.reliability if src else None,
            next((e.place for e in shown if e.place), None), shown, counts.get(doc_id, 0),
            flags_of(doc_id, found, names, indicators), d.known_at > since))
    return items


def headline(title: str | None, lead: str | None) -> str:
    """The title, else the text's first line (cut at HEADLINE characters)."""
    if title and title.strip():
        return title.strip()
    first = (lead or "").strip().splitlines()
    return first[0][:HEADLINE] if first else "(no text)"


def _events(conn: Connection, ids: Sequence[str], access: Access = EVERYTHING
            ) -> tuple[dict[str, list[FeedEvent]], dict[str, int]]:
    """The first EVENTS_SHOWN events of each document (by position in the text) and each one's count (the
    events ``access`` may see)."""
    seen = hidden_from(E.compartment, access)
    counts = {r[0]: int(r[1]) for r in conn.execute(
        select(E.document_id, func.count()).where(E.document_id.in_(ids), E.negated.is_(False), *seen)
        .group_by(E.document_id))}
    rank = func.row_number().over(partition_by=E.document_id, order_by=(E.start, E.id)).label("rank")
    inner = select(E.document_id, E.id, E.type, E.mode, E.actor_text, E.recipient_text, E.place_name, E.date,
                   rank).where(E.document_id.in_(ids), E.negated.is_(False), *seen).subquery()
    shown: dict[str, list[FeedEvent]] = {}
    for r in conn.execute(select(inner).where(inner.c.rank <= EVENTS_SHOWN).order_by(inner.c.document_id,
                                                                                      inner.c.rank)):
        shown.setdefault(r.document_id, []).append(FeedEvent(r.id, r.type, r.mode, r.actor_text, r.recipient_text,
                                                             r.place_name, r.date))
    return shown, counts


def flags_of(doc_id: str, found: dict[str, Matches], names: dict[str, str],
             indicators: dict[tuple[str, str], str]) -> tuple[Flag, ...]:
    """The indicators (with their scenarios) whose latest signals name the document."""
    return tuple(Flag(sid, names.get(sid, sid), ind, indicators.get((sid, ind), ind))
                 for sid, m in sorted(found.items()) for ind in m.by_document.get(doc_id, ()))


# -- marks -----------------------------------------------------------------------------------------

def mark_of(conn: Connection, account: str) -> datetime | None:
    """The newest item ``account`` has seen, or None (never visited)."""
    v = t.feed_visits.c
    found: datetime | None = conn.execute(select(v.seen_until).where(v.account == account)).scalar()
    return found


def set_mark(conn: Connection, account: str, until: datetime, at: datetime) -> None:
    """Move ``account``'s mark to ``until`` (inside the caller's transaction)."""
    v = t.feed_visits.c
    if conn.execute(select(v.account).where(v.account == account)).first() is None:
        conn.execute(t.feed_visits.insert().values(account=account, seen_until=until, seen_at=at))
    else:
        conn.execute(t.feed_visits.update().where(v.account == account).values(seen_until=until, seen_at=at))


def newest_known(conn: Connection, now: datetime, published: bool = False,
                 access: Access = EVERYTHING) -> datetime | None:
    key = known_column(published)
    found: datetime | None = conn.execute(select(func.max(key)).where(key <= now,
                                                                      *hidden_from(D.compartment, access))).scalar()
    return found


@dataclass(frozen=True)
class FeedDesk:
    """The feed as a service of the workspace (``ws.feed``), for the acting account: a page, a visit
    (the first page of the whole feed, which marks what it showed as seen) and "mark all seen". Moving
    the mark is a ``feed-seen`` ledger entry (who had seen the feed up to when), in one transaction."""

    reads: Reads
    store: SqlStore
    clock: Callable[[], datetime]
    ledger: LedgerService
    # whether documents are known by publication time: while the workspace lives in its own time (a demo, a
    # replayed stream), every document was ingested after it, so the ingest time says nothing
    by_publication: Callable[[], bool] = lambda: False

    def page(self, q: FeedQuery) -> Feed:
        return self.reads.feed(q, self.clock(), self.by_publication())

    def visit(self, q: FeedQuery) -> Feed:
        """A page; on the first page of the unfiltered feed, the account's mark moves to the newest item."""
        found = self.page(q)
        if q.cursor is None and q.scenario is None and not q.flagged and found.newest is not None:
            self._move(found.newest, "visit", found.new)
        return found

    def seen(self) -> datetime | None:
        """Mark everything known by now as seen, recorded even when nothing was new (the account said it
        had read the feed then); returns the mark (None: the feed is empty)."""
        now = self.clock()
        published = self.by_publication()
        newest, new = self.reads.feed_newest(now, published), self.reads.feed_new(now, published)
        if newest is not None:
            self._move(newest, "mark all seen", new, always=True)
        return newest

    def new_count(self) -> int:
        return self.reads.feed_new(self.clock(), self.by_publication())

    def mark(self) -> datetime | None:
        """The newest item the acting account has seen (None: never visited)."""
        return self.reads.feed_mark()

    def _move(self, until: datetime, how: str, new: int, *, always: bool = False) -> None:
        account = self.ledger.who.name
        with self.store.transaction() as conn:
            mark = mark_of(conn, account)
            if mark is not None and mark >= until and not always:
                return  # a visit that saw nothing newer: no change, no entry
            set_mark(conn, account, max(until, mark) if mark else until, self.clock())
            self.ledger.append(conn, "feed-seen", f"user:{account}", {"until": until.isoformat(), "how": how,
                                                                     "new": new, "previous": mark and mark.isoformat()})
