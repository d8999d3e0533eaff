"""Actors named in Russian and Ukrainian text, linked to the same canonical entities as their English names.

:class:`SlavicLinker` reads the ``cyrillic`` names of the actor dictionary (``data/actors.yaml``; its header
gives the format) and finds, in a parsed Russian or Ukrainian ``Doc``, with the English linker's rules:

* dictionary names matched on lemmas, longest first ("Вооружёнными силами Украины", "Марии Захаровой",
  "ФСБ" as written); a metonym after a preposition is a place ("в Москве"), not the government;
* national phrases qualified by a country ("российское Минобороны", "Генштаб ВСУ", "Міноборони Росії"),
  unqualified the body of the document's country ("Генштаб" in Ukrainian: Ukraine's General Staff);
* agents as groups: a country adjective before ("российские военные" → ``group:rus:military``), a country,
  a country's group or a named body after ("армия России", "ДРГ ВСУ" → ``group:ukr:military``, "сотрудники
  ФСБ" → the FSB), alone the group without a country ("силовики" → ``group:police``);
* people and organisations found by the NER that the dictionary does not know, named in the nominative
  ("Алексея Смирнова" → "Алексей Смирнов", so one person in two cases is one entity), their ids romanised
  (``ner:person:oleksii-smyrnov``); a surname alone after the full name is the same person.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from forewarn.geo.translit import has_cyrillic, romanize
from forewarn.model.extraction import Entity, EntityKind, EntityMention, Sector
from forewarn.nlp.actors import (
    ActorDictionary,
    Agent,
    Candidate,
    EntityHit,
    OrgKeywords,
    Rank,
    RefHit,
    choose,
    finish,
    known_person,
    longest,
    new_org,
    new_person,
    org_sector,
    person_tokens,
    runs,
)
from forewarn.nlp.slavic.analysis import parses
from forewarn.nlp.slavic.dates import Word, fold, words_of

_HOME = {"ru": "RUS", "uk": "UKR"}  # whose bodies an unqualified national phrase names
_QUOTES = frozenset("«»\"“”„'’")
_PREPOSITIONS = frozenset({"в", "во", "у", "на", "из", "із", "з", "под", "під", "около", "біля", "возле", "до", "от",
                           "від", "через", "над", "по", "к", "за", "при", "поблизу", "вблизи"})
_PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})
_MAX_GAP = 2  # adjectives between a country adjective and its agent ("российские морские пехотинцы")
_ORG_SECTORS: OrgKeywords = (
    (Sector.INTELLIGENCE, frozenset({"разведка", "розвідка", "контрразведка", "контррозвідка", "спецслужба"})),
    (Sector.MILITARY, frozenset({"армия", "армія", "бригада", "полк", "батальон", "батальйон", "дивизия", "дивізія",
                                 "корпус", "флот", "войско", "військо", "гвардия", "гвардія", "командование",
                                 "командування", "легион", "легіон", "округ"})),
    (Sector.POLICE, frozenset({"полиция", "поліція", "следственный", "слідчий", "полицейский", "поліцейський"})),
    (Sector.GOVERNMENT, frozenset({"министерство", "міністерство", "правительство", "уряд", "парламент", "дума",
                                   "рада", "совет", "комитет", "комітет", "администрация", "адміністрація", "ведомство",
                                   "відомство", "офис", "офіс", "суд", "прокуратура", "служба", "управление",
                                   "управління", "мэрия", "мерія"})),
    (Sector.MEDIA, frozenset({"газета", "телеканал", "агентство", "издание", "видання", "радио", "радіо", "тв"})),
    (Sector.BUSINESS, frozenset({"банк", "компания", "компанія", "корпорация", "корпорація", "завод", "концерн",
                                 "холдинг", "группа", "група"})),
    (Sector.NGO, frozenset({"фонд", "институт", "інститут"})),
)
_WORD = re.compile(r"[\w'’ʼ-]+|[^\w\s]")


# ---------------------------------------------------------------------- patterns
@dataclass(frozen=True, slots=True)
class _National:
    phrase: str


_Payload = EntityHit | RefHit | Agent | _National


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A name as matched: per word, the exact text (a word in capitals) or the set of its lemmas."""

    words: tuple[str | frozenset[str], ...]
    capital: bool  # the first word must start with a capital
    surface: str  # the name folded: preferred when two names match the same words
    payload: _Payload


@dataclass(slots=True)
class _Hits:
    """What the patterns matched, in token offsets."""

    entities: list[tuple[int, int, EntityHit]] = field(default_factory=list)
    refs: list[tuple[int, int, RefHit]] = field(default_factory=list)
    agents: list[tuple[int, int, Agent]] = field(default_factory=list)
    nationals: list[tuple[int, int, str]] = field(default_factory=list)

    def ref_ending(self, end: int) -> RefHit | None:
        return next((r for s, e, r in self.refs if e == end), None)

    def country_starting(self, start: int) -> tuple[int, str] | None:
        """(end, country) of a country's name or one of its groups ("России", "ВСУ") starting at ``start``."""
        for s, e, r in self.refs:
            if s == start and not r.adjective:
                return e, r.country
        for s, e, hit in self.entities:
            if s == start and hit.entity.id.startswith("group:") and hit.entity.country:
                return e, hit.entity.country
        return None

    def entity_starting(self, start: int) -> tuple[int, Entity] | None:
        return max(((e, h.entity) for s, e, h in self.entities if s == start), key=lambda x: x[0], default=None)


class SlavicLinker:
    """Finds actor mentions in a parsed Russian or Ukrainian Doc. Build once per language; call per document."""

    def __init__(self, dictionary: ActorDictionary, lang: str) -> None:
        self.dictionary = dictionary
        self.lang = lang
        self._national: dict[str, dict[str, Entity]] = {}  # phrase -> country -> entity
        self._index: dict[str, list[_Pattern]] = {}
        for payload, name in self._names():
            pattern = _pattern(name, payload, lang)
            first = pattern.words[0]
            for key in (first,) if isinstance(first, str) else first:
                self._index.setdefault(key, []).append(pattern)

    def _names(self) -> Iterator[tuple[_Payload, str]]:
        d = self.dictionary
        for entry in d.entries:
            yield from ((EntityHit(entry.entity), n) for n in _cyrillic((entry.entity.name, *entry.entity.aliases)))
            for phrase in _cyrillic(entry.national):
                if entry.entity.country:
                    self._national.setdefault(_key(phrase, self.lang), {})[entry.entity.country] = entry.entity
                    yield _National(_key(phrase, self.lang)), phrase
        for code, info in d.countries.items():
            country = d.country(code)
            assert country is not None
            yield from ((EntityHit(country), n) for n in _cyrillic(info.all_names))
            government = EntityHit(d.group(code, Sector.GOVERNMENT), metonym=True)
            yield from ((government, n) for n in _cyrillic(info.metonyms))
            for sector, names in info.groups:
                yield from ((EntityHit(d.group(code, sector)), n) for n in _cyrillic(names))
            yield from ((EntityHit(d.group(code, None)), n) for n in _cyrillic(info.people))
            yield from ((RefHit(code, adjective=True), n) for n in _cyrillic(info.adjectives))
            yield from ((RefHit(code, adjective=False), n) for n in _cyrillic((*info.all_names, *info.metonyms)))
        yield from ((agent, word) for word, agent in d.agents.items() if has_cyrillic(word))

    # ------------------------------------------------------------------ per document
    def __call__(self, doc: Doc) -> list[EntityMention]:
        if len(doc) == 0:
            return []
        hits = self._hits(doc, words_of(doc, self.lang))
        cands = self._dict_candidates(doc, hits) + self._national_candidates(hits) + self._agent_candidates(doc, hits)
        cands += self._ner_candidates(doc, hits)
        return finish(doc, choose(cands, len(doc)), self._person)

    def _hits(self, doc: Doc, words: Sequence[Word]) -> _Hits:
        hits = _Hits()
        for i, word in enumerate(words):
            found: dict[tuple[int, type], _Pattern] = {}
            for pattern in self._candidates(doc, word):
                end = _match(doc, words, i, pattern)
                if end is not None:
                    slot = (end, type(pattern.payload))
                    if slot not in found or pattern.surface == fold(doc[word.start:words[end - 1].end].text):
                        found[slot] = pattern
            for (end, _), pattern in found.items():
                _add(hits, word.start, words[end - 1].end, pattern.payload)
        hits.agents = longest(hits.agents)
        return hits

    def _candidates(self, doc: Doc, word: Word) -> Iterator[_Pattern]:
        seen: set[int] = set()
        for key in (doc[word.start:word.end].text, *sorted(word.keys)):
            for pattern in self._index.get(key, ()):
                if id(pattern) not in seen:
                    seen.add(id(pattern))
                    yield pattern

    def _dict_candidates(self, doc: Doc, hits: _Hits) -> list[Candidate]:
        people = person_tokens(doc)
        out = []
        for start, end, hit in hits.entities:
            if hit.entity.kind is EntityKind.COUNTRY and start in people:
                continue
            if hit.metonym and start > 0 and doc[start - 1].lower_ in _PREPOSITIONS:
                continue  # "в Москве" is a place
            out.append(Candidate(start, end, Rank.DICT, hit.entity))
        return out

    def _national_candidates(self, hits: _Hits) -> list[Candidate]:
        """"российское Минобороны", "Генштаб ВСУ"; unqualified, the body of the document's own country."""
        out = []
        for start, end, phrase in hits.nationals:
            bodies = self._national.get(phrase, {})
            left = hits.ref_ending(start)
            right = hits.country_starting(end)
            if left is not None and left.adjective and left.country in bodies:
                span_start = next(s for s, e, r in hits.refs if e == start and r is left)
                out.append(Candidate(span_start, end, Rank.DICT, bodies[left.country]))
            elif right is not None and right[1] in bodies:
                out.append(Candidate(start, right[0], Rank.DICT, bodies[right[1]]))
            elif left is None and right is None and _HOME[self.lang] in bodies:
                out.append(Candidate(start, end, Rank.DICT, bodies[_HOME[self.lang]]))
        return out

    def _agent_candidates(self, doc: Doc, hits: _Hits) -> list[Candidate]:
        out = []
        for start, end, agent in runs(hits.agents):
            if _modifier(doc, end, self.lang):
                continue  # "военные учения": an adjective
            cand = self._qualified(doc, hits, start, end, agent)
            if cand is not None:
                out.append(cand)
        return out

    def _qualified(self, doc: Doc, hits: _Hits, start: int, end: int, agent: Agent) -> Candidate | None:
        """The agent with what qualifies it: a country adjective before it, a country, a country's group or a
        named body after it; else alone, the group without a country (only a standalone agent)."""
        d = self.dictionary
        left = _adjective_before(doc, hits, start, self.lang)
        if left is not None:
            return Candidate(left[0], end, Rank.COMPOUND, d.group(left[1], agent.sector), title=True)
        after = _skip_quotes(doc, end)
        country = hits.country_starting(after)
        if country is not None:
            return Candidate(start, country[0], Rank.COMPOUND, d.group(country[1], agent.sector), title=True)
        named = hits.entity_starting(after)
        if named is not None and named[1].kind is not EntityKind.COUNTRY:
            body = named[1]
            if body.kind is EntityKind.PERSON:
                return None if body.country is None else Candidate(
                    start, end, Rank.COMPOUND, d.group(body.country, agent.sector), title=True)
            return Candidate(start, named[0], Rank.DICT, body)
        if not agent.standalone:
            return None
        return Candidate(start, end, Rank.AGENT, d.group(None, agent.sector), title=True)

    def _ner_candidates(self, doc: Doc, hits: _Hits) -> list[Candidate]:
        known = [(s, e) for s, e, _ in (*hits.entities, *hits.nationals)]
        out = []
        for ent in doc.ents:
            if ent.label_ not in ("PERSON", "ORG"):
                continue
            start, end = _trim(doc, ent.start, ent.end)
            if start >= end:
                continue
            if ent.label_ == "PERSON":
                start, end = _name_only(doc, start, end)
                if start >= end:
                    continue
                out.append(Candidate(start, end, Rank.PERSON, None, person=nominative(
                    [doc[i].text for i in range(start, end)], self.lang)))
            elif not any(s < end and e > start for s, e in known):
                out.append(self._organisation(doc, hits, start, end))
        return out

    def _organisation(self, doc: Doc, hits: _Hits, start: int, end: int) -> Candidate:
        name = " ".join(nominative([doc[i].text for i in range(start, end)], self.lang, head_only=True))
        known = self.dictionary.lookup(name)
        if known is not None:
            return Candidate(start, end, Rank.DICT, known)
        country = next((r.country for s, e, r in hits.refs if s >= start and e <= end), None)
        entity = new_org(name, romanize(name), country, org_sector((fold(doc[i].lemma_) for i in range(start, end)),
                                                                    _ORG_SECTORS))
        return Candidate(start, end, Rank.NAMED_ORG, entity)

    def _person(self, words: tuple[str, ...], seen: Mapping[str, Entity], affiliation: Entity | None) -> Entity:
        """As the English linker, but a surname alone finds only a person named before it in the document."""
        name = " ".join(words)
        found = seen.get(name.lower()) or seen.get(words[-1].lower()) or known_person(self.dictionary, name)
        return found or new_person(name, romanize(name), affiliation)


# ---------------------------------------------------------------------- names in the nominative
def nominative(words: Sequence[str], lang: str, head_only: bool = False) -> tuple[str, ...]:
    """A name's words in the nominative: "Алексея Смирнова" → ("Алексей", "Смирнов"), "Марии Захаровой" →
    ("Мария", "Захарова"); the case and gender are the first word's. ``head_only`` (an organisation): only the
    words up to its first noun ("Министерства энергетики" → "Министерство энергетики")."""
    first = _best_parse(words[0], lang, None, None) if words else None
    case = first.tag.case if first is not None else None
    gender = first.tag.gender if first is not None else None
    out = []
    done = False
    for word in words:
        parse = None if done else _best_parse(word, lang, case, gender)
        out.append(_inflected(word, parse))
        done = head_only and (done or (parse is not None and parse.tag.POS == "NOUN"))
    return tuple(out)


def _best_parse(word: str, lang: str, case: str | None, gender: str | None) -> Any:
    """The parse of a name's word agreeing with the name's case and gender: a person's name part first."""
    if not word[:1].isalpha():
        return None
    options = [p for p in parses(word, lang) if (case is None or p.tag.case == case)
               and (gender is None or p.tag.gender in (None, gender))]
    return next((p for p in options if _PERSON_TAGS & p.tag.grammemes), options[0] if options else None)


def _inflected(word: str, parse: Any) -> str:
    if parse is None or parse.tag.case in (None, "nomn"):
        return word
    form = parse.inflect({"nomn"})
    if form is None:
        return word
    text: str = form.word
    return text.upper() if word.isupper() else "-".join(p[:1].upper() + p[1:] for p in text.split("-")) \
        if word[:1].isupper() else text


# ---------------------------------------------------------------------- helpers
def _cyrillic(names: Iterable[str]) -> Iterator[str]:
    return (n for n in names if has_cyrillic(n))


@functools.lru_cache(maxsize=50_000)
def _forms(word: str, lang: str) -> frozenset[str]:
    """A name's word as matched: its folded text and the lemmas of all its parses."""
    return frozenset({fold(word), *(fold(p.normal_form) for p in parses(word, lang))})


def _pattern(name: str, payload: _Payload, lang: str) -> _Pattern:
    pieces = [w for w in _WORD.findall(name) if w not in _QUOTES]
    words: list[str | frozenset[str]] = [
        w if sum(c.isalpha() for c in w) >= 2 and w.isupper() else _forms(w, lang) for w in pieces]
    return _Pattern(tuple(words), name[:1].isupper() and not name.isupper(), fold(name), payload)


def _key(phrase: str, lang: str) -> str:
    """The identity of a national phrase: its words' sorted lemmas."""
    return " ".join(w if w.isupper() else min(_forms(w, lang)) for w in _WORD.findall(phrase))


def _match(doc: Doc, words: Sequence[Word], i: int, pattern: _Pattern) -> int | None:
    """The word index after the match of ``pattern`` at word ``i`` (quotes inside skipped), else None."""
    if pattern.capital and not doc[words[i].start].text[:1].isupper():
        return None
    k = i
    for n, expected in enumerate(pattern.words):
        while n and k < len(words) and words[k].text in _QUOTES:
            k += 1
        if k >= len(words):
            return None
        text = doc[words[k].start:words[k].end].text
        if not (text == expected if isinstance(expected, str) else expected & words[k].keys):
            return None
        k += 1
    opened = sum(words[j].text in _QUOTES for j in range(i, k))
    return k + 1 if opened % 2 and k < len(words) and words[k].text in _QUOTES else k


def _add(hits: _Hits, start: int, end: int, payload: _Payload) -> None:
    if isinstance(payload, EntityHit):
        hits.entities.append((start, end, payload))
    elif isinstance(payload, RefHit):
        hits.refs.append((start, end, payload))
    elif isinstance(payload, _National):
        hits.nationals.append((start, end, payload.phrase))
    else:
        hits.agents.append((start, end, payload))


def _adjective_before(doc: Doc, hits: _Hits, start: int, lang: str) -> tuple[int, str] | None:
    """(start, country) of a country adjective before ``start``, over at most two adjectives."""
    i = start
    for _ in range(_MAX_GAP + 1):
        ref = next(((s, r) for s, e, r in hits.refs if e == i and r.adjective), None)
        if ref is not None:
            return ref[0], ref[1].country
        if i == 0 or not _first_is(doc[i - 1].text, "ADJF", lang):
            return None
        i -= 1
    return None


def _modifier(doc: Doc, end: int, lang: str) -> bool:
    """An agent word used as an adjective before a noun ("военные учения", not "военные заявили")."""
    last = doc[end - 1]
    if last.is_upper or end >= len(doc) or not any(p.tag.POS == "ADJF" for p in parses(last.text, lang)):
        return False
    return _first_is(doc[end].text, "NOUN", lang)


def _first_is(word: str, pos: str, lang: str) -> bool:
    options = parses(word, lang) if word[:1].isalpha() else []
    return bool(options) and pos == options[0].tag.POS


def _name_only(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A person's span without abbreviations or lower-case words at its edges ("ОВА Володимир Артюх")."""
    def name_word(i: int) -> bool:
        return doc[i].text[:1].isupper() and not (len(doc[i].text) > 1 and doc[i].text.isupper())

    while start < end and not name_word(start):
        start += 1
    while end > start and not name_word(end - 1):
        end -= 1
    return start, end


def _skip_quotes(doc: Doc, i: int) -> int:
    while i < len(doc) and doc[i].text in _QUOTES:
        i += 1
    return i


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and not doc[start].is_alpha:
        start += 1
    while end > start and not doc[end - 1].is_alpha:
        end -= 1
    return start, end


__all__ = ["SlavicLinker", "nominative"]
