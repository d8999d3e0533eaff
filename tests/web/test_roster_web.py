"""The duty roster and named owners on the workbench (issue 16): the roster API and page, the owner
shown as "duty-officer (Alice Ng)" or flagged "nobody on shift", and reminders (and an old ledger's
repeated escalations) folded into one expandable row on the warning page and the ledger page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.ledger import append
from forewarn.warn.history import runs
from forewarn.web.board_views import history_rows
from forewarn.web.pages.ledger import ledger_row


def test_the_roster_api_reads_for_everyone_and_changes_for_duty_officers(
        as_role: Callable[[Role | str], TestClient], world_ws: tuple[Workspace, World], clock) -> None:
    ws, _ = world_ws
    viewer, officer = as_role("viewer"), as_role("duty_officer")
    body = {"role": "Duty-Officer", "account": "duty_officer", "starts_at": "2024-08-12T06:00:00",
            "ends_at": "2024-08-12T18:00:00Z"}
    assert viewer.post("/api/v1/roster", json=body).status_code == 403
    made = officer.post("/api/v1/roster", json=body)
    assert made.status_code == 201, made.text
    shift = made.json()
    assert (shift["role"], shift["account"], shift["name"], shift["starts_at"], shift["added_by"]) == (
        "duty-officer", "duty_officer", "Duty Officer User", "2024-08-12T06:00:00Z", "duty_officer")
    bad = officer.post("/api/v1/roster", json={**body, "account": "nobody"})
    assert bad.status_code == 404 and bad.json()["code"] == "FW-E003"
    listed = viewer.get("/api/v1/roster", params={"at": "2024-08-12T12:00"}).json()
    assert [s["id"] for s in listed["items"]] == [shift["id"]] and listed["total"] == 1
    assert viewer.get("/api/v1/roster", params={"at": "2024-08-13"}).json()["items"] == []
    assert viewer.get("/api/v1/roster", params={"at": "soon"}).status_code == 422
    warning = ws.warnings.raise_warning("Convoys", "x", "high", owner="duty-officer")
    assert warning.owner_shown == "duty-officer (Duty Officer User)"
    card = viewer.get(f"/api/v1/warnings/{warning.id}").json()
    assert (card["owner_account"], card["on_shift"], card["owner_shown"]) == (
        "duty_officer", True, "duty-officer (Duty Officer User)")
    assert viewer.delete(f"/api/v1/roster/{shift['id']}").status_code == 403
    gone = officer.delete(f"/api/v1/roster/{shift['id']}")
    assert gone.status_code == 200 and officer.get("/api/v1/roster").json()["items"] == []
    entries = officer.get("/api/v1/ledger", params={"kind": "roster-added,roster-removed"}).json()["items"]
    assert sorted(e["kind"] for e in entries) == ["roster-added", "roster-removed"]
    assert {e["actor"] for e in entries} == {"duty_officer"}


def test_the_roster_page_adds_and_removes_shifts(as_role: Callable[[Role | str], TestClient]) -> None:
    viewer, officer = as_role("viewer"), as_role("duty_officer")
    page = viewer.get("/roster")
    assert page.status_code == 200 and "Nobody is on shift now." in page.text and "Add a shift" not in page.text
    form = {"role": "watch-lead", "account": "analyst", "start": "2024-08-12", "until": "", "csrf_token": officer.csrf}
    done = officer.post("/roster", data=form)
    assert done.status_code == 303
    page = officer.get("/roster")
    assert "Analyst User holds watch-lead" in page.text and "<strong>watch-lead</strong>: Analyst User" in page.text
    refused = officer.post("/roster", data={**form, "until": "2024-08-11"})
    assert "before it starts" in officer.get("/roster").text and refused.status_code == 303
    shift_id = re.search(r'<tr data-id="(\d+)" class="current"', page.text)
    assert shift_id
    officer.post(f"/roster/{shift_id.group(1)}/remove", data={"csrf_token": officer.csrf})
    assert "Nobody is on shift now." in officer.get("/roster").text
    assert viewer.post("/roster", data=form).status_code == 403


def test_the_warning_page_names_the_person_and_folds_reminders(as_role: Callable[[Role | str], TestClient],
                                                              world_ws: tuple[Workspace, World], clock) -> None:
    ws, world = world_ws
    viewer = as_role("viewer")
    wid = world.warning_ids[0]
    html = viewer.get(f"/warnings/{wid}").text
    assert "duty-officer" in html and "nobody on shift" in html  # no roster: the role is flagged
    ws.warnings.roster_add("watch-lead", "admin", clock.now - timedelta(days=30))
    for _ in range(6):  # escalated to the watch lead, then reminded up to the cap, then left alone
        clock.advance(hours=5)
        ws.warnings.escalate_due()
    viewer = as_role("viewer")  # a new session: the first one expired while the clock ran
    html = viewer.get(f"/warnings/{wid}").text
    assert "watch-lead (Admin User)" in html
    assert "reminded 3 of 3 times; no further reminders" in html
    group = re.search(r'<tr data-kind="warning-reminded" class="history-group">.*?</tr>\s*</table></details>', html,
                      re.S)
    assert group and "<summary><span class=\"group-label\">reminded 3 times</span>," in group.group(0)
    assert group.group(0).count('<tr data-kind="warning-reminded">') == 3
    ledger = viewer.get("/ledger", params={"subject": f"warning:{wid}"}).text
    assert '<span class="group-label">reminded 3 times</span>' in ledger


def test_an_old_ledgers_repeated_escalations_render_as_one_row(world_ws: tuple[Workspace, World], clock,
                                                               as_role: Callable[[Role | str], TestClient]) -> None:
    ws, world = world_ws
    wid = world.warning_ids[0]
    with ws.store.transaction() as conn:  # a ledger written before reminders existed
        for i in range(28):
            append(conn, at=clock.now + timedelta(hours=6 * i), actor="watch", kind="warning-escalated",
                   subject=f"warning:{wid}", payload={"id": wid, "from": "director", "to": "director",
                                                      "chain_exhausted": True, "automatic": True})
    rows = history_rows(ws.warnings.history(wid))
    assert rows[-1].label == "escalated director → director 28 times" and len(rows[-1].repeats) == 28
    html = as_role("viewer").get(f"/warnings/{wid}").text
    assert html.count('class="history-group"') == 1 and "escalated director → director 28 times" in html
    assert ledger_row(runs(ws.warnings.history(wid))[-1])["label"] == "escalated director → director 28 times"
