"""The warnings and scenarios API: every endpoint, on SQLite and PostgreSQL, with the roles that may
call it, the problems it answers with, and the ledger naming the authenticated user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from detect_store_helpers import SCENARIO
from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.cycle import run_cycle

WorldWs = tuple[Workspace, World]


@pytest.fixture
def bearer(token_for: Callable[[Role | str], str]) -> Callable[[str], dict[str, str]]:
    def make(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(role)}"}

    return make


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


# -- warnings: reads ---------------------------------------------------------------------------------

def test_list_warnings_filters_and_pages(web: TestClient, world: World, world_ws: WorldWs,
                                         bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    viewer = bearer("viewer")
    [first] = world.warning_ids
    critical = ws.warnings.raise_warning("Critical by hand", "text", "critical").id
    high = ws.warnings.raise_warning("High by hand", "text", "high", scenario_id=world.scenario_id).id

    page = web.get("/api/v1/warnings", headers=viewer).json()
    assert [w["id"] for w in page["items"]] == [critical, high, first]  # by severity, then age
    assert page["total"] == 3 and page["next"] is None
    item = page["items"][2]
    assert item["scenario_id"] == world.scenario_id and item["state"] == "raised" and item["origin"] == "scenario"
    assert item["owner"] == "duty-officer" and item["chain"] == ["duty-officer", "watch-lead"]
    assert item["history"] is None and len(item["document_ids"]) == 5

    one = web.get("/api/v1/warnings?limit=1&offset=1", headers=viewer).json()
    assert [w["id"] for w in one["items"]] == [high] and one["total"] == 3
    assert "offset=2" in one["next"]
    assert [w["id"] for w in web.get("/api/v1/warnings?severity=high", headers=viewer).json()["items"]] == [high]
    scenario = web.get(f"/api/v1/warnings?scenario={world.scenario_id}", headers=viewer).json()
    assert sorted(w["id"] for w in scenario["items"]) == sorted([high, first])

    ws.warnings.dispose(high, "acted-on", None)
    assert web.get("/api/v1/warnings?state=disposed", headers=viewer).json()["total"] == 1
    assert web.get("/api/v1/warnings?state=all", headers=viewer).json()["total"] == 3
    assert web.get("/api/v1/warnings", headers=viewer).json()["total"] == 2
    problem(web.get("/api/v1/warnings?state=closed", headers=viewer), 422, "FW-E005")
    problem(web.get("/api/v1/warnings?limit=0", headers=viewer), 422, "FW-E005")


def test_escalated_warnings_come_first(web: TestClient, world: World, world_ws: WorldWs,
                                       bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    critical = ws.warnings.raise_warning("Critical", "", "critical").id
    ws.warnings.escalate(first, "needs the watch lead")
    ids = [w["id"] for w in web.get("/api/v1/warnings", headers=bearer("viewer")).json()["items"]]
    assert ids == [first, critical]


def test_one_warning_with_its_history(web: TestClient, world: World, world_ws: WorldWs,
                                      bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    ws.warnings.acknowledge(first, "seen")
    body = web.get(f"/api/v1/warnings/{first}", headers=bearer("viewer")).json()
    assert body["id"] == first and body["state"] == "acknowledged" and body["acknowledged_by"] == "tester"
    assert [e["kind"] for e in body["history"]] == ["warning-raised", "warning-acknowledged"]
    assert body["history"][1]["payload"]["note"] == "seen"
    problem(web.get("/api/v1/warnings/99999", headers=bearer("viewer")), 404, "FW-E003")
    problem(web.get("/api/v1/warnings/abc", headers=bearer("viewer")), 422, "FW-E005")
    problem(web.get(f"/api/v1/warnings/{first}"), 401, "FW-E100")


def test_changes_returns_what_changed_after_the_cursor(web: TestClient, world: World, world_ws: WorldWs,
                                                       bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    viewer = bearer("viewer")
    [first] = world.warning_ids
    start = web.get("/api/v1/warnings/changes", headers=viewer).json()
    assert start["reset"] is True and [w["id"] for w in start["warnings"]] == [first]
    cursor = start["cursor"]

    quiet = web.get(f"/api/v1/warnings/changes?since={cursor}", headers=viewer).json()
    assert quiet == {"cursor": cursor, "reset": False, "warnings": []}

    new = ws.warnings.raise_warning("Raised after the cursor", "text", "high").id  # the same clock time as before
    ws.ledger.record("comment", "scenario:armour-watch", {"text": "not about a warning"})
    after = web.get(f"/api/v1/warnings/changes?since={cursor}", headers=viewer).json()
    assert after["reset"] is False and [w["id"] for w in after["warnings"]] == [new]
    assert after["warnings"][0]["title"] == "Raised after the cursor"
    assert int(after["cursor"]) > int(cursor)

    ws.warnings.dispose(first, "dismissed", "not a threat")
    ws.warnings.acknowledge(new)
    last = web.get(f"/api/v1/warnings/changes?since={after['cursor']}", headers=viewer).json()
    states = {w["id"]: w["state"] for w in last["warnings"]}
    assert states == {first: "disposed", new: "acknowledged"}  # closed ones too: the board drops them
    assert web.get(f"/api/v1/warnings/changes?since={last['cursor']}", headers=viewer).json()["warnings"] == []

    ahead = web.get("/api/v1/warnings/changes?since=999999999", headers=viewer).json()
    assert ahead["reset"] is True and [w["id"] for w in ahead["warnings"]] == [new]
    problem(web.get("/api/v1/warnings/changes?since=abc", headers=viewer), 422, "FW-E005")


# -- warnings: actions -------------------------------------------------------------------------------

def test_raise_a_warning_as_analyst(web: TestClient, world: World, world_ws: WorldWs,
                                    bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    body = {"title": "Partner bulletin: armour", "text": "from the partner", "severity": "high",
            "scenario_id": world.scenario_id, "partner": "Allied desk", "partner_ref": "B-17",
            "document_ids": [world.documents["o1"]]}
    response = web.post("/api/v1/warnings", json=body, headers=bearer("analyst"))
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["location"] == f"/api/v1/warnings/{made['id']}"
    assert made["origin"] == "partner" and made["partner_ref"] == "B-17" and made["raised_by"] == "analyst"
    assert made["document_ids"] == [world.documents["o1"]] and made["ack_deadline"] is not None
    [entry] = ws.ledger.entries(subject=f"warning:{made['id']}")
    assert entry.actor == "analyst" and entry.kind == "warning-raised"

    problem(web.post("/api/v1/warnings", json=body, headers=bearer("viewer")), 403, "FW-E101")
    problem(web.post("/api/v1/warnings", json={**body, "severity": "apocalyptic"}, headers=bearer("analyst")),
            422, "FW-E005")
    problem(web.post("/api/v1/warnings", json={**body, "document_ids": ["nope"]}, headers=bearer("analyst")),
            422, "FW-E005")
    problem(web.post("/api/v1/warnings", json={**body, "title": ""}, headers=bearer("analyst")), 422, "FW-E005")
    problem(web.post("/api/v1/warnings", json={**body, "title": "x" * 501}, headers=bearer("analyst")), 422, "FW-E005")
    problem(web.post("/api/v1/warnings", json={**body, "scenario_id": "no-such"}, headers=bearer("analyst")),
            404, "FW-E003")


def test_acknowledge_dispose_escalate_as_duty_officer(web: TestClient, world: World, world_ws: WorldWs,
                                                      bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    duty = bearer("duty_officer")
    [first] = world.warning_ids
    problem(web.post(f"/api/v1/warnings/{first}/acknowledge", json={}, headers=bearer("analyst")), 403, "FW-E101")

    escalated = web.post(f"/api/v1/warnings/{first}/escalate", json={"reason": "needs the lead"}, headers=duty)
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["owner"] == "watch-lead" and escalated.json()["escalated"] is True
    problem(web.post(f"/api/v1/warnings/{first}/escalate", json={"reason": "again"}, headers=duty), 409, "FW-E080")
    problem(web.post(f"/api/v1/warnings/{first}/escalate", json={"reason": " "}, headers=duty), 422, "FW-E005")

    acked = web.post(f"/api/v1/warnings/{first}/acknowledge", json={"note": "on it"}, headers=duty)
    assert acked.status_code == 200 and acked.json()["state"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "duty_officer"
    problem(web.post(f"/api/v1/warnings/{first}/acknowledge", headers=duty), 409, "FW-E080")

    refused = problem(web.post(f"/api/v1/warnings/{first}/dispose", json={"disposition": "dismissed"}, headers=duty),
                      422, "FW-E081")
    assert "rationale" in refused["detail"]
    problem(web.post(f"/api/v1/warnings/{first}/dispose", json={"disposition": "dismissed", "rationale": "  "},
                     headers=duty), 422, "FW-E081")
    problem(web.post(f"/api/v1/warnings/{first}/dispose", json={"disposition": "superseded", "rationale": "x"},
                     headers=duty), 422, "FW-E005")
    assert ws.warnings.get(first).state.value == "acknowledged"

    done = web.post(f"/api/v1/warnings/{first}/dispose", headers=duty,
                    json={"disposition": "dismissed", "rationale": "a known exercise", "signposts": ["bridging"]})
    assert done.status_code == 200, done.text
    assert done.json()["disposition"] == "dismissed" and done.json()["signposts"] == ["bridging"]
    kinds = [(e.kind, e.actor) for e in ws.ledger.entries(subject=f"warning:{first}")]
    assert kinds[1:] == [("warning-escalated", "duty_officer"), ("warning-acknowledged", "duty_officer"),
                         ("warning-disposed", "duty_officer")]
    problem(web.post("/api/v1/warnings/424242/acknowledge", headers=duty), 404, "FW-E003")


def test_session_actions_record_the_user_and_need_the_csrf_token(as_role: Callable[[str], TestClient],
                                                                 world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    client = as_role("duty_officer")
    csrf = client.headers.pop("X-CSRF-Token")
    problem(client.post(f"/api/v1/warnings/{first}/acknowledge", json={"note": "x"}), 403, "FW-E102")
    response = client.post(f"/api/v1/warnings/{first}/acknowledge", json={"note": "x"},
                           headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    assert ws.ledger.entries(subject=f"warning:{first}")[-1].actor == "duty_officer"


# -- scenarios ---------------------------------------------------------------------------------------

def test_scenario_list_and_detail_use_the_stored_assessment(web: TestClient, world: World,
                                                             bearer: Callable[[str], dict[str, str]]) -> None:
    viewer = bearer("viewer")
    page = web.get("/api/v1/scenarios", headers=viewer).json()
    assert page["total"] == 1
    [item] = page["items"]
    assert item["id"] == world.scenario_id and item["name"] == "Armour near Sudzha"
    assert item["latest"]["level"] == "elevated" and item["latest"]["probability"] == pytest.approx(0.341, abs=1e-3)
    assert item["open_warnings"] == 1 and item["indicator_count"] == 2
    assert [t["level"] for t in item["thresholds"]] == ["elevated", "high", "critical"]

    detail = web.get(f"/api/v1/scenarios/{world.scenario_id}", headers=viewer).json()
    assert [i["id"] for i in detail["indicators"]] == ["armour", "shelling-surge"]
    assert detail["yaml"].startswith("id: armour-watch")
    signals = detail["latest_assessment"]["signals"]
    assert len(signals) == 4 and all(s["indicator_id"] == "armour" and s["counted"] for s in signals)
    assert sum(s["contribution"] for s in signals) == pytest.approx(1.539, abs=1e-3)
    problem(web.get("/api/v1/scenarios/no-such", headers=viewer), 404, "FW-E003")


def test_a_cycle_compares_with_the_latest_assessment_the_pages_show(web: TestClient, world: World, world_ws: WorldWs,
                                                                   bearer: Callable[[str], dict[str, str]]) -> None:
    """Regression: "latest" was the highest id for the cycle and the latest time for the pages. After
    a cycle for an earlier time, the next cycle compared with that earlier row (and published again)
    while the pages showed another."""
    ws, _ = world_ws
    t1 = datetime(2024, 8, 12, 6, tzinfo=UTC)  # the world's cycle published its assessment at T1
    before = run_cycle(ws, datetime(2024, 8, 1, tzinfo=UTC))  # T0 < T1: nothing known yet, the prior
    assert before.published == (world.scenario_id,)
    after = run_cycle(ws, t1 + timedelta(minutes=1))  # T2 > T1: the same evidence as at T1
    assert after.published == ()  # compared with T1's row, not with the later-stored T0 row
    latest = ws.scenarios.latest()[world.scenario_id]
    assert latest.at == t1 and latest == ws.scenarios.latest(until=t1 + timedelta(minutes=1))[world.scenario_id]
    then = ws.scenarios.latest(until=datetime(2024, 8, 1, tzinfo=UTC))[world.scenario_id]
    assert then.probability == pytest.approx(0.1)
    viewer = bearer("viewer")
    [item] = web.get("/api/v1/scenarios", headers=viewer).json()["items"]
    detail = web.get(f"/api/v1/scenarios/{world.scenario_id}", headers=viewer).json()
    for shown in (item["latest"], detail["latest_assessment"]):
        assert shown["at"].startswith("2024-08-12T06:00") and shown["probability"] == latest.probability
    assert detail["latest_assessment"]["id"] == latest.id
    assert ws.scenarios.page(world.scenario_id, None).last == latest  # the scenario page's latest
    [newest, oldest] = ws.scenarios.published(world.scenario_id)
    assert (newest, oldest.at) == (latest, datetime(2024, 8, 1, tzinfo=UTC))  # latest first: by time, not id


def test_assessments_page_and_time_filters(web: TestClient, world: World, world_ws: WorldWs,
                                          bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    viewer = bearer("viewer")
    url = f"/api/v1/scenarios/{world.scenario_id}/assessments"
    page = web.get(url, headers=viewer).json()
    assert page["total"] == 1
    [a] = page["items"]
    assert a["at"].startswith("2024-08-12T06:00") and a["level"] == "elevated" and len(a["signals"]) == 4
    [bare] = web.get(f"{url}?signals=false", headers=viewer).json()["items"]
    assert bare["signals"] is None and bare["probability"] == a["probability"] and bare["id"] == a["id"]
    assert web.get(f"{url}?since=2024-08-12T06:00:00Z", headers=viewer).json()["total"] == 1
    assert web.get(f"{url}?since=2024-08-12T06:00:01", headers=viewer).json()["total"] == 0
    assert web.get(f"{url}?until=2024-08-12T06:00:00Z", headers=viewer).json()["total"] == 0
    problem(web.get(f"{url}?since=yesterday", headers=viewer), 422, "FW-E005")
    problem(web.get("/api/v1/scenarios/no-such/assessments", headers=viewer), 404, "FW-E003")
    ws.scenarios.remove(world.scenario_id)  # its history stays readable
    assert web.get(url, headers=viewer).json()["total"] == 1


def test_add_scenarios_from_yaml_and_defaults(web: TestClient, world_ws: WorldWs,
                                              bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    analyst = bearer("analyst")
    text = SCENARIO.replace("id: armour-watch", "id: posted-watch").replace("name: Armour near Sudzha",
                                                                              "name: Posted watch")
    added = web.post("/api/v1/scenarios", json={"yaml": text}, headers=analyst)
    assert added.status_code == 201, added.text
    assert added.json()["change"] == "scenario-added" and added.json()["scenario"]["name"] == "Posted watch"
    assert added.headers["location"] == "/api/v1/scenarios/posted-watch"
    assert ws.scenarios.get("posted-watch").name == "Posted watch"
    [record] = [r for r in ws.scenarios.records() if r.scenario.id == "posted-watch"]
    assert record.origin == "posted YAML (web:analyst)"
    [entry] = ws.ledger.entries(subject="scenario:posted-watch")
    assert entry.actor == "analyst" and entry.kind == "scenario-added"

    again = web.post("/api/v1/scenarios", json={"yaml": text}, headers=analyst)
    assert again.status_code == 200 and again.json()["change"] is None

    shipped = web.post("/api/v1/scenarios", json={"default": "coup"}, headers=analyst)
    assert shipped.status_code == 201 and shipped.json()["scenario"]["id"] == "coup"

    bad = problem(web.post("/api/v1/scenarios", json={"yaml": "id: broken\nprior: 7\n"}, headers=analyst),
                  422, "FW-E070")
    assert "posted YAML (web:analyst)" in bad["detail"]
    problem(web.post("/api/v1/scenarios", json={"yaml": text, "default": "coup"}, headers=analyst), 422, "FW-E005")
    problem(web.post("/api/v1/scenarios", json={}, headers=analyst), 422, "FW-E005")
    problem(web.post("/api/v1/scenarios", json={"default": "no-such-default"}, headers=analyst), 404, "FW-E003")
    problem(web.post("/api/v1/scenarios", json={"default": "coup"}, headers=bearer("viewer")), 403, "FW-E101")


def test_remove_a_scenario(web: TestClient, world: World, world_ws: WorldWs,
                           bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    problem(web.delete(f"/api/v1/scenarios/{world.scenario_id}", headers=bearer("viewer")), 403, "FW-E101")
    removed = web.delete(f"/api/v1/scenarios/{world.scenario_id}", headers=bearer("analyst"))
    assert removed.status_code == 200, removed.text
    assert removed.json()["change"] == "scenario-removed"
    assert ws.ledger.entries(subject=f"scenario:{world.scenario_id}")[-1].actor == "analyst"
    assert web.get("/api/v1/scenarios", headers=bearer("viewer")).json()["total"] == 0
    problem(web.get(f"/api/v1/scenarios/{world.scenario_id}", headers=bearer("viewer")), 404, "FW-E003")
    problem(web.delete(f"/api/v1/scenarios/{world.scenario_id}", headers=bearer("analyst")), 404, "FW-E003")


def test_run_a_cycle_as_duty_officer(web: TestClient, world: World, world_ws: WorldWs,
                                     bearer: Callable[[str], dict[str, str]]) -> None:
    ws, _ = world_ws
    problem(web.post("/api/v1/cycle", headers=bearer("analyst")), 403, "FW-E101")
    web.post("/api/v1/scenarios", json={"default": "coup"}, headers=bearer("analyst"))
    response = web.post("/api/v1/cycle", headers=bearer("duty_officer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assessed = {a["scenario_id"]: a for a in body["assessments"]}
    assert set(assessed) == {world.scenario_id, "coup"}
    assert body["published"] == ["coup"] and assessed["coup"]["published"] is True  # first assessment of it
    assert assessed[world.scenario_id]["published"] is False  # unchanged since the world's cycle
    assert body["delivery"] == {"sent": 0, "failed": 0, "dead": 0}
    [entry] = ws.ledger.entries(kind="assessment-published", subject="scenario:coup")
    assert entry.actor == "duty_officer"
