"""YAML for forewarn's own files (actor dictionaries, event lexicons): safe, and strict about
duplicate keys, which plain YAML silently resolves by keeping the last one."""

from __future__ import annotations

from typing import Any

import yaml


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that refuses duplicate mapping keys, naming the line."""


def _no_duplicates(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def load_strict(text: str) -> Any:
    """Parse ``text``; raises ``yaml.YAMLError`` (duplicate keys included) with the line."""
    return yaml.load(text, Loader=StrictLoader)
