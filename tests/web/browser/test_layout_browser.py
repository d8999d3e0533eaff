"""Issue 16 item 13: no page scrolls sideways, from 1280 to 1920 px wide and on a phone (390 px),
even with long URLs, long unbroken words and wide tables (they wrap, or scroll in their own box).
A screenshot of every page at 1400 and 390 px: test-artifacts/screenshots/layout-<page>-<width>.png."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer
from test_workbench_browser import log_in

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "detect"))
from detect_store_helpers import Report, seed

from forewarn.model.query import EventQuery

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]
WIDTHS = (1280, 1400, 1920, 390)
SHOT_AT = (1400, 390)
LONG_WORD = "Z" * 180
LONG_URL = "https://t.me/s/a_channel_with_a_long_name/" + "segment-of-a-long-address/" * 6 + "?utm_source=" + "x" * 60
LONG = Report("longwire", "a-title-without-any-spaces-" + "n" * 90, date(2024, 8, 10),
              f"armour of the Ukrainian army near Sudzha, said {LONG_URL} and {LONG_WORD} in one breath.")


def pages(live: LiveServer) -> dict[str, str]:
    """Every page worth laying out, by name: the world's own objects, plus long words and URLs."""
    ws, world = live.ws, live.world
    docs = seed(ws, live.tmp / "more", (LONG,))
    ws.sources.add("A feed at a very long address", LONG_URL)
    event = ws.reads.events(EventQuery(limit=1))[0]
    entity = ws.reads.entity_list(None, None, 1, 0, show_all=True).items[0]
    run = ws.reads.runs(1)[0]
    sid = world.scenario_id
    return {
        "board": "/", "warnings": "/warnings?state=all", "warning": f"/warnings/{world.warning_ids[0]}",
        "scenarios": "/scenarios", "scenario": f"/scenarios/{sid}", "events": "/events", "map": "/map",
        "feed": "/feed", "handovers": "/handovers", "documents": "/documents",
        "document": f"/documents/{docs[LONG.name]}", "event": f"/events/{event.id}", "entities": "/entities?all=true",
        "entity": f"/entities/{entity.id}", "sources": "/sources", "run": f"/runs/{run.id}", "ledger": "/ledger",
        "postmortem": f"/postmortem?scenario={sid}&event-date=2024-08-12", "roster": "/roster",
    }


def overflow(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


def test_no_page_scrolls_sideways(chromium: Any, live_server: LiveServer, screenshot: Shoot) -> None:
    paths = pages(live_server)
    wide: list[str] = []
    for width in WIDTHS:
        context = chromium.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            page.goto("/login")
            check(page, "login", width, wide, screenshot)
            log_in(page, "admin")
            for name, path in paths.items():
                response = page.goto(path)
                assert response is not None and response.status == 200, (name, path)
                page.wait_for_load_state("load")
                check(page, name, width, wide, screenshot)
        finally:
            context.close()
    assert not wide, "pages wider than the window: " + "; ".join(wide)


def check(page: Any, name: str, width: int, wide: list[str], screenshot: Shoot) -> None:
    scroll, inner = overflow(page)
    if scroll > inner:
        wide.append(f"{name} at {width}: {scroll} > {inner} ({widest(page)})")
    if width in SHOT_AT:
        screenshot(page, f"layout-{name}-{width}")


def widest(page: Any) -> str:
    """The element that sticks out furthest to the right (what to fix)."""
    return str(page.evaluate(
        "(() => { let best = null, right = 0;"
        " for (const el of document.body.querySelectorAll('*')) {"
        "  const r = el.getBoundingClientRect().right;"
        "  if (r > right) { right = r; best = el; } }"
        " return best ? `${best.tagName.toLowerCase()}.${best.className} ${Math.round(right)}` : ''; })()"))
