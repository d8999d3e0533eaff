"""The analysis index (issue 17): one entry in the main navigation for the analytic pages — questions, scores,
competing hypotheses and key assumptions (web/render.ANALYSIS) — each listed with what it is for."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from forewarn.web.auth import Viewer
from forewarn.web.render import ANALYSIS, render

router = APIRouter()


@router.get("/analysis")
def analysis(request: Request, p: Viewer) -> Response:
    """Nothing is read: the page lists the analytic pages; each reads what the viewer may see when opened."""
    return render(request, "analysis.html", sections=ANALYSIS)
