"""The scenarios added to a workspace (table ``scenarios``), every change recorded in the ledger.

A scenario is stored as the YAML text it was read from, so what is watched is exactly what was
reviewed; its version is the SHA-256 of that text. Adding an unchanged scenario changes nothing;
adding a changed one (same id) replaces it ("scenario-changed"); removing one disables it
("scenario-removed"), keeping the row for the record.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from forewarn import ledger
from forewarn.detect.scenarios import load_scenario
from forewarn.detect.types import ScenarioChange, ScenarioRecord
from forewarn.errors import InvalidArgument, NotFound
from forewarn.model import Scenario
from forewarn.model.marking import EVERYTHING, Access, Compartment
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store.access import compartments_on, hidden_from

if TYPE_CHECKING:
    from forewarn.geo.gazetteer import Gazetteer
    from forewarn.ledger import Signer

S = t.scenarios
PARSED = 256  # stored scenario texts kept parsed


def records(store: SqlStore, gazetteer: Gazetteer | None = None, *, include_removed: bool = False,
            access: Access = EVERYTHING) -> list[ScenarioRecord]:
    """The stored scenarios ``access`` may see (the enabled ones unless ``include_removed``), by id."""
    q = select(S).where(*hidden_from(S.c.compartment, access)).order_by(S.c.id)
    if not include_removed:
        q = q.where(S.c.enabled.is_(True))
    with store.engine.connect() as conn:
        rows = list(conn.execute(q))
    return [_record(r, gazetteer) for r in rows]


def record(store: SqlStore, scenario_id: str, gazetteer: Gazetteer | None = None, *, access: Access = EVERYTHING
           ) -> ScenarioRecord:
    """An enabled scenario of the workspace that ``access`` may see; NotFound otherwise (a hidden one: as if
    it did not exist)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(S).where(S.c.id == scenario_id, *hidden_from(S.c.compartment, access))).first()
    if row is None or not row.enabled:
        state = "was removed" if row is not None else "is not in this workspace"
        raise NotFound(f"scenario {scenario_id!r} {state}",
                       hint="`forewarn scenario list` shows the workspace's scenarios; `forewarn scenario add` "
                            "adds one")
    return _record(row, gazetteer)


def save(store: SqlStore, scenario: Scenario, text: str, *, at: datetime, actor: str,
         signer: Signer | None = None, compartment: Compartment | None = None, access: Access = EVERYTHING
         ) -> ScenarioChange:
    """Store ``scenario`` (read from ``text``) in ``compartment`` (None: a new one open, a stored one as it
    was): added, changed, or — when the same version is enabled already in that compartment — left alone.
    A stored scenario ``access`` may not see cannot be changed (NotFound would tell it exists: refused as
    an id taken); a compartment is raised, never lowered."""
    with store.transaction() as conn:
        row = conn.execute(select(S).where(S.c.id == scenario.id)).first()
        if row is not None and not access.sees(row.compartment):
            raise InvalidArgument(f"the scenario id {scenario.id!r} cannot be used", hint="give it another id")
        cid = _compartment(store, conn, row, compartment)
        if row is not None and row.enabled and row.version == scenario.version and row.compartment == cid:
            return ScenarioChange(scenario, None)
        values = {"version": scenario.version, "name": scenario.name, "yaml": text, "origin": scenario.source,
                  "enabled": True, "added_at": at, "added_by": actor, "compartment": cid}
        payload: dict[str, Any] = {"id": scenario.id, "version": scenario.version, "name": scenario.name,
                                   "yaml": text, "origin": scenario.source,
                                   "marking": (compartment or Compartment()).label if cid is not None else None}
        if row is None:
            conn.execute(S.insert().values(id=scenario.id, **values))
            kind = "scenario-added"
        else:
            conn.execute(S.update().where(S.c.id == scenario.id).values(**values))
            kind = "scenario-changed" if row.enabled else "scenario-added"
            payload["previous_version"] = row.version
        _append(conn, at, actor, kind, scenario.id, payload, signer)
    return ScenarioChange(scenario, kind)


def disable(store: SqlStore, scenario_id: str, *, at: datetime, actor: str, signer: Signer | None = None,
            gazetteer: Gazetteer | None = None, access: Access = EVERYTHING) -> ScenarioChange:
    """Stop watching a scenario (the row and its history stay)."""
    with store.transaction() as conn:
        row = conn.execute(select(S).where(S.c.id == scenario_id)).first()
        if row is None or not row.enabled or not access.sees(row.compartment):
            raise NotFound(f"scenario {scenario_id!r} is not in this workspace",
                           hint="`forewarn scenario list` shows the workspace's scenarios")
        conn.execute(S.update().where(S.c.id == scenario_id).values(enabled=False))
        _append(conn, at, actor, "scenario-removed", scenario_id,
                {"id": scenario_id, "version": row.version, "name": row.name}, signer)
    return ScenarioChange(_record(row, gazetteer).scenario, "scenario-removed")


def _compartment(store: SqlStore, conn: Connection, row: Any, wanted: Compartment | None) -> int | None:
    """The compartment id a saved scenario takes: ``wanted`` (checked to be a raise of a stored one's)."""
    if wanted is None:
        return row.compartment if row is not None else None
    if row is not None and row.compartment is not None:
        before = compartments_on(conn, [row.compartment]).get(row.compartment, Compartment())
        if not before.raised_to(wanted):
            raise InvalidArgument(f"scenario {row.id!r} is {before.label}: a marking is raised, never lowered",
                                  hint=f"add it with --marking {before.marking.value} or stricter")
    return store.compartment_id(conn, wanted)


def _append(conn: Connection, at: datetime, actor: str, kind: str, scenario_id: str, payload: dict[str, Any],
            signer: Signer | None) -> None:
    ledger.append(conn, at=at, actor=actor, kind=kind, subject=f"scenario:{scenario_id}", payload=payload,
                  signer=signer)


def _record(row: Any, gazetteer: Gazetteer | None) -> ScenarioRecord:
    scenario = parsed(row.yaml, row.origin, gazetteer)
    return ScenarioRecord(scenario, row.yaml, row.origin, bool(row.enabled), row.added_at, row.added_by)


@functools.lru_cache(maxsize=PARSED)
def parsed(text: str, origin: str, gazetteer: Gazetteer | None) -> Scenario:
    """A stored scenario's YAML parsed (and checked against ``gazetteer``) once: a scenario is a frozen value of
    its text, and the pages read every stored scenario at each request (25 ms a request with two of them)."""
    return load_scenario(text, origin, gazetteer=gazetteer)
