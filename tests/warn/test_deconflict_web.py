"""The /deconfliction page and API: each team sees only its own matches and its selector as it holds it; requests
to talk, answers and exclusions by form and by API (ledgered); canaries of the other team's holdings never show."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from deconflict_support import add_teams, hold
from fastapi.testclient import TestClient

from forewarn import accounts
from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.web import create_app

PASSWORD = "a deconfliction passphrase"
SECRET_N, SECRET_S = "CANARY-NORTH-4b2d", "CANARY-SOUTH-8e6f"


@pytest.fixture
def app_ws(open_ws: Callable[..., Workspace], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_HASHER", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("not a password"))
    ws = open_ws()
    add_teams(ws)
    for name, role in (("nora", Role.ANALYST), ("sam", Role.ANALYST), ("eve", Role.ANALYST), ("vic", Role.VIEWER)):
        ws.accounts.add_user(name, PASSWORD, role, actor="setup")
    hold(ws, tmp_path, "north", "n1", f"{SECRET_N} ring +380 67 123 45 67 at Canarytown.")
    hold(ws, tmp_path, "south", "s1", f"{SECRET_S} same +380671234567, mail canary@south.example.org.")
    return ws


@pytest.fixture
def client_for(app_ws: Workspace) -> Iterator[Callable[[str], TestClient]]:
    app, opened = create_app(app_ws), []

    def make(name: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        c.__enter__()
        opened.append(c)
        form = c.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text)
        assert token
        r = c.post("/login", data={"name": name, "password": PASSWORD, "login_token": token.group(1), "next": "/"})
        assert r.status_code == 303, r.text
        csrf = re.search(r'<meta name="csrf-token" content="([^"]*)"', c.get("/deconfliction").text)
        assert csrf
        c.headers["X-CSRF-Token"] = csrf.group(1)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def items(c: TestClient) -> list[dict[str, Any]]:
    r = c.get("/api/v1/deconfliction")
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_page_and_api_show_each_team_its_own_side(client_for: Callable[[str], TestClient]) -> None:
    nora, sam, eve, vic = (client_for(n) for n in ("nora", "sam", "eve", "vic"))
    assert vic.post("/api/v1/deconfliction/run").status_code == 403
    assert nora.post("/api/v1/deconfliction/run").json()["matched"] is True
    mine, theirs = items(nora), items(sam)
    assert [m["selector"] for m in mine] == ["+380 67 123 45 67"] and [m["selector"] for m in theirs] == [
        "+380671234567"]
    assert items(eve) == [] and items(vic) == []
    page = nora.get("/deconfliction").text
    assert "+380 67 123 45 67" in page and "another team holds reporting on this selector" in page
    for text in (page, nora.get("/api/v1/deconfliction").text, eve.get("/deconfliction").text):
        for leak in (SECRET_S, "+380671234567", "south.example", "Team South", "sam"):
            assert leak not in text
    assert SECRET_N not in sam.get("/deconfliction").text


def test_request_accept_and_exclude_by_form_and_api(client_for: Callable[[str], TestClient]) -> None:
    nora, sam, eve = (client_for(n) for n in ("nora", "sam", "eve"))
    nora.post("/api/v1/deconfliction/run")
    mid = items(nora)[0]["id"]
    assert eve.post(f"/api/v1/deconfliction/matches/{mid}/request").status_code == 404
    r = nora.post(f"/deconfliction/matches/{mid}/request", data={"team": "north"})
    assert r.status_code == 303
    got = items(sam)[0]["requests"][0]
    assert got["direction"] == "received" and got["requested_by"] is None and got["other_team"] is None
    assert "nora" not in sam.get("/deconfliction").text
    assert sam.post(f"/deconfliction/requests/{got['id']}/accept").status_code == 303
    assert items(sam)[0]["requests"][0]["requested_by"] == "nora"
    assert items(nora)[0]["requests"][0]["other_team"] == "Team South"
    assert "Team South" in nora.get("/deconfliction").text
    r = sam.post("/api/v1/deconfliction/excluded", json={"team": "south", "kind": "email",
                                                         "text": "canary@south.example.org"})
    assert r.status_code == 201 and r.json()["excluded_by"] == "sam"
    assert nora.post("/api/v1/deconfliction/excluded", json={"team": "south", "kind": "phone",
                                                              "text": "+380671234567"}).status_code == 403
    assert sam.post("/deconfliction/excluded", data={"team": "south", "kind": "phone",
                                                      "text": "+380 67 123 45 67"}).status_code == 303
    assert items(nora)[0]["excluded"] is True
    assert sorted(s["kind"] for s in sam.get("/api/v1/deconfliction/excluded").json()) == ["email", "phone"]
    assert sam.post(f"/api/v1/deconfliction/requests/{got['id']}/decline").status_code == 422  # already accepted
