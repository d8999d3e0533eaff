"""Notes, tags and corrections on the workbench: the API (analysts act, viewers read, bad input is a coded
422), the form posts, and the pages that show a correction as such (struck-through original, who, when)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from web_support import World

from forewarn.app import Workspace
from forewarn.model import Role


def first_event(ws: Workspace, world: World, name: str = "o1") -> str:
    return ws.store.extraction_of(world.documents[name]).events[0].id


def test_api_notes_tags_and_a_correction_shown_everywhere(
        as_role: Callable[[Role | str], TestClient], world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst, viewer = as_role("analyst"), as_role("viewer")
    doc, event = world.documents["o1"], first_event(ws, world)
    assert analyst.post(f"/api/v1/documents/{doc}/notes", json={"text": "Check with the liaison."}).status_code == 201
    tagged = analyst.post(f"/api/v1/events/{event}/tags", json={"tag": "Needs Review"})
    assert (tagged.status_code, tagged.json()) == (201, {"tag": "needs-review", "changed": True})
    assert analyst.post(f"/api/v1/events/{event}/tags", json={"tag": "needs review"}).json()["changed"] is False
    fixed = analyst.post(f"/api/v1/events/{event}/corrections", json={"type": "ASSAULT", "date": "2024-08-05",
                                                                      "reason": "shelling, not a column"})
    assert fixed.status_code == 201, fixed.text
    fields = {f["field"]: (f["original"], f["value"], f["author"]) for f in fixed.json()["fields"]}
    assert fields == {"type": ("MOBILIZE", "ASSAULT", "analyst"), "date": ("2024-08-06", "2024-08-05", "analyst")}
    listed = viewer.get("/api/v1/tags/needs-review/events").json()
    assert [t["target"]["event_id"] for t in listed["items"]] == [event] and listed["total"] == 1
    got = viewer.get(f"/api/v1/events/{event}/annotations").json()
    assert got["now"]["type"] == "ASSAULT" and got["event"]["type"] == "MOBILIZE" and got["tags"] == ["needs-review"]
    page = viewer.get(f"/events/{event}").text
    assert "<del>MOBILIZE</del>" in page and "<ins>ASSAULT</ins>" in page and "needs-review" in page
    document = viewer.get(f"/documents/{doc}").text
    assert "<del>MOBILIZE</del>" in document and "Check with the liaison." in document
    kinds = [e.kind for e in ws.ledger.entries(kind=["note-added", "tag-added", "event-corrected"])]
    assert kinds == ["note-added", "tag-added", "event-corrected"]
    assert viewer.post(f"/api/v1/events/{event}/rejection", json={"reason": "x"}).status_code == 403


def test_bad_corrections_are_coded_422s_naming_the_field(
        as_role: Callable[[Role | str], TestClient], world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst, event = as_role("analyst"), first_event(ws, world)
    for body, words in (({"type": "INVADE"}, "not a PLOVER type"), ({"type": "ASSAULT", "mode": "troops"},
                                                                   "not a mode of ASSAULT"),
                        ({"date": "05/08/2024"}, "not an ISO date"), ({"place": "Nowhereville-on-Sea"},
                                                                     "not in the gazetteer"),
                        ({"actor": "nobody at all"}, "no entity"), ({}, "nothing to correct")):
        r = analyst.post(f"/api/v1/events/{event}/corrections", json=body)
        assert r.status_code == 422 and words in r.json()["detail"], (body, r.text)
        assert r.json()["code"].startswith("FW-E")
    assert ws.ledger.entries(kind="event-corrected") == []


def test_form_posts_reject_and_tag_then_redirect_back(
        as_role: Callable[[Role | str], TestClient], world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst, event = as_role("analyst"), first_event(ws, world, "c2")
    r = analyst.post(f"/events/{event}/reject", data={"reason": "a neighbour's rumour"})
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event}#corrections"
    r = analyst.post(f"/documents/{world.documents['c2']}/tags", data={"tag": "Rumour"})
    assert r.status_code == 303
    page = analyst.get(f"/events/{event}").text
    assert "rejected" in page and "a neighbour&#39;s rumour" in page
    assert ws.reads.tagged("document", "rumour", 10, 0).total == 1
    r = analyst.post(f"/documents/{world.documents['c2']}/tags/remove", data={"tag": "rumour"})
    assert r.status_code == 303 and ws.reads.tagged("document", "rumour", 10, 0).total == 0


def test_the_document_page_reads_the_document_and_its_extraction_once(
        as_role: Callable[[Role | str], TestClient], world_ws: tuple[Workspace, World]) -> None:
    """Its notes, tags and corrections are those of the document and events it read for itself (not read again)."""
    ws, world = world_ws
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    viewer = as_role("viewer")
    event.listen(ws.store.engine, "before_cursor_execute", record)
    try:
        page = viewer.get(f"/documents/{world.documents['o1']}")
    finally:
        event.remove(ws.store.engine, "before_cursor_execute", record)
    assert page.status_code == 200
    for read in ("FROM documents WHERE documents.id =", "FROM events LEFT OUTER JOIN entities", "FROM claims",
                 "FROM mentions", "FROM places", "FROM extractions"):
        assert len([s for s in seen if read in s]) == 1, (read, seen)
