"""Reads of the entity pages: search with capped event counts, one entity with its aliases and merged
members, the events of its merge group (each member and role read in date order from its own index),
its daily activity, and the entities seen most with it — all counted in SQL."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import NotFound
from forewarn.geo.gazetteer import normalize, translit_key
from forewarn.geo.translit import has_cyrillic, romanize
from forewarn.model.marking import EVERYTHING, Access
from forewarn.reads.entity_noise import PlaceCheck, common_words, either, noise_reason
from forewarn.reads.events import EventList, as_date, evidence
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.core import chunks
from forewarn.store.queries import entity_kind, entity_matches, event_record, event_select, via_document, visible_entity

COUNT_CAP = 1_000  # entity event counts stop here ("1,000+")
RECENT_EVENTS = 2_000  # co-occurrence looks at an entity's latest events …
RECENT_DOCUMENTS = 500  # … and at the documents that mention it (a sample)
CHART_DAYS = 366  # an entity's chart: its last year of activity
RANK_EVENTS = 50_000  # "most active" counts the entities' parts in the latest events …
RANK_DOCUMENTS = 5_000  # … and their mentions in the latest documents
RANK_CAP = 20_000  # candidates ranked (and screened for noise) per list
SUGGEST_POOL = 2_000  # the most active candidates looked at for merge suggestions
SUGGESTIONS = 12
SUBSET_KINDS = ("person", "org")  # a group's words are generic ("civilians", "Russian civilians")
WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """One entity: ``origin`` is dictionary, ner or user (edited by a person); ``canonical_id`` and
    ``canonical_name`` name the entity it is merged into (itself if none), ``members`` the entities
    merged into it."""

    id: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    origin: str
    merged_into: str | None
    canonical_id: str
    canonical_name: str
    aliases: tuple[str, ...]
    members: tuple[str, ...]  # entities merged into this one (directly or through a chain)
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True, slots=True)
class EntityRow:
    """An unmerged entity found by a search: ``events`` counts the events its merge group takes part in
    (as actor, plus as recipient), at most 1,000 per role; ``events_capped``: there are more."""

    id: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    aliases: tuple[str, ...]
    events: int  # as actor or recipient, up to COUNT_CAP per role
    events_capped: bool
    recent: int = 0  # events among the latest RANK_EVENTS (what "most active" ranks by)
    mentions: int = 0  # mentions in the latest RANK_DOCUMENTS documents
    last_seen: date | None = None  # its latest event among the latest RANK_EVENTS
    noise: str | None = None  # why it looks like extraction noise (shown only with "show all")


@dataclass(frozen=True, slots=True)
class EntityListing:
    """A page of the entity list: the rows, how many are listed in all, how many were hidden as noise,
    whether the ranking stopped at ``RANK_CAP`` candidates, and the merges worth making."""

    items: tuple[EntityRow, ...]
    total: int
    hidden: int
    capped: bool
    suggestions: tuple[MergeSuggestion, ...]


@dataclass(frozen=True, slots=True)
class Neighbour:
    """An entity seen with another: ``events`` shared (among the other's latest 2,000 per member and
    role), ``documents`` mentioning both (among 500 documents mentioning the other)."""

    id: str  # canonical entity
    name: str
    kind: str
    events: int  # shared events (among the entity's latest)
    documents: int  # shared documents (among a sample of the entity's documents)

    @property
    def weight(self) -> int:
        return self.events + self.documents


def _members(conn: Connection, entity_id: str) -> list[str]:
    """Ids of every entity in the merge group of ``entity_id``'s canonical entity (itself first)."""
    e = t.entities.c
    canon = conn.execute(select(e.canonical_id).where(e.id == entity_id)).scalar()
    if canon is None:
        raise NotFound(f"no entity {entity_id!r}", hint="search the entities list for its id")
    others = conn.execute(select(e.id).where(e.canonical_id == canon, e.id != entity_id).order_by(e.id)).scalars()
    return [entity_id, *others]


def get_entity(engine: Engine, entity_id: str, access: Access = EVERYTHING) -> EntityInfo:
    """One entity; one that only holdings hidden from ``access`` name is as missing (the same NotFound), and so
    are such members of its merge group."""
    e, a = t.entities.c, t.entity_aliases.c
    canon = t.entities.alias("canon")
    with engine.connect() as conn:
        row = conn.execute(select(t.entities, canon.c.name.label("canonical_name"))
                           .select_from(t.entities.outerjoin(canon, canon.c.id == e.canonical_id))
                           .where(e.id == entity_id, *visible_entity(e.canonical_id, access),
                                  *visible_entity(e.id, access, group=False))).first()
        if row is None:
            raise NotFound(f"no entity {entity_id!r}", hint="search the entities list for its id")
        aliases = tuple(conn.execute(select(a.alias).where(a.entity_id == entity_id).order_by(a.alias)).scalars())
        members = tuple(conn.execute(select(e.id).where(e.canonical_id == entity_id, e.id != entity_id,
                                                        *visible_entity(e.id, access, group=False))
                                     .order_by(e.id)).scalars())
    return EntityInfo(row.id, row.name, row.kind, row.country, row.sector, row.origin, row.merged_into,
                      row.canonical_id, row.canonical_name or row.name, aliases, members, row.updated_at,
                      row.updated_by)


def find_entities(engine: Engine, *, kind: str | None, search: str | None, limit: int, offset: int,
                  sort: str = "activity", show_all: bool = False, is_place: PlaceCheck | None = None,
                  access: Access = EVERYTHING) -> EntityListing:
    """Unmerged entities, most active first (events among the latest ``RANK_EVENTS``, then mentions in
    the latest ``RANK_DOCUMENTS`` documents, then the latest event) or by name, with their merge
    group's event counts (capped) and the total. Extraction noise (:mod:`forewarn.reads.entity_noise`)
    is left out unless ``show_all``, and counted; merges worth making are suggested. Only the entities
    ``access`` may see, their activity counted over the events and documents it may see."""
    words = common_words()
    with engine.connect() as conn:
        ranked = conn.execute(_ranked(kind, search, sort, access)).all()
        placed = _placed_names(conn, access)
        check = either(is_place, lambda name: name.casefold() in placed)
        noise = {r.id: noise_reason(r.name, r.kind, r.origin, words=words, is_place=check) for r in ranked}
        kept = [r for r in ranked if show_all or noise[r.id] is None]
        rows = kept[offset:offset + limit]
        ids = [r.id for r in rows]
        aliases = _aliases(conn, ids)
        groups: dict[str, list[str]] = {i: [i] for i in ids}
        if ids:
            e = t.entities.c
            for r in conn.execute(select(e.id, e.canonical_id).where(e.canonical_id.in_(ids), e.id != e.canonical_id)):
                groups[r.canonical_id].append(r.id)
        counts = {i: _capped_count(conn, groups[i], access) for i in ids}
        shared = _shared_aliases(conn, [r.id for r in kept[:SUGGEST_POOL]])
    items = tuple(EntityRow(r.id, r.name, r.kind, r.country, r.sector, tuple(aliases.get(r.id, ())), counts[r.id][0],
                            counts[r.id][1], int(r.recent or 0), int(r.mentioned or 0), _day(r.last), noise[r.id])
                  for r in rows)
    hidden = sum(1 for r in ranked if noise[r.id] is not None)
    pool = [Candidate(r.id, r.name, r.kind, int(r.recent or 0) + int(r.mentioned or 0)) for r in kept[:SUGGEST_POOL]]
    return EntityListing(items, len(kept), hidden, len(ranked) >= RANK_CAP, tuple(suggest_merges(pool, shared)))


def _ranked(kind: str | None, search: str | None, sort: str, access: Access = EVERYTHING) -> Select[Any]:
    """Candidates (id, name, kind, origin, country, sector) with their activity, in the list's order."""
    e, ev, m, d = t.entities.c, t.events.c, t.mentions.c, t.documents.c
    recent = (select(ev.actor_entity_id, ev.recipient_entity_id, ev.date)
              .where(ev.negated == False, *hidden_from(ev.compartment, access))  # noqa: E712
              .order_by(ev.date.desc()).limit(RANK_EVENTS).subquery())
    parties = union_all(select(recent.c.actor_entity_id.label("eid"), recent.c.date),
                        select(recent.c.recipient_entity_id.label("eid"), recent.c.date)).subquery()
    member = t.entities.alias("member")
    by_events = (select(member.c.canonical_id.label("cid"), func.count().label("n"), func.max(parties.c.date)
                        .label("last")).select_from(parties.join(member, member.c.id == parties.c.eid))
                 .group_by(member.c.canonical_id).subquery())
    latest = (select(d.id).where(*hidden_from(d.compartment, access)).order_by(d.published_at.desc().nulls_last())
              .limit(RANK_DOCUMENTS))
    by_mentions = (select(member.c.canonical_id.label("cid"), func.count().label("n"))
                   .select_from(t.mentions.join(member, member.c.id == m.entity_id))
                   .where(m.document_id.in_(latest)).group_by(member.c.canonical_id).subquery())
    conds: list[ColumnElement[bool]] = [e.merged_into.is_(None), *visible_entity(e.id, access),
                                        *visible_entity(e.id, access, group=False)]
    if kind:
        conds.append(e.kind == entity_kind(kind))
    if search:
        conds.append(entity_matches(search, ids_too=True))
    recent_n, mentioned = func.coalesce(by_events.c.n, 0), func.coalesce(by_mentions.c.n, 0)
    q = (select(e.id, e.name, e.kind, e.origin, e.country, e.sector, recent_n.label("recent"),
                mentioned.label("mentioned"), by_events.c.last)
         .select_from(t.entities.outerjoin(by_events, by_events.c.cid == e.id)
                      .outerjoin(by_mentions, by_mentions.c.cid == e.id)).where(*conds))
    order = [e.name, e.id] if sort == "name" else [recent_n.desc(), mentioned.desc(),
                                                    by_events.c.last.desc().nulls_last(), e.name, e.id]
    return q.order_by(*order).limit(RANK_CAP)


def _placed_names(conn: Connection, access: Access = EVERYTHING) -> frozenset[str]:
    """The names (case-folded) the geoparser placed in the latest ``RANK_DOCUMENTS`` documents (that ``access``
    may see)."""
    d, pl = t.documents.c, t.places.c
    latest = (select(d.id).where(*hidden_from(d.compartment, access)).order_by(d.published_at.desc().nulls_last())
              .limit(RANK_DOCUMENTS))
    return frozenset(n.casefold() for n in conn.execute(select(pl.name).where(pl.document_id.in_(latest))
                                                          .distinct()).scalars())


def _aliases(conn: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    a = t.entity_aliases.c
    found: dict[str, list[str]] = {}
    if ids:
        for r in conn.execute(select(a.entity_id, a.alias).where(a.entity_id.in_(ids)).order_by(a.alias)):
            found.setdefault(r.entity_id, []).append(r.alias)
    return found


def _shared_aliases(conn: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    """Aliases (lower-cased) that more than one of ``ids`` carries, with the entities carrying each."""
    a = t.entity_aliases.c
    by_alias: dict[str, list[str]] = {}
    for chunk in chunks(list(ids)):
        for r in conn.execute(select(a.entity_id, a.alias).where(a.entity_id.in_(chunk))):
            by_alias.setdefault(r.alias.casefold(), []).append(r.entity_id)
    return {k: sorted(set(v)) for k, v in by_alias.items() if len(set(v)) > 1}


def _day(value: object) -> date | None:
    return None if value is None else as_date(value)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity the merge suggestions consider: its activity decides which of two stays."""

    id: str
    name: str
    kind: str
    activity: int


@dataclass(frozen=True, slots=True)
class MergeSuggestion:
    """Merge ``from_id`` (the less active) into ``into_id``, and why."""

    from_id: str
    from_name: str
    into_id: str
    into_name: str
    kind: str
    reason: str


def suggest_merges(pool: Sequence[Candidate], shared: dict[str, list[str]] | None = None,
                   most: int = SUGGESTIONS) -> list[MergeSuggestion]:
    """Pairs of entities of one kind that look like one: the same name after normalisation and
    transliteration, one name's words all among the other's (a surname and the full name, when only one
    full name fits), or a shared alias. The less active merges into the more active; each entity is
    suggested once, most active pairs first."""
    by_id = {c.id: c for c in pool}
    pairs: list[tuple[Candidate, Candidate, str]] = []
    keys: dict[tuple[str, str], list[Candidate]] = {}
    for c in pool:
        if len(key := _key(c.name)) >= 3:
            keys.setdefault((c.kind, key), []).append(c)
    pairs += [(a, b, "same name") for group in keys.values() for a, b in itertools.pairwise(group)]
    pairs += _subset_pairs(pool)
    for alias, ids in (shared or {}).items():
        found = [by_id[i] for i in ids if i in by_id]
        pairs += [(a, b, f"shared alias {alias!r}") for a, b in itertools.pairwise(found)
                  if a.kind == b.kind]
    return _distinct(pairs, most)


def _key(name: str) -> str:
    """The name as compared: romanised, normalised, transliteration-folded ("" when nothing is left)."""
    return translit_key(normalize(romanize(name) if has_cyrillic(name) else name))


def _subset_pairs(pool: Sequence[Candidate]) -> list[tuple[Candidate, Candidate, str]]:
    tokens = {c.id: frozenset(_key(name) for name in WORDS.findall(c.name)) - {""} for c in pool}
    by_id = {c.id: c for c in pool}
    holding: dict[tuple[str, str], set[str]] = {}  # (kind, word) → the candidates whose name has it
    for c in pool:
        for word in tokens[c.id]:
            holding.setdefault((c.kind, word), set()).add(c.id)
    found = []
    for short in pool:
        own = tokens[short.id]
        if short.kind not in SUBSET_KINDS or not own or min(len(x) for x in own) < 4:
            continue
        fits = set.intersection(*(holding[(short.kind, word)] for word in own))
        fits = {i for i in fits if i != short.id and own < tokens[i]}
        if len(fits) == 1:
            into = by_id[fits.pop()]
            found.append((short, into, f"{short.name!r} is part of {into.name!r}"))
    return found


def _distinct(pairs: list[tuple[Candidate, Candidate, str]], most: int) -> list[MergeSuggestion]:
    used: set[str] = set()
    out = []
    for a, b, why in sorted(pairs, key=lambda p: -(p[0].activity + p[1].activity)):
        keep, drop = (a, b) if (a.activity, b.id) >= (b.activity, a.id) else (b, a)
        if a.id == b.id or keep.id in used or drop.id in used:
            continue
        used.update((keep.id, drop.id))
        out.append(MergeSuggestion(drop.id, drop.name, keep.id, keep.name, keep.kind, why))
    return out[:most]


def _capped_count(conn: Connection, members: Sequence[str], access: Access = EVERYTHING) -> tuple[int, bool]:
    """Events of a merge group as actor plus as recipient, each counted up to ``COUNT_CAP``."""
    counts = [_capped_count_role(conn, members, role, access) for role in ("actor", "recipient")]
    return sum(n for n, _ in counts), any(capped for _, capped in counts)


def _roles(role: str) -> tuple[str, ...]:
    return ("actor", "recipient") if role == "any" else (role,)


def entity_events(engine: Engine, entity_id: str, role: str, *, limit: int, offset: int,
                  access: Access = EVERYTHING) -> EventList:
    """The events the entity's merge group takes part in (as ``role``: actor, recipient or any), newest
    first, with their evidence, and how many there are (None: more than ``COUNT_CAP``). Each member and
    role is read in date order from its own index, the pieces merged here. Only events ``access`` may see."""
    ev = t.events.c
    seen = hidden_from(ev.compartment, access)
    want = offset + limit
    with engine.connect() as conn:
        members = _members(conn, entity_id)
        keys: set[tuple[date, str]] = set()
        for r in _roles(role):
            for member in members:
                q = (select(ev.date, ev.id).where(ev[f"{r}_entity_id"] == member, ev.negated == False,  # noqa: E712
                                                  *seen).order_by(ev.date.desc(), ev.id.desc()).limit(want))
                keys.update((as_date(x.date), x.id) for x in conn.execute(q))
        page = [i for _, i in sorted(keys, reverse=True)[offset:want]]
        rows = conn.execute(event_select().where(ev.id.in_(page))).all() if page else []
        total: int | None
        if role == "any":
            inner = (select(ev.date).where(or_(ev.actor_entity_id.in_(members), ev.recipient_entity_id.in_(members)),
                                           ev.negated == False, *seen).limit(COUNT_CAP + 1).subquery())  # noqa: E712
            n = int(conn.execute(select(func.count()).select_from(inner)).scalar_one())
            total = n if n <= COUNT_CAP else None
        else:
            n, capped = _capped_count_role(conn, members, role, access)
            total = None if capped else n
    order = {i: k for k, i in enumerate(page)}
    events = sorted((event_record(r) for r in rows), key=lambda e: order[e.id])
    return EventList(tuple(events), evidence(engine, events), total)


def _capped_count_role(conn: Connection, members: Sequence[str], role: str,
                       access: Access = EVERYTHING) -> tuple[int, bool]:
    ev = t.events.c
    n = 0
    for member in members:
        inner = (select(ev.date).where(ev[f"{role}_entity_id"] == member, ev.negated == False,  # noqa: E712
                                       *hidden_from(ev.compartment, access))
                 .limit(COUNT_CAP + 1 - n).subquery())
        n += int(conn.execute(select(func.count()).select_from(inner)).scalar_one())
        if n > COUNT_CAP:
            return COUNT_CAP, True
    return n, False


def entity_daily(engine: Engine, entity_id: str, role: str, access: Access = EVERYTHING) -> list[tuple[date, int]]:
    """Events per day with the entity's merge group as ``role``, over its last ``CHART_DAYS`` days of
    activity in that role (the events ``access`` may see)."""
    ev = t.events.c
    seen = hidden_from(ev.compartment, access)
    with engine.connect() as conn:
        members = _members(conn, entity_id)
        column = ev[f"{role}_entity_id"]
        lasts = [conn.execute(select(ev.date).where(column == m, ev.negated == False, *seen)  # noqa: E712
                              .order_by(ev.date.desc()).limit(1)).scalar() for m in members]
        known = [as_date(x) for x in lasts if x is not None]
        if not known:
            return []
        since = max(known) - timedelta(days=CHART_DAYS - 1)
        rows = conn.execute(select(ev.date, func.count()).where(column.in_(members), ev.negated == False,  # noqa: E712
                                                                ev.date >= since, *seen)
                            .group_by(ev.date).order_by(ev.date)).all()
    return [(as_date(r[0]), int(r[1])) for r in rows]


def cooccurring(engine: Engine, entity_id: str, limit: int = 12, access: Access = EVERYTHING) -> list[Neighbour]:
    """The entities seen most with this one, per canonical entity, counted in SQL: the other party of
    its latest events (``RECENT_EVENTS`` per member and role) and the entities mentioned in a sample of
    the documents that mention it (``RECENT_DOCUMENTS``); only events and documents ``access`` may see."""
    ev, m, e = t.events.c, t.mentions.c, t.entities.c
    seen = hidden_from(ev.compartment, access)
    own = t.entities.alias("own")
    with engine.connect() as conn:
        members = _members(conn, entity_id)
        canon: str = conn.execute(select(e.canonical_id).where(e.id == entity_id)).scalar_one()
        pieces = []
        for role, other in (("actor", "recipient"), ("recipient", "actor")):
            for member in members:
                pieces.append(select(ev[f"{other}_entity_id"].label("other"))
                              .where(ev[f"{role}_entity_id"] == member, ev.negated == False,  # noqa: E712
                                     ev[f"{other}_entity_id"].is_not(None), *seen)
                              .order_by(ev.date.desc()).limit(RECENT_EVENTS).subquery())
        parties = union_all(*(select(p.c.other) for p in pieces)).subquery()
        by_events = (select(own.c.canonical_id.label("cid"), func.count().label("n"))
                     .select_from(parties.join(own, own.c.id == parties.c.other)).group_by(own.c.canonical_id))
        shared_events = {r.cid: int(r.n) for r in conn.execute(by_events)}
        docs = list(conn.execute(select(m.document_id).where(m.entity_id.in_(members),
                                                             *via_document(m.document_id, access)).distinct()
                                 .limit(RECENT_DOCUMENTS)).scalars())
        shared_docs: dict[str, int] = {}
        for i in range(0, len(docs), 500):
            mentioned = (select(m.entity_id.label("other"), m.document_id).where(m.document_id.in_(docs[i:i + 500]))
                         .distinct().subquery())
            q = (select(own.c.canonical_id.label("cid"), func.count(func.distinct(mentioned.c.document_id)).label("n"))
                 .select_from(mentioned.join(own, own.c.id == mentioned.c.other)).group_by(own.c.canonical_id))
            for r in conn.execute(q):
                shared_docs[r.cid] = shared_docs.get(r.cid, 0) + int(r.n)
        shared_events.pop(canon, None)
        shared_docs.pop(canon, None)
        ids = sorted(set(shared_events) | set(shared_docs),
                     key=lambda i: (-(shared_events.get(i, 0) + shared_docs.get(i, 0)), i))[:limit]
        names = {r.id: (r.name, r.kind) for r in conn.execute(select(e.id, e.name, e.kind).where(e.id.in_(ids)))} \
            if ids else {}
    return [Neighbour(i, names.get(i, (i, ""))[0], names.get(i, (i, ""))[1], shared_events.get(i, 0),
                      shared_docs.get(i, 0)) for i in ids]


@dataclass(frozen=True)
class EntityPage:
    """An entity's page: the entity, its daily events as actor and as recipient, its latest events
    (with their evidence) and the entities seen most with it."""

    entity: EntityInfo
    as_actor: tuple[tuple[date, int], ...]
    as_recipient: tuple[tuple[date, int], ...]
    events: EventList
    neighbours: tuple[Neighbour, ...]
