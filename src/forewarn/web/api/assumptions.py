"""Key assumptions with signposts (issue 17, item 8): the assumptions the caller may see (a question's only once
the question is revealed to them: their own estimate is in, its reveal time passed or it closed), one with its
signposts and the evidence that matched them, adding (analyst), reviewing (its owner or an admin: holds or broken,
with a rationale) and withdrawing. The warning cycle flags an assumption whose signpost matched new evidence."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from forewarn.model.assumption import SIGNPOSTS_MAX, TEXT_MAX, AssumptionState
from forewarn.model.judgment import RATIONALE_MAX
from forewarn.warn.assumptions import assumption_json, view_json
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActAnalyst, Viewer, acting

router = APIRouter(tags=["assumptions"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="the assumption's number", examples=[1])]


class AssumptionOut(BaseModel):
    id: int
    question_id: int
    line_id: int | None
    owner: str
    text: str
    signposts: str = Field(description="YAML: indicators in the scenario format, each with its region")
    state: str = Field(description="holding, flagged, reviewed-holds, reviewed-broken or withdrawn")
    created_by: str
    created_at: str
    checked_until: str = Field(description="observations known after this time are new to its signposts")
    review: str | None
    reviewed_by: str | None
    reviewed_at: str | None


class MatchOut(BaseModel):
    signpost: str
    kind: str = Field(description="event or claim")
    evidence_id: str
    document_id: str
    known_at: str
    found_at: str
    evidence: str


class QuestionRef(BaseModel):
    id: int
    title: str


class AssumptionViewOut(BaseModel):
    assumption: AssumptionOut
    question: QuestionRef
    signposts: list[dict[str, Any]] = Field(description="each signpost's filters, as read")
    matches: list[MatchOut]


class AssumptionIn(BaseModel):
    question: str = Field(min_length=1, max_length=64, description="a question's number, or a scenario's id")
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    signposts: str = Field(min_length=1, max_length=SIGNPOSTS_MAX)
    owner: str | None = Field(None, min_length=1, max_length=128)
    line_id: int | None = Field(None, ge=1, le=2**31 - 1)


class ReviewIn(BaseModel):
    outcome: Literal["holds", "broken"]
    rationale: str = Field(min_length=1, max_length=RATIONALE_MAX)


@router.get("/assumptions", response_model=Page[AssumptionOut],
            summary="The assumptions the caller may see (newest first), of a question and/or in a state")
def list_assumptions(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                     question: Annotated[str | None, Query(max_length=64)] = None,
                     state: Annotated[AssumptionState | None, Query(description="holding, flagged, …")] = None
                     ) -> Page[AssumptionOut]:
    found = acting(request, p).assumptions.listing(question, state)
    shown = found[paging.offset:paging.offset + paging.limit]
    return paging.page(request, [AssumptionOut.model_validate(assumption_json(a)) for a in shown], len(found))


@router.post("/assumptions", response_model=AssumptionOut, status_code=201,
             summary="Add an assumption with its signposts (analyst; ledgered: assumption-added)")
def add_assumption(request: Request, p: ActAnalyst, body: AssumptionIn) -> AssumptionOut:
    a = acting(request, p).assumptions.add(body.question, body.text, body.signposts, body.owner, body.line_id)
    return AssumptionOut.model_validate(assumption_json(a))


@router.get("/assumptions/{assumption_id}", response_model=AssumptionViewOut,
            summary="One assumption with its signposts and the evidence that matched them")
def show_assumption(request: Request, p: Viewer, assumption_id: Id) -> AssumptionViewOut:
    return AssumptionViewOut.model_validate(view_json(acting(request, p).assumptions.get(assumption_id)))


@router.post("/assumptions/{assumption_id}/review", response_model=AssumptionOut,
             summary="Review an assumption: holds or broken (its owner or an admin; ledgered: assumption-reviewed)")
def review_assumption(request: Request, p: ActAnalyst, assumption_id: Id, body: ReviewIn) -> AssumptionOut:
    a = acting(request, p).assumptions.review(assumption_id, body.outcome == "holds", body.rationale)
    return AssumptionOut.model_validate(assumption_json(a))


@router.post("/assumptions/{assumption_id}/withdraw", response_model=AssumptionOut,
             summary="Withdraw an assumption (its owner, author or an admin; ledgered: assumption-withdrawn)")
def withdraw_assumption(request: Request, p: ActAnalyst, assumption_id: Id) -> AssumptionOut:
    return AssumptionOut.model_validate(assumption_json(acting(request, p).assumptions.withdraw(assumption_id)))
