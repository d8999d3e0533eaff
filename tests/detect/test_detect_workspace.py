"""The workspace's scenarios (stored, ledgered) and scoring over stored events, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from detect_store_helpers import SCENARIO, Report, seed
from sqlalchemy import select

from forewarn.app import Workspace
from forewarn.detect.observe import observations
from forewarn.detect.score import assess
from forewarn.errors import InvalidArgument, NotFound, ScenarioInvalid
from forewarn.model import Region, Reliability
from forewarn.store import schema as t


def ledger_rows(ws: Workspace) -> list[tuple[str, str, dict[str, object]]]:
    with ws.store.engine.connect() as conn:
        rows = conn.execute(select(t.ledger.c.kind, t.ledger.c.subject, t.ledger.c.payload)
                            .order_by(t.ledger.c.seq))
        return [(r.kind, r.subject, json.loads(r.payload)) for r in rows]


def test_add_list_change_remove_with_ledger_entries(db_url: str, make_workspace: Callable[..., Workspace],
                                                     tmp_path: Path, clock: object) -> None:
    ws = make_workspace(db_url)
    path = tmp_path / "armour.yaml"
    path.write_text(SCENARIO, encoding="utf-8")

    added = ws.scenarios.add(path)
    assert added.id == "armour-watch" and added.region.admin1 == ("RUS:Kursk Oblast",)
    assert [s.id for s in ws.scenarios.all()] == ["armour-watch"] and ws.scenarios.get("armour-watch") == added
    [(kind, subject, payload)] = ledger_rows(ws)
    assert (kind, subject) == ("scenario-added", "scenario:armour-watch")
    assert payload["version"] == added.version and payload["yaml"] == SCENARIO and payload["name"] == added.name
    [record] = ws.scenarios.records()
    assert record.added_by == "tester" and record.origin == str(path.resolve()) and record.yaml == SCENARIO

    assert ws.scenarios.add(path) == added and len(ledger_rows(ws)) == 1  # unchanged: nothing recorded

    path.write_text(SCENARIO.replace("prior: 0.02", "prior: 0.05"), encoding="utf-8")
    changed = ws.scenarios.add(path)
    assert changed.prior == 0.05 and changed.version != added.version
    kind, _, payload = ledger_rows(ws)[-1]
    assert kind == "scenario-changed" and payload["previous_version"] == added.version

    assert ws.scenarios.remove("armour-watch").id == "armour-watch"
    assert ws.scenarios.all() == [] and ledger_rows(ws)[-1][0] == "scenario-removed"
    with pytest.raises(NotFound, match="was removed"):
        ws.scenarios.get("armour-watch")
    with pytest.raises(NotFound):
        ws.scenarios.remove("armour-watch")
    assert [r.enabled for r in ws.scenarios.records(include_removed=True)] == [False]

    assert ws.scenarios.add(path).prior == 0.05 and ledger_rows(ws)[-1][0] == "scenario-added"  # back again
    ws.scenarios.add(default="coup")
    assert [s.id for s in ws.scenarios.all()] == ["armour-watch", "coup"]
    assert [k for k, _, _ in ledger_rows(ws)] == ["scenario-added", "scenario-changed", "scenario-removed",
                                                   "scenario-added", "scenario-added"]


def test_invalid_or_conflicting_files_change_nothing(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    ws = sqlite_workspace
    good, bad, twin = tmp_path / "good.yaml", tmp_path / "bad.yaml", tmp_path / "twin.yaml"
    good.write_text(SCENARIO, encoding="utf-8")
    bad.write_text(SCENARIO.replace("half_life_days: 4", "half_life_days: -4"), encoding="utf-8")
    twin.write_text(SCENARIO.replace("Armour near Sudzha", "Twin"), encoding="utf-8")
    with pytest.raises(ScenarioInvalid, match=r"bad\.yaml:15: indicators\[0\]\.half_life_days"):
        ws.scenarios.add_many([good, bad])
    with pytest.raises(InvalidArgument, match="both define scenario 'armour-watch'"):
        ws.scenarios.add_many([good, twin])
    with pytest.raises(InvalidArgument):
        ws.scenarios.add()
    assert ws.scenarios.all() == [] and ledger_rows(ws) == []


def test_observations_carry_source_cluster_publication_and_evidence(db_url: str, tmp_path: Path,
                                                                    make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(db_url)
    ids = seed(ws, tmp_path)
    found = {o.event.document_id: o for o in observations(ws.store)}
    o1, c1, c2 = found[ids["o1"]], found[ids["c1"]], found[ids["c2"]]
    assert (o1.reliability, c2.reliability) == (Reliability.B, Reliability.E)
    assert o1.known_at == datetime(2024, 8, 6, tzinfo=UTC)
    assert o1.evidence.startswith("armour columns of the Ukrainian army") and o1.evidence.endswith("residents.")
    assert o1.cluster_id == c1.cluster_id != c2.cluster_id  # the re-post joined the report's cluster
    until = datetime(2024, 8, 7, 12, tzinfo=UTC)
    assert {o.event.document_id for o in observations(ws.store, until=until)} == {ids["o1"], ids["c1"]}
    assert len(observations(ws.store, since=date(2024, 8, 8))) == 2
    assert observations(ws.store, region=Region(countries=("UKR",))) == []
    assert observations(ws.store, types=["ASSAULT"]) == []


def test_workspace_assessment_counts_independent_reports(db_url: str, tmp_path: Path, clock: object,
                                                         make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(db_url)
    ids = seed(ws, tmp_path)
    path = tmp_path / "armour.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    scenario = ws.scenarios.add(path)
    at = datetime(2024, 8, 12, 12, tzinfo=UTC)
    a = ws.scenarios.assess("armour-watch", at)
    assert a == assess(scenario, ws.scenarios.observations(scenario, at), at)
    # o1 and its re-post c1 are one signal (best source B, latest date 08-07); c2 (E) and o2 (B) one each
    by_docs = {s.document_ids: s for s in a.signals}
    assert set(by_docs) == {tuple(sorted((ids["o1"], ids["c1"]))), (ids["c2"],), (ids["o2"],)}
    merged = by_docs[tuple(sorted((ids["o1"], ids["c1"])))]
    assert merged.reliability == "B" and merged.observed_on == date(2024, 8, 7)
    expected = sum(math.log(3) * w * 0.5 ** (age / 4) for w, age in ((0.85, 5), (0.3, 4), (0.85, 1)))
    assert a.log_odds == pytest.approx(math.log(0.02 / 0.98) + expected)
    # as of the 7th, only what was published by then counts
    early = ws.scenarios.assess("armour-watch", datetime(2024, 8, 7, 12, tzinfo=UTC))
    assert [s.document_ids for s in early.signals] == [tuple(sorted((ids["o1"], ids["c1"])))]
    assert ws.scenarios.views(at=at)[0].assessment == a

    tested = ws.scenarios.test("armour-watch", at)
    armour, surge = tested.indicators
    assert len(armour.observations) == 4 and len(armour.signals) == 3 and surge.observations == ()
    assert ws.scenarios.test(str(path), at).assessment == a  # a file can be tested before (or after) adding it
    assert ws.scenarios.view("cross-border-incursion", at).record is None  # a default, not in the workspace


def test_surges_from_stored_events(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    ws = sqlite_workspace
    shelled = [Report(f"src{i}", f"s{i}", date(2024, 8, 8), f"shelling hit Sudzha from the Ukrainian army side, "
                      f"report {i} of a busy night number {i * 7}, said witness {i}.") for i in range(4)]
    quiet = (Report("log", "q0", date(2024, 7, 10), "shelling once near Sudzha by the Ukrainian army, quiet since."),)
    seed(ws, tmp_path, quiet + tuple(shelled))
    at = datetime(2024, 8, 9, 12, tzinfo=UTC)
    [s] = ws.scenarios.surges(at, days=5)
    assert (s.admin1, s.type, s.day, s.count) == ("Kursk Oblast", "ASSAULT", date(2024, 8, 8), 4)
    assert ws.scenarios.surges(datetime(2024, 8, 7, 23, 59, tzinfo=UTC), days=5) == []  # the day before
    assert ws.scenarios.surges(at + timedelta(days=10), days=5) == []  # out of the window
    path = tmp_path / "armour.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    ws.scenarios.add(path)
    a = ws.scenarios.assess("armour-watch", at)
    [signal] = [x for x in a.signals if x.indicator_id == "shelling-surge"]
    assert signal.observed_on == date(2024, 8, 8) and signal.contribution == pytest.approx(
        math.log(2) * 0.5 ** (1 / 3))
