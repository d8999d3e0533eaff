"""Shift handovers on the workbench (issue 16, item 8): written from the handovers page or the API by
a duty officer, shown on the board to the incoming one with "acknowledge handover", listed, escaped."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from web_support import HOSTILE, World

from forewarn.accounts import Role
from forewarn.app import Workspace

Client = Callable[[Role | str], TestClient]


def test_write_on_the_page_then_the_board_shows_it_to_the_incoming_officer(
        as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    outgoing, incoming = as_role("duty_officer"), as_role("admin")
    form = outgoing.get("/handovers")
    assert form.status_code == 200 and 'action="/handovers"' in form.text and "Write the handover" in form.text
    done = outgoing.post("/handovers", data={"watch": f"Watch Sudzha. {HOSTILE}", "corrects": "",
                                             "csrf_token": outgoing.csrf})  # type: ignore[attr-defined]
    assert done.status_code == 303 and done.headers["location"] == "/handovers/1"
    note = outgoing.get("/handovers/1").text
    assert HOSTILE not in note and "&lt;script&gt;" in note and f'href="/warnings/{world.warning_ids[0]}"' in note
    assert "Acknowledge handover" not in note, "the author cannot acknowledge"
    board = incoming.get("/").text
    assert 'id="handover-panel"' in board and "Acknowledge handover" in board and HOSTILE not in board
    acked = incoming.post("/handovers/1/acknowledge", data={"next": "/", "csrf_token": incoming.csrf})  # type: ignore[attr-defined]
    assert acked.status_code == 303 and acked.headers["location"] == "/"
    board = incoming.get("/").text
    assert "Acknowledge handover" not in board and "Acknowledged by admin" in board
    assert [e.actor for e in ws.ledger.entries(kind=["handover-written", "handover-acknowledged"])] == [
        "duty_officer", "admin"]


def test_the_api_writes_lists_shows_and_acknowledges(as_role: Client, token_for: Callable[[str], str],
                                                     web: TestClient) -> None:
    officer = {"Authorization": f"Bearer {token_for('duty_officer')}"}
    other = {"Authorization": f"Bearer {token_for('admin')}"}
    viewer = {"Authorization": f"Bearer {token_for('viewer')}"}
    made = web.post("/api/v1/handovers", json={"watch": "Border quiet; watch the rail yards."}, headers=officer)
    assert made.status_code == 201, made.text
    h = made.json()
    assert h["written_by"] == "duty_officer" and h["open_warnings"] and h["acks"] == []
    listed = web.get("/api/v1/handovers", headers=viewer).json()
    assert listed["total"] == 1 and [x["id"] for x in listed["items"]] == [h["id"]]
    assert web.get(f"/api/v1/handovers/{h['id']}", headers=viewer).json() == h
    own = web.post(f"/api/v1/handovers/{h['id']}/acknowledge", headers=officer)
    assert own.status_code == 409 and own.json()["code"] == "FW-E083"
    ok = web.post(f"/api/v1/handovers/{h['id']}/acknowledge", headers=other)
    assert ok.status_code == 200 and [a["account"] for a in ok.json()["acks"]] == ["admin"]
    assert web.post("/api/v1/handovers", json={"watch": "x"}, headers=viewer).status_code == 403
    assert web.post("/api/v1/handovers", json={"watch": ""}, headers=officer).status_code == 422
    assert web.get("/api/v1/handovers/999", headers=viewer).status_code == 404


def test_a_viewer_reads_but_cannot_write(as_role: Client) -> None:
    viewer = as_role("viewer")
    page = viewer.get("/handovers")
    assert page.status_code == 200 and "Write the handover" not in page.text
    assert "No shift handover yet" in viewer.get("/").text
    refused = viewer.post("/handovers", data={"watch": "x", "csrf_token": viewer.csrf})  # type: ignore[attr-defined]
    assert refused.status_code == 403
