"""Documents: the list and its filters, the reader's marks (offsets, overlaps, escaping), and ingest of
a posted document. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from test_events_explorer import D1, D3, KHARKIV, RUS, More, _event, _place, seed_more
from web_support import HOSTILE, World

from forewarn.app import Workspace
from forewarn.errors import Code, ForewarnError
from forewarn.ingest.intake import Intake
from forewarn.model import ExtractReport
from forewarn.model.extraction import Claim, ClaimedEvent, Extraction, Participant
from forewarn.model.records import event_id
from forewarn.web.events_marks import Span, segments


@pytest.fixture
def more(world_ws: tuple[Workspace, World]) -> More:
    return seed_more(world_ws[0])


@pytest.fixture
def viewer(as_role: Callable[[str], TestClient], more: More) -> TestClient:
    return as_role("viewer")


def _text_of(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_document_marks_sit_on_their_words(viewer: TestClient, more: More) -> None:
    r = viewer.get(f"/api/v1/documents/{more.d1}")
    assert r.status_code == 200
    doc = r.json()
    assert doc["text"] == D1
    marks = {(m["kind"], D1[m["start"]:m["end"]]) for m in doc["marks"]}
    assert {("entity", "Russian forces"), ("entity", "Ukrainian army"), ("place", "Kharkiv"), ("event", "shelled"),
            ("sentence", D1), ("date", "6 August 2024"), ("claim", D1[:D1.index(",")])} <= marks
    assert [e["id"] for e in doc["events"]] == [more.events["assault"]]
    assert [s["source_id"] for s in doc["sightings"]] == ["alpha"]
    assert doc["cluster"]["size"] == 1 and doc["cluster"]["members"][0]["id"] == more.d1


SIGHTING = "Column of tanks moving north near Kharkiv. Officials warn Russia could attack Kharkiv."


def test_inferred_actor_coder_and_claimed_event_are_shown(world_ws: tuple[Workspace, World],
                                                          viewer: TestClient) -> None:
    """A sighting's inferred actor is flagged in the API and marked (with a title) on the reader, the
    explorer and the entity page; the type's coder and a claim's event come back in the document's API."""
    ws, _ = world_ws
    doc = ws.intake.post(SIGHTING, title="Tanks", published_at="2024-08-07", source_id="alpha").document_id
    assert doc
    ev = _event(SIGHTING, "MOBILIZE", "moving", date(2024, 8, 7), actor=(RUS, "Column of tanks"),
                place=_place(SIGHTING, KHARKIV, "Kharkiv"), confidence=0.5,
                sentence=(0, SIGHTING.index(" Officials")))
    assert ev.actor is not None
    ev = replace(ev, actor=replace(ev.actor, inferred=True), coder="rules+model:events-1")
    said = SIGHTING.index("Officials")
    claim = Claim(speaker=None, speaker_text="Officials", cue="warn", content_start=said + 15,
                  content_end=len(SIGHTING) - 1, quoted=False, stance="warn", sentence=1, start=said,
                  end=len(SIGHTING), claimed=ClaimedEvent("ASSAULT", Participant(RUS, "Russia", said + 15, said + 21),
                                                          None, None, "possible"))
    ws.store.save_extractions([Extraction(doc, "test 1", events=(ev,), claims=(claim,))],
                              datetime(2024, 8, 12, tzinfo=UTC))
    got = viewer.get(f"/api/v1/documents/{doc}").json()
    [event] = got["events"]
    assert event["actor"]["inferred"] is True and event["coder"] == "rules+model:events-1"
    [listed] = got["claims"]
    assert listed["claimed"]["type"] == "ASSAULT" and listed["claimed"]["modality"] == "possible"
    assert listed["claimed"]["actor"]["canonical_id"] == RUS.id and listed["claimed"]["actor"]["country"] == "RUS"
    marker = re.compile(r'<abbr class="inferred" title="Inferred: [^"]*Column of tanks[^"]*">\(inferred\)</abbr>')
    assert marker.search(viewer.get(f"/documents/{doc}").text)
    assert marker.search(viewer.get("/events?type=MOBILIZE").text)
    assert marker.search(viewer.get(f"/entities/{RUS.id}").text)
    others = viewer.get(f"/api/v1/events/{event_id(doc, ev)}").json()
    assert others["actor"]["inferred"] is True
    assert "(inferred)" not in viewer.get("/events?type=ASSAULT").text


def test_reader_page_marks_and_anchors(viewer: TestClient, more: More) -> None:
    page = viewer.get(f"/documents/{more.d1}").text
    text = re.search(r'<div class="document-text"[^>]*>(.*?)</div>', page, re.S)
    assert text
    body = text.group(1)
    assert _text_of(body) == D1  # the marks change nothing in the text
    assert f'<span class="anchor" id="ev-{more.events["assault"]}"></span>' in body
    after_anchor = body.split(f'id="ev-{more.events["assault"]}"></span>', 1)[1]
    assert re.match(r'<mark class="event sentence claim"[^>]*>shelled</mark>', after_anchor)
    assert re.search(r'<mark class="entity sentence claim"[^>]*>Russian forces</mark>', body)
    assert re.search(r'<mark class="sentence place claim"[^>]*>Kharkiv</mark>', body)
    assert re.search(r'<mark class="sentence date claim"[^>]*>6 August 2024</mark>', body)
    assert 'href="/entities/dict%3Arus-military"' in body
    assert f'id="row-{more.events["assault"]}"' in page  # the events table
    assert '<script src="/static/js/events.js"></script>' in page


def test_hostile_text_is_escaped_everywhere(viewer: TestClient, more: More, world: World) -> None:
    for path in (f"/documents/{world.documents['h1']}", f"/documents/{more.d3}", "/documents",
                 "/documents?search=" + HOSTILE):
        page = viewer.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
    reader = viewer.get(f"/documents/{more.d3}").text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in reader
    body = re.search(r'<div class="document-text"[^>]*>(.*?)</div>', reader, re.S)
    assert body and _text_of(body.group(1)) == D3
    hostile = viewer.get(f"/documents/{world.documents['h1']}").text
    assert "&lt;script&gt;" in hostile and "&#39; OR 1=1 --" in hostile


def test_overlapping_spans_split_into_segments() -> None:
    text = "Alpha Beta Gamma Delta"
    spans = [Span(0, 10, "sentence", "s"), Span(6, 16, "entity", "e", "x:1"), Span(6, 10, "event", "v", "ev1"),
             Span(11, 22, "claim", "c"), Span(30, 40, "place", "outside"), Span(5, 5, "date", "empty"),
             Span(17, 99, "date", "past the end")]
    got = segments(text, spans, anchors=[(6, "ev-ev1"), (99, "ev-end")])
    assert "".join(s.text for s in got) == text
    assert [(s.text, s.classes) for s in got] == [
        ("Alpha ", ("sentence",)), ("Beta", ("entity", "event", "sentence")), (" ", ("entity",)),
        ("Gamma", ("entity", "claim")), (" ", ("claim",)), ("Delta", ("date", "claim")), ("", ()),
    ]
    assert got[1].anchors == ("ev-ev1",) and got[1].entity == "x:1" and got[1].events == ("ev1",)
    assert got[-1].anchors == ("ev-end",)  # an anchor past the end lands at the end


def test_document_list_and_filters(viewer: TestClient, more: More, world: World) -> None:
    everything = viewer.get("/api/v1/documents?limit=500").json()
    assert everything["total"] == 8  # the world's five reports and three more
    ids = {d["id"] for d in everything["items"]}
    assert {more.d1, more.d2, more.d3, *world.documents.values()} == ids
    beta = viewer.get("/api/v1/documents?source=beta").json()
    assert {d["id"] for d in beta["items"]} == {more.d2, more.d3}
    dated = viewer.get("/api/v1/documents?since=2024-08-08T12:00:00Z&until=2024-08-09T12:00:00Z").json()
    assert {d["id"] for d in dated["items"]} == {more.d2, world.documents["h1"]}
    texts = {d["id"]: d for d in everything["items"]}
    for needle in ("%", "_", "'", '"; DROP TABLE documents; --', "percent_group", "\\", "armour"):
        r = viewer.get("/api/v1/documents", params={"search": needle, "limit": 500})
        assert r.status_code == 200, needle
        full = {i: viewer.get(f"/api/v1/documents/{i}").json() for i in texts}
        expected = {i for i, d in full.items() if needle.lower() in (d["text"] + (d["title"] or "")).lower()}
        assert {d["id"] for d in r.json()["items"]} == expected, needle
        assert viewer.get("/documents", params={"search": needle}).status_code == 200
    assert viewer.get("/api/v1/documents?limit=500").json()["total"] == 8
    page = viewer.get("/documents?source=beta").text
    assert 'data-total="2"' in page and f'href="/documents/{more.d2}"' in page
    assert viewer.get("/api/v1/documents?since=tomorrow").status_code == 422


def test_cluster_and_sightings(viewer: TestClient, world: World) -> None:
    doc = viewer.get(f"/api/v1/documents/{world.documents['c1']}").json()  # a near-copy of o1
    assert doc["cluster"]["size"] == 2
    assert {m["id"] for m in doc["cluster"]["members"]} == {world.documents["o1"], world.documents["c1"]}
    page = viewer.get(f"/documents/{world.documents['c1']}").text
    assert f'href="/documents/{world.documents["o1"]}"' in page and "Duplicate cluster (2)" in page


def test_unknown_document(viewer: TestClient) -> None:
    r = viewer.get("/api/v1/documents/" + "ab" * 32)
    assert r.status_code == 404 and r.json()["code"] == "FW-E003"
    assert viewer.get("/documents/" + "ab" * 32).status_code == 404
    assert viewer.get("/api/v1/documents/not-hex").status_code == 422


def test_post_document_is_idempotent(as_role: Callable[[str], TestClient], token_for: Callable[[str], str],
                                     web: TestClient) -> None:
    analyst = as_role("analyst")
    body = {"text": "Armour was seen near Belgorod on Monday.", "title": "Belgorod", "published_at": "2024-08-05",
            "url": "https://example.invalid/b"}
    first = analyst.post("/api/v1/documents", json=body)
    assert first.status_code == 201, first.text
    posted = first.json()
    assert posted["new"] is True and posted["status"] == "new" and posted["source_id"] == "web"
    assert re.fullmatch(r"[0-9a-f]{64}", posted["document_id"]) and posted["issues"] == []
    again = analyst.post("/api/v1/documents", json=body)
    assert again.status_code == 200 and again.json()["new"] is False and again.json()["status"] == "duplicate"
    assert again.json()["document_id"] == posted["document_id"]
    doc = analyst.get(f"/api/v1/documents/{posted['document_id']}").json()
    assert doc["title"] == "Belgorod" and doc["published_at"].startswith("2024-08-05")
    assert doc["source_id"] == "web" and len(doc["sightings"]) == 1  # the second post added nothing
    sources = {s.id: s for s in _ws(web).sources.all()}
    assert sources["web"].reliability.value == "F"
    # another source seeing the same text: the same document, one more sighting
    bearer = {"Authorization": f"Bearer {token_for('analyst')}"}
    other = web.post("/api/v1/documents", json={**body, "source": "field-team"}, headers=bearer)
    assert other.status_code == 200 and other.json()["document_id"] == posted["document_id"]
    assert len(analyst.get(f"/api/v1/documents/{posted['document_id']}").json()["sightings"]) == 2


def _ws(client: TestClient) -> Workspace:
    ws: Workspace = client.app.state.workspace  # type: ignore[attr-defined]
    return ws


def test_post_document_problems_and_roles(as_role: Callable[[str], TestClient], token_for: Callable[[str], str],
                                          web: TestClient) -> None:
    analyst = as_role("analyst")
    blank = analyst.post("/api/v1/documents", json={"text": "   \n  "})
    assert blank.status_code == 422 and blank.json()["code"] == "FW-E027"
    for bad in ({"text": ""}, {"text": "x", "source": "Not A Slug"}, {"title": "no text"}):
        r = analyst.post("/api/v1/documents", json=bad)
        assert r.status_code == 422, bad
    future = analyst.post("/api/v1/documents", json={"text": "Drones over Kursk.", "published_at": "2099-01-01"})
    assert future.status_code == 201
    assert [i["code"] for i in future.json()["issues"]] == ["FW-E026"]  # kept, without the impossible date
    viewer = as_role("viewer")
    assert viewer.post("/api/v1/documents", json={"text": "a viewer's text"}).status_code == 403
    no_csrf = as_role("analyst")
    del no_csrf.headers["X-CSRF-Token"]
    refused = no_csrf.post("/api/v1/documents", json={"text": "no token"})
    assert refused.status_code == 403 and refused.json()["code"] == "FW-E102"
    assert web.post("/api/v1/documents", json={"text": "anonymous"}).status_code == 401
    bearer = {"Authorization": f"Bearer {token_for('viewer')}"}
    assert web.post("/api/v1/documents", json={"text": "viewer token"}, headers=bearer).status_code == 403


def test_post_document_form(as_role: Callable[[str], TestClient]) -> None:
    analyst = as_role("analyst")
    page = analyst.get("/documents").text
    assert 'class="post-document"' in page and 'name="csrf_token"' in page
    text = f"A forwarded post: {HOSTILE} tanks near Oboyan."
    r = analyst.post("/documents", data={"text": text, "title": "Oboyan", "source": "", "csrf_token": analyst.csrf})
    assert r.status_code == 303
    location = r.headers["location"]
    assert re.fullmatch(r"/documents/[0-9a-f]{64}\?posted=new", location)
    shown = analyst.get(location).text
    assert "Stored as a new document." in shown and "<script>alert" not in shown
    again = analyst.post("/documents", data={"text": text, "csrf_token": analyst.csrf})
    assert again.headers["location"].endswith("?posted=duplicate")
    forged = analyst.post("/documents", data={"text": "forged"}, headers={"X-CSRF-Token": ""})
    assert forged.status_code == 403
    assert 'class="post-document"' not in as_role("viewer").get("/documents").text


def test_post_document_runs_extraction_when_on(as_role: Callable[[str], TestClient],
                                               world_ws: tuple[Workspace, World],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = world_ws
    ws.settings = replace(ws.settings, extract=True)
    asked: list[tuple[str, ...]] = []

    def extract(self: Intake, *, document_ids: Sequence[str] = (), **_: object) -> ExtractReport:
        asked.append(tuple(document_ids))
        if "fails" in self.store.get_document(document_ids[0]).text:
            raise ForewarnError("spaCy model 'x' is not installed", code=Code.MODEL_UNAVAILABLE, hint="install it")
        return ExtractReport(extractor="fake 1", documents=1, extracted=1, events=2, claims=1)

    monkeypatch.setattr(Intake, "extract", extract)
    analyst = as_role("analyst")
    r = analyst.post("/api/v1/documents", json={"text": "Tanks crossed the river at dawn."})
    assert r.status_code == 201
    assert r.json()["extraction"] == {"extractor": "fake 1", "extracted": 1, "failed": 0, "events": 2, "claims": 1}
    assert asked == [(r.json()["document_id"],)]  # only the posted document
    again = analyst.post("/api/v1/documents", json={"text": "Tanks crossed the river at dawn."})
    assert again.json()["extraction"] is None and len(asked) == 1  # nothing new: nothing to extract
    failed = analyst.post("/api/v1/documents", json={"text": "This one fails to extract."})
    assert failed.status_code == 201  # stored; extraction can run later
    assert [(i["code"], i["severity"]) for i in failed.json()["issues"]] == [("FW-E050", "warning")]
