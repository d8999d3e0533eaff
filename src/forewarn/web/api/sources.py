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
from forewarn.web.auth import Viewer, root
from forewarn.web.ledger_queries import public_location

router = APIRouter(tags=["sources"])


class SourceOut(BaseModel):
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
    found = root(request).sources()  # the registry is small: one read
    return paging.page(request, [source_out(s) for s in found[paging.offset:paging.offset + paging.limit]],
                       len(found))


@router.get("/runs", response_model=Page[RunOut], summary="Ingest runs, newest first")
def list_runs(request: Request, p: Viewer, paging: Annotated[Paging, Depends()]) -> Page[RunOut]:
    store = root(request).store
    return paging.page(request, [run_out(r) for r in store.list_runs(paging.limit, paging.offset)], store.count_runs())


@router.get("/runs/{run_id}", response_model=RunDetail, summary="An ingest run and its issues")
def get_run(request: Request, p: Viewer, run_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
            paging: Annotated[Paging, Depends()]) -> RunDetail:
    ws = root(request)
    run = ws.store.get_run(run_id)  # NotFound when there is none
    issues = ws.store.run_issues(run_id, paging.limit, paging.offset)
    page = paging.page(request, [issue_out(i) for i in issues], ws.store.count_run_issues(run_id))
    return RunDetail(**run_out(run).model_dump(), issues=page)
