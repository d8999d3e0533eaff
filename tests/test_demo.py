"""The bundled demo corpus builds into a workspace with the shape the issue asks for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from forewarn.config import Settings
from forewarn.demo import build_demo, demo_dir, demo_sources
from forewarn.model import LedgerEntry


def test_sources_file_is_complete() -> None:
    specs = demo_sources()
    assert len(specs) >= 7
    assert {s["kind"] for s in specs} >= {"telegram", "feed", "html", "text"}
    for spec in specs:
        assert (demo_dir() / spec["path"]).exists(), spec["path"]
        assert spec["reliability"] in "ABCDEF" and spec["marking"].startswith("TLP:")


def test_demo_workspace_is_extracted(tmp_path: Path) -> None:
    """The demo corpus builds into a workspace of the issue's shape, and `make demo` runs extraction: the build-up
    and the incursion show as events in the right places (one build for both: it is the suite's slowest set-up)."""
    from forewarn.app import Workspace
    from forewarn.demo import DEMO_DEFAULTS
    from forewarn.model.query import EventQuery

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    settings = Settings(database_url=url, actor="demo", focus_countries=DEMO_DEFAULTS["focus_countries"])
    result = build_demo(settings)
    stats = result.stats
    assert stats["documents"] >= 150
    assert stats["first_published"] >= datetime(2024, 7, 1, tzinfo=UTC)
    assert stats["last_published"] < datetime(2024, 8, 13, tzinfo=UTC)
    assert stats["clusters_with_duplicates"] >= 5  # re-posts and wire pick-ups cluster together
    assert stats["sightings"] > stats["documents"]  # exact re-posts are extra sightings
    assert set(dict(result.report.failed_by_code)) <= {"FW-E027"}  # only media-only Telegram posts
    assert result.report.warnings == 0
    assert result.extraction is not None and result.extraction.failed == 0
    assert result.extraction.extracted == result.stats["documents"]
    with Workspace.open(settings) as ws:
        assaults = ws.reads.events(EventQuery(types=("ASSAULT",), place="Kursk", limit=None))
        assert any(str(e.date) == "2024-08-06" for e in assaults)
        build_up = ws.reads.events(EventQuery(types=("MOBILIZE",), date_to=datetime(2024, 8, 5).date(), limit=None))
        assert len(build_up) >= 5 and any(e.place and e.place.admin1 == "Sumy Oblast" for e in build_up)
        assert ws.intake.extract().documents == 0  # re-running the demo extracts nothing twice
    assert build_demo(settings).extraction.documents == 0  # type: ignore[union-attr]

    # the six weeks played as if watched live: the incursion scenario warns days before 6 August,
    # the duty officer dismisses the partner's bulletin, and the post-mortem shows both
    from forewarn.demo_play import END, EVENT_DATE, PARTNER_REF, START, STEP, play
    from forewarn.review import ChainBreak

    played = play(settings)
    assert played.played and played.steps > 100
    pm = played.postmortem
    assert pm.first_warning is not None and pm.lead_time is not None
    assert pm.lead_time.days >= 2 and pm.first_warning.origin.value == "scenario"
    partner = next(w for w in played.warnings if w.partner_ref == PARTNER_REF)
    assert partner.raised_at.date() == datetime(2024, 8, 2).date()
    dismissal = next(e for e in ws_history(settings, partner.id) if e.kind == "warning-disposed")
    assert dismissal.payload["disposition"] == "dismissed" and dismissal.actor == "alice"
    assert dismissal.at.date() < EVENT_DATE
    assert {f.link for f in pm.findings} >= {ChainBreak.DISMISSED}
    assert pm.broken in (ChainBreak.DISMISSED, ChainBreak.UNACKNOWLEDGED)
    _judgments_played(settings, pm, partner.id)
    again = play(settings)  # idempotent: the ledger holds the played weeks
    assert not again.played and {w.id for w in again.warnings} == {w.id for w in played.warnings}
    with Workspace.open(settings) as ws:  # nothing judged twice
        assert len(ws.ledger.entries(kind="estimate-recorded", limit=100)) == 7
        assert len(ws.ledger.entries(kind="dissent-filed", limit=100)) == 2
    with Workspace.open(settings) as ws:
        assert ws.ledger.verify().ok
        # a replay over the same six-hour steps gives exactly what the live cycles published
        published = {a.at: a.probability for a in ws.scenarios.published("cross-border-incursion")}
        series = ws.review.replay("cross-border-incursion", START, END, STEP)
        assert len(published) > 20
        replayed = {r.at: r.probability for r in series.steps if r.at in published}
        assert replayed == pytest.approx(published, abs=1e-12)
        # with no step given, a replay takes the live cycle's and says so
        default = ws.review.replay("cross-border-incursion", START, END)
        assert default.step == STEP and "live cycle" in default.step_reason
        assert [r.probability for r in default.steps] == [r.probability for r in series.steps]
    _demo_lives_on_in_its_own_time(settings, played.clock, again.clock)


def _demo_lives_on_in_its_own_time(settings: Settings, first: object, again: object) -> None:
    """After the play the workspace runs on from its end (set once: a re-run leaves it), and a cycle right
    after it assesses at the workspace's time: the scenario keeps its level and probability."""
    from forewarn.app import Workspace
    from forewarn.cycle import run_cycle
    from forewarn.demo_play import END, SCENARIO

    assert first is not None and first == again
    with Workspace.open(settings) as ws:
        setting = ws.time.show().setting
        assert setting is not None and setting.at == END and setting.running and setting.set_by == "forewarn-watch"
        assert [e.kind for e in ws.ledger.entries(kind="clock-set")] == ["clock-set"]
        last = ws.scenarios.latest()[SCENARIO]
        now = ws.clock()
        assert END <= now < END + timedelta(minutes=10)
        shown = ws.scenarios.view(SCENARIO).assessment
        report = run_cycle(ws, ws.clock())
        [after] = report.assessments
        assert after.level == last.level == shown.level
        assert abs(after.probability - last.probability) < 0.005 and abs(shown.probability - last.probability) < 0.005
        assert not report.warnings  # nothing raised or reopened by a cycle at the real date


def _judgments_played(settings: Settings, pm: object, partner_id: int) -> None:
    """Blind estimates by several analysts before a softened line ("under control"), flagged; a dissent on the line
    and one on the bulletin's dismissal; the key assumption behind the line flagged by its signposts before the
    crossing; the question resolved yes after 6 August; the post-mortem shows them."""
    from forewarn.demo_play import EVENT_DATE, SCENARIO
    from forewarn.model.judgment import QuestionState
    from forewarn.review import PostMortem

    assert isinstance(pm, PostMortem) and pm.judgments is not None and pm.judgments.question is not None
    j = pm.judgments
    q = j.question
    assert q.scenario_id == SCENARIO and q.state is QuestionState.RESOLVED_YES and j.revealed
    assert q.resolved_at is not None and q.resolved_at.date() > EVENT_DATE and q.resolution
    [seen] = j.lines
    line = seen.line
    blind = [e for e in j.estimates if e.blind and e.at < line.at]
    assert len({e.analyst for e in blind}) >= 3 and all(0.3 <= e.probability <= 0.6 for e in blind)
    assert "under control" in line.words and line.probability <= 0.15
    assert line.flagged and line.gap is not None and line.gap < -settings.softening_gap
    assert seen.median is not None and seen.median > line.probability
    assert [d.analyst for d in seen.dissents] and "under control" in seen.dissents[0].text
    assert [d.target_id for d in j.dispositions] == [partner_id]
    assert any(e.at > line.at and not e.blind for e in j.estimates)  # revised upward after the line
    [kept] = j.assumptions  # the key assumption behind the line: its signposts met before the crossing
    assert kept.assumption.state.value == "flagged" and kept.matches
    assert line.at < kept.matches[0].known_at and kept.matches[0].known_at.date() < EVENT_DATE


def ws_history(settings: Settings, warning_id: int) -> list[LedgerEntry]:
    from forewarn.app import Workspace

    with Workspace.open(settings) as ws:
        return ws.warnings.history(warning_id)
