"""Run the pipeline over documents: batches through ``nlp.pipe``, long texts in segments, one
failing document isolated from its batch, and optionally several processes.

Memory per document is bounded: a long text is cut into segments, at most ``PARSE_CHARS`` of them
are parsed at a time, and each parsed segment is reduced to frozen records (offsets shifted into
the whole text) and released before the next group is parsed. Time is linear in the text's size."""

from __future__ import annotations

import functools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from typing import Any, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from forewarn.config import Settings
from forewarn.model.document import DatePrecision, Observation
from forewarn.model.extraction import (
    Claim,
    DateMention,
    EntityMention,
    Event,
    Evidence,
    Extraction,
    Participant,
    PlaceMention,
)
from forewarn.nlp import pipeline
from forewarn.nlp.language import pipeline_language
from forewarn.nlp.observed import Observer
from forewarn.nlp.pipeline import ExtractorConfig

# Longest text handed to spaCy at once. The parser's memory grows with the text (about 1 GB per
# 100,000 characters), so longer documents are cut at paragraph or sentence ends into segments.
SEGMENT_CHARS = 50_000
# Most characters parsed in one ``nlp.pipe`` call: what spaCy holds at once (a few hundred MB).
# Each parsed segment becomes compact records and is released before the next group is parsed.
PARSE_CHARS = 2 * SEGMENT_CHARS
# Most characters of input text in one batch (unless one document alone is longer), so a batch of
# long documents holds neither all their texts nor all their results at once.
BATCH_CHARS = 2_000_000
# The kinds of record an extraction holds (the ``fw_`` extensions of a parsed ``Doc``).
_PARTS = ("entities", "places", "dates", "events", "claims")

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ExtractInput:
    document_id: str
    text: str
    published: date  # publication date (or ingest date) that relative dates resolve against
    observation: Observation | None = None  # a structured row's own columns (nlp.observed)
    precision: DatePrecision | None = None  # how precisely ``published`` is known
    language: str | None = None  # as declared by its source or detected at intake (else detected here)


@dataclass(frozen=True, slots=True)
class ExtractFailure:
    document_id: str
    error: str


Result = Extraction | ExtractFailure


class Extractor:
    """The pipelines of this process, one per language, each built when a document first needs it.
    ``extract`` yields one result per input, in order."""

    def __init__(self, config: ExtractorConfig) -> None:
        self.config = config
        self.nlp = pipeline.build_pipeline(config)
        self.pipelines = {"en": self.nlp}
        self.version = pipeline.version(self.nlp)
        self.observer = Observer(*pipeline.tools(self.nlp))

    def pipeline(self, lang: str) -> Language:
        """The pipeline for ``lang`` ("en", "ru" or "uk")."""
        if lang not in self.pipelines:
            self.pipelines[lang] = pipeline.build_pipeline(self.config, lang)
        return self.pipelines[lang]

    def extract(self, items: Iterable[ExtractInput]) -> Iterator[Result]:
        for batch in batches(items, self.config.batch_size):
            yield from self.extract_batch(batch)

    def extract_batch(self, batch: Sequence[ExtractInput]) -> list[Result]:
        try:
            return self._batch(batch)
        except Exception:
            return [self._alone(item) for item in batch]

    def _alone(self, item: ExtractInput) -> Result:
        try:
            return self._batch([item])[0]
        except Exception as exc:
            return ExtractFailure(item.document_id, f"{type(exc).__name__}: {exc}")

    def _batch(self, batch: Sequence[ExtractInput]) -> list[Result]:
        """Each parsed segment is turned into compact records and released before the next
        group of segments is parsed, so memory is bounded by ``PARSE_CHARS``, not by the batch."""
        parts = [_Parts() for _ in batch]
        for n, offset, doc in self._parsed(batch):
            parts[n].add(doc, offset)
        return [self.observer.apply(p.extraction(item.document_id, self.version), item.observation, item.text,
                                    item.published, item.precision) for p, item in zip(parts, batch, strict=True)]

    def _parsed(self, batch: Sequence[ExtractInput]) -> Iterator[tuple[int, int, Doc]]:
        """(input index, char offset of the segment, parsed segment), a group of segments of one
        language at a time."""
        languages = [pipeline_language(item.language, item.text) for item in batch]
        for lang in dict.fromkeys(languages):
            nlp = self.pipeline(lang)
            pieces = ((n, offset, text) for n, item in enumerate(batch) if languages[n] == lang
                      for offset, text in segments(item.text, SEGMENT_CHARS))
            for group in _groups(pieces, self.config.batch_size, PARSE_CHARS, lambda piece: len(piece[2])):
                docs = (pipeline.make_doc(nlp, text, batch[n].published) for n, _, text in group)
                parsed = nlp.pipe(docs, batch_size=len(group))
                for (n, offset, _), doc in zip(group, parsed, strict=True):
                    yield n, offset, doc


class _Parts:
    """One document's extractions, gathered segment by segment as compact records."""

    def __init__(self) -> None:
        self.parts: dict[str, list[Any]] = {key: [] for key in _PARTS}
        self.sentences = 0

    def add(self, doc: Doc, offset: int) -> None:
        for key, found in self.parts.items():
            found.extend(shift(x, offset, self.sentences) for x in getattr(doc._, f"fw_{key}"))
        self.sentences += sum(1 for _ in doc.sents)

    def extraction(self, document_id: str, extractor: str) -> Extraction:
        return Extraction(document_id=document_id, extractor=extractor,
                          **{k: tuple(v) for k, v in self.parts.items()})


def batches(items: Iterable[ExtractInput], size: int, chars: int = BATCH_CHARS) -> Iterator[list[ExtractInput]]:
    """Inputs in batches of at most ``size`` inputs and, unless one input alone is longer,
    at most ``chars`` characters of text."""
    return _groups(items, size, chars, lambda item: len(item.text))


def _groups(items: Iterable[_T], size: int, chars: int, length: Callable[[_T], int]) -> Iterator[list[_T]]:
    """Consecutive groups of ``items``: at most ``size`` each and at most ``chars`` characters
    (by ``length``) unless one item alone is longer."""
    group: list[_T] = []
    total = 0
    for item in items:
        size_of = length(item)
        if group and (len(group) >= size or total + size_of > chars):
            yield group
            group, total = [], 0
        group.append(item)
        total += size_of
    if group:
        yield group


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
    return _shared(ExtractorConfig.from_settings(settings))


@functools.lru_cache(maxsize=2)
def _shared(config: ExtractorConfig) -> Extractor:
    return Extractor(config)


# -- several processes ------------------------------------------------------------------------------

_worker: Extractor | None = None


def _init_worker(config: ExtractorConfig) -> None:
    global _worker
    _worker = Extractor(config)


def _work(batch: list[ExtractInput]) -> list[Result]:
    assert _worker is not None, "worker not initialised"
    return _worker.extract_batch(batch)


def extract_parallel(config: ExtractorConfig, items: Iterable[ExtractInput], processes: int) -> Iterator[Result]:
    """Like ``Extractor.extract`` but over ``processes`` worker processes, results in input order.
    At most two batches per worker are in flight, so memory stays flat however many inputs come."""
    context = multiprocessing.get_context("forkserver")  # workers fork from a server that has spaCy imported
    context.set_forkserver_preload(["forewarn.nlp.extract"])
    todo = batches(items, config.batch_size)
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_init_worker,
                             initargs=(config,)) as pool:
        pending: deque[Future[list[Result]]] = deque(pool.submit(_work, b) for b in islice(todo, 2 * processes))
        while pending:
            results = pending.popleft().result()
            pending.extend(pool.submit(_work, b) for b in islice(todo, 1))
            yield from results
