"""The CLI reference, generated from the commands' own --help."""

from __future__ import annotations

from typing import Any

import typer.main
from typer.testing import CliRunner

from forewarn.cli.main import app


def _paths(cmd: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    for name in sorted(getattr(cmd, "commands", {}) or {}):
        found += _paths(cmd.commands[name], [*path, name])
    return found


def cli_markdown() -> str:
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    parts = ["# Command-line reference", "", "Generated from `--help` by `make docs`.", ""]
    for path in _paths(typer.main.get_command(app), []):
        result = runner.invoke(app, [*path, "--help"], env=env, prog_name="forewarn")
        text = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
        parts += [f"## `{' '.join(['forewarn', *path])}`", "", "```", text, "```", ""]
    return "\n".join(parts)
