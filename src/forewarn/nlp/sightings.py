"""Sighting reports: a caption that shows troops or equipment somewhere is a MOBILIZE event.

Short geolocated reports often have no verb the event rules know: "Russian convoy near Izium", "Tanks on
the road to Melitopol", "Military vehicles with Z markings outside Kherson", "Column of armour in a field",
"Russian vehicles moving towards Popasna". In a sentence where the event rules found no event, this
component codes a sighting (MOBILIZE, mode ``troops`` for people, ``weapons`` for equipment) when

1. the sentence is a fragment about forces: its head (the root noun, a noun an image or video is "of",
   or the subject of a root motion verb, "convoy moving north") is forces or equipment: a military noun
   ("tanks", "troops", "T-72"), or a carrier or posture noun ("convoy", "vehicles", "movement") with a sign
   that it is military: a country adjective, a military word, a designation or a side's marking;
2. it has a place or a motion: a place the geoparser found, a place preposition on the head ("in a
   field"), a motion verb or a direction ("moving", "westbound");
3. nothing says it is no deployment: display, parade, museum, sale, wreckage (``inference.NOT_DEPLOYED``),
   an exercise (``inference.EXERCISE``: the event rules code those), a loss (``LOSSES``), or a civil word in
   the head's phrase ("aid convoy", "fish tank": ``inference.CIVIL``).

The actor is a military group the head's words name ("Russian convoy"); else none, and the inference
component after this one gives it the military the words or the place imply (``forewarn.nlp.inference``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from forewarn.errors import ConfigError
from forewarn.model.extraction import (
    ARMED_SECTORS,
    DateMention,
    EntityMention,
    Event,
    Evidence,
    Flags,
    Participant,
    PlaceMention,
    PlacePrecision,
    TimePrecision,
)
from forewarn.nlp.actors import ActorDictionary
from forewarn.nlp.inference import (
    DESIGNATION,
    MILITARY,
    MILITARY_IF_NAMED,
    civil,
    deployed,
    exercise,
    marked_country,
    military,
    noun_phrase,
)
from forewarn.nlp.lexicon import Lexicon
from forewarn.nlp.slavic.analysis import LANGUAGES

SIGHTINGS_VERSION = "2"  # bump when the rule changes what it codes
CONFIDENCE = 0.45  # a sighting without a verb: as a weak noun trigger of the event rules
NAMED_BONUS = 0.1
PEOPLE = frozenset({"military", "army", "troop", "soldier", "serviceman", "servicemen", "force", "paratrooper",
                    "marine", "infantry", "battalion", "brigade", "regiment", "division", "unit", "spetsnaz",
                    "sniper", "sapper", "mercenary", "fighter", "patrol", "presence"})
# Nouns a caption shows something in: "Satellite imagery of a Russian column".
MEDIA = frozenset({"image", "imagery", "video", "footage", "photo", "photograph", "picture", "clip", "screenshot",
                   "still", "satellite", "view", "part"})
MOTION = frozenset({"move", "head", "travel", "drive", "roll", "cross", "pass", "enter", "leave", "arrive",
                    "transport", "carry", "ship", "load", "unload", "park", "stand", "gather", "mass",
                    "approach", "return", "go", "come", "redeploy", "relocate", "transit", "position", "dig",
                    "hide", "camouflage", "line", "queue", "wait", "stop", "operate", "fly", "hover", "circle",
                    "spot", "see", "observe", "film", "photograph", "record", "notice", "sight", "sortie", "sail",
                    "dock", "moor", "anchor"})
DIRECTIONS = frozenset({"north", "south", "east", "west", "northbound", "southbound", "eastbound", "westbound",
                        "northward", "southward", "eastward", "westward", "northwards", "southwards", "eastwards",
                        "westwards", "towards", "toward", "northeast", "northwest", "southeast", "southwest",
                        "movement", "moving"})
PLACE_PREPS = frozenset({"in", "near", "at", "outside", "around", "on", "along", "inside", "by", "beside", "next",
                         "behind", "through", "across", "over", "off", "into", "from", "towards", "toward", "of"})
# Words of a loss or a surrender: a report of one is no sighting of forces deployed.
LOSSES = frozenset({"destroy", "destroyed", "burn", "burnt", "abandon", "abandoned", "capture", "captured", "damage",
                    "damaged", "surrender", "explode", "hit"})
# Nouns that are a place of their own: a military site needs no other place ("Russian military camp").
SITES = frozenset({"camp", "base", "checkpoint", "position"})


class SightingCoder:
    """The rule (see the module's docstring) over one actor dictionary's country adjectives."""

    def __init__(self, adjectives: frozenset[str], contexts: tuple[str, ...]) -> None:
        self.adjectives = adjectives
        self.contexts = contexts if "military" in contexts else (*contexts, "military")

    def __call__(self, doc: Doc, events: Sequence[Event], mentions: Sequence[EntityMention],
                 places: Sequence[PlaceMention], dates: Sequence[DateMention], published: date) -> list[Event]:
        """``events`` with a sighting added for each sentence without an event that reports one."""
        coded = {ev.evidence.sentence for ev in events}
        found = [ev for n, sent in enumerate(doc.sents) if n not in coded
                 for ev in [self._sighting(sent, n, mentions, places, dates, published)] if ev is not None]
        return sorted([*events, *found], key=lambda e: (e.evidence.sentence, e.evidence.trigger_start))

    def _sighting(self, sent: Span, n: int, mentions: Sequence[EntityMention], places: Sequence[PlaceMention],
                  dates: Sequence[DateMention], published: date) -> Event | None:
        if not deployed(sent) or exercise(sent) or any(t.lemma_.lower() in LOSSES for t in sent):
            return None
        head = next((h for h in _heads(sent) if self._forces(h, sent, published, mentions)), None)
        if head is None or _denied(head):
            return None
        place = _place(sent, places, noun_phrase(head))
        if place is None and not (_moving(sent) or _placed(head) or head.lemma_.lower() in SITES):
            return None
        actor = _actor(noun_phrase(head), mentions)
        when = min((d for d in dates if sent.start_char <= d.start < sent.end_char),
                   key=lambda d: abs(d.start - head.idx), default=None)
        return Event(type="MOBILIZE", mode="troops" if head.lemma_.lower() in PEOPLE else "weapons",
                     contexts=self.contexts, actor=actor, recipient=None, place=place,
                     date=when.value if when else published,
                     date_precision=when.precision if when else TimePrecision.DAY, date_from_publication=when is None,
                     flags=Flags(), evidence=Evidence(n, sent.start_char, sent.end_char, head.idx,
                                                      head.idx + len(head)),
                     confidence=round(CONFIDENCE + (NAMED_BONUS if actor is not None else 0.0), 3))

    def _forces(self, head: Token, sent: Span, on: date, mentions: Sequence[EntityMention]) -> bool:
        """Is the head forces or equipment: a military noun or armed group, or a carrier with a military sign?"""
        words = _with_phrase(head)
        if civil(words):
            return False
        if military([head], MILITARY) or any(DESIGNATION.match(t.text) for t in words) or _actor([head], mentions):
            return True
        others = [t for t in words if t.i != head.i]
        signed = (military(others, MILITARY) or any(t.text in self.adjectives for t in words)
                  or marked_country(sent, on) is not None)
        return military([head], MILITARY_IF_NAMED) and signed


def _denied(head: Token) -> bool:
    """"No unusual military activity", "no troops": a report that nothing was seen."""
    return any(c.lower_ == "no" and c.dep_ == "det" for c in head.children) or any(
        c.dep_ == "neg" for c in head.head.children if head.dep_ in ("nsubj", "nsubjpass", "dobj"))


def _heads(sent: Span) -> list[Token]:
    """The nouns a fragment is about: the root noun, what a media noun shows, the subject of a root motion
    verb or of a bare participle ("transport spotted near …"); a verb root that is no motion (an act the rules
    do not know, "servicemen were awarded medals") has none."""
    root = sent.root
    if root.pos_ in ("VERB", "AUX"):
        bare = root.tag_ in ("VBG", "VBN") and not any(c.dep_ in ("aux", "auxpass") for c in root.children)
        moving = root.lemma_.lower() in MOTION or root.lower_ in DIRECTIONS or bare
        return [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")] if moving else []
    if root.pos_ not in ("NOUN", "PROPN"):
        return []
    shown = [h for c in root.children if c.dep_ in ("appos", "dep", "conj") for h in _shown(c)]
    return [root, *shown, *_shown(root)]


def _shown(noun: Token) -> list[Token]:
    """A noun, or what it shows when it is a media noun: "imagery of a column (moving …)"."""
    if noun.lemma_.lower() not in MEDIA:
        return [noun] if noun.pos_ in ("NOUN", "PROPN") else []
    found: list[Token] = []
    for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ in ("of", "from")):
        for obj in prep.children:
            if obj.dep_ == "pobj":
                found.extend(_shown(obj))
            elif obj.dep_ == "pcomp":
                found.extend(c for c in obj.children if c.dep_ in ("nsubj", "nsubjpass"))
    return found


def _with_phrase(head: Token) -> list[Token]:
    """The head's words and what it is "with" ("train with Russian equipment")."""
    withs = [o for c in head.children if c.dep_ == "prep" and c.lower_ == "with" for o in c.children
             if o.dep_ == "pobj"]
    return sorted([*noun_phrase(head), *(t for o in withs for t in noun_phrase(o))], key=lambda t: t.i)


def _moving(sent: Span) -> bool:
    """A motion in the sentence: a verb of motion or sight ("convoy moving north", "equipment spotted"), or a
    direction."""
    return any(t.lower_ in DIRECTIONS or (t.pos_ == "VERB" and t.lemma_.lower() in MOTION) for t in sent)


def _placed(head: Token) -> bool:
    """A place preposition on the head: "tanks in a field", "artillery positions east of …"."""
    return any(c.dep_ == "prep" and c.lower_ in PLACE_PREPS for c in head.children) or any(
        c.dep_ == "advmod" and c.lower_ in DIRECTIONS for c in head.children)


def _place(sent: Span, places: Sequence[PlaceMention], words: Sequence[Token]) -> PlaceMention | None:
    """The most precise place in the sentence outside the head's own words, the nearest on ties."""
    lo = words[0].idx if words else sent.start_char
    hi = words[-1].idx + len(words[-1]) if words else lo
    usable = [p for p in places if sent.start_char <= p.start < sent.end_char and not lo <= p.start < hi]
    rank = {PlacePrecision.POINT: 0, PlacePrecision.TOWN: 1, PlacePrecision.REGION: 2, PlacePrecision.COUNTRY: 3}
    return min(usable, key=lambda p: (rank[p.place.precision], abs(p.start - lo)), default=None)


def _actor(words: Sequence[Token], mentions: Sequence[EntityMention]) -> Participant | None:
    """An armed group the head's words name ("Russian convoy": the Russian military)."""
    lo, hi = words[0].idx, words[-1].idx + len(words[-1])
    found = next((m for m in mentions if m.start < hi and lo < m.end and m.entity.sector in ARMED_SECTORS
                  and m.entity.country is not None), None)
    return Participant(found.entity, found.text, found.start, found.end) if found is not None else None


class SightingsComponent:
    """English sightings; in Russian and Ukrainian the event coder codes sightings itself."""

    def __init__(self, nlp: Language) -> None:
        self.english = nlp.lang not in LANGUAGES
        dictionary = getattr(nlp.get_pipe("forewarn_entities"), "dictionary", None)
        lexicon = getattr(nlp.get_pipe("forewarn_events"), "lexicon", None)
        if not isinstance(dictionary, ActorDictionary) or not isinstance(lexicon, Lexicon):
            raise ConfigError("forewarn_sightings needs forewarn_entities and forewarn_events earlier in the pipeline")
        adjectives = frozenset(a for info in dictionary.countries.values() for a in info.adjectives)
        self.code = SightingCoder(adjectives, lexicon.contexts.get("MOBILIZE", ()))

    def __call__(self, doc: Doc) -> Doc:
        if not self.english:
            return doc
        doc._.fw_events = tuple(self.code(doc, doc._.fw_events, doc._.fw_entities, doc._.fw_places,
                                          doc._.fw_dates, doc._.fw_published))
        return doc


@Language.factory("forewarn_sightings", assigns=["doc._.fw_events"],
                  requires=["token.dep", "token.lemma", "token.tag", "doc._.fw_events", "doc._.fw_entities",
                            "doc._.fw_places", "doc._.fw_dates"])
def _make_sightings(nlp: Language, name: str) -> SightingsComponent:
    return SightingsComponent(nlp)
