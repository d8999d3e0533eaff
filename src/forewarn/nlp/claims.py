"""Claims: who said what. Direct quotations, indirect (reported) speech and "according to".

``find_claims(doc, mentions)`` reads a parsed spaCy ``Doc`` and returns one :class:`Claim` per
attributed statement. Only sentences holding a speech-act cue or a quotation mark are examined: a
single vectorised pass over the token attributes finds them, so documents without speech cost
almost nothing.

Constructions covered:

* indirect speech: a cue verb with a content clause (``ccomp``, a "that"-clause, or for some cues
  an object / infinitive: "denied involvement", "vowed to retaliate", "called on Russia to …");
* direct quotation in ``" “ ” « »`` with the attribution after ("…," Peskov said / said Peskov),
  before (Peskov said: "…") or inherited from the previous quotation ("…," he said. "…");
* "according to X, …";
* agentless passives ("It was reported that …", "Russia was accused of …"): speaker ``None``,
  ``speaker_text`` "".

Choices worth knowing:

* A negated cue ("did not deny", "refused to confirm", "never admitted") keeps its claim, with the
  cue lemma, but with ``stance=None``: negating "deny" does not make an assertion.
* A claim's ``start``/``end`` cover every sentence it touches (a quotation cut by the sentence
  splitter, an attribution in the neighbouring sentence); ``sentence`` is the index of the first.
* The speaker is the cue's subject (expanded over compounds and appositions, without relative
  clauses). ``speaker`` is set from the linked mention that covers the subject's head, an apposition,
  or a modifier of the head ("Kremlin spokesman" → the Kremlin), never from a prepositional phrase
  ("a resident of Kharkiv" stays unnamed). The Participant carries the mention's own words/offsets.
* Cues inside an attributed quotation are the quoted person's words and yield no claim of their own.

Stances (``Claim.stance``): ``warn`` (a warning or fear that someone may act), ``deny`` (a denial),
``accuse`` (an accusation), ``threat`` (the speaker's own threat), ``assure`` (an assurance that the
speaker will not act), ``promise`` (a commitment to act, friendly or not: "vowed to retaliate"),
``assert``, ``confirm``, ``admit``, ``urge``, ``predict``; ``None`` where the verb only reports. A neutral
verb takes its stance from what it reports: "US officials say Russia could invade" is a warning, "Moscow says
it has no plans to attack" an assurance.

``with_claimed`` adds the claimed event (``Claim.claimed``): the most confident event whose trigger
lies in the claim's content; else a hostile act the event lexicon does not name, said in general terms
(a verb of force, pressure or troop movement, possible, planned or ruled out: "Belarus could push
migrants", "has no intention of attacking"; a hostile noun: "warned of a Russian offensive"); else the
event the cue itself carries (a threat, an accusation: the accused is the claimed actor; never a
warning's own verb), with its modality ("asserted", "possible", "planned", "feared", "denied"). Its
actor is the doer of the content clause where one is named: the clause's subject, the controller of a
subjectless complement ("denies massing troops": the speaker; "accused Kyiv of planning": Kyiv), a
pronoun's referent (the speaker for what one says of oneself, else the named side before it in the
sentence), a country adjective's military ("a Russian offensive"). The event itself stays in ``events``
as the events component coded it: a warning about another's act is that act, hypothetical and
reported, with its own actor (never the warner's threat).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from spacy.attrs import IS_SPACE, LEMMA, LOWER, ORTH, PREFIX
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from forewarn.model.extraction import Claim, ClaimedEvent, EntityMention, Event, Participant, Sector
from forewarn.nlp.actors import ActorDictionary
from forewarn.nlp.spans import sentence_of

CLAIMS_VERSION = "2"  # bump when what the claims component extracts changes

# Speech-act cue lemma -> stance (None where the verb only reports, without taking a position).
CUE_STANCE: Mapping[str, str | None] = MappingProxyType(
    {
        "say": None,
        "tell": None,
        "state": None,
        "add": None,
        "note": None,
        "write": None,
        "post": None,
        "report": None,
        "announce": None,
        "explain": None,
        "suggest": None,
        "argue": None,
        "declare": "assert",
        "claim": "assert",
        "assert": "assert",
        "insist": "assert",
        "stress": "assert",
        "emphasise": "assert",
        "emphasize": "assert",
        "allege": "accuse",
        "accuse": "accuse",
        "deny": "deny",
        "reject": "deny",
        "dismiss": "deny",
        "confirm": "confirm",
        "warn": "warn",
        "fear": "warn",
        "caution": "warn",
        "threaten": "threat",
        "promise": "promise",
        "pledge": "promise",
        "vow": "promise",
        "assure": "assure",
        "reassure": "assure",
        "guarantee": "assure",
        "admit": "admit",
        "acknowledge": "admit",
        "urge": "urge",
        "call": "urge",
        "predict": "predict",
    }
)
ACCORDING_CUE = "according to"

_OPENERS = frozenset({"“", "«", "„"})
_CLOSERS = frozenset({"”", "»", "‟"})
_STRAIGHT = '"'
_QUOTE_MARKS = _OPENERS | _CLOSERS | {_STRAIGHT}
_MAX_QUOTE_TOKENS = 400  # an "opening" mark further than this from its closer is a stray mark
_ATTRIBUTION_WINDOW = 12  # tokens searched for the cue before/after a quotation
_COMPLEMENT_DEPS = frozenset({"dobj", "oprd", "attr", "prep", "acomp", "npadvmod", "nsubj", "nsubjpass"})
_STOP_TEXT = frozenset({".", "!", "?", ";"})
_EDGE_PUNCT = frozenset({",", ".", ";", ":", "—", "–", "-", "!"})
_ATTRIBUTION_PUNCT = frozenset({","})  # "…," he said: the comma belongs to the attribution

# Which extra complements carry the content, per cue (a ccomp / "that"-clause always does).
_OBJECT_CONTENT = frozenset(
    {"deny", "confirm", "admit", "acknowledge", "announce", "report", "claim", "allege", "predict", "threaten"}
    | {"fear"}
    | {"promise", "pledge", "vow"}
)
_INFINITIVE_CONTENT = frozenset({"promise", "pledge", "vow", "threaten", "claim", "urge", "call", "deny", "admit"})
_PREP_CONTENT: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "warn": frozenset({"of", "against", "about"}),
        "accuse": frozenset({"of"}),
        "admit": frozenset({"to"}),
        "call": frozenset({"on", "upon", "for"}),
        "urge": frozenset({"on"}),
    }
)
_WITH_OBJECT = frozenset({"accuse", "urge", "warn"})
# Claimed acts a neutral verb turns into a warning (said of another) or a threat (said of oneself).
_HOSTILE = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "THREATEN", "SANCTION"})
_FEARING = frozenset({"fear", "worry"})
# Foreseen acts in general terms (the clause's verb not in the event lexicon): what is possible or prepared,
# the nouns of armed attack as its object, and verbs of force or pressure with the type they stand for.
_POSSIBLE = frozenset({"could", "may", "might"})
_WILL = frozenset({"will", "would", "shall", "'ll"})
_PREPARING = frozenset({"prepare", "plan", "gear", "intend", "plot", "seek", "aim"})
_INTENT_NOUNS = frozenset({"plan", "intention", "intent", "desire", "wish", "ambition"})  # "has no plans to …"
_HOSTILE_OBJECTS = {**dict.fromkeys(("offensive", "counteroffensive", "attack", "assault", "invasion", "war",
                                     "incursion", "strike", "provocation", "escalation", "operation", "sabotage",
                                     "bombing", "raid", "annexation"), "ASSAULT"),
                    **dict.fromkeys(("test", "drill", "exercise", "buildup", "build-up", "deployment",
                                     "mobilisation", "mobilization"), "MOBILIZE"),
                    **dict.fromkeys(("blockade", "coup", "pressure", "interference", "destabilisation",
                                     "destabilization", "takeover"), "COERCE")}
# Verbs of force, pressure or troop movement, for a foreseen act the event lexicon does not name.
_FORCE_VERBS = {**dict.fromkeys(("test", "step", "escalate", "mass", "amass", "reinforce", "station", "build",
                                 "move", "send", "deploy", "redeploy", "return", "cross", "enter", "advance",
                                 "stray", "transfer", "dispatch", "relocate", "position", "concentrate", "call up",
                                 "mobilise", "mobilize", "conscript"), "MOBILIZE"),
                **dict.fromkeys(("provoke", "intimidate"), "THREATEN"),
                **dict.fromkeys(("pressure", "destabilise", "destabilize", "subvert", "blockade", "block", "push",
                                 "install", "topple", "overthrow", "oust", "interfere", "meddle"), "COERCE"),
                **dict.fromkeys(("sabotage", "infiltrate", "attack", "invade", "strike", "seize", "annex",
                                 "storm", "retaliate"), "ASSAULT")}
_FIRST_PERSON = frozenset({"we", "our", "us", "i", "my", "me"})  # in what was said: the speaker
_THIRD_PERSON = frozenset({"it", "its", "they", "their", "them"})
_OWN_STANCES = frozenset({"assure", "promise", "deny", "threat", "admit"})  # said of oneself
_WARNING_SIGNS = frozenset({"MOBILIZE", "THREATEN"})  # another's build-up or threat, even as a fact, warns
_ARMED = frozenset({"ASSAULT", "MOBILIZE"})  # a country adjective before such a noun names its military
_CARRYING_STANCES = frozenset({"accuse", "threat", "promise", "deny", "admit", "confirm"})  # the cue's event is the act
_ATTEMPT_NOUNS = frozenset({"attempt", "bid", "effort", "plan", "plot", "move", "threat"})  # "an attempt to topple"
_HOSTILE_FORMS = {"force": "ASSAULT"}  # "use force", "by force" (the singular only: "forces" are troops)
_FORESEEN = frozenset({"possible", "planned", "feared"})  # "accused Russia of …", "urged Kyiv to …"
_STATEMENT_ONLY = frozenset({"reject", "dismiss"})  # only when what is rejected is a statement
_STATEMENT_NOUNS = frozenset(
    {"claim", "allegation", "accusation", "report", "charge", "statement", "assertion", "suggestion"}
    | {"speculation", "rumour", "rumor", "assessment", "conclusion", "finding", "criticism", "assertion"}
    | {"story", "notion", "idea", "narrative", "denial", "warning", "threat", "ultimatum"}
)
_DENY_NOT_SPEECH = frozenset({"access", "entry", "visa", "permission", "request", "application", "asylum", "bail"})
_NEGATING_HEADS = frozenset({"refuse", "decline", "fail"})
_NOT_CONTENT_MARKS = frozenset({"whether", "if"})
# "according to the plan / the law …" names a rule, not a source.
_NOT_SOURCES = frozenset(
    {"plan", "law", "procedure", "rule", "regulation", "schedule", "agreement", "treaty", "constitution"}
    | {"principle", "standard", "protocol", "programme", "program", "scenario", "script", "order", "decree"}
    | {"tradition", "logic", "scheme", "template", "algorithm", "formula", "requirement", "norm", "will"}
)
_NOT_SPEAKERS = frozenset({"this", "that", "these", "those"})
_SPEAKER_DROP = frozenset({"relcl", "acl", "advcl", "punct", "cc", "conj"})
_MAX_MENTION_CHARS = 300  # how far back a mention overlapping a speaker may start
_SPEAKER_CORE = frozenset({"compound", "poss", "amod", "nmod", "flat", "appos", "det"})

_CUE_IDS = np.array(sorted(get_string_id(lemma) for lemma in CUE_STANCE), dtype=np.uint64)
_QUOTE_IDS = np.array(sorted(get_string_id(mark) for mark in _QUOTE_MARKS), dtype=np.uint64)
_ACCORDING_ID = get_string_id("according")
_COLON_ID = get_string_id(":")
_MAX_HEADLINE_SPEAKER = 4  # tokens before the colon of a "US: Russia could attack …" headline
HEADLINE_CUE = "say"


@dataclass(frozen=True, slots=True)
class _Candidates:
    cues: tuple[int, ...]  # token indices whose lemma is a cue
    quotes: tuple[int, ...]  # token indices of quotation marks (or of words glued to an opening mark)
    according: tuple[int, ...]
    colons: tuple[int, ...]  # token indices of colons (headline attributions "US: …")
    breaks: tuple[int, ...]  # whitespace tokens holding a newline (paragraph boundaries)


@dataclass(frozen=True, slots=True)
class _Context:
    """Per-document lookups shared by the extractors below."""

    doc: Doc
    sent_of: list[int]
    sent_bounds: tuple[tuple[int, int], ...]  # token [start, end) of every sentence
    mentions: Sequence[EntityMention]
    mention_starts: list[int]
    actors: ActorDictionary | None = None  # for a country adjective before a claimed noun ("a Russian offensive")


@dataclass(frozen=True, slots=True)
class _Quote:
    open: int  # token index of the opening mark
    close: int  # token index of the closing mark
    glued: bool = False  # the opening mark is the first character of the word at ``open`` ('."This')


def find_claims(doc: Doc, mentions: Sequence[EntityMention]) -> list[Claim]:
    """Every attributed statement in ``doc``, sorted by position.

    ``mentions`` are the document's linked entity mentions sorted by ``start`` (char offsets into
    ``doc.text``); a speaker that overlaps one gets it as its ``Participant``.
    """
    if len(doc) == 0:
        return []
    found = _scan(doc)
    if not (found.cues or found.quotes or found.according or found.colons):
        return []
    ctx = _context(doc, mentions)
    quotes = _pair_quotes(doc, found.quotes, found.breaks)
    quote_claims, used, inside = _quote_claims(ctx, quotes, set(found.quotes))
    cues = [doc[i] for i in found.cues if i not in used and i not in inside]
    claims = quote_claims + _indirect_claims(ctx, cues) + _according_claims(ctx, found.according) + [
        claim for i in found.colons if (claim := _headline_claim(ctx, i)) is not None]
    return sorted(claims, key=lambda c: (c.start, c.content_start))


# ---------------------------------------------------------------- scanning


def _scan(doc: Doc) -> _Candidates:
    """Token indices of cues, quotation marks, "according" and paragraph breaks, in one pass."""
    arr = doc.to_array([LEMMA, ORTH, LOWER, IS_SPACE, PREFIX]).astype(np.uint64)
    cues = np.flatnonzero(np.isin(arr[:, 0], _CUE_IDS))
    quotes = np.flatnonzero(np.isin(arr[:, 1], _QUOTE_IDS) | np.isin(arr[:, 4], _QUOTE_IDS))
    according = np.flatnonzero(arr[:, 2] == _ACCORDING_ID)
    colons = np.flatnonzero(arr[:, 1] == _COLON_ID)
    spaces = np.flatnonzero(arr[:, 3])
    breaks = tuple(int(i) for i in spaces if "\n" in doc[int(i)].text) if quotes.size else ()
    return _Candidates(_ints(cues), _ints(quotes), _ints(according), _ints(colons), breaks)


def _ints(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def _context(doc: Doc, mentions: Sequence[EntityMention], actors: ActorDictionary | None = None) -> _Context:
    bounds = tuple((s.start, s.end) for s in doc.sents)
    return _Context(doc, sentence_of(doc), bounds, mentions, [m.start for m in mentions], actors)


# ---------------------------------------------------------------- direct quotations


def _pair_quotes(doc: Doc, marks: Sequence[int], breaks: Sequence[int]) -> list[_Quote]:
    """Pair opening and closing marks, one level of nesting deep; a paragraph break drops open quotes."""
    events = sorted([(i, False) for i in marks] + [(i, True) for i in breaks])
    pairs: list[_Quote] = []
    stack: list[int] = []
    for i, is_break in events:
        side = "break" if is_break else _side(doc, i)
        if side == "break":
            stack.clear()
        elif side == "open" or (side == "either" and not stack):
            stack[:] = [*stack[-1:], i]  # a third level means the oldest opener was stray
        elif stack:
            opened = stack.pop()
            if 1 < i - opened <= _MAX_QUOTE_TOKENS:
                pairs.append(_Quote(opened, i, glued=len(doc[opened]) > 1))
    return sorted(pairs, key=lambda q: q.open)


def _side(doc: Doc, i: int) -> str:
    """Which side a mark stands on: "open", "close", or "either" for a straight mark with space on
    both sides or on neither (a word glued to an opening mark counts as "open")."""
    mark = doc[i].text
    if mark in _OPENERS or len(mark) > 1:
        return "open"
    if mark in _CLOSERS:
        return "close"
    space_before = i == 0 or bool(doc[i - 1].whitespace_) or doc[i - 1].is_space
    space_after = i + 1 == len(doc) or bool(doc[i].whitespace_) or doc[i + 1].is_punct or doc[i + 1].is_space
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "either"


def _quote_claims(ctx: _Context, quotes: list[_Quote], marks: set[int]) -> tuple[list[Claim], set[int], set[int]]:
    """Claims for attributed quotations, the cue tokens they used, and the tokens they quote.

    ``marks`` (every quotation mark, paired or not) bound the search for an attribution.
    """
    in_quote = _quoted_tokens(quotes)
    claims: list[Claim] = []
    used: set[int] = set()
    inside: set[int] = set()
    previous: tuple[_Quote, Token] | None = None
    for quote in quotes:
        cue = _attribution(ctx.doc, quote, marks, in_quote)
        continued = cue is None and previous is not None and _continues(ctx.doc, previous[0], quote, marks)
        if continued and previous is not None:
            cue = previous[1]
        if cue is None:
            previous = None
            continue
        claim = _quote_claim(ctx, quote, cue, with_cue=not continued)
        if claim is not None:
            claims.append(claim)
            used.add(cue.i)
            inside.update(range(quote.open, quote.close + 1))
        previous = (quote, cue) if claim is not None else None
    return claims, used, inside


def _quoted_tokens(quotes: list[_Quote]) -> set[int]:
    tokens: set[int] = set()
    for q in quotes:
        tokens.update(range(q.open, q.close + 1))
    return tokens


def _attribution(doc: Doc, quote: _Quote, marks: set[int], in_quote: set[int]) -> Token | None:
    """The cue verb that attributes the quotation: after it ("…," he said) or before (he said: "…")."""
    before_colon = _previous_word(doc, quote.open)
    if before_colon is not None and before_colon.text == ":":
        return _cue_before(doc, quote, marks, in_quote) or _cue_after(doc, quote, marks, in_quote)
    return _cue_after(doc, quote, marks, in_quote) or _cue_before(doc, quote, marks, in_quote)


def _cue_after(doc: Doc, quote: _Quote, marks: set[int], in_quote: set[int]) -> Token | None:
    for i in range(quote.close + 1, min(len(doc), quote.close + 1 + _ATTRIBUTION_WINDOW)):
        token = doc[i]
        if i in marks or token.text in _STOP_TEXT or (token.is_space and "\n" in token.text):
            return None
        if _is_cue(token) and _attributes(token, quote, in_quote):
            return token
    return None


def _cue_before(doc: Doc, quote: _Quote, marks: set[int], in_quote: set[int]) -> Token | None:
    for i in range(quote.open - 1, max(-1, quote.open - 1 - _ATTRIBUTION_WINDOW), -1):
        token = doc[i]
        if i in marks or token.text in _STOP_TEXT or (token.is_space and "\n" in token.text):
            return None
        if _is_cue(token):
            reaches = token.right_edge.i >= quote.open - 1
            return token if reaches and _attributes(token, quote, in_quote) else None
    return None


def _previous_word(doc: Doc, i: int) -> Token | None:
    i -= 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    return doc[i] if i >= 0 else None


def _attributes(cue: Token, quote: _Quote, in_quote: set[int]) -> bool:
    return _content_is_quoted(cue, in_quote) and not _quote_is_complement(cue, quote)


def _quote_is_complement(cue: Token, quote: _Quote) -> bool:
    """The quotation is what the verb names or takes as object, not what was said
    (Moscow calls it a "special military operation"; they denied the "absurd" claims)."""
    token = cue.doc[min(quote.open + 1, quote.close)]
    for _ in range(_ATTRIBUTION_WINDOW + 4):
        if token.head is token or token.head == cue:
            return token.head == cue and token.dep_ in _COMPLEMENT_DEPS
        token = token.head
    return False


def _content_is_quoted(cue: Token, in_quote: set[int]) -> bool:
    """A cue attributing a quotation has no content clause of its own after it outside quotation
    marks ("…," he said that …; he said the talks were "a dead end"). A clause before it outside the
    marks is a misparse we tolerate."""
    return all(c.i in in_quote for c in cue.children if c.dep_ == "ccomp" and c.i > cue.i)


def _continues(doc: Doc, previous: _Quote, quote: _Quote, marks: set[int]) -> bool:
    """A quotation opening a sentence right after the previous attributed one ("…," he said. "…")."""
    before = _previous_word(doc, quote.open)
    if before is None or not (before.i == previous.close or before.text in _STOP_TEXT):
        return False
    between = [t for t in doc[previous.close + 1 : quote.open] if not t.is_space]
    return len(between) <= _ATTRIBUTION_WINDOW and not any(t.i in marks for t in between)


def _quote_claim(ctx: _Context, quote: _Quote, cue: Token, with_cue: bool) -> Claim | None:
    """The claim of an attributed quotation; its sentence span covers the cue unless the quotation
    continues an earlier one ("…," he said. "…"), which stands in its own sentence(s)."""
    lo, hi = _trim_tokens(ctx.doc, quote.open + (0 if quote.glued else 1), quote.close - 1, _ATTRIBUTION_PUNCT)
    if hi < lo:
        return None
    chars = _chars(ctx.doc, lo, hi)
    if quote.glued and lo == quote.open:
        chars = (chars[0] + 1, chars[1])
    first = min(quote.open, cue.i) if with_cue else quote.open
    last = max(quote.close, cue.i) if with_cue else quote.close
    return _claim(ctx, cue, cue.lemma_.lower(), chars, (first, last), quoted=True)


# ---------------------------------------------------------------- indirect speech


def _indirect_claims(ctx: _Context, cues: list[Token]) -> list[Claim]:
    claims: list[Claim] = []
    for cue in cues:
        if not _is_cue(cue) or _is_question(ctx, cue):
            continue
        content = _content_tokens(cue)
        if content is None:
            continue
        lo, hi = _trim_tokens(ctx.doc, *content)
        if hi < lo:
            continue
        chars = _chars(ctx.doc, lo, hi)
        claim = _claim(ctx, cue, cue.lemma_.lower(), chars, (min(lo, cue.i), max(hi, cue.i)), quoted=False)
        if claim is not None:
            claims.append(claim)
    return claims


def _is_cue(token: Token) -> bool:
    """A speech verb, not "the said agreement" or a noun ("the state", "a report")."""
    return token.pos_ == "VERB" and token.dep_ not in ("amod", "compound") and token.lemma_.lower() in CUE_STANCE


def _is_question(ctx: _Context, cue: Token) -> bool:
    _, end = ctx.sent_bounds[ctx.sent_of[cue.i]]
    last = ctx.doc[end - 1]
    while last.is_space and last.i > 0:
        last = ctx.doc[last.i - 1]
    return last.text == "?"


def _content_tokens(cue: Token) -> tuple[int, int] | None:
    """Token bounds [lo, hi] (inclusive) of what the cue reports, or None without content."""
    parts = [p for part in _content_parts(cue) for p in _unwrap_preposition(part)]
    if not parts:
        return _parataxis_content(cue)
    lo = min(p.left_edge.i for p in parts)
    first = parts[0].doc[lo]
    if first.lower_ == "that" and (first.dep_ == "mark" or first.pos_ == "SCONJ"):
        lo += 1  # the complementiser is not part of what was said
    return lo, max(p.right_edge.i for p in parts)


def _unwrap_preposition(part: Token) -> list[Token]:
    """A preposition gives way to its object ("warned of a catastrophe" → "a catastrophe")."""
    if part.dep_ != "prep":
        return [part]
    return [c for c in part.children if c.dep_ in ("pobj", "pcomp")] or [part]


def _content_parts(cue: Token) -> list[Token]:
    lemma = cue.lemma_.lower()
    children = list(cue.children)
    clauses = [c for c in children if _is_content_clause(c)]
    if clauses:
        return clauses
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in children)
    parts = [c for c in children if _is_extra_content(lemma, c, passive)]
    if not parts or (lemma == "call" and not _calls_on_to_act(parts, children)):
        return []
    if lemma in _WITH_OBJECT and not passive:
        parts += [c for c in children if c.dep_ == "dobj" and c not in parts]
    return parts


def _calls_on_to_act(parts: list[Token], children: list[Token]) -> bool:
    """A call for something or on someone to act, not "called each other on the phone"."""
    if any(p.lower_ == "for" for p in parts):
        return True
    return any(c.dep_ == "xcomp" for c in children) or any(c.dep_ == "xcomp" for p in parts for c in p.subtree)


def _is_content_clause(child: Token) -> bool:
    if child.dep_ == "ccomp":
        return child.left_edge.lower_ not in _NOT_CONTENT_MARKS and child.lower_ not in _NOT_CONTENT_MARKS
    if child.dep_ in ("advcl", "dep"):
        return any(c.dep_ == "mark" and c.lower_ == "that" for c in child.children)
    return False


def _is_extra_content(lemma: str, child: Token, passive: bool) -> bool:
    dep = child.dep_
    if dep == "xcomp":
        return passive or lemma in _INFINITIVE_CONTENT
    if dep == "prep":
        return child.lower_ in _PREP_CONTENT.get(lemma, frozenset()) and any(True for _ in child.children)
    if dep == "dobj":
        return _object_is_content(lemma, child)
    return False


def _object_is_content(lemma: str, obj: Token) -> bool:
    if lemma in _STATEMENT_ONLY:
        return obj.lemma_.lower() in _STATEMENT_NOUNS or any(c.dep_ in ("acl", "ccomp") for c in obj.children)
    if lemma == "deny":
        return obj.lemma_.lower() not in _DENY_NOT_SPEECH
    return lemma in _OBJECT_CONTENT and obj.pos_ != "PRON"


def _parataxis_content(cue: Token) -> tuple[int, int] | None:
    """Content of a cue parsed as hanging off the reported clause ("The talks failed, he said")."""
    head = cue.head
    if cue.dep_ != "parataxis" or head.i >= cue.left_edge.i or head.pos_ not in ("VERB", "AUX"):
        return None
    return head.left_edge.i, cue.left_edge.i - 1


def _trim_tokens(doc: Doc, lo: int, hi: int, punct: frozenset[str] = _EDGE_PUNCT) -> tuple[int, int]:
    """Token bounds [lo, hi] without whitespace or the given punctuation at either edge."""
    while lo <= hi and (doc[lo].is_space or doc[lo].text in punct):
        lo += 1
    while hi >= lo and (doc[hi].is_space or doc[hi].text in punct):
        hi -= 1
    return lo, hi


def _chars(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    """Character span of tokens [lo, hi] (inclusive)."""
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


# ---------------------------------------------------------------- "according to"


def _according_claims(ctx: _Context, indices: Sequence[int]) -> list[Claim]:
    claims: list[Claim] = []
    for i in indices:
        claim = _according_claim(ctx, i)
        if claim is not None:
            claims.append(claim)
    return claims


def _according_claim(ctx: _Context, i: int) -> Claim | None:
    doc = ctx.doc
    if i + 1 >= len(doc) or doc[i + 1].lower_ != "to":
        return None
    source = next((c for c in doc[i + 1].children if c.dep_ == "pobj"), None)
    if source is None or source.lemma_.lower() in _NOT_SOURCES:
        return None
    start, end = ctx.sent_bounds[ctx.sent_of[i]]
    lo, hi = _according_content(doc, start, end, i, source.right_edge.i)
    if hi < lo:
        return None
    chars = _chars(doc, lo, hi)
    speaker = _speaker_from_subject(ctx, source)
    return _build(ctx, speaker, ACCORDING_CUE, None, chars, (start, end - 1), quoted=False)


def _according_content(doc: Doc, start: int, end: int, first: int, last: int) -> tuple[int, int]:
    """The side of the "according to X" phrase that holds a verb, else the whole sentence."""
    head_lo, head_hi = _trim_tokens(doc, start, first - 1)
    tail_lo, tail_hi = _trim_tokens(doc, last + 1, end - 1)
    head_verb = _has_verb(doc, head_lo, head_hi)
    tail_verb = _has_verb(doc, tail_lo, tail_hi)
    if tail_verb and not head_verb:
        return tail_lo, tail_hi
    if head_verb and not tail_verb:
        return head_lo, head_hi
    return _trim_tokens(doc, start, end - 1)


def _headline_claim(ctx: _Context, colon: int) -> Claim | None:
    """ "US: Russia could attack Ukraine", "Kyiv: Russia massing troops": a named side before a colon that
    opens its sentence, then a clause that foresees an act (a modal, a plan, a bare participle). A colon
    before a plain report ("Ethiopia: US freezes aid") only names the topic."""
    doc = ctx.doc
    start, end = ctx.sent_bounds[ctx.sent_of[colon]]
    if not 0 < colon - start <= _MAX_HEADLINE_SPEAKER or colon + 1 >= end or _has_verb(doc, start, colon - 1):
        return None  # "Peskov said: …" is a quotation's attribution
    mention = _mention_over(ctx, doc[start].idx, doc[colon].idx)
    root = doc[colon + 1: end].root
    if mention is None or mention.start > doc[start].idx or not _foreseen_clause(root):
        return None
    lo, hi = _trim_tokens(doc, colon + 1, end - 1)
    speaker = _Speaker(Participant(mention.entity, mention.text, mention.start, mention.end), mention.text)
    return _build(ctx, speaker, HEADLINE_CUE, None, _chars(doc, lo, hi), (start, end - 1), quoted=False)


def _foreseen_clause(root: Token) -> bool:
    return _foreseen_as(root) is not None


def _has_verb(doc: Doc, lo: int, hi: int) -> bool:
    return any(doc[i].pos_ in ("VERB", "AUX") for i in range(lo, hi + 1))


# ---------------------------------------------------------------- speakers and claims


@dataclass(frozen=True, slots=True)
class _Speaker:
    participant: Participant | None
    text: str


_NO_SPEAKER = _Speaker(None, "")


def _claim(
    ctx: _Context, cue: Token, lemma: str, content: tuple[int, int], tokens: tuple[int, int], quoted: bool
) -> Claim | None:
    """The claim, or None for a cue with neither a subject nor a passive ("tell us that …!")."""
    subject, passive = _subject(cue)
    if subject is None and not passive:
        return None
    if subject is not None and subject.lower_ in _NOT_SPEAKERS:
        return None  # "This confirms the effectiveness of …": evidence, not speech
    speaker = _NO_SPEAKER if subject is None else _speaker_from_subject(ctx, subject)
    stance = None if _negated(cue) else CUE_STANCE.get(lemma)
    return _build(ctx, speaker, lemma, stance, content, tokens, quoted)


def _build(
    ctx: _Context,
    speaker: _Speaker,
    cue: str,
    stance: str | None,
    content: tuple[int, int],
    tokens: tuple[int, int],
    quoted: bool,
) -> Claim:
    first, last = ctx.sent_of[tokens[0]], ctx.sent_of[tokens[1]]
    lo, hi = _trim_tokens(ctx.doc, ctx.sent_bounds[first][0], ctx.sent_bounds[last][1] - 1, frozenset())
    lo, hi = _chars(ctx.doc, lo, hi) if hi >= lo else _chars(ctx.doc, tokens[0], tokens[1])
    return Claim(
        speaker=speaker.participant,
        speaker_text=speaker.text,
        cue=cue,
        content_start=content[0],
        content_end=content[1],
        quoted=quoted,
        stance=stance,
        sentence=first,
        start=lo,
        end=hi,
    )


def _subject(cue: Token) -> tuple[Token | None, bool]:
    """The cue's speaker (its subject, a passive's agent, or the subject of the verb it depends on)
    and whether the construction is passive."""
    verb = cue
    for _ in range(4):
        for child in verb.children:
            if child.dep_ == "nsubj":
                return child, False
            if child.dep_ == "agent":
                return next((c for c in child.children if c.dep_ == "pobj"), None), True
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
            return None, True
        if not _inherits_subject(verb):
            return None, False
        verb = verb.head
    return None, False


def _inherits_subject(verb: Token) -> bool:
    """Whether the verb takes its head's subject ("refused to confirm", "denied … and said", "…, adding")."""
    if verb.head is verb:
        return False
    return verb.dep_ in ("xcomp", "conj") or (verb.dep_ == "advcl" and verb.tag_ == "VBG")


def _negated(cue: Token) -> bool:
    if any(c.dep_ == "neg" for c in cue.children):
        return True
    return cue.dep_ == "xcomp" and cue.head.lemma_.lower() in _NEGATING_HEADS


def _speaker_from_subject(ctx: _Context, head: Token) -> _Speaker:
    doc = ctx.doc
    lo, hi = _speaker_tokens(head)
    lo, hi = _trim_tokens(doc, lo, hi)
    if hi < lo:
        return _NO_SPEAKER
    text = doc[lo : hi + 1].text
    mention = _speaker_mention(ctx, head)
    if mention is None:
        return _Speaker(None, text)
    return _Speaker(Participant(mention.entity, mention.text, mention.start, mention.end), text)


def _speaker_tokens(head: Token) -> tuple[int, int]:
    """The subject phrase without relative clauses or trailing conjuncts."""
    lo = hi = head.i
    for child in head.children:
        if child.dep_ not in _SPEAKER_DROP:
            lo = min(lo, child.left_edge.i)
            hi = max(hi, child.right_edge.i)
    return lo, hi


def _speaker_mention(ctx: _Context, head: Token) -> EntityMention | None:
    """The mention naming the head, else an apposition, else a modifier of the head."""
    appositions = [c for c in head.children if c.dep_ == "appos"]
    for token in [head, *appositions]:
        found = _mention_over(ctx, token.idx, token.idx + len(token.text))
        if found is not None:
            return found
    for child in head.children:
        if child.dep_ in _SPEAKER_CORE or child in appositions:
            found = _mention_over(ctx, child.left_edge.idx, child.right_edge.idx + len(child.right_edge.text))
            if found is not None:
                return found
    return None


def _mention_over(ctx: _Context, lo: int, hi: int) -> EntityMention | None:
    """The earliest mention overlapping chars [lo, hi) (mentions are sorted by start)."""
    found: EntityMention | None = None
    for j in range(bisect.bisect_left(ctx.mention_starts, hi) - 1, -1, -1):
        mention = ctx.mentions[j]
        if mention.start < lo - _MAX_MENTION_CHARS:
            break
        if mention.end > lo:
            found = mention
    return found


# ---------------------------------------------------------------- the claimed event


def with_claimed(doc: Doc, claims: Sequence[Claim], events: Sequence[Event],
                 mentions: Sequence[EntityMention], actors: ActorDictionary | None = None) -> list[Claim]:
    """The claims with the event each is about (see the module's docstring) and the stance it implies.
    The claimed event's actor is the doer of the content clause where the clause names one ("warned that
    Moscow is preparing a new offensive": Moscow; "denies massing troops": the speaker; "accused Kyiv of
    planning": Kyiv; "said it has no plans to": the speaker), else the event's own actor."""
    ctx = _context(doc, mentions, actors) if claims else None
    return [_with_claimed(ctx, claim, events) for claim in claims if ctx is not None]


@dataclass(frozen=True, slots=True)
class _Clause:
    head: Token  # the content's verb, else its root
    actor: Participant | None  # its doer: the subject, the controller of a subjectless complement, a referent


def _with_claimed(ctx: _Context, claim: Claim, events: Sequence[Event]) -> Claim:
    clause = _content_clause(ctx, claim)
    inside = _event_inside(claim, events)
    intended = clause is not None and _intention(clause.head) is not None  # its "no" is the clause's, not the event's
    claimed = (_general_act(ctx, claim, clause) if intended else None) or \
        (_from_event(ctx, claim, inside, clause) if inside is not None else None) or \
        _general_act(ctx, claim, clause) or _own_event(claim, events)
    if claimed is None:
        return claim
    return replace(claim, claimed=claimed, stance=_implied_stance(claim, claimed))


def _content_clause(ctx: _Context, claim: Claim) -> _Clause | None:
    span = ctx.doc.char_span(claim.content_start, claim.content_end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    head = next((t for t in span if t.pos_ in ("VERB", "AUX") and _hangs_outside(t, span)), span.root)
    return _Clause(head, _doer(ctx, claim, head, span))


def _hangs_outside(token: Token, span: Span) -> bool:
    """Whether the token heads the content: its head (or, for "of planning", its preposition's head) is outside."""
    def outside(t: Token) -> bool:
        return t.i == t.head.i or not span.start <= t.head.i < span.end
    return outside(token) or (token.dep_ == "pcomp" and outside(token.head))


def _doer(ctx: _Context, claim: Claim, head: Token, span: Span) -> Participant | None:
    subject = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None:
        return _participant_of(ctx, claim, subject)
    cue = head.head.head if head.dep_ == "pcomp" else head.head
    controller = next((c for c in cue.children if c.dep_ == "dobj"), None) if cue.i != head.i else None
    if controller is not None and controller.i == head.i and claim.stance in _OWN_STANCES:
        return claim.speaker  # what was said is the cue's object: "denies plans to …" (the speaker's)
    if controller is not None:  # "accused Kyiv of planning", "warns Baku may launch" (a misparse)
        return _participant_of(ctx, claim, controller)
    return claim.speaker if head.dep_ in ("xcomp", "pcomp") and not span.start <= cue.i < span.end else None


def _participant_of(ctx: _Context, claim: Claim, token: Token) -> Participant | None:
    """The named side a noun phrase stands for; a pronoun, or a possessive one ("its army"), stands for its
    referent."""
    if token.pos_ == "PRON":
        return _referent(ctx, claim, token)
    named = _speaker_from_subject(ctx, token).participant
    pronoun = next((c for c in token.children if c.dep_ == "poss" and c.pos_ == "PRON"), None)
    if pronoun is None or (named is not None and named.entity.country is not None):
        return named
    return _referent(ctx, claim, pronoun) or named


def _referent(ctx: _Context, claim: Claim, pronoun: Token) -> Participant | None:
    """Who "it", "they", "we" stand for in what was said: the speaker for the first person and for what one
    says of oneself (assurances, denials, threats); else the named side nearest before it in the sentence that
    is not the speaker ("watches Russia and warns it could attack"), else the speaker ("says it has no plans")."""
    lower = pronoun.lower_
    if lower in _FIRST_PERSON or (lower in _THIRD_PERSON and claim.stance in _OWN_STANCES):
        return claim.speaker
    if lower not in _THIRD_PERSON:
        return None
    sentence_start = ctx.doc[ctx.sent_bounds[ctx.sent_of[pronoun.i]][0]].idx
    speaker = claim.speaker
    earlier = [m for m in ctx.mentions if sentence_start <= m.start and m.end <= pronoun.idx
               and (speaker is None or (m.entity.id != speaker.entity.id and m.end <= speaker.start)
                    or m.start >= speaker.end)]
    if not earlier:
        return speaker
    m = earlier[-1]
    return Participant(m.entity, m.text, m.start, m.end)


def _event_inside(claim: Claim, events: Sequence[Event]) -> Event | None:
    inside = [e for e in events if claim.content_start <= e.evidence.trigger_start < claim.content_end]
    return max(inside, key=lambda e: (e.confidence, -e.evidence.trigger_start)) if inside else None


def _from_event(ctx: _Context, claim: Claim, event: Event, clause: _Clause | None) -> ClaimedEvent:
    """The event coded in what was said, with the content clause's doer as its actor where the event has none,
    only an inferred one, or is the act of that clause ("Belarus plans to move Wagner fighters": Belarus)."""
    actor = event.actor
    if clause is not None and clause.actor is not None and (
            actor is None or actor.inferred or _in_clause(ctx.doc, event, clause.head)):
        actor = clause.actor
    return ClaimedEvent(event.type, actor, event.recipient, event.place, _modality(claim, event))


def _in_clause(doc: Doc, event: Event, head: Token) -> bool:
    """Whether the event's trigger is the clause's verb, a verb it governs ("plans to move", "is preparing to
    launch") or the object of one of them."""
    trigger = doc.char_span(event.evidence.trigger_start, event.evidence.trigger_end, alignment_mode="expand")
    verbs = {head.i}
    for token in head.subtree:
        if token.dep_ == "xcomp" and token.head.i in verbs:
            verbs.add(token.i)
    root = trigger.root if trigger is not None else None
    return root is not None and (root.i in verbs or (root.dep_ == "dobj" and root.head.i in verbs))


def _own_event(claim: Claim, events: Sequence[Event]) -> ClaimedEvent | None:
    """The cue's own event: "accused Kyiv of …" (the accused is the claimed actor), "threatened to …". A
    warning's or a report's own event is no claimed act ("warned about Belarus" claims nothing of Poland)."""
    if claim.stance not in _CARRYING_STANCES:
        return None
    own = [e for e in events if e.evidence.sentence == claim.sentence and e.evidence.trigger_end <= claim.content_start]
    if not own:
        return None
    event = own[-1]
    if event.type == "ACCUSE":
        return ClaimedEvent(event.type, event.recipient, None, event.place, "asserted")
    return ClaimedEvent(event.type, event.actor, event.recipient, event.place, _modality(claim, event))


def _general_act(ctx: _Context, claim: Claim, clause: _Clause | None) -> ClaimedEvent | None:
    """A foreseen act the event lexicon does not name, in general terms ("Russia could test NATO's resolve",
    "Moscow is preparing for a long war", "Minsk may step up pressure", "has no intention of attacking"): the
    clause's verb, possible, planned or ruled out, with a hostile object or a verb of force; or a hostile noun
    ("warned of a Russian offensive", "warns Israel against an invasion")."""
    if clause is None:
        return None
    if clause.head.pos_ not in ("VERB", "AUX"):
        return _hostile_noun(ctx, claim, clause)
    target, modality = _intention(clause.head) or (clause.head, _foreseen_as(clause.head))
    modality = "denied" if claim.stance == "deny" else modality  # "denies sending troops"
    kind = _general_type(target) if modality is not None else None
    return ClaimedEvent(kind, clause.actor, None, None, modality) if kind and clause.actor and modality else None


def _hostile_noun(ctx: _Context, claim: Claim, clause: _Clause) -> ClaimedEvent | None:
    span = ctx.doc.char_span(claim.content_start, claim.content_end, alignment_mode="expand")
    nouns = [t for t in span if t.pos_ == "NOUN" and (t.i == span.root.i or t.head.dep_ == "prep")] if span else []
    noun, kind = next(((n, k) for n in nouns if (k := _noun_type(n)) is not None), (None, None))
    if noun is None or kind is None:
        return None
    actor = _noun_actor(ctx, claim, noun, kind) or clause.actor
    modality = "feared" if claim.cue in _FEARING else "denied" if claim.stance == "deny" else "possible"
    return ClaimedEvent(kind, actor, None, None, modality)


def _noun_type(noun: Token) -> str | None:
    """The type a noun names: a hostile act ("an offensive"), or an attempt at one ("an attempt to topple")."""
    kind = _hostile_kind(noun)
    if kind is not None or noun.lemma_.lower() not in _ATTEMPT_NOUNS:
        return kind
    return next((k for c in noun.children if c.dep_ in ("acl", "relcl") and (k := _general_type(c))), None)


def _hostile_kind(noun: Token) -> str | None:
    return _HOSTILE_OBJECTS.get(noun.lemma_.lower()) or _HOSTILE_FORMS.get(noun.lower_)


def _noun_actor(ctx: _Context, claim: Claim, noun: Token, kind: str) -> Participant | None:
    """Whose act a noun names: its possessor or adjective ("Israel's offensive", "a Russian attack": for an
    armed act the country's military), or its by-phrase ("an attack by militants")."""
    for child in noun.children:
        if child.dep_ in ("poss", "amod", "compound"):
            found = _mention_over(ctx, child.idx, child.idx + len(child.text))
            if found is not None:
                return Participant(found.entity, found.text, found.start, found.end)
            if child.dep_ == "poss" and child.pos_ == "PRON":
                return _referent(ctx, claim, child)
            national = _national(ctx, child, kind)
            if national is not None:
                return national
        if child.dep_ == "prep" and child.lower_ == "by":
            agent = next((g for g in child.children if g.dep_ == "pobj"), None)
            if agent is not None:
                return _participant_of(ctx, claim, agent)
    return None


def _national(ctx: _Context, adjective: Token, kind: str) -> Participant | None:
    """A country adjective, one word or with its own modifiers ("North Korean"), as the act's doer."""
    words = ctx.doc[adjective.left_edge.i: adjective.i + 1]
    country = next((c for c in (ctx.actors.demonym(words.text), ctx.actors.demonym(adjective.text)) if c),
                   None) if ctx.actors is not None else None
    if ctx.actors is None or country is None:
        return None
    entity = ctx.actors.group(country, Sector.MILITARY) if kind in _ARMED else ctx.actors.country(country)
    return Participant(entity, words.text, words.start_char, words.end_char) if entity else None


def _intention(verb: Token) -> tuple[Token, str] | None:
    """ "has no plans to invade", "has no intention of attacking": the intended verb, ruled out (or planned)."""
    if verb.lemma_.lower() != "have":
        return None
    wish = next((c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in _INTENT_NOUNS), None)
    if wish is None:
        return None
    target = next((g for c in wish.children for g in (c, *c.children)
                   if g.pos_ == "VERB" and g.dep_ in ("acl", "relcl", "pcomp", "xcomp")), None)
    ruled_out = _negated(verb) or any(c.lower_ == "no" for c in wish.children)
    return (target, "denied" if ruled_out else "planned") if target is not None else None


def _foreseen_as(verb: Token) -> str | None:
    """How a clause's verb puts its act: ruled out, possible, planned, or (a bare participle, "Russia moving
    troops") going on; None for a plain report."""
    auxiliaries = {c.lower_ for c in verb.children if c.dep_ == "aux"}
    if any(c.dep_ == "neg" for c in verb.children) and auxiliaries & (_POSSIBLE | _WILL):
        return "denied"  # "would not send ships", "will never attack"
    if auxiliaries & _POSSIBLE:
        return "possible"
    if auxiliaries & _WILL or verb.lemma_.lower() in _PREPARING:
        return "planned"
    return "asserted" if verb.tag_ == "VBG" and not auxiliaries else None


def _general_type(verb: Token) -> str | None:
    """The type of a verb of force or of its hostile object, through "try to", "prepare to" and the like."""
    for tok in (verb, *(c for c in verb.children if c.dep_ == "xcomp")):
        lemma = tok.lemma_.lower()
        objects = [g for c in tok.children if c.dep_ in ("dobj", "prep")
                   for g in ([c] if c.dep_ == "dobj" else c.children) if g.dep_ in ("dobj", "pobj")]
        kind = next((k for o in objects if (k := _hostile_kind(o)) is not None), None)
        particle = next((f"{lemma} {c.lower_}" for c in tok.children if c.dep_ == "prt"), "")
        kind = kind or _FORCE_VERBS.get(particle) or _FORCE_VERBS.get(lemma)
        if kind is not None:
            return kind
    return None


def _modality(claim: Claim, event: Event) -> str:
    flags = event.flags
    if claim.stance == "deny" or flags.negated:
        return "denied"
    if claim.cue in _FEARING:
        return "feared"
    if flags.hypothetical and not flags.future:
        return "possible"
    return "planned" if flags.future else "asserted"


def _implied_stance(claim: Claim, claimed: ClaimedEvent) -> str | None:
    """The stance a hostile act implies: asserted of another, an accusation ("Russia claims Ukraine is
    preparing …"); promised not to happen by its doer, an assurance; reported by a neutral verb, a warning
    when another is to act or is building up, a threat (or, ruled out, an assurance) when the speaker is."""
    if claimed.type not in _HOSTILE or claim.stance not in (None, "assert", "promise"):
        return claim.stance
    own = claim.speaker is not None and claimed.actor is not None and _same_side(claim.speaker, claimed.actor)
    if claim.stance == "promise":  # "promised that its army would not cross": an assurance
        return "assure" if own and claimed.modality == "denied" else "promise"
    if claim.stance == "assert":
        return "assert" if own or claimed.modality == "denied" else "accuse"
    if own:
        return {"denied": "assure", "possible": "threat", "planned": "threat", "feared": "threat"}.get(
            claimed.modality or "")
    foreseen = claimed.modality in _FORESEEN or (claimed.type in _WARNING_SIGNS and claimed.modality == "asserted")
    return "warn" if foreseen else None


def _same_side(a: Participant, b: Participant) -> bool:
    return a.entity.id == b.entity.id or (a.entity.country is not None and a.entity.country == b.entity.country)
