"""The store's sources and ingest runs: the registry of sources, and each run from start to finish with
its issues."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select, update

from forewarn.errors import AlreadyExists, Code, Issue, NotFound, Severity
from forewarn.model import IngestRun, Marking, Reliability, Source, SourceKind
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import schema as t
from forewarn.store.access import AccessStore
from forewarn.store.documents import visible_runs


class SourcesAndRuns(AccessStore):
    # -- sources ---------------------------------------------------------------------------
    def add_source(self, source: Source) -> None:
        with self._write() as conn:
            if conn.execute(select(t.sources.c.id).where(t.sources.c.id == source.id)).first():
                raise AlreadyExists(f"source {source.id!r} already exists",
                                    hint="choose another name, or remove the existing source first")
            compartment = self.compartment_id(conn, source.compartment)
            conn.execute(t.sources.insert().values(
                id=source.id, kind=source.kind.value, name=source.name, location=source.location,
                reliability=source.reliability.value, marking=source.marking.value, team=source.team,
                options=[list(o) for o in source.options], created_at=source.created_at, compartment=compartment,
            ))

    def get_source(self, source_id: str) -> Source:
        with self.engine.connect() as conn:
            row = conn.execute(_sources().where(t.sources.c.id == source_id)).first()
        if row is None:
            raise NotFound(f"no source {source_id!r}", hint="`forewarn source list` shows the sources")
        return _source(row)

    def list_sources(self) -> list[Source]:
        with self.engine.connect() as conn:
            return [_source(r) for r in conn.execute(_sources().order_by(t.sources.c.id))]

    def remove_source(self, source_id: str) -> int:
        """Remove a source from the registry; its documents stay (they keep the source id as
        provenance). Returns how many documents still name it."""
        self.get_source(source_id)
        with self._write() as conn:
            conn.execute(t.sources.delete().where(t.sources.c.id == source_id))
            return conn.execute(select(func.count()).where(t.documents.c.source_id == source_id)).scalar_one()

    # -- ingest runs -----------------------------------------------------------------------
    def start_run(self, actor: str, inputs: Sequence[str], now: datetime) -> int:
        with self._write() as conn:
            result = conn.execute(t.ingest_runs.insert().values(
                started_at=now, status="running", actor=actor, host=socket.gethostname(), pid=os.getpid(),
                inputs=list(inputs), new=0, duplicate=0, near_duplicate=0, failed=0, warnings=0,
            ))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(self, run_id: int, status: str, now: datetime) -> IngestRun:
        """Close a run: completed, interrupted (stopped by a signal or a kill) or failed (an error)."""
        with self._write() as conn:
            self._close_runs(conn, [run_id], status, now)
        return self.get_run(run_id)

    def _close_runs(self, conn: Connection, run_ids: list[int], status: str, now: datetime) -> None:
        runs = t.ingest_runs
        conn.execute(update(runs).where(runs.c.id.in_(run_ids)).values(status=status, finished_at=now))
        if status != "completed":
            issue = Issue(Code.INGEST_INTERRUPTED, f"the ingest run ended early ({status}); what it committed is kept",
                          "ingest run", hint="re-run the same ingest to complete it: stored items count as duplicates")
            conn.execute(t.ingest_issues.insert(), [issue_row(run_id, issue) for run_id in run_ids])

    def interrupt_stale_runs(self, now: datetime) -> list[int]:
        """Mark as interrupted the runs left 'running' by a process of this host that is gone."""
        host = socket.gethostname()
        with self._write() as conn:
            rows = conn.execute(select(t.ingest_runs.c.id, t.ingest_runs.c.pid).where(
                t.ingest_runs.c.status == "running", t.ingest_runs.c.host == host)).all()
            stale = [r.id for r in rows if not _pid_alive(r.pid)]
            if stale:
                self._close_runs(conn, stale, "interrupted", now)
        return stale

    def get_run(self, run_id: int, access: Access = EVERYTHING) -> IngestRun:
        """One run; one that stored documents hidden from ``access`` is as missing (the same NotFound)."""
        r = t.ingest_runs.c
        with self.engine.connect() as conn:
            row = conn.execute(select(t.ingest_runs).where(r.id == run_id, *visible_runs(r.id, access))).first()
        if row is None:
            raise NotFound(f"no ingest run {run_id}", hint="`forewarn runs` lists them")
        return _run(row)

    def list_runs(self, limit: int = 20, offset: int = 0, access: Access = EVERYTHING) -> list[IngestRun]:
        """The newest runs first (those ``access`` may see)."""
        r = t.ingest_runs.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.ingest_runs).where(*visible_runs(r.id, access))
                                .order_by(r.id.desc()).limit(limit).offset(offset))
            return [_run(x) for x in rows]

    def count_runs(self, access: Access = EVERYTHING) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.ingest_runs)
                                    .where(*visible_runs(t.ingest_runs.c.id, access))).scalar_one())

    def run_issues(self, run_id: int, limit: int | None = None, offset: int = 0) -> list[Issue]:
        """A run's issues in the order they were found."""
        i = t.ingest_issues
        q = select(i).where(i.c.run_id == run_id).order_by(i.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [Issue(Code(r.code), r.message, r.location, r.item, r.hint, Severity(r.severity))
                    for r in conn.execute(q)]

    def count_run_issues(self, run_id: int) -> int:
        i = t.ingest_issues
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(i).where(i.c.run_id == run_id)).scalar_one())


def _sources() -> Select[Any]:
    """Sources with their compartment's recipients."""
    k = t.compartments.c
    return (select(t.sources, k.recipients).select_from(t.sources.outerjoin(t.compartments,
                                                                             k.id == t.sources.c.compartment)))


def _source(r: Any) -> Source:
    return Source(id=r.id, kind=SourceKind(r.kind), name=r.name, location=r.location,
                  reliability=Reliability(r.reliability), marking=Marking(r.marking), team=r.team,
                  options=tuple((k, v) for k, v in r.options), created_at=r.created_at,
                  recipients=tuple(p for p in (r.recipients or "").split(",") if p), compartment_id=r.compartment)


def _run(r: Any) -> IngestRun:
    return IngestRun(id=r.id, started_at=r.started_at, finished_at=r.finished_at, status=r.status,
                     actor=r.actor, inputs=tuple(r.inputs), new=r.new, duplicate=r.duplicate,
                     near_duplicate=r.near_duplicate, failed=r.failed, warnings=r.warnings)


def issue_row(run_id: int, i: Issue) -> dict[str, Any]:
    return {"run_id": run_id, "code": i.code.value, "severity": i.severity.value, "location": i.location,
            "item": i.item, "message": i.message, "hint": i.hint}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
