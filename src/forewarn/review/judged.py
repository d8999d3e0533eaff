"""The post-mortem's judgments (issue 17): for the scenario's own question, the analysts' estimates over time, every
published line with its words, its softening gap against the analysts' blind median and against the model, whether
it was flagged, and its dissents; the key assumptions behind the lines, with the evidence that met their signposts;
and the dissents filed on the dispositions of the scenario's warnings.

A post-mortem is read after the event, usually after the question is resolved (then everything is revealed); while
the question is still open the blind rule applies through the judgments desk's read path
(:meth:`forewarn.warn.judgments.JudgmentDesk.view`): a reader who has not estimated sees only their own estimates,
and no line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from forewarn.errors import NotFound
from forewarn.model.assumption import Assumption, SignpostMatch
from forewarn.model.dissent import Dissent, dissent_json
from forewarn.model.judgment import Estimate, Line, Question, blind_median
from forewarn.warn.assumptions import AssumptionView, assumption_json, match_json
from forewarn.warn.judgments import QuestionView, estimate_json, line_json, question_json


class Judged(Protocol):
    """What the post-mortem reads of the judgments desk (``ws.judgments``): its blind read path."""

    def view(self, ref: str, *, model: bool = True) -> QuestionView: ...


class Dissents(Protocol):
    """What the post-mortem reads of the dissent desk (``ws.dissents``)."""

    def of_lines(self, ids: Iterable[int]) -> tuple[Dissent, ...]: ...

    def of_warning(self, warning_id: int) -> tuple[Dissent, ...]: ...


class Assumptions(Protocol):
    """What the post-mortem reads of the assumption desk (``ws.assumptions``): its blind read path."""

    def listing(self, question: str | None = None) -> list[Assumption]: ...

    def get(self, assumption_id: int) -> AssumptionView: ...


@dataclass(frozen=True, slots=True)
class AssumptionSeen:
    """A key assumption on the question, with the evidence that met its signposts (oldest first)."""

    assumption: Assumption
    matches: tuple[SignpostMatch, ...]


@dataclass(frozen=True, slots=True)
class LineSeen:
    """A published line with the analysts' blind median before it and the dissents from it."""

    line: Line
    median: float | None  # the median of the analysts' blind estimates made before the line
    dissents: tuple[Dissent, ...]


@dataclass(frozen=True, slots=True)
class JudgmentsSeen:
    """The judgments part of a post-mortem, as its reader may see it."""

    question: Question | None  # None: the scenario has no question (nobody estimated or published a line)
    revealed: bool  # False: the question is open and hidden from the reader (only their own estimates are shown)
    estimates: tuple[Estimate, ...]  # every estimate the reader may see, oldest first
    lines: tuple[LineSeen, ...]
    dispositions: tuple[Dissent, ...]  # dissents from the dispositions of the scenario's warnings
    allowed: float  # the softening_gap setting: a line softer than this (logits) is flagged
    assumptions: tuple[AssumptionSeen, ...] = ()  # the question's key assumptions the reader may see, oldest first


def judgments_seen(desk: Judged, dissents: Dissents, assumptions: Assumptions, scenario_id: str,
                   warning_ids: Sequence[int], allowed: float) -> JudgmentsSeen:
    """The judgments part of the post-mortem of ``scenario_id`` (whose warnings are ``warning_ids``)."""
    on_dispositions = tuple(d for w in warning_ids for d in dissents.of_warning(w))
    try:
        view = desk.view(scenario_id, model=False)  # the lines carry their gaps to the model
    except NotFound:  # nobody has estimated on the scenario or published a line for it
        return JudgmentsSeen(None, True, (), (), on_dispositions, allowed)
    every = view.history  # revealed: every analyst's estimates over time; hidden: only the reader's own
    if not view.revealed:
        return JudgmentsSeen(view.question, False, every, (), on_dispositions, allowed)
    by_line: dict[int, list[Dissent]] = {}
    for d in dissents.of_lines(x.id for x in view.lines):
        by_line.setdefault(d.target_id, []).append(d)
    lines = tuple(LineSeen(x, blind_median(every, x.at), tuple(by_line.get(x.id, ()))) for x in view.lines)
    return JudgmentsSeen(view.question, True, every, lines, on_dispositions, allowed,
                         assumptions_seen(assumptions, str(view.question.id)))


def assumptions_seen(desk: Assumptions, question: str) -> tuple[AssumptionSeen, ...]:
    """The key assumptions on ``question`` that the reader may see, oldest first, each with its matches."""
    found = sorted(desk.listing(question), key=lambda a: (a.created_at, a.id))
    return tuple(AssumptionSeen(a, tuple(sorted(desk.get(a.id).matches, key=lambda m: (m.known_at, m.id))))
                 for a in found)


def judgments_json(j: JudgmentsSeen) -> dict[str, Any]:
    """The judgments part as the CLI's and the API's JSON carry it."""
    return {"question": question_json(j.question) if j.question else None, "revealed": j.revealed,
            "softening_gap": j.allowed, "estimates": [estimate_json(e) for e in j.estimates],
            "lines": [{**line_json(x.line), "blind_median": x.median,
                       "dissents": [dissent_json(d) for d in x.dissents]} for x in j.lines],
            "disposition_dissents": [dissent_json(d) for d in j.dispositions],
            "assumptions": [{**assumption_json(x.assumption), "matches": [match_json(m) for m in x.matches]}
                            for x in j.assumptions]}


__all__ = ["AssumptionSeen", "Assumptions", "Dissents", "Judged", "JudgmentsSeen", "LineSeen", "assumptions_seen",
           "judgments_json", "judgments_seen"]
