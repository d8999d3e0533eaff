"""Accounts and API tokens over the API: admins manage accounts, everyone their own tokens; disabled
accounts and revoked tokens stop working; secrets are shown once and never stored."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from web_support import World, login

from forewarn.app import Workspace
from forewarn.store import schema as t

ROLE = Callable[[str], TestClient]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_admin_lists_users_without_secrets(as_role: ROLE) -> None:
    listed = as_role("admin").get("/api/v1/users")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 4
    assert [u["name"] for u in body["items"]] == ["admin", "analyst", "duty_officer", "viewer"]
    assert body["items"][0] == {**body["items"][0], "display_name": "Admin User", "role": "admin", "disabled": False}
    assert "password" not in listed.text and "argon2" not in listed.text
    refused = as_role("duty_officer").get("/api/v1/users")
    assert refused.status_code == 403 and refused.json()["code"] == "FW-E101"


def test_admin_adds_a_user_who_can_log_in(world_ws: tuple[Workspace, World], as_role: ROLE, web: TestClient) -> None:
    ws, _ = world_ws
    admin = as_role("admin")
    made = admin.post("/api/v1/users", json={"name": "Olga", "password": "correct horse battery", "role": "analyst",
                                             "display_name": "Olga P."})
    assert made.status_code == 201, made.text
    assert made.json() == {**made.json(), "name": "olga", "role": "analyst", "display_name": "Olga P.",
                           "disabled": False}
    assert "password" not in made.text
    entry = ws.ledger.entries(kind="user-added", subject="user:olga")
    assert len(entry) == 1 and entry[0].actor == "admin" and entry[0].payload["role"] == "analyst"
    assert "correct horse" not in str(entry[0].payload)
    login(web, "olga", "correct horse battery")
    assert web.get("/api/v1/me").json()["role"] == "analyst"
    again = admin.post("/api/v1/users", json={"name": "olga", "password": "another passphrase"})
    assert again.status_code == 409 and again.json()["code"] == "FW-E004"
    short = admin.post("/api/v1/users", json={"name": "pavel", "password": "short"})
    assert short.status_code == 422 and short.json()["code"] == "FW-E104"
    bad_role = admin.post("/api/v1/users", json={"name": "pavel", "password": "long enough pw", "role": "king"})
    assert bad_role.status_code == 422 and bad_role.json()["code"] == "FW-E005"
    bad_name = admin.post("/api/v1/users", json={"name": "<b>x</b>", "password": "long enough pw"})
    assert bad_name.status_code == 422 and bad_name.json()["code"] == "FW-E104"
    huge = admin.post("/api/v1/users", json={"name": "p" * 500, "password": "long enough pw"})
    assert huge.status_code == 422


def test_only_an_admin_adds_or_disables(as_role: ROLE, token_for: Callable[[str], str], web: TestClient) -> None:
    analyst = as_role("analyst")
    denied = analyst.post("/api/v1/users", json={"name": "eve", "password": "long enough pw", "role": "admin"})
    assert denied.status_code == 403 and denied.json()["code"] == "FW-E101"
    assert analyst.post("/api/v1/users/viewer/disable").status_code == 403
    by_token = web.post("/api/v1/users/viewer/disable", headers=bearer(token_for("duty_officer")))
    assert by_token.status_code == 403
    admin = as_role("admin")
    no_csrf = admin.post("/api/v1/users", json={"name": "eve", "password": "long enough pw"},
                         headers={"X-CSRF-Token": "wrong"})
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "FW-E102"


def test_a_disabled_account_stops_working(world_ws: tuple[Workspace, World], as_role: ROLE,
                                          token_for: Callable[[str], str], web: TestClient) -> None:
    ws, _ = world_ws
    viewer = as_role("viewer")
    secret = token_for("viewer")
    assert viewer.get("/api/v1/me").status_code == 200
    assert web.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    admin = as_role("admin")
    done = admin.post("/api/v1/users/viewer/disable")
    assert done.status_code == 200 and done.json()["disabled"] is True
    session = viewer.get("/api/v1/me")
    assert session.status_code == 401 and session.json()["code"] == "FW-E100"
    assert viewer.get("/ledger").status_code == 303  # back to the login page
    token = web.get("/api/v1/me", headers=bearer(secret))
    assert token.status_code == 401 and token.json()["code"] == "FW-E100"
    entry = ws.ledger.entries(kind="user-disabled")
    assert [(e.actor, e.subject) for e in entry] == [("admin", "user:viewer")]
    assert admin.post("/api/v1/users/nobody/disable").status_code == 404
    itself = admin.post("/api/v1/users/admin/disable")
    assert itself.status_code == 422 and admin.get("/api/v1/me").status_code == 200


def test_own_tokens_create_list_use_revoke(world_ws: tuple[Workspace, World], as_role: ROLE, web: TestClient) -> None:
    ws, _ = world_ws
    viewer = as_role("viewer")
    made = viewer.post("/api/v1/tokens", json={"name": "my script"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["user"] == "viewer" and body["name"] == "my script" and body["revoked_at"] is None
    secret = body["secret"]
    assert secret.startswith("fwt_") and len(secret) > 40
    assert web.get("/api/v1/me", headers=bearer(secret)).json()["name"] == "viewer"
    listed = viewer.get("/api/v1/tokens").json()
    assert [tk["id"] for tk in listed["items"]] == [body["id"]] and listed["total"] == 1
    assert secret not in viewer.get("/api/v1/tokens").text and "secret" not in listed["items"][0]
    assert [e.actor for e in ws.ledger.entries(kind="token-created")] == ["viewer"]

    revoked = viewer.post(f"/api/v1/tokens/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = web.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401 and refused.json()["code"] == "FW-E100"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e.actor for e in ws.ledger.entries(kind="token-revoked")] == ["viewer"]


def test_a_token_made_with_a_token_and_revoked_by_itself(web: TestClient, token_for: Callable[[str], str]) -> None:
    first = token_for("analyst")
    made = web.post("/api/v1/tokens", json={"name": "second"}, headers=bearer(first))
    assert made.status_code == 201 and made.json()["user"] == "analyst"
    second = made.json()
    assert web.post(f"/api/v1/tokens/{second['id']}/revoke", headers=bearer(second["secret"])).status_code == 200
    assert web.get("/api/v1/tokens", headers=bearer(second["secret"])).status_code == 401
    assert web.get("/api/v1/tokens", headers=bearer(first)).status_code == 200


def test_tokens_of_others_need_an_admin(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, _ = world_ws
    other, _ = ws.accounts.create_token("analyst", "analyst's", actor="setup")
    viewer = as_role("viewer")
    forged = viewer.post("/api/v1/tokens", json={"name": "sneaky", "user": "analyst"})
    assert forged.status_code == 403 and forged.json()["code"] == "FW-E101"
    assert viewer.post(f"/api/v1/tokens/{other.id}/revoke").json()["code"] == "FW-E101"
    assert ws.accounts.token(other.id).revoked_at is None
    assert viewer.get("/api/v1/tokens", params={"user": "analyst"}).status_code == 403
    assert viewer.get("/api/v1/tokens").json()["total"] == 0
    assert viewer.post("/api/v1/tokens/99999/revoke").status_code == 404

    admin = as_role("admin")
    for_viewer = admin.post("/api/v1/tokens", json={"name": "for the viewer", "user": "viewer"})
    assert for_viewer.status_code == 201 and for_viewer.json()["user"] == "viewer"
    everyone = admin.get("/api/v1/tokens").json()
    assert {tk["user"] for tk in everyone["items"]} == {"analyst", "viewer"}
    only = admin.get("/api/v1/tokens", params={"user": "analyst"}).json()
    assert [tk["id"] for tk in only["items"]] == [other.id]
    assert admin.post(f"/api/v1/tokens/{other.id}/revoke").status_code == 200
    assert ws.accounts.token(other.id).revoked_at is not None
    created = ws.ledger.entries(kind="token-created")
    assert (created[-1].actor, created[-1].payload["user"]) == ("admin", "viewer")
    assert admin.post("/api/v1/tokens", json={"name": "x", "user": "nobody"}).status_code == 404
    assert viewer.post("/api/v1/tokens", json={}).status_code == 422
    assert viewer.post("/api/v1/tokens", json={"name": "x" * 201}).status_code == 422
    assert viewer.post("/api/v1/tokens/0/revoke").status_code == 422
    assert viewer.post("/api/v1/tokens/abc/revoke").status_code == 422
    no_csrf = viewer.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": ""})
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "FW-E102"


def test_token_secrets_are_not_stored(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, _ = world_ws
    secrets = [as_role(role).post("/api/v1/tokens", json={"name": role}).json()["secret"]
               for role in ("viewer", "admin")]
    with ws.store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(t.api_tokens))]
        ledger = [dict(r._mapping) for r in conn.execute(select(t.ledger))]
    assert sorted(r["secret_hash"] for r in rows) == sorted(hashlib.sha256(s.encode()).hexdigest() for s in secrets)
    stored = repr(rows) + repr(ledger)
    for secret in secrets:
        assert secret not in stored and secret[4:] not in stored
