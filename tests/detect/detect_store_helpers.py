"""A workspace holding a few hand-coded events: documents ingested from text files, extractions saved by
hand (no spaCy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from forewarn.app import Workspace
from forewarn.model import Reliability
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
    TimePrecision,
)

UKR = Entity("dict:ukr-military", "Armed Forces of Ukraine", EntityKind.ORG, "UKR", Sector.MILITARY)
SUDZHA = Place("Sudzha", 51.19, 35.27, "RUS", "Kursk Oblast", "geonames:1", PlacePrecision.TOWN)
TYPES = {"armour": "MOBILIZE", "shelling": "ASSAULT"}


@dataclass(frozen=True)
class Report:
    source: str
    name: str
    day: date
    text: str  # one sentence; its first word says what happened ("armour …", "shelling …")


# Orbitline (B) and Border chat (E) report armour; the chat re-posts Orbitline's report nearly word for word.
REPORTS = (
    Report("orbitline", "o1", date(2024, 8, 6), "armour columns of the Ukrainian army moved towards Sudzha at dawn "
           "on Tuesday, with dozens of tanks and trucks seen along the road by several residents."),
    Report("chat", "c1", date(2024, 8, 7), "armour columns of the Ukrainian army moved towards Sudzha at dawn "
           "on Tuesday, with dozens of tanks and trucks seen along the road by several residents. Repost."),
    Report("chat", "c2", date(2024, 8, 8), "armour and fuel trucks of the Ukrainian army parked in a forest near "
           "Sudzha, a neighbour wrote."),
    Report("orbitline", "o2", date(2024, 8, 11), "armour again: the Ukrainian army brought bridging vehicles to "
           "the border near Sudzha."),
)


def seed(ws: Workspace, folder: Path, reports: tuple[Report, ...] = REPORTS) -> dict[str, str]:
    """Ingest the reports (one source folder each) and save one event per document; returns name → document id."""
    reliability = {"orbitline": Reliability.B, "chat": Reliability.E}
    for source in sorted({r.source for r in reports}):
        inbox = folder / source
        inbox.mkdir(parents=True, exist_ok=True)
        for r in reports:
            if r.source == source:
                (inbox / f"{r.name}.txt").write_text(f"Title: {r.name}\nDate: {r.day.isoformat()}\n\n{r.text}\n")
        ws.sources.add(source, str(inbox), reliability=reliability.get(source, Reliability.C))
        ws.intake.ingest([source])
    ids: dict[str, str] = {}
    extractions = []
    for doc_id in ws.store.documents_needing_extraction():
        doc = ws.store.get_document(doc_id)
        report = next(r for r in reports if doc.text.startswith(r.text[:40]) and doc.title == r.name)
        ids[report.name] = doc_id
        extractions.append(extraction(doc_id, doc.text, report))
    ws.store.save_extractions(extractions, datetime(2024, 8, 12, tzinfo=UTC))
    return ids


def extraction(doc_id: str, text: str, report: Report) -> Extraction:
    end = len(text.rstrip())
    where = text.index("Sudzha")
    sudzha = PlaceMention(SUDZHA, "Sudzha", where, where + 6, 0)
    kind = TYPES[text.split()[0].rstrip(":")]
    who = text.index("the Ukrainian army")
    event = Event(type=kind, mode="troops" if kind == "MOBILIZE" else None, contexts=("military",),
                  actor=Participant(UKR, "the Ukrainian army", who, who + 18), recipient=None, place=sudzha,
                  date=report.day, date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(),
                  evidence=Evidence(0, 0, end, 0, 6), confidence=0.8)
    return Extraction(document_id=doc_id, extractor="test 1", places=(sudzha,), events=(event,))


SCENARIO = """\
id: armour-watch
name: Armour near Sudzha
region:
  admin1: [RUS:Kursk]
horizon_days: 14
prior: 0.02
owner: duty-officer
escalation: [watch-lead]
indicators:
  - id: armour
    name: Armour near the border
    types: [MOBILIZE]
    keywords: [armour]
    weight: 3
    half_life_days: 4
  - id: shelling-surge
    kind: surge
    types: [ASSAULT]
    weight: 2
    half_life_days: 3
"""
