"""What the browser tests share: the live server's handle and the page recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from web_support import World

from forewarn.app import Workspace


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
