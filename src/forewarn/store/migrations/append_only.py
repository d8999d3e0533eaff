"""Append-only tables in the database (issue 17: ``dissents``, ``ach_changes``, ``assumption_matches``), as the
ledger is (0003, 0008), written once here for every migration that makes one.

SQLite: triggers ``<table>_no_update`` and ``<table>_no_delete`` refuse UPDATE and DELETE, and ``<table>_no_replace``
refuses an insert that would replace a row — ``INSERT OR REPLACE`` deletes the row it conflicts with (on the primary
key or on any unique key) without firing the DELETE trigger, so the trigger refuses, before it happens, an insert
that meets an existing row on any of ``keys``. PostgreSQL: the function ``<table>_refuse()`` and the triggers
``<table>_no_change`` (UPDATE or DELETE; an ``ON CONFLICT DO UPDATE`` is an UPDATE) and ``<table>_no_truncate``.
Either way the refusal's message is ``refusal``, which the store's coded error quotes."""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


def protect(table: str, refusal: str, keys: Sequence[Sequence[str]] = (("id",),)) -> None:
    """Make ``table`` append-only; ``keys``: its primary key and unique keys, each a tuple of columns."""
    if op.get_bind().dialect.name == "sqlite":
        _sqlite(table, refusal, keys)
    else:
        _postgresql(table, refusal)


def unprotect(table: str) -> None:
    """After ``table`` was dropped (its triggers go with it): drop its PostgreSQL refusal function."""
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"DROP FUNCTION {table}_refuse()")


def _sqlite(table: str, refusal: str, keys: Sequence[Sequence[str]]) -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{refusal}'); END")
    met = " OR ".join(" AND ".join(f"{c} = NEW.{c}" for c in key) for key in keys)
    op.execute(f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
               f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {met}) "
               f"BEGIN SELECT RAISE(ABORT, '{refusal}'); END")


def _postgresql(table: str, refusal: str) -> None:
    op.execute(f"""CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{refusal}' USING ERRCODE = 'insufficient_privilege'; END $$""")
    op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()")
    op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()")
