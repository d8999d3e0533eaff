"""A learned event-type classifier beside the rules, and how its verdict combines with theirs.

The model is a linear classifier (multinomial logistic regression) over hashed TF-IDF features of a
sentence: lower-cased word unigrams and bigrams, and character 3- to 5-grams inside words. It gives a
probability to each of the 16 PLOVER types and to ``NONE`` (no event). It ships as a small ``.npz`` of
plain arrays in ``forewarn/data/nlp/`` (no pickle) and predicts with numpy alone; it is trained by
``eval/train_event_model.py`` (``make model``), which uses :func:`hashed_counts` so training and
prediction see the same features.

Combination (:func:`classified`), sentence by sentence. Where the rules found an event (:func:`combine`):

- the model agrees with a rule event's type: the event is kept, coded ``rules+model:NAME``, and its
  confidence rises by ``AGREED`` (so of several rule events in a sentence, the one both coders see leads);
- the model is sure there is no event (``P(NONE) >= VETO``) and the rule event is a weak one
  (confidence below ``SURE``): the event is dropped;
- the model is sure of another type (``P(type) >= RETYPE``), no rule event in the sentence has that type,
  and the rule event is weak: the event is re-typed (mode dropped: modes belong to a type), coded
  ``model:NAME``;
- otherwise the rules' event stands, coded ``rules``.

Where the rules found none (:func:`added`), the model adds one only when it is sure of a type
(``P(type) >= ADD``) and the sentence, a plain statement (no question, no modal verb: "China may send
ships" is no deployment), names a political actor (a state, or an entity of the government, military,
police, intelligence, rebel or international sector): the one in the main verb's subject, else the
first, is the event's actor; the next other such entity is its recipient, the sentence's first place its place, the
publication date its date. Its confidence is ``ADDED`` times the model's probability (below the rules'
own), coded ``model:NAME``.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import numpy as np
from spacy.tokens import Doc, Span, Token

from forewarn.errors import ConfigError
from forewarn.model.extraction import (
    EntityMention,
    Event,
    Evidence,
    Flags,
    Participant,
    PlaceMention,
    TimePrecision,
)

NONE = "NONE"  # the label of a sentence with no event
DIMENSIONS = 2**18  # hashed feature space
CHAR_NGRAMS = (3, 4, 5)
VETO = 0.8  # P(NONE) at which the model drops a weak rule event
RETYPE = 0.6  # P(type) at which the model re-types a weak rule event
SURE = 0.7  # rule confidence from which the rules' type stands whatever the model says
AGREED = 0.05  # what the model's agreement adds to a rule event's confidence
ADD = 0.6  # P(type) at which the model adds an event to a sentence without rule events
ADDED = 0.6  # an added event's confidence per unit of the model's probability
LOGIC_VERSION = "2"  # bump when features or the combination change
_WORDS = re.compile(r"\w+", re.UNICODE)
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_M = TypeVar("_M", EntityMention, PlaceMention)


def hashed_counts(text: str) -> Counter[int]:
    """Feature index → count for one text (CRC-32 of each n-gram, modulo ``DIMENSIONS``): lower-cased word
    unigrams and bigrams, and the character n-grams inside each word (hashed once per distinct word)."""
    words = _WORDS.findall(text.lower())
    counts = Counter(_hashed(f"w {w}") for w in words)
    counts.update(_hashed(f"b {a} {b}") for a, b in pairwise(words))
    for w in words:
        counts.update(_char_grams(w))
    return counts


def _hashed(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) % DIMENSIONS


@lru_cache(maxsize=65_536)
def _char_grams(word: str) -> tuple[int, ...]:
    padded = f" {word} "
    return tuple(_hashed(f"c{padded[i:i + n]}") for n in CHAR_NGRAMS for i in range(len(padded) - n + 1))


@dataclass(frozen=True)
class EventModel:
    """The arrays of a trained model. ``columns``: the feature indices seen in training, sorted;
    ``idf`` and ``weights`` (one row per column, one column per label) for them; ``unseen_idf``
    for any other feature (it counts in the vector's length, not in the scores)."""

    name: str
    digest: str  # of the file: a retrained model under the same name is another version
    labels: tuple[str, ...]
    columns: np.ndarray
    idf: np.ndarray
    unseen_idf: float
    weights: np.ndarray
    bias: np.ndarray

    @classmethod
    def load(cls, name: str) -> EventModel:
        """The packaged model ``forewarn/data/nlp/<name>.npz``."""
        if not _NAME.fullmatch(name):
            raise ConfigError(f"event_model {name!r} is not a model name (lower-case letters, digits, . _ -)")
        path = resources.files("forewarn") / "data" / "nlp" / f"{name}.npz"
        if not path.is_file():
            raise ConfigError(f"no event model {name!r} is packaged", hint="set event_model to \"\" for rules only")
        with resources.as_file(path) as real:
            return cls.read(real, name)

    @classmethod
    def read(cls, path: Path, name: str) -> EventModel:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        with np.load(path, allow_pickle=False) as z:
            return cls(name, digest, tuple(str(x) for x in z["labels"]), z["columns"], z["idf"].astype(np.float32),
                       float(z["unseen_idf"]), z["weights"].astype(np.float32), z["bias"].astype(np.float32))

    @property
    def version(self) -> str:
        return f"{self.name}-{self.digest}"

    def save(self, path: Path) -> None:
        np.savez_compressed(path, labels=np.array(self.labels), columns=self.columns.astype(np.int32),
                            idf=self.idf.astype(np.float16), unseen_idf=np.float32(self.unseen_idf),
                            weights=self.weights.astype(np.float16), bias=self.bias.astype(np.float32))

    def probabilities(self, text: str) -> dict[str, float]:
        """Label → probability for one sentence."""
        counts = hashed_counts(text)
        index = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        pos = np.searchsorted(self.columns, index).clip(max=len(self.columns) - 1)
        seen = self.columns[pos] == index
        value = tf * np.where(seen, self.idf[pos], self.unseen_idf)
        norm = float(np.sqrt(value @ value)) or 1.0
        scores = (value[seen] / norm) @ self.weights[pos[seen]] + self.bias
        exp = np.exp(scores - scores.max())
        return dict(zip(self.labels, (exp / exp.sum()).tolist(), strict=True))

    def predict(self, text: str) -> tuple[str, float]:
        """The most probable label of one sentence and its probability."""
        return max(self.probabilities(text).items(), key=lambda kv: kv[1])


def combine(events: Sequence[Event], probabilities: dict[str, float], name: str) -> list[Event]:
    """One sentence's rule events after the model's say (see the module's docstring)."""
    label, p = max(probabilities.items(), key=lambda kv: kv[1])
    retype = all(ev.type != label for ev in events)  # a rule event has the model's type: the others stay
    return [e for e in (_judged(ev, label, p, name, retype) for ev in events) if e is not None]


def _judged(event: Event, label: str, p: float, name: str, retype: bool) -> Event | None:
    if label == event.type:
        return replace(event, coder=f"rules+model:{name}", confidence=round(min(event.confidence + AGREED, 0.95), 3))
    if event.confidence >= SURE:
        return event
    if label == NONE:
        return None if p >= VETO else event
    return replace(event, type=label, mode=None, coder=f"model:{name}") if retype and p >= RETYPE else event


def sentence_events(events: Sequence[Event]) -> dict[tuple[int, int], list[Event]]:
    """Events grouped by the span of the sentence that carries them, in order."""
    grouped: dict[tuple[int, int], list[Event]] = {}
    for ev in events:
        grouped.setdefault((ev.evidence.start, ev.evidence.end), []).append(ev)
    return grouped


def classified(doc: Doc, model: EventModel) -> tuple[Event, ...]:
    """The document's events after the model's say: rule events judged, events added where the rules found
    none (see the module's docstring)."""
    grouped = sentence_events(doc._.fw_events)
    text = doc.text  # built from the tokens at each access
    judged = [ev for (start, end), events in grouped.items()
              for ev in combine(events, model.probabilities(text[start:end]), model.name)]
    mentions, places = _by_sentence(doc._.fw_entities), _by_sentence(doc._.fw_places)
    new = [ev for n, sent in enumerate(doc.sents) if (sent.start_char, sent.end_char) not in grouped
           for ev in added(sent, n, mentions.get(n, []), places.get(n, []), doc._.fw_published, model)]
    return tuple(sorted(judged + new, key=lambda e: (e.evidence.start, e.evidence.trigger_start)))


def added(sent: Span, n: int, mentions: Sequence[EntityMention], places: Sequence[PlaceMention], published: date,
          model: EventModel) -> list[Event]:
    """The event the model adds to sentence ``n`` (``sent``), which has no rule event: none or one."""
    actors = _political(m for m in mentions if m.sentence == n)
    if not actors or "?" in sent.text or any(t.tag_ == "MD" for t in sent):
        return []
    label, p = model.predict(sent.text)
    if label == NONE or p < ADD:
        return []
    root = sent.root
    actor = next((m for m in actors if _in_subject(m, root)), actors[0])
    recipient = next((m for m in actors if m.entity.id != actor.entity.id), None)
    return [Event(label, None, (), _participant(actor), _participant(recipient) if recipient else None,
                  next((m for m in places if m.sentence == n), None), published, TimePrecision.DAY, True, Flags(),
                  Evidence(n, sent.start_char, sent.end_char, root.idx, root.idx + len(root)),
                  round(ADDED * p, 3), f"model:{model.name}")]


def _by_sentence(items: Sequence[_M]) -> dict[int, list[_M]]:
    grouped: dict[int, list[_M]] = {}
    for item in items:
        grouped.setdefault(item.sentence, []).append(item)
    return grouped


def _in_subject(mention: EntityMention, root: Token) -> bool:
    return any(c.left_edge.idx <= mention.start and mention.end <= c.right_edge.idx + len(c.right_edge)
               for c in root.children if c.dep_ == "nsubj")


def _political(mentions: Iterable[EntityMention]) -> list[EntityMention]:
    return [m for m in mentions if m.entity.political]


def _participant(mention: EntityMention) -> Participant:
    return Participant(mention.entity, mention.text, mention.start, mention.end)
