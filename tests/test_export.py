"""PLOVER JSONL export: record shape and byte-for-byte determinism."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, date, datetime

from forewarn.export import plover_record, write_plover_jsonl
from forewarn.model import Document
from forewarn.model.document import DatePrecision
from forewarn.model.records import StoredClaim, StoredClaimed, StoredEvent, StoredParticipant, StoredPlace

TEXT = "Russian forces struck Sumy with drones overnight. Officials said the strike hit a school."
DOC = Document(id="d" * 64, text=TEXT, title="Strike on Sumy", url="https://news.example/sumy", source_id="wire",
               published_at=datetime(2024, 8, 4, 7, 30, tzinfo=UTC), published_precision=DatePrecision.SECOND,
               ingested_at=datetime(2024, 8, 4, 8, tzinfo=UTC), language="en", marking="TLP:CLEAR", team=None,
               cluster_id="d" * 64, reader="feed", location="https://news.example/feed", item="sumy-1",
               raw_sha256="0" * 64, run_id=3)
RUS = StoredParticipant(entity_id="ner:org:russian-forces", canonical_id="dict:rus-military",
                        name="Russian Armed Forces", text="Russian forces", start=0, end=14, country="RUS",
                        sector="military")
SCHOOL = StoredParticipant(entity_id="ner:org:school", canonical_id="ner:org:school", name="school", text="a school",
                           start=79, end=87, country="UKR", sector="civilian")
SUMY = StoredPlace(name="Sumy", lat=50.9077, lon=34.7981, country="UKR", admin1="Sumy Oblast",
                   gazetteer_id="geonames:692194", precision="town", text="Sumy", start=22, end=26, sentence=0)
EVENT = StoredEvent(
    id="e" * 32, document_id=DOC.id, source_id="wire", published_at=DOC.published_at, extractor="spacy-sm 3.8 / fw 1",
    coded_at=datetime(2024, 8, 5, 12, tzinfo=UTC), type="ASSAULT", mode="drone", contexts=("military",), actor=RUS,
    recipient=SCHOOL, place=SUMY, date=date(2024, 8, 3), date_precision="day", date_from_publication=False,
    negated=False, hypothetical=False, future=False, reported=True, sentence=0, start=0, end=49, trigger_start=15,
    trigger_end=21, confidence=0.8123456,
)


def test_record_carries_plover_fields_in_a_fixed_order() -> None:
    record = plover_record(EVENT, DOC)
    assert list(record)[:4] == ["id", "date", "actor", "event"]
    assert list(record) == ["id", "date", "actor", "event", "quad_code", "recipient", "mode", "context", "event_loc",
                            "event_text", "text", "cite_info", "coder", "coded_date", "comment", "date_precision",
                            "date_from_publication", "confidence", "negated", "hypothetical", "future", "reported",
                            "type_coder", "claims"]
    assert (record["quad_code"], record["comment"]) == (4, "reported")
    assert (record["id"], record["date"], record["event"], record["mode"], record["context"]) == (
        "e" * 32, "2024-08-03", "ASSAULT", "drone", ["military"])
    assert record["actor"] == {"code": "RUS", "sector": "military", "entity_text": "Russian forces",
                               "entity_id": "dict:rus-military", "entity_name": "Russian Armed Forces",
                               "inferred": False}
    assert record["recipient"]["code"] == "UKR" and record["recipient"]["entity_text"] == "a school"
    assert record["event_loc"] == {"name": "Sumy", "lat": 50.9077, "lon": 34.7981, "country": "UKR",
                                   "admin1": "Sumy Oblast", "precision": "town", "gazetteer_id": "geonames:692194",
                                   "place_text": "Sumy"}
    assert record["event_text"] == "struck"
    assert record["text"] == "Russian forces struck Sumy with drones overnight."
    assert record["cite_info"] == {"document_id": DOC.id, "url": "https://news.example/sumy", "source": "wire",
                                   "title": "Strike on Sumy", "published": "2024-08-04T07:30:00+00:00",
                                   "language": "en", "sentence": 0, "start": 0, "end": 49, "trigger_start": 15,
                                   "trigger_end": 21}
    assert (record["coder"], record["coded_date"]) == ("forewarn spacy-sm 3.8 / fw 1", "2024-08-05")
    assert (record["confidence"], record["reported"], record["negated"]) == (0.8123, True, False)
    assert record["claims"] == []


def test_an_inferred_actor_and_the_type_coder_are_exported() -> None:
    assert EVENT.actor is not None
    inferred = dataclasses.replace(EVENT, coder="rules+model:events-1",
                                   actor=dataclasses.replace(EVENT.actor, inferred=True))
    record = plover_record(inferred, DOC)
    assert record["actor"]["inferred"] is True and record["recipient"]["inferred"] is False
    assert record["type_coder"] == "rules+model:events-1"
    assert plover_record(EVENT, DOC)["type_coder"] == "rules"


def test_optional_fields_are_left_out_and_a_missing_actor_is_still_an_object() -> None:
    bare = dataclasses.replace(EVENT, actor=None, recipient=None, place=None, mode=None, contexts=())
    record = plover_record(bare, DOC)
    assert record["actor"] == {"code": None, "sector": None, "entity_text": None}
    assert "recipient" not in record and "event_loc" not in record and "mode" not in record
    assert record["context"] == []


def test_jsonl_is_deterministic_and_one_record_per_line() -> None:
    second = dataclasses.replace(EVENT, id="f" * 32, type="PROTEST", mode="demo", trigger_start=0, trigger_end=7)
    outputs = []
    for _ in range(2):
        buffer = io.StringIO()
        assert write_plover_jsonl([EVENT, second], {DOC.id: DOC}.__getitem__, buffer) == 2
        outputs.append(buffer.getvalue())
    assert outputs[0] == outputs[1]
    lines = outputs[0].splitlines()
    assert len(lines) == 2 and outputs[0].endswith("\n")
    assert [json.loads(line)["event"] for line in lines] == ["ASSAULT", "PROTEST"]
    assert json.loads(lines[1])["event_text"] == "Russian"


def test_non_ascii_text_is_written_as_is() -> None:
    text = "Війська РФ обстріляли Суми."
    doc = dataclasses.replace(DOC, text=text)
    event = dataclasses.replace(EVENT, start=0, end=len(text), trigger_start=11, trigger_end=21)
    buffer = io.StringIO()
    write_plover_jsonl([event], lambda _: doc, buffer)
    assert "обстріляли" in buffer.getvalue()
    assert json.loads(buffer.getvalue())["event_text"] == "обстріляли"


UKR = StoredParticipant(entity_id="dict:ukr", canonical_id="dict:ukr", name="Ukraine", text="Ukraine", start=-1,
                        end=-1, country="UKR", sector="government")
SAID = TEXT.index("the strike")
CLAIM = StoredClaim(document_id=DOC.id, speaker=None, speaker_text="Officials", cue="say", content_start=SAID,
                    content_end=len(TEXT) - 1, quoted=False, stance=None, sentence=1, start=50, end=len(TEXT),
                    extractor="spacy-sm 3.8 / fw 1")
WARNING = dataclasses.replace(CLAIM, speaker=UKR, speaker_text="Ukraine", cue="warn", stance="warn", content_start=0,
                              content_end=48, sentence=0, start=0, end=49, claimed=StoredClaimed(
                                  type="ASSAULT", modality="possible", actor=RUS, recipient=None, place_name="Sumy",
                                  place_country="UKR", place_admin1="Sumy Oblast", place_lat=50.9, place_lon=34.8))


def test_the_documents_claims_ride_along_with_their_claimed_event() -> None:
    warning, said = json.loads(_line(EVENT, {DOC.id: [WARNING, CLAIM]}))["claims"]
    assert list(warning) == ["speaker", "stance", "cue", "quoted", "text", "sentence", "start", "end",
                             "content_start", "content_end", "about_event", "claimed"]
    assert warning["speaker"]["code"] == "UKR" and (warning["stance"], warning["cue"]) == ("warn", "warn")
    assert warning["text"] == "Russian forces struck Sumy with drones overnight" and warning["about_event"] is True
    assert warning["claimed"] == {
        "event": "ASSAULT", "modality": "possible",
        "actor": {"code": "RUS", "sector": "military", "entity_text": "Russian forces",
                  "entity_id": "dict:rus-military", "entity_name": "Russian Armed Forces", "inferred": False},
        "recipient": {"code": None, "sector": None, "entity_text": None},
        "event_loc": {"name": "Sumy", "lat": 50.9, "lon": 34.8, "country": "UKR", "admin1": "Sumy Oblast"}}
    assert said["speaker"] == {"code": None, "sector": None, "entity_text": "Officials"}
    assert (said["text"], said["about_event"], said["claimed"], said["stance"]) == (
        "the strike hit a school", False, None, None)


def test_claims_of_other_documents_stay_out() -> None:
    record = json.loads(_line(EVENT, {"x" * 64: [WARNING]}))
    assert record["claims"] == []


def _line(event: StoredEvent, claims: dict[str, list[StoredClaim]]) -> str:
    buffer = io.StringIO()
    write_plover_jsonl([event], {DOC.id: DOC}.__getitem__, buffer, claims)
    return buffer.getvalue()
