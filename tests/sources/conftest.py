"""Fixtures for the reader tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from reader_helpers import NOW

from forewarn.sources.base import ReadContext


@pytest.fixture
def ctx() -> ReadContext:
    """A reading context at a fixed time (2024-09-01 12:00 UTC)."""
    return ReadContext(now=NOW)


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A world-traversable temporary folder (0755, under /tmp), removed afterwards: a user
    dropped to nobody can reach files in it, unlike pytest's private tmp_path."""
    path = Path(tempfile.mkdtemp(prefix="forewarn-sources-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for child in path.rglob("*"):
            child.chmod(0o755 if child.is_dir() else 0o644)
        shutil.rmtree(path)
