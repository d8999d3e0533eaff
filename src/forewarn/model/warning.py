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
