"""Competing hypotheses on the web (issue 17, item 7): the API (create, cite by id with the source's grade, rate,
read now and at a version, history, coded refusals, roles) and the pages (list with its form, the matrix with its
score row, ranking, sensitivity and versions; one plain CSRF form per row; an older version read-only)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace

Client = Callable[[Role | str], TestClient]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_api_builds_scores_and_versions_a_matrix(web: TestClient, token_for: Callable[[str], str],
                                                     world: World) -> None:
    analyst, viewer = _bearer(token_for("analyst")), _bearer(token_for("viewer"))
    made = web.post("/api/v1/ach", json={"title": "Sudzha", "hypotheses": ["exercise", "incursion"]}, headers=analyst)
    assert made.status_code == 201, made.text
    mid = made.json()["id"]
    doc_id = next(iter(world.documents.values()))
    cited = web.post(f"/api/v1/ach/{mid}/evidence", json={"ref": f"document:{doc_id}", "grade": "2"},
                     headers=analyst).json()["evidence"][0]
    assert cited["kind"] == "document" and cited["href"] == f"/documents/{doc_id}" and cited["grade"].endswith("2")
    web.post(f"/api/v1/ach/{mid}/evidence", json={"text": "leave cancelled", "grade": "A1"}, headers=analyst)
    rated = web.post(f"/api/v1/ach/{mid}/ratings", json={"evidence": 2, "hypothesis": 1, "rating": "II"},
                     headers=analyst)
    assert rated.status_code == 200, rated.text
    body = rated.json()
    assert body["version"] == 4 and body["ranking"] == [["H2"], ["H1"]]
    assert body["hypotheses"][0]["inconsistency"] == 3.0 and body["sensitivity"][0]["evidence"] == "E2"
    assert not body["evidence"][0]["diagnostic"] and body["evidence"][1]["ratings"] == {"H1": "II", "H2": None}
    old = web.get(f"/api/v1/ach/{mid}", params={"version": 2}, headers=viewer).json()
    assert old["version"] == 2 and len(old["evidence"]) == 1
    hist = web.get(f"/api/v1/ach/{mid}/history", headers=viewer).json()
    assert [c["change"] for c in hist] == ["create", "add-evidence", "add-evidence", "rate"]
    listed = web.get("/api/v1/ach", headers=viewer).json()
    assert listed["total"] == 1 and listed["items"][0]["version"] == 4
    gone = web.delete(f"/api/v1/ach/{mid}/evidence/2", headers=analyst).json()
    assert gone["version"] == 5 and gone["ranking"] == [["H1", "H2"]] and gone["sensitivity"] == []


def test_the_api_refuses_bad_input_with_fw_e072_and_viewers_changes(web: TestClient,
                                                                   token_for: Callable[[str], str]) -> None:
    analyst, viewer = _bearer(token_for("analyst")), _bearer(token_for("viewer"))
    mid = web.post("/api/v1/ach", json={"title": "t", "hypotheses": ["a", "b"]}, headers=analyst).json()["id"]
    for path, body in ((f"/api/v1/ach/{mid}/evidence", {"ref": "event:no-such-event"}),
                       (f"/api/v1/ach/{mid}/ratings", {"evidence": 1, "hypothesis": 1, "rating": "C"}),
                       ("/api/v1/ach", {"title": "t", "hypotheses": [f"h{i}" for i in range(13)]})):
        refused = web.post(path, json=body, headers=analyst)
        assert refused.status_code == 422 and refused.json()["code"] == "FW-E072", refused.text
        assert refused.json().get("hint")
    web.post(f"/api/v1/ach/{mid}/evidence", json={"text": "x"}, headers=analyst)
    bad = web.post(f"/api/v1/ach/{mid}/ratings", json={"evidence": 1, "hypothesis": 1, "rating": "X"},
                   headers=analyst)
    assert bad.status_code == 422 and bad.json()["code"] == "FW-E072"
    assert web.post(f"/api/v1/ach/{mid}/hypotheses", json={"text": "c"}, headers=viewer).status_code == 403
    assert web.get("/api/v1/ach/999", headers=viewer).status_code == 404
    assert web.get(f"/api/v1/ach/{mid}", params={"version": 9}, headers=viewer).status_code == 404
    assert web.get(f"/api/v1/ach/{mid}", params={"versoin": 1}, headers=viewer).status_code == 422


def _post(client: TestClient, path: str, **form: str) -> str:
    sent = client.post(path, data={**form, "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert sent.status_code == 303, sent.text[:300]
    landed = client.get(sent.headers["location"])
    assert landed.status_code == 200, landed.text[:300]
    return landed.text


def test_the_pages_build_a_matrix_with_plain_forms(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst, viewer = as_role("analyst"), as_role("viewer")
    q = ws.judgments.add_question("Will they cross?", "Regular troops cross.", ws.clock().date())
    page = _post(analyst, "/ach", title="Sudzha build-up", hypotheses="exercise\n\nincursion into Kursk\n",
                 question=str(q.id))
    assert "matrix 1 created" in page and 'id="matrix"' in page and "incursion into Kursk" in page
    mid = ws.ach.listing()[0].id
    assert ws.ach.get(mid).question_id == q.id
    page = _post(analyst, f"/ach/{mid}/evidence", text="bridging kit at the border", grade="a1")
    assert "E1 added, grade A1 (weight 1.50" in page
    page = _post(analyst, f"/ach/{mid}/evidence", ref=f"document:{next(iter(world.documents.values()))}")
    assert 'href="/documents/' in page
    page = _post(analyst, f"/ach/{mid}/ratings/1", h1="II", h2="C")
    assert "E1 rated (version 5)" in page
    assert re.search(r'class="num score leader">0\.00<', page) and ">3.00<" in page
    assert "Which hypothesis ranks first hinges on these items" in page
    assert "removing it changes which hypothesis ranks first" in page
    assert page.count('<form method="post" action="/ach/1/ratings/') == 2 and 'form="rate-E2"' in page
    assert "not diagnostic" in page  # E2 is unrated: neutral against both
    assert not re.search(r"<script(?![^>]*\ssrc=)", page) and " onclick=" not in page  # no inline script
    refused = _post(analyst, f"/ach/{mid}/ratings/1", h1="Q")
    assert "FW-E072" in refused and "not one of CC, C, N, I, II" in refused
    listed = viewer.get(f"/ach?question={q.id}").text
    assert f'href="/ach/{mid}"' in listed and 'action="/ach"' not in listed  # a viewer reads, without forms
    shown = viewer.get(f"/ach/{mid}").text
    assert "<select" not in shown and 'class="rating r-II">II<' in shown
    old = viewer.get(f"/ach/{mid}?version=1").text
    assert "You are looking at version 1" in old and "bridging kit" not in old and "No evidence yet." in old
    assert 'href="/ach?question=' in analyst.get(f"/questions/{q.id}").text
    before = len(ws.ledger.entries(kind="ach-changed"))
    sent = viewer.post(f"/ach/{mid}/hypotheses", data={"text": "x", "csrf_token": viewer.csrf})  # type: ignore[attr-defined]
    assert sent.status_code == 403 and len(ws.ledger.entries(kind="ach-changed")) == before
    no_csrf = analyst.post(f"/ach/{mid}/hypotheses", data={"text": "x"}, headers={"X-CSRF-Token": ""})
    assert no_csrf.status_code == 403 and len(ws.ledger.entries(kind="ach-changed")) == before
