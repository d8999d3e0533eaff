"""Helpers for the reader tests: a fixed reading time, a splitter of reader output, the
means to read a file as an unprivileged user, and an HTTP server on the loopback interface. (A
uniquely named module rather than conftest, so that the test modules can import it without clashing
with other folders' conftest.py; tests/ingest puts this folder on sys.path for it.)"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from forewarn.errors import Issue, Severity
from forewarn.model.document import RawDocument
from forewarn.model.source import FeedValidators
from forewarn.sources.base import ReadContext

NOW = datetime(2024, 9, 1, 12, 0, tzinfo=UTC)
NOBODY = 65534


@dataclass
class Output:
    """What a reader yielded, split by kind, in order."""

    items: list[Any]

    @property
    def docs(self) -> list[RawDocument]:
        return [i for i in self.items if isinstance(i, RawDocument)]

    @property
    def issues(self) -> list[Issue]:
        return [i for i in self.items if isinstance(i, Issue)]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def validators(self) -> list[FeedValidators]:
        return [i for i in self.items if isinstance(i, FeedValidators)]


def collect(items: Iterable[Any]) -> Output:
    return Output(list(items))


def make_ctx(**changes: Any) -> ReadContext:
    return ReadContext(now=NOW, **changes)


def run_as_nobody(func: Callable[[], Any]) -> Any:
    """Run ``func`` in a forked child that dropped to uid/gid nobody; return its pickled result.

    Used when the tests run as root, for whom chmod 000 does not stop reads."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        status = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = pickle.dumps(("ok", func()))
        except BaseException as err:  # reported to the parent, which fails the test
            payload, status = pickle.dumps(("error", repr(err))), 1
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    outcome, value = pickle.loads(data)
    assert outcome == "ok", value
    return value


def read_unprivileged(func: Callable[[], Any]) -> Any:
    """``func()`` as an unprivileged user: in-process when we are not root, else forked."""
    return run_as_nobody(func) if os.geteuid() == 0 else func()


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) from a daemon thread; yields the server's base
    URL, ``http://127.0.0.1:PORT``, and shuts the server down after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
