"""A warning's history: its ledger entries, oldest first, as they are shown (payloads redacted by
the ledger's one read path, :func:`forewarn.ledger.query.row_entry`)."""

from __future__ import annotations

from sqlalchemy import Connection

from forewarn.ledger.query import fetch, select_entries
from forewarn.model import LedgerEntry


def entries_about(conn: Connection, subject: str) -> list[LedgerEntry]:
    """The entries about ``subject`` (``warning:12``), in chain order."""
    return fetch(conn, select_entries(subject=subject))
