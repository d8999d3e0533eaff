"""The questions pages (issue 17): the list and one question as the viewer may see it (the blind rule: no other
analyst's estimate, no published line, no model probability before the viewer's own estimate is in), the ICD 203
words beside every number, the published line with its signed softening gap flagged over the setting, and the
forms: estimate (analysts), publish the line (duty officers), resolve (the owner), add a question."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.errors import InvalidArgument
from forewarn.web.pages.questions import bands, number

Client = Callable[[Role | str], TestClient]


def _post(client: TestClient, path: str, **form: str) -> str:
    """Post a page form; follow its redirect and return the page it lands on."""
    sent = client.post(path, data={**form, "csrf_token": client.csrf})  # type: ignore[attr-defined]
    assert sent.status_code == 303, sent.text[:300]
    landed = client.get(sent.headers["location"])
    assert landed.status_code == 200, landed.text[:300]
    return landed.text


def test_blind_until_ones_own_estimate_then_the_line_and_its_gap(as_role: Client,
                                                                  world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    analyst, officer, admin = as_role("analyst"), as_role("duty_officer"), as_role("admin")
    sid = world.scenario_id
    page = _post(analyst, f"/questions/{sid}/estimates", probability="0.8", rationale="armour massing")
    assert "your estimate 0.80 (likely) is recorded, blind" in page
    assert re.search(r'class="prob">0\.80</span> <span class="words">likely</span>', page)
    qid = ws.judgments.view(sid).question.id
    page = _post(officer, f"/questions/{qid}/lines", probability="10%", text="under control")
    assert "its gap shows once your estimate is in" in page and "flagged" not in page  # the officer is blind
    assert "-3.58" not in page and 'id="lines"' not in page
    # the admin has no estimate: nothing of the others, the line or the model is on the page or the list
    hidden = admin.get(f"/questions/{qid}").text
    assert "Hidden until your estimate is in" in hidden and "under control" not in hidden
    assert "armour massing" not in hidden and ">0.80<" not in hidden and "probability now" not in hidden
    listed = admin.get("/questions").text
    assert f'href="/questions/{qid}"' in listed and ">hidden<" in listed and "under control" not in listed
    # once the admin's own estimate is in, everything shows, the gap signed in logits and flagged
    seen = _post(admin, f"/questions/{qid}/estimates", probability="0.7")
    assert "Hidden until" not in seen and "armour massing" in seen and "under control" in seen
    assert re.search(r'<span class="logits softer">-3\.58</span>', seen), "logit(0.1) - logit(0.8) = -3.58"
    assert "softer than the analysts by more than 0.50 logits" in seen and "The model" in seen
    assert re.search(r'<td class="num">2</td>', admin.get("/questions").text), "two analysts' estimates"


def test_forms_by_role_and_resolution_by_the_owner(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    viewer, analyst, officer = as_role("viewer"), as_role("analyst"), as_role("duty_officer")
    assert 'action="/questions"' in analyst.get("/questions").text
    assert 'action="/questions"' not in viewer.get("/questions").text
    page = _post(analyst, "/questions", title="Will the bridge at Sudzha be struck?", criteria="A strike is reported.",
                 resolves_by="2099-01-01")
    qid = max(v.question.id for v in ws.judgments.listing())
    assert "question" in page and "Will the bridge at Sudzha be struck?" in page
    assert "/estimates" in page and f'action="/questions/{qid}/resolve"' in page  # the owner resolves
    assert "/lines" not in page  # an analyst does not publish the line
    shown = officer.get(f"/questions/{qid}").text
    assert f'action="/questions/{qid}/lines"' in shown and "/resolve" not in shown  # not the owner
    read = viewer.get(f"/questions/{qid}").text
    assert "/estimates" not in read and "/lines" not in read and "/resolve" not in read  # a viewer only reads
    bad = _post(analyst, f"/questions/{qid}/estimates", probability="1")
    assert "FW-E" in bad and "not strictly between 0 and 1" in bad
    assert "is not a number" in _post(analyst, f"/questions/{qid}/estimates", probability="lots")
    assert "is not a date" in _post(analyst, "/questions", title="x", criteria="y", resolves_by="soon")
    done = _post(analyst, f"/questions/{qid}/resolve", outcome="no", rationale="Nothing was struck.")
    assert "is resolved-no" in done and "Nothing was struck." in done and "/estimates" not in done
    assert ws.judgments.view(str(qid)).question.resolved_by == "analyst"
    assert viewer.get("/questions/99999").status_code == 404


def test_iso_dates_words_and_form_numbers() -> None:
    assert bands()[0] == ("0.00–0.05", "almost no chance") and bands()[-1] == ("0.95–1.00", "almost certainly")
    assert (number("0.3"), number(" ,25 "), number("30%")) == (0.3, 0.25, 0.3)
    for bad in ("", "nan", "inf", "0", "1.5", "-0.1", "30"):
        with pytest.raises(InvalidArgument):
            number(bad)


def test_the_pages_show_iso_dates(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    q = ws.judgments.add_question("Will it rain?", "It rains.", date(2099, 3, 4))
    analyst = as_role("analyst")
    assert "2099-03-04" in analyst.get("/questions").text and "2099-03-04" in analyst.get(f"/questions/{q.id}").text
