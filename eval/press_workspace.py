"""A workspace holding the press corpus (../shared/data/press_2021_2022), ingested and extracted,
cached between runs: the development backtest and the replay benchmark read it.

The cache lives in $FOREWARN_EVAL_CACHE (default ~/.cache/forewarn/eval). Opening it re-runs the
ingest (stored documents count as duplicates) and re-extracts only documents coded by another
extractor version, so a changed lexicon or model is picked up and nothing else is redone.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import Reliability, SourceKind

ROOT = Path(__file__).resolve().parents[1]
PRESS = ROOT.parent / "shared" / "data" / "press_2021_2022"
COLUMNS = {"text": "body", "title": "headline", "date": "date", "url": "link"}
SOURCES = (("kremlin", "Kremlin press releases (en.kremlin.ru)", "putin.csv"),
           ("president-ua", "President of Ukraine press releases (president.gov.ua/en)", "zelenskyy.csv"))


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "forewarn" / "eval"
    path = Path(os.environ.get("FOREWARN_EVAL_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def press_settings(processes: int = 2) -> Settings:
    url = f"sqlite:///{cache_dir() / 'press-2021-2022.db'}"
    return Settings(database_url=url, actor="eval", extract=False, extract_processes=processes,
                    focus_countries=("UKR", "RUS", "BLR"))


def open_press_workspace(processes: int = 2, *, refresh: bool = True) -> Workspace:
    """The press workspace, ingested and extracted (building it takes minutes the first time)."""
    if not PRESS.is_dir():
        sys.exit(f"needs {PRESS} (the shared labelled data); it is not there")
    ws = Workspace.open(press_settings(processes))
    if not refresh:
        return ws
    known = {s.id for s in ws.sources.all()}
    for source_id, name, file in SOURCES:
        if source_id not in known:
            # official press offices: what they say is reliably what was said; B, not A
            ws.sources.add(name, str(PRESS / file), kind=SourceKind.CSV, source_id=source_id,
                          reliability=Reliability.B, options={"map": ",".join(f"{k}={v}" for k, v in COLUMNS.items())})
    started = time.perf_counter()
    report = ws.intake.ingest([s for s, _, _ in SOURCES])
    extraction = ws.intake.extract(stale=True)
    if report.new or extraction.documents:
        print(f"press workspace: {report.new} new documents, {extraction.extracted} extracted "
              f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return ws


if __name__ == "__main__":
    with open_press_workspace() as workspace:
        print(workspace.reads.stats())
