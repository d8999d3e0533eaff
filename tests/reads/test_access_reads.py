"""Compartments enforced on the read path (issue 18): canaries in restricted documents of two teams and a RED
one, asked for through every read service, by those who may not see them (nothing of them shows, counts and
charts included, and a single read is the same NotFound as a wrong id) and by those who may (all of it shows,
with its marking, and the read is audited). SQLite and PostgreSQL."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from hand_support import add_teams, assault, mention, participant, place_mention

from forewarn.app import Workspace
from forewarn.errors import AchInvalid, NotFound
from forewarn.model import Marking, Principal, PrincipalKind, Reliability, Role, Source, SourceKind
from forewarn.model.annotations import Target, TargetKind, document_key, key_of
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    Extraction,
    Place,
    PlacePrecision,
)
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.model.source import POSTED
from forewarn.reads import Reads
from forewarn.reads.events import EventFilter
from forewarn.reads.feed import FeedQuery
from forewarn.store import notes as db
from forewarn.store import schema as t

ARMY = Entity("dict:army", "The Army", EntityKind.ORG, "UKR")
AT = datetime(2024, 8, 12, tzinfo=UTC)
NOW = datetime(2024, 8, 20, tzinfo=UTC)


@dataclass(frozen=True)
class Holding:
    """A document of one compartment: its canary (in its text, title, entity and place names) and where it is."""

    name: str
    source: str
    canary: str
    lat: float
    lon: float
    day: date

    @property
    def text(self) -> str:
        return f"The Army attacked {self.canary}-unit near {self.canary}-town at dawn."

    @property
    def entity(self) -> Entity:
        return Entity(f"ner:org:{self.canary.lower()}", f"{self.canary}-unit", EntityKind.ORG, "UKR")

    @property
    def place(self) -> Place:
        return Place(f"{self.canary}-town", self.lat, self.lon, "UKR", f"{self.canary}-oblast", f"test:{self.canary}",
                     PlacePrecision.TOWN)


OPEN = Holding("open", "web", "OPENWORD", 50.45, 30.52, date(2024, 8, 10))
NORTH = Holding("north", "north-wire", "CANARY-NORTH-7f3a", 51.5, 31.3, date(2024, 8, 11))
SOUTH = Holding("south", "south-wire", "CANARY-SOUTH-19bc", 46.5, 30.7, date(2024, 8, 9))
RED = Holding("red", "red-wire", "CANARY-RED-e21d", 49.99, 36.23, date(2024, 8, 8))
HOLDINGS = (OPEN, NORTH, SOUTH, RED)
SOURCES = {
    "north-wire": (Marking.AMBER_STRICT, "north", ()),
    "south-wire": (Marking.AMBER, "south", ("ana",)),
    "red-wire": (Marking.RED, "north", ("rita",)),
}
# who sees what: nina (team north), sam (team south), rita (team north, named on the RED source), ana (named on
# the south AMBER source, no team), olga (no team)
SEES = {"nina": {"open", "north"}, "sam": {"open", "south"}, "rita": {"open", "north", "red"},
        "ana": {"open", "south"}, "olga": {"open"}}


def _extraction(doc: str, h: Holding) -> Extraction:
    text = h.text
    unit, town = f"{h.canary}-unit", f"{h.canary}-town"
    place = place_mention(h.place, text, town)
    event = assault(text, participant(ARMY, text, "The Army"), participant(h.entity, text, unit), place, h.day,
                    "attacked")
    mentions = (mention(ARMY, text, "The Army"), mention(h.entity, text, unit))
    return Extraction(doc, "test 1", entities=mentions, places=(place,), events=(event,))


@pytest.fixture
def held(workspace: Workspace) -> dict[str, str]:
    """The four holdings stored and extracted (document ids by name), the teams and their members, a note on
    each document, and the open document seen again in the north wire (a sighting only north may see)."""
    store = workspace.store
    for sid, (marking, team, recipients) in SOURCES.items():
        store.add_source(Source(sid, SourceKind.TEXT, f"{sid} {sid.upper()}-SOURCE-NAME", POSTED + sid,
                                Reliability.B, marking, team, created_at=AT, recipients=recipients))
    add_teams(workspace, {"north": ("nina", "rita"), "south": ("sam",)}, name=str, by="t", at=AT)
    ids = {}
    for h in HOLDINGS:
        posted = workspace.intake.post(h.text, title=f"Title {h.canary}", source_id=h.source,
                                       published_at=h.day.isoformat())
        assert posted.document_id
        ids[h.name] = posted.document_id
    assert workspace.intake.post(OPEN.text, source_id="north-wire").status == "duplicate"
    store.save_extractions([_extraction(ids[h.name], h) for h in HOLDINGS], AT)
    system = Reads(store, Principal.system("forewarn"))
    with store.transaction() as conn:
        for h in HOLDINGS:
            doc = system.document(ids[h.name]).document
            db.add_note(conn, Target(TargetKind.DOCUMENT, document_key(doc.id), doc.id), f"note {h.canary}", "t",
                        AT, doc.compartment_id)
    return ids


def _reads(ws: Workspace, name: str) -> Reads:
    return Reads(ws.store, Principal(name, Role.ANALYST, PrincipalKind.USER), now=lambda: NOW)


def _everything(r: Reads, ids: dict[str, str]) -> str:
    """What every list, count, chart, map and export of the read services says, as one text."""
    everything = EventFilter(EventQuery(limit=None))
    dated = EventFilter(EventQuery(date_from=date(2024, 1, 1), limit=None))
    out = io.StringIO()
    r.export_plover(out, EventQuery(limit=None))
    open_event = r.events(EventQuery(document_id=ids["open"], limit=None))[0].id
    parts: list[Any] = [
        r.documents(DocumentQuery()), r.documents(DocumentQuery(text="canary")), r.document_list(DocumentQuery()),
        r.document_list(DocumentQuery(text="canary")), r.count_documents(datetime(2024, 1, 1, tzinfo=UTC), NOW),
        r.document(ids["open"]), r.document_detail(ids["open"]), r.stats(), r.runs(), r.run_list(50, 0),
        r.events(EventQuery(limit=None)), r.count_events(EventQuery(limit=None)), r.entities(),
        r.entity(ARMY.id), r.merges(), r.event_list(dated, 50, 0), r.event_days(dated), r.event_map(dated),
        r.explore(everything, 50, 0), r.explore(dated, 50, 0), r.event_map_view(dated),
        r.event_map_view(everything), r.entity_list(None, None, 100, 0), r.entity_list(None, "canary", 100, 0),
        r.entity_info(ARMY.id), r.entity_events(ARMY.id, "any", 50, 0), r.cooccurring(ARMY.id, 20),
        r.entity_page(ARMY.id, 50), r.feed(FeedQuery(), NOW), r.feed_new(NOW), r.feed_newest(NOW),
        r.document_annotations(ids["open"]), r.event_annotations(open_event), out.getvalue(),
    ]
    return repr(parts)


def _canaries(text: str) -> set[str]:
    return {h.name for h in HOLDINGS if h is not OPEN and h.canary in text}


@pytest.mark.parametrize("name", sorted(SEES))
def test_no_list_count_chart_map_or_export_shows_what_the_asker_may_not_see(workspace: Workspace,
                                                                          held: dict[str, str], name: str) -> None:
    r = _reads(workspace, name)
    assert _canaries(_everything(r, held)) == SEES[name] - {"open"}
    assert r.count_documents(datetime(2024, 1, 1, tzinfo=UTC), NOW) == len(SEES[name])
    assert r.count_events(EventQuery(limit=None)) == len(SEES[name])
    explored = r.explore(EventFilter(EventQuery(date_from=date(2024, 1, 1), limit=None)), 50, 0)
    assert explored.listed.total == len(SEES[name]) == sum(n for _, n in explored.days)
    assert sum(c.count for c in explored.regions) == len(SEES[name])
    view = r.event_map_view(EventFilter(EventQuery(date_from=date(2024, 1, 1), limit=None)))
    assert view.placed == len(SEES[name]) == sum(p.count for p in view.points) and view.unplaced == 0
    assert {p.event_id for p in view.points} == {e.id for e in explored.listed.events}
    assert r.entity_info(ARMY.id) and r.entity_page(ARMY.id, 50).events.total == len(SEES[name])
    assert r.stats()["documents"] == len(SEES[name])
    assert {s.source_id for s in r.document_detail(held["open"]).sightings} == (
        {"web", "north-wire"} if "north" in SEES[name] else {"web"})
    assert r.feed_new(datetime(2024, 8, 12, 13, tzinfo=UTC)) == len(SEES[name])  # ingested at the clock's noon


def test_the_system_and_a_recipient_see_everything_they_may(workspace: Workspace, held: dict[str, str]) -> None:
    system = Reads(workspace.store, Principal.system("forewarn"))
    assert _canaries(_everything(system, held)) == {"north", "south", "red"}
    assert not system.access.restricted


def _single_reads(r: Reads, doc: str, event_id: str, h: Holding) -> list[Callable[[], object]]:
    """Every read of one object (document, event, entity) by id; what each gives names the holding's canary."""
    entity = h.entity.id
    return [lambda: r.document(doc), lambda: r.document_detail(doc), lambda: r.document(doc[:10]),
            lambda: r.extraction(doc), lambda: r.event(event_id), lambda: r.document_annotations(doc),
            lambda: r.event_annotations(event_id), lambda: r.entity_info(entity), lambda: r.entity(entity),
            lambda: r.entity_page(entity, 10), lambda: r.entity_events(entity, "any", 10, 0),
            lambda: [r.cooccurring(entity, 5), h.canary]]


@pytest.mark.parametrize("name", sorted(SEES))
def test_a_hidden_object_is_as_missing(workspace: Workspace, held: dict[str, str], name: str) -> None:
    r = _reads(workspace, name)
    system = Reads(workspace.store, Principal.system("forewarn"))
    for h in HOLDINGS:
        doc = held[h.name]
        event = system.events(EventQuery(document_id=doc, limit=None))[0]
        for read in _single_reads(r, doc, event.id, h):
            if h.name in SEES[name]:
                assert h.canary in repr(read())
            else:
                with pytest.raises(NotFound) as missing:
                    read()
                assert h.canary not in str(missing.value)
        for ref in (f"document:{doc}", f"event:{event.id}", f"claim:{doc}:0"):
            if h.name not in SEES[name]:
                with pytest.raises(AchInvalid):
                    r.ach_evidence(ref)
        if h.name in SEES[name]:
            assert r.ach_evidence(f"document:{doc}").text == f"Title {h.canary}"
            # the co-occurrence read above passes on its own canary; here what it shows of a visible holding
            assert ARMY.id in {n.id for n in r.cooccurring(h.entity.id, 5)}


def test_a_wrong_id_and_a_hidden_one_fail_alike(workspace: Workspace, held: dict[str, str]) -> None:
    olga = _reads(workspace, "olga")
    with pytest.raises(NotFound) as hidden:
        olga.document(held["north"])
    with pytest.raises(NotFound) as wrong:
        olga.document("f" * 64)
    assert str(hidden.value).replace(held["north"], "ID") == str(wrong.value).replace("f" * 64, "ID")


def test_the_export_carries_each_records_marking(workspace: Workspace, held: dict[str, str]) -> None:
    out = io.StringIO()
    assert _reads(workspace, "rita").export_plover(out, EventQuery(limit=None)) == 3
    text = out.getvalue()
    assert '"marking": "TLP:CLEAR"' in text and '"marking": "TLP:AMBER+STRICT · team north"' in text
    assert '"marking": "TLP:RED · team north · for rita"' in text


def test_the_pages_show_the_marking(workspace: Workspace, held: dict[str, str]) -> None:
    rita = _reads(workspace, "rita")
    assert rita.document_detail(held["red"]).marking == "TLP:RED · team north · for rita"
    assert rita.document_detail(held["open"]).marking == "TLP:CLEAR"
    one = rita.event(rita.events(EventQuery(document_id=held["north"], limit=None))[0].id)
    assert one.markings[one.events[0].id] == "TLP:AMBER+STRICT · team north"


def test_reads_of_restricted_objects_are_audited(workspace: Workspace, held: dict[str, str]) -> None:
    nina = _reads(workspace, "nina")
    nina.document_detail(held["north"])
    nina.document_detail(held["open"])  # open: not recorded
    nina.document_list(DocumentQuery())
    with workspace.store.engine.connect() as conn:
        rows = conn.execute(select(t.read_audit).order_by(t.read_audit.c.id)).all()
    assert [(r.account, r.kind, r.object_id, r.via) for r in rows] == [
        ("nina", "document", held["north"], "user"), ("nina", "document", held["north"], "user")]
    assert all(r.at == NOW for r in rows)
    _reads(workspace, "olga").document_list(DocumentQuery())
    with workspace.store.engine.connect() as conn:
        assert conn.execute(select(t.read_audit).where(t.read_audit.c.account == "olga")).first() is None


def test_notes_and_tags_of_hidden_objects_are_hidden(workspace: Workspace, held: dict[str, str]) -> None:
    system = Reads(workspace.store, Principal.system("forewarn"))
    with workspace.store.transaction() as conn:
        for h in HOLDINGS:
            event = system.events(EventQuery(document_id=held[h.name], limit=None))[0]
            db.add_tag(conn, Target(TargetKind.DOCUMENT, document_key(held[h.name]), held[h.name]), "watch", "t", AT)
            db.add_tag(conn, Target(TargetKind.EVENT, key_of(event), held[h.name], event.id), "watch", "t", AT)
    for name, seen in SEES.items():
        r = _reads(workspace, name)
        for kind in ("document", "event"):
            tagged = r.tagged(kind, "watch", 50, 0)
            assert tagged.total == len(seen) and {g.target.document_id for g in tagged.items} == {
                held[h] for h in seen}
        assert [n.text for n in r.document_annotations(held["open"]).notes] == ["note OPENWORD"]


def test_a_duplicate_cluster_shows_its_visible_members_only(workspace: Workspace, held: dict[str, str]) -> None:
    d, c = t.documents.c, t.clusters.c
    with workspace.store.transaction() as conn:  # the north holding as a near-duplicate of the open document
        cluster = conn.execute(select(d.cluster_id).where(d.id == held["open"])).scalar_one()
        conn.execute(t.documents.update().where(d.id == held["north"]).values(cluster_id=cluster))
        conn.execute(t.clusters.update().where(c.id == cluster).values(size=2))
    for name, seen in SEES.items():
        r = _reads(workspace, name)
        detail, n = r.document_detail(held["open"]), 2 if "north" in seen else 1
        assert detail.cluster_size == n and len(detail.members) == n and len(r.document(held["open"]).cluster) == n
        listed = {x.id: x.cluster_size for x in r.document_list(DocumentQuery()).documents}
        assert listed[held["open"]] == n
        assert (NORTH.canary in repr(detail)) is ("north" in seen)
