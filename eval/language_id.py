"""Language identification: accuracy of ``forewarn.nlp.language.detect`` per language, beside py3langid alone.

Sets:
  labelled   ``eval/data/language_id.jsonl``: short items written for this evaluation (headlines, Telegram-style
             posts, one-liners, mixed-script texts) in en, ru and uk, with a few bg, be, pl, de, fr distractors;
             accuracy per language and per kind.
  nerel      ``../shared/data/ner_ru_nerel/dev``: each text (ru), and its first line alone (a headline).
  ner_uk     ``../shared/data/ner_uk/train.iob`` (evaluation only): each sentence with a letter (uk), and runs of
             ``PASSAGE`` consecutive sentences joined (the file does not mark where one text ends).
  feeds      ``../shared/data/news_2024_feeds``: every ``--feed-every``-th item, title and description (the feeds
             are English): detection alone, and the language kept at intake (``document_language``) with the
             feed's declared tag.

Targets (ours, not the issue's): ≥ 0.95 on each of en, ru and uk of the labelled set; ≥ 0.98 on the real texts.
Failures of the labelled set are listed. ``--json PATH`` writes the figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from forewarn.nlp.language import detect, document_language

DATA = Path(__file__).resolve().parent / "data" / "language_id.jsonl"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PASSAGE = 10  # sentences of ner_uk joined into one passage
TARGET_LABELLED = 0.95
TARGET_REAL = 0.98
MAIN = ("en", "ru", "uk")


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    lang: str
    kind: str
    declared: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    n: int
    ours: float
    plain: float
    target: float | None


def labelled(path: Path) -> list[Item]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [Item(r["text"], r["lang"], r["kind"]) for r in rows]


def nerel(root: Path) -> Iterator[Item]:
    for path in sorted((root / "ner_ru_nerel" / "dev").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        yield Item(text, "ru", "text")
        yield Item(text.strip().split("\n", 1)[0], "ru", "first line")


def ner_uk(root: Path) -> Iterator[Item]:
    raw = (root / "ner_uk" / "train.iob").read_text(encoding="utf-8")
    sentences = [" ".join(line.split(" ")[0] for line in block.splitlines() if line.strip())
                 for block in re.split(r"\n\s*\n", raw) if block.strip()]
    for s in sentences:
        if any(c.isalpha() for c in s):  # a "sentence" of punctuation or digits has no language
            yield Item(s, "uk", "sentence")
    for i in range(0, len(sentences), PASSAGE):
        yield Item(" ".join(sentences[i:i + PASSAGE]), "uk", "passage")


def feeds(root: Path, every: int) -> Iterator[Item]:
    with gzip.open(root / "news_2024_feeds" / "items.jsonl.gz", "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % every == 0:
                r = json.loads(line)
                text = ". ".join(p for p in (r.get("title"), r.get("description")) if p)
                yield Item(text, "en", "item", r.get("language"))


def _plain() -> Callable[[str], str]:
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)
    return lambda text: str(identifier.classify(text[:4000])[0])


def score(name: str, items: Iterable[Item], plain: Callable[[str], str], target: float | None,
          ours: Callable[[Item], str | None] = lambda i: detect(i.text)) -> tuple[Row, list[tuple[Item, str | None]]]:
    n = good = base = 0
    wrong = []
    for item in items:
        found = ours(item)
        n, good, base = n + 1, good + (found == item.lang), base + (plain(item.text) == item.lang)
        if found != item.lang:
            wrong.append((item, found))
    return Row(name, n, good / n if n else 0.0, base / n if n else 0.0, target), wrong


def labelled_rows(items: list[Item], plain: Callable[[str], str]) -> tuple[list[Row], list[tuple[Item, str | None]]]:
    rows, wrong = [], []
    for lang in dict.fromkeys(i.lang for i in items):
        row, missed = score(f"labelled {lang}", (i for i in items if i.lang == lang), plain,
                            TARGET_LABELLED if lang in MAIN else None)
        rows.append(row)
        wrong += missed
    for kind in dict.fromkeys(i.kind for i in items):
        rows.append(score(f"labelled kind={kind}", (i for i in items if i.kind == kind), plain, None)[0])
    rows.append(score("labelled all", items, plain, None)[0])
    return rows, wrong


def real_rows(plain: Callable[[str], str], feed_every: int) -> list[Row]:
    rows = []
    for name, items in (("nerel", list(nerel(SHARED))), ("ner_uk", list(ner_uk(SHARED)))):
        for kind in dict.fromkeys(i.kind for i in items):
            rows.append(score(f"{name} {kind}", (i for i in items if i.kind == kind), plain, TARGET_REAL)[0])
    sample = list(feeds(SHARED, feed_every))
    rows.append(score("feeds detected", sample, plain, TARGET_REAL)[0])
    rows.append(score("feeds kept (declared)", sample, plain, TARGET_REAL,
                      lambda i: document_language(i.declared, i.text))[0])
    return rows


def table(rows: list[Row]) -> str:
    lines = [f"{'set':34} {'n':>6} {'forewarn':>9} {'py3langid':>9} {'target':>7}"]
    for r in rows:
        target = f"{r.target:.2f}" if r.target is not None else "—"
        mark = "" if r.target is None or r.ours >= r.target else "  below"
        lines.append(f"{r.name:34} {r.n:>6} {r.ours:>9.3f} {r.plain:>9.3f} {target:>7}{mark}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feed-every", type=int, default=10, help="every n-th feed item (default 10)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    plain = _plain()
    rows, wrong = labelled_rows(labelled(DATA), plain)
    if SHARED.is_dir():
        rows += real_rows(plain, args.feed_every)
    else:
        print(f"../shared/data not found at {SHARED}: the labelled set only")
    print(table(rows))
    print(f"\nlabelled failures ({len(wrong)}):")
    for item, found in wrong:
        print(f"  {item.lang} → {found}: {item.text[:80]}")
    confusions = Counter((i.lang, f) for i, f in wrong)
    print("confusions:", ", ".join(f"{a}→{b} {n}" for (a, b), n in confusions.most_common()) or "none")
    if args.json:
        figures: dict[str, Any] = {r.name: {"n": r.n, "accuracy": round(r.ours, 4), "py3langid": round(r.plain, 4),
                                            "target": r.target} for r in rows}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
