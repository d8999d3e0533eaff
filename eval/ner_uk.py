"""Ukrainian named entities: the Ukrainian pipeline's ``doc.ents`` against ner-uk (target micro F1 ≥ 0.75).

Data: ``../shared/data/ner_uk/train.iob`` (lang-uk/ner-uk v2.0; one token and its BIO tag a line, blank
lines between sentences, longer runs of blank lines between paragraphs). Its licence is CC BY-NC-SA:
it is used here for evaluation only; nothing in forewarn is fitted to it.

Types: PERS → PER, ORG → ORG, LOC → LOC; the other tags (DATE, JOB, MON, ART, MISC, …) are not gold.
The text is rebuilt from the tokens (a space between tokens, none before closing punctuation or after an
opening bracket or quote), a sentence a line, a paragraph a document; scoring is by exact character span,
per type P/R/F1 and micro-averaged. ``--limit N`` scores the first N paragraphs; ``--errors K`` lists the K
most frequent missed and spurious names.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ner_scoring import TYPES, Entity, Tally, pipeline, predict, print_errors, print_table, trimmed

NER_UK = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ner_uk" / "train.iob"
TARGET = 0.75
MAPPING = {"PERS": "PER", "ORG": "ORG", "LOC": "LOC"}
PARAGRAPH = 3  # this many blank lines or more end a paragraph
_NO_SPACE_BEFORE = frozenset(".,:;!?)]»%…")
_NO_SPACE_AFTER = frozenset("([«")

Token = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    gold: set[Entity]


def paragraphs(lines: list[str]) -> Iterator[list[list[Token]]]:
    """Sentences (lists of (token, tag)) grouped by paragraph."""
    paragraph: list[list[Token]] = []
    sentence: list[Token] = []
    blank = 0
    for line in [*lines, *[""] * PARAGRAPH]:
        fields = line.split()
        if len(fields) != 2:
            blank += 1
            if sentence:
                paragraph.append(sentence)
                sentence = []
            if blank >= PARAGRAPH and paragraph:
                yield paragraph
                paragraph = []
            continue
        blank = 0
        sentence.append((fields[0], fields[1]))


def document(sentences: list[list[Token]]) -> Document:
    """The paragraph's text, a sentence a line, and its gold entities."""
    text, gold = "", set()
    for sentence in sentences:
        text, found = _sentence(text, sentence)
        gold |= found
        text += "\n"
    return Document(text, gold)


def _sentence(text: str, tokens: list[Token]) -> tuple[str, set[Entity]]:
    gold: set[Entity] = set()
    start, kind, previous = -1, "", ""
    for token, tag in [*tokens, ("", "O")]:
        if start >= 0 and not tag.startswith("I-"):
            gold.add((*trimmed(text, start, len(text)), kind))
            start = -1
        if not token:
            break
        if previous and token[0] not in _NO_SPACE_BEFORE and previous[-1] not in _NO_SPACE_AFTER:
            text += " "
        if tag.startswith("B-") and tag[2:] in MAPPING:
            start, kind = len(text), MAPPING[tag[2:]]
        text += token
        previous = token
    return text, gold


def read(limit: int | None) -> list[Document]:
    if not NER_UK.is_file():
        raise SystemExit(f"needs {NER_UK} (the shared ner-uk data); it is not there: skipped")
    lines = NER_UK.read_text(encoding="utf-8").splitlines()
    return [document(p) for p in itertools.islice(paragraphs(lines), limit)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="only the first N paragraphs")
    parser.add_argument("--errors", type=int, default=0, metavar="K", help="list the K most frequent errors")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    documents = read(args.limit)
    began = time.perf_counter()
    predicted = predict(pipeline("uk"), [d.text for d in documents])
    seconds = time.perf_counter() - began
    tally = Tally()
    for doc, found in zip(documents, predicted, strict=True):
        tally.add(doc.text, doc.gold, found, set())
    f1 = print_table(tally, TARGET, f"ner-uk train (evaluation only): {len(documents)} paragraphs, {seconds:.1f} s")
    if args.errors:
        print_errors(tally, args.errors)
    if args.json:
        args.json.write_text(json.dumps({"paragraphs": len(documents), "micro_f1": round(f1, 4),
                                         "by_type": {k: round(tally.prf([k])[2], 4) for k in TYPES}}) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
