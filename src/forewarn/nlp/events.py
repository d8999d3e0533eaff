"""Event coding: PLOVER events from a parsed sentence, by dependency rules over the event lexicon.

For each sentence: find triggers (verbs, light verb + object, nouns), let a trigger absorb the
triggers that are its arguments ("condemned the attack" is one ACCUSE event, not ACCUSE + ASSAULT),
keep nouns only where they report something (a caption, the subject of "took place", a noun with
its own place), then fill actor, recipient, place, date, flags and a confidence.
A sentence with no trigger yields no event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from forewarn.model.extraction import (
    DateMention,
    EntityKind,
    EntityMention,
    Event,
    Evidence,
    Flags,
    Participant,
    PlaceMention,
    Sector,
    TimePrecision,
)
from forewarn.nlp.actors import ActorDictionary
from forewarn.nlp.lexicon import QUADS, Entry, Lexicon
from forewarn.nlp.spans import sentence_of

# Types whose verb frames another event: "agreed to withdraw" is AGREE, "threatened to strike" THREATEN.
FRAMING = frozenset({"AGREE", "REQUEST", "REJECT", "THREATEN", "ACCUSE", "SUPPORT", "CONCEDE", "SANCTION"})
ABSORB_DEPS = frozenset({"xcomp", "ccomp", "dobj", "pobj", "prep", "pcomp", "compound", "amod", "nmod", "poss",
                         "nsubj", "nsubjpass", "attr", "acl", "appos", "conj", "dative", "oprd", "advcl"})
SPEECH = frozenset({"say", "tell", "report", "claim", "state", "announce", "allege", "confirm", "add", "write",
                    "note", "stress", "insist", "declare", "assert", "explain", "post", "suggest", "believe",
                    "reiterate", "repeat", "conclude", "maintain", "argue", "emphasise", "emphasize", "underline",
                    "affirm", "reaffirm", "indicate", "recall", "warn", "remind", "urge", "tweet", "reply"})
DEMANDING = frozenset({"reminder", "demand", "call", "appeal", "warning", "statement", "message", "ultimatum"})
EXISTENTIAL = frozenset({"be", "take", "occur", "happen", "continue", "begin", "start", "resume", "erupt", "break",
                         "rock", "see", "spot", "observe", "film", "record", "report", "hear", "show", "appear",
                         "move", "arrive", "enter", "pass", "cross", "drive", "head", "gather", "remain", "leave",
                         "cause", "follow", "intensify", "escalate", "hit", "kill", "injure", "damage", "reach",
                         "capture", "photograph", "document", "travel", "roll", "advance", "concentrate", "destroy",
                         "burn", "collapse", "fall", "land", "ignite", "set", "renew", "launch",
                         "undertake", "hold", "conduct", "stage", "organise", "organize", "complete", "end"})
FUTURE_AUX = frozenset({"will", "shall", "'ll"})
HYPOTHETICAL_AUX = frozenset({"would", "could", "might", "may", "should", "can", "must", "'d"})
PLANNING = frozenset({"plan", "intend", "prepare", "prepared", "aim", "expect", "seek", "want", "hope", "decide",
                      "going", "ready", "willing", "vow", "pledge", "promise", "mean", "propose", "consider",
                      "agreement", "consensus", "decision", "deal", "commitment"})
PLACE_PREPS = frozenset({"in", "near", "at", "outside", "around", "across", "over", "into", "from", "towards",
                         "toward", "on", "inside", "along", "off", "within", "throughout", "between", "by"})
RECIPIENT_PREPS = frozenset({"against", "on", "with", "to", "at", "into", "upon", "for", "towards", "toward"})
NEGATORS = frozenset({"not", "n't", "never", "no", "without"})
NOUN_MODIFIERS = frozenset({"compound", "amod", "nmod", "poss"})
# Presence (troops, tanks, aircraft) is an event only in a caption or when they move or are seen.
MOTION = frozenset({"move", "advance", "gather", "enter", "arrive", "cross", "drive", "head", "roll", "concentrate",
                    "mass", "travel", "pass", "leave", "approach", "spot", "see", "observe", "film", "record",
                    "photograph", "fly", "deploy", "appear", "withdraw", "position", "station", "show"})
# Nouns of commitment: an act under them is intended ("reached a consensus to exchange …").
COMMITMENTS = frozenset({"agreement", "consensus", "decision", "deal", "commitment", "plan", "pledge", "promise"})
# Words under which an infinitive still reports an act (or a commitment to one).
GOVERNORS = COMMITMENTS | frozenset({"ready", "willing", "prepared", "able", "begin", "start", "continue", "resume",
                                      "decide", "agree", "try", "attempt", "plan", "intend", "prepare", "vow",
                                      "pledge", "promise", "threaten", "order", "manage", "fail", "refuse",
                                      "decline", "seek", "move", "go", "rush", "come", "keep", "stop", "cease",
                                      "offer", "undertake", "proceed", "ask", "urge", "call", "demand", "force",
                                      "help", "allow"})
REFUSAL = frozenset({"fail", "refuse", "decline"})
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"})
# An announced future act: hostile ones are threats, friendly ones commitments (PLOVER's own rule).
THREAT_MODES = {"ASSAULT": "violence", "COERCE": "restrict", "SANCTION": "relations", "PROTEST": "relations",
                "REJECT": "relations"}
REJECT_MODES = {"AID": "assist", "COOPERATE": "assist", "CONSULT": "meet", "RETREAT": "yield", "CONCEDE": "yield"}
# Verbs and nouns of apprehension: what they govern is feared or foreseen, not done ("fear an attack",
# "warned of an invasion", "US warns Russia could invade": the warner is no actor of the invasion).
APPREHENSION = frozenset({"warn", "fear", "caution", "worry", "predict", "forecast", "expect", "anticipate"})
APPREHENSION_PREPS = frozenset({"of", "about", "against"})
# Event types whose actor, named by a country adjective alone ("Russian buildup"), is that country's military.
ARMED_TYPES = frozenset({"MOBILIZE", "ASSAULT", "RETREAT"})
POSSIBLE = frozenset({"could", "may", "might"})
HOSTILE = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "THREATEN", "SANCTION"})
ARMED_SECTORS = frozenset({Sector.MILITARY, Sector.REBEL, Sector.POLICE})
# Participants that make an event political: a state, its organs and armed forces, an armed group, an IGO.
POLITICAL_SECTORS = ARMED_SECTORS | frozenset({Sector.GOVERNMENT, Sector.INTELLIGENCE, Sector.IGO})
# Events that natural hazards mimic ("homes damaged by the tornado", "lightning struck").
HAZARD_LOOKALIKES = frozenset({"ASSAULT", "COERCE", "THREATEN"})
# A score ("3-2", "1–0"): with one word of sport, a report of a game.
SCORE = re.compile(r"\b\d{1,2} ?[-–] ?\d{1,2}\b")
# A headline label that marks an opinion piece ("Opinion: …", "Editorial | …"): it reports no events.
OPINION_LABELS = frozenset({"opinion", "op-ed", "editorial", "commentary", "column"})


@dataclass(frozen=True, slots=True)
class Trigger:
    head: Token  # the verb or noun that carries the event
    start: int  # token span of the trigger words
    end: int
    type: str
    mode: str | None
    verbal: bool
    weak: bool = False
    lemma: str = ""  # the verb's lemma, for verbal triggers


def find_events(doc: Doc, lexicon: Lexicon, mentions: Sequence[EntityMention], places: Sequence[PlaceMention],
                dates: Sequence[DateMention], published: date, actors: ActorDictionary) -> list[Event]:
    """All events in ``doc``. ``mentions``/``places``/``dates`` are the other components' output."""
    if not len(doc) or _opinion(doc):
        return []
    context = _DocContext(doc, mentions, places, dates, published, actors, _sport(doc, lexicon))
    events: list[Event] = []
    for sent in doc.sents:
        if _prose(sent) and not _question(sent):
            events.extend(_dedupe(_sentence_events(sent, lexicon, context)))
    return events


def _sentence_events(sent: Span, lexicon: Lexicon, ctx: _DocContext) -> list[Event]:
    caption = _caption(sent)
    events = []
    for trigger in _select(sent, _triggers(sent, lexicon)):
        if trigger.lemma in lexicon.needs_recipient and not _has_named_recipient(trigger, ctx):
            continue
        event = _code(trigger, sent, lexicon, ctx)
        if (caption or not _background(trigger, event)) and not _off_topic(trigger, event, sent, lexicon, ctx):
            events.append(event)
    return events


def _opinion(doc: Doc) -> bool:
    """An opinion piece labelled so in its headline ("Opinion: …", "Editorial | …")."""
    first = next(iter(doc.sents))
    return any(t.lower_ in OPINION_LABELS and t.i + 1 < len(doc) and doc[t.i + 1].text in (":", "|") for t in first)


def _sport(doc: Doc, lexicon: Lexicon) -> bool:
    """A report of a game: two words of sport, or one and a score."""
    words = {t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in lexicon.sport}
    score = SCORE.search(doc.text) is not None
    return len(words) + score >= 2


def _off_topic(trigger: Trigger, event: Event, sent: Span, lexicon: Lexicon, ctx: _DocContext) -> bool:
    """Words of conflict used of a game, a hazard or a private meeting: in a report of a game only
    events with a political participant count; an attack-like event done by a natural hazard (or with
    no doer, in a sentence about one) is none; a meeting of named people is CONSULT only when one of them
    is political ("the two presidents held talks" names no one and stays)."""
    named = event.actor is not None or event.recipient is not None
    if (ctx.sport or (event.type == "CONSULT" and named)) and not _political(event):
        return True
    if event.type not in HAZARD_LOOKALIKES:
        return False
    doer = _argument_tokens(trigger)[0]
    if doer is not None and doer.lemma_.lower() in lexicon.hazards:
        return True
    return event.actor is None and any(t.pos_ == "NOUN" and t.lemma_.lower() in lexicon.hazards for t in sent)


def _political(event: Event) -> bool:
    return any(p is not None and (p.entity.kind == EntityKind.COUNTRY or p.entity.sector in POLITICAL_SECTORS)
               for p in (event.actor, event.recipient))


CODE_MARKS = frozenset({"<", ">", "{", "}", "=", ";", "</", "/>", "&nbsp;", "()", "[]", "=>", "==", "&&"})


def _prose(sent: Span) -> bool:
    """Markup, code and tables are no reports: most of a sentence's words must be words."""
    words = [t for t in sent if not t.is_punct and not t.is_space]
    if not words:
        return False
    alpha = sum(1 for t in words if t.is_alpha)
    marks = sum(1 for t in sent if t.text in CODE_MARKS)
    return alpha >= 0.5 * len(words) and marks < 2


def _question(sent: Span) -> bool:
    last = next((t for t in reversed(sent) if not t.is_space and t.text not in ('"', "”", "»", "'")), None)
    return last is not None and last.text == "?"


# -- triggers --------------------------------------------------------------------------------------

def _triggers(sent: Span, lexicon: Lexicon) -> list[Trigger]:
    found: list[Trigger] = []
    for tok in sent:
        pos = tok.pos_
        if pos == "VERB":
            trigger = _verb_trigger(tok, lexicon) or _demand(tok)
        elif pos in ("NOUN", "PROPN"):
            trigger = _noun_trigger(tok, lexicon.nouns) or (_noun_trigger(tok, lexicon.adjectives)
                                                           if pos == "PROPN" else None)
            trigger = None if trigger is not None and _figurative(tok, lexicon) else trigger
        elif pos == "ADJ":
            trigger = _noun_trigger(tok, lexicon.adjectives)
        else:
            trigger = None
        if trigger is not None:
            found.append(trigger)
    return found


def _verb_trigger(tok: Token, lexicon: Lexicon) -> Trigger | None:
    lemma = _known_lemma(tok, lexicon)
    objects = lexicon.light_verbs.get(lemma)
    if objects:
        for obj in _objects(tok):
            hit = objects.get(obj.lemma_.lower()) or objects.get(_of_object(obj))
            if hit and not _figurative(obj, lexicon):
                lo, hi = sorted((tok.i, obj.i))
                return Trigger(tok, lo, hi + 1, hit[0], hit[1], verbal=True)
    by_subject = _by_subject(tok, lemma, lexicon)
    if by_subject:
        return Trigger(tok, tok.i, tok.i + 1, by_subject[0], by_subject[1], verbal=True)
    if _unfit_object(tok, lemma, lexicon):
        return None
    for entry in lexicon.verbs.get(lemma, ()):
        if _follows(tok, entry):
            return Trigger(tok, tok.i, tok.i + 1 + len(entry.after), entry.type, entry.mode, verbal=True, lemma=lemma)
    return None


def _unfit_object(verb: Token, lemma: str, lexicon: Lexicon) -> bool:
    """ "met the requirements", "a survey released", "asks if …", "markets rallied": an object or a
    subject that takes the event out of the verb."""
    objects = lexicon.unfit_objects.get(lemma, frozenset())
    subjects = lexicon.unfit_subjects.get(lemma, frozenset())
    doer = _doer(verb)
    return any(t.lemma_.lower() in objects for t in _acted_on(verb)) or (
        doer is not None and doer.lemma_.lower() in subjects)


def _doer(verb: Token) -> Token | None:
    """The agent of a passive ("threatened by rising sea levels"), else the subject, own or inherited."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    by = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
    return by or next((c for c in verb.children if c.dep_ == "nsubj"), None) or _inherited_subject(verb)


def _acted_on(verb: Token) -> list[Token]:
    """What a verb acts on: its object, the noun it describes ("a survey released this week", "the fee,
    which was frozen") and the word that opens its object clause ("asks if …")."""
    out = [c for c in verb.children if c.dep_ == "dobj"]
    out += [g for c in verb.children if c.dep_ in ("ccomp", "advcl") for g in c.children if g.dep_ == "mark"]
    return out + ([verb.head] if verb.dep_ in ("acl", "relcl") else [])


def _figurative(noun: Token, lexicon: Lexicon) -> bool:
    """ "the debt-ceiling battle", "an attack on the budget", "the fight against poverty": a modifier or
    object that makes a noun of conflict a figure of speech."""
    unfit = lexicon.unfit_objects.get(noun.lemma_.lower())
    if not unfit:
        return False
    objects = [g for c in noun.children if c.dep_ == "prep" and c.lower_ in ("on", "against", "over", "with", "of")
               for g in c.children if g.dep_ == "pobj"]
    return any(t.lemma_.lower() in unfit or t.lower_ in unfit for t in (*noun.doc[noun.left_edge.i: noun.i], *objects))


def _known_lemma(tok: Token, lexicon: Lexicon) -> str:
    """The lemma, or a stem of the word the lexicon knows when the lemmatizer slipped ("staged" → "stag")."""
    lemma = tok.lemma_.lower()
    if lemma in lexicon.verbs or lemma in lexicon.light_verbs:
        return lemma
    low = tok.lower_
    for stem in (low, low[:-1], low[:-2], low[:-3] + "e", low[:-3]):
        if stem in lexicon.verbs or stem in lexicon.light_verbs or stem in lexicon.subject_overrides:
            return stem
    return lemma


def _by_subject(verb: Token, lemma: str, lexicon: Lexicon) -> tuple[str, str | None] | None:
    overrides = lexicon.subject_overrides.get(lemma)
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None) if overrides else None
    return overrides.get(subject.lemma_.lower()) if overrides and subject is not None else None


def _demand(verb: Token) -> Trigger | None:
    """ "X said Y must do Z": a demand even when Z is no event word of its own."""
    said = verb.dep_ == "ccomp" and verb.head.lemma_.lower() in SPEECH
    demanded = verb.dep_ in ("acl", "ccomp") and verb.head.lemma_.lower() in DEMANDING
    if not (said or demanded):
        return None
    if any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in verb.children):
        return Trigger(verb, verb.i, verb.i + 1, "REQUEST", "change", verbal=True)
    return None


def _objects(verb: Token) -> list[Token]:
    out = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd")]
    out += [g for c in verb.children if c.dep_ == "prt" for g in c.children]
    return out


def _of_object(noun: Token) -> str:
    """ "tons of aid", "a grant of 5 million": the noun after "of"."""
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    obj = next((g for g in of.children if g.dep_ == "pobj"), None) if of is not None else None
    return obj.lemma_.lower() if obj is not None else ""


def _follows(tok: Token, entry: Entry) -> bool:
    if not entry.after:
        return True
    doc = tok.doc
    following = [t.lower_ for t in doc[tok.i + 1: tok.i + 1 + len(entry.after)]]
    if following == list(entry.after):
        return True
    attached = {c.lower_ for c in tok.children if c.dep_ in ("prt", "prep", "dobj", "advmod")}
    return all(word in attached for word in entry.after)


def _noun_trigger(tok: Token, index: dict[str, tuple[Entry, ...]]) -> Trigger | None:
    low = tok.lower_
    entries = index.get(tok.lemma_.lower()) or index.get(low)
    if entries is None and tok.pos_ == "PROPN" and low.endswith("s"):  # title case: "Graves", "Strikes"
        entries = index.get(low[:-1]) or index.get(low[:-2])
    for entry in entries or ():
        n = len(entry.before)
        if n == 0:
            return Trigger(tok, tok.i, tok.i + 1, entry.type, entry.mode, verbal=False, weak=entry.weak)
        if tok.i - n >= tok.sent.start:
            words = tok.doc[tok.i - n: tok.i]
            if all(w.lower_ == b or w.lemma_.lower() == b for w, b in zip(words, entry.before, strict=True)):
                return Trigger(tok, tok.i - n, tok.i + 1, entry.type, entry.mode, verbal=False, weak=entry.weak)
    return None


# -- which triggers make events ---------------------------------------------------------------------

def _select(sent: Span, triggers: list[Trigger]) -> list[Trigger]:
    if not triggers:
        return []
    by_head = {t.head.i: t for t in triggers}
    triggers = [t for t in triggers if not _warns_of_another(t, by_head)]
    by_head = {t.head.i: t for t in triggers}
    protest = any(t.type == "PROTEST" for t in triggers)
    kept = [t for t in triggers if not _absorbed(t, by_head) and not (protest and _purpose(t))]
    kept = [t for t in kept if not t.verbal or _asserted(t)]
    verbal = any(t.verbal for t in kept)
    fragment = _caption(sent)
    return [t for t in kept if t.verbal or _noun_reports(t, fragment, verbal)]


def _warns_of_another(trigger: Trigger, by_head: dict[int, Trigger]) -> bool:
    """ "US warns Russia could invade": a warning whose clause is a hostile act with a subject of its own
    names what another may do; the warner threatens nobody (the clause's own event is coded, as
    hypothetical). "warned that Iran would face consequences" stays the warner's threat."""
    head = trigger.head
    if not trigger.verbal or head.lemma_.lower() not in APPREHENSION:
        return False
    own = next((c for c in head.children if c.dep_ == "nsubj"), None)
    for clause in (c for c in head.children if c.dep_ == "ccomp" and _foreseen(c, by_head)):
        other = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if other is not None and other.pos_ != "PRON" and (own is None or _name(other) != _name(own)):
            return True
    return False


def _name(tok: Token) -> str:
    """A subject's head with its compounds ("North Korea" is not "South Korea")."""
    return " ".join(t.lower_ for t in (*(c for c in tok.lefts if c.dep_ == "compound"), tok))


def _foreseen(clause: Token, by_head: dict[int, Trigger]) -> bool:
    """A clause that foresees an act: a hostile trigger, a possibility ("could", "may") or a plan."""
    if clause.i in by_head and by_head[clause.i].type in HOSTILE:
        return True
    return clause.lemma_.lower() in PLANNING or any(c.dep_ == "aux" and c.lower_ in POSSIBLE for c in clause.children)


def _caption(sent: Span) -> bool:
    """A caption-like fragment: no main verb ("Damage to a school in Irpin"), or a bare participle
    with no subject or auxiliary ("Building burning in Donetsk")."""
    root = sent.root
    if root.pos_ not in ("VERB", "AUX"):
        return True
    return root.tag_ in ("VBG", "VBN") and not any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass")
                                                    for c in root.children)


def _asserted(trigger: Trigger) -> bool:
    """Is the verb a report of an act, not an aim or a general notion? "important to support",
    "the opportunity to visit" and "efforts to strengthen" are not events; "began to withdraw"
    and "decided to deploy" are."""
    head = trigger.head
    if head.dep_ == "ROOT" and head.tag_ == "VB" and not any(c.dep_ in ("nsubj", "aux") for c in head.children):
        return False  # an imperative: "call the police", "report any drones"
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in head.children)
    gerund = head.tag_ == "VBG" and head.dep_ in ("pcomp", "pobj", "csubj", "nsubj", "dobj")
    if infinitive or gerund:
        return head.head.lemma_.lower() in GOVERNORS and head.dep_ in ("xcomp", "ccomp", "acl")
    return True


def _absorbed(trigger: Trigger, by_head: dict[int, Trigger]) -> bool:
    """Is the trigger an argument of another trigger that speaks for it?"""
    tok, depth = trigger.head, 0
    while tok.dep_ in ABSORB_DEPS and tok.head.i != tok.i and depth < 4:
        tok, depth = tok.head, depth + 1
        other = by_head.get(tok.i)
        if other is None or other is trigger:
            continue
        if not trigger.verbal and (other.verbal or trigger.head.dep_ in ("compound", "amod")):
            return True
        if trigger.verbal and other.verbal and other.type in FRAMING and depth <= 3:
            return True
        if _purpose(trigger) and QUADS[other.type] == 4:
            return True  # "staged rallies to demand reforms" is the protest
        if not trigger.verbal and not other.verbal and depth == 1 and trigger.head.dep_ in NOUN_MODIFIERS:
            return True
    return False


def _apprehended(noun: Token) -> bool:
    """ "fear an attack", "warned of an invasion": the noun is what is feared."""
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ in APPREHENSION_PREPS:
        head = head.head
    return noun.dep_ in ("dobj", "pobj") and head.pos_ == "VERB" and head.lemma_.lower() in APPREHENSION


def _purpose(trigger: Trigger) -> bool:
    """A demand or accusation in a purpose clause ("… to demand reforms")."""
    head = trigger.head
    to_clause = any(c.dep_ == "aux" and c.lower_ == "to" for c in head.children)
    participle = head.tag_ == "VBG" and head.dep_ == "advcl"  # "… demonstrated, calling for …"
    return trigger.type in ("REQUEST", "ACCUSE") and head.dep_ in ("advcl", "xcomp") and (to_clause or participle)


def _noun_reports(trigger: Trigger, fragment: bool, verbal_in_sentence: bool) -> bool:
    if trigger.weak and verbal_in_sentence:
        return False
    tok = trigger.head
    if fragment and sum(1 for _ in tok.ancestors) <= 3:
        return True
    if tok.dep_ == "ROOT" or _apprehended(tok):
        return True
    heads = MOTION if trigger.type == "MOBILIZE" and trigger.weak else EXISTENTIAL
    if tok.dep_ in ("nsubj", "nsubjpass", "dobj", "attr") and tok.head.lemma_.lower() in heads:
        return True
    return not trigger.weak and any(c.dep_ == "prep" and c.lower_ in PLACE_PREPS and c.lower_ != "on"
                                    for c in tok.children) and tok.dep_ != "pobj"


# -- coding one event -------------------------------------------------------------------------------

class _DocContext:
    """Per-document lookups: which entity mention covers which token, places and dates by sentence."""

    def __init__(self, doc: Doc, mentions: Sequence[EntityMention], places: Sequence[PlaceMention],
                 dates: Sequence[DateMention], published: date, actors: ActorDictionary, sport: bool) -> None:
        self.doc, self.published, self.actors, self.sport = doc, published, actors, sport
        self.sentence = sentence_of(doc)
        self.mention_at: dict[int, EntityMention] = {}
        for m in mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            for i in range(span.start, span.end) if span is not None else ():
                self.mention_at[i] = m
        self.places = places
        self.dates = dates


def _code(trigger: Trigger, sent: Span, lexicon: Lexicon, ctx: _DocContext) -> Event:
    actor_tok, recipient_toks = _argument_tokens(trigger)
    actor = _participant(actor_tok, ctx) or (None if trigger.verbal else _nominal_actor(trigger, ctx))
    recipient = _first_participant(recipient_toks, ctx)
    if recipient is not None and actor is not None and recipient.entity.id == actor.entity.id:
        recipient = None
    modality = _modality(trigger.head)
    doer = actor_tok or _governing_subject(trigger.head)
    third = _third_party(modality.speaker, doer, actor or _participant(doer, ctx), ctx)
    trigger, flags = _reinterpret(trigger, modality, third)
    place = _place(trigger, sent, ctx, actor, recipient)
    when = _date(trigger, sent, ctx)
    doc = ctx.doc
    trig_start, trig_end = doc[trigger.start].idx, doc[trigger.end - 1].idx + len(doc[trigger.end - 1])
    return Event(
        type=trigger.type, mode=trigger.mode,
        contexts=_contexts(trigger, lexicon, actor, recipient),
        actor=actor, recipient=recipient, place=place,
        date=when.value if when else ctx.published,
        date_precision=when.precision if when else TimePrecision.DAY,
        date_from_publication=when is None,
        flags=flags,
        evidence=Evidence(sentence=ctx.sentence[sent.start], start=sent.start_char, end=sent.end_char,
                          trigger_start=trig_start, trigger_end=trig_end),
        confidence=_confidence(trigger, actor, recipient, flags, modality.depth),
    )


def _reinterpret(trigger: Trigger, modality: _Modality, third: bool) -> tuple[Trigger, Flags]:
    """PLOVER codes what is said about an act: a refused cooperation is REJECT, an announced
    hostile act THREATEN, an announced friendly act AGREE, a "must" said of someone REQUEST.
    Only the actor threatens: a hostile act another says someone plans or will do ("US says Russia
    plans to invade") keeps its type and is hypothetical (the claim carries it, see claims.py)."""
    flags, kind = modality.flags, trigger.type
    if flags.negated and kind in COOPERATIVE:
        new = replace(trigger, type="REJECT", mode=REJECT_MODES.get(kind, "change"))
        return new, replace(flags, negated=False)
    if modality.obligation and kind not in FRAMING:
        return replace(trigger, type="REQUEST", mode=REJECT_MODES.get(kind, "change")), flags
    if third and flags.future and kind in THREAT_MODES:
        return trigger, replace(flags, hypothetical=True)
    if flags.future and not flags.negated and kind in THREAT_MODES:
        return replace(trigger, type="THREATEN", mode=THREAT_MODES[kind]), flags
    if flags.future and not flags.negated and kind in COOPERATIVE and kind != "AGREE":
        return replace(trigger, type="AGREE", mode=None), flags
    return trigger, flags


def _third_party(speaker: Token | None, actor_tok: Token | None, actor: Participant | None,
                 ctx: _DocContext) -> bool:
    """Does someone other than the actor report the act ("Kyiv says Russia plans …")?"""
    if speaker is None or (actor_tok is not None and actor_tok.pos_ == "PRON"):
        return False
    said_by = _participant(speaker, ctx)
    if actor is None or said_by is None:
        return True
    same = said_by.entity.id == actor.entity.id or (actor.entity.country is not None
                                                     and said_by.entity.country == actor.entity.country)
    return not same


def _governing_subject(word: Token) -> Token | None:
    """Who does what a trigger without a subject of its own names: the subject of the nearest word above
    it that has one ("he will extend the curfew", "it is prepared to impose martial law")."""
    for tok in word.ancestors:
        subject = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject
    return None


def _nominal_actor(trigger: Trigger, ctx: _DocContext) -> Participant | None:
    """The actor a noun event carries in itself: an armed group it names ("a Russian convoy"), a country
    adjective before it ("Russian buildup", "Chinese drills", "Russian troop movements"), or an armed
    group after "of" ("a buildup of Russian forces", "the deployment of Belarusian units")."""
    head = trigger.head
    own = ctx.mention_at.get(head.i)
    if own is not None and own.entity.sector in ARMED_SECTORS:
        return Participant(own.entity, own.text, own.start, own.end)
    for tok in ctx.doc[head.left_edge.i: head.i]:
        country = ctx.actors.demonym(tok.text) if tok.dep_ in NOUN_MODIFIERS else None
        if country is not None:
            return _national(tok, country, trigger.type, ctx)
    of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    found = _participant(next((g for g in of.children if g.dep_ == "pobj"), None), ctx) if of is not None else None
    return found if found is not None and found.entity.sector in ARMED_SECTORS else None


def _national(tok: Token, country: str, kind: str, ctx: _DocContext) -> Participant | None:
    """A country adjective as an actor: the country's military for armed acts, else the country."""
    entity = ctx.actors.group(country, Sector.MILITARY) if kind in ARMED_TYPES else ctx.actors.country(country)
    return Participant(entity, tok.text, tok.idx, tok.idx + len(tok)) if entity is not None else None


def _background(trigger: Trigger, event: Event) -> bool:
    """A verb in a relative or participial clause ("equipment seized last year", "a law that
    restricts …") describes its noun; it is an event only when it names who did it or to whom."""
    if not trigger.verbal:
        return False
    if trigger.head.dep_ == "relcl":
        return event.actor is None
    return trigger.head.dep_ == "acl" and event.actor is None and event.recipient is None


def _has_named_recipient(trigger: Trigger, ctx: _DocContext) -> bool:
    return _first_participant(_argument_tokens(trigger)[1], ctx) is not None


def _first_participant(tokens: list[Token], ctx: _DocContext) -> Participant | None:
    return next((p for p in (_participant(t, ctx) for t in tokens) if p is not None), None)


def _argument_tokens(trigger: Trigger) -> tuple[Token | None, list[Token]]:
    """The actor's token and the recipient's candidate tokens, likeliest first."""
    head = trigger.head
    if not trigger.verbal:
        actor, recipient = _noun_arguments(head)
        return actor, [recipient] if recipient is not None else []
    children = list(head.children)
    actor = next((c for c in children if c.dep_ == "nsubj"), None)
    agent = next((c for c in children if c.dep_ == "agent"), None)
    if agent is not None:
        actor = next((g for g in agent.children if g.dep_ == "pobj"), actor)
    if actor is None:
        actor = _inherited_subject(head)
    if actor is not None and head.dep_ == "relcl" and actor.tag_ in ("WDT", "WP"):
        actor = head.head  # "a configuration that threatens …": the configuration does it
    direct = [c for c in children if c.dep_ in ("nsubjpass", "dobj", "dative")]
    recipients = direct + [t for t in (_prep_object(head), *(_prep_object(d) for d in direct)) if t is not None]
    return actor, recipients


def _inherited_subject(verb: Token) -> Token | None:
    """The subject of the clause above, for a verb with no subject of its own ("homes had been damaged"
    has one: the speaker of "officials said homes had been damaged" is no doer of the damage)."""
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        return None
    tok = verb
    for _ in range(3):
        if tok.dep_ not in ("xcomp", "conj", "advcl", "ccomp") or tok.head.i == tok.i:
            return None
        tok = tok.head
        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            return subj
    return None


def _prep_object(tok: Token | None) -> Token | None:
    if tok is None:
        return None
    for prep in tok.children:
        if prep.dep_ == "prep" and prep.lower_ in RECIPIENT_PREPS:
            obj = next((g for g in prep.children if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME")), None)
            if obj is not None:
                return obj
    return None


def _noun_arguments(noun: Token) -> tuple[Token | None, Token | None]:
    actor = next((c for c in noun.children if c.dep_ in ("poss", "amod", "compound", "nmod")
                  and (c.ent_type_ in ("NORP", "GPE", "ORG") or c.dep_ == "poss")), None)
    by = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"), None)
    if by is not None:
        actor = next((g for g in by.children if g.dep_ == "pobj"), actor)
    return actor, _prep_object(noun)


def _participant(tok: Token | None, ctx: _DocContext) -> Participant | None:
    if tok is None:
        return None
    mention = ctx.mention_at.get(tok.i)
    if mention is None:
        mention = next((ctx.mention_at[i] for i in range(tok.left_edge.i, tok.right_edge.i + 1)
                        if i in ctx.mention_at), None)
    if mention is not None:
        return Participant(mention.entity, mention.text, mention.start, mention.end)
    entity = ctx.actors.lookup(tok.text) if tok.pos_ in ("ADJ", "PROPN", "NOUN") else None
    if entity is not None:
        return Participant(entity, tok.text, tok.idx, tok.idx + len(tok))
    return None


@dataclass(frozen=True, slots=True)
class _Modality:
    flags: Flags
    depth: int  # how far the trigger is from its clause root (0: the main verb)
    obligation: bool  # "must", "should", "has to": a demand when someone says it
    speaker: Token | None = None  # the subject of the verb of speech above the trigger


def _modality(head: Token) -> _Modality:
    negated = hypothetical = future = reported = obligation = False
    speaker: Token | None = None
    modal: set[str] = set()
    tok: Token | None = head
    for level in range(5):
        if tok is None:
            break
        for c in tok.children:
            low = c.lower_
            if level <= 1 and (c.dep_ == "neg" or (c.dep_ == "det" and low == "no" and c.head.i == head.i)
                               or (level == 0 and low in NEGATORS and c.dep_ == "advmod")):
                negated = True
            elif c.dep_ == "aux" and low in FUTURE_AUX:
                future = True
            elif c.dep_ == "aux" and low in HYPOTHETICAL_AUX:
                modal.add(low)
                obligation = obligation or low in ("must", "should")
            elif c.dep_ == "mark" and low in ("if", "unless", "whether"):
                hypothetical = True
        lemma = tok.lemma_.lower()
        if level > 0 and (lemma in SPEECH or lemma in APPREHENSION):
            reported, speaker = True, speaker or _subject_of(tok)
            hypothetical = hypothetical or lemma in APPREHENSION
        if level > 0 and lemma in PLANNING and (tok.pos_ in ("VERB", "ADJ") or lemma in COMMITMENTS):
            future = True
        if level == 1 and lemma in REFUSAL:
            negated = True
        if level > 0 and lemma in ("have", "need") and tok.i < head.i:
            obligation = True
        if tok.dep_ in ("ROOT", "ccomp") or tok.head.i == tok.i:
            tok = tok.head if tok.dep_ == "ccomp" else None
            if tok is not None and tok.lemma_.lower() in SPEECH:
                reported, speaker = True, speaker or _subject_of(tok)
                hypothetical = hypothetical or tok.lemma_.lower() in APPREHENSION
            tok = None
        else:
            tok = tok.head
    if any(t.lower_ == "according" for t in head.sent):
        reported = True
    if modal == {"would"} and reported and not hypothetical:
        future = True  # "said they would boycott": the future of reported speech
    elif modal:
        hypothetical = True
    flags = Flags(negated=negated, hypothetical=hypothetical, future=future, reported=reported)
    depth = sum(1 for _ in head.ancestors)
    return _Modality(flags, depth, obligation and reported, speaker)


def _subject_of(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ == "nsubj"), None)


def _place(trigger: Trigger, sent: Span, ctx: _DocContext, actor: Participant | None,
           recipient: Participant | None) -> PlaceMention | None:
    lo, hi = sent.start_char, sent.end_char
    in_sentence = [p for p in ctx.places if lo <= p.start < hi]
    if not in_sentence:
        return None
    blocked = [actor] + ([recipient] if QUADS[trigger.type] < 4 else [])
    usable = [p for p in in_sentence if not any(b and b.start <= p.start < b.end for b in blocked)]
    if not usable:
        return None
    head = trigger.head
    sub_lo, sub_hi = head.left_edge.idx, head.right_edge.idx + len(head.right_edge)
    scoped = [p for p in usable if sub_lo <= p.start < sub_hi] or usable
    # the most specific place wins ("the village of Sudzha in the Kursk region" → Sudzha), then one
    # attached by a place preposition, then the nearest
    return min(scoped, key=lambda p: (_PRECISION_RANK[p.place.precision], not _via_place_prep(p, ctx),
                                      abs(p.start - head.idx)))


_PRECISION_RANK = {"point": 0, "town": 1, "region": 2, "country": 3}


def _via_place_prep(place: PlaceMention, ctx: _DocContext) -> bool:
    span = ctx.doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    return root.dep_ == "pobj" and root.head.lower_ in PLACE_PREPS


def _date(trigger: Trigger, sent: Span, ctx: _DocContext) -> DateMention | None:
    lo, hi = sent.start_char, sent.end_char
    candidates = [d for d in ctx.dates if lo <= d.start < hi]
    if not candidates:
        return None
    at = trigger.head.idx
    return min(candidates, key=lambda d: abs(d.start - at))


def _contexts(trigger: Trigger, lexicon: Lexicon, actor: Participant | None,
              recipient: Participant | None) -> tuple[str, ...]:
    contexts = list(lexicon.contexts.get(trigger.type, ()))
    sectors = {p.entity.sector for p in (actor, recipient) if p is not None}
    if "military" in sectors and "military" not in contexts:
        contexts.append("military")
    if "intelligence" in sectors and "intelligence" not in contexts:
        contexts.append("intelligence")
    return tuple(contexts)


def _confidence(trigger: Trigger, actor: Participant | None, recipient: Participant | None, flags: Flags,
                depth: int) -> float:
    score = 0.7 if trigger.verbal else (0.45 if trigger.weak else 0.6)
    score -= 0.04 * min(depth, 3)  # the clause's main verb speaks for the sentence
    score += 0.1 if actor is not None else 0.0
    score += 0.05 if recipient is not None else 0.0
    if flags.hypothetical:
        score *= 0.7
    if flags.negated:
        score *= 0.8
    return round(min(score, 0.95), 3)


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per type and participants in a sentence: "the strike … the blast" is one event."""
    best: dict[tuple[str, str | None, str | None], Event] = {}
    for ev in events:
        key = (ev.type, ev.actor.entity.id if ev.actor else None, ev.recipient.entity.id if ev.recipient else None)
        loose = (ev.type, None, None)
        if loose in best and key != loose and ev.actor is None and ev.recipient is None:
            key = loose
        current = best.get(key)
        if current is None or ev.confidence > current.confidence:
            best[key] = ev
    return sorted(best.values(), key=lambda e: e.evidence.trigger_start)
