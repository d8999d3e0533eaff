"""Generated reference docs are checked in and must match what the code generates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from forewarn.config import Settings
from forewarn.errors import DESCRIPTIONS, Code

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
gen_docs = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
spec.loader.exec_module(gen_docs)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(gen_docs.GENERATED))
def test_generated_doc_is_current(name: str) -> None:
    on_disk = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert on_disk == gen_docs.GENERATED[name](), f"docs/{name} is stale: run `make docs`"


def test_every_setting_and_code_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in text for name in Settings.names())
    assert set(DESCRIPTIONS) == set(Code)
