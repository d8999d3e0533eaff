"""Shared fixtures: a workspace on SQLite and, where configured, on PostgreSQL.

PostgreSQL comes from ``FOREWARN_TEST_PG_URL`` (``make test`` starts a server and sets it).
Without it the PostgreSQL half of the contract suite skips, except under CI=true, where it fails.
Each PostgreSQL test runs in a fresh schema of its own.
"""

from __future__ import annotations

import functools
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer.testing
from sqlalchemy import create_engine, text

from forewarn.app import Workspace
from forewarn.config import Settings

# Extraction (spaCy) is off unless a test asks for it: most tests are about other things, and the
# ones about extraction say so with extract=True (or FOREWARN_EXTRACT=true for the CLI).
os.environ["FOREWARN_EXTRACT"] = "false"
# Automatic ledger anchors of PostgreSQL workspaces go under the state folder: a throwaway one, not the user's.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="forewarn-state-")
if os.environ.get("PYTEST_XDIST_WORKER"):  # a worker of `pytest -n`: its terminal size is the suite's, not 80x24
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)

PG_URL = os.environ.get("FOREWARN_TEST_PG_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def cli_command_built_once() -> Iterator[None]:
    """Typer's test runner turns an app into its click command anew on every ``invoke``, reading every command's
    signature and type hints (about 50 ms for forewarn's): here each app's command is built once for the session.
    No test changes an app's commands."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.testing, "_get_command", functools.cache(typer.testing._get_command))
        yield


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        if IN_CI:
            pytest.fail(f"CI=true but the labelled data is missing at {SHARED_DATA}")
        pytest.skip(f"needs ../shared/data (not found at {SHARED_DATA})")
    return SHARED_DATA


@pytest.fixture
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but FOREWARN_TEST_PG_URL is not set: run the suite with `make test`")
        pytest.skip("PostgreSQL not configured (set FOREWARN_TEST_PG_URL, or run `make test`)")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ws.db'}"
    return request.getfixturevalue("pg_url")


class FakeClock:
    """A clock tests move by hand; Workspace reads time only through it."""

    def __init__(self, start: datetime = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_workspace(clock: FakeClock) -> Iterator[Callable[..., Workspace]]:
    opened: list[Workspace] = []

    def make(url: str, **settings: object) -> Workspace:
        settings.setdefault("extract", False)
        ws = Workspace.open(Settings(database_url=url, actor="tester", **settings), clock=clock)  # type: ignore[arg-type]
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


@pytest.fixture
def workspace(db_url: str, make_workspace: Callable[..., Workspace]) -> Workspace:
    """A fresh workspace, once on SQLite and once on PostgreSQL."""
    return make_workspace(db_url)


@pytest.fixture
def sqlite_workspace(tmp_path: Path, make_workspace: Callable[..., Workspace]) -> Workspace:
    return make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
