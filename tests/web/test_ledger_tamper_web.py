"""Issue 11, items 5 and 6 on the workbench: a malformed ledger row (corrupted by direct SQL, the
triggers dropped as whoever holds the database could) and a state table changed behind the
ledger's back show as a broken chain with where it broke, on the API and the pages; never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from web_support import World

from forewarn.app import Workspace

ROLE = Callable[[str], TestClient]


def corrupt(ws: Workspace, statement: str) -> None:
    with ws.store.transaction() as conn:
        if conn.dialect.name == "sqlite":
            for name in ("ledger_no_update", "ledger_no_delete", "ledger_no_replace"):
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            conn.exec_driver_sql("ALTER TABLE ledger DISABLE TRIGGER ledger_no_change")
        conn.exec_driver_sql(statement)


def raised_seq(ws: Workspace, warning_id: int) -> int:
    return next(e.seq for e in ws.warnings.history(warning_id) if e.kind == "warning-raised")


def corruptions(ws: Workspace, seq: int) -> list[str]:
    time = "at = 'garbage'" if ws.store.dialect == "sqlite" else "at = 'infinity'"
    found = [f"UPDATE ledger SET {time} WHERE seq = {seq}", f"UPDATE ledger SET payload = 'not json' WHERE seq = {seq}"]
    return found + ([f"UPDATE ledger SET seq = 'x{seq}' WHERE seq = {seq}"] if ws.store.dialect == "sqlite" else [])


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_malformed_row_shows_as_a_broken_chain_not_a_500(world_ws: tuple[Workspace, World], as_role: ROLE,
                                                          which: int) -> None:
    ws, world = world_ws
    warning_id = world.warning_ids[0]
    seq = raised_seq(ws, warning_id)
    statements = corruptions(ws, seq)
    if which >= len(statements):
        pytest.skip("a seq that is not a number cannot be stored in PostgreSQL")
    corrupt(ws, statements[which])
    client = as_role("viewer")
    verified = client.get("/api/v1/ledger/verify")
    assert verified.status_code == 200
    report = verified.json()
    assert report["ok"] is False and report["status"] == "broken"
    kind = ("malformed", "modified", "malformed")[which]  # a payload that is no JSON no longer matches its hash
    assert any(p["seq"] == seq and p["kind"] == kind for p in report["problems"]), report
    for path in (f"/warnings/{warning_id}", f"/api/v1/warnings/{warning_id}", "/api/v1/ledger", "/ledger", "/",
                 f"/ledger?subject=warning:{warning_id}"):
        assert client.get(path).status_code == 200, path
    page = client.get("/ledger?verify=1")
    assert page.status_code == 200 and 'data-status="broken"' in page.text
    shown = client.get(f"/api/v1/warnings/{warning_id}").json()["history"]
    if which != 2:  # a seq that is no number no longer belongs to the warning's place in the chain
        assert any(e["kind"] == "malformed" for e in shown), shown


def test_a_state_table_changed_behind_the_ledger_shows_where(world_ws: tuple[Workspace, World],
                                                             as_role: ROLE) -> None:
    ws, world = world_ws
    warning_id = world.warning_ids[0]
    with ws.store.transaction() as conn:
        conn.exec_driver_sql(f"UPDATE warnings SET state = 'disposed', disposition = 'dismissed' "
                             f"WHERE id = {warning_id}")
    client = as_role("viewer")
    report = client.get("/api/v1/ledger/verify").json()
    assert report["ok"] is False
    where = {(p["table"], p["row"], p["column"]) for p in report["problems"]}
    assert where == {("warnings", f"id {warning_id}", "state"), ("warnings", f"id {warning_id}", "disposition")}
    assert all(p["kind"] == "state-mismatch" and p["seq"] > 0 for p in report["problems"])
    page = client.get("/ledger?verify=1")
    assert page.status_code == 200 and f"warnings id {warning_id}, state" in page.text


def test_verify_is_checked_against_the_automatic_anchor(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    report = as_role("viewer").get("/api/v1/ledger/verify").json()
    assert report["ok"] is True and report["auto_anchored"] is not None  # the world's cycle anchored its head
