"""``forewarn watch``: poll the registered sources and run every new document through extraction,
scoring and warning, until stopped.

A file or folder source is read again only when something in it changed (names, sizes and
modification times), so a quiet poll costs a directory listing, not an ingest run; a feed URL is
fetched at most every ``FEED_EVERY`` seconds (with its ETag/Last-Modified). Stopping (SIGINT,
SIGTERM) sets a flag the loop checks between steps: a write in progress always completes.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from forewarn.cycle import CycleReport, run_cycle
from forewarn.errors import ForewarnError
from forewarn.model import IngestReport, Source

if TYPE_CHECKING:
    from forewarn.app import Workspace

FEED_EVERY = 300.0  # seconds between fetches of one feed URL


@dataclass(frozen=True)
class WatchCycle:
    number: int
    ingest: IngestReport | None  # None when no source changed
    cycle: CycleReport
    seconds: float


def fingerprint(location: str) -> tuple[tuple[str, int, int], ...]:
    """What changes when a file or folder source gets new content: every file's path, size and mtime."""
    path = Path(location)
    if path.is_file():
        st = path.stat()
        return ((str(path), st.st_size, st.st_mtime_ns),)
    entries: list[tuple[str, int, int]] = []
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                st = os.stat(os.path.join(root, name))
            except OSError:  # vanished between listing and stat: the next poll sees it
                continue
            entries.append((os.path.join(root, name), st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


class Watcher:
    def __init__(self, ws: Workspace, *, interval: float | None = None, stop: threading.Event | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ws = ws
        self.interval = ws.settings.watch_interval if interval is None else interval
        self.stop = stop or threading.Event()
        self._monotonic = monotonic
        self._seen: dict[str, object] = {}  # source id → last fingerprint (files) or fetch time (URLs)

    def changed_sources(self) -> list[Source]:
        changed = []
        for source in self.ws.sources.all():
            if source.posted:  # its documents are posted to the workbench: nothing to read
                continue
            if source.location.startswith(("http://", "https://")):
                last = self._seen.get(source.id)
                if isinstance(last, float) and self._monotonic() - last < FEED_EVERY:
                    continue
                self._seen[source.id] = self._monotonic()
                changed.append(source)
                continue
            mark = fingerprint(source.location)
            if self._seen.get(source.id) != mark:
                self._seen[source.id] = mark
                changed.append(source)
        return changed

    def poll(self, number: int) -> WatchCycle:
        started = time.perf_counter()
        changed = self.changed_sources()
        report = self.ws.intake.ingest([s.id for s in changed]) if changed else None
        cycle = run_cycle(self.ws, self.ws.clock())
        return WatchCycle(number, report, cycle, time.perf_counter() - started)

    def run(self, on_cycle: Callable[[WatchCycle], None] | None = None, max_cycles: int | None = None,
            on_error: Callable[[ForewarnError], None] | None = None) -> int:
        """Poll until stopped (or ``max_cycles``); returns the number of cycles run. A forewarn error in
        one poll (a database briefly unreachable, a clock stepped back) is reported to ``on_error`` and
        the next poll tries again: each step is its own transaction, so nothing half-done remains."""
        number = 0
        while not self.stop.is_set() and (max_cycles is None or number < max_cycles):
            number += 1
            try:
                result = self.poll(number)
            except ForewarnError as error:
                if on_error is None:
                    raise
                on_error(error)
            else:
                if on_cycle is not None:
                    on_cycle(result)
            self.stop.wait(self.interval)
        return number
