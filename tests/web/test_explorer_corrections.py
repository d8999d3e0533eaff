"""The explorer shows corrected events as corrected (issue 16, item 9): each corrected field's original
struck through and its value now, a "corrected" (or "rejected") badge linked to the event page, and a
"correct" link for analysts only; events nobody corrected read as extracted."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from web_support import World

from forewarn.app import Workspace
from forewarn.model import Role

Client = Callable[[Role | str], TestClient]


def _row(html: str, event: str) -> str:
    found = re.search(rf'<tr data-event-id="{re.escape(event)}"[^>]*>.*?</tr>', html, re.S)
    assert found, f"no explorer row for {event}"
    return found.group(0)


def _events(ws: Workspace, world: World, name: str) -> list[str]:
    return [e.id for e in ws.store.extraction_of(world.documents[name]).events]


def test_a_corrected_event_shows_its_original_struck_through(as_role: Client,
                                                             world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst, viewer = as_role("analyst"), as_role("viewer")
    event, other = _events(ws, world, "o1")[0], _events(ws, world, "o2")[0]
    fixed = analyst.post(f"/api/v1/events/{event}/corrections",
                         json={"type": "ASSAULT", "date": "2024-08-05", "place": "Kharkiv", "reason": "shelling"})
    assert fixed.status_code == 201, fixed.text
    row = _row(viewer.get("/events").text, event)
    assert 'class="corrected"' in row
    assert "<del>MOBILIZE</del> <ins>ASSAULT</ins>" in row
    assert "<del>2024-08-06</del> <ins>2024-08-05</ins>" in row
    assert re.search(r"<del>Sudzha[^<]*</del> <ins>Kharkiv[^<]*</ins>", row), row
    assert f'href="/events/{event}#corrections"' in row and ">corrected</a>" in row
    assert "type: MOBILIZE → ASSAULT (analyst" in row, "the badge's title says who changed what"
    untouched = _row(viewer.get("/events").text, other)
    assert "<del>" not in untouched and "corrected" not in untouched and 'class="type">MOBILIZE<' in untouched


def test_a_rejected_event_is_marked_rejected(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    event = _events(ws, world, "c1")[0]
    rejected = as_role("analyst").post(f"/api/v1/events/{event}/rejection", json={"reason": "a rumour"})
    assert rejected.status_code in (200, 201), rejected.text
    row = _row(as_role("viewer").get("/events").text, event)
    assert 'class="rejected"' in row and 'class="badge warn"' in row and ">rejected</a>" in row
    assert "rejected by analyst: a rumour" in row


def test_only_analysts_get_the_correct_link(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    event = _events(ws, world, "o1")[0]
    link = f'<a class="small" href="/events/{event}#corrections" title="correct or reject this event">correct</a>'
    assert link in as_role("analyst").get("/events").text
    assert link in as_role("admin").get("/events").text
    assert link not in as_role("viewer").get("/events").text
