"""Long documents: extraction memory stays bounded and time grows linearly with the text's size,
and cutting a text into segments parsed a group at a time changes no result.

The long texts are the demo corpus's prose, repeated with its paragraphs in varied order."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import weakref
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from spacy.tokens import Doc

import forewarn
import forewarn.nlp.extract as extract
import forewarn.nlp.pipeline as pipeline
import forewarn.nlp.runner as runner
from forewarn.config import Settings
from forewarn.model.document import Document
from forewarn.model.extraction import Entity, EntityKind, EntityMention, Extraction
from forewarn.nlp.extract import ExtractInput, shared_extractor
from forewarn.nlp.runner import extract_documents

DAY = date(2024, 8, 8)
DEMO_TEXT = Path(forewarn.__file__).parent / "data" / "demo" / "text"

# Runs in a fresh process: reads a text on stdin, extracts it, prints what it cost.
CHILD = """
import json, resource, sys, time
from datetime import date
from forewarn.config import Settings
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig
text = sys.stdin.read()
extractor = Extractor(ExtractorConfig.from_settings(Settings()))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
(result,) = extractor.extract([ExtractInput("long", text, date(2024, 8, 8))])
cpu = time.process_time() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_mb": (after - before) / 1024, "cpu_s": cpu, "events": len(result.events)}))
"""


def demo_paragraphs() -> list[str]:
    """The prose paragraphs of the demo text reports (their header blocks left out)."""
    out: list[str] = []
    for path in sorted(DEMO_TEXT.rglob("*.*")):
        _, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        out += [p.strip() for p in body.split("\n\n") if p.strip()]
    return out


def long_text(chars: int, seed: int = 11) -> str:
    """At least ``chars`` characters of demo prose: rounds of every paragraph, each round shuffled."""
    paragraphs, rng, out, size = demo_paragraphs(), random.Random(seed), [], 0
    while size < chars:
        round_ = paragraphs[:]
        rng.shuffle(round_)
        out += round_
        size += sum(len(p) + 2 for p in round_)
    return "\n\n".join(out)


def extract_in_child(text: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD], input=text, capture_output=True, text=True, check=True,
                          timeout=1200)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts cut into ~2,000-character segments, at most 4,000 characters parsed at a time."""
    real = extract.segments
    monkeypatch.setattr(extract, "segments", lambda text, limit=0: real(text, 2_000))
    monkeypatch.setattr(extract, "PARSE_CHARS", 4_000)


def test_parsed_segments_are_released_as_they_go(small_segments, monkeypatch):
    alive: list[weakref.ref[Doc]] = []
    most = 0
    real = pipeline.find_claims

    def counting(doc: Doc, mentions: Any) -> Any:
        nonlocal most
        alive.append(weakref.ref(doc))
        most = max(most, sum(1 for r in alive if r() is not None))
        return real(doc, mentions)

    monkeypatch.setattr(pipeline, "find_claims", counting)
    text = long_text(40_000)
    (result,) = shared_extractor(Settings()).extract([ExtractInput("long", text, DAY)])
    assert isinstance(result, Extraction)
    assert len(alive) >= 20  # the text was cut into many segments
    assert most <= 4  # one group of segments (and the last of the one before), not the whole text


def test_segments_parsed_in_groups_give_the_results_of_one_parse(small_segments, monkeypatch):
    text = long_text(30_000)
    items = [ExtractInput("long", text, DAY), ExtractInput("short", text[:1_500], DAY)]
    extractor = shared_extractor(Settings())
    grouped = list(extractor.extract(items))
    monkeypatch.setattr(extract, "PARSE_CHARS", 10**9)  # every segment in one nlp.pipe call
    whole = list(extractor.extract(items))
    assert grouped == whole
    long = grouped[0]
    assert isinstance(long, Extraction) and long.events and long.entities and long.places
    assert all(text[m.start:m.end] == m.text for m in long.entities)
    assert all(text[p.start:p.end] == p.text for p in long.places)
    assert all(text[e.evidence.trigger_start:e.evidence.trigger_end] for e in long.events)
    assert max(e.evidence.sentence for e in long.events) > 100  # indices run on across segments


def test_batches_are_bounded_by_characters_too():
    items = [ExtractInput(str(n), "x" * size, DAY) for n, size in enumerate([10, 600, 500, 2_000, 5, 5, 5])]
    got = [[i.document_id for i in b] for b in extract.batches(items, 3, chars=1_000)]
    assert got == [["0", "1"], ["2"], ["3"], ["4", "5", "6"]]


@pytest.mark.slow
def test_memory_is_bounded_and_time_linear_in_the_size_of_a_document():
    half = extract_in_child(long_text(250_000))
    full = extract_in_child(long_text(500_000))
    assert full["growth_mb"] < 700, full  # was ~1.5 GB at this size: every segment's parse kept until the end
    assert full["growth_mb"] < half["growth_mb"] + 200, (half, full)
    assert full["cpu_s"] < 2.6 * half["cpu_s"], (half, full)
    assert full["events"] > 1.8 * half["events"] > 0


class CountingStore:
    """Just what ``extract_documents`` uses: hands out documents, counts what it loads and saves."""

    def __init__(self) -> None:
        self.loaded: list[int] = []
        self.saved: list[int] = []

    def get_documents(self, ids: Iterable[str]) -> dict[str, Document]:
        ids = list(ids)
        self.loaded.append(len(ids))
        now = datetime(2024, 8, 8, tzinfo=UTC)
        return {i: Document(i, "text", None, None, None, now, None, now, None, "", None, i, "", "", None, "", 0)
                for i in ids}

    def save_extractions(self, extractions: Sequence[Extraction], now: datetime) -> None:
        self.saved.append(len(extractions))

    def record_extraction_failure(self, document_id: str, extractor: str, error: str, now: datetime) -> None:
        raise AssertionError("nothing fails here")


class ManyRecords:
    """An extractor whose every document yields 60,000 entity mentions (a very long document's worth)."""

    version = "many"
    mention = EntityMention(Entity("x", "X", EntityKind.ORG), "X", 0, 1, 0)

    def extract(self, items: Iterable[ExtractInput]) -> Iterator[Extraction]:
        for item in items:
            yield Extraction(item.document_id, self.version, entities=(self.mention,) * 60_000)


def test_a_run_of_long_documents_is_loaded_and_saved_a_few_at_a_time(monkeypatch):
    monkeypatch.setattr(runner, "SAVE_RECORDS", 200_000)
    store = CountingStore()
    ids = [f"d{n}" for n in range(40)]
    report = extract_documents(store, Settings(), ManyRecords, ids,  # type: ignore[arg-type]
                               lambda: datetime(2024, 8, 8, tzinfo=UTC))
    assert report.extracted == 40 and sum(store.saved) == 40
    assert max(store.saved) == 4  # 240,000 records a transaction at most, not 40 documents' worth
    assert max(store.loaded) <= 16  # texts of up to max_bytes each are held while they wait
