"""Document search and inflection: how many of the documents that name a person or place in some case a search
for its dictionary form finds — as a plain substring ("Суджа" misses "в Судже"), as the dictionary form less its
last vowel (a stem), and as the document search does it (the word and its inflected forms:
``forewarn.nlp.slavic.forms.search_forms``, in the language of the documents and in both languages).

Russian: ``../shared/data/ner_ru_nerel/dev`` (NEREL v1.1, 94 news documents): the capitalised words of four
letters or more whose first pymorphy3 parse is a place (Geox), a first name or a surname; the 30 lemmas found
in the most documents; each (lemma, document) pair counts once. Ukrainian: ``../shared/data/ner_uk/train.iob``
(evaluation only) in pieces of 20 sentences as documents, the single-word LOC and PERS names of its labels,
likewise. Target for the document search: ≥ 0.90 of the pairs found. ``--json PATH`` writes the figures.

The words are grouped by pymorphy3's lemma, the dictionary whose lexemes the search adds: the search's figure is
an upper bound for words that dictionary knows (for a word it does not know, the search adds nothing).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from forewarn.nlp.slavic.forms import search_forms
from forewarn.nlp.slavic.morphology import analyzer

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NEREL_DEV = SHARED / "ner_ru_nerel" / "dev"
NER_UK = SHARED / "ner_uk" / "train.iob"
TOP = 30
PIECE = 20  # ner_uk sentences per document
TARGET = 0.90
_NAME = re.compile(r"\b[А-ЯЁ][а-яё]{3,}\b")
_TAGS = frozenset({"Geox", "Name", "Surn"})

Corpus = tuple[list[str], dict[str, set[int]]]  # lower-case documents; lemma -> the documents naming it


def nerel() -> Corpus:
    morph = analyzer("ru")
    docs = [p.read_text(encoding="utf-8") for p in sorted(NEREL_DEV.glob("*.txt"))]
    by_lemma: dict[str, set[int]] = defaultdict(set)
    for i, doc in enumerate(docs):
        for word in _NAME.findall(doc):
            parse = morph.parse(word)[0]
            if _TAGS & parse.tag.grammemes:
                by_lemma[parse.normal_form].add(i)
    return [d.lower() for d in docs], by_lemma


def ner_uk() -> Corpus:
    morph = analyzer("uk")
    docs: list[str] = []
    by_lemma: dict[str, set[int]] = defaultdict(set)
    for i, piece in enumerate(_pieces(NER_UK.read_text(encoding="utf-8"))):
        docs.append(" ".join(token for token, _ in piece).lower())
        for n, (token, tag) in enumerate(piece):
            single = n + 1 == len(piece) or not piece[n + 1][1].startswith("I-")
            if tag in ("B-LOC", "B-PERS") and single and len(token) >= 4 and token[:1].isupper():
                by_lemma[morph.parse(token)[0].normal_form].add(i)
    return docs, by_lemma


def _pieces(text: str) -> Iterator[list[tuple[str, str]]]:
    sentences = [[tuple(line.rsplit(" ", 1)) for line in block.splitlines() if " " in line]
                 for block in text.split("\n\n")]
    for start in range(0, len(sentences), PIECE):
        yield [(token, tag) for sentence in sentences[start:start + PIECE] for token, tag in sentence]


def _stem(lemma: str) -> str:
    return lemma[:-1] if len(lemma) > 4 and lemma[-1] in "аяоеиыьії" else lemma


def share(corpus: Corpus, words: Callable[[str], Sequence[str]]) -> tuple[float, int]:
    """The share of the top lemmas' (lemma, document) pairs whose document contains one of ``words(lemma)``."""
    docs, by_lemma = corpus
    top = sorted(by_lemma, key=lambda lemma: -len(by_lemma[lemma]))[:TOP]  # ties: in order of first use
    pairs = [(lemma, i) for lemma in top for i in by_lemma[lemma]]
    found = sum(any(w in docs[i] for w in words(lemma)) for lemma, i in pairs)
    return found / len(pairs) if pairs else 0.0, len(pairs)


def measure(corpus: Corpus, lang: str) -> dict[str, float | int]:
    whole, pairs = share(corpus, lambda lemma: (lemma,))
    return {"pairs": pairs, "dictionary_form": whole, "stem": share(corpus, lambda lemma: (_stem(lemma),))[0],
            "search": share(corpus, lambda lemma: (lemma, *search_forms(lemma, lang)))[0],
            "search_any_language": share(corpus, lambda lemma: (lemma, *search_forms(lemma)))[0]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    corpora = [(lang, path, load) for lang, path, load in (("ru", NEREL_DEV, nerel), ("uk", NER_UK, ner_uk))
               if path.exists()]
    if not corpora:
        print(f"needs {NEREL_DEV} or {NER_UK} (the shared data); neither is there: skipped")
        return 0
    figures = {lang: measure(load(), lang) for lang, _, load in corpora}
    print(f"{'lang':5}{'pairs':>7}{'dict. form':>12}{'stem':>8}{'search':>9}{'search ru+uk':>14}  target search >= "
          f"{TARGET:.2f}")
    for lang, f in figures.items():
        print(f"{lang:5}{f['pairs']:>7}{f['dictionary_form']:>12.3f}{f['stem']:>8.3f}{f['search']:>9.3f}"
              f"{f['search_any_language']:>14.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
