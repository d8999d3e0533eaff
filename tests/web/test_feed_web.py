"""The live feed (issue 16, item 7): newest known first, why each item was flagged (the indicator's
name from the latest assessment), filter by scenario, "new since my last visit" per account (stored,
ledgered as feed-seen), cursor pages, and the API in the page envelope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient
from web_support import HOSTILE, World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.reads.feed import FeedQuery

Client = Callable[[Role | str], TestClient]


def test_the_feed_lists_items_newest_first_with_why_they_were_flagged(as_role: Client, world: World) -> None:
    body = as_role("viewer").get("/api/v1/feed").json()
    assert set(body) >= {"items", "total", "limit", "offset", "next", "new", "new_since"}
    items = body["items"]
    assert {i["document_id"] for i in items} == set(world.documents.values())
    assert [i["known_at"] for i in items] == sorted((i["known_at"] for i in items), reverse=True)
    flagged = [i for i in items if i["flags"]]
    assert flagged, "the published assessment's signals name documents"
    flag = flagged[0]["flags"][0]
    assert flag["scenario_id"] == world.scenario_id and flag["indicator"] and flag["indicator"] != ""
    assert all(i["grade"] in "ABCDEF" and i["source"] for i in items)
    assert all(i["new"] for i in items), "a first visit shows the last day as new"


def _post(ws: Workspace, title: str) -> str:
    """A document no assessment has seen: in the feed, flagged by nothing."""
    return ws.intake.post(f"{title}: a quiet day at the market.", title=title).document_id


def test_the_scenario_filter_keeps_only_its_matches(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    quiet = _post(ws, "Market day")
    client = as_role("viewer")
    every = client.get("/api/v1/feed").json()["items"]
    only = client.get("/api/v1/feed", params={"scenario": world.scenario_id}).json()["items"]
    assert only and len(only) < len(every)
    assert all(any(f["scenario_id"] == world.scenario_id for f in i["flags"]) for i in only)
    assert quiet in {i["document_id"] for i in every} - {i["document_id"] for i in only}
    flagged = client.get("/api/v1/feed", params={"flagged": "true"}).json()["items"]
    assert [i["document_id"] for i in flagged] == [i["document_id"] for i in only]
    assert client.get("/api/v1/feed", params={"scenario": "no-such"}).status_code == 404


def test_cursor_pages_cover_the_feed_once(as_role: Client, world: World) -> None:
    client = as_role("viewer")
    seen: list[str] = []
    url: str | None = "/api/v1/feed?limit=2"
    while url:
        page = client.get(url).json()
        assert page["offset"] == 0 and page["limit"] == 2
        seen += [i["document_id"] for i in page["items"]]
        url = page["next"]
    assert sorted(seen) == sorted(world.documents.values()) and len(seen) == len(set(seen))
    bad = client.get("/api/v1/feed", params={"cursor": "12.zz!"})
    assert bad.status_code == 422


def test_a_visit_marks_the_feed_seen_per_account_and_is_ledgered(
        as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    viewer, analyst = as_role("viewer"), as_role("analyst")
    assert viewer.get("/api/v1/feed/new").json()["new"] == len(world.documents)
    page = viewer.get("/feed")
    assert page.status_code == 200 and page.text.count('class="badge new-badge"') == len(world.documents)
    assert viewer.get("/api/v1/feed/new").json()["new"] == 0
    again = viewer.get("/feed")
    assert "new-badge" not in again.text, "a second visit has nothing new"
    assert analyst.get("/api/v1/feed/new").json()["new"] == len(world.documents), "marks are per account"
    entries = ws.ledger.entries(kind="feed-seen")
    assert [(e.actor, e.subject, e.payload["how"]) for e in entries] == [("viewer", "user:viewer", "visit")]


def test_mark_all_seen_and_new_items_after_it(as_role: Client, world_ws: tuple[Workspace, World],
                                              clock: object) -> None:
    ws, world = world_ws
    client = as_role("analyst")
    done = client.post("/api/v1/feed/seen")
    assert done.status_code == 200 and done.json()["seen_until"]
    assert client.get("/api/v1/feed/new").json()["new"] == 0
    assert client.post("/api/v1/feed/seen").status_code == 200
    assert [e.payload["new"] for e in ws.ledger.entries(kind="feed-seen")] == [len(world.documents), 0], \
        "marking seen is recorded even when nothing was new"
    client.get("/feed")
    assert len(ws.ledger.entries(kind="feed-seen")) == 2, "a visit that saw nothing newer records nothing"
    clock.advance(hours=1)  # type: ignore[attr-defined]
    fresh = _post(ws, "Fresh report")
    body = client.get("/api/v1/feed").json()
    assert [i["document_id"] for i in body["items"] if i["new"]] == [fresh]
    assert body["items"][0]["document_id"] == fresh and body["items"][0]["headline"] == "Fresh report"
    assert client.get("/api/v1/feed/new").json() == {"new": 1, "shown": "1", "new_since": done.json()["seen_until"]}


def test_the_page_escapes_hostile_text_and_offers_the_filter(as_role: Client,
                                                              world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    _post(ws, HOSTILE)
    html = as_role("viewer").get("/feed").text
    assert HOSTILE not in html and "&lt;script&gt;alert(" in html
    assert f'<option value="{world.scenario_id}"' in html
    assert 'href="/feed"' in html and 'id="feed-new"' in html


def test_the_page_form_marks_all_seen(as_role: Client) -> None:
    client = as_role("viewer")
    response = client.post("/feed/seen", data={"csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert response.status_code == 303 and response.headers["location"] == "/feed"
    assert client.get("/api/v1/feed/new").json()["new"] == 0


def test_the_first_visit_window_is_a_day(as_role: Client, clock: object) -> None:
    clock.advance(hours=25)  # type: ignore[attr-defined]
    body = as_role("viewer").get("/api/v1/feed").json()
    assert body["new"] == 0 and not any(i["new"] for i in body["items"])
    assert timedelta(days=1) > timedelta(0)


def test_a_workspace_in_its_own_time_knows_documents_by_publication(world_ws: tuple[Workspace, World]) -> None:
    """A demo or replayed workspace: every document was ingested after its own time, so the feed orders and
    counts them by publication, and shows only those published by then."""
    ws, world = world_ws
    published = sorted(ws.reads.document(d).document.published_at for d in world.documents.values())  # type: ignore[type-var]
    cut = published[len(published) // 2]
    assert ws.reads.feed(FeedQuery(limit=50), cut).items == ()  # by ingest time: nothing was known yet
    ws.feed = replace(ws.feed, by_publication=lambda: True)
    shown = ws.feed.page(FeedQuery(limit=50))
    every = ws.reads.feed(FeedQuery(limit=50), cut, published=True).items
    assert [i.known_at for i in every] == sorted((p for p in published if p <= cut), reverse=True)
    assert len(shown.items) == len(world.documents)  # the workspace's clock here is past every publication
