"""A document's language at intake (detected, or declared and normalised, or overruled by the script), the
backfill of documents stored without one, the language filter and case-insensitive Cyrillic search — on SQLite
and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from forewarn.app import Workspace
from forewarn.model.query import DocumentQuery
from forewarn.store import schema as t

RU = "Колонна бронетехники ВСУ замечена у Суджи, сообщают жители. Переброска идёт третьи сутки."
UK = "Колону техніки помітили біля Суджі: мешканці кажуть, що перекидання триває третю добу."
EN = "A column of armour was seen near Sudzha, residents say."
RU_SUDZHA = "В Судже объявлена эвакуация, глава района просит жителей выехать."


def _ingest(ws: Workspace, folder: Path, files: dict[str, str]) -> dict[str, str]:
    """Ingest text files (name → content) of one folder; name → document id."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / f"{name}.txt").write_text(content, encoding="utf-8")
    ws.intake.ingest([str(folder)])
    docs, _ = ws.reads.documents(DocumentQuery(limit=100))
    return {d.location.rsplit("/", 1)[-1].removesuffix(".txt"): d.id for d in docs}


def _languages(ws: Workspace) -> dict[str, str | None]:
    docs, _ = ws.reads.documents(DocumentQuery(limit=100))
    return {d.id: d.language for d in docs}


@pytest.fixture
def seeded(workspace: Workspace, tmp_path: Path) -> tuple[Workspace, dict[str, str]]:
    ids = _ingest(workspace, tmp_path / "inbox", {
        "ru": RU, "uk": UK, "en": EN, "ru_sudzha": RU_SUDZHA,
        "declared_en": f"Language: en\nTitle: Ukrainian under an English tag\n\n{UK} Ще одне повідомлення.",
        "declared_ru": f"Language: ru-RU\n\n{RU} Ещё одно сообщение.",
        "numbers": "06.08.2024 — 12:45",
    })
    return workspace, ids


def test_intake_keeps_a_language_per_document(seeded: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = seeded
    stored = _languages(ws)
    assert {name: stored[i] for name, i in ids.items()} == {
        "ru": "ru", "uk": "uk", "en": "en", "ru_sudzha": "ru",
        "declared_en": "uk",  # declared English, the text Ukrainian: the script overrules the tag
        "declared_ru": "ru",  # declared "ru-RU": normalised
        "numbers": None,  # no letters, no language
    }
    assert ws.store.get_document(ids["uk"]).language == "uk"


def test_language_filter(seeded: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = seeded
    docs, total = ws.reads.documents(DocumentQuery(language="uk"))
    assert total == 2 and {d.id for d in docs} == {ids["uk"], ids["declared_en"]}
    found = ws.reads.document_list(DocumentQuery(language="ru", text="суджи"))
    assert {d.id for d in found.documents} == {ids["ru"], ids["declared_ru"]} and found.total == 2
    assert {d.language for d in found.documents} == {"ru"}
    assert ws.reads.document_list(DocumentQuery(language="de")).total == 0


def test_cyrillic_search_is_case_insensitive(seeded: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = seeded

    def search(text: str) -> set[str]:
        return {d.id for d in ws.reads.document_list(DocumentQuery(text=text, limit=100)).documents}

    assert search("СУДЖИ") == search("суджи") == {ids["ru"], ids["declared_ru"]}
    assert search("всу") == {ids["ru"], ids["declared_ru"]}  # upper-case in the text
    assert search("ПЕРЕКИДАННЯ") == {ids["uk"], ids["declared_en"]}
    # a substring search: the stem finds every inflected form, and so does the dictionary form (its forms are
    # searched too); another form finds only itself
    everywhere = {ids["ru"], ids["declared_ru"], ids["uk"], ids["declared_en"], ids["ru_sudzha"]}
    assert search("судж") == search("суджа") == everywhere


def test_backfill_gives_stored_documents_their_language_once(seeded: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = seeded
    with ws.store.engine.begin() as conn:  # documents stored before languages were kept
        conn.execute(update(t.documents).values(language=None))
    assert set(_languages(ws).values()) == {None}
    assert ws.intake.fill_languages(batch=2) == {"ru": 3, "uk": 2, "en": 1}
    stored = _languages(ws)
    assert (stored[ids["declared_en"]], stored[ids["numbers"]], stored[ids["en"]]) == ("uk", None, "en")
    assert ws.intake.fill_languages() == {}  # idempotent: nothing left to fill
    assert _languages(ws) == stored
    recorded = ws.ledger.entries(kind="languages-filled")
    assert [e.payload for e in recorded] == [{"documents": {"ru": 3, "uk": 2, "en": 1}}]  # once, attributed
    assert ws.store.get_document(ids["ru"]).id == ids["ru"]  # the id is the text's, untouched
