"""STIX 2.1 export: the bundle validates (stix2-validator: no error, only the documented warnings), parses with
the OASIS library, is deterministic, writes shared objects once, marks every object with its compartment, and
carries the PLOVER coding in the x_plover extension."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
import stix2
import stix_support as s
from stix2validator import ValidationOptions, validate_string

from forewarn.formats.base import Analysis, Chunk, Writer
from forewarn.formats.stix import (
    FOREWARN,
    NAMESPACE,
    PLOVER,
    PRODUCER,
    TLP_IDS,
    UNKNOWN_ACTOR,
    StixWriter,
    alpha2,
    analysis_objects,
    bundle_id,
    chunk_objects,
    entity_ref,
    report_ref,
    sighting_ref,
    stix_id,
)
from forewarn.model.source import Marking

DOCUMENTED_WARNINGS = {"103", "302"}  # docs/stix.md "Validation": UUIDv5 ids; a document URL without a hash
CLEAR, AMBER, RED = TLP_IDS[Marking.CLEAR], TLP_IDS[Marking.AMBER], TLP_IDS[Marking.RED]


def write(chunks: Iterable[Chunk], analysis: Analysis | None = None, **options: Any) -> str:
    return s.drive(StixWriter(**options), chunks, analysis)


def objects(text: str) -> dict[str, dict[str, Any]]:
    found = json.loads(text)["objects"]
    ids = [o["id"] for o in found]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    return {o["id"]: o for o in found}


def full() -> str:
    return write([s.sample_chunk()], s.sample_analysis(s.AMBER_NORTH))


def validation(text: str) -> tuple[list[str], set[str]]:
    result = validate_string(text, ValidationOptions(version="2.1", strict=False))
    codes = {m.group(1) if (m := re.search(r"\{(\d+)\}", w)) else w for w in result.warnings}
    return [str(e) for e in result.errors], codes


def refs(obj: dict[str, Any]) -> set[str]:
    """Every id an object points at (``*_ref`` and ``*_refs`` properties, extensions left out)."""
    found: set[str] = set()
    for key, value in obj.items():
        if key.endswith("_ref"):
            found.add(value)
        elif key.endswith("_refs"):
            found.update(value)
    return found


# ------------------------------------------------------------------------------------------------ validation


def test_the_bundle_validates_with_only_the_documented_warnings() -> None:
    errors, codes = validation(full())
    assert errors == []
    assert codes == DOCUMENTED_WARNINGS


def test_a_bad_object_is_an_error_so_the_check_can_fail() -> None:
    bundle = json.loads(full())
    sighting = next(o for o in bundle["objects"] if o["type"] == "sighting")
    sighting["count"] = -1
    sighting["extensions"][PLOVER]["at"] = "too short a name"
    errors, _ = validation(json.dumps(bundle))
    assert len(errors) >= 2


def test_the_oasis_library_parses_every_object_without_custom_content() -> None:
    bundle = stix2.parse(full(), allow_custom=False)
    assert {o.type for o in bundle.objects} == {"marking-definition", "identity", "threat-actor", "location",
                                                "sighting", "note", "report", "grouping", "extension-definition"}


def test_an_empty_export_is_a_valid_bundle_of_the_base_objects() -> None:
    text = write([])
    assert set(objects(text)) == {CLEAR, PRODUCER, PLOVER, FOREWARN}
    assert validation(text)[0] == []


# ------------------------------------------------------------------------------------------------ determinism


def test_the_same_input_gives_the_same_bytes() -> None:
    assert full() == full()
    assert json.loads(full())["id"] == bundle_id("forewarn") != bundle_id("other")
    assert json.loads(write([], key="other"))["id"] == bundle_id("other")


def test_ids_do_not_depend_on_how_events_are_chunked() -> None:
    chunk = s.sample_chunk()
    # cut as the export desk cuts: a chunk holds the documents of its events
    halves = [replace(chunk, events=events, documents={e.document_id: chunk.documents[e.document_id] for e in events})
              for events in (chunk.events[:2], chunk.events[2:])]
    assert objects(write(halves)) == objects(write([chunk]))


def test_ids_are_uuid5_on_the_forewarn_namespace() -> None:
    assert stix_id("sighting", "event:e1") == sighting_ref("e1")
    assert stix_id("sighting", "event:e1") != stix_id("sighting", "event:e2")
    assert sighting_ref("e1") == f"sighting--{uuid.uuid5(NAMESPACE, 'sighting|event:e1')}"


def test_times_come_from_what_is_stored() -> None:
    found = objects(full())
    assert found[sighting_ref("e1")]["created"] == "2024-03-01T09:30:00.000Z"  # coded_at
    assert found[report_ref("d1")]["published"] == "2024-03-01T09:30:00.000Z"


# ------------------------------------------------------------------------------------------- shared objects


def test_shared_objects_are_written_once_across_chunks() -> None:
    chunk = s.sample_chunk()
    one = replace(chunk, events=chunk.events[:1])
    again = replace(one, events=[replace(chunk.events[0], id="e9")])
    found = objects(write([one, again]))  # objects() fails on a duplicate id
    assert sighting_ref("e9") in found
    assert sum(o["type"] == "threat-actor" for o in found.values()) == 1
    assert sum(o["type"] == "location" for o in found.values()) == 1


def test_the_generators_skip_what_was_seen() -> None:
    seen: set[str] = set()
    first = list(chunk_objects(s.sample_chunk(), seen))
    per_event = {o["id"] for o in first if o["type"] == "sighting" or o["id"].startswith("note--")} - seen
    assert {o["id"] for o in first} == seen | per_event
    assert per_event and all(o["type"] != "report" for o in first if o["id"] in per_event)
    again = list(chunk_objects(s.sample_chunk(), seen))  # its documents' reports and notes come once, not again
    assert {o["type"] for o in again} == {"sighting"}
    assert list(analysis_objects(s.sample_analysis(), seen))  # the analysis's own objects are new
    assert list(analysis_objects(s.sample_analysis(), seen)) == []


def test_a_chunk_only_bundle_names_nothing_it_does_not_hold() -> None:
    found = objects(write([s.sample_chunk()]))
    dangling = {(oid, ref) for oid, o in found.items() for ref in refs(o) if ref not in found}
    assert dangling == set()


# ------------------------------------------------------------------------------------------------- markings


def test_every_object_but_a_marking_definition_carries_a_tlp_marking() -> None:
    found = objects(full())
    for obj in found.values():
        if obj["type"] == "marking-definition":
            continue
        marks = obj["object_marking_refs"]
        assert len([m for m in marks if m in TLP_IDS.values()]) == 1, obj["id"]
        assert all(found[m]["type"] == "marking-definition" for m in marks)


def test_the_tlp_definitions_are_the_oasis_ones() -> None:
    red = objects(full())[RED]
    assert red == {"type": "marking-definition", "spec_version": "2.1", "id": RED,
                   "created": "2022-10-01T00:00:00.000Z", "name": "TLP:RED", "extensions": {
                       "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                           "extension_type": "property-extension", "tlp_2_0": "red"}}}


def test_a_restricted_compartment_marks_every_object_derived_from_it() -> None:
    chunk = s.sample_chunk()
    amber = replace(chunk.documents["d1"], compartment_id=1)
    chunk = replace(chunk, documents={**chunk.documents, "d1": amber},
                    events=[replace(e, compartment_id=1) if e.document_id == "d1" else e for e in chunk.events])
    found = objects(write([chunk]))
    statement = stix_id("marking-definition", s.AMBER_NORTH.key)
    assert found[statement]["definition"] == {"statement": "TLP:AMBER · team north"}
    derived = [o for o in found.values() if o["type"] in ("sighting", "note", "report")
               and "d1" in json.dumps(o.get("extensions", {}))]
    assert {o["type"] for o in derived} == {"sighting", "note", "report"}
    assert all(o["object_marking_refs"] == [AMBER, statement] for o in derived)


def test_red_marks_the_events_sighting_and_report_with_its_recipients() -> None:
    found = objects(full())
    statement = stix_id("marking-definition", s.RED_ANA_BEN.key)
    assert found[statement]["name"] == "TLP:RED · for ana, ben"
    assert found[sighting_ref("e4")]["object_marking_refs"] == [RED, statement]
    assert found[report_ref("d3")]["object_marking_refs"] == [RED, statement]


def test_clear_gives_tlp_clear_alone() -> None:
    found = objects(full())
    assert found[sighting_ref("e1")]["object_marking_refs"] == [CLEAR]
    assert found[report_ref("d1")]["object_marking_refs"] == [CLEAR]


def test_the_analysis_takes_its_compartment() -> None:
    found = objects(full())
    statement = stix_id("marking-definition", s.AMBER_NORTH.key)
    analysed = [stix_id("grouping", "scenario:kharkiv-offensive"), stix_id("note", "assessment:3"),
                stix_id("report", "warning:7"), stix_id("note", "ledger:11"), stix_id("note", "ledger:12")]
    assert [found[oid]["object_marking_refs"] for oid in analysed] == [[AMBER, statement]] * 5
    open_analysis = objects(write([], s.sample_analysis()))
    assert [open_analysis[oid]["object_marking_refs"] for oid in analysed] == [[CLEAR]] * 5


def test_a_name_found_in_a_restricted_text_stays_restricted_reference_data_is_clear() -> None:
    found = objects(full())
    petrov = next(o for o in found.values() if o.get("name") == "Ivan Petrov")
    assert petrov["object_marking_refs"][0] == AMBER
    assert found[entity_ref(s.RUS_MILITARY)]["object_marking_refs"] == [CLEAR]


# ---------------------------------------------------------------------------------------------------- events


def test_the_sighting_carries_the_plover_coding() -> None:
    found = objects(full())
    e3 = found[sighting_ref("e3")]["extensions"][PLOVER]
    assert e3["extension_type"] == "property-extension"
    assert (e3["event_type"], e3["mode"], e3["context"]) == ("MOBILIZE", "troops", ["military"])
    assert (e3["negated"], e3["hypothetical"], e3["future"], e3["reported"]) == (False, True, False, False)
    assert e3["trigger"] == "mobilised" and e3["date_precision"] == "day" and e3["coder"] == "forewarn rules-1"
    e4 = found[sighting_ref("e4")]["extensions"][PLOVER]
    assert (e4["negated"], e4["future"]) == (True, True)
    definition = found[PLOVER]
    assert (definition["name"], definition["version"], definition["extension_types"]) == (
        "x_plover", "1.0", ["property-extension"])
    assert definition["schema"].endswith("docs/stix.md#x_plover")


def test_the_sighting_names_actor_place_recipient_and_confidence() -> None:
    found = objects(full())
    e1 = found[sighting_ref("e1")]
    actor = found[e1["sighting_of_ref"]]
    assert (actor["type"], actor["name"], actor["threat_actor_types"]) == (
        "threat-actor", "Russian military", ["nation-state"])
    place = found[e1["where_sighted_refs"][0]]
    assert (place["name"], place["country"], place["latitude"]) == ("Kharkiv", "UA", 49.98)
    assert e1["extensions"][PLOVER]["recipient_ref"] == entity_ref(s.UKRAINE)
    assert e1["confidence"] == 81 and e1["count"] == 1
    assert e1["description"].startswith("US warns Russian troops shelled")


def test_an_event_without_actor_sights_the_unknown_actor() -> None:
    found = objects(full())
    assert found[sighting_ref("e2")]["sighting_of_ref"] == UNKNOWN_ACTOR
    assert found[UNKNOWN_ACTOR]["name"] == "unknown actor"


def test_an_event_without_place_is_sighted_nowhere() -> None:
    found = objects(full())
    assert "where_sighted_refs" not in found[sighting_ref("e2")]


@pytest.mark.parametrize(("precision", "day", "first", "last"), [
    ("day", date(2024, 2, 28), "2024-02-28", "2024-02-29"),
    ("week", date(2024, 2, 26), "2024-02-26", "2024-03-04"),
    ("month", date(2024, 2, 10), "2024-02-01", "2024-03-01"),
    ("year", date(2024, 6, 1), "2024-01-01", "2025-01-01"),
])
def test_first_and_last_seen_span_the_dates_precision(precision: str, day: date, first: str, last: str) -> None:
    chunk = s.sample_chunk()
    chunk = replace(chunk, events=[replace(chunk.events[0], date=day, date_precision=precision)])
    sighting = objects(write([chunk]))[sighting_ref("e1")]
    assert (sighting["first_seen"][:10], sighting["last_seen"][:10]) == (first, last)


# ------------------------------------------------------------------------------------- documents and sources


def test_a_document_is_a_report_by_its_source_with_the_admiralty_grade() -> None:
    found = objects(full())
    report = found[report_ref("d1")]
    assert report["name"] == "Shelling near Kharkiv" and report["confidence"] == 70  # Admiralty B
    assert report["extensions"][FOREWARN]["admiralty_reliability"] == "B"
    source = found[report["created_by_ref"]]
    assert (source["type"], source["name"], source["identity_class"]) == ("identity", "Wire Agency", "organization")
    assert source["extensions"][FOREWARN]["admiralty_reliability"] == "B"
    assert report["external_references"] == [{"source_name": "Wire Agency", "url": "https://wire.example/1",
                                              "external_id": "d1"}]
    assert {sighting_ref("e1"), sighting_ref("e2")} <= set(report["object_refs"])
    assert found[report_ref("d2")]["confidence"] == 90  # A


def test_a_document_without_source_or_title_is_named_by_its_first_words() -> None:
    found = objects(full())
    report = found[report_ref("d3")]
    assert report["name"] == "Troops massed at the border."
    assert "created_by_ref" not in report and "confidence" not in report


def test_the_claim_is_a_note_on_the_report_and_the_event_it_is_about() -> None:
    found = objects(full())
    note = next(o for o in found.values() if o["type"] == "note" and o["extensions"][FOREWARN].get("stance"))
    assert note["content"] == "Russian troops shelled Ukraine near Kharkiv"
    assert note["authors"] == ["United States"]
    assert note["object_refs"] == [report_ref("d1"), sighting_ref("e1")]
    ext = note["extensions"][FOREWARN]
    assert (ext["stance"], ext["cue"], ext["quoted"], ext["claimed"]["event_type"]) == ("warn", "warn", False,
                                                                                       "ASSAULT")


def test_entity_kinds_come_from_the_id_or_the_callers_lookup() -> None:
    found = objects(full())
    assert next(o for o in found.values() if o.get("name") == "Ivan Petrov")["identity_class"] == "individual"
    assert found[entity_ref(s.UKRAINE)]["identity_class"] == "organization"
    told = objects(write([s.sample_chunk()], kinds={"country:UKR": "group"}.get))
    assert told[entity_ref(s.UKRAINE)]["identity_class"] == "group"


def test_country_codes_become_alpha2() -> None:
    assert (alpha2("UKR"), alpha2("rus"), alpha2("IGO"), alpha2(None)) == ("UA", "RU", None, None)


# ---------------------------------------------------------------------------------------------------- analysis


def test_the_scenario_is_a_grouping_over_its_region() -> None:
    found = objects(full())
    grouping = found[stix_id("grouping", "scenario:kharkiv-offensive")]
    assert grouping["context"] == "suspicious-activity"
    assert "Shelling of Kharkiv" in grouping["description"]
    assert {found[r]["name"] for r in grouping["object_refs"]} == {"Ukraine", "Belgorod Oblast",
                                                                   "centre of Offensive on Kharkiv"}
    assert grouping["extensions"][FOREWARN]["indicators"][0]["indicator_id"] == "shelling"


def test_the_assessment_is_a_note_on_the_grouping() -> None:
    note = objects(full())[stix_id("note", "assessment:3")]
    ext = note["extensions"][FOREWARN]
    assert (ext["probability"], ext["level"]) == (0.55, "high")
    assert note["object_refs"] == [stix_id("grouping", "scenario:kharkiv-offensive"), sighting_ref("e1")]


def test_the_warning_is_a_threat_report_with_its_ledger_history() -> None:
    found = objects(full())
    warning = found[stix_id("report", "warning:7")]
    assert warning["report_types"] == ["threat-report"]
    assert warning["object_refs"] == [sighting_ref("e1"), report_ref("d1"),
                                      stix_id("grouping", "scenario:kharkiv-offensive")]
    ext = warning["extensions"][FOREWARN]
    assert (ext["state"], ext["severity"], ext["owner"], ext["acknowledged_by"]) == (
        "acknowledged", "high", "duty-officer", "ana")
    notes = [o for o in found.values() if o["type"] == "note" and warning["id"] in o["object_refs"]]
    assert [(n["abstract"], n["extensions"][FOREWARN]["hash"]) for n in notes] == [
        ("warning-raised", "a" * 64), ("warning-acknowledged", "b" * 64)]


def test_a_warning_without_evidence_still_names_something() -> None:
    analysis = replace(s.sample_analysis(), warnings=[s.warning(scenario_id=None, event_ids=())])
    analysis = replace(analysis, warnings=[replace(analysis.warnings[0], document_ids=())])
    text = write([], analysis)
    assert objects(text)[stix_id("report", "warning:7")]["object_refs"] == [PRODUCER]
    assert validation(text)[0] == []


# ------------------------------------------------------------------------------------------------------ writer


def test_the_writer_follows_the_protocol() -> None:
    writer: Writer = StixWriter()
    assert (writer.name, writer.media_type, writer.suffix) == ("stix", "application/stix+json;version=2.1", ".json")
    out = io.StringIO()
    writer.begin(out)
    assert writer.chunk(s.sample_chunk()) == 4
    writer.end()
    assert out.getvalue().startswith('{"type": "bundle", "id": "bundle--') and out.getvalue().endswith("]}\n")


def test_the_writer_needs_begin() -> None:
    with pytest.raises(RuntimeError, match="begin"):
        StixWriter().chunk(s.sample_chunk())


def test_one_object_a_line() -> None:
    lines = full().splitlines()
    assert len(lines) == len(objects(full())) + 2  # the bundle's opening and closing lines
