"""Structured observations through the workspace: each row with coordinates becomes an event at its point,
kept across re-ingest and re-extraction, beside what its text says; a scenario's indicator matches it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from forewarn.detect.match import indicator_matches
from forewarn.detect.observe import observations
from forewarn.detect.scenarios import load_scenario_file
from forewarn.model.query import DocumentQuery, EventQuery

SIGHTINGS = (
    "id,date,latitude,longitude,type,mode,actor_country,place,text\n"
    "s1,2022-02-20,50.43,36.91,MOBILIZE,troops,RUS,,A long column of armoured trucks moves west along the road.\n"
    "s2,2022-02-21,49.99,36.23,,,,,Russian artillery shelled the northern district overnight.\n"
    "s3,2022-02-21,95.0,36.23,MOBILIZE,,,,A row with a wrong latitude.\n"
    "s4,2022-02-22,50.45,30.52,PROTEST,demo,UKR,Maidan,"
    "Protesters gathered on the square. Police arrested two organisers.\n"
)


def ingest(ws, tmp_path: Path):
    path = tmp_path / "sightings.csv"
    path.write_text(SIGHTINGS, encoding="utf-8")
    return ws.intake.ingest([str(path)])


def by_item(ws) -> dict[str, list]:
    found: dict[str, list] = {}
    for e in ws.reads.events(EventQuery(limit=None)):
        found.setdefault(ws.store.get_document(e.document_id).item, []).append(e)
    return found


def test_rows_become_events_with_their_place_type_and_actor(db_url, make_workspace, tmp_path):
    ws = make_workspace(db_url, extract=True)
    report = ingest(ws, tmp_path)
    assert (report.new, report.failed) == (3, 1)
    events = by_item(ws)
    (s1,) = events["s1"]
    assert (s1.type, s1.mode, s1.coder, str(s1.date), s1.confidence) == ("MOBILIZE", "troops", "columns",
                                                                         "2022-02-20", 1.0)
    assert s1.place is not None and (s1.place.country, s1.place.admin1) == ("RUS", "Belgorod Oblast")
    assert (s1.place.lat, s1.place.lon) == (50.43, 36.91)
    assert s1.actor is not None and s1.actor.country == "RUS"
    (s2,) = events["s2"]  # no type column: the text's event, at the row's point
    assert s2.type == "ASSAULT" and s2.coder.startswith("columns+")
    assert s2.place is not None and s2.place.name == "Kharkiv" and s2.actor is not None and s2.actor.country == "RUS"
    s4 = {e.type: e for e in events["s4"]}
    assert s4["PROTEST"].coder == "columns" and s4["PROTEST"].place.name == "Maidan"  # type: ignore[union-attr]
    assert "COERCE" in s4 and s4["COERCE"].coder != "columns"  # the text's own arrest is still coded


def test_reingest_and_reextraction_keep_one_structured_event(sqlite_workspace, make_workspace, tmp_path):
    ws = make_workspace(str(sqlite_workspace.settings.database_url), extract=True)
    ingest(ws, tmp_path)
    before = sorted((e.id, e.type, e.coder) for e in ws.reads.events(EventQuery(limit=None)))
    again = ingest(ws, tmp_path)
    assert (again.new, again.duplicate) == (0, 3)
    ids = [d.id for d in ws.reads.documents(DocumentQuery())[0]]
    redo = ws.intake.extract(document_ids=ids)  # extracted again, as `forewarn extract --stale` does
    assert (redo.extracted, redo.failed) == (3, 0)
    after = sorted((e.id, e.type, e.coder) for e in ws.reads.events(EventQuery(limit=None)))
    assert after == before and sum(1 for _, _, c in after if c == "columns") == 2


def test_the_invasion_scenario_counts_a_structured_sighting(sqlite_workspace, make_workspace, tmp_path):
    ws = make_workspace(str(sqlite_workspace.settings.database_url), extract=True)
    ingest(ws, tmp_path)
    path = resources.files("forewarn").joinpath("data/scenarios/large-scale-invasion.yaml")
    scenario = load_scenario_file(Path(str(path)))
    buildup = next(i for i in scenario.indicators if i.id == "troop-buildup")
    matched = [o for o in observations(ws.store) if indicator_matches(scenario, buildup, o)]
    assert [o.event.coder for o in matched] == ["columns"]
