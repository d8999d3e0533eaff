"""Shift handovers (``ws.handovers``): the outgoing duty officer writes a note for the incoming one —
the open warnings (a snapshot taken at writing: ids, titles, severities, owners), what changed since
the previous note (warnings raised, escalated, disposed and reopened, from the ledger; scenarios whose
level changed, from the published assessments) and, in their own words, what to watch.

Compartments: a note is drafted from what its writer may see, and each reader sees of it only the warnings and
scenarios they may see; the rest is counted (``withheld``: "n items about holdings you may not see"). The
words of "what to watch" are the writer's and are shown whole: a writer does not name restricted holdings in
them (docs/warnings.md).

A note is written once and never changed (``handover-written`` holds all of it in the ledger); a
correction is a new note naming the one it corrects. The incoming officer acknowledges it
(``handover-acknowledged``); the author cannot, and nobody twice. Writing and acknowledging need a
duty officer or above."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from forewarn.detect import assessments
from forewarn.errors import HandoverStateError, InvalidArgument, NotFound
from forewarn.ledger.service import LedgerService
from forewarn.model import LedgerEntry, Principal, Role, WarningRecord
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.warning import OPEN_STATES
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store.access import hidden_from, hidden_in
from forewarn.warn import rows
from forewarn.warn.board import scenario_names

H, K = t.handovers.c, t.handover_acks.c
FIRST_WINDOW = timedelta(hours=12)  # what the first note ever tells as changed
OPEN_CAP = 200  # open warnings listed in a note
CHANGES_CAP = 200  # warning changes listed in a note (the newest)
WATCH_MAX = 20_000  # characters of "what to watch"
CHANGE_KINDS = ("warning-raised", "warning-escalated", "warning-disposed", "warning-superseded", "warning-reopened")


@dataclass(frozen=True, slots=True)
class OpenWarning:
    id: int
    title: str
    severity: str
    state: str
    owner: str
    escalation_level: int
    raised_at: str  # ISO 8601


@dataclass(frozen=True, slots=True)
class WarningChange:
    id: int
    what: str  # raised, escalated, disposed, superseded, reopened
    title: str
    severity: str
    detail: str  # the disposition, who it went to, …
    at: str
    by: str


@dataclass(frozen=True, slots=True)
class LevelChange:
    scenario_id: str
    scenario: str
    before: str | None
    after: str | None
    probability: float | None


@dataclass(frozen=True, slots=True)
class Ack:
    account: str
    at: datetime


@dataclass(frozen=True)
class Draft:
    """What a note written now would be filled in with."""

    since: datetime
    previous_id: int | None
    open_warnings: tuple[OpenWarning, ...]
    warnings: tuple[WarningChange, ...]
    levels: tuple[LevelChange, ...]


@dataclass(frozen=True)
class Handover:
    id: int
    written_at: datetime
    written_by: str
    since: datetime
    previous_id: int | None
    corrects: int | None
    watch: str
    open_warnings: tuple[OpenWarning, ...]
    warnings: tuple[WarningChange, ...]
    levels: tuple[LevelChange, ...]
    acks: tuple[Ack, ...]
    withheld: int = 0  # items about warnings or scenarios this reader may not see, left out

    def acknowledged_by(self, account: str) -> bool:
        return any(a.account == account for a in self.acks)


@dataclass(frozen=True)
class HandoverDesk:
    store: SqlStore
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService
    access: Callable[[], Access] = lambda: EVERYTHING

    def draft(self) -> Draft:
        """What a note written now would hold (the write form shows it)."""
        with self.store.engine.connect() as conn:
            return self._draft(conn, self.clock())

    def write(self, watch: str, corrects: int | None = None) -> Handover:
        """Write a note (``handover-written``, with all of it, in the same transaction)."""
        self.who.require(Role.DUTY_OFFICER, "write a handover")
        text = check_watch(watch)
        with self.store.transaction() as conn:
            if corrects is not None:
                fetch(conn, corrects)
            now = self.clock()
            d = self._draft(conn, now)
            new_id = insert(conn, d, now, self.who.name, text, corrects)
            self.ledger.append(conn, "handover-written", subject(new_id), written_payload(new_id, d, text, corrects))
            return self._seen(conn, fetch(conn, new_id))

    def acknowledge(self, handover_id: int) -> Handover:
        """The incoming officer acknowledges a note (``handover-acknowledged``)."""
        self.who.require(Role.DUTY_OFFICER, "acknowledge a handover")
        with self.store.transaction() as conn:
            h = fetch(conn, handover_id)
            check_ack(h, self.who.name)
            conn.execute(t.handover_acks.insert().values(handover_id=h.id, account=self.who.name, at=self.clock()))
            self.ledger.append(conn, "handover-acknowledged", subject(h.id), {"id": h.id, "written_by": h.written_by})
            return self._seen(conn, fetch(conn, h.id))

    def get(self, handover_id: int) -> Handover:
        with self.store.engine.connect() as conn:
            return self._seen(conn, fetch(conn, handover_id))

    def latest(self) -> Handover | None:
        with self.store.engine.connect() as conn:
            found = conn.execute(select(H.id).order_by(H.written_at.desc(), H.id.desc()).limit(1)).scalar()
            return self._seen(conn, fetch(conn, int(found))) if found is not None else None

    def listing(self, limit: int, offset: int) -> tuple[list[Handover], int]:
        """A page of notes, newest first, and how many there are."""
        with self.store.engine.connect() as conn:
            ids = conn.execute(select(H.id).order_by(H.written_at.desc(), H.id.desc()).limit(limit).offset(offset))
            total = int(conn.execute(select(func.count()).select_from(t.handovers)).scalar_one())
            return [self._seen(conn, fetch(conn, int(i))) for i in ids.scalars().all()], total

    def _seen(self, conn: Connection, h: Handover) -> Handover:
        """The note as its reader may see it: items about hidden warnings or scenarios left out and counted."""
        access = self.access()
        if not access.restricted:
            return h
        gone_w = _hidden(conn, t.warnings, {w.id for w in h.open_warnings} | {c.id for c in h.warnings}, access)
        gone_s = _hidden(conn, t.scenarios, {x.scenario_id for x in h.levels}, access)
        opened = tuple(w for w in h.open_warnings if w.id not in gone_w)
        changed = tuple(c for c in h.warnings if c.id not in gone_w)
        levels = tuple(x for x in h.levels if x.scenario_id not in gone_s)
        left = len(h.open_warnings) - len(opened) + len(h.warnings) - len(changed) + len(h.levels) - len(levels)
        return replace(h, open_warnings=opened, warnings=changed, levels=levels, withheld=left)


    def _draft(self, conn: Connection, now: datetime) -> Draft:
        prev = conn.execute(select(H.id, H.written_at).order_by(H.written_at.desc(), H.id.desc()).limit(1)).first()
        since = prev.written_at if prev is not None else now - FIRST_WINDOW
        entries = self.ledger.entries(kind=CHANGE_KINDS, since=since, until=now, newest_first=True,
                                      limit=CHANGES_CAP)
        access = self.access()
        names = scenario_names(conn, enabled_only=True)
        hidden = _hidden(conn, t.scenarios, set(names), access)
        return Draft(since, int(prev.id) if prev is not None else None, open_snapshot(conn, access),
                     tuple(warning_changes([e for e in entries if e.at > since], _titles(conn, entries, access))),
                     tuple(level_changes(conn, {k: v for k, v in names.items() if k not in hidden}, since, now)))


def subject(handover_id: int) -> str:
    return f"handover:{handover_id}"


def check_watch(watch: str) -> str:
    text = watch.strip()
    if not text:
        raise InvalidArgument("a handover needs what to watch", hint="say in a few lines what the next shift "
                              "should keep an eye on (`--watch TEXT`); 'nothing in particular' is an answer too")
    if len(text) > WATCH_MAX:
        raise InvalidArgument(f"what to watch is {len(text):,} characters; at most {WATCH_MAX:,}",
                              hint="keep the note short; link the warnings and documents instead")
    return text


def check_ack(h: Handover, account: str) -> None:
    if h.written_by == account:
        raise HandoverStateError(f"handover {h.id} was written by {account}: the incoming officer acknowledges it",
                                 hint="write a new note to correct it (`--corrects ID`)")
    if h.acknowledged_by(account):
        raise HandoverStateError(f"handover {h.id} is acknowledged by {account} already",
                                 hint=f"`forewarn handover show {h.id}` shows who acknowledged it and when")


def _hidden(conn: Connection, table: Any, ids: set[Any], access: Access) -> set[Any]:
    """Which of ``ids`` (warnings or scenarios) name objects hidden from ``access``."""
    return set(hidden_in(conn, table, sorted(ids), sorted(access.hidden))) if ids and access.restricted else set()


def open_snapshot(conn: Connection, access: Access = EVERYTHING) -> tuple[OpenWarning, ...]:
    """The open warnings in board order that ``access`` may see, as a note keeps them."""
    found = rows.board(conn, states=list(OPEN_STATES), scenario_id=None, limit=OPEN_CAP)
    gone = _hidden(conn, t.warnings, {w.id for w in found}, access)
    found = [w for w in found if w.id not in gone]
    return tuple(OpenWarning(w.id, w.title, w.severity, w.state.value, w.owner_account or w.owner,
                             w.escalation_level, w.raised_at.isoformat()) for w in found)


def _titles(conn: Connection, entries: Iterable[LedgerEntry], access: Access) -> dict[int, WarningRecord]:
    """The warnings the entries name that ``access`` may see (a change of another is left out of a note)."""
    ids = {int(e.payload["id"]) for e in entries if isinstance(e.payload.get("id"), int)}
    W = t.warnings.c
    return {r.id: r for r in (rows.to_record(x) for x in conn.execute(
        select(t.warnings).where(W.id.in_(ids), *hidden_from(W.compartment, access))))}


def warning_changes(entries: Sequence[LedgerEntry], warnings: dict[int, WarningRecord]) -> list[WarningChange]:
    """One line per ledger entry of a warning's change, oldest first."""
    changes = []
    for e in sorted(entries, key=lambda x: x.seq):
        w = warnings.get(int(e.payload.get("id", 0)))
        if w is not None:
            changes.append(WarningChange(w.id, e.kind.removeprefix("warning-"), w.title, w.severity,
                                         change_detail(e.kind, e.payload), e.at.isoformat(), e.actor))
    return changes


def change_detail(kind: str, payload: dict[str, Any]) -> str:
    if kind in ("warning-disposed", "warning-superseded"):
        return str(payload.get("disposition") or "")
    if kind == "warning-escalated":
        return f"to {payload.get('to_account') or payload.get('to') or '?'}"
    if kind == "warning-raised":
        return f"owner {payload.get('owner') or '?'}"
    return ""


def level_changes(conn: Connection, names: dict[str, str], since: datetime, now: datetime) -> list[LevelChange]:
    """Scenarios whose published level at ``now`` differs from the one at ``since``."""
    changed = []
    for sid, name in names.items():
        before = assessments.latest(conn, sid, until=since, signals=False)
        after = assessments.latest(conn, sid, until=now, signals=False)
        was, is_ = (before.level if before else None), (after.level if after else None)
        if was != is_:
            changed.append(LevelChange(sid, name, was, is_, after.probability if after else None))
    return changed


def written_payload(new_id: int, d: Draft, watch: str, corrects: int | None) -> dict[str, Any]:
    return {"id": new_id, "since": d.since.isoformat(), "previous": d.previous_id, "corrects": corrects,
            "watch": watch, "open_warnings": [asdict(w) for w in d.open_warnings],
            "warnings": [asdict(c) for c in d.warnings], "levels": [asdict(x) for x in d.levels]}


def insert(conn: Connection, d: Draft, now: datetime, by: str, watch: str, corrects: int | None) -> int:
    result = conn.execute(t.handovers.insert().values(
        written_at=now, written_by=by, since=d.since, previous_id=d.previous_id, corrects=corrects, watch=watch,
        open_warnings=[asdict(w) for w in d.open_warnings],
        changes={"warnings": [asdict(c) for c in d.warnings], "levels": [asdict(x) for x in d.levels]}))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def fetch(conn: Connection, handover_id: int) -> Handover:
    r = conn.execute(select(t.handovers).where(H.id == handover_id)).first()
    if r is None:
        raise NotFound(f"no handover {handover_id}", hint="`forewarn handover list` lists them")
    acks = tuple(Ack(a.account, a.at) for a in conn.execute(
        select(K.account, K.at).where(K.handover_id == handover_id).order_by(K.at, K.account)))
    changes = r.changes or {}
    return Handover(r.id, r.written_at, r.written_by, r.since, r.previous_id, r.corrects, r.watch,
                    tuple(OpenWarning(**w) for w in r.open_warnings or ()),
                    tuple(WarningChange(**c) for c in changes.get("warnings", ())),
                    tuple(LevelChange(**x) for x in changes.get("levels", ())), acks)
