"""Issue 16 item 11: every command-line list's ``--json`` is the API's page envelope (``items``,
``total``, ``limit``, ``offset``, ``next``) with the API's item, field for field."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from web_support import build_world

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.web import create_app

runner = CliRunner()
ENVELOPE = {"items", "total", "limit", "offset", "next"}
# the command line and the API call that list the same things
PAIRS = (
    (("events", "--limit", "500"), "/api/v1/events?limit=500"),
    (("docs", "list"), "/api/v1/documents"),
    (("warnings", "--all"), "/api/v1/warnings?state=all"),
    (("warnings", "--state", "raised"), "/api/v1/warnings?state=raised"),
    (("source", "list"), "/api/v1/sources"),
    (("runs", "list"), "/api/v1/runs?limit=20"),
    (("ledger", "show"), "/api/v1/ledger"),
    (("scenario", "list"), "/api/v1/scenarios"),
    (("entities", "list"), "/api/v1/entities?limit=100"),
    (("entities", "list", "--all"), "/api/v1/entities?all=true&limit=100"),
    (("user", "list"), "/api/v1/users"),
    (("roster", "list"), "/api/v1/roster"),
)


@pytest.fixture
def both(tmp_path: Path, make_workspace: Callable[..., Workspace]) -> Iterator[tuple[str, TestClient]]:
    """The world's database URL (for the command line) and an admin's API client over it."""
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    ws = make_workspace(url)
    build_world(ws, tmp_path)
    _, secret = ws.accounts.create_token("admin", "test", actor="setup")
    with TestClient(create_app(ws)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield url, client


def cli_json(url: str, *args: str) -> Any:
    result = runner.invoke(app, ["--db", url, "--actor", "admin", *args, "--json"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def ids(items: list[dict[str, Any]]) -> list[Any]:
    return sorted(str(i.get("id", i.get("seq"))) for i in items)


@pytest.mark.parametrize(("args", "path"), PAIRS, ids=[" ".join(a) for a, _ in PAIRS])
def test_a_cli_list_is_the_api_page(both: tuple[str, TestClient], args: tuple[str, ...], path: str) -> None:
    url, api = both
    printed, served = cli_json(url, *args), api.get(path).json()
    assert set(printed) >= ENVELOPE and set(served) <= set(printed), (set(printed), set(served))
    assert printed["total"] == served["total"] and printed["offset"] == 0
    assert ids(printed["items"]) == ids(served["items"])
    for mine, theirs in zip(printed["items"], served["items"], strict=True):
        assert set(mine) == set(theirs), args


def test_pages_say_next_until_the_last(both: tuple[str, TestClient]) -> None:
    url, api = both
    first = cli_json(url, "events", "--limit", "1")
    total = first["total"]
    assert total > 1 and first["limit"] == 1 and first["next"] == "1" and len(first["items"]) == 1
    assert "offset=1" in api.get("/api/v1/events?limit=1").json()["next"]
    last = cli_json(url, "events", "--limit", "1", "--offset", str(total - 1))
    assert last["next"] is None and last["offset"] == total - 1
    assert cli_json(url, "source", "list")["next"] is None


def test_same_event_same_fields_and_values(both: tuple[str, TestClient]) -> None:
    url, api = both
    [mine] = cli_json(url, "events", "--limit", "1")["items"]
    theirs = api.get(f"/api/v1/events/{mine['id']}").json()
    assert mine == theirs | {"evidence": mine["evidence"]}  # the API's single event carries its sentence too
    assert mine["evidence"]["start"] == theirs["evidence"]["start"]


def test_unknown_state_is_refused_with_the_known_ones(both: tuple[str, TestClient]) -> None:
    url, _ = both
    result = runner.invoke(app, ["--db", url, "warnings", "--state", "closed"])
    assert result.exit_code == 1 and "FW-E005" in result.output and "open, all, raised" in result.output
