"""Registered sources as a service of the Workspace (``ws.sources``): add, list, remove, and how a
registered source becomes an ingest input (its options: include/exclude globs, a column map)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from forewarn.errors import InvalidArgument
from forewarn.ingest.normalise import os_location, text_location
from forewarn.ingest.pipeline import IngestInput
from forewarn.model import Marking, Principal, Reliability, Source, SourceKind
from forewarn.sources.tabular import parse_column_map
from forewarn.store import SqlStore


@dataclass(frozen=True)
class SourceDesk:
    store: SqlStore
    clock: Callable[[], datetime]
    who: Principal

    def add(self, name: str, location: str, *, kind: SourceKind = SourceKind.AUTO, source_id: str | None = None,
            reliability: Reliability = Reliability.F, marking: Marking = Marking.CLEAR,
            team: str | None = None, options: Mapping[str, str] | None = None,
            recipients: Sequence[str] = ()) -> Source:
        """Register a source; its documents take its compartment (marking, owning team, recipients)."""
        where = text_location(_absolute(location))  # a path of any bytes, as text (forewarn.ingest.normalise)
        source = Source(id=source_id or slugify(name), kind=kind, name=name, location=where,
                        reliability=reliability, marking=marking, team=team.strip().lower() if team else None,
                        options=tuple(sorted((options or {}).items())), created_at=self.clock(),
                        recipients=tuple(r.strip().lower() for r in recipients if r.strip()))
        source.compartment.check()  # a RED source names its recipients
        self.store.add_source(source)
        return source

    def all(self) -> list[Source]:
        """Every registered source, for ingest (what a person may see of the registry: Reads.sources)."""
        return self.store.list_sources()

    def remove(self, source_id: str) -> int:
        return self.store.remove_source(source_id)


def source_input(source: Source) -> IngestInput:
    opts = dict(source.options)
    return IngestInput(
        location=os_location(source.location), kind=source.kind, source=source,  # stored as text (any bytes)
        include=_split(opts.pop("include", "")), exclude=_split(opts.pop("exclude", "")),
        column_map=parse_map(opts.pop("map", "")), options=opts,
    )


def parse_map(spec: str) -> dict[str, str]:
    """``text=body,date=published`` → {"text": "body", "date": "published"}."""
    return parse_column_map(spec) if spec.strip() else {}


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]
    if not slug:
        raise InvalidArgument(f"cannot make an id from {name!r}", hint="pass --id")
    return slug


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _absolute(location: str) -> str:
    if re.match(r"^https?://", location):
        return location
    return str(Path(location).expanduser().resolve())
