"""The language of a document, offline: a declared language tag kept unless the text contradicts it, else
detected from the text.

Detection (:func:`detect`) reads the script first, then the letters that tell the Cyrillic languages apart,
and asks CLD2 (pycld2: compact tables in a C library, a few MB) for what the letters leave open, and
py3langid (a larger model, ~70 MB in memory, loaded only then) where CLD2 names no language of those allowed:

* Cyrillic text is Ukrainian when it has і ї є ґ and none of ы э ё, Russian when it has ы э ё and none of
  і ї є ґ (neither language writes the other's letters); Belarusian when it writes ў, or і and ы, and never
  и; Serbian or Macedonian when it writes ј љ њ ћ ђ џ ѓ ќ ѕ; Bulgarian when its ъ is a vowel (before a
  consonant: Russian writes ъ only before е ё ю я). Text with both Ukrainian and Russian letters (a Ukrainian
  post quoting Russian) and text with neither are decided between Russian and Ukrainian only:
  short Cyrillic text is not taken for another Slavic language without one of these letters.
* Other text is detected among all languages; a short one (under ``SHORT_LETTERS`` letters) only among ``COMMON``
  languages, so that "Sirens again." is not Scottish Gaelic.

A declared language (:func:`document_language`) is normalised (``primary``: "en-US" → "en", "ua" → "uk",
"rus" → "ru") and kept unless the script contradicts it — Cyrillic text under a language not written in
Cyrillic, Latin text under one written only in Cyrillic — or it says Russian where the letters say
Ukrainian (or the reverse) one-sidedly; then the detected language replaces it. The pipeline a document
goes through follows from that (:func:`pipeline_language`): Russian and Ukrainian have their own
(``forewarn.nlp.slavic``); every other language goes through the English one.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Literal

import pycld2
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

PIPELINES = frozenset({"en", "ru", "uk"})
SAMPLE_CHARS = 1500  # enough to tell a language (eval/language_id.py); a long text is not read whole
SHORT_LETTERS = 40  # fewer letters than this: a headline or a one-liner
# languages a short non-Cyrillic text may be taken for: the widely written ones py3langid knows
COMMON = frozenset({"en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "ro", "hu", "sv", "da", "no", "fi",
                    "et", "lv", "lt", "hr", "sl", "tr", "az", "el", "ka", "hy", "ar", "fa", "he", "ur", "hi", "zh",
                    "ja", "ko", "vi", "id"})
CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "mn", "tg", "tt", "ba", "cv"})
BOTH_SCRIPTS = frozenset({"sr", "kk", "az", "uz"})  # written in Latin as well as in Cyrillic
EAST_SLAVIC = ("ru", "uk")
UKRAINIAN_LETTERS = "іїєґ"
RUSSIAN_LETTERS = "ыэё"
SOUTH_SLAVIC_LETTERS = "јљњћђџѓќѕ"
BULGARIAN_VOWEL_YER = re.compile(r"ъ(?![еёюя])")
NOT_LETTERS = re.compile(r"[\W\d_]+")  # all but letters (and a few numerals that are not digits: ½ ²)
ASCII_NOT_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
CYRILLIC = re.compile(r"[\u0400-\u052f]+")
LATIN = re.compile(r"[\x00-\u024f\u1e00-\u1eff]+")
OTHER = re.compile(r"[^\x00-\u024f\u0400-\u052f\u1e00-\u1eff]+")
UNDETERMINED = frozenset({"und", "mul", "zxx", "mis"})
ALIASES = {"ua": "uk", "ukr": "uk", "rus": "ru", "eng": "en", "bel": "be", "bul": "bg", "pol": "pl", "deu": "de",
           "ger": "de", "fra": "fr", "fre": "fr", "srp": "sr", "mkd": "mk", "mac": "mk"}

CLD2_CODES = {"iw": "he", "jw": "jv", "zh-Hant": "zh", "nn": "no", "nb": "no"}  # CLD2's older or finer codes

Script = Literal["cyrillic", "latin", "other"]


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)


def primary(tag: str | None) -> str | None:
    """The language subtag of a declared tag, lower case, as ISO 639-1 where it has one: "en-US" → "en",
    "uk_UA" → "uk", "ua" (the country, often written for the language) → "uk", "rus" → "ru"; None for none
    or "und"."""
    code = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    if not (code.isalpha() and code.isascii() and 2 <= len(code) <= 3) or code in UNDETERMINED:
        return None
    return ALIASES.get(code, code)


def script_of(text: str) -> Script | None:
    """The script of most of ``text``'s letters (the first to appear on a tie); None for a text without
    letters."""
    return _majority(_letters(text))


def _letters(text: str) -> str:
    """``text``'s letters alone (ASCII text, most of it, through a byte table: faster than the expression)."""
    if text.isascii():
        return text.encode("ascii").translate(None, ASCII_NOT_LETTERS).decode("ascii")
    return NOT_LETTERS.sub("", text)


def _majority(letters: str) -> Script | None:
    if not letters:
        return None
    counts = _script_counts(letters)
    most = max(counts.values())
    firsts = {script: _first(script, letters) for script, n in counts.items() if n == most}
    return min(firsts, key=firsts.__getitem__)


def _script_counts(letters: str) -> dict[Script, int]:
    """How many of ``letters`` each script writes. The regular expression engine deletes runs of a script
    and the lengths tell the count: a long text read letter by letter in Python was most of an ingest's time."""
    cyrillic, latin = (len(letters) - len(pattern.sub("", letters)) for pattern in (CYRILLIC, LATIN))
    return {"cyrillic": cyrillic, "latin": latin, "other": len(letters) - cyrillic - latin}


def _first(script: Script, letters: str) -> int:
    """Where ``script`` first appears in ``letters`` (read only for the scripts tied for the most)."""
    pattern = {"cyrillic": CYRILLIC, "latin": LATIN}.get(script, OTHER)
    found = pattern.search(letters)
    return found.start() if found else len(letters)


def detect(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None for a text without letters."""
    sample = text[:SAMPLE_CHARS]
    letters = _letters(sample)
    script = _majority(letters)
    if script is None:
        return None
    if script == "cyrillic":
        return _cyrillic(sample.lower())
    return _best(sample, COMMON if len(letters) < SHORT_LETTERS else None)


def _best(sample: str, among: frozenset[str] | tuple[str, ...] | None) -> str:
    """The most likely language, among ``among`` when given: CLD2's, else py3langid's."""
    allowed = [c for c in _cld2(sample) if among is None or c in among]
    if allowed:
        return allowed[0]
    return next(str(code) for code, _ in _identifier().rank(sample) if among is None or code in among)


def _cld2(sample: str) -> list[str]:
    """The languages CLD2 finds in ``sample``, likeliest first (ISO 639-1 where there is one)."""
    try:
        _, _, found = pycld2.detect(sample, bestEffort=True)
    except pycld2.error:  # bytes it cannot read as UTF-8
        return []
    codes = (primary(CLD2_CODES.get(code, code)) for _, code, percent, _ in found if percent and code != "un")
    return [c for c in codes if c]


def _cyrillic(sample: str) -> str:
    """The language of a mostly Cyrillic, lower-cased sample: the letters first, py3langid for the rest."""
    letters = Counter(sample)
    uk, ru = (sum(letters[c] for c in group) for group in (UKRAINIAN_LETTERS, RUSSIAN_LETTERS))
    if not letters["и"] and (letters["ў"] or (letters["і"] and letters["ы"])):
        return "be"
    if any(letters[c] for c in SOUTH_SLAVIC_LETTERS):
        return _best(sample, ("sr", "mk"))
    if not uk and not ru and BULGARIAN_VOWEL_YER.search(sample):
        return "bg"
    return east_slavic_verdict(sample) or _best(sample, EAST_SLAVIC)


def east_slavic_verdict(text: str) -> str | None:
    """"uk" when ``text`` writes Ukrainian letters and no Russian ones, "ru" for the reverse, else None."""
    lower = text[:SAMPLE_CHARS].lower()
    uk, ru = (any(c in lower for c in group) for group in (UKRAINIAN_LETTERS, RUSSIAN_LETTERS))
    return "uk" if uk and not ru else "ru" if ru and not uk else None


def contradicts(code: str, text: str) -> bool:
    """Does ``text`` contradict the declared language ``code``: written in a script the language is not
    written in, or, declared Russian or Ukrainian, writing only the other one's letters?"""
    script = script_of(text[:SAMPLE_CHARS])
    if script == "cyrillic":
        verdict = east_slavic_verdict(text)
        return code not in CYRILLIC_LANGUAGES or (code in EAST_SLAVIC and verdict not in (None, code))
    return script == "latin" and code in CYRILLIC_LANGUAGES - BOTH_SCRIPTS


def document_language(declared: str | None, text: str) -> str | None:
    """The language a document is kept with: its declared language, normalised, unless the text contradicts
    it (:func:`contradicts`); else the detected one (None for a text without letters)."""
    code = primary(declared)
    return code if code is not None and not contradicts(code, text) else detect(text)


def pipeline_language(declared: str | None, text: str) -> str:
    """Which pipeline reads a document: its language (:func:`document_language`); "en" for any language
    without a pipeline of its own."""
    code = document_language(declared, text)
    return code if code in PIPELINES else "en"
