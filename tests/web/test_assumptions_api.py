"""Key assumptions over the API and the pages (issue 17, item 8): adding one with signposts (analyst), the blind
rule (another analyst sees it only once their own estimate is in), a bad signpost refused with FW-E071 and its
line and column, a cycle flagging it on new evidence (the page links the evidence), review by its owner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from detect_store_helpers import Report, seed
from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.cycle import run_cycle

SIGNPOSTS = """\
- id: bridging-at-border
  name: Bridging vehicles at the Kursk border
  types: [MOBILIZE]
  keywords: [bridging, pontoon*]
  region: {admin1: ["RUS:Kursk"]}
"""
NEWS = Report("wire", "w1", date(2024, 8, 13), "armour and pontoons of the Ukrainian army reached the border near "
              "Sudzha overnight, residents said.")
LATER = datetime(2024, 8, 14, 6, tzinfo=UTC)


def _auth(token_for: Callable[[Role | str], str], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(role)}"}


def _assumption(web: TestClient, token_for: Callable[[Role | str], str], sid: str) -> int:
    analyst = _auth(token_for, "analyst")
    assert web.post(f"/api/v1/questions/{sid}/estimates", json={"probability": 0.2}, headers=analyst).status_code == 201
    made = web.post("/api/v1/assumptions", json={"question": sid, "text": "They lack the bridging to cross",
                                                 "signposts": SIGNPOSTS}, headers=analyst)
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "holding" and made.json()["owner"] == "analyst"
    return int(made.json()["id"])


def test_add_blind_flag_and_review_over_the_api(web: TestClient, token_for: Callable[[Role | str], str],
                                                world_ws: tuple[Workspace, World], tmp_path: Path,
                                                clock: object) -> None:
    ws, world = world_ws
    aid = _assumption(web, token_for, world.scenario_id)
    admin, viewer = _auth(token_for, "admin"), _auth(token_for, "viewer")
    for who in (admin, viewer):  # no estimate of theirs on the question: hidden
        assert web.get(f"/api/v1/assumptions/{aid}", headers=who).status_code == 404
        assert web.get("/api/v1/assumptions", headers=who).json()["total"] == 0
    assert web.post("/api/v1/assumptions", json={"question": "1", "text": "x", "signposts": SIGNPOSTS},
                    headers=viewer).status_code == 403
    bad = web.post("/api/v1/assumptions", json={"question": "1", "text": "x", "signposts": "- id: x\n  typs: [A]\n"},
                   headers=_auth(token_for, "analyst"))
    assert bad.status_code == 422 and bad.json()["code"] == "FW-E071" and "signposts:2:3" in bad.json()["detail"]
    clock.now = LATER  # type: ignore[attr-defined]
    seed(ws, tmp_path / "later", (NEWS,))
    assert run_cycle(ws, LATER).flagged_assumptions == (aid,)
    shown = web.get(f"/api/v1/assumptions/{aid}", headers=_auth(token_for, "analyst")).json()
    assert shown["assumption"]["state"] == "flagged" and shown["signposts"][0]["keywords"] == ["bridging", "pontoon*"]
    assert [m["signpost"] for m in shown["matches"]] == ["bridging-at-border"] and "pontoons" in shown["matches"][0][
        "evidence"]
    flagged = web.get("/api/v1/assumptions?state=flagged", headers=_auth(token_for, "analyst")).json()
    assert [a["id"] for a in flagged["items"]] == [aid]
    assert web.post(f"/api/v1/assumptions/{aid}/review", json={"outcome": "broken", "rationale": "they crossed"},
                    headers=_auth(token_for, "duty_officer")).status_code == 403  # not its owner, not an admin
    done = web.post(f"/api/v1/assumptions/{aid}/review", json={"outcome": "broken", "rationale": "they crossed"},
                    headers=_auth(token_for, "analyst"))
    assert done.status_code == 200 and done.json()["state"] == "reviewed-broken"


def test_the_assumption_page_shows_signposts_matches_and_review(as_role: Callable[[Role | str], TestClient],
                                                                web: TestClient,
                                                                token_for: Callable[[Role | str], str],
                                                                world_ws: tuple[Workspace, World], tmp_path: Path,
                                                                clock: object) -> None:
    ws, world = world_ws
    aid = _assumption(web, token_for, world.scenario_id)
    clock.now = LATER  # type: ignore[attr-defined]
    docs = seed(ws, tmp_path / "later", (NEWS,))
    run_cycle(ws, LATER)
    page = as_role("analyst").get(f"/assumptions/{aid}")
    assert page.status_code == 200
    html = page.text
    assert "Bridging vehicles at the Kursk border" in html and "any of the words" in html and "RUS:Kursk Oblast" in html
    assert f'href="/documents/{docs["w1"]}"' in html and 'href="/events/' in html and 'id="review"' in html
    assert "flagged" in as_role("analyst").get("/assumptions?state=flagged").text
    hidden = as_role("viewer").get(f"/assumptions/{aid}")
    assert hidden.status_code == 404 and "They lack the bridging" not in hidden.text
