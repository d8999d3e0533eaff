"""Teams, markings and the audit on the workbench (issue 18): the teams list (admins add a team), a team's page
(its members, admins add and remove them, and its report), the audit page (who read which restricted object,
admins), and the form on a document's page that raises its marking. Every change is a ledger entry; a refusal
comes back as a flash (on the document page, as the error page with its code and hint)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from forewarn.accounts import Role
from forewarn.web.auth import ActAdmin, ActAnalyst, Admin, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.ledger_views import moment
from forewarn.web.render import render

router = APIRouter()
TeamId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Text = Annotated[str, Form(max_length=200)]
AUDIT_PAGE = 100


@router.get("/teams")
def teams_page(request: Request, p: Viewer) -> Response:
    ws = acting(request, p)
    response = render(request, "teams.html", teams=ws.teams.teams(), is_admin=p.may(Role.ADMIN),
                      flash=take_flash(request))
    return clear_flash(request, response)


@router.post("/teams")
def add_team(request: Request, p: ActAdmin, team_id: Text = "", name: Text = "") -> Response:
    desk = acting(request, p).teams
    return attempt(request, "/teams", lambda: (f"team {desk.add(team_id, name).id} added",
                                               f"/teams/{team_id.strip().lower()}"))


@router.get("/teams/{team_id}")
def team_page(request: Request, p: Viewer, team_id: TeamId) -> Response:
    ws = acting(request, p)
    report = ws.teams.report(team_id)
    is_admin = p.may(Role.ADMIN)
    response = render(request, "team.html", report=report, team=report.team, is_admin=is_admin,
                      accounts=ws.accounts.users() if is_admin else [], flash=take_flash(request))
    return clear_flash(request, response)


@router.post("/teams/{team_id}/members")
def add_member(request: Request, p: ActAdmin, team_id: TeamId, account: Text = "") -> Response:
    desk = acting(request, p).teams
    return attempt(request, f"/teams/{team_id}",
                   lambda: f"{account} added to team {desk.add_member(team_id, account).id}")


@router.post("/teams/{team_id}/members/{account}/remove")
def remove_member(request: Request, p: ActAdmin, team_id: TeamId,
                  account: Annotated[str, Path(min_length=1, max_length=128)]) -> Response:
    desk = acting(request, p).teams
    return attempt(request, f"/teams/{team_id}",
                   lambda: f"{account} taken out of team {desk.remove_member(team_id, account).id}")


@router.get("/audit")
def audit_page(request: Request, p: Admin,
               account: Annotated[str | None, Query(max_length=128)] = None,
               object_id: Annotated[str | None, Query(alias="object", max_length=160)] = None,
               since: Annotated[str | None, Query(max_length=40)] = None,
               offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    rows, total = acting(request, p).teams.reads(account or None, object_id or None, moment(since or None, "since"),
                                                 AUDIT_PAGE, offset)
    return render(request, "audit.html", rows=rows, total=total, offset=offset, limit=AUDIT_PAGE,
                  account=account or "", object_id=object_id or "", since=since or "")


@router.post("/documents/{document_id}/marking")
def raise_document_marking(request: Request, p: ActAnalyst,
                           document_id: Annotated[str, Path(min_length=4, max_length=64, pattern=r"^[0-9a-f]+$")],
                           marking: Annotated[str, Form(max_length=24)] = "",
                           team: Annotated[str, Form(max_length=64)] = "",
                           recipients: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Raise a document's marking from its page; a refusal is the error page (its code and hint)."""
    names = tuple(x.strip() for x in recipients.split(",") if x.strip()) or None
    acting(request, p).teams.mark("document", document_id, marking, team.strip() or None, names)
    return RedirectResponse(f"/documents/{document_id}", status_code=303)
