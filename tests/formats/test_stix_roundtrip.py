"""STIX → forewarn → STIX: a partner's bundle (a report and a located sighting, as another tool writes them, with
no forewarn extension) imported into a real workspace and exported again by the export desk keeps every field
docs/import.md lists under "Round trip", compared field by field; the export validates."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stix2validator import ValidationOptions, validate_string

from forewarn.app import Workspace
from forewarn.model.query import EventQuery
from forewarn.model.source import SourceKind

AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"  # OASIS TLP 2.0 TLP:AMBER
AUTHOR = "identity--8c5b7a1e-2f3d-4e6a-9b8c-1d2e3f4a5b6c"
ACTOR = "threat-actor--3a4b5c6d-7e8f-4a1b-8c2d-3e4f5a6b7c8d"
PLACE = "location--1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
T = "2024-08-03T09:30:00.000Z"
PARTNER: list[dict[str, Any]] = [
    {"type": "identity", "spec_version": "2.1", "id": AUTHOR, "created": T, "modified": T,
     "name": "Border Monitoring Unit", "identity_class": "organization"},
    {"type": "threat-actor", "spec_version": "2.1", "id": ACTOR, "created": T, "modified": T,
     "name": "Russian Armed Forces", "threat_actor_types": ["nation-state"], "country": "RU"},
    {"type": "location", "spec_version": "2.1", "id": PLACE, "created": T, "modified": T, "name": "Sudzha",
     "latitude": 51.19, "longitude": 35.27, "country": "RU"},
    {"type": "report", "spec_version": "2.1", "id": "report--9d8c7b6a-5e4f-4d3c-8b2a-1f0e9d8c7b6a", "created": T,
     "modified": T, "name": "Armour gathering near Sudzha", "published": T, "created_by_ref": AUTHOR,
     "description": "Residents reported a column of tanks and armoured vehicles gathering near Sudzha on Saturday.",
     "external_references": [{"source_name": "bmu", "url": "https://bmu.example/reports/412"}],
     "object_refs": [PLACE, ACTOR], "object_marking_refs": [AMBER]},
    {"type": "sighting", "spec_version": "2.1", "id": "sighting--2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "created": T,
     "modified": T, "sighting_of_ref": ACTOR, "where_sighted_refs": [PLACE], "first_seen": T, "count": 1,
     "confidence": 80, "created_by_ref": AUTHOR, "object_marking_refs": [AMBER],
     "description": "A column of tanks was seen moving through Sudzha towards the border."},
]


def _by_type(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["type"] == kind]


def _actor_words(sighting: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    """The actor's own words: the sighted object's name as the partner wrote it; in forewarn's export, the
    ``x_plover`` extension's ``entity_text`` (the sighted object is forewarn's canonical entity for those words)."""
    for extension in sighting.get("extensions", {}).values():
        if isinstance(extension.get("actor"), dict):
            return str(extension["actor"]["entity_text"])
    return str(by_id[sighting["sighting_of_ref"]]["name"])


def kept(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The listed fields of the partner's report and sighting, read from a bundle's objects (the sighting's date to
    the day: forewarn keeps an observation's date, not its time)."""
    by_id = {o["id"]: o for o in objects}
    report = next(o for o in _by_type(objects, "report") if o["name"] == "Armour gathering near Sudzha")
    (sighting,) = _by_type(objects, "sighting")
    (where,) = [by_id[r] for r in sighting["where_sighted_refs"]]
    return {"name": report["name"], "text": report["description"], "published": report["published"],
            "url": next(r["url"] for r in report["external_references"] if "url" in r),
            "report_tlp": report["object_marking_refs"][0] in (AMBER,), "day": sighting["first_seen"][:10],
            "sighting_text": sighting["description"], "confidence": sighting["confidence"],
            "actor": _actor_words(sighting, by_id), "point": (where["latitude"], where["longitude"]),
            "place": where["name"], "sighting_tlp": AMBER in sighting["object_marking_refs"]}


def test_a_partners_bundle_comes_back_out_with_its_listed_fields(make_workspace: Callable[..., Workspace],
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "partner.json"
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
                                "objects": PARTNER}), encoding="utf-8")
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", extract=True)
    report = ws.intake.ingest([str(path)], kind=SourceKind.STIX)
    assert report.failed == 0 and report.new == 2  # the report, and the sighting as a structured observation
    out = io.StringIO()
    ws.exports.export(out, EventQuery(limit=None), "stix", analysis=False)
    result = validate_string(out.getvalue(), ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [e.message for e in result.errors]
    before, after = kept(PARTNER), kept(json.loads(out.getvalue())["objects"])
    for field in before:
        assert after[field] == before[field], field
    by_id = {o["id"]: o for o in json.loads(out.getvalue())["objects"]}
    (sighting,) = _by_type(list(by_id.values()), "sighting")
    assert by_id[sighting["sighting_of_ref"]]["name"] == "Russian military"  # the entity those words resolve to
