"""Dates on pages are shown only as precisely as they are known (a year-precision event date reads
"2024", not "2024-01-01"), and events of a document without a publication date carry a badge."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from web_support import World

from forewarn.app import Workspace
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Sector,
    TimePrecision,
)
from forewarn.model.records import event_id

ARMY = Entity("dict:test-army", "Testland Army", EntityKind.ORG, "RUS", Sector.MILITARY)
TEXT = "The Testland Army mobilised its reserves in 2023."


def _year_event(ws: Workspace, *, published_at: str | None) -> str:
    doc = ws.intake.post(TEXT, title="Reserves", published_at=published_at, source_id="alpha").document_id
    assert doc
    start = TEXT.index("Testland Army")
    actor = Participant(ARMY, "Testland Army", start, start + len("Testland Army"))
    trigger = TEXT.index("mobilised")
    ev = Event(type="MOBILIZE", mode=None, contexts=("military",), actor=actor, recipient=None, place=None,
               date=date(2023, 1, 1), date_precision=TimePrecision.YEAR, date_from_publication=False, flags=Flags(),
               evidence=Evidence(0, 0, len(TEXT), trigger, trigger + len("mobilised")), confidence=0.8)
    mention = EntityMention(ARMY, "Testland Army", start, start + len("Testland Army"), 0)
    ws.store.save_extractions([Extraction(doc, "test 1", entities=(mention,), events=(ev,))],
                              datetime(2024, 8, 12, tzinfo=UTC))
    return event_id(doc, ev)


def _row(html: str, ev_id: str) -> str:
    found = re.search(rf'<tr data-event-id="{re.escape(ev_id)}">(.*?)</tr>', html, re.S)
    assert found, ev_id
    return found.group(1)


def test_a_year_precision_date_shows_as_the_year(world_ws: tuple[Workspace, World],
                                                  as_role: Callable[[str], TestClient]) -> None:
    ws, _ = world_ws
    ev_id = _year_event(ws, published_at="2024-08-06")
    client = as_role("viewer")
    for page in ("/events?from=2023-01-01&to=2023-12-31", f"/entities/{ARMY.id}"):
        row = _row(client.get(page).text, ev_id)
        assert '<td class="nowrap">2023</td>' in row, (page, row)
        assert "2023-01-01" not in row, page
        assert "undated source" not in row


def test_events_of_an_undated_document_carry_a_badge(world_ws: tuple[Workspace, World],
                                                      as_role: Callable[[str], TestClient]) -> None:
    ws, _ = world_ws
    ev_id = _year_event(ws, published_at=None)
    row = _row(as_role("viewer").get("/events?from=2023-01-01&to=2023-12-31").text, ev_id)
    assert "undated source" in row
