"""Deconfliction inside a workspace: selectors of teams' holdings matched across teams, both owners told and
nothing shown, brokered requests to talk, exclusions, all ledgered with commitments; incremental and idempotent."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from deconflict_support import add_teams, hold, person
from sqlalchemy import select

from forewarn.app import Workspace
from forewarn.cycle import run_cycle
from forewarn.errors import Forbidden, InvalidArgument, NotFound
from forewarn.model import Marking, Role
from forewarn.store import schema as t

SECRET_N, SECRET_S = "CANARY-NORTH-7f3a", "CANARY-SOUTH-9c1e"


@pytest.fixture
def world(open_ws: Callable[..., Workspace], tmp_path: Path, clock: Any) -> Workspace:
    ws = open_ws(webhook_url="http://127.0.0.1:9/hook")  # notices are queued for a channel
    add_teams(ws)
    hold(ws, tmp_path, "north", "n1", f"{SECRET_N} Call +380 67 123 45 67 about the convoy.",
         who="Ivan Petrov", where=("Sudzha", 51.195, 35.27))
    hold(ws, tmp_path, "south", "s1", f"{SECRET_S} Number +380671234567 again; mail ops@example.org.",
         who="Petrov Ivan", where=("Sudzha-2", 51.205, 35.28))
    hold(ws, tmp_path, "east", "e1", "Nothing in common here but ops@example.net.")
    return ws


def ledger(ws: Workspace, prefix: str = "deconfliction") -> list[Any]:
    with ws.store.engine.connect() as conn:
        return [r for r in conn.execute(select(t.ledger).order_by(t.ledger.c.seq)) if r.kind.startswith(prefix)]


def notices(ws: Workspace) -> list[dict[str, Any]]:
    with ws.store.engine.connect() as conn:
        rows = conn.execute(select(t.outbox).where(t.outbox.c.reason == "deconfliction")).all()
    return [r.payload if isinstance(r.payload, dict) else json.loads(r.payload) for r in rows]


def test_matches_across_teams_told_to_each_side_as_it_holds_it(world: Workspace) -> None:
    report = person(world, "nora").deconfliction.run()
    assert report.matches >= 3  # the phone, the person (by name), the place cell
    north = person(world, "nora").deconfliction.listing()
    south = person(world, "sam").deconfliction.listing()
    assert {v.kind for v in north} >= {"phone", "person", "place_cell"}
    assert {v.team for v in north} == {"north"} and {v.team for v in south} == {"south"}
    phone_n = next(v for v in north if v.kind == "phone")
    phone_s = next(v for v in south if v.kind == "phone")
    assert phone_n.id == phone_s.id
    assert phone_n.shown == "+380 67 123 45 67" and phone_s.shown == "+380671234567"
    assert person(world, "eve").deconfliction.listing() == []
    assert person(world, "outsider").deconfliction.listing() == []
    everything = repr(north) + repr(south)
    assert SECRET_N not in everything and SECRET_S not in everything and "example" not in everything


def test_notice_and_ledger_reveal_nothing(world: Workspace) -> None:
    person(world, "nora").deconfliction.run()
    sent = notices(world)
    assert sorted(tuple(n["recipients"]) for n in sent) == [("nils", "nora"), ("sam",)]
    text = json.dumps(sent)
    for leak in ("+380", "Petrov", "Sudzha", "south", "north", SECRET_N, SECRET_S):
        assert leak not in text
    entries = ledger(world)
    assert entries and {e.kind for e in entries} == {"deconfliction-matched"}
    payloads = " ".join(e.payload + e.subject for e in entries)
    for leak in ("+380", "380671234567", "petrov", "north", "south", "place_cell"):
        assert leak not in payloads.lower()


def test_incremental_and_idempotent(world: Workspace, tmp_path: Path, clock: Any) -> None:
    desk = person(world, "nora").deconfliction
    first = desk.run()
    assert desk.run().matches == 0 and len(ledger(world)) == first.matches
    assert desk.run().matches == 0 and len(notices(world)) == 2
    hold(world, tmp_path, "east", "e2", "East also calls +380 67 123-45-67.")
    clock.advance(minutes=5)  # the document came in at the last run's time: the overlap still reads it
    again = desk.run()
    assert again.matches == 2  # east's phone against north's and south's
    assert len(ledger(world)) == first.matches + 2
    assert [v.kind for v in person(world, "eve").deconfliction.listing()] == ["phone", "phone"]


def test_the_cycle_runs_it(world: Workspace, clock: Any) -> None:
    run_cycle(world, clock())
    assert person(world, "sam").deconfliction.listing()


def test_request_accept_reveals_teams_and_names(world: Workspace) -> None:
    person(world, "nora").deconfliction.run()
    mid = next(v.id for v in person(world, "nora").deconfliction.listing() if v.kind == "phone")
    sent = person(world, "nora").deconfliction.request(mid)
    assert sent.direction == "sent" and sent.other_team is None
    seen = next(v for v in person(world, "sam").deconfliction.listing() if v.id == mid).talks[0]
    assert seen.direction == "received" and seen.requested_by is None and seen.other_team is None
    with pytest.raises(InvalidArgument):
        person(world, "nils").deconfliction.request(mid)  # the team has asked already
    with pytest.raises(NotFound):
        person(world, "nora").deconfliction.answer(sent.id, True)  # only the team asked answers
    done = person(world, "sam").deconfliction.answer(sent.id, True)
    assert done.other_team == "Team North" and done.requested_by == "nora" and done.answered_by == "sam"
    back = next(v for v in person(world, "nils").deconfliction.listing() if v.id == mid).talks[0]
    assert back.other_team == "Team South" and back.answered_by == "sam" and back.requested_by == "nora"
    kinds = [e.kind for e in ledger(world, "deconfliction-")]
    assert kinds[-2:] == ["deconfliction-requested", "deconfliction-accepted"]
    assert "nora" not in ledger(world)[-1].payload and "south" not in ledger(world)[-1].payload
    with pytest.raises(InvalidArgument):
        person(world, "sam").deconfliction.answer(sent.id, False)


def test_decline_reveals_nothing(world: Workspace) -> None:
    person(world, "nora").deconfliction.run()
    mid = next(v.id for v in person(world, "sam").deconfliction.listing() if v.kind == "person")
    sent = person(world, "sam").deconfliction.request(mid)
    person(world, "nora").deconfliction.answer(sent.id, False)
    mine = next(v for v in person(world, "sam").deconfliction.listing() if v.id == mid).talks[0]
    assert mine.state == "declined" and mine.other_team is None and mine.answered_by is None
    assert ledger(world)[-1].kind == "deconfliction-declined"


def test_roles_and_membership(world: Workspace) -> None:
    person(world, "nora").deconfliction.run()
    mid = person(world, "nora").deconfliction.listing()[0].id
    with pytest.raises(Forbidden):
        person(world, "nora", Role.VIEWER).deconfliction.request(mid)
    with pytest.raises(Forbidden):
        person(world, "viewer", Role.VIEWER).deconfliction.run()
    with pytest.raises(NotFound):
        person(world, "eve").deconfliction.request(mid)
    with pytest.raises(Forbidden):
        person(world, "eve").deconfliction.exclude("north", "phone", "+380671234567")


def test_excluded_selectors_are_marked_and_never_matched_again(world: Workspace, tmp_path: Path, clock: Any) -> None:
    person(world, "nora").deconfliction.run()
    row = person(world, "nora").deconfliction.exclude("north", "phone", "+380 (67) 123 45 67")
    assert row.excluded_by == "nora"
    phone = next(v for v in person(world, "nora").deconfliction.listing() if v.kind == "phone")
    assert phone.excluded
    with pytest.raises(InvalidArgument):
        person(world, "sam").deconfliction.request(phone.id)
    assert ledger(world)[-1].kind == "deconfliction-excluded" and "380671234567" not in ledger(world)[-1].payload
    again = person(world, "nora").deconfliction.exclude("north", "phone", "+380671234567")
    assert again.id == row.id and ledger(world)[-1].kind == "deconfliction-excluded"
    assert len([e for e in ledger(world) if e.kind == "deconfliction-excluded"]) == 1  # idempotent
    clock.advance(minutes=5)
    hold(world, tmp_path, "east", "e3", "East calls +380 67 123 45 67 too.")
    person(world, "nora").deconfliction.run()
    east = person(world, "eve").deconfliction.listing()
    assert [v.kind for v in east] == ["phone"]  # south's only: north's is excluded
    pre = person(world, "sam").deconfliction.exclude("south", "email", "Ops@Example.org")
    assert pre.excluded_at is not None and [r.id for r in person(world, "sam").deconfliction.excluded()] == [pre.id]


def test_open_holdings_are_not_selectors(open_ws: Callable[..., Workspace], tmp_path: Path) -> None:
    ws = open_ws()
    add_teams(ws)
    hold(ws, tmp_path, "north", "g1", "Call +380 67 123 45 67.", marking=Marking.GREEN)
    hold(ws, tmp_path, "south", "g2", "Ring +380 67 123 45 67.")
    assert person(ws, "nora").deconfliction.run().matches == 1  # GREEN still has an owning team
