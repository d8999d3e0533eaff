"""Shift handovers as a service (issue 16, item 8): a note holds the open warnings and what changed
since the previous one (filled in), and what to watch; it is ledgered and never changes; the incoming
officer acknowledges it, the author cannot, nobody twice; only a duty officer or above writes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from web_support import build_world

from forewarn.app import Workspace
from forewarn.errors import Forbidden, HandoverStateError, InvalidArgument, NotFound
from forewarn.model import Principal, PrincipalKind, Role


def _as(ws: Workspace, name: str, role: Role = Role.DUTY_OFFICER) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


@pytest.fixture
def ws(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> Workspace:
    w = make_workspace(db_url)
    build_world(w, tmp_path)
    return w


def test_a_note_snapshots_open_warnings_and_what_changed(ws: Workspace, clock: object) -> None:
    open_ids = [w.id for w in ws.warnings.board()]
    assert open_ids, "the world's cycle raised warnings"
    h = _as(ws, "alice").handovers.write("  Watch Sudzha: armour reported on the border.  ")
    assert h.written_by == "alice" and h.watch == "Watch Sudzha: armour reported on the border."
    assert [w.id for w in h.open_warnings] == open_ids
    assert {c.what for c in h.warnings} == {"raised"} and {c.id for c in h.warnings} == set(open_ids)
    assert h.levels and h.levels[0].after is not None
    entry = ws.ledger.entries(kind="handover-written")[-1]
    assert entry.actor == "alice" and entry.subject == f"handover:{h.id}"
    assert entry.payload["watch"] == h.watch and [w["id"] for w in entry.payload["open_warnings"]] == open_ids

    clock.advance(hours=8)  # type: ignore[attr-defined]
    w = ws.warnings.dispose(open_ids[0], "dismissed", "a drill, confirmed by the unit")
    second = _as(ws, "bob").handovers.write("Quiet.", corrects=None)
    assert second.previous_id == h.id and second.since == h.written_at
    assert [(c.id, c.what, c.detail) for c in second.warnings] == [(w.id, "disposed", "dismissed")]
    assert second.levels == ()
    assert ws.handovers.latest() == second
    found, total = ws.handovers.listing(10, 0)
    assert total == 2 and [x.id for x in found] == [second.id, h.id]


def test_the_incoming_officer_acknowledges_once_and_the_author_cannot(ws: Workspace) -> None:
    h = _as(ws, "alice").handovers.write("Watch the border.")
    with pytest.raises(HandoverStateError, match="written by alice"):
        _as(ws, "alice").handovers.acknowledge(h.id)
    acked = _as(ws, "bob").handovers.acknowledge(h.id)
    assert [a.account for a in acked.acks] == ["bob"] and acked.acknowledged_by("bob")
    with pytest.raises(HandoverStateError, match="already"):
        _as(ws, "bob").handovers.acknowledge(h.id)
    entry = ws.ledger.entries(kind="handover-acknowledged")[-1]
    assert (entry.actor, entry.subject, entry.payload["written_by"]) == ("bob", f"handover:{h.id}", "alice")
    assert acked.watch == h.watch and acked.open_warnings == h.open_warnings, "acknowledging changes no note"


def test_bad_notes_and_roles_are_refused_with_codes(ws: Workspace) -> None:
    with pytest.raises(InvalidArgument, match="what to watch"):
        _as(ws, "alice").handovers.write("   ")
    with pytest.raises(Forbidden):
        _as(ws, "ann", Role.ANALYST).handovers.write("I am not on duty")
    with pytest.raises(NotFound):
        _as(ws, "alice").handovers.write("fix", corrects=99)
    with pytest.raises(NotFound):
        ws.handovers.get(12345)
    assert ws.ledger.entries(kind="handover-written") == []


def test_a_correction_is_a_new_note(ws: Workspace) -> None:
    first = _as(ws, "alice").handovers.write("Watch Sudzah.")
    fixed = _as(ws, "alice").handovers.write("Watch Sudzha (spelling).", corrects=first.id)
    assert fixed.corrects == first.id and ws.handovers.get(first.id).watch == "Watch Sudzah."


def test_the_first_note_tells_the_last_twelve_hours(ws: Workspace, clock: object) -> None:
    now = clock.now  # type: ignore[attr-defined]
    d = ws.handovers.draft()
    assert d.previous_id is None and (now - d.since).total_seconds() == 12 * 3600
    assert d.since < now <= datetime.now(UTC)
