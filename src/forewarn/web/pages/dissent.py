"""Protected dissent on the pages (issue 17): the data of the dissent section that the question page and the
warning page include (templates/_dissents.html: the dissents the viewer may see, and a form for an analyst), and
the form's post (one ledgered action; a refusal comes back as a flash). Nothing here edits or hides a dissent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from forewarn.app import Workspace
from forewarn.model import Role, WarningRecord
from forewarn.model.dissent import DISSENT_MAX
from forewarn.warn.judgments import QuestionView
from forewarn.web.auth import ActAnalyst, acting
from forewarn.web.board_views import attempt, safe_next

router = APIRouter()


def line_section(ws: Workspace, v: QuestionView) -> dict[str, Any]:
    """The question page's dissent section: the dissents from its lines (none while it is hidden from the viewer)
    and, for an analyst who may see the lines, the form against the latest line."""
    if not v.revealed or not v.lines:
        return {"dissents": (), "dissent_form": None}
    latest = v.lines[-1]
    form = {"target": "line", "target_id": latest.id, "next": f"/questions/{v.question.id}#dissents",
            "about": f"the published line ({latest.probability:.2f}, “{latest.words}”)"}
    return {"dissents": ws.dissents.of_view(v),
            "dissent_form": form if ws.who.may(Role.ANALYST) else None}


def warning_section(ws: Workspace, w: WarningRecord) -> dict[str, Any]:
    """The warning page's dissent section: the dissents from its disposition and, for an analyst when it has
    one, the form."""
    form = {"target": "disposition", "target_id": w.id, "next": f"/warnings/{w.id}#dissents",
            "about": f"the disposition ({w.disposition.value})" if w.disposition else ""}
    return {"dissents": ws.dissents.of_warning(w.id),
            "dissent_form": form if w.disposition is not None and ws.who.may(Role.ANALYST) else None}


@router.post("/dissents")
def file_dissent(request: Request, p: ActAnalyst, target: Annotated[str, Form(max_length=16)] = "",
                 target_id: Annotated[int, Form(ge=1, le=2**31 - 1)] = 1,
                 text: Annotated[str, Form(max_length=DISSENT_MAX)] = "",
                 next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    desk = acting(request, p).dissents

    def action() -> str:
        d = desk.file(target, target_id, text)
        return f"your dissent from the {'line' if d.question_id is not None else 'disposition'} is recorded"
    return attempt(request, safe_next(next), action)
