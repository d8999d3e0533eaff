"""PostgreSQL's bulk insert through COPY (psycopg 3), storing what an executemany of ``INSERT … ON CONFLICT DO
NOTHING`` stores: the rows in their order (a serial id taken in row order), a row whose key exists already skipped.

The rows are copied straight into the table, under a savepoint. A batch's look-ups have left out what the store
holds, so that is all it takes (one COPY a table, whatever the number of rows), except where a row exists after all
(a concurrent ingest got there first, or a caller writes the same batch twice): the unique violation rolls back to
the savepoint and the rows go again, through a staging table (temporary, the target's columns and types plus a row
number, made with ``CREATE TABLE … AS … WITH NO DATA``, dropped by the same statement list) and one ``INSERT …
SELECT … ORDER BY … ON CONFLICT DO NOTHING``. Either way it is the caller's transaction: a failed batch leaves
nothing behind.

Values go through psycopg's ``Copy.write_row`` (its dumpers escape tabs, backslashes and newlines) after each column
type's bind processor, as SQLAlchemy binds them (:func:`forewarn.store.core.driver_rows`). An error of the COPY
comes out coded, like every error of the store's connections (:func:`~forewarn.store.engine.store_error`). Long
texts are compressed with LZ4 in an ingest's transactions (:func:`compress_fast`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.errors import UniqueViolation
from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from forewarn.store.engine import DOING, store_error

ROW = "forewarn_row"  # the staging table's row number: the INSERT keeps the rows' order


def compress_fast(tx: Connection) -> None:
    """Long texts compressed with LZ4 rather than pglz for the rest of the transaction, where the server has it
    (PostgreSQL ≥ 14 built with lz4): the same values, compressed several times faster (and read back faster)."""
    tx.exec_driver_sql("SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
                       "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")


def copy_insert(tx: Connection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (driver values of the columns ``names``) into ``table``, skipping those whose key exists."""
    if not rows:
        return
    quote = tx.dialect.identifier_preparer.quote  # "end", "new" are keywords
    target, columns = quote(table.name), ", ".join(quote(n) for n in names)
    try:
        try:
            with tx.begin_nested():
                _copy(tx, f"COPY {target} ({columns}) FROM STDIN", rows)
        except UniqueViolation:
            stage = f"forewarn_stage_{table.name}"
            tx.exec_driver_sql(f"CREATE TEMPORARY TABLE {stage} AS SELECT 0::bigint AS {ROW}, {columns} "
                               f"FROM {target} WITH NO DATA")
            _copy(tx, f"COPY {stage} ({ROW}, {columns}) FROM STDIN", [(i, *row) for i, row in enumerate(rows)])
            tx.exec_driver_sql(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {stage} ORDER BY {ROW} "
                               f"ON CONFLICT DO NOTHING; DROP TABLE {stage}")
    except psycopg.Error as err:  # of a COPY: the statements above come out coded by the engine's hook
        wrapped = DBAPIError.instance(None, None, err, psycopg.Error, hide_parameters=True, dialect=tx.dialect)
        raise store_error(wrapped, tx.get_execution_options().get(DOING)) from None  # type: ignore[arg-type]


def _copy(tx: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    with tx.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)
