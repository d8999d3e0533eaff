"""The reader contract: every reader turns one location into documents and per-item issues.

A reader never raises for a bad item: it yields an :class:`~forewarn.errors.Issue` for it and
moves on. It raises only for programming errors. Readers do not touch the store; what they need
from it (feed validators for conditional GET) comes in through :class:`ReadContext`, and what
must be saved with the documents (new validators) goes out as a :class:`FeedValidators` item, so
the ingest commits it in the same transaction as the entries it belongs to.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from forewarn.errors import Code, Issue
from forewarn.model import RawDocument

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FeedValidators:
    """HTTP cache validators of a feed URL, to be saved once its entries are committed."""

    url: str
    etag: str | None
    last_modified: str | None


class ValidatorCache(Protocol):
    def get(self, url: str) -> FeedValidators | None: ...


class _NoValidators:
    def get(self, url: str) -> FeedValidators | None:
        return None


@dataclass(frozen=True)
class ReadContext:
    """Everything a reader may need besides the location. Time is passed in, never read."""

    now: datetime
    include: tuple[str, ...] = ()  # glob patterns on the path relative to the folder given
    exclude: tuple[str, ...] = ()
    column_map: Mapping[str, str] = field(default_factory=dict)  # field -> column / JSON key
    options: Mapping[str, str] = field(default_factory=dict)  # reader-specific, e.g. telegram channel
    max_bytes: int = DEFAULT_MAX_BYTES
    validators: ValidatorCache = field(default_factory=_NoValidators)
    http_timeout: float = 20.0
    user_agent: str = "forewarn/0.1 (+https://example.invalid/forewarn)"


ReadItem = RawDocument | Issue | FeedValidators


class Reader(Protocol):
    name: str

    def read(self, location: str, ctx: ReadContext) -> Iterator[ReadItem]: ...


def iter_files(root: Path, include: tuple[str, ...], exclude: tuple[str, ...]) -> Iterator[Path | Issue]:
    """Walk ``root`` recursively in a stable (sorted) order, applying include/exclude globs to
    the path relative to ``root``. Unreadable folders become issues, not exceptions."""

    def on_error(err: OSError) -> None:
        errors.append(err)

    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames.sort()
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        while errors:
            yield _os_issue(errors.pop(0), str(root))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if include and not any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in include):
                continue
            if any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in exclude):
                continue
            yield path
    while errors:
        yield _os_issue(errors.pop(0), str(root))


def _os_issue(err: OSError, location: str) -> Issue:
    where = err.filename or location
    if isinstance(err, PermissionError):
        return Issue(Code.PERMISSION_DENIED, "permission denied", str(where),
                     hint="grant read access to the forewarn user, or exclude the path")
    if isinstance(err, FileNotFoundError):
        return Issue(Code.FILE_MISSING, "file or folder vanished before it could be read", str(where),
                     hint="it was deleted or moved during the run; re-run the ingest if it comes back")
    return Issue(Code.READ_FAILED, f"cannot read: {err.strerror or err}", str(where),
                 hint="check the disk and the path, then re-run")


def os_issue(err: OSError, location: str) -> Issue:
    """Turn an OSError met while reading ``location`` into an Issue."""
    return _os_issue(err, location)
