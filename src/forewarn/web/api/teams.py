"""Teams, markings and the audit (issue 18): teams and their members (admins change them; a team's members and
admins read it), raising the marking of a source, document, scenario or question (its owner; never lowered,
FW-E107), who read which restricted object (admins) and a team's report (admins and its members). Every change
is a ledger entry naming the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from forewarn.model.marking import Compartment
from forewarn.warn.teams import Raised, ReadRow, Team, TeamReport
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActAdmin, ActAnalyst, Admin, Viewer, acting
from forewarn.web.ledger_views import moment

router = APIRouter(tags=["teams"])
TeamId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Account = Annotated[str, PathParam(min_length=1, max_length=128)]


class MemberOut(BaseModel):
    account: str
    added_by: str
    added_at: datetime


class TeamOut(BaseModel):
    id: str
    name: str
    created_by: str
    created_at: datetime
    members: list[MemberOut]


class NewTeam(BaseModel):
    id: Annotated[str, Field(min_length=1, max_length=64, description="a slug, e.g. border-watch")]
    name: Annotated[str, Field(max_length=200, description="default: its id")] = ""


class NewMember(BaseModel):
    account: Annotated[str, Field(min_length=1, max_length=128, description="an existing account")]


class NewMarking(BaseModel):
    marking: Annotated[str, Field(min_length=1, max_length=24, description="GREEN, AMBER, AMBER+STRICT or RED")]
    team: Annotated[str | None, Field(max_length=64, description="an owning team to add (yours)")] = None
    recipients: Annotated[list[Annotated[str, Field(min_length=1, max_length=128)]] | None,
                          Field(max_length=100, description="RED: accounts; AMBER: accounts or teams; "
                                                            "null keeps those of the same marking")] = None
    existing: bool = Field(False, description="a source: raise the documents it brought in already too")


class CompartmentOut(BaseModel):
    label: str
    marking: str
    teams: list[str]
    recipients: list[str]


class RaisedOut(BaseModel):
    kind: str
    id: str
    before: CompartmentOut
    after: CompartmentOut
    cascaded: dict[str, int] = Field(description="derived rows that followed, by kind")


class ReadOut(BaseModel):
    at: datetime
    account: str
    kind: str
    object_id: str | None = Field(description="null: an object you may not see")
    via: str


class HoldingOut(BaseModel):
    kind: str
    marking: str
    count: int


class SharedOut(BaseModel):
    label: str
    marking: str
    recipients: list[str]
    objects: int


class MatchedOut(BaseModel):
    kind: str
    shown: str | None = Field(description="the team's own text of its selector (its members only)")
    found_at: datetime
    excluded: bool


class RequestOut(BaseModel):
    direction: Literal["made", "received"]
    state: str
    at: datetime


class ReportOut(BaseModel):
    team: TeamOut
    holdings: list[HoldingOut] = Field(description="objects it owns by kind and marking (those you may see)")
    shared: list[SharedOut] = Field(description="its compartments naming recipients: who was given access")
    matched: list[MatchedOut]
    requests: list[RequestOut]


def team_out(x: Team) -> TeamOut:
    return TeamOut(id=x.id, name=x.name, created_by=x.created_by, created_at=x.created_at,
                   members=[MemberOut(account=m.account, added_by=m.added_by, added_at=m.added_at)
                            for m in x.members])


def compartment_out(x: Compartment) -> CompartmentOut:
    return CompartmentOut(label=x.label, marking=x.marking.value, teams=list(x.teams), recipients=list(x.recipients))


def raised_out(r: Raised) -> RaisedOut:
    return RaisedOut(kind=r.kind, id=r.id, before=compartment_out(r.before), after=compartment_out(r.after),
                     cascaded=r.cascaded)


def read_out(r: ReadRow) -> ReadOut:
    return ReadOut(at=r.at, account=r.account, kind=r.kind, object_id=r.object_id, via=r.via)


def report_out(r: TeamReport) -> ReportOut:
    return ReportOut(
        team=team_out(r.team), holdings=[HoldingOut(kind=h.kind, marking=h.marking, count=h.count) for h in r.holdings],
        shared=[SharedOut(label=s.label, marking=s.marking, recipients=list(s.recipients), objects=s.objects)
                for s in r.shared],
        matched=[MatchedOut(kind=m.kind, shown=m.shown, found_at=m.found_at, excluded=m.excluded) for m in r.matched],
        requests=[RequestOut(direction="made" if a.direction == "made" else "received", state=a.state, at=a.at)
                  for a in r.requests])


@router.get("/teams", response_model=Page[TeamOut], summary="The teams (admins: all; anyone else: their own)")
def list_teams(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[TeamOut]:
    found = acting(request, p).teams.teams()
    return paging.page(request, [team_out(x) for x in found[paging.offset:paging.offset + paging.limit]], len(found))


@router.post("/teams", response_model=TeamOut, status_code=201, summary="Add a team (admin)")
def add_team(request: Request, p: ActAdmin, body: NewTeam) -> TeamOut:
    return team_out(acting(request, p).teams.add(body.id, body.name))


@router.get("/teams/{team_id}", response_model=TeamOut, summary="A team and its members (admins and its members)")
def get_team(request: Request, p: Viewer, team_id: TeamId) -> TeamOut:
    return team_out(acting(request, p).teams.get(team_id))


@router.post("/teams/{team_id}/members", response_model=TeamOut, status_code=201,
             summary="Put an account in a team (admin)")
def add_member(request: Request, p: ActAdmin, team_id: TeamId, body: NewMember) -> TeamOut:
    return team_out(acting(request, p).teams.add_member(team_id, body.account))


@router.delete("/teams/{team_id}/members/{account}", response_model=TeamOut,
               summary="Take an account out of a team (admin)")
def remove_member(request: Request, p: ActAdmin, team_id: TeamId, account: Account) -> TeamOut:
    return team_out(acting(request, p).teams.remove_member(team_id, account))


@router.get("/teams/{team_id}/report", response_model=ReportOut,
            summary="A team's holdings, what it shared and what was matched (admins and its members)")
def team_report(request: Request, p: Viewer, team_id: TeamId) -> ReportOut:
    return report_out(acting(request, p).teams.report(team_id))


@router.post("/markings/{kind}/{object_id}", response_model=RaisedOut,
             summary="Raise the marking of a source, document, scenario or question (its owner; never lowered)")
def raise_marking(request: Request, p: ActAnalyst, kind: Literal["source", "document", "scenario", "question"],
                  object_id: Annotated[str, PathParam(min_length=1, max_length=160)], body: NewMarking) -> RaisedOut:
    desk = acting(request, p).teams
    names = tuple(body.recipients) if body.recipients is not None else None
    return raised_out(desk.mark(kind, object_id, body.marking, body.team, names, body.existing))


@router.get("/audit/reads", response_model=Page[ReadOut], summary="Who read which AMBER or RED object (admin)")
def audit_reads(request: Request, p: Admin, paging: Annotated[Paging, Depends()],
                account: Annotated[str | None, Query(max_length=128)] = None,
                object_id: Annotated[str | None, Query(alias="object", max_length=160)] = None,
                since: Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD or ISO date-time")] = None,
                ) -> Page[ReadOut]:
    rows, total = acting(request, p).teams.reads(account, object_id, moment(since, "since"), paging.limit,
                                                 paging.offset)
    return paging.page(request, [read_out(r) for r in rows], total)
