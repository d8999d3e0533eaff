"""Issue 16 item 11: an error names what is missing: "No warning 12", "No scenario 'x'"…, the page's
title and the problem's ``title`` name the kind ("Warning not found"), on pages and in the API."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from forewarn.model import Role
from forewarn.web.problems import missing

ROLE = Callable[[Role | str], TestClient]
# a page, its API twin, the kind named, and what the detail says
MISSING = (
    ("/warnings/999", "/api/v1/warnings/999", "Warning", "no warning 999"),
    ("/scenarios/nope", "/api/v1/scenarios/nope", "Scenario", "scenario 'nope'"),
    ("/documents/abcdef", "/api/v1/documents/abcdef", "Document", "no document 'abcdef'"),
    ("/events/abc123", "/api/v1/events/abc123", "Event", "no event 'abc123'"),
    ("/entities/nope", "/api/v1/entities/nope", "Entity", "no entity 'nope'"),
    ("/runs/77", "/api/v1/runs/77", "Ingest run", "no ingest run 77"),
    ("/handovers/55", "/api/v1/handovers/55", "Handover", "no handover 55"),
    ("/nowhere", "/api/v1/nowhere", None, None),
)


def page_parts(text: str) -> tuple[str, str, str]:
    found = re.search(r"<title>(.*?)</title>.*?<h1>(.*?)</h1>.*?class=\"detail\">(.*?)</p>", text, re.S)
    assert found, text[:500]
    title, h1, detail = (html.unescape(g) for g in found.groups())
    return title, h1, detail


@pytest.mark.parametrize(("page", "api", "kind", "says"), MISSING, ids=[m[0] for m in MISSING])
def test_a_missing_thing_is_named_on_the_page_and_in_the_api(as_role: ROLE, page: str, api: str, kind: str | None,
                                                             says: str | None) -> None:
    viewer = as_role("viewer")
    r = viewer.get(page)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    title, h1, detail = page_parts(r.text)
    kind = kind or "Page"
    says = says or f"no page {page}"
    assert h1 == f"{kind} not found" and title.startswith(f"{kind} not found (404)")
    assert detail.startswith(says[:1].upper() + says[1:]), detail
    assert "source, document or run" not in r.text
    problem = viewer.get(api)
    assert problem.status_code == 404 and problem.headers["content-type"] == "application/problem+json"
    body = problem.json()
    if api.endswith("nowhere"):
        kind, says = "Operation", "no operation GET /api/v1/nowhere"
    assert (body["code"], body["title"]) == ("FW-E003", f"{kind} not found")
    assert body["detail"].startswith(says)


def test_a_malformed_id_is_a_request_problem_naming_the_id(as_role: ROLE) -> None:
    viewer = as_role("viewer")
    r = viewer.get("/api/v1/events/zzz")
    assert r.status_code == 422 and r.json()["title"] == "The request is malformed"
    assert r.json()["detail"].startswith("the event id 'zzz' in the path: ")
    _, h1, detail = page_parts(viewer.get("/runs/0").text)
    assert h1 == "The request is malformed" and detail.startswith("the run id '0' in the path")


@pytest.mark.parametrize(("detail", "kind"), [
    ("no warning 12", "warning"), ("scenario 'x' is not in this workspace", "scenario"),
    ("no ingest run 7", "ingest run"), ("entity 'a' has no alias 'b'", "entity"), ("no sources registered", "source"),
    ("roster entry 5 was removed already", "roster entry"), ("no notification 3 in the outbox", "notification"),
    ("no entity merge 4", "entity merge"), ("nothing here", None)])
def test_the_kind_a_message_names(detail: str, kind: str | None) -> None:
    assert missing(detail) == kind
