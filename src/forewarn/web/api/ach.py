"""Competing hypotheses (issue 17, item 7): matrices of hypotheses × evidence — list, read (now or at a version,
with scores, ranking, diagnosticity and sensitivity), history; create and change (analyst; each change a version,
ledgered ach-changed). Bad input is refused with FW-E072 (422) and a hint."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from forewarn.model.ach import MAX_HYPOTHESES, MIN_HYPOTHESES, TEXT_MAX, TITLE_MAX
from forewarn.warn.ach import change_json, matrix_json, row_json
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActAnalyst, Viewer, acting

router = APIRouter(tags=["competing hypotheses"])
MatrixId = Annotated[int, Path(ge=1, le=10**9, description="the matrix's number", examples=[1])]
Number = Annotated[int, Path(ge=1, le=10**6)]


class HypothesisOut(BaseModel):
    id: int
    label: str
    text: str
    inconsistency: float = Field(description="sum over evidence of weight(grade) × (1 for I, 2 for II)")


class EvidenceOut(BaseModel):
    id: int
    label: str
    kind: str = Field(description="document, event, claim, note or text")
    ref: str
    text: str
    grade: str = Field(description="Admiralty grade: source reliability A-F, credibility 1-6 (either may be absent)")
    weight: float = Field(description="A1 1.5 … ungraded 1.0 … E5 0.5")
    href: str | None
    diagnostic: bool = Field(description="false: rated the same against every hypothesis")
    ratings: dict[str, str | None] = Field(description="by hypothesis label: CC, C, N, I, II or null (unrated)")


class SensitiveOut(BaseModel):
    evidence: str
    removed_changes_leader: bool
    reversed_changes_leader: bool
    removed_changes_ranking: bool
    reversed_changes_ranking: bool
    impact: float


class MatrixOut(BaseModel):
    id: int
    title: str
    owner: str
    question_id: int | None
    version: int
    hypotheses: list[HypothesisOut]
    evidence: list[EvidenceOut]
    ranking: list[list[str]] = Field(description="least inconsistent first; tied hypotheses share a group")
    sensitivity: list[SensitiveOut] = Field(description="the items the ranking hinges on, strongest first")


class RowOut(BaseModel):
    id: int
    title: str
    owner: str
    question_id: int | None
    version: int
    created_by: str
    created_at: str
    updated_at: str


class ChangeOut(BaseModel):
    version: int
    change: str
    payload: dict[str, Any]
    actor: str
    at: str


class MatrixIn(BaseModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    hypotheses: list[Annotated[str, Field(max_length=TEXT_MAX)]] = Field(
        min_length=1, max_length=MAX_HYPOTHESES + 1, description=f"{MIN_HYPOTHESES} to {MAX_HYPOTHESES}")
    question_id: int | None = Field(None, ge=1, le=10**9)
    owner: str | None = Field(None, min_length=1, max_length=128)


class HypothesisIn(BaseModel):
    text: str = Field(min_length=1, max_length=TEXT_MAX)


class EvidenceIn(BaseModel):
    ref: str = Field("", max_length=300, description="document:ID, event:ID, claim:DOCUMENT:SEQ or note:ID")
    text: str = Field("", max_length=TEXT_MAX, description="a free-text item (when no ref)")
    grade: str = Field("", max_length=2, description="free text: its Admiralty grade; by ref: credibility 1-6")


class RatingIn(BaseModel):
    evidence: int = Field(ge=1, le=10**6)
    hypothesis: int = Field(ge=1, le=10**6)
    rating: str = Field(max_length=4, description="CC, C, N, I, II; empty or - clears the cell")


def _out(found: Any) -> MatrixOut:
    return MatrixOut.model_validate(matrix_json(found))


@router.get("/ach", response_model=Page[RowOut], summary="The matrices, most recently changed first")
def list_matrices(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                  question: Annotated[int | None, Query(ge=1, le=10**9, description="a question's")] = None
                  ) -> Page[RowOut]:
    found = acting(request, p).ach.listing(question)
    shown = found[paging.offset:paging.offset + paging.limit]
    return paging.page(request, [RowOut.model_validate(row_json(r)) for r in shown], len(found))


@router.post("/ach", response_model=MatrixOut, status_code=201,
             summary="Create a matrix (analyst; ledgered: ach-changed, version 1)")
def create(request: Request, p: ActAnalyst, body: MatrixIn) -> MatrixOut:
    return _out(acting(request, p).ach.create(body.title, body.hypotheses, body.question_id, body.owner))


@router.get("/ach/{matrix_id}", response_model=MatrixOut,
            summary="A matrix now or at a version, with scores, ranking and sensitivity")
def show(request: Request, p: Viewer, matrix_id: MatrixId,
         version: Annotated[int | None, Query(ge=1, le=10**9, description="as it was at this version")] = None
         ) -> MatrixOut:
    return _out(acting(request, p).ach.get(matrix_id, version))


@router.get("/ach/{matrix_id}/history", response_model=list[ChangeOut], summary="Every version of a matrix")
def history(request: Request, p: Viewer, matrix_id: MatrixId) -> list[ChangeOut]:
    return [ChangeOut.model_validate(change_json(c)) for c in acting(request, p).ach.history(matrix_id)]


@router.post("/ach/{matrix_id}/hypotheses", response_model=MatrixOut, status_code=201,
             summary="Add a hypothesis (analyst; at most 12)")
def add_hypothesis(request: Request, p: ActAnalyst, matrix_id: MatrixId, body: HypothesisIn) -> MatrixOut:
    return _out(acting(request, p).ach.add_hypothesis(matrix_id, body.text))


@router.post("/ach/{matrix_id}/evidence", response_model=MatrixOut, status_code=201,
             summary="Add an evidence item by id, or free text with a grade (analyst)")
def add_evidence(request: Request, p: ActAnalyst, matrix_id: MatrixId, body: EvidenceIn) -> MatrixOut:
    return _out(acting(request, p).ach.add_evidence(matrix_id, body.ref, body.text, body.grade))


@router.post("/ach/{matrix_id}/ratings", response_model=MatrixOut, summary="Rate a cell (analyst)")
def rate(request: Request, p: ActAnalyst, matrix_id: MatrixId, body: RatingIn) -> MatrixOut:
    return _out(acting(request, p).ach.rate(matrix_id, body.evidence, body.hypothesis, body.rating))


@router.delete("/ach/{matrix_id}/hypotheses/{number}", response_model=MatrixOut,
               summary="Remove a hypothesis and its ratings (analyst; the old versions are kept)")
def remove_hypothesis(request: Request, p: ActAnalyst, matrix_id: MatrixId, number: Number) -> MatrixOut:
    return _out(acting(request, p).ach.remove_hypothesis(matrix_id, number))


@router.delete("/ach/{matrix_id}/evidence/{number}", response_model=MatrixOut,
               summary="Remove an evidence item and its ratings (analyst; the old versions are kept)")
def remove_evidence(request: Request, p: ActAnalyst, matrix_id: MatrixId, number: Number) -> MatrixOut:
    return _out(acting(request, p).ach.remove_evidence(matrix_id, number))
