"""Run the pipeline over documents: batches through ``nlp.pipe``, long texts in segments, one
failing document isolated from its batch, and optionally several processes."""

from __future__ import annotations

import functools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from typing import Any

from spacy.tokens import Doc

from forewarn.config import Settings
from forewarn.nlp import pipeline
from forewarn.nlp.types import (
    Claim,
    DateMention,
    EntityMention,
    Event,
    Evidence,
    Extraction,
    Participant,
    PlaceMention,
)

# Longest text handed to spaCy at once. The parser's memory grows with the text (about 1 GB per
# 100,000 characters), so longer documents are cut at paragraph or sentence ends into segments.
SEGMENT_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class ExtractInput:
    document_id: str
    text: str
    published: date  # publication date (or ingest date) that relative dates resolve against


@dataclass(frozen=True, slots=True)
class ExtractFailure:
    document_id: str
    error: str


Result = Extraction | ExtractFailure


class Extractor:
    """One pipeline in this process. ``extract`` yields one result per input, in order."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.nlp = pipeline.build_pipeline(settings)
        self.version = pipeline.version(self.nlp)

    def extract(self, items: Iterable[ExtractInput]) -> Iterator[Result]:
        it = iter(items)
        while batch := list(islice(it, self.settings.extract_batch_size)):
            yield from self.extract_batch(batch)

    def extract_batch(self, batch: Sequence[ExtractInput]) -> list[Result]:
        try:
            return [self._one(item, docs) for item, docs in zip(batch, self._pipe(batch), strict=True)]
        except Exception:
            return [self._alone(item) for item in batch]

    def _alone(self, item: ExtractInput) -> Result:
        try:
            return self._one(item, next(iter(self._pipe([item]))))
        except Exception as exc:
            return ExtractFailure(item.document_id, f"{type(exc).__name__}: {exc}")

    def _pipe(self, batch: Sequence[ExtractInput]) -> list[list[tuple[int, Doc]]]:
        """Docs per input: (char offset of the segment, parsed segment)."""
        jobs = [(n, offset, pipeline.make_doc(self.nlp, text, item.published))
                for n, item in enumerate(batch) for offset, text in segments(item.text)]
        parsed = self.nlp.pipe(doc for _, _, doc in jobs)
        out: list[list[tuple[int, Doc]]] = [[] for _ in batch]
        for (n, offset, _), doc in zip(jobs, parsed, strict=True):
            out[n].append((offset, doc))
        return out

    def _one(self, item: ExtractInput, docs: list[tuple[int, Doc]]) -> Extraction:
        parts: dict[str, list[Any]] = {"entities": [], "places": [], "dates": [], "events": [], "claims": []}
        sentences = 0
        for offset, doc in docs:
            for key in parts:
                parts[key].extend(shift(x, offset, sentences) for x in getattr(doc._, f"fw_{key}"))
            sentences += sum(1 for _ in doc.sents)
        return Extraction(document_id=item.document_id, extractor=self.version,
                          **{k: tuple(v) for k, v in parts.items()})


def segments(text: str, limit: int = SEGMENT_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of at most ``limit`` characters, cut after a paragraph, a sentence
    or a space where possible."""
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
        if cut < limit // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut >= limit // 2 else limit
        yield start, text[start:start + cut]
        start += cut
    yield start, text[start:]


def shift(x: Any, chars: int, sentences: int) -> Any:
    """The same extraction with offsets moved by ``chars`` and sentence indices by ``sentences``."""
    if not chars and not sentences:
        return x
    if isinstance(x, EntityMention | PlaceMention | DateMention):
        return replace(x, start=x.start + chars, end=x.end + chars, sentence=x.sentence + sentences)
    if isinstance(x, Participant):
        return replace(x, start=x.start + chars, end=x.end + chars)
    if isinstance(x, Event):
        ev = x.evidence
        evidence = Evidence(ev.sentence + sentences, ev.start + chars, ev.end + chars,
                            ev.trigger_start + chars, ev.trigger_end + chars)
        return replace(x, evidence=evidence, actor=_maybe(x.actor, chars, sentences),
                       recipient=_maybe(x.recipient, chars, sentences), place=_maybe(x.place, chars, sentences))
    if isinstance(x, Claim):
        return replace(x, speaker=_maybe(x.speaker, chars, sentences), content_start=x.content_start + chars,
                       content_end=x.content_end + chars, start=x.start + chars, end=x.end + chars,
                       sentence=x.sentence + sentences)
    raise TypeError(f"cannot shift {type(x).__name__}")


def _maybe(x: Any, chars: int, sentences: int) -> Any:
    return None if x is None else shift(x, chars, sentences)


def shared_extractor(settings: Settings) -> Extractor:
    """One pipeline per process for the settings that shape it (building one takes seconds)."""
    return _shared(replace(Settings(), spacy_model=settings.spacy_model, actor_dictionaries=settings.actor_dictionaries,
                           event_lexicon=settings.event_lexicon, gazetteer_cache=settings.gazetteer_cache,
                           focus_countries=settings.focus_countries,
                           extract_batch_size=settings.extract_batch_size))


@functools.lru_cache(maxsize=2)
def _shared(settings: Settings) -> Extractor:
    return Extractor(settings)


# -- several processes ------------------------------------------------------------------------------

_worker: Extractor | None = None


def _init_worker(settings: Settings) -> None:
    global _worker
    _worker = Extractor(settings)


def _work(batch: list[ExtractInput]) -> list[Result]:
    assert _worker is not None, "worker not initialised"
    return _worker.extract_batch(batch)


def extract_parallel(settings: Settings, items: Iterable[ExtractInput], processes: int) -> Iterator[Result]:
    """Like ``Extractor.extract`` but over ``processes`` worker processes, results in input order.
    At most two batches per worker are in flight, so memory stays flat however many inputs come."""
    context = multiprocessing.get_context("forkserver")  # workers fork from a server that has spaCy imported
    context.set_forkserver_preload(["forewarn.nlp.extract"])
    it = iter(items)
    batches = iter(lambda: list(islice(it, settings.extract_batch_size)), [])
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_init_worker,
                             initargs=(settings,)) as pool:
        pending: deque[Future[list[Result]]] = deque(pool.submit(_work, b) for b in islice(batches, 2 * processes))
        while pending:
            results = pending.popleft().result()
            pending.extend(pool.submit(_work, b) for b in islice(batches, 1))
            yield from results
