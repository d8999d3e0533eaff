"""Sources and ingest runs (with the issues each run met)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from forewarn.errors import Issue
from forewarn.model import IngestRun, Source
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import Viewer, acting
from forewarn.web.ledger_views import public_location

router = APIRouter(tags=["sources"])


class SourceOut(BaseModel):
    """A registered source as shown: its location without credentials, its kind, grade and marking
    as values (and the grade's label), and not its reader options (which may name local paths)."""

    id: str
    name: str
    kind: str
    location: str = Field(description="path or URL (a URL without any credentials it carries)")
    reliability: str = Field(description="Admiralty grade A–F")
    reliability_label: str
    marking: str = Field(description="Traffic Light Protocol marking")
    team: str | None
    created_at: datetime | None


class RunOut(BaseModel):
    """An ingest run: :class:`~forewarn.model.IngestRun` with its inputs shown without credentials."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str = Field(description="running, completed, interrupted or failed")
    actor: str
    inputs: list[str]
    new: int
    duplicate: int
    near_duplicate: int
    failed: int
    warnings: int


class IssueOut(BaseModel):
    """An ingest issue: :class:`~forewarn.errors.Issue` with its code and severity as values and its
    location shown without credentials."""

    code: str
    severity: str = Field(description="error: the item was not ingested; warning: ingested, but look at it")
    message: str
    location: str
    item: str | None
    hint: str


class RunDetail(RunOut):
    issues: Page[IssueOut] = Field(description="the run's issues, one page (limit/offset)")


def source_out(s: Source) -> SourceOut:
    return SourceOut(id=s.id, name=s.name, kind=s.kind.value, location=public_location(s.location),
                     reliability=s.reliability.value, reliability_label=s.reliability.label, marking=s.marking.value,
                     team=s.team, created_at=s.created_at)


def run_out(r: IngestRun) -> RunOut:
    return RunOut(id=r.id, started_at=r.started_at, finished_at=r.finished_at, status=r.status, actor=r.actor,
                  inputs=[public_location(i) for i in r.inputs], new=r.new, duplicate=r.duplicate,
                  near_duplicate=r.near_duplicate, failed=r.failed, warnings=r.warnings)


def issue_out(i: Issue) -> IssueOut:
    return IssueOut(code=i.code.value, severity=i.severity.value, message=i.message,
                    location=public_location(i.location), item=i.item, hint=i.hint)


@router.get("/sources", response_model=Page[SourceOut], summary="Registered sources")
def list_sources(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[SourceOut]:
    found = acting(request, p).reads.sources()  # the registry is small: one read (only what the asker may see)
    return paging.page(request, [source_out(s) for s in found[paging.offset:paging.offset + paging.limit]],
                       len(found))


@router.get("/runs", response_model=Page[RunOut], summary="Ingest runs, newest first")
def list_runs(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[RunOut]:
    found = acting(request, p).reads.run_list(paging.limit, paging.offset)
    return paging.page(request, [run_out(r) for r in found.items], found.total)


@router.get("/runs/{run_id}", response_model=RunDetail, summary="An ingest run and its issues")
def get_run(request: Request, p: Viewer, run_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
            paging: Annotated[Paging, Depends()]) -> RunDetail:
    run, issues = acting(request, p).reads.run_issues(run_id, paging.limit, paging.offset)  # NotFound: no run
    page = paging.page(request, [issue_out(i) for i in issues.items], issues.total)
    return RunDetail(**run_out(run).model_dump(), issues=page)
