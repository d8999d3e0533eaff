"""The export's read path: the events matching a query as bounded chunks (:class:`forewarn.formats.base.Chunk`),
each with the documents, claims, sources and compartments its events cite, as the asker may see them.

Events come a page at a time from :func:`forewarn.store.export.event_pages` (a keyset in (date, id) order), then
the documents without events (:func:`~forewarn.store.export.eventless_pages`, when the query could match them);
a chunk's documents and claims are read for that chunk only, so memory holds one chunk however many events
match. What the asker may not see never enters a chunk: hidden events are not read, claims hidden from it are
left out, and a source it may not see is not named (an event keeps its source id).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from itertools import chain
from typing import IO, Any, TypeVar

from forewarn.formats.base import Analysis, Chunk, Writer
from forewarn.model import Document
from forewarn.model.marking import Access, Compartment
from forewarn.model.query import EventQuery
from forewarn.model.records import StoredEvent
from forewarn.model.source import Source
from forewarn.store import SqlStore
from forewarn.store.export import event_pages, eventless_pages

Read = tuple[str, str, int | None]  # (kind, id, compartment id): what the read audit records
T = TypeVar("T")
Marked = Callable[[Iterable[Read]], dict[int, Compartment]]  # the compartments of what is read, audited


def export_chunks(store: SqlStore, query: EventQuery, access: Access, sources: Mapping[str, Source],
                  marked: Marked, size: int) -> Iterator[Chunk]:
    """The chunks of the events matching ``query`` (``size`` events at most each). ``sources``: those the asker
    may see, by id; ``marked``: gives the compartments of the events read and records the restricted ones in
    the read audit."""
    with_events = (_chunk(store, events, access, sources, marked) for events in event_pages(store.engine, query,
                                                                                              access, size))
    without = (_documents_chunk(store, documents, access, sources, marked)
               for documents in eventless_pages(store.engine, query, access, size))
    return ahead(chain(with_events, without))


def ahead(items: Iterator[T]) -> Generator[T, None, None]:
    """``items``, the next one made in a thread while the caller works on this one (the database reads of a
    chunk overlap the writing of the one before: the driver lets go of the interpreter while it waits). At most
    one item waits; an error in the thread is raised here; closing the iterator stops the thread."""
    handoff: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(items, handoff, stop), name="export-ahead", daemon=True)
    worker.start()
    try:
        while True:
            ok, item = handoff.get()
            if not ok:
                if item is None:
                    return
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _produce(items: Iterator[Any], handoff: queue.Queue[tuple[bool, Any]], stop: threading.Event) -> None:
    """Hand each item on (then ``(False, None)``, or ``(False, error)``) until ``stop`` is set."""
    try:
        for item in items:
            if not _put(handoff, (True, item), stop):
                return
        _put(handoff, (False, None), stop)
    except Exception as error:  # handed to the caller, raised there
        _put(handoff, (False, error), stop)


def _put(handoff: queue.Queue[tuple[bool, Any]], item: tuple[bool, Any], stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            handoff.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def write(writer: Writer, out: IO[str], chunks: Iterable[Chunk], analysis: Callable[[], Analysis] | None = None
          ) -> int:
    """Drive ``writer`` over ``chunks`` (begin, each chunk, the analysis when given, end); returns the events
    written. The analysis is read only once every chunk is out."""
    writer.begin(out)
    written = sum(writer.chunk(chunk) for chunk in chunks)
    if analysis is not None:
        writer.analysis(analysis())
    writer.end()
    return written


def _documents_chunk(store: SqlStore, documents: list[Document], access: Access, sources: Mapping[str, Source],
                     marked: Marked) -> Chunk:
    """A chunk of documents without events (a partner's bulletin nothing was coded from still travels)."""
    compartments = marked(("document", d.id, d.compartment_id) for d in documents)
    return _cited(store, [], {d.id: d for d in documents}, access, sources, compartments)


def _chunk(store: SqlStore, events: list[StoredEvent], access: Access, sources: Mapping[str, Source],
           marked: Marked) -> Chunk:
    documents = store.get_documents({e.document_id for e in events})
    return _cited(store, events, documents, access, sources, marked(("event", e.id, e.compartment_id) for e in events))


def _cited(store: SqlStore, events: list[StoredEvent], documents: dict[str, Document], access: Access,
           sources: Mapping[str, Source], compartments: dict[int, Compartment]) -> Chunk:
    """The chunk of these events and documents, with the claims, sources and compartments they cite."""
    ids = set(documents)
    named = {s for s in (*(e.source_id for e in events), *(d.source_id for d in documents.values())) if s}
    cited = {i: sources[i] for i in sorted(named) if i in sources}
    held = {d.compartment_id for d in documents.values()} | {s.compartment_id for s in cited.values()}
    missing = {i for i in held if i is not None and i not in compartments}
    if missing:
        compartments = {**compartments, **store.compartments(missing)}
    return Chunk(events=events, documents=documents, claims=store.claims_of_documents(ids, access),
                 sources=cited, compartments=compartments)
