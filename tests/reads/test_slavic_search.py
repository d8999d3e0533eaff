"""Document search in Russian and Ukrainian: a Cyrillic word in its dictionary form finds its inflected forms
("Суджа" finds "в Судже", "Київ" finds "у Києві"), in the reads, the CLI and on SQLite and PostgreSQL;
other words are searched as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.model.query import DocumentQuery
from forewarn.nlp.slavic.forms import search_forms

TEXTS = {
    "ru_sudzhe": "В Судже объявлена эвакуация, глава района просит жителей выехать.",
    "uk_kyievi": "У Києві пролунали вибухи, повідомляє міський голова.",
    "en": "A column of armour was seen near Sudzha; Kyiv has not commented.",
    "ru_suda": "Решение суда огласили в Курске.",
}


@pytest.fixture
def seeded(workspace: Workspace, tmp_path: Path) -> tuple[Workspace, dict[str, str]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in TEXTS.items():
        (inbox / f"{name}.txt").write_text(text, encoding="utf-8")
    workspace.intake.ingest([str(inbox)])
    docs, _ = workspace.reads.documents(DocumentQuery(limit=100))
    return workspace, {d.location.rsplit("/", 1)[-1].removesuffix(".txt"): d.id for d in docs}


def _found(ws: Workspace, text: str, language: str | None = None) -> set[str]:
    listed = ws.reads.document_list(DocumentQuery(text=text, language=language, limit=100))
    docs, total = ws.reads.documents(DocumentQuery(text=text, language=language, limit=100))
    assert {d.id for d in docs} == {d.id for d in listed.documents} and total == listed.total
    return {d.id for d in listed.documents}


def test_a_dictionary_form_finds_every_inflected_form(seeded: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = seeded
    assert _found(ws, "Суджа") == {ids["ru_sudzhe"]}
    assert _found(ws, "Київ") == {ids["uk_kyievi"]}
    assert _found(ws, "КИЇВ", language="uk") == {ids["uk_kyievi"]}
    assert _found(ws, "Київ", language="ru") == set()  # Russian has no such word: searched as written
    assert _found(ws, "Курск") == {ids["ru_suda"]}
    assert "судже" in ws.reads.document_list(DocumentQuery(text="Суджа")).forms


def test_other_searches_are_as_before(seeded: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = seeded
    assert _found(ws, "Sudzha") == {ids["en"]}
    assert ws.reads.document_list(DocumentQuery(text="Kyiv")).forms == ()
    assert _found(ws, "Судже") == {ids["ru_sudzhe"]}  # an inflected form is searched as written
    assert _found(ws, "суджи") == set()
    assert _found(ws, "в Суджа") == set()  # a phrase is searched as written


def test_forms_of_a_word() -> None:
    assert set(search_forms("Суджа")) >= {"судже", "суджи", "суджу", "суджі"}
    assert search_forms("Суджа", "ru") == ("судже", "суджи", "суджу")
    assert {"києві", "києва"} <= set(search_forms("Київ"))
    assert "суджею" not in search_forms("Суджа")  # "судже" finds it
    assert search_forms("мир") == ()  # every form starts with the word
    for text in ("Kyiv", "Судже", "ВСУ", "Курская область", "", "12", "суд%"):
        assert search_forms(text) == (), text


def test_cli_lists_the_forms_it_searched(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ru.txt").write_text(TEXTS["ru_sudzhe"], encoding="utf-8")
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(app, ["--db", db, "--actor", "cli-test", *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.output

    cli("ingest", str(inbox), "--json")
    listed = json.loads(cli("docs", "list", "--search", "Суджа", "--json"))
    assert listed["total"] == 1 and "судже" in listed["forms"]
    assert "also searched: судже" in cli("docs", "list", "--search", "Суджа")
    assert json.loads(cli("docs", "list", "--search", "Sudzha", "--json"))["forms"] == []
