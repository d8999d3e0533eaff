"""The query builders the store and the read services share: document, event and entity filters (the
same conditions wherever a list is filtered) and the event select with each participant's canonical
entity."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Result, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import InvalidArgument
from forewarn.geo.distance import KM_PER_DEGREE, haversine_km
from forewarn.model.extraction import EntityKind
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.query import DocumentQuery, EventClause, EventQuery
from forewarn.model.records import StoredEvent, StoredParticipant, StoredPlace
from forewarn.model.scenario import Region
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.matched import AmongHits


def like(text: str) -> str:
    """A case-insensitive LIKE pattern for a literal substring (escape character: backslash)."""
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def via_document(column: Any, access: Access) -> list[ColumnElement[bool]]:
    """Keep rows whose document (``column``: a document id) ``access`` may see, for tables without a compartment
    of their own (mentions, places, tags, ...): none at all when nothing is hidden from it."""
    if not access.restricted:
        return []
    d = t.documents.c
    return [~exists().where(d.id == column, d.compartment.in_(sorted(access.hidden)))]


def via_source(column: Any, access: Access) -> list[ColumnElement[bool]]:
    """Keep rows whose source (``column``: a source id, maybe NULL) ``access`` may see (sightings)."""
    if not access.restricted:
        return []
    s = t.sources.c
    return [~exists().where(s.id == column, s.compartment.in_(sorted(access.hidden)))]


def visible_entity(column: Any, access: Access, group: bool = True) -> list[ColumnElement[bool]]:
    """Keep the entities (``column``: an entity id; with ``group``, a canonical id standing for its merge group)
    ``access`` may see: those some visible document mentions or some visible event names, and those no hidden
    holding names at all (a dictionary or hand-made entity). None at all when nothing is hidden."""
    if not access.restricted:
        return []
    hidden = sorted(access.hidden)
    mem, m, ev, d = t.entities.alias("vis_member"), t.mentions.c, t.events.c, t.documents.c

    def of(col: Any) -> Any:
        return col.in_(select(mem.c.id).where(mem.c.canonical_id == column)) if group else col == column

    def mentioned(seen: bool) -> Any:
        doc = d.compartment.is_(None) | d.compartment.not_in(hidden) if seen else d.compartment.in_(hidden)
        return exists().where(of(m.entity_id), d.id == m.document_id, doc)

    def named(seen: bool) -> Any:
        cond = ev.compartment.is_(None) | ev.compartment.not_in(hidden) if seen else ev.compartment.in_(hidden)
        return or_(*(exists().where(of(ev[f"{role}_entity_id"]), cond) for role in ("actor", "recipient")))

    return [or_(mentioned(True), named(True), and_(~mentioned(False), ~named(False)))]


def document_filters(q: DocumentQuery, access: Access = EVERYTHING) -> list[ColumnElement[bool]]:
    c = t.documents.c
    conds: list[ColumnElement[bool]] = list(hidden_from(c.compartment, access))
    if q.source_id:
        conds.append(c.source_id == q.source_id)
    if q.run_id is not None:
        conds.append(c.run_id == q.run_id)
    if q.cluster_id:
        conds.append(c.cluster_id == q.cluster_id)
    if q.since:
        conds.append(c.published_at >= q.since)
    if q.until:
        conds.append(c.published_at < q.until)
    if q.language:
        conds.append(c.language == q.language)
    if q.text:
        patterns = [like(word) for word in (q.text, *q.forms)]
        conds.append(or_(*(func.lower(column).like(pattern, escape="\\")
                           for column in (c.text, c.title) for pattern in patterns)))
    return conds


def entity_kind(kind: str) -> str:
    try:
        return EntityKind(kind.lower()).value
    except ValueError:
        raise InvalidArgument(f"unknown entity kind {kind!r}",
                              hint=f"kinds: {', '.join(k.value for k in EntityKind)}") from None


def entity_matches(spec: str, ids_too: bool = False) -> ColumnElement[bool]:
    """Entities whose id is ``spec``, or whose name or an alias contains it (case-insensitive)."""
    e, a = t.entities.c, t.entity_aliases.c
    pattern = like(spec)
    by_alias = select(a.entity_id).where(func.lower(a.alias).like(pattern, escape="\\"))
    by_id = func.lower(e.id).like(pattern, escape="\\") if ids_too else e.id == spec
    return or_(by_id, func.lower(e.name).like(pattern, escape="\\"), e.id.in_(by_alias))


def entity_group(spec: str) -> Any:
    """Ids of the entities matching ``spec`` and of every entity merged with one of them."""
    e = t.entities.c
    canonical = select(e.canonical_id).where(entity_matches(spec))
    return select(e.id).where(e.canonical_id.in_(canonical))


def event_filters(q: EventQuery, access: Access = EVERYTHING) -> list[ColumnElement[bool]]:
    c = t.events.c
    conds: list[ColumnElement[bool]] = list(hidden_from(c.compartment, access))
    if q.types and not _implied_types(q):
        conds.append(c.type.in_(q.types))
    if q.modes:
        conds.append(c.mode.in_(q.modes))
    for role, spec, country in (("actor", q.actor, q.actor_country), ("recipient", q.recipient, q.recipient_country)):
        if spec:
            conds.append(c[f"{role}_entity_id"].in_(entity_group(spec)))
        if country:
            conds.append(c[f"{role}_country"] == country.upper())
    if q.place:
        pattern = like(q.place)
        conds.append(or_(func.lower(c.place_name).like(pattern, escape="\\"),
                         func.lower(c.place_admin1).like(pattern, escape="\\")))
    if q.near is not None:
        conds += _bounding_box(*q.near)
    if q.region is not None:
        conds.append(_in_region(q.region, placed=q.placed is True))
    if q.any_of is not None:
        conds.append(or_(false(), *(_clause(clause) for clause in q.any_of)))
    if q.but_ids:
        conds.append(c.id.not_in(sorted(q.but_ids)))
    conds += _event_scalar_filters(q)
    return conds


def _implied_types(q: EventQuery) -> bool:
    """Does every clause of ``q.any_of`` name types among ``q.types``? The types' own condition is then implied, and
    left out: PostgreSQL would otherwise intersect the clauses' few events with every event of the types."""
    return q.any_of is not None and all(k.types and set(k.types) <= set(q.types) for k in q.any_of)


def _clause(clause: EventClause) -> ColumnElement[bool]:
    """The events ``clause`` admits (its filters as the detectors test them; a region as ``_in_region``)."""
    c = t.events.c
    conds: list[ColumnElement[bool]] = []
    for column, values in ((c.type, clause.types), (c.mode, clause.modes), (c.actor_country, clause.actor_countries),
                           (c.recipient_country, clause.recipient_countries)):
        if values:
            conds.append(column.in_(values))
    if clause.min_confidence > 0:
        conds.append(c.confidence >= clause.min_confidence)
    if clause.region is not None:
        conds.append(_in_region(clause.region, placed=clause.in_admin1))
    if clause.in_admin1:
        conds.append(c.place_admin1.is_not(None))
    if clause.factual:
        conds.append(c.hypothetical.is_(False))
    if clause.hits is not None:
        conds.append(AmongHits(c.id, clause.hits))
    return and_(true(), *conds)


def _event_scalar_filters(q: EventQuery) -> list[ColumnElement[bool]]:
    c = t.events.c
    conds: list[ColumnElement[bool]] = []
    if q.ids is not None:
        conds.append(c.id.in_(q.ids))
    if q.date_from:
        conds.append(c.date >= q.date_from)
    if q.date_to:
        conds.append(c.date <= q.date_to)
    if q.source_id:
        conds.append(c.source_id == q.source_id)
    if q.document_id:
        doc = q.document_id
        conds.append(c.document_id == doc if len(doc) == 64 else c.document_id.startswith(doc, autoescape=True))
    if q.min_confidence is not None:
        conds.append(c.confidence >= q.min_confidence)
    if not q.include_negated:
        conds.append(c.negated.is_(False))
    if q.placed is not None:
        conds.append(c.place_lat.is_not(None) if q.placed else c.place_lat.is_(None))
    return conds


def _bounding_box(lat: float, lon: float, radius_km: float) -> list[ColumnElement[bool]]:
    """A box holding the circle (the exact distance is checked afterwards)."""
    c = t.events.c
    dlat = radius_km / KM_PER_DEGREE
    conds: list[ColumnElement[bool]] = [c.place_lat.between(lat - dlat, lat + dlat)]
    widest = abs(lat) + dlat  # where the circle reaches nearest a pole, a degree of longitude is shortest
    if widest < 89.0:
        dlon = radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest)))
        if lon - dlon >= -180 and lon + dlon <= 180:  # no box across the antimeridian
            conds.append(c.place_lon.between(lon - dlon, lon + dlon))
    return conds


def _in_region(region: Region, *, placed: bool = False) -> ColumnElement[bool]:
    """Events in the region's countries or first-level regions, or without a place but with a
    participant of one of its countries (as ``in_region`` decides; not when only ``placed`` events are asked for,
    which PostgreSQL would look for all the same), or within its radius's bounding box."""
    c = t.events.c
    found: list[ColumnElement[bool]] = []
    if region.countries:
        found.append(c.place_country.in_(region.countries))
    if region.countries and not placed:
        found.append(and_(c.place_name.is_(None), or_(  # the recipient's country, else the actor's
            c.recipient_country.in_(region.countries),
            and_(c.recipient_country.is_(None), c.actor_country.in_(region.countries)))))
    for spec in region.admin1:
        country, _, admin1 = spec.partition(":")
        found.append(and_(c.place_country == country, c.place_admin1 == admin1))
    if region.point is not None and region.radius_km is not None:
        found.append(and_(*_bounding_box(region.point[0], region.point[1], region.radius_km)))
    return or_(*found) if found else false()


def within(lat: float | None, lon: float | None, near: tuple[float, float, float]) -> bool:
    if lat is None or lon is None:
        return False
    return haversine_km(lat, lon, near[0], near[1]) <= near[2]


@functools.cache
def event_select() -> Select[Any]:
    """Events with each participant's canonical entity (id and name). Built once (a statement's methods return new
    statements): its four aliases and their columns took a millisecond a call, several calls a page."""
    ev = t.events
    cols: list[Any] = [ev]
    joined: Any = ev
    for role in ("actor", "recipient"):
        own, canon = t.entities.alias(f"{role}_own"), t.entities.alias(f"{role}_canon")
        joined = (joined.outerjoin(own, own.c.id == ev.c[f"{role}_entity_id"])
                  .outerjoin(canon, canon.c.id == own.c.canonical_id))
        cols += [canon.c.id.label(f"{role}_canonical_id"), canon.c.name.label(f"{role}_name")]
    return select(*cols).select_from(joined)


def event_record(r: Any) -> StoredEvent:
    """The stored event of a row of :func:`event_select` (and any other columns): one row's (a result's rows:
    :func:`events_of`)."""
    return event_records(r._fields)(r)


def events_of(result: Result[Any]) -> Iterator[StoredEvent]:
    """The stored events of a result of :func:`event_select`'s rows, its columns found once."""
    return map(event_records(tuple(result.keys())), result)


_HEAD = ("id", "document_id", "source_id", "published_at", "extractor", "coded_at", "type", "mode")
_TAIL = ("date", "date_precision", "date_from_publication", "negated", "hypothetical", "future", "reported",
         "sentence", "start", "end", "trigger_start", "trigger_end", "confidence", "coder", "compartment")
_PLACE = ("place_name", "place_lat", "place_lon", "place_country", "place_admin1", "place_gazetteer_id",
          "place_precision", "place_text", "place_start", "place_end", "sentence")
_PARTICIPANT = ("entity_id", "canonical_id", "name", "text", "start", "end", "country", "sector")


@functools.lru_cache(maxsize=64)
def event_records(fields: tuple[str, ...]) -> Callable[[Sequence[Any]], StoredEvent]:
    """What makes the stored event of a row with these columns (those of :func:`event_select` among them), each
    column's place found once: a read makes thousands."""
    at = {name: i for i, name in enumerate(fields)}
    head, tail = itemgetter(*(at[n] for n in _HEAD)), itemgetter(*(at[n] for n in _TAIL))
    contexts, actor, recipient = at["contexts"], _participants(at, "actor"), _participants(at, "recipient")
    place = _places(at)

    def record(r: Sequence[Any]) -> StoredEvent:
        return StoredEvent(*head(r), tuple(r[contexts]), actor(r), recipient(r), place(r),  # type: ignore[call-arg]
                           *tail(r))  # the fields in their declared order
    return record


def _participants(at: dict[str, int], role: str) -> Callable[[Sequence[Any]], StoredParticipant | None]:
    """What makes a row's participant in ``role`` (None for none)."""
    entity, canonical, name, text, start, end, country, sector = (at[f"{role}_{n}"] for n in _PARTICIPANT)
    inferred = at.get(f"{role}_inferred")  # the actor's only

    def participant(r: Sequence[Any]) -> StoredParticipant | None:
        entity_id = r[entity]
        if entity_id is None:
            return None
        return StoredParticipant(entity_id, r[canonical] or entity_id, r[name] or r[text], r[text], r[start], r[end],
                                 r[country], r[sector], inferred is not None and bool(r[inferred]))
    return participant


def _places(at: dict[str, int]) -> Callable[[Sequence[Any]], StoredPlace | None]:
    """What makes a row's place (None for none)."""
    name, columns = at["place_name"], itemgetter(*(at[n] for n in _PLACE))

    def place(r: Sequence[Any]) -> StoredPlace | None:
        return None if r[name] is None else StoredPlace(*columns(r))
    return place


