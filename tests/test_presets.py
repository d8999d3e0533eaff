"""The ACLED and GDELT presets (issue 19): ``--option preset=acled`` as ``types=acled`` was, with its fatalities;
``--option preset=gdelt`` reading GDELT 2.0 event rows (tab-separated, no header, 61 columns) as structured
observations with a text built from their fields; each bad row one issue, the rest read. Rows are synthetic."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

from forewarn.errors import Code, Issue
from forewarn.export import plover_record
from forewarn.model.document import Document, RawDocument
from forewarn.model.records import StoredEvent
from forewarn.model.source import SourceKind
from forewarn.sources import ReadContext, read
from forewarn.sources.presets import GDELT_COLUMNS, cameo, gdelt_text

NOW = datetime(2024, 9, 1, tzinfo=UTC)
ACLED_HEADER = "event_id_cnty,event_date,event_type,sub_event_type,actor1,inter1,actor2,inter2,location," \
               "latitude,longitude,geo_precision,notes,fatalities\n"
ACLED_ROW = "SYN1,2024-08-03,Battles,Armed clash,Invented Brigade,1,Made-up Militia,3,Testville,48.5,35.1,1," \
            "A synthetic note: two invented groups clashed near Testville.,{dead}\n"


def _gdelt(**cells: str) -> str:
    """One synthetic GDELT 2.0 row: every column blank but those given (by GDELT's column names)."""
    unknown = set(cells) - set(GDELT_COLUMNS)
    assert not unknown, unknown
    return "\t".join(cells.get(name, "") for name in GDELT_COLUMNS) + "\n"


ROW = dict(GLOBALEVENTID="900001", SQLDATE="20240803", Actor1Name="NORTHLAND", Actor1CountryCode="RUS",
           Actor1Type1Code="MIL", Actor2Name="SOUTHLAND", Actor2CountryCode="UKR", Actor2Type1Code="CVL",
           EventCode="193", EventRootCode="19", GoldsteinScale="-10.0", NumMentions="12", NumSources="3",
           NumArticles="11", ActionGeo_Type="4", ActionGeo_FullName="Testville, Test Oblast, Ukraine",
           ActionGeo_Lat="49.99", ActionGeo_Long="36.23", SOURCEURL="https://news.example/synthetic-1")


def _read(tmp_path: Path, name: str, body: str, **options: str) -> list[RawDocument | Issue]:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return [i for i in read(str(path), SourceKind.AUTO, ReadContext(now=NOW, options=options))
            if isinstance(i, RawDocument | Issue)]


def test_preset_acled_reads_as_types_acled_did_and_keeps_the_fatalities(tmp_path: Path) -> None:
    (new,) = _read(tmp_path, "a.csv", ACLED_HEADER + ACLED_ROW.format(dead=4), preset="acled")
    (old,) = _read(tmp_path, "b.csv", ACLED_HEADER + ACLED_ROW.format(dead=4), types="acled")
    assert isinstance(new, RawDocument) and isinstance(old, RawDocument)
    obs = new.observation
    assert obs is not None and obs == old.observation
    assert (obs.type, obs.mode, new.item) == ("ASSAULT", "firearms", "SYN1")
    assert ("fatalities", "4") in new.meta


def test_a_bad_fatalities_value_refuses_its_row_only(tmp_path: Path) -> None:
    body = ACLED_HEADER + ACLED_ROW.format(dead="many") + ACLED_ROW.replace("SYN1", "SYN2").format(dead="")
    issue, doc = _read(tmp_path, "a.csv", body, preset="acled")
    assert isinstance(issue, Issue) and issue.code is Code.VALUE_UNKNOWN and "fatalities" in issue.message
    assert isinstance(doc, RawDocument) and doc.item == "SYN2" and "fatalities" not in dict(doc.meta)


def test_a_gdelt_row_is_an_observation_with_a_built_text(tmp_path: Path) -> None:
    (doc,) = _read(tmp_path, "20240803120000.export.CSV", _gdelt(**ROW), preset="gdelt")
    assert isinstance(doc, RawDocument)
    assert doc.text == "NORTHLAND (RUS) fight SOUTHLAND (UKR) at Testville, Test Oblast, Ukraine."
    assert (doc.item, doc.url) == ("900001", "https://news.example/synthetic-1")
    assert doc.published_at == datetime(2024, 8, 3, tzinfo=UTC)
    obs = doc.observation
    assert obs is not None and (obs.lat, obs.lon, obs.type, obs.mode) == (49.99, 36.23, "ASSAULT", "firearms")
    assert (obs.actor, obs.actor_country, obs.actor_sector) == ("NORTHLAND", "RUS", "military")
    assert (obs.recipient_country, obs.recipient_sector, obs.precision) == ("UKR", "civilian", "town")
    assert obs.source_type == "CAMEO 193"
    meta = dict(doc.meta)
    assert (meta["gdelt.goldstein"], meta["gdelt.mentions"], meta["gdelt.sources"]) == ("-10.0", "12", "3")
    assert dict(obs.columns)["lat"] == "ActionGeo_Lat"


def test_gdelt_files_by_their_endings_and_region_codes(tmp_path: Path) -> None:
    row = _gdelt(**ROW | {"Actor1CountryCode": "AFR", "Actor2CountryCode": "ROM", "ActionGeo_Type": "1",
                          "EventCode": "0211", "GLOBALEVENTID": "900002"})
    for name in ("events.tsv", "20240803.CSV"):
        (doc,) = _read(tmp_path, name, row, preset="gdelt")
        assert isinstance(doc, RawDocument) and doc.observation is not None
        assert (doc.observation.actor_country, doc.observation.recipient_country) == (None, "ROU")
        assert (doc.observation.type, doc.observation.precision) == ("REQUEST", "country")


def test_each_bad_gdelt_row_is_one_issue_and_the_rest_is_read(tmp_path: Path) -> None:
    rows = [_gdelt(**ROW | {"EventCode": "993", "GLOBALEVENTID": "1"}),
            _gdelt(**ROW | {"ActionGeo_Lat": "123.0", "GLOBALEVENTID": "2"}),
            "\t".join(["3"] * 58) + "\n",  # a GDELT 1.0 row: 58 columns
            _gdelt(**ROW | {"SQLDATE": "20241399", "GLOBALEVENTID": "4"}),
            _gdelt(**ROW | {"GLOBALEVENTID": "5"})]
    found = _read(tmp_path, "x.export.CSV", "".join(rows), preset="gdelt")
    issues = [i for i in found if isinstance(i, Issue)]
    assert [(i.item, i.code) for i in issues] == [
        ("1", Code.VALUE_UNKNOWN), ("2", Code.COORDINATES_INVALID), ("row 3", Code.READ_FAILED),
        ("4", Code.OBSERVATION_UNDATED)]
    assert "61" in issues[2].message and "58" in issues[2].message
    assert [d.item for d in found if isinstance(d, RawDocument)] == ["5"]


def test_an_unknown_preset_is_one_issue_for_the_file(tmp_path: Path) -> None:
    (issue,) = _read(tmp_path, "a.csv", ACLED_HEADER + ACLED_ROW.format(dead=1), preset="ucdp")
    assert isinstance(issue, Issue) and issue.code is Code.VALUE_UNKNOWN and "acled, gdelt" in issue.message


def test_cameo_roots_give_plover_types_and_the_text_reads_without_a_recipient() -> None:
    assert cameo("190") == ("ASSAULT", None) and cameo("1823") == ("ASSAULT", "beat")
    assert cameo("0871") == ("RETREAT", "ceasefire") and cameo("042") == ("CONSULT", "visit")
    assert cameo("010") == (None, None) and cameo("145") == ("PROTEST", "riot")
    assert gdelt_text({"type": "061", "actor": "NORTHLAND"}) == "NORTHLAND cooperate."
    assert gdelt_text({"type": "014", "actor_country": "RUS", "recipient": "SOUTHLAND"}) == \
        "RUS make a public statement about SOUTHLAND."


def test_a_structured_assaults_fatalities_are_its_plover_size() -> None:
    text = "A synthetic note: two invented groups clashed near Testville."
    doc = Document(id="d" * 64, text=text, title=None, url=None, source_id="acled", published_at=None,
                   published_precision=None, ingested_at=NOW, language="en", marking="TLP:CLEAR", team=None,
                   cluster_id="d" * 64, reader="csv", location="a.csv", item="SYN1", raw_sha256="0" * 64, run_id=1,
                   meta=(("fatalities", "4"),))
    event = StoredEvent(id="e" * 32, document_id=doc.id, source_id="acled", published_at=None, extractor="x",
                        coded_at=NOW, type="ASSAULT", mode="firearms", contexts=(), actor=None, recipient=None,
                        place=None, date=date(2024, 8, 3), date_precision="day", date_from_publication=False,
                        negated=False, hypothetical=False, future=False, reported=False, sentence=0, start=0,
                        end=len(text), trigger_start=32, trigger_end=39, confidence=1.0, coder="columns")
    assert plover_record(event, doc)["size"] == {"dead": 4}
    assert "size" not in plover_record(dataclasses.replace(event, coder="rules"), doc)  # not the row's own event
    assert "size" not in plover_record(event, dataclasses.replace(doc, meta=()))
