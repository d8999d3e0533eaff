"""Inferred actors: a sighting of troops or equipment with nobody named gets the military it implies.

The rule (docs/architecture.md, Extraction): an event without an actor whose subject is military forces
or equipment ("Column of tanks moving north", "Armoured vehicles on rail flatcars") and in whose subject
no actor is named gets as its actor the military of

1. the country its words name (a military group the linker found, "Russian tanks", or a country adjective,
   "Russian military equipment"), for any event type whose active doer those words are; else, for a MOBILIZE
   (posture) event only,
2. the state that holds the event's place (else the document's first place) on the event's date, by the
   dated control table of contested areas (``geo.control``); outside those areas, the place's country.

Such an actor is a ``Participant`` with ``inferred=True`` whose words are the subject's, and the event's
confidence is lowered by ``INFERRED_CONFIDENCE``. An event with an actor, or whose subject names one
("LNR fighters"), is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Doc, Token

from forewarn.geo.control import ControlTable
from forewarn.model.extraction import EntityKind, EntityMention, Event, Participant, PlaceMention, Sector
from forewarn.nlp.actors import ActorDictionary

INFERENCE_VERSION = "1"  # bump when the rule changes what it infers
INFERRED_CONFIDENCE = 0.8  # an inferred actor's event keeps this share of its confidence
POSTURE = frozenset({"MOBILIZE"})
# Words that make a phrase military forces or equipment (lower case; plurals by lemma).
MILITARY = frozenset({
    "military", "army", "troop", "soldier", "serviceman", "servicemen", "force", "paratrooper", "marine", "infantry",
    "battalion", "brigade", "regiment", "division", "unit", "armour", "armor", "armoured", "armored", "tank",
    "artillery", "howitzer", "mlrs", "launcher", "missile", "rocket", "mortar", "apc", "ifv", "btg", "vdv",
    "aircraft", "helicopter", "warship", "submarine", "fighter", "bomber", "jet", "hardware", "equipment",
})
# Words that are military only when the subject names a country ("Russian convoy", not "aid convoy").
MILITARY_IF_NAMED = frozenset({"convoy", "column", "vehicle", "truck", "checkpoint", "position", "camp", "boat",
                               "ship"})
DESIGNATION = re.compile(r"^[A-Z][A-Za-z]{0,3}-\d{1,3}[A-Za-z0-9]*$")  # T-72, Su-25, BM-21, Mi-8, S-300
PHRASE_DEPS = frozenset({"amod", "compound", "nummod", "nmod", "poss", "det", "quantmod"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
ACTIVE_DEPS = frozenset({"nsubj"})


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
        if ev.actor is not None:
            return ev
        subject = _subject(doc, ev)
        inside = _mentions_in(subject, mentions)
        if not subject or not all(_military_group(m) for m in inside):
            return ev  # no subject, or it names an actor ("LNR fighters"): not the rule's to infer
        country = self._named_country(subject, inside)
        if not (_military(subject, MILITARY) or (country and _military(subject, MILITARY_IF_NAMED))):
            return ev
        if country is None and ev.type in POSTURE:
            place = ev.place or (places[0] if places else None)
            country = self.table.holder(place.place, ev.date) if place is not None else None
        if country is None:
            return ev
        actor = Participant(self.dictionary.group(country, Sector.MILITARY), doc[subject[0].i:subject[-1].i + 1].text,
                            subject[0].idx, subject[-1].idx + len(subject[-1]), inferred=True)
        return replace(ev, actor=actor, confidence=round(ev.confidence * INFERRED_CONFIDENCE, 3))

    def _named_country(self, subject: Sequence[Token], inside: Sequence[EntityMention]) -> str | None:
        """The country the subject's words name: a military group's ("Russian tanks"), else an adjective's."""
        found = [m.entity.country for m in inside if m.entity.country] + [
            self.adjectives[t.text] for t in subject if t.text in self.adjectives]
        return found[0] if found else None


def _subject(doc: Doc, ev: Event) -> list[Token]:
    """The words of the event's doer: its trigger noun with the noun it qualifies ("convoy movement"), or the
    subject of its verb. A passive subject ("tank destroyed") is the doer of a posture event only ("equipment
    being moved"). Empty when the parse shows none."""
    span = doc.char_span(ev.evidence.trigger_start, ev.evidence.trigger_end, alignment_mode="expand")
    if span is None:
        return []
    head, posture = span.root, ev.type in POSTURE
    while head.tag_.startswith("NN") and head.dep_ == "compound" and head.head.tag_.startswith("NN"):
        head = head.head
    if head.tag_.startswith("NN"):
        return _phrase(head)
    if not posture and head.tag_ == "VBN":
        return []  # a headline's bare participle is passive: "tank destroyed near …"
    deps = SUBJECT_DEPS if posture else ACTIVE_DEPS
    noun = next((c for c in head.children if c.dep_ in deps), None)
    if noun is None and head.dep_ == "acl" and head.head.tag_.startswith("NN") and (posture or head.tag_ == "VBG"):
        noun = head.head  # "equipment moving south", "tanks firing at …"
    return _phrase(noun) if noun is not None else []


def _phrase(noun: Token) -> list[Token]:
    """A noun with its modifiers and its of-phrase ("column of tanks"), without clauses or places."""
    words = [noun]
    for child in noun.children:
        if child.dep_ in PHRASE_DEPS:
            words.extend(child.subtree)
        elif child.dep_ == "prep" and child.lower_ == "of":
            words.append(child)
            words.extend(w for obj in child.children if obj.dep_ == "pobj" for w in _phrase(obj))
    words.sort(key=lambda t: t.i)
    return words[next((n for n, t in enumerate(words) if not (t.is_punct or ":" in t.text)), len(words) - 1):]


def _military(words: Sequence[Token], vocabulary: frozenset[str]) -> bool:
    return any(t.lemma_.lower() in vocabulary or t.lower_ in vocabulary or DESIGNATION.match(t.text) for t in words)


def _mentions_in(words: Sequence[Token], mentions: Sequence[EntityMention]) -> list[EntityMention]:
    if not words:
        return []
    start, end = words[0].idx, words[-1].idx + len(words[-1])
    return [m for m in mentions if m.start < end and start < m.end]


def _military_group(m: EntityMention) -> bool:
    """A military group ("Russian troops", "forces") names no actor beyond a country."""
    return m.entity.kind is EntityKind.GROUP and m.entity.sector is Sector.MILITARY
