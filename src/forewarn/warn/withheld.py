"""Which holdings (documents, events, sources) a reader may not see, as a service the review desk is given:
replay and post-mortem are rebuilt over everything and shown through this (issue 18)."""

from __future__ import annotations

from collections.abc import Sequence

from forewarn.detect.shown import Hidden, hidden_ids
from forewarn.model.marking import Access
from forewarn.store import SqlStore


def hidden_holdings(store: SqlStore, access: Access, documents: Sequence[str], events: Sequence[str],
                    sources: Sequence[str]) -> Hidden:
    """Which of these documents, events and sources ``access`` may not see (none read when nothing is hidden)."""
    if not access.restricted:
        return Hidden()
    with store.engine.connect() as conn:
        return hidden_ids(conn, access, documents=documents, events=events, sources=sources)


def nothing_hidden(access: Access, documents: Sequence[str], events: Sequence[str], sources: Sequence[str]) -> Hidden:
    """For a review desk built without a store (tests): nothing is hidden."""
    return Hidden()
