"""Attributed claims in Russian and Ukrainian text: who said what, with the English claims' records and stances.

Constructions (each sentence; the parse is used where it helps, the word order where the parse of
Ukrainian fails):

* a verb of speech with a content clause: "X заявил, что …", "X повідомив, що …", "X заявил: «…»";
  cues whose object or infinitive is the content: "опроверг …", "обвинил Москву в …", "призвал …";
* reported-speech order: "…, — заявил X", "…, сообщает ТАСС", "«…», — сказав X" (the speaker after the
  cue, the content before it), and "Как сообщает X, …" / "Як повідомляє X, …";
* "по данным X", "по словам X", "согласно X", "за даними X", "за словами X", "згідно з X";
* "не соответствует действительности" / "не відповідає дійсності" in what is said: a denial.

Stances as in English (``forewarn.nlp.claims``): ``warn`` (предупредил/попередив), ``deny``
(опроверг/спростував), ``accuse`` (обвинил/звинуватив), ``threat`` (пригрозил/пригрозив), ``assure``
(заверил/запевнив), ``promise``, ``confirm``, ``admit``, ``urge`` (призвал/закликав), ``assert``,
``predict``; ``None`` where the verb only reports (заявил, сообщил, повідомив, сказал) or is negated.
``cue`` is the verb's lemma (or the phrase: "по данным"). The speaker is the cue's subject, else the words
before the cue (or after it, in reported-speech order); its Participant the entity mention over them.
The pipeline then applies the English ``with_claimed``, which links each claim to the event in its content.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from spacy.tokens import Doc, Span, Token

from forewarn.model.extraction import Claim, EntityMention, Participant
from forewarn.nlp.slavic.events import SOURCE_NOUNS, SOURCE_PREPS, VERB_TAGS, norm, readings
from forewarn.nlp.spans import sentence_of


def _stances(groups: dict[str | None, str]) -> MappingProxyType[str, str | None]:
    return MappingProxyType({lemma: stance for stance, words in groups.items() for lemma in words.split()})


# Speech-act cue lemma (both languages) -> stance, None where the verb only reports.
CUE_STANCE = _stances({
    None: "заявить заявлять сказать говорить сообщить сообщать рассказать написать отметить добавить пояснить "
          "уточнить объявить заявити заявляти сказати говорити повідомити повідомляти розповісти написати "
          "зазначити додати пояснити уточнити оголосити",
    "assert": "утверждать настаивать подчеркнуть подчеркивать стверджувати наполягати наголосити наголошувати "
              "підкреслити",
    "warn": "предупредить предупреждать опасаться попередити попереджати побоюватися",
    "deny": "опровергнуть опровергать отрицать спростувати спростовувати заперечити заперечувати",
    "accuse": "обвинить обвинять звинуватити звинувачувати",
    "threat": "пригрозить грозить угрожать погрозити пригрозити погрожувати",
    "assure": "заверить заверять гарантировать запевнити запевняти гарантувати",
    "promise": "пообещать обещать поклясться пообіцяти обіцяти",
    "confirm": "подтвердить подтверждать підтвердити підтверджувати",
    "admit": "признать признавать визнати визнавати",
    "urge": "призвать призывать закликати",
    "predict": "прогнозировать предсказать спрогнозировать прогнозувати передбачити",
})
# Cues whose object or infinitive is what is said ("опроверг информацию", "призвал отступить").
OBJECT_CONTENT = frozenset({"deny", "accuse", "threat", "urge", "confirm", "admit", "promise", "assure", "warn"})
COMPLEMENTIZERS = frozenset({"что", "що", "чтобы", "щоб", "будто", "нібито", "якобы"})
AS = frozenset({"как", "як"})
DASHES = frozenset({"—", "–", "-", ","})
DENIAL_NOUNS = frozenset({"действительность", "дійсність"})
DENIAL_VERBS = frozenset({"соответствовать", "відповідати"})
NEGATORS = frozenset({"не", "ні"})
OPENERS = frozenset({"«", "„", "“", '"'})
CLOSERS = frozenset({"»", "“", "”", '"'})


def find_claims(doc: Doc, entities: Sequence[EntityMention]) -> list[Claim]:
    """Every attributed statement in a Russian or Ukrainian ``doc``, sorted by position."""
    if not len(doc):
        return []
    index = sentence_of(doc)
    claims = [claim for sent in doc.sents for claim in _sentence_claims(sent, index[sent.start], entities)]
    return sorted(claims, key=lambda c: (c.start, c.content_start))


def _sentence_claims(sent: Span, n: int, entities: Sequence[EntityMention]) -> list[Claim]:
    quoted = _quoted(sent)
    found = [c for tok in sent if tok.i not in quoted for c in [_cue_claim(tok, sent, n, entities)] if c is not None]
    source = _source_claim(sent, n, entities)
    return found + ([source] if source is not None and not found else [])


def _quoted(sent: Span) -> set[int]:
    """Tokens inside a quotation: a cue there is the quoted person's word, not an attribution."""
    inside: set[int] = set()
    opened: int | None = None
    for tok in sent:
        if tok.text in OPENERS and opened is None:
            opened = tok.i
        elif tok.text in CLOSERS and opened is not None:
            inside.update(range(opened + 1, tok.i))
            opened = None
    return inside


def cue_lemma(tok: Token) -> str | None:
    """The cue lemma a word is a form of, if it is a verb of speech."""
    return next((w for w in readings(tok, VERB_TAGS) if w in CUE_STANCE), None) if tok.is_alpha else None


def _cue_claim(cue: Token, sent: Span, n: int, entities: Sequence[EntityMention]) -> Claim | None:
    lemma = cue_lemma(cue)
    if lemma is None or "Part" in cue.morph.get("VerbForm", []):
        return None
    stance = None if _negated(cue) else CUE_STANCE[lemma]
    parts = _inverted(cue, sent) or _forward(cue, sent, stance)
    if parts is None:
        return None
    content, speaker = parts
    return _claim(sent, n, entities, lemma, _denial(content) or stance, content, speaker)


def _negated(cue: Token) -> bool:
    return cue.i > cue.sent.start and cue.doc[cue.i - 1].lower_ in NEGATORS


def _inverted(cue: Token, sent: Span) -> tuple[Span, Span] | None:
    """Reported-speech order: "…, — заявил X" / "…, сообщает ТАСС" (content before, speaker after) and "Как
    сообщает X, …" (speaker after the cue up to the comma, content after it)."""
    doc = cue.doc
    before = doc[cue.i - 1] if cue.i > sent.start else None
    if before is not None and before.lower_ in AS:
        comma = next((t.i for t in doc[cue.i + 1: sent.end] if t.text == ","), None)
        if comma is None:
            return None
        return _trim(doc[comma + 1: sent.end]), _trim(doc[cue.i + 1: comma])
    if before is None or before.text not in DASHES or cue.i - sent.start < 3:
        return None
    return _trim(doc[sent.start: cue.i]), _trim(doc[cue.i + 1: sent.end])


def _forward(cue: Token, sent: Span, stance: str | None) -> tuple[Span, Span] | None:
    """"X заявил, что …", "X заявил: «…»", or for cues with object content "X опроверг …": the content after
    the cue, the speaker its subject or the words before it."""
    doc = cue.doc
    window = doc[cue.i + 1: min(cue.i + 8, sent.end)]
    opener = next((t for t in window if t.lower_ in COMPLEMENTIZERS or t.text == ":"), None)
    if opener is not None and not any(cue_lemma(t) for t in doc[cue.i + 1: opener.i]):
        content = _trim(doc[opener.i + 1: sent.end])
    elif CUE_STANCE[cue_lemma(cue) or ""] in OBJECT_CONTENT or stance in OBJECT_CONTENT:
        content = _trim(doc[cue.i + 1: sent.end])
    else:
        return None
    return (content, _speaker_before(cue, sent)) if len(content) else None


def _speaker_before(cue: Token, sent: Span) -> Span:
    """The cue's subject phrase, else the words between the last punctuation before the cue and the cue."""
    subject = next((c for c in cue.children if c.dep_ == "nsubj" and c.i < cue.i), None)
    if subject is not None:
        return _trim(cue.doc[subject.left_edge.i: subject.right_edge.i + 1])
    start = max((t.i + 1 for t in cue.doc[sent.start: cue.i] if t.is_punct), default=sent.start)
    return _trim(cue.doc[start: cue.i])


def _source_claim(sent: Span, n: int, entities: Sequence[EntityMention]) -> Claim | None:
    """ "по данным X, …", "по словам X …", "за даними X", "согласно X": X says the rest of the sentence."""
    doc = sent.doc
    for tok in sent:
        if tok.lower_ not in SOURCE_PREPS or tok.i + 1 >= sent.end:
            continue
        noun = doc[tok.i + 1]
        source = norm(noun.lemma_) in SOURCE_NOUNS or bool(set(readings(noun, frozenset({"NOUN"}))) & SOURCE_NOUNS)
        phrase = f"{tok.lower_} {noun.lower_}" if source else None
        start = noun.i + 1 if phrase else tok.i + 1 + (doc[tok.i + 1].lower_ == "с")
        if phrase is None and tok.lower_ not in ("согласно", "згідно"):
            continue
        end = next((t.i for t in doc[start: sent.end] if t.text == ","), None)
        if end is None:
            return None
        rest = _trim(doc[end + 1: sent.end]) if tok.i == sent.start else _trim(doc[sent.start: tok.i])
        return _claim(sent, n, entities, phrase or tok.lower_, _denial(rest), rest, _trim(doc[start: end]))
    return None


def _denial(content: Span) -> str | None:
    """ "не соответствует действительности", "не відповідає дійсності": what is said denies."""
    words = list(content)
    for i, tok in enumerate(words[:-1]):
        verb = DENIAL_VERBS.intersection(readings(words[i + 1], VERB_TAGS))
        if tok.lower_ in NEGATORS and verb and any(norm(t.lemma_) in DENIAL_NOUNS for t in words[i + 2:]):
            return "deny"
    return None


def _trim(span: Span) -> Span:
    """A span without the punctuation at its edges (quotation marks kept only in pairs)."""
    lo, hi = span.start, span.end
    while lo < hi and span.doc[lo].is_punct and span.doc[lo].text not in OPENERS:
        lo += 1
    while hi > lo and span.doc[hi - 1].is_punct and span.doc[hi - 1].text not in CLOSERS:
        hi -= 1
    return span.doc[lo:hi]


def _claim(sent: Span, n: int, entities: Sequence[EntityMention], cue: str, stance: str | None, content: Span,
           speaker: Span) -> Claim | None:
    if not len(content):
        return None
    text = speaker.text if len(speaker) else ""
    quoted = content[0].text in OPENERS and content[-1].text in CLOSERS
    return Claim(speaker=_participant(speaker, entities), speaker_text=text, cue=cue,
                 content_start=content.start_char, content_end=content.end_char, quoted=quoted, stance=stance,
                 sentence=n, start=sent.start_char, end=sent.end_char)


def _participant(words: Span, entities: Sequence[EntityMention]) -> Participant | None:
    """The first entity mention over the speaker's words."""
    if not len(words):
        return None
    found = next((m for m in entities if m.start < words.end_char and words.start_char < m.end), None)
    return Participant(found.entity, found.text, found.start, found.end) if found is not None else None
