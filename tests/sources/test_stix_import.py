"""STIX 2.1 import: bundles written by hand (reports, notes, opinions, sightings at located places, TLP 1.0 and
2.0 markings, an OpenCTI-style report, malformed objects among good ones), the round trip from forewarn's own
export, and re-import through a real SQLite workspace."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reader_helpers import Output, collect, make_ctx

from forewarn.app import Workspace
from forewarn.errors import Code
from forewarn.model import SourceKind
from forewarn.model.document import DatePrecision, RawDocument
from forewarn.model.query import DocumentQuery
from forewarn.sources import detect_kind, read
from forewarn.sources.stix import StixReader, bundle_items, canonical_sha, first_words, skipped

TLP1_WHITE = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
TLP1_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
TLP1_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
TLP2_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP2_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
CREATED = "2024-08-01T08:00:00.000Z"


def sid(kind: str, n: int) -> str:
    return f"{kind}--00000000-0000-4000-8000-{n:012d}"


def obj(kind: str, n: int, **props: Any) -> dict[str, Any]:
    """A STIX object with a fixed id, version and creation time."""
    return {"type": kind, "spec_version": "2.1", "id": sid(kind, n), "created": CREATED, "modified": CREATED, **props}


def write_bundle(path: Path, objects: list[Any]) -> Path:
    path.write_text(json.dumps({"type": "bundle", "id": sid("bundle", 1), "objects": objects}), encoding="utf-8")
    return path


def read_bundle(tmp_path: Path, objects: list[Any]) -> Output:
    return collect(StixReader().read(str(write_bundle(tmp_path / "bundle.json", objects)), make_ctx()))


def meta(doc: RawDocument) -> dict[str, str]:
    return dict(doc.meta)


AUTHOR = obj("identity", 1, name="Partner CERT", identity_class="organization",
             extensions={"extension-definition--00000000-0000-4000-8000-000000000009": {
                 "extension_type": "property-extension", "admiralty_reliability": "B"}})
REPORT = obj("report", 1, name="Shelling near Kharkiv", description="Artillery hit the northern district overnight.",
             published="2024-08-06T10:15:00Z", report_types=["threat-report"], labels=["artillery", "kharkiv"],
             created_by_ref=AUTHOR["id"], object_refs=[AUTHOR["id"]], lang="en",
             external_references=[{"source_name": "partner"}, {"source_name": "web", "url": "https://p.example/1"}],
             object_marking_refs=[TLP1_GREEN])


def test_a_report_is_a_document_with_its_author_labels_reliability_and_marking(tmp_path: Path) -> None:
    out = read_bundle(tmp_path, [AUTHOR, REPORT])
    assert out.issues == []
    [doc] = out.docs
    assert (doc.text, doc.title, doc.url, doc.item, doc.language) == (
        "Artillery hit the northern district overnight.", "Shelling near Kharkiv", "https://p.example/1",
        REPORT["id"], "en")
    assert doc.published_at is not None and doc.published_at.isoformat() == "2024-08-06T10:15:00+00:00"
    assert doc.reader == "stix" and doc.location == str(tmp_path / "bundle.json")
    assert doc.raw_sha256 == canonical_sha(REPORT)
    assert meta(doc) == {"stix.id": REPORT["id"], "stix.type": "report", "stix.created_by": "Partner CERT",
                         "stix.labels": '["artillery", "kharkiv"]', "stix.reliability": "B",
                         "marking": "TLP:GREEN"}
    assert doc.observation is None


def test_a_report_without_a_description_is_read_as_its_name(tmp_path: Path) -> None:
    bare = obj("report", 2, name="Troops massed at the border", published="2024-08-06T00:00:00Z")
    [doc] = read_bundle(tmp_path, [bare]).docs
    assert (doc.text, doc.title) == ("Troops massed at the border", "Troops massed at the border")
    assert "marking" not in meta(doc)  # no marking of its own: the source's applies


@pytest.mark.parametrize(("refs", "extra", "expected"), [
    ([TLP1_WHITE], [], "TLP:CLEAR"),
    ([TLP1_GREEN, TLP2_AMBER], [], "TLP:AMBER"),
    ([TLP2_AMBER_STRICT, TLP2_AMBER], [], "TLP:AMBER+STRICT"),
    ([TLP2_AMBER_STRICT, TLP1_RED], [], "TLP:RED"),
    # a TLP 2.0 definition shipped in the bundle under an id of its own
    ([sid("marking-definition", 7)], [{"type": "marking-definition", "spec_version": "2.1",
                                       "id": sid("marking-definition", 7), "created": CREATED, "name": "TLP:RED",
                                       "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension",
                                                                       "tlp_2_0": "red"}}}], "TLP:RED"),
    # a TLP 1.0 definition in the bundle
    ([sid("marking-definition", 8)], [{"type": "marking-definition", "id": sid("marking-definition", 8),
                                       "created": CREATED, "definition_type": "tlp",
                                       "definition": {"tlp": "white"}}], "TLP:CLEAR"),
], ids=["tlp1-white", "green-amber", "strict-amber", "strict-red", "tlp2-in-bundle", "tlp1-in-bundle"])
def test_the_strictest_tlp_of_tlp1_and_tlp2_markings_is_the_items_marking(
        tmp_path: Path, refs: list[str], extra: list[dict[str, Any]], expected: str) -> None:
    report = REPORT | {"object_marking_refs": refs}
    [doc] = read_bundle(tmp_path, [*extra, AUTHOR, report]).docs
    assert meta(doc)["marking"] == expected


def test_a_statement_marking_is_kept_and_an_unknown_one_is_named(tmp_path: Path) -> None:
    statement = {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", 3),
                 "created": CREATED, "definition_type": "statement",
                 "definition": {"statement": "Copyright Partner CERT. Not for the press."}}
    unknown = sid("marking-definition", 4)
    report = REPORT | {"object_marking_refs": [statement["id"], TLP2_AMBER, unknown]}
    [doc] = read_bundle(tmp_path, [statement, AUTHOR, report]).docs
    assert meta(doc)["marking"] == "TLP:AMBER"
    assert meta(doc)["stix.statement"] == "Copyright Partner CERT. Not for the press."
    assert json.loads(meta(doc)["stix.markings"]) == [unknown]


def test_an_opencti_style_report_keeps_reliability_and_its_marking(tmp_path: Path) -> None:
    marking = {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", 5),
               "created": CREATED, "definition_type": "TLP", "definition": {"TLP": "TLP:AMBER+STRICT"},
               "name": "TLP:AMBER+STRICT", "x_opencti_definition_type": "TLP", "x_opencti_color": "#ffc000"}
    org = obj("identity", 5, name="CERT-X", identity_class="organization",
              x_opencti_reliability="A - Completely reliable", x_opencti_organization_type="csirt")
    report = obj("report", 5, name="Phishing wave", description="A wave of phishing against ministries.",
                 published="2024-08-07T06:00:00.000Z", created_by_ref=org["id"], object_refs=[org["id"]],
                 object_marking_refs=[marking["id"]], confidence=75, labels=["phishing"],
                 x_opencti_report_status=2, x_opencti_id="b9a0d6e0-0000-4000-8000-000000000000")
    [doc] = read_bundle(tmp_path, [marking, org, report]).docs
    assert meta(doc) == {"stix.id": report["id"], "stix.type": "report", "stix.created_by": "CERT-X",
                         "stix.labels": '["phishing"]', "stix.confidence": "75", "stix.reliability": "A",
                         "marking": "TLP:AMBER+STRICT"}


def test_notes_and_opinions_are_documents_citing_what_they_are_about(tmp_path: Path) -> None:
    note = obj("note", 1, abstract="Second source", content="A second witness confirms the shelling.",
               authors=["Olena"], object_refs=[REPORT["id"]], object_marking_refs=[TLP2_AMBER])
    opinion = obj("opinion", 1, opinion="disagree", explanation="The crater pattern suggests a drone.",
                  object_refs=[REPORT["id"]])
    silent = obj("opinion", 2, opinion="agree", object_refs=[REPORT["id"]])  # nothing to read
    docs = {d.item: d for d in read_bundle(tmp_path, [AUTHOR, REPORT, note, opinion, silent]).docs}
    assert set(docs) == {REPORT["id"], note["id"], opinion["id"]}
    n, o = docs[note["id"]], docs[opinion["id"]]
    assert (n.text, n.title) == ("A second witness confirms the shelling.", "Second source")
    assert json.loads(meta(n)["stix.object_refs"]) == [REPORT["id"]]
    assert json.loads(meta(n)["stix.authors"]) == ["Olena"]
    assert meta(n)["marking"] == "TLP:AMBER"  # the strictest of its own (AMBER) and the report's (GREEN)
    assert n.published_at is not None and n.published_at.isoformat() == "2024-08-01T08:00:00+00:00"
    assert (o.text, o.title) == ("The crater pattern suggests a drone.", "Opinion (disagree) on Shelling near Kharkiv")
    assert meta(o)["stix.opinion"] == "disagree" and meta(o)["marking"] == "TLP:GREEN"


PLACE = obj("location", 1, name="Kharkiv", latitude=49.98, longitude=36.25, country="UA",
            object_marking_refs=[TLP1_WHITE])
ACTOR = obj("threat-actor", 1, name="Russian military", threat_actor_types=["nation-state"],
            extensions={"extension-definition--00000000-0000-4000-8000-000000000009": {
                "extension_type": "property-extension", "country": "RUS", "sector": "military"}})
PLOVER_EXT = "extension-definition--00000000-0000-4000-8000-000000000008"
SIGHTING = obj("sighting", 1, sighting_of_ref=ACTOR["id"], where_sighted_refs=[PLACE["id"]],
               first_seen="2024-08-05T00:00:00.000Z", last_seen="2024-08-06T00:00:00.000Z", count=1, confidence=80,
               object_marking_refs=[TLP2_AMBER],
               extensions={PLOVER_EXT: {"extension_type": "property-extension", "event_type": "ASSAULT",
                                        "mode": "heavy-weapons", "date_precision": "day"}})


def test_a_sighting_at_a_located_place_is_a_structured_observation(tmp_path: Path) -> None:
    out = read_bundle(tmp_path, [PLACE, ACTOR, SIGHTING])
    assert out.issues == []
    [doc] = out.docs
    seen = doc.observation
    assert seen is not None
    assert (seen.lat, seen.lon, seen.type, seen.mode, seen.actor, seen.actor_country, seen.actor_sector,
            seen.place, seen.confidence) == (49.98, 36.25, "ASSAULT", "heavy-weapons", "Russian military", "RUS",
                                             "military", "Kharkiv", 0.8)
    assert dict(seen.columns)["lat"] == "location.latitude"
    assert doc.text == "Sighting of Russian military at Kharkiv on 2024-08-05."
    assert doc.published_at is not None and doc.published_at.isoformat() == "2024-08-05T00:00:00+00:00"
    assert doc.published_precision is DatePrecision.DAY and doc.item == SIGHTING["id"]
    assert meta(doc)["marking"] == "TLP:AMBER"  # the strictest of the sighting's, the place's and the actor's


def test_a_sighting_keeps_its_description_and_reads_an_alpha2_country(tmp_path: Path) -> None:
    actor = ACTOR | {"extensions": {}, "country": "RU"}  # a custom top-level country
    sighting = SIGHTING | {"description": "Shelling of the northern district.", "extensions": {}}
    [doc] = read_bundle(tmp_path, [PLACE, actor, sighting]).docs
    assert doc.text == "Shelling of the northern district."
    assert doc.observation is not None and doc.observation.actor_country == "RUS" and doc.observation.type is None


def test_a_place_a_report_names_is_an_observation_unless_a_sighting_uses_it(tmp_path: Path) -> None:
    town = obj("location", 2, name="Vovchansk", latitude=50.29, longitude=36.94, precision=5000.0)
    report = REPORT | {"object_refs": [PLACE["id"], town["id"], SIGHTING["id"]]}
    docs = read_bundle(tmp_path, [AUTHOR, PLACE, town, ACTOR, SIGHTING, report]).docs
    located = {d.item: d for d in docs if d.observation is not None}
    assert set(located) == {SIGHTING["id"], town["id"]}  # Kharkiv is the sighting's place already
    place = located[town["id"]]
    assert place.text == "Vovchansk, named in the report 'Shelling near Kharkiv'."
    assert place.observation is not None and place.observation.precision == "town"
    assert place.published_at == next(d for d in docs if d.item == REPORT["id"]).published_at
    assert meta(place)["marking"] == "TLP:GREEN"  # the report's


def test_malformed_objects_are_issues_and_the_others_are_read(tmp_path: Path) -> None:
    bad_place = obj("location", 9, name="Nowhere", latitude=95.0, longitude=10.0)
    bad_sighting = SIGHTING | {"id": sid("sighting", 9), "where_sighted_refs": [bad_place["id"]]}
    undated = SIGHTING | {"id": sid("sighting", 8), "first_seen": None, "last_seen": None}
    objects = [
        "not an object",
        {"type": "report", "name": "no id"},
        obj("report", 3) | {"id": "report--not-a-uuid"},
        obj("note", 3, content="x") | {"created": "yesterday"},
        bad_place, bad_sighting, undated, AUTHOR, REPORT, PLACE, ACTOR, SIGHTING,
    ]
    out = read_bundle(tmp_path, objects)
    assert [(i.code, i.item) for i in out.errors] == [
        (Code.JSON_INVALID, "object 1"), (Code.JSON_INVALID, "object 2"), (Code.JSON_INVALID, "object 3"),
        (Code.DATE_UNPARSEABLE, sid("note", 3)), (Code.COORDINATES_INVALID, sid("sighting", 9)),
        (Code.OBSERVATION_UNDATED, sid("sighting", 8))]
    assert "95.0 is outside -90 to 90" in out.errors[4].message
    assert sorted(d.item or "" for d in out.docs) == sorted([REPORT["id"], SIGHTING["id"]])


@pytest.mark.parametrize(("content", "code"), [
    (b"", Code.EMPTY), (b"{not json", Code.JSON_INVALID), (b'{"hello": "world"}', Code.JSON_INVALID),
    (b"[" * 600 + b"]" * 600, Code.NESTING_TOO_DEEP)], ids=["empty", "not-json", "not-stix", "too-deep"])
def test_a_file_that_is_not_a_bundle_is_one_issue(tmp_path: Path, content: bytes, code: Code) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    out = collect(StixReader().read(str(path), make_ctx()))
    assert [i.code for i in out.issues] == [code] and out.docs == []


def test_an_envelope_a_list_and_a_folder_of_bundles_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "envelope.json").write_text(json.dumps({"more": False, "objects": [AUTHOR, REPORT]}))
    (folder / "list.stix").write_text(json.dumps([obj("report", 4, name="Listed", published=CREATED)]))
    (folder / "notes.txt").write_text("not read: not a bundle suffix")
    out = collect(StixReader().read(str(folder), make_ctx()))
    assert out.issues == [] and sorted(d.title or "" for d in out.docs) == ["Listed", "Shelling near Kharkiv"]


def test_the_latest_version_is_read_and_a_revoked_object_skipped(tmp_path: Path) -> None:
    newer = REPORT | {"modified": "2024-08-02T08:00:00.5Z", "name": "Shelling near Kharkiv (updated)"}
    older = REPORT | {"modified": "2024-08-02T08:00:00Z"}
    gone = obj("report", 6, name="Withdrawn", published=CREATED, revoked=True)
    docs = read_bundle(tmp_path, [AUTHOR, newer, older, gone]).docs
    assert [d.title for d in docs] == ["Shelling near Kharkiv (updated)"]


def test_types_not_mapped_are_counted_as_skipped() -> None:
    objects = [REPORT, AUTHOR, PLACE, obj("malware", 1, name="x", is_family=False), obj("indicator", 1),
               obj("indicator", 2), obj("relationship", 1), obj("report", 7, revoked=True), "junk"]
    assert skipped(objects) == {"malware": 1, "indicator": 2, "relationship": 1, "revoked": 1}


def test_reading_a_bundle_again_yields_identical_items(tmp_path: Path) -> None:
    objects = [AUTHOR, REPORT, PLACE, ACTOR, SIGHTING]
    first = list(bundle_items(objects, "b.json", make_ctx()))
    assert first == list(bundle_items(json.loads(json.dumps(objects)), "b.json", make_ctx())) and len(first) == 2


def test_a_json_bundle_is_read_as_stix_by_extension(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "partner.json", [AUTHOR, REPORT])
    assert detect_kind(path) is SourceKind.STIX
    assert [d.reader for d in collect(read(str(tmp_path), SourceKind.AUTO, make_ctx())).docs] == ["stix"]


def test_first_words_is_the_exports_name_for_an_untitled_document() -> None:
    assert first_words("one two three") == "one two three"
    assert first_words(" ".join(map(str, range(20)))) == "0 1 2 3 4 5 6 7 8 9 10 11 …"


# -- round trip through forewarn's own export -----------------------------------------------------------------


def _stix_support() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "formats"))
    try:
        import stix_support
    except ImportError:
        pytest.skip("tests/formats/stix_support.py is not there")
    return stix_support


def test_a_bundle_forewarn_exports_imports_back_with_the_documented_fields(tmp_path: Path) -> None:
    """STIX → forewarn → STIX: what docs/import.md lists comes back (docs, their markings and reliability; the
    located events as observations)."""
    writer_module = pytest.importorskip("forewarn.formats.stix")
    support = _stix_support()
    chunk = support.sample_chunk()
    path = tmp_path / "export.json"
    with path.open("w", encoding="utf-8") as out:
        writer = writer_module.StixWriter()
        writer.begin(out)
        writer.chunk(chunk)
        writer.end()
    docs = collect(StixReader().read(str(path), make_ctx())).docs
    reports = {meta(d)["stix.id"]: d for d in docs if meta(d)["stix.type"] == "report"}
    for original in chunk.documents.values():
        back = reports[writer_module.report_ref(original.id)]
        source = chunk.sources.get(original.source_id or "")
        assert (back.text, back.title, back.url, back.language) == (original.text, original.title, original.url,
                                                                    original.language)
        assert meta(back)["marking"] == chunk.compartment(original.compartment_id).marking.value
        assert meta(back).get("stix.reliability") == (source.reliability.value if source else None)
        assert meta(back).get("stix.created_by") == (source.name if source else None)
        if original.published_at is not None:
            assert back.published_at == original.published_at
    located = [e for e in chunk.events if e.place is not None]
    observations = {d.item: d.observation for d in docs if d.observation is not None}
    assert len(observations) == len(located)
    for event in located:
        seen = observations[writer_module.sighting_ref(event.id)]
        assert seen is not None and event.place is not None and event.actor is not None
        assert (seen.lat, seen.lon, seen.place, seen.precision) == (event.place.lat, event.place.lon,
                                                                    event.place.name, event.place.precision)
        assert (seen.type, seen.mode, seen.actor, seen.actor_country, seen.actor_sector) == (
            event.type, event.mode, event.actor.name, event.actor.country, event.actor.sector)
        assert seen.confidence == round(event.confidence, 2)
    sighting = next(d for d in docs if d.item == writer_module.sighting_ref(located[0].id))
    assert sighting.published_at is not None and sighting.published_at.date() == located[0].date


# -- through a workspace ---------------------------------------------------------------------------------------


def test_ingesting_a_bundle_twice_adds_nothing_the_second_time(
        tmp_path: Path, make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    path = write_bundle(tmp_path / "partner.json", [AUTHOR, REPORT | {"object_marking_refs": [TLP2_AMBER_STRICT]},
                                                    PLACE, ACTOR, SIGHTING])
    first = ws.intake.ingest([str(path)], kind=SourceKind.STIX)
    assert (first.new, first.failed) == (2, 0)
    again = ws.intake.ingest([str(path)], kind=SourceKind.STIX)
    assert (again.new, again.duplicate, again.near_duplicate, again.failed) == (0, 2, 0, 0)
    docs, total = ws.reads.documents(DocumentQuery())
    assert total == 2 and ws.reads.stats()["sightings"] == 2
    report = next(d for d in docs if d.item == REPORT["id"])
    assert report.marking == "TLP:AMBER+STRICT" and report.reader == "stix"
    assert next(d for d in docs if d.item == SIGHTING["id"]).observation is not None


def test_a_bundle_the_oasis_stix2_library_writes_is_read(tmp_path: Path) -> None:
    stix2 = pytest.importorskip("stix2")
    author = stix2.Identity(name="Partner CERT", identity_class="organization")
    actor = stix2.ThreatActor(name="Wagner Group", threat_actor_types=["crime-syndicate"])
    place = stix2.Location(name="Bakhmut", latitude=48.59, longitude=38.0, object_marking_refs=[stix2.TLP_GREEN])
    sighting = stix2.Sighting(sighting_of_ref=actor.id, where_sighted_refs=[place.id], created_by_ref=author.id,
                              first_seen="2023-05-01T00:00:00Z", confidence=60, object_marking_refs=[stix2.TLP_RED])
    report = stix2.Report(name="Assault on Bakhmut", description="Fighting in the city centre.",
                          published="2023-05-02T09:00:00Z", created_by_ref=author.id,
                          object_refs=[sighting.id, place.id, actor.id], object_marking_refs=[stix2.TLP_AMBER])
    bundle = stix2.Bundle(author, actor, place, sighting, report, stix2.TLP_GREEN, stix2.TLP_AMBER, stix2.TLP_RED)
    path = tmp_path / "stix2.json"
    path.write_text(bundle.serialize(), encoding="utf-8")
    out = collect(StixReader().read(str(path), make_ctx()))
    assert out.issues == []
    docs = {d.item: d for d in out.docs}
    assert set(docs) == {report.id, sighting.id}
    assert meta(docs[report.id])["marking"] == "TLP:AMBER"
    assert meta(docs[report.id])["stix.created_by"] == "Partner CERT"
    seen = docs[sighting.id].observation
    assert seen is not None and (seen.actor, seen.place, seen.confidence) == ("Wagner Group", "Bakhmut", 0.6)
    assert meta(docs[sighting.id])["marking"] == "TLP:RED"
    assert docs[sighting.id].text == "Sighting of Wagner Group at Bakhmut on 2023-05-01."
