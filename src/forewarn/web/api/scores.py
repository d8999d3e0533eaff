"""Scores of the resolved questions (issue 17): ``GET /api/v1/scores`` — the leaderboard (time-averaged Brier and
log scores, coverage), calibration (reliability table, Murphy decomposition), discrimination and the aggregation
report, with only the rows the caller may see (forewarn.reads.scores: a viewer gets the published line, the model
and the team; an analyst their own row by name and the others lettered; an admin every name)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from forewarn.reads.scores import MAX_BINS, board_json
from forewarn.web.auth import Viewer, acting

router = APIRouter(tags=["scores"])


class BinOut(BaseModel):
    lower: float
    upper: float
    mean_forecast: float
    observed: float = Field(description="the share of these forecasts whose question resolved yes")
    count: int


class CalibrationOut(BaseModel):
    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_variance: float
    within_covariance: float
    rows: list[BinOut]


class DiscriminationOut(BaseModel):
    auc: float | None
    mean_difference: float | None = Field(description="mean forecast on yes minus on no")


class RowOut(BaseModel):
    kind: str = Field(description="analyst, line, model or team")
    label: str = Field(description="a name, or 'analyst A' … where the caller may not see the name")
    own: bool
    brier: float
    log: float
    coverage: float
    questions: int
    forecasts: int
    calibration: CalibrationOut | None = Field(description="null under 10 forecasts")
    discrimination: DiscriminationOut | None


class ReportOut(BaseModel):
    loss: str
    questions: int
    mean: float
    median: float
    log_odds_mean: float
    extremized_loo: float
    factor: float
    loo_factors: list[float]


class AggregationOut(BaseModel):
    brier: ReportOut | None
    log: ReportOut | None


class BoardOut(BaseModel):
    at: str
    questions: int
    annulled: int
    bins: int
    withheld: int = Field(description="analysts' rows the caller may not see")
    rows: list[RowOut]
    pooled: RowOut | None
    aggregation: AggregationOut


@router.get("/scores", response_model=BoardOut, summary="Scores, calibration and aggregation of resolved questions")
def scores(request: Request, p: Viewer,
           bins: Annotated[int, Query(ge=1, le=MAX_BINS, description="bins of the reliability table")] = 10
           ) -> BoardOut:
    ws = acting(request, p)
    return BoardOut.model_validate(board_json(ws.reads.scores(ws.clock(), bins)))
