"""The warning desk: each action on warnings as one write transaction (see :mod:`lifecycle`),
and the reads behind the board, the warning pages and the warnings API (see :mod:`board`), each
view built once here and rendered as a page or as JSON: the Workspace's ``ws.warnings``, built once
for the principal it acts and reads for.

Time is read after the transaction holds the writer lock (SQLite: ``BEGIN IMMEDIATE``;
PostgreSQL: the ledger's advisory lock, taken first), so two processes acting at once append to
the ledger in time order instead of one of them failing with ClockBackwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from forewarn.config import Settings
from forewarn.detect.evidence import documents_brief, events_brief
from forewarn.detect.shown import hidden_ids, shown_warning, shown_warnings
from forewarn.errors import InvalidArgument, NotFound, ScenarioInvalid
from forewarn.ledger import append
from forewarn.ledger.chain import lock as ledger_lock
from forewarn.ledger.query import head_seq
from forewarn.ledger.service import LedgerService
from forewarn.model import (
    Assessment,
    Disposition,
    LedgerEntry,
    Origin,
    Scenario,
    Threshold,
    WarningRecord,
    WarningState,
)
from forewarn.model.marking import EVERYTHING, Access, strictest
from forewarn.model.warning import OPEN_STATES
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.warn import board, lifecycle, outbox, roster, rows
from forewarn.warn.board import Board, Changes, WarningList, WarningView
from forewarn.warn.deliver import deliver
from forewarn.warn.history import entries_about
from forewarn.warn.lifecycle import Act, Draft
from forewarn.warn.outbox import DeliveryReport, OutboxItem
from forewarn.warn.policy import Policy
from forewarn.warn.react import may_change, react
from forewarn.warn.roster import Shift

ScenarioLookup = Callable[[str], Scenario]  # raises NotFound for an unknown id


@dataclass(frozen=True, slots=True)
class WarningDesk:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    ledger: LedgerService  # appends as the acting principal, signed when it has a key
    scenario: ScenarioLookup
    access: Callable[[], Access] = lambda: EVERYTHING  # what the reader may see (the system: everything)

    @property
    def actor(self) -> str:
        return self.ledger.who.name

    # -- reads ---------------------------------------------------------------------------------
    def board(self, states: Sequence[WarningState | str] = OPEN_STATES, scenario_id: str | None = None,
              limit: int = 100) -> list[WarningRecord]:
        with self.store.engine.connect() as conn:
            return self._shown(conn, rows.board(conn, states=[WarningState(s) for s in states],
                                                scenario_id=scenario_id, limit=limit, access=self.access()))

    def listing(self, states: Sequence[WarningState] = OPEN_STATES, *, severity: str | None = None,
                scenario_id: str | None = None, limit: int = 50, offset: int = 0) -> WarningList:
        """One page of warnings in board order (of one severity or scenario when given), with the total."""
        with self.store.engine.connect() as conn:
            found, total = board.list_warnings(conn, states=states, severity=severity, scenario_id=scenario_id,
                                               limit=limit, offset=offset, access=self.access())
            return WarningList(self._shown(conn, found), total, self._names(conn), board.dissent_counts(conn, found))

    def board_view(self, limit: int, *, watched: bool) -> Board:
        """The open board's first ``limit`` warnings, the cursor for live updates after it, and (with
        ``watched``) the scenarios a warning may be raised about."""
        with self.store.engine.connect() as conn:
            cursor = head_seq(conn)  # first: a change after it shows up in the first poll
            found, total = board.list_warnings(conn, states=OPEN_STATES, limit=limit, access=self.access())
            listing = WarningList(self._shown(conn, found), total, self._names(conn),
                                  board.dissent_counts(conn, found))
            return Board(cursor, listing, board.scenario_names(conn, enabled_only=True, access=self.access())
                         if watched else {})

    def changes(self, since: int | None) -> Changes:
        """Warnings changed after ledger entry ``since`` (none: the open board, as a reset)."""
        with self.store.engine.connect() as conn:
            found = board.changes(conn, since, access=self.access())
            return replace(found, warnings=self._shown(conn, found.warnings))

    def get(self, warning_id: int) -> WarningRecord:
        """One warning as the reader may see it: NotFound when hidden; its evidence (ids, text) without what
        rests on holdings they may not see (:meth:`shown` says how many signals that left out)."""
        return self.shown(warning_id)[0]

    def shown(self, warning_id: int) -> tuple[WarningRecord, int]:
        """One warning as the reader may see it, and how many signals of its evidence they may not see."""
        with self.store.engine.connect() as conn:
            return shown_warning(conn, rows.fetch(conn, warning_id, access=self.access()), self.access())

    def history(self, warning_id: int) -> list[LedgerEntry]:
        """The ledger entries about a warning, oldest first; for a reader who may not see some of its evidence,
        their payloads without it (the ids left out, the text as :meth:`shown` gives it)."""
        with self.store.engine.connect() as conn:
            w = rows.fetch(conn, warning_id, access=self.access())
            entries = entries_about(conn, lifecycle.subject(warning_id))
            shown, hidden = shown_warning(conn, w, self.access())
        if not hidden:
            return entries
        gone = set(w.event_ids) | set(w.document_ids)
        gone -= set(shown.event_ids) | set(shown.document_ids)
        return [replace(e, payload=_without(e.payload, gone, shown.text)) for e in entries]

    def view(self, warning_id: int) -> WarningView:
        """One warning with its history and the facts about its evidence (document titles, event dates), the
        evidence the reader may not see left out and counted."""
        (w, hidden), history = self.shown(warning_id), self.history(warning_id)
        with self.store.engine.connect() as conn:
            return WarningView(w, history, documents_brief(conn, w.document_ids), events_brief(conn, w.event_ids),
                               self._names(conn), self.policy().remind_cap, hidden)

    def check_documents(self, document_ids: Sequence[str]) -> None:
        """InvalidArgument naming the first of ``document_ids`` that is no stored document the asker may see."""
        with self.store.engine.connect() as conn:
            stored = documents_brief(conn, document_ids)
            hidden = hidden_ids(conn, self.access(), documents=document_ids)
        missing = [d for d in document_ids if d not in stored or d in hidden.ids]
        if missing:
            raise InvalidArgument(f"no document {missing[0]!r}", hint="name documents by their full id")

    # -- actions -------------------------------------------------------------------------------
    def raise_warning(self, title: str, text: str, severity: str, *, scenario_id: str | None = None,
                      partner: str | None = None, partner_ref: str | None = None, document_ids: Sequence[str] = (),
                      event_ids: Sequence[str] = (), owner: str | None = None, at: datetime | None = None
                      ) -> WarningRecord:
        """A warning raised by a person, or received from a partner when ``partner`` is given."""
        policy = self.policy()
        level = policy.check_severity(severity)
        if partner_ref and not partner:
            raise InvalidArgument("a partner reference needs the partner's name", hint="give --partner too")
        scenario = self.scenario(scenario_id) if scenario_id else None
        base = scenario.chain if scenario else policy.escalation_chain
        draft = Draft(origin=Origin.PARTNER if partner else Origin.PERSON, severity=level, title=title, text=text,
                      chain=policy.chain(owner, base, self.actor),
                      minutes=policy.minutes(level, scenario.thresholds if scenario else ()),
                      scenario_id=scenario_id, event_ids=tuple(event_ids), document_ids=tuple(document_ids),
                      partner=partner.strip() if partner else None, partner_ref=partner_ref)
        with self._act(at) as act:
            cid = self._compartment(act.conn, scenario_id, document_ids)
            raised = lifecycle.raise_new(act, replace(draft, compartment=cid))
        return self._reading(raised)

    def _compartment(self, conn: Connection, scenario_id: str | None, document_ids: Sequence[str]) -> int | None:
        """A person's warning is for those who may see its scenario and every document it cites: the strictest
        of their compartments (None: open)."""
        ids = [lifecycle.scenario_compartment(conn, scenario_id)] if scenario_id else []
        d = t.documents.c
        if document_ids:
            ids += conn.execute(select(d.compartment).where(d.id.in_(sorted(set(document_ids))))).scalars().all()
        found = self.store.compartments(ids)
        return self.store.compartment_id(conn, strictest(found.values())) if found else None

    def _reading(self, w: WarningRecord) -> WarningRecord:
        """The warning an action returns, as the one who acted may see it."""
        with self.store.engine.connect() as conn:
            return shown_warning(conn, w, self.access())[0]

    def _fetch(self, act: Act, warning_id: int) -> WarningRecord:
        return rows.fetch(act.conn, warning_id, lock=True, access=self.access())

    def acknowledge(self, warning_id: int, note: str | None = None) -> WarningRecord:
        with self._act() as act:
            done = lifecycle.acknowledge(act, self._fetch(act, warning_id), note)
        return self._reading(done)

    def dispose(self, warning_id: int, disposition: Disposition | str, rationale: str | None,
                signposts: Sequence[str] = ()) -> WarningRecord:
        how = _disposition(disposition)
        with self._act() as act:
            done = lifecycle.dispose(act, self._fetch(act, warning_id), how, rationale, signposts)
        return self._reading(done)

    def escalate(self, warning_id: int, reason: str) -> WarningRecord:
        if not reason or not reason.strip():
            raise InvalidArgument("escalating by hand needs a reason", hint="give --reason")
        minutes = self._minutes(self.get(warning_id))  # outside the lock: it may read the scenario
        with self._act() as act:
            done = lifecycle.escalate(act, self._fetch(act, warning_id), minutes, reason.strip())
        return self._reading(done)

    def escalate_due(self) -> list[WarningRecord]:
        """One escalation step for every unacknowledged warning whose deadline has passed (each in
        its own transaction); returns the escalated warnings."""
        with self.store.engine.connect() as conn:
            candidates = rows.due_ids(conn, self.clock())
        done: list[WarningRecord] = []
        for warning_id in candidates:
            with self.store.engine.connect() as conn:  # forewarn's own step: whoever runs it, every warning
                minutes = self._minutes(rows.fetch(conn, warning_id))
            with self._act() as act:
                w = rows.fetch(act.conn, warning_id, lock=True)  # as it is now: someone may have acknowledged it
                if w.state is WarningState.RAISED and w.due_at is not None and w.due_at <= act.at:
                    done.append(lifecycle.escalate(act, w, minutes, None))
        return done

    def react(self, scenario: Scenario, assessment: Assessment, previous_level: str | None) -> list[WarningRecord]:
        with self.store.engine.connect() as conn:
            if not may_change(conn, scenario, assessment, previous_level):
                return []
        with self._act() as act:
            return react(act, scenario, assessment, previous_level)

    # -- notifications ---------------------------------------------------------------------------
    def deliver(self) -> DeliveryReport:
        return deliver(self.store, self.settings, self.clock)

    def outbox(self, status: str | None = None, limit: int = 100) -> list[OutboxItem]:
        with self.store.engine.connect() as conn:
            return outbox.listing(conn, status, limit)

    def retry(self, outbox_id: int) -> OutboxItem:
        """Requeue a pending or dead notification (due now; a webhook one to the URL configured now);
        recorded in the warning's history (a notice's: under its subject) with the target redacted and its
        fingerprint."""
        with self._act() as act:
            item = outbox.requeue(act.conn, outbox_id, act.at, self.settings.webhook_url.strip())
            detail = {"outbox_id": item.id, "channel": item.channel, "target": item.target,
                      "target_fingerprint": item.fingerprint, "reason": item.reason}
            if item.warning_id is not None:
                act.record("notification-requeued", item.warning_id, detail)
            else:
                append(act.conn, at=act.at, actor=act.actor, kind="notification-requeued",
                       subject=item.ledger_subject, payload={"about": item.about, **detail}, signer=act.signer)
            return item

    # -- the duty roster -------------------------------------------------------------------------
    def roster(self, at: datetime | None = None) -> list[Shift]:
        """Shifts on the roster (with ``at``: those covering that time), by role then start."""
        with self.store.engine.connect() as conn:
            return roster.listing(conn, at)

    def roster_add(self, role: str, account: str, starts_at: datetime | None = None,
                   ends_at: datetime | None = None) -> Shift:
        """Put an account on a shift of a role (from now when ``starts_at`` is None); ledgered."""
        with self._act() as act:
            return roster.add(act.conn, role=role, account=account, starts_at=starts_at or act.at, ends_at=ends_at,
                              at=act.at, actor=act.actor, signer=act.signer)

    def roster_remove(self, shift_id: int) -> Shift:
        with self._act() as act:
            return roster.remove(act.conn, shift_id, at=act.at, actor=act.actor, signer=act.signer)

    # -- helpers -----------------------------------------------------------------------------------
    def _shown(self, conn: Connection, found: Sequence[WarningRecord]) -> list[WarningRecord]:
        """Warnings as the reader may see them: without the evidence they may not see (detect.shown)."""
        return [w for w, _ in shown_warnings(conn, found, self.access())]

    def _names(self, conn: Connection) -> dict[str, str]:
        return board.scenario_names(conn, access=self.access())

    def policy(self) -> Policy:
        return Policy.from_settings(self.settings)

    @contextmanager
    def _act(self, at: datetime | None = None) -> Iterator[Act]:
        policy = self.policy()
        with self.store.transaction() as conn:
            ledger_lock(conn)  # before the clock: appends stay in time order across processes
            yield Act(conn, at or self.clock(), self.actor, self.ledger.signer, policy)

    def _minutes(self, w: WarningRecord) -> int:
        """Acknowledgement minutes for the warning's severity (a severity never changes)."""
        return self.policy().minutes(w.severity, self._thresholds(w.scenario_id))

    def _thresholds(self, scenario_id: str | None) -> tuple[Threshold, ...]:
        if not scenario_id:
            return ()
        try:
            return self.scenario(scenario_id).thresholds
        except (NotFound, ScenarioInvalid):  # removed since, or no longer readable: the setting's minutes apply
            return ()


def _without(payload: dict[str, Any], gone: set[str], text: str) -> dict[str, Any]:
    """A warning's ledger payload without the evidence ids in ``gone``, its text replaced by ``text``."""
    kept = {k: [i for i in v if i not in gone] if k in EVIDENCE_KEYS and isinstance(v, list) else v
            for k, v in payload.items()}
    return {**kept, "text": text} if "text" in kept else kept


EVIDENCE_KEYS = frozenset({"event_ids", "document_ids", "new_event_ids", "new_document_ids", "events"})


def _disposition(value: Disposition | str) -> Disposition:
    try:
        return Disposition(value)
    except ValueError:
        raise InvalidArgument(f"unknown disposition {value!r}",
                              hint=f"use one of: {', '.join(d.value for d in Disposition)}") from None
