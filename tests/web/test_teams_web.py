"""Teams, markings and the audit on the workbench (issue 18, items 1 and 5): the API and the pages, refusals by
role (viewer, analyst, non-member) and a lowering refused with FW-E107."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.model import Principal, PrincipalKind


def _north(admin: TestClient) -> None:
    made = admin.post("/api/v1/teams", json={"id": "north", "name": "North desk"})
    assert made.status_code == 201, made.text
    assert admin.post("/api/v1/teams/north/members", json={"account": "analyst"}).status_code == 201


def test_the_teams_api_by_role(as_role: Callable[[Role | str], TestClient]) -> None:
    viewer, analyst, admin = as_role("viewer"), as_role("analyst"), as_role("admin")
    assert analyst.post("/api/v1/teams", json={"id": "north"}).status_code == 403
    _north(admin)
    again = admin.post("/api/v1/teams", json={"id": "north"})
    assert again.status_code == 409 and again.json()["code"] == "FW-E004"
    ghost = admin.post("/api/v1/teams/north/members", json={"account": "ghost"})
    assert ghost.status_code == 404 and ghost.json()["code"] == "FW-E003"
    assert admin.post("/api/v1/teams", json={"id": "a,b"}).json()["code"] == "FW-E005"
    assert [x["id"] for x in analyst.get("/api/v1/teams").json()["items"]] == ["north"]
    assert viewer.get("/api/v1/teams").json() | {"next": None} == {"items": [], "total": 0, "limit": 50,
                                                                    "offset": 0, "next": None}
    assert viewer.get("/api/v1/teams/north").status_code == 404
    assert [m["account"] for m in analyst.get("/api/v1/teams/north").json()["members"]] == ["analyst"]
    assert analyst.delete("/api/v1/teams/north/members/analyst").status_code == 403
    admin.post("/api/v1/teams/north/members", json={"account": "viewer"})
    assert admin.delete("/api/v1/teams/north/members/viewer").json()["members"][0]["account"] == "analyst"
    kinds = [e["kind"] for e in admin.get("/api/v1/ledger", params={"subject": "team:north"}).json()["items"]]
    assert sorted(kinds) == sorted(["team-added", "team-member-added", "team-member-added", "team-member-removed"])


def test_raising_a_marking_through_the_api_and_the_audit(as_role: Callable[[Role | str], TestClient],
                                                         world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    viewer, analyst, officer, admin = (as_role("viewer"), as_role("analyst"), as_role("duty_officer"),
                                       as_role("admin"))
    _north(admin)
    doc = next(iter(world.documents.values()))
    body = {"marking": "AMBER+STRICT", "team": "north"}
    assert viewer.post(f"/api/v1/markings/document/{doc}", json=body).status_code == 403
    refused = officer.post(f"/api/v1/markings/document/{doc}", json=body)  # not a member of north
    assert refused.status_code == 403 and refused.json()["code"] == "FW-E101"
    done = analyst.post(f"/api/v1/markings/document/{doc}", json=body)
    assert done.status_code == 200, done.text
    raised = done.json()
    assert raised["before"]["marking"] == "TLP:CLEAR" and raised["after"]["label"] == "TLP:AMBER+STRICT · team north"
    assert raised["cascaded"]["event"] >= 1
    lowered = analyst.post(f"/api/v1/markings/document/{doc}", json={"marking": "AMBER"})
    assert lowered.status_code == 422 and lowered.json()["code"] == "FW-E107"
    assert "raised" in lowered.json()["detail"] or "lower" in lowered.json()["detail"]
    assert officer.post(f"/api/v1/markings/document/{doc}", json={"marking": "RED", "recipients": ["admin"]}
                        ).status_code == 404  # hidden from the officer: as a wrong id
    assert analyst.post("/api/v1/markings/entity/x", json=body).status_code == 422
    entry = admin.get("/api/v1/ledger", params={"kind": "marking-raised"}).json()["items"]
    assert len(entry) == 1
    cid = next(iter(ws.store.access(Principal("viewer", Role.VIEWER, PrincipalKind.USER)).hidden))
    ws.store.record_reads(ws.store.access(Principal("analyst", Role.ANALYST, PrincipalKind.USER)),
                          [("document", doc, cid)], "api", datetime(2024, 8, 12, 13, tzinfo=UTC))
    assert analyst.get("/api/v1/audit/reads").status_code == 403
    reads = admin.get("/api/v1/audit/reads", params={"account": "analyst"}).json()
    assert reads["total"] == 1 and reads["items"][0]["object_id"] is None  # the admin is not in north
    assert doc not in admin.get("/api/v1/audit/reads").text
    assert admin.get("/api/v1/audit/reads", params={"object": doc}).json()["total"] == 0
    assert admin.get("/api/v1/audit/reads", params={"since": "soon"}).status_code == 422
    report = analyst.get("/api/v1/teams/north/report").json()
    assert {(h["kind"], h["marking"]) for h in report["holdings"]} >= {("document", "TLP:AMBER+STRICT")}
    assert admin.get("/api/v1/teams/north/report").json()["holdings"] == []  # nothing the admin may see
    assert viewer.get("/api/v1/teams/north/report").status_code == 404


def test_the_team_pages_and_the_document_form(as_role: Callable[[Role | str], TestClient],
                                              world: World) -> None:
    viewer, analyst, admin = as_role("viewer"), as_role("analyst"), as_role("admin")
    page = admin.get("/teams")
    assert page.status_code == 200 and "Add a team" in page.text and "No teams yet." in page.text
    assert "Add a team" not in viewer.get("/teams").text
    made = admin.post("/teams", data={"team_id": "north", "name": "North desk", "csrf_token": admin.csrf})
    assert made.status_code == 303 and made.headers["location"].endswith("/teams/north")
    assert admin.post("/teams/north/members", data={"account": "analyst", "csrf_token": admin.csrf}
                      ).status_code == 303
    team = admin.get("/teams/north").text
    assert "analyst added to team north" in team and 'data-account="analyst"' in team and "Add member" in team
    assert viewer.get("/teams/north").status_code == 404
    assert viewer.post("/teams", data={"team_id": "south", "csrf_token": viewer.csrf}).status_code == 403
    doc = next(iter(world.documents.values()))
    assert "Raise the marking" in analyst.get(f"/documents/{doc}").text
    assert "Raise the marking" not in viewer.get(f"/documents/{doc}").text
    form = {"marking": "TLP:AMBER+STRICT", "team": "north", "recipients": "", "csrf_token": analyst.csrf}
    assert analyst.post(f"/documents/{doc}/marking", data=form).status_code == 303
    lowered = analyst.post(f"/documents/{doc}/marking", data={**form, "marking": "TLP:GREEN", "team": ""})
    assert lowered.status_code == 422 and "FW-E107" in lowered.text
    report = analyst.get("/teams/north").text
    assert "TLP:AMBER+STRICT" in report and "Holdings" in report
    assert admin.get("/audit").status_code == 200 and "No reads recorded." in admin.get("/audit").text
    assert analyst.get("/audit").status_code == 403
    removed = admin.post("/teams/north/members/analyst/remove", data={"csrf_token": admin.csrf})
    assert removed.status_code == 303 and 'data-account="analyst"' not in admin.get("/teams/north").text
