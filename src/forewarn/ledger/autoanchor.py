"""Automatic anchors: the chain's head appended, one JSON line at a time, to a file outside the
database, so that a consistent rewrite of the chain (or a cut-off tail) is caught by `forewarn
ledger verify` without anyone having taken an anchor by hand.

An anchor is written after a write transaction that appended to the ledger commits, once
``ledger_anchor_every`` entries have been added since the newest anchor in the file, and at the
end of every warning cycle that added entries (``forewarn cycle``, each cycle of ``forewarn
watch``). Each line is an anchor in the format of ``forewarn ledger anchor`` (unsigned; its
``count`` is the head's seq). The file is ``ledger_anchor_file``, by default next to a SQLite
database (``<db>.anchors.jsonl``) or, for PostgreSQL, under ``$XDG_STATE_HOME/forewarn/`` named
from the URL without its password. ``verify`` checks against the newest anchor in it.

Failing to write the file never undoes or fails the action (it has committed): it is FW-E094,
logged as a warning and returned where a caller can show it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from forewarn.errors import Code, InvalidArgument, Issue, LedgerBroken, Severity
from forewarn.ledger.anchor import Anchor, anchor_line, check_signature, parse_anchor
from forewarn.ledger.chain import HEAD_NOTE, last_entry

if TYPE_CHECKING:
    from forewarn.config import Settings
    from forewarn.store import SqlStore

log = logging.getLogger("forewarn.ledger")
HOOK = "ledger-auto-anchor"  # its key among the store's after-commit hooks
SUFFIX = ".anchors.jsonl"
HINT = "the action itself was recorded; fix the path or its permissions, or set ledger_anchor_file elsewhere"


def default_anchor_file(database_url: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Where automatic anchors go by default: next to a SQLite database file; for PostgreSQL under
    the user's state folder, named from the URL without its password. None for an in-memory database."""
    env = os.environ if env is None else env
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() == "sqlite":
        name = url.database or ""
        return None if name in ("", ":memory:") or name.startswith("file::memory:") else \
            Path(name).expanduser().with_name(Path(name).name + SUFFIX)
    state = Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "forewarn"
    keyed = url._replace(password=None).render_as_string(hide_password=False)  # with or without one: the same
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{url.host or 'local'}-{url.port or 5432}-{url.database or ''}")
    return state / f"{label}-{hashlib.sha256(keyed.encode()).hexdigest()[:12]}{SUFFIX}"


def anchor_file(settings: Settings) -> Path | None:
    """The file the settings name for automatic anchors (``ledger_anchor_file``, else the default)."""
    return settings.ledger_anchor_file or default_anchor_file(settings.database_url)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the anchor file holds: its newest valid anchor, and what could not be used."""

    newest: Anchor | None
    notes: tuple[str, ...] = ()


def read_anchors(path: Path | None) -> Reading:
    """The newest (highest seq) valid anchor in the file; unreadable or altered lines are noted,
    not fatal (the last line may be half-written by a process killed while writing it)."""
    if path is None:
        return Reading(None)
    newest, skipped = None, 0
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                anchor = _line_anchor(line, str(path))
                if anchor is None:
                    skipped += 1
                elif newest is None or anchor.seq >= newest.seq:
                    newest = anchor
    except FileNotFoundError:  # none written yet
        return Reading(None)
    except (OSError, UnicodeDecodeError) as err:
        return Reading(newest, (f"{Code.ANCHOR_FAILED.value}: cannot read the automatic anchors in {path}: {err}",))
    notes = (f"{skipped} line(s) of {path} are not valid anchors and were skipped",) if skipped else ()
    return Reading(newest, notes)


def _line_anchor(line: str, origin: str) -> Anchor | None:
    """The anchor on one line of the file, or None when it is not a valid one."""
    try:
        anchor = parse_anchor(line, origin)
        check_signature(anchor, origin)
    except (InvalidArgument, LedgerBroken):
        return None
    return anchor


@dataclass(slots=True)
class AutoAnchors:
    """Writes automatic anchors for one store (an after-commit hook of it), and reads them back."""

    path: Path | None
    every: int  # entries between anchors; 0 or less: write none
    clock: Callable[[], datetime]
    actor: str
    last_seq: int | None = None  # the newest seq anchored in the file, once read
    failures: list[Issue] = field(default_factory=list)  # the last few write failures

    def __call__(self, notes: dict[str, Any]) -> None:
        """After a commit: anchor the head the transaction left when enough entries were added."""
        head = notes.get(HEAD_NOTE)
        if head is not None and self.every > 0 and head[0] - self._last() >= self.every:
            self.write(*head)

    def at_cycle(self, engine: Engine) -> Issue | None:
        """At the end of a warning cycle: anchor the head if it moved since the newest anchor."""
        if self.every <= 0 or self.path is None:
            return None
        with engine.connect() as conn:
            head = last_entry(conn)
        return None if head is None or head[0] <= self._last() else self.write(head[0], head[1])

    def write(self, seq: int, digest: str) -> Issue | None:
        """Append an anchor for (seq, hash); a failure is returned and logged, never raised."""
        if self.path is None:
            return None
        anchor = Anchor(seq, digest, self.clock(), seq, self.actor)
        try:
            _append_line(self.path, anchor_line(anchor))
        except OSError as err:
            return self._failed(seq, err)
        self.last_seq = seq
        return None

    def reading(self) -> Reading:
        return read_anchors(self.path)

    def _last(self) -> int:
        if self.last_seq is None:
            newest = read_anchors(self.path).newest
            self.last_seq = 0 if newest is None else newest.seq
        return self.last_seq

    def _failed(self, seq: int, err: OSError) -> Issue:
        issue = Issue(Code.ANCHOR_FAILED, f"could not write the automatic anchor of ledger seq {seq}: "
                      f"{err.strerror or err}", str(self.path), hint=HINT, severity=Severity.WARNING)
        log.warning(issue.render())
        self.failures[:] = [*self.failures[-9:], issue]
        return issue


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())


def attach(store: SqlStore, settings: Settings, clock: Callable[[], datetime]) -> AutoAnchors:
    """The store's automatic anchors, made and hooked in by the first workspace that opens it."""
    hook = store.after_commit.get(HOOK)
    if not isinstance(hook, AutoAnchors):
        hook = AutoAnchors(anchor_file(settings), settings.ledger_anchor_every, clock, settings.resolved_actor())
        store.after_commit[HOOK] = hook
    return hook

