"""Mentions indicators: a swell of independent stories signals; ordinary days, one outlet's flood, copies of one
report and feed outages do not; the highest-in-N rule; entity and region filters; queries in any script."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import pytest
from detect_helpers import indicator, scenario

from forewarn.detect.mentions import StoryDays, mention_signals, story_matches, story_pattern
from forewarn.detect.stories import CountedDay
from forewarn.detect.types import Story
from forewarn.errors import InvalidArgument
from forewarn.model import Indicator, IndicatorKind, Region, Reliability, SignalKind

DAY0 = date(2024, 3, 1)
QUIET = [1, 0, 2, 1, 0, 1, 2, 1, 0, 1, 1, 2, 0, 1, 1, 0, 2, 1, 1, 0, 1, 2, 1, 0, 1, 1, 2, 0, 1, 1]  # days 0-29


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def noon(n: int) -> datetime:
    return datetime.combine(day(n), time(12), UTC)


def story(doc: str, n: int, *, source: str | None = "s0", cluster: str | None = None, title: str = "",
          text: str = "Garrison mutiny reported in the capital.", places: frozenset[str] = frozenset({"RUS"}),
          entities: frozenset[str] = frozenset(), reliability: Reliability = Reliability.B,
          known_at: datetime | None = None) -> Story:
    return Story(document_id=doc, source_id=source, cluster_id=cluster or doc, reliability=reliability,
                 known_at=known_at or noon(n), day=day(n), title=title or f"Report {doc}", text=text, places=places,
                 entities=entities)


def stream(counts: list[int] | dict[int, int], **kwargs: object) -> list[Story]:
    """``counts[n]`` matching stories on day n, each its own report from its own source, and one unrelated
    story a day from a wire service (the stream was up every day)."""
    items = counts.items() if isinstance(counts, dict) else enumerate(counts)
    found = [story(f"d{n}-{i}", n, source=f"s{i}", **kwargs) for n, c in items for i in range(c)]  # type: ignore[arg-type]
    last = max(dict(items).keys()) if isinstance(counts, dict) else len(counts) - 1
    return found + [story(f"wire-{n}", n, source="wire", text="Markets closed higher.") for n in range(last + 1)]


def mentions(**kwargs: object) -> Indicator:
    fields: dict[str, object] = {"query": ("mutin*", "armed revolt"), "in_region": False, "half_life_days": 5.0,
                                 "weight": 4.0}
    return indicator("swell", kind=IndicatorKind.MENTIONS, **(fields | kwargs))  # type: ignore[arg-type]


def signal_days(stories: list[Story], at: datetime, ind: Indicator | None = None, **kwargs: object) -> list[date]:
    return [s.observed_on for s in mention_signals(scenario(ind or mentions()), ind or mentions(), stories, at,
                                                   **kwargs)]  # type: ignore[arg-type]


def test_an_ordinary_day_does_not_signal_and_a_swell_does() -> None:
    assert signal_days(stream([*QUIET, 3]), noon(30)) == []
    [signal] = mention_signals(scenario(mentions()), mentions(), stream([*QUIET, 14]), noon(32))
    assert (signal.kind, signal.observed_on, signal.strength) == (SignalKind.MENTIONS, day(30), 1.0)
    assert signal.event_ids == ()
    assert signal.decay == pytest.approx(0.5 ** (2 / 5)) and signal.counted
    assert signal.contribution == pytest.approx(math.log(4.0) * 0.5 ** (2 / 5))
    assert signal.document_ids == tuple(sorted(f"d30-{i}" for i in range(14)))
    assert signal.source_ids == tuple(sorted(f"s{i}" for i in range(14))) and signal.reliability == "B"


def test_old_signals_expire_and_later_days_are_not_seen() -> None:
    stories = stream([*QUIET, 14])
    assert signal_days(stories, noon(29)) == []  # the swell has not happened yet
    assert signal_days(stories, noon(30 + 22)) == []  # 22 days at a half-life of 5: decayed below 5 %


def test_one_outlets_flood_and_copies_of_one_report_do_not_signal() -> None:
    flood = [story(f"blog-{i}", 30, source="live-blog") for i in range(14)]
    assert signal_days(stream(QUIET) + flood, noon(30)) == []
    copies = [story(f"copy-{i}", 30, source=f"s{i}", cluster="one-report") for i in range(14)]
    assert signal_days(stream(QUIET) + copies, noon(30)) == []
    two_sources = [*flood, story("other", 30, source="wire-2")]
    assert signal_days(stream(QUIET) + two_sources, noon(30)) == [day(30)]


def test_a_feed_outage_is_not_a_quiet_day() -> None:
    up = {n: 2 for n in range(0, 16)} | {30: 5}  # 2 a day, then an outage from day 16 to 29, then 5
    stories = [s for s in stream(up) if not 16 <= (s.day - DAY0).days <= 29]
    assert signal_days(stories, noon(30)) == []  # the baseline is the 2-a-day days before the outage
    totals = {day(n): 5 for n in range(31)}  # a caller who says the stream was up, with nothing matching
    assert signal_days(stories, noon(30), day_totals=totals) == [day(30)]
    outage = {day(n): 5 for n in range(31) if not 16 <= n <= 29}
    assert signal_days(stories, noon(30), day_totals=outage) == []


def test_highest_in_n_days() -> None:
    strict = mentions(highest_in_days=10, max_p=1e-12)  # the baseline test never passes: only the rule
    counts = [2, 3, 4, 3, 2, 4, 3, 2, 3, 4, 3, 2, 4, 3, 2, 3, 4, 3, 2, 3]  # days 0-19, highest 4
    assert signal_days(stream([*counts, 5]), noon(20), strict) == [day(20)]
    assert signal_days(stream([*counts, 4]), noon(20), strict) == []  # equal to the high: not the highest
    assert signal_days(stream([*counts, 5]), noon(20), mentions(max_p=1e-12)) == []  # rule off
    assert signal_days(stream([2, 3, 5]), noon(2), strict) == []  # the record does not cover 10 days before
    [signal] = mention_signals(scenario(strict), strict, stream([*counts, 5]), noon(20))
    assert "the most in 10 days (previous high 4)" in signal.evidence


def test_entity_filter_by_id_or_name_case_insensitive() -> None:
    acme = frozenset({"ner:org:acme-legion", "Acme Legion"})
    stories = stream(QUIET) + [story(f"a{i}", 30, source=f"s{i}", entities=acme if i < 8 else frozenset())
                               for i in range(14)]
    by_name = mentions(entities=("acme legion",))
    [signal] = mention_signals(scenario(by_name), by_name, stories, noon(30))
    assert signal.document_ids == tuple(f"a{i}" for i in range(8))
    assert signal_days(stories, noon(30), mentions(entities=("NER:ORG:ACME-LEGION",))) == [day(30)]
    assert signal_days(stories, noon(30), mentions(entities=("Other Legion",))) == []


def test_region_filter_by_country_or_first_level_region() -> None:
    ind = mentions(in_region=True)
    elsewhere = stream([*QUIET, 14], places=frozenset({"FRA", "FRA:Île-de-France"}))
    assert signal_days(elsewhere, noon(30), ind) == []
    kursk = frozenset({"RUS", "RUS:Kursk Oblast"})
    here = [story(f"k{i}", 30, source=f"s{i}", places=kursk) for i in range(14)]
    by_admin1 = Region(admin1=("RUS:Kursk Oblast",))
    assert [s.observed_on for s in mention_signals(scenario(ind, region=by_admin1), ind, elsewhere + here,
                                                   noon(30))] == [day(30)]
    unnamed = [story(f"n{i}", 30, source=f"s{i}", places=frozenset()) for i in range(14)]
    assert mention_signals(scenario(ind, region=Region(countries=("RUS",))), ind, elsewhere + unnamed, noon(30)) == []


@pytest.mark.parametrize(("query", "matching", "not_matching"), [
    (("прорыв*",), ["Прорыв обороны у границы", "сообщают о прорывах"], ["непрорывный поток"]),
    (("ВСУ",), ["Подразделения ВСУ отошли", "всу"], ["ВСУшники", "ПВСУ"]),
    (("Wagner*",), ["Szef Wagnera zapowiedział marsz", "WAGNER group"], ["Rickwagner"]),
    (("żołnierz*",), ["Żołnierze wrócili do koszar"], ["zolnierze bez znaków"]),
    (("armed revolt",), ["An ARMED\nrevolt began"], ["an armed revolution"]),
])
def test_queries_in_any_script(query: tuple[str, ...], matching: list[str], not_matching: list[str]) -> None:
    ind = mentions(query=query)
    pattern = story_pattern(ind)
    assert pattern is story_pattern(mentions(query=query))  # compiled once
    assert all(pattern.search(t) for t in matching) and not any(pattern.search(t) for t in not_matching)
    assert story_matches(scenario(ind), ind, story("x", 0, title=matching[0], text="(no words of it here)"))


def test_empty_query_matches_nothing() -> None:
    assert story_pattern(mentions(query=())).search("anything at all") is None


def test_a_story_known_after_the_time_does_not_count() -> None:
    late = [story(f"late-{i}", 30, source=f"s{i}", known_at=noon(31)) for i in range(14)]
    assert signal_days(stream(QUIET) + late, noon(30)) == []
    assert signal_days(stream(QUIET) + late, noon(31)) == [day(30)]


def test_evidence_names_the_count_the_test_and_the_top_stories() -> None:
    swell = [story(f"t{i}", 30, source=f"outlet-{i % 4}", cluster=f"c{i // 2}", title=f"Mutiny story {i}",
                   reliability=Reliability.C, known_at=noon(30) + timedelta(minutes=i)) for i in range(16)]
    swell[9] = story("t9", 30, source="agency", cluster="c4", title="Best source, later",
                     reliability=Reliability.A, known_at=noon(30) + timedelta(hours=3))
    [signal] = mention_signals(scenario(mentions()), mentions(), stream(QUIET) + swell, noon(30) + timedelta(hours=4))
    assert signal.evidence.startswith(
        '8 independent stories from 5 sources matching "mutin*" or "armed revolt" on 2024-03-31 against a '
        "baseline of 1.0/day (variance 0.5); poisson p = ")
    assert signal.evidence.endswith(
        "Top stories: Best source, later (agency); Mutiny story 0 (outlet-0); Mutiny story 2 (outlet-2). "
        "Counted from the words of the reports, whether or not events were coded from them.")
    assert signal.reliability == "A"


def test_other_kinds_and_naive_times() -> None:
    events = indicator("troops", types=("MOBILIZE",))
    assert mention_signals(scenario(events), events, stream([*QUIET, 14]), noon(30)) == []
    with pytest.raises(InvalidArgument, match="timezone-aware"):
        mention_signals(scenario(mentions()), mentions(), [], datetime(2024, 3, 31, 12))


def test_story_days_group_at_each_step_what_the_signals_would_group_from_the_stories_known_then() -> None:
    """At rising times (a replay's steps), the groups StoryDays keeps equal those mention_signals makes from the
    stories known at each time: stories arrive late and in clusters, from several sources; and the signals it
    gives from them are the same."""
    ind = mentions(min_stories=3)
    found = stream([*QUIET, 9, 2, 12], known_at=None)
    found += [story(f"late-{n}", n, source="s9", known_at=noon(n) + timedelta(days=1, hours=3)) for n in (5, 30)]
    found += [story(f"copy-{n}", 31, cluster="d31-0", source="s7") for n in range(3)]
    matching = [s for s in found if story_matches(scenario(ind), ind, s)]
    days = StoryDays(matching)
    signalled = set()
    for step in range(0, 34 * 4):
        at = noon(0) + timedelta(hours=6 * step)
        first = at.date() - timedelta(days=20)
        grouped = days.days(at, first)
        known = [s for s in matching if s.known_at <= at and first <= s.day <= at.date()]
        assert {d: (v.clusters, v.sources, sorted(s.document_id for s in v.stories)) for d, v in grouped.items()} == {
            d: ({s.cluster_id for s in known if s.day == d}, {s.source_id for s in known if s.day == d},
                sorted(s.document_id for s in known if s.day == d)) for d in {s.day for s in known}}
        shown = [s for s in found if first <= s.day]
        signals = mention_signals(scenario(ind), ind, shown, at, days=grouped)
        assert signals == mention_signals(scenario(ind), ind, shown, at)
        signalled |= {s.observed_on for s in signals}
    assert signalled == {day(30), day(32)}
    with pytest.raises(InvalidArgument):
        days.days(noon(0), day(0))


def test_a_counted_days_signals_are_made_once_and_stay_what_they_would_be_made_afresh() -> None:
    """Days counted by the store (CountedDay: their stories stand) keep the signals made of them, but for decay: at
    every step of a replay the signals equal those made from the stories afresh; stories are read once a day."""
    ind = mentions(min_stories=3)
    found = [s for s in stream([*QUIET, 9, 2, 12]) if story_matches(scenario(ind), ind, s)]
    reads: list[date] = []

    def read(d: date) -> list[Story]:
        reads.append(d)
        return [s for s in found if s.day == d]

    counted = {d: CountedDay(len({s.cluster_id for s in found if s.day == d}),
                             len({s.source_id for s in found if s.day == d}), partial(read, d), list)
               for d in {s.day for s in found}}
    for step in range(31 * 2, 40 * 2):
        at = noon(0) + timedelta(hours=12 * step)
        days = {d: v for d, v in counted.items() if d < at.date()}  # whole days, as the store counts them
        signals = mention_signals(scenario(ind), ind, found, at, days=days)
        assert signals and signals == mention_signals(scenario(ind), ind, [s for s in found if s.day < at.date()], at)
    assert sorted(reads) == [day(30), day(32)]
    assert all(v.made for d, v in counted.items() if d in (day(30), day(32)))
