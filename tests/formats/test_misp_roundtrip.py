"""Round trips: a MISP event ingested into a real workspace and exported again keeps every field docs/misp.md
lists ("Round trip"), compared field by field; and forewarn's MISP export converts to STIX 2.1 with misp-stix."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import misp_support as ms
import stix_support as ss

from forewarn.app import Workspace
from forewarn.formats.base import Chunk
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.model.source import SourceKind

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from test_misp_import import EVENT_UUID, sample_event


def stored_chunk(ws: Workspace) -> Chunk:
    """Every stored document and event, with their sources and compartments, as the export desk hands them over."""
    documents = {d.id: d for d in ws.reads.documents(DocumentQuery(limit=1000))[0]}
    ids = {d.compartment_id for d in documents.values()}
    return Chunk(events=ws.reads.events(EventQuery(limit=None)), documents=documents,
                 sources={s.id: s for s in ws.reads.sources()}, compartments=ws.store.compartments(ids))


def values(obj: dict[str, Any]) -> dict[str, str]:
    return {a["object_relation"]: a["value"] for a in obj["Attribute"]}


def attribute_tags(obj: dict[str, Any]) -> list[str]:
    return [t["name"] for a in obj["Attribute"] for t in a.get("Tag", [])]


def kept(original: dict[str, Any]) -> dict[str, Any]:
    """The fields docs/misp.md says survive MISP → forewarn → MISP, from an event as MISP wrote it."""
    event = original["Event"]
    texts = [a["value"] for a in event["Attribute"] if a["type"] in ("text", "comment")]
    geo, note = event["Object"]
    tags = [t["name"] for t in event["Tag"]]
    return {"uuid": event["uuid"], "info": event["info"], "date": event["date"], "orgc": event["Orgc"],
            "tlp": "tlp:amber", "tags": [t for t in tags if not t.startswith("tlp:")],
            "link": next(a["value"] for a in event["Attribute"] if a["type"] == "link"), "text": "\n\n".join(texts),
            "geolocation": {"uuid": geo["uuid"], **{k: v for k, v in values(geo).items() if k != "first-seen"}},
            "day": values(geo)["first-seen"][:10], "plover": note["comment"].split(";")[0],
            "actor_country": "RUS", "evidence": values(note)["text"]}


def came_back(exported: list[dict[str, Any]]) -> dict[str, Any]:
    """The same fields, from forewarn's export of what was ingested."""
    event = next(e for e in exported if e["uuid"] == EVENT_UUID)
    (extension,) = [e for e in exported if e.get("extends_uuid") == EVENT_UUID]
    geo = next(o for o in extension["Object"] if o["name"] == "geolocation")
    note = next(o for o in extension["Object"] if o["name"] == "annotation")
    tags = [t["name"] for t in event["Tag"]]
    coding = ("forewarn:plover-type", "forewarn:plover-mode")
    plover = [t.split('"')[1] for t in attribute_tags(note) if t.startswith(coding)]
    return {"uuid": event["uuid"], "info": event["info"], "date": event["date"], "orgc": event["Orgc"],
            "tlp": tags[0], "tags": [t for t in tags if not t.startswith(("tlp:", "admiralty-scale:source"))],
            "link": next(a["value"] for a in event["Attribute"] if a["type"] == "link"),
            "text": next(a["value"] for a in event["Attribute"] if a["type"] == "text"),
            "geolocation": {"uuid": geo["uuid"], **{k: values(geo)[k] for k in ("latitude", "longitude", "text")}},
            "day": values(geo)["first-seen"][:10], "plover": "plover: " + "/".join(plover),
            "actor_country": note["comment"].split("actor: ")[1].split("(")[1][:3], "evidence": values(note)["text"]}


def test_misp_to_forewarn_to_misp_keeps_every_listed_field(make_workspace: Callable[..., Workspace],
                                                          tmp_path: Path) -> None:
    original = sample_event()
    path = tmp_path / "bulletin.json"
    path.write_text(json.dumps(original), encoding="utf-8")
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", extract=True)
    report = ws.intake.ingest([str(path)], kind=SourceKind.MISP)
    assert (report.new, report.failed) == (2, 0)
    exported = ms.events(ms.export([stored_chunk(ws)]))
    before, after = kept(original), came_back(exported)
    for field in before:
        assert after[field] == before[field], field
    assert all(ms.load(e) for e in exported)
    assert ms.not_in_taxonomies(t["name"] for e in exported for t in ms.tags(e)) == []


def test_a_second_export_of_the_same_workspace_is_the_same_bytes(make_workspace: Callable[..., Workspace],
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "bulletin.json"
    path.write_text(json.dumps(sample_event()), encoding="utf-8")
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    ws.intake.ingest([str(path)], kind=SourceKind.MISP)
    assert ms.export([stored_chunk(ws)]) == ms.export([stored_chunk(ws)])
    ws.intake.ingest([str(path)], kind=SourceKind.MISP)  # re-import: nothing new, the same export
    assert len(ms.events(ms.export([stored_chunk(ws)]))) == 2


def test_forewarn_to_misp_to_stix_converts_without_errors() -> None:
    text = ms.export([ss.sample_chunk()], ss.sample_analysis())
    stix = ms.to_stix(text)
    assert stix["errors"] == {}
    kinds = {o["type"] for o in stix["objects"]}
    assert {"identity", "grouping", "location", "sighting", "marking-definition"} <= kinds
    groupings = {o["id"] for o in stix["objects"] if o["type"] == "grouping"}
    assert groupings == {f"grouping--{e['uuid']}" for e in ms.events(text)}  # one per MISP event
    (kharkiv,) = [o for o in stix["objects"] if o["type"] == "location"]
    assert (kharkiv["latitude"], kharkiv["longitude"]) == (49.98, 36.25)


def test_the_stix_bundle_keeps_the_tlp_markings() -> None:
    stix = ms.to_stix(ms.export([ss.sample_chunk()]))
    names = {str(o.get("name")).lower() for o in stix["objects"] if o["type"] == "marking-definition"}
    assert {"tlp:clear", "tlp:amber", "tlp:red"} <= names, names
