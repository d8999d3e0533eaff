"""Places named in Russian and Ukrainian text, resolved to the same gazetteer entries as English names.

Candidate spans: the NER's ``LOC`` entities, and capitalised words the NER missed after a locative
preposition ("в Судже", "під Бахмутом", "біля Вовчанська"), after a settlement word ("в селе Глушково",
"смт Велика Писарівка") or before a region word ("Курской области"). A span's words are brought back to
the nominative, every way that might be right — each pymorphy3 parse's nominative (its normal form, and
its own gender and number: "Новой Каховке" → "новая каховка"), and for names pymorphy does not know, the
case endings of place names ("Судже" → "Суджа", "Покровске" → "Покровск", "Ізюмі" → "Ізюм") — and the
gazetteer decides which forms name places: all towns any form names are candidates ("Києві" is "кий" to
pymorphy first; no town of that name outweighs Kyiv). Region phrases ("Курской области", "Сумська
область") and short region names ("на Сумщині") give first-level regions, country names countries. A name
found only through its romanisation (no town has it as a Cyrillic name) names a town of a state that writes
in Cyrillic, or elsewhere one of at least 20,000 people ("Пенсильвания" is not the Colombian "Pensilvania").

Areas named by the adjective of their centre town — districts, municipal okrugs and hromadas ("в Суджанском
районе", "Шебекинский городской округ", "Краснопільська громада") and front sectors ("на курском
направлении", "харківський напрямок") — resolve to the first-level region of that town (precision REGION:
"Суджанский район" → Kursk Oblast). PlaceMention has no district level, and the town's own point would claim
a precision the text does not give; the region holds the whole area, so the event lands in the right oblast.
The centre is found from the adjective by the ways such adjectives are formed ("суджанский" ← Суджа,
"глушковский" ← Глушково, "сумской" ← Сумы, "купянский" ← Купянск, "краснопільська" ← Краснопілля,
"великописарівська" ← Велика Писарівка); the gazetteer decides which forms are towns of at least 1,000
people in the former Soviet Union (where such districts are), and the document's context chooses among
them. A district followed by a town's name is a part of that town ("в Киевском районе Харькова"): only the
town is a mention.

The choice among same-name places is the English geoparser's (:mod:`forewarn.nlp.geo`): the document's
regions, countries and unambiguous towns, the workspace's focus countries, then population.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterator

from spacy.tokens import Doc, Token

from forewarn.geo.cyrillic import CYRILLIC_SCRIPT, FORMER_USSR
from forewarn.geo.gazetteer import Gazetteer, Match
from forewarn.model.extraction import Place, PlaceMention
from forewarn.nlp.geo import Found, Lookups, Qualifier, Span, choices, mentions
from forewarn.nlp.slavic.morphology import nominatives, parses

# Prepositions after which a capitalised word is likely a place (Russian and Ukrainian).
LOCATIVE_PREPOSITIONS = frozenset(
    {"в", "во", "у", "под", "подо", "під", "пiд", "возле", "около", "близ", "вблизи", "біля", "поблизу", "коло",
     "над", "за", "из", "изо", "із", "з", "зі", "от", "від", "до", "к", "ко", "через", "между", "між",
     "по", "на", "со", "с", "сторону", "окрестностях", "околицях", "районе", "районі", "направлении",
     "напрямку", "неподалеку", "неподалік", "западнее", "восточнее", "севернее", "южнее", "западу", "востоку",
     "северу", "югу", "заходу", "сходу", "півночі", "півдня", "окраине", "околиці", "окраинах"}
)
# Cues after which a name the NER took for a person's may be a place's.
PERSON_CUES = frozenset(
    {"в", "во", "у", "под", "під", "возле", "около", "близ", "вблизи", "біля", "поблизу", "районе", "районі",
     "окрестностях", "околицях", "направлении", "напрямку", "до", "из", "из-под", "з", "із", "от", "від"}
)
# Weak cues: a name after these is a place only when the document's countries support it.
WEAK_PREPOSITIONS = frozenset({"на", "за", "к", "ко", "по", "над", "через"})
# "с", "з": "from" before a genitive (a strong cue), "with" before an instrumental (a weak one).
WITH_PREPOSITIONS = frozenset({"с", "со", "з", "зі", "із"})
# Words for a settlement before its name: "в селе X", "смт X", "г. X".
SETTLEMENT_WORDS = frozenset(
    {"город", "городе", "города", "городом", "городу", "село", "селе", "села", "селом", "селу", "посёлок",
     "поселок", "посёлке", "поселке", "посёлка", "поселка", "пгт", "деревня", "деревне", "деревни", "хутор",
     "хуторе", "станица", "станице", "місто", "місті", "міста", "містом", "селі", "селища", "селище", "селищі",
     "смт", "пос", "н.п", "нп", "населенный", "населённый", "населений", "пункт", "пункте",
     "пункті", "пункта", "пункту"}
)
# Region words in their case forms → the nominative and the gender of the adjective before it ("Курской области"
# → "курская область", "Краснодарского края" → "краснодарский край").
_REGION_NOUNS: dict[str, tuple[str, ...]] = {
    "область": ("область", "области", "областью", "обл", "області", "областю"),
    "край": ("край", "края", "крае", "краю", "краем", "краї"),
    "республика": ("республика", "республики", "республике", "республику", "республикой"),
    "республіка": ("республіка", "республіки", "республіці", "республіку", "республікою"),
}
_GENDER = {"область": "femn", "край": "masc", "республика": "femn", "республіка": "femn"}
REGION_WORDS: dict[str, str] = {form: noun for noun, forms in _REGION_NOUNS.items() for form in forms}
_ABBREVIATIONS = frozenset({"г", "с", "м", "п", "д"})  # "г. Курск", "с. Глушково", "м. Суми": with the dot
_PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})
_APOSTROPHE_TOKENS = frozenset({"'", "’", "ʼ", "`"})
_CONJUNCTIONS = frozenset({"и", "і", "й", "та", ",", "или", "або", "чи"})
_MAX_NAME_TOKENS = 4
_MAX_FORMS = 8
_NOT_NAME_LABELS = frozenset({"PERSON", "ORG"})
ROMANISED_MIN_POPULATION = 20_000  # a town outside Cyrillic-writing states matched only through a romanisation
# Areas named by the adjective of their centre town ("Суджанский район"), in their case forms; front sectors.
DISTRICT_WORDS = frozenset(
    {"район", "района", "районе", "району", "районом", "районы", "районах", "районов", "районі", "райони",
     "районів", "округ", "округа", "округе", "округу", "округом", "округах", "окрузі", "громада", "громади",
     "громаді", "громаду", "громадою", "громад", "громадах", "улус", "улусе"}
)
DIRECTION_WORDS = frozenset(
    {"направление", "направления", "направлении", "направлению", "направлением", "направлениях", "напрямок",
     "напрямку", "напрямі", "напрямком", "напрям", "напрямки", "напрямках"}
)
# Words between the adjective and the area word: "Шебекинский городской округ", "Сумська міська громада".
_AREA_FILLERS = ("городск", "муниципальн", "сельск", "міськ", "сільськ", "селищн", "територіальн", "поселков")
# A toponymic adjective: a stem, the suffix -ск-/-цк-/-зьк- and an adjective's case ending.
_TOPONYMIC = re.compile(r"^(?P<stem>.{3,}?)(?P<kind>[сцз])ь?к(?:ий|ый|ой|ая|ое|ие|ые|ого|ому|ом|им|ым|их|ых|ую|ою"
                        r"|ої|ій|ім|а|е|і|у)$")
_NOT_TOPONYMIC = frozenset({"город", "сель", "сіль", "морс", "мор", "рус", "сел"})
# How a centre's name gives the adjective's stem, undone: stem → the name ("суджан" → "суджа").
_CENTRE_ENDINGS: dict[str, tuple[str, ...]] = {
    "с": ("", "а", "о", "е", "ы", "и", "я", "ка", "ки", "ск", "ськ", "ье"), "ц": ("цк", "цьк", "ц"),
    "з": ("жжя", "жье", "г")}
_STEM_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ан", ("а",)), ("ян", ("я", "а")), ("ин", ("а", "о")), ("ын", ("а",)), ("іль", ("ілля", "іль")),
    ("оль", ("олье", "оле", "оль")), ("ль", ("лье", "ле", "ль")), ("ов", ("ово",)), ("ев", ("ево",)))
# A compound's first part ("великописарівська" ← Велика Писарівка) → the first word in each gender.
_COMPOUND_HEADS: dict[str, tuple[str, ...]] = {
    "велико": ("велика", "великий", "велике", "великая", "великое"), "мало": ("мала", "малий", "мале", "малая"),
    "ново": ("нова", "новий", "нове", "новая", "новый", "новое"), "старо": ("стара", "старий", "старе", "старая",
                                                                       "старый", "старое")}
AREA_MIN_POPULATION = 1_000  # a district's or hromada's centre is a town or a large village


# ----------------------------------------------------------------------------------------------- forms


def _adjective_forms(word: str, gender: str, lang: str) -> list[str]:
    """An adjective in the nominative singular of ``gender``: "Курской" → "курская"."""
    out = []
    for parse in parses(word, lang):
        if parse.tag.POS in ("ADJF", "PRTF"):
            form = parse.inflect({"nomn", "sing", gender}) or parse.inflect({"nomn", gender})
            if form is not None:
                out.append(str(form.word))
    return list(dict.fromkeys(out))


def _name_forms(words: list[str], lang: str) -> Iterator[str]:
    """Nominative forms of a name of one or more words (each word's forms, combined)."""
    per_word = [nominatives(w, lang)[:_MAX_FORMS] for w in words]
    for combination in itertools.product(*per_word):
        yield " ".join(combination)


# ----------------------------------------------------------------------------------------------- lookups


def _region_word(token: Token) -> str | None:
    """The nominative of a region word ("области" → "область"), None for other words."""
    return REGION_WORDS.get(token.lower_.rstrip("."))


def _towns(gazetteer: Gazetteer, forms: list[str], exact_only: bool) -> tuple[Match, ...]:
    """Towns any form names; only when none does by its Cyrillic name, those found by romanisation."""
    found = [m for form in forms for m in gazetteer.towns(form)]
    exact = [m for m in found if not m.fuzzy]
    chosen = exact if exact or exact_only else [m for m in found if _romanised(m)]
    return tuple({m.place.gazetteer_id: m for m in chosen}.values())


def _romanised(match: Match) -> bool:
    """May a town found through the romanisation of a Cyrillic name be the one meant?"""
    return match.place.country in CYRILLIC_SCRIPT or match.population >= ROMANISED_MIN_POPULATION


def _lookup(gazetteer: Gazetteer, span: Span, forms: list[str]) -> Found | None:
    if span.qualifier is Qualifier.REGION:
        regions = tuple({m.place.gazetteer_id: m for f in forms for m in gazetteer.regions(f, qualified=True)}.values())
        return Found(span, None, regions, ()) if regions else None
    country = next((c for f in forms if (c := gazetteer.country_named(f)) is not None), None)
    if country is not None:
        return Found(span, country, (), ())
    regions = tuple({m.place.gazetteer_id: m for f in forms for m in gazetteer.regions(f, qualified=False)}.values())
    towns = _towns(gazetteer, forms, span.exact_only)
    return Found(span, None, regions, towns) if regions or towns else None


# ----------------------------------------------------------------------------------------------- spans


def _word_end(doc: Doc, k: int) -> int:
    """Where the word from token k ends: razdel splits "Куп'янськ" at the apostrophe; the parts are one word."""
    end = k + 1
    while end + 1 < len(doc) and doc[end].text in _APOSTROPHE_TOKENS and not doc[end - 1].whitespace_ \
            and not doc[end].whitespace_ and doc[end + 1].is_alpha:
        end += 2
    return end


def _mid_word(doc: Doc, i: int) -> bool:
    """Does token i continue a word split at an apostrophe ("Куп" "'" "янськ")?"""
    return 0 < i < len(doc) and not doc[i - 1].whitespace_ and (
        doc[i].text in _APOSTROPHE_TOKENS or doc[i - 1].text in _APOSTROPHE_TOKENS)


def _is_name_word(token: Token) -> bool:
    text = token.text
    return len(text) >= 2 and text[0].isupper() and any(c.isalpha() for c in text) and not text.isdigit()


def _labels(doc: Doc) -> list[str]:
    labels = [""] * len(doc)
    for ent in doc.ents:
        for k in range(ent.start, ent.end):
            labels[k] = ent.label_
    return labels


def _name_run(doc: Doc, start: int, labels: list[str]) -> int:
    """End of the run of capitalised words from ``start`` (at most :data:`_MAX_NAME_TOKENS`)."""
    end = start
    while end < len(doc) and end - start < _MAX_NAME_TOKENS and _is_name_word(doc[end]) and (
            labels[end] == labels[start] or labels[end] not in _NOT_NAME_LABELS):
        end = _word_end(doc, end)
    return end


def _cue(doc: Doc, start: int, previous: dict[int, tuple[str, bool, bool]]) -> tuple[str, bool, bool]:
    """(the location cue before the word, "" when none; the cue is weak; it is a settlement word). A name
    after a conjunction or a comma that follows a candidate has that candidate's cue ("до Львова і Чернігова"),
    a weak one when the candidate had none ("обстреляны Шостка и Глухов");
    ``previous``: the cues of the candidates so far, by the index of the token that ends them."""
    if start >= 2 and doc[start - 1].lower_ in _CONJUNCTIONS and start - 2 in previous:
        cue, weak, settlement = previous[start - 2]  # a place the NER found without a cue: a weak one
        return (cue, weak, settlement) if cue else (doc[start - 1].lower_, True, False)
    k = start - 1
    while k >= 0 and doc[k].text == "-":
        k -= 1
    dot = k >= 1 and doc[k].text == "."
    k -= dot
    if k < 0:
        return "", False, False
    lower = doc[k].lower_
    if lower in SETTLEMENT_WORDS or (dot and lower in _ABBREVIATIONS):
        return lower, False, True
    weak = lower in WEAK_PREPOSITIONS or (lower in WITH_PREPOSITIONS and not _genitive(doc[start], doc.lang_))
    return (lower if lower in LOCATIVE_PREPOSITIONS else ""), weak, False


def _genitive(token: Token, lang: str) -> bool:
    """Is the word a genitive and not an instrumental ("з Берліна", not "з Росією")?"""
    cases = {case for p in parses(token.text, lang) for case in ("gent", "ablt") if case in p.tag}
    return cases == {"gent"}


def _person_place(doc: Doc, start: int, cue: str) -> bool:
    """May a name the NER took for a person's be a place here? After a location cue people rarely follow
    ("біля Кривого Рогу", "до Львова"), not "к", "с", "по", "на" ("к Путину"); after "у" only in the
    locative ("у Великому Бурлуці", not "у Смирнова"), or in Russian before a word never a person's name."""
    if cue not in PERSON_CUES:
        return False
    options = parses(doc[start].text, doc.lang_)
    if cue != "у" or any("loct" in p.tag for p in options):
        return True
    return doc.lang_ == "ru" and not any(_PERSON_TAGS & p.tag.grammemes for p in options)  # "у Валуек": near


def _make_span(doc: Doc, start: int, end: int, from_ner: bool, labels: list[str],
               previous: dict[int, tuple[str, bool, bool]]) -> Span | None:
    """A candidate over [start, end), taking in a region word after it (its cue goes into ``previous``)."""
    cue, weak, settlement = _cue(doc, start, previous)
    if not from_ner and not cue and not (end < len(doc) and _region_word(doc[end]) is not None):
        return None  # a name before a region word needs no other cue ("у Покровську Донецької області")
    person = labels[start] in _NOT_NAME_LABELS
    if not from_ner and person and not settlement and not _person_place(doc, start, cue):
        return None
    text_end, qualifier = end, Qualifier.TOWN if settlement else Qualifier.NONE
    if end < len(doc) and _region_word(doc[end]) is not None:
        text_end, qualifier = end + 1, Qualifier.REGION
    elif end - start >= 2 and _region_word(doc[end - 1]) is not None:
        end, qualifier = end - 1, Qualifier.REGION
    actor = doc[start].dep_ == "nsubj" and not cue
    previous[text_end - 1] = (cue, weak, settlement)
    return Span(start, end, start, text_end, qualifier, from_ner, locative=bool(cue), actor=actor,
                 min_population=1_000 if weak or person else 0, exact_only=person)


def _ner_runs(doc: Doc) -> Iterator[tuple[int, int]]:
    """The runs of capitalised words in the NER's LOC entities ("Обстріл села" → "Обстріл"), each with the
    adjective of a region phrase that ends the entity ("Курской области": the whole)."""
    for ent in doc.ents:
        if ent.label_ != "LOC":
            continue
        k = ent.start
        while k < ent.end:
            end = k
            while end < ent.end and (_is_name_word(doc[end]) or (end > k and _region_word(doc[end]) is not None)):
                end = _word_end(doc, end)
            if end > k:
                yield k, end
            k = max(end, k + 1)


def _candidate_spans(doc: Doc, covered: bytearray) -> list[Span]:
    """Names from the NER and after cues, outside the tokens already ``covered`` (by areas)."""
    labels = _labels(doc)
    spans: list[Span] = []
    previous: dict[int, tuple[str, bool, bool]] = {}
    for start, end in _ner_runs(doc):
        if any(covered[start:end]):
            continue
        span = _make_span(doc, start, end, True, labels, previous)
        if span is not None:
            spans.append(span)
            covered[span.start:span.text_end] = b"\x01" * (span.text_end - span.start)
    for k in range(len(doc)):
        if not covered[k] and _is_name_word(doc[k]) and (k == 0 or not covered[k - 1]):
            span = _make_span(doc, k, _name_run(doc, k, labels), False, labels, previous)
            if span is not None:
                spans.append(span)
                covered[span.start:span.text_end] = b"\x01" * (span.text_end - span.start)
    return spans


def _forms(doc: Doc, span: Span, start: int, end: int, lang: str) -> list[str]:
    """Nominative forms of tokens [start, end) of a span; a region phrase's adjective agrees with its region
    word, given back in the nominative ("Курской области" → "курская область")."""
    words = doc[start:end].text.split()
    noun = _region_word(doc[span.text_end - 1]) if span.qualifier is Qualifier.REGION else None
    if noun is None or end != span.end:
        return list(itertools.islice(_name_forms(words, lang), 64))
    rest = list(itertools.islice(_name_forms(words[:-1], lang), 8)) if len(words) > 1 else [""]
    heads = _adjective_forms(words[-1], _GENDER[noun], lang) + nominatives(words[-1], lang)[:1]
    return [" ".join(filter(None, (r, h, noun))) for r in rest for h in heads]


def _resolve_span(doc: Doc, gazetteer: Gazetteer, span: Span, lang: str) -> list[Found]:
    """The longest names from the span's first word on, left to right ("Суджа Курской области": two)."""
    found: list[Found] = []
    k = span.start
    while k < span.end:
        hit = None
        for end in range(span.end, k, -1):
            if _mid_word(doc, end) or _mid_word(doc, k):
                continue
            last = end == span.end
            sub = Span(k, end, k, span.text_end if last else end, span.qualifier if last else Qualifier.NONE,
                        span.from_ner, span.locative if k == span.start else True, span.actor, span.min_population)
            hit = _lookup(gazetteer, sub, _forms(doc, sub, k, end, lang))
            if hit is None and sub.qualifier is Qualifier.REGION:  # "Харьков области": the town's name
                sub = Span(k, end, k, end, Qualifier.NONE, span.from_ner, sub.locative, span.actor,
                            span.min_population)
                hit = _lookup(gazetteer, sub, _forms(doc, sub, k, end, lang))
            if hit is not None:
                break
        if hit is None:
            k += 1
            continue
        found.append(hit)
        k = hit.span.end if hit.span.text_end == hit.span.end else hit.span.text_end
    return found


# ----------------------------------------------------------------------------------------------- areas


def _centres(stem: str, kind: str) -> list[str]:
    """Names a centre town may have, given its adjective's stem: "суджан" → "суджа", "глушков" → "глушково"."""
    names = [stem + ending for ending in _CENTRE_ENDINGS[kind]]
    if kind == "с":
        names += [stem[: -len(old)] + new for old, news in _STEM_ENDINGS if stem.endswith(old) for new in news]
        names += [stem + "ский", stem + "ський"]  # the name is the adjective: "Новгород-Сіверський"
    return names


def _centre_names(word: str) -> list[str]:
    """Names of the town a toponymic adjective is formed from, likeliest first; none for other words."""
    hit = _TOPONYMIC.match(word.lower())
    if hit is None or hit["stem"] in _NOT_TOPONYMIC:
        return []
    stem, kind = hit["stem"], hit["kind"]
    names = _centres(stem, kind)
    for head, words in _COMPOUND_HEADS.items():
        if stem.startswith(head) and len(stem) - len(head) >= 3:
            names += [f"{first} {rest}" for first in words for rest in _centres(stem[len(head):], kind)]
    return list(dict.fromkeys(names))


def _centre_towns(gazetteer: Gazetteer, word: str) -> tuple[Match, ...]:
    """Towns of the former Soviet Union of at least :data:`AREA_MIN_POPULATION` people, by the Cyrillic names
    the adjective may be formed from."""
    found = (m for name in _centre_names(word) for m in gazetteer.towns(name))
    towns = {m.place.gazetteer_id: m for m in found
             if not m.fuzzy and m.population >= AREA_MIN_POPULATION and m.place.country in FORMER_USSR}
    return tuple(towns.values())


def _word_start(doc: Doc, k: int) -> int:
    """Where the word that ends at token k starts, across apostrophes and hyphens ("Куп" "'" "янському",
    "Новгород" "-" "Сіверському": one word each)."""
    while k >= 2 and doc[k - 1].text in _APOSTROPHE_TOKENS | {"-"} and not doc[k - 2].whitespace_ \
            and not doc[k - 1].whitespace_:
        k -= 2
    return k


def _adjective_before(doc: Doc, k: int) -> tuple[int, int] | None:
    """The tokens [start, end) of the word before an area word at k, past words such as "городской"
    ("Шебекинский городской округ")."""
    i = k - 1
    while i >= 0 and k - i <= 2 and doc[i].lower_.startswith(_AREA_FILLERS):
        i -= 1
    return (_word_start(doc, i), i + 1) if i >= 0 and doc[i].is_alpha else None


def _part_of_town(doc: Doc, k: int) -> bool:
    """Is the district at k a part of the town named after it ("в Киевском районе Харькова")?"""
    after = k + 1
    return (doc[k].lower_ in DISTRICT_WORDS and after < len(doc) and _is_name_word(doc[after])
            and not (after + 1 < len(doc) and _region_word(doc[after + 1]) is not None))


def _area_spans(doc: Doc) -> Iterator[tuple[int, int, int]]:
    """(adjective start, adjective end, mention end) of each area named by its centre's adjective, and of
    adjectives in the same case joined to it by "и", "і", "та" or a comma ("в Суджанском и Глушковском
    районах"; not "из Рыльска и Кореневского района")."""
    for k, token in enumerate(doc):
        if token.lower_ not in DISTRICT_WORDS and token.lower_ not in DIRECTION_WORDS:
            continue
        word, text_end = _adjective_before(doc, k), k + 1
        while word is not None and _centre_names(doc[word[0]:word[1]].text):
            yield word[0], word[1], text_end
            start, ending = word[0], doc[word[1] - 1].lower_[-2:]
            if start < 2 or doc[start - 1].lower_ not in _CONJUNCTIONS or doc[start - 2].lower_[-2:] != ending:
                break
            word, text_end = (_word_start(doc, start - 2), start - 1), start - 1


def _areas(doc: Doc, gazetteer: Gazetteer, covered: bytearray) -> list[Found]:
    """Areas named by the adjective of their centre, each a candidate for its centre town (the choice is
    made in the document's context, then widened to its region); their words are marked ``covered``."""
    found = []
    for start, end, text_end in _area_spans(doc):
        if not covered[start]:
            covered[start:text_end] = b"\x01" * (text_end - start)
            towns = () if _part_of_town(doc, text_end - 1) else _centre_towns(gazetteer, doc[start:end].text)
            if towns:
                found.append(Found(Span(start, end, start, text_end, Qualifier.TOWN, False, locative=True),
                                   None, (), towns))
    return found


def _area_region(gazetteer: Gazetteer, centre: Match) -> Place:
    """The first-level region of an area's centre town (the town itself where the region is unknown)."""
    region = gazetteer.region(centre.region) if centre.region else None
    return region or centre.place


def find_places(doc: Doc, gazetteer: Gazetteer, focus: Collection[str], lang: str) -> list[PlaceMention]:
    """Place mentions in text order, each resolved to a town, a first-level region or a country, as the
    English :func:`forewarn.nlp.geo.find_places` resolves them (``focus``: the workspace's countries)."""
    if len(doc) == 0:
        return []
    covered = bytearray(len(doc))
    areas = _areas(doc, gazetteer, covered)
    found = areas + [f for span in _candidate_spans(doc, covered) for f in _resolve_span(doc, gazetteer, span, lang)]
    chosen = choices(doc, found, Lookups(gazetteer), frozenset(focus))
    return mentions(doc, ((f.span, _area_region(gazetteer, m) if f in areas else m.place) for f, m in chosen))
