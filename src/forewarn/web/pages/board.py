"""The board (open warnings, acted on in place), the list of all warnings, and one warning's page
with its evidence and history. Actions post forms here and come back (303) with a flash message;
the role and the CSRF token are checked on every one whatever the page showed."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response

from forewarn.accounts import Role
from forewarn.model import WarningRecord
from forewarn.warn.board import scenario_lines
from forewarn.web.api.common import Paging
from forewarn.web.api.evidence import warning_evidence
from forewarn.web.api.warnings import STATES
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, history_rows, safe_next, take_flash
from forewarn.web.pages.dissent import warning_section
from forewarn.web.render import render

router = APIRouter()

BOARD_LIMIT = 100  # open warnings drawn on the board; the list pages the rest
WarningId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Next = Annotated[str, Form(max_length=500)]


@router.get("/")
def board(request: Request, p: Viewer) -> Response:
    ws = acting(request, p)
    found = ws.warnings.board_view(BOARD_LIMIT, watched=p.may(Role.ANALYST))
    names = found.listing.names
    response = render(
        request, "board.html", warnings=found.listing.warnings, total=found.listing.total, cursor=found.cursor,
        names=names, watched=found.watched, names_json=json.dumps(names), dissents=found.listing.dissents,
        clock=ws.clock(), flash=take_flash(request), can_act=p.may(Role.DUTY_OFFICER),
        can_raise=p.may(Role.ANALYST), severities=list(ws.warnings.policy().ack_minutes),
        handover=ws.handovers.latest(),  # the shift handover panel
        scenario_lines=scenario_lines(ws.judgments.scenario_lines().values(),  # issue 17: 3 queries in all
                                      ws.settings.softening_gap))
    return clear_flash(request, response)


@router.get("/warnings")
def warning_list(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                 state: Annotated[Literal["open", "raised", "acknowledged", "disposed", "all"], Query()] = "all",
                 severity: Annotated[str | None, Query(max_length=32)] = None,
                 scenario: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    ws = acting(request, p)
    found = ws.warnings.listing(STATES[state], severity=severity, scenario_id=scenario, limit=paging.limit,
                                offset=paging.offset)
    params = {"state": state, "severity": severity, "scenario": scenario, "limit": paging.limit}
    return render(request, "board.html", listing=True, warnings=found.warnings, total=found.total, names=found.names,
                  dissents=found.dissents, params=params, state=state, limit=paging.limit, offset=paging.offset,
                  clock=ws.clock(), flash=None, can_act=False, can_raise=False,
                  severities=list(ws.warnings.policy().ack_minutes))


@router.get("/warnings/{warning_id}")
def warning_page(request: Request, p: Viewer, warning_id: WarningId) -> Response:
    ws = acting(request, p)
    view = ws.warnings.view(warning_id)
    response = render(request, "warning.html", w=view.warning, history=history_rows(view.history),
                      hidden=view.hidden_text,
                      evidence=warning_evidence(ws, view.warning),
                      documents=view.documents, events=view.events, names=view.names, clock=ws.clock(),
                      flash=take_flash(request), can_act=p.may(Role.DUTY_OFFICER), reminders=view.reminders_left,
                      **warning_section(ws, view.warning))  # dissents from its disposition
    return clear_flash(request, response)


def _said(w: WarningRecord, what: str) -> str:
    return f"Warning {w.id} {what}: {w.title}"


@router.post("/warnings/{warning_id}/acknowledge")
def acknowledge(request: Request, p: ActDutyOfficer, warning_id: WarningId,
                note: Annotated[str, Form(max_length=5000)] = "", next: Next = "/") -> Response:
    desk = acting(request, p).warnings
    return attempt(request, safe_next(next), lambda: _said(desk.acknowledge(warning_id, note or None), "acknowledged"))


@router.post("/warnings/{warning_id}/dispose")
def dispose(request: Request, p: ActDutyOfficer, warning_id: WarningId,
            disposition: Annotated[str, Form(max_length=32)] = "",
            rationale: Annotated[str, Form(max_length=10_000)] = "",
            signposts: Annotated[str, Form(max_length=20_000)] = "", next: Next = "/") -> Response:
    """``signposts``: one per line. Dismissing without a rationale comes back with the refusal."""
    ws = acting(request, p)
    marks = [line.strip() for line in signposts.splitlines() if line.strip()]

    def act() -> str:
        w = ws.warnings.dispose(warning_id, disposition, rationale or None, marks)
        return _said(w, f"disposed of ({w.disposition.value if w.disposition else disposition})")

    return attempt(request, safe_next(next), act)


@router.post("/warnings/{warning_id}/escalate")
def escalate(request: Request, p: ActDutyOfficer, warning_id: WarningId,
             reason: Annotated[str, Form(max_length=5000)] = "", next: Next = "/") -> Response:
    ws = acting(request, p)

    def act() -> str:
        w = ws.warnings.escalate(warning_id, reason)
        return _said(w, f"escalated to {w.owner}")

    return attempt(request, safe_next(next), act)


@router.post("/warnings")
def raise_warning(request: Request, p: ActAnalyst, title: Annotated[str, Form(max_length=500)] = "",
                  text: Annotated[str, Form(max_length=20_000)] = "",
                  severity: Annotated[str, Form(max_length=32)] = "",
                  scenario_id: Annotated[str, Form(max_length=64)] = "",
                  partner: Annotated[str, Form(max_length=200)] = "",
                  partner_ref: Annotated[str, Form(max_length=200)] = "") -> Response:
    """A warning raised by hand from the board (or, with ``partner``, one received from a partner)."""
    ws = acting(request, p)

    def act() -> str:
        w = ws.warnings.raise_warning(title, text, severity, scenario_id=scenario_id or None, partner=partner or None,
                             partner_ref=partner_ref or None)
        return _said(w, "raised")

    return attempt(request, "/", act)
