"""Corrections feed scoring: a scenario scores the corrected event (or leaves out a rejected one) from the
correction's time on; a replay uses, at each step, only the corrections known then; a correction survives
re-extraction (or is kept as orphaned when the event is gone)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.ingest.annotations import CorrectionInput
from forewarn.model.extraction import (
    Event,
    Evidence,
    Extraction,
    Flags,
    Place,
    PlaceMention,
    PlacePrecision,
    TimePrecision,
)
from forewarn.model.query import DocumentQuery

SUMY = Place("Sumy", 50.9077, 34.7981, "UKR", "Sumy Oblast", "geonames:692194", PlacePrecision.TOWN)
REPORTS = {  # file name: (publication day, text, type as extracted)
    "a.txt": (date(2024, 7, 28), "Armoured columns were massing near Sumy on Sunday.", "MOBILIZE"),
    "b.txt": (date(2024, 8, 1), "More troops were massing near Sumy, residents said.", "MOBILIZE"),
    "c.txt": (date(2024, 8, 2), "Tanks were massing outside Sumy overnight.", "ASSAULT"),  # mis-coded
}
SCENARIO = """\
id: sumy-push
name: Ground push near Sumy
description: Forces cross into the Sumy region.
region:
  countries: [UKR]
horizon_days: 14
prior: 0.05
owner: duty-officer
thresholds:
  elevated: 0.2
  high: 0.5
  critical: 0.8
indicators:
  - id: massing
    name: Troops massing near the border
    types: [MOBILIZE]
    weight: 3.0
    half_life_days: 10
"""
FIXED = datetime(2024, 8, 5, 12, 0, tzinfo=UTC)  # when the analyst corrects
START, END = datetime(2024, 8, 1, tzinfo=UTC), datetime(2024, 8, 8, tzinfo=UTC)


def extraction(doc_id: str, text: str, day: date, kind: str, sentence: int = 0, with_event: bool = True
               ) -> Extraction:
    trigger, where = text.index("massing"), text.index("Sumy")
    place = PlaceMention(SUMY, "Sumy", where, where + 4, sentence)
    event = Event(type=kind, mode=None, contexts=(), actor=None, recipient=None, place=place, date=day,
                  date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(),
                  evidence=Evidence(sentence, 0, len(text), trigger, trigger + 7), confidence=0.8)
    return Extraction(document_id=doc_id, extractor="test 1", places=(place,), events=(event,) if with_event else ())


def save(ws: Workspace, at: datetime, *, sentence: int = 0, without: str | None = None) -> dict[str, str]:
    """Save every document's extraction (again); returns file name → document id."""
    ids: dict[str, str] = {}
    found = []
    for doc_id in sorted({d.id for d in ws.reads.documents(_all())[0]}):
        doc = ws.store.get_document(doc_id)
        name = next(n for n, (_, text, _) in REPORTS.items() if doc.text.strip() == text)
        day, _, kind = REPORTS[name]
        ids[name] = doc_id
        found.append(extraction(doc_id, doc.text, day, kind, sentence, with_event=name != without))
    ws.store.save_extractions(found, at)
    return ids


def _all() -> DocumentQuery:
    return DocumentQuery(limit=100)


@pytest.fixture
def ws(db_url: str, tmp_path: Path, clock: Callable[[], datetime]) -> Iterator[Workspace]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, (day, text, _) in REPORTS.items():
        (inbox / name).write_text(f"Title: {name}\nDate: {day.isoformat()}\n\n{text}", encoding="utf-8")
    (tmp_path / "sumy.yaml").write_text(SCENARIO, encoding="utf-8")
    clock.now = datetime(2024, 8, 4, tzinfo=UTC)  # type: ignore[attr-defined]
    w = Workspace.open(Settings(database_url=db_url, actor="analyst-1", extract=False), clock=clock)
    w.intake.ingest([str(inbox)])
    clock.now = datetime(2024, 7, 1, tzinfo=UTC)  # type: ignore[attr-defined]
    save(w, clock())
    w.scenarios.add(tmp_path / "sumy.yaml")
    yield w
    w.close()


def event_of(ws: Workspace, name: str) -> str:
    doc_id = save_ids(ws)[name]
    return ws.store.extraction_of(doc_id).events[0].id


def save_ids(ws: Workspace) -> dict[str, str]:
    return {name: d.id for d in ws.reads.documents(_all())[0]
            for name, (_, text, _) in REPORTS.items() if d.text.strip() == text}


def probabilities(ws: Workspace) -> dict[datetime, float]:
    return {s.at: s.probability for s in ws.review.replay("sumy-push", START, END, "1d").steps}


def test_a_type_correction_counts_from_its_time_on_in_replay_and_live(ws: Workspace, clock: Callable[[], datetime]
                                                                     ) -> None:
    before = probabilities(ws)
    live_before = ws.scenarios.assess("sumy-push", at=END).probability
    clock.now = FIXED  # type: ignore[attr-defined]
    fixed = ws.annotations.correct(event_of(ws, "c.txt"), CorrectionInput(type="mobilize", reason="tanks massing"))
    assert [(f.field, f.original, f.value, f.author) for f in fixed.fields] == [
        ("type", "ASSAULT", "MOBILIZE", "analyst-1")]
    after = probabilities(ws)
    # the steps before the correction are what they were; from the first step after it the third report counts
    assert all(after[t] == before[t] for t in before if t < FIXED)
    assert all(after[t] > before[t] for t in before if t > FIXED)
    assert after[END] == pytest.approx(ws.scenarios.assess("sumy-push", at=END).probability)
    assert ws.scenarios.assess("sumy-push", at=END).probability > live_before
    assert ws.scenarios.assess("sumy-push", at=FIXED - timedelta(hours=1)).probability == pytest.approx(
        before[datetime(2024, 8, 5, tzinfo=UTC)], rel=0.2)


def test_a_rejection_drops_the_event_from_its_time_on(ws: Workspace, clock: Callable[[], datetime]) -> None:
    before = probabilities(ws)
    clock.now = FIXED  # type: ignore[attr-defined]
    ws.annotations.reject(event_of(ws, "b.txt"), "an exercise, not a build-up")
    after = probabilities(ws)
    assert all(after[t] == before[t] for t in before if t < FIXED)
    assert all(after[t] < before[t] for t in before if t > FIXED)
    assert after[END] == pytest.approx(ws.scenarios.assess("sumy-push", at=END).probability)
    entries = ws.ledger.entries(kind="event-rejected")
    assert [(e.actor, e.payload["reason"]) for e in entries] == [("analyst-1", "an exercise, not a build-up")]


def test_a_correction_survives_re_extraction_and_is_orphaned_when_the_event_goes(
        ws: Workspace, clock: Callable[[], datetime]) -> None:
    clock.now = FIXED  # type: ignore[attr-defined]
    old_id = event_of(ws, "c.txt")
    ws.annotations.correct(old_id, CorrectionInput(type="MOBILIZE"))
    corrected_p = ws.scenarios.assess("sumy-push", at=END).probability
    save(ws, FIXED + timedelta(hours=1), sentence=1)  # a new segmenter: the event's id changes, its key does not
    new_id = event_of(ws, "c.txt")
    assert new_id != old_id
    assert ws.scenarios.assess("sumy-push", at=END).probability == pytest.approx(corrected_p)
    state = ws.reads.event_corrections(new_id)
    assert state is not None and not state.orphaned and [f.value for f in state.fields] == ["MOBILIZE"]
    save(ws, FIXED + timedelta(hours=2), without="c.txt")  # re-extraction no longer finds the event
    doc = save_ids(ws)["c.txt"]
    orphans = ws.reads.document_annotations(doc).orphaned
    assert [o.orphaned for o in orphans] == [True] and orphans[0].fields[0].value == "MOBILIZE"
