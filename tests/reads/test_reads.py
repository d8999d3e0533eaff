"""The read services' views (forewarn.reads), each built once for a page and its API, and a document
posted through the intake (forewarn.ingest.posted): its id, its ledger entry, who may post where.
SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from forewarn.app import Workspace
from forewarn.errors import Code, Forbidden
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    TimePrecision,
)
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.reads.events import EventFilter

ARMY = Entity("dict:army", "The Army", EntityKind.ORG, "UKR")
REBELS = Entity("ner:group:rebels", "Rebels", EntityKind.GROUP, "UKR")
TOWN = Place("Kharkiv", 49.99, 36.23, "UKR", "Kharkiv Oblast", "geonames:706483", PlacePrecision.TOWN)
OLD = "The Army shelled Rebels near Kharkiv in May."
NEW = "The Army attacked Rebels near Kharkiv in August."


@dataclass(frozen=True)
class Seeded:
    old: str  # document ids
    new: str


def _event(text: str, trigger: str, day: date) -> Event:
    def who(entity: Entity, words: str) -> Participant:
        return Participant(entity, words, text.index(words), text.index(words) + len(words))

    place = PlaceMention(TOWN, "Kharkiv", text.index("Kharkiv"), text.index("Kharkiv") + 7, 0)
    t0 = text.index(trigger)
    return Event(type="ASSAULT", mode=None, contexts=(), actor=who(ARMY, "The Army"), recipient=who(REBELS, "Rebels"),
                 place=place, date=day, date_precision=TimePrecision.DAY, date_from_publication=False, flags=Flags(),
                 evidence=Evidence(0, 0, len(text), t0, t0 + len(trigger)), confidence=0.8)


def _extraction(doc: str, text: str, trigger: str, day: date) -> Extraction:
    mentions = tuple(EntityMention(e, w, text.index(w), text.index(w) + len(w), 0)
                     for e, w in ((ARMY, "The Army"), (REBELS, "Rebels")))
    return Extraction(doc, "test 1", entities=mentions, events=(_event(text, trigger, day),))


@pytest.fixture
def seeded(workspace: Workspace) -> Seeded:
    old = workspace.intake.post(OLD, published_at="2024-05-01").document_id
    new = workspace.intake.post(NEW, published_at="2024-08-10").document_id
    assert old and new
    workspace.store.save_extractions([_extraction(old, OLD, "shelled", date(2024, 5, 1)),
                                      _extraction(new, NEW, "attacked", date(2024, 8, 10))],
                                     datetime(2024, 8, 12, tzinfo=UTC))
    return Seeded(old, new)


def _as(ws: Workspace, name: str, role: Role) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def test_a_posted_text_is_stored_under_the_pipelines_id(workspace: Workspace) -> None:
    text = "Tanks\x00 crossed the river at dawn."  # the pipeline removes the NUL
    posted = workspace.intake.post(text, title="River")
    assert posted.status == "new" and posted.new and posted.source_id == "web"
    assert [i.code for i in posted.issues] == [Code.TEXT_CLEANED]
    listed = workspace.reads.document_list(DocumentQuery())
    assert [d.id for d in listed.documents] == [posted.document_id] and listed.total == 1
    again = workspace.intake.post(text)
    assert (again.status, again.new, again.document_id) == ("duplicate", False, posted.document_id)
    entries = workspace.ledger.entries(kind="document-posted")
    assert [e.subject for e in entries] == [f"document:{posted.document_id}"] * 2
    assert entries[0].payload["source_created"] is True and entries[1].payload["status"] == "duplicate"


def test_who_may_post_where(workspace: Workspace, tmp_path: Path) -> None:
    ann, bob = _as(workspace, "ann", Role.ANALYST), _as(workspace, "bob", Role.ANALYST)
    assert ann.intake.post("Ann's first note.", source_id="ann-notes").status == "new"
    assert ann.intake.post("Ann's second note.", source_id="ann-notes").status == "new"  # her own source
    assert bob.intake.post("Bob in the shared source.").status == "new"  # `web` is everyone's
    with pytest.raises(Forbidden):
        bob.intake.post("Bob in Ann's source.", source_id="ann-notes")
    workspace.sources.add("Files", str(tmp_path), source_id="files")
    with pytest.raises(Forbidden):
        ann.intake.post("Ann in a file source.", source_id="files")
    officer = _as(workspace, "olga", Role.DUTY_OFFICER)
    assert officer.intake.post("Olga in Ann's source.", source_id="ann-notes").status == "new"
    assert officer.intake.post("Olga in a file source.", source_id="files").status == "new"
    owned = {s.id: dict(s.options).get("owner") for s in workspace.sources.all()}
    assert owned["ann-notes"] == "ann" and owned["web"] == "bob"  # created by the first to post


def test_the_explorer_opens_on_the_latest_days(workspace: Workspace, seeded: Seeded) -> None:
    everything = EventFilter(EventQuery(limit=None))
    opened = workspace.reads.explore(everything, 50, 0)
    assert opened.window == (date(2024, 7, 12), date(2024, 8, 10))
    assert [e.document_id for e in opened.listed.events] == [seeded.new] and opened.listed.total == 1
    assert opened.days == ((date(2024, 8, 10), 1),) and opened.unplaced == 0  # one event, placed
    windowed = EventFilter(EventQuery(date_from=date(2024, 7, 12), date_to=date(2024, 8, 10), limit=None))
    assert workspace.reads.event_list(windowed, 50, 0) == opened.listed  # the page and the API agree
    dated = workspace.reads.explore(EventFilter(EventQuery(date_from=date(2024, 1, 1), limit=None)), 50, 0)
    assert dated.window is None and dated.listed.total == 2 and dated.unplaced == 0
    assert [e.document_id for e in dated.listed.events] == [seeded.new, seeded.old]  # newest first
    assert {e.id: dated.listed.sentence(e) for e in dated.listed.events} == {
        dated.listed.events[0].id: NEW, dated.listed.events[1].id: OLD}
    one = workspace.reads.event(dated.listed.events[1].id)
    assert one.events == (dated.listed.events[1],) and one.sentence(one.events[0]) == OLD


def test_the_document_reader(workspace: Workspace, seeded: Seeded) -> None:
    found = workspace.reads.document_detail(seeded.new[:8])
    assert found.document.id == seeded.new and found.document.text == NEW
    assert [e.id for e in found.extraction.events] == list(found.evidence)
    assert found.evidence[found.extraction.events[0].id].parts == ("The Army ", "attacked", NEW[17:])
    assert [s.source_id for s in found.sightings] == ["web"] and found.sources["web"].reliability.value == "F"
    assert found.cluster_size == 1 and [m.id for m in found.members] == [seeded.new]


def test_the_entity_page_agrees_with_the_api(workspace: Workspace, seeded: Seeded) -> None:
    page = workspace.reads.entity_page(ARMY.id, 20)
    assert page.entity.name == "The Army" and page.entity.canonical_id == ARMY.id
    assert page.events == workspace.reads.entity_events(ARMY.id, "any", 20, 0)
    assert page.events.total == 2 and page.as_recipient == ()
    assert page.as_actor == ((date(2024, 5, 1), 1), (date(2024, 8, 10), 1))
    assert list(page.neighbours) == workspace.reads.cooccurring(ARMY.id, 12)
    assert [(n.id, n.events, n.documents) for n in page.neighbours] == [(REBELS.id, 2, 2)]
    listed = workspace.reads.entity_list("org", None, 10, 0)
    assert [(r.id, r.events, r.events_capped) for r in listed.items] == [(ARMY.id, 2, False)] and listed.total == 1


def test_runs_and_their_issues(workspace: Workspace) -> None:
    workspace.intake.post("Drones over Kursk.", published_at="2099-01-01")  # a future date: a warning
    workspace.intake.post("Drones over Belgorod.")
    runs = workspace.reads.run_list(1, 0)
    assert runs.total == 2 and len(runs.items) == 1
    first = workspace.reads.run_list(1, 1).items[0]
    run, issues = workspace.reads.run_issues(first.id, 10, 0)
    assert run == first and issues.total == 1 and [i.code for i in issues.items] == [Code.DATE_IN_FUTURE]
