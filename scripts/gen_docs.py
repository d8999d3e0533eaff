"""Regenerate the reference docs from the code: configuration, error codes, CLI help.
`tests/test_docs.py` fails when a checked-in file differs from what this writes."""

from __future__ import annotations

import sys
from pathlib import Path

from forewarn.cli.reference import cli_markdown
from forewarn.config import settings_markdown
from forewarn.errors import errors_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"
GENERATED = {"configuration.md": settings_markdown, "errors.md": errors_markdown, "cli.md": cli_markdown}


def main() -> int:
    for name, make in GENERATED.items():
        (DOCS / name).write_text(make(), encoding="utf-8")
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
