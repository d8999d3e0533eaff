"""Events coded from Russian and Ukrainian text: PLOVER events from the UD parse by a lemma lexicon.

The lexicons (``data/nlp/event_lexicon_ru.yaml``, ``event_lexicon_uk.yaml``) have the English lexicon's
format and loader (:class:`forewarn.nlp.lexicon.Lexicon`): verbs of both aspects, event nouns, light
verbs ("нанести удар", "ввести санкции", "подать в отставку"; also nouns with their argument,
"прекращение огня"), subject overrides ("хакеры атаковали" is a cyber operation) and unfit objects.
For each sentence:

1. triggers: a verb (or participle) of the lexicon, a light verb with its object, an event noun;
2. a trigger that is an argument of another trigger is absorbed by it ("обвинила Киев в ударах" is one
   ACCUSE; "пригрозил закрыть границу" THREATEN); an infinitive reports an act only under a verb of
   attempt, beginning or intention; an imperative or a participle that qualifies a noun reports none;
   a weak noun ("удар", "помощь") only in a sentence with no verbal trigger; in a report of a rotation
   ("ротация: одни подразделения выводят, другие заходят") the units' withdrawal and entry are none;
3. participants, from the linked entities: the actor is the subject (``nsubj``; not a noun the speaker
   addresses, "Друзі, просимо …", that the parser made the subject of a first-person verb), a passive's
   instrumental or "со стороны X" / "з боку X"; the recipient the object, the dative or the object of
   "по", "против", "на", "проти"; a noun's actor its genitive ("ДРГ противника") or a country adjective;
4. place and date as in English (the place in the trigger's clause, the most precise; the nearest date in
   the sentence, else the publication date); modality from the parse: negation ("не", "ні"; a quantifier of
   none, "ни одного прилёта", "жодного обстрілу"), the future tense (not a present that pymorphy3 also
   reads as a perfective homonym's future, "заходят"), "бы"/"б", a modal or a verb of planning above,
   reported speech (a verb of speech above, a parenthetical "сообщает X", "по данным X", "за словами X");
   PLOVER's reinterpretation as in English (a refused cooperation is REJECT, an announced hostile act
   THREATEN …); a verb of mobilisation takes the mode of what it moves ("подтягивают понтонные машины").

A sentence with no event may still report a sighting (``_sighting``): forces or equipment with no verb of
the lexicon ("Колонна техники у Суджи", "Скопление бронетехники под Сумами", "Заход ДРГ", "в лесу
замечена бронетехника") is MOBILIZE, mode ``troops`` for people and ``weapons`` for equipment, when it
is placed (a place found, or a place preposition on the noun) or moving, and nothing shows it off duty
(museum, parade, exhibition, film), in a rotation, or absent ("движения техники нет", "ни одной колонны").
The forces may be the subject of a verb of motion, presence or sight in any clause ("жители пишут: через
село идёт военная техника", "у дворах стоїть техніка") or what a verb of filling names ("улица забита
бронетехникой"). The mode is the head noun's ("грузовики с военными": ``troops``; "колона — танки":
``weapons``); the actor an armed group of a country the words name, else none: the inference component
(:mod:`forewarn.nlp.inference`) then gives it the military the words or the control table imply, as in
English. The words of forces are in :mod:`forewarn.nlp.slavic.forces`. The English sightings component
passes Russian and Ukrainian documents through untouched; this module codes them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from forewarn.model.extraction import (
    ARMED_SECTORS,
    DateMention,
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
from forewarn.nlp.events import (
    ARMED_TYPES,
    FRAMING,
    HAZARD_LOOKALIKES,
    DocContext,
    Modality,
    Trigger,
    dedupe,
    event_confidence,
    event_contexts,
    event_date,
    event_place,
    first_participant,
    foreign_speaker,
    participant,
    political,
    prose,
    question,
    reinterpret,
    sports_report,
    third_party,
)
from forewarn.nlp.lexicon import Entry, Lexicon
from forewarn.nlp.sightings import CONFIDENCE, NAMED_BONUS
from forewarn.nlp.slavic.analysis import LANGUAGES, parses
from forewarn.nlp.slavic.forces import CARRIERS, CIVIL, EQUIPMENT, NOT_DEPLOYED, PEOPLE

NEGATORS = frozenset({"не", "ни", "ні", "нет", "немає", "нема"})
CONDITIONAL = frozenset({"бы", "б", "если", "якщо", "коли б", "якби"})
SPEECH = frozenset({
    "заявить", "заявлять", "сообщить", "сообщать", "сказать", "говорить", "рассказать", "написать", "передать",
    "подчеркнуть", "отметить", "утверждать", "указать", "добавить", "объявить", "признать", "подтвердить",
    "опровергнуть", "предупредить", "пообещать", "считать", "полагать", "уверять", "заверить",
    "заявити", "заявляти", "повідомити", "повідомляти", "сказати", "говорити", "розповісти", "написати",
    "наголосити", "зазначити", "стверджувати", "вказати", "додати", "оголосити", "визнати", "підтвердити",
    "спростувати", "попередити", "запевнити", "вважати",
})
APPREHENSION = frozenset({"предупредить", "предупреждать", "опасаться", "бояться", "попередити", "попереджати",
                          "побоюватися", "боятися", "прогнозировать", "прогнозувати"})
PLANNING = frozenset({"планировать", "намереваться", "собираться", "готовиться", "готовить", "решить", "намерение",
                      "план", "планувати", "мати намір", "збиратися", "готуватися", "готувати", "вирішити",
                      "намір"})
POSSIBLE = frozenset({"мочь", "могти", "можливо", "возможно", "вероятно", "ймовірно"})
OBLIGATION = frozenset({"должен", "должный", "обязан", "нужно", "необходимо", "повинен", "повинний", "мусити",
                        "треба", "необхідно"})
# Words under which an infinitive still reports an act (or a commitment to one).
GOVERNORS = PLANNING | frozenset({
    "начать", "начинать", "продолжить", "продолжать", "пытаться", "попытаться", "стать", "успеть", "удаться",
    "почати", "починати", "продовжити", "продовжувати", "намагатися", "спробувати", "стати", "встигнути",
    "вдатися", "отказаться", "відмовитися", "мочь", "могти",
})
# "по данным X", "по словам X", "как сообщает", "за даними", "за словами", "як повідомляє".
SOURCE_NOUNS = frozenset({"данные", "слово", "сведение", "информация", "дані", "відомість", "інформація"})
SOURCE_PREPS = frozenset({"по", "за", "согласно", "згідно"})
RECIPIENT_PREPS = frozenset({"по", "против", "на", "проти", "в", "у"})
AGENT_HEADS = frozenset({"сторона", "бік"})  # "со стороны X", "з боку X"
ARGUMENT_DEPS = frozenset({"obj", "obl", "iobj", "nsubj:pass", "nsubj", "nmod"})
# Verbs of a place filled with something, which they name in the instrumental ("улица забита бронетехникой").
FILLING = frozenset({"забить", "заполнить", "заставить", "запрудить", "забити", "заповнити", "заставити",
                     "забитый", "заполненный", "заставленный", "забитий", "заповнений", "заставлений"})
MOTION = FILLING | frozenset({
    "идти", "ехать", "двигаться", "прибывать", "прибыть", "въехать", "заехать", "пройти", "проходить", "проехать",
    "тянуться", "стоять", "замечать", "заметить", "видеть", "увидеть", "наблюдать", "фиксировать", "зафиксировать",
    "йти", "їхати", "рухатися", "прибувати", "прибути", "заїхати", "проходити", "проїхати", "тягнутися",
    "стояти", "помічати", "помітити", "бачити", "побачити", "спостерігати", "фіксувати", "зафіксувати",
    "движение", "рух", "направление", "напрямок", "сторона", "бік"})
PLACE_CASES = frozenset({"у", "под", "возле", "около", "близ", "в", "на", "через", "біля", "під", "поблизу", "коло",
                         "поруч", "район", "районі"})
FORCES = PEOPLE | EQUIPMENT | CARRIERS
MOVED = ("obj", "nsubj:pass", "nsubj")  # a verb of mobilisation's arguments that may be its forces, likeliest first
# "ни одного прилёта", "жодного обстрілу", "никаких колонн": a quantifier that denies what it counts.
NO_QUANTIFIERS = frozenset({"никакой", "ніякий", "жоден", "жодний", "нисколько", "ніскільки"})
# A rotation of units: the units it takes out and the ones it brings in neither retreat nor attack.
ROTATION = frozenset({"ротация", "ротація", "ротировать", "ротувати", "ротироваться", "ротуватися"})
ENTERING = frozenset({"зайти", "заходить", "войти", "входить", "заехать", "заезжать", "заходити", "увійти",
                      "входити", "заїхати", "заїжджати"})


@functools.cache
def lexicon_for(lang: str) -> Lexicon:
    """The packaged lexicon of a language (``ru`` or ``uk``), loaded once per process."""
    return Lexicon.load(Path(str(resources.files("forewarn").joinpath(f"data/nlp/event_lexicon_{lang}.yaml"))))


def find_events(doc: Doc, entities: Sequence[EntityMention], places: Sequence[PlaceMention],
                dates: Sequence[DateMention], published: date, actors: ActorDictionary) -> list[Event]:
    """All events in a Russian or Ukrainian ``doc`` (``doc.lang_``); the other components' output as in English."""
    if doc.lang_ not in LANGUAGES or not len(doc):
        return []
    lexicon = lexicon_for(doc.lang_)
    ctx = DocContext(doc, entities, places, dates, published, actors, sports_report(doc, lexicon))
    found: list[Event] = []
    for sent in doc.sents:
        if prose(sent) and not question(sent):
            events = dedupe(_sentence_events(sent, lexicon, ctx))
            found.extend(events or _sighting(sent, ctx))
    return found


def norm(word: str) -> str:
    """A lemma as the lexicons write it: lower case, "ё" as "е", one apostrophe."""
    return word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


def _lemma(tok: Token) -> str:
    return norm(tok.lemma_)


VERB_TAGS = frozenset({"VERB", "INFN", "PRTS", "GRND"})  # full participles (PRTF) qualify nouns: no acts
WINDOW = 4  # words after a verb searched for its object when the parse gives none (Ukrainian parses are weak)


def readings(tok: Token, tags: frozenset[str]) -> list[str]:
    """The lemmas a word may have as one of ``tags`` (pymorphy3's parts of speech), the tagger's first:
    the Russian tagger often misreads Ukrainian words, pymorphy3's dictionary of the language does not."""
    tagged = tok.pos_ in ("VERB", "NOUN", "PROPN")
    if tagged and tok.doc.lang_ == "ru":
        return [_lemma(tok)]  # the tagger learned Russian: its reading is the word's in context
    found = [norm(p.normal_form) for p in parses(tok.text, tok.doc.lang_) if p.tag.POS in tags]
    return list(dict.fromkeys([_lemma(tok), *found])) if found or tagged else []


def _future(tok: Token) -> bool:
    """A verb in the future tense: so tagged, or a word whose every finite reading is future (a present
    form read as the future of a perfective homonym, "заходят", "выводят", is not)."""
    if "Fut" in tok.morph.get("Tense", []):
        return True
    if tok.doc.lang_ == "ru" and tok.morph.get("Tense", []):
        return False  # the tagger learned Russian: its tense is the word's in context
    tensed = [p for p in parses(tok.text, tok.doc.lang_) if p.tag.POS in VERB_TAGS and p.tag.tense is not None]
    return bool(tensed) and all("futr" in p.tag for p in tensed)


def _near(tok: Token) -> list[Token]:
    """A word's arguments: its dependents, and the words after it up to the next punctuation."""
    after = []
    for t in tok.doc[tok.i + 1: min(tok.i + 1 + WINDOW, tok.sent.end)]:
        if t.is_punct:
            break
        after.append(t)
    return [*(c for c in tok.children if c.dep_ in ARGUMENT_DEPS), *after]


# -- triggers --------------------------------------------------------------------------------------

def _sentence_events(sent: Span, lexicon: Lexicon, ctx: DocContext) -> list[Event]:
    triggers = [t for t in (_trigger(tok, lexicon) for tok in sent) if t is not None]
    if any(_lemma(t) in ROTATION for t in sent):
        triggers = [t for t in triggers if not _rotated(t)]
    events = [_code(t, sent, lexicon, ctx) for t in _select(sent, triggers)]
    return [ev for ev, t in events if not _off_topic(t, ev, sent, lexicon, ctx)]


def _rotated(trigger: Trigger) -> bool:
    """In a report of a rotation, a unit's withdrawal or entry is the rotation ("одни подразделения выводят,
    другие заходят на их место"): no retreat, no assault."""
    return trigger.type == "RETREAT" or (trigger.type == "ASSAULT" and trigger.lemma in ENTERING)


def _trigger(tok: Token, lexicon: Lexicon) -> Trigger | None:
    for lemma in readings(tok, VERB_TAGS) if _verbal(tok) else ():
        found = _light(tok, lemma, lexicon, True) or _override(tok, lemma, lexicon) or _verb(tok, lemma, lexicon)
        if found is not None:
            return found
    for lemma in readings(tok, frozenset({"NOUN"})) if tok.pos_ != "VERB" else ():
        found = _light(tok, lemma, lexicon, False) or _noun(tok, lemma, lexicon)
        if found is not None:
            return found
    return None


def _verbal(tok: Token) -> bool:
    """A verb, a participle the tagger took for an adjective, or a word it misread that is a verb form only
    ("обстріляла" tagged ADJ)."""
    if tok.pos_ == "VERB" or (tok.pos_ == "ADJ" and "Part" in tok.morph.get("VerbForm", [])):
        return True
    found = parses(tok.text, tok.doc.lang_)
    return bool(found) and all(p.tag.POS in VERB_TAGS for p in found)


def _light(tok: Token, lemma: str, lexicon: Lexicon, verbal: bool) -> Trigger | None:
    """ "нанести удар", "ввести санкции", "прекращение огня": the argument decides the type."""
    objects = lexicon.light_verbs.get(lemma, {})
    for arg in _near(tok) if objects else ():
        hit = next((objects[w] for w in readings(arg, frozenset({"NOUN"})) if w in objects), None)
        if hit is not None:
            lo, hi = sorted((tok.i, arg.i))
            return Trigger(tok, lo, hi + 1, hit[0], hit[1], verbal=verbal, lemma=lemma)
    return None


def _override(verb: Token, lemma: str, lexicon: Lexicon) -> Trigger | None:
    overrides = lexicon.subject_overrides.get(lemma, {})
    subject = _subject(verb) or (verb.doc[verb.i - 1] if verb.i > verb.sent.start else None)
    hit = next((overrides[w] for w in readings(subject, frozenset({"NOUN"})) if w in overrides), None) \
        if overrides and subject is not None else None
    return Trigger(verb, verb.i, verb.i + 1, hit[0], hit[1], verbal=True, lemma=lemma) if hit else None


def _verb(verb: Token, lemma: str, lexicon: Lexicon) -> Trigger | None:
    objects = lexicon.unfit_objects.get(lemma, frozenset())
    subjects = lexicon.unfit_subjects.get(lemma, frozenset())
    subject = _subject(verb)
    if any(_lemma(c) in objects for c in _near(verb)) or (subject is not None and _lemma(subject) in subjects):
        return None
    entry = next((e for e in lexicon.verbs.get(lemma, ()) if _follows(verb, e)), None)
    if entry is None:
        return None
    return Trigger(verb, verb.i, verb.i + 1, entry.type, entry.mode, verbal=True, lemma=lemma)


def _follows(verb: Token, entry: Entry) -> bool:
    """A phrase's further words ("засудить до …") among the next words."""
    following = {t.lower_ for t in verb.doc[verb.i + 1: min(verb.i + 5, verb.sent.end)]}
    return all(word in following for word in entry.after)


def _noun(noun: Token, lemma: str, lexicon: Lexicon) -> Trigger | None:
    unfit = lexicon.unfit_objects.get(lemma, frozenset())
    if any(_lemma(c) in unfit for c in _near(noun)):
        return None  # "удар по воротам"
    for entry in lexicon.nouns.get(lemma, ()):
        n = len(entry.before)
        words = noun.doc[noun.i - n: noun.i] if noun.i - n >= noun.sent.start else None
        if words is not None and all(_lemma(w) == b or w.lower_ == b for w, b in zip(words, entry.before, strict=True)):
            return Trigger(noun, noun.i - n, noun.i + 1, entry.type, entry.mode, verbal=False, weak=entry.weak)
    return None


def _subject(verb: Token) -> Token | None:
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    return None if subject is not None and _addressed(subject, verb) else subject


def _addressed(noun: Token, verb: Token) -> bool:
    """A noun the speaker addresses ("Друзі, просимо …", "Товарищи, не публикуйте"), which the parser made the
    subject of a verb in the first or second person or the imperative: a noun is of the third."""
    if noun.pos_ not in ("NOUN", "PROPN"):
        return False
    if "Imp" in verb.morph.get("Mood", []) or verb.morph.get("Person", []) in (["1"], ["2"]):
        return True
    finite = [p for p in parses(verb.text, verb.doc.lang_) if p.tag.POS == "VERB" and (p.tag.person or p.tag.mood)]
    return bool(finite) and all(p.tag.person in ("1per", "2per") or p.tag.mood == "impr" for p in finite)


def _none_of(noun: Token) -> bool:
    """ "ни одного прилёта", "жодного обстрілу", "никаких колонн": the noun counted as none."""
    doc = noun.doc
    near = [*doc[max(noun.i - 2, noun.sent.start): noun.i], *(c for c in noun.children if c.dep_ in ("det", "amod"))]
    return any(_lemma(w) in NO_QUANTIFIERS or (w.lower_ in ("ни", "ні") and w.i + 1 < len(doc)
                                              and _lemma(doc[w.i + 1]) == "один") for w in near)


# -- which triggers make events ---------------------------------------------------------------------

def _select(sent: Span, triggers: list[Trigger]) -> list[Trigger]:
    by_head = {t.head.i: t for t in triggers}
    kept = [t for t in triggers if not _absorbed(t, by_head) and (not t.verbal or _asserted(t.head))]
    verbal = any(t.verbal for t in kept)
    fragment = not _has_verb_root(sent)
    return [t for t in kept if t.verbal or not t.weak or (fragment and not verbal) or _reports(t.head)]


def _absorbed(trigger: Trigger, by_head: dict[int, Trigger]) -> bool:
    """Is the trigger an argument of another trigger that speaks for it: a noun under any trigger within
    three steps, a verb under a framing verb ("пригрозил закрыть", "отказался выводить")?"""
    for depth, tok in enumerate(list(trigger.head.ancestors)[:3], 1):
        other = by_head.get(tok.i)
        if other is None:
            continue
        if not trigger.verbal and (other.verbal or depth == 1):
            return True
        if trigger.verbal and other.verbal and other.type in FRAMING:
            return True
    return _after_framing(trigger, by_head)


def _after_framing(trigger: Trigger, by_head: dict[int, Trigger]) -> bool:
    """The same without a parse: a noun after a verbal trigger, or a verb right after a framing one, with no
    punctuation between ("погрозив Києву ядерним ударом", "відмовився виводити війська")."""
    doc = trigger.head.doc
    for tok in reversed(doc[trigger.head.sent.start: trigger.start]):
        if tok.is_punct:
            return False
        other = by_head.get(tok.i)
        if other is not None and other.verbal and (not trigger.verbal or (
                other.type in FRAMING and trigger.start - other.end <= 1)):
            return True
    return False


def _asserted(verb: Token) -> bool:
    """A verb that reports an act: not an imperative, a participle qualifying a noun ("раненых жителей"),
    or an infinitive of an aim ("чтобы не пропустить"); an infinitive under a verb of attempt, beginning,
    intention or refusal does ("пыталась зайти", "отказался выводить")."""
    forms = verb.morph.get("VerbForm", [])
    if "Imp" in verb.morph.get("Mood", []) or ("Part" in forms and verb.dep_ in ("amod", "acl")
                                           and not any(c.dep_ in ("obl", "obj") for c in verb.children)):
        return False
    if "Inf" in forms:
        return _lemma(verb.head) in GOVERNORS and verb.head.i != verb.i
    return True


def _has_verb_root(sent: Span) -> bool:
    return sent.root.pos_ in ("VERB", "AUX") or _verbal(sent.root)


def _reports(noun: Token) -> bool:
    """A weak noun that heads its sentence or is the subject of one ("бои продолжаются")."""
    return noun.dep_ in ("ROOT", "root", "nsubj", "nsubj:pass") or noun.head.i == noun.i


def _off_topic(trigger: Trigger, event: Event, sent: Span, lexicon: Lexicon, ctx: DocContext) -> bool:
    """Words of conflict used of a game (in a report of one, only with a political participant) or done by a
    natural hazard ("ливень затопил")."""
    if ctx.sport and not political(event):
        return True
    if event.type not in HAZARD_LOOKALIKES:
        return False
    doer = _subject(trigger.head)
    return (doer is not None and _lemma(doer) in lexicon.hazards) or (
        event.actor is None and any(_lemma(t) in lexicon.hazards for t in sent))


# -- coding one event -------------------------------------------------------------------------------

def _code(trigger: Trigger, sent: Span, lexicon: Lexicon, ctx: DocContext) -> tuple[Event, Trigger]:
    actor_tok, recipient_toks = _arguments(trigger)
    trigger = replace(trigger, mode=_moved_mode(trigger))
    actor = participant(actor_tok, ctx) or (None if trigger.verbal else _nominal_actor(trigger, ctx))
    recipient = first_participant(recipient_toks, ctx)
    if recipient is not None and actor is not None and recipient.entity.id == actor.entity.id:
        recipient = None
    modality = _modality(trigger.head, sent)
    doer = actor_tok or _governing_subject(trigger.head)
    doer_entity = actor or participant(doer, ctx)
    third = third_party(modality.speaker, doer, doer_entity, ctx)
    named = third and foreign_speaker(modality.speaker, doer_entity, ctx)
    trigger, flags = reinterpret(trigger, modality, third, named)
    place = event_place(trigger, sent, ctx, actor, recipient)
    when = event_date(trigger, sent, ctx)
    doc = ctx.doc
    first, last = doc[trigger.start], doc[trigger.end - 1]
    event = Event(
        type=trigger.type, mode=trigger.mode, contexts=event_contexts(trigger, lexicon, actor, recipient),
        actor=actor, recipient=recipient, place=place,
        date=when.value if when else ctx.published,
        date_precision=when.precision if when else TimePrecision.DAY,
        date_from_publication=when is None, flags=flags,
        evidence=Evidence(sentence=ctx.sentence[sent.start], start=sent.start_char, end=sent.end_char,
                          trigger_start=first.idx, trigger_end=last.idx + len(last)),
        confidence=event_confidence(trigger, actor, recipient, flags, modality.depth),
    )
    return event, trigger


def _moved_mode(trigger: Trigger) -> str | None:
    """A verb of mobilisation moves troops or equipment: the mode its forces show ("подтянули понтонные
    машины" is ``weapons``, "стягивают войска" ``troops``), else the lexicon's."""
    if trigger.type != "MOBILIZE" or not trigger.verbal:
        return trigger.mode
    arguments = sorted((c for c in trigger.head.children if c.dep_ in MOVED), key=lambda c: MOVED.index(c.dep_))
    moved = next((c for c in arguments if set(readings(c, frozenset({"NOUN"}))) & FORCES and _forces(c)), None)
    return _mode(moved) if moved is not None else trigger.mode


def _arguments(trigger: Trigger) -> tuple[Token | None, list[Token]]:
    """The actor's token and the recipient's candidate tokens, likeliest first."""
    head = trigger.head
    if not trigger.verbal:
        return _noun_agent(head), _prepositional(head, ("nmod",))
    children = list(head.children)
    actor = _subject(head) or _agent(head) or _inherited_subject(head)
    direct = [c for c in children if c.dep_ in ("obj", "iobj", "nsubj:pass")]
    return actor, direct + _prepositional(head, ("obl",))


def _agent(verb: Token) -> Token | None:
    """A passive's doer: "со стороны X" / "з боку X", else an instrumental with no preposition ("разрушен
    ударом" names the means, not a doer, so only a name or a group counts)."""
    for c in verb.children:
        if c.dep_ == "obl" and _lemma(c) in AGENT_HEADS:
            return next((g for g in c.children if g.dep_ == "nmod"), None)
    return next((c for c in verb.children if c.dep_ == "obl" and "Ins" in c.morph.get("Case", [])
                 and c.pos_ == "PROPN" and not any(g.dep_ == "case" for g in c.children)), None)


def _inherited_subject(verb: Token) -> Token | None:
    """The subject of the verb above for a complement or conjoined verb ("пыталась зайти")."""
    if verb.dep_ in ("xcomp", "conj") and verb.head.i != verb.i:
        return _subject(verb.head)
    return None


def _governing_subject(word: Token) -> Token | None:
    return next((s for s in (_subject(t) for t in word.ancestors) if s is not None), None)


def _prepositional(head: Token, deps: tuple[str, ...]) -> list[Token]:
    """Arguments by preposition: "по Харькову", "против России", "на Харьков", "проти Росії"."""
    return [c for c in head.children if c.dep_ in deps and any(
        g.dep_ == "case" and g.lower_ in RECIPIENT_PREPS for g in c.children)]


def _noun_agent(noun: Token) -> Token | None:
    """A noun event's doer: its genitive ("атака ДРГ", "переброска бригад") or "со стороны X"."""
    for c in noun.children:
        if c.dep_ == "nmod" and _lemma(c) in AGENT_HEADS:
            return next((g for g in c.children if g.dep_ == "nmod"), None)
    return next((c for c in noun.children if c.dep_ == "nmod" and "Gen" in c.morph.get("Case", [])
                 and not any(g.dep_ == "case" for g in c.children)), None)


def _nominal_actor(trigger: Trigger, ctx: DocContext) -> Participant | None:
    """A country adjective on the noun ("украинских бригад", "российский удар"): that country's military
    for armed acts, else the country."""
    words = [c for c in trigger.head.subtree if c.dep_ == "amod"]
    for tok in words:
        country = ctx.actors.demonym(tok.text) or ctx.actors.demonym(tok.lemma_)
        entity = (None if country is None else ctx.actors.group(country, Sector.MILITARY)
                  if trigger.type in ARMED_TYPES else ctx.actors.country(country))
        if entity is not None:
            return Participant(entity, tok.text, tok.idx, tok.idx + len(tok))
    return None


def _modality(head: Token, sent: Span) -> Modality:
    """The flags of a trigger from the words above it (up to four steps) and the sentence's attribution."""
    hypothetical = obligation = False
    speaker: Token | None = None
    future = _future(head)
    negated = _none_of(head)
    for level, tok in enumerate([head, *list(head.ancestors)[:4]]):
        lemma = _lemma(tok)
        for c in tok.children:
            low = c.lower_
            if level <= 1 and low in NEGATORS and c.dep_ in ("advmod", "neg", "discourse", "det", "amod"):
                negated = True
            elif c.dep_ in ("aux", "aux:pass") and _future(c):
                future = True
            elif low in CONDITIONAL and c.dep_ in ("aux", "mark", "discourse", "advmod"):
                hypothetical = True
        if level > 0 and lemma in SPEECH | APPREHENSION:
            speaker = speaker or _subject(tok)
            hypothetical = hypothetical or lemma in APPREHENSION
        future = future or (level > 0 and lemma in PLANNING)
        hypothetical = hypothetical or (level > 0 and lemma in POSSIBLE)
        obligation = obligation or (level > 0 and lemma in OBLIGATION)
    source = _source(sent)
    reported = speaker is not None or source is not None
    flags = Flags(negated=negated, hypothetical=hypothetical, future=future, reported=reported)
    return Modality(flags, sum(1 for _ in head.ancestors), obligation and reported, speaker or source)


def _source(sent: Span) -> Token | None:
    """Attribution outside the clause: a parenthetical verb of speech ("…, сообщает ТАСС"; its subject)
    or "по данным X", "по словам X", "за даними X" (X, else the source noun itself)."""
    doc = sent.doc
    for tok in sent:
        before = doc[tok.i - 1].lower_ if tok.i > sent.start else ""
        after = doc[tok.i + 1] if tok.i + 1 < sent.end else tok
        speech = bool(SPEECH.intersection(readings(tok, VERB_TAGS)))
        if speech and (before in ("как", "як", "—", "–", ",") or (tok.dep_ == "parataxis" and tok.head.i != tok.i)):
            return _subject(tok) or after
        if before in SOURCE_PREPS and SOURCE_NOUNS.intersection(readings(tok, frozenset({"NOUN"}))):
            return after
    return None


# -- sightings --------------------------------------------------------------------------------------

def _sighting(sent: Span, ctx: DocContext) -> list[Event]:
    """A sighting of forces or equipment with no event verb (see the module's docstring)."""
    if any(_lemma(t) in NOT_DEPLOYED or _lemma(t) in ROTATION for t in sent):
        return []  # forces off duty, or a routine rotation of units
    head = next((h for h in _heads(sent) if _forces(h)), None)
    if head is None or _absent(head):
        return []
    trigger = Trigger(head, head.i, head.i + 1, "MOBILIZE", None, verbal=False)
    place = event_place(trigger, sent, ctx, None, None)
    if place is None and not (_placed(head) or any(_lemma(t) in MOTION for t in sent)):
        return []
    actor = _armed(participant(head, ctx)) or _nominal_actor(trigger, ctx)
    when = min((d for d in ctx.dates if sent.start_char <= d.start < sent.end_char),
               key=lambda d: abs(d.start - head.idx), default=None)
    return [Event(type="MOBILIZE", mode=_mode(head), contexts=("military",), actor=actor,
                  recipient=None, place=place, date=when.value if when else ctx.published,
                  date_precision=when.precision if when else TimePrecision.DAY, date_from_publication=when is None,
                  flags=Flags(), evidence=Evidence(ctx.sentence[sent.start], sent.start_char, sent.end_char,
                                                   head.idx, head.idx + len(head)),
                  confidence=round(CONFIDENCE + (NAMED_BONUS if actor is not None else 0.0), 3))]


def _armed(found: Participant | None) -> Participant | None:
    """A sighting's actor named in its words: an armed group of a country, as in English ("российские
    военные"); forces of no country are left to the inference, and any other name is no actor of it."""
    return found if found is not None and found.entity.sector in ARMED_SECTORS and found.entity.country else None


def _heads(sent: Span) -> list[Token]:
    """The nouns a sentence may show, likeliest first: the root noun (and its conjuncts); the subject or
    object of a verb of motion, presence or sight in any clause ("через село идёт военная техника", "жители
    пишут: идут колонны", "замечена бронетехника", "видят … технику"), or what a verb of filling is filled
    with ("улица забита бронетехникой"); in a sentence whose verbs are all such verbs, or with no verb and
    a root that is no noun, whatever the parse, its first word of forces (the Ukrainian parse is often
    wrong: "у дворах стоїть техніка", "колона техніки біля Суджі" with a root read as a foreign word)."""
    root = sent.root
    found = [root, *(c for c in root.children if c.dep_ == "conj")] if root.pos_ in ("NOUN", "PROPN") else []
    verbs = [t for t in sent if _verbal(t)]
    found.extend(c for v in verbs if _lemma(v) in MOTION for c in v.children if _shown(c, v))
    misread = not verbs and root.pos_ not in ("NOUN", "PROPN", "VERB", "AUX")
    if misread or (verbs and all(any(w in MOTION for w in readings(v, VERB_TAGS)) for v in verbs)):
        found.extend([t for t in sent if set(readings(t, frozenset({"NOUN"}))) & FORCES][:1])
    return found


def _shown(noun: Token, verb: Token) -> bool:
    """Is the noun what a verb of motion, presence or sight shows: its subject or object, or for a verb of
    filling its instrumental with no preposition?"""
    if _lemma(verb) not in FILLING:
        return noun.dep_ in ("nsubj", "nsubj:pass", "obj")
    return (noun.dep_ == "obl" and "Ins" in noun.morph.get("Case", [])
            and not any(c.dep_ == "case" for c in noun.children))


def _forces(head: Token) -> bool:
    """Forces or equipment: a military noun, or a carrier with a military word in its phrase ("колонна
    грузовиков с военными"), and no civil word ("гуманитарный конвой")."""
    words = [t for t in head.subtree if t.i == head.i or t.dep_ != "obl"] + _near(head)
    lemmas = {w for t in words for w in readings(t, frozenset({"NOUN", "ADJF"})) or [_lemma(t)]}
    if lemmas & CIVIL:
        return False
    military = lemmas & (PEOPLE | EQUIPMENT)
    return bool(military) and (bool(_own(head) & FORCES) or head.dep_ != "ROOT")


def _own(head: Token) -> set[str]:
    """The head's own lemmas as a noun (the tagger's where no noun reading is found)."""
    return set(readings(head, frozenset({"NOUN"}))) or {_lemma(head)}


def _mode(head: Token) -> str:
    """``troops`` for forces as people ("колонна грузовиков с военными"), ``weapons`` for equipment ("военная
    техника", "колонна — танки на тягачах"): the head's own noun decides, else the nouns of its phrase."""
    own = _own(head)
    if own & (PEOPLE | EQUIPMENT):
        return "troops" if own & PEOPLE else "weapons"
    nouns = {w for t in head.subtree if t.dep_ != "amod" and t.i != head.i for w in readings(t, frozenset({"NOUN"}))}
    return "troops" if nouns & PEOPLE and not nouns & EQUIPMENT else "weapons"


def _absent(head: Token) -> bool:
    """ "движения техники нет", "техники не видно", "ни одной колонны": a report that nothing was seen."""
    return any(t.lower_ in NEGATORS for t in head.sent) or _none_of(head)


def _placed(head: Token) -> bool:
    """A place preposition after the head: "у Суджи", "под Сумами", "в районе Тёткино", "біля Суджі"."""
    return any(t.lower_ in PLACE_CASES for t in head.doc[head.i + 1: head.sent.end])
