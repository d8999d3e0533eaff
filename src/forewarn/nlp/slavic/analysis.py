"""Russian and Ukrainian analysis: tokens, sentences, morphology, lemmas, syntax and names.

The English pipeline starts from a spaCy model; no such model for Russian or Ukrainian is on the
package registries, so the pipelines for those languages start from ``spacy.blank(lang)`` with

- :class:`RazdelTokenizer`: razdel's tokens (it knows "т.е.", "ДНР-овский", "2024-го") as a spaCy
  ``Doc`` whose text is the input's exactly;
- the ``forewarn_slavic`` component: sentences (razdel, and every line break ends one), part of speech
  and morphological features (slovnet's morphology model), a dependency tree per sentence (slovnet's
  syntax model, repaired into a tree where it is not one), lemmas (pymorphy3, the parse that agrees
  with the part of speech) and named entities (slovnet's NER: PERSON, ORG, LOC).

The slovnet models are Natasha's news models, shipped inside the ``natasha`` wheel, trained on Russian.
Ukrainian runs through the same models with Ukrainian lemmas; what that costs is measured in ``eval/``.
After this component the forewarn components run as in English, with the same declared contracts.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import razdel
from navec import Navec
from slovnet import NER, Morph, Syntax
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab
from thinc.types import Ints2d

from forewarn.errors import Code, ForewarnError
from forewarn.nlp.slavic.morphology import analyzer, is_word, lemma, parses
from forewarn.nlp.slavic.names import refined, russian_spelling

LANGUAGES = frozenset({"ru", "uk"})

__all__ = ["LANGUAGES", "SlavicAnalysis", "add_analysis", "analyzer", "is_word", "lemma", "models", "models_version",
           "parses", "sentence_spans", "tree_heads"]

NER_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
_COLUMNS = (HEAD, DEP, POS, TAG, MORPH, LEMMA)
# Abbreviations of kinds of places and streets, which a name follows: "г. Суджа", "пгт. Коренево", "смт. Хотінь".
_ABBREVIATED_PLACE = re.compile(
    r"(?:^|[\s(])(?:г|гор|с|д|п|х|м|ст|пгт|смт|пос|сел|обл|р-н|р-на|ул|вул|просп|пр|им|ім)\.$", re.IGNORECASE)


def models_version() -> str:
    """The version of the package whose models this module runs (part of the extractor version)."""
    return importlib.metadata.version("natasha")


@dataclass(frozen=True, slots=True)
class Models:
    morph: Morph
    syntax: Syntax
    ner: NER


@functools.cache
def models() -> Models:
    """Natasha's news models, loaded once per process (about a second; ~250 MB)."""
    spec = importlib.util.find_spec("natasha")  # found without importing it (it imports pymorphy2)
    if spec is None or not spec.submodule_search_locations:
        raise ForewarnError("the Russian and Ukrainian models (package natasha) are not installed",
                            code=Code.MODEL_UNAVAILABLE, hint="pip install natasha")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    navec = Navec.load(str(data / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"))
    morph = Morph.load(str(data / "model" / "slovnet_morph_news_v1.tar"), batch_size=16)
    syntax = Syntax.load(str(data / "model" / "slovnet_syntax_news_v1.tar"), batch_size=16)
    ner = NER.load(str(data / "model" / "slovnet_ner_news_v1.tar"), batch_size=16)
    return Models(morph.navec(navec), syntax.navec(navec), ner.navec(navec))


class RazdelTokenizer:
    """Text → ``Doc`` with razdel's tokens; runs of whitespace beyond one space are tokens of their own,
    as spaCy's tokenizer makes them, so ``doc.text`` is the text."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        position = 0
        for token in razdel.tokenize(text):
            _gap(text[position:token.start], words, spaces)
            words.append(token.text)
            spaces.append(False)
            position = token.stop
        _gap(text[position:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)


def _gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    if gap.startswith(" ") and words and not words[-1].isspace():
        spaces[-1] = True
        gap = gap[1:]
    if gap:
        words.append(gap)
        spaces.append(False)


class SlavicAnalysis:
    """Sentences, morphology, lemmas, syntax and names of a Russian or Ukrainian ``Doc``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.models = models()

    def __call__(self, doc: Doc) -> Doc:
        sentences = sentence_spans(doc)
        words = [[t.text for t in doc[start:end] if not t.is_space] for start, end in sentences]
        words = [w for w in words if w]
        morph = list(self.models.morph.map(words)) if words else []
        syntax = list(self.models.syntax.map(words)) if words else []
        rows = np.zeros((len(doc), len(_COLUMNS)), dtype="uint64")
        parsed = iter(zip(morph, syntax, strict=True))
        for start, end in sentences:
            tags, tree = next(parsed) if not _blank(doc, start, end) else (None, None)
            self._sentence(doc, start, end, tags.tokens if tags else (), tree.tokens if tree else (), rows)
        doc.from_array(list(_COLUMNS), cast(Ints2d, rows))
        doc.ents = refined(doc, list(self._names(doc, sentences)), self.lang)
        return doc

    def _sentence(self, doc: Doc, start: int, end: int, tags: Sequence[Any], tree: Sequence[Any],
                  rows: np.ndarray) -> None:
        """Fill ``rows`` (one per token: head offset, relation, part of speech, tag, features, lemma)
        for the sentence ``doc[start:end]``; whitespace hangs from the sentence's root."""
        strings = doc.vocab.strings
        index = [i for i in range(start, end) if not doc[i].is_space]
        parents = tree_heads([int(t.head_id.split("_")[-1]) - 1 for t in tree])
        root = index[parents.index(-1)] if index else start
        for i in range(start, end):
            rows[i] = (_offset(root - i), strings.add("ROOT" if i == root else "dep"), POS_IDS["SPACE"],
                       strings.add("_SP"), doc.vocab.morphology.add(""), strings.add(doc[i].text))
        for k, (i, tag, node) in enumerate(zip(index, tags, tree, strict=True)):
            head = i if parents[k] == -1 else index[parents[k]]
            features = "|".join(f"{name}={value}" for name, value in sorted(tag.feats.items()))
            rows[i] = (_offset(head - i), strings.add("ROOT" if head == i else (node.rel or "dep")),
                       POS_IDS.get(tag.pos, POS_IDS["X"]), strings.add(tag.pos), doc.vocab.morphology.add(features),
                       strings.add(lemma(doc[i].text, tag.pos, self.lang)))

    def _names(self, doc: Doc, sentences: list[tuple[int, int]]) -> Iterator[Span]:
        texts = [doc[start:end].text for start, end in sentences]
        if self.lang == "uk":  # the model knows Russian words: Ukrainian spelled the Russian way meets more of them
            texts = [russian_spelling(t) for t in texts]
        for (start, _), markup in zip(sentences, self.models.ner.map(texts), strict=True):
            offset = doc[start].idx
            for span in markup.spans:
                found = doc.char_span(offset + span.start, offset + span.stop, NER_LABELS.get(span.type, span.type),
                                      alignment_mode="expand")
                if found is not None:
                    yield found


def _offset(relative: int) -> int:
    """A relative head position as spaCy's arrays hold it (unsigned 64 bits)."""
    return relative % (1 << 64)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token ranges of sentences: razdel's, also cut at every line break, never after the
    abbreviation of a kind of place ("г.", "пгт.", "смт.", "обл.": a name follows); a range of whitespace
    alone joins the sentence before it (or, at the start, the one after)."""
    ends = {s.stop for s in razdel.sentenize(doc.text) if not _ABBREVIATED_PLACE.search(s.text)}
    ranges: list[tuple[int, int]] = []
    start = 0
    for i, token in enumerate(doc):
        if token.idx + len(token) in ends or (token.is_space and "\n" in token.text) or i + 1 == len(doc):
            ranges.append((start, i + 1))
            start = i + 1
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and (_blank(doc, start, end) or _blank(doc, *merged[-1])):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _blank(doc: Doc, start: int, end: int) -> bool:
    return all(t.is_space for t in doc[start:end])


def tree_heads(heads: Sequence[int]) -> list[int]:
    """``heads`` (the parent's index per word, -1 for a root) made one tree: one root (the first), and a
    word on a cycle or under a second root attached to that root."""
    parents = list(heads)
    roots = [i for i, h in enumerate(parents) if h == -1 or not 0 <= h < len(parents) or h == i]
    root = roots[0] if roots else 0
    for i in roots:
        parents[i] = -1 if i == root else root
    parents[root] = -1
    for i in range(len(parents)):
        seen = {i}
        node = parents[i]
        while node != -1:
            if node in seen:
                parents[i] = root
                break
            seen.add(node)
            node = parents[node]
    return parents


def add_analysis(nlp: Language) -> None:
    """Make ``nlp`` (a blank Russian or Ukrainian pipeline) tokenise with razdel and analyse with slovnet."""
    nlp.tokenizer = RazdelTokenizer(nlp.vocab)
    nlp.add_pipe("forewarn_slavic", first=True)


@Language.factory("forewarn_slavic", assigns=["token.pos", "token.tag", "token.morph", "token.lemma", "token.dep",
                                              "token.head", "doc.sents", "doc.ents"], requires=[])
def _make_slavic(nlp: Language, name: str) -> SlavicAnalysis:
    if nlp.lang not in LANGUAGES:
        raise ForewarnError(f"forewarn_slavic analyses Russian and Ukrainian, not {nlp.lang!r}",
                            code=Code.MODEL_UNAVAILABLE, hint="build it on spacy.blank('ru') or spacy.blank('uk')")
    return SlavicAnalysis(nlp.lang)
