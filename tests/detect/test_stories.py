"""Stories read from a workspace (SQLite and PostgreSQL): the documents of a span whose words match, with their
source's grade, cluster, day, places and entities; and the documents per day (to tell outages from quiet days)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from forewarn.app import Workspace
from forewarn.detect import stories as stories_module
from forewarn.detect.mentions import story_pattern
from forewarn.detect.stories import documents_per_day, read_stories
from forewarn.model import Indicator, IndicatorKind, Reliability
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    EntityMention,
    Extraction,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
)

UNTIL = datetime(2024, 8, 10, 23, 0, tzinfo=UTC)
FILES = {  # source → file name → (date line, text)
    "gazette": {
        "g1": ("2024-08-01T09:00:00Z", "Officers of the Northern Legion staged a mutiny near Lgov overnight."),
        "g2": ("2024-08-05T10:00:00Z", "Harvest figures rose again in the southern districts."),
        "g3": ("2024-08-09T08:00:00Z", "Мятеж и ПРОРЫВ колонны у границы, сообщают жители."),
        "g4": ("2024-08-11T08:00:00Z", "A second mutiny was reported, after the span read here."),
    },
    "courier": {
        "c1": ("2024-08-05T18:30:00Z", "Dowódca Legionu zapowiedział marsz; mówi się o groźbie buntu."),
        "c2": ("2024-07-20T07:00:00Z", "An early mutiny rumour, before the span read here."),
        "c3": ("", "Undated note: the mutineers laid down their arms."),
    },
}
LEGION = Entity("ner:org:northern-legion", "Northern Legion", EntityKind.ORG, "RUS", Sector.MILITARY)
LGOV = Place("Lgov", 51.66, 35.27, "RUS", "Kursk Oblast", "geonames:2", PlacePrecision.TOWN)


def mentions(*query: str) -> Indicator:
    return Indicator(id="q", name="q", kind=IndicatorKind.MENTIONS, weight=2.0, half_life_days=5.0, query=query)


def seed(ws: Workspace, folder: Path) -> dict[str, str]:
    """Ingest the files (one folder per source; the gazette graded B, the courier C) and save places and
    entities for g1; returns file name → document id."""
    for source, files in FILES.items():
        inbox = folder / source
        inbox.mkdir(parents=True)
        for name, (when, text) in files.items():
            header = f"Title: {name}\n" + (f"Date: {when}\n" if when else "")
            (inbox / f"{name}.txt").write_text(f"{header}\n{text}\n", encoding="utf-8")
        ws.sources.add(source, str(inbox), reliability=Reliability.B if source == "gazette" else Reliability.C)
        ws.intake.ingest([source])
    ids = {ws.store.get_document(d).title or "": d for d in ws.store.documents_needing_extraction()}
    g1 = ws.store.get_document(ids["g1"]).text
    at, lgov = g1.index("Northern Legion"), g1.index("Lgov")
    ws.store.save_extractions([Extraction(
        ids["g1"], "test 1", entities=(EntityMention(LEGION, "Northern Legion", at, at + 15, 0),),
        places=(PlaceMention(LGOV, "Lgov", lgov, lgov + 4, 0),))], UNTIL)
    return ids


def test_read_stories_keeps_the_matching_documents_of_the_span(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    ws = make_workspace(db_url)
    ids = seed(ws, tmp_path)
    patterns = [story_pattern(mentions("mutin*")), story_pattern(mentions("прорыв*", "bunt*"))]
    stories = read_stories(ws.store, since=date(2024, 8, 1), until=UNTIL, patterns=patterns)
    assert [s.title for s in stories] == ["g1", "c1", "g3"]  # oldest first; c2 too early, g4 too late
    g1, c1, g3 = stories
    assert (g1.document_id, g1.source_id, g1.cluster_id, g1.reliability) == (ids["g1"], "gazette", ids["g1"],
                                                                               Reliability.B)
    assert (g1.known_at, g1.day) == (datetime(2024, 8, 1, 9, 0, tzinfo=UTC), date(2024, 8, 1))
    assert g1.places == {"RUS", "RUS:Kursk Oblast"} and g1.entities == {"ner:org:northern-legion", "Northern Legion"}
    assert "staged a mutiny" in g1.text
    assert (c1.reliability, c1.places, c1.entities) == (Reliability.C, frozenset(), frozenset())
    assert g3.day == date(2024, 8, 9)
    assert read_stories(ws.store, since=date(2024, 8, 1), until=UNTIL, patterns=[]) == []


def test_undated_documents_are_known_when_ingested(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path, clock: Callable[[], datetime]) -> None:
    ws = make_workspace(db_url)
    ids = seed(ws, tmp_path)
    ingested = clock()  # the fake clock: 2024-08-12 12:00 UTC, after UNTIL
    pattern = [story_pattern(mentions("mutineer*"))]
    assert read_stories(ws.store, since=date(2024, 8, 1), until=UNTIL, patterns=pattern) == []
    [undated] = read_stories(ws.store, since=date(2024, 8, 1), until=ingested, patterns=pattern)
    assert (undated.document_id, undated.known_at, undated.day) == (ids["c3"], ingested, ingested.date())


def test_story_days_count_every_document(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    ws = make_workspace(db_url)
    seed(ws, tmp_path)
    assert documents_per_day(ws.store, since=date(2024, 8, 1), until=UNTIL) == {
        date(2024, 8, 1): 1, date(2024, 8, 5): 2, date(2024, 8, 9): 1}


def test_which_documents_matched_is_remembered_and_a_new_one_on_an_old_day_is_read(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first read tests every day of its span; the same read again tests none and gives the same stories; a
    document added later but published on an old day is tested (that day alone) and read."""
    ws = make_workspace(db_url)
    seed(ws, tmp_path)
    tested: list[frozenset[date]] = []
    examine = stories_module._examine

    def counting(store: Any, keep: Any, first: date, last: date, days: frozenset[date]) -> Any:
        tested.append(days)
        return examine(store, keep, first, last, days)

    monkeypatch.setattr(stories_module, "_examine", counting)
    patterns = [story_pattern(mentions("mutin*"))]
    first = read_stories(ws.store, since=date(2024, 8, 1), until=UNTIL, patterns=patterns)
    assert len(tested) == 1 and len(tested[0]) == 10
    assert read_stories(ws.store, since=date(2024, 8, 1), until=UNTIL, patterns=patterns) == first
    assert len(tested) == 1
    inbox = tmp_path / "gazette"
    (inbox / "g5.txt").write_text("Title: g5\nDate: 2024-08-03T12:00:00Z\n\nThe mutiny spread to a second unit.\n")
    ws.intake.ingest(["gazette"])
    again = read_stories(ws.store, since=date(2024, 8, 1), until=UNTIL, patterns=patterns)
    assert tested[1] == {date(2024, 8, 3)}
    assert [s.title for s in again] == ["g1", "g5"] and [s.title for s in first] == ["g1"]
