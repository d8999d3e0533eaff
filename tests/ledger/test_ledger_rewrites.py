"""Issue 11, items 5 and 6: REPLACE refused on SQLite (and an upsert on PostgreSQL); a chain rewritten
and re-hashed consistently is caught by the state cross-check and by the automatic anchors; an
anchor that cannot be written is FW-E094 and the action stays; a malformed row is reported as
tampering at its place, never an exception, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ledger_kit import attacker, rewrite_from, rows
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "warn"))
from warn_support import assessment, scenario, signal

from forewarn.app import Workspace
from forewarn.cycle import run_cycle
from forewarn.errors import Code, StoreUnavailable
from forewarn.ledger.autoanchor import default_anchor_file, read_anchors
from forewarn.ledger.verify import ProblemKind as K
from forewarn.ledger.verify import VerifyReport
from forewarn.store import schema as t

Make = Callable[..., Workspace]


def kinds(report: VerifyReport) -> list[tuple[int, K]]:
    return [(p.seq, p.kind) for p in report.problems]


def mismatches(report: VerifyReport) -> list[tuple[str | None, str | None, str | None]]:
    return [(p.table, p.row, p.column) for p in report.problems if p.kind is K.STATE_MISMATCH]


def sqlite_path(ws: Workspace) -> str:
    return str(ws.store.engine.url.database)


# -- 5a: REPLACE and upserts are refused -------------------------------------------------------

REPLACE_ATTEMPTS = [
    "INSERT OR REPLACE INTO ledger (seq, at, actor, kind, subject, payload, prev_hash, hash) "
    "SELECT seq, at, actor, kind, subject, '{\"n\":5,\"text\":\"nothing to see\"}', prev_hash, hash FROM ledger "
    "WHERE seq = 5",
    "REPLACE INTO ledger (rowid, seq, at, actor, kind, subject, payload, prev_hash, hash) "
    "SELECT 5, 99, at, actor, kind, subject, payload, prev_hash, hash FROM ledger WHERE seq = 5",
    "INSERT INTO ledger (seq, at, actor, kind, subject, payload, prev_hash, hash) "
    "SELECT seq, at, actor, kind, subject, payload, prev_hash, hash FROM ledger WHERE seq = 5 "
    "ON CONFLICT (seq) DO UPDATE SET payload = '{}'",
    "INSERT INTO ledger (seq, at, actor, kind, subject, payload, prev_hash, hash) "
    "SELECT 'five', at, actor, kind, subject, payload, prev_hash, hash FROM ledger WHERE seq = 5",
]


@pytest.mark.parametrize("statement", REPLACE_ATTEMPTS)
def test_sqlite_refuses_replace_even_from_a_bare_client(tmp_path: Path, make_workspace: Make, clock: Any,
                                                        statement: str) -> None:
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    for n in range(1, 11):
        clock.advance(minutes=1)
        ws.ledger.record("comment", f"warning:{n}", {"n": n, "text": f"note {n}"})
    with ws.store.engine.connect() as conn:
        before = rows(conn)
    raw = sqlite3.connect(sqlite_path(ws))  # the attacker's client: no pragmas, no forewarn code
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(statement)
    raw.commit()
    raw.close()
    with ws.store.engine.connect() as conn:
        assert rows(conn) == before
    assert ws.ledger.verify().ok


def test_postgresql_refuses_an_upsert(pg_url: str, make_workspace: Make) -> None:
    ws = make_workspace(pg_url)
    ws.ledger.record("comment", "warning:1", {"text": "keep me"})
    with pytest.raises(StoreUnavailable, match="append-only"), ws.store.transaction() as conn:
        conn.execute(text("INSERT INTO ledger (seq, at, actor, kind, subject, payload, prev_hash, hash) "
                          "SELECT seq, at, actor, kind, subject, payload, prev_hash, hash FROM ledger WHERE seq = 1 "
                          "ON CONFLICT (seq) DO UPDATE SET payload = '{\"text\":\"changed\"}'"))
    assert ws.ledger.entries()[0].payload == {"text": "keep me"}


# -- 5b: the state tables are cross-checked against the ledger ---------------------------------

def busy_workspace(ws: Workspace, clock: Any) -> dict[str, int]:
    """Every kind of state-changing action: warnings through their whole lifecycle, a published
    assessment, accounts and tokens."""
    sc = scenario()
    [w] = ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [signal("e1", clock.now)]), None)
    for step in (lambda: ws.warnings.acknowledge(w.id, "on it"), lambda: ws.warnings.escalate(w.id, "alice is away"),
                 lambda: ws.warnings.dispose(w.id, "dismissed", "exercise season")):
        clock.advance(minutes=1)
        step()
    clock.advance(minutes=1)
    ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [signal("e2", clock.now)]), "elevated")  # reopens it
    clock.advance(minutes=300)
    ws.warnings.escalate_due()
    partner = ws.warnings.raise_warning("Partner report", "columns seen", "high", partner="allied-desk")
    clock.advance(minutes=1)
    ws.warnings.dispose(partner.id, "acted-on", "units moved")
    ws.scenarios.publish(sc, assessment(sc, 0.45, clock.now, [signal("e2", clock.now)]))
    accounts = ws.accounts
    accounts.add_user("ana", "long enough password", "analyst", actor="setup")
    accounts.add_user("ana", "another long password", "duty_officer", actor="setup", update_existing=True)
    accounts.add_user("bob", "long enough password", "viewer", actor="setup")
    accounts.disable_user("bob", actor="setup")
    token, _ = accounts.create_token("ana", "script", actor="setup")
    accounts.revoke_token(token.id, actor="setup")
    return {"warning": w.id, "partner": partner.id, "token": token.id}


def test_every_action_leaves_the_tables_agreeing_with_the_ledger(db_url: str, make_workspace: Make,
                                                                   clock: Any) -> None:
    ws = make_workspace(db_url)
    busy_workspace(ws, clock)
    recorded = {e.kind for e in ws.ledger.entries()}
    assert {"warning-raised", "warning-acknowledged", "warning-escalated", "warning-disposed", "warning-reopened",
            "assessment-published", "user-added", "user-updated", "user-disabled", "token-created",
            "token-revoked"} <= recorded
    report = ws.ledger.verify()
    assert report.ok, report.problems


def test_a_rewritten_and_rehashed_chain_is_caught_by_the_state_cross_check(db_url: str, make_workspace: Make,
                                                                              clock: Any) -> None:
    """The issue's attack: a disposal's rationale changed and every later hash recomputed, with no
    anchor to catch it. The chain verifies; the warnings table still says what was really done."""
    ws = make_workspace(db_url, ledger_anchor_every=0)
    ids = busy_workspace(ws, clock)
    with ws.store.engine.connect() as conn:
        tail = rows(conn, 1)
    disposal = next(r for r in tail if r["kind"] == "warning-disposed" and r["subject"] == f"warning:{ids['partner']}")
    changed = {**disposal, "payload": disposal["payload"].replace("units moved", "nothing seen")}
    with attacker(ws) as conn:
        rewrite_from(conn, disposal["seq"], [changed if r["seq"] == disposal["seq"] else r
                                             for r in tail if r["seq"] >= disposal["seq"]])
    report = ws.ledger.verify()
    assert not report.ok and {p.kind for p in report.problems} == {K.STATE_MISMATCH}
    [problem] = report.problems
    assert (problem.seq, problem.table, problem.row, problem.column) == (
        disposal["seq"], "warnings", f"id {ids['partner']}", "rationale")
    assert "'units moved'" in problem.message and "'nothing seen'" in problem.message


@pytest.mark.parametrize(("table", "where", "values", "found"), [
    ("warnings", "id = 1", "state = 'disposed', disposition = 'dismissed'", {("warnings", "id 1", "state"),
                                                                              ("warnings", "id 1", "disposition")}),
    ("warnings", "id = 1", "owner = 'mallory'", {("warnings", "id 1", "owner")}),
    ("assessments", "id = 1", "probability = 0.01", {("assessments", "id 1", "probability")}),
    ("users", "name = 'bob'", "disabled = false", {("users", "name bob", "disabled")}),
    ("users", "name = 'ana'", "role = 'admin'", {("users", "name ana", "role")}),
    ("api_tokens", "id = 1", "revoked_at = NULL", {("api_tokens", "id 1", "revoked_at")}),
])
def test_a_state_table_changed_behind_the_ledger_is_reported_with_where(
        db_url: str, make_workspace: Make, clock: Any, table: str, where: str, values: str,
        found: set[tuple[str, str, str]]) -> None:
    ws = make_workspace(db_url)
    busy_workspace(ws, clock)
    with ws.store.transaction() as conn:
        conn.execute(text(f"UPDATE {table} SET {values} WHERE {where}"))
    report = ws.ledger.verify()
    assert not report.ok and set(mismatches(report)) == found, report.problems


def test_rows_no_entry_records_and_entries_without_rows_are_reported(db_url: str, make_workspace: Make,
                                                                      clock: Any) -> None:
    ws = make_workspace(db_url)
    busy_workspace(ws, clock)
    with ws.store.transaction() as conn:  # an admin account slipped in, an assessment removed
        conn.execute(t.users.insert().values(name="mallory", display_name="M", role="admin", password_hash="x",
                                             disabled=False, created_at=clock.now, updated_at=clock.now))
        conn.execute(t.assessments.delete())
    report = ws.ledger.verify()
    assert set(mismatches(report)) == {("users", "name mallory", None),
                                       ("assessments", f"scenario build-up at {clock.now.isoformat()}", None)}
    unrecorded = next(p for p in report.problems if p.row == "name mallory")
    assert unrecorded.seq == 0 and "no ledger entry records account 'mallory'" in unrecorded.message


# -- 5c: automatic anchors --------------------------------------------------------------------

def fill(ws: Workspace, clock: Any, count: int) -> None:
    for n in range(count):
        clock.advance(minutes=1)
        ws.ledger.record("comment", f"note:{n}", {"n": n})


def test_anchors_are_taken_every_n_entries_next_to_a_sqlite_database(tmp_path: Path, make_workspace: Make,
                                                                      clock: Any) -> None:
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", ledger_anchor_every=4)
    fill(ws, clock, 10)
    path = tmp_path / "ws.db.anchors.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [a["seq"] for a in lines] == [4, 8]
    assert lines[-1]["hash"] == ws.ledger.entries()[7].hash and lines[-1]["format"] == "forewarn-ledger-anchor/1"
    report = ws.ledger.verify()
    assert report.ok and report.auto_anchored == 8


def test_a_consistent_rewrite_is_caught_by_the_automatic_anchor(db_url: str, make_workspace: Make,
                                                                clock: Any) -> None:
    ws = make_workspace(db_url, ledger_anchor_every=5)
    fill(ws, clock, 12)
    with ws.store.engine.connect() as conn:
        tail = rows(conn, 3)
    with attacker(ws) as conn:  # entry 3 says something else; every later hash recomputed
        rewrite_from(conn, 3, [{**tail[0], "payload": '{"n":99}'}, *tail[1:]])
    assert kinds(ws.ledger.verify()) == [(10, K.REWRITTEN)]


def test_a_cut_off_tail_is_caught_by_the_automatic_anchor(db_url: str, make_workspace: Make, clock: Any) -> None:
    ws = make_workspace(db_url, ledger_anchor_every=5)
    fill(ws, clock, 12)
    with attacker(ws) as conn:
        conn.execute(t.ledger.delete().where(t.ledger.c.seq > 7))
    report = ws.ledger.verify()
    assert kinds(report) == [(10, K.TRUNCATED)] and "automatic anchor" in report.problems[0].message


def test_every_cycle_anchors_the_head_when_it_moved(db_url: str, make_workspace: Make, clock: Any) -> None:
    ws = make_workspace(db_url)  # every 100 entries: only the cycle anchors here
    fill(ws, clock, 3)
    path = ws.ledger.anchors.path
    assert path is not None and not path.exists()
    run_cycle(ws, clock.now)
    run_cycle(ws, clock.now)  # nothing new: no second anchor
    assert [json.loads(line)["seq"] for line in path.read_text().splitlines()] == [3]


def test_an_anchor_that_cannot_be_written_is_fw_e094_and_the_action_stays(
        tmp_path: Path, make_workspace: Make, clock: Any, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", ledger_anchor_file=str(blocker / "anchors.jsonl"),
                        ledger_anchor_every=1)
    with caplog.at_level(logging.WARNING, logger="forewarn.ledger"):
        entry = ws.ledger.record("comment", "warning:1", {"text": "kept"})
    assert [e.seq for e in ws.ledger.entries()] == [entry.seq] and ws.ledger.verify().ok
    assert ws.ledger.anchors.failures[-1].code is Code.ANCHOR_FAILED and "FW-E094" in caplog.text
    report = run_cycle(ws, clock.now)  # the cycle tries again, and says so in its report
    assert report.anchor_issue is not None and report.anchor_issue.code is Code.ANCHOR_FAILED
    assert report.anchor_issue.location == str(blocker / "anchors.jsonl")


def test_default_anchor_files() -> None:
    assert default_anchor_file("sqlite:////data/ws.db") == Path("/data/ws.db.anchors.jsonl")
    assert default_anchor_file("sqlite://") is None and default_anchor_file("sqlite:///:memory:") is None
    env = {"XDG_STATE_HOME": "/state"}
    one = default_anchor_file("postgresql+psycopg://ana:SECRET1@db.example:5433/forewarn", env)
    two = default_anchor_file("postgresql+psycopg://ana:other@db.example:5433/forewarn", env)
    other = default_anchor_file("postgresql+psycopg://ana@db.example:5433/elsewhere", env)
    assert one == two != other and one is not None and one.parent == Path("/state/forewarn")
    assert one.name.startswith("db.example-5433-forewarn-") and "SECRET1" not in str(one)


def test_unreadable_anchor_lines_are_skipped_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"format": "forewarn-ledger-anchor/1", "seq": 2, "hash": "' + "a" * 64 + '", '
                    '"at": "2024-08-12T12:00:00+00:00", "count": 2, "actor": "x"}\nnot json\n{"half": ')
    reading = read_anchors(path)
    assert reading.newest is not None and reading.newest.seq == 2 and "2 line(s)" in reading.notes[0]


# -- 6: malformed rows ------------------------------------------------------------------------

SQLITE_CORRUPTIONS = [
    ("UPDATE ledger SET at = 'garbage' WHERE seq = 5", 5, "its time 'garbage' is not a date and time"),
    ("UPDATE ledger SET at = 12345 WHERE seq = 5", 5, "its time is missing or out of range"),
    ("UPDATE ledger SET actor = CAST(x'fffe' AS TEXT) WHERE seq = 5", 5, "its actor x'fffe' is not UTF-8 text"),
    ("UPDATE ledger SET payload = x'00ff' WHERE seq = 5", 5, "its payload x'00ff' is not UTF-8 text"),
    ("UPDATE ledger SET seq = 'five' WHERE seq = 5", 5, "its seq 'five' is not a whole number"),
    ("UPDATE ledger SET seq = 4.5 WHERE seq = 5", 5, "the row after seq 4: its seq '4.5' is not a whole number"),
]


@pytest.mark.parametrize(("statement", "at", "words"), SQLITE_CORRUPTIONS)
def test_a_malformed_sqlite_row_is_reported_at_its_place(tmp_path: Path, make_workspace: Make, clock: Any,
                                                          statement: str, at: int, words: str) -> None:
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    fill(ws, clock, 10)
    with attacker(ws) as conn:
        conn.exec_driver_sql(statement)
    report = ws.ledger.verify()
    assert not report.ok
    malformed = [p for p in report.problems if p.kind is K.MALFORMED]
    assert [p.seq for p in malformed] == [at] and words in malformed[0].message
    shown = ws.ledger.entries()  # every reader copes too
    assert len(shown) == 10 and any(e.kind == "malformed" for e in shown)
    clock.advance(minutes=1)
    assert ws.ledger.record("comment", "note:after", {"n": 11}).seq == 11  # appends go on after it


def test_a_malformed_sqlite_row_with_the_cli(tmp_path: Path, make_workspace: Make, clock: Any) -> None:
    from typer.testing import CliRunner

    from forewarn.cli.main import app

    url = f"sqlite:///{tmp_path / 'ws.db'}"
    ws = make_workspace(url)
    fill(ws, clock, 6)
    with attacker(ws) as conn:
        conn.exec_driver_sql("UPDATE ledger SET at = 'garbage' WHERE seq = 3")
    result = CliRunner().invoke(app, ["--db", url, "ledger", "verify", "--json"])
    report = json.loads(result.output[result.output.index("{"):])
    assert result.exit_code == 1 and "FW-E092" in result.output and report["ok"] is False
    assert report["problems"][0]["seq"] == 3 and report["problems"][0]["kind"] == "malformed"


@pytest.mark.parametrize(("statement", "words"), [
    ("UPDATE ledger SET at = 'infinity' WHERE seq = 5", "its time is missing or out of range"),
    ("UPDATE ledger SET at = '12000-01-01 00:00+00' WHERE seq = 5", "its time is missing or out of range"),
])
def test_a_malformed_postgresql_row_is_reported_at_its_place(pg_url: str, make_workspace: Make, clock: Any,
                                                             statement: str, words: str) -> None:
    ws = make_workspace(pg_url)
    fill(ws, clock, 8)
    with attacker(ws) as conn:
        conn.exec_driver_sql(statement)
    report = ws.ledger.verify()
    assert kinds(report) == [(5, K.MALFORMED)] and words in report.problems[0].message
    assert [e.kind for e in ws.ledger.entries()].count("malformed") == 1


def test_a_payload_that_is_not_json_is_shown_as_malformed(db_url: str, make_workspace: Make, clock: Any) -> None:
    ws = make_workspace(db_url)
    fill(ws, clock, 3)
    with attacker(ws) as conn:
        conn.exec_driver_sql("UPDATE ledger SET payload = 'not json' WHERE seq = 2")
    entry = ws.ledger.entries()[1]
    assert (entry.seq, entry.kind, entry.payload) == (2, "malformed", {"problem": "its payload is not a JSON object"})
    assert kinds(ws.ledger.verify()) == [(2, K.MODIFIED)]
