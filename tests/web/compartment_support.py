"""The world of the compartment sweep (issue 18): holdings in every marking, each full of canaries.

Teams north and south; accounts nora (analyst, north), sam (analyst, south), rita (analyst, the RED recipient),
xavier (analyst, named on an AMBER source of north's), and the role accounts of web_support (viewer, admin, …: in
no team). One source per compartment (:data:`HOLDINGS`), each with one document whose title, text, source name
and location, person, place (with coordinates of its own), phone number and claim are unique to it, one hand-coded
event and one claim; a note on each document by someone who may see it. :func:`canaries_of` gives every string a
response may only hold when its asker may see the holding; :func:`visible` says who may (model.marking's rule).
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from blind_support import NOW, Judged, judge
from detect_store_helpers import SCENARIO
from hand_support import acting, add_teams, file_source, mention, mobilize, participant, place_mention
from web_support import World, build_world

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.model import Marking
from forewarn.model.extraction import (
    Claim,
    ClaimedEvent,
    Entity,
    EntityKind,
    Extraction,
    Place,
    PlacePrecision,
    Sector,
)
from forewarn.model.marking import Compartment, visible_to
from forewarn.model.records import event_id

PASSWORD = "a compartment sweep passphrase"
TEAMS = {"north": ("nora",), "south": ("sam",)}
PEOPLE = ("nora", "sam", "rita", "xavier")  # analysts; the role accounts (viewer, admin, …) are in no team
DAY = date(2024, 8, 9)
SHARED_PHONE = "+7 912 555 0999"  # in north's and south's holdings: a selector for deconfliction to match
SCENARIO_KEYS = ("amn", "sts", "red")  # holdings with a scenario of their own, in their compartment


@dataclass(frozen=True)
class Holding:
    """One compartment's source and what its one document says (every string unique to it)."""

    key: str  # short, no key is a substring of another's canaries
    marking: Marking
    team: str | None
    recipients: tuple[str, ...]
    person: str  # a person's name ("Canary Northov")
    place: str
    lat: float  # four decimals, each unique; no mean of some of them rounds to another's 3 decimals (map clusters)
    lon: float
    phone: str  # as written in the text

    @property
    def compartment(self) -> Compartment:
        return Compartment.of(self.marking, [self.team] if self.team else [], self.recipients)

    @property
    def source_id(self) -> str:
        return f"src-{self.key}-q7"

    @property
    def title(self) -> str:
        return f"TITLE-{self.key.upper()}-canary"

    @property
    def token(self) -> str:
        return f"CANARY-{self.key.upper()}-TEXT"

    @property
    def entity_id(self) -> str:
        return f"canary:{self.key}-person"

    @property
    def note(self) -> str:
        return f"NOTE-{self.key.upper()}-canary"

    @property
    def quote(self) -> str:
        return f"QUOTE-{self.key.upper()}-canary"

    @property
    def scenario_id(self) -> str:
        return f"scn-{self.key}-k2"

    @property
    def text(self) -> str:
        shared = f" Both teams know {SHARED_PHONE}." if self.key in ("amn", "sts") else ""
        return (f"armour columns of {self.person} gathered near {self.place} at dawn, {self.token} said. "
                f"Call {self.phone} for {self.person}.{shared} {self.person} said that {self.quote} was true.")


HOLDINGS = (
    Holding("clr", Marking.CLEAR, None, (), "Canary Clearov", "Clearfield Alpha", 51.6011, 36.0121,
            "+7 912 555 0111"),
    Holding("grn", Marking.GREEN, None, (), "Canary Greenko", "Greenford Beta", 51.6389, 36.1877,
            "+7 912 555 0222"),
    Holding("amn", Marking.AMBER, "north", (), "Canary Northov", "Northholm Gamma", 51.7162, 36.2641,
            "+7 912 555 0333"),
    Holding("sts", Marking.AMBER_STRICT, "south", (), "Canary Southova", "Southwick Delta", 51.7753, 36.4906,
            "+7 912 555 0444"),
    Holding("red", Marking.RED, None, ("rita",), "Canary Redkin", "Redmoor Epsilon", 51.8237, 36.5348,
            "+7 912 555 0555"),
    Holding("shx", Marking.AMBER, "north", ("xavier",), "Canary Sharova", "Sharedale Zeta", 51.8894, 36.7763,
            "+7 912 555 0666"),
)


@dataclass
class Holdings:
    """What was stored of each holding: its document, event and claim ids, and its note's id."""

    documents: dict[str, str] = field(default_factory=dict)  # key → document id
    events: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    compartments: dict[str, int | None] = field(default_factory=dict)  # key → compartment id
    scenarios: dict[str, str] = field(default_factory=dict)  # key → its own scenario's id (where one was added)


def person(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return acting(ws, name, role)


def teams_of(name: str) -> frozenset[str]:
    return frozenset(team for team, members in TEAMS.items() if name in members)


def visible(h: Holding, name: str) -> bool:
    """Whether account ``name`` may see holding ``h`` (the one rule, model.marking.visible_to)."""
    return visible_to(h.compartment, name, teams_of(name))


def add_people(ws: Workspace) -> None:
    """The analysts, the teams and their members (rows straight in the store until a team desk exists)."""
    for name in PEOPLE:
        ws.accounts.add_user(name, PASSWORD, Role.ANALYST, actor="setup")
    add_teams(ws, TEAMS)


def seed_holdings(ws: Workspace, folder: Path) -> Holdings:
    """One source per holding (its marking, team, recipients), one document each, its extraction by hand."""
    out = Holdings()
    for h in HOLDINGS:
        file_source(ws, folder / f"inbox-{h.key}-w3", f"{h.key}.txt", title=h.title, day=DAY, text=h.text,
                    source_id=h.source_id, source_name=f"Source {h.key.upper()} canary", marking=h.marking,
                    team=h.team, recipients=h.recipients)
        out.compartments[h.key] = ws.store.get_source(h.source_id).compartment_id
    by_title = {h.title: h for h in HOLDINGS}
    extractions = []
    for doc_id in ws.store.documents_needing_extraction():
        doc = ws.store.get_document(doc_id)
        if doc.title in by_title:
            h = by_title[doc.title]
            out.documents[h.key] = doc_id
            x = extraction(doc_id, doc.text, h)
            extractions.append(x)
            out.events[h.key] = [event_id(doc_id, e) for e in x.events]
    ws.store.save_extractions(extractions, datetime(2024, 8, 12, tzinfo=UTC))
    return out


def entity(h: Holding) -> Entity:
    return Entity(h.entity_id, h.person, EntityKind.PERSON, "RUS", Sector.MILITARY)


def extraction(doc_id: str, text: str, h: Holding) -> Extraction:
    """A person, a place with its coordinates, one MOBILIZE event at the place and one claim by the person."""
    place = Place(h.place, h.lat, h.lon, "RUS", "Kursk Oblast", f"geonames:canary-{h.key}", PlacePrecision.TOWN)
    where = place_mention(place, text)
    mentions = tuple(mention(entity(h), text, h.person, i) for i in _all(text, h.person))
    event = mobilize(text, participant(entity(h), text, h.person), where, DAY)
    said = text.rindex(h.person)
    q = text.index(h.quote)
    end = len(text.rstrip())
    speaker = participant(entity(h), text, h.person, said)
    claim = Claim(speaker=speaker, speaker_text=h.person, cue="say", content_start=q, content_end=end - 1,
                  quoted=False, stance="assert", sentence=0, start=said, end=end,
                  claimed=ClaimedEvent(type="MOBILIZE", actor=speaker, recipient=None, place=where,
                                       modality="asserted"))
    return Extraction(document_id=doc_id, extractor="test 1", entities=mentions, places=(where,),
                      events=(event,), claims=(claim,))


def _all(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found


def add_notes(ws: Workspace, held: Holdings) -> None:
    """A note on each holding's document, by an account that may see it."""
    for h in HOLDINGS:
        writer = next(n for n in (*PEOPLE, "analyst") if visible(h, n))
        note = person(ws, writer).annotations.note("document", held.documents[h.key], h.note)
        held.notes[h.key] = note.id


TAG = "sweep-tag"


@dataclass(frozen=True, repr=False)
class Built:
    world: World
    judged: Judged
    held: Holdings


def build(ws: Workspace, folder: Path) -> Built:
    """The teams and people, the holdings, web_support's world (its cycle assesses the open scenario over every
    holding, as the system), blind_support's judgments (so every route has an object to show), a note and a tag
    on each holding's document."""
    ws.time.set(NOW - timedelta(hours=7), frozen=True)  # before the world's cycle (06:00)
    add_people(ws)
    held = seed_holdings(ws, folder)
    add_scenarios(ws, folder, held)
    world = build_world(ws, folder)
    judged = judge(ws, world.scenario_id)
    add_notes(ws, held)
    for h in HOLDINGS:
        writer = next(n for n in (*PEOPLE, "analyst") if visible(h, n))
        person(ws, writer).annotations.tag("document", held.documents[h.key], TAG)
    return Built(world, judged, held)


def add_scenarios(ws: Workspace, folder: Path, held: Holdings) -> None:
    """A scenario in the compartment of each of :data:`SCENARIO_KEYS` (named after it), where the scenario desk
    takes a compartment (issue 18, helper B); the world's cycle then assesses them and raises their warnings."""
    if "compartment" not in inspect.signature(ws.scenarios.add).parameters:
        return  # scenario compartments not there yet: the sweep then covers the open scenario only
    for h in HOLDINGS:
        if h.key in SCENARIO_KEYS:
            path = folder / f"{h.scenario_id}.yaml"
            path.write_text(SCENARIO.replace("id: armour-watch", f"id: {h.scenario_id}")
                            .replace("name: Armour near Sudzha", f"name: SCENARIO-{h.key.upper()}-canary")
                            .replace("prior: 0.02", "prior: 0.1"))
            held.scenarios[h.key] = ws.scenarios.add(path, compartment=h.compartment).id


def coordinates(h: Holding) -> tuple[str, ...]:
    """How a page or the API may write the holding's coordinates (JSON floats, rounded to 4, 3 and 2 decimals,
    and as "lat, lon")."""
    out: list[str] = []
    for v in (h.lat, h.lon):
        out += [repr(v), f"{v:.4f}", f"{v:.3f}"]
    return (*out, f"{h.lat:.2f}, {h.lon:.2f}", f"{h.lat:.2f},{h.lon:.2f}")


NUMBER = re.compile(r"-?\d+\.\d+(, ?-?\d+\.\d+)?")


def reveals(canary: str, text: str) -> bool:
    """Whether ``text`` holds ``canary``. A coordinate counts only as a number of its own: not inside a longer
    number, nor as the seconds of a clock time ("00:10:36.776" is not the longitude 36.776)."""
    if canary not in text:  # the plain search first: most canaries are in no response
        return False
    if not NUMBER.fullmatch(canary):
        return True
    return re.search(rf"(?<![\d.])(?<!\d:){re.escape(canary)}(?!\d)", text) is not None


def digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def canaries_of(h: Holding, held: Holdings) -> dict[str, tuple[str, ...]]:
    """Every string that reveals holding ``h``, by what it is."""
    doc = held.documents.get(h.key, "")
    return {"title": (h.title,), "text": (h.token, h.quote), "source": (h.source_id, f"Source {h.key.upper()} canary",
                                                                      f"inbox-{h.key}-w3"),
            "person": (h.person, h.entity_id), "place": (h.place, f"geonames:canary-{h.key}"),
            "phone": (h.phone, digits(h.phone)), "coordinates": coordinates(h), "note": (h.note,),
            "ids": (doc, *held.events.get(h.key, ())) if doc else tuple(held.events.get(h.key, ())),
            **({"scenario": (h.scenario_id, f"SCENARIO-{h.key.upper()}-canary")} if h.key in held.scenarios else {})}
