"""Source readers, one per format, and :func:`read`, which picks the reader for a location.

``read`` never raises for bad input: a missing path is ``FILE_MISSING``, a file of an unknown
kind ``UNSUPPORTED_FORMAT`` (one issue per file), and each reader reports its own bad items.
In a folder read with kind ``auto``, files of no known kind in the subfolders of a Telegram
export (the folder holding a ``result.json`` export: photos/, files/ …) are skipped silently rather
than reported one by one: they are the export's media.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

from forewarn.errors import Code, Issue
from forewarn.model.source import FeedValidators, SourceKind
from forewarn.sources.base import ReadContext, Reader, ReadItem, iter_files, os_issue
from forewarn.sources.feed import FeedReader
from forewarn.sources.files import is_url
from forewarn.sources.html import HtmlReader
from forewarn.sources.misp import MispReader
from forewarn.sources.stix import StixReader, looks_like_bundle
from forewarn.sources.tabular import CsvReader, JsonlReader, parse_column_map
from forewarn.sources.taxii import TaxiiReader
from forewarn.sources.telegram import TelegramReader, looks_like_export
from forewarn.sources.text import TextReader

__all__ = [
    "READERS",
    "FeedValidators",
    "ReadContext",
    "ReadItem",
    "Reader",
    "detect_kind",
    "parse_column_map",
    "read",
]

READERS: dict[SourceKind, Reader] = {
    SourceKind.TEXT: TextReader(),
    SourceKind.HTML: HtmlReader(),
    SourceKind.FEED: FeedReader(),
    SourceKind.JSONL: JsonlReader(),
    SourceKind.CSV: CsvReader(),
    SourceKind.TELEGRAM: TelegramReader(),
    SourceKind.MISP: MispReader(),
    SourceKind.STIX: StixReader(),
    SourceKind.TAXII: TaxiiReader(),
}
SUFFIX_KINDS: dict[str, SourceKind] = {
    ".txt": SourceKind.TEXT, ".text": SourceKind.TEXT, ".md": SourceKind.TEXT, ".markdown": SourceKind.TEXT,
    ".html": SourceKind.HTML, ".htm": SourceKind.HTML, ".xhtml": SourceKind.HTML,
    ".xml": SourceKind.FEED, ".rss": SourceKind.FEED, ".atom": SourceKind.FEED,
    ".jsonl": SourceKind.JSONL, ".ndjson": SourceKind.JSONL,
    ".csv": SourceKind.CSV, ".tsv": SourceKind.CSV,
}
_SNIFF_BYTES = 4096
_TELEGRAM_EXPORT = "result.json"


def detect_kind(path: Path) -> SourceKind | None:
    """The reader kind for a file, from its extension; a ``.json`` file is STIX when its first bytes
    look like a STIX bundle, TELEGRAM when they look like an export (or cannot be read: the reader
    will report why), else None."""
    suffix = path.suffix.lower()
    if suffix != ".json":
        return SUFFIX_KINDS.get(suffix)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return SourceKind.TELEGRAM  # the telegram reader turns the OSError into an issue
    if looks_like_bundle(head):
        return SourceKind.STIX
    return SourceKind.TELEGRAM if looks_like_export(head) else None


def read(location: str, kind: SourceKind, ctx: ReadContext) -> Iterator[ReadItem]:
    """Read one location (file, folder or URL) with the reader ``kind`` names, or by extension."""
    if is_url(location):
        yield from _read_url(location, kind, ctx)
        return
    path = Path(location)
    try:
        mode = path.stat().st_mode
    except OSError as err:
        yield os_issue(err, location)
        return
    if kind is not SourceKind.AUTO:
        yield from READERS[kind].read(location, ctx)
    elif stat.S_ISDIR(mode):
        yield from _read_folder(path, ctx)
    else:
        yield from _read_file(path, ctx)


def _read_url(url: str, kind: SourceKind, ctx: ReadContext) -> Iterator[ReadItem]:
    if kind in (SourceKind.AUTO, SourceKind.FEED):
        yield from READERS[SourceKind.FEED].read(url, ctx)
        return
    if kind is SourceKind.TAXII:  # a TAXII collection is polled
        yield from READERS[kind].read(url, ctx)
        return
    yield Issue(Code.UNSUPPORTED_FORMAT, f"the {kind.value} reader reads files, not URLs", url,
                hint="read URLs as feeds (kind feed or auto), or download the page and read the file")


def _read_file(path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
    kind = detect_kind(path)
    if kind is None:
        yield _unsupported(path)
    else:
        yield from READERS[kind].read(str(path), ctx)


def _read_folder(root: Path, ctx: ReadContext) -> Iterator[ReadItem]:
    exports: list[Path] = []
    for found in iter_files(root, ctx):
        if isinstance(found, Issue):
            yield found
            continue
        kind = detect_kind(found)
        if kind is SourceKind.TELEGRAM and found.name == _TELEGRAM_EXPORT:
            exports.append(found.parent)
        if kind is not None:
            yield from READERS[kind].read(str(found), ctx)
        elif not _export_media(found, exports):
            yield _unsupported(found)


def _export_media(path: Path, exports: list[Path]) -> bool:
    """A file in a subfolder of a Telegram export (photos/, files/ …): media, not a report."""
    return any(path.parent != folder and path.is_relative_to(folder) for folder in exports)


def _unsupported(path: Path) -> Issue:
    known = ", ".join(sorted(SUFFIX_KINDS)) + ", .json (Telegram export)"
    return Issue(Code.UNSUPPORTED_FORMAT, f"no reader for {path.suffix or 'files without an extension'!r} "
                 f"files (known: {known})", str(path),
                 hint="convert the file, exclude it with --exclude, or name the kind with --kind")
