"""Benchmark corpus: the press releases in ../shared/data/press_2021_2022, replicated to any size.

Each replica of a release keeps most of its sentences (in a shuffled order) and borrows a few from
other releases, so copies are neither exact duplicates nor unrelated: the near-duplicate index is
exercised as it would be by a stream of re-posted and re-edited stories. Deterministic per seed.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRESS = ROOT.parent / "shared" / "data" / "press_2021_2022"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def press_rows() -> list[dict[str, str]]:
    if not PRESS.is_dir():
        sys.exit(f"needs {PRESS} (the shared labelled data); it is not there")
    csv.field_size_limit(sys.maxsize)
    rows: list[dict[str, str]] = []
    for name in ("putin.csv", "zelenskyy.csv"):
        with (PRESS / name).open(encoding="utf-8", newline="") as f:
            rows += [r for r in csv.DictReader(f) if r.get("body", "").strip()]
    return rows


def write_corpus(path: Path, n_docs: int, seed: int = 2022) -> int:
    """Write ``n_docs`` JSON lines {id, title, date, url, text}; returns total characters."""
    rows = press_rows()
    sentences = [[x for x in _SENTENCE.split(r["body"]) if x.strip()] for r in rows]
    rng = random.Random(seed)
    chars = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_docs):
            k, replica = i % len(rows), i // len(rows)
            text = rows[k]["body"] if replica == 0 else _variant(sentences, k, rng)
            chars += len(text)
            f.write(json.dumps({"id": f"{k}-{replica}", "title": rows[k]["headline"], "date": rows[k]["date"],
                                "url": rows[k]["link"], "text": text}, ensure_ascii=False) + "\n")
    return chars


def _variant(sentences: list[list[str]], k: int, rng: random.Random) -> str:
    own = [s for s in sentences[k] if rng.random() < 0.8] or sentences[k][:1]
    borrowed = [rng.choice(sentences[rng.randrange(len(sentences))]) for _ in range(max(1, len(own) // 4))]
    mixed = own + borrowed
    rng.shuffle(mixed)
    return " ".join(mixed)
