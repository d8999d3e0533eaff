"""Russian named entities: the Russian pipeline's ``doc.ents`` against NEREL (target micro F1 ≥ 0.85 on dev).

Data: ``../shared/data/ner_ru_nerel/{dev,train}`` (brat standoff, nested entities of 29 types). Gold types
are mapped to the pipeline's three, following NEREL's annotation guidelines:

  PER  PERSON
  ORG  ORGANIZATION
  LOC  COUNTRY, CITY, STATE_OR_PROVINCE, DISTRICT, LOCATION (the geopolitical and geographical names:
       what forewarn places on a map)

FACILITY (buildings, streets, stations, cemeteries — "Белый дом" is FACILITY or ORGANIZATION by context)
is neither ORG nor LOC in this scheme: it is not gold, and a prediction on exactly a FACILITY span counts
neither way. Nesting: NEREL annotates "администрация [Курской области]" as ORGANIZATION with a
STATE_OR_PROVINCE inside; the pipeline's names are flat, so the gold is the outermost level of the mapped
types (an entity inside another mapped entity is not gold); a prediction on exactly such an inner span
counts neither way (it is a right name, at the other level). The strict figure, which counts those inner
predictions as false positives, is printed too. Discontinuous entities (a handful) are skipped.

Scoring: exact character spans (quotes and spaces trimmed), per type P/R/F1 and micro-averaged.
``--split train`` scores train as a second check; ``--limit N`` the first N documents (development runs);
``--errors K`` lists the K most frequent missed and spurious names.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ner_scoring import TYPES, Entity, Tally, pipeline, predict, print_errors, print_table, trimmed

NEREL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ner_ru_nerel"
TARGET = 0.85
MAPPING = {"PERSON": "PER", "ORGANIZATION": "ORG", "COUNTRY": "LOC", "CITY": "LOC", "STATE_OR_PROVINCE": "LOC",
           "DISTRICT": "LOC", "LOCATION": "LOC"}
NEITHER = frozenset({"FACILITY"})


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    gold: set[Entity]
    ignored: set[tuple[int, int]]  # FACILITY spans and inner mapped spans
    inner: set[tuple[int, int]]  # inner mapped spans only (for the strict figure)


def read_document(txt: Path) -> Document:
    text = txt.read_text(encoding="utf-8")
    mapped: set[Entity] = set()
    neither: set[tuple[int, int]] = set()
    for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("T") or len(fields) < 2 or ";" in fields[1]:
            continue
        kind, start, end = fields[1].split()
        span = trimmed(text, int(start), int(end))
        if kind in MAPPING:
            mapped.add((*span, MAPPING[kind]))
        elif kind in NEITHER:
            neither.add(span)
    outer = {e for e in mapped if not any(_inside(e, o) for o in mapped)}
    inner = {(s, e) for s, e, _ in mapped - outer}
    return Document(text, outer, neither | inner, inner)


def _inside(e: Entity, o: Entity) -> bool:
    """``e`` lies within ``o`` and is not the same span."""
    return o[0] <= e[0] and e[1] <= o[1] and (o[0], o[1]) != (e[0], e[1])


def read_split(split: str, limit: int | None) -> list[Document]:
    folder = NEREL / split
    if not folder.is_dir():
        raise SystemExit(f"needs {folder} (the shared NEREL data); it is not there: skipped")
    return [read_document(p) for p in sorted(folder.glob("*.txt"))[:limit]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--limit", type=int, help="only the first N documents")
    parser.add_argument("--errors", type=int, default=0, metavar="K", help="list the K most frequent errors")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    documents = read_split(args.split, args.limit)
    began = time.perf_counter()
    predicted = predict(pipeline("ru"), [d.text for d in documents])
    seconds = time.perf_counter() - began
    tally, strict = Tally(), Tally()
    for doc, found in zip(documents, predicted, strict=True):
        tally.add(doc.text, doc.gold, found, doc.ignored)
        strict.add(doc.text, doc.gold, found, doc.ignored - doc.inner)
    f1 = print_table(tally, TARGET, f"NEREL {args.split}: {len(documents)} documents, {seconds:.1f} s")
    strict_f1 = strict.prf(TYPES)[2]
    print(f"strict (a name on an inner nested span counts as wrong): micro F1 {strict_f1:.3f}")
    if args.errors:
        print_errors(tally, args.errors)
    if args.json:
        args.json.write_text(json.dumps({"split": args.split, "documents": len(documents), "micro_f1": round(f1, 4),
                                         "strict_micro_f1": round(strict_f1, 4)}) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
