"""The events explorer: API filters (each narrows; hostile text in any of them is only text), daily
counts, the map's grid clusters (they add up), and the explorer page. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from web_support import HOSTILE, World

from forewarn.app import Workspace
from forewarn.geo.grid import BBox
from forewarn.model.extraction import (
    Claim,
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
    TimePrecision,
)
from forewarn.model.query import EventQuery
from forewarn.reads.events import EventFilter, page_dates

UKR = Entity("dict:ukr-military", "Armed Forces of Ukraine", EntityKind.ORG, "UKR", Sector.MILITARY)
RUS = Entity("dict:rus-military", "Russian Armed Forces", EntityKind.ORG, "RUS", Sector.MILITARY,
             aliases=("Russian army",))
CIVILIANS = Entity("ner:group:protesters", "Protesters", EntityKind.GROUP, "UKR", Sector.CIVILIAN)
PERCENT = Entity("ner:org:percent", "100% Percent_Group", EntityKind.ORG, "POL")  # LIKE wildcards, literally
HOSTILE_ORG = Entity("ner:org:hostile", f"{HOSTILE} Brigade", EntityKind.ORG, "RUS", Sector.MILITARY)
KHARKIV = Place("Kharkiv", 49.99, 36.23, "UKR", "Kharkiv Oblast", "geonames:706483", PlacePrecision.TOWN)
KYIV = Place("Kyiv", 50.45, 30.52, "UKR", "Kyiv City", "geonames:703448", PlacePrecision.TOWN)

D1 = "Russian forces shelled Kharkiv on 6 August 2024, the Ukrainian army said."
D2 = "Protesters marched in Kyiv against the 100% Percent_Group on Friday. No troops attacked them."
D3 = f"The {HOSTILE} Brigade threatened the Ukrainian army in Kyiv."


@dataclass(frozen=True)
class More:
    """Documents and events added to the shared world (see ``seed_more``)."""

    d1: str
    d2: str
    d3: str
    events: dict[str, str]  # name → event id


def _span(text: str, words: str, after: int = 0) -> tuple[int, int]:
    start = text.index(words, after)
    return start, start + len(words)


def _event(text: str, kind: str, trigger: str, day: date, *, actor: tuple[Entity, str] | None = None,
           recipient: tuple[Entity, str] | None = None, place: PlaceMention | None = None, mode: str | None = None,
           confidence: float = 0.7, negated: bool = False, sentence: tuple[int, int] | None = None) -> Event:
    s, e = sentence or (0, len(text))
    t0, t1 = _span(text, trigger, s)

    def who(p: tuple[Entity, str] | None) -> Participant | None:
        return Participant(p[0], p[1], *_span(text, p[1])) if p else None

    return Event(type=kind, mode=mode, contexts=("military",), actor=who(actor), recipient=who(recipient), place=place,
                 date=day, date_precision=TimePrecision.DAY, date_from_publication=False, flags=Flags(negated=negated),
                 evidence=Evidence(0, s, e, t0, t1), confidence=confidence)


def _place(text: str, place: Place, words: str) -> PlaceMention:
    return PlaceMention(place, words, *_span(text, words), 0)


def _mention(text: str, entity: Entity, words: str) -> EntityMention:
    return EntityMention(entity, words, *_span(text, words), 0)


def seed_more(ws: Workspace) -> More:
    """Three more documents (sources alpha and beta) with hand-coded extractions: an assault by Russian
    forces on Kharkiv (with a claim), a protest in Kyiv against an organisation whose name holds % and _
    (and a negated assault), and a threat to the Ukrainian army by an organisation whose name is hostile
    HTML."""
    d1 = ws.intake.post(D1, title="Kharkiv shelled", published_at="2024-08-06", source_id="alpha").document_id
    d2 = ws.intake.post(D2, title="Kyiv protest", published_at="2024-08-09", source_id="beta").document_id
    d3 = ws.intake.post(D3, title=f"{HOSTILE} threat", published_at="2024-08-10", source_id="beta").document_id
    assert d1 and d2 and d3
    kharkiv, kyiv2, kyiv3 = _place(D1, KHARKIV, "Kharkiv"), _place(D2, KYIV, "Kyiv"), _place(D3, KYIV, "Kyiv")
    first = (0, D2.index(" No troops") + 1)
    second = (first[1], len(D2))
    e1 = _event(D1, "ASSAULT", "shelled", date(2024, 8, 6), actor=(RUS, "Russian forces"),
                recipient=(UKR, "Ukrainian army"), place=kharkiv, mode="artillery", confidence=0.9)
    e2 = _event(D2, "PROTEST", "marched", date(2024, 8, 9), actor=(CIVILIANS, "Protesters"),
                recipient=(PERCENT, "100% Percent_Group"), place=kyiv2, confidence=0.4, sentence=first)
    e2n = _event(D2, "ASSAULT", "attacked", date(2024, 8, 9), place=kyiv2, negated=True, sentence=second)
    e3 = _event(D3, "THREATEN", "threatened", date(2024, 8, 10), actor=(HOSTILE_ORG, f"{HOSTILE} Brigade"),
                recipient=(UKR, "Ukrainian army"), place=kyiv3, confidence=0.7)
    claim = Claim(speaker=Participant(UKR, "Ukrainian army", *_span(D1, "Ukrainian army")),
                  speaker_text="the Ukrainian army", cue="say", content_start=0, content_end=D1.index(","),
                  quoted=False, stance="assert", sentence=0, start=0, end=len(D1))
    ws.store.save_extractions([
        Extraction(d1, "test 1", entities=(_mention(D1, RUS, "Russian forces"), _mention(D1, UKR, "Ukrainian army")),
                   places=(kharkiv,), events=(e1,), claims=(claim,)),
        Extraction(d2, "test 1", entities=(_mention(D2, CIVILIANS, "Protesters"),
                                           _mention(D2, PERCENT, "100% Percent_Group")),
                   places=(kyiv2,), events=(e2, e2n)),
        Extraction(d3, "test 1", entities=(_mention(D3, HOSTILE_ORG, f"{HOSTILE} Brigade"),), places=(kyiv3,),
                   events=(e3,)),
    ], datetime(2024, 8, 12, tzinfo=UTC))
    ids = {}
    for name, doc, ev in (("assault", d1, e1), ("protest", d2, e2), ("negated", d2, e2n), ("threat", d3, e3)):
        from forewarn.model.records import event_id

        ids[name] = event_id(doc, ev)
    return More(d1, d2, d3, ids)


@pytest.fixture
def more(world_ws: tuple[Workspace, World]) -> More:
    return seed_more(world_ws[0])


@pytest.fixture
def viewer(as_role: Callable[[str], TestClient], more: More) -> TestClient:
    return as_role("viewer")


ALL = 8  # the world's five armour reports, plus the assault, the protest and the threat (the negated one is left out)


def _ids(client: TestClient, query: str) -> set[str]:
    r = client.get(f"/api/v1/events?limit=500&{query}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return {e["id"] for e in body["items"]}


def test_every_filter_narrows(viewer: TestClient, more: More, world: World) -> None:
    everything = _ids(viewer, "")
    assert len(everything) == ALL and more.events["negated"] not in everything
    ev = more.events
    expected = {
        "type=ASSAULT": {ev["assault"]},
        "type=ASSAULT&type=protest": {ev["assault"], ev["protest"]},
        "mode=artillery": {ev["assault"]},
        "actor=russian": {ev["assault"]},
        "actor=dict:rus-military": {ev["assault"]},
        "actor=Russian army": {ev["assault"]},  # an alias
        "recipient=ukrain": {ev["assault"], ev["threat"]},
        "actor-country=rus": {ev["assault"], ev["threat"]},
        "recipient-country=POL": {ev["protest"]},
        "place=kyiv": {ev["protest"], ev["threat"]},
        "place=kursk": None,  # the region of Sudzha: the five armour reports
        "from=2024-08-09&to=2024-08-10": None,
        "source=alpha": {ev["assault"]},
        "min-confidence=0.85": {ev["assault"]},
        f"document={more.d2[:10]}": {ev["protest"]},
        "bbox=30,50,31,51": {ev["protest"], ev["threat"]},
    }
    for query, want in expected.items():
        got = _ids(viewer, query)
        assert got < everything, query
        if want is not None:
            assert got == want, query
    assert len(_ids(viewer, "place=kursk")) == 5
    dated = _ids(viewer, "from=2024-08-09&to=2024-08-10")
    assert len(dated) == 3 and {ev["protest"], ev["threat"]} < dated  # and the hostile report of 9 August
    assert _ids(viewer, "type=ASSAULT&source=beta") == set()  # filters combine
    for place in ("kyiv", "KHARKIV", "oblast", "kursk obl", "yiv"):  # with dates the filter is resolved to names
        assert _ids(viewer, f"place={place}&from=2024-08-01") == _ids(viewer, f"place={place}"), place
    assert len(_ids(viewer, "place=oblast&from=2024-08-01")) == 6  # Kursk Oblast and Kharkiv Oblast


HOSTILE_VALUES = ("%", "_", "'", '"; DROP TABLE events; --', "%' OR '1'='1", "\\", HOSTILE)


@pytest.mark.parametrize("name", ["mode", "actor", "recipient", "actor-country", "recipient-country", "place",
                                  "source"])
def test_sql_metacharacters_are_only_text(viewer: TestClient, more: More, name: str) -> None:
    literal = {  # what a value matches as plain text: the names holding it
        ("recipient", "%"): {more.events["protest"]}, ("recipient", "_"): {more.events["protest"]},
        ("actor", HOSTILE): {more.events["threat"]},
    }
    for value in HOSTILE_VALUES:
        for dates in ({}, {"from": "2024-08-01"}):  # a date range resolves a place filter to names first
            r = viewer.get("/api/v1/events", params={name: value, "limit": 500, **dates})
            assert r.status_code == 200, (name, value, r.text)
            assert {e["id"] for e in r.json()["items"]} == literal.get((name, value), set()), (name, value, dates)
        page = viewer.get("/events", params={name: value})
        assert page.status_code == 200, (name, value)
        assert "<script>alert" not in page.text
    assert len(_ids(viewer, "")) == ALL  # the table is still there, whole


def test_bad_filters_are_problems(viewer: TestClient) -> None:
    for query in ("type=BOGUS", "from=yesterday", "min-confidence=2", "bbox=1,2,3", "bbox=10,0,5,1",
                  "from=2024-08-10&to=2024-08-01", "limit=0", f"actor={'x' * 201}"):
        r = viewer.get(f"/api/v1/events?{query}")
        assert r.status_code == 422, query
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "FW-E005"


def test_blank_form_fields_are_no_filter(viewer: TestClient) -> None:
    r = viewer.get("/events?type=MOBILIZE&mode=&actor=&recipient=&actor-country=&recipient-country=&place="
                   "&from=&to=&source=&min-confidence=")
    assert r.status_code == 200
    assert re.search(r'data-total="5"', r.text)


def test_daily_counts_add_up(viewer: TestClient) -> None:
    days = viewer.get("/api/v1/events/daily").json()
    assert sum(d["count"] for d in days) == ALL
    assert {d["date"]: d["count"] for d in days}["2024-08-09"] == 2  # the hostile report and the protest
    assert viewer.get("/api/v1/events/daily?type=THREATEN").json() == [{"date": "2024-08-10", "count": 1}]


def test_map_clusters_add_up_to_the_filtered_total(viewer: TestClient, more: More) -> None:
    for query in ("", "type=MOBILIZE", "place=kyiv", "bbox=20,40,45,60", "bbox=36,49,37,51", "to=2024-08-08"):
        total = viewer.get(f"/api/v1/events?limit=1&{query}").json()["total"]
        found = viewer.get(f"/api/v1/events/map?{query}").json()
        assert sum(c["count"] for c in found["clusters"]) == found["total"] == total, query
        for c in found["clusters"]:
            w, s, e, n = c["cell"]
            assert w <= c["lon"] <= e and s <= c["lat"] <= n
    kyiv = viewer.get("/api/v1/events/map?place=kyiv").json()
    assert [c["count"] for c in kyiv["clusters"]] == [2]
    one = viewer.get("/api/v1/events/map?type=ASSAULT").json()["clusters"]
    assert one == [{"lat": 49.99, "lon": 36.23, "count": 1, "cell": one[0]["cell"], "event_id": more.events["assault"],
                    "document_id": more.d1}]


def test_grid_counts_add_up_on_many_cells(world_ws: tuple[Workspace, World], more: More) -> None:
    reads = world_ws[0].reads
    q = EventQuery(limit=None)
    for box in (BBox(-180, -90, 180, 90), BBox(30, 49.5, 37, 51.5), BBox(35.2, 51.1, 35.3, 51.3),
                BBox(36, 49, 37, 50)):
        data = reads.event_map(EventFilter(q, box))
        counted = sum(n for _, n in reads.event_days(EventFilter(q, box)))  # counted apart, per day
        assert data.total == sum(c.count for c in data.clusters) == counted, box
    assert reads.event_map(EventFilter(q, BBox(-180, -90, 180, 90))).total == ALL
    fine = reads.event_map(EventFilter(q, BBox(30, 49, 37, 52)))
    assert sorted(c.count for c in fine.clusters) == [1, 2, 5]  # Kharkiv, Kyiv, Sudzha
    overview = reads.event_map(EventFilter(q))  # no box: where the events are
    assert overview.total == ALL
    v = overview.view
    assert v.w < 30.52 and v.e > 36.23 and v.s < 49.99 and v.n > 51.19


def test_event_by_id(viewer: TestClient, more: More) -> None:
    r = viewer.get(f"/api/v1/events/{more.events['assault']}")
    assert r.status_code == 200
    e = r.json()
    assert e["type"] == "ASSAULT" and e["actor"]["name"] == "Russian Armed Forces"
    assert e["recipient"]["canonical_id"] == "dict:ukr-military" and e["place"]["name"] == "Kharkiv"
    assert e["evidence"]["text"] == D1
    assert D1[e["evidence"]["trigger_start"]:e["evidence"]["trigger_end"]] == "shelled"
    assert e["url"] == f"/documents/{more.d1}#ev-{more.events['assault']}"
    missing = viewer.get("/api/v1/events/" + "0" * 32)
    assert missing.status_code == 404 and missing.json()["code"] == "FW-E003"


def test_explorer_page(viewer: TestClient, more: More, world: World) -> None:
    r = viewer.get("/events")
    assert r.status_code == 200
    html = r.text
    form = re.search(r'<form class="filters[^"]*" method="get" action="/events">(.*?)</form>', html, re.S)
    assert form
    for name in ("type", "mode", "actor", "recipient", "place", "from", "to", "source", "min-confidence"):
        assert f'name="{name}"' in form.group(1), name
    assert 'data-total="8"' in html
    rows = re.findall(r'<tr data-event-id="([0-9a-f]+)">(.*?)</tr>', html, re.S)
    assert len(rows) == ALL
    for event_id, row in rows:
        assert re.search(rf'href="/documents/[0-9a-f]{{64}}#ev-{event_id}"', row)
    assert f'href="/documents/{world.documents["o2"]}#ev-' in rows[0][1]  # newest first: 11 August
    assert '<svg class="chart"' in html and '<ul class="legend">' in html  # stacked by type, with its legend
    assert re.search(r'<table class="regions">.*Kharkiv Oblast.*</table>', html, re.S)  # counts by region
    assert 'href="/map?' in html  # the map is its own page (Leaflet: too heavy for the explorer)
    assert "<script>alert" not in html and "&lt;script&gt;" in html  # the hostile report's evidence, escaped
    assert "<style" not in html and "style=" not in html


def test_explorer_filters_and_zoom(viewer: TestClient, more: More) -> None:
    r = viewer.get("/events?type=PROTEST&type=THREATEN")
    assert 'data-total="2"' in r.text
    assert '<option value="PROTEST" selected>' in r.text
    link = re.search(r'<a class="button" href="(/map\?[^"]+)">Open the map', r.text)
    assert link, "the explorer links to the map of the same events"
    href = link.group(1).replace("&amp;", "&")
    assert "type=PROTEST" in href and "type=THREATEN" in href  # the filters stay
    boxed = viewer.get("/events?type=PROTEST&type=THREATEN&bbox=30,50,31,51")
    assert boxed.status_code == 200 and 'data-total="2"' in boxed.text  # both in Kyiv


def test_explorer_opens_on_the_latest_days(world_ws: tuple[Workspace, World], viewer: TestClient,
                                           more: More) -> None:
    ws, _ = world_ws
    old = "Old report: troops moved near Kharkiv."
    doc = ws.intake.post(old, published_at="2024-05-01", source_id="alpha").document_id
    assert doc
    ws.store.save_extractions([Extraction(doc, "test 1", events=(
        _event(old, "MOBILIZE", "moved", date(2024, 5, 1), place=_place(old, KHARKIV, "Kharkiv")),))],
        datetime(2024, 8, 12, tzinfo=UTC))
    page = viewer.get("/events").text
    assert 'data-total="8"' in page  # 13 July … 11 August
    assert 'value="2024-07-13"' in page and 'value="2024-08-11"' in page
    assert 'data-total="9"' in viewer.get("/events?from=2024-01-01").text
    assert viewer.get("/api/v1/events").json()["total"] == 9  # the API has no default window


def test_paging_reads_only_the_dates_it_needs(viewer: TestClient) -> None:
    first = viewer.get("/api/v1/events?limit=3").json()
    second = viewer.get(first["next"].replace("http://testserver", "")).json()
    rest = viewer.get("/api/v1/events?limit=3&offset=6").json()
    everything = viewer.get("/api/v1/events?limit=500").json()["items"]
    assert [e["id"] for e in first["items"] + second["items"] + rest["items"]] == [e["id"] for e in everything]
    assert rest["next"] is None and first["total"] == ALL
    keys = [(e["date"], e["id"]) for e in everything]
    assert keys == sorted(keys, reverse=True)


def test_page_dates() -> None:
    days = [(date(2024, 1, d), n) for d, n in ((1, 10), (3, 30), (4, 5), (5, 20))]
    assert page_dates(days, 10, 0) == (date(2024, 1, 5), date(2024, 1, 5), 0)
    assert page_dates(days, 10, 22) == (date(2024, 1, 3), date(2024, 1, 4), 20)
    assert page_dates(days, 50, 60) == (date(2024, 1, 1), date(2024, 1, 1), 55)
    assert page_dates(days, 10, 65) is None and page_dates([], 10, 0) is None


def test_reads_need_a_login(web: TestClient, more: More) -> None:
    assert web.get("/api/v1/events").status_code == 401
    assert web.get("/events").status_code == 303
