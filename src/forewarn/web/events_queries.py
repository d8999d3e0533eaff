"""Read queries of the events explorer, the document reader and the entity pages, shaped for the
web: every list is limited and every count, chart and map is aggregated in SQL, so that a page stays
fast with a million events. Filters are the store's own (:func:`forewarn.store.sql.event_filters`),
so the explorer, the API and the command line agree on what a filter means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Engine, Integer, cast, false, func, literal_column, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import NotFound
from forewarn.store import schema as t
from forewarn.store.query import DocumentQuery, EventQuery
from forewarn.store.records import StoredEvent
from forewarn.store.sql import (
    document_filters,
    entity_group,
    entity_kind,
    entity_matches,
    event_filters,
    event_record,
    event_select,
)
from forewarn.web.map import WORLD, BBox, Cluster, cell_size

SNIPPET = 400  # characters of an evidence sentence shown in lists
COUNT_CAP = 1_000  # entity event counts stop here ("1,000+")
RECENT_EVENTS = 2_000  # co-occurrence looks at an entity's latest events …
RECENT_DOCUMENTS = 500  # … and at the documents that mention it (a sample)
CHART_DAYS = 366  # an entity's chart: its last year of activity
TEXT_SCOPE = 10_000  # a text search without dates reads the latest 10,000 documents
WINDOW_DAYS = 30  # the explorer opens on the latest 30 days
FINE_CELL = 0.25  # degrees: the grid the default map view is counted on
_KEY = 100_000  # a cell's sort key: row * _KEY + column (columns < 36,000 at 0.01°)
MAX_RESOLVED = 500  # an actor or recipient filter naming more entities than this stays a subquery
MAX_PLACES = 5_000  # a place filter matching among more places than this stays a substring test
MAX_SINGLES = 400  # single-event cells looked up to link to their event …
SINGLES_UNDER = 5_000  # … when the map shows fewer events than this (else a point links to a zoom)


@dataclass(frozen=True)
class Scope:
    """The filtered events: the store's filters, an optional box, and the actor and recipient filters
    resolved to entity ids up front (``entities``: role → ids, None where a filter names too many to
    list), so that the planner knows how few entities they name and each query of a page does not
    search the entities again."""

    query: EventQuery
    bbox: BBox | None = None
    entities: Mapping[str, list[str] | None] = field(default_factory=dict)
    places: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # the place filter as names and regions

    @cached_property
    def conditions(self) -> tuple[ColumnElement[bool], ...]:
        q, c = self.query, t.events.c
        listed = {role: ids for role, ids in self.entities.items() if ids is not None}
        conds = event_filters(replace(q, actor=None if "actor" in listed else q.actor,
                                       recipient=None if "recipient" in listed else q.recipient,
                                       place=None if self.places is not None else q.place))
        for role, ids in listed.items():
            conds.append(c[f"{role}_entity_id"].in_(ids) if ids else false())
        if self.places is not None:
            names, regions = self.places
            conds.append(or_(c.place_name.in_(names), c.place_admin1.in_(regions)) if names or regions else false())
        if self.bbox is not None:
            b = self.bbox
            conds += [c.place_lat.between(b.s, b.n), c.place_lon.between(b.w, b.e)]
        return tuple(conds)

    def dated(self, first: date, last: date) -> Scope:
        """The scope over these dates (its place filter is resolved again by :func:`with_places`)."""
        return Scope(replace(self.query, date_from=first, date_to=last), self.bbox, self.entities)


def scope(engine: Engine, q: EventQuery, bbox: BBox | None = None) -> Scope:
    """The scope of ``q`` (and ``bbox``), its entity filters resolved (and its place filter, when
    dates bound it)."""
    resolved: dict[str, list[str] | None] = {}
    with engine.connect() as conn:
        for role, spec in (("actor", q.actor), ("recipient", q.recipient)):
            if spec:
                ids = list(conn.execute(entity_group(spec).limit(MAX_RESOLVED + 1)).scalars())
                resolved[role] = ids if len(ids) <= MAX_RESOLVED else None
    return with_places(engine, Scope(q, bbox, resolved))


def with_places(engine: Engine, sc: Scope) -> Scope:
    """The scope with its place filter (a substring of the place's name or region) turned into the
    names and regions of the places it matches among the scope's events: one pass over them instead
    of a case-folded substring test in every query of the page. Only where a date range bounds the
    pass, and the places are not too many to list."""
    q = sc.query
    if not q.place or sc.places is not None or (q.date_from is None and q.date_to is None):
        return sc
    c = t.events.c
    others = Scope(replace(q, place=None), sc.bbox, sc.entities)
    with engine.connect() as conn:
        rows = conn.execute(select(c.place_name, c.place_admin1).where(*others.conditions, c.place_name.is_not(None))
                            .distinct().limit(MAX_PLACES + 1)).all()
    if len(rows) > MAX_PLACES:
        return sc
    needle = q.place.lower()
    names = tuple(sorted({r.place_name for r in rows if needle in r.place_name.lower()}))
    regions = tuple(sorted({r.place_admin1 for r in rows if r.place_admin1 and needle in r.place_admin1.lower()}))
    return Scope(q, sc.bbox, sc.entities, (names, regions))


# -- events ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Evidence:
    """An event's evidence sentence (cut to ``SNIPPET`` characters) and its trigger within it."""

    sentence: str
    trigger_start: int
    trigger_end: int
    cut: bool

    @property
    def parts(self) -> tuple[str, str, str]:
        """(before, trigger, after): to mark the trigger without building markup from text."""
        a, b = self.trigger_start, self.trigger_end
        return self.sentence[:a], self.sentence[a:b], self.sentence[b:]


def count_events(engine: Engine, sc: Scope) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events).where(*sc.conditions)).scalar_one())


def find_events(engine: Engine, sc: Scope, *, limit: int = 50, offset: int = 0,
                days: Sequence[tuple[date, int]] | None = None) -> list[StoredEvent]:
    """A page of events, newest first (by date, then id). Given the filtered events' ``days`` (their
    daily counts), only the dates that hold the page are read: the sort never sees more than a few
    days of events, however many match."""
    ev = t.events.c
    conds = list(sc.conditions)
    if days is not None:
        span = page_dates(days, limit, offset)
        if span is None:
            return []
        first, last, skipped = span
        conds += [ev.date >= first, ev.date <= last]
        offset -= skipped
    query = (event_select().where(*conds).order_by(ev.date.desc(), ev.id.desc()).limit(limit).offset(offset))
    with engine.connect() as conn:
        return [event_record(r) for r in conn.execute(query)]


def page_dates(days: Sequence[tuple[date, int]], limit: int, offset: int) -> tuple[date, date, int] | None:
    """The first and last date holding the events ``offset … offset + limit - 1`` (newest first), and how
    many events lie on later dates; None past the end."""
    newer = 0
    last: date | None = None
    for day, n in sorted(days, reverse=True):
        if last is None:
            if newer + n > offset:
                last, skipped = day, newer
            else:
                newer += n
                continue
        newer += n
        if newer >= offset + limit:
            return day, last, skipped
    return (min(days)[0], last, skipped) if last is not None else None


def get_event(engine: Engine, event_id: str) -> StoredEvent:
    with engine.connect() as conn:
        row = conn.execute(event_select().where(t.events.c.id == event_id)).first()
    if row is None:
        raise NotFound(f"no event {event_id!r}", hint="event ids are listed by GET /api/v1/events")
    return event_record(row)


def evidence(engine: Engine, events: Sequence[StoredEvent]) -> dict[str, Evidence]:
    """The evidence sentence of each event (read from its document's text in SQL, cut short)."""
    if not events:
        return {}
    ev, d = t.events.c, t.documents.c
    q = (select(ev.id, func.substr(d.text, ev.start + 1, SNIPPET).label("text"))
         .select_from(t.events.join(t.documents, d.id == ev.document_id))
         .where(ev.id.in_(sorted({e.id for e in events}))))
    with engine.connect() as conn:
        texts = {r.id: r.text or "" for r in conn.execute(q)}
    found: dict[str, Evidence] = {}
    for e in events:
        text = texts.get(e.id, "")
        length = max(e.end - e.start, 0)
        sentence = text[:length]
        a = min(max(e.trigger_start - e.start, 0), len(sentence))
        b = min(max(e.trigger_end - e.start, a), len(sentence))
        found[e.id] = Evidence(sentence, a, b, length > len(sentence))
    return found


def daily_counts(engine: Engine, sc: Scope) -> list[tuple[date, int]]:
    ev = t.events.c
    query = (select(ev.date, func.count()).where(*sc.conditions).group_by(ev.date).order_by(ev.date))
    with engine.connect() as conn:
        return [(_day(r[0]), int(r[1])) for r in conn.execute(query)]


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def window(engine: Engine, sc: Scope, days: int = WINDOW_DAYS) -> tuple[date, date] | None:
    """The explorer's default date range: the ``days`` days up to the latest event (the latest matching
    event when that range holds none of the filtered events); None when there are no events."""
    ev = t.events.c
    with engine.connect() as conn:
        last = conn.execute(select(func.max(ev.date))).scalar()
        if last is None:
            return None
        last = _day(last)
        first = last - timedelta(days=days - 1)
        hit = conn.execute(select(ev.id).where(*sc.conditions, ev.date >= first, ev.date <= last).limit(1)).first()
        if hit is None:
            found = conn.execute(select(func.max(ev.date)).where(*sc.conditions)).scalar()
            if found is None:
                return first, last
            last = _day(found)
            first = last - timedelta(days=days - 1)
    return first, last


@dataclass(frozen=True, slots=True)
class _Cell:
    gy: int  # grid row and column: floor((lat + 90) / cell), floor((lon + 180) / cell)
    gx: int
    n: int
    lat_sum: float
    lon_sum: float


@dataclass(frozen=True, slots=True)
class MapData:
    view: BBox  # the box shown (fitted to the canvas)
    cell: float  # grid step, degrees
    clusters: list[Cluster]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.clusters)


def _cell_index(engine: Engine, column: Any, offset: int, cell: float) -> Any:
    """floor((column + offset) / cell): the grid row or column (the sum is never negative, so a
    cast truncates like floor on SQLite; PostgreSQL's cast rounds, so it says floor)."""
    scaled = (column + literal_column(str(offset))) / literal_column(repr(float(cell)))
    return func.floor(scaled) if engine.dialect.name == "postgresql" else cast(scaled, Integer)


def _grid(engine: Engine, sc: Scope, cell: float) -> list[_Cell]:
    """The filtered events (inside ``bbox``) counted per grid cell, in SQL (one sort key per cell)."""
    ev = t.events.c
    key = (_cell_index(engine, ev.place_lat, 90, cell) * literal_column(str(_KEY))
           + _cell_index(engine, ev.place_lon, 180, cell)).label("k")
    query = (select(key, func.count().label("n"), func.sum(ev.place_lat).label("slat"),
                    func.sum(ev.place_lon).label("slon"))
             .where(*sc.conditions, ev.place_lat.is_not(None), ev.place_lon.is_not(None))
             .group_by(literal_column("k")))
    with engine.connect() as conn:
        return [_Cell(int(r.k) // _KEY, int(r.k) % _KEY, int(r.n), float(r.slat), float(r.slon))
                for r in conn.execute(query)]


def _merge(cells: Sequence[_Cell], factor: int) -> list[_Cell]:
    """Cells of a grid ``factor`` times coarser."""
    merged: dict[tuple[int, int], _Cell] = {}
    for c in cells:
        key = (c.gy // factor, c.gx // factor)
        m = merged.get(key)
        merged[key] = _Cell(key[0], key[1], c.n, c.lat_sum, c.lon_sum) if m is None else \
            _Cell(key[0], key[1], m.n + c.n, m.lat_sum + c.lat_sum, m.lon_sum + c.lon_sum)
    return list(merged.values())


def map_data(engine: Engine, sc: Scope) -> MapData:
    """The filtered events on a grid. With ``bbox``: the events inside it, in cells sized to it.
    Without: one pass on a fine grid gives where the events are (the view: their box, padded) and,
    merged, the clusters for that view. Cells holding one event link to it."""
    if sc.bbox is not None:
        view = sc.bbox.fitted()
        cell = cell_size(view)
        cells = _grid(engine, sc, cell)
    else:
        fine = _grid(engine, sc, FINE_CELL)
        if fine:  # the box of the occupied cells
            box = BBox(max(min(c.gx for c in fine) * FINE_CELL - 180, -180.0),
                       max(min(c.gy for c in fine) * FINE_CELL - 90, -90.0),
                       min((max(c.gx for c in fine) + 1) * FINE_CELL - 180, 180.0),
                       min((max(c.gy for c in fine) + 1) * FINE_CELL - 90, 90.0))
            view = box.padded(0.15, minimum=1.0).fitted()
        else:
            view = WORLD.fitted()
        factor = max(1, round(cell_size(view) / FINE_CELL))
        cell = FINE_CELL * factor
        cells = _merge(fine, factor)
    many = sum(c.n for c in cells) > SINGLES_UNDER
    singles = {} if many else _singles(engine, sc, [c for c in cells if c.n == 1])
    found = []
    for c in cells:
        s, w = c.gy * cell - 90, c.gx * cell - 180
        one = singles.get((c.lat_sum, c.lon_sum)) if c.n == 1 else None
        found.append(Cluster(lat=c.lat_sum / c.n, lon=c.lon_sum / c.n, count=c.n,
                             cell=BBox(max(w, -180.0), max(s, -90.0), min(w + cell, 180.0), min(s + cell, 90.0)),
                             event_id=one[0] if one else None, document_id=one[1] if one else None,
                             label=one[2] if one else None))
    return MapData(view, cell, found)


def _singles(engine: Engine, sc: Scope, cells: Sequence[_Cell]) -> dict[tuple[float, float], tuple[str, str, str]]:
    """(event id, document id, label) of the one event of each single-event cell, by position; none
    when there are very many such cells (they then link to a zoom like clusters)."""
    if not cells or len(cells) > MAX_SINGLES:
        return {}
    ev = t.events.c
    lats = sorted({c.lat_sum for c in cells})
    query = (select(ev.id, ev.document_id, ev.type, ev.place_name, ev.place_lat, ev.place_lon)
             .where(*sc.conditions, ev.place_lat.in_(lats)))
    wanted = {(c.lat_sum, c.lon_sum) for c in cells}
    found: dict[tuple[float, float], tuple[str, str, str]] = {}
    with engine.connect() as conn:
        for r in conn.execute(query):
            key = (float(r.place_lat), float(r.place_lon))
            if key in wanted and key not in found:
                found[key] = (r.id, r.document_id, f"{r.type} at {r.place_name}")
    return found


# -- documents ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DocumentSummary:
    id: str
    title: str | None
    snippet: str
    source_id: str | None
    published_at: datetime | None
    ingested_at: datetime
    url: str | None
    cluster_id: str
    cluster_size: int


@dataclass(frozen=True, slots=True)
class ClusterMember:
    id: str
    title: str | None
    source_id: str | None
    published_at: datetime | None


def find_documents(engine: Engine, q: DocumentQuery, scope: int | None = TEXT_SCOPE
                   ) -> tuple[list[DocumentSummary], int, bool]:
    """A page of documents, newest published first (undated ones last), without their full text; the
    total; and whether a text search was held to the latest ``scope`` dated documents (it is when no
    date range narrows a search over more documents than that: a substring search reads every text
    it looks at). Dated and undated documents are read apart, so that each is read in index order."""
    d = t.documents.c
    plain = document_filters(replace(q, text=None))
    conds = document_filters(q)
    scoped = False
    with engine.connect() as conn:
        searchable = q.text and scope is not None and q.since is None and q.until is None
        if searchable and int(conn.execute(select(func.count()).select_from(t.documents)
                                           .where(*plain)).scalar_one()) > (scope or 0):
            since = conn.execute(select(d.published_at).where(*plain, d.published_at.is_not(None))
                                 .order_by(d.published_at.desc()).offset((scope or 1) - 1).limit(1)).scalar()
            if since is not None:  # the publication time of the scope-th latest document
                conds.append(d.published_at >= since)
                scoped = True
        if q.text:  # one pass over the texts: the matches' keys give the total and the page
            keys = conn.execute(select(d.published_at, d.id).where(*conds)).all()
            dated = sorted(((k.published_at, k.id) for k in keys if k.published_at is not None),
                           key=lambda k: (-k[0].timestamp(), k[1]))
            undated = sorted(k.id for k in keys if k.published_at is None)
            ids = [i for _, i in dated] + undated
            rows = _summaries(conn, ids[q.offset:q.offset + q.limit])
            return rows, len(ids), scoped
        n_dated = int(conn.execute(select(func.count()).select_from(t.documents)
                                   .where(*conds, d.published_at.is_not(None))).scalar_one())
        n_undated = int(conn.execute(select(func.count()).select_from(t.documents)
                                     .where(*conds, d.published_at.is_(None))).scalar_one())
        page: list[str] = []
        if q.offset < n_dated:
            page += conn.execute(select(d.id).where(*conds, d.published_at.is_not(None))
                                 .order_by(d.published_at.desc(), d.id).limit(q.limit).offset(q.offset)).scalars()
        if len(page) < q.limit and q.offset + len(page) >= n_dated:
            page += conn.execute(select(d.id).where(*conds, d.published_at.is_(None)).order_by(d.id)
                                 .limit(q.limit - len(page)).offset(max(q.offset - n_dated, 0))).scalars()
        return _summaries(conn, page), n_dated + n_undated, False


def _summaries(conn: Connection, ids: Sequence[str]) -> list[DocumentSummary]:
    """The listed documents, in the order of ``ids``."""
    if not ids:
        return []
    d, cl = t.documents.c, t.clusters.c
    rows = conn.execute(select(d.id, d.title, func.substr(d.text, 1, 240).label("snippet"), d.source_id,
                               d.published_at, d.ingested_at, d.url, d.cluster_id,
                               func.coalesce(cl.size, 1).label("size"))
                        .select_from(t.documents.outerjoin(t.clusters, cl.id == d.cluster_id))
                        .where(d.id.in_(list(ids)))).all()
    by_id = {r.id: DocumentSummary(r.id, r.title, r.snippet or "", r.source_id, r.published_at, r.ingested_at,
                                   r.url, r.cluster_id, int(r.size)) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def cluster_of(engine: Engine, cluster_id: str, limit: int = 50) -> tuple[int, list[ClusterMember]]:
    """The size of a duplicate cluster and its first members (oldest publication first)."""
    d = t.documents.c
    with engine.connect() as conn:
        size = conn.execute(select(t.clusters.c.size).where(t.clusters.c.id == cluster_id)).scalar()
        rows = conn.execute(select(d.id, d.title, d.source_id, d.published_at).where(d.cluster_id == cluster_id)
                            .order_by(d.published_at.nulls_last(), d.id).limit(limit)).all()
    return int(size or len(rows)), [ClusterMember(r.id, r.title, r.source_id, r.published_at) for r in rows]


# -- entities ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EntityInfo:
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
    id: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    aliases: tuple[str, ...]
    events: int  # as actor or recipient, up to COUNT_CAP per role
    capped: bool


@dataclass(frozen=True, slots=True)
class Neighbour:
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
                  ) -> tuple[list[EntityRow], int]:
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
    return [EntityRow(r.id, r.name, r.kind, r.country, r.sector, tuple(aliases.get(r.id, ())),
                      counts[r.id][0], counts[r.id][1]) for r in rows], total


def _capped_count(conn: Connection, members: Sequence[str]) -> tuple[int, bool]:
    """Events of a merge group as actor plus as recipient, each counted up to ``COUNT_CAP``."""
    counts = [_capped_count_role(conn, members, role) for role in ("actor", "recipient")]
    return sum(n for n, _ in counts), any(capped for _, capped in counts)


def _roles(role: str) -> tuple[str, ...]:
    return ("actor", "recipient") if role == "any" else (role,)


def entity_events(engine: Engine, entity_id: str, role: str, *, limit: int, offset: int
                  ) -> tuple[list[StoredEvent], int | None]:
    """The events the entity's merge group takes part in (as ``role``: actor, recipient or any), newest
    first, and how many there are (None: more than ``COUNT_CAP``). Each member and role is read in
    date order from its own index, the pieces merged here."""
    ev = t.events.c
    want = offset + limit
    with engine.connect() as conn:
        members = _members(conn, entity_id)
        keys: set[tuple[date, str]] = set()
        for r in _roles(role):
            for member in members:
                q = (select(ev.date, ev.id).where(ev[f"{r}_entity_id"] == member, ev.negated == False)  # noqa: E712
                     .order_by(ev.date.desc(), ev.id.desc()).limit(want))
                keys.update((_day(x.date), x.id) for x in conn.execute(q))
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
    return sorted((event_record(r) for r in rows), key=lambda e: order[e.id]), total


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
        known = [_day(x) for x in lasts if x is not None]
        if not known:
            return []
        since = max(known) - timedelta(days=CHART_DAYS - 1)
        rows = conn.execute(select(ev.date, func.count()).where(column.in_(members), ev.negated == False,  # noqa: E712
                                                                ev.date >= since)
                            .group_by(ev.date).order_by(ev.date)).all()
    return [(_day(r[0]), int(r[1])) for r in rows]


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
