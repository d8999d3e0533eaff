"""Place mentions in a parsed document, resolved against the gazetteer.

Candidate spans come from:

* the model's ``GPE``/``LOC``/``FAC`` entities;
* gazetteer-driven cues the model misses (small Ukrainian towns are often left out or labelled PERSON, ORG
  or NORP): capitalised words after a location preposition ("in", "near", "outside", "of" …, past
  modifiers such as "central" or "Russian-occupied"), before a region, district or settlement word
  ("Kharkiv Oblast", "Pytomnyk village"), after a country's possessive ("Ukraine's Mariupol"), and before
  a region in apposition ("Avdiivka, Donetsk Oblast").

Each span is looked up as a country, a first-level region ("X Oblast", "the X region", "Xska oblast") or a
town. Same-name places are told apart by the document: the regions it names, the countries it names as
locations ("in Ukraine", not "Russia's assault"), the countries its demonyms and unambiguous towns point
to, the unambiguous towns it names nearby ("Komyshuvakha, outside Popasna": the Komyshuvakha near
Popasna); then by population (villages of the detailed layer have none, so context decides among them).
Demonyms ("Russian", "Ukrainians") are never places.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import Enum

from spacy.tokens import Doc, Token

from forewarn.geo.distance import haversine_km
from forewarn.geo.gazetteer import REGION_WORDS, Gazetteer, Match, base_score, normalize, prefer_town, same_name
from forewarn.model.extraction import Place, PlaceMention, PlacePrecision
from forewarn.nlp.spans import sentence_of

NER_LABELS = frozenset({"GPE", "LOC", "FAC"})
STRONG_PREPOSITIONS = frozenset(
    {"in", "near", "outside", "at", "around", "towards", "toward", "into", "inside", "across", "through",
     "nearby", "past", "beyond", "via", "along", "within", "over"}
)
WEAK_PREPOSITIONS = frozenset({"of", "from", "to", "between", "on"})
DISTRICT_WORDS = frozenset({"district", "raion", "rayon", "hromada", "municipality"})
SETTLEMENT_WORDS = frozenset({"village", "town", "city", "settlement", "township", "suburb"})
DIRECTION_WORDS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "northeast",
     "northwest", "southeast", "southwest", "north-east", "north-west", "south-east", "south-west", "northeastern",
     "northwestern", "southeastern", "southwestern", "downtown", "outer", "inner", "greater", "occupied",
     "liberated", "besieged"}
)
# Words a place-named facility may add to a town's name ("Odesa Airport") without naming another place.
FACILITY_WORDS = frozenset(
    {"airport", "airfield", "airbase", "air", "base", "station", "railway", "rail", "train", "bus", "port",
     "harbour", "harbor", "seaport", "power", "nuclear", "thermal", "refinery", "depot", "terminal", "international",
     "regional", "oblast"}
)
# A name with one of these is a natural feature, not the town whose name it shares ("Lugan River").
NATURE_WORDS = frozenset(
    {"river", "lake", "sea", "island", "islands", "mountain", "mountains", "hill", "hills", "bay", "gulf",
     "reservoir", "forest", "valley", "canal", "strait", "peninsula", "spit", "cape", "coast", "dam"}
)
# Capitalised English words that follow "in"/"of"/"from" in news text and are not places.
COMMON_CAPITALISED = NATURE_WORDS | frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
     "tonight", "morning", "evening", "night", "week", "video", "photo", "photos", "footage", "image", "images",
     "update", "breaking", "source", "sources", "news", "report", "reports", "live", "watch", "read", "mr", "mrs",
     "ms", "dr", "president", "minister", "ministry", "general", "colonel", "major", "captain", "lieutenant",
     "sergeant", "commander", "chief", "head", "army", "navy", "forces", "force", "military", "defence", "defense",
     "government", "police", "security", "service", "services", "council", "committee", "parliament", "staff",
     "office", "embassy", "governor", "mayor", "republic", "people", "peoples", "front", "frontline", "line",
     "street", "avenue", "square", "road", "highway", "bridge", "airport", "station", "plant", "factory", "hospital",
     "school", "university", "church", "cathedral", "park", "market", "port", "telegram", "twitter", "facebook",
     "youtube", "instagram", "tiktok", "reuters", "bbc", "cnn", "god", "christmas", "easter", "min", "day", "sector",
     "area", "zone", "border", "operation", "command", "group", "battalion", "brigade", "regiment", "division",
     "unit", "corps", "guard", "national", "international", "federal", "state", "federation", "union", "kingdom",
     "empire", "world", "europe", "european", "africa", "asia", "english", "war", "peace", "times", "post", "herald",
     "journal", "tass", "interfax", "ukrinform", "muslim", "muslims", "christian", "christians", "jewish",
     "catholic", "orthodox", "islamic", "kurdish", "kurds", "tatar", "tatars", "arab", "arabs", "sunni", "shia",
     "roma", "lavra", "monastery", "hermitage", "memorial", "museum"}
)
# Capitalised words that make the name before them part of a longer name ("Victory Avenue", "Azov Regiment").
NAME_TAIL_WORDS = frozenset(
    {"street", "avenue", "square", "road", "highway", "lane", "boulevard", "prospect", "embankment", "bridge",
     "airport", "station", "plant", "factory", "works", "hospital", "clinic", "school", "lyceum", "university",
     "institute", "academy", "church", "cathedral", "monastery", "lavra", "hermitage", "memorial", "museum",
     "theatre", "theater", "stadium", "arena", "park", "garden", "mall", "market", "centre", "center", "hotel",
     "palace", "office", "regiment", "battalion", "brigade", "division", "corps", "guard", "army", "group",
     "company", "bank"}
)
# Words after a name that make it a street's, whatever their case ("Leningradskaya Street", "Pushkin square"):
# the town of that name is elsewhere.
THOROUGHFARE_WORDS = frozenset(
    {"street", "st", "str", "avenue", "ave", "square", "lane", "boulevard", "blvd", "prospect", "prospekt",
     "embankment", "alley"}
)
# Prepositions that give a destination, not where things are ("a column moving towards Ukraine").
DESTINATION_PREPOSITIONS = frozenset({"towards", "toward"})
_FEATURE_WORDS = NATURE_WORDS - {"dam"}  # "the Dnipro river"; a dam is in the town it is named after
_QUOTES = frozenset({"'", '"', "‘", "’", "“", "”", "«", "»"})
_QUALIFIER_WORDS = REGION_WORDS | DISTRICT_WORDS | SETTLEMENT_WORDS
_OTHER_THING_WORDS = NAME_TAIL_WORDS - FACILITY_WORDS
# Things named after the town they stand in: a longer name that opens with a well-known town's and holds one of
# these is in that town ("Kharkiv Polytechnic", "Lysychansk Gelatin Plant"); a team's, a firm's or a unit's
# ("Denver Nuggets", "Norfolk Southern", "Azov Regiment") is not.
INSTITUTION_WORDS = frozenset(
    {"airport", "station", "plant", "factory", "works", "combine", "refinery", "depot", "terminal", "port",
     "hospital", "clinic", "school", "lyceum", "university", "polytechnic", "institute", "academy", "theatre",
     "theater", "stadium", "arena", "mall", "market", "supermarket", "centre", "center", "hotel", "bridge",
     "building", "complex", "administration", "prison"}
)
_NEVER_ALONE = COMMON_CAPITALISED | FACILITY_WORDS | _QUALIFIER_WORDS | DIRECTION_WORDS | NAME_TAIL_WORDS
_CLOSED_POS = frozenset({"DET", "PRON", "ADP", "AUX", "CCONJ", "SCONJ", "PART", "PUNCT", "SYM", "SPACE"})
_NOT_PLACE_LABELS = frozenset({"DATE", "TIME", "MONEY", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY"})
_POSSESSIVE = frozenset({"'s", "’s"})
_MAX_NAME_TOKENS = 5
_MAX_SKIPPED = 4
_NEVER = 10**12
MODIFIER_MIN_POPULATION = 50_000  # "Kharkiv supermarket": a name used as a modifier
BARE_MIN_POPULATION = 20_000  # a capitalised name with no cue at all: "Artillery hitting Kharkiv"
WELL_KNOWN_POPULATION = 500_000  # a strict name in a document that names no country is a place only this large
_OTHER_NAME_LABELS = frozenset({"ORG", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})
NEAR_KM = 50.0  # a candidate town this close to an unambiguous town the document names is likelier
LOGIC_VERSION = "3"  # bump when what find_places resolves changes (the gazetteer's own version is separate)


class Qualifier(Enum):
    NONE = "none"
    REGION = "region"  # "X Oblast", "the X region", "region of X"
    TOWN = "town"  # "X district", "X village", "the town of X"


@dataclass(frozen=True, slots=True)
class Span:
    """Tokens [start, end) name a place; [text_start, text_end) is the whole mention ("Donetsk Oblast")."""

    start: int
    end: int
    text_start: int
    text_end: int
    qualifier: Qualifier
    from_ner: bool
    locative: bool = False  # after a location preposition or in apposition: a country here is where things are
    actor: bool = False  # "Russia's", "Armed Forces of Ukraine", "Russia positions": a country as an actor
    # Without support from the document (a country or region it names, a demonym), keep the place only when
    # at least this populous: 0 for good cues, more for weak ones ("Kharkiv supermarket"), _NEVER for names
    # the model called a person.
    min_population: int = 0
    exact_only: bool = False  # no transliteration-key matches
    # min_population holds whatever the document's context, only for towns by their own names, and only in the
    # document's countries (or, where it names none, for very large towns): a name that opens a sentence
    # ("Mariupol residents …") or a longer name ("Kharkiv Polytechnic") is a place only when well known.
    strict: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    span: Span
    country: Match | None
    regions: tuple[Match, ...]
    towns: tuple[Match, ...]


@dataclass(frozen=True, slots=True)
class _Context:
    regions: frozenset[str] = frozenset()  # "admin1:…" named in the document
    countries: frozenset[str] = frozenset()  # alpha-3 named as locations (or implied by a named region)
    weak_regions: frozenset[str] = frozenset()  # regions of unambiguous towns
    weak_countries: frozenset[str] = frozenset()  # other country mentions, demonyms, unambiguous towns' countries
    anchors: tuple[tuple[float, float], ...] = ()  # points of the unambiguous towns the document names


_Result = tuple[Match | None, tuple[Match, ...], tuple[Match, ...]]


@dataclass(slots=True)
class Lookups:
    """Per-document memo: the same name is looked up once."""

    gazetteer: Gazetteer
    caps: bool = False
    memo: dict[tuple[str, Qualifier], _Result] = field(default_factory=dict)

    def find(self, name: str, qualifier: Qualifier) -> _Result:
        key = (normalize(name), qualifier)
        if key not in self.memo:
            self.memo[key] = self._lookup(key[0], qualifier)
        return self.memo[key]

    def _lookup(self, name: str, qualifier: Qualifier) -> _Result:
        g = self.gazetteer
        if not name:
            return None, (), ()
        if qualifier is Qualifier.REGION:
            regions = tuple(g.regions(name, qualified=True))
            return None, regions, () if regions else tuple(g.towns(name))
        if qualifier is Qualifier.TOWN:
            return None, (), tuple(g.towns(name))
        return g.country_named(name), tuple(g.regions(name, qualified=False)), tuple(g.towns(name))


# ----------------------------------------------------------------------------------------------- tokens


def _mostly_upper(doc: Doc) -> bool:
    letters = [t for t in doc if t.is_alpha and len(t) > 1]
    return bool(letters) and sum(t.is_upper for t in letters) >= 0.8 * len(letters)


def _is_name_word(token: Token, caps: bool) -> bool:
    """Could this token start or continue a place name?"""
    text = token.text
    if len(text) < 2 or not text[0].isupper() or not (token.is_alpha or "'" in text or "’" in text):
        return False
    lower = token.lower_
    if lower in COMMON_CAPITALISED or lower in _QUALIFIER_WORDS or lower in DIRECTION_WORDS or token.is_stop:
        return False
    if lower in FACILITY_WORDS:
        return False
    return caps or not token.pos_ or token.pos_ not in _CLOSED_POS


def _skippable(token: Token, gazetteer: Gazetteer) -> bool:
    """Words between a preposition and a name: "in the central", "of destroyed", "in Russian-occupied"."""
    lower = token.lower_
    if token.is_space or lower in ("the", "#", "-", "–") or lower in DIRECTION_WORDS:
        return True
    if token.text[:1].isupper():
        return gazetteer.demonym_country(token.text) is not None
    return not token.like_num and (token.pos_ == "ADJ" or token.tag_ in ("VBN", "VBD"))


def _qualifier_after(doc: Doc, end: int) -> tuple[Qualifier, int]:
    """A region/district/settlement word right after the name, and where the mention then ends."""
    if end < len(doc):
        lower = doc[end].lower_
        if lower in REGION_WORDS:
            return Qualifier.REGION, end + 1
        if lower in DISTRICT_WORDS or lower in SETTLEMENT_WORDS:
            return Qualifier.TOWN, end + 1
    return Qualifier.NONE, end


def _qualifier_before(doc: Doc, start: int) -> Qualifier:
    """ "the region of X", "the village of X"."""
    if start >= 2 and doc[start - 1].lower_ == "of":
        lower = doc[start - 2].lower_
        if lower in REGION_WORDS:
            return Qualifier.REGION
        if lower in SETTLEMENT_WORDS or lower in DISTRICT_WORDS:
            return Qualifier.TOWN
    return Qualifier.NONE


def _modifies_next(doc: Doc, end: int) -> bool:
    """The name is a modifier: "the Riviera shopping mall", "US-supplied", "Aurora shopping centre"."""
    if end >= len(doc):
        return False
    nxt = doc[end]
    if _hyphen_compound(doc, end):
        return True
    lower = nxt.lower_
    if lower in FACILITY_WORDS or lower in _QUALIFIER_WORDS or not nxt.is_alpha or not nxt.text[0].islower():
        return False
    return nxt.pos_ in ("NOUN", "PROPN")


def _actor_position(doc: Doc, span: Span) -> bool:
    """Where a country name stands for its state or people: "Russia's", "Forces of Ukraine", "Russia positions"."""
    end = span.text_end
    if end < len(doc) and doc[end].lower_ in _POSSESSIVE:
        return True
    start = span.text_start
    if start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].text[:1].isupper() and not doc[
            start - 2].is_sent_start:
        return True
    head = doc[span.start:span.end].root
    return head.dep_ in ("nsubj", "poss", "compound") or _modifies_next(doc, end)


def _district_of(doc: Doc, span: Span) -> bool:
    """ "Vostochny district of Mariupol": a part of a town, named after something else."""
    end = span.text_end
    return (doc[end - 1].lower_ in DISTRICT_WORDS and end < len(doc) and doc[end].lower_ in ("of", ",")
            and end + 1 < len(doc) and doc[end + 1].text[:1].isupper())


def _hyphen_compound(doc: Doc, end: int) -> bool:
    """ "US-supplied", "Russia-backed": the name is part of an adjective."""
    return (end + 1 < len(doc) and doc[end].text in ("-", "–") and not doc[end - 1].whitespace_
            and not doc[end].whitespace_ and doc[end + 1].text[:1].islower())


def _after_location_word(doc: Doc, start: int) -> bool:
    if start == 0:
        return False
    before = doc[start - 1].lower_
    return before in STRONG_PREPOSITIONS or before in WEAK_PREPOSITIONS or before in (",", "(")


# ----------------------------------------------------------------------------------------------- spans


def _make_span(doc: Doc, start: int, end: int, *, from_ner: bool, locative: bool) -> Span | None:
    while start < end and (doc[start].lower_ in ("the", "#") or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].lower_ in _POSSESSIVE):
        end -= 1
    if end <= start:
        return None
    text_end = end
    last = doc[end - 1].lower_
    if last in REGION_WORDS and end - start > 1:
        qualifier, end = Qualifier.REGION, end - 1
    elif (last in DISTRICT_WORDS or last in SETTLEMENT_WORDS) and end - start > 1:
        qualifier, end = Qualifier.TOWN, end - 1
    else:
        qualifier, text_end = _qualifier_after(doc, end)
    if qualifier is Qualifier.NONE:
        qualifier = _qualifier_before(doc, start)
    return Span(start, end, start, text_end, qualifier, from_ner, locative or _after_location_word(doc, start))


def _mark(covered: bytearray, start: int, end: int) -> None:
    covered[start:end] = b"\x01" * (end - start)


def _ner_spans(doc: Doc, covered: bytearray, caps: bool) -> list[Span]:
    spans = []
    for ent in doc.ents:
        if ent.label_ in NER_LABELS:
            span = _make_span(doc, ent.start, ent.end, from_ner=True, locative=False)
            if span is not None and not (caps or doc[span.start].text[:1].isupper()):
                continue
            if span is not None and (_hyphen_compound(doc, span.text_end) or _district_of(doc, span)):
                continue
            if span is not None and span.text_end == span.end:
                span = _widen(doc, span)
            if span is not None:
                least = MODIFIER_MIN_POPULATION if _modifies_next(doc, span.text_end) else 0
                span = replace(span, min_population=least, actor=_actor_position(doc, span))
                spans.append(span)
                _mark(covered, span.text_start, span.text_end)
    return spans


def _glued_hyphen(doc: Doc, i: int) -> bool:
    """Token i is a hyphen with no space on either side ("Tochka-U", "Novo-Oleksandrivka")."""
    return (0 < i < len(doc) - 1 and doc[i].text in ("-", "–") and not doc[i - 1].whitespace_
            and not doc[i].whitespace_)


def _widens(token: Token) -> bool:
    return token.pos_ == "PROPN" and token.ent_type_ not in NER_LABELS and token.text[:1].isupper()


def _widen(doc: Doc, span: Span) -> Span:
    """A model entity cut short: "Nova" of "Nova Poshta", "Tochka" of "Tochka-U" (proper nouns around it)."""
    start, end = span.start, span.end
    while start > 0 and _widens(doc[start - 1]) and not doc[start - 1].is_sent_start:
        start -= 1
    while end < len(doc):
        if _glued_hyphen(doc, end) and doc[end + 1].text[:1].isalnum():
            end += 2
        elif _widens(doc[end]) and doc[end].lower_ not in _QUALIFIER_WORDS:
            end += 1
        else:
            break
    if (start, end) == (span.start, span.end):
        return span
    return replace(span, start=start, end=end, text_start=start, text_end=end)


def _run_after(doc: Doc, i: int, caps: bool) -> int:
    """End of the capitalised name that starts at token i (hyphenated and multi-word names included)."""
    j = i
    while j < len(doc) and j - i < _MAX_NAME_TOKENS:
        hyphen = doc[j].text in ("-", "–") and j > i and j + 1 < len(doc) and _is_name_word(doc[j + 1], caps)
        if not (hyphen or _is_name_word(doc[j], caps)):
            break
        j += 1
    return j


def _run_before(doc: Doc, i: int, caps: bool) -> int:
    """Start of the capitalised name that ends just before token i."""
    j = i
    while j > 0 and i - j < _MAX_NAME_TOKENS:
        hyphen = doc[j - 1].text in ("-", "–") and j >= 2 and j < i and _is_name_word(doc[j - 2], caps)
        if not (hyphen or _is_name_word(doc[j - 1], caps)):
            break
        j -= 1
    return j


@dataclass(slots=True)
class _CueScanner:
    doc: Doc
    covered: bytearray
    caps: bool
    gazetteer: Gazetteer
    out: list[Span] = field(default_factory=list)

    def scan(self) -> list[Span]:
        doc, i = self.doc, 0
        while i < len(doc):
            lower = doc[i].lower_
            if lower == "of" and i > 1 and doc[i - 1].text[:1].isupper() and not doc[i - 1].is_sent_start and (
                    not self.caps):
                i += 1  # "Palace of Culture", "Ministry of Defence": part of a name
            elif lower in STRONG_PREPOSITIONS or lower in WEAK_PREPOSITIONS:
                i = self._after_preposition(i, strong=lower in STRONG_PREPOSITIONS, weak_word=lower)
            elif lower in _POSSESSIVE and i > 0 and doc[i - 1].ent_type_ == "GPE":
                i = self._after_preposition(i, strong=True, weak_word="'s")
            elif lower in _QUALIFIER_WORDS and i > 0 and not self.covered[i - 1]:
                self._before_qualifier(i)
                i += 1
            else:
                i += 1
        return self.out

    def _before_qualifier(self, i: int) -> None:
        start = _run_before(self.doc, i, self.caps)
        if start < i and not any(self.covered[start:i]) and self.doc[start].ent_type_ not in _NOT_PLACE_LABELS:
            self._add(start, i, locative=True, min_population=0)

    def _add(self, start: int, end: int, *, locative: bool, min_population: int) -> int:
        span = _make_span(self.doc, start, end, from_ner=False, locative=locative)
        if span is None:
            return end
        if span.qualifier is Qualifier.TOWN and _district_of(self.doc, span):
            return span.text_end
        self.out.append(replace(span, min_population=min_population))
        _mark(self.covered, start, span.text_end)
        return span.text_end

    def _skip_modifiers(self, j: int) -> int:
        skipped = 0
        while j < len(self.doc) and skipped < _MAX_SKIPPED and not self.covered[j] and _skippable(
                self.doc[j], self.gazetteer):
            j, skipped = j + 1, skipped + 1
        return j

    def _after_preposition(self, i: int, *, strong: bool, weak_word: str) -> int:
        """Names after the preposition at i, and after list joiners that follow them; returns where to go on."""
        doc = self.doc
        strong = strong or _qualifier_before(doc, i + 1) is not Qualifier.NONE
        j = i + 1
        while True:
            if weak_word != "'s":
                j = self._skip_modifiers(j)
            if j < len(doc) and self.covered[j]:  # a model entity: go on to the names listed after it
                while j < len(doc) and self.covered[j]:
                    j += 1
            else:
                end = _run_after(doc, j, self.caps)
                if end == j or any(self.covered[j:end]) or doc[j].ent_type_ in _NOT_PLACE_LABELS:
                    return max(j, i + 1)
                if end < len(doc) and doc[end].lower_ in _OTHER_THING_WORDS and doc[end].text[:1].isupper():
                    # "on Victory Avenue": the name of something else, unless it opens with a well-known
                    # town's ("at Kharkiv Karavan Mall")
                    self._add(j, end + 1, locative=True, min_population=MODIFIER_MIN_POPULATION)
                    return end + 1
                person = doc[j].ent_type_ == "PERSON"
                if person and not strong and (weak_word == "to" or end - j > 1):
                    least = _NEVER
                else:
                    least = MODIFIER_MIN_POPULATION if _modifies_next(doc, end) else 0
                j = self._add(j, end, locative=True, min_population=least)
            if j < len(doc) and doc[j].lower_ in (",", "and", "or"):
                j += 1
                if j < len(doc) and doc[j].lower_ in ("and", "or"):
                    j += 1
                continue
            return j


def _apposition_spans(doc: Doc, spans: list[Span], covered: bytearray, gazetteer: Gazetteer,
                      caps: bool) -> list[Span]:
    """ "Avdiivka, Donetsk Oblast", "Stavky (Kharkiv region)", "Bile, Ukraine": the name before is a place."""
    out = []
    for outer in spans:
        i = outer.text_start
        if i < 2 or doc[i - 1].text not in (",", "("):
            continue
        named_country = gazetteer.country_named(_text(doc, outer.start, outer.end)) is not None
        if outer.qualifier is not Qualifier.REGION and not named_country:
            continue
        start = _run_before(doc, i - 1, caps)
        if start < i - 1 and not any(covered[start:i - 1]) and doc[start].ent_type_ not in _NOT_PLACE_LABELS:
            span = _make_span(doc, start, i - 1, from_ner=False, locative=True)
            if span is not None:
                out.append(span)
                _mark(covered, start, i - 1)
    return out


def _starts_clause(doc: Doc, i: int) -> bool:
    """First word of a sentence or after a time stamp or a colon: capitalised whatever it is."""
    if i == 0 or doc[i].is_sent_start:
        return True
    before = doc[i - 1]
    return before.is_punct or before.like_num or before.is_space or ":" in before.text


def _bare_spans(doc: Doc, covered: bytearray) -> list[Span]:
    """Capitalised names inside a sentence with no cue at all ("Artillery hitting Kharkiv"), kept only for
    well-known towns. Names that open a sentence or a clause are capitalised whatever they are: skipped."""
    out = []
    i = 0
    while i < len(doc):
        token = doc[i]
        if covered[i] or not _is_name_word(token, False) or token.ent_type_ in _NOT_PLACE_LABELS:
            i += 1
            continue
        end = i + 1
        while end < len(doc) and not covered[end] and _is_name_word(doc[end], False):
            end += 1
        span = _make_span(doc, i, end, from_ner=False, locative=False)
        bare = _bare_span(doc, span) if span is not None else None
        if bare is not None:
            out.append(bare)
            _mark(covered, bare.text_start, bare.text_end)
        i = end
    return out


def _caption_place(doc: Doc, start: int, end: int) -> bool:
    """A one-word name set off by a comma at a sentence's edge, as captions name their place: "Destroyed
    bridge, Borodyanka", "Horenka, drone footage of …"."""
    if end - start > 1:
        return False
    sentence_end = end == len(doc) or bool(doc[end].is_sent_start) or doc[end].text in (".", "!", ";")
    if start > 0 and doc[start - 1].text == "," and sentence_end:
        return True
    opens = start == 0 or bool(doc[start].is_sent_start)
    return opens and end < len(doc) and doc[end].text == "," and doc[start].pos_ == "PROPN"


def _bare_span(doc: Doc, span: Span) -> Span | None:
    """A capitalised name with no cue, with the population it needs. A caption's place ("…, Borodyanka.",
    "Horenka, drone footage …") is kept in the document's countries as after a cue; one that opens a
    sentence or a clause (capitalised whatever it is) or a longer name ("Kharkiv Polytechnic", "Mariupol
    Drama theatre") only for a well-known town (strict); one inside a sentence as before."""
    start, end = span.start, span.text_end
    if span.text_end > span.end:
        return None  # "Kyiv District, Donetsk": left to the cues that read qualifiers
    if _hyphen_compound(doc, end) or _glued_hyphen(doc, end) or (start > 0 and doc[start - 1].text[:1].isupper()
                                                                  and not _starts_clause(doc, start)):
        return None
    if _caption_place(doc, start, end):
        return replace(span, locative=True, min_population=BARE_MIN_POPULATION, exact_only=True)
    if doc[start].ent_type_ == "PERSON" and (end - start > 1 or _starts_clause(doc, start)):
        return None  # a person's full name, or a name at the start where the model's label is all there is
    longer = end - start > 1 or (end < len(doc) and doc[end].text[:1].isupper() and doc[end].is_alpha)
    if _starts_clause(doc, start):
        if doc[start].pos_ != "PROPN":
            return None
        least = MODIFIER_MIN_POPULATION if longer else BARE_MIN_POPULATION
        return replace(span, min_population=least, exact_only=True, strict=True)
    if longer:
        return replace(span, min_population=MODIFIER_MIN_POPULATION, exact_only=True, strict=True)
    least = max(BARE_MIN_POPULATION, MODIFIER_MIN_POPULATION if _modifies_next(doc, end) else 0)
    return replace(span, min_population=least, exact_only=True)


# ----------------------------------------------------------------------------------------------- lookup


def _text(doc: Doc, start: int, end: int) -> str:
    return doc[start:end].text  # not doc.text, which spaCy joins afresh on every access


def _found(lookups: Lookups, doc: Doc, span: Span, *, exact_only: bool) -> Found | None:
    name = _text(doc, span.start, span.end)
    if lookups.gazetteer.demonym_country(name) is not None:
        return None
    country, regions, towns = lookups.find(name, span.qualifier)
    if span.end - span.start == 1 and name.isupper() and len(name) <= 4 and not lookups.caps:
        regions, towns = (), ()  # an acronym: "HQ", "SBU"; only countries ("US", "UK") go by letters
    if exact_only:
        regions = tuple(m for m in regions if not m.fuzzy)
        towns = tuple(m for m in towns if not m.fuzzy)
    if country is None and not regions and not towns:
        return None
    return Found(span, country, regions, towns)


def _filler(token: Token) -> bool:
    """A token a multi-word entity may hold besides place names: "Odesa Airport", "Donetsk People's Republic"."""
    lower = token.lower_
    return (token.is_punct or token.is_space or lower in _POSSESSIVE or lower in FACILITY_WORDS
            or lower in _QUALIFIER_WORDS or lower in DIRECTION_WORDS or lower in ("the", "of", "people", "peoples",
                                                                                  "republic"))


def _segments(lookups: Lookups, doc: Doc, span: Span, caps: bool) -> list[Found]:
    """Places inside a multi-word entity, only when every other word is filler (all or nothing)."""
    if any(doc[k].lower_ in NATURE_WORDS for k in range(span.start, span.end)):
        return []
    found: list[Found] = []
    k = span.start
    while k < span.end:
        hit = None
        if _is_name_word(doc[k], caps):
            for end in range(min(span.end, k + _MAX_NAME_TOKENS), k, -1):
                last = end == span.end
                sub = Span(k, end, k, span.text_end if last else end, span.qualifier if last else Qualifier.NONE,
                            span.from_ner, span.locative, span.actor, span.min_population, span.exact_only)
                hit = _found(lookups, doc, sub, exact_only=caps)
                if hit is not None:
                    break
        if hit is not None:
            if found and found[-1].span.end == k and hit.country is None and not hit.regions:
                return []  # two names side by side make one ("Nova Poshta"), not two towns
            found.append(hit)
            k = hit.span.end
        elif _filler(doc[k]):
            k += 1
        else:
            return []
    return found


def _names_something_else(doc: Doc, span: Span) -> bool:
    """The name is a street's, a river's, a shop's or a numbered thing's: "Leningradskaya Street", "the
    Dnipro river", "at 'Metro'", "Row 5443", or the kind of a thing whose name follows in quotes: 'Cafe
    "Beze"'."""
    start, end = span.text_start, span.text_end
    if end < len(doc) and (doc[end].lower_ in THOROUGHFARE_WORDS or doc[end].lower_ in _FEATURE_WORDS):
        return True
    if end + 1 < len(doc) and doc[end].text in _QUOTES and doc[end - 1].whitespace_ and not doc[end].whitespace_ \
            and doc[end + 1].text[:1].isupper():
        return True
    if end < len(doc) and doc[end].is_digit and not _year(doc[end].text):
        return True
    return start > 0 and end < len(doc) and doc[start - 1].text in _QUOTES and doc[end].text in _QUOTES


def _year(text: str) -> bool:
    return len(text) == 4 and text[:2] in ("19", "20")


def _lookup_span(lookups: Lookups, doc: Doc, span: Span, caps: bool) -> list[Found]:
    if span.end - span.start == 1 and doc[span.start].lower_ in _NEVER_ALONE:
        return []
    if _names_something_else(doc, span):
        return []
    whole = _found(lookups, doc, span, exact_only=span.exact_only or (caps and not span.from_ner))
    if whole is not None:
        if doc[span.end - 1].lower_ in COMMON_CAPITALISED:  # "Forest Park", "Snake Island": rarely the town
            whole = replace(whole, span=replace(whole.span, min_population=_NEVER))
        return [whole]
    if span.end - span.start == 1:
        return []
    if not (span.from_ner or caps):
        return _leading_town(lookups, doc, span) or _trailing_town(lookups, doc, span)
    return _segments(lookups, doc, span, caps) or _leading_town(lookups, doc, span)


def _trailing_town(lookups: Lookups, doc: Doc, span: Span) -> list[Found]:
    """A name set off by a comma that ends with a town's, after capitalised words of a title-case caption:
    "Damage to Residences Kramatorsk, Donetsk Oblast" → Kramatorsk."""
    if span.text_end >= len(doc) or doc[span.text_end].text not in (",", "("):
        return []
    for start in range(span.start + 1, span.end):
        hit = _found(lookups, doc, replace(span, start=start, text_start=start), exact_only=True)
        if hit is not None:
            return [hit]
    return []


def _leading_town(lookups: Lookups, doc: Doc, span: Span) -> list[Found]:
    """A longer name of an institution that opens with a well-known town's: "Kharkiv Polytechnic",
    "Lysychansk Gelatin Plant", "Mariupol Metro Supermarket"."""
    tail = doc[span.start + 1:min(span.text_end + 1, len(doc))]
    if span.qualifier is not Qualifier.REGION and not any(t.lower_ in INSTITUTION_WORDS for t in tail):
        return []  # a team's, a firm's, a unit's name; a town before its region ("Alchevsk Luhansk Oblast") is kept
    for end in range(span.end - 1, span.start, -1):
        sub = Span(span.start, end, span.start, end, Qualifier.NONE, False, span.locative,
                    min_population=max(span.min_population, MODIFIER_MIN_POPULATION), exact_only=True, strict=True)
        hit = _found(lookups, doc, sub, exact_only=True)
        if hit is not None:
            return [hit]
    return []


# ----------------------------------------------------------------------------------------------- resolution


def _score(match: Match, ctx: _Context, others_own: int = 0) -> float:
    """Higher is likelier. ``others_own``: how many candidates bear the name as their own; a place that
    has it only as another name (a big city's historical name) loses more the commoner the name is."""
    score = base_score(match, others_own)
    if match.region in ctx.regions:
        score += 4.0
    elif match.region in ctx.weak_regions:
        score += 1.5
    if match.place.country in ctx.countries:
        score += 2.0
    elif match.place.country in ctx.weak_countries:
        score += 1.0
    if _near_anchor(match, ctx):  # as telling as a named region: a nearby town narrows it down as much
        score += 4.0
    return score


def _near_anchor(match: Match, ctx: _Context) -> bool:
    place = match.place
    return place.precision is PlacePrecision.TOWN and any(
        haversine_km(place.lat, place.lon, lat, lon) <= NEAR_KM for lat, lon in ctx.anchors)


def _best(matches: tuple[Match, ...], ctx: _Context) -> Match | None:
    own = sum(m.primary for m in matches)
    return max(matches, key=lambda m: _score(m, ctx, own), default=None)


def _choose(found: Found, ctx: _Context) -> Match | None:
    if found.country is not None:
        return found.country
    town, region = _best(found.towns, ctx), _best(found.regions, ctx)
    if town is not None and region is not None:
        if found.span.qualifier is Qualifier.REGION:
            return region
        if town.region in ctx.regions and region.region not in ctx.regions:  # "Odessa, Texas"
            return town
        return town if prefer_town(town, region) else region
    return town or region


def _confident(found: Found, ctx: _Context) -> Match | None:
    """The town a mention resolves to when the choice is clear without other towns' help: every rival that
    scores within 1.0 of it lies near it (a town and a village of one name side by side are one anchor)."""
    choice = _choose(found, ctx)
    if choice is None or choice.place.precision is not PlacePrecision.TOWN:
        return None
    own = sum(m.primary for m in found.towns)
    best = _score(choice, ctx, own)
    close = [m.place for m in found.towns if m is not choice and _score(m, ctx, own) > best - 1.0]
    near = all(haversine_km(p.lat, p.lon, choice.place.lat, choice.place.lon) <= NEAR_KM for p in close)
    return choice if near else None


def _demonym_countries(doc: Doc, gazetteer: Gazetteer) -> set[str]:
    codes = set()
    for token in doc:
        if token.text[:1].isupper():
            code = gazetteer.demonym_country(token.text)
            if code is not None:
                codes.add(code)
    return codes


def _apposed_regions(lookups: Lookups, doc: Doc, found: list[Found], ctx: _Context) -> dict[str, str]:
    """ "Novoselivka, Donetsk": after a place and a comma, the name of a town that gives its region its name
    names the region (as "Donetsk Oblast" would). Region id → country."""
    ends = {f.span.text_end for f in found}
    out: dict[str, str] = {}
    for f in found:
        k = f.span.text_start
        if f.country is not None or not (k >= 2 and doc[k - 1].text == "," and k - 1 in ends):
            continue
        choice = _choose(f, ctx)
        if choice is None or choice.place.precision is not PlacePrecision.TOWN:
            continue
        regions = lookups.find(_text(doc, f.span.start, f.span.end), Qualifier.REGION)[1]
        out.update((r.region, r.place.country) for r in regions if r.region == choice.region and r.region)
    return out


def _context(found: list[Found], doc: Doc, lookups: Lookups, focus: frozenset[str]) -> _Context:
    named = [f for f in found if f.country is not None]
    countries = {f.country.place.country for f in named if f.country is not None and f.span.locative}
    weak = {f.country.place.country for f in named if f.country is not None and not f.span.actor}
    weak |= _demonym_countries(doc, lookups.gazetteer) | focus
    base = _Context(countries=frozenset(countries), weak_countries=frozenset(weak))
    apposed = _apposed_regions(lookups, doc, found, base)
    regions, countries = set(apposed), countries | set(apposed.values())
    for f in found:
        choice = _choose(f, base) if f.country is None else None
        if choice is not None and choice.place.precision is PlacePrecision.REGION and choice.region is not None:
            regions.add(choice.region)
            countries.add(choice.place.country)
    explicit = _Context(frozenset(regions), frozenset(countries), weak_countries=base.weak_countries)
    confident = ((_confident(f, explicit), f.span) for f in found)
    anchors = [m for m, span in confident if m is not None and _supported(doc, m, span, explicit)]
    return _Context(
        explicit.regions,
        explicit.countries,
        frozenset(m.region for m in anchors if m.region is not None),
        explicit.weak_countries | {m.place.country for m in anchors},
        tuple({(m.place.lat, m.place.lon) for m in anchors}),
    )


def _tied_regions(doc: Doc, found: list[Found], ctx: _Context) -> dict[int, tuple[str, str]]:
    """Regions named right after a town ("Komyshuvakha, Luhansk Oblast", "X in the Y region"): token index
    where the town mention ends → (region id, country)."""
    out: dict[int, tuple[str, str]] = {}
    for f in found:
        choice = _choose(f, ctx) if f.country is None else None
        if choice is None or choice.place.precision is not PlacePrecision.REGION or choice.region is None:
            continue
        k = f.span.text_start
        while k > 0 and f.span.text_start - k < 3 and doc[k - 1].lower_ in (",", "(", "in", "the", "of", "-"):
            k -= 1
        if k < f.span.text_start:
            out[k] = (choice.region, choice.place.country)
    return out


def _namesake_elsewhere(choice: Match, tied: tuple[str, str] | None) -> bool:
    """A small town outside the region named right after it, in that region's country: "Komyshuvakha,
    Luhansk Oblast" when the gazetteer only knows other Komyshuvakhas. The one meant is missing; drop it."""
    if choice.place.precision is not PlacePrecision.TOWN or tied is None or choice.region == tied[0]:
        return False
    return choice.place.country == tied[1] and choice.population < MODIFIER_MIN_POPULATION


def _supported(doc: Doc, choice: Match, span: Span, ctx: _Context) -> bool:
    """Does a place found by a weak cue stand? In the document's countries, yes; elsewhere, only when the
    document names no country at all and the place is populous enough."""
    has_context = bool(ctx.countries or ctx.weak_countries or ctx.regions)
    if span.strict:  # a town by its own name ("White House" is only another name of Casablanca)
        own = choice.primary or same_name(choice.place.name, _text(doc, span.start, span.end))
        return (choice.place.precision is PlacePrecision.TOWN and own
                and choice.population >= span.min_population
                and (_in_context(choice, ctx) or (not has_context and choice.population >= WELL_KNOWN_POPULATION)))
    if span.min_population == 0 or _in_context(choice, ctx):
        return True
    return not has_context and choice.population >= span.min_population


def _in_context(match: Match, ctx: _Context) -> bool:
    country = match.place.country
    return country in ctx.countries or country in ctx.weak_countries or match.region in ctx.regions


def _sentences(doc: Doc) -> list[int]:
    try:
        return sentence_of(doc)
    except ValueError:  # no sentence boundaries (a bare tokenizer Doc): one sentence
        return [0] * len(doc)


def _candidate_spans(doc: Doc, gazetteer: Gazetteer, caps: bool) -> list[Span]:
    covered = bytearray(len(doc))
    spans = _ner_spans(doc, covered, caps)
    spans += _CueScanner(doc, covered, caps, gazetteer).scan()
    spans += _apposition_spans(doc, spans, covered, gazetteer, caps)
    if not caps:
        spans += _bare_spans(doc, covered)
    return spans


def _kept(doc: Doc, span: Span, choice: Match, ctx: _Context, tied: dict[int, tuple[str, str]]) -> bool:
    """Is the resolved mention a place where things are? Not a country as an actor ("Russia's") or as a
    destination ("moving towards Ukraine"), not a namesake outside the region named with it."""
    if not _supported(doc, choice, span, ctx):
        return False
    if choice.place.precision is PlacePrecision.COUNTRY and (span.actor or _destination(doc, span.text_start)):
        return False
    return not _namesake_elsewhere(choice, tied.get(span.text_end))


def _destination(doc: Doc, start: int) -> bool:
    """The name follows "towards" (past a direction word: "towards northern Ukraine")."""
    k = start - 1
    if k > 0 and doc[k].lower_ in DIRECTION_WORDS:
        k -= 1
    return k >= 0 and doc[k].lower_ in DESTINATION_PREPOSITIONS


def find_places(doc: Doc, gazetteer: Gazetteer, focus: frozenset[str] = frozenset()) -> list[PlaceMention]:
    """Place mentions in text order, each resolved to a town, a first-level region or a country.
    ``focus``: alpha-3 codes of the countries the workspace watches; a name found in several
    countries leans towards them as it would towards a country the document mentions in passing."""
    if len(doc) == 0:
        return []
    caps = _mostly_upper(doc)
    lookups = Lookups(gazetteer, caps)
    found = [f for s in _candidate_spans(doc, gazetteer, caps) for f in _lookup_span(lookups, doc, s, caps)]
    return mentions(doc, ((f.span, m.place) for f, m in choices(doc, found, lookups, focus)))


def choices(doc: Doc, found: list[Found], lookups: Lookups, focus: frozenset[str]) -> Iterator[tuple[Found, Match]]:
    """Each candidate's chosen place, in the context of the whole document (its regions, countries and
    unambiguous towns, and the workspace's ``focus`` countries), where the mention is kept: a place where
    things are, not a country as an actor, not a namesake outside the region named with it. Other languages'
    geoparsers (:mod:`forewarn.nlp.slavic.places`) find their own candidates and choose through this."""
    ctx = _context(found, doc, lookups, focus)
    tied = _tied_regions(doc, found, ctx)
    for f in found:
        choice = _choose(f, ctx)
        if choice is not None and _kept(doc, f.span, choice, ctx, tied):
            yield f, choice


def mentions(doc: Doc, places: Iterable[tuple[Span, Place]]) -> list[PlaceMention]:
    """Place mentions in text order, each over its span's whole text ("Donetsk Oblast")."""
    sentence = _sentences(doc)
    text = doc.text
    out = []
    for span, place in places:
        first, last = doc[span.text_start], doc[span.text_end - 1]
        start, end = first.idx, last.idx + len(last)
        out.append(PlaceMention(place, text[start:end], start, end, sentence[span.start]))
    return sorted(out, key=lambda m: (m.start, m.end))


def most_specific(mentions: Iterable[PlaceMention]) -> PlaceMention | None:
    """The most specific mention (a town over a region over a country; the first among equals)."""
    rank = {PlacePrecision.POINT: 0, PlacePrecision.TOWN: 1, PlacePrecision.REGION: 2, PlacePrecision.COUNTRY: 3}
    return min(mentions, key=lambda m: (rank[m.place.precision], m.start), default=None)
