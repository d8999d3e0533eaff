"""Security of the workbench across every area: CSRF, sessions and cookies, roles, revoked tokens and
disabled accounts, login rate limiting, hostile text on every page that shows it, SQL metacharacters in
every filter, security headers, pages that keep to the Content-Security-Policy, and the loopback default."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from web_support import HOSTILE, PASSWORD, ManualClock, World, login, page_csrf, try_login

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.cli.serve import is_loopback
from forewarn.config import Settings
from forewarn.store import schema as t
from forewarn.web import create_app
from forewarn.web.auth import CSRF_HEADER, SESSION_COOKIE
from forewarn.web.server import CSP

# checks where the database makes no difference run on SQLite only (the suite stays quick)
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ESCAPED = "&lt;script&gt;alert"
RAW = "<script>alert"


def problem_code(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    code: str = response.json()["code"]
    return code


def set_cookies(response: Any) -> list[str]:
    return response.headers.get_list("set-cookie")


def cookie_value(response: Any, name: str) -> str | None:
    for header in set_cookies(response):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


@pytest.fixture
def ws(world_ws: tuple[Workspace, World]) -> Workspace:
    return world_ws[0]


@pytest.fixture
def client_factory(world_ws: tuple[Workspace, World]) -> Iterator[Callable[..., TestClient]]:
    """New anonymous clients, each of its own app over the world's workspace (``login_clock=`` gives
    that app's login rate limiter a clock)."""
    opened: list[TestClient] = []

    def make(**app_options: Any) -> TestClient:
        client = TestClient(create_app(world_ws[0], **app_options), follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


# -- CSRF ------------------------------------------------------------------------------------------

@sqlite_only
@pytest.mark.parametrize("sent", [None, "wrong-token"], ids=["no-token", "wrong-token"])
def test_page_form_post_needs_the_csrf_token(as_role: Callable[[str], TestClient], world: World, ws: Workspace,
                                             sent: str | None) -> None:
    client = as_role("duty_officer")
    del client.headers[CSRF_HEADER]
    warning = world.warning_ids[0]
    data = {} if sent is None else {"csrf_token": sent}
    response = client.post(f"/warnings/{warning}/acknowledge", data=data)
    assert response.status_code == 403, response.text
    assert "FW-E102" in response.text
    assert ws.warnings.get(warning).acknowledged_at is None
    # logging out is a state-changing form post as well
    response = client.post("/logout", data=data)
    assert response.status_code == 403 and "FW-E102" in response.text
    assert client.get("/api/v1/me").status_code == 200  # the session survived
    # with the right token the same form works
    response = client.post(f"/warnings/{warning}/acknowledge", data={"csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert response.status_code == 303, response.text
    assert ws.warnings.get(warning).acknowledged_by == "duty_officer"


@sqlite_only
@pytest.mark.parametrize("sent", [None, "wrong-token", ""], ids=["no-header", "wrong-header", "empty-header"])
def test_api_post_with_a_session_needs_the_csrf_header(as_role: Callable[[str], TestClient], world: World,
                                                       ws: Workspace, sent: str | None) -> None:
    client = as_role("duty_officer")
    del client.headers[CSRF_HEADER]
    warning = world.warning_ids[0]
    headers = {} if sent is None else {CSRF_HEADER: sent}
    response = client.post(f"/api/v1/warnings/{warning}/acknowledge", json={"note": "csrf"}, headers=headers)
    assert response.status_code == 403
    assert problem_code(response) == "FW-E102"
    assert ws.warnings.get(warning).acknowledged_at is None
    # a cross-site form post (urlencoded, no token) is refused as well
    response = client.post(f"/api/v1/warnings/{warning}/acknowledge", data={"note": "csrf"})
    assert response.status_code == 403 and problem_code(response) == "FW-E102"
    response = client.post(f"/api/v1/warnings/{warning}/acknowledge", json={"note": "csrf"},
                           headers={CSRF_HEADER: client.csrf})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    assert ws.warnings.get(warning).acknowledged_by == "duty_officer"


@sqlite_only
def test_token_requests_need_no_csrf(web: TestClient, token_for: Callable[[str], str], world: World,
                                     ws: Workspace) -> None:
    warning = world.warning_ids[0]
    response = web.post(f"/api/v1/warnings/{warning}/acknowledge", json={"note": "by script"},
                        headers={"Authorization": f"Bearer {token_for('duty_officer')}"})
    assert response.status_code == 200, response.text
    assert ws.warnings.get(warning).acknowledged_by == "duty_officer"
    assert ws.warnings.history(warning)[-1].actor == "duty_officer"


# -- sessions and cookies --------------------------------------------------------------------------

@sqlite_only
def test_a_session_cookie_from_before_login_is_not_kept(client_factory: Callable[..., TestClient]) -> None:
    # an attacker's own valid session, planted in the victim's browser before the victim logs in
    attacker = client_factory()
    login(attacker, "viewer", PASSWORD.format(role="viewer"))
    planted = attacker.cookies.get(SESSION_COOKIE)
    assert planted
    victim = client_factory()
    token = re.search(r'name="login_token" value="([^"]+)"', victim.get("/login").text)
    assert token
    victim.cookies.set(SESSION_COOKIE, planted)
    response = victim.post("/login", data={"name": "admin", "password": PASSWORD.format(role="admin"),
                                           "login_token": token.group(1), "next": "/"})
    assert response.status_code == 303, response.text
    fresh = cookie_value(response, SESSION_COOKIE)
    assert fresh and fresh != planted
    logged_in = client_factory()
    logged_in.cookies.set(SESSION_COOKIE, fresh)
    assert logged_in.get("/api/v1/me").json()["name"] == "admin"
    # the planted session is over: it neither became the admin's nor stays the attacker's
    assert attacker.get("/api/v1/me").status_code == 401


@sqlite_only
def test_a_made_up_session_cookie_is_replaced_at_login(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory()
    client.cookies.set(SESSION_COOKIE, "chosen-by-the-attacker")
    assert client.get("/api/v1/me").status_code == 401
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post("/login", data={"name": "analyst", "password": PASSWORD.format(role="analyst"),
                                           "login_token": token.group(1), "next": "/"})
    assert response.status_code == 303
    value = cookie_value(response, SESSION_COOKIE)
    assert value and value != "chosen-by-the-attacker" and len(value) >= 32


@sqlite_only
def test_the_old_cookie_is_dead_after_logout(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory()
    csrf = login(client, "analyst", PASSWORD.format(role="analyst"))
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie and client.get("/api/v1/me").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    replay = client_factory()
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/api/v1/me").status_code == 401
    page = replay.get("/events")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    refused = replay.post("/api/v1/warnings", json={"title": "t", "severity": "high"}, headers={CSRF_HEADER: csrf})
    assert refused.status_code == 401 and problem_code(refused) == "FW-E100"


@sqlite_only
def test_cookies_are_httponly_and_samesite(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory()
    form = client.get("/login")
    [login_cookie] = [c for c in set_cookies(form) if c.startswith("fw_login=")]
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token
    response = client.post("/login", data={"name": "viewer", "password": PASSWORD.format(role="viewer"),
                                           "login_token": token.group(1), "next": "/"})
    [session] = [c for c in set_cookies(response) if c.startswith(f"{SESSION_COOKIE}=")]
    for header in (login_cookie, session):
        attributes = {a.strip().split("=")[0].lower(): a.strip() for a in header.split(";")[1:]}
        assert "httponly" in attributes, header
        assert attributes.get("samesite", "").lower() in {"samesite=strict", "samesite=lax"}, header
    assert "samesite=strict" in session.lower() and "path=/" in session.lower()


@sqlite_only
def test_login_redirects_only_within_the_site(client_factory: Callable[..., TestClient]) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = client_factory()
        token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text)
        assert token
        response = client.post("/login", data={"name": "viewer", "password": PASSWORD.format(role="viewer"),
                                               "login_token": token.group(1), "next": target})
        assert response.status_code == 303 and response.headers["location"] == "/", target


# -- roles, revoked tokens, disabled accounts ------------------------------------------------------

@sqlite_only
def test_a_viewer_cannot_act(as_role: Callable[[str], TestClient], web: TestClient, token_for: Callable[[str], str],
                             world: World, ws: Workspace) -> None:
    viewer = as_role("viewer")
    warning = world.warning_ids[0]
    attempts = [
        viewer.post(f"/api/v1/warnings/{warning}/acknowledge", json={}),
        viewer.post(f"/api/v1/warnings/{warning}/dispose", json={"disposition": "dismissed", "rationale": "no"}),
        viewer.post(f"/api/v1/warnings/{warning}/escalate", json={"reason": "no"}),
        viewer.post("/api/v1/warnings", json={"title": "viewer", "text": "", "severity": "high"}),
        viewer.post("/api/v1/cycle"),
        viewer.post("/api/v1/documents", json={"text": "a viewer's document about armour"}),
        viewer.delete(f"/api/v1/scenarios/{world.scenario_id}"),
        web.post(f"/api/v1/warnings/{warning}/acknowledge", json={},
                 headers={"Authorization": f"Bearer {token_for('viewer')}"}),
    ]
    for response in attempts:
        assert response.status_code == 403 and problem_code(response) == "FW-E101", response.request.url
    page = viewer.post(f"/warnings/{warning}/acknowledge", data={"csrf_token": viewer.csrf})  # type: ignore[attr-defined]
    assert page.status_code == 403 and "FW-E101" in page.text
    assert ws.warnings.get(warning).acknowledged_at is None
    assert world.scenario_id in {s.id for s in ws.scenarios.all()}
    assert [w.id for w in ws.warnings.board()] == list(world.warning_ids)


def test_a_revoked_token_stops_working(web: TestClient, token_for: Callable[[str], str]) -> None:
    secret = token_for("analyst")
    auth = {"Authorization": f"Bearer {secret}"}
    assert web.get("/api/v1/me", headers=auth).json()["name"] == "analyst"
    [mine] = [tk for tk in web.get("/api/v1/tokens", headers=auth).json()["items"] if tk["revoked_at"] is None]
    response = web.post(f"/api/v1/tokens/{mine['id']}/revoke", headers=auth)
    assert response.status_code == 200 and response.json()["revoked_at"]
    for request in (web.get("/api/v1/me", headers=auth), web.get("/api/v1/events", headers=auth),
                    web.post("/api/v1/warnings", json={"title": "t", "severity": "high"}, headers=auth)):
        assert request.status_code == 401 and problem_code(request) == "FW-E100"
    assert web.get("/", headers=auth).status_code == 303  # a page sends the caller to the login form


@sqlite_only
def test_a_malformed_or_unknown_token_is_refused_not_ignored(web: TestClient) -> None:
    for header in ("Bearer fwt_not-a-real-token", "Bearer ", "bearer ' OR 1=1 --"):
        response = web.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401 and problem_code(response) == "FW-E100", header


def test_a_disabled_account_stops_working(as_role: Callable[[str], TestClient], web: TestClient,
                                          token_for: Callable[[str], str], client_factory: Callable[..., TestClient]
                                          ) -> None:
    analyst = as_role("analyst")
    secret = token_for("analyst")
    auth = {"Authorization": f"Bearer {secret}"}
    assert web.get("/api/v1/me", headers=auth).status_code == 200
    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    response = web.post("/api/v1/users/analyst/disable", headers=admin)
    assert response.status_code == 200 and response.json()["disabled"] is True
    # the token, the live session and a new login all stop working
    assert web.get("/api/v1/me", headers=auth).status_code == 401
    assert analyst.get("/api/v1/me").status_code == 401
    assert analyst.post("/api/v1/warnings", json={"title": "t", "severity": "high"}).status_code == 401
    fresh = client_factory()
    token = re.search(r'name="login_token" value="([^"]+)"', fresh.get("/login").text)
    assert token
    refused = fresh.post("/login", data={"name": "analyst", "password": PASSWORD.format(role="analyst"),
                                         "login_token": token.group(1), "next": "/"})
    assert refused.status_code == 401 and fresh.cookies.get(SESSION_COOKIE) is None


# -- login rate limiting ---------------------------------------------------------------------------

@sqlite_only
def test_login_is_rate_limited_per_account(client_factory: Callable[..., TestClient], ws: Workspace) -> None:
    limit = ws.settings.login_attempts
    assert limit >= 1
    clock = ManualClock()
    client = client_factory(login_clock=clock)
    for _ in range(limit):
        assert try_login(client, "admin", "wrong password!").status_code == 401
    # past the limit even the right password is refused, with a time to wait
    refused = try_login(client, "admin", PASSWORD.format(role="admin"))
    assert refused.status_code == 429
    retry = int(refused.headers["retry-after"])
    assert 0 < retry <= 15 * 60 + 1
    assert client.cookies.get(SESSION_COOKIE) is None
    # once the window has passed, the right password works again
    clock.now += retry + 1
    assert try_login(client, "admin", PASSWORD.format(role="admin")).status_code == 303


@sqlite_only
def test_login_is_rate_limited_per_address(client_factory: Callable[..., TestClient], ws: Workspace) -> None:
    client = client_factory(login_clock=ManualClock())
    for i in range(ws.settings.login_attempts_per_address):  # the bound over all accounts (issue 11, item 4)
        assert try_login(client, f"nobody-{i}", "guessing away").status_code == 401
    response = try_login(client, "viewer", PASSWORD.format(role="viewer"))
    assert response.status_code == 429 and response.headers.get("retry-after")


def test_the_login_attempts_setting_is_obeyed(tmp_path: Path, make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(f"sqlite:///{tmp_path / 'limit.db'}", login_attempts=2)
    ws.accounts.add_user("viewer", PASSWORD.format(role="viewer"), Role.VIEWER, actor="setup")
    with TestClient(create_app(ws, login_clock=ManualClock()), follow_redirects=False) as client:
        assert try_login(client, "viewer", "wrong password!").status_code == 401
        assert try_login(client, "viewer", "wrong password!").status_code == 401
        assert try_login(client, "viewer", PASSWORD.format(role="viewer")).status_code == 429


# -- hostile text ----------------------------------------------------------------------------------

def test_hostile_text_is_escaped_on_every_page(as_role: Callable[[str], TestClient], world: World,
                                               ws: Workspace) -> None:
    """The world holds a document whose text is an XSS attempt; people type hostile titles and
    rationales too. Every page that shows them shows text, never markup."""
    analyst, officer = as_role("analyst"), as_role("duty_officer")
    raised = analyst.post("/api/v1/warnings", json={"title": f"Title {HOSTILE}", "text": f"Text {HOSTILE}",
                                                    "severity": "high", "document_ids": [world.documents["h1"]]})
    assert raised.status_code == 201, raised.text
    hostile_warning = raised.json()["id"]
    scenario_warning = world.warning_ids[0]  # its text quotes the hostile document's evidence
    response = officer.post(f"/api/v1/warnings/{scenario_warning}/dispose",
                            json={"disposition": "dismissed", "rationale": f"Rationale {HOSTILE}"})
    assert response.status_code == 200, response.text
    h1 = world.documents["h1"]
    pages = {
        "board": "/",
        "warning (hostile title and text)": f"/warnings/{hostile_warning}",
        "warning (evidence and rationale)": f"/warnings/{scenario_warning}",
        "scenario contributions": f"/scenarios/{world.scenario_id}",
        "events table": f"/events?document={h1}",
        "document": f"/documents/{h1}",
        "documents": "/documents",
        "ledger": "/ledger",
    }
    for name, path in pages.items():
        response = officer.get(path)
        assert response.status_code == 200, (name, response.status_code)
        html = response.text
        assert RAW not in html, name
        assert "<img src=x" not in html, name
        assert ESCAPED in html, f"{name} ({path}) does not show the hostile text at all"


# -- SQL metacharacters ----------------------------------------------------------------------------

NASTY = ("' OR 1=1 --", "%", "_", "\\", '"; DROP TABLE events; --', "%' OR '1'='1", "é%_\\'", "'", '"', ";")
LIST_FILTERS: dict[str, tuple[str, ...]] = {
    "/api/v1/warnings": ("state", "severity", "scenario"),
    "/api/v1/warnings/changes": ("since",),
    "/api/v1/scenarios/armour-watch/assessments": ("since", "until"),
    "/api/v1/events": ("type", "mode", "actor", "recipient", "actor-country", "recipient-country", "place",
                       "from", "to", "source", "min-confidence", "document"),
    "/api/v1/events/daily": ("type", "mode", "actor", "recipient", "place", "source", "document"),
    "/api/v1/events/map": ("type", "actor", "place", "source", "bbox"),
    "/api/v1/documents": ("source", "since", "until", "search"),
    "/api/v1/entities": ("kind", "search"),
    "/api/v1/entities/dict:ukr-military/events": ("role",),
    "/api/v1/ledger": ("kind", "actor", "subject", "since", "until"),
    "/api/v1/postmortem/armour-watch": ("event-date", "margin-days"),
    "/api/v1/sources": ("limit", "offset"),
    "/api/v1/runs": ("limit", "offset"),
    "/api/v1/users": ("limit",),
    "/api/v1/tokens": ("offset",),
    "/events": ("type", "mode", "actor", "recipient", "place", "from", "to", "source", "min-confidence"),
    "/documents": ("source", "search"),
    "/entities": ("search", "kind"),
    "/ledger": ("kind", "actor", "subject"),
}
ID_PATHS = ("/api/v1/warnings/{}", "/api/v1/scenarios/{}", "/api/v1/events/{}", "/api/v1/documents/{}",
            "/api/v1/entities/{}", "/api/v1/entities/{}/cooccurring", "/api/v1/runs/{}", "/api/v1/postmortem/{}",
            "/documents/{}", "/entities/{}", "/scenarios/{}", "/warnings/{}")


def _table_counts(ws: Workspace) -> dict[str, int]:
    names = ("events", "documents", "ledger", "warnings", "users", "assessments")
    present = set(inspect(ws.store.engine).get_table_names())
    assert set(names) <= present, sorted(set(names) - present)
    with ws.store.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(t.metadata.tables[name])).scalar_one()
                for name in names}


def _probe(client: TestClient, values: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """GET every list filter and id path with each value; the (path, parameter, value, what) that failed."""
    failures = []

    def fetch(path: str, params: dict[str, str] | None, where: tuple[str, str, str]) -> None:
        try:
            response = client.get(path, params=params)
        except Exception as e:  # the server's exception reached the test client: a 500
            failures.append((*where, f"{type(e).__name__}: {str(e)[:120]}"))
            return
        if response.status_code >= 500:
            failures.append((*where, str(response.status_code)))
        elif path.startswith("/api/") and response.status_code >= 400 and \
                not problem_code(response).startswith("FW-E"):
            failures.append((*where, f"{response.status_code} without a problem code"))

    for path, params in LIST_FILTERS.items():
        for param in params:
            for value in values:
                fetch(path, {param: value}, (path, param, value))
    for pattern in ID_PATHS:
        for value in values:
            fetch(pattern.format(quote(value, safe="")), None, (pattern, "path", value))
    return failures


@pytest.mark.slow
def test_sql_metacharacters_in_every_filter(as_role: Callable[[str], TestClient], ws: Workspace) -> None:
    before = _table_counts(ws)
    assert _probe(as_role("admin"), NASTY) == []
    assert _table_counts(ws) == before  # nothing dropped, nothing written


def test_nul_bytes_in_filters_are_refused_not_a_server_error(as_role: Callable[[str], TestClient]) -> None:
    """PostgreSQL text cannot hold NUL: a filter with one must be a 4xx problem, not a failed query."""
    assert _probe(as_role("admin"), ("\x00", "a\x00b")) == []


BIG_IDS = ("2147483648", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "-1", "0", "1e3")
INT_ID_REQUESTS: tuple[tuple[str, str, dict[str, str] | None], ...] = (
    ("GET", "/api/v1/warnings/{}", None), ("POST", "/api/v1/warnings/{}/acknowledge", {}),
    ("POST", "/api/v1/warnings/{}/dispose", {"disposition": "dismissed", "rationale": "r"}),
    ("POST", "/api/v1/warnings/{}/escalate", {"reason": "r"}), ("GET", "/api/v1/runs/{}", None),
    ("POST", "/api/v1/tokens/{}/revoke", None), ("GET", "/warnings/{}", None), ("GET", "/runs/{}", None),
    ("POST", "/warnings/{}/acknowledge", {}))


def test_out_of_range_ids_are_not_a_server_error(as_role: Callable[[str], TestClient]) -> None:
    """Numbers past the database's integer columns (32-bit on PostgreSQL) are a 404 or 422, not a failed query."""
    admin = as_role("admin")
    failures = []
    for method, pattern, body in INT_ID_REQUESTS:
        for value in BIG_IDS:
            path = pattern.format(value)
            try:
                if path.startswith("/api/"):
                    response = admin.request(method, path, json=body)
                else:
                    response = admin.request(method, path, data={**(body or {}), "csrf_token": admin.csrf})  # type: ignore[attr-defined]
            except Exception as e:  # the server's exception reached the test client: a 500
                failures.append((method, path, type(e).__name__))
                continue
            if response.status_code >= 500:
                failures.append((method, path, str(response.status_code)))
            elif path.startswith("/api/"):
                assert response.status_code in {404, 422}, (method, path, response.status_code)
    assert failures == []


def test_like_wildcards_are_literal_in_searches(as_role: Callable[[str], TestClient]) -> None:
    viewer = as_role("viewer")
    everything = viewer.get("/api/v1/documents").json()["total"]
    assert everything >= 5
    for value in ("%", "_", "%%%"):
        response = viewer.get("/api/v1/documents", params={"search": value})
        assert response.status_code == 200
        assert response.json()["total"] < everything, value
        entities = viewer.get("/api/v1/entities", params={"search": value})
        assert entities.status_code == 200 and entities.json()["items"] == [], value


# -- headers and pages -----------------------------------------------------------------------------

@sqlite_only
def test_security_headers_on_every_kind_of_response(as_role: Callable[[str], TestClient], web: TestClient) -> None:
    viewer = as_role("viewer")
    responses = {
        "page": viewer.get("/"),
        "login page": web.get("/login"),
        "api": viewer.get("/api/v1/me"),
        "problem": viewer.get("/api/v1/warnings/999999"),
        "static": web.get("/static/forewarn.js"),
        "unknown page": viewer.get("/no/such/page"),
        "redirect": web.get("/events"),
    }
    for name, response in responses.items():
        h = response.headers
        assert h.get("content-security-policy") == CSP, name
        assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP
        assert h.get("x-content-type-options") == "nosniff", name
        assert h.get("x-frame-options") == "DENY", name
        assert h.get("referrer-policy") == "same-origin", name
        assert re.fullmatch(r"app;dur=\d+(\.\d+)?", h.get("server-timing", "")), name


PAGE_PATHS = ("/", "/warnings/{warning}", "/scenarios", "/scenarios/{scenario}", "/events", "/events?type=MOBILIZE",
              "/documents", "/documents/{document}", "/entities", "/entities/dict:ukr-military", "/ledger",
              "/ledger?verify=1", "/postmortem", "/postmortem?scenario={scenario}&event-date=2024-08-14", "/sources",
              "/login")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
EXTERNAL = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@sqlite_only
def test_pages_keep_to_the_content_security_policy(as_role: Callable[[str], TestClient], web: TestClient,
                                                   world: World) -> None:
    """No inline scripts, style attributes or <style> blocks (the CSP would block them), no inline
    event handlers, and nothing loaded from another origin."""
    admin = as_role("admin")
    refs = {"warning": world.warning_ids[0], "scenario": world.scenario_id, "document": world.documents["o1"]}
    for template in PAGE_PATHS:
        path = template.format(**refs)
        response = (web if path == "/login" else admin).get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.text
        assert not INLINE_SCRIPT.findall(html), (path, INLINE_SCRIPT.findall(html))
        assert not STYLE_ATTRIBUTE.search(html), (path, STYLE_ATTRIBUTE.search(html))
        assert "<style" not in html.lower(), path
        assert not HANDLER_ATTRIBUTE.search(html), (path, HANDLER_ATTRIBUTE.search(html))
        assert not EXTERNAL.findall(html), (path, EXTERNAL.findall(html))
        if path != "/login":
            assert page_csrf(html), path  # every logged-in page carries the CSRF token for its scripts


@sqlite_only
def test_static_assets_load_nothing_from_elsewhere(web: TestClient) -> None:
    static = Path(__file__).resolve().parents[2] / "src" / "forewarn" / "web" / "static"
    files = [p for p in static.rglob("*") if p.suffix in {".js", ".css", ".svg"}]
    assert len(files) >= 3
    for path in files:
        text = path.read_text()
        found = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[/\"')]", text, re.I)
        found = [u for u in found if "www.w3.org" not in u]  # the SVG namespace is a name, not a request
        assert found == [], (path.name, found)
        assert "eval(" not in text and "new Function(" not in text, path.name
        served = web.get(f"/static/{path.relative_to(static).as_posix()}")
        assert served.status_code == 200 and served.headers["x-content-type-options"] == "nosniff"


# -- the default bind address ----------------------------------------------------------------------

def test_the_server_binds_loopback_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().web_host == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.0.0.2")
    for host in ("0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.org", ""):
        assert not is_loopback(host), host

    import uvicorn

    from forewarn.cli import serve

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    serve.serve_workspace(Settings(database_url=f"sqlite:///{tmp_path / 'serve.db'}", extract=False))
    assert seen["host"] == "127.0.0.1" and seen["port"] == Settings().web_port


@sqlite_only
def test_login_form_token_is_required(client_factory: Callable[..., TestClient]) -> None:
    """The login form is double-submit protected: a post from another site has no login token."""
    client = client_factory()
    response = client.post("/login", data={"name": "admin", "password": PASSWORD.format(role="admin"),
                                           "login_token": "forged", "next": "/"})
    assert response.status_code == 403 and client.cookies.get(SESSION_COOKIE) is None


@sqlite_only
def test_errors_reveal_no_internals(as_role: Callable[[str], TestClient]) -> None:
    viewer = as_role("viewer")
    response = viewer.get("/api/v1/events", params={"from": "not a date"})
    assert response.status_code == 422 and problem_code(response) == "FW-E005"
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()


@sqlite_only
def test_role_login_sees_own_role(as_role: Callable[[str], TestClient]) -> None:
    for role in Role:
        me = as_role(role).get("/api/v1/me").json()
        assert me == {"name": role.value, "display_name": f"{role.label.title()} User", "role": role.value,
                      "via": "session"}

