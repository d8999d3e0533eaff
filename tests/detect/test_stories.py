"""Stories read from a workspace (SQLite and PostgreSQL): the documents of a span whose words match, with their
source's grade, cluster, day, places and entities; and the documents per day (to tell outages from quiet days)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from detect_helpers import scenario

from forewarn.app import Workspace
from forewarn.detect import stories as stories_module
from forewarn.detect.mentions import StoryDays, mention_signals, story_matches, story_pattern
from forewarn.detect.stories import count_stories, documents_per_day, read_stories
from forewarn.model import Indicator, IndicatorKind, Region, Reliability
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
from forewarn.store.core import migrations_config
from forewarn.store.stories import count_document_days

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
    noon = datetime(2024, 8, 5, 12, tzinfo=UTC)  # parts of days at either end: counted from the documents
    assert ws.store.story_days(since=noon, until=datetime(2024, 8, 9, 8, tzinfo=UTC)) == {
        date(2024, 8, 5): 1, date(2024, 8, 9): 1}
    assert ws.store.story_days(since=noon, until=noon + timedelta(hours=7)) == {date(2024, 8, 5): 1}


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


ATTENTION = Indicator(id="attention", name="attention", kind=IndicatorKind.MENTIONS, weight=2.0, half_life_days=5.0,
                      query=("mutin*", "bunt*", "прорыв*", "harvest"), min_stories=1, highest_in_days=3,
                      in_region=False)
KURSK = scenario(ATTENTION, replace(ATTENTION, id="in-kursk", in_region=True),
                 region=Region(admin1=("RUS:Kursk Oblast",)))
SINCE = date(2024, 8, 1)


def every_time() -> list[datetime]:
    """Each six hours from the span's first midnight to UNTIL, and UNTIL."""
    first = datetime(2024, 8, 1, tzinfo=UTC)
    return [*(first + timedelta(hours=6 * n) for n in range(int((UNTIL - first) / timedelta(hours=6)) + 1)), UNTIL]


def by_day(days: Mapping[date, Any]) -> dict[date, tuple[int, int, list[str]]]:
    return {d: (v.count, v.source_count, sorted(s.document_id for s in v.stories)) for d, v in days.items()}


@pytest.mark.parametrize("before", [False, True])
def test_stories_counted_by_the_store_are_the_stories_read(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path, before: bool) -> None:
    """At every time of the span, the days the store counts (whole days as one row, the day under way from its
    documents known by then) are the days of the stories read one by one, with the same counts, the same stories
    and the same signals."""
    ws = make_workspace(db_url)
    seed(ws, tmp_path)
    read = read_stories(ws.store, since=SINCE, until=UNTIL, patterns=[story_pattern(ATTENTION)])
    counted = count_stories(ws.store, [(KURSK, i) for i in KURSK.indicators], since=SINCE, until=UNTIL)
    totals = documents_per_day(ws.store, since=SINCE, until=UNTIL)
    signalled = 0
    for indicator in KURSK.indicators:
        grouped = StoryDays([s for s in read if story_matches(KURSK, indicator, s)])
        for at in every_time():
            first = at.date() - timedelta(days=6)
            mine, theirs = counted[(KURSK.id, indicator.id)].days(at, first, before=before), grouped.days(
                at, first, before=before)
            assert by_day(mine) == by_day(theirs), (indicator.id, at)
            signals = mention_signals(KURSK, indicator, [], at, totals, days=mine)
            assert signals == mention_signals(KURSK, indicator, [], at, totals, days=theirs)
            signalled += len(signals)
    assert signalled > 0  # the 5th's two stories from two sources beat the three days before them
    assert by_day(counted[(KURSK.id, "in-kursk")].days(UNTIL)) == {date(2024, 8, 1): (1, 1, [read[0].document_id])}


def test_a_counted_days_stories_are_read_without_their_words_but_those_a_signal_quotes(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A day that signals may hold a thousand stories: its stories are read without titles, texts, places or
    entities (the store matched them already), and only the documents of those its signal quotes are read whole; the
    signal quotes their titles as a signal made from the stories read one by one does."""
    ws = make_workspace(db_url)
    seed(ws, tmp_path)
    read = read_stories(ws.store, since=SINCE, until=UNTIL, patterns=[story_pattern(ATTENTION)])
    tally = count_stories(ws.store, [(KURSK, ATTENTION)], since=SINCE, until=UNTIL)[(KURSK.id, ATTENTION.id)]
    asked: list[tuple[str, Any]] = []
    for name, arg in (("story_texts", "words"), ("story_tags", None), ("get_documents", None)):
        real = getattr(ws.store, name)
        monkeypatch.setattr(ws.store, name, lambda *a, _real=real, _name=name, _arg=arg, **k: asked.append(
            (_name, k.get(_arg) if _arg else sorted(a[0]))) or _real(*a, **k))
    totals = documents_per_day(ws.store, since=SINCE, until=UNTIL)
    signals = mention_signals(KURSK, ATTENTION, [], UNTIL, totals, days=tally.days(UNTIL))
    quoted = [ids for name, ids in asked if name == "get_documents"]
    assert signals and {n for n, _ in asked} == {"story_texts", "get_documents"}  # no places or entities read
    assert all(words is False for name, words in asked if name == "story_texts")
    assert len(quoted) == len(signals) and all(0 < len(ids) <= 3 for ids in quoted)
    grouped = StoryDays([s for s in read if story_matches(KURSK, ATTENTION, s)])
    assert signals == mention_signals(KURSK, ATTENTION, [], UNTIL, totals, days=grouped.days(UNTIL))
    assert all("Top stories: g" in s.evidence for s in signals)  # the titles, from the documents read whole


def test_a_daily_replays_days_under_way_are_counted_in_one_read(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked ahead for midnights (a daily replay's steps), a tally reads the documents known at those very times at
    once, and each day under way is what it counts one step at a time: two stories known at midnight on the 3rd,
    none at the other midnights; any other time still counted on its own."""
    ws = make_workspace(db_url)
    seed(ws, tmp_path)
    for name in ("m1", "m2"):
        (tmp_path / "gazette" / f"{name}.txt").write_text(
            f"Title: {name}\nDate: 2024-08-03T00:00:00Z\n\nA mutiny, {name}, reported at midnight.\n")
    ws.intake.ingest(["gazette"])
    wanted = [(KURSK, ATTENTION)]
    midnights = [datetime(2024, 8, 1, tzinfo=UTC) + timedelta(days=n) for n in range(10)]
    stepped = count_stories(ws.store, wanted, since=SINCE, until=UNTIL)[(KURSK.id, ATTENTION.id)]
    fresh = count_stories(ws.store, wanted, since=SINCE, until=UNTIL)[(KURSK.id, ATTENTION.id)]
    reads: list[str] = []
    for name in ("story_texts", "stories_known_at"):
        real = getattr(ws.store, name)
        monkeypatch.setattr(ws.store, name, lambda *a, _real=real, _name=name, **k: reads.append(_name)
                            or _real(*a, **k))
    stepped.ahead(midnights)
    counted = [stepped.days(at) for at in midnights]
    assert reads == ["stories_known_at"]  # and no statement a step
    assert [by_day(days) for days in counted] == [by_day(fresh.days(at)) for at in midnights]
    assert counted[2][date(2024, 8, 3)].count == 2
    reads.clear()
    stepped.days(UNTIL)  # not a midnight: counted on its own
    assert reads == ["story_texts"]


def test_a_new_extraction_of_a_document_counts_it_again(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    """Whether a story names the region is remembered with the match; extracting the document again (its places
    gone) marks its day changed, and the next count leaves it out."""
    ws = make_workspace(db_url)
    ids = seed(ws, tmp_path)

    def in_kursk() -> dict[date, tuple[int, int]]:
        days = count_stories(ws.store, [(KURSK, KURSK.indicators[1])], since=SINCE, until=UNTIL)[(KURSK.id, "in-kursk")]
        return {d: (v.count, v.source_count) for d, v in days.days(UNTIL).items()}

    assert in_kursk() == {date(2024, 8, 1): (1, 1)}
    ws.store.save_extractions([Extraction(ids["g1"], "test 2")], UNTIL)
    assert in_kursk() == {}


def test_documents_per_day_are_counted_by_migration_0027_and_by_a_recount(
        db_url: str, make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    """Ingest counts each day's documents as it goes; migration 0027 counts those stored before it, and a recount
    (a store loaded other than through ingest) gives the same."""
    ws = make_workspace(db_url)
    seed(ws, tmp_path)
    counted = ws.store.story_days(since=datetime(2024, 7, 1, tzinfo=UTC), until=UNTIL)
    assert counted == {date(2024, 7, 20): 1, date(2024, 8, 1): 1, date(2024, 8, 5): 2, date(2024, 8, 9): 1}
    with ws.store.engine.begin() as conn:
        command.downgrade(migrations_config(conn), "0026")
        command.upgrade(migrations_config(conn), "head")
    assert ws.store.story_days(since=datetime(2024, 7, 1, tzinfo=UTC), until=UNTIL) == counted
    with ws.store.engine.begin() as conn:
        count_document_days(conn)
    assert ws.store.story_days(since=datetime(2024, 7, 1, tzinfo=UTC), until=UNTIL) == counted
