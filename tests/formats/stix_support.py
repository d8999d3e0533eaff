"""Hand-made records for the export formats' tests: stored events, documents, claims, sources and compartments
as the read services give them, and a :class:`Chunk` and an :class:`Analysis` built from them (no database).

``sample_chunk()`` holds three documents: an open one (source ``wire``, Admiralty B) with two events (a
Russian military assault on Ukraine at Kharkiv, and an event with neither actor nor place) and a claim; an
AMBER one of team north (source ``north-notes``, A) with a person's mobilisation; and a RED one for ana and
ben (no source). ``sample_analysis()`` holds a scenario over the first, an assessment, and a warning with its
ledger history. Other tests import this module (``sys.path`` to tests/formats) and change what they need with
:func:`dataclasses.replace`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from forewarn.formats.base import Analysis, Chunk, Writer
from forewarn.model import Document
from forewarn.model.marking import Compartment
from forewarn.model.records import StoredClaim, StoredClaimed, StoredEvent, StoredParticipant, StoredPlace
from forewarn.model.scenario import Indicator, IndicatorKind, Region, Scenario, StoredAssessment, Threshold
from forewarn.model.source import Marking, Reliability, Source, SourceKind
from forewarn.model.warning import LedgerEntry, Origin, WarningRecord, WarningState

AT = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)  # ingested, coded
AMBER_NORTH = Compartment.of(Marking.AMBER, ["north"])
RED_ANA_BEN = Compartment.of(Marking.RED, recipients=["ana", "ben"])
COMPARTMENTS = {1: AMBER_NORTH, 2: RED_ANA_BEN}

RUS_MILITARY = StoredParticipant("group:rus:military", "group:rus:military", "Russian military", "Russian troops",
                                 0, 14, "RUS", "military")
UKRAINE = StoredParticipant("country:UKR", "country:UKR", "Ukraine", "Ukraine", 0, 7, "UKR", None)
USA = StoredParticipant("country:USA", "country:USA", "United States", "US", 0, 2, "USA", None)
KHARKIV = StoredPlace("Kharkiv", 49.98, 36.25, "UKR", "Kharkiv Oblast", "geonames:706483", "town", "Kharkiv",
                      0, 7, 0)


def document(doc_id: str, text: str, *, source_id: str | None = "wire", title: str | None = None,
             compartment_id: int | None = None, published: datetime | None = AT,
             url: str | None = None) -> Document:
    """A stored document (marking text as its compartment's, for completeness)."""
    marking = COMPARTMENTS[compartment_id].marking.value if compartment_id else "TLP:CLEAR"
    return Document(id=doc_id, text=text, title=title, url=url, source_id=source_id, published_at=published,
                    published_precision=None, ingested_at=AT, language="en", marking=marking, team=None,
                    cluster_id=doc_id, reader="text", location="inbox/" + doc_id, item=None, raw_sha256=doc_id,
                    run_id=1, compartment_id=compartment_id)


def participant(entity_id: str, name: str, text: str, at: int, *, country: str | None = None,
                sector: str | None = None) -> StoredParticipant:
    return StoredParticipant(entity_id, entity_id, name, text, at, at + len(text), country, sector)


def event(event_id: str, doc: Document, trigger: str, *, type_: str = "ASSAULT",
          actor: StoredParticipant | None = None, recipient: StoredParticipant | None = None,
          place: StoredPlace | None = None, day: date = date(2024, 2, 28), precision: str = "day",
          compartment_id: int | None = None, mode: str | None = None, **flags: bool) -> StoredEvent:
    """An event whose evidence is the document's whole text and whose trigger is the first ``trigger``."""
    at = doc.text.index(trigger)
    return StoredEvent(id=event_id, document_id=doc.id, source_id=doc.source_id, published_at=doc.published_at,
                       extractor="rules-1", coded_at=AT, type=type_, mode=mode,
                       contexts=("military",), actor=actor, recipient=recipient, place=place, date=day,
                       date_precision=precision, date_from_publication=False, negated=flags.get("negated", False),
                       hypothetical=flags.get("hypothetical", False), future=flags.get("future", False),
                       reported=flags.get("reported", False), sentence=0, start=0, end=len(doc.text),
                       trigger_start=at, trigger_end=at + len(trigger), confidence=0.8123,
                       compartment_id=compartment_id)


def claim(doc: Document, content: str, *, speaker: StoredParticipant | None = USA, stance: str | None = "warn",
          claimed: StoredClaimed | None = None) -> StoredClaim:
    at = doc.text.index(content)
    return StoredClaim(document_id=doc.id, speaker=speaker, speaker_text=speaker.text if speaker else "",
                       cue="warn", content_start=at, content_end=at + len(content), quoted=False, stance=stance,
                       sentence=0, start=0, end=len(doc.text), extractor="rules-1", claimed=claimed)


SOURCES = {
    "wire": Source("wire", SourceKind.FEED, "Wire Agency", "https://wire.example/feed", Reliability.B,
                   created_at=datetime(2023, 1, 1, tzinfo=UTC)),
    "north-notes": Source("north-notes", SourceKind.TEXT, "North field notes", "notes/", Reliability.A,
                          Marking.AMBER, team="north", compartment_id=1),
}


def sample_chunk() -> Chunk:
    """Three documents (open, AMBER team north, RED for ana and ben) with four events and one claim."""
    d1 = document("d1", "US warns Russian troops shelled Ukraine near Kharkiv. Something happened too.",
                  title="Shelling near Kharkiv", url="https://wire.example/1")
    d2 = document("d2", "Ivan Petrov mobilised the reserve.", source_id="north-notes", compartment_id=1)
    d3 = document("d3", "Troops massed at the border.", source_id=None, compartment_id=2, published=None)
    petrov = participant("ner:person:ivan-petrov", "Ivan Petrov", "Ivan Petrov", 0)
    claimed = StoredClaimed("ASSAULT", "asserted", RUS_MILITARY, UKRAINE, "Kharkiv", "UKR", "Kharkiv Oblast",
                            49.98, 36.25)
    events = [
        event("e1", d1, "shelled", actor=RUS_MILITARY, recipient=UKRAINE, place=KHARKIV),
        event("e2", d1, "happened", type_="COERCE", day=date(2024, 2, 10), precision="month", reported=True),
        event("e3", d2, "mobilised", type_="MOBILIZE", actor=petrov, compartment_id=1, mode="troops",
              hypothetical=True),
        event("e4", d3, "massed", type_="MOBILIZE", compartment_id=2, day=date(2024, 1, 1), precision="year",
              future=True, negated=True),
    ]
    claims: dict[str, Sequence[StoredClaim]] = {
        "d1": [claim(d1, "Russian troops shelled Ukraine near Kharkiv", claimed=claimed)]}
    return Chunk(events=events, documents={d.id: d for d in (d1, d2, d3)}, claims=claims, sources=SOURCES,
                 compartments=COMPARTMENTS)


SCENARIO = Scenario(
    id="kharkiv-offensive", name="Offensive on Kharkiv", description="A renewed ground offensive on Kharkiv.",
    region=Region(countries=("UKR",), admin1=("RUS:Belgorod Oblast",), point=(49.98, 36.25), radius_km=80),
    horizon_days=30, prior=0.05,
    indicators=(Indicator("shelling", "Shelling of Kharkiv", IndicatorKind.EVENTS, 2.0, 7.0, types=("ASSAULT",)),),
    thresholds=(Threshold("elevated", 0.2), Threshold("high", 0.5)), owner="duty-officer",
    escalation=("director",), version="v1sha", source="workspace")


def warning(warning_id: int = 7, *, scenario_id: str | None = "kharkiv-offensive",
            event_ids: tuple[str, ...] = ("e1",)) -> WarningRecord:
    return WarningRecord(
        id=warning_id, origin=Origin.SCENARIO, scenario_id=scenario_id, severity="high",
        title="Offensive on Kharkiv: high", text="Shelling near Kharkiv raised the odds.", probability=0.55,
        event_ids=event_ids, document_ids=("d1",), partner=None, partner_ref=None,
        state=WarningState.ACKNOWLEDGED, disposition=None, rationale=None, signposts=("troops withdraw",),
        owner="duty-officer", chain=("duty-officer", "director"), escalation_level=0, raised_at=AT,
        raised_by="forewarn", ack_deadline=None, acknowledged_at=datetime(2024, 3, 1, 10, tzinfo=UTC),
        acknowledged_by="ana", disposed_at=None, disposed_by=None, reopened=0,
        updated_at=datetime(2024, 3, 1, 10, tzinfo=UTC))


def history(warning_id: int = 7) -> list[LedgerEntry]:
    return [LedgerEntry(11, AT, "forewarn", "warning-raised", f"warning:{warning_id}", {"severity": "high"},
                        "0" * 64, "a" * 64),
            LedgerEntry(12, datetime(2024, 3, 1, 10, tzinfo=UTC), "ana", "warning-acknowledged",
                        f"warning:{warning_id}", {}, "a" * 64, "b" * 64, key_id="k1", signature="ff" * 32)]


def sample_analysis(compartment: Compartment | None = None) -> Analysis:
    """The scenario (in ``compartment``, open when None), one assessment, warning 7 and its history."""
    assessment = StoredAssessment(3, SCENARIO.id, SCENARIO.version, datetime(2024, 3, 1, 9, tzinfo=UTC), 0.55,
                                  0.2, "high", ({"indicator_id": "shelling", "event_ids": ["e1"]},))
    compartments = {SCENARIO.id: compartment} if compartment else {}
    return Analysis(scenarios=[SCENARIO], scenario_compartments=compartments, assessments=[assessment],
                    warnings=[warning()], warning_compartments={7: compartment} if compartment else {},
                    history={7: history()})


def drive(writer: Writer, chunks: Iterable[Chunk], analysis: Analysis | None = None) -> str:
    """What ``writer`` streams for these chunks and analysis (begin, each chunk, the analysis, end)."""
    out = io.StringIO()
    writer.begin(out)
    for chunk in chunks:
        writer.chunk(chunk)
    if analysis is not None:
        writer.analysis(analysis)
    writer.end()
    return out.getvalue()
