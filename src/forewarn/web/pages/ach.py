"""The competing-hypotheses pages (issue 17, item 7): the list of matrices (of a question, or all) with a form to
create one, and one matrix — hypotheses as columns, evidence as rows (each with its grade and weight, marked when
not diagnostic), the score row at the bottom, then the ranking, the sensitivity list and the version history; an
older version is shown read-only (``?version=N``). Analysts rate a row's cells with one plain form per row and add
or remove hypotheses and items; each change is one ledgered version; a refusal comes back as a flash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from forewarn.errors import AchInvalid
from forewarn.model import Role
from forewarn.model.ach import TEXT_MAX, TITLE_MAX, Matrix, Rating, Sensitive, diagnostic, ranking, scores, sensitivity
from forewarn.warn.ach import AchDesk, Change
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.render import render

router = APIRouter()
MatrixId = Annotated[int, Path(ge=1, le=10**9)]
Short = Annotated[str, Form(max_length=16)]
Long = Annotated[str, Form(max_length=TEXT_MAX)]
RATINGS = ("", *(r.value for r in Rating))  # "" unrated


@dataclass(frozen=True)
class MatrixPage:
    """What the matrix page shows: the matrix (now or at a version), its scores and ranking, the items the
    ranking hinges on, which items are not diagnostic, and its history."""

    m: Matrix
    scores: Mapping[int, float]
    ranking: tuple[tuple[int, ...], ...]
    hinges: list[Sensitive]
    flat: frozenset[int]  # the non-diagnostic items' ids
    history: list[Change]
    latest: int

    @property
    def old(self) -> bool:
        return self.m.version < self.latest

    def text(self, hid: int) -> str:
        return next(h.text for h in self.m.hypotheses if h.id == hid)

    @staticmethod
    def says(s: Sensitive) -> str:
        """What removing or reversing the item would do, in words."""
        removed = ("removing it changes which hypothesis ranks first" if s.removed_leader
                   else "removing it changes the ranking" if s.removed_ranking else "")
        reversed_ = ("reversing its ratings changes which ranks first" if s.reversed_leader
                     else "reversing its ratings changes the ranking" if s.reversed_ranking else "")
        return "; ".join(x for x in (removed, reversed_) if x)


def matrix_page(desk: AchDesk, matrix_id: int, version: int | None) -> MatrixPage:
    m, history = desk.get(matrix_id, version), desk.history(matrix_id)
    found = scores(m)
    return MatrixPage(m, found, ranking(found), sensitivity(m),
                      frozenset(e.id for e in m.evidence if not diagnostic(m, e)), history, history[-1].version)


@router.get("/ach")
def ach_list(request: Request, p: Viewer,
             question: Annotated[int | None, Query(ge=1, le=10**9)] = None) -> Response:
    rows = acting(request, p).ach.listing(question)
    response = render(request, "ach_list.html", rows=rows, question=question, may_edit=p.may(Role.ANALYST),
                      title_max=TITLE_MAX, flash=take_flash(request))
    return clear_flash(request, response)


@router.get("/ach/{matrix_id}")
def ach_matrix(request: Request, p: Viewer, matrix_id: MatrixId,
               version: Annotated[int | None, Query(ge=1, le=10**9)] = None) -> Response:
    view = matrix_page(acting(request, p).ach, matrix_id, version)
    response = render(request, "ach_matrix.html", v=view, m=view.m, ratings=RATINGS,
                      may_edit=p.may(Role.ANALYST) and not view.old, flash=take_flash(request))
    return clear_flash(request, response)


@router.post("/ach")
def create(request: Request, p: ActAnalyst, title: Annotated[str, Form(max_length=TITLE_MAX)] = "",
           hypotheses: Annotated[str, Form(max_length=13 * (TEXT_MAX + 2))] = "",
           question: Short = "") -> Response:
    desk = acting(request, p).ach

    def action() -> tuple[str, str]:
        m = desk.create(title, [h for h in hypotheses.splitlines() if h.strip()], _question(question))
        return f"matrix {m.id} created", f"/ach/{m.id}"
    return attempt(request, "/ach" + (f"?question={question.strip()}" if question.strip().isdigit() else ""),
                   action)


@router.post("/ach/{matrix_id}/hypotheses")
def add_hypothesis(request: Request, p: ActAnalyst, matrix_id: MatrixId, text: Long = "") -> Response:
    desk = acting(request, p).ach

    def action() -> str:
        m = desk.add_hypothesis(matrix_id, text)
        return f"{m.hypotheses[-1].label} added (version {m.version})"
    return attempt(request, f"/ach/{matrix_id}", action)


@router.post("/ach/{matrix_id}/evidence")
def add_evidence(request: Request, p: ActAnalyst, matrix_id: MatrixId, ref: Annotated[str, Form(max_length=300)] = "",
                 text: Long = "", grade: Short = "") -> Response:
    desk = acting(request, p).ach

    def action() -> str:
        m = desk.add_evidence(matrix_id, ref, text, grade)
        e = m.evidence[-1]
        return f"{e.label} added, grade {e.grade or 'none'} (weight {e.weight:.2f}; version {m.version})"
    return attempt(request, f"/ach/{matrix_id}", action)


@router.post("/ach/{matrix_id}/ratings/{evidence_id}")
async def rate_row(request: Request, p: ActAnalyst, matrix_id: MatrixId,
                   evidence_id: Annotated[int, Path(ge=1, le=10**6)]) -> Response:
    """A row's ratings, one ``h<N>`` field per hypothesis: each changed cell is a version of its own."""
    form = await request.form()
    cells = {k: str(v) for k, v in form.items() if k.startswith("h") and isinstance(v, str)}
    desk = acting(request, p).ach

    def action() -> str:
        before = desk.get(matrix_id).version
        for key, value in sorted(cells.items()):
            desk.rate(matrix_id, evidence_id, _number(key[1:]), value)
        after = desk.get(matrix_id).version
        return f"E{evidence_id} rated (version {after})" if after > before else f"E{evidence_id}: nothing changed"
    return attempt(request, f"/ach/{matrix_id}#E{evidence_id}", action)


@router.post("/ach/{matrix_id}/remove")
def remove(request: Request, p: ActAnalyst, matrix_id: MatrixId, what: Short = "") -> Response:
    desk = acting(request, p).ach

    def action() -> str:
        key = what.strip().upper()
        m = (desk.remove_hypothesis(matrix_id, _number(key[1:])) if key.startswith("H")
             else desk.remove_evidence(matrix_id, _number(key.removeprefix("E"))))
        return f"{key} removed (version {m.version}; older versions keep it)"
    return attempt(request, f"/ach/{matrix_id}", action)


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise AchInvalid(f"{text!r} is not a hypothesis or item number", hint="use the numbers the page shows")
    return int(text)


def _question(text: str) -> int | None:
    raw = text.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise AchInvalid(f"question {raw!r} is not a question's number", hint="leave it empty for a matrix of its own")
    return int(raw)
