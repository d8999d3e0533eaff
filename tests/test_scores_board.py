"""Scores of resolved judgments (issue 17, items 5 and 6; forewarn.reads.scores): the numbers against hand-computed
cases and against forewarn.model.scoring, only resolved questions scored, who sees which row, the CLI."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from scores_support import SCENARIO, T0, hand_world, person

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.errors import InvalidArgument
from forewarn.model import Role
from forewarn.model import scoring as sc
from forewarn.model.judgment import QuestionState
from forewarn.reads.scores import ScoreBoard, letter
from forewarn.store import schema as t


@pytest.fixture
def ws(db_url: str, make_workspace: Callable[..., Workspace]) -> Workspace:
    return make_workspace(db_url)


def _rows(b: ScoreBoard) -> dict[str, float]:
    return {r.label: r.score.brier for r in b.rows}


def test_scores_against_hand_computed_cases(ws: Workspace, clock: object) -> None:
    hand_world(ws, clock.advance)  # type: ignore[attr-defined]
    b = ws.reads.scores(ws.clock())
    assert b.questions == 2 and b.annulled == 1 and b.withheld == 0
    got = _rows(b)
    assert "carol" not in got and "dave" not in got  # open and annulled questions are never scored
    expected = {"alice": 0.065, "bob": 0.185, "published line": 0.64, "model": 0.05, "team mean": 0.07,
                "team median": 0.07}
    assert {k: got[k] for k in expected} == pytest.approx(expected)
    labels = [r.label for r in b.rows]
    assert labels.index("model") < labels.index("alice") < labels.index("team mean") < labels.index("bob")
    assert [r.score.brier for r in b.rows] == sorted(r.score.brier for r in b.rows)  # best first
    bob = next(r for r in b.rows if r.label == "bob")
    assert bob.score.coverage == pytest.approx(0.75) and bob.score.questions == 2 and bob.forecasts == 2
    model = next(r for r in b.rows if r.label == "model")
    assert model.score.questions == 1 and model.forecasts == 2 and model.score.coverage == 1.0


def test_scores_agree_with_the_scoring_module(ws: Workspace, clock: object) -> None:
    hand_world(ws, clock.advance)  # type: ignore[attr-defined]
    b = ws.reads.scores(ws.clock(), bins=5)
    finals = [([0.8, 0.4], 1), ([0.3, 0.1], 0)]
    assert b.aggregation == sc.aggregation_report(finals, "brier")
    assert b.aggregation_log == sc.aggregation_report(finals, "log")
    assert b.pooled is not None and b.pooled.forecasts == 4
    assert b.pooled.calibration == sc.calibration([0.8, 0.4, 0.3, 0.1], [1, 1, 0, 0], 5)
    assert b.pooled.discrimination == sc.Discrimination(auc=1.0, mean_difference=pytest.approx(0.4))
    # the extremized team row: each question with the factor fitted on the other one, at each change point
    a1, a2 = sc.fit_extremizing([finals[1]]), sc.fit_extremizing([finals[0]])
    q1 = 0.5 * sc.brier(sc.extremized([0.8], a1), 1) + 0.5 * sc.brier(sc.extremized([0.8, 0.4], a1), 1)
    q2 = sc.brier(sc.extremized([0.3, 0.1], a2), 0)
    assert _rows(b)["team extremized"] == pytest.approx((q1 + q2) / 2)
    assert all(r.calibration is None for r in b.rows)  # under MIN_FORECASTS each


def test_who_sees_which_row(ws: Workspace, clock: object) -> None:
    hand_world(ws, clock.advance)  # type: ignore[attr-defined]
    now = ws.clock()
    viewer = person(ws, "vera", Role.VIEWER).reads.scores(now)
    assert {r.kind for r in viewer.rows} == {"line", "model", "team"} and viewer.withheld == 2
    assert not {"alice", "bob"} & set(_rows(viewer))
    bob = person(ws, "bob").reads.scores(now)
    assert set(_rows(bob)) >= {"bob", "analyst A"} and "alice" not in _rows(bob)
    assert [r.own for r in bob.rows if r.kind == "analyst"] == [False, True]  # alice (A) is better than bob
    officer = person(ws, "duty", Role.DUTY_OFFICER).reads.scores(now)
    assert {r.label for r in officer.rows if r.kind == "analyst"} == {"analyst A", "analyst B"}
    assert {"alice", "bob"} <= set(_rows(ws.reads.scores(now)))  # the local admin sees names
    assert letter(0) == "A" and letter(25) == "Z" and letter(26) == "A2"


def test_scores_only_up_to_the_workspace_time_and_empty(ws: Workspace, clock: object) -> None:
    empty = ws.reads.scores(ws.clock())
    assert empty.questions == 0 and empty.rows == () and empty.pooled is None and empty.aggregation is None
    hand_world(ws, clock.advance)  # type: ignore[attr-defined]
    earlier = ws.reads.scores(ws.clock() - timedelta(hours=5))  # Q2 not resolved yet at that time
    assert earlier.questions == 1 and earlier.aggregation is None
    with pytest.raises(InvalidArgument):
        ws.reads.scores(ws.clock(), bins=0)


def test_scores_cli(tmp_path: Path, make_workspace: Callable[..., Workspace], clock: object,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    hand_world(make_workspace(url), clock.advance)  # type: ignore[attr-defined]
    monkeypatch.setenv("FOREWARN_DATABASE_URL", url)
    monkeypatch.setenv("FOREWARN_EXTRACT", "false")
    runner = CliRunner()
    done = runner.invoke(app, ["scores", "--json"])
    assert done.exit_code == 0, done.output
    got = json.loads(done.output)
    assert got["questions"] == 2 and {r["label"]: r["brier"] for r in got["rows"]}["alice"] == pytest.approx(0.065)
    shown = runner.invoke(app, ["scores", "--bins", "5"])
    assert shown.exit_code == 0 and "alice" in shown.output and "published line" in shown.output
    assert runner.invoke(app, ["scores", "--bins", "0"]).exit_code != 0


def test_a_resolution_or_an_assessment_renews_the_cached_scores(ws: Workspace, clock: object) -> None:
    hand_world(ws, clock.advance)  # type: ignore[attr-defined]
    first = ws.reads.scores(ws.clock())
    assert ws.reads.scores(ws.clock()).rows == first.rows  # the same board, from the cache
    carol = person(ws, "carol")
    qid = str(carol.judgments.add_question("Will it hail?", "It hails.", ws.clock().date()).id)
    carol.judgments.estimate(qid, 0.25)
    assert ws.reads.scores(ws.clock()).rows == first.rows  # an open question's estimate changes nothing
    clock.advance(hours=2)  # type: ignore[attr-defined]
    carol.judgments.resolve(qid, QuestionState.RESOLVED_NO, "No hail.")
    after = ws.reads.scores(ws.clock())
    assert after.questions == 3 and _rows(after)["carol"] == pytest.approx(0.0625)
    with ws.store.transaction() as conn:  # a replay writes an assessment into Q1's life: the model is scored anew
        conn.execute(t.assessments.insert().values(scenario_id=SCENARIO, scenario_version="v1", probability=0.5,
                                                   at=T0 + timedelta(hours=9), log_odds=0.0, signals=[],
                                                   created_at=T0))
    assert _rows(ws.reads.scores(ws.clock()))["model"] == pytest.approx(0.5 * 0.09 + 0.4 * 0.01 + 0.1 * 0.25)
