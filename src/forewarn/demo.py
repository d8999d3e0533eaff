"""The bundled demo: register the demo corpus's sources and ingest them."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.errors import ConfigError
from forewarn.model import ExtractReport, IngestReport, Marking, Reliability, SourceKind

DEFAULT_DEMO_DB = "sqlite:///forewarn-demo.db"
# Lower-precedence defaults for the demo workspace: its own database, and the theatre it watches.
DEMO_DEFAULTS = {"database_url": DEFAULT_DEMO_DB, "focus_countries": "UKR,RUS,BLR"}


@dataclass(frozen=True)
class DemoResult:
    report: IngestReport
    extraction: ExtractReport | None
    stats: dict[str, Any]


def demo_dir() -> Path:
    return Path(str(resources.files("forewarn") / "data" / "demo"))


def demo_sources(root: Path | None = None, languages: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The demo's sources as ``sources.toml`` lists them; with ``languages``, only those writing in one of them."""
    root = root or demo_dir()
    try:
        data = tomllib.loads((root / "sources.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"demo corpus is unreadable: {err}", hint="reinstall forewarn") from err
    return [s for s in data["source"] if languages is None or s.get("language") in languages]


def build_demo(settings: Settings, languages: Collection[str] | None = None) -> DemoResult:
    """Register and ingest the demo's sources (with ``languages``, only those writing in one of them)."""
    root = demo_dir()
    specs = demo_sources(root, languages)
    with Workspace.open(settings) as ws:
        known = {s.id for s in ws.sources.all()}
        for spec in specs:
            if spec["id"] in known:
                continue
            ws.sources.add(spec["name"], str(root / spec["path"]), kind=SourceKind(spec["kind"]),
                          source_id=spec["id"], reliability=Reliability(spec["reliability"]),
                          marking=Marking.parse(spec["marking"]), options=spec.get("options", {}))
        report = ws.intake.ingest([spec["id"] for spec in specs])
        extraction = report.extraction
        if settings.extract and extraction is None:  # a re-run: extract what an earlier run left undone
            extraction = ws.intake.extract()
        return DemoResult(replace(report, extraction=None), extraction, ws.reads.stats())
