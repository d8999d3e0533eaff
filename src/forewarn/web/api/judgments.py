"""Questions, blind estimates and published lines (issue 17): the questions and one question as the caller may
see it (the blind rule: others' estimates, the lines and the model's probability only once the caller's own
estimate is in, or the reveal time has passed), adding and resolving a question, recording an estimate
(analyst) and publishing the line (duty officer). QUESTION is a number, or a scenario's id."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, Field

from forewarn.ingest.annotations import asked_compartment
from forewarn.model.judgment import RATIONALE_MAX, TITLE_MAX, QuestionState
from forewarn.warn.judgments import estimate_json, question_json, view_json
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.dissent import DissentOut, dissent_out
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting

router = APIRouter(tags=["questions"])
Ref = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                          description="the question's number, or a scenario's id for the scenario's own question",
                          examples=["1"])]
Probability = Annotated[float, Field(gt=0, lt=1, description="strictly between 0 and 1")]
OUTCOMES = {"yes": QuestionState.RESOLVED_YES, "no": QuestionState.RESOLVED_NO, "annul": QuestionState.ANNULLED}


class QuestionOut(BaseModel):
    id: int
    title: str
    criteria: str
    resolves_by: str
    owner: str
    state: str
    scenario_id: str | None
    reveal_at: str | None
    created_by: str
    created_at: str
    resolution: str | None
    resolved_by: str | None
    resolved_at: str | None


class EstimateOut(BaseModel):
    id: int
    question_id: int
    analyst: str
    probability: float
    words: str
    rationale: str
    at: str
    blind: bool


class LineOut(BaseModel):
    id: int
    question_id: int
    probability: float
    words: str
    published_by: str
    at: str
    gap: float | None = Field(description="logit(line) - logit(median of the blind estimates before it); null "
                              "while withheld from a blind publisher")
    model_gap: float | None = Field(description="logit(line) - logit(the model's probability then)")
    flagged: bool | None = Field(description="softer than the analysts by more than the softening_gap setting; "
                                 "null while withheld")
    withheld: bool = Field(False, description="true: the gaps and the flag are withheld from a publisher who has "
                           "no estimate of their own on a question not yet revealed (the blind rule)")


class ViewOut(BaseModel):
    question: QuestionOut
    mine: list[EstimateOut]
    revealed: bool = Field(description="false: others, lines and model are withheld by the blind rule")
    others: list[EstimateOut]
    lines: list[LineOut]
    model: float | None
    model_words: str | None
    history: list[EstimateOut] = Field(description="every analyst's estimates, oldest first, once revealed; "
                                       "before, only the caller's own")
    asked: bool = Field(description="false: a scenario's question no one has estimated on yet (not stored)")
    dissents: list[DissentOut] | None = Field(None, description="dissents from its lines, oldest first (only on "
                                              "the single-question read; empty while the lines are withheld)")


class QuestionIn(BaseModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    criteria: str = Field(min_length=1, max_length=RATIONALE_MAX)
    resolves_by: date
    owner: str | None = Field(None, min_length=1, max_length=128)
    reveal_at: AwareDatetime | None = None
    marking: str | None = Field(None, max_length=32, description="who may see it and all tied to it: TLP:AMBER, "
                                "TLP:AMBER+STRICT or TLP:RED (default: every account)")
    teams: list[str] = Field([], max_length=20, description="owning teams of its marking")
    recipients: list[str] = Field([], max_length=50, description="named recipients (AMBER: accounts or teams; RED: "
                                  "accounts)")


class EstimateIn(BaseModel):
    probability: Probability
    rationale: str = Field("", max_length=RATIONALE_MAX)


class LineIn(BaseModel):
    probability: Probability
    words: str | None = Field(None, max_length=64, description="the words passed up (ICD 203 words by default)")


class ResolveIn(BaseModel):
    outcome: Literal["yes", "no", "annul"]
    rationale: str = Field(min_length=1, max_length=RATIONALE_MAX)


def _view(found: dict[str, Any]) -> ViewOut:
    return ViewOut.model_validate(found)


@router.get("/questions", response_model=Page[ViewOut],
            summary="The questions (newest first) as the caller may see them (the blind rule)")
def list_questions(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                   state: Annotated[QuestionState | None, Query(description="open, resolved-yes, …")] = None
                   ) -> Page[ViewOut]:
    found = acting(request, p).judgments.listing(state)
    shown = found[paging.offset:paging.offset + paging.limit]
    return paging.page(request, [_view(view_json(v)) for v in shown], len(found))


@router.post("/questions", response_model=QuestionOut, status_code=201,
             summary="Add a question (analyst; ledgered: question-added)")
def add_question(request: Request, p: ActAnalyst, body: QuestionIn) -> QuestionOut:
    q = acting(request, p).judgments.add_question(body.title, body.criteria, body.resolves_by, body.owner,
                                                  body.reveal_at,
                                                  asked_compartment(body.marking, body.teams, body.recipients))
    return QuestionOut.model_validate(question_json(q))


@router.get("/questions/{ref}", response_model=ViewOut,
            summary="One question as the caller may see it (the blind rule)")
def show_question(request: Request, p: Viewer, ref: Ref) -> ViewOut:
    ws = acting(request, p)
    v = ws.judgments.shown(ref)
    out = _view(view_json(v))
    out.dissents = [dissent_out(d) for d in ws.dissents.of_view(v)]
    return out


@router.post("/questions/{ref}/estimates", response_model=EstimateOut, status_code=201,
             summary="Record the caller's estimate (analyst; ledgered: estimate-recorded)")
def estimate(request: Request, p: ActAnalyst, ref: Ref, body: EstimateIn) -> EstimateOut:
    e = acting(request, p).judgments.estimate(ref, body.probability, body.rationale)
    return EstimateOut.model_validate(estimate_json(e))


@router.post("/questions/{ref}/lines", response_model=LineOut, status_code=201,
             summary="Publish the team's line (duty officer; ledgered: line-published, with its softening gap)")
def publish(request: Request, p: ActDutyOfficer, ref: Ref, body: LineIn) -> LineOut:
    desk = acting(request, p).judgments
    x = desk.publish_line(ref, body.probability, body.words)
    return LineOut.model_validate(desk.line_shown(x))


@router.post("/questions/{ref}/resolve", response_model=QuestionOut,
             summary="Resolve a question yes or no, or annul it (its owner or an admin; ledgered: question-resolved)")
def resolve(request: Request, p: ActAnalyst, ref: Ref, body: ResolveIn) -> QuestionOut:
    q = acting(request, p).judgments.resolve(ref, OUTCOMES[body.outcome], body.rationale)
    return QuestionOut.model_validate(question_json(q))
