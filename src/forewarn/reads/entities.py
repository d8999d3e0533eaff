"""Reads of the entity pages: search with capped event counts, one entity with its aliases and merged
members, the events of its merge group (each member and role read in date order from its own index),
its daily activity, and the entities seen most with it — all counted in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, func, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import NotFound
from forewarn.reads.events import EventList, as_date, evidence
from forewarn.reads.listing import Listing
from forewarn.store import schema as t
from forewarn.store.queries import entity_kind, entity_matches, event_record, event_select

COUNT_CAP = 1_000  # entity event counts stop here ("1,000+")
RECENT_EVENTS = 2_000  # co-occurrence looks at an entity's latest events …
RECENT_DOCUMENTS = 500  # … and at the documents that mention it (a sample)
CHART_DAYS = 366  # an entity's chart: its last year of activity


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


def get_entity(engine: Engine, entity_id: str) -> EntityInfo:
    e, a = t.entities.c, t.entity_aliases.c
    canon = t.entities.alias("canon")
    with engine.connect() as conn:
        row = conn.execute(select(t.entities, canon.c.name.label("canonical_name"))
                           .select_from(t.entities.outerjoin(canon, canon.c.id == e.canonical_id))
                           .where(e.id == entity_id)).first()
        if row is None:
            raise NotFound(f"no entity {entity_id!r}", hint="search the entities list for its id")
        aliases = tuple(conn.execute(select(a.alias).where(a.entity_id == entity_id).order_by(a.alias)).scalars())
        members = tuple(conn.execute(select(e.id).where(e.canonical_id == entity_id, e.id != entity_id)
                                     .order_by(e.id)).scalars())
    return EntityInfo(row.id, row.name, row.kind, row.country, row.sector, row.origin, row.merged_into,
                      row.canonical_id, row.canonical_name or row.name, aliases, members, row.updated_at,
                      row.updated_by)


def find_entities(engine: Engine, *, kind: str | None, search: str | None, limit: int, offset: int
                  ) -> Listing[EntityRow]:
    """Unmerged entities by name, with their merge group's event counts (capped), and the total."""
    e, a = t.entities.c, t.entity_aliases.c
    conds: list[ColumnElement[bool]] = [e.merged_into.is_(None)]
    if kind:
        conds.append(e.kind == entity_kind(kind))
    if search:
        conds.append(entity_matches(search, ids_too=True))
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(t.entities).where(*conds)).scalar_one())
        rows = conn.execute(select(t.entities).where(*conds).order_by(e.name, e.id).limit(limit).offset(offset)).all()
        ids = [r.id for r in rows]
        aliases: dict[str, list[str]] = {}
        groups: dict[str, list[str]] = {i: [i] for i in ids}
        if ids:
            for r in conn.execute(select(a.entity_id, a.alias).where(a.entity_id.in_(ids)).order_by(a.alias)):
                aliases.setdefault(r.entity_id, []).append(r.alias)
            for r in conn.execute(select(e.id, e.canonical_id).where(e.canonical_id.in_(ids), e.id != e.canonical_id)):
                groups[r.canonical_id].append(r.id)
        counts = {i: _capped_count(conn, groups[i]) for i in ids}
    return Listing(tuple(EntityRow(r.id, r.name, r.kind, r.country, r.sector, tuple(aliases.get(r.id, ())),
                                   counts[r.id][0], counts[r.id][1]) for r in rows), total)


def _capped_count(conn: Connection, members: Sequence[str]) -> tuple[int, bool]:
    """Events of a merge group as actor plus as recipient, each counted up to ``COUNT_CAP``."""
    counts = [_capped_count_role(conn, members, role) for role in ("actor", "recipient")]
    return sum(n for n, _ in counts), any(capped for _, capped in counts)


def _roles(role: str) -> tuple[str, ...]:
    return ("actor", "recipient") if role == "any" else (role,)


def entity_events(engine: Engine, entity_id: str, role: str, *, limit: int, offset: int) -> EventList:
    """The events the entity's merge group takes part in (as ``role``: actor, recipient or any), newest
    first, with their evidence, and how many there are (None: more than ``COUNT_CAP``). Each member and
    role is read in date order from its own index, the pieces merged here."""
    ev = t.events.c
    want = offset + limit
    with engine.connect() as conn:
        members = _members(conn, entity_id)
        keys: set[tuple[date, str]] = set()
        for r in _roles(role):
            for member in members:
                q = (select(ev.date, ev.id).where(ev[f"{r}_entity_id"] == member, ev.negated == False)  # noqa: E712
                     .order_by(ev.date.desc(), ev.id.desc()).limit(want))
                keys.update((as_date(x.date), x.id) for x in conn.execute(q))
        page = [i for _, i in sorted(keys, reverse=True)[offset:want]]
        rows = conn.execute(event_select().where(ev.id.in_(page))).all() if page else []
        total: int | None
        if role == "any":
            inner = (select(ev.date).where(or_(ev.actor_entity_id.in_(members), ev.recipient_entity_id.in_(members)),
                                           ev.negated == False).limit(COUNT_CAP + 1).subquery())  # noqa: E712
            n = int(conn.execute(select(func.count()).select_from(inner)).scalar_one())
            total = n if n <= COUNT_CAP else None
        else:
            n, capped = _capped_count_role(conn, members, role)
            total = None if capped else n
    order = {i: k for k, i in enumerate(page)}
    events = sorted((event_record(r) for r in rows), key=lambda e: order[e.id])
    return EventList(tuple(events), evidence(engine, events), total)


def _capped_count_role(conn: Connection, members: Sequence[str], role: str) -> tuple[int, bool]:
    ev = t.events.c
    n = 0
    for member in members:
        inner = (select(ev.date).where(ev[f"{role}_entity_id"] == member, ev.negated == False)  # noqa: E712
                 .limit(COUNT_CAP + 1 - n).subquery())
        n += int(conn.execute(select(func.count()).select_from(inner)).scalar_one())
        if n > COUNT_CAP:
            return COUNT_CAP, True
    return n, False


def entity_daily(engine: Engine, entity_id: str, role: str) -> list[tuple[date, int]]:
    """Events per day with the entity's merge group as ``role``, over its last ``CHART_DAYS`` days of
    activity in that role."""
    ev = t.events.c
    with engine.connect() as conn:
        members = _members(conn, entity_id)
        column = ev[f"{role}_entity_id"]
        lasts = [conn.execute(select(ev.date).where(column == m, ev.negated == False)  # noqa: E712
                              .order_by(ev.date.desc()).limit(1)).scalar() for m in members]
        known = [as_date(x) for x in lasts if x is not None]
        if not known:
            return []
        since = max(known) - timedelta(days=CHART_DAYS - 1)
        rows = conn.execute(select(ev.date, func.count()).where(column.in_(members), ev.negated == False,  # noqa: E712
                                                                ev.date >= since)
                            .group_by(ev.date).order_by(ev.date)).all()
    return [(as_date(r[0]), int(r[1])) for r in rows]


def cooccurring(engine: Engine, entity_id: str, limit: int = 12) -> list[Neighbour]:
    """The entities seen most with this one, per canonical entity, counted in SQL: the other party of
    its latest events (``RECENT_EVENTS`` per member and role) and the entities mentioned in a sample of
    the documents that mention it (``RECENT_DOCUMENTS``)."""
    ev, m, e = t.events.c, t.mentions.c, t.entities.c
    own = t.entities.alias("own")
    with engine.connect() as conn:
        members = _members(conn, entity_id)
        canon: str = conn.execute(select(e.canonical_id).where(e.id == entity_id)).scalar_one()
        pieces = []
        for role, other in (("actor", "recipient"), ("recipient", "actor")):
            for member in members:
                pieces.append(select(ev[f"{other}_entity_id"].label("other"))
                              .where(ev[f"{role}_entity_id"] == member, ev.negated == False,  # noqa: E712
                                     ev[f"{other}_entity_id"].is_not(None))
                              .order_by(ev.date.desc()).limit(RECENT_EVENTS).subquery())
        parties = union_all(*(select(p.c.other) for p in pieces)).subquery()
        by_events = (select(own.c.canonical_id.label("cid"), func.count().label("n"))
                     .select_from(parties.join(own, own.c.id == parties.c.other)).group_by(own.c.canonical_id))
        shared_events = {r.cid: int(r.n) for r in conn.execute(by_events)}
        docs = list(conn.execute(select(m.document_id).where(m.entity_id.in_(members)).distinct()
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
