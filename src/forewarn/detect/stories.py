"""Stories from the store for mentions indicators: documents as attention, whatever the event coder made
of them. Besides :mod:`forewarn.detect.observe`, the one place in ``forewarn.detect`` that reads the store;
:func:`forewarn.detect.mentions.mention_signals` takes the result as plain data.

Matching is done on each document's title and text as the rows stream from the store (see
:mod:`forewarn.store.stories` for why not in SQL), once a day of documents: the store remembers which matched
(:mod:`forewarn.store.matched`), and reads after the first take only those and what is new. Only the matching
documents are kept, with their source's reliability and the places and entities their extraction found.

A review over a large store does not read the stories at all (:func:`count_stories`): the store remembers each
mentions indicator's matches whole (its query, and the region and entities a story must name: the write path marks
a document's day changed when its extraction changes what it names), and counts each day's independent stories
and sources as it remembers them. A day's count is read as one row; the stories of a day are read only when it
signals (its evidence), and those of a day still under way, up to the time asked, as it is asked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from forewarn.detect.match import text_matches
from forewarn.detect.mentions import story_matches, story_pattern
from forewarn.detect.types import Story
from forewarn.errors import InvalidArgument
from forewarn.model import Indicator, Reliability, Scenario, Signal
from forewarn.store import SqlStore
from forewarn.store.matched import Hit, match_key, remember, remember_all, tallies
from forewarn.store.stories import StoryTags, StoryText

Keep = Callable[[str, str | None, str], bool]  # does a document (id, title, text) match


def read_stories(store: SqlStore, *, since: date, until: datetime, patterns: Sequence[re.Pattern[str]],
                 places: bool = True, entities: bool = True) -> list[Story]:
    """The documents published (else ingested) on or after ``since`` and by ``until`` whose title or text
    matches any of ``patterns`` (none: no stories), oldest first; with the places they name and the entities
    they mention, each when asked for (an indicator that reads it)."""
    if not patterns:
        return []
    either = any_of(tuple(patterns))

    def keep(document_id: str, title: str | None, text: str) -> bool:
        return text_matches(either, document_id, title, text)

    key = match_key("story", either.pattern)
    remember(store.engine, key, "documents", since, until.date(), partial(_examine, store, keep))
    texts = store.story_texts(since=_midnight(since), until=until, keep=keep, matched=key)
    tags = store.story_tags([s.id for s in texts], places=places, entities=entities) if places or entities else {}
    reliability = {s.id: s.reliability for s in store.list_sources()}
    return [_story(s, tags.get(s.id, StoryTags()), reliability.get(s.source_id or "", Reliability.F)) for s in texts]


@functools.lru_cache(maxsize=64)
def any_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    """One pattern for any of ``patterns`` (one search a document instead of one per indicator)."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


def story_key(scenario: Scenario, indicator: Indicator) -> str:
    """The key the store remembers the documents a mentions indicator matches under: its query, the entities it
    asks a story to name, and the region when it asks for one (:func:`forewarn.detect.mentions.story_matches`)."""
    return match_key("story", story_pattern(indicator).pattern, tuple(indicator.entities),
                     scenario.region if indicator.in_region else None)


def count_stories(store: SqlStore, wanted: Sequence[tuple[Scenario, Indicator]], *, since: date, until: datetime
                  ) -> dict[tuple[str, str], StoryTally]:
    """The stories each (scenario, mentions indicator) of ``wanted`` matches from ``since`` to ``until``, counted
    per day by the store, by (scenario id, indicator id); the days not remembered yet are tested first, in one read
    for all of them."""
    keyed = [(story_key(s, i), s, i) for s, i in wanted]
    keys = {key: (s, i) for key, s, i in keyed}
    remember_all(store.engine, keys, "documents", since, until.date(), partial(_examine_all, store, keys))
    reliability = {s.id: s.reliability for s in store.list_sources()}
    return {(s.id, i.id): StoryTally(store, key, since, until, reliability) for key, s, i in keyed}


class StoryTally:
    """One mentions indicator's stories from ``since`` to ``until`` as the store counts them (a
    :class:`~forewarn.detect.types.StoryCounts`): each whole day before ``until``'s date read as its count, the
    day under way at a time asked counted from its matching documents known by then."""

    def __init__(self, store: SqlStore, key: str, since: date, until: datetime,
                 reliability: Mapping[str, Reliability]) -> None:
        self._store, self._key, self._reliability = store, key, reliability
        self.since, self.until = since, until
        last = until.date() - timedelta(days=1)
        self._whole = {d: CountedDay(c, n, partial(self._stories, _midnight(d), _midnight(d + timedelta(days=1)), True),
                                     self.quoted) for d, (c, n) in tallies(store.engine, key, since, last).items()}
        self._under_way: dict[tuple[datetime, bool], CountedDay] = {}

    def days(self, at: datetime, first: date | None = None, *, before: bool = False) -> dict[date, CountedDay]:
        if at > self.until:
            raise InvalidArgument(f"stories were counted up to {self.until.isoformat()}, not {at.isoformat()}",
                                  hint="count them up to the latest time asked")
        lowest = max(first or self.since, self.since)
        found = {d: v for d, v in self._whole.items() if lowest <= d < at.date()}
        today = self._today(at, before) if lowest <= at.date() else None
        return found | ({at.date(): today} if today is not None and today.count else {})

    def ahead(self, times: Sequence[datetime]) -> None:
        """Count the days under way of ``times`` (a replay's steps, to be asked in turn) in one read where each is a
        midnight: each such day holds only what became known at its very start."""
        if not times or any(at != _midnight(at.date()) or at > self.until for at in times):
            return
        known: dict[datetime, list[StoryText]] = {at: [] for at in times}
        for row in self._store.stories_known_at(times, matched=self._key):
            known.get(row.known_at, []).append(row)  # (each row known at one of the times)
        self._under_way |= {(at, False): self._counted(at, False, rows) for at, rows in known.items()}

    def _today(self, at: datetime, before: bool) -> CountedDay:
        """The stories of ``at``'s day known by ``at`` (before it), counted from their rows (no words read)."""
        if (at, before) not in self._under_way:
            rows = self._texts(_midnight(at.date()), at, before, words=False)
            self._under_way[(at, before)] = self._counted(at, before, rows)
        return self._under_way[(at, before)]

    def _counted(self, at: datetime, before: bool, rows: Sequence[StoryText]) -> CountedDay:
        """The day under way at ``at`` from its documents' rows."""
        return CountedDay(len({r.cluster_id for r in rows}), len({_source(r) for r in rows}),
                          partial(self._stories, _midnight(at.date()), at, before), self.quoted)

    def _stories(self, since: datetime, until: datetime, before: bool) -> list[Story]:
        """The matching stories known in [since, until] (before ``until``), without their words, places or entities:
        the store matched them already, and a signal quotes the words of a few (:meth:`CountedDay.quoted`)."""
        texts = self._texts(since, until, before, words=False)
        return [_story(s, StoryTags(), self._reliability.get(s.source_id or "", Reliability.F)) for s in texts]

    def quoted(self, stories: Sequence[Story]) -> list[Story]:
        """These stories with their documents' titles and texts."""
        found = self._store.get_documents({s.document_id for s in stories})
        return [replace(s, title=found[s.document_id].title or "", text=found[s.document_id].text) for s in stories]

    def _texts(self, since: datetime, until: datetime, before: bool, *, words: bool) -> list[StoryText]:
        return self._store.story_texts(since=since, until=until, keep=_always, matched=self._key, before=before,
                                       words=words)


class CountedDay:
    """A day's count of independent stories and of sources, as the store gives it; its stories read when asked,
    without their words (a day that signals may have a thousand), those of the few a signal quotes read then."""

    __slots__ = ("_read", "_stories", "count", "made", "quoted", "source_count")

    def __init__(self, count: int, source_count: int, read: Callable[[], list[Story]],
                 quoted: Callable[[Sequence[Story]], list[Story]]) -> None:
        self.count, self.source_count = count, source_count
        self._read, self.quoted = read, quoted  # quoted: some of its stories with their words
        self._stories: list[Story] | None = None
        self.made: dict[Hashable, Signal] = {}  # the signals made of it (its stories stand: see mentions._made)

    @property
    def stories(self) -> list[Story]:
        if self._stories is None:
            self._stories = self._read()
        return self._stories


def documents_per_day(store: SqlStore, *, since: date, until: datetime) -> dict[date, int]:
    """How many documents (matching or not) were published (else ingested) on each day from ``since`` to
    ``until``: the days missing are days the stream brought nothing (an outage, not a quiet day)."""
    return store.story_days(since=_midnight(since), until=until)


def _examine(store: SqlStore, keep: Keep, first: date, last: date, days: frozenset[date]) -> Iterator[Hit]:
    """The documents known on ``days`` (from ``first`` to ``last``) that ``keep`` keeps."""
    for s in store.story_texts(since=_midnight(first), until=_midnight(last + timedelta(days=1)), keep=keep):
        if s.known_at.date() in days:
            yield _hit(s)


def _examine_all(store: SqlStore, keys: Mapping[str, tuple[Scenario, Indicator]], first: date, last: date,
                 stale: Mapping[str, frozenset[date]]) -> Iterator[tuple[str, Hit]]:
    """The documents known on each key's ``stale`` days (from ``first`` to ``last``) that its indicator matches:
    one read of the words for all (any of their queries), then the places and entities of those that matched."""
    tested = {k: keys[k] for k in stale}
    either = any_of(tuple(dict.fromkeys(story_pattern(i) for _, i in tested.values())))
    texts = store.story_texts(since=_midnight(first), until=_midnight(last + timedelta(days=1)),
                              keep=lambda doc, title, text: text_matches(either, doc, title, text))
    places, entities = _tags_of([i for _, i in tested.values()])
    tags = store.story_tags([s.id for s in texts], places=places, entities=entities) if places or entities else {}
    for text in texts:
        story = _story(text, tags.get(text.id, StoryTags()), Reliability.F)
        for k, (scenario, indicator) in tested.items():
            if story.day in stale[k] and story_matches(scenario, indicator, story):
                yield k, _hit(text)


def _tags_of(indicators: Sequence[Indicator]) -> tuple[bool, bool]:
    """Whether places, and whether entities, are needed to match stories for ``indicators``."""
    return any(i.in_region for i in indicators), any(i.entities for i in indicators)


def _hit(s: StoryText) -> Hit:
    return Hit(s.id, s.known_at.date(), s.cluster_id, _source(s))


def _source(s: StoryText) -> str:
    """A document's source, for counting sources: the document itself without one."""
    return s.source_id or f"document:{s.id}"


def _always(document_id: str, title: str | None, text: str) -> bool:
    return True


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _story(s: StoryText, tags: StoryTags, reliability: Reliability) -> Story:
    return Story(document_id=s.id, source_id=s.source_id, cluster_id=s.cluster_id, reliability=reliability,
                 known_at=s.known_at, day=s.known_at.date(), title=s.title or "", text=s.text, places=tags.places,
                 entities=tags.entities)
