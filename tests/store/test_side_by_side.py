"""Reads run side by side (forewarn.store.core.side_by_side): the results in the order asked, each read on a
connection of its own, and one after the other on an in-memory SQLite database (another thread would see it
empty)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from forewarn.store.core import side_by_side


def _reader(engine: Engine, seen: list[str], value: int) -> Callable[[], int]:
    def read() -> int:
        seen.append(threading.current_thread().name)
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT {value} + (SELECT count(*) FROM t)")).scalar_one())
    return read


def _engine(url: str) -> Engine:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1), (2)"))
    return engine


def test_reads_side_by_side_keep_their_order(tmp_path: Path) -> None:
    seen: list[str] = []
    engine = _engine(f"sqlite:///{tmp_path / 'r.db'}")
    assert side_by_side(engine, [_reader(engine, seen, v) for v in (10, 20, 30)]) == [12, 22, 32]
    assert len(set(seen)) > 1  # not all in the caller's thread


def test_an_in_memory_database_is_read_in_one_thread() -> None:
    seen: list[str] = []
    engine = _engine("sqlite://")
    assert side_by_side(engine, [_reader(engine, seen, v) for v in (10, 20)]) == [12, 22]
    assert set(seen) == {threading.current_thread().name}
