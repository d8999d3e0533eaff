"""The read side of the TAXII 2.1 server: the collections an asker may read and the pages of their STIX objects.

A collection groups compartments (model.marking):

- ``open``: the events marked TLP:CLEAR or TLP:GREEN (and those with no compartment): every account reads it;
- ``TEAM-MARKING`` (``north-amber``, ``north-amber-strict``, ``north-red``): the events of that marking owned by
  that team (an event owned by several teams is in each of their collections);
- ``workspace-MARKING``: the restricted events of that marking owned by no team.

An asker is offered a collection only when it may see one of its compartments, and reads in it only the events it
may see (the store's access conditions, as every read). A collection's id is the uuid5 of its name
(:func:`collection_id`), the same on every server and every day.

A collection's objects are the STIX objects (``forewarn.formats.stix.chunk_objects``) of its events, a document at
a time (the document, its events, places, actors, claims and markings), in the order of the document's
``ingested_at`` (each object's ``date_added``), then document id, then the object's place among the document's
objects. Pages resume at a :class:`Cursor` on that order, so no page repeats or skips an object of the pages
before it, whatever is ingested meanwhile. A shared object (a marking definition, a source's identity, a place)
comes once per page that needs it (the same id and version each time). The restricted events and documents a page
serves are recorded in the read audit, as every read of them.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import InvalidArgument, NotFound
from forewarn.formats.base import Chunk
from forewarn.formats.stix import chunk_objects
from forewarn.model import Document, Source
from forewarn.model.marking import Access, Compartment
from forewarn.model.records import StoredEvent
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store.access import compartment_of, hidden_from
from forewarn.store.core import chunks
from forewarn.store.queries import event_record, event_select

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
OPEN_NAME = "open"
NO_TEAM = "workspace"  # the collections of restricted events owned by no team: workspace-amber …
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/forewarn/forewarn/docs/taxii.md")
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
BATCH = 256  # documents read per query at most while a page fills (the first query reads about what the page needs)
PER_DOCUMENT = 8  # objects a document gives, about (a report, sightings, actors, places, notes)
SCAN = 2000  # documents a page looks through at most (a filter that matches little ends a page short)

Read = tuple[str, str, int | None]
Objects = Callable[[Chunk, set[str]], Iterator[dict[str, Any]]]


def collection_id(name: str) -> str:
    """The collection's id: uuid5 of its name in forewarn's TAXII namespace."""
    return str(uuid.uuid5(NAMESPACE, name))


def marking_slug(c: Compartment) -> str:
    """``TLP:AMBER+STRICT`` → ``amber-strict``."""
    return c.marking.value.removeprefix("TLP:").replace("+", "-").lower()


def names_of(c: Compartment) -> list[tuple[str, str]]:
    """The collections a compartment belongs to: (name, title) each."""
    if not c.restricted:
        return [(OPEN_NAME, "Open events (TLP:CLEAR, TLP:GREEN)")]
    owners = [(f"{team}-{marking_slug(c)}", f"{c.marking.value} events of team {team}") for team in c.teams]
    return owners or [(f"{NO_TEAM}-{marking_slug(c)}", f"{c.marking.value} events owned by no team")]


@dataclass(frozen=True)
class Collection:
    """A collection as one asker sees it: ``compartments``: the ids of the compartments it holds that the asker may
    see (``open`` also holds the events with no compartment)."""

    name: str
    title: str
    compartments: frozenset[int] = frozenset()

    @property
    def id(self) -> str:
        return collection_id(self.name)

    @property
    def open(self) -> bool:
        return self.name == OPEN_NAME

    @property
    def description(self) -> str:
        if self.open:
            return "The STIX objects of the events every account may read, with their documents, places and claims."
        return (f"The STIX objects of the {self.title} that you may read, with their documents, places and claims; "
                "every read is recorded in the read audit.")


@dataclass(frozen=True)
class Cursor:
    """Where a page resumes: the document (its ``ingested_at`` and id) and the place among its objects."""

    added: datetime
    document: str
    index: int

    @property
    def token(self) -> str:
        raw = f"{self.added.isoformat()}|{self.document}|{self.index}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> Cursor:
        """The cursor of a ``next`` value (InvalidArgument when it is not one this server gave)."""
        try:
            added, document, index = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split("|")
            at = datetime.fromisoformat(added)
            if at.tzinfo is None or not index.isdigit():
                raise ValueError(token)
            return cls(at.astimezone(UTC), document, int(index))
        except (ValueError, binascii.Error, UnicodeDecodeError) as bad:
            raise InvalidArgument(f"next {token[:80]!r} is not a page this server gave",
                                  hint="pass the `next` of the previous answer unchanged, with the same filters"
                                  ) from bad


@dataclass(frozen=True)
class Filter:
    """The TAXII filters of a request: ``added_after`` (strictly after), ``match[id]``, ``match[type]``,
    ``match[spec_version]`` and ``match[version]``: every object here has one version, so ``first``, ``last`` and
    ``all`` give it, and ``versions`` (the timestamps asked for; empty: any) give it where it is one of them."""

    added_after: datetime | None = None
    ids: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    spec_versions: frozenset[str] = frozenset()
    versions: frozenset[datetime] = frozenset()

    def keeps(self, obj: Mapping[str, Any]) -> bool:
        return ((not self.ids or obj["id"] in self.ids) and (not self.types or obj["type"] in self.types)
                and (not self.spec_versions or obj.get("spec_version", "2.1") in self.spec_versions)
                and (not self.versions or version_time(obj) in self.versions))


def version_of(obj: Mapping[str, Any]) -> str:
    """An object's version: its ``modified`` (its ``created`` where it has none)."""
    return str(obj.get("modified") or obj.get("created") or "")


def version_time(obj: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(version_of(obj)).astimezone(UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Added:
    """A STIX object and when it was added to the collection (its document's ``ingested_at``)."""

    object: Mapping[str, Any]
    date_added: datetime


@dataclass(frozen=True)
class ObjectPage:
    objects: tuple[Added, ...]
    next: Cursor | None  # None: the last page

    @property
    def more(self) -> bool:
        return self.next is not None


@dataclass(frozen=True)
class Unit:
    """One document's objects in a collection, in the order the writer gives them."""

    added: datetime
    document: str
    objects: tuple[Mapping[str, Any], ...]
    reads: tuple[Read, ...]


@dataclass(frozen=True)
class Start:
    """Where a query for documents starts: at (``inclusive``) or after a document, in (ingested_at, id) order."""

    added: datetime
    document: str
    inclusive: bool


@dataclass
class TaxiiReads:
    """The collections and objects one asker may read (``marked``: Reads' audited compartment lookup;
    ``sources``: the sources the asker may see; ``writer``: the STIX objects of a chunk, by default
    ``forewarn.formats.stix.chunk_objects``)."""

    store: SqlStore
    access: Access
    marked: Callable[[Iterable[Read]], Mapping[int, Compartment]]
    sources: Callable[[], list[Source]]
    writer: Objects | None = None
    _sources: dict[str, Source] | None = field(default=None, repr=False)

    def collections(self) -> list[Collection]:
        """``open``, then the collections of the restricted compartments the asker may see, by name."""
        held: dict[str, tuple[str, set[int]]] = {OPEN_NAME: (names_of(Compartment())[0][1], set())}
        with self.store.engine.connect() as conn:
            for row in conn.execute(select(t.compartments)):
                if self.access.sees(row.id):
                    for name, title in names_of(compartment_of(row)):
                        held.setdefault(name, (title, set()))[1].add(row.id)
        ordered = [OPEN_NAME, *sorted(n for n in held if n != OPEN_NAME)]
        return [Collection(n, held[n][0], frozenset(held[n][1])) for n in ordered]

    def collection(self, cid: str) -> Collection:
        """One collection by id (NotFound for an unknown id and for one the asker may not read: the same answer)."""
        for c in self.collections():
            if c.id == cid.lower():
                return c
        raise NotFound(f"no collection {cid[:80]!r} here", hint="list the collections: GET the collections/ resource")

    def objects(self, c: Collection, f: Filter, limit: int, after: Cursor | None = None, *,
                scan: int | None = SCAN) -> ObjectPage:
        """A page of at most ``limit`` objects matching ``f``, from ``after`` on (``scan``: the most documents a
        page looks through; None: all). The restricted documents and events it serves objects of are audited."""
        served: dict[Read, None] = {}
        page = self._fill(c, f, limit, after, scan, served)
        self.marked(served)
        return page

    def object(self, c: Collection, object_id: str, f: Filter, limit: int, after: Cursor | None = None
               ) -> ObjectPage:
        """The versions of one object matching ``f`` (NotFound when the asker may read none in the collection)."""
        one = Filter(f.added_after, frozenset({object_id}), f.types, f.spec_versions, f.versions)
        found = self.objects(c, one, limit, after, scan=None)
        if not found.objects and after is None:
            raise NotFound(f"no object {object_id[:100]!r} in collection {c.id}",
                           hint="list the collection's objects (or its manifest) to find the ids")
        return found

    def _fill(self, c: Collection, f: Filter, limit: int, after: Cursor | None, scan: int | None,
              served: dict[Read, None]) -> ObjectPage:
        out: list[Added] = []
        ids: set[str] = set()
        for n, unit in enumerate(self._units(c, f, after, max(2, limit // PER_DOCUMENT)), 1):
            start = after.index if after and unit.document == after.document else 0
            for i, obj in enumerate(unit.objects[start:], start):
                if not f.keeps(obj) or obj["id"] in ids:
                    continue
                if len(out) == limit:
                    return ObjectPage(tuple(out), Cursor(unit.added, unit.document, i))
                out.append(Added(obj, unit.added))
                ids.add(obj["id"])
                served.update(dict.fromkeys(unit.reads))
                if f.ids and ids >= f.ids:  # every object asked for by id found (each has one version)
                    return ObjectPage(tuple(out), None)
            if scan is not None and n >= scan:
                return ObjectPage(tuple(out), Cursor(unit.added, unit.document, len(unit.objects)))
        return ObjectPage(tuple(out), None)

    # -- documents, a batch at a time -----------------------------------------------------------------------
    def _units(self, c: Collection, f: Filter, after: Cursor | None, first: int) -> Iterator[Unit]:
        """The collection's documents from ``after`` on, ``first`` then twice as many at each read (up to BATCH)."""
        at = Start(after.added, after.document, True) if after else None
        size = min(first, BATCH)
        while True:
            batch = self._documents(c, f.added_after, at, size)
            yield from self._objects_of(c, batch)
            if len(batch) < size:
                return
            at, size = Start(batch[-1][1], batch[-1][0], False), min(2 * size, BATCH)

    def _documents(self, c: Collection, added_after: datetime | None, at: Start | None, size: int
                   ) -> list[tuple[str, datetime]]:
        """The next documents of the collection the asker may see (id, ingested_at), from ``at`` on."""
        d, e = t.documents.c, t.events.c
        held = exists().where(e.document_id == d.id, self._in(c), *hidden_from(e.compartment, self.access))
        where: list[ColumnElement[bool]] = [held, *hidden_from(d.compartment, self.access)]
        if added_after is not None:
            where.append(d.ingested_at > added_after)
        if at is not None:
            same = d.id >= at.document if at.inclusive else d.id > at.document
            where.append(or_(d.ingested_at > at.added, (d.ingested_at == at.added) & same))
        q = select(d.id, d.ingested_at).where(*where).order_by(d.ingested_at, d.id).limit(size)
        with self.store.engine.connect() as conn:
            return [(r.id, r.ingested_at) for r in conn.execute(q)]

    def _in(self, c: Collection) -> ColumnElement[bool]:
        """The events of the collection's compartments."""
        column = t.events.c.compartment
        ids = sorted(c.compartments)
        if c.open:
            return column.is_(None) | column.in_(ids) if ids else column.is_(None)
        return column.in_(ids)

    def _objects_of(self, c: Collection, batch: Sequence[tuple[str, datetime]]) -> Iterator[Unit]:
        if not batch:
            return
        ids = [doc for doc, _ in batch]
        events = self._events(c, ids)
        documents = self.store.get_documents(ids)
        claims = self.store.claims_of_documents(ids, self.access)
        held = [e.compartment_id for found in events.values() for e in found]
        sources = [s.compartment_id for d in documents.values() for s in self._source_of(d).values()]
        compartments = self.store.compartments([*held, *sources, *(d.compartment_id for d in documents.values())])
        write = self.writer or chunk_objects
        for doc, added in batch:
            chunk = Chunk(events.get(doc, []), {doc: documents[doc]}, {doc: claims.get(doc, [])},
                          self._source_of(documents[doc]), compartments)
            reads = (("document", doc, documents[doc].compartment_id),
                     *(("event", e.id, e.compartment_id) for e in chunk.events))
            yield Unit(added, doc, tuple(write(chunk, set())), reads)

    def _events(self, c: Collection, ids: list[str]) -> dict[str, list[StoredEvent]]:
        """The collection's events of these documents that the asker may see, by document."""
        e = t.events.c
        found: dict[str, list[StoredEvent]] = {}
        with self.store.engine.connect() as conn:
            for part in chunks(ids):
                q = event_select().where(e.document_id.in_(part), self._in(c), *hidden_from(e.compartment, self.access))
                for r in conn.execute(q.order_by(e.document_id, e.id)):
                    found.setdefault(r.document_id, []).append(event_record(r))
        return found

    def _source_of(self, doc: Document) -> dict[str, Source]:
        if self._sources is None:
            self._sources = {s.id: s for s in self.sources()}
        s = self._sources.get(doc.source_id or "")
        return {s.id: s} if s is not None else {}
