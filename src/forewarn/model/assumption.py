"""Key assumptions with signposts (issue 17, item 8).

An assumption belongs to a question (and so to the lines published on it; it may name the line it was made for),
has an owner, a text and one or more signposts: indicators in the scenario format (events or claim, each with the
region it watches), written as YAML. When a newly known observation matches a signpost the assumption is flagged
for review; its owner (or an admin) reviews it: it holds, or it is broken.

The ledger is read by every viewer and an assumption's text may reveal a line's thinking, so its entries carry a
salted commitment (:func:`assumption_commitment`, :func:`review_commitment`) in place of the text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forewarn.model.judgment import commitment

TEXT_MAX = 2000  # characters of an assumption's text
SIGNPOSTS_MAX = 20_000  # characters of its signposts' YAML


class AssumptionState(StrEnum):
    HOLDING = "holding"
    FLAGGED = "flagged"  # a signpost matched new evidence: to be reviewed
    HOLDS = "reviewed-holds"
    BROKEN = "reviewed-broken"
    WITHDRAWN = "withdrawn"

    @property
    def watched(self) -> bool:
        """Whether its signposts are checked against new evidence (a reviewed-holds one is watched on)."""
        return self in (AssumptionState.HOLDING, AssumptionState.HOLDS)


REVIEWABLE = frozenset({AssumptionState.HOLDING, AssumptionState.FLAGGED, AssumptionState.HOLDS})


@dataclass(frozen=True, slots=True)
class Assumption:
    id: int
    question_id: int
    line_id: int | None  # the published line it was made for, when named
    owner: str
    text: str
    signposts: str  # YAML: a list of indicators (forewarn.detect.scenarios.load_signposts)
    state: AssumptionState
    created_by: str
    created_at: datetime
    checked_until: datetime  # observations known after this time are new to its signposts
    salt: str = ""
    review: str | None = None  # the last review's rationale
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SignpostMatch:
    """One observation that matched a signpost of an assumption (``kind``: event or claim)."""

    id: int
    assumption_id: int
    signpost: str  # the signpost's id
    kind: str
    evidence_id: str  # the event's id, or the claim's "document:start"
    document_id: str
    known_at: datetime
    found_at: datetime  # the time of the check that found it
    evidence: str  # the sentence


def assumption_commitment(a: Assumption) -> str:
    """What the ledger keeps of an assumption: sha256 over its question, line, owner, text, signposts and salt."""
    return commitment("assumption", a.question_id, a.line_id, a.owner, a.text, a.signposts, a.salt)


def review_commitment(assumption_id: int, state: AssumptionState, by: str, rationale: str, salt: str) -> str:
    """What the ledger keeps of a review: its outcome is public, its rationale is committed to."""
    return commitment("assumption-review", assumption_id, state.value, by, rationale, salt)
