"""What the browser tests share: the live server's handle, the page recorder and Chromium's launch
arguments (scripts/chromium.flags, the one list the tests and the benchmarks use)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from web_support import World

from forewarn.app import Workspace

FLAGS_FILE = Path(__file__).resolve().parents[3] / "scripts" / "chromium.flags"
CHROMIUM = os.environ.get("FOREWARN_TEST_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(message: str) -> None:
    """Skip with ``message``; fail under CI=true, where `make test` has set up what the test needs."""
    if IN_CI:
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def require(path: str, what: str) -> None:
    """Skip when ``path`` is missing (fail under CI=true, where `make test` has installed it)."""
    if not Path(path).exists():
        skip_or_fail(f"no {what} at {path}")


def chromium_args(path: Path = FLAGS_FILE) -> list[str]:
    """The launch arguments in ``path``: one a line, blank lines and ``#`` comments skipped."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass
class LiveServer:
    """The workbench listening on ``url``; ``ws`` is the same workspace the server uses."""

    url: str
    ws: Workspace
    world: World
    tmp: Path

    @property
    def origin(self) -> tuple[str, str]:
        parts = urlsplit(self.url)
        return parts.scheme, parts.netloc


@dataclass
class Recorder:
    """What a page did: every request it made, console errors (CSP violations among them), uncaught
    script errors and dialogs (an ``alert`` would mean injected script ran)."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[tuple[str, str]] = field(default_factory=list)

    def foreign(self, origin: tuple[str, str]) -> list[str]:
        """Requests that left the server's origin (data: and blob: URLs are not requests to anyone)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob"}:
                continue
            if (parts.scheme, parts.netloc) != origin:
                out.append(url)
        return out
