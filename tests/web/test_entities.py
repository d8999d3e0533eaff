"""Entities: search, the entity page (aliases, charts, co-occurrence graph), its events, and merging.
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from test_events_explorer import More, seed_more
from web_support import HOSTILE, World

from forewarn.app import Workspace


@pytest.fixture
def more(world_ws: tuple[Workspace, World]) -> More:
    return seed_more(world_ws[0])


@pytest.fixture
def viewer(as_role: Callable[[str], TestClient], more: More) -> TestClient:
    return as_role("viewer")


def test_entity_search(viewer: TestClient) -> None:
    everything = viewer.get("/api/v1/entities?limit=500").json()
    assert everything["total"] == 5
    by_id = {e["id"]: e for e in everything["items"]}
    assert by_id["dict:ukr-military"]["events"] == 7  # five armour reports as actor; the assault, the threat
    assert by_id["dict:rus-military"]["aliases"] == ["Russian army"]
    found = viewer.get("/api/v1/entities?search=ukrain").json()["items"]
    assert [e["id"] for e in found] == ["dict:ukr-military"]
    army = viewer.get("/api/v1/entities?search=russian army").json()["items"]
    assert [e["id"] for e in army] == ["dict:rus-military"]
    assert [e["id"] for e in viewer.get("/api/v1/entities?kind=group").json()["items"]] == ["ner:group:protesters"]
    for needle, expected in (("%", ["ner:org:percent"]), ("_", ["ner:org:percent"]), ("'", []),
                             ('"; DROP TABLE entities; --', []), ("\\", [])):
        r = viewer.get("/api/v1/entities", params={"search": needle})
        assert r.status_code == 200 and [e["id"] for e in r.json()["items"]] == expected, needle
        assert viewer.get("/entities", params={"search": needle}).status_code == 200
    assert viewer.get("/api/v1/entities?kind=planet").status_code == 422
    page = viewer.get("/entities?search=ukrain").text
    assert 'data-total="1"' in page and 'href="/entities/dict%3Aukr-military"' in page


def test_entity_page(viewer: TestClient, more: More) -> None:
    r = viewer.get("/entities/dict:rus-military")
    assert r.status_code == 200
    page = r.text
    assert "Russian Armed Forces" in page and '<li class="badge">Russian army</li>' in page
    assert page.count('<svg class="chart"') == 1  # as actor; as recipient it has nothing to count
    graph = re.search(r'<svg class="graph".*?</svg>', page, re.S)
    assert graph
    assert 'href="/entities/dict%3Aukr-military"' in graph.group(0)
    assert re.search(r'<circle class="node center"[^>]*data-entity-id="dict:rus-military"', graph.group(0))
    assert f'href="/documents/{more.d1}#ev-{more.events["assault"]}"' in page
    assert "<style" not in page and "style=" not in page


def test_hostile_entity_names_are_escaped(viewer: TestClient, more: More) -> None:
    for path in ("/entities/dict:ukr-military", "/entities/ner:org:hostile", "/entities?search=brigade",
                 "/events?actor=brigade"):
        page = viewer.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert "&lt;script&gt;" in page.text, path
    graph = re.search(r'<svg class="graph".*?</svg>', viewer.get("/entities/dict:ukr-military").text, re.S)
    assert graph and 'href="/entities/ner%3Aorg%3Ahostile"' in graph.group(0)


def test_cooccurring_entities(viewer: TestClient) -> None:
    ukr = viewer.get("/api/v1/entities/dict:ukr-military/cooccurring").json()
    by_id = {n["id"]: n for n in ukr}
    assert by_id["dict:rus-military"] == {"id": "dict:rus-military", "name": "Russian Armed Forces", "kind": "org",
                                          "events": 1, "documents": 1}
    assert by_id["ner:org:hostile"]["events"] == 1 and by_id["ner:org:hostile"]["documents"] == 0
    assert set(by_id) == {"dict:rus-military", "ner:org:hostile"}
    protesters = viewer.get("/api/v1/entities/ner:group:protesters/cooccurring").json()
    assert [n["id"] for n in protesters] == ["ner:org:percent"]
    assert viewer.get("/api/v1/entities/nobody/cooccurring").status_code == 404


def test_entity_events_by_role(viewer: TestClient, more: More) -> None:
    def ids(role: str) -> list[str]:
        body = viewer.get(f"/api/v1/entities/dict:ukr-military/events?role={role}&limit=500").json()
        assert body["total"] == len(body["items"])
        return [e["id"] for e in body["items"]]

    assert len(ids("actor")) == 5 and ids("recipient") == [more.events["threat"], more.events["assault"]]
    both = ids("any")
    assert len(both) == 7 and set(ids("recipient")) < set(both)
    first = viewer.get("/api/v1/entities/dict:ukr-military/events?limit=4").json()
    rest = viewer.get("/api/v1/entities/dict:ukr-military/events?limit=4&offset=4").json()
    assert [e["id"] for e in first["items"] + rest["items"]] == both and first["next"]
    assert viewer.get("/api/v1/entities/dict:ukr-military/events?role=boss").status_code == 422
    assert viewer.get("/api/v1/entities/nobody/events").status_code == 404


def test_merge_entities(as_role: Callable[[str], TestClient], more: More) -> None:
    analyst = as_role("analyst")
    r = analyst.post("/api/v1/entities/ner:org:hostile/merge", json={"into": "dict:rus-military", "note": "same"})
    assert r.status_code == 201, r.text
    merge = r.json()
    assert merge["from_id"] == "ner:org:hostile" and merge["into_id"] == "dict:rus-military"
    assert merge["actor"] == "analyst"
    events = analyst.get("/api/v1/entities/dict:rus-military/events?limit=500").json()
    assert {e["id"] for e in events["items"]} == {more.events["assault"], more.events["threat"]}
    merged = analyst.get("/api/v1/entities/ner:org:hostile").json()
    assert merged["merged_into"] == "dict:rus-military" and merged["canonical_id"] == "dict:rus-military"
    assert "ner:org:hostile" in analyst.get("/api/v1/entities/dict:rus-military").json()["members"]
    assert analyst.get("/api/v1/events?actor=dict:rus-military").json()["total"] == 2
    again = analyst.post("/api/v1/entities/ner:org:hostile/merge", json={"into": "dict:rus-military"})
    assert again.status_code == 409 and again.json()["code"] == "FW-E060"
    assert analyst.post("/api/v1/entities/nobody/merge", json={"into": "dict:rus-military"}).status_code == 404
    viewer = as_role("viewer")
    assert viewer.post("/api/v1/entities/ner:org:percent/merge", json={"into": "dict:rus-military"}).status_code == 403


def test_merge_form(as_role: Callable[[str], TestClient], more: More) -> None:
    analyst = as_role("analyst")
    page = analyst.get("/entities/ner:org:percent").text
    assert 'action="/entities/ner%3Aorg%3Apercent/merge"' in page
    r = analyst.post("/entities/ner:org:percent/merge", data={"into": "ner:group:protesters",
                                                               "csrf_token": analyst.csrf})
    assert r.status_code == 303
    assert r.headers["location"] == "/entities/ner%3Agroup%3Aprotesters?merged=ner%3Aorg%3Apercent"
    shown = analyst.get(r.headers["location"]).text
    assert "ner:org:percent is merged into this entity." in shown
    assert 'class="merge"' not in as_role("viewer").get("/entities/dict:rus-military").text
    assert HOSTILE not in shown
