"""A small world for the deconfliction tests: teams north and south (and east), each holding one AMBER+STRICT
source whose documents name selectors; their extraction by hand (a person, a place with coordinates, one event)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from hand_support import acting, file_source, mention, mobilize, participant, place_mention
from hand_support import add_teams as _add_teams

from forewarn.app import Workspace
from forewarn.model import Marking, Role
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Extraction,
    Place,
    PlacePrecision,
    Sector,
)

TEAMS = {"north": ("nora", "nils"), "south": ("sam",), "east": ("eve",)}
DAY = date(2024, 8, 9)


def person(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return acting(ws, name, role)


def add_teams(ws: Workspace) -> None:
    _add_teams(ws, TEAMS, name=lambda team: f"Team {team.title()}")


def hold(ws: Workspace, folder: Path, team: str, key: str, text: str, *, who: str | None = None,
         where: tuple[str, float, float] | None = None, marking: Marking = Marking.AMBER_STRICT) -> str:
    """One document of ``team`` (its own source), extracted by hand: ``who`` as a person mentioned and the actor
    of one event at ``where``. Returns the document id."""
    body = text + (f" {who} was seen." if who else "") + (f" Near {where[0]}." if where else "")
    sid = f"src-{key}"
    file_source(ws, folder / f"inbox-{key}", f"{key}.txt", title=key, day=DAY, text=body, source_id=sid,
                source_name=f"Source {key}", marking=marking, team=team)
    doc_id = next(d for d in ws.store.documents_needing_extraction() if ws.store.get_document(d).title == key)
    doc = ws.store.get_document(doc_id)
    ws.store.save_extractions([extraction(doc_id, doc.text, who, where)], ws.clock())
    return doc_id


def extraction(doc_id: str, text: str, who: str | None, where: tuple[str, float, float] | None) -> Extraction:
    mentions: tuple[EntityMention, ...] = ()
    events: tuple[Event, ...] = ()
    if who:
        ent = Entity(f"ner:person:{who.lower().replace(' ', '-')}", who, EntityKind.PERSON, "RUS", Sector.MILITARY)
        mentions = (mention(ent, text, who),)
        if where:
            place = place_mention(Place(where[0], where[1], where[2], "RUS", "Kursk Oblast", f"geonames:{where[0]}",
                                        PlacePrecision.TOWN), text)
            events = (mobilize(text, participant(ent, text, who), place, DAY),)
    return Extraction(document_id=doc_id, extractor="test 1", entities=mentions, places=(), events=events,
                      claims=())
