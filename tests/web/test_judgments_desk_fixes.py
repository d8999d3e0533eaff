"""The judgment desk finished (issue 17, part A): the API tells a blind publisher neither the gap nor the flag (as
the page does not), resolution is the owner's (or an admin's), the full history of every analyst's estimates shows
once revealed (only one's own before), and a scenario's question no one has asked yet is shown, not a 404, with
nothing written until the first estimate."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.errors import Forbidden
from forewarn.model import Principal, PrincipalKind
from forewarn.model.judgment import QuestionState

Client = Callable[[Role | str], TestClient]
BODY = {"title": "Will the border be crossed?", "criteria": "Troops cross.", "resolves_by": "2099-01-01"}


def _auth(token_for: Callable[[Role | str], str], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(role)}"}


def test_the_api_tells_a_blind_publisher_no_gap_and_no_flag(web: TestClient,
                                                           token_for: Callable[[Role | str], str]) -> None:
    analyst, officer = _auth(token_for, "analyst"), _auth(token_for, "duty_officer")
    qid = web.post("/api/v1/questions", json=BODY, headers=analyst).json()["id"]
    assert web.post(f"/api/v1/questions/{qid}/estimates", json={"probability": 0.8}, headers=analyst).status_code == 201
    blind = web.post(f"/api/v1/questions/{qid}/lines", json={"probability": 0.1}, headers=officer)
    assert blind.status_code == 201, blind.text
    told = blind.json()
    assert told["withheld"] and told["gap"] is None and told["flagged"] is None and told["model_gap"] is None
    assert "-3.5" not in blind.text and "salt" not in told  # nothing that tells where the analysts stand
    # once the officer's own estimate is in, the next line's gap and flag are told
    assert web.post(f"/api/v1/questions/{qid}/estimates", json={"probability": 0.5}, headers=officer).status_code == 201
    seen = web.post(f"/api/v1/questions/{qid}/lines", json={"probability": 0.1}, headers=officer).json()
    assert not seen["withheld"] and seen["flagged"] and seen["gap"] < -0.5


def test_only_the_owner_or_an_admin_resolves(web: TestClient, token_for: Callable[[Role | str], str],
                                             world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    analyst, officer, admin = (_auth(token_for, r) for r in ("analyst", "duty_officer", "admin"))
    qid = web.post("/api/v1/questions", json=BODY, headers=analyst).json()["id"]
    done = {"outcome": "yes", "rationale": "Troops crossed on 6 August."}
    refused = web.post(f"/api/v1/questions/{qid}/resolve", json=done, headers=officer)
    assert refused.status_code == 403 and "analyst" in refused.json()["hint"], refused.text
    assert ws.judgments.view(str(qid)).question.state is QuestionState.OPEN  # nothing changed
    assert web.post(f"/api/v1/questions/{qid}/resolve", json=done, headers=admin).status_code == 200
    other = ws.acting_as(Principal("bob", Role.ANALYST, PrincipalKind.USER))
    q2 = web.post("/api/v1/questions", json={**BODY, "owner": "carol"}, headers=analyst).json()["id"]
    try:
        other.judgments.resolve(str(q2), QuestionState.ANNULLED, "moot")
    except Forbidden as err:
        assert "carol" in str(err) and "carol" in (err.hint or "")
    else:
        raise AssertionError("bob resolved carol's question")


def test_the_full_history_once_revealed(web: TestClient, token_for: Callable[[Role | str], str],
                                        as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    analyst, admin = _auth(token_for, "analyst"), _auth(token_for, "admin")
    qid = web.post("/api/v1/questions", json=BODY, headers=analyst).json()["id"]
    for p, why in ((0.8, "armour massing"), (0.6, "columns turned back")):
        web.post(f"/api/v1/questions/{qid}/estimates", json={"probability": p, "rationale": why}, headers=analyst)
    hidden = web.get(f"/api/v1/questions/{qid}", headers=admin).json()
    assert hidden["history"] == [] and not hidden["revealed"]
    page = as_role("admin").get(f"/questions/{qid}").text
    assert "columns turned back" not in page and "armour massing" not in page
    assert [e["probability"] for e in web.get(f"/api/v1/questions/{qid}", headers=analyst).json()["history"]] == [
        0.8, 0.6]  # the analyst's own, both
    web.post(f"/api/v1/questions/{qid}/estimates", json={"probability": 0.3}, headers=admin)
    seen = web.get(f"/api/v1/questions/{qid}", headers=admin).json()
    assert [(e["analyst"], e["probability"]) for e in seen["history"]] == [
        ("analyst", 0.8), ("analyst", 0.6), ("admin", 0.3)]
    assert [e["probability"] for e in seen["others"]] == [0.6]  # "others" stays each one's latest
    page = as_role("admin").get(f"/questions/{qid}").text
    assert 'id="history"' in page and "armour massing" in page and "columns turned back" in page
    assert [e.probability for e in ws.acting_as(Principal("admin", Role.ADMIN, PrincipalKind.USER))
            .judgments.history(str(qid))] == [0.8, 0.6, 0.3]


def test_a_scenarios_question_not_yet_asked_is_shown(as_role: Client, world_ws: tuple[Workspace, World],
                                                     web: TestClient, token_for: Callable[[Role | str], str]) -> None:
    ws, world = world_ws
    sid = world.scenario_id
    viewer = _auth(token_for, "viewer")
    entries = len(ws.ledger.entries())
    page = as_role("analyst").get(f"/questions/{sid}")
    assert page.status_code == 200, page.text[:300]
    assert "Not yet asked" in page.text and f'action="/questions/{sid}/estimates"' in page.text
    assert f'href="/scenarios/{sid}"' in page.text and "/resolve" not in page.text
    api = web.get(f"/api/v1/questions/{sid}", headers=viewer)
    assert api.status_code == 200 and not api.json()["asked"] and api.json()["question"]["scenario_id"] == sid
    assert ws.judgments.listing() == [] and len(ws.ledger.entries()) == entries  # nothing written by reading
    assert as_role("analyst").get("/questions/no-such-scenario").status_code == 404
    client = as_role("analyst")
    landed = client.post(f"/questions/{sid}/estimates", data={"probability": "0.7",
                                                              "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert landed.status_code == 303
    assert [v.question.scenario_id for v in ws.judgments.listing()] == [sid]


def test_whoever_holds_the_owners_role_resolves(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst = ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    q = analyst.judgments.estimate(world.scenario_id, 0.6).question_id
    owner = analyst.judgments.view(world.scenario_id).question.owner
    assert owner == "duty-officer" and not analyst.judgments.may_resolve(analyst.judgments.view(str(q)).question)
    ws.warnings.roster_add(owner, "analyst")  # the analyst holds the owner's role now
    assert analyst.judgments.may_resolve(analyst.judgments.view(str(q)).question)
    done = analyst.judgments.resolve(str(q), QuestionState.RESOLVED_YES, "Troops crossed on 6 August.")
    assert done.resolved_by == "analyst"
