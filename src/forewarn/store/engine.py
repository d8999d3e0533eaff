"""The store's engines: SQLite's connection settings, PostgreSQL's URL check and settings, and the one place where a
database error becomes a coded error.

Every connection of the store, whoever opens it (the store itself or a service it backs), comes from
an engine made here, whose ``handle_error`` hook turns an error of the database driver into a
:class:`~forewarn.errors.ForewarnError` that never repeats the statement or its parameters (they may
hold document text): FW-E041 for a full disk or quota, else FW-E002."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DataError, DBAPIError, NoSuchModuleError, OperationalError

from forewarn.errors import ForewarnError, StorageFull, StoreUnavailable, UnstorableValue

WRITE = "forewarn_write"  # execution option of the one write path
DOING = "forewarn_doing"  # execution option: what a connection is for, named in its errors
REFUSALS = {"SQLITE_CONSTRAINT_TRIGGER", "42501"}  # the schema's own triggers refusing (the ledger is append-only)


def make_engine(url: str) -> Engine:
    engine = _sqlite_engine(url) if url.startswith("sqlite") else _server_engine(url)
    event.listen(engine, "handle_error", coded_error)
    return engine


# The store's session settings on PostgreSQL, before the URL's own options (which override them: a later -c wins).
# jit=off: PostgreSQL compiles a statement it estimates costly to machine code. The store's reads are index reads
# whose estimates run high: compiling a post-mortem's read at 10 M events took 4.4 s against 3.5 s of execution
# (the compile runs in the parallel workers too); with it off that post-mortem took 5.6 s instead of 8.0 s.
# work_mem=32MB: a review's bitmap scans over a region's events went lossy at the default 4 MB and rechecked every
# row of their pages; a 120-day replay's five largest statements took 3.9 s instead of 4.7 s.
# TimeZone=UTC: the store's times are UTC (SQLite's too); a day cut from a time in SQL is a UTC day whatever the
# server's own zone, and the driver gives the times back in the UTC of the standard library, which the store's
# column type passes on as they are (a review reads 150,000 and more; a zone of the zoneinfo database, even
# "Etc/UTC", is converted one by one).
SERVER_OPTIONS = "-c jit=off -c work_mem=32MB -c TimeZone=UTC"


def _server_engine(url: str) -> Engine:
    try:
        given = make_url(url).query.get("options")  # the URL's own (a search_path, say)
        options = " ".join([SERVER_OPTIONS, *((given,) if isinstance(given, str) else given or ())])
        return create_engine(url, pool_pre_ping=True, hide_parameters=True,
                             connect_args={"connect_timeout": 10, "options": options})
    except (ArgumentError, NoSuchModuleError) as err:  # the URL itself is not repeated: it may hold a password
        raise StoreUnavailable(f"the database URL is malformed ({type(err).__name__})",
                               hint="use postgresql+psycopg://user@host:port/db (--db or FOREWARN_DATABASE_URL)",
                               ) from None


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 30})  # parameters hold texts

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable against a killed process
        cur.execute("PRAGMA wal_autocheckpoint=25000")  # checkpoint every ~100 MB of WAL, not 4 MB
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: the hot index pages, within the memory budget
        cur.close()
        # SQLite's lower() folds ASCII only; searches must fold Cyrillic too
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a write takes the lock up front (one writer at a time, no lock-upgrade deadlocks);
        # reads stay deferred, so they run beside a writer (WAL)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def coded_error(ctx: ExceptionContext) -> ForewarnError | None:
    """The engines' ``handle_error`` hook: the coded error SQLAlchemy raises in place of a driver's
    error. A failed connect is "cannot open the workspace store"; a failed pre-ping is left alone (the
    pool reconnects)."""
    err = ctx.sqlalchemy_exception
    if ctx.is_pre_ping or not isinstance(err, DBAPIError):
        return None
    if ctx.connection is None:
        return StoreUnavailable(f"cannot open the workspace store: {err.orig}",
                                hint="check that the database server runs and the URL is right")
    return store_error(err, ctx.connection.get_execution_options().get(DOING))


def store_error(err: DBAPIError, doing: str | None = None) -> ForewarnError:
    """A database error (met ``doing`` something) as a coded error that never repeats the statement or
    its parameters: FW-E041 for a full disk or quota, else FW-E002 with the driver's error class,
    SQLSTATE and, for an operational error (connection, lock, I/O) or a refusal of the schema's
    triggers, its first line. A value the database cannot hold (a DataError) is FW-E002 too, as
    :class:`~forewarn.errors.UnstorableValue`: the web answers it as the request's fault."""
    during = f" ({doing})" if doing else ""
    if _disk_full(err):
        return StorageFull(f"the disk or the database quota is full{during}; the write was rolled back",
                           hint="free space on the database's disk (or raise its quota), then re-run: committed "
                                "work is kept")
    kind = UnstorableValue if isinstance(err, DataError) else StoreUnavailable
    return kind(f"the workspace store failed{during}: {_error_name(err)}",
                hint="nothing of the failed transaction was stored; check that the database server runs (and its "
                     "log), then re-run")


def _disk_full(err: DBAPIError) -> bool:
    orig = err.orig
    return (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) == "53100" or \
        getattr(orig, "sqlite_errorname", "") == "SQLITE_FULL" or "database or disk is full" in str(orig)


def _error_name(err: DBAPIError) -> str:
    """E.g. "IntegrityError (NotNullViolation, SQLSTATE 23502)", "OperationalError (…): database is locked"."""
    sqlstate = getattr(err.orig, "sqlstate", None)
    state = f"SQLSTATE {sqlstate}" if sqlstate else getattr(err.orig, "sqlite_errorname", "")
    details = [type(err.orig).__name__, state]
    name = f"{type(err).__name__} ({', '.join(d for d in details if d)})"
    if isinstance(err, OperationalError) or (sqlstate or state) in REFUSALS:  # not about the data
        name += ": " + str(err.orig).strip().split("\n", 1)[0][:200]
    return name
