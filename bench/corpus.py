"""Benchmark corpus: the press releases in ../shared/data/press_2021_2022, replicated to any size.

Two ways to replicate (deterministic per seed):

  stream    the releases as they are, then new documents made of sentences drawn from the whole
            corpus (each as long as a random release), with 10 % near-duplicates of a recent
            document (boilerplate added, truncated, or a sentence changed) and 2 % exact re-posts:
            the mix a real feed of distinct stories and their re-posts gives the index
  replicas  every release again and again, each copy keeping ~80 % of its sentences (shuffled)
            and borrowing a few: at 90,000 documents every story has ~50 near-copies, a stress
            case for candidate lookups rather than a realistic stream

and real feed items (``feed_items``, ``write_feed``): the English items of
../shared/data/news_2023_mayjun/items.jsonl.gz (28 news feeds, May–June 2023), read from there,
written as one RSS 2.0 file into a temporary folder for the feed reader.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
import sys
from collections import deque
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
PRESS = ROOT.parent / "shared" / "data" / "press_2021_2022"
NEWS = ROOT.parent / "shared" / "data" / "news_2023_mayjun" / "items.jsonl.gz"
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


def write_corpus(path: Path, n_docs: int, seed: int = 2022, mode: str = "stream") -> int:
    """Write ``n_docs`` JSON lines {id, title, date, url, text}; returns total characters."""
    rows = press_rows()
    sentences = [[x for x in _SENTENCE.split(r["body"]) if x.strip()] for r in rows]
    rng = random.Random(seed)
    pool = [s for doc in sentences for s in doc]
    recent: deque[str] = deque(maxlen=2000)  # what a re-post copies from
    chars = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_docs):
            k, replica = i % len(rows), i // len(rows)
            if replica == 0:
                text = rows[k]["body"]
            elif mode == "replicas":
                text = _replica(sentences, k, rng)
            else:
                text = _stream_doc(sentences, pool, recent, rng)
            recent.append(text)
            chars += len(text)
            f.write(json.dumps({"id": f"{k}-{replica}", "title": rows[k]["headline"], "date": rows[k]["date"],
                                "url": rows[k]["link"], "text": text}, ensure_ascii=False) + "\n")
    return chars


def _replica(sentences: list[list[str]], k: int, rng: random.Random) -> str:
    own = [s for s in sentences[k] if rng.random() < 0.8] or sentences[k][:1]
    borrowed = [rng.choice(sentences[rng.randrange(len(sentences))]) for _ in range(max(1, len(own) // 4))]
    mixed = own + borrowed
    rng.shuffle(mixed)
    return " ".join(mixed)


def _stream_doc(sentences: list[list[str]], pool: list[str], recent: deque[str], rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(recent)
    if roll < 0.12:
        return _near_copy(rng.choice(recent), pool, rng)
    length = len(sentences[rng.randrange(len(sentences))])
    return " ".join(rng.choice(pool) for _ in range(max(1, length)))


def _near_copy(text: str, pool: list[str], rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return text + "\n\nSubscribe to our channel. Share this article."
    if kind == 1:
        words = text.split(" ")
        return " ".join(words[: max(1, int(len(words) * 0.8))])
    parts = _SENTENCE.split(text)
    parts[rng.randrange(len(parts))] = rng.choice(pool)
    return " ".join(parts)


def feed_items(n_items: int) -> list[dict[str, str]] | None:
    """``n_items`` English items spread evenly over the news archive (None when it is absent)."""
    if not NEWS.is_file():
        return None
    with gzip.open(NEWS, "rt", encoding="utf-8") as f:
        items = [item for line in f if (item := json.loads(line)).get("language", "").startswith("en")]
    step = max(1, len(items) // max(1, n_items))
    return items[::step][:n_items]


def write_feed(path: Path, items: list[dict[str, str]]) -> int:
    """The items as one RSS 2.0 file (their HTML descriptions escaped, as feeds carry them); returns its size."""
    entries = "".join(_rss_item(item) for item in items)
    text = f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>news 2023</title>{entries}' \
           "</channel></rss>\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def _rss_item(item: dict[str, str]) -> str:
    fields = {"title": item.get("title") or "", "description": item.get("description") or "",
              "link": item.get("link") or "", "pubDate": _rfc822(item.get("date") or "")}
    return "<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items() if v) + "</item>"


def _rfc822(iso: str) -> str:
    try:
        return format_datetime(datetime.fromisoformat(iso))
    except ValueError:
        return iso
