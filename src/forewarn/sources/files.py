"""Shared file handling for the readers: expanding a location into files, size-capped reads,
line-by-line decoding."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from forewarn.errors import Code, Issue, ItemError
from forewarn.sources.base import ReadContext, ReadItem, iter_files, os_issue
from forewarn.sources.encoding import sniff_encoding


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expand(location: str, suffixes: frozenset[str], ctx: ReadContext) -> Iterator[Path | Issue]:
    """The files a reader should read at ``location``: the file itself, or, for a folder, the
    files under it with one of ``suffixes`` (any file when ``ctx.include`` is given)."""
    path = Path(location)
    try:
        mode = path.stat().st_mode
    except OSError as err:
        yield os_issue(err, location)
        return
    if not stat.S_ISDIR(mode):
        yield path
        return
    for found in iter_files(path, ctx):
        if isinstance(found, Issue) or ctx.include or found.suffix.lower() in suffixes:
            yield found


def too_large(size: int, limit: int, *, what: str = "the file") -> ItemError:
    return ItemError(Code.TOO_LARGE, f"{what} is {size_text(size)}, over the {size_text(limit)} limit",
                     hint="raise --max-bytes, or split the file into smaller ones")


def size_text(size: int) -> str:
    """A size for messages: ``12.3 MB``, or ``N bytes`` below 100 KB."""
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size} bytes"


def regular_size(path: Path) -> int:
    """Size of a regular file from ``stat``; raises OSError, or ItemError for a non-file."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ItemError(Code.UNSUPPORTED_FORMAT, "not a regular file (a device, pipe or socket)",
                        hint="point forewarn at files or folders only")
    return info.st_size


def read_capped(path: Path, max_bytes: int) -> bytes:
    """Read a whole file, checking its size with ``stat`` before reading a byte.

    Raises ItemError(TOO_LARGE) for a file over ``max_bytes`` (also one that grew meanwhile),
    and OSError when the file vanished or cannot be read.
    """
    size = regular_size(path)
    if size > max_bytes:
        raise too_large(size, max_bytes)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(os.path.getsize(path), max_bytes)
    return data


def load(path: Path, max_bytes: int) -> bytes | Issue:
    """:func:`read_capped`, with every failure turned into an Issue for ``path``."""
    try:
        return read_capped(path, max_bytes)
    except ItemError as err:
        return err.issue(str(path))
    except OSError as err:
        return os_issue(err, str(path))


_WIDE = ("utf-16", "utf-32")
HEAD_BYTES = 64 * 1024


class LineReader:
    """A file's lines as text, in the encoding its first 64 KB show.

    In byte-oriented encodings (UTF-8, single-byte code pages) each line is decoded on its own:
    a line with invalid bytes sets :attr:`error` (and comes out with U+FFFD, for the caller to
    refuse, never to keep) and reading goes on. UTF-16/32 files are decoded as one stream, where
    invalid bytes raise UnicodeDecodeError and end the file. With a ``limit``, a longer line is
    skipped in bounded chunks: it comes out as ``"\\n"`` with :attr:`too_long` set. A NUL byte
    (character, in UTF-16/32) anywhere past the sniffed head means the rest of the file is binary:
    iteration raises ItemError(BINARY) there, after the lines before it were yielded.
    """

    def __init__(self, path: Path, limit: int | None = None) -> None:
        """Raises ItemError (EMPTY, BINARY, UNSUPPORTED_FORMAT) or OSError."""
        regular_size(path)
        self.raw = path.open("rb")
        try:
            head = self.raw.read(HEAD_BYTES)
            self.encoding = sniff_encoding(head)
            self.raw.seek(0)
        except (ItemError, OSError):
            self.raw.close()
            raise
        self.first_line = head.decode(self.encoding, errors="replace").split("\n", 1)[0]
        self.limit = limit
        self.error: UnicodeDecodeError | None = None
        self.too_long = False
        self.last = b""
        self.number = 0  # lines read so far

    def __enter__(self) -> LineReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.close()

    def __iter__(self) -> Iterator[str]:
        return self._stream() if self.encoding.startswith(_WIDE) else self._lines()

    def take_error(self) -> UnicodeDecodeError | None:
        """The decoding error of the lines read since the last call, if any (and forget it)."""
        error, self.error = self.error, None
        return error

    def take_too_long(self) -> bool:
        too_long, self.too_long = self.too_long, False
        return too_long

    def raw_line(self, line: str) -> bytes:
        """The bytes of the last line (re-encoded for UTF-16/32), without the line ending."""
        if self.encoding.startswith(_WIDE):
            return line.rstrip("\r\n").encode("utf-8")
        return self.last.rstrip(b"\r\n")

    def _lines(self) -> Iterator[str]:
        while line := self._read_line():
            if self.limit is not None and len(line) - line.endswith(b"\n") > self.limit:
                self._skip_line(line)
                yield "\n"
                continue
            self.last = line
            yield self._decode(line)

    def _read_line(self) -> bytes:
        """The next line, read in chunks of at most 64 KB (each checked for NUL), stopping once it
        is longer than the limit."""
        self.number += 1
        parts = [self.raw.readline(HEAD_BYTES)]
        size = len(parts[0])
        self._check_binary(b"\0" in parts[0])
        while size == HEAD_BYTES * len(parts) and not parts[-1].endswith(b"\n") \
                and (self.limit is None or size <= self.limit):
            parts.append(self.raw.readline(HEAD_BYTES))
            size += len(parts[-1])
            self._check_binary(b"\0" in parts[-1])
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _skip_line(self, line: bytes) -> None:
        """Read past the rest of a too long line in bounded chunks."""
        while line and not line.endswith(b"\n"):
            line = self.raw.readline(HEAD_BYTES)
            self._check_binary(b"\0" in line)
        self.too_long = True

    def _check_binary(self, nul: bool) -> None:
        """Text never holds NUL: past the sniffed head, one means the rest is binary."""
        if nul:
            raise ItemError(Code.BINARY, f"binary content (NUL bytes) from line {self.number:,} on: reading "
                            "stopped there; the lines before it were read",
                            hint="cut the file where the binary part starts, or re-export it as text")

    def _decode(self, line: bytes) -> str:
        try:
            return line.decode(self.encoding)
        except UnicodeDecodeError as err:
            self.error = err
            return line.decode(self.encoding, errors="replace")

    def _stream(self) -> Iterator[str]:
        text = io.TextIOWrapper(self.raw, encoding=self.encoding, newline="")
        try:
            yield from self._stream_lines(text)
        finally:
            if not self.raw.closed:
                text.detach()  # the raw file is closed by __exit__, not by the wrapper

    def _stream_lines(self, text: io.TextIOWrapper) -> Iterator[str]:
        size = -1 if self.limit is None else self.limit + 1
        while line := text.readline(size):
            self.number += 1
            self._check_binary("\0" in line)
            if self.limit is not None and len(line) > self.limit and not line.endswith("\n"):
                while line and not line.endswith("\n"):
                    line = text.readline(HEAD_BYTES)
                    self._check_binary("\0" in line)
                self.too_long = True
                yield "\n"
                continue
            yield line


class FileReader:
    """A reader of files: a file, or every file with one of ``suffixes`` under a folder."""

    name = ""
    suffixes: frozenset[str] = frozenset()

    def read(self, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
        for found in expand(location, self.suffixes, ctx):
            if isinstance(found, Issue):
                yield found
            else:
                yield from self.read_file(found, ctx)

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        raise NotImplementedError

