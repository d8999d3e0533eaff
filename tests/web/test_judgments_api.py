"""Questions and judgments over the API (issue 17, items 1–3): a scenario's question made on demand, the blind
rule (no others' estimates, lines or model probability before the caller's own estimate is in), the softened
line flagged, roles, resolution."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace


def _auth(token_for: Callable[[Role | str], str], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(role)}"}


def test_blind_rule_and_the_softened_line(web: TestClient, token_for: Callable[[Role | str], str],
                                          world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst, officer, admin, viewer = (_auth(token_for, r) for r in ("analyst", "duty_officer", "admin", "viewer"))
    sid = world.scenario_id
    made = web.post(f"/api/v1/questions/{sid}/estimates", json={"probability": 0.8, "rationale": "armour"},
                    headers=analyst)
    assert made.status_code == 201 and made.json()["blind"] and made.json()["words"] == "likely", made.text
    line = web.post(f"/api/v1/questions/{sid}/lines", json={"probability": 0.1, "words": "under control"},
                    headers=officer)
    told = line.json()  # the officer has no estimate of their own: the gap and the flag are withheld, as on the page
    assert line.status_code == 201 and told["withheld"] and told["gap"] is told["flagged"] is told["model_gap"] is None
    for who in (admin, viewer):
        hidden = web.get(f"/api/v1/questions/{sid}", headers=who).json()
        assert not hidden["revealed"] and hidden["others"] == [] and hidden["lines"] == [] and hidden["model"] is None
        listed = web.get("/api/v1/questions", headers=who).json()
        assert listed["total"] == 1 and listed["items"][0]["others"] == [] and listed["items"][0]["lines"] == []
        assert "under control" not in web.get("/api/v1/questions", headers=who).text
    assert web.post(f"/api/v1/questions/{sid}/estimates", json={"probability": 0.5}, headers=viewer).status_code == 403
    assert web.post(f"/api/v1/questions/{sid}/estimates", json={"probability": 0.7}, headers=admin).status_code == 201
    seen = web.get(f"/api/v1/questions/{sid}", headers=admin).json()
    assert seen["revealed"] and [e["analyst"] for e in seen["others"]] == ["analyst"]
    assert seen["lines"][0]["words"] == "under control" and 0 < seen["model"] < 1 and seen["model_words"]
    assert seen["lines"][0]["flagged"] and seen["lines"][0]["gap"] < -0.5 and not seen["lines"][0].get("withheld")
    assert [e.kind for e in ws.ledger.entries(kind=["question-added", "estimate-recorded", "line-published"])] == [
        "question-added", "estimate-recorded", "line-published", "estimate-recorded"]


def test_add_publish_roles_and_resolve(web: TestClient, token_for: Callable[[Role | str], str]) -> None:
    analyst, officer = _auth(token_for, "analyst"), _auth(token_for, "duty_officer")
    body = {"title": "Will the border be crossed?", "criteria": "Troops cross.", "resolves_by": "2099-01-01"}
    made = web.post("/api/v1/questions", json=body, headers=analyst)
    assert made.status_code == 201 and made.json()["state"] == "open", made.text
    qid = made.json()["id"]
    assert web.post(f"/api/v1/questions/{qid}/lines", json={"probability": 0.5}, headers=analyst).status_code == 403
    first = web.post(f"/api/v1/questions/{qid}/lines", json={"probability": 0.5}, headers=officer).json()
    assert first["gap"] is None and not first["flagged"] and first["words"] == "roughly even chance"  # no estimates
    assert web.post(f"/api/v1/questions/{qid}/estimates", json={"probability": 1}, headers=analyst).status_code == 422
    assert web.post("/api/v1/questions", json={**body, "resolves_by": "2000-01-01"}, headers=analyst).status_code \
        in (400, 422)
    done = web.post(f"/api/v1/questions/{qid}/resolve", json={"outcome": "no", "rationale": "Nothing crossed."},
                    headers=analyst)
    assert done.status_code == 200 and done.json()["state"] == "resolved-no"
    again = web.post(f"/api/v1/questions/{qid}/estimates", json={"probability": 0.5}, headers=analyst)
    assert again.status_code == 409 and again.json()["code"] == "FW-E084"
    assert web.get("/api/v1/questions/99999999999999", headers=analyst).status_code == 404
    assert web.get("/api/v1/questions/no-such-scenario", headers=analyst).status_code == 404
