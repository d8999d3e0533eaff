"""Checks of MISP output with the field's own libraries: an export run over chunks, each event loaded by pymisp,
each object validated against its bundled template, every machine tag looked up in pytaxonomies."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from typing import Any

from pymisp import MISPEvent, MISPObject
from pytaxonomies import Taxonomies
from stix_support import drive

from forewarn.formats.base import Analysis, Chunk
from forewarn.formats.misp import MispWriter

FOREWARN_TAG = "forewarn:"  # forewarn's own namespace (docs/misp.md), not a MISP taxonomy


def export(chunks: Iterable[Chunk], analysis: Analysis | None = None) -> str:
    """What the writer streams for these chunks and analysis."""
    return drive(MispWriter(), chunks, analysis)


def events(text: str) -> list[dict[str, Any]]:
    """The ``Event`` dicts of an export."""
    return [item["Event"] for item in json.loads(text)["response"]]


def load(event: dict[str, Any]) -> MISPEvent:
    """The event as pymisp loads it (raises on what it refuses)."""
    loaded = MISPEvent()
    loaded.from_dict(**copy.deepcopy(event))
    return loaded


def validate_objects(event: dict[str, Any]) -> int:
    """Validate each object against its template (strict: known template, uuid and version, required
    attributes, no repeated single-valued relation) and each attribute's relation and type; returns the count."""
    for obj in event.get("Object", []):
        loaded = MISPObject(obj["name"], strict=True)
        loaded.from_dict(**copy.deepcopy(obj))
        loaded._validate()
        assert loaded._definition is not None
        template = loaded._definition["attributes"]
        for attr in obj["Attribute"]:
            relation = attr["object_relation"]
            assert relation in template, f"{obj['name']} has no {relation}"
            assert attr["type"] == template[relation]["misp-attribute"], (obj["name"], relation)
    return len(event.get("Object", []))


def tags(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Every tag of an event: its own, its attributes', its objects' attributes'."""
    found = list(event.get("Tag", []))
    attributes = list(event.get("Attribute", [])) + [a for o in event.get("Object", []) for a in o["Attribute"]]
    return found + [t for a in attributes for t in a.get("Tag", [])]


@cache
def machine_tags() -> frozenset[str]:
    return frozenset(tag for taxonomy in Taxonomies().values() for tag in taxonomy.machinetags())


def not_in_taxonomies(names: Iterable[str]) -> list[str]:
    """The tags that are neither forewarn's own nor an entry of a MISP taxonomy."""
    known = machine_tags()
    return [n for n in names if not n.startswith(FOREWARN_TAG) and n not in known]


_TO_STIX = """
import json, sys
from misp_stix_converter import MISPtoSTIX21Parser
parser = MISPtoSTIX21Parser()
parser.parse_json_content(sys.stdin.read())
json.dump({"errors": {k: list(v) for k, v in parser.errors.items()},
           "objects": json.loads(parser.bundle.serialize())["objects"]}, sys.stdout)
"""


def to_stix(text: str) -> dict[str, Any]:
    """misp-stix's STIX 2.1 conversion of a MISP export: ``errors`` (by event) and the bundle's ``objects``. It runs
    in a child interpreter: misp-stix pulls in mixbox, whose vendored six installs an import hook that warns on
    every later import (the suite turns warnings into errors)."""
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", _TO_STIX], input=text, capture_output=True,
                          text=True, check=True, timeout=120)
    result: dict[str, Any] = json.loads(done.stdout)
    return result
