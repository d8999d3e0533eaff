"""Structured rows (CSV/JSONL rows with coordinates) read into documents with their observation, and a
coded error for each bad row while the rest of the file is read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forewarn.errors import Code, Issue
from forewarn.model import RawDocument
from forewarn.model.document import Observation
from forewarn.sources.base import ReadContext
from forewarn.sources.tabular import CsvReader, JsonlReader, parse_column_map

NOW = datetime(2024, 1, 1, tzinfo=UTC)
HEADER = "id,seen,y,x,kind,how,who,who_country,where,note\n"


def read_csv(tmp_path: Path, body: str, column_map: str = "", **options: str) -> list[RawDocument | Issue]:
    path = tmp_path / "rows.csv"
    path.write_text(body, encoding="utf-8")
    ctx = ReadContext(now=NOW, column_map=parse_column_map(column_map) if column_map else {}, options=options)
    return list(CsvReader().read(str(path), ctx))


MAP = "id=id,date=seen,lat=y,lon=x,type=kind,mode=how,actor=who,actor_country=who_country,place=where,text=note"


def test_a_row_with_coordinates_carries_its_observation(tmp_path):
    (doc,) = read_csv(tmp_path, HEADER + "a1,2022-02-20,50.43,36.91,mobilize,troops,Tank crews,Russia,Shebekino,"
                      "Tanks were filmed on the road.\n", MAP)
    assert isinstance(doc, RawDocument) and doc.item == "a1"
    obs = doc.observation
    assert obs is not None
    assert (obs.lat, obs.lon, obs.type, obs.mode, obs.actor_country, obs.place) == (
        50.43, 36.91, "MOBILIZE", "troops", "RUS", "Shebekino")
    assert dict(obs.columns)["lat"] == "y" and dict(obs.columns)["type"] == "kind"
    assert Observation.from_meta(doc.meta) == obs


def test_a_row_without_coordinates_is_a_document_as_before(tmp_path):
    (doc,) = read_csv(tmp_path, HEADER + "a2,2022-02-20,,,,,,,,Talks were held in Minsk.\n", MAP)
    assert isinstance(doc, RawDocument) and doc.observation is None


@pytest.mark.parametrize(("cells", "code", "words"), [
    ("95,36.9,MOBILIZE,,,", Code.COORDINATES_INVALID, "outside -90 to 90"),
    ("50.1,181,MOBILIZE,,,", Code.COORDINATES_INVALID, "outside -180 to 180"),
    ("north,36.9,MOBILIZE,,,", Code.COORDINATES_INVALID, "not a number"),
    ("50.1,,MOBILIZE,,,", Code.COORDINATES_INVALID, "needs both lat and lon"),
    ("50.1,36.9,ATTACK,,,", Code.VALUE_UNKNOWN, "ASSAULT"),
    ("50.1,36.9,MOBILIZE,tanks,,", Code.VALUE_UNKNOWN, "troops, weapons"),
    ("50.1,36.9,MOBILIZE,,,Atlantis", Code.VALUE_UNKNOWN, "unknown country"),
])
def test_each_bad_row_is_one_coded_error_and_the_rest_is_read(tmp_path, cells, code, words):
    body = HEADER + f"bad,2022-02-20,{cells},,The bad row.\nok,2022-02-21,50.2,36.8,MOBILIZE,,,,,The good row.\n"
    bad, good = read_csv(tmp_path, body, MAP)
    assert isinstance(bad, Issue) and bad.code is code and words in bad.message and bad.item == "bad"
    assert bad.hint
    assert isinstance(good, RawDocument) and good.observation is not None


@pytest.mark.parametrize("seen", ["", "someday"])
def test_a_row_with_coordinates_needs_its_date(tmp_path, seen):
    (issue,) = read_csv(tmp_path, HEADER + f"u,{seen},50.1,36.9,,,,,,Undated sighting.\n", MAP)
    assert isinstance(issue, Issue) and issue.code is Code.OBSERVATION_UNDATED


ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
                "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,"
                "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,"
                "fatalities,tags,timestamp\n")
ACLED_ROW = ("XYZ1,2022-03-01,2022,1,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack,"
             "Military Forces of Russia (2000-),,1,Civilians (Ukraine),,7,17,Civilian targeting,804,Europe,Ukraine,"
             "Kharkiv,Kharkivskyi,Kharkiv,Kharkiv,49.99,36.23,1,Local media,Subnational,"
             "An invented note: shells hit a residential block in the city.,0,,1646400000\n")


def test_acled_columns_and_types_are_read_with_the_acled_option(tmp_path):
    (doc,) = read_csv(tmp_path, ACLED_HEADER + ACLED_ROW, types="acled")
    assert isinstance(doc, RawDocument) and doc.item == "XYZ1"
    assert doc.published_at == datetime(2022, 3, 1, tzinfo=UTC)
    obs = doc.observation
    assert obs is not None and (obs.type, obs.mode) == ("ASSAULT", "heavy-weapons")
    assert (obs.actor, obs.actor_sector, obs.recipient_sector) == ("Military Forces of Russia (2000-)", "military",
                                                                   "civilian")
    assert (obs.place, obs.precision) == ("Kharkiv", "town")
    assert obs.source_type == "Explosions/Remote violence: Shelling/artillery/missile attack"


def test_an_unknown_acled_sub_event_type_names_the_known_ones(tmp_path):
    row = ACLED_ROW.replace("Shelling/artillery/missile attack", "Bombardment")
    (issue,) = read_csv(tmp_path, ACLED_HEADER + row, types="acled")
    assert isinstance(issue, Issue) and issue.code is Code.VALUE_UNKNOWN and "Air/drone strike" in issue.message


def test_a_jsonl_line_with_a_coordinates_field(tmp_path):
    path = tmp_path / "rows.jsonl"
    line = {"id": "j1", "date": "2022-02-19", "coordinates": "51.5, 31.3", "type": "MOBILIZE",
            "actor": "Belarusian troops", "text": "Soldiers unloaded vehicles at a rail siding."}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    (doc,) = list(JsonlReader().read(str(path), ReadContext(now=NOW)))
    assert isinstance(doc, RawDocument) and doc.observation is not None
    assert (doc.observation.lat, doc.observation.lon, doc.observation.actor) == (51.5, 31.3, "Belarusian troops")
