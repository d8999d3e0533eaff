"""Post-mortems over the API and on their page, for the world's scenario: signals, warnings and the
people who acted on them before the event, and where the chain broke."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from web_support import HOSTILE, World

from forewarn.app import Workspace
from forewarn.model import Principal

ROLE = Callable[[str], TestClient]


def test_postmortem_api_before_any_warning(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, world = world_ws
    got = as_role("viewer").get(f"/api/v1/postmortem/{world.scenario_id}", params={"event-date": "2024-08-12"})
    assert got.status_code == 200, got.text
    body = got.json()
    expected = ws.review.postmortem(world.scenario_id, date(2024, 8, 12))
    assert body["scenario_id"] == world.scenario_id and body["scenario_name"] == "Armour near Sudzha"
    assert body["event_at"] == "2024-08-12T00:00:00Z"
    assert body["broken"] == expected.broken.value == "no-warning"
    assert body["signals"] == len(expected.signals) > 0
    assert expected.first_signal is not None and expected.signal_lead_time is not None
    assert body["first_signal"]["known_at"] == expected.first_signal.known_at.isoformat().replace("+00:00", "Z")
    assert body["first_signal"]["source_ids"] == list(expected.first_signal.source_ids)
    assert body["signal_lead_time_seconds"] == expected.signal_lead_time.total_seconds()
    assert body["first_warning"] is None and body["lead_time_seconds"] is None and body["warnings"] == []
    assert body["findings"][0]["link"] == "no-warning" and "no warning was raised" in body["findings"][0]["text"]
    assert [t["kind"] for t in body["timeline"]][-1] == "event"
    assert sum(d["count"] for d in body["signals_per_day"]) == body["signals"]
    assert body["replay"] is None and body["published"] == []  # the one assessment came after the event
    assert HOSTILE in str(body)  # data, as stored: escaping is the page's job


def test_postmortem_api_names_who_acted_and_when(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, world = world_ws
    warning_id = world.warning_ids[0]
    ws.acting_as(Principal.local("duty_officer")).warnings.acknowledge(warning_id, "on it")
    body = as_role("viewer").get(f"/api/v1/postmortem/{world.scenario_id}",
                                 params={"event-date": "2024-08-13", "margin-days": 5, "replay": "true"}).json()
    assert body["broken"] == "none" and body["first_warning"] == warning_id
    assert body["window_start"] == "2024-07-25T00:00:00Z"  # 14 days' horizon and 5 days' margin
    outcome = body["warnings"][0]
    assert (outcome["id"], outcome["status"], outcome["by"]) == (warning_id, "acknowledged", "duty_officer")
    assert outcome["when"] == ws.clock().isoformat().replace("+00:00", "Z")
    raised = datetime.fromisoformat(outcome["raised_at"])
    assert body["lead_time_seconds"] == (datetime(2024, 8, 13, tzinfo=UTC) - raised).total_seconds()
    acked = [t for t in body["timeline"] if t["kind"] == "acknowledged"]
    assert [(t["actor"], t["warning_id"], t["detail"]) for t in acked] == [("duty_officer", warning_id, "on it")]
    assert body["replay"] and all(0 <= p["probability"] <= 1 for p in body["replay"])
    with ws.store.engine.connect() as conn:
        stored = list(conn.exec_driver_sql("SELECT probability FROM assessments ORDER BY id").scalars())
    assert stored and [p["probability"] for p in body["published"]] == stored


def test_postmortem_page_form_and_errors(world: World, as_role: ROLE) -> None:
    client = as_role("viewer")
    page = client.get("/postmortem")
    assert page.status_code == 200
    assert re.search(r'<select name="scenario"[^>]*>\s*<option value="armour-watch"', page.text)
    assert 'name="event-date"' in page.text and 'placeholder="YYYY-MM-DD"' in page.text
    assert 'name="margin-days"' in page.text
    # with nothing asked, the page opens on the latest warning's scenario (the world has one: never empty)
    assert "chain-break" in page.text and "Opened on the scenario of the latest warning" in page.text
    missing = client.get("/api/v1/postmortem/no-such-scenario", params={"event-date": "2024-08-12"})
    assert missing.status_code == 404 and missing.json()["code"] == "FW-E003"
    bad = client.get(f"/api/v1/postmortem/{world.scenario_id}", params={"event-date": "the twelfth"})
    assert bad.status_code == 422 and bad.json()["code"] == "FW-E005"
    assert client.get(f"/api/v1/postmortem/{world.scenario_id}").status_code == 422
    assert client.get(f"/api/v1/postmortem/{world.scenario_id}",
                      params={"event-date": "0001-01-01"}).status_code == 422
    assert client.get(f"/api/v1/postmortem/{world.scenario_id}",
                      params={"event-date": "2024-08-12", "margin-days": -1}).status_code == 422


def test_postmortem_page_timeline(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, world = world_ws
    warning_id = world.warning_ids[0]
    ws.acting_as(Principal.local("duty_officer")).warnings.escalate(warning_id, "no answer <b>yet</b>")
    client = as_role("viewer")
    before = client.get("/postmortem", params={"scenario": world.scenario_id, "event-date": "2024-08-12"})
    assert before.status_code == 200
    assert 'data-broken="no-warning"' in before.text and "Matched but no warning" in before.text
    assert '<svg class="chart"' in before.text
    assert before.text.count('data-kind="signal"') == min(5, len(ws.review.postmortem(world.scenario_id,
                                                                              date(2024, 8, 12)).signals))
    assert "<script>alert" not in before.text and "&lt;script&gt;alert(&#34;xss&#34;)" in before.text

    assert "No assessment of this scenario was published during the window." in before.text
    assert "replayed from what was known" not in before.text and "replay=1" in before.text
    after = client.get("/postmortem", params={"scenario": world.scenario_id, "event-date": "2024-08-13",
                                              "replay": 1})
    assert 'data-broken="unacknowledged"' in after.text
    assert "probability as published at the time" in after.text and "replayed from what was known" in after.text
    assert after.text.count('<svg class="chart"') == 3
    outcome = re.search(rf'<tr data-warning-id="{warning_id}"[^>]*>(.*?)</tr>', after.text, re.S)
    assert outcome and "unacknowledged" in outcome.group(1)
    escalated = re.search(r'<tr class="tl-escalated" data-kind="escalated">(.*?)</tr>', after.text, re.S)
    assert escalated and "duty_officer" in escalated.group(1)
    assert "no answer &lt;b&gt;yet&lt;/b&gt;" in escalated.group(1)
    assert f'<a href="/warnings/{warning_id}">' in after.text
    officer = ws.acting_as(Principal.local("duty_officer"))
    officer.warnings.dispose(warning_id, "dismissed", f"a drill, not a build-up {HOSTILE}")
    dismissed = client.get("/postmortem", params={"scenario": world.scenario_id, "event-date": "2024-08-13"})
    assert 'data-broken="dismissed"' in dismissed.text and "Warned but dismissed" in dismissed.text
    outcome = re.search(rf'<tr data-warning-id="{warning_id}"[^>]*>(.*?)</tr>', dismissed.text, re.S)
    assert outcome and "dismissed" in outcome.group(1) and "duty_officer" in outcome.group(1)
    assert "a drill, not a build-up &lt;script&gt;" in outcome.group(1)
    disposed = re.search(r'<tr class="tl-disposed" data-kind="disposed">(.*?)</tr>', dismissed.text, re.S)
    assert disposed and "duty_officer" in disposed.group(1) and "dismissed" in disposed.group(1)
    assert "<script>alert" not in dismissed.text
    missing = client.get("/postmortem", params={"scenario": "nope", "event-date": "2024-08-12"})
    assert missing.status_code == 404
    half = client.get("/postmortem", params={"scenario": world.scenario_id})
    assert half.status_code == 422
