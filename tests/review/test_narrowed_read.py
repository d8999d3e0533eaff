"""A replay or a post-mortem from the narrowed read (only the events an indicator can match, the rest answered by
the store in SQL: forewarn.detect.narrow) equals one from the whole read: a world where most events match no
indicator (a mode, a confidence, a hypothetical, a place without a first-level region), the first days hold
only such events (where a surge's record begins), and analysts' corrections turn events into and out of what
the indicators match — on SQLite and on PostgreSQL."""

from __future__ import annotations

import gc
import random
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from detect_store_helpers import SUDZHA, UKR

from forewarn.app import Workspace
from forewarn.detect import narrow, service
from forewarn.detect.desk import ScenarioDesk
from forewarn.detect.service import assess_scenarios
from forewarn.ingest.annotations import CorrectionInput
from forewarn.model import Reliability, SignalKind
from forewarn.model.extraction import (
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
from forewarn.review.desk import ReviewDesk
from forewarn.store.observed import Known, count_known

START = datetime(2024, 7, 1, tzinfo=UTC)
DAYS = 40
UKRAINE = Place("Ukraine", 49.0, 32.0, "UKR", None, "country:UKR", PlacePrecision.COUNTRY)
SCENARIO = """\
id: narrow-watch
name: Armour and attacks near Sudzha
region:
  countries: [UKR]
  admin1: [RUS:Kursk]
horizon_days: 14
prior: 0.05
owner: duty-officer
escalation: [watch-lead]
thresholds: {elevated: 0.15, high: 0.35, critical: 0.6}
indicators:
  - id: armour
    name: Armour near the border
    types: [MOBILIZE]
    modes: [troops]
    min_confidence: 0.6
    weight: 2.5
    half_life_days: 3
    saturation: 4
  - id: armour-named
    name: Armour named in the report, whatever the coder made of it
    keywords: [armour]
    weight: 1.5
    half_life_days: 3
    saturation: 2
  - id: attack-surge
    kind: surge
    types: [ASSAULT]
    weight: 2
    half_life_days: 3
"""


def kinds(day: int, rng: random.Random) -> list[str]:
    """What a day brings: only events no indicator matches for the first ten days, then a mix, with a burst of
    attacks on day 30."""
    quiet = ["police", "unsure", "maybe", "country-attack"]
    if day < 10:
        return [rng.choice(quiet) for _ in range(rng.randrange(1, 3))]
    attacks = ["attack"] * (8 if day == 30 else rng.randrange(0, 2))
    return attacks + ["armour"] * (day % 3) + [rng.choice(quiet) for _ in range(rng.randrange(1, 4))]


def event(kind: str, text: str, day: datetime) -> Event:
    """``armour``: what the armour indicator matches; ``attack``: a surge's cell; the rest no indicator matches
    (a police mobilisation, a low confidence, a hypothetical, an attack placed in no first-level region)."""
    kind_type = "ASSAULT" if kind in ("attack", "country-attack") else "MOBILIZE"
    place = PlaceMention(UKRAINE if kind == "country-attack" else SUDZHA, "Sudzha", 0, 6, 0)
    return Event(type=kind_type, mode="police" if kind == "police" else "troops" if kind_type == "MOBILIZE" else None,
                 contexts=("military",), actor=Participant(UKR, "the Ukrainian army", 0, 18), recipient=None,
                 place=place, date=day.date(), date_precision=TimePrecision.DAY, date_from_publication=True,
                 flags=Flags(hypothetical=kind == "maybe"), evidence=Evidence(0, 0, len(text), 0, 6),
                 confidence=0.4 if kind == "unsure" else 0.8)


def seed(ws: Workspace, folder: Path) -> dict[str, str]:
    """Ingest a report per event; returns each report's name → its event id."""
    rng = random.Random(20)
    written: dict[str, tuple[str, str, datetime]] = {}
    for day in range(DAYS):
        for n, kind in enumerate(kinds(day, rng)):
            at = START + timedelta(days=day, hours=rng.randrange(0, 20), minutes=7 * n)
            text = f"the Ukrainian army {kind} report {day}-{n} near Sudzha, {rng.random():.6f}."
            written[f"r{day}-{n}"] = (kind, text, at)
    folder.mkdir(parents=True)
    for name, (_, text, at) in written.items():
        (folder / f"{name}.txt").write_text(f"Title: {name}\nDate: {at.isoformat()}\n\n{text}\n")
    ws.sources.add("wire", str(folder), reliability=Reliability.B)
    ws.intake.ingest(["wire"])
    docs = [ws.store.get_document(d) for d in ws.store.documents_needing_extraction()]
    found = {d.id: event(written[d.title or ""][0], d.text, written[d.title or ""][2]) for d in docs}
    ws.store.save_extractions([Extraction(document_id=doc, extractor="test 1", places=(e.place,), events=(e,))
                               for doc, e in found.items() if e.place is not None], START + timedelta(days=DAYS))
    return {d.title or "": ws.reads.extraction(d.id).events[0].id for d in docs}


@pytest.fixture
def world(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace], clock: Any) -> Workspace:
    clock.now = START + timedelta(days=DAYS, hours=1)
    ws = make_workspace(db_url)
    events = seed(ws, tmp_path / "wire")
    (tmp_path / "s.yaml").write_text(SCENARIO)
    ws.scenarios.add(tmp_path / "s.yaml")
    police = sorted(name for name in events if name.startswith("r1"))
    clock.now = START + timedelta(days=DAYS + 2)  # corrections after the reports, inside the periods reviewed
    ws.annotations.correct(events[police[0]], CorrectionInput(mode="troops", reason="armour, not police"))
    clock.now = START + timedelta(days=DAYS + 3)
    ws.annotations.correct(events["r30-0"], CorrectionInput(type="MOBILIZE", mode="troops", reason="a column"))
    ws.annotations.correct(events["r2-0"], CorrectionInput(date="2024-06-20", reason="an older report"))
    clock.now = START + timedelta(days=DAYS + 10)
    return ws


def whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ScenarioDesk, "narrowed", lambda *args: None)


def test_the_narrowed_read_leaves_events_out(world: Workspace) -> None:
    scenario = world.scenarios.get("narrow-watch")
    end = START + timedelta(days=DAYS + 5)
    narrowed = world.scenarios.narrowed(scenario, end, START)
    assert narrowed is not None
    found, store = narrowed
    everything = world.scenarios.observations(scenario, end, start=START, history=True)
    assert len(found) < len(everything) / 2  # most events match nothing
    assert store.count(end) == sum(o.known_at <= end and o.shown_at(end) for o in everything)
    factual = [o for o in everything if not o.event.hypothetical and o.shown_at(end)]
    assert store.first_day(end, dated_from=START.date()) == min(o.event.date for o in factual
                                                                 if o.event.date >= START.date())
    assert store.first_day(end) == min(o.event.date for o in factual) < START.date()  # the corrected date


@pytest.mark.parametrize("step", ["6h", "1d"])
def test_a_replay_equals_the_whole_read(world: Workspace, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    start, end = START + timedelta(days=5), START + timedelta(days=DAYS + 5)
    narrowed = world.review.replay("narrow-watch", start, end, step)
    whole(monkeypatch)
    full = world.review.replay("narrow-watch", start, end, step)
    assert narrowed == full
    assert any(s.top_signal == "attack-surge" for s in full.steps) and any(s.level for s in full.steps)


def test_a_replay_reads_no_events_of_surges_in_the_regions_places(world: Workspace,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A surge in one of the region's first-level regions counts whatever its events: the replay reads the
    observations of the events it has as surge rows only for surges elsewhere (whether one of them is in the
    region)."""
    asked: list[str] = []
    members = narrow.StoreRead.members
    monkeypatch.setattr(narrow.StoreRead, "members", lambda self, ids: asked.extend(ids) or members(self, ids))
    series = world.review.replay("narrow-watch", START + timedelta(days=5), START + timedelta(days=DAYS + 5), "1d")
    assert any(s.top_signal == "attack-surge" for s in series.steps)  # at Sudzha, in Kursk: one of the region's
    assert asked == []


@pytest.mark.parametrize("event_day", [12, 31, DAYS + 4])
def test_a_post_mortem_equals_the_whole_read(world: Workspace, monkeypatch: pytest.MonkeyPatch,
                                             event_day: int) -> None:
    event_at = (START + timedelta(days=event_day)).date()
    narrowed = world.review.postmortem("narrow-watch", event_at, with_replay=True, step="12h", at=START)
    whole(monkeypatch)
    full = world.review.postmortem("narrow-watch", event_at, with_replay=True, step="12h", at=START)
    assert asdict(narrowed) == asdict(full)
    assert full.observations_in_window > len(full.signals) > 0


@pytest.mark.parametrize(("change", "why"), [
    ("  admin1: [RUS:Kursk]\n", "  point: [51.19, 35.27]\n  radius_km: 40\n"),  # SQL reads a radius as a box
    ("    types: [MOBILIZE]\n    modes: [troops]\n    min_confidence: 0.6\n", ""),  # an indicator of a region alone
])
def test_the_whole_read_where_narrowing_would_not_be_exact_or_would_leave_nothing_out(
        world: Workspace, tmp_path: Path, change: str, why: str) -> None:
    text = SCENARIO.replace("id: narrow-watch", "id: other-watch").replace(change, why)
    (tmp_path / "other.yaml").write_text(text)
    world.scenarios.add(tmp_path / "other.yaml")
    scenario = world.scenarios.get("other-watch")
    assert world.scenarios.narrowed(scenario, START + timedelta(days=DAYS), START) is None


def examined(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[Any]]:
    """The days each keyword test of the narrowed reads looks at, from now on."""
    seen: list[frozenset[Any]] = []
    test = narrow._examine

    def counting(store: Any, clause: Any, keywords: Any, first: Any, last: Any, days: frozenset[Any]) -> Any:
        seen.append(days)
        return test(store, clause, keywords, first, last, days)

    monkeypatch.setattr(narrow, "_examine", counting)
    return seen


def report(ws: Workspace, folder: Path, name: str, text: str, at: datetime, kind: str) -> str:
    """Ingest one more report to the wire and store its event (of ``kind``, see :func:`event`); its document id."""
    (folder / f"{name}.txt").write_text(f"Title: {name}\nDate: {at.isoformat()}\n\n{text}\n")
    ws.intake.ingest(["wire"])
    doc = next(d for d in map(ws.store.get_document, ws.store.documents_needing_extraction()) if d.title == name)
    e = event(kind, doc.text, at)
    ws.store.save_extractions([Extraction(document_id=doc.id, extractor="test 1", places=(e.place,), events=(e,))],
                              at + timedelta(hours=1))
    return doc.id


def test_keyword_matches_are_tested_once_then_as_the_days_change(world: Workspace, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The first narrowed read tests every day of its period for the keywords; the next one none; after a report
    naming armour (an attack, which only the keywords match) is added on an old day, and another's events are
    extracted again as none, only those two days, and the reviews still equal the whole read's."""
    seen = examined(monkeypatch)
    event_at = (START + timedelta(days=DAYS + 4)).date()
    first = world.review.postmortem("narrow-watch", event_at, with_replay=True, step="1d", at=START)
    assert len(seen) == 1 and len(seen[0]) > DAYS
    assert world.review.postmortem("narrow-watch", event_at, with_replay=True, step="1d", at=START) == first
    assert len(seen) == 1
    day = START + timedelta(days=20, hours=21)
    report(world, tmp_path / "wire", "late", "the Ukrainian army attack with armour near Sudzha.", day, "attack")
    gone = world.store.find_documents(DocumentQuery(text="army armour report 25-", limit=1))[0]
    world.store.save_extractions([Extraction(document_id=gone.id, extractor="test 2")], START + timedelta(days=DAYS))
    narrowed = world.review.postmortem("narrow-watch", event_at, with_replay=True, step="1d", at=START)
    assert seen[1] == {day.date(), (START + timedelta(days=25)).date()}
    whole(monkeypatch)
    full = world.review.postmortem("narrow-watch", event_at, with_replay=True, step="1d", at=START)
    assert asdict(narrowed) == asdict(full) != asdict(first)
    assert any("with armour" in s.evidence for s in full.signals)


def test_a_live_cycle_equals_the_whole_read(world: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A live cycle reads only what an indicator can match, and the store's rows for the surges, where it can."""
    scenario = world.scenarios.get("narrow-watch")
    times = [START + timedelta(hours=11 * k) for k in range(1, 24 * (DAYS + 4) // 11)]
    monkeypatch.setattr(service, "NARROWED_PER_SCENARIO", 0)  # however few documents the window holds
    narrowed = [assess_scenarios(world.store, [scenario], at) for at in times]
    monkeypatch.setattr(service, "narrowed_observations", lambda *args, **kwargs: None)
    full = [assess_scenarios(world.store, [scenario], at) for at in times]
    assert narrowed == full
    assert any(s.kind is SignalKind.SURGE and s.source_ids for a in full for s in a[0].signals)


def test_a_live_cycle_of_many_scenarios_over_few_documents_reads_everything_once(
        world: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Narrowed reads cost each scenario a few statements: where the window holds few documents a scenario, one read
    of every event of it serves them all."""
    scenario = world.scenarios.get("narrow-watch")
    at = START + timedelta(days=DAYS)
    asked: list[str] = []
    monkeypatch.setattr(service, "narrowed_observations", lambda store, s, **kwargs: asked.append(s.id))
    assess_scenarios(world.store, [scenario] * 10, at)  # the world's 40 days: more than 50 documents, under 500
    assert asked == []
    assess_scenarios(world.store, [scenario], at)
    assert asked == ["narrow-watch"]


def test_a_count_begun_ahead_is_the_count_read_beside_the_caller(world: Workspace,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay begins the store's count of its read before its steps (StoreRead.ahead): read in a thread of its
    own, and the same count as one read when asked."""
    scenario = world.scenarios.get("narrow-watch")
    end, start = START + timedelta(days=DAYS), START + timedelta(days=10)
    threads: list[str] = []
    counted = narrow.count_known

    besides: list[bool] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        besides.append(kwargs.get("beside", False))
        return counted(*args, **kwargs)

    monkeypatch.setattr(narrow, "count_known", spy)
    reads = [service.narrowed_observations(world.store, scenario, until=end, start=start) for _ in range(2)]
    ahead, asked = (r[1] for r in reads if r is not None)
    assert isinstance(ahead, narrow.StoreRead) and isinstance(asked, narrow.StoreRead)
    ahead.ahead(end)
    assert ahead.count(end) == asked.count(end) > 0
    assert threads[0] != threading.current_thread().name and threads[1] == threading.current_thread().name
    assert besides == [True, False]  # the one begun ahead by one database process


def test_a_count_beside_other_work_keeps_to_one_process_for_itself(world: Workspace) -> None:
    """On PostgreSQL a count read beside a replay's steps asks for no parallel workers, in its own transaction
    only: the connection goes back to the pool as it was."""
    if world.store.dialect != "postgresql":
        pytest.skip("PostgreSQL's parallel workers")
    engine = sa.create_engine(world.store.engine.url.render_as_string(hide_password=False), pool_size=1,
                              max_overflow=0)
    said: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: said.append(statement))
    try:
        known = Known(at=START + timedelta(days=DAYS))
        assert count_known(engine, EventQuery(), known, START.date(), beside=True) == count_known(
            world.store.engine, EventQuery(), known, START.date())
        assert "SET LOCAL max_parallel_workers_per_gather = 0" in said
        with engine.connect() as conn:  # the pool's one connection
            assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() != "0"
    finally:
        engine.dispose()


def test_reviews_run_with_the_collector_paused(world: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay and a post-mortem read and compute with the garbage collector paused (forewarn.runtime), and it is
    back on after them."""
    states: list[bool] = []
    read = ReviewDesk._read

    def spy(self: ReviewDesk, *args: Any) -> Any:
        states.append(gc.isenabled())
        return read(self, *args)

    monkeypatch.setattr(ReviewDesk, "_read", spy)
    end = START + timedelta(days=DAYS)
    assert gc.isenabled()
    world.review.replay("narrow-watch", end - timedelta(days=10), end, "1d")
    world.review.postmortem("narrow-watch", end, at=end)
    assert states == [False, False] and gc.isenabled()
