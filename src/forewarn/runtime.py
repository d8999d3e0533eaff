"""The interpreter's garbage collector around forewarn's long runs. Reference counting frees almost everything;
the collector's passes look for cycles, and a full pass walks every live object. Two places where that cost more
than it found: start-up's objects (modules, templates, the gazetteer, the workspace: ~240,000) walked again in
every full pass of a long run (:func:`settle`), and a replay's or a post-mortem's tens of thousands of
observations and signals, which live until it ends, walked again and again while it builds them
(:func:`collector_paused`)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # blocks running with the collector paused, in any thread
_resume = False  # whether the collector was on when the first of them began


def settle() -> None:
    """Before a long run (serving the workbench, ingesting or extracting a large archive, the watch): collect once,
    then keep everything alive so far out of the collector's full passes. Without it, a page that builds a few
    thousand rows (the map) set off full passes over start-up's objects: 150–220 ms spikes in its p95; and an
    ingest of 20,000 documents spent 1.1 s of its 11.9 s in them (0.3 s with it)."""
    gc.collect()
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection while the block runs: for work that builds many objects living until it ends. A
    120-day replay at 10 M events spent 1.5–2 s of its 8–10 s in full passes over its own observations, for no
    memory (its peak was the same without them: 538 against 534 MB). The pause is the process's: blocks nested or
    in other threads share it, and the collector comes back (if it was on) when the last of them ends."""
    global _paused, _resume
    with _lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()
