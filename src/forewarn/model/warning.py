"""Warnings and the ledger entries that record everything done to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Origin(StrEnum):
    SCENARIO = "scenario"  # a scenario crossed a threshold upward
    PERSON = "person"  # raised by hand (`forewarn warn`)
    PARTNER = "partner"  # received from a partner, recorded with its source


class WarningState(StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    DISPOSED = "disposed"


OPEN_STATES = (WarningState.RAISED, WarningState.ACKNOWLEDGED)  # on the board: not yet disposed of


class Disposition(StrEnum):
    ACTED_ON = "acted-on"
    DISMISSED = "dismissed"
    SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class WarningRecord:
    id: int
    origin: Origin
    scenario_id: str | None
    severity: str  # a threshold level: elevated, high, critical
    title: str
    text: str
    probability: float | None  # the scenario's probability when raised (scenario warnings)
    event_ids: tuple[str, ...]  # evidence
    document_ids: tuple[str, ...]
    partner: str | None  # who sent it (partner warnings)
    partner_ref: str | None  # their reference, e.g. a bulletin number
    state: WarningState
    disposition: Disposition | None
    rationale: str | None
    signposts: tuple[str, ...]  # "what would change my mind"
    owner: str  # who must acknowledge it now
    chain: tuple[str, ...]  # owner first, then escalation in order
    escalation_level: int  # index of the owner in the chain
    raised_at: datetime
    raised_by: str
    ack_deadline: datetime | None  # None once acknowledged or disposed
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    disposed_at: datetime | None
    disposed_by: str | None
    reopened: int  # times it reopened after a dismissal
    updated_at: datetime
    owner_account: str | None = None  # the account that held the owner's role when assigned (None: nobody)
    owner_name: str | None = None  # that account's display name
    due_at: datetime | None = None  # the next automatic step: escalation, or a reminder at the chain's end
    reminders: int = 0  # reminders sent since it reached the end of its chain

    @property
    def on_shift(self) -> bool:
        """Whether a person holds it: an account, or an identity that is an e-mail address; a role
        nobody held when it was assigned is not."""
        return self.owner_account is not None or "@" in self.owner

    @property
    def owner_shown(self) -> str:
        """"duty-officer (Alice Ng)", "director (nobody on shift)", or the identity itself."""
        if self.owner_account is None:
            return self.owner if self.on_shift else f"{self.owner} (nobody on shift)"
        person = self.owner_name or self.owner_account
        return person if self.owner in (self.owner_account, person) else f"{self.owner} ({person})"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    seq: int
    at: datetime
    actor: str
    kind: str  # warning-raised, warning-acknowledged, warning-escalated, warning-disposed, warning-reopened,
    # assessment-published, scenario-added, scenario-changed, scenario-removed, key-registered, comment …
    subject: str  # what it is about: "warning:12", "scenario:large-scale-invasion"
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    key_id: str | None = None
    signature: str | None = None  # hex Ed25519 signature over the hash
