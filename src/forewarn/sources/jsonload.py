"""Bounded JSON loading: the one way the readers turn JSON text into values.

``json.loads`` recurses once per level of nesting, and so does every later walk of the value
(normalising fields, re-serialising a message for its hash). A line nested 200,000 levels deep
would raise ``RecursionError`` there and end the whole run. :func:`loads` measures the nesting
first, without recursion (a linear scan counting ``[``/``{`` outside strings), and refuses
anything deeper than :data:`MAX_DEPTH` with ``NESTING_TOO_DEEP`` before parsing a byte of it.

:func:`array_items` serves a file that holds many items in one top-level array (a Telegram
export's ``messages``): it finds each item's text without parsing, so that one item nested too
deep costs that item only, and the others are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from forewarn.errors import Code, ItemError

MAX_DEPTH = 512  # real data nests a dozen levels; far below the interpreter's recursion limit
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_TOKEN = re.compile(_STRING.pattern + r"|[\[\]{},:]", re.DOTALL)  # a string, or a structural character
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_FLATTEN_HINT = "flatten the item (or drop it); the rest of the file was read"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An item of an array that could not be loaded, with the reason."""

    error: ItemError


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON ``text`` (brackets inside strings do not count).

    Linear in the length of ``text`` and free of recursion, whatever the input."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[char] for char in brackets), default=0)


def too_deep(depth: int, limit: int = MAX_DEPTH) -> ItemError:
    return ItemError(Code.NESTING_TOO_DEEP, f"the JSON is nested {depth:,} levels deep, more than the "
                     f"{limit} forewarn reads", hint=_FLATTEN_HINT)


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise ItemError(NESTING_TOO_DEEP) when ``text`` nests deeper than ``limit``."""
    if text.count("[") + text.count("{") <= limit:
        return  # cannot nest deeper than it has brackets: the common case costs two counts
    depth = nesting_depth(text)
    if depth > limit:
        raise too_deep(depth, limit)


def loads(text: str, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``limit`` before parsing.

    Raises ItemError(NESTING_TOO_DEEP), or json.JSONDecodeError for text that is not JSON."""
    check_depth(text, limit)
    try:
        return json.loads(text)
    except RecursionError as err:  # only when the caller's own stack is already very deep
        raise ItemError(Code.NESTING_TOO_DEEP, "the JSON nests too deep to be read here",
                        hint=_FLATTEN_HINT) from err


def array_items(text: str, key: str, limit: int = MAX_DEPTH) -> tuple[Any, list[Any]]:
    """Load a JSON object whose ``key`` holds a long array, one array item at a time.

    Returns the object with ``key`` set to an empty list, and the items, each loaded on its own:
    an item that cannot be loaded (too deep, not JSON) is an :class:`Unreadable` in its place.
    Raises like :func:`loads` when the object around the array cannot be loaded, or has no such
    array."""
    bounds = _array_bounds(text, key)
    if bounds is None:
        raise ItemError(Code.JSON_INVALID, f"no top-level {key!r} array found",
                        hint="check that the file is complete and is the expected JSON")
    start, end = bounds
    shell = loads(text[: start + 1] + text[end:], limit)
    return shell, [_load_item(text[a:b], limit) for a, b in _item_spans(text, start, end)]


def _load_item(text: str, limit: int) -> Any:
    try:
        return loads(text, limit)
    except ItemError as err:
        return Unreadable(err)
    except json.JSONDecodeError as err:
        return Unreadable(ItemError(Code.JSON_INVALID, f"not valid JSON: {err.msg}", hint=_FLATTEN_HINT))


def _tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    """The strings and structural characters of ``text`` between ``start`` and ``end``."""
    return _TOKEN.finditer(text, start, len(text) if end is None else end)


def _array_bounds(text: str, key: str) -> tuple[int, int] | None:
    """Positions of the ``[`` and the matching ``]`` of the array under the top-level ``key``."""
    depth, wanted, last = 0, False, ""
    for match in _tokens(text):
        char = match[0][0]
        if char == '"' and depth == 1:
            last = match[0]
        elif char == ":" and depth == 1:
            wanted = _string_value(last) == key
        elif char in "[{":
            if wanted and char == "[" and depth == 1:
                return match.start(), _closing(text, match.start())
            depth, wanted = depth + 1, False
        elif char in "]}":
            depth -= 1
        elif char == ",":
            wanted = False
    return None


def _string_value(token: str) -> str:
    try:
        return str(json.loads(token))
    except json.JSONDecodeError:
        return ""


def _closing(text: str, start: int) -> int:
    """Position of the bracket closing the one at ``start`` (the end of ``text`` if none does)."""
    depth = 0
    for match in _tokens(text, start):
        depth += _STEP.get(match[0], 0)
        if depth == 0:
            return match.start()
    return len(text)


def _item_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The (start, end) of each item of the array between the brackets at ``start`` and ``end``."""
    depth, begin = 0, start + 1
    for match in _tokens(text, start + 1, end):
        depth += _STEP.get(match[0], 0)
        if match[0] == "," and depth == 0:
            yield begin, match.start()
            begin = match.end()
    if text[begin:end].strip():
        yield begin, end
