"""A new assessment raises a warning only when the scenario crosses a threshold upward, supersedes
the scenario's lower open warnings, and reopens dismissed warnings that new evidence matches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from warn_support import assert_ledger_intact, assessment, scenario, signal

from forewarn.app import Workspace
from forewarn.model import Disposition, Origin, WarningState


def test_upward_crossings_raise_and_supersede(ws: Workspace, clock) -> None:
    sc = scenario()
    s1, s2 = signal("e1", clock.now, contribution=1.5), signal("e2", clock.now, contribution=0.4)
    quiet = signal("e3", clock.now, counted=False)
    assert ws.warnings.react(sc, assessment(sc, 0.1, clock.now, [s1]), None) == []  # below every threshold

    [elevated] = ws.warnings.react(sc, assessment(sc, 0.42, clock.now, [s1, s2, quiet]), None)
    assert (elevated.origin, elevated.severity, elevated.scenario_id) == (Origin.SCENARIO, "elevated", "build-up")
    assert elevated.title == "Border build-up: elevated (p=0.42)" and elevated.probability == 0.42
    assert elevated.event_ids == ("e1", "e2") and elevated.document_ids == ("doc-e1", "doc-e2")
    assert elevated.chain == ("alice", "bob", "carol") and elevated.owner == "alice"
    assert "probability 0.42" in elevated.text and "Armour moving to the border: +1.50" in elevated.text
    assert elevated.text.index("+1.50") < elevated.text.index("+0.40") and "(e1)" in elevated.text

    clock.advance(hours=1)
    assert ws.warnings.react(sc, assessment(sc, 0.5, clock.now, [s1, s2]), "elevated") == []  # same level: no re-raise

    clock.advance(hours=1)
    high, superseded = ws.warnings.react(sc, assessment(sc, 0.7, clock.now, [s1, s2]), "elevated")
    assert high.severity == "high" and high.state is WarningState.RAISED
    assert superseded.id == elevated.id and superseded.disposition is Disposition.SUPERSEDED
    assert superseded.rationale == f"superseded by warning {high.id}"
    assert ws.warnings.history(elevated.id)[-1].kind == "warning-superseded"
    assert ws.warnings.history(elevated.id)[-1].payload["by"] == high.id

    clock.advance(hours=1)
    assert ws.warnings.react(sc, assessment(sc, 0.35, clock.now, [s1]), "high") == []  # falling raises nothing
    assert ws.warnings.react(sc, assessment(sc, 0.7, clock.now, [s1]), None) == []  # high is still open: no duplicate
    assert [w.id for w in ws.warnings.board(scenario_id="build-up")] == [high.id]
    assert_ledger_intact(ws)


def test_a_person_warning_is_not_superseded_by_the_scenario(ws: Workspace, clock) -> None:
    sc = scenario()
    mine = ws.warnings.raise_warning("I see it coming", "x", "elevated", scenario_id=None)
    [w] = ws.warnings.react(sc, assessment(sc, 0.9, clock.now, [signal("e1", clock.now)]), None)
    assert w.severity == "critical" and ws.warnings.get(mine.id).state is WarningState.RAISED


def test_new_evidence_reopens_a_dismissed_warning(ws: Workspace, clock) -> None:
    sc = scenario()
    early = signal("e1", clock.now)
    [w] = ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [early]), None)
    clock.advance(hours=1)
    ws.warnings.escalate(w.id, "alice is away")
    clock.advance(hours=1)
    ws.warnings.dispose(w.id, "dismissed", "exercise season; seen every August", signposts=["bridging equipment"])
    dismissed_at = clock.now

    clock.advance(hours=1)
    # old evidence only (known before the dismissal) does not reopen it, nor do uncounted signals
    late_but_uncounted = signal("e9", clock.now, counted=False)
    assert ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [early, late_but_uncounted]), "elevated") == []
    # an event already in its evidence, reported again later, does not either
    assert ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [signal("e1", clock.now)]), "elevated") == []

    fresh = signal("e7", clock.now, doc="doc-new")
    [back] = ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [early, fresh]), "elevated")
    assert back.id == w.id and back.state is WarningState.RAISED and back.disposition is None
    assert back.event_ids == ("e1", "e7") and back.document_ids == ("doc-e1", "doc-new")
    assert (back.reopened, back.owner, back.escalation_level) == (1, "alice", 0)
    assert back.signposts == ("bridging equipment",) and back.ack_deadline is not None
    entry = ws.warnings.history(w.id)[-1]
    assert entry.kind == "warning-reopened" and entry.payload["new_event_ids"] == ["e7"]
    assert entry.payload["dismissal_rationale"] == "exercise season; seen every August"
    assert entry.payload["dismissed_at"] == dismissed_at.isoformat()
    open_again = ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [early, fresh]), "elevated")
    assert open_again == []  # open: nothing to do
    assert_ledger_intact(ws)


@pytest.mark.parametrize("partner", [None, "Partner service"])
def test_person_and_partner_warnings_about_the_scenario_reopen_too(ws: Workspace, clock, scenarios,
                                                                    partner: str | None) -> None:
    sc = scenarios.add(scenario(("dora",)))
    w = ws.warnings.raise_warning("Heard of a plan", "x", "high", scenario_id=sc.id, partner=partner, event_ids=["e1"])
    clock.advance(minutes=5)
    ws.warnings.dispose(w.id, "dismissed", "single uncorroborated source")
    clock.advance(minutes=5)
    [back] = ws.warnings.react(sc, assessment(sc, 0.1, clock.now, [signal("e2", clock.now)]), None)
    assert back.id == w.id and back.reopened == 1 and back.event_ids == ("e1", "e2")
    assert back.origin is (Origin.PARTNER if partner else Origin.PERSON) and back.owner == "dora"


def test_other_scenarios_and_other_dispositions_stay_closed(ws: Workspace, clock) -> None:
    sc, other = scenario(), scenario(sid="other")
    [acted] = ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [signal("e1", clock.now)]), None)
    [elsewhere] = ws.warnings.react(other, assessment(other, 0.45, clock.now, [signal("e2", clock.now)]), None)
    ws.warnings.dispose(acted.id, "acted-on", None)
    ws.warnings.dispose(elsewhere.id, "dismissed", "not our region")
    clock.advance(hours=1)
    assert ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [signal("e5", clock.now)]), "elevated") == []


def test_may_change_reads_what_react_would_do(ws: Workspace, clock) -> None:
    """The unlocked pre-check: nothing to do means react takes no write lock (an idle watch cycle)."""
    from forewarn.warn.react import may_change

    sc = scenario()
    s1 = signal("e1", clock.now)
    with ws.store.engine.connect() as conn:
        assert not may_change(conn, sc, assessment(sc, 0.1, clock.now, [s1]), None)  # below every threshold
        assert may_change(conn, sc, assessment(sc, 0.45, clock.now, [s1]), None)  # rose
    [w] = ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [s1]), None)
    clock.advance(hours=1)
    ws.warnings.dispose(w.id, "dismissed", "seen before")
    later = signal("e2", clock.now + timedelta(hours=1))
    with ws.store.engine.connect() as conn:
        assert not may_change(conn, sc, assessment(sc, 0.45, clock.now, [s1]), "elevated")  # nothing new
        assert may_change(conn, sc, assessment(sc, 0.45, clock.now, [s1, later]), "elevated")  # reopens
