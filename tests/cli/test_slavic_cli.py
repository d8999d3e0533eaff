"""The command line and languages: `docs list --language`, the language in listings and `docs show`, and
`docs languages` filling documents stored without one."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, update
from typer.testing import CliRunner

from forewarn.cli.main import app
from forewarn.store import schema as t

runner = CliRunner()
FILES = {
    "ru.txt": "Колонна техники прошла через Суджу ночью, пишут жители.",
    "uk.txt": "Language: en\n\nКолону техніки помітили біля Суджі, кажуть мешканці.",
    "en.txt": "A column of armour moved through Sudzha overnight, residents say.",
}


def cli(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", "cli-test", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _ingested(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in FILES.items():
        (inbox / name).write_text(text, encoding="utf-8")
    code, out = cli(db, "ingest", str(inbox), "--json")
    assert code == 0, out
    return db


def test_docs_list_filters_and_shows_language(tmp_path: Path) -> None:
    db = _ingested(tmp_path)
    code, out = cli(db, "docs", "list", "--language", "uk", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["total"] == 1 and listed["items"][0]["language"] == "uk"
    code, out = cli(db, "docs", "list", "-l", "RU", "--search", "СУДЖУ", "--json")
    assert [d["language"] for d in json.loads(out)["items"]] == ["ru"]
    code, out = cli(db, "docs", "list")
    assert code == 0 and "lang" in out and " uk " in out and " ru " in out and " en " in out
    code, out = cli(db, "docs", "show", listed["items"][0]["id"][:12])
    assert code == 0 and "language uk" in out
    code, out = cli(db, "docs", "list", "--language", "рус")
    assert code == 1 and "not a language code" in out


def test_docs_languages_fills_what_is_missing(tmp_path: Path) -> None:
    db = _ingested(tmp_path)
    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(update(t.documents).values(language=None))
    engine.dispose()
    code, out = cli(db, "docs", "languages", "--json")
    assert code == 0 and json.loads(out) == {"filled": {"en": 1, "ru": 1, "uk": 1}}
    code, out = cli(db, "docs", "languages")
    assert code == 0 and "0 document(s) given a language" in out
    code, out = cli(db, "docs", "list", "--language", "uk", "--json")
    assert json.loads(out)["total"] == 1
