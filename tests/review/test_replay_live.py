"""Replay matches live (issue 16, item 3): cycles run every six hours over a small world (events, a surge of
attacks, a swell of stories) give, at each of their times, exactly the probability and level a replay with a
six-hour step gives; with no step named, the replay takes the live cycle's and says why."""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from detect_store_helpers import Report, extraction

from forewarn.app import Workspace
from forewarn.cycle import run_cycle
from forewarn.model import Reliability

START = datetime(2024, 7, 20, 3, tzinfo=UTC)
STEP = timedelta(hours=6)
DAYS = 24
SCENARIO = """\
id: sudzha-watch
name: Armour, attacks and attention near Sudzha
region:
  admin1: [RUS:Kursk]
horizon_days: 14
prior: 0.05
owner: duty-officer
escalation: [watch-lead]
thresholds: {elevated: 0.15, high: 0.35, critical: 0.6}
indicators:
  - id: armour
    name: Armour near the border
    types: [MOBILIZE]
    weight: 2.5
    half_life_days: 3
    saturation: 4
  - id: attack-surge
    kind: surge
    types: [ASSAULT]
    weight: 2
    half_life_days: 3
  - id: attention
    kind: mentions
    query: [Sudzha]
    in_region: true
    baseline_days: 7
    highest_in_days: 7
    min_stories: 2
    weight: 1.5
    half_life_days: 2
"""
WORDS = ["river", "bridge", "forest", "village", "road", "field", "market", "school", "farm", "station", "depot",
         "hill", "church", "square", "mill", "orchard", "pond", "tower", "barn", "dam", "ridge", "crossing",
         "checkpoint", "quarry", "ferry"]


def reports() -> list[tuple[Report, datetime]]:
    """A report or two a day at varied hours, armour from day 10, a burst of attacks on day 15 against a
    steady trickle; every text its own (no near-duplicates merged into one cluster)."""
    rng = random.Random(16)
    found: list[tuple[Report, datetime]] = []
    for day in range(DAYS):
        published = START + timedelta(days=day, hours=rng.randrange(0, 20), minutes=rng.randrange(60))
        kinds = ["shelling"] * (7 if day == 15 else 1 if day % 2 else 0) + (["armour"] * (1 + day % 3)
                                                                             if day >= 10 else [])
        for n, kind in enumerate(kinds):
            filler = " ".join(rng.sample(WORDS, 12))
            text = (f"{kind} by the Ukrainian army was reported near Sudzha, the {filler} report {day}-{n} said, "
                    f"naming {' '.join(rng.sample(WORDS, 6))}.")
            at = published + timedelta(minutes=37 * n)
            found.append((Report("wire" if n % 2 else "locals", f"r{day}-{n}", at.date(), text), at))
    return found


def seed(ws: Workspace, folder: Path) -> None:
    written = reports()
    for source in ("wire", "locals"):
        inbox = folder / source
        inbox.mkdir(parents=True)
        for r, at in written:
            if r.source == source:
                (inbox / f"{r.name}.txt").write_text(f"Title: {r.name}\nDate: {at.isoformat()}\n\n{r.text}\n")
        ws.sources.add(source, str(inbox), reliability=Reliability.B if source == "wire" else Reliability.C)
        ws.intake.ingest([source])
    by_name = {r.name: r for r, _ in written}
    docs = [ws.store.get_document(d) for d in ws.store.documents_needing_extraction()]
    ws.store.save_extractions([extraction(d.id, d.text, by_name[d.title or ""]) for d in docs],
                              START + timedelta(days=DAYS))


def test_replay_with_the_live_step_gives_the_live_series(tmp_path: Path, make_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    seed(ws, tmp_path / "inbox")
    (tmp_path / "s.yaml").write_text(SCENARIO)
    ws.scenarios.add(tmp_path / "s.yaml")
    times = [START + i * STEP for i in range(DAYS * 4)]
    live = {}
    for at in times:
        [a] = run_cycle(ws, at).assessments
        live[at] = a
    levels = {a.level for a in live.values()}
    assert {None, "elevated"} <= levels and any(s.indicator_id == "attack-surge" and s.counted
                                                for a in live.values() for s in a.signals)
    assert any(s.indicator_id == "attention" and s.counted for a in live.values() for s in a.signals)

    series = ws.review.replay("sudzha-watch", times[0], times[-1], STEP)
    assert [s.at for s in series.steps] == times
    for step in series.steps:
        assert abs(step.probability - live[step.at].probability) <= 1e-9, step.at
        assert step.level == live[step.at].level, step.at
        assert step.signals == len(live[step.at].counted)

    default = ws.review.replay("sudzha-watch", times[0], times[-1])  # no step named: the live cycle's
    assert default.step == STEP and default.step_reason.startswith("the live cycle's step")
    assert [s.probability for s in default.steps] == [s.probability for s in series.steps]
    daily = ws.review.replay("sudzha-watch", times[0], times[-1], "1d")
    assert daily.step_reason == "given" and len(daily.steps) == DAYS


def test_the_default_step_without_a_live_chain(tmp_path: Path, make_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", watch_interval=600)
    (tmp_path / "s.yaml").write_text(SCENARIO)
    ws.scenarios.add(tmp_path / "s.yaml")
    start = datetime.combine(date(2024, 8, 1), datetime.min.time(), UTC)
    short = ws.review.replay("sudzha-watch", start, start + timedelta(days=2))
    assert short.step == timedelta(minutes=10) and "watch_interval = 600 s" in short.step_reason
    long = ws.review.replay("sudzha-watch", start, start + timedelta(days=30))  # 4,320 polls: one day instead
    assert long.step == timedelta(days=1) and "more than 1,000 steps" in long.step_reason
