"""Protected dissent (issue 17): an analyst's recorded disagreement with a published line or with a warning's
disposition. A dissent is append-only (the database refuses UPDATE and DELETE on its table) and travels with what
it dissents from wherever that is shown or sent.

The ledger keeps the text of a disposition dissent, but only a salted commitment of a line dissent's text: the text
would tell a blind reader where the line stands (:func:`dissent_commitment`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from forewarn.errors import InvalidArgument
from forewarn.model.judgment import commitment

DISSENT_MAX = 4000  # characters


class DissentTarget(StrEnum):
    LINE = "line"  # a published line (published_lines.id)
    DISPOSITION = "disposition"  # a warning's disposition (warnings.id)


@dataclass(frozen=True, slots=True)
class Dissent:
    id: int
    target: DissentTarget
    target_id: int  # the line's or the warning's number
    question_id: int | None  # the line's question; None for a disposition dissent
    analyst: str
    text: str
    at: datetime
    salt: str = ""  # a line dissent's commitment salt (hex); "" for a disposition dissent


def check_dissent(text: str) -> str:
    """The dissent's text, stripped; InvalidArgument when empty or longer than DISSENT_MAX."""
    value = (text or "").strip()
    if not value:
        raise InvalidArgument("a dissent needs its text", hint="say what you disagree with and why")
    if len(value) > DISSENT_MAX:
        raise InvalidArgument(f"the dissent is {len(value):,} characters; at most {DISSENT_MAX:,}",
                              hint="keep it short; link documents instead")
    return value


def target_of(value: str) -> DissentTarget:
    """``line`` or ``disposition`` as a target; InvalidArgument otherwise."""
    try:
        return DissentTarget(value.strip().lower())
    except ValueError:
        raise InvalidArgument(f"a dissent's target is line or disposition, not {value!r}",
                              hint="dissent from a published line or from a warning's disposition") from None


def dissent_commitment(d: Dissent) -> str:
    """What the ledger keeps of a line dissent: the sha256 of its line, question, analyst, text and salt."""
    return commitment("dissent", d.target.value, d.target_id, d.question_id, d.analyst, d.text, d.salt)


def dissent_json(d: Dissent) -> dict[str, Any]:
    """A dissent as pages, the API, the CLI, exports and notifications carry it."""
    return {"id": d.id, "target": d.target.value, "target_id": d.target_id, "question_id": d.question_id,
            "analyst": d.analyst, "text": d.text, "at": d.at.isoformat(), "salt": d.salt}
