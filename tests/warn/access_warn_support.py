"""A world for the compartment tests of scenarios, assessments and warnings (issue 18): two reports of armour
near Sudzha that feed the armour-watch scenario, one from an open source and one from a source of team north
(TLP:AMBER+STRICT) whose text carries a canary; a cycle run as forewarn raises a warning from both. nora is in
team north; sam is in no team."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from detect_store_helpers import SCENARIO, Report, extraction
from hand_support import acting, add_teams, file_source

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.cycle import run_cycle
from forewarn.model import Marking, Principal
from forewarn.model.marking import Compartment
from forewarn.store import schema as t

SCENARIO_YAML = SCENARIO  # the armour-watch scenario (tests add it themselves)
CANARY = "CANARY-NORTH-7f3a"
OPEN_WORDS = "OPEN-SIGHTING-2b9c"
PASSWORD = "an access test passphrase"
CYCLE_AT = datetime(2024, 8, 12, 6, tzinfo=UTC)
NORTH = Compartment.of(Marking.AMBER_STRICT, ["north"])
OPEN_REPORT = Report("open", "open1", date(2024, 8, 10), "armour columns of the Ukrainian army moved towards "
                     f"Sudzha at dawn, {OPEN_WORDS} residents said.")
NORTH_REPORT = Report("north", "north1", date(2024, 8, 11), "armour and bridging vehicles of the Ukrainian army "
                      f"near Sudzha by the border, {CANARY} an agent reported.")


@dataclass(frozen=True)
class AccessWorld:
    scenario_id: str
    warning_id: int
    open_doc: str
    north_doc: str


def member(ws: Workspace, name: str, role: Role = Role.DUTY_OFFICER) -> Workspace:
    """``ws`` acting and reading for the account ``name``."""
    return acting(ws, name, role)


def add_people(ws: Workspace) -> None:
    """Accounts nora (team north) and sam (no team); the team straight in the store."""
    for name in ("nora", "sam"):
        ws.accounts.add_user(name, PASSWORD, Role.DUTY_OFFICER, actor="setup")
    add_teams(ws, {"north": ("nora",)})


def seed(ws: Workspace, folder: Path) -> dict[str, str]:
    """The two reports, each from its own source (north's restricted), with one event each."""
    markings = {"open": Marking.CLEAR, "north": Marking.AMBER_STRICT}
    for report in (OPEN_REPORT, NORTH_REPORT):
        file_source(ws, folder / report.source, f"{report.name}.txt", title=report.name, day=report.day,
                    text=report.text, source_id=report.source, source_name=f"Source {report.source}",
                    marking=markings[report.source], team="north" if report.source == "north" else None)
    ids: dict[str, str] = {}
    found = []
    for doc_id in ws.store.documents_needing_extraction():
        doc = ws.store.get_document(doc_id)
        report = OPEN_REPORT if doc.title == OPEN_REPORT.name else NORTH_REPORT
        ids[report.source] = doc_id
        found.append(extraction(doc_id, doc.text, report))
    ws.store.save_extractions(found, datetime(2024, 8, 12, tzinfo=UTC))
    return ids


def build(ws: Workspace, folder: Path, compartment: Compartment | None = None) -> AccessWorld:
    """The people, the reports, the scenario (in ``compartment``) and a cycle run as forewarn."""
    add_people(ws)
    docs = seed(ws, folder)
    path = folder / "armour-watch.yaml"
    path.write_text(SCENARIO.replace("prior: 0.02", "prior: 0.1"))
    scenario = ws.scenarios.add(path, compartment=compartment)
    system = ws.acting_as(Principal.system("forewarn"))
    report = run_cycle(system, CYCLE_AT)
    assert report.warnings, "the cycle should raise a warning"
    return AccessWorld(scenario.id, report.warnings[0].id, docs["open"], docs["north"])


def compartment_of_warning(ws: Workspace, warning_id: int) -> int | None:
    with ws.store.engine.connect() as conn:
        found: int | None = conn.execute(select(t.warnings.c.compartment).where(t.warnings.c.id == warning_id)
                                         ).scalar()
        return found
