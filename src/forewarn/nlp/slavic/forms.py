"""Every inflected form of a Russian or Ukrainian word, for searching stored text: a substring search for
"Суджа" misses "в Судже", so the document search looks for each of the word's forms as well.

The forms are pymorphy3's lexeme of each parse that its dictionary knows and whose normal form is the word
(the word as the dictionary gives it: "Суджа", "Київ"; an inflected form or a word the dictionary does not
know gets none: guessed paradigms of unknown words are mostly wrong). A form that contains another is left
out (a substring search for "суджу" finds "суджую" too), and each "ё" is searched as "е" as well.
"""

from __future__ import annotations

import functools
import re

from forewarn.nlp.slavic.morphology import parses

SEARCH_LANGUAGES = ("ru", "uk")
_CYRILLIC_WORD = re.compile(r"^[а-яёіїєґ]+(?:[-'’ʼ][а-яёіїєґ]+)*$")


def search_forms(text: str, language: str | None = None) -> tuple[str, ...]:
    """The other forms (lower case, sorted) to search for ``text`` — a single Cyrillic word in its dictionary
    form — in ``language`` ("ru" or "uk"), or in both when it is None or another; else none."""
    word = text.strip().lower()
    if not _CYRILLIC_WORD.match(word):
        return ()
    languages = (language,) if language in SEARCH_LANGUAGES else SEARCH_LANGUAGES
    return tuple(sorted(_shortest(set().union({word}, *(_forms(word, lang) for lang in languages))) - {word}))


@functools.lru_cache(maxsize=4096)
def _forms(word: str, lang: str) -> frozenset[str]:
    lexemes = {form.word for p in parses(word, lang) if p.is_known and _fold(p.normal_form) == _fold(word)
               for form in p.lexeme}
    return frozenset({*lexemes, *(_fold(f) for f in lexemes)})


def _shortest(forms: set[str]) -> set[str]:
    """The forms that contain no other form."""
    kept: set[str] = set()
    for form in sorted(forms, key=len):
        if not any(k in form for k in kept):
            kept.add(form)
    return kept


def _fold(word: str) -> str:
    return word.replace("ё", "е")


__all__ = ["SEARCH_LANGUAGES", "search_forms"]
