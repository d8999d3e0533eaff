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
    ARMED_SECTORS,
    POLITICAL_SECTORS,
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
from forewarn.nlp.inference import civil, deployed
from forewarn.nlp.lexicon import QUADS, Entry, Lexicon
from forewarn.nlp.spans import opens_sentence, sentence_of

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
                         "undertake", "hold", "conduct", "stage", "organise", "organize", "complete", "end",
                         "repel", "repulse", "find", "discover", "recover", "exhume", "uncover", "unearth"})
FUTURE_AUX = frozenset({"will", "shall", "'ll"})
HYPOTHETICAL_AUX = frozenset({"would", "could", "might", "may", "should", "can", "must", "'d"})
PLANNING = frozenset({"plan", "intend", "prepare", "prepared", "aim", "expect", "seek", "want", "hope", "decide",
                      "going", "ready", "willing", "vow", "pledge", "promise", "mean", "propose", "consider",
                      "agreement", "consensus", "decision", "deal", "commitment", "intention"})
PLACE_PREPS = frozenset({"in", "near", "at", "outside", "around", "across", "over", "into", "from", "towards",
                         "toward", "on", "inside", "along", "off", "within", "throughout", "between", "by"})
RECIPIENT_PREPS = frozenset({"against", "on", "with", "to", "at", "into", "upon", "for", "towards", "toward"})
NEGATORS = frozenset({"not", "n't", "never", "no", "without"})
NOUN_MODIFIERS = frozenset({"compound", "amod", "nmod", "poss"})
# Presence (troops, tanks, aircraft) is an event only in a caption or when they move or are seen.
MOTION = frozenset({"move", "advance", "gather", "enter", "arrive", "cross", "drive", "head", "roll", "concentrate",
                    "mass", "travel", "pass", "leave", "approach", "spot", "see", "observe", "film", "record",
                    "photograph", "fly", "deploy", "appear", "withdraw", "position", "station", "show"})
# Prepositions of time whose object is an act that happened ("after the strike", "during the battle").
PRESUPPOSING = frozenset({"after", "during", "following", "amid", "amidst"})
# Nouns of commitment: an act under them is intended ("reached a consensus to exchange …").
COMMITMENTS = frozenset({"agreement", "consensus", "decision", "deal", "commitment", "plan", "pledge", "promise",
                         "intention"})
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
# What a warner announces for the one warned: its own response ("warned Iran would face consequences").
CONSEQUENCES = frozenset({"face", "pay", "suffer", "regret", "bear", "receive", "meet"})
CONSEQUENCE_NOUNS = frozenset({"consequence", "response", "retaliation", "retribution", "reprisal", "repercussion",
                               "countermeasure", "measure", "action", "price", "cost", "punishment", "step"})
# Event types whose actor, named by a country adjective alone ("Russian buildup"), is that country's military.
ARMED_TYPES = frozenset({"MOBILIZE", "ASSAULT", "RETREAT"})
POSSIBLE = frozenset({"could", "may", "might"})
HOSTILE = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "THREATEN", "SANCTION"})
# Events that natural hazards mimic ("homes damaged by the tornado", "lightning struck").
HAZARD_LOOKALIKES = frozenset({"ASSAULT", "COERCE", "THREATEN"})
# A score ("3-2", "1–0"): with one word of sport, a report of a game.
SCORE = re.compile(r"\b\d{1,2} ?[-–] ?\d{1,2}\b")
# A headline label that marks an opinion piece ("Opinion: …", "Editorial | …"): it reports no events.
OPINION_LABELS = frozenset({"opinion", "op-ed", "editorial", "commentary", "column", "letter", "letters"})


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
    demand: bool = False  # "must" said of someone


def find_events(doc: Doc, lexicon: Lexicon, mentions: Sequence[EntityMention], places: Sequence[PlaceMention],
                dates: Sequence[DateMention], published: date, actors: ActorDictionary) -> list[Event]:
    """All events in ``doc``. ``mentions``/``places``/``dates`` are the other components' output."""
    if not len(doc) or _opinion(doc):
        return []
    context = DocContext(doc, mentions, places, dates, published, actors, sports_report(doc, lexicon))
    sentences = list(doc.sents)
    found = [dedupe(_sentence_events(s, lexicon, context)) if prose(s) and not question(s) else []
             for s in sentences]
    for n, sent in enumerate(sentences):
        if _heading(sent) and found[n]:
            later = [ev for events in found[n + 1:] for ev in events]
            found[n] = [ev for ev in found[n] if not any(_same_report(ev, other) for other in later)]
    return [ev for events in found for ev in events]


def _heading(sent: Span) -> bool:
    """A sentence that ends at a paragraph break: a headline, a standfirst or a caption's title, which the
    text below it restates."""
    return sent[-1].is_space and sent[-1].text.count("\n") >= 2


def _same_report(a: Event, b: Event) -> bool:
    """Two events that may be one report: the same type, and participants and places that agree."""
    places = a.place is None or b.place is None or a.place.place.country == b.place.place.country
    return a.type == b.type and places and _agree(a.actor, b.actor) and _agree(a.recipient, b.recipient)


def _agree(a: Participant | None, b: Participant | None) -> bool:
    """Two participants that may be one: either unknown, the same entity, of the same country, one of no
    known country ("French mayor" and "Yannick Morez"), or names with the same last word ("Zaslav",
    "David Zaslav")."""
    if a is None or b is None or a.entity.country is None or b.entity.country is None:
        return True
    if a.entity.id == b.entity.id or a.entity.country == b.entity.country:
        return True
    return a.text.split()[-1:] == b.text.split()[-1:]


def _sentence_events(sent: Span, lexicon: Lexicon, ctx: DocContext) -> list[Event]:
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
    first = [t for t in next(iter(doc.sents)) if not t.is_space]
    before = any(t.lower_ in OPINION_LABELS and t.i + 1 < len(doc) and doc[t.i + 1].text in (":", "|") for t in first)
    after = len(first) > 2 and first[-2].text == "|" and first[-1].lower_ in OPINION_LABELS  # "… | Letter"
    return before or after


def sports_report(doc: Doc, lexicon: Lexicon) -> bool:
    """A report of a game: two words of sport, or one and a score."""
    words = {t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in lexicon.sport}
    score = SCORE.search(doc.text) is not None
    return len(words) + score >= 2


def _off_topic(trigger: Trigger, event: Event, sent: Span, lexicon: Lexicon, ctx: DocContext) -> bool:
    """Words of conflict used of a game, a hazard or private affairs: in a report of a game only
    events with a political participant count; an attack-like event done by a natural hazard or an accident
    (or with no doer, in a sentence about one) is none; talk, claims, demands and deals between named people
    or firms (a lawsuit, a resignation) in a text that names no state, government, armed force or IGO are
    none; a meeting of named people is CONSULT only when one of them is political ("the two presidents held
    talks" names no one and stays)."""
    named = event.actor is not None or event.recipient is not None
    private = QUADS[event.type] < 4 and _private(event) and not ctx.political
    domestic = _phrase(trigger) in lexicon.needs_political and not _acts_on_event(trigger, lexicon)
    if (ctx.sport or private or domestic or (event.type == "CONSULT" and named)) and not political(event):
        return True
    if event.type not in HAZARD_LOOKALIKES and trigger.mode != "investigate":
        return False
    doer = _argument_tokens(trigger)[0]
    if doer is not None and doer.lemma_.lower() in lexicon.hazards:
        return True
    return event.actor is None and any(t.pos_ == "NOUN" and t.lemma_.lower() in lexicon.hazards for t in sent)


def _phrase(trigger: Trigger) -> str:
    """A verbal trigger's lexicon phrase ("step down"); empty for a noun."""
    words = trigger.head.doc[trigger.start: trigger.end]
    return " ".join(t.lemma_.lower() for t in words) if trigger.verbal else ""


def _acts_on_event(trigger: Trigger, lexicon: Lexicon) -> bool:
    """ "protests were banned": what the verb acts on is itself an act of the lexicon."""
    return any(_noun_trigger(t, lexicon.nouns) is not None for t in _acted_on(trigger.head))


def political(event: Event) -> bool:
    """Has the event a participant of a political sector?"""
    return any(p is not None and p.entity.political for p in (event.actor, event.recipient))


def _private(event: Event) -> bool:
    """An event with a named person or organisation of no political sector among its participants."""
    return any(p is not None and p.entity.kind in (EntityKind.PERSON, EntityKind.ORG)
               and p.entity.sector not in POLITICAL_SECTORS for p in (event.actor, event.recipient))


CODE_MARKS = frozenset({"<", ">", "{", "}", "=", ";", "</", "/>", "&nbsp;", "()", "[]", "=>", "==", "&&"})


def prose(sent: Span) -> bool:
    """Markup, code and tables are no reports: most of a sentence's words must be words."""
    words = [t for t in sent if not t.is_punct and not t.is_space]
    if not words:
        return False
    alpha = sum(1 for t in words if t.is_alpha)
    marks = sum(1 for t in sent if t.text in CODE_MARKS)
    return alpha >= 0.5 * len(words) and marks < 2


def question(sent: Span) -> bool:
    """Is the sentence a question (it asserts no event)?"""
    last = next((t for t in reversed(sent) if not t.is_space and t.text not in ('"', "”", "»", "'")), None)
    return last is not None and last.text == "?"


# -- triggers --------------------------------------------------------------------------------------

def _triggers(sent: Span, lexicon: Lexicon) -> list[Trigger]:
    found: list[Trigger] = []
    for tok in sent:
        pos = tok.pos_
        if pos == "VERB" or _verb_read_as_noun(tok) or _verb_read_as_modifier(tok, lexicon):
            trigger = _verb_trigger(tok, lexicon) or _demand(tok)
        elif pos in ("NOUN", "PROPN"):
            trigger = _noun_trigger(tok, lexicon.nouns) or (_noun_trigger(tok, lexicon.adjectives)
                                                           if pos == "PROPN" else None)
            trigger = None if trigger is not None and (_figurative(tok, lexicon) or _off_duty(trigger, sent)) \
                else trigger
        elif pos == "ADJ":
            trigger = _noun_trigger(tok, lexicon.adjectives)
        else:
            trigger = None
        if trigger is not None:
            found.append(trigger)
    return found


def _verb_read_as_noun(tok: Token) -> bool:
    """A parser slip on headlines: the verb after a plural subject read as a noun that has that subject
    ("Protesters storm parliament": "storm" a noun with "Protesters" as its nsubj). A noun with a subject of its
    own is a verb."""
    return tok.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "nsubj" for c in tok.children)


def _verb_read_as_modifier(tok: Token, lexicon: Lexicon) -> bool:
    """A parser slip on headlines: "Police detain protesters" read as one noun phrase, the verb a modifier
    between its subject and its object. A word that is a verb of the lexicon and no noun of it, between two
    nouns that modify the same head, is a verb."""
    head = tok.head
    if (tok.pos_ not in ("NOUN", "ADJ") or tok.dep_ not in ("amod", "compound") or head.i <= tok.i
            or opens_sentence(tok)):
        return False
    before = tok.doc[tok.i - 1]
    lemma = tok.lower_ if tok.lower_ in lexicon.verbs else tok.lower_[:-1]
    return (lemma in lexicon.verbs and lemma not in lexicon.nouns and before.pos_ in ("NOUN", "PROPN")
            and before.head.i == head.i and before.dep_ in NOUN_MODIFIERS)


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
    doer = by or next((c for c in verb.children if c.dep_ == "nsubj"), None) or _inherited_subject(verb)
    if doer is not None and verb.dep_ == "relcl" and doer.tag_ in ("WDT", "WP"):
        return verb.head  # "a restriction that had blocked migrants": the restriction did
    return doer


def _acted_on(verb: Token) -> list[Token]:
    """What a verb acts on: its object, passive subject or particle's object (or, with none, its subject: "the
    reactor shut down"), the noun it describes ("a survey released this week", "the fee, which was frozen") and the word
    that opens its object clause ("asks if …")."""
    out = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
    out += [g for c in verb.children if c.dep_ == "prt" for g in c.children]  # "strikes down the law"
    if not out:  # "the reactor shut down" is "shut the reactor down"
        out = [c for c in verb.children if c.dep_ == "nsubj"]
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


def _off_duty(trigger: Trigger, sent: Span) -> bool:
    """A noun of forces or equipment that is no deployment: a civil thing of that name ("fish tank", "aid
    convoy", "column of smoke", "tank tops", "think tank report": civil words in its phrase or, when it
    qualifies another noun, in that noun's), or, for a weak noun, forces off duty (on display, in a museum, at
    a parade, for sale: ``inference.deployed``)."""
    if trigger.verbal or trigger.type != "MOBILIZE":
        return False
    noun = trigger.head
    of = [g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    phrase = noun.head if noun.dep_ == "compound" else noun
    words = [*noun.doc[min(noun.left_edge.i, phrase.left_edge.i): phrase.i + 1],
             *(w for g in of for w in noun.doc[g.left_edge.i: g.i + 1])]
    return civil(words) or (trigger.weak and not deployed(sent))


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
    """ "X said Y must do Z", "NATO must give Ukraine an answer": a demand even when Z is no event word of its
    own (counted as asserted only when the one it is made of is political, see _code)."""
    modals = _demanding_modals(verb)
    if any(c.dep_ == "aux" and c.lower_ in modals for c in verb.children):
        return Trigger(verb, verb.i, verb.i + 1, "REQUEST", "change", verbal=True, demand=True)
    return None


def _demanding_modals(verb: Token) -> frozenset[str]:
    """The modals that make a demand of a verb: "must" or "should" under a verb of speech or a demand,
    "must" in a main clause with a subject other than the speaker ("They must …", not "We must …")."""
    if verb.dep_ in ("ccomp", "acl") and (verb.head.lemma_.lower() in DEMANDING
                                          or (verb.dep_ == "ccomp" and verb.head.lemma_.lower() in SPEECH)):
        return frozenset({"must", "should"})
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    main = verb.dep_ == "ROOT" and subject is not None and subject.lower_ not in ("i", "we")
    return frozenset({"must"}) if main else frozenset()


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
    if entries is None and low.endswith("s"):  # the lemmatizer slipped ("graves" → "graf") or title case
        entries = next((index[s] for s in _singulars(low) if s in index), None)
    for entry in entries or ():
        n = len(entry.before)
        if n == 0:
            return Trigger(tok, tok.i, tok.i + 1, entry.type, entry.mode, verbal=False, weak=entry.weak)
        if tok.i - n >= tok.sent.start:
            words = tok.doc[tok.i - n: tok.i]
            if all(w.lower_ == b or w.lemma_.lower() == b for w, b in zip(words, entry.before, strict=True)):
                return Trigger(tok, tok.i - n, tok.i + 1, entry.type, entry.mode, verbal=False, weak=entry.weak)
    return None


def _singulars(plural: str) -> list[str]:
    """What a plural may be the plural of: "graves" → grave, "crashes" → crash, "casualties" → casualty."""
    out = [plural[:-1]]
    if plural.endswith("es"):
        out.append(plural[:-2])
    if plural.endswith("ies"):
        out.append(plural[:-3] + "y")
    return out


# -- which triggers make events ---------------------------------------------------------------------

def _select(sent: Span, triggers: list[Trigger]) -> list[Trigger]:
    if not triggers:
        return []
    by_head = {t.head.i: t for t in triggers}
    triggers = [w for w in (_warning(t, by_head) for t in triggers) if w is not None]
    by_head = {t.head.i: t for t in triggers}
    protest = any(t.type == "PROTEST" for t in triggers)
    kept = [t for t in triggers if not _absorbed(t, by_head) and not (protest and _purpose(t))]
    fragment = _caption(sent)
    kept = [t for t in kept if not t.verbal or _asserted(t) or (fragment and _nominal_gerund(t.head))]
    verbal = any(t.verbal for t in kept)
    kept = [t for t in kept if t.verbal or _noun_reports(t, fragment, verbal)]
    battle = any(t.type == "ASSAULT" and t.mode != "destroy" for t in kept)
    return [t for t in kept if not (battle and t.weak and t.type == "MOBILIZE")]  # "forces during a street battle"


def _warning(trigger: Trigger, by_head: dict[int, Trigger]) -> Trigger | None:
    """A warning is the warner's threat only when what it announces is the warner's own act or consequences
    for the one warned. "US warns Russia could invade", "warns of a Russian offensive", "warned about Belarus"
    and "warns rents pose a threat" name what another may do (or a danger): the warner threatens nobody (the
    warned-of event is coded by itself, as hypothetical). "warns Israel against an invasion" asks Israel to
    refrain: a REQUEST."""
    head = trigger.head
    if not trigger.verbal or head.lemma_.lower() not in APPREHENSION:
        return trigger
    own = _subject_of(head) or _inherited_subject(head)
    if any(_clause_of_another(c, head, own, by_head) for c in head.children if c.dep_ == "ccomp"):
        return None
    warned = {prep.lower_: g for prep in head.children if prep.dep_ == "prep" for g in prep.children
              if g.dep_ == "pobj"}
    if "against" in warned and any(c.dep_ == "dobj" for c in head.children):
        return replace(trigger, type="REQUEST", mode="change")
    return None if any(_danger(warned[p], own, by_head) for p in APPREHENSION_PREPS if p in warned) else trigger


def _clause_of_another(clause: Token, warn: Token, own: Token | None, by_head: dict[int, Trigger]) -> bool:
    """A warned clause about another's act or a state of things: its subject (or, where the parser took it as
    the warning's object, "warns Azerbaijan may launch …", the one warned) is not the warner, and it is no
    consequence for the one warned ("warned Iran would face consequences")."""
    subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None and any(c.dep_ == "aux" for c in clause.children):
        subject = next((c for c in warn.children if c.dep_ == "dobj"), None)
    if subject is None or clause.lemma_.lower() in CONSEQUENCES or not _another(subject, own, warn):
        return False
    future = any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX | {"would"} for c in clause.children)
    return _foreseen(clause, by_head) or (clause.i not in by_head and not future)


def _another(subject: Token, own: Token | None, warn: Token) -> bool:
    """Is a warned clause's subject someone other than the warner? A pronoun is, when the sentence names
    someone else before it who is neither the warner nor the one warned ("Latvia watches Russia and warns it
    could attack")."""
    if subject.pos_ != "PRON":
        return own is None or _name(subject) != _name(own)
    warned = {c.i for c in warn.children if c.dep_ == "dobj"}
    mine = set(range(own.left_edge.i, own.right_edge.i + 1)) if own is not None else set()
    return any(t.pos_ == "PROPN" and t.i not in mine | warned for t in warn.sent if t.i < subject.i)


def _danger(noun: Token, own: Token | None, by_head: dict[int, Trigger]) -> bool:
    """What "warned of/about" names is a danger, not the warner's own response: another's act ("a Russian
    offensive"), someone else ("about Belarus"), or a thing or state ("of rising rents"). A consequence or a
    hostile act with no one else's name ("of severe sanctions", "of retaliation") is the warner's threat."""
    if noun.lemma_.lower() in CONSEQUENCE_NOUNS:
        return False
    mine = {t.lower_ for t in own.subtree} if own is not None else set()
    named = [c for c in noun.children if c.dep_ in NOUN_MODIFIERS and c.ent_type_ in ("NORP", "GPE", "ORG")]
    if noun.ent_type_ in ("NORP", "GPE", "ORG", "PERSON") or any(c.lower_ not in mine for c in named):
        return True
    harm = noun.i in by_head and by_head[noun.i].weak and by_head[noun.i].type == "ASSAULT"  # "of ice loss"
    return noun.i not in by_head or harm


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


def _nominal_gerund(verb: Token) -> bool:
    """A gerund used as a noun in a caption ("Aftermath of shelling in Lysychansk"): it names the act."""
    return verb.tag_ == "VBG" and verb.dep_ in ("pcomp", "pobj") and not any(
        c.dep_ in ("nsubj", "dobj", "aux") for c in verb.children)


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
        governed = head.head.lemma_.lower() in GOVERNORS and head.dep_ in ("xcomp", "ccomp", "acl")
        return governed or _intended(head)
    return True


def _intended(verb: Token) -> bool:
    """ "the intention of invading", "plans for attacking": a gerund under a noun of intention."""
    prep = verb.head
    return verb.dep_ == "pcomp" and prep.lower_ in ("of", "for") and prep.head.lemma_.lower() in ("intention", "plan")


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
        if trigger.weak and trigger.type == "MOBILIZE" and other.type == "ASSAULT":
            return True  # the troops of "fighting between Russian troops and Ukrainian forces" are its sides
    return False


def _apprehended(noun: Token) -> bool:
    """ "fear an attack", "warned of an invasion": the noun is what is feared."""
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ in APPREHENSION_PREPS:
        head = head.head
    return noun.dep_ in ("dobj", "pobj") and head.pos_ == "VERB" and head.lemma_.lower() in APPREHENSION


def _presupposed(noun: Token) -> bool:
    """ "after the strike", "during a battle", "following shelling": a time given by an act says it happened."""
    return noun.dep_ == "pobj" and noun.head.lower_ in PRESUPPOSING and noun.head.dep_ == "prep"


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
    if QUADS[trigger.type] < 4 and tok.dep_ == "compound" and tok.tag_ == "NN" and tok.head.pos_ in ("NOUN", "PROPN"):
        return False  # talk that classifies the thing it modifies: "a discussion show", "an aid worker"
    if fragment and sum(1 for _ in tok.ancestors) <= 3:
        return True
    if tok.dep_ == "ROOT" or _apprehended(tok) or _presupposed(tok):
        return True
    heads = MOTION if trigger.type == "MOBILIZE" and trigger.weak else EXISTENTIAL
    if tok.dep_ in ("nsubj", "nsubjpass", "dobj", "attr") and tok.head.lemma_.lower() in heads:
        return True
    if trigger.type == "CONSULT" and tok.dep_ == "nsubj" and tok.head.pos_ in ("VERB", "AUX"):
        return True  # a meeting that does something was held: "the talks focused on …"
    return not trigger.weak and any(c.dep_ == "prep" and c.lower_ in PLACE_PREPS and c.lower_ != "on"
                                    for c in tok.children) and tok.dep_ != "pobj"


# -- coding one event -------------------------------------------------------------------------------

class DocContext:
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
        self.political = any(m.entity.political for m in mentions)


def _code(trigger: Trigger, sent: Span, lexicon: Lexicon, ctx: DocContext) -> Event:
    actor_tok, recipient_toks = _argument_tokens(trigger)
    actor = participant(actor_tok, ctx) or (None if trigger.verbal else _nominal_actor(trigger, ctx))
    recipient = first_participant(recipient_toks, ctx)
    if recipient is not None and actor is not None and recipient.entity.id == actor.entity.id:
        recipient = None
    modality = _modality(trigger.head)
    doer = actor_tok or _governing_subject(trigger.head)
    doer_entity = actor or participant(doer, ctx)
    third = third_party(modality.speaker, doer, doer_entity, ctx)
    named = third and foreign_speaker(modality.speaker, doer_entity, ctx)
    trigger, flags = reinterpret(trigger, modality, third, named)
    if trigger.demand and actor is not None and actor.entity.political:
        flags = replace(flags, hypothetical=False)  # "NATO must give a clear signal": the "must" is the demand
    place = event_place(trigger, sent, ctx, actor, recipient)
    when = event_date(trigger, sent, ctx)
    doc = ctx.doc
    trig_start, trig_end = doc[trigger.start].idx, doc[trigger.end - 1].idx + len(doc[trigger.end - 1])
    return Event(
        type=trigger.type, mode=trigger.mode,
        contexts=event_contexts(trigger, lexicon, actor, recipient),
        actor=actor, recipient=recipient, place=place,
        date=when.value if when else ctx.published,
        date_precision=when.precision if when else TimePrecision.DAY,
        date_from_publication=when is None,
        flags=flags,
        evidence=Evidence(sentence=ctx.sentence[sent.start], start=sent.start_char, end=sent.end_char,
                          trigger_start=trig_start, trigger_end=trig_end),
        confidence=event_confidence(trigger, actor, recipient, flags, modality.depth),
    )


def reinterpret(trigger: Trigger, modality: Modality, third: bool, named: bool) -> tuple[Trigger, Flags]:
    """PLOVER codes what is said about an act: a refused cooperation is REJECT, an announced
    hostile act THREATEN, an announced friendly act AGREE, a "must" said of someone REQUEST.
    Only the actor threatens or commits: a hostile act another says someone plans or will do ("US says
    Russia plans to invade"), or a friendly one a named other says so of ("the Pentagon said Iran is
    planning to supply missiles"), keeps its type and is hypothetical (the claim carries it, see claims.py)."""
    flags, kind = modality.flags, trigger.type
    if flags.negated and kind in COOPERATIVE:
        new = replace(trigger, type="REJECT", mode=REJECT_MODES.get(kind, "change"))
        return new, replace(flags, negated=False)
    if modality.obligation and kind not in FRAMING:
        return replace(trigger, type="REQUEST", mode=REJECT_MODES.get(kind, "change")), flags
    if flags.future and ((third and kind in THREAT_MODES) or (named and kind in COOPERATIVE)):
        return trigger, replace(flags, hypothetical=True)
    if flags.future and not flags.negated and kind in THREAT_MODES:
        return replace(trigger, type="THREATEN", mode=THREAT_MODES[kind]), flags
    if flags.future and not flags.negated and kind in COOPERATIVE and kind != "AGREE" and trigger.mode != "resign":
        return replace(trigger, type="AGREE", mode=None), flags
    return trigger, flags


def third_party(speaker: Token | None, actor_tok: Token | None, actor: Participant | None,
                ctx: DocContext) -> bool:
    """Does someone other than the actor report the act ("Kyiv says Russia plans …")?"""
    if speaker is None or (actor_tok is not None and actor_tok.pos_ == "PRON"):
        return False
    said_by = participant(speaker, ctx)
    if actor is None or said_by is None:
        return True
    same = said_by.entity.id == actor.entity.id or (actor.entity.country is not None
                                                     and said_by.entity.country == actor.entity.country)
    return not same


def foreign_speaker(speaker: Token | None, actor: Participant | None, ctx: DocContext) -> bool:
    """Is the act reported by a named speaker of another country than its actor's ("the Pentagon said Iran …")?"""
    said_by = participant(speaker, ctx)
    countries = [p.entity.country for p in (said_by, actor) if p is not None and p.entity.country is not None]
    return len(countries) == 2 and countries[0] != countries[1]


def _governing_subject(word: Token) -> Token | None:
    """Who does what a trigger without a subject of its own names: the subject of the nearest word above
    it that has one ("he will extend the curfew", "it is prepared to impose martial law")."""
    for tok in word.ancestors:
        subject = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject
    return None


def _nominal_actor(trigger: Trigger, ctx: DocContext) -> Participant | None:
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
    found = participant(next((g for g in of.children if g.dep_ == "pobj"), None), ctx) if of is not None else None
    return found if found is not None and found.entity.sector in ARMED_SECTORS else None


def _national(tok: Token, country: str, kind: str, ctx: DocContext) -> Participant | None:
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


def _has_named_recipient(trigger: Trigger, ctx: DocContext) -> bool:
    return first_participant(_argument_tokens(trigger)[1], ctx) is not None


def first_participant(tokens: list[Token], ctx: DocContext) -> Participant | None:
    """The participant of the first of ``tokens`` that names one."""
    return next((p for p in (participant(t, ctx) for t in tokens) if p is not None), None)


def _argument_tokens(trigger: Trigger) -> tuple[Token | None, list[Token]]:
    """The actor's token and the recipient's candidate tokens, likeliest first."""
    head = trigger.head
    if not trigger.verbal:
        actor, recipient = _noun_arguments(head)
        return actor, [recipient] if recipient is not None else []
    if head.pos_ != "VERB" and head.dep_ in ("amod", "compound") and head.head.i > head.i:
        return head.doc[head.i - 1], [head.head]  # "Police detain protesters" parsed as one noun phrase
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
        clause, tok = tok, tok.head
        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if clause.dep_ == "ccomp" and any(c.dep_ == "aux" for c in clause.children):
            subj = next((c for c in tok.children if c.dep_ == "dobj"), subj)  # "warns Azerbaijan may launch …"
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


def participant(tok: Token | None, ctx: DocContext) -> Participant | None:
    """The actor a token names: the entity mention over it (or in its phrase), else the dictionary's entry."""
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
class Modality:
    """What the words around a trigger say of it: its flags, its depth, a demand, its speaker."""

    flags: Flags
    depth: int  # how far the trigger is from its clause root (0: the main verb)
    obligation: bool  # "must", "should", "has to": a demand when someone says it
    speaker: Token | None = None  # the subject of the verb of speech above the trigger


def _modality(head: Token) -> Modality:
    negated = hypothetical = future = reported = obligation = False
    speaker: Token | None = None
    modal: set[str] = set()
    tok: Token | None = head
    below = head
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
        if level > 0 and lemma in ("have", "need") and tok.i < head.i and below.dep_ == "xcomp":
            obligation = True  # "has to withdraw", not "has no plans to attack"
        if level > 0 and lemma in PLANNING and any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children):
            negated = True  # "has no plans to attack", "no intention of invading"
        below = tok
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
    return Modality(flags, depth, obligation and reported, speaker)


def _subject_of(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ == "nsubj"), None)


def event_place(trigger: Trigger, sent: Span, ctx: DocContext, actor: Participant | None,
                recipient: Participant | None) -> PlaceMention | None:
    """The trigger's place: in its sentence, not inside its participants' words, the most precise in its clause."""
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


def _via_place_prep(place: PlaceMention, ctx: DocContext) -> bool:
    span = ctx.doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    return root.dep_ == "pobj" and root.head.lower_ in PLACE_PREPS


def event_date(trigger: Trigger, sent: Span, ctx: DocContext) -> DateMention | None:
    """The date in the trigger's sentence nearest to it; None when the sentence has none."""
    lo, hi = sent.start_char, sent.end_char
    candidates = [d for d in ctx.dates if lo <= d.start < hi]
    if not candidates:
        return None
    at = trigger.head.idx
    return min(candidates, key=lambda d: abs(d.start - at))


def event_contexts(trigger: Trigger, lexicon: Lexicon, actor: Participant | None,
                   recipient: Participant | None) -> tuple[str, ...]:
    """The lexicon's contexts of the type, with the military or intelligence sector of a participant."""
    contexts = list(lexicon.contexts.get(trigger.type, ()))
    sectors = {p.entity.sector for p in (actor, recipient) if p is not None}
    if "military" in sectors and "military" not in contexts:
        contexts.append("military")
    if "intelligence" in sectors and "intelligence" not in contexts:
        contexts.append("intelligence")
    return tuple(contexts)


def event_confidence(trigger: Trigger, actor: Participant | None, recipient: Participant | None, flags: Flags,
                     depth: int) -> float:
    """A coded event's confidence: its trigger's kind, its depth, its participants, its flags."""
    score = 0.7 if trigger.verbal else (0.45 if trigger.weak else 0.6)
    score -= 0.04 * min(depth, 3)  # the clause's main verb speaks for the sentence
    score += 0.1 if actor is not None else 0.0
    score += 0.05 if recipient is not None else 0.0
    if flags.hypothetical:
        score *= 0.7
    if flags.negated:
        score *= 0.8
    return round(min(score, 0.95), 3)


def dedupe(events: list[Event]) -> list[Event]:
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
