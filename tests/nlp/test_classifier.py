"""The learned event-type classifier: its features, its file format, its say over the rules' events,
and its place in the pipeline (coder recorded, model named in the extractor version)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language

import forewarn.nlp.pipeline  # noqa: F401  (registers the doc extensions)
from forewarn.config import Settings
from forewarn.errors import ConfigError
from forewarn.model.extraction import Entity, EntityKind, EntityMention, Event, Evidence, Flags, Sector, TimePrecision
from forewarn.nlp.classifier import (
    ADD,
    ADDED,
    AGREED,
    DIMENSIONS,
    LOGIC_VERSION,
    NONE,
    RETYPE,
    SURE,
    VETO,
    EventModel,
    added,
    classified,
    combine,
    hashed_counts,
)
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig


def _event(type_: str, confidence: float, mode: str | None = "m") -> Event:
    return Event(type_, mode, (), None, None, None, date(2022, 1, 1), TimePrecision.DAY, True, Flags(),
                 Evidence(0, 0, 10, 0, 3), confidence)


def _tiny(weight: float = 5.0) -> EventModel:
    """Two features, each voting for one label."""
    a, b = sorted(hashed_counts("riot")), sorted(hashed_counts("treaty"))
    columns = np.array(sorted(set(a) | set(b)), dtype=np.int32)
    weights = np.array([[weight, 0.0, 0.0] if c in a else [0.0, weight, 0.0] for c in columns], dtype=np.float32)
    return EventModel("tiny", "x", ("PROTEST", "AGREE", NONE), columns, np.ones(len(columns), np.float32), 1.0,
                      weights, np.zeros(3, np.float32))


def test_features_are_stable_and_in_range():
    counts = hashed_counts("Troops Massed near the border")
    assert counts == hashed_counts("troops massed near the border")
    assert all(0 <= i < DIMENSIONS for i in counts)
    assert counts != hashed_counts("troops withdrew from the border")


def test_probabilities_follow_the_weights_and_sum_to_one():
    model = _tiny()
    riot, treaty = model.probabilities("riot"), model.probabilities("treaty")
    assert sum(riot.values()) == pytest.approx(1.0)
    assert max(riot, key=riot.__getitem__) == "PROTEST"
    assert max(treaty, key=treaty.__getitem__) == "AGREE"
    assert model.probabilities("zzz") == pytest.approx({"PROTEST": 1 / 3, "AGREE": 1 / 3, NONE: 1 / 3})


def test_a_saved_model_reads_back_the_same(tmp_path: Path):
    path = tmp_path / "tiny.npz"
    _tiny().save(path)
    back = EventModel.read(path, "tiny")
    assert back.labels == ("PROTEST", "AGREE", NONE)
    assert back.probabilities("riot in town") == pytest.approx(_tiny().probabilities("riot in town"), abs=1e-3)
    assert back.version.startswith("tiny-") and len(back.digest) == 10


def test_agreement_is_recorded_and_a_sure_rule_stands():
    agreed = combine([_event("PROTEST", 0.5), _event("ASSAULT", 0.5)], {"PROTEST": 0.9, NONE: 0.1}, "m1")
    assert [(e.type, e.coder, e.confidence) for e in agreed] == [("PROTEST", "rules+model:m1", 0.5 + AGREED),
                                                                  ("ASSAULT", "rules", 0.5)]
    assert combine([_event("PROTEST", 0.95)], {"PROTEST": 0.9, NONE: 0.1}, "m1")[0].confidence == 0.95
    sure = combine([_event("ASSAULT", SURE)], {"PROTEST": 0.99, NONE: 0.01}, "m1")
    assert [(e.type, e.coder) for e in sure] == [("ASSAULT", "rules")]


def test_a_weak_rule_event_is_retyped_or_vetoed_only_when_the_model_is_sure():
    weak = _event("ASSAULT", SURE - 0.1)
    retyped = combine([weak], {"PROTEST": RETYPE, NONE: 1 - RETYPE}, "m1")
    assert [(e.type, e.mode, e.coder) for e in retyped] == [("PROTEST", None, "model:m1")]
    assert combine([weak], {"PROTEST": RETYPE - 0.01, "AGREE": 0.4, NONE: 0.19}, "m1") == [weak]
    assert combine([weak], {NONE: VETO, "PROTEST": 1 - VETO}, "m1") == []
    assert combine([weak], {NONE: VETO - 0.01, "PROTEST": 1.01 - VETO}, "m1") == [weak]


def test_a_bad_or_missing_model_name_is_a_clear_error():
    with pytest.raises(ConfigError):
        EventModel.load("../actors")
    with pytest.raises(ConfigError):
        EventModel.load("no-such-model")


def test_the_packaged_model_types_plain_sentences():
    model = EventModel.load(Settings().event_model)
    assert model.predict("Thousands of demonstrators marched through the city demanding new elections")[0] == "PROTEST"
    assert model.predict("The museum has a fine collection of old paintings")[0] == NONE


@pytest.fixture(scope="module")
def extractors() -> tuple[Extractor, Extractor]:
    config = ExtractorConfig.from_settings(Settings())
    return Extractor(config), Extractor(replace(config, event_model=""))


def test_the_pipeline_records_the_coder_and_names_the_model(extractors):
    combined, rules = extractors
    assert f"/evm{LOGIC_VERSION}-{EventModel.load(Settings().event_model).version}" in combined.version
    assert f"/evm{LOGIC_VERSION}-none" in rules.version
    text = "Thousands of protesters marched through the capital on Sunday."
    [with_model] = combined.extract([ExtractInput("1", text, date(2022, 1, 1))])
    [alone] = rules.extract([ExtractInput("1", text, date(2022, 1, 1))])
    assert {e.coder for e in alone.events} == {"rules"}  # type: ignore[union-attr]
    assert any(e.coder.endswith(f"model:{Settings().event_model}") for e in with_model.events)  # type: ignore[union-attr]


POLAND = Entity("country:POL", "Poland", EntityKind.COUNTRY, "POL")
UKRAINE = Entity("country:UKR", "Ukraine", EntityKind.COUNTRY, "UKR")
SINGER = Entity("person:x", "A. Singer", EntityKind.PERSON, None, Sector.CIVILIAN)


def _mention(entity: Entity, text: str, doc_text: str, sentence: int = 0) -> EntityMention:
    start = doc_text.index(text)
    return EntityMention(entity, text, start, start + len(text), sentence)


def test_the_model_adds_an_event_only_when_sure_in_a_statement_with_a_political_actor(nlp: Language):
    sure, text = _tiny(weight=60.0), "Poland riot in the capital"
    sent = next(nlp(text).sents)
    p = sure.predict(text)[1]
    assert p >= ADD
    [event] = added(sent, 0, [_mention(POLAND, "Poland", text)], [], date(2022, 1, 1), sure)
    assert (event.type, event.mode, event.coder) == ("PROTEST", None, "model:tiny")
    assert event.actor is not None and event.actor.entity == POLAND and event.recipient is None
    assert event.confidence == round(ADDED * p, 3) and event.date_from_publication
    assert (event.evidence.start, event.evidence.end) == (0, len(text))
    assert added(sent, 0, [_mention(SINGER, "Poland", text)], [], date(2022, 1, 1), sure) == []
    assert added(sent, 0, [], [], date(2022, 1, 1), sure) == []
    unsure = _tiny(weight=0.5)
    assert unsure.predict(text)[1] < ADD
    assert added(sent, 0, [_mention(POLAND, "Poland", text)], [], date(2022, 1, 1), unsure) == []
    for other in ("Poland riot in the capital?", "Poland may riot in the capital"):
        assert added(next(nlp(other).sents), 0, [_mention(POLAND, "Poland", other)], [], date(2022, 1, 1), sure) == []


def test_an_added_event_takes_the_subject_as_its_actor(nlp: Language):
    text = "In Ukraine, Poland staged a riot."
    actor, recipient = _mention(POLAND, "Poland", text), _mention(UKRAINE, "Ukraine", text)
    [event] = added(next(nlp(text).sents), 0, [recipient, actor], [], date(2022, 1, 1), _tiny(weight=60.0))
    assert event.actor is not None and event.actor.entity == POLAND
    assert event.recipient is not None and event.recipient.entity == UKRAINE


def test_classified_judges_rule_events_and_adds_to_sentences_without_one(nlp: Language):
    text = "Treaty talk today. Poland riot in the capital."
    doc = nlp(text)
    first, second = doc.sents
    rule = replace(_event("AGREE", 0.5), evidence=Evidence(0, first.start_char, first.end_char, 0, 6))
    doc._.fw_events = (rule,)
    doc._.fw_entities = (_mention(POLAND, "Poland", text, sentence=1),)
    doc._.fw_places = ()
    doc._.fw_published = date(2022, 1, 1)
    events = classified(doc, _tiny(weight=60.0))
    assert [(e.type, e.coder, e.evidence.start) for e in events] == [
        ("AGREE", "rules+model:tiny", 0), ("PROTEST", "model:tiny", second.start_char)]
