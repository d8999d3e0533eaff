"""The competing-hypotheses matrix in a real browser (issue 17, item 7): 6 hypotheses × 20 items stay readable at
1280 px (no horizontal overflow of the page or the table), an analyst rates a row with its plain form and the score
row, ranking and sensitivity follow; an older version shows read-only. Screenshots: ach-*.png."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

from forewarn.model import Principal, PrincipalKind, Role

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]
HYPOTHESES = ("A training exercise that ends by mid-August", "A feint to draw reserves away from Pokrovsk",
              "A limited raid across the border near Sudzha", "An incursion to seize ground in Kursk oblast",
              "A show of force for negotiations", "Rotation of units with no operational aim")


def _matrix(live_server: LiveServer) -> int:
    analyst = live_server.ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    m = analyst.ach.create("Sudzha build-up, August", list(HYPOTHESES))
    doc_id = next(iter(live_server.world.documents.values()))
    analyst.ach.add_evidence(m.id, f"document:{doc_id}", grade="2")
    rng = random.Random(7)
    for i in range(19):
        grade = rng.choice(["A1", "B2", "C3", "D4", "E5", "F6", ""])
        analyst.ach.add_evidence(m.id, text=f"Report {i + 2}: bridging equipment and fuel trucks seen moving toward "
                                 f"the border crossing at a village {i + 2} km from Sudzha", grade=grade)
    for e in range(1, 21):
        for h in range(1, 7):
            if e != 20:  # E20 stays unrated: not diagnostic
                analyst.ach.rate(m.id, e, h, rng.choice(["C", "I", "N", "CC", "II", "C", "N"]))
    return m.id


def _no_overflow(page: Any) -> None:
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, (scroll, inner)
    table, box = page.evaluate("(() => { const t = document.querySelector('table.ach'); "
                               "return [t.scrollWidth, t.parentElement.clientWidth]; })()")
    assert table <= box, (table, box)


def test_a_six_by_twenty_matrix_fits_and_rates(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                               screenshot: Shoot) -> None:
    page, _ = browser_page
    mid = _matrix(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "analyst")
    page.goto(f"/ach/{mid}")
    expect(page.locator("table.ach tbody tr")).to_have_count(20)
    expect(page.locator("table.ach thead th.hyp")).to_have_count(6)
    expect(page.locator("tr#E20 .badge.flat")).to_contain_text("not diagnostic")
    _no_overflow(page)
    screenshot(page, "ach-matrix")

    page.select_option('select[form="rate-E20"][name="h1"]', "II")
    page.click('#rate-E20 button[type="submit"]')
    expect(page.locator(".flash")).to_contain_text("E20 rated")
    expect(page.locator("tr#E20 .badge.flat")).to_have_count(0)
    expect(page.locator("#sensitivity")).to_be_visible()
    _no_overflow(page)
    page.locator("#ranking").scroll_into_view_if_needed()
    screenshot(page, "ach-below")

    page.goto(f"/ach/{mid}?version=3")
    expect(page.locator("p.notice.old")).to_contain_text("version 3")
    expect(page.locator("table.ach select")).to_have_count(0)
    expect(page.locator("table.ach tbody tr")).to_have_count(2)
    screenshot(page, "ach-old-version")
