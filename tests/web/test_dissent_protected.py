"""Protected dissent (issue 17, item 4): any analyst may dissent from a published line (once it is visible to them)
or from a warning's disposition; the dissent is ledgered (a line dissent as a salted commitment: a blind reader
finds no text), the database refuses to change or remove it, and it is shown on the question page, the warning
page, the API, the CLI's warning JSON and the warning's notifications. `ledger verify` checks every row."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner
from web_support import World

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.errors import Code, ForewarnError
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.dissent import DissentTarget
from forewarn.store import schema as t
from forewarn.warn import notify
from forewarn.warn.policy import Policy

LINE_DISSENT = "the line hides the armour build-up near Sudzha"
DISPOSITION_DISSENT = "dismissing it ignores the bridging kit reports"


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def _line(ws: Workspace, scenario_id: str) -> tuple[int, int]:
    """alice estimates, the duty officer publishes a softer line: (question, line)."""
    made = _as(ws, "alice").judgments.estimate(scenario_id, 0.7, "armour massing")
    line = _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(scenario_id, 0.2, "under control")
    return made.question_id, line.id


def _disposed(ws: Workspace, world: World) -> int:
    w = world.warning_ids[0]
    return _as(ws, "duty", Role.DUTY_OFFICER).warnings.dispose(w, "dismissed", "situation under control").id


def _cli(db: str, actor: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db", db, "--actor", actor, *args], env={"COLUMNS": "400"})
    return result.exit_code, result.output


def test_filing_a_dissent_is_ledgered(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    qid, line = _line(ws, world.scenario_id)
    d = _as(ws, "alice").dissents.file("line", line, f"  {LINE_DISSENT} ")
    assert (d.target, d.target_id, d.question_id, d.analyst, d.text) == (
        DissentTarget.LINE, line, qid, "alice", LINE_DISSENT)
    w = _disposed(ws, world)
    e = _as(ws, "bob").dissents.file("disposition", w, DISPOSITION_DISSENT)
    assert (e.target, e.target_id, e.question_id) == (DissentTarget.DISPOSITION, w, None)
    [first, second] = ws.ledger.entries(kind=["dissent-filed"])
    assert (first.actor, first.subject, first.payload["target"]) == ("alice", f"question:{qid}", "line")
    assert len(first.payload["commitment"]) == 64 and "text" not in first.payload
    assert LINE_DISSENT not in json.dumps(first.payload)
    assert (second.actor, second.subject, second.payload["text"]) == ("bob", f"warning:{w}", DISPOSITION_DISSENT)
    assert second.payload["disposition"] == "dismissed"
    assert ws.dissents.of_line(line) == ()  # the local actor has not estimated: the line is hidden from them
    assert _as(ws, "alice").dissents.of_line(line) == (d,) and ws.dissents.of_warning(w) == (e,)
    assert ws.ledger.verify().ok


def test_refusals(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    _, line = _line(ws, world.scenario_id)
    with pytest.raises(ForewarnError) as viewer:
        _as(ws, "vera", Role.VIEWER).dissents.file("line", line, "I disagree")
    assert viewer.value.code is Code.FORBIDDEN
    with pytest.raises(ForewarnError) as blind:  # carol has not estimated: the line is hidden from her
        _as(ws, "carol").dissents.file("line", line, "I disagree")
    assert blind.value.code is Code.FORBIDDEN and "not yet visible" in blind.value.message
    assert _as(ws, "carol").dissents.of_line(line) == ()
    with pytest.raises(ForewarnError) as open_warning:  # not disposed of: no disposition to dissent from
        _as(ws, "carol").dissents.file("disposition", world.warning_ids[0], "I disagree")
    assert open_warning.value.code is Code.INVALID_ARGUMENT
    for target, ref, said in (("line", 999_999, "x"), ("verdict", line, "x"), ("line", line, "   ")):
        with pytest.raises(ForewarnError):
            _as(ws, "alice").dissents.file(target, ref, said)
    assert ws.ledger.entries(kind=["dissent-filed"]) == []


def test_the_database_refuses_to_change_or_remove_a_dissent(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    _, line = _line(ws, world.scenario_id)
    d = _as(ws, "alice").dissents.file("line", line, LINE_DISSENT)
    for statement in (t.dissents.update().values(text="softened"), t.dissents.delete()):
        with pytest.raises(ForewarnError, match="append-only"), ws.store.transaction() as conn:
            conn.execute(statement)
    if ws.store.engine.dialect.name == "sqlite":
        with pytest.raises(ForewarnError, match="append-only"), ws.store.transaction() as conn:
            conn.execute(text("INSERT OR REPLACE INTO dissents (id, target, target_id, question_id, analyst, text, "
                              "at, salt) SELECT id, target, target_id, question_id, analyst, 'gone', at, salt "
                              "FROM dissents"))
    else:
        with pytest.raises(ForewarnError, match="append-only"), ws.store.transaction() as conn:
            conn.execute(text("TRUNCATE dissents"))
    assert _as(ws, "alice").dissents.of_line(line) == (d,)


def _tamper(ws: Workspace, value: str) -> None:
    """What an administrator with the database's keys could do: lift the protection and edit the row."""
    with ws.store.transaction() as conn:
        if ws.store.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER dissents_no_update"))
        else:
            conn.execute(text("ALTER TABLE dissents DISABLE TRIGGER dissents_no_change"))
        conn.execute(t.dissents.update().values(text=value))


@pytest.mark.parametrize("target", ["line", "disposition"])
def test_verify_catches_a_tampered_dissent(world_ws: tuple[Workspace, World], db_url: str, target: str) -> None:
    ws, world = world_ws
    _, line = _line(ws, world.scenario_id)
    ref = line if target == "line" else _disposed(ws, world)
    _as(ws, "alice").dissents.file(target, ref, LINE_DISSENT)
    assert ws.ledger.verify().ok and _cli(db_url, "admin", "ledger", "verify")[0] == 0
    _tamper(ws, "on reflection, fine")
    found = [(p.table, p.column) for p in ws.ledger.verify().problems]
    assert found == [("dissents", "commitment" if target == "line" else "text")]
    code, out = _cli(db_url, "admin", "ledger", "verify")
    assert code == 1 and "dissents" in out, out


def test_a_blind_reader_finds_no_dissent_text_in_the_ledger(world_ws: tuple[Workspace, World], db_url: str,
                                                            as_role: Callable[[str], TestClient]) -> None:
    ws, world = world_ws
    qid, line = _line(ws, world.scenario_id)
    _as(ws, "alice").dissents.file("line", line, LINE_DISSENT)
    [entry] = ws.ledger.entries(kind=["dissent-filed"])
    code, shown = _cli(db_url, "viewer", "ledger", "show", "--json", "--limit", "500")
    assert code == 0 and entry.payload["commitment"] in shown and LINE_DISSENT not in shown
    viewer = as_role("viewer")
    api = viewer.get("/api/v1/ledger", params={"limit": 500})
    assert api.status_code == 200 and "dissent-filed" in api.text and LINE_DISSENT not in api.text
    page = viewer.get("/ledger", params={"subject": f"question:{qid}"})
    assert page.status_code == 200 and "dissent-filed" in page.text and LINE_DISSENT not in page.text
    listed = viewer.get("/api/v1/dissents", params={"question": str(qid)})
    assert listed.status_code == 200 and listed.json()["items"] == []  # hidden by the blind rule
    assert LINE_DISSENT not in viewer.get(f"/questions/{qid}").text
    code, out = _cli(db_url, "viewer", "dissent", "list", "--json")
    assert code == 0 and json.loads(out)["items"] == [], out
    code, out = _cli(db_url, "alice", "dissent", "list", "--json")  # alice estimated: she sees it
    assert code == 0 and [d["text"] for d in json.loads(out)["items"]] == [LINE_DISSENT], out


def test_shown_on_the_question_page_and_in_the_api(world_ws: tuple[Workspace, World],
                                                   as_role: Callable[[str], TestClient]) -> None:
    ws, world = world_ws
    qid, line = _line(ws, world.scenario_id)
    analyst = as_role("analyst")
    assert analyst.post("/api/v1/dissents", json={"target": "line", "target_id": line, "text": "x"}).status_code \
        == 403  # not yet visible to them
    assert analyst.post(f"/api/v1/questions/{qid}/estimates", json={"probability": 0.65}).status_code == 201
    page = analyst.get(f"/questions/{qid}")
    assert page.status_code == 200 and 'action="/dissents"' in page.text and "(0)" in page.text
    made = analyst.post("/api/v1/dissents", json={"target": "line", "target_id": line, "text": LINE_DISSENT})
    assert made.status_code == 201 and made.json()["analyst"] == "analyst"
    page = analyst.get(f"/questions/{qid}")
    assert LINE_DISSENT in page.text and 'data-count="1"' in page.text and "analyst" in page.text
    listed = analyst.get("/api/v1/dissents", params={"question": world.scenario_id}).json()
    assert [(d["text"], d["target_id"]) for d in listed["items"]] == [(LINE_DISSENT, line)]
    shown = analyst.get(f"/api/v1/questions/{qid}").json()
    assert [d["text"] for d in shown["dissents"]] == [LINE_DISSENT]
    assert as_role("viewer").get(f"/api/v1/questions/{qid}").json()["dissents"] == []  # hidden: the blind rule
    viewer = as_role("viewer")  # a viewer never estimates: the question stays hidden from them while open
    assert viewer.post("/api/v1/dissents", json={"target": "line", "target_id": line, "text": "x"}).status_code \
        == 403


def test_shown_on_the_warning_page_api_cli_and_notification(world_ws: tuple[Workspace, World], db_url: str,
                                                            as_role: Callable[[str], TestClient]) -> None:
    ws, world = world_ws
    w = _disposed(ws, world)
    analyst = as_role("analyst")
    form = analyst.get(f"/warnings/{w}")
    assert 'action="/dissents"' in form.text and "dismissed" in form.text
    posted = analyst.post("/dissents", data={"target": "disposition", "target_id": str(w),
                                             "text": DISPOSITION_DISSENT, "next": f"/warnings/{w}",
                                             "csrf_token": analyst.csrf})
    assert posted.status_code == 303 and posted.headers["location"].startswith(f"/warnings/{w}")
    page = as_role("viewer").get(f"/warnings/{w}")
    assert DISPOSITION_DISSENT in page.text and 'data-count="1"' in page.text and 'action="/dissents"' not in page.text
    api = as_role("viewer").get(f"/api/v1/warnings/{w}").json()
    assert [(d["analyst"], d["text"]) for d in api["dissents"]] == [("analyst", DISPOSITION_DISSENT)]
    code, out = _cli(db_url, "viewer", "warnings", "show", str(w), "--json")
    assert code == 0 and [d["text"] for d in json.loads(out)["dissents"]] == [DISPOSITION_DISSENT]
    policy = replace(Policy.from_settings(ws.settings), notify_email=("watch@example.org",), webhook_url="")
    with ws.store.transaction() as conn:
        assert notify.queue(conn, policy, notify.Reason.REMINDED, ws.warnings.get(w), ws.clock()) == 1
        body = conn.execute(t.outbox.select().order_by(t.outbox.c.id.desc())).first()
    assert body is not None
    assert [d["text"] for d in body.payload["warning"]["dissents"]] == [DISPOSITION_DISSENT]


def test_the_cli_files_and_lists_dissents(world_ws: tuple[Workspace, World], db_url: str) -> None:
    ws, world = world_ws
    _, line = _line(ws, world.scenario_id)
    w = _disposed(ws, world)
    code, out = _cli(db_url, "alice", "dissent", "line", str(line), LINE_DISSENT)
    assert code == 0 and f"line {line}" in out, out
    code, out = _cli(db_url, "alice", "dissent", "disposition", str(w), DISPOSITION_DISSENT, "--json")
    assert code == 0 and json.loads(out)["target"] == "disposition", out
    code, out = _cli(db_url, "viewer", "dissent", "line", str(line), "x")
    assert code != 0 and "FW-E101" in out, out
    code, out = _cli(db_url, "alice", "dissent", "list", "--warning", str(w))
    assert code == 0 and DISPOSITION_DISSENT in out and LINE_DISSENT not in out and "1 dissent(s)" in out, out
    code, out = _cli(db_url, "viewer", "warnings", "show", str(w))
    assert code == 0 and DISPOSITION_DISSENT in out, out
    code, out = _cli(db_url, "alice", "question", "show", world.scenario_id, "--json")
    assert code == 0 and [d["text"] for d in json.loads(out)["dissents"]] == [LINE_DISSENT], out
    code, out = _cli(db_url, "viewer", "question", "show", world.scenario_id)
    assert code == 0 and LINE_DISSENT not in out, out
