"""Cached evaluation workspaces, and the one holding the press corpus (../shared/data/press_2021_2022),
ingested and extracted: the development backtest and the replay benchmark read it.

The cache lives in $FOREWARN_EVAL_CACHE (default ~/.cache/forewarn/eval). Opening a workspace
(:func:`open_cached`) re-runs the ingest of its sources (stored documents count as duplicates) and
re-extracts only documents coded by another extractor version, so a changed lexicon or model is
picked up and nothing else is redone. eval/news_workspace.py builds the news streams' workspaces
the same way.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import Reliability, SourceKind

ROOT = Path(__file__).resolve().parents[1]
PRESS = ROOT.parent / "shared" / "data" / "press_2021_2022"
FOCUS = ("UKR", "RUS", "BLR")  # the countries the default scenarios watch (places lean towards them)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source of a cached workspace: a file, its reader and column map, and one reliability grade."""

    id: str
    name: str
    location: Path
    kind: SourceKind
    columns: Mapping[str, str]
    reliability: Reliability


PRESS_COLUMNS = {"text": "body", "title": "headline", "date": "date", "url": "link"}
# official press offices: what they say is reliably what was said; B, not A
PRESS_SOURCES = (
    SourceSpec("kremlin", "Kremlin press releases (en.kremlin.ru)", PRESS / "putin.csv", SourceKind.CSV,
               PRESS_COLUMNS, Reliability.B),
    SourceSpec("president-ua", "President of Ukraine press releases (president.gov.ua/en)", PRESS / "zelenskyy.csv",
               SourceKind.CSV, PRESS_COLUMNS, Reliability.B),
)


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "forewarn" / "eval"
    path = Path(os.environ.get("FOREWARN_EVAL_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_settings(name: str, processes: int = 2) -> Settings:
    """Settings of the cached workspace ``name`` (a SQLite file in the cache; extraction run explicitly)."""
    return Settings(database_url=f"sqlite:///{cache_dir() / f'{name}.db'}", actor="eval", extract=False,
                    extract_processes=processes, focus_countries=FOCUS)


def open_cached(name: str, sources: Sequence[SourceSpec], processes: int = 2, *, refresh: bool = True) -> Workspace:
    """The cached workspace ``name`` with ``sources`` registered, ingested and extracted (stale codings redone);
    prints how long ingest and extraction took when either had work."""
    ws = Workspace.open(cached_settings(name, processes))
    if not refresh:
        return ws
    known = {s.id for s in ws.sources.all()}
    for spec in (s for s in sources if s.id not in known):
        ws.sources.add(spec.name, str(spec.location), kind=spec.kind, source_id=spec.id, reliability=spec.reliability,
                       options={"map": ",".join(f"{k}={v}" for k, v in spec.columns.items())})
    started = time.perf_counter()
    report = ws.intake.ingest([s.id for s in sources])
    ingested = time.perf_counter() - started
    extraction = ws.intake.extract(stale=True)
    extracted = time.perf_counter() - started - ingested
    if report.new or extraction.documents:
        print(f"{name}: ingest {report.read:,} items ({report.new:,} new, {report.failed:,} failed) in "
              f"{ingested:.0f} s = {report.read / max(ingested, 1e-9):.0f} items/s; extraction of "
              f"{extraction.documents:,} documents ({extraction.extracted:,} extracted, {extraction.failed:,} "
              f"failed, {processes} processes) in {extracted:.0f} s = "
              f"{extraction.documents / max(extracted, 1e-9):.1f} documents/s", file=sys.stderr)
    return ws


def open_press_workspace(processes: int = 2, *, refresh: bool = True) -> Workspace:
    """The press workspace, ingested and extracted (building it takes minutes the first time)."""
    if not PRESS.is_dir():
        sys.exit(f"needs {PRESS} (the shared labelled data); it is not there")
    return open_cached("press-2021-2022", PRESS_SOURCES, processes, refresh=refresh)


if __name__ == "__main__":
    with open_press_workspace() as workspace:
        print(workspace.reads.stats())
