"""Issue 16 item 11: API and page filters named as the command line's options, unknown query
parameters refused (naming them and the known ones) on the API and on pages, the 403's article."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from forewarn.model import Role

ROLE = Callable[[Role | str], TestClient]


def test_event_filters_use_the_command_line_names(as_role: ROLE) -> None:
    viewer = as_role("viewer")
    every = viewer.get("/api/v1/events", params={"limit": 500}).json()["items"]
    assert every, "the world has events"
    last = max(e["date"] for e in every)
    first = min(e["date"] for e in every)
    assert first < last, "the world's events span more than one day"
    before = viewer.get("/api/v1/events", params={"to": first, "limit": 500}).json()
    assert before["items"] and all(e["date"] <= first for e in before["items"])
    assert before["total"] < len(every)
    after = viewer.get("/api/v1/events", params={"from": last, "limit": 500}).json()
    assert after["items"] and all(e["date"] >= last for e in after["items"])
    sure = viewer.get("/api/v1/events", params={"min-confidence": 0.9, "limit": 500}).json()
    assert all(e["confidence"] >= 0.9 for e in sure["items"]) and sure["total"] < len(every)
    kinds = {e["type"] for e in every}
    one = sorted(kinds)[0]
    typed = viewer.get("/api/v1/events", params={"type": one, "to": last, "limit": 500}).json()["items"]
    assert typed and {e["type"] for e in typed} == {one}


def test_comma_separated_types_as_the_command_line_takes_them(as_role: ROLE) -> None:
    viewer = as_role("viewer")
    kinds = sorted({e["type"] for e in viewer.get("/api/v1/events", params={"limit": 500}).json()["items"]})[:2]
    listed = viewer.get("/api/v1/events", params={"type": ",".join(kinds), "limit": 500}).json()["items"]
    assert {e["type"] for e in listed} == set(kinds)


def test_unknown_parameter_refused_naming_it_and_the_known_ones(as_role: ROLE) -> None:
    viewer = as_role("viewer")
    r = viewer.get("/api/v1/events", params={"date_from": "2024-08-01"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "FW-E106" and "date_from" in body["detail"] and "say from instead of date_from" in \
        body["detail"]
    assert "min-confidence" in body["hint"] and "to" in body["hint"]


def test_pages_refuse_unknown_parameters_with_the_error_page(as_role: ROLE) -> None:
    viewer = as_role("viewer")
    for path in ("/events?typ=MOBILIZE", "/entities?q=army", "/documents?bogus=1", "/ledger?order=oldest"):
        r = viewer.get(path)
        assert r.status_code == 422, path
        assert r.headers["content-type"].startswith("text/html"), path
        assert "FW-E106" in r.text and "this page knows" in r.text, path
    board = viewer.get("/scenarios?x=1")
    assert board.status_code == 422 and "unknown query parameter: x" in board.text


def test_events_page_honours_from_and_to(as_role: ROLE) -> None:
    viewer = as_role("viewer")
    every = viewer.get("/api/v1/events", params={"limit": 500}).json()["items"]
    first = min(e["date"] for e in every)
    page = viewer.get("/events", params={"to": first}).text
    n = sum(1 for e in every if e["date"] <= first)
    assert f'data-total="{n}"' in page
    assert 'name="from"' in page and 'placeholder="YYYY-MM-DD"' in page and 'type="date"' not in page


def test_forbidden_says_an_analyst(as_role: ROLE) -> None:
    r = as_role("viewer").post("/api/v1/entities/x/merge", json={"into": "y"})
    assert r.status_code == 403
    assert "is a viewer; this needs an analyst or above" in r.json()["detail"]
