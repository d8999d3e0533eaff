"""Russian and Ukrainian documents in the workbench: the language shown and filtered (API and page),
Cyrillic search, and marks whose offsets fall in Cyrillic text. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from test_events_explorer import RUS, UKR, _event, _mention, _place
from web_support import World

from forewarn.app import Workspace
from forewarn.model.extraction import Extraction, Place, PlacePrecision

SUDZHA = Place("Sudzha", 51.19, 35.27, "RUS", "Kursk Oblast", "geonames:491957", PlacePrecision.TOWN)
RU = "Переброска: колонна ВСУ замечена у Суджи, сообщают жители. Минобороны России молчит."
UK = "Колону техніки ЗСУ помітили біля Суджі 6 серпня, кажуть мешканці."


@dataclass(frozen=True)
class Posted:
    ru: str
    uk: str


@pytest.fixture
def posted(world_ws: tuple[Workspace, World]) -> Posted:
    ws = world_ws[0]
    ru = ws.intake.post(RU, title="Колонна у Суджи", published_at="2024-08-06", source_id="alpha").document_id
    uk = ws.intake.post(UK, title="Колона біля Суджі", published_at="2024-08-06", source_id="beta").document_id
    assert ru and uk
    event = _event(RU, "MOBILIZE", "Переброска", date(2024, 8, 6), actor=(UKR, "ВСУ"),
                   place=_place(RU, SUDZHA, "Суджи"), sentence=(0, RU.index(" Минобороны")))
    ws.store.save_extractions([Extraction(
        ru, "test 1", entities=(_mention(RU, UKR, "ВСУ"), _mention(RU, RUS, "Минобороны России")),
        places=(_place(RU, SUDZHA, "Суджи"),), events=(event,))], datetime(2024, 8, 12, tzinfo=UTC))
    return Posted(ru, uk)


@pytest.fixture
def viewer(as_role: Callable[[str], TestClient], posted: Posted) -> TestClient:
    return as_role("viewer")


def test_api_lists_and_filters_by_language(viewer: TestClient, posted: Posted) -> None:
    everything = viewer.get("/api/v1/documents?limit=500").json()
    languages = {d["id"]: d["language"] for d in everything["items"]}
    assert (languages[posted.ru], languages[posted.uk]) == ("ru", "uk")
    ru = viewer.get("/api/v1/documents?language=ru").json()
    assert [d["id"] for d in ru["items"]] == [posted.ru] and ru["total"] == 1
    assert [d["id"] for d in viewer.get("/api/v1/documents?language=UK-ua").json()["items"]] == [posted.uk]
    english = viewer.get("/api/v1/documents?language=en&limit=500").json()
    assert english["total"] == everything["total"] - 2 and {d["language"] for d in english["items"]} == {"en"}
    assert viewer.get("/api/v1/documents?language=r%25").status_code == 422
    assert viewer.get("/api/v1/documents/" + posted.uk).json()["language"] == "uk"


def test_api_searches_cyrillic_case_insensitively(viewer: TestClient, posted: Posted) -> None:
    def ids(query: str, **more: str) -> set[str]:
        return {d["id"] for d in viewer.get("/api/v1/documents", params={"search": query, **more}).json()["items"]}

    assert ids("СУДЖИ") == ids("суджи") == {posted.ru}
    assert ids("зсу") == {posted.uk}
    assert ids("Судж") == {posted.ru, posted.uk}
    assert ids("судж", language="uk") == {posted.uk}


def test_page_shows_and_filters_language(viewer: TestClient, posted: Posted) -> None:
    page = viewer.get("/documents", params={"language": "uk", "search": "СУДЖІ"})
    assert page.status_code == 200
    rows = re.findall(r'<tr data-document-id="([0-9a-f]{64})">(.*?)</tr>', page.text, re.S)
    assert [r[0] for r in rows] == [posted.uk]
    assert '<td class="language">uk</td>' in rows[0][1] and 'lang="uk"' in rows[0][1]
    assert 'name="language" value="uk"' in page.text
    everything = viewer.get("/documents").text
    assert '<td class="language">ru</td>' in everything and '<td class="language">en</td>' in everything


def test_document_page_marks_cyrillic_offsets(viewer: TestClient, posted: Posted) -> None:
    page = viewer.get(f"/documents/{posted.ru}").text
    assert '<dd class="language">ru</dd>' in page
    body = page[page.index('<div class="document-text" lang="ru">'):]
    body = body[:body.index("</div>")]
    mark = r'<mark class="[^"]*\b(?:entity|place|event)\b[^"]*"[^>]*>([^<]*)</mark>'
    marked = {html.unescape(m) for m in re.findall(mark, body)}
    assert {"ВСУ", "Суджи", "Переброска", "Минобороны России"} <= marked
    assert html.unescape(re.sub(r"<[^>]+>", "", body.split(">", 1)[1])) == RU  # every character once, in order
    api = viewer.get(f"/api/v1/documents/{posted.ru}").json()
    assert {(m["kind"], RU[m["start"]:m["end"]]) for m in api["marks"]} >= {
        ("entity", "ВСУ"), ("place", "Суджи"), ("event", "Переброска"), ("entity", "Минобороны России")}


def test_a_dictionary_form_finds_its_inflected_forms_and_the_page_says_so(viewer: TestClient,
                                                                          posted: Posted) -> None:
    page = viewer.get("/documents", params={"search": "Суджа"})
    rows = re.findall(r'<tr data-document-id="([0-9a-f]{64})">', page.text)
    assert set(rows) == {posted.ru, posted.uk}  # "у Суджи", "біля Суджі"
    forms = re.search(r'<p class="muted search-forms">(.*?)</p>', page.text, re.S)
    assert forms is not None and "суджи" in forms.group(1) and "суджі" in forms.group(1)
    api = viewer.get("/api/v1/documents", params={"search": "Суджа", "language": "uk"}).json()
    assert [d["id"] for d in api["items"]] == [posted.uk]
    assert "search-forms" not in viewer.get("/documents", params={"search": "Sudzha"}).text
