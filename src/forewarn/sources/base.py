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
from forewarn.model import FeedValidators, RawDocument

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


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
    follow_symlinks: bool = False  # follow links in a folder that lead outside it
    user_agent: str = "forewarn/0.1 (+https://example.invalid/forewarn)"


ReadItem = RawDocument | Issue | FeedValidators


class Reader(Protocol):
    name: str

    def read(self, location: str, ctx: ReadContext) -> Iterator[ReadItem]: ...


def iter_files(root: Path, ctx: ReadContext) -> Iterator[Path | Issue]:
    """Walk ``root`` recursively in a stable (sorted) order, applying the context's include/exclude
    globs to the path relative to ``root``. Unreadable folders become issues, not exceptions.

    A symbolic link (to a file or a folder) that resolves outside ``root`` is one
    ``LINK_OUTSIDE`` issue and is not followed, unless ``ctx.follow_symlinks``; links that stay
    inside are fine (a folder link inside is not walked twice). Following links, each folder is
    walked once, so a link loop ends."""
    follow = ctx.follow_symlinks
    errors: list[OSError] = []
    real_root = os.path.realpath(root)
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=follow):
        if follow and _seen_before(dirpath, seen):
            dirnames[:] = []
            continue
        while errors:
            yield _os_issue(errors.pop(0), str(root))
        yield from _folder_links(dirpath, dirnames, real_root, follow)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or not _selected(path, path.relative_to(root).as_posix(), ctx):
                continue
            outside = None if follow else _link_outside(path, real_root)
            yield path if outside is None else outside
    while errors:
        yield _os_issue(errors.pop(0), str(root))


def _selected(path: Path, rel: str, ctx: ReadContext) -> bool:
    """Whether the context's include globs (if any) take the file and no exclude glob drops it; a
    glob matches the path relative to the root, or the file name."""
    name = path.name
    if ctx.include and not any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in ctx.include):
        return False
    return not any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in ctx.exclude)


def _seen_before(dirpath: str, seen: set[tuple[int, int]]) -> bool:
    """Whether this folder was walked already (by another link to it, or a link loop)."""
    try:
        info = os.stat(dirpath)
    except OSError:
        return True  # vanished or unreadable: nothing to walk
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return True
    seen.add(key)
    return False


def _folder_links(dirpath: str, dirnames: list[str], real_root: str, follow: bool) -> Iterator[Issue]:
    """Sort and prune the subfolders os.walk will enter: hidden ones never; without ``follow``,
    folder links are not entered, and those leading outside the root are reported."""
    dirnames.sort()
    kept = []
    for name in dirnames:
        path = Path(dirpath) / name
        if name.startswith("."):
            continue
        if follow or not path.is_symlink():
            kept.append(name)
            continue
        outside = _link_outside(path, real_root)
        if outside is not None:
            yield outside
    dirnames[:] = kept


def _link_outside(path: Path, real_root: str) -> Issue | None:
    """A LINK_OUTSIDE issue when ``path`` is a symbolic link resolving outside ``real_root``."""
    if not path.is_symlink():
        return None
    target = os.path.realpath(path)
    if target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep):
        return None
    return Issue(Code.LINK_OUTSIDE, f"a symbolic link to {target}, outside the folder being read: not followed",
                 str(path), hint="copy the file into the folder, or set follow_symlinks "
                 "(FOREWARN_FOLLOW_SYMLINKS=true) to follow links that leave it")


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
