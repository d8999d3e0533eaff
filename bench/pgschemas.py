"""Throw-away PostgreSQL schemas for benchmarks: each measurement on an empty store, nothing left behind."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def pg_schemas(url: str) -> Iterator[Callable[[], str]]:
    """Fresh schemas on the server at ``url``, dropped afterwards."""
    admin = create_engine(url)
    made: list[str] = []

    def fresh() -> str:
        schema = "bench_" + uuid.uuid4().hex[:10]
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}options=-csearch_path%3D{schema}"

    try:
        yield fresh
    finally:
        with admin.begin() as conn:
            for schema in made:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
