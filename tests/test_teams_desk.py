"""Teams, markings and the audit through the workspace (issue 18, items 1 and 5): admins administer teams (each
change ledgered in its transaction), the owner raises a marking (never lowers it: FW-E107) and what derives from
the object follows, admins see who read what restricted object (hidden objects not by id), and a team's report
counts only what the asker may see."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from web_support import World, build_world

from forewarn.app import Workspace
from forewarn.errors import AlreadyExists, Code, Forbidden, InvalidArgument, MarkingLowered, NotFound
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.store import schema as t


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


@pytest.fixture
def world_ws(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> tuple[Workspace, World]:
    ws = make_workspace(db_url)
    return ws, build_world(ws, tmp_path)


def _north(ws: Workspace) -> Workspace:
    admin = _as(ws, "admin", Role.ADMIN)
    admin.teams.add("north", "North desk")
    admin.teams.add_member("north", "analyst")
    return admin


def _compartment(ws: Workspace, table: t.Table, where: object) -> set[int | None]:
    with ws.store.engine.connect() as conn:
        return set(conn.execute(select(table.c.compartment).where(where)).scalars())  # type: ignore[arg-type]


def test_admins_administer_teams_and_each_change_is_ledgered(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    analyst, viewer = _as(ws, "analyst"), _as(ws, "viewer", Role.VIEWER)
    with pytest.raises(Forbidden):
        analyst.teams.add("north", "North")
    admin = _north(ws)
    with pytest.raises(AlreadyExists):
        admin.teams.add("North", "again")
    with pytest.raises(InvalidArgument):
        admin.teams.add("no, commas", "x")
    with pytest.raises(NotFound):
        admin.teams.add_member("north", "nobody-here")
    with pytest.raises(AlreadyExists):
        admin.teams.add_member("north", "analyst")
    with pytest.raises(Forbidden):
        analyst.teams.add_member("north", "viewer")
    admin.teams.add_member("north", "duty_officer")
    assert [m.account for m in admin.teams.remove_member("north", "duty_officer").members] == ["analyst"]
    with pytest.raises(NotFound):
        admin.teams.remove_member("north", "duty_officer")
    assert [x.id for x in analyst.teams.teams()] == ["north"] and viewer.teams.teams() == []
    assert analyst.teams.get("north").has("analyst")
    with pytest.raises(NotFound):  # not a member, not an admin: as if it did not exist
        viewer.teams.get("north")
    entries = ws.ledger.entries(subject="team:")
    assert [(e.kind, e.actor) for e in entries] == [
        ("team-added", "admin"), ("team-member-added", "admin"), ("team-member-added", "admin"),
        ("team-member-removed", "admin")]
    assert entries[1].payload == {"team": "north", "account": "analyst"}


def test_the_owner_raises_a_document_and_its_events_claims_and_notes_follow(
        world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    _north(ws)
    analyst, officer = _as(ws, "analyst"), _as(ws, "duty_officer", Role.DUTY_OFFICER)
    doc = next(iter(world.documents.values()))
    with ws.store.transaction() as conn:
        conn.execute(t.annotation_notes.insert().values(target=f"document:{doc}", document_id=doc, text="n",
                                                        author="analyst", created_at=datetime(2024, 8, 12,
                                                                                              tzinfo=UTC)))
    with pytest.raises(Forbidden):  # a viewer raises nothing
        _as(ws, "viewer", Role.VIEWER).teams.mark("document", doc, "AMBER+STRICT", team="north")
    with pytest.raises(Forbidden):  # not a member of the team being set
        officer.teams.mark("document", doc, "AMBER+STRICT", team="north")
    raised = analyst.teams.mark("document", doc, "amber+strict", team="north")
    assert raised.after.label == "TLP:AMBER+STRICT · team north" and raised.cascaded["event"] >= 1
    cid = ws.store.compartment_id  # the one id of the new compartment
    with ws.store.transaction() as conn:
        new_id = cid(conn, raised.after)
    for table in (t.documents, t.events, t.annotation_notes):
        where = (table.c.id if table is t.documents else table.c.document_id) == doc
        assert _compartment(ws, table, where) == {new_id}
    assert not _as(ws, "viewer", Role.VIEWER).reads.access.sees(new_id) and analyst.reads.access.sees(new_id)
    with pytest.raises(NotFound):  # hidden from the duty officer: as if it did not exist
        _as(ws, "duty_officer", Role.DUTY_OFFICER).teams.mark("document", doc, "RED", recipients=("duty_officer",))
    for lower in ("GREEN", "AMBER"):
        with pytest.raises(MarkingLowered) as refused:
            analyst.teams.mark("document", doc, lower)
        assert refused.value.code is Code.MARKING_LOWERED and refused.value.hint
    with pytest.raises(InvalidArgument):
        analyst.teams.mark("document", doc, "AMBER+STRICT")  # the same: nothing to raise
    red = analyst.teams.mark("document", doc, "RED", recipients=("analyst",))
    entry = ws.ledger.entries(kind="marking-raised")[-1]
    assert entry.subject == f"document:{doc}" and entry.actor == "analyst"
    assert entry.payload["to"] == red.after.label == "TLP:RED · team north · for analyst"
    assert entry.payload["recipients"] == ["analyst"]
    with pytest.raises(MarkingLowered):  # at the same marking, one more recipient widens it
        analyst.teams.mark("document", doc, "RED", recipients=("analyst", "viewer"))
    with pytest.raises(NotFound):
        analyst.teams.mark("document", list(world.documents.values())[1], "RED", recipients=("analyst", "ghost"))


def test_sources_scenarios_and_questions_are_raised_too(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    _north(ws)
    analyst = _as(ws, "analyst")
    doc = next(iter(world.documents.values()))
    source = ws.store.get_document(doc).source_id
    assert source
    raised = analyst.teams.mark("source", source, "AMBER", team="north", existing=True)
    assert raised.cascaded["document"] >= 1
    with ws.store.transaction() as conn:
        new_id = ws.store.compartment_id(conn, raised.after)
    assert _compartment(ws, t.documents, t.documents.c.source_id == source) == {new_id}
    assert _compartment(ws, t.sources, t.sources.c.id == source) == {new_id}
    folder = Path(next(s for s in ws.sources.all() if s.id == source).location)  # new documents take it too
    (folder / "later.txt").write_text("Title: later\nDate: 2024-08-11\n\nA later report of armour near Sudzha.\n")
    ws.intake.ingest([source])
    assert _compartment(ws, t.documents, t.documents.c.title == "later") == {new_id}
    scenario = analyst.teams.mark("scenario", world.scenario_id, "AMBER", team="north")
    assert scenario.cascaded["warning"] == len(world.warning_ids)
    assert _compartment(ws, t.warnings, t.warnings.c.scenario_id == world.scenario_id) == {new_id}
    with pytest.raises(NotFound):
        analyst.teams.mark("question", "999", "AMBER")
    with pytest.raises(InvalidArgument):
        analyst.teams.mark("entity", "x", "AMBER")
    with pytest.raises(InvalidArgument):
        analyst.teams.mark("scenario", world.scenario_id, "PURPLE")


def test_who_read_what_and_the_team_report(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    admin = _north(ws)
    analyst = _as(ws, "analyst")
    docs = list(world.documents.values())
    strict = analyst.teams.mark("document", docs[0], "AMBER+STRICT", team="north")
    shared = analyst.teams.mark("document", docs[1], "AMBER", team="north", recipients=("admin",))
    with ws.store.transaction() as conn:
        ids = [ws.store.compartment_id(conn, c.after) for c in (strict, shared)]
    at = datetime(2024, 8, 12, 13, tzinfo=UTC)
    ws.store.record_reads(analyst.reads.access, [("document", docs[0], ids[0]), ("document", docs[1], ids[1])],
                          "page", at)
    with pytest.raises(Forbidden):
        analyst.teams.reads()
    rows, total = admin.teams.reads()
    assert total == 2 and {r.object_id for r in rows} == {None, docs[1]}  # the admin may not see docs[0]
    assert admin.teams.reads(object_id=docs[0]) == ([], 0)  # no oracle for a hidden id
    assert admin.teams.reads(account="viewer")[1] == 0 and admin.teams.reads(since=at)[1] == 2
    mine = analyst.teams.report("north")
    assert {(h.kind, h.marking) for h in mine.holdings} >= {("document", "TLP:AMBER+STRICT"),
                                                            ("document", "TLP:AMBER"), ("event", "TLP:AMBER")}
    assert [(s.recipients, s.objects > 0) for s in mine.shared] == [(("admin",), True)]
    theirs = admin.teams.report("north")  # the admin is no member: the strict holdings are not counted
    assert {h.marking for h in theirs.holdings} == {"TLP:AMBER"} and theirs.matched == ()
    with pytest.raises(NotFound):
        _as(ws, "viewer", Role.VIEWER).teams.report("north")
