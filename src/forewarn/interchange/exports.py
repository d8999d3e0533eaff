"""The export desk: the events matching a query, and what the analysts made of them, written in one of the
field's formats by a streaming writer (:mod:`forewarn.formats.base`).

:meth:`ExportDesk.export` drives a writer: ``begin``, one ``chunk`` per bounded batch of events
(:meth:`forewarn.reads.Reads.export_chunks`: only what the asker may see, restricted reads audited), then
``analysis`` once and ``end`` (:func:`forewarn.reads.export.write`).
The analysis is read through the desks' own reads, which apply the asker's access:
the scenarios it may see, their published assessments (signals resting on hidden holdings left out), the
warnings it may see and each one's ledger history (without hidden evidence), and how each is marked. Writers are
looked up by name (:data:`WRITERS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import IO, Any, NamedTuple

from forewarn.detect.desk import ScenarioDesk
from forewarn.errors import InvalidArgument
from forewarn.formats.base import Analysis, Writer
from forewarn.formats.misp import MispWriter
from forewarn.formats.plover import PloverWriter
from forewarn.formats.stix import StixWriter
from forewarn.model.marking import Compartment
from forewarn.model.query import EventQuery
from forewarn.model.scenario import StoredAssessment
from forewarn.model.warning import WarningRecord, WarningState
from forewarn.reads import Reads
from forewarn.reads.export import write
from forewarn.warn import WarningDesk

WRITERS: Mapping[str, type[PloverWriter | StixWriter | MispWriter]] = {  # format name → its writer
    "plover": PloverWriter, "stix": StixWriter, "misp": MispWriter}
PAGE = 500  # warnings read per page
ASSESSMENTS = 20  # assessments read per page: each holds its signals whole until it is cut (_slim)
SIGNAL_KEYS = ("event_ids", "observed_on")  # what of a signal the formats write
Marks = Callable[[str, Iterable[Any]], Mapping[Any, Compartment]]  # ("scenario"|"warning", ids) → compartments


class ExportFormat(NamedTuple):
    """A format an export can be written in: ``name`` (what ``--format`` says), ``media_type``, ``suffix``."""

    name: str
    media_type: str
    suffix: str


class ExportDesk:
    """Exports for one asker: ``reads`` streams the events, ``scenarios`` and ``warnings`` give the analysis,
    ``marks`` how the scenarios and warnings read are marked (by id; open ones absent)."""

    def __init__(self, reads: Reads, scenarios: ScenarioDesk, warnings: WarningDesk, marks: Marks) -> None:
        self.reads, self.scenarios, self.warnings, self.marks = reads, scenarios, warnings, marks

    def formats(self) -> list[ExportFormat]:
        """The formats, in :data:`WRITERS` order."""
        return [ExportFormat(name, cls.media_type, cls.suffix) for name, cls in WRITERS.items()]

    def format(self, name: str) -> ExportFormat:
        """One format by name: InvalidArgument naming the known ones when there is none."""
        if name not in WRITERS:
            raise InvalidArgument(f"unknown export format {name!r}", hint=f"formats: {', '.join(WRITERS)}")
        cls = WRITERS[name]
        return ExportFormat(name, cls.media_type, cls.suffix)

    def export(self, out: IO[str], query: EventQuery, fmt: str, *, analysis: bool = True) -> int:
        """Write the events matching ``query`` (its filters, offset and limit) in format ``fmt`` to ``out``, with
        the analysis when ``analysis`` (a format without a place for it, as PLOVER, writes none); returns the
        events written."""
        self.format(fmt)
        with_analysis = self.analysis if analysis and fmt != "plover" else None
        return write(_writer(fmt), out, self.reads.export_chunks(query), with_analysis)

    def analysis(self) -> Analysis:
        """The scenarios, assessments, warnings and ledger history the asker may see, and their markings."""
        scenarios = [r.scenario for r in self.scenarios.records()]
        warnings = self._warnings()
        return Analysis(
            scenarios=scenarios, scenario_compartments=dict(self.marks("scenario", [s.id for s in scenarios])),
            assessments=[a for s in scenarios for a in self._assessments(s.id)], warnings=warnings,
            warning_compartments=dict(self.marks("warning", [w.id for w in warnings])),
            history={w.id: self.warnings.history(w.id) for w in warnings})

    def _assessments(self, scenario_id: str) -> list[StoredAssessment]:
        """A scenario's published assessments, oldest first (its signals as the asker may see them)."""
        found: list[StoredAssessment] = []
        while True:
            page, total = self.scenarios.history(scenario_id, limit=ASSESSMENTS, offset=len(found))
            found += [_slim(a) for a in page]
            if not page or len(found) >= total:
                return found[::-1]

    def _warnings(self) -> list[WarningRecord]:
        """Every warning the asker may see, raised, acknowledged or disposed, by id."""
        found: list[WarningRecord] = []
        while True:
            page = self.warnings.listing(tuple(WarningState), limit=PAGE, offset=len(found))
            found += page.warnings
            if not page.warnings or len(found) >= page.total:
                return sorted(found, key=lambda w: w.id)


def _slim(a: StoredAssessment) -> StoredAssessment:
    """An assessment with each signal cut to what a format writes of it (the events it cites, the day they were
    observed): the signals' evidence texts would hold every assessment's evidence in memory at once."""
    return replace(a, signals=tuple({k: s[k] for k in SIGNAL_KEYS if k in s} for s in a.signals))


def _writer(name: str) -> Writer:
    writer: Writer = WRITERS[name]()
    return writer
