"""The ledger over the API and on its page: entries with filters and paging, verification of the chain
(intact, then tampered with), anchoring (admin only), actor names and escaping of hostile payloads."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from web_support import HOSTILE, World

from forewarn.app import Workspace
from forewarn.model import Principal
from forewarn.store import schema as t

ROLE = Callable[[str], TestClient]


def tamper_payload(ws: Workspace, seq: int) -> None:
    """Change one entry's payload behind the ledger's back, as a database administrator could."""
    with ws.store.transaction() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER ledger_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE ledger DISABLE TRIGGER ledger_no_change")
        conn.execute(t.ledger.update().where(t.ledger.c.seq == seq)
                     .values(payload=json.dumps({"text": "nothing to see"}, separators=(",", ":"))))


def test_entries_newest_first_with_total_and_paging(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, _ = world_ws
    everything = ws.ledger.entries()
    assert len(everything) >= 7
    client = as_role("viewer")
    first = client.get("/api/v1/ledger", params={"limit": 3}).json()
    assert first["total"] == len(everything)
    assert [e["seq"] for e in first["items"]] == [everything[-1].seq, everything[-2].seq, everything[-3].seq]
    assert first["next"] and "offset=3" in first["next"]
    second = client.get("/api/v1/ledger", params={"limit": 3, "offset": 3}).json()
    assert [e["seq"] for e in second["items"]] == [everything[-4].seq, everything[-5].seq, everything[-6].seq]
    oldest = client.get("/api/v1/ledger", params={"oldest-first": "true", "limit": 2}).json()
    assert [e["seq"] for e in oldest["items"]] == [1, 2]
    entry = first["items"][0]
    assert entry["hash"] == everything[-1].hash and entry["prev_hash"] == everything[-2].hash
    assert entry["payload"] == everything[-1].payload


def test_entry_filters(world_ws: tuple[Workspace, World], token_for: Callable[[str], str], web: TestClient) -> None:
    ws, world = world_ws
    assert web.get("/api/v1/ledger/verify").json()["code"] == "FW-E100"
    assert web.get("/ledger").status_code == 303
    auth = {"Authorization": f"Bearer {token_for('viewer')}"}
    added = web.get("/api/v1/ledger", params={"kind": "user-added"}, headers=auth).json()
    assert added["total"] == 4 and {e["subject"] for e in added["items"]} == {
        "user:viewer", "user:analyst", "user:duty_officer", "user:admin"}
    several = web.get("/api/v1/ledger", params=[("kind", "user-added,scenario-added")], headers=auth).json()
    assert several["total"] == 5
    by_setup = web.get("/api/v1/ledger", params={"actor": "setup"}, headers=auth).json()
    assert by_setup["total"] >= 5 and all(e["actor"] == "setup" for e in by_setup["items"])
    users = web.get("/api/v1/ledger", params={"subject": "user:"}, headers=auth).json()
    assert users["total"] >= 4 and all(e["subject"].startswith("user:") for e in users["items"])
    warning = web.get("/api/v1/ledger", params={"subject": f"warning:{world.warning_ids[0]}"}, headers=auth).json()
    assert warning["total"] >= 1 and {e["kind"] for e in warning["items"]} >= {"warning-raised"}
    today = ws.clock().date().isoformat()
    assert web.get("/api/v1/ledger", params={"since": today, "until": today}, headers=auth).json()["total"] \
        == len(ws.ledger.entries())
    later = (ws.clock() + timedelta(days=1)).date().isoformat()
    assert web.get("/api/v1/ledger", params={"since": later}, headers=auth).json() == {
        "items": [], "total": 0, "limit": 50, "offset": 0, "next": None}
    bad = web.get("/api/v1/ledger", params={"since": "last tuesday"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["code"] == "FW-E005"
    assert web.get("/api/v1/ledger", params={"limit": 501}, headers=auth).status_code == 422
    assert web.get("/api/v1/ledger", params={"since": "0001-01-01"}, headers=auth).status_code == 422
    assert web.get("/api/v1/ledger", params={"until": "9999-12-31"}, headers=auth).status_code == 422


def test_verify_reports_ok_then_broken_after_tampering(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, _ = world_ws
    client = as_role("viewer")
    unverified = client.get("/ledger")
    assert unverified.status_code == 200 and '<a id="verify" href="/ledger?verify=1">' in unverified.text
    assert "verify-status" not in unverified.text and '<form class="filters"' in unverified.text
    for field in ("kind", "actor", "subject", "since", "until"):
        assert f'name="{field}"' in unverified.text
    report = client.get("/api/v1/ledger/verify").json()
    last = ws.ledger.entries()[-1]
    assert report["ok"] is True and report["status"] == "ok" and report["problems"] == []
    assert report["entries"] == len(ws.ledger.entries()) and report["last_hash"] == last.hash
    assert "intact" in report["summary"]
    page = client.get("/ledger?verify=1")
    assert page.status_code == 200
    status = re.search(r'<div class="verify-status[^"]*" data-status="([a-z]+)"', page.text)
    assert status and status.group(1) == "ok"
    assert f"The chain is intact: {report['entries']} entries" in page.text and last.hash in page.text

    tamper_payload(ws, 3)
    broken = client.get("/api/v1/ledger/verify").json()
    assert broken["ok"] is False and broken["status"] == "broken"
    assert {"seq": 3, "kind": "modified"} in [{"seq": p["seq"], "kind": p["kind"]} for p in broken["problems"]]
    page = client.get("/ledger?verify=1")
    assert 'data-status="broken"' in page.text and 'data-status="ok"' not in page.text
    assert "The chain is broken" in page.text and "modified" in page.text
    assert re.search(r'<td class="num">3</td><td><span class="badge problem-kind">modified</span>', page.text)
    refused = as_role("admin").post("/api/v1/ledger/anchor")  # nothing broken is anchored
    assert refused.status_code == 422 and refused.json()["code"] == "FW-E092"


def test_anchor_needs_an_admin(world_ws: tuple[Workspace, World], as_role: ROLE, token_for: Callable[[str], str],
                               web: TestClient) -> None:
    ws, _ = world_ws
    viewer = web.post("/api/v1/ledger/anchor", headers={"Authorization": f"Bearer {token_for('duty_officer')}"})
    assert viewer.status_code == 403 and viewer.json()["code"] == "FW-E101"
    admin = as_role("admin")
    no_csrf = admin.post("/api/v1/ledger/anchor", headers={"X-CSRF-Token": ""})
    assert no_csrf.status_code == 403
    anchor = admin.post("/api/v1/ledger/anchor")
    assert anchor.status_code == 200, anchor.text
    body, last = anchor.json(), ws.ledger.entries()[-1]
    assert body["format"] == "forewarn-ledger-anchor/1"
    assert (body["seq"], body["hash"], body["count"], body["actor"]) == (last.seq, last.hash, last.seq, "admin")


def test_page_shows_actor_names_and_filters(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    admin = as_role("admin")
    made = admin.post("/api/v1/users", json={"name": "olga", "password": "a long passphrase", "role": "analyst",
                                             "display_name": "Olga Petrenko"})
    assert made.status_code == 201, made.text
    page = admin.get("/ledger", params={"kind": "user-added"})
    assert page.status_code == 200
    row = re.search(r'<tr data-seq="(\d+)">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    assert "user:olga" in row.group(2) and ">admin</a>" in row.group(2) and "(Admin User)" in row.group(2)
    assert "setup" in page.text  # the accounts made before, by their actor
    assert "scenario-added" not in re.sub(r"<datalist.*?</datalist>", "", page.text, flags=re.S)
    assert "1–5 of 5" in page.text


def test_page_pages(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, _ = world_ws
    for n in range(60):
        ws.ledger.record("comment", f"note:{n}", {"text": f"comment {n}"})
    total = len(ws.ledger.entries())
    client = as_role("viewer")
    first = client.get("/ledger")
    assert f"1–50 of {total}" in first.text and 'href="?offset=50"' in first.text
    assert re.findall(r'<tr data-seq="(\d+)">', first.text)[0] == str(total)
    second = client.get("/ledger", params={"offset": 50})
    seqs = [int(s) for s in re.findall(r'<tr data-seq="(\d+)">', second.text)]
    assert seqs == list(range(total - 50, 0, -1))
    filtered = client.get("/ledger", params={"kind": "comment", "subject": "note:1"})
    assert "1–1 of 1" in filtered.text


def test_hostile_payloads_are_escaped(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, _ = world_ws
    mallory = ws.acting_as(Principal.local(f"mallory{HOSTILE}"))
    mallory.ledger.record("comment", f"note:{HOSTILE}", {"text": HOSTILE, HOSTILE: 1})
    page = as_role("viewer").get("/ledger")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(" in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    api = as_role("viewer").get("/api/v1/ledger", params={"kind": "comment"}).json()
    assert api["items"][0]["payload"]["text"] == HOSTILE and api["items"][0]["subject"] == f"note:{HOSTILE}"
