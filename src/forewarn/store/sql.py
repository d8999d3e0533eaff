"""SqlStore: the workspace store over SQLAlchemy Core, for SQLite and PostgreSQL alike, assembled from
its parts (each a module of this package, all on one engine and one write path)."""

from __future__ import annotations

from forewarn.store.documents import DocumentReads
from forewarn.store.engine import make_engine
from forewarn.store.entities import EntityCuration
from forewarn.store.events import ExtractionReads
from forewarn.store.extraction import ExtractionWrites
from forewarn.store.ingest import IngestWrites
from forewarn.store.runs import SourcesAndRuns
from forewarn.store.stories import StoryReads


class SqlStore(SourcesAndRuns, IngestWrites, DocumentReads, ExtractionWrites, ExtractionReads, EntityCuration,
               StoryReads):
    """The whole store: what the services (ledger, warnings, scenarios, reads, accounts) take. Ingest and
    extraction take only their part of it (:mod:`forewarn.store.interfaces`)."""


def open_store(url: str, *, migrate: bool = True) -> SqlStore:
    store = SqlStore(make_engine(url))
    if migrate:
        store.migrate()
    return store
