"""The MISP writer: every event loads in pymisp, every object validates against its bundled template, every
machine tag is an entry of its MISP taxonomy, markings and grades become tags, warnings cite their evidence with
sightings, and the same input gives the same bytes."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import misp_support as ms
import pytest
import stix_support as ss
from pymisp import MISPObject

from forewarn.formats.base import Analysis, Chunk
from forewarn.formats.misp import NAMESPACE, TEMPLATES, MispWriter, event_uuid, likelihood_tag, misp_uuid
from forewarn.model.marking import Compartment
from forewarn.model.scenario import StoredAssessment
from forewarn.model.source import Marking


def exported(analysis: Analysis | None = None) -> list[dict]:
    return ms.events(ms.export([ss.sample_chunk()], analysis or ss.sample_analysis()))


def by_info(events: list[dict]) -> dict[str, dict]:
    return {e["info"]: e for e in events}


def tag_names(event: dict) -> list[str]:
    return [t["name"] for t in event["Tag"]]


def test_the_output_is_a_rest_search_response_and_each_event_loads_in_pymisp() -> None:
    events = exported()
    assert len(events) == 5  # three documents, one scenario, one warning
    for event in events:
        loaded = ms.load(event)
        assert (loaded.uuid, loaded.info, loaded.published) == (event["uuid"], event["info"], False)
    d1 = by_info(events)["Shelling near Kharkiv"]
    assert (d1["date"], d1["Orgc"]["name"], d1["analysis"], d1["threat_level_id"]) == ("2024-03-01", "Wire Agency",
                                                                                      "2", "4")
    assert {a["type"]: a["value"] for a in d1["Attribute"]} == {
        "link": "https://wire.example/1",
        "text": "US warns Russian troops shelled Ukraine near Kharkiv. Something happened too."}


def test_the_writer_names_its_format() -> None:
    writer = MispWriter()
    assert (writer.name, writer.media_type, writer.suffix) == ("misp", "application/json", ".json")


def test_each_object_validates_against_its_bundled_template() -> None:
    for name, (template_uuid, version, _) in TEMPLATES.items():
        bundled = MISPObject(name, strict=True)
        assert (bundled.template_uuid, int(bundled.template_version)) == (template_uuid, version)
    counted = sum(ms.validate_objects(e) for e in exported())
    assert counted == 4 + 1 + 2  # an annotation per event, one geolocation (Kharkiv), two ledger entries


def test_an_object_missing_what_its_template_requires_is_refused() -> None:
    """The validation the other tests rely on can fail: an annotation without its text is refused."""
    (d1,) = [e for e in exported() if e["info"] == "Shelling near Kharkiv"]
    broken = json.loads(json.dumps(d1))
    note = broken["Object"][0]
    note["Attribute"] = [a for a in note["Attribute"] if a["object_relation"] != "text"]
    with pytest.raises(Exception, match="required"):
        ms.validate_objects(broken)


def test_an_event_is_an_annotation_with_its_plover_coding_located_at_its_place() -> None:
    d1 = by_info(exported())["Shelling near Kharkiv"]
    note, place = d1["Object"][0], d1["Object"][1]
    assert note["uuid"] == event_uuid("e1") and note["ObjectReference"][0]["referenced_uuid"] == place["uuid"]
    assert note["ObjectReference"][0]["relationship_type"] == "located-at"
    text = next(a for a in note["Attribute"] if a["object_relation"] == "text")
    assert [t["name"] for t in text["Tag"]] == ['forewarn:plover-type="ASSAULT"', 'forewarn:plover-context="military"']
    assert note["comment"] == ("plover: ASSAULT; date: 2024-02-28 (day); actor: Russian military (RUS, military); "
                               "recipient: Ukraine (UKR); confidence: 0.8123; forewarn: e1")
    values = {a["object_relation"]: a["value"] for a in place["Attribute"]}
    assert values == {"latitude": "49.98", "longitude": "36.25", "text": "Kharkiv", "country": "UKR",
                      "region": "Kharkiv Oblast", "first-seen": "2024-02-28T00:00:00+00:00"}
    e2 = next(o for o in d1["Object"][2:] if "forewarn: e2" in o["comment"])
    e2_tags = [t["name"] for a in e2["Attribute"] for t in a.get("Tag", [])]
    assert 'forewarn:flag="reported"' in e2_tags and "ObjectReference" not in e2


def test_every_machine_tag_is_an_entry_of_its_taxonomy() -> None:
    names = [t["name"] for e in exported() for t in ms.tags(e)]
    assert ms.not_in_taxonomies(names) == []
    assert ms.not_in_taxonomies(["tlp:purple"]) == ["tlp:purple"]  # the check can fail
    assert {'admiralty-scale:source-reliability="b"', "tlp:clear", "tlp:amber", "tlp:red",
            'estimative-language:likelihood-probability="likely"'} <= set(names)


@pytest.mark.parametrize(("p", "word"), [(0.0, "almost-no-chance"), (0.049, "almost-no-chance"),
                                         (0.05, "very-unlikely"), (0.3, "unlikely"), (0.5, "roughly-even-chance"),
                                         (0.55, "likely"), (0.9, "very-likely"), (0.95, "almost-certain"),
                                         (1.0, "almost-certain")])
def test_a_probability_is_its_estimative_language_band(p: float, word: str) -> None:
    tag = likelihood_tag(p)
    assert tag == f'estimative-language:likelihood-probability="{word}"' and ms.not_in_taxonomies([tag]) == []


def test_markings_and_teams_become_tlp_tags_and_local_team_tags() -> None:
    events = by_info(exported())
    red = events["Troops massed at the border."]
    assert tag_names(red)[0] == "tlp:red" and red["distribution"] == "0" and red["Orgc"]["name"] == "forewarn"
    amber = events["Ivan Petrov mobilised the reserve."]
    assert amber["Tag"] == [{"name": "tlp:amber"}, {"name": 'admiralty-scale:source-reliability="a"'},
                            {"name": 'forewarn:team="north"', "local": True}]
    assert ms.load(amber).tags[2].local is True
    assert tag_names(events["Shelling near Kharkiv"])[0] == "tlp:clear"
    assert events["Shelling near Kharkiv"]["distribution"] == "3"


def test_a_red_analysis_is_marked_red() -> None:
    red = Compartment.of(Marking.RED, ["north"], ["ana"])
    events = by_info(exported(ss.sample_analysis(red)))
    for info in ("Scenario: Offensive on Kharkiv", "Offensive on Kharkiv: high"):
        assert tag_names(events[info])[0] == "tlp:red" and 'forewarn:team="north"' in tag_names(events[info])


def test_a_warning_cites_its_evidence_with_sightings_and_carries_its_history() -> None:
    assessment = StoredAssessment(3, ss.SCENARIO.id, "v1sha", datetime(2024, 3, 1, 9, tzinfo=UTC), 0.55, 0.2, "high",
                                  ({"indicator_id": "shelling", "event_ids": ["e1"], "observed_on": "2024-02-28"},))
    warning = by_info(exported(replace(ss.sample_analysis(), assessments=[assessment])))["Offensive on Kharkiv: high"]
    assert (warning["threat_level_id"], warning["analysis"], warning["date"]) == ("2", "1", "2024-03-01")
    assert 'estimative-language:likelihood-probability="likely"' in tag_names(warning)
    cited = {a["value"]: a for a in warning["Attribute"] if a["category"] == "Internal reference"}
    assert set(cited) == {event_uuid("e1"), misp_uuid("document", "d1"), misp_uuid("scenario", ss.SCENARIO.id)}
    (sighting,) = cited[event_uuid("e1")]["Sighting"]
    evidence_day = str(int(datetime(2024, 2, 28, tzinfo=UTC).timestamp()))
    assert (sighting["type"], sighting["date_sighting"]) == ("0", evidence_day)
    loaded = ms.load(warning)
    assert sum(len(a.sightings) for a in loaded.attributes) == 2
    history = [next(a["value"] for a in o["Attribute"] if a["object_relation"] == "text") for o in warning["Object"]]
    assert history[0].startswith("warning-raised by forewarn") and history[1].startswith("warning-acknowledged by ana")


def test_the_same_input_gives_the_same_bytes_and_ids_follow_forewarn_ids() -> None:
    first = ms.export([ss.sample_chunk()], ss.sample_analysis())
    assert ms.export([ss.sample_chunk()], ss.sample_analysis()) == first
    chunk = ss.sample_chunk()
    alone = ms.events(ms.export([Chunk(events=chunk.events[:1], documents={"d1": chunk.documents["d1"]},
                                       sources=chunk.sources)]))
    assert alone[0]["uuid"] == misp_uuid("document", "d1") == by_info(ms.events(first))["Shelling near Kharkiv"]["uuid"]
    assert alone[0]["Object"][0]["uuid"] == event_uuid("e1")


def test_a_document_whose_events_come_in_two_chunks_is_extended_by_a_second_event() -> None:
    chunk = ss.sample_chunk()
    d1 = {"d1": chunk.documents["d1"]}
    parts = [Chunk(events=[e], documents=d1, sources=chunk.sources) for e in chunk.events[:2]]
    first, later = ms.events(ms.export(parts))
    assert later["extends_uuid"] == first["uuid"] and later["uuid"] != first["uuid"]
    assert later["Attribute"] == [] and [o["uuid"] for o in later["Object"]] == [event_uuid("e2")]
    assert all(ms.load(e) for e in (first, later))


@pytest.mark.parametrize("key", ["d1", "e1", "ünïcode/ключ", ""])
def test_ids_are_uuid5_of_the_fixed_namespace(key: str) -> None:
    assert misp_uuid("document", key) == str(uuid.uuid5(NAMESPACE, f"document:{key}"))


def test_an_export_with_no_events_is_an_empty_response(tmp_path: Path) -> None:
    assert json.loads(ms.export([])) == {"response": []}
