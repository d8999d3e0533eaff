"""The seam for a machine translator.

forewarn codes Russian and Ukrainian reports in their own language and ships no translator: no Russian→English
or Ukrainian→English model is on the package registries it installs from. A workspace that has one (an
installed package, a local model server behind a function) names it in the ``translator`` setting as
``module:function``; the function takes a text and its language (ISO 639-1) and returns English. The English
reading is shown beside the original; extraction, search and exports stay on the original text, whose offsets
every record points into.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from forewarn.errors import ConfigError

Translator = Callable[[str, str], str]
MAX_CHARS = 20_000  # the most text handed to a translator at once (a long report: its beginning)


@dataclass(frozen=True, slots=True)
class Reading:
    """A document's English reading, or why there is none."""

    text: str | None
    translator: str
    error: str | None = None


def load_translator(spec: str) -> Translator | None:
    """The function ``spec`` names (``module:function``); None for an empty spec."""
    if not spec.strip():
        return None
    module, _, name = spec.strip().partition(":")
    try:
        found = getattr(importlib.import_module(module), name) if name else None
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"translator {spec!r} cannot be loaded: {exc}",
                          hint="set translator to module:function of an installed package, or leave it empty") from exc
    if not callable(found):
        raise ConfigError(f"translator {spec!r} is not a function",
                          hint="name it as module:function, e.g. mytranslate:to_english")
    return found


def english_reading(translator: Translator | None, spec: str, text: str, language: str | None) -> Reading | None:
    """The English reading of a text in ``language``: None where no translator is set or the text is English;
    a translator that fails gives a reading with its error, never an exception."""
    if translator is None or not language or language == "en":
        return None
    try:
        english = translator(text[:MAX_CHARS], language)
    except Exception as exc:  # a third-party translator may fail in any way; the page still shows
        return Reading(None, spec, f"{type(exc).__name__}: {exc}")
    if not isinstance(english, str):
        return Reading(None, spec, f"the translator returned {type(english).__name__}, not text")
    return Reading(english, spec)
