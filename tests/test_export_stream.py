"""The streaming export (issue 19): events in (date, id) order a keyset page at a time, the query's filters,
offset and limit honoured across pages, only what the asker may see (and its reads audited), the export desk's
formats and its analysis through the desks' access. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent / "detect"))
from hand_support import add_teams, assault, participant, place_mention

from forewarn.app import Workspace
from forewarn.errors import InvalidArgument
from forewarn.model import Marking, Principal, PrincipalKind, Reliability, Role, Source, SourceKind
from forewarn.model.extraction import Entity, EntityKind, Extraction, Place, PlacePrecision
from forewarn.model.query import EventQuery
from forewarn.model.source import POSTED
from forewarn.reads import Reads
from forewarn.reads.export import ahead
from forewarn.store import schema as t

AT = datetime(2024, 8, 12, tzinfo=UTC)
ARMY = Entity("dict:army", "The Army", EntityKind.ORG, "UKR")
TOWNS = [("Alpha", 50.45, 30.52), ("Bravo", 51.5, 31.3), ("Charlie", 46.5, 30.7)]
DAYS = [date(2024, 8, 1), date(2024, 8, 2), date(2024, 8, 2), date(2024, 8, 3), date(2024, 8, 3), date(2024, 8, 3)] * 2


def _post(ws: Workspace, i: int, day: date, source: str = "web") -> str:
    """A document of one event on ``day`` (in one of three towns), stored and extracted; returns its id."""
    name, lat, lon = TOWNS[i % 3]
    text = f"The Army attacked unit-{i} near {name} at dawn."
    posted = ws.intake.post(text, title=f"report {i}", source_id=source, published_at=day.isoformat())
    assert posted.document_id
    unit = Entity(f"ner:org:unit-{i}", f"unit-{i}", EntityKind.ORG, "UKR")
    place = place_mention(Place(name, lat, lon, "UKR", f"{name} Oblast", f"test:{name}", PlacePrecision.TOWN), text)
    event = assault(text, participant(ARMY, text, "The Army"), participant(unit, text, f"unit-{i}"), place, day,
                    "attacked")
    ws.store.save_extractions([Extraction(posted.document_id, "test 1", events=(event,))], AT)
    return posted.document_id


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    """Twelve documents of one event each over three days (ties on a day: the id decides the order), and one
    in a north-team AMBER source."""
    workspace.store.add_source(Source("north-wire", SourceKind.TEXT, "North wire", POSTED + "north-wire",
                                      Reliability.B, Marking.AMBER_STRICT, "north", created_at=AT))
    add_teams(workspace, {"north": ("nina",)}, name=str, by="t", at=AT)
    for i, day in enumerate(DAYS):
        _post(workspace, i, day)
    _post(workspace, 99, date(2024, 8, 2), "north-wire")
    return workspace


def _reads(ws: Workspace, name: str) -> Reads:
    return Reads(ws.store, Principal(name, Role.ANALYST, PrincipalKind.USER), now=lambda: AT)


def _streamed(r: Reads, query: EventQuery, chunk: int) -> list[list[str]]:
    return [[e.id for e in c.events] for c in r.export_chunks(query, chunk)]


def test_chunks_follow_date_then_id_order_across_pages(filled: Workspace) -> None:
    system = Reads(filled.store, Principal.system("forewarn"))
    everything = [e.id for e in system.events(EventQuery(limit=None))]
    assert len(everything) == 13
    pages = _streamed(system, EventQuery(limit=None), 4)
    assert [len(p) for p in pages] == [4, 4, 4, 1]
    assert [i for p in pages for i in p] == everything  # the keyset walks ties on a day by id
    dates = [e.date for c in system.export_chunks(EventQuery(limit=None), 4) for e in c.events]
    assert dates == sorted(dates)


@pytest.mark.parametrize("query", [
    EventQuery(limit=5), EventQuery(limit=7, offset=3), EventQuery(offset=11, limit=None),
    EventQuery(date_from=date(2024, 8, 2), date_to=date(2024, 8, 2), limit=None),
    EventQuery(place="bravo", limit=None), EventQuery(near=(51.5, 31.3, 10.0), limit=2, offset=1),
    EventQuery(near=(46.5, 30.7, 5.0), limit=None)])
def test_filters_offset_and_limit_are_those_of_the_event_list(filled: Workspace, query: EventQuery) -> None:
    system = Reads(filled.store, Principal.system("forewarn"))
    listed = [e.id for e in system.events(query)]
    assert [i for p in _streamed(system, query, 3) for i in p] == listed
    assert listed  # each query finds something, so the comparison says something


def test_a_chunk_carries_documents_claims_sources_and_compartments(filled: Workspace) -> None:
    nina = _reads(filled, "nina")
    chunks = list(nina.export_chunks(EventQuery(limit=None), 50))
    assert len(chunks) == 1
    (c,) = chunks
    assert {e.document_id for e in c.events} == set(c.documents)
    assert set(c.sources) == {"web", "north-wire"}
    north = [e for e in c.events if e.source_id == "north-wire"]
    assert len(north) == 1 and c.compartment(north[0].compartment_id).label == "TLP:AMBER+STRICT · team north"
    assert c.compartment(c.events[0].compartment_id).label == "TLP:CLEAR"


def test_what_the_asker_may_not_see_is_not_streamed_and_restricted_reads_are_audited(filled: Workspace) -> None:
    olga, nina = _reads(filled, "olga"), _reads(filled, "nina")
    seen = [c for c in olga.export_chunks(EventQuery(limit=None), 5)]
    assert sum(len(c.events) for c in seen) == 12
    assert all(e.source_id == "web" for c in seen for e in c.events)
    assert all("north-wire" not in c.sources and not c.compartments for c in seen)
    assert sum(len(c.events) for c in nina.export_chunks(EventQuery(limit=None), 5)) == 13
    with filled.store.engine.connect() as conn:
        audited = conn.execute(select(t.read_audit.c.account, t.read_audit.c.kind)).all()
    assert audited == [("nina", "event")]


def test_export_plover_goes_through_the_chunks_unchanged(filled: Workspace) -> None:
    system = Reads(filled.store, Principal.system("forewarn"))
    out = io.StringIO()
    assert system.export_plover(out, EventQuery(limit=None)) == 13
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [e.id for e in system.events(EventQuery(limit=None))]
    again = io.StringIO()
    filled.exports.export(again, EventQuery(limit=None), "plover")
    assert again.getvalue() != ""  # the tester account sees the open events only, in the same bytes
    assert again.getvalue().splitlines() == [line for line in lines if "north" not in line]


def test_the_desk_names_its_formats_and_refuses_an_unknown_one(filled: Workspace) -> None:
    formats = {f.name: f for f in filled.exports.formats()}
    assert formats["plover"] == ("plover", "application/x-ndjson", ".jsonl")
    assert filled.exports.format("plover").suffix == ".jsonl"
    with pytest.raises(InvalidArgument) as bad:
        filled.exports.export(io.StringIO(), EventQuery(), "csv")
    assert "plover" in (bad.value.hint or "")


def test_the_analysis_holds_only_what_the_asker_may_see_with_its_marking(filled: Workspace) -> None:
    north_doc = _reads(filled, "nina").events(EventQuery(source_id="north-wire", limit=None))[0].document_id
    filled.warnings.raise_warning("Open warning", "seen by all", "elevated")
    restricted = filled.warnings.raise_warning("North warning", "rests on north", "high", document_ids=[north_doc])
    as_nina = filled.acting_as(Principal("nina", Role.ANALYST, PrincipalKind.USER))
    as_olga = filled.acting_as(Principal("olga", Role.ANALYST, PrincipalKind.USER))
    nina, olga = as_nina.exports.analysis(), as_olga.exports.analysis()
    assert [w.title for w in nina.warnings] == ["Open warning", "North warning"]
    assert [w.title for w in olga.warnings] == ["Open warning"]
    assert nina.warning_compartments[restricted.id].label == "TLP:AMBER+STRICT · team north"
    assert restricted.id not in olga.warning_compartments and set(olga.history) == {olga.warnings[0].id}
    assert [e.kind for e in nina.history[restricted.id]] == ["warning-raised"]


def test_the_look_ahead_raises_the_producers_error_and_stops_when_closed() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("boom")

    items = ahead(failing())
    assert next(items) == 1
    with pytest.raises(ValueError, match="boom"):
        next(items)
    endless = ahead(iter(range(10**9)))
    assert [next(endless) for _ in range(3)] == [0, 1, 2]
    endless.close()  # returns: the thread stopped


def test_plover_records_carry_the_manuals_enddate_quad_code_and_comment(filled: Workspace) -> None:
    from forewarn.export import enddate

    assert enddate(date(2024, 2, 1), "month") == date(2024, 2, 29) and enddate(date(2024, 1, 1), "year") == \
        date(2024, 12, 31)
    assert enddate(date(2024, 8, 5), "week") == date(2024, 8, 11) and enddate(date(2024, 8, 5), "day") is None
    out = io.StringIO()
    Reads(filled.store, Principal.system("forewarn")).export_plover(out, EventQuery(limit=1))
    record = json.loads(out.getvalue())
    assert record["quad_code"] == 4 and "enddate" not in record and "time" not in record and "size" not in record
    assert "comment" not in record  # nothing to say: a dated, plain event
