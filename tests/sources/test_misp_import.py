"""The MISP reader: event files in each shape MISP writes and feed folders become documents, geolocations become
structured observations, a malformed event is one coded issue while the rest is read, and a re-read is identical."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from forewarn.errors import Code, Issue
from forewarn.model.document import RawDocument
from forewarn.model.source import Marking, SourceKind
from forewarn.sources import ReadContext, read
from forewarn.sources.misp import strictest_tlp

NOW = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)
CTX = ReadContext(now=NOW)
EVENT_UUID = "5a1c3b2e-8f3d-4c6a-9b1e-2d4f6a8c0e11"
GEO_UUID = "7b2d4c3f-9a4e-4d7b-8c2f-3e5a7b9d1f22"
NOTE_UUID = "8c3e5d4a-0b5f-4e8c-9d3a-4f6b8c0e2a33"


def attribute(kind: str, value: str, relation: str | None = None, tags: tuple[str, ...] = ()) -> dict[str, Any]:
    attr: dict[str, Any] = {"type": kind, "category": "Other", "value": value,
                            "Tag": [{"name": t} for t in tags]}
    return attr | ({"object_relation": relation} if relation else {})


def sample_event(uuid: str = EVENT_UUID) -> dict[str, Any]:
    """A partner's bulletin: two text attributes, a link, TLP tags, and a geolocation annotated with a coding."""
    return {"Event": {
        "uuid": uuid, "info": "Armour moving towards the border", "date": "2024-02-20", "timestamp": "1708430000",
        "Orgc": {"name": "Partner CERT", "uuid": "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"},
        "Tag": [{"name": "tlp:green"}, {"name": "tlp:amber"}, {"name": 'admiralty-scale:information-credibility="2"'}],
        "Attribute": [attribute("text", "Residents filmed a long column of tanks on the road north of the town."),
                      attribute("link", "https://partner.example/bulletins/42"),
                      attribute("comment", "Seen by two independent observers."),
                      attribute("link", "https://partner.example/second")],
        "Object": [
            {"uuid": GEO_UUID, "name": "geolocation",
             "Attribute": [attribute("float", "50.43", "latitude"), attribute("float", "36.91", "longitude"),
                           attribute("text", "Border crossing road", "text"),
                           attribute("datetime", "2024-02-19T00:00:00+00:00", "first-seen")]},
            {"uuid": NOTE_UUID, "name": "annotation",
             "comment": "plover: MOBILIZE/troops; actor: Russian military (RUS, military); confidence: 0.9",
             "ObjectReference": [{"referenced_uuid": GEO_UUID, "relationship_type": "located-at"}],
             "Attribute": [attribute("text", "A column of tanks moved towards the border.", "text")]},
        ]}}


def items(path: Path) -> list[RawDocument | Issue]:
    found = list(read(str(path), SourceKind.MISP, CTX))
    assert all(isinstance(i, RawDocument | Issue) for i in found)
    return found  # type: ignore[return-value]


def write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def test_an_event_becomes_a_document_with_its_provenance_and_marking(tmp_path: Path) -> None:
    doc, observation = items(write(tmp_path / "event.json", sample_event()))
    assert isinstance(doc, RawDocument) and isinstance(observation, RawDocument)
    assert doc.text == ("Armour moving towards the border\n\nResidents filmed a long column of tanks on the road north "
                        "of the town.\n\nSeen by two independent observers.")
    assert (doc.title, doc.url, doc.item, doc.reader) == ("Armour moving towards the border",
                                                          "https://partner.example/bulletins/42", EVENT_UUID, "misp")
    assert doc.published_at == datetime(2024, 2, 20, tzinfo=UTC)
    meta = dict(doc.meta)
    assert (meta["misp.uuid"], meta["misp.orgc"], meta["marking"]) == (EVENT_UUID, "Partner CERT", "TLP:AMBER")
    assert json.loads(meta["misp.tags"])[0] == "tlp:green" and doc.observation is None


def test_a_geolocation_is_a_structured_observation_coded_by_its_annotation(tmp_path: Path) -> None:
    _, doc = items(write(tmp_path / "event.json", sample_event()))
    assert isinstance(doc, RawDocument)
    obs = doc.observation
    assert obs is not None
    assert (obs.lat, obs.lon, obs.type, obs.mode, obs.place) == (50.43, 36.91, "MOBILIZE", "troops",
                                                                 "Border crossing road")
    assert (obs.actor, obs.actor_country, obs.actor_sector, obs.confidence) == ("Russian military", "RUS",
                                                                                "military", 0.9)
    assert doc.text == "A column of tanks moved towards the border."
    assert doc.published_at == datetime(2024, 2, 19, tzinfo=UTC) and doc.item == f"{EVENT_UUID}/{GEO_UUID}"
    assert dict(doc.meta)["misp.object"] == GEO_UUID and dict(doc.meta)["marking"] == "TLP:AMBER"


def test_a_plover_tag_gives_the_type_when_no_annotation_does(tmp_path: Path) -> None:
    event = sample_event()
    objects = event["Event"]["Object"]
    del objects[1]
    objects[0]["Attribute"][0]["Tag"] = [{"name": 'forewarn:plover-type="ASSAULT"'}]
    _, doc = items(write(tmp_path / "event.json", event))
    assert isinstance(doc, RawDocument) and doc.observation is not None
    assert (doc.observation.type, doc.observation.actor) == ("ASSAULT", None)
    assert doc.text == "Armour moving towards the border"  # no annotation: the event's info is its text


@pytest.mark.parametrize("shape", ["event", "bare", "response", "list"])
def test_each_shape_misp_writes_is_read(tmp_path: Path, shape: str) -> None:
    one, two = sample_event(), sample_event("6b2d4c3f-9a4e-4d7b-8c2f-3e5a7b9d1f99")
    value = {"event": one, "bare": one["Event"], "response": {"response": [one, two]}, "list": [one, two["Event"]]}
    found = items(write(tmp_path / "events.json", value[shape]))
    assert all(isinstance(i, RawDocument) for i in found)
    assert len(found) == (2 if shape in ("event", "bare") else 4)


def test_a_feed_folder_is_read_in_uuid_order_and_its_gaps_are_issues(tmp_path: Path) -> None:
    second = "6b2d4c3f-9a4e-4d7b-8c2f-3e5a7b9d1f99"
    manifest = {EVENT_UUID: {"info": "a"}, second: {"info": "b"}, "00000000-0000-4000-8000-000000000000": {},
                "../../etc/passwd": {}}
    write(tmp_path / "manifest.json", manifest)
    write(tmp_path / f"{EVENT_UUID}.json", sample_event())
    write(tmp_path / f"{second}.json", sample_event(second))
    (tmp_path / "hashes.csv").write_text("x,y\n", encoding="utf-8")
    found = items(tmp_path)
    issues = [i for i in found if isinstance(i, Issue)]
    assert [i.code for i in issues] == [Code.JSON_INVALID, Code.FILE_MISSING]  # the path name, then the gap
    docs = [i.item for i in found if isinstance(i, RawDocument)]
    assert docs == [EVENT_UUID, f"{EVENT_UUID}/{GEO_UUID}", second, f"{second}/{GEO_UUID}"]


def test_a_malformed_event_is_one_coded_issue_and_the_others_are_read(tmp_path: Path) -> None:
    good = sample_event()
    no_uuid = copy.deepcopy(good)
    del no_uuid["Event"]["uuid"]
    bad_attrs = sample_event("9d4f6e5b-1c6a-4f9d-8e4b-5a7c9d1f3b44")
    bad_attrs["Event"]["Attribute"] = "text"
    empty = {"Event": {"uuid": "0e5a7f6c-2d7b-4a0e-9f5c-6b8d0e2a4c55", "info": ""}}
    bad_point = sample_event("1f6b8a7d-3e8c-4b1f-8a6d-7c9e1f3b5d66")
    bad_point["Event"]["Object"][0]["Attribute"][0]["value"] = "95.0"
    found = items(write(tmp_path / "events.json", [good, 7, no_uuid, bad_attrs, empty, bad_point]))
    issues = [i for i in found if isinstance(i, Issue)]
    assert [(i.code, i.item) for i in issues] == [
        (Code.JSON_INVALID, "event #2"), (Code.JSON_INVALID, "event #3"),
        (Code.JSON_INVALID, "9d4f6e5b-1c6a-4f9d-8e4b-5a7c9d1f3b44"),
        (Code.NO_TEXT, "0e5a7f6c-2d7b-4a0e-9f5c-6b8d0e2a4c55"),
        (Code.COORDINATES_INVALID, f"1f6b8a7d-3e8c-4b1f-8a6d-7c9e1f3b5d66/{GEO_UUID}")]
    assert all(i.hint for i in issues)
    assert sum(isinstance(i, RawDocument) for i in found) == 3  # the good event and its point, the bad point's event


@pytest.mark.parametrize(("content", "code"), [("{not json", Code.JSON_INVALID),
                                               ('{"messages": []}', Code.JSON_INVALID), ("", Code.EMPTY)])
def test_a_file_that_is_not_misp_json_is_one_issue(tmp_path: Path, content: str, code: Code) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    (issue,) = items(path)
    assert isinstance(issue, Issue) and issue.code is code


def test_reading_the_same_file_again_yields_the_same_items(tmp_path: Path) -> None:
    path = write(tmp_path / "event.json", sample_event())
    assert items(path) == items(path)


def test_the_strictest_tlp_tag_wins() -> None:
    assert strictest_tlp(["tlp:white", "tlp:amber+strict", "tlp:green"]) is Marking.AMBER_STRICT
    assert strictest_tlp(["TLP:RED", "tlp:clear"]) is Marking.RED
    assert strictest_tlp(["tlp:ex:chr", "osint"]) is None
