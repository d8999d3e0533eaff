"""The workspace's own time (``ws.time``) and the clock built on it.

A demo or replayed workspace lives in its own time: one stored row (:mod:`forewarn.store.clock`) says the
time it was set to, the real time it was set, whether it runs on from there or stays frozen, and who set
it. :class:`WorkspaceClock` is the workspace's clock: that time when one is set, else the real time.
Setting and clearing are ledgered (``clock-set``, ``clock-cleared``) in the same transaction as the row,
and refused when they would put the ledger out of time order (FW-E091)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from forewarn.errors import ClockBackwards, ClockFrozen
from forewarn.ledger.chain import append, last_entry, lock
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal
from forewarn.model.clock import WorkspaceTime
from forewarn.store import SqlStore
from forewarn.store import clock as rows

Clock = Callable[[], datetime]
REFRESH_S = 1.0  # a long-lived workspace (the web app) sees a time set by another process within this
SUBJECT = "workspace:clock"


def real_now() -> datetime:
    return datetime.now(UTC)


class WorkspaceClock:
    """The workspace's clock: its own time when one is set, else the real time. It reads the stored row at
    most once every :data:`REFRESH_S` seconds (another process, the CLI beside a running server, may set it),
    and at once after this process set or cleared it (:meth:`forget`)."""

    def __init__(self, store: SqlStore, real: Clock = real_now, monotonic: Callable[[], float] = time.monotonic
                 ) -> None:
        self.store, self.real, self._monotonic = store, real, monotonic
        self._read_at: float | None = None
        self._setting: WorkspaceTime | None = None

    def __call__(self) -> datetime:
        setting = self.setting()
        real = self.real()
        return setting.now(real) if setting else real

    def setting(self) -> WorkspaceTime | None:
        """The workspace's time as set, or None (real time)."""
        now = self._monotonic()
        if self._read_at is None or now - self._read_at >= REFRESH_S:
            self._setting, self._read_at = rows.read(self.store.engine), now
        return self._setting

    def forget(self) -> None:
        self._read_at = None


@dataclass(frozen=True, slots=True)
class ClockView:
    """What ``forewarn clock show`` and the workbench's banner say: the time as set (None: real time),
    the workspace's time now and the real time now."""

    setting: WorkspaceTime | None
    now: datetime
    real: datetime

    @property
    def own(self) -> bool:
        """Whether the workspace lives in its own time (not the real time)."""
        return self.setting is not None


@dataclass(frozen=True)
class ClockDesk:
    store: SqlStore
    clock: WorkspaceClock
    who: Principal
    ledger: LedgerService
    effective: Clock | None = None  # the workspace's clock when a caller gave one (tests, the demo's play)

    def show(self) -> ClockView:
        setting, real = self.clock.setting(), self.clock.real()
        now = self.effective() if self.effective else setting.now(real) if setting else real
        return ClockView(setting, now, real)

    def set(self, at: datetime, *, frozen: bool = False) -> WorkspaceTime:
        """Set the workspace's time to ``at`` (running on from it, or ``frozen``); refused before the ledger's
        last entry. Ledgered as ``clock-set`` at ``at``."""
        value = WorkspaceTime(_utc(at), self.clock.real(), not frozen, self.who.name)
        with self.store.transaction() as conn:
            lock(conn)
            _after_last_entry(conn, value.at, "the workspace time")
            self._append(conn, value.at, "clock-set", {"at": _iso(value.at), "running": value.running,
                                                      "real_time": _iso(value.set_at)})
            rows.write(conn, value)
        self.clock.forget()
        return value

    def settle(self, at: datetime) -> WorkspaceTime | None:
        """Set the workspace's time to ``at`` (running) unless a time is set already or the ledger holds later
        entries: what the demo does after playing, idempotently. The time in force (None: real time)."""
        current = self.clock.setting()
        with self.store.transaction() as conn:
            last = last_entry(conn)
        if current is not None or (last is not None and last[2] is not None and last[2] > at):
            return current
        return self.set(at)

    def clear(self) -> WorkspaceTime | None:
        """Back to the real time (ledgered as ``clock-cleared`` at the real time); refused when the real time
        is before the ledger's last entry. The time that was set (None: it was the real time already)."""
        before, real = self.clock.setting(), self.clock.real()
        if before is None:
            return None
        with self.store.transaction() as conn:
            lock(conn)
            _after_last_entry(conn, real, "the real time")
            self._append(conn, real, "clock-cleared", {"was": _iso(before.at), "running": before.running,
                                                      "set_by": before.set_by})
            rows.clear(conn)
        self.clock.forget()
        return before

    def live(self) -> ClockView:
        """The clock a live watch runs on; refused (FW-E095) when the workspace's time is frozen."""
        view = self.show()
        if view.setting is not None and not view.setting.running:
            raise ClockFrozen(f"this workspace's time is frozen at {_iso(view.setting.at)} "
                              f"(set by {view.setting.set_by}): a watch would assess the same instant at every poll "
                              "and nothing would ever fall due",
                              hint=f"`forewarn clock set {_iso(view.setting.at)}` lets it run on from there; "
                                   "`forewarn clock clear` goes back to the real time")
        return view

    def _append(self, conn: Connection, at: datetime, kind: str, payload: dict[str, Any]) -> None:
        append(conn, at=at, actor=self.who.name, kind=kind, subject=SUBJECT, payload=payload,
               signer=self.ledger.signer)


def _after_last_entry(conn: Connection, at: datetime, what: str) -> None:
    last = last_entry(conn)
    if last is not None and last[2] is not None and at < last[2]:
        raise ClockBackwards(f"{what} {_iso(at)} is before the ledger's last entry (#{last[0]}, {_iso(last[2])}); "
                             "nothing was changed",
                             hint=f"the ledger must stay in time order: give a time at or after {_iso(last[2])}")


def _utc(at: datetime) -> datetime:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
