"""Inferred actors: a sighting of troops or equipment with nobody named gets the military it implies.

The rule (docs/architecture.md, Extraction): an event without an actor whose subject is military forces
or equipment ("Column of tanks moving north", "Armoured vehicles on rail flatcars") and in whose subject
no actor is named gets as its actor the military of

1. the country its words name (a military group the linker found, "Russian tanks", a country adjective,
   "Russian military equipment", or the people of a country moving or fighting, "Russians advancing"), or a
   marking that signs a side's forces in the sentence (``MARKINGS``: the "Z" and "V" painted on Russian
   vehicles from 21 February 2022), for any event type whose active doer those words are; else, for a
   MOBILIZE (posture) event only,
2. the state that holds the event's place (else the document's first place) on the event's date, by the
   dated control table of contested areas (``geo.control``); outside those areas, the place's country.

The doer's words: the subject of the event's verb, or its noun (whose country may be named on the noun it
hangs from by "with"/"of": "Russian movement with tanks"); for a posture event whose subject shows no
forces, the forces it moves ("build-up of Russian troops", "entrenching Russian positions").
Such an actor is a ``Participant`` with ``inferred=True`` whose words are the subject's, and the event's
confidence is lowered by ``INFERRED_CONFIDENCE``. An event with an actor, or whose subject names one
("LNR fighters"; a name the NER found with no country or sector, "MLRS", names none), is left as it is;
forces of no country ("troops", "soldiers", or equipment the NER took for a name, "MLRS") are no actor
here: the rule gives them their country.
Nothing is inferred in a sentence that shows no deployment (``NOT_DEPLOYED``: "tanks on display at the
museum", "wreckage of a tank") or for a phrase with a civil word (``CIVIL``: "fish tank", "aid convoy");
an exercise (``EXERCISE``) takes no actor from the place: its host is not the holder of the forces in it.

Russian and Ukrainian documents (coded by :mod:`forewarn.nlp.slavic.events`) go through the same rule: a
noun is an English tag NN* or a UD NOUN/PROPN; UD's relations stand for the English ones (``nsubj:pass``,
``obj``; a genitive or a "с"/"з" phrase for "of"/"with", an apposition for the dash of "колона — танки";
a noun under any other preposition is a place, not the phrase); each vocabulary joins the Cyrillic words
of :mod:`forewarn.nlp.slavic.forces`, matched by lemma (all of a word's readings, as the Russian tagger
misreads Ukrainian), and a country adjective by its lemma ("российская" is "российский").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from forewarn.geo.control import ControlTable
from forewarn.model.extraction import EntityKind, EntityMention, Event, Participant, PlaceMention, Sector
from forewarn.nlp.actors import ActorDictionary
from forewarn.nlp.slavic import forces
from forewarn.nlp.slavic.analysis import LANGUAGES, parses

INFERENCE_VERSION = "3"  # bump when the rule changes what it infers
INFERRED_CONFIDENCE = 0.8  # an inferred actor's event keeps this share of its confidence
POSTURE = frozenset({"MOBILIZE"})
# Event types whose doer, named as a country's people ("Russians advancing"), is that country's forces.
ARMED = frozenset({"MOBILIZE", "ASSAULT"})
# Words that make a phrase military forces or equipment (lower case; plurals by lemma).
MILITARY = frozenset({
    "military", "army", "troop", "soldier", "serviceman", "servicemen", "force", "paratrooper", "infantry",
    "battalion", "brigade", "regiment", "armour", "armor", "armoured", "armored", "tank",
    "artillery", "howitzer", "mlrs", "launcher", "missile", "rocket", "mortar", "apc", "ifv", "btg", "vdv",
    "aircraft", "helicopter", "warship", "submarine", "fighter", "bomber", "jet", "hardware", "equipment",
    "spetsnaz", "sniper", "sapper", "mercenary", "bmp", "btr", "mbt", "bmpt", "warplane", "weaponry",
    "frigate", "corvette", "cruiser", "destroyer",
}) | forces.PEOPLE | forces.EQUIPMENT
# Words that are military only when the subject names a country ("Russian convoy", not "aid convoy").
MILITARY_IF_NAMED = frozenset({"convoy", "column", "vehicle", "truck", "checkpoint", "position", "camp", "boat",
                               "ship", "train", "transport", "system", "movement", "presence", "patrol", "base",
                               "personnel", "activity", "carrier", "unit", "division", "marine", "uav", "drone"}
                              ) | forces.CARRIERS
# Nouns that stand for what their of-phrase names ("column of tanks", "convoy of trucks").
COLLECTIVE = frozenset({"column", "convoy", "group", "number", "dozen", "dozens", "hundred", "hundreds", "row", "line",
                        "fleet", "train", "unit", "battalion", "company", "detachment", "squad", "platoon", "pair",
                        "couple", "lot", "set", "batch", "movement", "presence", "deployment", "position", "sighting",
                        "build-up", "buildup", "concentration", "gathering"}) | forces.COLLECTIVE
# Words that show equipment or soldiers not deployed: on show, sold, remembered, played with, or wrecked.
NOT_DEPLOYED = frozenset({"parade", "museum", "display", "exhibition", "exhibit", "monument", "memorial", "auction",
                          "sale", "sell", "toy", "replica", "vintage", "reenactment", "festival", "rehearsal",
                          "anniversary", "ceremony", "wreck", "wreckage", "debris", "scrap", "remains",
                          "movie", "game", "model", "collector", "trophy", "graveyard"}) | forces.NOT_DEPLOYED
# Words of an exercise: forces abroad for one are not the host's ("British tanks at an exercise in Estonia").
EXERCISE = frozenset({"exercise", "drill", "training", "wargame", "manoeuvre", "maneuver", "manoeuvres", "maneuvers"}
                     ) | forces.EXERCISE
# Words that make a carrier or container civil: "aid convoy", "fish tank", "fire truck".
CIVIL = frozenset({"aid", "humanitarian", "relief", "evacuation", "refugee", "civilian", "fish", "water", "septic",
                   "fuel", "think", "gas", "oil", "storage", "petrol", "shark", "propane", "toilet", "aquarium",
                   "police", "fire", "ambulance", "wedding", "funeral", "farm", "private", "passenger", "commercial",
                   "school", "tourist", "garbage", "delivery", "medical", "rescue", "grain", "food", "volunteer",
                   "smoke", "top", "task", "labor", "labour", "rental", "housing", "sales"}) | forces.CIVIL
DESIGNATION = re.compile(r"^[A-Z][A-Za-z]{0,3}-\d{1,3}[A-Za-z0-9]*$")  # T-72, Su-25, BM-21, Mi-8, S-300
# Markings that sign one side's forces (general knowledge, dated): Russian vehicles in and around Ukraine
# were painted with "Z" and "V" from 21 February 2022.
MARKINGS = {"Z": ("RUS", date(2022, 2, 21)), "V": ("RUS", date(2022, 2, 21))}
MARKING_WORDS = frozenset({"mark", "marking", "marked", "symbol", "sign", "letter", "insignia", "paint", "painted"}
                          ) | forces.MARKING
PHRASE_DEPS = frozenset({"amod", "compound", "nummod", "nmod", "poss", "det", "quantmod"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "nsubj:pass"})  # the English parser's labels and UD's
ACTIVE_DEPS = frozenset({"nsubj"})
MOVED_DEPS = frozenset({"dobj", "nsubjpass", "obj", "nsubj:pass"})
# UD: a noun's modifiers that say what it is ("военная техника", "колонна танков", "колонна с военными",
# "колона — танки"); a noun under a preposition other than "with" is a place or a target, not the phrase.
UD_PHRASE_DEPS = frozenset({"amod", "det", "nummod", "nummod:gov", "flat", "flat:name"})
UD_JOINED_DEPS = frozenset({"nmod", "appos", "conj", "parataxis"})  # "колона — танки": a dash may read as parataxis
READ_AS = frozenset({"NOUN", "ADJF"})  # pymorphy3's parts of speech a phrase's words are read as
UD_WITH = frozenset({"с", "со", "з", "із", "зі"})
JOINING_PREPS = frozenset({"of", "with"})


class ActorInference:
    """The rule over one actor dictionary and one control table (see the module's docstring)."""

    def __init__(self, dictionary: ActorDictionary, table: ControlTable) -> None:
        self.dictionary = dictionary
        self.table = table
        self.adjectives = {adj: code for code, info in dictionary.countries.items() for adj in info.adjectives}

    def __call__(self, doc: Doc, events: Sequence[Event], mentions: Sequence[EntityMention],
                 places: Sequence[PlaceMention]) -> list[Event]:
        """``events``, each with an inferred actor where the rule gives one."""
        return [self._inferred(doc, ev, mentions, places) for ev in events]

    def _inferred(self, doc: Doc, ev: Event, mentions: Sequence[EntityMention],
                  places: Sequence[PlaceMention]) -> Event:
        if ev.actor is not None and not _countryless_forces(doc, ev.actor):
            return ev
        sentence = doc.char_span(ev.evidence.start, ev.evidence.end, alignment_mode="expand") or doc[:0]
        if not deployed(sentence):
            return ev
        found = next((f for f in (self._forces(doc, ev, words, mentions) for words in _subjects(doc, ev)) if f), None)
        if found is None:
            return ev
        subject, country = found
        if country is None and ev.type in POSTURE and not exercise(sentence):
            place = ev.place or (places[0] if places else None)
            country = self.table.holder(place.place, ev.date) if place is not None else None
        if country is None:
            return ev
        actor = Participant(self.dictionary.group(country, Sector.MILITARY), doc[subject[0].i:subject[-1].i + 1].text,
                            subject[0].idx, subject[-1].idx + len(subject[-1]), inferred=True)
        return replace(ev, actor=actor, confidence=round(ev.confidence * INFERRED_CONFIDENCE, 3))

    def _forces(self, doc: Doc, ev: Event, subject: list[Token],
                mentions: Sequence[EntityMention]) -> tuple[list[Token], str | None] | None:
        """The subject with the country its words name, when it is forces or equipment that name no other actor."""
        inside = _mentions_in(subject, mentions)
        if any(_names_an_actor(m) for m in inside) or civil(subject):
            return None  # it names an actor ("LNR fighters"), or it is civil: not the rule's to infer
        people = ev.type in ARMED and any(_people(m) for m in inside)
        country = (self._named_country([*subject, *_host_modifiers(subject)], inside)
                   or marked_country(doc[subject[0].i].sent, ev.date))
        core = _core(subject)
        if people or military(core, MILITARY) or (country and military(core, MILITARY_IF_NAMED)):
            return subject, country
        return None

    def _named_country(self, subject: Sequence[Token], inside: Sequence[EntityMention]) -> str | None:
        """The country the subject's words name: a military group's ("Russian tanks"), else an adjective's."""
        found = [m.entity.country for m in inside if m.entity.country] + [
            self.adjectives[_word(t)] for t in subject if _word(t) in self.adjectives]
        return found[0] if found else None


def deployed(sent: Span) -> bool:
    """Nothing in the sentence shows the forces off duty: on display, for sale, in a museum, wrecked."""
    return not any(t.lemma_.lower() in NOT_DEPLOYED or t.lower_ in NOT_DEPLOYED for t in sent)


def exercise(sent: Span) -> bool:
    """The sentence is about an exercise: the host of one is no holder of the forces in it."""
    return any(t.lemma_.lower() in EXERCISE or t.lower_ in EXERCISE for t in sent)


def civil(words: Sequence[Token]) -> bool:
    """A civil word among the phrase's words ("aid convoy", "fish tank")."""
    return any(t.lemma_.lower() in CIVIL or t.lower_ in CIVIL for t in words)


def marked_country(sent: Span, on: date) -> str | None:
    """The side whose marking the sentence shows ("vehicles with Z markings", "Z-marked trucks"), from the
    day the marking came into use."""
    for tok in sent:
        sign = tok.text.split("-")[0] if "-" in tok.text else tok.text
        side = MARKINGS.get(sign)
        if side is not None and on >= side[1] and _marking_context(tok):
            return side[0]
    return None


def _marking_context(tok: Token) -> bool:
    """A sign letter used as a marking: "Z-marked", or a word of marking next to it ("marked Z", "Z symbol")."""
    if "-" in tok.text:
        return tok.text.split("-", 1)[1].lower() in MARKING_WORDS
    near = tok.doc[max(tok.i - 3, tok.sent.start):min(tok.i + 3, tok.sent.end)]
    return any(t.lemma_.lower() in MARKING_WORDS or t.lower_ in MARKING_WORDS for t in near)


def _subjects(doc: Doc, ev: Event) -> list[list[Token]]:
    """The phrases that may name the event's doer, likeliest first: its subject, then for a posture event the
    forces it moves."""
    span = doc.char_span(ev.evidence.trigger_start, ev.evidence.trigger_end, alignment_mode="expand")
    if span is None:
        return []
    posture = ev.type in POSTURE
    found = [_subject(span.root, posture)] + ([_moved(span.root)] if posture else [])
    return [words for words in found if words]


def _subject(trigger: Token, posture: bool) -> list[Token]:
    """The words of the event's doer: its trigger noun with the noun it qualifies ("convoy movement"), or the
    subject of its verb. A passive subject ("tank destroyed") is the doer of a posture event only ("equipment
    being moved"). Empty when the parse shows none."""
    head = trigger
    while nominal(head) and head.dep_ == "compound" and nominal(head.head):
        head = head.head
    if nominal(head):
        return noun_phrase(head)
    if not posture and head.tag_ == "VBN":
        return []  # a headline's bare participle is passive: "tank destroyed near …"
    deps = SUBJECT_DEPS if posture else ACTIVE_DEPS
    noun = next((c for c in head.children if c.dep_ in deps), None)
    if noun is None and head.dep_ == "acl" and nominal(head.head) and (posture or head.tag_ == "VBG"):
        noun = head.head  # "equipment moving south", "tanks firing at …"
    if noun is None and head.dep_ == "conj" and head.head.pos_ == "VERB":
        return _subject(head.head, posture)  # "helicopters flying over … and firing"
    return noun_phrase(noun) if noun is not None else []


def _moved(trigger: Token) -> list[Token]:
    """What a posture verb or noun moves: its object ("entrenching Russian positions") or its of-phrase
    ("build-up of Russian troops", "built up of …")."""
    children = [c for t in (trigger, *(c for c in trigger.children if c.dep_ == "prt")) for c in t.children]
    noun = next((c for c in children if c.dep_ in MOVED_DEPS), None)
    of = next((c for c in children if c.dep_ == "prep" and c.lower_ == "of"), None)
    if noun is None and of is not None:
        noun = next((c for c in of.children if c.dep_ == "pobj"), None)
    return noun_phrase(noun) if noun is not None and nominal(noun) else []


def nominal(tok: Token) -> bool:
    """A noun or a name: the English tagger's tags (NN, NNS, NNP, NNPS), UD's parts of speech in Russian and
    Ukrainian."""
    return tok.tag_.startswith("NN") or (slavic(tok) and tok.pos_ in ("NOUN", "PROPN"))


def slavic(tok: Token) -> bool:
    """A word of a Russian or Ukrainian document (parsed with UD's labels)."""
    return tok.doc.lang_ in LANGUAGES


def noun_phrase(noun: Token) -> list[Token]:
    """A noun with its modifiers and its of-phrase ("column of tanks"), without clauses or places."""
    words = [noun]
    for child in noun.children:
        if slavic(noun):
            words.extend(_ud_phrase(child))
        elif child.dep_ in PHRASE_DEPS:
            words.extend(child.subtree)
        elif child.dep_ == "prep" and child.lower_ == "of":
            words.append(child)
            words.extend(w for obj in child.children if obj.dep_ == "pobj" for w in noun_phrase(obj))
    words.sort(key=lambda t: t.i)
    return words[next((n for n, t in enumerate(words) if not (t.is_punct or ":" in t.text)), len(words) - 1):]


def _ud_phrase(child: Token) -> list[Token]:
    """A UD child's words in its noun's phrase: a modifier with its words, a genitive ("колонна танков"), a
    "with" phrase ("с военными") or an apposition or conjunct ("колона — танки, бронемашини") as a phrase of
    its own; a noun under another preposition (a place, "у Суджи") is none."""
    if child.dep_ in UD_PHRASE_DEPS:
        return list(child.subtree)
    preps = [c.lower_ for c in child.children if c.dep_ == "case"]
    if child.dep_ in UD_JOINED_DEPS and nominal(child) and all(p in UD_WITH for p in preps):
        return [*(c for c in child.children if c.dep_ == "case"), *noun_phrase(child)]
    return []


def military(words: Sequence[Token], vocabulary: frozenset[str]) -> bool:
    """Does one of the words name forces or equipment in ``vocabulary`` (or a designation, "T-72")? A plural
    the tagger took for a name ("Russian Vehicles") counts as its singular."""
    return any(not _lemmas(t).isdisjoint(vocabulary) or t.lower_.removesuffix("s") in vocabulary
               or t.lower_ in vocabulary or DESIGNATION.match(t.text) for t in words)


def _lemma(tok: Token) -> str:
    """A lemma as the vocabularies hold it: lower case, "ё" as "е" ("вертолёт" is "вертолет")."""
    return tok.lemma_.lower().replace("ё", "е")


def _lemmas(tok: Token) -> set[str]:
    """The word's lemma; in Russian and Ukrainian also those of its other readings as a noun or an adjective
    (the tagger, trained on Russian, misreads Ukrainian words: "техніка" read as "технік")."""
    if not slavic(tok):
        return {_lemma(tok)}
    readings = (p.normal_form.replace("ё", "е") for p in parses(tok.text, tok.doc.lang_) if p.tag.POS in READ_AS)
    return {_lemma(tok), *readings}


def _word(tok: Token) -> str:
    """The form a country adjective is held in: the text in English ("Russian"), the lemma in Russian and
    Ukrainian ("российский")."""
    return tok.lemma_ if slavic(tok) else tok.text


def _host_modifiers(words: Sequence[Token]) -> list[Token]:
    """The modifiers of the noun a phrase hangs from by "with" or "of" ("Russian movement with tanks") or is
    conjoined to ("Russian firing and soldier positions")."""
    inside = {t.i for t in words}
    root = next((t for t in words if t.head.i not in inside or t.head.i == t.i), None)
    prep = root.head if root is not None and root.dep_ == "pobj" else None
    host = prep.head if prep is not None and prep.lower_ in JOINING_PREPS else None
    if root is not None and root.dep_ == "conj" and nominal(root.head):
        host = root.head
    return [c for c in host.children if c.dep_ in ("amod", "compound")] if host is not None else []


def _core(words: Sequence[Token]) -> list[Token]:
    """The words that say what a phrase is: all but its of-phrases, except after a collective noun ("column
    of tanks" is tanks; "an inspector of the brigade" is no brigade). In Russian and Ukrainian the of-phrase
    is a genitive or a "with" phrase ("колонна танков", "инспектор бригады")."""
    inside = {t.i for t in words}
    return [t for t in words if all(_lemma(a.head) in COLLECTIVE for a in (t, *t.ancestors)
                                    if a.i in inside and a.head.i in inside and _of_phrase(a))]


def _of_phrase(tok: Token) -> bool:
    """The word that makes an of-phrase: the English "of" (or any preposition), a Russian or Ukrainian nmod."""
    return tok.dep_ == "prep" or (slavic(tok) and tok.dep_ == "nmod")


def _mentions_in(words: Sequence[Token], mentions: Sequence[EntityMention]) -> list[EntityMention]:
    if not words:
        return []
    start, end = words[0].idx, words[-1].idx + len(words[-1])
    return [m for m in mentions if m.start < end and start < m.end]


def _names_an_actor(m: EntityMention) -> bool:
    """An actor other than a country's forces: not a military group ("Russian troops", "forces"), nor a
    country ("tanks of Russia") or its people ("Russians"), nor a name with no country or sector the NER
    found ("MLRS")."""
    military_group = m.entity.kind is EntityKind.GROUP and m.entity.sector is Sector.MILITARY
    unknown = m.entity.country is None and m.entity.sector is None
    return not (military_group or unknown or m.entity.kind is EntityKind.COUNTRY or _people(m))


def _countryless_forces(doc: Doc, actor: Participant) -> bool:
    """An actor that is forces of no country ("troops", "soldiers"), or equipment the NER took for a name of
    no country or sector ("MLRS"): the rule may give them one."""
    entity = actor.entity
    if entity.country is not None or entity.sector not in (Sector.MILITARY, None):
        return False
    if entity.kind is EntityKind.GROUP and entity.sector is Sector.MILITARY:
        return True
    words = doc.char_span(actor.start, actor.end, alignment_mode="expand")
    return entity.sector is None and words is not None and military(list(words), MILITARY)


def _people(m: EntityMention) -> bool:
    """A country's people as a group ("Russians")."""
    return m.entity.kind is EntityKind.GROUP and m.entity.sector is None and m.entity.country is not None
