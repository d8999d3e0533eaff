"""`ledger verify` checks the competing-hypotheses and key-assumption tables against their entries (issue 17), as it
checks dissents and judgment rows: every ``ach_changes`` row against its ``ach-changed`` entry (versions contiguous,
the matrix's version its last change's), every assumption against its ``assumption-added`` commitment, its last
review and its state changes, every signpost match against its ``assumption-flagged`` entry. A row changed behind
the ledger's back — past the append-only triggers where there are some — fails verify with the row named. The
database refuses to change or remove ``ach_changes`` and ``assumption_matches`` rows; downgrading drops the tables
and their triggers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from detect_store_helpers import seed

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.errors import ForewarnError
from forewarn.ledger.problems import Problem, ProblemKind
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.store import schema as t
from forewarn.store.core import migrations_config

BRIDGING = """\
- id: bridging-at-border
  name: Bridging vehicles at the Kursk border
  types: [MOBILIZE]
  actor: {countries: [UKR]}
  keywords: [bridging]
  region: {admin1: ["RUS:Kursk"]}
"""
BEFORE = datetime(2024, 8, 5, 12, tzinfo=UTC)
CHECK = datetime(2024, 8, 12, 6, tzinfo=UTC)
APPEND_ONLY = ("ach_changes", "assumption_matches")


@dataclass(frozen=True)
class Judged:
    ws: Workspace
    db: str
    matrix: int
    flagged: int  # flagged by a signpost, then reviewed: it holds
    withdrawn: int


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


@pytest.fixture
def judged(db_url: str, make_workspace: Callable[..., Workspace], clock: Any, tmp_path: Path) -> Judged:
    """A matrix of five versions, an assumption flagged by new evidence and reviewed, and a withdrawn one."""
    clock.now = BEFORE
    ws = make_workspace(db_url)
    ann = _as(ws, "ann")
    qid = ann.judgments.add_question("Will Ukraine enter Kursk oblast?", "Regular troops cross.", date(2024, 9, 1)).id
    ann.judgments.estimate(str(qid), 0.1, "they would not")
    m = ann.ach.create("Kursk intentions", ["feint", "incursion"], question_id=qid)
    m = ann.ach.add_evidence(m.id, text="Pontoon bridging seen near the border", grade="C3")
    m = ann.ach.rate(m.id, 1, 1, "II")
    m = ann.ach.add_hypothesis(m.id, "nothing")
    ann.ach.rate(m.id, 1, 2, "C")
    flagged = ann.assumptions.add(str(qid), "Ukraine lacks the bridging to cross", BRIDGING).id
    withdrawn = ann.assumptions.add(str(qid), "Nothing moves before the harvest", BRIDGING).id
    ann.assumptions.withdraw(withdrawn)
    clock.now = CHECK
    seed(ws, tmp_path / "inbox")
    assert ws.assumptions.check(CHECK) == (flagged,)
    ann.assumptions.review(flagged, True, "the bridging seen is a single unit")
    return Judged(ws, db_url, m.id, flagged, withdrawn)


def _problems(ws: Workspace) -> list[Problem]:
    report = ws.ledger.verify()
    assert not report.ok
    assert all(p.kind is ProblemKind.STATE_MISMATCH for p in report.problems), report.problems
    return list(report.problems)


def _verify_cli(db: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db", db, "--actor", "admin", "ledger", "verify"], env={"COLUMNS": "400"})
    return result.exit_code, result.output


@contextmanager
def _past_the_triggers(ws: Workspace) -> Iterator[sa.Connection]:
    """What an administrator with the database's keys could do: lift the append-only protection, then write."""
    with ws.store.transaction() as conn:
        for table in APPEND_ONLY:
            if conn.dialect.name == "sqlite":
                for verb in ("update", "delete", "replace"):
                    conn.exec_driver_sql(f"DROP TRIGGER {table}_no_{verb}")
            else:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_change")
        yield conn


def test_verify_passes_on_a_workspace_with_matrices_and_assumptions(judged: Judged) -> None:
    ws = judged.ws
    with ws.store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.ach_changes)).scalar() == 5
        assert conn.execute(sa.select(sa.func.count()).select_from(t.assumption_matches)).scalar() == 1
    report = ws.ledger.verify()
    assert report.ok, report.problems
    assert _verify_cli(judged.db)[0] == 0


@pytest.mark.parametrize(("values", "columns"), [
    ({"text": "Ukraine has all the bridging it needs"}, ["commitment"]),
    ({"signposts": "[]\n"}, ["commitment"]),
    ({"owner": "mallory"}, ["owner", "commitment"]),
    ({"state": "holding"}, ["state"]),  # hide that it was flagged and reviewed
    ({"review": "on reflection, it broke"}, ["review_commitment"]),
    ({"reviewed_by": "root"}, ["reviewed_by", "review_commitment"]),
    ({"review": None, "review_salt": None, "reviewed_by": None, "state": "flagged"},
     ["state", "reviewed_by", "review_commitment"]),  # the review taken back
])
def test_a_changed_assumption_is_named(judged: Judged, values: dict[str, Any], columns: list[str]) -> None:
    ws, ref = judged.ws, judged.flagged
    with ws.store.transaction() as conn:
        conn.execute(t.assumptions.update().where(t.assumptions.c.id == ref).values(values))
    found = _problems(ws)
    assert [(p.table, p.row, p.column) for p in found] == [("assumptions", f"id {ref}", c) for c in columns]
    assert all(p.seq > 0 for p in found)  # each at the entry whose value the row no longer holds
    code, out = _verify_cli(judged.db)
    assert code == 1 and f"assumptions id {ref}, {columns[0]}" in out, out


def test_a_withdrawn_assumption_put_back_is_named(judged: Judged) -> None:
    ws, ref = judged.ws, judged.withdrawn
    with ws.store.transaction() as conn:
        conn.execute(t.assumptions.update().where(t.assumptions.c.id == ref).values(state="holding"))
    [problem] = _problems(ws)
    [withdrawn] = ws.ledger.entries(kind=["assumption-withdrawn"])
    assert (problem.table, problem.row, problem.column, problem.seq) == ("assumptions", f"id {ref}", "state",
                                                                         withdrawn.seq)
    assert "'holding'" in problem.message and "'withdrawn'" in problem.message


def test_an_assumption_without_its_entry_and_an_entry_without_its_row(judged: Judged) -> None:
    ws = judged.ws
    with ws.store.transaction() as conn:
        row = conn.execute(sa.select(t.assumptions).where(t.assumptions.c.id == judged.withdrawn)).one()._asdict()
        del row["id"]
        planted = conn.execute(t.assumptions.insert().values(row).returning(t.assumptions.c.id))
        new_id = planted.scalar_one()
        conn.execute(t.assumptions.delete().where(t.assumptions.c.id == judged.withdrawn))
    found = {(p.table, p.row, p.seq == 0) for p in _problems(ws)}
    assert found == {("assumptions", f"id {new_id}", True), ("assumptions", f"id {judged.withdrawn}", False)}


def test_a_changed_or_planted_match_is_named(judged: Judged) -> None:
    ws = judged.ws
    with _past_the_triggers(ws) as conn:
        conn.execute(t.assumption_matches.update().values(evidence_id="forged"))
    found = {(p.table, p.row.split(",")[0] if p.row else None, p.seq == 0) for p in _problems(ws)}
    assert found == {("assumption_matches", "id 1", True), ("assumption_matches", f"assumption {judged.flagged}",
                                                            False)}


def test_a_changed_ach_version_is_named(judged: Judged) -> None:
    ws, m = judged.ws, judged.matrix
    with _past_the_triggers(ws) as conn:  # E1 against H1 was rated strongly inconsistent: soften it
        conn.execute(t.ach_changes.update().where(t.ach_changes.c.version == 3)
                     .values(payload={"evidence": 1, "hypothesis": 1, "rating": "C"}))
    [problem] = _problems(ws)
    row = f"matrix {m}, version 3"
    assert problem.table == "ach_changes" and row in (problem.row or "") and problem.column == "payload"
    assert "'II'" in problem.message and "'C'" in problem.message
    code, out = _verify_cli(judged.db)
    assert code == 1 and "ach_changes id" in out and row in out, out


def test_a_removed_ach_version_breaks_the_run_of_versions(judged: Judged) -> None:
    ws, m = judged.ws, judged.matrix
    with _past_the_triggers(ws) as conn:
        conn.execute(t.ach_changes.delete().where(t.ach_changes.c.version == 2))
    found = {(p.table, p.column, p.seq == 0) for p in _problems(ws)}
    assert found == {("ach_changes", "version", True), ("ach_changes", None, False)}
    messages = " | ".join(p.message for p in _problems(ws))
    assert f"version 3 of matrix {m} follows version 1" in messages and f"version 2 of matrix {m}" in messages


@pytest.mark.parametrize(("values", "column"), [({"version": 4}, "version"), ({"title": "Kursk: a feint"}, "title"),
                                                ({"owner": "mallory"}, "owner")])
def test_a_changed_matrix_row_is_named(judged: Judged, values: dict[str, Any], column: str) -> None:
    ws, m = judged.ws, judged.matrix
    with ws.store.transaction() as conn:
        conn.execute(t.ach_matrices.update().where(t.ach_matrices.c.id == m).values(values))
    [problem] = _problems(ws)
    assert (problem.table, problem.row, problem.column) == ("ach_matrices", f"id {m}", column)


def test_a_planted_version_and_a_matrix_without_entries(judged: Judged) -> None:
    ws, m = judged.ws, judged.matrix
    with ws.store.transaction() as conn:  # a plain insert: the triggers let an append through
        conn.execute(t.ach_changes.insert().values(matrix_id=m, version=6, op="rate", actor="mallory", at=CHECK,
                                                   payload={"evidence": 1, "hypothesis": 2, "rating": "II"}))
        conn.execute(t.ach_matrices.insert().values(title="x", owner="x", version=0, created_by="x", created_at=CHECK,
                                                    updated_at=CHECK))
    found = {(p.table, p.row.split(" (")[0] if p.row else None) for p in _problems(ws)}
    assert found == {("ach_changes", f"id {6}"), ("ach_matrices", f"id {m + 1}")}


# -- append-only in the database ----------------------------------------------------------------------------------

def _refused(ws: Workspace, statement: Any) -> None:
    with pytest.raises(ForewarnError, match="append-only"), ws.store.transaction() as conn:
        conn.execute(sa.text(statement) if isinstance(statement, str) else statement)


def _snapshot(ws: Workspace) -> list[list[Any]]:
    with ws.store.engine.connect() as conn:
        return [[tuple(r) for r in conn.execute(sa.select(table).order_by(table.c.id))]
                for table in (t.ach_changes, t.assumption_matches)]


def test_the_database_refuses_to_change_or_remove_versions_and_matches(judged: Judged) -> None:
    ws = judged.ws
    before = _snapshot(ws)
    for table in (t.ach_changes, t.assumption_matches):
        _refused(ws, table.update().values(actor="mallory") if table is t.ach_changes else
                 table.update().values(evidence="nothing"))
        _refused(ws, table.delete())
    if ws.store.engine.dialect.name == "sqlite":  # a replace deletes the old row without firing DELETE
        _refused(ws, "INSERT OR REPLACE INTO ach_changes (id, matrix_id, version, op, payload, actor, at) "
                     "SELECT id, matrix_id, version, op, payload, 'mallory', at FROM ach_changes")
        _refused(ws, "INSERT OR REPLACE INTO ach_changes (matrix_id, version, op, payload, actor, at) "  # by its key
                     "SELECT matrix_id, version, op, payload, 'mallory', at FROM ach_changes")
        _refused(ws, "REPLACE INTO assumption_matches (assumption_id, signpost, kind, evidence_id, document_id, "
                     "known_at, found_at, evidence) SELECT assumption_id, signpost, kind, evidence_id, document_id, "
                     "known_at, found_at, 'nothing' FROM assumption_matches")
    else:
        for name in APPEND_ONLY:
            _refused(ws, f"TRUNCATE {name}")
        _refused(ws, "INSERT INTO ach_changes (id, matrix_id, version, op, payload, actor, at) SELECT id, matrix_id, "
                     "version, op, payload, 'mallory', at FROM ach_changes ON CONFLICT (id) DO UPDATE SET actor = "
                     "excluded.actor")
    assert _snapshot(ws) == before and ws.ledger.verify().ok
    m = _as(ws, "ann").ach.rate(judged.matrix, 1, 3, "I")  # appending goes on
    assert m.version == 6 and ws.ledger.verify().ok


def _protection(conn: sa.Connection) -> set[str]:
    """The append-only triggers (SQLite) or refusal functions (PostgreSQL) in the database."""
    if conn.dialect.name == "sqlite":
        return set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE "
                                        "'ledger%'").scalars())
    return set(conn.exec_driver_sql("SELECT proname FROM pg_proc JOIN pg_namespace n ON n.oid = pronamespace "
                                    "WHERE nspname = current_schema() AND proname <> 'ledger_refuse'").scalars())


def test_downgrade_drops_the_tables_and_their_protection(db_url: str, make_workspace: Callable[..., Workspace]
                                                         ) -> None:
    ws = make_workspace(db_url)
    sqlite = ws.store.engine.dialect.name == "sqlite"
    with ws.store.engine.begin() as conn:
        assert _protection(conn) == ({f"{n}_no_{v}" for n in ("dissents", *APPEND_ONLY)
                                      for v in ("update", "delete", "replace")} if sqlite else
                                     {f"{n}_refuse" for n in ("dissents", *APPEND_ONLY)})
        command.downgrade(migrations_config(conn), "0016")
        assert _protection(conn) == set()
        assert not {"dissents", *APPEND_ONLY} & set(sa.inspect(conn).get_table_names())
        command.upgrade(migrations_config(conn), "head")  # the names are free again
        assert len(_protection(conn)) == (9 if sqlite else 3)
        conn.execute(t.assumption_matches.insert().values(assumption_id=1, signpost="s", kind="event", evidence_id="e",
                                                          document_id="d", known_at=CHECK, found_at=CHECK, evidence=""))
    _refused(ws, "DELETE FROM assumption_matches")
