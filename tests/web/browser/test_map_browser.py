"""The event map in a real browser: Leaflet draws the countries from the vendored Natural Earth borders,
clusters split as you zoom in, the time slider filters the events by day and labels its window, a
scale shows, place labels appear, and no request leaves the server's origin (no tile server, no CDN);
the page breaks no Content-Security-Policy rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_events_explorer import seed_more
from test_map_offline import seed_unplaced
from test_workbench_browser import log_in

from forewarn.web.map import missing_assets

pytestmark = pytest.mark.browser

Shoot = Callable[[Any, str], Path]
ICONS = "#map .leaflet-marker-pane .leaflet-marker-icon"


def _icons(page: Any) -> int:
    return int(page.locator(ICONS).count())


def _zoom(page: Any, lat: float, lon: float, level: int) -> None:
    # a function that returns nothing: setView returns the map, and Playwright would serialise its whole object
    # graph (every border's coordinates) back to Python, which takes tens of seconds once the 1:50m borders are in
    page.evaluate(f"() => {{ window.forewarnMap.setView([{lat}, {lon}], {level}, {{animate: false}}); }}")
    page.wait_for_timeout(400)  # markercluster re-clusters after zoomend


def test_the_map_zooms_splits_clusters_and_filters_by_day(browser_page: tuple[Any, Recorder],
                                                         live_server: LiveServer, screenshot: Shoot) -> None:
    if missing_assets():
        pytest.fail(f"the map's vendored files are missing ({missing_assets()}): run `make install`")
    page, seen = browser_page
    seed_more(live_server.ws)  # Kharkiv and Kyiv besides the world's Sudzha
    log_in(page, "viewer")
    page.goto("/events")
    page.click("text=Open the map")
    expect(page).to_have_url(re.compile(r"/map"))
    # the countries drawn: the 1:110m borders, or already the 1:50m ones that replace them at this page's zoom (the
    # two loads race; on a loaded machine the coarse ones may be gone before the first poll)
    expect(page.locator("#map[data-borders]")).to_have_attribute("data-borders", re.compile(r"^(110m|50m)$"),
                                                                  timeout=15_000)
    expect(page.locator("#map path.leaflet-interactive, #map .leaflet-overlay-pane path").first).to_be_attached()
    expect(page.locator(".leaflet-control-scale-line")).to_be_visible()
    expect(page.locator(".map-tools")).to_be_visible()  # the slider shows once script runs
    expect(page.locator(".place-label").first).to_be_visible()
    labels = page.locator(".place-label").all_inner_texts()
    assert "Kyiv" in labels or "Kharkiv" in labels
    screenshot(page, "map")

    placed = int(page.locator("[data-placed]").get_attribute("data-placed"))
    assert int(page.locator("#map").get_attribute("data-shown")) == placed
    _zoom(page, 50.6, 33.0, 3)
    far = _icons(page)
    _zoom(page, 50.6, 33.0, 7)
    near = _icons(page)
    assert far == 1 and near >= 3, (far, near)  # one cluster far out; Kyiv, Kharkiv and Sudzha apart up close
    cluster = page.locator("#map .marker-cluster").first
    assert int(cluster.inner_text().replace(",", "")) >= 1

    _zoom(page, 50.6, 33.0, 6)
    to = page.locator("#day-to")
    to.evaluate("el => { el.value = '0'; el.dispatchEvent(new Event('input')); }")
    label = page.locator("#window-label").inner_text()
    assert re.match(r"\d{1,2} \w{3} \d{4} – \d{1,2} \w{3} \d{4} · \d+ events?", label), label
    assert int(page.locator("#map").get_attribute("data-shown")) < placed  # the first day alone
    screenshot(page, "map-first-day")

    _zoom(page, 50.6, 33.0, 6)
    page.wait_for_function("document.getElementById('map').dataset.borders === '50m'")  # finer borders up close

    assert seen.foreign(live_server.origin) == [], "requests left the server's origin"
    assert seen.console_errors == [] and seen.page_errors == []


def test_the_no_place_link_opens_the_unplaced_events(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                     screenshot: Shoot) -> None:
    if missing_assets():
        pytest.fail(f"the map's vendored files are missing ({missing_assets()}): run `make install`")
    page, seen = browser_page
    seed_more(live_server.ws)
    missing = seed_unplaced(live_server.ws)
    log_in(page, "viewer")
    page.goto("/map")
    shown = int(page.locator("[data-unplaced]").get_attribute("data-unplaced"))
    assert shown >= missing
    page.click("a[data-unplaced-link]")
    expect(page).to_have_url(re.compile(r"/events\?.*placed=no"))
    expect(page.locator("select[name=placed]")).to_have_value("no")
    assert int(page.locator("[data-total]").get_attribute("data-total")) == shown
    expect(page.locator("text=None of these events has a place.")).to_be_visible()
    screenshot(page, "explorer-unplaced")
    page.select_option("select[name=placed]", "yes")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"placed=yes"))
    assert int(page.locator("[data-total]").get_attribute("data-total")) > 0
    assert seen.foreign(live_server.origin) == [], "requests left the server's origin"
    assert seen.console_errors == [] and seen.page_errors == []


def test_zoomed_in_the_map_draws_the_regions_of_the_countries_in_view(browser_page: tuple[Any, Recorder],
                                                                     live_server: LiveServer,
                                                                     screenshot: Shoot) -> None:
    if missing_assets():
        pytest.fail(f"the map's vendored files are missing ({missing_assets()}): run `make install`")
    page, seen = browser_page
    log_in(page, "viewer")
    page.goto("/map")
    expect(page.locator("#map[data-borders]")).to_have_attribute("data-borders", re.compile(r"\d+m"), timeout=15_000)
    _zoom(page, 40.0, -100.0, 3)  # far out over the United States: no regions drawn, none fetched
    page.wait_for_timeout(500)
    assert page.locator("#map .regions-pane path").count() == 0
    assert not [u for u in seen.requests if u.endswith(("/admin1/USA.json", "/admin1/CAN.json"))]
    _zoom(page, 51.2, 35.3, 7)  # the Sumy / Kursk border
    expect(page.locator("#map")).to_have_attribute("data-regions", re.compile(r"\bRUS\b.*\bUKR\b"), timeout=15_000)
    assert page.locator("#map .regions-pane path").count() >= 2  # Ukraine's and Russia's inner borders
    drawn = page.evaluate("() => document.querySelector('#map .regions-pane svg').getBoundingClientRect().width")
    assert drawn > 500, drawn  # painted at the map's size (the site's svg { max-width: 100% } once made it 0 wide)
    names = page.locator(".region-label").all_inner_texts()
    assert {"Sumy", "Kursk"} <= set(names), names
    fetched = sorted({u.rsplit("/", 1)[-1] for u in seen.requests if "/admin1/" in u})
    assert "UKR.json" in fetched and "index.json" in fetched and "USA.json" not in fetched, fetched
    screenshot(page, "map-regions")
    _zoom(page, 51.2, 35.3, 4)
    assert page.locator("#map .regions-pane path").count() == 0 and page.locator(".region-label").count() == 0
    assert seen.foreign(live_server.origin) == [], "requests left the server's origin"
    assert seen.console_errors == [] and seen.page_errors == []
