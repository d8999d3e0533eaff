"""Worker processes for the concurrency test (importable, so `spawn` can start them).

Both share one fast clock: real time since ``t0`` times ``SPEED``, from ``BASE``, so that minutes
of acknowledgement deadlines pass in milliseconds while the two processes still agree on the time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.errors import WarningStateError

SPEED = 1000.0  # one real millisecond is one second
BASE = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)


def fast_clock(t0: float) -> Callable[[], datetime]:
    return lambda: BASE + timedelta(seconds=(time.time() - t0) * SPEED)


def open_workspace(url: str, actor: str, t0: float) -> Workspace:
    settings = Settings(database_url=url, actor=actor, extract=False, escalation_chain="alice,bob,carol",
                        ack_minutes="high=1,critical=1", webhook_url="http://127.0.0.1:9/hook")
    return Workspace.open(settings, clock=fast_clock(t0))


def raiser(url: str, t0: float, count: int, finished: Event) -> dict[str, object]:
    """Raise ``count`` warnings, escalating due ones (and, by hand, the previous one) as it goes."""
    try:
        return _raise(url, t0, count)
    finally:
        finished.set()


def _raise(url: str, t0: float, count: int) -> dict[str, object]:
    done = {"raised": 0, "escalated": 0, "state_errors": 0, "ids": [], "errors": []}
    with open_workspace(url, "raiser", t0) as ws:
        for i in range(count):
            try:
                w = ws.warnings.raise_warning(f"warning {i}", "x", "high" if i % 2 else "critical")
                done["raised"] += 1  # type: ignore[operator]
                done["ids"].append(w.id)  # type: ignore[attr-defined]
                done["escalated"] += len(ws.warnings.escalate_due())  # type: ignore[operator]
                if i % 3 == 0 and i:
                    ws.warnings.escalate(w.id - 1, "by hand")
                    done["escalated"] += 1  # type: ignore[operator]
            except WarningStateError:
                done["state_errors"] += 1  # type: ignore[operator]
            except Exception as err:  # reported to the test, which fails on it
                done["errors"].append(f"{type(err).__name__}: {err}")  # type: ignore[attr-defined]
    return done


def handler(url: str, t0: float, finished: Event) -> dict[str, object]:
    """Acknowledge or dispose of whatever is on the board until the raiser has finished and the
    board holds nothing unacknowledged."""
    done = {"acknowledged": 0, "disposed": 0, "state_errors": 0, "passes": 0, "errors": []}
    with open_workspace(url, "handler", t0) as ws:
        while True:
            last = finished.is_set()
            board = ws.warnings.board(limit=20)
            done["passes"] += 1  # type: ignore[operator]
            if last and all(w.state.value == "acknowledged" for w in board):
                return done
            for w in board:
                try:
                    if w.id % 2 and w.state.value == "raised":
                        ws.warnings.acknowledge(w.id, note="seen")
                        done["acknowledged"] += 1  # type: ignore[operator]
                    elif not w.id % 2:
                        ws.warnings.dispose(w.id, "dismissed", "handled elsewhere")
                        done["disposed"] += 1  # type: ignore[operator]
                except WarningStateError:
                    done["state_errors"] += 1  # type: ignore[operator]
                except Exception as err:
                    done["errors"].append(f"{type(err).__name__}: {err}")  # type: ignore[attr-defined]
                    return done
