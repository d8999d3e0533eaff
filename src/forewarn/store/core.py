"""What every part of the store shares: the engine, the one write path (transactions, the writer lock,
after-commit hooks), migrations, and the bulk statements of the hot paths."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from forewarn.store.engine import DOING, WRITE

MIGRATIONS = Path(__file__).parent / "migrations"
NOTES = "forewarn_notes"  # conn.info key: what a transaction() noted for the after-commit hooks
IN_CHUNK = 900  # bound parameters per IN (...) clause, well under SQLite's limit


T = TypeVar("T")


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), IN_CHUNK):
        yield values[i:i + IN_CHUNK]


def begun(engine: Engine, read: Callable[[], T]) -> Callable[[], T]:
    """``read`` of ``engine`` begun now in a thread of its own (on its own connections), beside the caller's work;
    what it returns gives its result, waiting for it (or raises what it raised). On an in-memory SQLite database,
    which another thread's connection would see empty, it is read when its result is asked for instead."""
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return read
    pool = ThreadPoolExecutor(max_workers=1)
    found = pool.submit(read)
    pool.shutdown(wait=False)  # its one thread ends with the read
    return found.result


def reads_beside(engine: Engine) -> bool:
    """Whether splitting a long read of ``engine`` to read its parts side by side pays: on a database server
    (PostgreSQL) each connection reads in a process of its own, on another core; SQLite reads in this process,
    where the parts' threads take turns."""
    return engine.dialect.name == "postgresql"


def side_by_side(engine: Engine, reads: Sequence[Callable[[], Any]]) -> list[Any]:
    """The results of ``reads`` of ``engine``, in order, run side by side (:func:`begun`): while one waits on the
    database, another builds its rows. The first runs in the caller's thread."""
    later = [begun(engine, read) for read in reads[1:]]
    return [read() for read in (*reads[:1], *later)]


def among(conn: Connection, column: Any, values: list[Any]) -> Iterator[ColumnElement[bool]]:
    """Conditions that ``column`` is one of ``values``, one query each: on PostgreSQL a single one, the values one
    array parameter (``= ANY(:values)``: an IN list of hundreds of parameters costs milliseconds to expand, send
    and parse before the index is read); elsewhere an IN list per chunk. None for no values."""
    if conn.dialect.name != "postgresql":
        yield from (column.in_(chunk) for chunk in chunks(values))
    elif values:
        yield column == any_(bindparam(None, values, type_=ARRAY(column.type)))


def migrations_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration of the store's migrations (run on ``conn`` when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@functools.cache
def _head() -> str:
    """The latest migration's revision, found once per process."""
    head = ScriptDirectory.from_config(migrations_config()).get_current_head()
    assert head is not None  # the migrations have one head
    return head


class StoreCore:
    """The engine and the write path; each part of :class:`~forewarn.store.sql.SqlStore` builds on it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.after_commit: dict[str, Callable[[dict[str, Any]], None]] = {}  # see transaction()
        self.writes = 0  # write transactions begun: lets a command say whom it recorded
        self._open = threading.local()  # this thread's transaction() while it is open

    def _write(self, doing: str | None = None) -> AbstractContextManager[Connection]:
        """A write transaction: every change to the workspace goes through here. Inside
        :meth:`transaction` (same thread) a write joins that transaction: an action and its ledger
        entry commit together or not at all. ``doing`` is named in a database error's message."""
        joined: Connection | None = getattr(self._open, "conn", None)
        if joined is not None:
            return nullcontext(joined)
        self.writes += 1
        return self.engine.execution_options(**{WRITE: True, DOING: doing}).begin()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The write path for the modules that keep their own tables (warnings, ledger): one
        transaction, the writer lock taken up front on SQLite. What the transaction notes in
        ``conn.info[NOTES]`` (the ledger notes its new head) goes to each ``after_commit`` hook once
        it has committed (automatic ledger anchors); nothing goes after a rollback."""
        if getattr(self._open, "conn", None) is not None:
            raise RuntimeError("store transactions do not nest")
        notes: dict[str, Any] = {}
        with self._write() as conn:
            conn.info[NOTES] = notes
            self._open.conn = conn
            try:
                yield conn
            finally:
                self._open.conn = None
                conn.info.pop(NOTES, None)
        for hook in list(self.after_commit.values()):
            hook(notes)

    # -- lifecycle -------------------------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the latest revision; a store already there is left as it is, without loading the
        migrations (each open would otherwise compile every one of them: 35–45 ms)."""
        with self._write("opening the workspace store") as conn:
            if MigrationContext.configure(conn).get_current_heads() == (_head(),):
                return
            command.upgrade(migrations_config(conn), "head")

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def close(self) -> None:
        self.engine.dispose()

    # -- bulk statements -------------------------------------------------------------------
    def _marks(self, n: int) -> str:
        return ", ".join(["?" if self.dialect == "sqlite" else "%s"] * n)

    def _insert(self, tx: Connection, table: Table, rows: Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]],
                names: Sequence[str] = ()) -> None:
        """Bulk INSERT that skips rows whose key already exists (a concurrent writer got there
        first). The ingest hot path: dict rows go through each column type's own bind processor (the
        dialect's, so a stored value looks exactly like one SQLAlchemy binds in a query), then straight
        to the driver's executemany, without SQLAlchemy's per-row statement work.
        Tuple rows (with ``names``) must already hold driver values."""
        if not rows:
            return
        if names:
            values = rows
        else:
            names = list(rows[0])
            values = driver_rows(tx, table, rows)  # type: ignore[arg-type]
        verb, tail = ("INSERT OR IGNORE", "") if self.dialect == "sqlite" else ("INSERT", " ON CONFLICT DO NOTHING")
        columns = ", ".join(tx.dialect.identifier_preparer.quote(n) for n in names)  # "end" is a keyword
        tx.exec_driver_sql(f"{verb} INTO {table.name} ({columns}) VALUES ({self._marks(len(names))}){tail}", values)

def driver_rows(tx: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Dict rows (all with the keys of the first) as tuples of driver values: each column type's own bind
    processor applied (the dialect's), so a stored value looks exactly like one SQLAlchemy binds in a query."""
    procs = [(i, p) for i, n in enumerate(rows[0])
             if (p := table.c[n].type.dialect_impl(tx.dialect).bind_processor(tx.dialect))]
    return [_processed(tuple(row.values()), procs) for row in rows]


def _processed(row: tuple[Any, ...], procs: list[tuple[int, Any]]) -> tuple[Any, ...]:
    values = list(row)
    for i, proc in procs:
        values[i] = proc(values[i])
    return tuple(values)
