"""Stories from the store for mentions indicators: documents as attention, whatever the event coder made
of them. Besides :mod:`forewarn.detect.observe`, the one place in ``forewarn.detect`` that reads the store;
:func:`forewarn.detect.mentions.mention_signals` takes the result as plain data.

Matching is done on each document's title and text as the rows stream from the store (see
:mod:`forewarn.store.stories` for why not in SQL), once a day of documents: the store remembers which matched
(:mod:`forewarn.store.matched`), and reads after the first take only those and what is new. Only the matching
documents are kept, with their source's reliability and the places and entities their extraction found.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from forewarn.detect.match import text_matches
from forewarn.detect.types import Story
from forewarn.model import Reliability
from forewarn.store import SqlStore
from forewarn.store.matched import Hit, match_key, remember
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


def documents_per_day(store: SqlStore, *, since: date, until: datetime) -> dict[date, int]:
    """How many documents (matching or not) were published (else ingested) on each day from ``since`` to
    ``until``: the days missing are days the stream brought nothing (an outage, not a quiet day)."""
    return store.story_days(since=_midnight(since), until=until)


def _examine(store: SqlStore, keep: Keep, first: date, last: date, days: frozenset[date]) -> Iterator[Hit]:
    """The documents known on ``days`` (from ``first`` to ``last``) that ``keep`` keeps."""
    for s in store.story_texts(since=_midnight(first), until=_midnight(last + timedelta(days=1)), keep=keep):
        if s.known_at.date() in days:
            yield s.id, s.known_at.date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _story(s: StoryText, tags: StoryTags, reliability: Reliability) -> Story:
    return Story(document_id=s.id, source_id=s.source_id, cluster_id=s.cluster_id, reliability=reliability,
                 known_at=s.known_at, day=s.known_at.date(), title=s.title or "", text=s.text, places=tags.places,
                 entities=tags.entities)
