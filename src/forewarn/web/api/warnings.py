"""Warnings: the board, one warning with its history, what changed since a cursor (live updates),
raising one by hand, and acknowledging, disposing of and escalating them. Every action runs as the
authenticated user, so the ledger entry names them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, computed_field

from forewarn.detect.shown import hidden_text
from forewarn.model import LedgerEntry, WarningRecord, WarningState
from forewarn.model.warning import OPEN_STATES
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.dissent import DissentOut, dissent_out
from forewarn.web.api.evidence import EvidenceGroupOut, evidence_out, warning_evidence
from forewarn.web.auth import ActAnalyst, ActDutyOfficer, Viewer, acting

router = APIRouter(tags=["warnings"])

StateFilter = Literal["open", "raised", "acknowledged", "disposed", "all"]
STATES: dict[str, tuple[WarningState, ...]] = {
    "open": OPEN_STATES, "raised": (WarningState.RAISED,),
    "acknowledged": (WarningState.ACKNOWLEDGED,), "disposed": (WarningState.DISPOSED,), "all": tuple(WarningState),
}
WarningId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the warning's number")]
MAX_DOCUMENTS = 200
LIST_EXCLUDE: dict[str, Any] = {"items": {"__all__": {"dissents"}}}  # a list item gives `dissent_count` alone


class HistoryEntry(BaseModel):
    """A ledger entry about the warning (the entry less what the warning's history needs not repeat:
    its subject, the previous hash and the signature)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    kind: str = Field(description="warning-raised, warning-acknowledged, warning-escalated, warning-disposed, …")
    payload: dict[str, Any]
    hash: str


class WarningOut(BaseModel):
    """A warning (``history`` only on the single-warning read). Read from a
    :class:`~forewarn.model.WarningRecord` by field name; it stays a model of its own so that the schema
    names the allowed values of ``origin``, ``state`` and ``disposition``, and adds ``escalated`` and
    ``history``."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    origin: Literal["scenario", "person", "partner"]
    scenario_id: str | None
    severity: str
    title: str
    text: str
    probability: float | None
    event_ids: list[str]
    document_ids: list[str]
    partner: str | None
    partner_ref: str | None
    state: Literal["raised", "acknowledged", "disposed"]
    disposition: Literal["acted-on", "dismissed", "superseded"] | None
    rationale: str | None
    signposts: list[str]
    owner: str = Field(description="who must acknowledge it now: the chain's entry (a role or a name)")
    owner_account: str | None = Field(None, description="the account holding that role when it was assigned "
                                                        "(the duty roster); null: nobody on shift")
    owner_name: str | None = Field(None, description="that account's display name")
    owner_shown: str = Field("", description='"duty-officer (Alice Ng)", "director (nobody on shift)"')
    on_shift: bool = Field(True, description="false: a role nobody held when it was assigned")
    reminders: int = Field(0, description="reminders sent at the end of its chain (at most `remind_cap`)")
    due_at: datetime | None = Field(None, description="its next automatic escalation or reminder; null: none")
    chain: list[str] = Field(description="escalation chain, the first owner first")
    escalation_level: int
    raised_at: datetime
    raised_by: str
    ack_deadline: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    disposed_at: datetime | None
    disposed_by: str | None
    reopened: int
    updated_at: datetime
    history: list[HistoryEntry] | None = None
    evidence: list[EvidenceGroupOut] | None = Field(
        None, description="its evidence as readable rows grouped by indicator (only on the single-warning read)")
    dissents: list[DissentOut] | None = Field(
        None, description="dissents from its disposition, oldest first (only on the single-warning read; lists "
                          "leave the field out and give `dissent_count`)")
    hidden_signals: int = Field(0, description="signals of its evidence from holdings the asker may not see (single "
                                               "read): left out of its text, ids and evidence, nothing else said")
    hidden: str = Field("", description='"n signals from holdings you may not see" (empty for none)')
    dissent_count: int = Field(0, description="how many dissents its disposition has (protected: anyone may read "
                                              "them, no one may edit or hide them)")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def escalated(self) -> bool:
        return self.escalation_level > 0


class Changes(BaseModel):
    cursor: str = Field(description="pass as `since` on the next call")
    reset: bool = Field(description="true: `warnings` is the whole open board (no or unknown cursor), "
                                    "false: only the warnings changed after the cursor, in any state")
    warnings: list[WarningOut]


class RaiseIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    text: str = Field("", max_length=20_000)
    severity: str = Field(min_length=1, max_length=32, description="elevated, high, critical (the ack_minutes setting)")
    scenario_id: str | None = Field(None, max_length=64)
    partner: str | None = Field(None, max_length=200, description="who sent it: makes it a partner warning")
    partner_ref: str | None = Field(None, max_length=200)
    document_ids: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=MAX_DOCUMENTS)


class AcknowledgeIn(BaseModel):
    note: str | None = Field(None, max_length=5000)


class DisposeIn(BaseModel):
    disposition: Literal["acted-on", "dismissed"]
    rationale: str | None = Field(None, max_length=10_000, description="required to dismiss")
    signposts: list[Annotated[str, Field(max_length=1000)]] = Field(
        default_factory=list, max_length=50, description="what would change my mind")


class EscalateIn(BaseModel):
    reason: str = Field(max_length=5000)


def list_item(w: WarningRecord, dissents: int) -> dict[str, Any]:
    """A warning as a list gives it (the CLI's ``--json`` too): ``dissent_count`` without the dissents."""
    return warning_out(w, dissents=dissents).model_dump(mode="json", exclude={"dissents"})


def warning_out(w: WarningRecord, history: list[LedgerEntry] | None = None, dissents: int = 0,
                hidden: int = 0) -> WarningOut:
    out = WarningOut.model_validate(w)
    out.dissent_count = dissents
    out.hidden_signals, out.hidden = hidden, hidden_text(hidden)
    if history is not None:
        out.history = [HistoryEntry.model_validate(e) for e in history]
    return out


@router.get("/warnings", response_model=Page[WarningOut], summary="Warnings in board order",
            response_model_exclude=LIST_EXCLUDE)
def list_warnings(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                  state: Annotated[StateFilter, Query(description="open = raised and acknowledged")] = "open",
                  severity: Annotated[str | None, Query(max_length=32)] = None,
                  scenario: Annotated[str | None, Query(max_length=64, description="a scenario id")] = None,
                  ) -> Page[WarningOut]:
    """Escalated warnings first, then by severity (critical, high, elevated, others), then oldest first."""
    found = acting(request, p).warnings.listing(STATES[state], severity=severity, scenario_id=scenario,
                                                limit=paging.limit, offset=paging.offset)
    items = [warning_out(w, dissents=found.dissents.get(w.id, 0)) for w in found.warnings]
    return paging.page(request, items, found.total)


@router.get("/warnings/changes", response_model=Changes, summary="Warnings changed since a cursor (live board)",
            response_model_exclude={"warnings": LIST_EXCLUDE["items"]})
def warning_changes(request: Request, p: Viewer,
                    since: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="the last call's cursor")]
                    = None) -> Changes:
    """Without ``since``: the open board and the current cursor. With it: every warning changed after
    it (raised, acknowledged, escalated, disposed, reopened), in any state, and the new cursor."""
    found = acting(request, p).warnings.changes(int(since) if since is not None else None)
    return Changes(cursor=str(found.cursor), reset=found.reset,
                   warnings=[warning_out(w, dissents=found.dissents.get(w.id, 0)) for w in found.warnings])


@router.get("/warnings/{warning_id}", response_model=WarningOut, summary="One warning with its history")
def get_warning(request: Request, p: Viewer, warning_id: WarningId) -> WarningOut:
    ws = acting(request, p)
    view = ws.warnings.view(warning_id)
    out = warning_out(view.warning, view.history, hidden=view.hidden)
    out.evidence = evidence_out(warning_evidence(ws, view.warning))
    out.dissents = [dissent_out(d) for d in ws.dissents.of_warning(warning_id)]
    out.dissent_count = len(out.dissents)
    return out


@router.post("/warnings", response_model=WarningOut, status_code=201, summary="Raise a warning by hand (analyst)")
def raise_warning(request: Request, response: Response, p: ActAnalyst, body: RaiseIn) -> WarningOut:
    """A person's warning; with ``partner``, one received from a partner and recorded with its source."""
    ws = acting(request, p)
    if body.document_ids:
        ws.warnings.check_documents(body.document_ids)
    w = ws.warnings.raise_warning(body.title, body.text, body.severity, scenario_id=body.scenario_id or None,
                         partner=body.partner or None, partner_ref=body.partner_ref or None,
                         document_ids=body.document_ids)
    response.headers["Location"] = f"/api/v1/warnings/{w.id}"
    return warning_out(w)


@router.post("/warnings/{warning_id}/acknowledge", response_model=WarningOut,
             summary="Acknowledge a warning (duty officer)")
def acknowledge(request: Request, p: ActDutyOfficer, warning_id: WarningId,
                body: Annotated[AcknowledgeIn | None, Body()] = None) -> WarningOut:
    return warning_out(acting(request, p).warnings.acknowledge(warning_id, body.note if body else None))


@router.post("/warnings/{warning_id}/dispose", response_model=WarningOut,
             summary="Dispose of a warning: acted on, or dismissed with a rationale (duty officer)")
def dispose(request: Request, p: ActDutyOfficer, warning_id: WarningId, body: DisposeIn) -> WarningOut:
    """Dismissing without a rationale is refused (FW-E081); a disposed warning cannot be disposed of again (FW-E080)."""
    desk = acting(request, p).warnings
    return warning_out(desk.dispose(warning_id, body.disposition, body.rationale, body.signposts))


@router.post("/warnings/{warning_id}/escalate", response_model=WarningOut,
             summary="Hand an open warning to the next person in its chain (duty officer)")
def escalate(request: Request, p: ActDutyOfficer, warning_id: WarningId, body: EscalateIn) -> WarningOut:
    return warning_out(acting(request, p).warnings.escalate(warning_id, body.reason))
