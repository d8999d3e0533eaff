"""A workspace's own time: the "now" a demo or replayed workspace lives in, when it is not the real time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WorkspaceTime:
    """The workspace's clock as set: the time it was set to (``at``), the real time it was set (``set_at``),
    whether it runs on from there or stays frozen, and who set it."""

    at: datetime
    set_at: datetime
    running: bool
    set_by: str

    def now(self, real: datetime) -> datetime:
        """The workspace's time when the real time is ``real``: running, ``at`` plus the real time elapsed
        since it was set (never less than ``at``); frozen, ``at``."""
        return self.at + max(real - self.set_at, timedelta(0)) if self.running else self.at
