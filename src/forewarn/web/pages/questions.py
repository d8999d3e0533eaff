"""The questions pages (issue 17): the list of questions and one question as the viewer may see it, through the
desk's one blind read path (``ws.judgments.listing`` / ``view``): others' estimates, the published lines and the
model's probability only once the viewer's own estimate is in, the reveal time has passed or the question closed.
Forms: add a question and record an estimate (analysts), publish the line (duty officers), resolve (the owner).
Each post is one ledgered action; a refusal comes back as a flash."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from forewarn.errors import InvalidArgument
from forewarn.ingest.annotations import asked_compartment
from forewarn.model import Role
from forewarn.model.judgment import ICD203, RATIONALE_MAX, TITLE_MAX, QuestionState, check_probability, words
from forewarn.warn.judgments import QuestionView
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting
from forewarn.web.board_views import attempt, clear_flash, take_flash
from forewarn.web.pages.dissent import line_section
from forewarn.web.render import render

router = APIRouter()
Ref = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Number = Annotated[str, Form(max_length=32)]
Text = Annotated[str, Form(max_length=RATIONALE_MAX)]
OUTCOMES = {"yes": QuestionState.RESOLVED_YES, "no": QuestionState.RESOLVED_NO, "annul": QuestionState.ANNULLED}


@dataclass(frozen=True)
class Row:
    """One line of the list: what the blind rule lets the viewer see of a question."""

    view: QuestionView
    count: int | None  # estimates by analysts (the viewer's and the others' current ones); None while hidden

    @property
    def mine(self) -> float | None:
        return self.view.mine[-1].probability if self.view.mine else None


@router.get("/questions")
def questions_page(request: Request, p: Viewer) -> Response:
    found = [row(v) for v in acting(request, p).judgments.listing()]
    response = render(request, "questions.html", rows=found, may_add=p.may(Role.ANALYST), title_max=TITLE_MAX,
                      flash=take_flash(request))
    return clear_flash(request, response)


@router.get("/questions/{ref}")
def question_page(request: Request, p: Viewer, ref: Ref) -> Response:
    ws = acting(request, p)
    v = ws.judgments.shown(ref)
    is_open = v.question.state is QuestionState.OPEN
    response = render(request, "question.html", v=v, q=v.question, is_open=is_open,
                      may_estimate=is_open and p.may(Role.ANALYST),
                      may_publish=is_open and p.may(Role.DUTY_OFFICER),
                      may_resolve=is_open and v.asked and ws.judgments.may_resolve(v.question),
                      ref=ref if not v.asked else str(v.question.id),
                      allowed_gap=ws.settings.softening_gap, bands=bands(), words=words,
                      flash=take_flash(request), **line_section(ws, v))  # dissents
    return clear_flash(request, response)


@router.post("/questions")
def add_question(request: Request, p: ActAnalyst, title: Annotated[str, Form(max_length=TITLE_MAX)] = "",
                 criteria: Text = "", resolves_by: Annotated[str, Form(max_length=10)] = "",
                 marking: Annotated[str, Form(max_length=32)] = "", team: Annotated[str, Form(max_length=200)] = "",
                 recipients: Annotated[str, Form(max_length=1000)] = "") -> Response:
    desk = acting(request, p).judgments

    def action() -> tuple[str, str]:
        q = desk.add_question(title, criteria, day(resolves_by), compartment=asked_compartment(
            marking, _names(team), _names(recipients)))
        return f"question {q.id} added", f"/questions/{q.id}"
    return attempt(request, "/questions", action)


def _names(text: str) -> list[str]:
    """Comma-separated names as a form gives them."""
    return [n.strip() for n in text.split(",") if n.strip()]


@router.post("/questions/{ref}/estimates")
def estimate(request: Request, p: ActAnalyst, ref: Ref, probability: Number = "", rationale: Text = "") -> Response:
    desk = acting(request, p).judgments

    def action() -> str:
        e = desk.estimate(ref, number(probability), rationale)
        return f"your estimate {e.probability:.2f} ({e.words}) is recorded" + (", blind" if e.blind else "")
    return attempt(request, f"/questions/{ref}", action)


@router.post("/questions/{ref}/lines")
def publish(request: Request, p: ActDutyOfficer, ref: Ref, probability: Number = "",
            text: Annotated[str, Form(max_length=64)] = "") -> Response:
    desk = acting(request, p).judgments

    def action() -> str:
        x = desk.publish_line(ref, number(probability), text)
        if not desk.view(ref).revealed:  # its gap would tell a blind publisher where the analysts stand
            return f"line {x.probability:.2f} ({x.words}) published; its gap shows once your estimate is in"
        flag = " — flagged: softer than the analysts" if x.flagged else ""
        return f"line {x.probability:.2f} ({x.words}) published{flag}"
    return attempt(request, f"/questions/{ref}", action)


@router.post("/questions/{ref}/resolve")
def resolve(request: Request, p: ActAnalyst, ref: Ref, outcome: Annotated[str, Form(max_length=8)] = "",
            rationale: Text = "") -> Response:
    desk = acting(request, p).judgments

    def action() -> str:
        if outcome not in OUTCOMES:
            raise InvalidArgument(f"outcome {outcome!r} is not yes, no or annul", hint="choose one of the three")
        return f"question {ref} is {desk.resolve(ref, OUTCOMES[outcome], rationale).state.value}"
    return attempt(request, f"/questions/{ref}", action)


def row(v: QuestionView) -> Row:
    return Row(v, len(v.others) + (1 if v.mine else 0) if v.revealed else None)


def bands() -> list[tuple[str, str]]:
    """The ICD 203 bands as (range, words) for the legend beside the form."""
    lows = (0.0, *(upper for upper, _ in ICD203[:-1]))
    return [(f"{lo:.2f}–{hi:.2f}", w) for lo, (hi, w) in zip(lows, ICD203, strict=True)]


def number(text: str) -> float:
    """A probability typed in a form: 0.3, .3, 30% (a percentage); InvalidArgument otherwise."""
    raw = text.strip().replace(",", ".")
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise InvalidArgument(f"probability {text.strip()!r} is not a number",
                              hint="type a probability such as 0.3 or 30%") from None
    return check_probability(value if math.isfinite(value) else math.nan)


def day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidArgument(f"resolution date {text.strip()!r} is not a date", hint="give it as YYYY-MM-DD") from None
