"""Sources (with reliability and marking), ingest runs, and one run with the issues it met."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from forewarn.web.auth import Viewer, acting
from forewarn.web.ledger_views import public_location
from forewarn.web.render import render

router = APIRouter()
RUNS_PER_PAGE = 25
ISSUES_PER_PAGE = 100


@router.get("/sources")
def sources_page(request: Request, p: Viewer, offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    ws = acting(request, p)
    sources = [{"source": s, "location": public_location(s.location)} for s in ws.reads.sources()]
    runs = ws.reads.run_list(RUNS_PER_PAGE, offset)
    rows = [{"run": r, "inputs": ", ".join(public_location(i) for i in r.inputs)} for r in runs.items]
    return render(request, "sources.html", sources=sources, runs=rows, total=runs.total, offset=offset,
                  limit=RUNS_PER_PAGE, params={})


@router.get("/runs/{run_id}")
def run_page(request: Request, p: Viewer, run_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
             offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    run, issues = acting(request, p).reads.run_issues(run_id, ISSUES_PER_PAGE, offset)  # NotFound: the error page
    rows = [{"issue": i, "location": public_location(i.location)} for i in issues.items]
    return render(request, "run.html", run=run, inputs=[public_location(i) for i in run.inputs], issues=rows,
                  total=issues.total, offset=offset, limit=ISSUES_PER_PAGE, params={})
