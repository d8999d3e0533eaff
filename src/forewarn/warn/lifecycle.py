"""The warning lifecycle: raised → acknowledged → disposed (acted-on, dismissed, superseded), with
escalation while unacknowledged and reopening after a dismissal.

Every function here runs inside the caller's write transaction (``Act.conn``): it checks the
transition, changes the row, appends the ledger entry and queues the notifications, so all of it
commits together or none of it does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from forewarn.errors import InvalidArgument, RationaleRequired, WarningStateError
from forewarn.ledger import Signer, append
from forewarn.model import Disposition, LedgerEntry, Origin, WarningRecord, WarningState
from forewarn.store import schema as t
from forewarn.warn import roster, rows
from forewarn.warn.notify import Reason, queue
from forewarn.warn.policy import Policy


@dataclass(frozen=True, slots=True)
class Act:
    """One action: the transaction it runs in, when, by whom, and the policy in force."""

    conn: Connection
    at: datetime
    actor: str
    signer: Signer | None
    policy: Policy

    def record(self, kind: str, warning_id: int, payload: dict[str, Any]) -> LedgerEntry:
        return append(self.conn, at=self.at, actor=self.actor, kind=kind, subject=subject(warning_id),
                      payload={"id": warning_id, **payload}, signer=self.signer)

    def notify(self, reason: Reason, w: WarningRecord, detail: dict[str, Any] | None = None) -> None:
        """Queue the notifications of this change; a recipient that may not see the warning is skipped, and the
        skip ledgered ("notification-skipped", its target redacted)."""
        queue(self.conn, self.policy, reason, w, self.at, detail,
              on_skip=lambda skip: self.record("notification-skipped", w.id, skip))

    def deadline(self, minutes: int) -> datetime:
        return self.at + timedelta(minutes=minutes)

    def owner(self, entry: str) -> dict[str, Any]:
        """The owner columns for chain entry ``entry``: the entry itself, and the person holding it now."""
        holder = roster.resolve(self.conn, entry, self.at)
        return {"owner": entry, "owner_account": holder.account if holder else None,
                "owner_name": holder.name if holder else None}


@dataclass(frozen=True, slots=True)
class Draft:
    """A warning about to be raised."""

    origin: Origin
    severity: str
    title: str
    text: str
    chain: tuple[str, ...]  # owner first
    minutes: int  # until the first acknowledgement deadline
    scenario_id: str | None = None
    probability: float | None = None
    event_ids: tuple[str, ...] = ()
    document_ids: tuple[str, ...] = ()
    partner: str | None = None
    partner_ref: str | None = None
    compartment: int | None = None  # who may see it (None: its scenario's compartment, or open)


def scenario_compartment(conn: Connection, scenario_id: str | None) -> int | None:
    """The compartment id of a scenario (None: open, or no scenario): a scenario's warnings take it."""
    if not scenario_id:
        return None
    s = t.scenarios.c
    found: int | None = conn.execute(select(s.compartment).where(s.id == scenario_id)).scalar()
    return found


def subject(warning_id: int) -> str:
    return f"warning:{warning_id}"


def raise_new(act: Act, d: Draft) -> WarningRecord:
    if not d.title.strip():
        raise InvalidArgument("a warning needs a title", hint="say in a line what is feared")
    if d.origin is Origin.PARTNER and not (d.partner or "").strip():
        raise InvalidArgument("a partner warning needs the partner's name", hint="give --partner")
    deadline = act.deadline(d.minutes)
    cid = d.compartment if d.compartment is not None else scenario_compartment(act.conn, d.scenario_id)
    new_id = rows.insert(
        act.conn, compartment=cid, origin=d.origin.value, scenario_id=d.scenario_id, severity=d.severity,
        title=d.title.strip(),
        text=d.text.strip(), probability=d.probability, event_ids=list(dict.fromkeys(d.event_ids)),
        document_ids=list(dict.fromkeys(d.document_ids)), partner=d.partner, partner_ref=d.partner_ref,
        state=WarningState.RAISED.value, disposition=None, rationale=None, signposts=[], **act.owner(d.chain[0]),
        chain=list(d.chain), escalation_level=0, raised_at=act.at, raised_by=act.actor, ack_deadline=deadline,
        acknowledged_at=None, acknowledged_by=None, disposed_at=None, disposed_by=None, reopened=0,
        updated_at=act.at, due_at=deadline, reminders=0)
    w = rows.fetch(act.conn, new_id)
    act.record("warning-raised", w.id, {
        "origin": w.origin.value, "scenario": w.scenario_id, "severity": w.severity, "title": w.title,
        "text": w.text, "probability": w.probability, "event_ids": list(w.event_ids),
        "document_ids": list(w.document_ids), "partner": w.partner, "partner_ref": w.partner_ref, "owner": w.owner,
        "owner_account": w.owner_account, "chain": list(w.chain), "deadline": _iso(deadline)})
    act.notify(Reason.RAISED, w)
    return w


def acknowledge(act: Act, w: WarningRecord, note: str | None) -> WarningRecord:
    if w.state is not WarningState.RAISED:
        raise WarningStateError(f"warning {w.id} cannot be acknowledged: it was {state_story(w)}",
                                hint=f"`forewarn warnings show {w.id}` shows its history")
    rows.update(act.conn, w.id, state=WarningState.ACKNOWLEDGED.value, acknowledged_at=act.at,
                acknowledged_by=act.actor, ack_deadline=None, due_at=None, reminders=0, updated_at=act.at)
    act.record("warning-acknowledged", w.id, {"note": _clean(note), "owner": w.owner,
                                              "escalation_level": w.escalation_level,
                                              "deadline": _iso(w.ack_deadline),
                                              "late": w.ack_deadline is not None and act.at > w.ack_deadline})
    return rows.fetch(act.conn, w.id)


def dispose(act: Act, w: WarningRecord, disposition: Disposition, rationale: str | None,
            signposts: Sequence[str] = (), *, kind: str = "warning-disposed",
            detail: dict[str, Any] | None = None) -> WarningRecord:
    if w.state is WarningState.DISPOSED:
        raise WarningStateError(f"warning {w.id} cannot be disposed of: it was {state_story(w)}",
                                hint=f"`forewarn warnings show {w.id}` shows its history")
    reason = _clean(rationale)
    if disposition is Disposition.DISMISSED and reason is None:
        raise RationaleRequired(f"dismissing warning {w.id} needs a written rationale",
                                hint="give --rationale saying why it does not call for action")
    marks = [s.strip() for s in signposts if s.strip()]
    rows.update(act.conn, w.id, state=WarningState.DISPOSED.value, disposition=disposition.value, rationale=reason,
                signposts=marks, disposed_at=act.at, disposed_by=act.actor, ack_deadline=None, due_at=None,
                updated_at=act.at)
    act.record(kind, w.id, {"disposition": disposition.value, "rationale": reason, "signposts": marks,
                            "previous_state": w.state.value, **(detail or {})})
    return rows.fetch(act.conn, w.id)


def supersede(act: Act, w: WarningRecord, by: WarningRecord) -> WarningRecord:
    return dispose(act, w, Disposition.SUPERSEDED, f"superseded by warning {by.id}", kind="warning-superseded",
                   detail={"by": by.id, "by_severity": by.severity})


def escalate(act: Act, w: WarningRecord, minutes: int, reason: str | None) -> WarningRecord:
    """Hand the warning to the next person in its chain with a new deadline (the chain's entry
    resolved to the person holding it now). ``reason`` None is the automatic step after a missed
    deadline: at the end of the chain the warning is not escalated again but reminded
    (:func:`remind`). A person escalating (with a reason) may hand on any open warning, acknowledged
    ones too (they then await the next person's acknowledgement), but not past the end of the chain."""
    if w.state is WarningState.DISPOSED:
        raise WarningStateError(f"warning {w.id} cannot be escalated: it was {state_story(w)}",
                                hint=f"`forewarn warnings show {w.id}` shows its history")
    level = w.escalation_level + 1
    if level >= len(w.chain):
        if reason is None:
            return remind(act, w)
        raise WarningStateError(f"warning {w.id} is already with the last person in its chain ({w.owner_shown})",
                                hint="acknowledge or dispose of it; longer chains come from the scenario or the "
                                     "`escalation_chain` setting")
    deadline = act.deadline(minutes)
    owner = act.owner(w.chain[level])
    rows.update(act.conn, w.id, state=WarningState.RAISED.value, **owner, escalation_level=level,
                ack_deadline=deadline, acknowledged_at=None, acknowledged_by=None, due_at=deadline, reminders=0,
                updated_at=act.at)
    detail = {"from": w.owner, "to": w.chain[level], "to_account": owner["owner_account"], "level": level,
              "deadline": _iso(deadline), "deadline_missed": _iso(w.ack_deadline) if reason is None else None,
              "reason": reason if reason is not None else "acknowledgement deadline passed",
              "automatic": reason is None, "chain_exhausted": False, "previous_state": w.state.value}
    act.record("warning-escalated", w.id, detail)
    new = rows.fetch(act.conn, w.id)
    act.notify(Reason.ESCALATED, new, detail)
    return new


def remind(act: Act, w: WarningRecord) -> WarningRecord:
    """At the end of its chain an unacknowledged warning is reminded to the person holding the last
    post now, every ``remind_minutes`` up to ``remind_cap`` times; after the last reminder nothing is
    due until someone acts on it. Its acknowledgement deadline stays the one it missed."""
    if w.state is not WarningState.RAISED:
        raise WarningStateError(f"warning {w.id} cannot be reminded: it was {state_story(w)}")
    n, cap = w.reminders + 1, act.policy.remind_cap
    if n > cap:
        raise WarningStateError(f"warning {w.id} was reminded {w.reminders} of {cap} times already",
                                hint="nothing more is sent until someone acts on it")
    due = act.deadline(act.policy.remind_minutes) if n < cap else None
    owner = act.owner(w.owner)
    rows.update(act.conn, w.id, **owner, due_at=due, reminders=n, updated_at=act.at)
    detail = {"n": n, "cap": cap, "owner": w.owner, "owner_account": owner["owner_account"],
              "deadline_missed": _iso(w.ack_deadline), "next": _iso(due), "last": due is None}
    act.record("warning-reminded", w.id, detail)
    new = rows.fetch(act.conn, w.id)
    act.notify(Reason.REMINDED, new, detail)
    return new


def reopen(act: Act, w: WarningRecord, event_ids: Sequence[str], document_ids: Sequence[str],
           minutes: int) -> WarningRecord:
    """A dismissed warning comes back, raised again to the head of its chain, with the new evidence."""
    if w.disposition is not Disposition.DISMISSED:
        raise WarningStateError(f"warning {w.id} cannot reopen: only dismissed warnings do, and it was "
                                f"{state_story(w)}")
    new_events = [e for e in dict.fromkeys(event_ids) if e not in w.event_ids]
    new_docs = [d for d in dict.fromkeys(document_ids) if d not in w.document_ids]
    deadline = act.deadline(minutes)
    rows.update(act.conn, w.id, state=WarningState.RAISED.value, disposition=None, rationale=None,
                disposed_at=None, disposed_by=None, acknowledged_at=None, acknowledged_by=None,
                event_ids=[*w.event_ids, *new_events], document_ids=[*w.document_ids, *new_docs],
                **act.owner(w.chain[0]), escalation_level=0, ack_deadline=deadline, reopened=w.reopened + 1,
                due_at=deadline, reminders=0, updated_at=act.at)
    new = rows.fetch(act.conn, w.id)
    detail = {"new_event_ids": new_events, "new_document_ids": new_docs, "times": w.reopened + 1,
              "owner": w.chain[0], "owner_account": new.owner_account, "deadline": _iso(deadline),
              "dismissed_by": w.disposed_by, "dismissed_at": _iso(w.disposed_at), "dismissal_rationale": w.rationale}
    act.record("warning-reopened", w.id, detail)
    act.notify(Reason.REOPENED, new, detail)
    return new


def state_story(w: WarningRecord) -> str:
    """Where the warning stands, and who put it there when: for error messages."""
    if w.state is WarningState.ACKNOWLEDGED:
        return f"acknowledged by {w.acknowledged_by} at {_when(w.acknowledged_at)}"
    if w.state is WarningState.DISPOSED:
        how = w.disposition.value if w.disposition else "disposed"
        return f"disposed of ({how}) by {w.disposed_by} at {_when(w.disposed_at)}"
    return f"raised by {w.raised_by} at {_when(w.raised_at)}, awaiting acknowledgement by {w.owner_shown}"


def _clean(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "an unknown time"
