"""Replay and post-mortem through the Workspace and the CLI, on a store holding hand-built extractions,
a scenario and warnings acted on by different people."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.model import Disposition, Origin
from forewarn.model.extraction import (
    Event,
    Evidence,
    Extraction,
    Flags,
    Place,
    PlaceMention,
    PlacePrecision,
    TimePrecision,
)
from forewarn.review import ChainBreak, TimelineKind, WarningStatus, to_html, to_markdown

SUMY = Place("Sumy", 50.9077, 34.7981, "UKR", "Sumy Oblast", "geonames:692194", PlacePrecision.TOWN)
REPORTS = {  # file name: (publication day, text)
    "a.txt": (date(2024, 7, 28), "Armoured columns were massing near Sumy on Sunday."),
    "b.txt": (date(2024, 8, 1), "More troops were massing near Sumy, residents said."),
    "c.txt": (date(2024, 8, 2), "Tanks were massing outside Sumy overnight."),
    "d.txt": (date(2024, 8, 3), "A convoy was massing close to Sumy."),
}
SCENARIO = """\
id: sumy-push
name: Ground push near Sumy
description: Forces cross into the Sumy region.
region:
  countries: [UKR]
horizon_days: 14
prior: 0.05
owner: duty-officer
escalation: [desk-head, director]
thresholds:
  elevated: 0.2
  high: 0.5
  critical: 0.8
indicators:
  - id: massing
    name: Troops massing near the border
    types: [MOBILIZE]
    weight: 3.0
    half_life_days: 10
"""
EVENT_DAY = date(2024, 8, 6)
runner = CliRunner()


def extraction(doc_id: str, text: str, day: date) -> Extraction:
    trigger = text.index("massing")
    where = text.index("Sumy")
    event = Event(type="MOBILIZE", mode=None, contexts=(), actor=None, recipient=None,
                  place=PlaceMention(SUMY, "Sumy", where, where + 4, 0), date=day, date_precision=TimePrecision.DAY,
                  date_from_publication=True, flags=Flags(), evidence=Evidence(0, 0, len(text), trigger, trigger + 7),
                  confidence=0.8)
    return Extraction(document_id=doc_id, extractor="test 1", places=(PlaceMention(SUMY, "Sumy", where, where + 4, 0),),
                      events=(event,))


@pytest.fixture
def url(db_url: str, tmp_path: Path, clock: Callable[[], datetime], make_workspace: Callable[..., Workspace]
        ) -> Iterator[str]:
    url = db_url  # SQLite, and PostgreSQL where configured
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, (day, text) in REPORTS.items():
        (inbox / name).write_text(f"Title: {name}\nDate: {day.isoformat()}\n\n{text}", encoding="utf-8")
    (tmp_path / "sumy.yaml").write_text(SCENARIO, encoding="utf-8")
    clock.now = datetime(2024, 8, 5, tzinfo=UTC)  # type: ignore[attr-defined]  # dates in the future are dropped
    ws = make_workspace(url)
    ws.intake.ingest([str(inbox)])
    clock.now = datetime(2024, 7, 1, tzinfo=UTC)  # type: ignore[attr-defined]  # the scenario came first
    by_text = {text: day for day, text in REPORTS.values()}
    docs = [ws.store.get_document(d) for d in ws.store.documents_needing_extraction()]
    ws.store.save_extractions([extraction(d.id, d.text, by_text[d.text.strip()]) for d in docs], clock())
    ws.scenarios.add(tmp_path / "sumy.yaml")
    yield url


def act(url: str, actor: str, clock: Callable[[], datetime]) -> Workspace:
    return Workspace.open(Settings(database_url=url, actor=actor, extract=False), clock=clock)


def at(clock: Callable[[], datetime], when: datetime) -> None:
    clock.now = when  # type: ignore[attr-defined]


def test_postmortem_from_the_store_and_the_ledger(url: str, clock: Callable[[], datetime]) -> None:
    at(clock, datetime(2024, 8, 1, 9, 0, tzinfo=UTC))
    with act(url, "liaison", clock) as ws:
        partner = ws.warnings.raise_warning("Armour near Sumy", "Our people see columns.", "high",
                                            scenario_id="sumy-push", partner="Allied desk", partner_ref="B-7")
    at(clock, datetime(2024, 8, 1, 11, 0, tzinfo=UTC))
    with act(url, "desk-head", clock) as ws:
        ws.warnings.dispose(partner.id, Disposition.DISMISSED, "They <always> over-read exercises.")
    at(clock, datetime(2024, 8, 4, 8, 0, tzinfo=UTC))
    with act(url, "analyst", clock) as ws:
        ours = ws.warnings.raise_warning("Build-up continues", "Four reports in a week.", "elevated",
                                         scenario_id="sumy-push")
    at(clock, datetime(2024, 8, 4, 10, 0, tzinfo=UTC))
    with act(url, "director", clock) as ws:
        ws.warnings.escalate(ours.id, "needs a decision")
    at(clock, datetime(2024, 8, 7, tzinfo=UTC))
    with act(url, "duty-officer", clock) as ws:
        ws.warnings.acknowledge(ours.id, "too late")  # after the event
        pm = ws.review.postmortem("sumy-push", EVENT_DAY, with_replay=True)

    assert pm.documents_in_window == 4 and pm.observations_in_window == 4 and len(pm.signals) == 4
    assert pm.first_signal is not None and pm.first_signal.known_at == datetime(2024, 7, 28, tzinfo=UTC)
    assert pm.first_warning is not None and pm.first_warning.id == partner.id
    assert pm.first_warning.origin is Origin.PARTNER
    assert pm.lead_time == timedelta(days=4, hours=15)
    assert pm.broken is ChainBreak.DISMISSED
    assert [(f.link, f.warning_id) for f in pm.findings] == [(ChainBreak.DISMISSED, partner.id),
                                                            (ChainBreak.UNACKNOWLEDGED, ours.id)]
    dismissed, open_one = pm.outcomes
    assert (dismissed.status, dismissed.by, dismissed.rationale) == (
        WarningStatus.DISMISSED, "desk-head", "They <always> over-read exercises.")
    assert (open_one.status, open_one.owner, open_one.escalations) == (WarningStatus.UNACKNOWLEDGED, "desk-head", 1)
    late = [t for t in pm.timeline if t.kind is TimelineKind.ACKNOWLEDGED]
    assert [(t.actor, t.at) for t in late] == [("duty-officer", datetime(2024, 8, 7, tzinfo=UTC))]
    assert pm.at == datetime(2024, 8, 7, tzinfo=UTC)
    assert pm.series is not None and pm.series.end == datetime(2024, 8, 6, tzinfo=UTC)
    assert "They &lt;always&gt;" in to_html(pm) and "Warned but dismissed" in to_markdown(pm)


def test_replay_from_the_store(url: str, clock: Callable[[], datetime]) -> None:
    at(clock, datetime(2024, 8, 2, 12, 0, tzinfo=UTC))
    with act(url, "analyst", clock) as ws:
        raised = ws.warnings.raise_warning("Build-up", "Reports pile up.", "elevated", scenario_id="sumy-push")
        series = ws.review.replay("sumy-push", datetime(2024, 7, 20, tzinfo=UTC), datetime(2024, 8, 6, tzinfo=UTC),
                                  "1d")
    assert len(series.steps) == 18 and series.matched == 4
    by_day = {s.at.date(): s for s in series.steps}
    assert by_day[date(2024, 7, 27)].signals == 0
    assert by_day[date(2024, 7, 28)].signals == 1  # published at midnight: known by the midnight step
    assert by_day[date(2024, 8, 3)].signals == 4
    assert [w.id for w in series.warnings] == [raised.id]
    assert [(c.at.date(), c.level) for c in series.crossings] == [(date(2024, 8, 3), "elevated")]  # grade F: 0.5 each


def test_the_commands(url: str, tmp_path: Path) -> None:
    def cli(*args: str) -> str:
        result = runner.invoke(app, ["--db", url, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.output

    csv_file, chart = tmp_path / "series.csv", tmp_path / "series.svg"
    text = cli("replay", "--scenario", "sumy-push", "--from", "2024-07-20", "--to", "2024-08-06", "--csv",
               str(csv_file), "--chart", str(chart), "--event-date", "2024-08-06")
    assert "18 steps of 1d" in text and "first step at each threshold" in text
    assert len(list(csv.reader(csv_file.read_text(encoding="utf-8").splitlines()))) == 19
    ET.fromstring(chart.read_text(encoding="utf-8"))
    data = json.loads(cli("replay", "-s", "sumy-push", "--from", "2024-08-01", "--to", "2024-08-03", "--step", "12h",
                          "--json"))
    assert data["step"] == "12h" and len(data["steps"]) == 5 and data["steps"][0]["at"] == "2024-08-01T00:00:00+00:00"

    md = cli("postmortem", "sumy-push", "--event-date", "2024-08-06")
    assert md.startswith("# Post-mortem: Ground push near Sumy (sumy-push)")
    assert "**Matched but no warning" in md
    page = tmp_path / "pm.html"
    out = cli("postmortem", "sumy-push", "--event-date", "2024-08-06", "--html", str(page), "--markdown",
              str(tmp_path / "pm.md"))
    assert "no-warning: " in out and "lead time: — from the first warning, 9 d from the first signal" in out
    assert "data:image/svg+xml;base64," in page.read_text(encoding="utf-8")
    data = json.loads(cli("postmortem", "sumy-push", "--event-date", "2024-08-06", "--json"))
    assert data["broken"] == "no-warning" and data["signals"] == 4 and data["first_warning"] is None


def test_command_errors(url: str, tmp_path: Path) -> None:
    def fails(*args: str) -> str:
        result = runner.invoke(app, ["--db", url, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 1, result.output
        return result.output

    assert "FW-E005" in fails("replay", "-s", "sumy-push", "--from", "2024-08-06", "--to", "2024-08-01")
    assert "step" in fails("replay", "-s", "sumy-push", "--from", "2024-08-01", "--to", "2024-08-06", "--step", "1w")
    assert ".png" in fails("replay", "-s", "sumy-push", "--from", "2024-08-01", "--to", "2024-08-02", "--chart",
                           str(tmp_path / "c.pdf"))
    assert "FW-E003" in fails("postmortem", "no-such-scenario", "--event-date", "2024-08-06")
    assert "cannot write" in fails("postmortem", "sumy-push", "--event-date", "2024-08-06", "--markdown",
                                   str(tmp_path / "missing" / "pm.md"))
