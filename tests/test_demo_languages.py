"""The demo's Russian and Ukrainian channels: stored with their language, read by the Slavic pipelines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.demo import DEMO_DEFAULTS, DemoResult, build_demo, demo_sources
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.model.records import StoredEvent

CYRILLIC = ("ru", "uk")


@pytest.fixture(scope="module")
def cyrillic_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, DemoResult]]:
    """The demo with its Russian and Ukrainian sources only (the English ones are tests/test_demo.py's)."""
    folder: Path = tmp_path_factory.mktemp("demo-languages")
    settings = Settings(database_url=f"sqlite:///{folder / 'demo.db'}", actor="demo",
                        focus_countries=tuple(DEMO_DEFAULTS["focus_countries"].split(",")))
    yield settings, build_demo(settings, CYRILLIC)


def events_of(settings: Settings, source_id: str) -> list[StoredEvent]:
    with Workspace.open(settings) as ws:
        return ws.reads.events(EventQuery(source_id=source_id, limit=None))


def test_sources_name_their_language() -> None:
    specs = demo_sources()
    assert {s["language"] for s in specs} == {"en", "ru", "uk"}
    assert {s["id"] for s in demo_sources(languages=CYRILLIC)} == {"porubezhye-z", "sudzha-sosedi",
                                                                   "prykordonna-sumshchyna"}
    assert all(s["language"] == "en" for s in demo_sources(languages=("en",)))


def test_documents_are_stored_with_their_language(cyrillic_demo: tuple[Settings, DemoResult]) -> None:
    settings, result = cyrillic_demo
    assert result.report.warnings == 0 and not result.report.failed_by_code
    with Workspace.open(settings) as ws:
        for spec in demo_sources(languages=CYRILLIC):
            docs, total = ws.reads.documents(DocumentQuery(source_id=spec["id"], limit=1000))
            assert total >= 20, spec["id"]
            assert {d.language for d in docs} == {spec["language"]}, spec["id"]
        _, english = ws.reads.documents(DocumentQuery(language="en", limit=1))
        assert english == 0


def test_posts_yield_events_through_the_slavic_pipelines(cyrillic_demo: tuple[Settings, DemoResult]) -> None:
    settings, result = cyrillic_demo
    assert result.extraction is not None and result.extraction.failed == 0
    assert result.extraction.extracted == result.stats["documents"]
    # the milblogger's build-up reports, before the crossing, are coded as forces moving
    build_up = [e for e in events_of(settings, "porubezhye-z")
                if e.type == "MOBILIZE" and date(2024, 7, 20) <= e.date < date(2024, 8, 6)]
    assert len(build_up) >= 3
    # shelling reported in Russian is placed in Kursk region, in Ukrainian in Sumy region
    ru = [e for e in events_of(settings, "sudzha-sosedi") if e.type == "ASSAULT"]
    uk = [e for e in events_of(settings, "prykordonna-sumshchyna") if e.type == "ASSAULT"]
    assert any(e.place and e.place.admin1 == "Kursk Oblast" for e in ru)
    assert any(e.place and e.place.admin1 == "Sumy Oblast" for e in uk)
