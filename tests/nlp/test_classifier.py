"""The learned event-type classifier: its features, its file format, its say over the rules' events,
and its place in the pipeline (coder recorded, model named in the extractor version)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from forewarn.config import Settings
from forewarn.errors import ConfigError
from forewarn.model.extraction import Event, Evidence, Flags, TimePrecision
from forewarn.nlp.classifier import (
    DIMENSIONS,
    LOGIC_VERSION,
    NONE,
    RETYPE,
    SURE,
    VETO,
    EventModel,
    combine,
    hashed_counts,
)
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig


def _event(type_: str, confidence: float, mode: str | None = "m") -> Event:
    return Event(type_, mode, (), None, None, None, date(2022, 1, 1), TimePrecision.DAY, True, Flags(),
                 Evidence(0, 0, 10, 0, 3), confidence)


def _tiny() -> EventModel:
    """Two features, each voting for one label."""
    a, b = sorted(hashed_counts("riot")), sorted(hashed_counts("treaty"))
    columns = np.array(sorted(set(a) | set(b)), dtype=np.int32)
    weights = np.array([[5.0, 0.0, 0.0] if c in a else [0.0, 5.0, 0.0] for c in columns], dtype=np.float32)
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
    agreed = combine([_event("PROTEST", 0.5)], {"PROTEST": 0.9, NONE: 0.1}, "m1")
    assert [(e.type, e.coder) for e in agreed] == [("PROTEST", "rules+model:m1")]
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
