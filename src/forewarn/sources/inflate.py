"""Bounded decompression of gzip and zlib data, for bodies fetched over HTTP.

A few kilobytes of gzip can expand to gigabytes (a "gzip bomb"). :func:`inflate` decompresses
chunk by chunk and never asks zlib for more output than the limit leaves room for, so memory
stays within ``limit`` whatever the ratio; past it, the body is refused as ``TOO_LARGE`` with
its compressed size, not with the size reached when reading stopped.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from forewarn.errors import Code, ItemError
from forewarn.sources.files import size_text

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_OR_ZLIB = zlib.MAX_WBITS | 32  # let zlib detect a gzip or a zlib header


def inflate(chunks: Iterable[bytes], limit: int, *, what: str = "the body", declared: int = 0) -> bytes:
    """The decompressed bytes of gzip or zlib ``chunks``, at most ``limit`` of them.

    Raises ItemError: TOO_LARGE when the data expands past ``limit`` (naming the compressed size:
    ``declared`` when the sender gave it, else what was received), FEED_MALFORMED when it is not
    valid compressed data. Trailing bytes after the compressed stream are ignored."""
    engine = zlib.decompressobj(_GZIP_OR_ZLIB)
    out: list[bytes] = []
    size = compressed = 0
    for chunk in chunks:
        compressed += len(chunk)
        pending = chunk
        while pending and not engine.eof:
            piece = _decompress(engine, pending, limit - size + 1, what)
            size += len(piece)
            if size > limit:
                raise expands_too_far(declared or compressed, limit, what, received=not declared)
            out.append(piece)
            pending = engine.unconsumed_tail
    return b"".join(out)


def _decompress(engine: zlib._Decompress, data: bytes, room: int, what: str) -> bytes:
    try:
        return engine.decompress(data, room)
    except zlib.error as err:
        raise ItemError(Code.FEED_MALFORMED, f"{what} is compressed data that is corrupt ({err})",
                        hint="the server sent a broken body; tell the publisher if it recurs") from err


def expands_too_far(compressed: int, limit: int, what: str, *, received: bool = False) -> ItemError:
    size = f"{size_text(compressed)} received" if received else size_text(compressed)
    return ItemError(Code.TOO_LARGE, f"{what} is compressed ({size}) and expands past the {size_text(limit)} "
                     "limit; decompression stopped there",
                     hint="raise --max-bytes if the feed is genuinely that large; a small body that expands "
                     "this far is a decompression bomb")
