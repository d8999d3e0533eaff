"""Claim indicators over a stored workspace: claims read with their documents (windowed, known by a time),
the live assessment, the scenario test and the replay, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from forewarn.app import Workspace
from forewarn.detect.observe import claim_observations
from forewarn.detect.service import claim_clauses
from forewarn.model import Reliability, SignalKind
from forewarn.model.extraction import (
    Claim,
    ClaimedEvent,
    Entity,
    EntityKind,
    Extraction,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
)
from forewarn.model.query import ClaimClause

US = Entity("dict:us-government", "United States Government", EntityKind.ORG, "USA", Sector.GOVERNMENT)
MOSCOW = Place("Moscow", 55.75, 37.62, "RUS", "Moscow", "geonames:2", PlacePrecision.TOWN)
# (source, name, day, text); the embassy notice is carried by a reliable wire and, two days later, a rumour mill
NOTICES = (
    ("wire", "w1", date(2024, 8, 5), "The US embassy warned that gunmen could strike crowded concert halls in "
                                     "Moscow in the coming days."),
    ("rumours", "r1", date(2024, 8, 7), "Washington warned again that gunmen could strike crowded concert halls "
                                        "in Moscow soon."),
    ("wire", "w2", date(2024, 8, 11), "The US embassy warned that gunmen could strike crowded concert halls in "
                                      "Moscow before the holiday."),
)
SCENARIO = """\
id: crowd-attack
name: Attack on a crowd
region:
  countries: [RUS]
horizon_days: 30
prior: 0.02
owner: duty-officer
indicators:
  - id: foreign-warning
    kind: claim
    speaker: {countries: [USA], sectors: [government]}
    stances: [warn]
    types: [ASSAULT]
    keywords: [concert*]
    weight: 4
    half_life_days: 10
"""
AT = datetime(2024, 8, 10, 12, tzinfo=UTC)


def seed(ws: Workspace, folder: Path) -> None:
    for source, grade in (("wire", Reliability.A), ("rumours", Reliability.E)):
        inbox = folder / source
        inbox.mkdir(parents=True)
        for s, name, day, text in NOTICES:
            if s == source:
                (inbox / f"{name}.txt").write_text(f"Title: {name}\nDate: {day.isoformat()}\n\n{text}\n")
        ws.sources.add(source, str(inbox), reliability=grade)
        ws.intake.ingest([source])
    extractions = []
    for doc_id in ws.store.documents_needing_extraction():
        text = ws.store.get_document(doc_id).text
        end = len(text.rstrip())
        where = text.index("Moscow")
        moscow = PlaceMention(MOSCOW, "Moscow", where, where + 6, 0)
        claimed = ClaimedEvent("ASSAULT", None, None, moscow, "possible")
        speaker = Participant(US, text.split(" warned")[0], 0, len(text.split(" warned")[0]))
        said = Claim(speaker=speaker, speaker_text=speaker.text, cue="warn", content_start=speaker.end + 12,
                     content_end=end, quoted=False, stance="warn", sentence=0, start=0, end=end, claimed=claimed)
        extractions.append(Extraction(document_id=doc_id, extractor="test 1", places=(moscow,), claims=(said,)))
    ws.store.save_extractions(extractions, datetime(2024, 8, 21, tzinfo=UTC))


@pytest.fixture
def seeded(workspace: Workspace, tmp_path: Path) -> Workspace:
    seed(workspace, tmp_path / "inbox")
    (tmp_path / "crowd.yaml").write_text(SCENARIO, encoding="utf-8")
    workspace.scenarios.add(tmp_path / "crowd.yaml")
    return workspace


def test_claims_are_read_with_their_documents_known_by_a_time(seeded: Workspace) -> None:
    found = claim_observations(seeded.store, until=AT)
    assert [(c.source_id, c.day, c.reliability) for c in found] == [
        ("wire", date(2024, 8, 5), Reliability.A), ("rumours", date(2024, 8, 7), Reliability.E)]
    first = found[0]
    assert first.evidence == NOTICES[0][3] and first.claim.speaker is not None
    assert (first.claim.speaker.name, first.claim.speaker.country, first.claim.speaker.sector) == (
        "United States Government", "USA", "government")
    assert first.claim.claimed is not None and first.claim.claimed.place_country == "RUS"
    assert first.places == frozenset({"RUS", "RUS:Moscow"})  # the places its sentence names
    assert [c.day for c in claim_observations(seeded.store, until=AT, since=date(2024, 8, 6))] == [date(2024, 8, 7)]
    assert len(claim_observations(seeded.store)) == 3


def test_live_assessment_and_test_count_claims_with_their_source_grade(seeded: Workspace) -> None:
    a = seeded.scenarios.assess("crowd-attack", AT)
    signals = sorted(a.signals, key=lambda s: s.observed_on)
    assert [(s.kind, s.source_ids, s.strength) for s in signals] == [
        (SignalKind.CLAIM, ("wire",), 1.0), (SignalKind.CLAIM, ("rumours",), 0.3)]
    assert signals[0].evidence.startswith("United States Government (warn): The US embassy warned")
    expected = math.log(0.02 / 0.98) + math.log(4) * (1.0 * 0.5 ** (5 / 10) + 0.3 * 0.5 ** (3 / 10))
    assert a.log_odds == pytest.approx(expected)
    result = seeded.scenarios.test("crowd-attack", AT)
    [t] = result.indicators
    assert [c.source_id for c in t.claims] == ["wire", "rumours"] and t.observations == ()
    assert [s.indicator_id for s in t.signals] == ["foreign-warning"] * 2
    assert seeded.scenarios.assess("crowd-attack", datetime(2024, 8, 4, tzinfo=UTC)).signals == ()


def test_replay_and_postmortem_take_claims_from_the_store(seeded: Workspace) -> None:
    start = datetime(2024, 8, 4, tzinfo=UTC)
    series = seeded.review.replay("crowd-attack", start, start + timedelta(days=4), "1d")
    assert [r.signals for r in series.steps] == [0, 1, 1, 2, 2]  # published on the 5th and the 7th (midnight)
    assert series.steps[2].probability == pytest.approx(
        seeded.scenarios.assess("crowd-attack", start + timedelta(days=2)).probability)
    pm = seeded.review.postmortem("crowd-attack", date(2024, 8, 10))
    assert [(s.kind, s.source_ids) for s in pm.signals] == [(SignalKind.CLAIM, ("wire",)),
                                                            (SignalKind.CLAIM, ("rumours",))]
    assert pm.signals[0].evidence.startswith("United States Government (warn):")


def test_the_scenario_test_command_lists_the_matching_claims(seeded: Workspace) -> None:
    from typer.testing import CliRunner

    from forewarn.cli.main import app

    result = CliRunner().invoke(app, ["--db", seeded.settings.database_url, "--actor", "cli-test", "scenario", "test",
                                      "crowd-attack", "--at", AT.isoformat()], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "foreign-warning" in result.output and "2 matching claims" in result.output
    assert "pattern: said by USA government; stance warn; claimed ASSAULT" in result.output
    assert "[wire A]" in result.output and "United States Government (warn): The US embassy warned" in result.output


def test_the_store_reads_only_the_claims_of_the_stances_and_types_the_indicators_name(seeded: Workspace) -> None:
    scenario = seeded.scenarios.get("crowd-attack")
    clauses = claim_clauses([scenario])
    assert clauses == (ClaimClause(("warn",), ("ASSAULT",)),)
    assert len(claim_observations(seeded.store, any_of=clauses)) == 3
    assert claim_observations(seeded.store, any_of=(ClaimClause(("deny",)), ClaimClause((), ("MOBILIZE",)))) == []
    assert len(claim_observations(seeded.store, any_of=(ClaimClause(("deny",)), ClaimClause(types=("ASSAULT",))))) == 3
    anything = replace(scenario.indicators[0], id="anything", stances=(), types=())
    assert claim_clauses([scenario, replace(scenario, indicators=(anything,))]) is None  # every claim is read
