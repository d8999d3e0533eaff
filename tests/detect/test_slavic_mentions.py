"""A mentions indicator with a Russian and Ukrainian query over stored Cyrillic documents (SQLite and PostgreSQL):
the query's stems find the inflected words of both languages, case-insensitively, and the day they swell signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from detect_helpers import indicator, scenario

from forewarn.app import Workspace
from forewarn.detect.mentions import mention_signals, story_pattern
from forewarn.detect.stories import documents_per_day, read_stories
from forewarn.model import IndicatorKind, Reliability

AT = datetime(2024, 8, 6, 23, 0, tzinfo=UTC)
POSTS = {  # source → name → (day of August 2024, text)
    "rybak": {
        "r1": (1, "Погода в Курске: жара, до +33."),
        "r2": (2, "Фермеры начали уборку пшеницы."),
        "r3": (3, "В Судже прошёл фестиваль."),
        "r4": (5, "Замечена КОЛОННА техники у границы, идёт переброска сил."),
        "r5": (6, "Переброску подтверждают жители: колонны идут ночью."),
        "r6": (6, "Снова колонны грузовиков на трассе у Суджи."),
    },
    "pohranychchia": {
        "p1": (1, "Спека у Сумах, до +34."),
        "p2": (2, "Аграрії почали жнива."),
        "p4": (4, "У громаді відкрили новий ліцей."),
        "p5": (6, "Колона техніки рухається до кордону: перекидання триває."),
        "p6": (6, "Мешканці бачили ще одну колону вантажівок."),
    },
}
QUERY = ("переброск*", "перекидан*", "колон*")


def _seed(ws: Workspace, folder: Path) -> None:
    for source, posts in POSTS.items():
        inbox = folder / source
        inbox.mkdir(parents=True)
        for name, (day, text) in posts.items():
            (inbox / f"{name}.txt").write_text(f"Title: {name}\nDate: 2024-08-0{day}T09:00:00Z\n\n{text}",
                                               encoding="utf-8")
        ws.sources.add(source, str(inbox), reliability=Reliability.C)
    ws.intake.ingest_all()


def test_cyrillic_query_counts_russian_and_ukrainian_stories(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    ws = make_workspace(db_url)
    _seed(ws, tmp_path)
    swell = indicator("columns", kind=IndicatorKind.MENTIONS, query=QUERY, in_region=False, min_stories=3,
                      highest_in_days=3, weight=3.0)
    stories = read_stories(ws.store, since=date(2024, 8, 1), until=AT, patterns=[story_pattern(swell)])
    assert sorted(s.title for s in stories) == ["p5", "p6", "r4", "r5", "r6"]
    signals = mention_signals(scenario(swell), swell, stories, AT,
                              documents_per_day(ws.store, since=date(2024, 8, 1), until=AT))
    assert [s.observed_on for s in signals] == [date(2024, 8, 6)]  # 4 stories from 2 channels, the highest in 3 days
    assert signals[0].source_ids == ("pohranychchia", "rybak") and len(signals[0].document_ids) == 4
    languages = {d.id: d.language for d in ws.store.get_documents(signals[0].document_ids).values()}
    assert sorted(str(lang) for lang in languages.values()) == ["ru", "ru", "uk", "uk"]
