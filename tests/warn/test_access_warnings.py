"""Scenarios, assessments, warnings and notifications under compartments (issue 18): a scenario fed by a report
of team north's restricted source shows an outsider that signal only as "n signals from holdings you may not
see" (never its words: the canary), and a member all of it; a scenario of team north's, with its assessments
and warnings, does not exist for an outsider; a notification carries only what its recipient may see, and is not
sent to one who may not see the warning."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from access_warn_support import (
    CANARY,
    NORTH,
    OPEN_WORDS,
    SCENARIO_YAML,
    AccessWorld,
    add_people,
    build,
    compartment_of_warning,
    member,
)
from sqlalchemy import select
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app as cli
from forewarn.detect.explain import explain_lines
from forewarn.errors import NotFound
from forewarn.model import WarningState
from forewarn.store import schema as t

HIDDEN_ONE = "1 signal from holdings you may not see"


@pytest.fixture
def world(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> tuple[Workspace, AccessWorld]:
    ws = make_workspace(db_url, webhook_url="http://127.0.0.1:9/hook", notify_email="nora,sam,out@example.org")
    return ws, build(ws, tmp_path)


@pytest.fixture
def closed(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> tuple[Workspace, AccessWorld]:
    ws = make_workspace(db_url, webhook_url="http://127.0.0.1:9/hook", notify_email="nora,sam,out@example.org")
    return ws, build(ws, tmp_path, NORTH)


def text_of(value: Any) -> str:
    return repr(value)


def test_an_outsider_reads_the_hidden_signal_as_a_count_and_a_member_reads_it(world: tuple[Workspace, AccessWorld]
                                                                              ) -> None:
    ws, w = world
    sam, nora = member(ws, "sam"), member(ws, "nora")
    outside, inside = sam.scenarios.page(w.scenario_id, None), nora.scenarios.page(w.scenario_id, None)
    assert outside.last is not None and inside.last is not None
    assert CANARY not in text_of(outside) and w.north_doc not in text_of(outside)
    assert OPEN_WORDS in text_of(outside)  # the open signal stays
    assert (outside.hidden, outside.last.hidden_signals) == (1, 1)
    assert len(inside.last.signals) == len(outside.last.signals) + 1 and inside.hidden == 0
    assert CANARY in text_of(inside)
    assert CANARY not in text_of([sam.scenarios.line(w.scenario_id), sam.scenarios.lines(),
                                  sam.scenarios.history(w.scenario_id)])
    assert CANARY in text_of(nora.scenarios.history(w.scenario_id))


def test_an_assessment_computed_now_and_a_test_hide_the_same(world: tuple[Workspace, AccessWorld]) -> None:
    ws, w = world
    sam, nora = member(ws, "sam"), member(ws, "nora")
    view, tested = sam.scenarios.view(w.scenario_id), sam.scenarios.test(w.scenario_id)
    assert view.hidden == 1 and tested.hidden == 1
    assert CANARY not in text_of([view, tested, explain_lines(view.assessment, view.scenario)])
    assert w.north_doc not in text_of([view, tested])
    mine = nora.scenarios.view(w.scenario_id)
    assert mine.hidden == 0 and CANARY in text_of(mine)
    assert view.assessment.probability == mine.assessment.probability  # scoring ran as forewarn: one number


def test_a_warning_shows_an_outsider_only_the_evidence_it_may_see(world: tuple[Workspace, AccessWorld]) -> None:
    ws, w = world
    sam, nora = member(ws, "sam"), member(ws, "nora")
    outside = sam.warnings.view(w.warning_id)
    assert CANARY not in text_of(outside) and w.north_doc not in text_of(outside)
    assert HIDDEN_ONE in outside.warning.text and outside.hidden == 1
    assert outside.hidden_text == HIDDEN_ONE
    assert w.open_doc in outside.warning.document_ids
    for found in (sam.warnings.listing(), sam.warnings.board_view(10, watched=True), sam.warnings.changes(None),
                  sam.warnings.board(), sam.reads.warning_evidence(outside.warning, {})):
        assert CANARY not in text_of(found) and w.north_doc not in text_of(found)
    inside = nora.warnings.view(w.warning_id)
    assert CANARY in inside.warning.text and inside.hidden == 0 and w.north_doc in inside.warning.document_ids
    assert "from holdings you may not see" not in text_of(inside)
    acknowledged = sam.warnings.acknowledge(w.warning_id, "seen")  # what an action returns is read the same way
    assert CANARY not in text_of(acknowledged) and acknowledged.state is WarningState.ACKNOWLEDGED


def test_a_restricted_scenario_its_assessments_and_warnings_do_not_exist_for_an_outsider(
        closed: tuple[Workspace, AccessWorld]) -> None:
    ws, w = closed
    sam, nora = member(ws, "sam"), member(ws, "nora")
    assert compartment_of_warning(ws, w.warning_id) is not None  # the warning took the scenario's compartment
    assert sam.scenarios.lines() == [] and sam.warnings.listing(tuple(WarningState)).total == 0
    assert sam.warnings.board() == [] and sam.warnings.changes(None).warnings == []
    for read in (lambda: sam.scenarios.get(w.scenario_id), lambda: sam.scenarios.page(w.scenario_id, None),
                 lambda: sam.scenarios.history(w.scenario_id), lambda: sam.warnings.get(w.warning_id),
                 lambda: sam.warnings.acknowledge(w.warning_id), lambda: sam.scenarios.remove(w.scenario_id)):
        with pytest.raises(NotFound):
            read()
    with pytest.raises(NotFound) as wrong:
        sam.warnings.get(w.warning_id + 1000)
    with pytest.raises(NotFound) as hidden:
        sam.warnings.get(w.warning_id)
    assert str(hidden.value).replace(str(w.warning_id), "N") == str(wrong.value).replace(
        str(w.warning_id + 1000), "N")  # no oracle: the same words as a wrong id
    assert [line.record.scenario.id for line in nora.scenarios.lines()] == [w.scenario_id]
    assert nora.warnings.get(w.warning_id).id == w.warning_id


def _payloads(ws: Workspace, warning_id: int) -> dict[str, dict[str, Any]]:
    with ws.store.engine.connect() as conn:
        found = conn.execute(select(t.outbox.c.target, t.outbox.c.payload).where(t.outbox.c.warning_id == warning_id))
        return {r.target: r.payload for r in found}


def test_a_notification_carries_only_what_its_recipient_may_see(world: tuple[Workspace, AccessWorld]) -> None:
    ws, w = world
    payloads = _payloads(ws, w.warning_id)
    assert set(payloads) == {"nora", "sam", "out@example.org", "http://127.0.0.1:9/hook"}
    assert CANARY in json.dumps(payloads["nora"]) and "hidden" not in payloads["nora"]["warning"]
    for outsider in ("sam", "out@example.org", "http://127.0.0.1:9/hook"):
        body = json.dumps(payloads[outsider])
        assert CANARY not in body and w.north_doc not in body
        assert payloads[outsider]["warning"]["hidden"] == HIDDEN_ONE
        assert OPEN_WORDS in payloads[outsider]["warning"]["text"]


def test_a_warning_is_not_sent_to_a_recipient_who_may_not_see_it(closed: tuple[Workspace, AccessWorld]) -> None:
    ws, w = closed
    assert set(_payloads(ws, w.warning_id)) == {"nora"}
    skipped = ws.ledger.entries(kind="notification-skipped")
    assert sorted(e.payload["target"] for e in skipped) == ["http://127.0.0.1:9/hook", "out@example.org", "sam"]
    assert all(e.subject == f"warning:{w.warning_id}" for e in skipped)


def test_the_cli_shows_an_outsider_the_count_and_a_member_the_evidence(world: tuple[Workspace, AccessWorld],
                                                                       db_url: str) -> None:
    _, w = world
    runner = CliRunner()
    for actor, sees in (("sam", False), ("nora", True)):
        first = ["--db", db_url, "--actor", actor]
        shown = runner.invoke(cli, [*first, "warnings", "show", str(w.warning_id)], env={"COLUMNS": "250"})
        explained = runner.invoke(cli, [*first, "scenario", "show", w.scenario_id, "--at", "2024-08-12T06:00+00:00"],
                                  env={"COLUMNS": "250"})
        assert shown.exit_code == 0 and explained.exit_code == 0, shown.output + explained.output
        for out in (shown.output, explained.output):
            assert (CANARY in out) is sees
            assert (HIDDEN_ONE in out) is not sees



def test_scenario_add_takes_a_compartment_that_is_raised_never_lowered(
        db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(db_url)
    add_people(ws)
    path = tmp_path / "armour-watch.yaml"
    path.write_text(SCENARIO_YAML)
    runner = CliRunner()

    def as_(actor: str, *args: str) -> tuple[int, str]:
        done = runner.invoke(cli, ["--db", db_url, "--actor", actor, *args], env={"COLUMNS": "250"})
        return done.exit_code, done.output

    code, out = as_("nora", "scenario", "add", str(path), "--marking", "TLP:AMBER+STRICT", "--team", "north")
    assert code == 0 and "added" in out, out
    assert "armour-watch" in as_("nora", "scenario", "list")[1]
    assert "armour-watch" not in as_("sam", "scenario", "list")[1]
    code, out = as_("nora", "scenario", "add", str(path), "--marking", "TLP:CLEAR")
    assert code != 0 and "raised, never lowered" in out, out
    code, out = as_("sam", "scenario", "add", str(path))  # a hidden scenario's id is not the outsider's to reuse
    assert code != 0 and "cannot be used" in out and "north" not in out, out
    code, out = as_("nora", "scenario", "add", str(path), "--marking", "TLP:RED")
    assert code != 0 and "named recipients" in out, out
