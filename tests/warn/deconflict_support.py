"""A small world for the deconfliction tests: teams north and south (and east), each holding one AMBER+STRICT
source whose documents name selectors; their extraction by hand (a person, a place with coordinates, one event)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from forewarn.app import Workspace
from forewarn.model import Marking, Principal, PrincipalKind, Reliability, Role, Source, SourceKind
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
    Sector,
    TimePrecision,
)
from forewarn.store import schema as t

TEAMS = {"north": ("nora", "nils"), "south": ("sam",), "east": ("eve",)}
DAY = date(2024, 8, 9)


def person(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def add_teams(ws: Workspace) -> None:
    at = datetime(2024, 8, 1, tzinfo=UTC)
    with ws.store.engine.begin() as conn:
        for team, members in TEAMS.items():
            if conn.execute(select(t.teams.c.id).where(t.teams.c.id == team)).first() is None:
                conn.execute(t.teams.insert().values(id=team, name=f"Team {team.title()}", created_by="setup",
                                                     created_at=at))
            for m in members:
                conn.execute(t.team_members.insert().values(team_id=team, account=m, added_by="setup", added_at=at))


def hold(ws: Workspace, folder: Path, team: str, key: str, text: str, *, who: str | None = None,
         where: tuple[str, float, float] | None = None, marking: Marking = Marking.AMBER_STRICT) -> str:
    """One document of ``team`` (its own source), extracted by hand: ``who`` as a person mentioned and the actor
    of one event at ``where``. Returns the document id."""
    inbox = folder / f"inbox-{key}"
    inbox.mkdir(parents=True, exist_ok=True)
    body = text + (f" {who} was seen." if who else "") + (f" Near {where[0]}." if where else "")
    (inbox / f"{key}.txt").write_text(f"Title: {key}\nDate: {DAY.isoformat()}\n\n{body}\n")
    sid = f"src-{key}"
    ws.store.add_source(Source(id=sid, kind=SourceKind.AUTO, name=f"Source {key}", location=str(inbox),
                               reliability=Reliability.B, marking=marking, team=team,
                               created_at=datetime(2024, 8, 1, tzinfo=UTC)))
    ws.intake.ingest([sid])
    doc_id = next(d for d in ws.store.documents_needing_extraction() if ws.store.get_document(d).title == key)
    doc = ws.store.get_document(doc_id)
    ws.store.save_extractions([extraction(doc_id, doc.text, who, where)], ws.clock())
    return doc_id


def extraction(doc_id: str, text: str, who: str | None, where: tuple[str, float, float] | None) -> Extraction:
    mentions: tuple[EntityMention, ...] = ()
    events: tuple[Event, ...] = ()
    if who:
        at = text.index(who)
        ent = Entity(f"ner:person:{who.lower().replace(' ', '-')}", who, EntityKind.PERSON, "RUS", Sector.MILITARY)
        mentions = (EntityMention(ent, who, at, at + len(who), 0),)
        if where:
            p = text.index(where[0])
            place = PlaceMention(Place(where[0], where[1], where[2], "RUS", "Kursk Oblast", f"geonames:{where[0]}",
                                       PlacePrecision.TOWN), where[0], p, p + len(where[0]), 0)
            events = (Event(type="MOBILIZE", mode="troops", contexts=("military",),
                            actor=Participant(ent, who, at, at + len(who)), recipient=None, place=place, date=DAY,
                            date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(),
                            evidence=Evidence(0, 0, len(text.rstrip()), 0, 6), confidence=0.8),)
    return Extraction(document_id=doc_id, extractor="test 1", entities=mentions, places=(), events=events,
                      claims=())
