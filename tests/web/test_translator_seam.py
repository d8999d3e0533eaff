"""The translator seam: a workspace names a function that turns a text into English; the document page and API
show that reading beside the original, never in place of it; a broken translator is a clear error."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from web_support import build_world, role_login

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.errors import ConfigError
from forewarn.nlp.translate import english_reading, load_translator
from forewarn.web import create_app

RU = "Вчера в Судже прошёл митинг."


def to_english(text: str, language: str) -> str:
    """A stand-in translator for the tests: it says what it was given."""
    return f"[{language}→en] {len(text)} characters"


def broken(text: str, language: str) -> str:
    raise RuntimeError("the model server is down")


def test_a_named_function_is_loaded_and_a_bad_name_is_a_config_error() -> None:
    assert load_translator("") is None
    assert load_translator(f"{__name__}:to_english") is to_english
    with pytest.raises(ConfigError, match="cannot be loaded"):
        load_translator("no_such_module_here:translate")
    with pytest.raises(ConfigError, match="not a function"):
        load_translator(f"{__name__}:RU")


def test_english_and_untranslated_texts_have_no_reading_and_a_failure_is_reported() -> None:
    assert english_reading(to_english, "t", "Troops massed.", "en") is None
    assert english_reading(None, "", RU, "ru") is None
    reading = english_reading(to_english, "t", RU, "ru")
    assert reading is not None and reading.text == f"[ru→en] {len(RU)} characters" and reading.error is None
    failed = english_reading(broken, "b", RU, "ru")
    assert failed is not None and failed.text is None and failed.error == "RuntimeError: the model server is down"


def test_the_document_detail_carries_the_reading_beside_the_original(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = replace(Settings(), database_url=f"sqlite:///{tmp_path / 'w.db'}", extract=False,
                       translator=f"{__name__}:to_english")
    with Workspace.open(settings) as ws:
        posted = ws.intake.post(RU, source_id="web")
        detail = ws.reads.document_detail(posted.document_id or "")
    assert detail.document.text == RU and detail.document.language == "ru"
    assert detail.reading is not None and detail.reading.text is not None
    assert detail.reading.text.startswith("[ru→en]") and detail.reading.translator.endswith(":to_english")


def test_the_page_and_the_api_show_the_reading_beside_the_original(db_url: str, tmp_path,  # type: ignore[no-untyped-def]
                                                                    make_workspace) -> None:
    ws = make_workspace(db_url, translator=f"{__name__}:to_english")
    build_world(ws, tmp_path)
    doc_id = ws.intake.post(RU, source_id="web").document_id
    with TestClient(create_app(ws), follow_redirects=False) as client:
        role_login(client, "viewer")
        page = client.get(f"/documents/{doc_id}").text
        api = client.get(f"/api/v1/documents/{doc_id}").json()
    assert "English reading" in page and f"[ru→en] {len(RU)} characters" in page and "прошёл митинг" in page
    assert api["text"] == RU and api["english"]["text"] == f"[ru→en] {len(RU)} characters"
