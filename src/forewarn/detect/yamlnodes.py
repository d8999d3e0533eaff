"""Reading a composed YAML node tree field by field, so that every error names file, line and field.

Plain ``yaml.load`` forgets where a value came from; here values are taken from the nodes, which keep
their marks. Mappings refuse duplicate and unknown keys.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from forewarn.errors import ScenarioInvalid

_MISSING: Any = object()


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Reader:
    """Typed access to nodes; ``origin`` (the file) starts every message."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._constructor = SafeConstructor()

    def error(self, node: yaml.Node | None, path: str, message: str, hint: str = "") -> ScenarioInvalid:
        line = node.start_mark.line + 1 if node is not None else 1
        where = f"{path}: " if path else ""
        return ScenarioInvalid(f"{self.origin}:{line}: {where}{message}",
                               hint=hint or "see docs/scenarios.md for the scenario format")

    @staticmethod
    def kind(node: yaml.Node) -> str:
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        if node.tag.endswith(":null"):
            return "nothing"
        tag = node.tag.rsplit(":", 1)[-1]
        names = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true/false"}
        return f"{names.get(tag, tag)} {node.value!r}"

    def scalar(self, node: yaml.Node, path: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, path, f"expected a single value, found {self.kind(node)}")
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as e:
            raise self.error(node, path, f"cannot read {node.value!r}: {e}") from None

    def mapping(self, node: yaml.Node, path: str, allowed: Sequence[str] | None,
                required: Sequence[str] = ()) -> Mapping:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, path, f"expected a mapping (key: value lines), found {self.kind(node)}")
        items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, path)
            if not isinstance(key, str):
                raise self.error(key_node, path, f"key {key!r} is not text")
            if key in items:
                first = items[key][0].start_mark.line + 1
                raise self.error(key_node, join(path, key), f"duplicate key (first given on line {first})",
                                 hint="each key may appear once; YAML would silently keep only the last")
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                guess = f"did you mean {close[0]!r}? " if close else ""
                raise self.error(key_node, join(path, key), f"unknown key {key!r}",
                                 hint=f"{guess}keys here: {', '.join(allowed)}")
            items[key] = (key_node, value_node)
        for key in required:
            if key not in items:
                raise self.error(node, join(path, key), "missing", hint=f"add {key}: … to {path or 'the file'}")
        return Mapping(self, node, path, items)

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, path, f"expected a list, found {self.kind(node)}")
        return list(node.value)

    def text(self, node: yaml.Node, path: str) -> str:
        value = self.scalar(node, path)
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, path, f"expected text, found {self.kind(node)}")
        return value.strip()

    def texts(self, node: yaml.Node, path: str) -> list[str]:
        """A list of texts; one text alone stands for a list of one."""
        if isinstance(node, yaml.ScalarNode) and isinstance(self.scalar(node, path), str):
            return [self.text(node, path)]
        return [self.text(item, f"{path}[{i}]") for i, item in enumerate(self.sequence(node, path))]

    def number(self, node: yaml.Node, path: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
        value = self.scalar(node, path)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.error(node, path, f"expected a number, found {self.kind(node)}")
        below = low is not None and (value <= low if low_open else value < low)
        above = high is not None and (value >= high if high_open else value > high)
        if below or above:
            raise self.error(node, path, f"{value:g} {_range(low, high, low_open, high_open)}")
        return float(value)

    def integer(self, node: yaml.Node, path: str, *, low: int | None = None) -> int:
        value = self.scalar(node, path)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(node, path, f"expected a whole number, found {self.kind(node)}")
        if low is not None and value < low:
            raise self.error(node, path, f"{value} must be at least {low}")
        return value

    def boolean(self, node: yaml.Node, path: str) -> bool:
        value = self.scalar(node, path)
        if not isinstance(value, bool):
            raise self.error(node, path, f"expected true or false, found {self.kind(node)}")
        return value


class Mapping:
    """A checked mapping node: its keys in order, and typed getters that know their paths."""

    def __init__(self, reader: Reader, node: yaml.MappingNode, path: str,
                 items: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        self.r = reader
        self.node = node
        self.path = path
        self._items = items

    @property
    def keys(self) -> list[str]:
        return list(self._items)

    def node_of(self, key: str) -> yaml.Node | None:
        item = self._items.get(key)
        return None if item is None else item[1]

    def key_node(self, key: str) -> yaml.Node:
        return self._items[key][0]

    def path_of(self, key: str) -> str:
        return join(self.path, key)

    def item_node(self, key: str, index: int) -> yaml.Node:
        """The node of a list value's ``index``-th item (the value itself when it is a single text)."""
        node = self._items[key][1]
        return node.value[index] if isinstance(node, yaml.SequenceNode) else node

    def _get(self, key: str, default: Any) -> yaml.Node | None:
        node = self.node_of(key)
        if node is None and default is _MISSING:
            raise self.r.error(self.node, self.path_of(key), "missing")
        return node

    def text(self, key: str, default: Any = _MISSING) -> str:
        node = self._get(key, default)
        return default if node is None else self.r.text(node, self.path_of(key))

    def texts(self, key: str) -> tuple[str, ...]:
        node = self.node_of(key)
        return () if node is None else tuple(self.r.texts(node, self.path_of(key)))

    def number(self, key: str, *, default: Any = _MISSING, **bounds: Any) -> float:
        node = self._get(key, default)
        return float(default) if node is None else self.r.number(node, self.path_of(key), **bounds)

    def integer(self, key: str, *, low: int | None = None, default: Any = _MISSING) -> int:
        node = self._get(key, default)
        return int(default) if node is None else self.r.integer(node, self.path_of(key), low=low)

    def optional_integer(self, key: str, *, low: int | None = None) -> int | None:
        node = self.node_of(key)
        return None if node is None else self.r.integer(node, self.path_of(key), low=low)

    def boolean(self, key: str, default: bool) -> bool:
        node = self.node_of(key)
        return default if node is None else self.r.boolean(node, self.path_of(key))


def _range(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        return f"is outside {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"must be {'greater than' if low_open else 'at least'} {low:g}"
    return f"must be {'less than' if high_open else 'at most'} {high:g}"
