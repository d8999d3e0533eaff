"""The language of a document, offline: a declared language tag kept, else detected from the text.

The pipeline a document goes through follows from it (:func:`pipeline_language`): Russian and
Ukrainian have their own (``forewarn.nlp.slavic``); every other language goes through the English one.
"""

from __future__ import annotations

import functools

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

PIPELINES = frozenset({"en", "ru", "uk"})
SAMPLE_CHARS = 4000  # enough to tell a language; a long text is not read whole


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)


def primary(tag: str | None) -> str | None:
    """The language subtag of a declared tag, lower case: "en-US" → "en", "uk_UA" → "uk"."""
    code = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def detect(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None for a text without letters."""
    sample = text[:SAMPLE_CHARS]
    if not any(c.isalpha() for c in sample):
        return None
    code, _ = _identifier().classify(sample)
    return str(code)


def pipeline_language(declared: str | None, text: str) -> str:
    """Which pipeline reads a document: its declared language, else the detected one; "en" for any
    language without a pipeline of its own."""
    code = primary(declared) or detect(text)
    return code if code in PIPELINES else "en"
