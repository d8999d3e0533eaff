"""The workspace store: SQLAlchemy Core over SQLite (embedded default) or PostgreSQL."""

from forewarn.store.sql import SqlStore, open_store

__all__ = ["SqlStore", "open_store"]
