"""Deconfliction inside the workspace (issue 18): the caller's teams' matches (each selector as the caller's team
holds it, never the other side's, no content, no source, no count, not which team), running the matching (analyst),
brokered requests to talk (analyst, member of the team: the other team sees the request, not who asked; accepting
reveals both teams' names and the requester's and answerer's, declining reveals nothing) and selectors not to be
matched. Each action is ledgered with commitments, never the values. docs/sharing.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from forewarn.geo.selectors import KINDS
from forewarn.warn.deconfliction.desk import match_json, run_json, selector_json, talk_json
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActAnalyst, Viewer, acting

router = APIRouter(tags=["deconfliction"])
MatchId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the match's number", examples=[1])]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the request's number", examples=[1])]


class TalkOut(BaseModel):
    id: int
    direction: str = Field(description="sent (your team asked) or received")
    state: str = Field(description="open, accepted or declined")
    requested_at: str
    answered_at: str | None
    other_team: str | None = Field(description="the other team's name, once a request is accepted")
    requested_by: str | None = Field(description="who asked: your own side, or once accepted")
    answered_by: str | None


class MatchOut(BaseModel):
    id: int
    team: str = Field(description="your team that holds the selector")
    kind: str
    selector: str = Field(description="the selector as your team holds it")
    found_at: str
    excluded: bool = Field(description="your side or the other marked it not to be matched since")
    message: str
    requests: list[TalkOut]


class SelectorOut(BaseModel):
    id: int
    team: str
    kind: str
    selector: str
    excluded_at: str | None
    excluded_by: str | None


class RunOut(BaseModel):
    until: str = Field(description="holdings ingested or extracted by then are matched")
    matched: bool


class RequestIn(BaseModel):
    team: str | None = Field(None, min_length=1, max_length=64, description="your side (when in both teams)")


class ExcludeIn(BaseModel):
    team: str = Field(min_length=1, max_length=64)
    kind: str | None = Field(None, description="one of " + ", ".join(KINDS))
    text: str | None = Field(None, min_length=1, max_length=500)
    selector: int | None = Field(None, ge=1, le=2**31 - 1, description="or the selector's number")


@router.get("/deconfliction", response_model=Page[MatchOut],
            summary="Your teams' matches: another team holds reporting on these selectors (as you hold them)")
def list_matches(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[MatchOut]:
    found = acting(request, p).deconfliction.listing()
    shown = found[paging.offset:paging.offset + paging.limit]
    return paging.page(request, [MatchOut.model_validate(match_json(v)) for v in shown], len(found))


@router.post("/deconfliction/run", response_model=RunOut,
             summary="Match the holdings new since the last run (analyst; each warning cycle does too)")
def run_matching(request: Request, p: ActAnalyst) -> RunOut:
    return RunOut.model_validate(run_json(acting(request, p).deconfliction.run()))


@router.post("/deconfliction/matches/{match_id}/request", response_model=TalkOut, status_code=201,
             summary="Ask the other team of a match to talk (analyst, member; ledgered: deconfliction-requested)")
def request_talk(request: Request, p: ActAnalyst, match_id: MatchId, body: RequestIn | None = None) -> TalkOut:
    x = acting(request, p).deconfliction.request(match_id, body.team if body else None)
    return TalkOut.model_validate(talk_json(x))


@router.post("/deconfliction/requests/{request_id}/accept", response_model=TalkOut,
             summary="Accept a request to talk: both sides see each other's team and names (ledgered)")
def accept(request: Request, p: ActAnalyst, request_id: RequestId) -> TalkOut:
    return TalkOut.model_validate(talk_json(acting(request, p).deconfliction.answer(request_id, True)))


@router.post("/deconfliction/requests/{request_id}/decline", response_model=TalkOut,
             summary="Decline a request to talk: nothing is revealed (ledgered)")
def decline(request: Request, p: ActAnalyst, request_id: RequestId) -> TalkOut:
    return TalkOut.model_validate(talk_json(acting(request, p).deconfliction.answer(request_id, False)))


@router.get("/deconfliction/excluded", response_model=list[SelectorOut],
            summary="Your teams' selectors marked not to be matched")
def excluded(request: Request, p: Viewer) -> list[SelectorOut]:
    return [SelectorOut.model_validate(selector_json(r)) for r in acting(request, p).deconfliction.excluded()]


@router.post("/deconfliction/excluded", response_model=SelectorOut, status_code=201,
             summary="Mark a selector of your team not to be matched (analyst, member; ledgered)")
def exclude(request: Request, p: ActAnalyst, body: ExcludeIn) -> SelectorOut:
    r = acting(request, p).deconfliction.exclude(body.team, body.kind, body.text, body.selector)
    return SelectorOut.model_validate(selector_json(r))
