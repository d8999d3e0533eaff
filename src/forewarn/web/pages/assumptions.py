"""The key assumptions pages (issue 17, item 8): the assumptions the viewer may see (all, a question's, or the
flagged ones awaiting review) with a form to add one, and one assumption: its text, its signposts rendered
readable (and their YAML), the evidence that matched them with links, and the review form (its owner or an admin).
Reads go through ``ws.assumptions``, which shows a question's assumptions only to those the question is revealed
to; each post is one ledgered action, a refusal comes back as a flash."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from forewarn.errors import InvalidArgument
from forewarn.model import Role
from forewarn.model.assumption import REVIEWABLE, SIGNPOSTS_MAX, TEXT_MAX, AssumptionState
from forewarn.model.judgment import RATIONALE_MAX
from forewarn.warn.assumptions import signpost_json
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.render import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form(max_length=RATIONALE_MAX)]
LABELS = {"types": "event types", "modes": "modes", "actor_countries": "actor countries",
          "actor_sectors": "actor sectors", "recipient_countries": "recipient countries",
          "recipient_sectors": "recipient sectors", "keywords": "any of the words", "speakers": "speakers",
          "speaker_countries": "speaker countries", "speaker_sectors": "speaker sectors", "stances": "stances",
          "min_confidence": "lowest confidence", "description": "description"}
PLACES = {"countries": "in", "admin1": "in", "point": "within the radius of", "radius_km": "radius (km)"}
EXAMPLE = """- id: bridging-at-border
  name: Bridging vehicles at the Kursk border
  types: [MOBILIZE]
  actor: {countries: [UKR]}
  keywords: [bridging, pontoon*]
  region: {admin1: ["RUS:Kursk Oblast"]}
"""


@router.get("/assumptions")
def assumptions_page(request: Request, p: Viewer, question: Annotated[str | None, Query(max_length=64)] = None,
                     state: Annotated[AssumptionState | None, Query()] = None) -> Response:
    ws = acting(request, p)
    found = ws.assumptions.listing(question or None, state)
    asked = ws.judgments.view(question, model=False).question if question else None
    response = render(request, "assumptions.html", rows=found, question=asked, state=state,
                      states=list(AssumptionState), may_add=p.may(Role.ANALYST) and asked is not None,
                      text_max=TEXT_MAX, signposts_max=SIGNPOSTS_MAX, example=EXAMPLE, flash=take_flash(request))
    return clear_flash(request, response)


@router.get("/assumptions/{assumption_id}")
def assumption_page(request: Request, p: Viewer, assumption_id: Id) -> Response:
    ws = acting(request, p)
    v = ws.assumptions.get(assumption_id)
    a = v.assumption
    mine = ws.who.name == a.owner or ws.who.name == a.created_by
    response = render(request, "assumption.html", v=v, a=a, q=v.question,
                      signposts=[readable(signpost_json(i, r)) for i, r in v.signposts],
                      may_review=a.state in REVIEWABLE and (p.may(Role.ADMIN) or (mine and p.may(Role.ANALYST))),
                      may_withdraw=a.state is not AssumptionState.WITHDRAWN and (
                          p.may(Role.ADMIN) or (mine and p.may(Role.ANALYST))),
                      flash=take_flash(request))
    return clear_flash(request, response)


@router.post("/assumptions")
def add_assumption(request: Request, p: ActAnalyst, question: Annotated[str, Form(max_length=64)] = "",
                   text: Annotated[str, Form(max_length=TEXT_MAX)] = "",
                   signposts: Annotated[str, Form(max_length=SIGNPOSTS_MAX)] = "") -> Response:
    desk = acting(request, p).assumptions

    def action() -> tuple[str, str]:
        a = desk.add(question, text, signposts)
        return f"assumption {a.id} added; its signposts are checked each cycle", f"/assumptions/{a.id}"
    return attempt(request, f"/assumptions?question={question}" if question.isalnum() else "/assumptions", action)


@router.post("/assumptions/{assumption_id}/review")
def review(request: Request, p: ActAnalyst, assumption_id: Id, outcome: Annotated[str, Form(max_length=8)] = "",
           rationale: Text = "") -> Response:
    desk = acting(request, p).assumptions

    def action() -> str:
        if outcome not in ("holds", "broken"):
            raise InvalidArgument(f"outcome {outcome!r} is not holds or broken", hint="choose one of the two")
        return f"assumption {assumption_id} is {desk.review(assumption_id, outcome == 'holds', rationale).state}"
    return attempt(request, f"/assumptions/{assumption_id}", action)


@router.post("/assumptions/{assumption_id}/withdraw")
def withdraw(request: Request, p: ActAnalyst, assumption_id: Id) -> Response:
    desk = acting(request, p).assumptions
    return attempt(request, f"/assumptions/{assumption_id}",
                   lambda: f"assumption {assumption_id} is {desk.withdraw(assumption_id).state}")


def readable(found: dict[str, Any]) -> dict[str, Any]:
    """A signpost for the page: its name and id, what it watches, and its filters as (label, value) pairs."""
    filters = [(LABELS[k], ", ".join(map(str, v)) if isinstance(v, list) else str(v))
               for k, v in found.items() if k in LABELS]
    region = found.get("region")
    where = "anywhere" if region is None else "; ".join(
        f"{PLACES[k]} {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in region.items())
    return {"id": found["id"], "name": found["name"], "kind": found["kind"], "filters": filters, "region": where}
