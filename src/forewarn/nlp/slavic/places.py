"""Places named in Russian and Ukrainian text, resolved to the same gazetteer entries as English names.

Candidate spans: the NER's ``LOC`` entities, and capitalised words the NER missed after a locative
preposition ("в Судже", "під Бахмутом", "біля Вовчанська"), after a settlement word ("в селе Глушково",
"смт Велика Писарівка") or before a region word ("Курской области"). A span's words are brought back to
the nominative, every way that might be right — each pymorphy3 parse's nominative (its normal form, and
its own gender and number: "Новой Каховке" → "новая каховка"), and for names pymorphy does not know, the
case endings of place names ("Судже" → "Суджа", "Покровске" → "Покровск", "Ізюмі" → "Ізюм") — and the
gazetteer decides which forms name places: all towns any form names are candidates ("Києві" is "кий" to
pymorphy first; no town of that name outweighs Kyiv). Region phrases ("Курской области", "Сумська
область") and short region names ("на Сумщині") give first-level regions, country names countries.

The choice among same-name places is the English geoparser's (:mod:`forewarn.nlp.geo`): the document's
regions, countries and unambiguous towns, the workspace's focus countries, then population.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator

from spacy.tokens import Doc, Token

from forewarn.geo.gazetteer import Gazetteer, Match
from forewarn.model.extraction import PlaceMention
from forewarn.nlp.geo import _choose, _context, _Found, _kept, _Lookups, _Qualifier, _sentences, _Span, _tied_regions
from forewarn.nlp.slavic.analysis import parses

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
# Case endings of place names pymorphy3 may not know → nominative endings (Russian and Ukrainian).
_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
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
_ABBREVIATIONS = frozenset({"г", "с", "м", "п", "д"})  # "г. Курск", "с. Глушково", "м. Суми": with the dot
_PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})
_APOSTROPHE_TOKENS = frozenset({"'", "’", "ʼ", "`"})
_CONJUNCTIONS = frozenset({"и", "і", "й", "та", ",", "или", "або", "чи"})
_MAX_NAME_TOKENS = 4
_MAX_FORMS = 8
_NOT_NAME_LABELS = frozenset({"PERSON", "ORG"})


# ----------------------------------------------------------------------------------------------- forms


def _word_forms(word: str, lang: str) -> list[str]:
    """Nominative forms of one word, likeliest first: as written, each parse's nominative, then endings."""
    lower = word.lower()
    forms = [lower]
    for parse in parses(word, lang):
        nominative = parse.inflect({"nomn"}) if "nomn" not in parse.tag else parse
        forms += [str(parse.normal_form)] + ([str(nominative.word)] if nominative is not None else [])
    forms += [lower[: -len(old)] + new for old, new_list in _ENDINGS if lower.endswith(old) and len(lower) - len(old)
              >= 3 for new in new_list]
    return list(dict.fromkeys(forms))


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
    per_word = [_word_forms(w, lang)[:_MAX_FORMS] for w in words]
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
    chosen = exact if exact or exact_only else found
    return tuple({m.place.gazetteer_id: m for m in chosen}.values())


def _lookup(gazetteer: Gazetteer, span: _Span, forms: list[str]) -> _Found | None:
    if span.qualifier is _Qualifier.REGION:
        regions = tuple({m.place.gazetteer_id: m for f in forms for m in gazetteer.regions(f, qualified=True)}.values())
        return _Found(span, None, regions, ()) if regions else None
    country = next((c for f in forms if (c := gazetteer.country_named(f)) is not None), None)
    if country is not None:
        return _Found(span, country, (), ())
    regions = tuple({m.place.gazetteer_id: m for f in forms for m in gazetteer.regions(f, qualified=False)}.values())
    towns = _towns(gazetteer, forms, span.exact_only)
    return _Found(span, None, regions, towns) if regions or towns else None


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
    after a conjunction or a comma that follows a candidate has that candidate's cue ("до Львова і Чернігова");
    ``previous``: the cues of the candidates so far, by the index of the token that ends them."""
    if start >= 2 and doc[start - 1].lower_ in _CONJUNCTIONS and start - 2 in previous:
        return previous[start - 2]
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
               previous: dict[int, tuple[str, bool, bool]]) -> _Span | None:
    """A candidate over [start, end), taking in a region word after it (its cue goes into ``previous``)."""
    cue, weak, settlement = _cue(doc, start, previous)
    if not from_ner and not cue:
        return None
    person = labels[start] in _NOT_NAME_LABELS
    if not from_ner and person and not settlement and not _person_place(doc, start, cue):
        return None
    text_end, qualifier = end, _Qualifier.TOWN if settlement else _Qualifier.NONE
    if end < len(doc) and _region_word(doc[end]) is not None:
        text_end, qualifier = end + 1, _Qualifier.REGION
    elif end - start >= 2 and _region_word(doc[end - 1]) is not None:
        end, qualifier = end - 1, _Qualifier.REGION
    actor = doc[start].dep_ == "nsubj" and not cue
    previous[text_end - 1] = (cue, weak, settlement)
    return _Span(start, end, start, text_end, qualifier, from_ner, locative=bool(cue), actor=actor,
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


def _candidate_spans(doc: Doc) -> list[_Span]:
    labels = _labels(doc)
    spans: list[_Span] = []
    covered = bytearray(len(doc))
    previous: dict[int, tuple[str, bool, bool]] = {}
    for start, end in _ner_runs(doc):
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


def _forms(doc: Doc, span: _Span, start: int, end: int, lang: str) -> list[str]:
    """Nominative forms of tokens [start, end) of a span; a region phrase's adjective agrees with its region
    word, given back in the nominative ("Курской области" → "курская область")."""
    words = doc[start:end].text.split()
    noun = _region_word(doc[span.text_end - 1]) if span.qualifier is _Qualifier.REGION else None
    if noun is None or end != span.end:
        return list(itertools.islice(_name_forms(words, lang), 64))
    rest = list(itertools.islice(_name_forms(words[:-1], lang), 8)) if len(words) > 1 else [""]
    heads = _adjective_forms(words[-1], _GENDER[noun], lang) + _word_forms(words[-1], lang)[:1]
    return [" ".join(filter(None, (r, h, noun))) for r in rest for h in heads]


def _resolve_span(doc: Doc, gazetteer: Gazetteer, span: _Span, lang: str) -> list[_Found]:
    """The longest names from the span's first word on, left to right ("Суджа Курской области": two)."""
    found: list[_Found] = []
    k = span.start
    while k < span.end:
        hit = None
        for end in range(span.end, k, -1):
            if _mid_word(doc, end) or _mid_word(doc, k):
                continue
            last = end == span.end
            sub = _Span(k, end, k, span.text_end if last else end, span.qualifier if last else _Qualifier.NONE,
                        span.from_ner, span.locative if k == span.start else True, span.actor, span.min_population)
            hit = _lookup(gazetteer, sub, _forms(doc, sub, k, end, lang))
            if hit is None and sub.qualifier is _Qualifier.REGION:  # "Харьков области": the town's name
                sub = _Span(k, end, k, end, _Qualifier.NONE, span.from_ner, sub.locative, span.actor,
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


def find_places(doc: Doc, gazetteer: Gazetteer, focus: Collection[str], lang: str) -> list[PlaceMention]:
    """Place mentions in text order, each resolved to a town, a first-level region or a country, as the
    English :func:`forewarn.nlp.geo.find_places` resolves them (``focus``: the workspace's countries)."""
    if len(doc) == 0:
        return []
    found = [f for span in _candidate_spans(doc) for f in _resolve_span(doc, gazetteer, span, lang)]
    ctx = _context(found, doc, _Lookups(gazetteer), frozenset(focus))
    sentence = _sentences(doc)
    tied = _tied_regions(doc, found, ctx)
    mentions = []
    for f in found:
        choice = _choose(f, ctx)
        if choice is None or not _kept(doc, f.span, choice, ctx, tied):
            continue
        first, last = doc[f.span.text_start], doc[f.span.text_end - 1]
        start, end = first.idx, last.idx + len(last)
        mentions.append(PlaceMention(choice.place, doc.text[start:end], start, end, sentence[f.span.start]))
    return sorted(mentions, key=lambda m: (m.start, m.end))
