"""Cached workspaces of the real news streams in ../shared/data, one per stream, built like the press
workspace (eval/press_workspace.py: cached in $FOREWARN_EVAL_CACHE, re-extracting only what another
extractor version coded):

- ``news_2023_mayjun``: 93,385 items of 28 news feeds, 1 May – 30 June 2023;
- ``news_2024_feeds``: ~7,000 items of six feeds (and three more on a few days) over two periods of 2024.

Each feed becomes a source: its id from the feed's host and path (``bbci-news``, ``theguardian-world``;
two URLs giving the same id are one feed, e.g. with and without a trailing slash), its name the feed's URL.
Every feed gets the same reliability grade, C ("fairly reliable"): these are professional newsrooms with
editorial checks and uneven records, none assessed here, so none is graded above another; C sits below the
B of the press offices (who reliably say what they said) and above F (the grade of a source nobody knows).

The archive is read member by member, each member's length checked against the length its gzip trailer
records. A feed's items are written to a JSONL file in the cache (never in the repository) and ingested
through the normal intake with the column map title, description as text, date, link, language, as
published: the JSON Lines reader turns their HTML into text and reads each item as its title, a blank line
and its description, as the feed reader does. Extraction: 2 processes.

Usage: python eval/news_workspace.py [news_2023_mayjun|news_2024_feeds ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from press_workspace import ROOT, SourceSpec, cache_dir, open_cached

from forewarn.app import Workspace
from forewarn.model import Reliability, SourceKind

DATA = ROOT.parent / "shared" / "data"
STREAMS = ("news_2023_mayjun", "news_2024_feeds")
GRADE = Reliability.C
COLUMNS = {"text": "description", "title": "title", "date": "date", "url": "link", "language": "language"}
_SUFFIX_LABELS = frozenset({"co", "com", "org", "net", "gov", "ac"})  # second-level labels before a country code
_FEED_WORDS = frozenset({"rss", "xml", "feed", "feeds", "index", "aspx", "php", "html", "site", "services"})
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def archive(stream: str) -> Path:
    path = DATA / stream / "items.jsonl.gz"
    if not path.is_file():
        sys.exit(f"needs {path} (the shared news data); it is not there")
    return path


def members(path: Path) -> Iterator[bytes]:
    """Each gzip member of ``path`` decompressed, its length checked against its trailer's (ISIZE)."""
    data = path.read_bytes()
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        content = inflater.decompress(data) + inflater.flush()
        used = len(data) - len(inflater.unused_data)
        recorded = int.from_bytes(data[used - 4:used], "little")
        if not inflater.eof or len(content) % 2**32 != recorded:
            sys.exit(f"{path}: a member is truncated or corrupt ({len(content):,} bytes read, {recorded:,} recorded)")
        yield content
        data = inflater.unused_data


def read_items(stream: str) -> list[dict[str, Any]]:
    """The stream's items, in archive order."""
    return [json.loads(line) for member in members(archive(stream)) for line in member.decode().split("\n")
            if line.strip()]


def feed_id(url: str) -> str:
    """``https://feeds.bbci.co.uk/news/rss.xml`` → ``bbci-news``: the site's name, then the path's words."""
    parts = urlsplit(url)
    labels = (parts.hostname or "feed").split(".")[:-1]
    while len(labels) > 1 and labels[-1] in _SUFFIX_LABELS:
        labels.pop()
    site = labels[-1]
    words = [w for w in _WORD.findall(parts.path.lower()) if w not in _FEED_WORDS and w != site]
    return "-".join([site, *words])


def feed_items(items: list[dict[str, Any]]) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Items per feed id: the feed's URL (the first seen) and its items."""
    feeds: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    grouped: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        fid = feed_id(item["feed"])
        feeds.setdefault(fid, (item["feed"], grouped[fid]))
        grouped[fid].append(item)
    return feeds


def write_feed(path: Path, items: list[dict[str, Any]]) -> None:
    """The items as JSON lines, as published."""
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def stream_sources(stream: str) -> list[SourceSpec]:
    """One source per feed of ``stream``, its items written to the cache (once)."""
    folder = cache_dir() / stream
    folder.mkdir(exist_ok=True)
    specs = []
    for fid, (url, items) in sorted(feed_items(read_items(stream)).items()):
        path = folder / f"{fid}.jsonl"
        if not path.is_file():
            write_feed(path, items)
        specs.append(SourceSpec(fid, url, path, SourceKind.JSONL, COLUMNS, GRADE))
    return specs


def open_news_workspace(stream: str, processes: int = 2, *, refresh: bool = True) -> Workspace:
    """The stream's workspace, ingested and extracted (the 2023 stream's first build takes many minutes)."""
    if stream not in STREAMS:
        sys.exit(f"unknown stream {stream!r}; known: {', '.join(STREAMS)}")
    return open_cached(stream, stream_sources(stream) if refresh else [], processes, refresh=refresh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("streams", nargs="*", default=list(STREAMS), help=", ".join(STREAMS))
    for stream in parser.parse_args().streams:
        with open_news_workspace(stream) as ws:
            print(stream, ws.reads.stats())


if __name__ == "__main__":
    main()
