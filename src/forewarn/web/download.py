"""An export streamed to the browser or a script as it is written: the export runs in a worker thread and writes
into a bounded queue of text pieces that the response sends on, so neither side ever holds the whole file (the
export's own memory stays bounded: formats/base.py), and a slow reader slows the export instead of filling memory.

An error before the first piece is raised to the caller (a coded problem, as any endpoint's); one after the answer
has started cannot change its status: the stream stops there and the error is logged, so the file a client receives
is cut short rather than silently complete. A client that goes away stops the export at its next piece.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable, Generator
from typing import IO, cast

log = logging.getLogger("forewarn.web")
PIECE = 64 * 1024  # characters per piece sent
PIECES = 8  # pieces held between the export and the response, at most
WAIT_S = 1.0  # how often a blocked export looks whether its reader has gone
_END = object()


class Gone(Exception):
    """The reader of the export went away: the export stops."""


class _Pieces(io.TextIOBase):
    """A text stream that hands what is written on to a queue in pieces of :data:`PIECE` characters."""

    def __init__(self, q: queue.Queue[object], gone: threading.Event) -> None:
        self.q, self.gone = q, gone
        self.held: list[str] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.held.append(s)
        self.size += len(s)
        if self.size >= PIECE:
            self.flush()
        return len(s)

    def flush(self) -> None:
        if self.held:
            put(self.q, "".join(self.held), self.gone)
            self.held, self.size = [], 0


def put(q: queue.Queue[object], item: object, gone: threading.Event) -> None:
    """Put ``item`` on the queue, waiting while it is full, unless the reader has gone (:class:`Gone`)."""
    while True:
        try:
            q.put(item, timeout=WAIT_S)
            return
        except queue.Full:
            if gone.is_set():
                raise Gone from None


def stream(export: Callable[[IO[str]], object]) -> Generator[str, None, None]:
    """The pieces ``export`` writes, as they come; ``export`` runs once in its own thread. The first piece (or the
    export's error) is awaited before this returns, so a bad request fails as a problem document."""
    q: queue.Queue[object] = queue.Queue(maxsize=PIECES)
    gone = threading.Event()

    def run() -> None:
        out = _Pieces(q, gone)
        try:
            export(cast(IO[str], out))  # a TextIOBase is a text stream
            out.flush()
            put(q, _END, gone)
        except Gone:
            return
        except BaseException as e:  # handed to the response's side, raised or logged there
            put(q, e, gone)

    threading.Thread(target=run, name="forewarn-export", daemon=True).start()
    first = q.get()
    if isinstance(first, BaseException):
        raise first
    return _rest(first, q, gone)


def _rest(first: object, q: queue.Queue[object], gone: threading.Event) -> Generator[str, None, None]:
    item = first
    try:
        while item is not _END:
            if isinstance(item, BaseException):
                log.error("export stopped after it had started: %s", item)
                return
            yield str(item)
            item = q.get()
    finally:
        gone.set()
