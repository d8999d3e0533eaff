"""``forewarn watch``: poll the registered sources and run every new document through extraction,
scoring and warning, until stopped.

A file or folder source is read again only when something in it changed (names, sizes and
modification times), so a quiet poll costs a directory listing, not an ingest run; a feed URL is
fetched at most every ``FEED_EVERY`` seconds (with its ETag/Last-Modified). Stopping (SIGINT,
SIGTERM) sets a flag the loop checks between steps: a write in progress always completes.

With a metrics port, the watch serves its metrics in Prometheus's text format on 127.0.0.1 while it runs
(:class:`WatchMetrics`: cycle latency, counters, the extraction rate, and the store's figures of
:mod:`forewarn.store.health` through :class:`StoreGauges`, which the workbench's ``/metrics`` serves too). The
metrics never stop the watch: a port that cannot be bound, or a failure to record, is logged once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from forewarn.cycle import CycleReport, run_cycle
from forewarn.errors import ForewarnError
from forewarn.model import IngestReport, Source

if TYPE_CHECKING:
    from forewarn.app import Workspace
    from forewarn.store.health import HealthFigures

FEED_EVERY = 300.0  # seconds between fetches of one feed URL
LOOPBACK = "127.0.0.1"  # the only address the watch's metrics are served on
CYCLE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)  # seconds per poll
log = logging.getLogger("forewarn.watch")


@dataclass(frozen=True)
class WatchCycle:
    number: int
    ingest: IngestReport | None  # None when no source changed
    cycle: CycleReport
    seconds: float


def fingerprint(location: str) -> tuple[tuple[str, int, int], ...]:
    """What changes when a file or folder source gets new content: every file's path, size and mtime."""
    path = Path(location)
    if path.is_file():
        st = path.stat()
        return ((str(path), st.st_size, st.st_mtime_ns),)
    entries: list[tuple[str, int, int]] = []
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                st = os.stat(os.path.join(root, name))
            except OSError:  # vanished between listing and stat: the next poll sees it
                continue
            entries.append((os.path.join(root, name), st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


class StoreGauges(Collector):
    """The store's health figures as Prometheus gauges, read at each scrape (the workbench's ``/metrics`` and the
    watch's own). Label values are fixed words (reason, state, window, which): never a name. A store that does not
    answer gives ``forewarn_database_up 0`` and nothing else."""

    def __init__(self, figures: Callable[[], HealthFigures]) -> None:
        self._figures = figures

    def collect(self) -> Iterator[Metric]:
        try:
            found = self._figures()
        except ForewarnError:
            yield GaugeMetricFamily("forewarn_database_up", "1 when the workspace store answers, else 0.", value=0)
            return
        yield GaugeMetricFamily("forewarn_database_up", "1 when the workspace store answers, else 0.", value=1)
        yield from _figure_families(found)


def _figure_families(f: HealthFigures) -> Iterator[Metric]:
    w, o, x = f.waiting, f.outbox, f.extracted
    yield _labelled("forewarn_extraction_waiting_documents", "Documents waiting for extraction: never extracted, or "
                    "their last extraction failed (counted up to 10,000 in all).", "reason",
                    {"never": w.never, "failed": w.failed})
    yield _single("forewarn_extraction_waiting_capped", "1 when more documents wait than were counted.", w.capped)
    yield _labelled("forewarn_outbox_notifications", "Notifications not delivered: pending (not tried yet), retrying "
                    "(failed, to be tried again), dead (given up).", "state",
                    {"pending": o.pending, "retrying": o.retrying, "dead": o.dead})
    yield _single("forewarn_outbox_oldest_pending_age_seconds", "Age of the oldest notification not yet delivered "
                  "(0: none waits).", o.oldest_pending_s)
    yield _labelled("forewarn_extracted_documents", "Documents extracted in the window up to now.", "window",
                    {name: e.documents for name, e in x.items()})
    yield _labelled("forewarn_extracted_events", "Events coded by the extractions of the window up to now.",
                    "window", {name: e.events for name, e in x.items()})
    yield _labelled("forewarn_extraction_documents_per_second", "Documents extracted per second over the window.",
                    "window", {name: e.documents_per_second for name, e in x.items()})
    yield _single("forewarn_last_cycle_age_seconds", "Since the last warning cycle ran (absent: none yet).",
                  f.last_cycle_age_s)
    yield _labelled("forewarn_assessment_age_seconds", "Since a watched scenario's latest published assessment: "
                    "the newest of them, and the oldest (a cycle publishes only what changed).", "which",
                    {"newest": f.newest_assessment_age_s, "oldest": f.oldest_assessment_age_s})
    yield _single("forewarn_ledger_entries", "Entries in the ledger.", f.ledger_entries)
    yield _labelled("forewarn_figure_age_seconds", "How long ago a figure that is slow to read was read (it is reused "
                    "for a while).", "figure", f.ages)


def _single(name: str, documentation: str, value: float | None) -> GaugeMetricFamily:
    """A gauge without labels; no sample when the value is unknown (None)."""
    return _labelled(name, documentation, None, {"": value})


def _labelled(name: str, documentation: str, label: str | None, values: Mapping[str, float | None]
              ) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label] if label else [])
    for key, value in values.items():
        if value is not None:
            family.add_metric([key] if label else [], float(value))
    return family


class WatchMetrics:
    """The watch's metrics, in a registry of its own: seconds per poll (a histogram), polls and failed polls,
    when the last poll ended, documents ingested and extracted, the extraction rate of the last poll that
    extracted any, and the store's figures (:class:`StoreGauges`)."""

    def __init__(self, figures: Callable[[], HealthFigures]) -> None:
        self.registry = r = CollectorRegistry()
        self.seconds = Histogram("forewarn_watch_cycle_seconds", "Seconds per poll: ingest of what changed, "
                                 "extraction and the warning cycle.", buckets=CYCLE_BUCKETS, registry=r)
        self.cycles = Counter("forewarn_watch_cycles", "Polls completed.", registry=r)
        self.errors = Counter("forewarn_watch_cycle_errors", "Polls that failed (retried at the next).", registry=r)
        self.ended = Gauge("forewarn_watch_last_cycle_end_timestamp_seconds", "When the last poll ended (Unix time).",
                           registry=r)
        self.ingested = Counter("forewarn_watch_documents_ingested", "New documents ingested.", registry=r)
        self.extracted = Counter("forewarn_watch_documents_extracted", "Documents extracted.", registry=r)
        self.rate = Gauge("forewarn_watch_extraction_documents_per_second", "Documents extracted per second by the "
                          "last poll that extracted any.", registry=r)
        r.register(StoreGauges(figures))

    def record(self, result: WatchCycle | None) -> None:
        """A poll's figures (None: the poll failed)."""
        self.ended.set_to_current_time()
        if result is None:
            self.errors.inc()
            return
        self.cycles.inc()
        self.seconds.observe(result.seconds)
        report = result.ingest
        if report is None:
            return
        self.ingested.inc(report.new)
        x = report.extraction
        if x is not None and x.extracted:
            self.extracted.inc(x.extracted)
            self.rate.set(x.extracted / x.seconds if x.seconds > 0 else 0.0)

    @contextmanager
    def serving(self, port: int) -> Iterator[tuple[str, int]]:
        """Serve the metrics on 127.0.0.1:``port`` (0: a free port) while the block runs; yields the address."""
        server, thread = start_http_server(port, addr=LOOPBACK, registry=self.registry)
        try:
            host, bound = server.server_address[:2]
            yield str(host), int(bound)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


class Watcher:
    def __init__(self, ws: Workspace, *, interval: float | None = None, stop: threading.Event | None = None,
                 monotonic: Callable[[], float] = time.monotonic, metrics_port: int = 0) -> None:
        """``metrics_port``: serve the watch's metrics on 127.0.0.1 at this port while :meth:`run` runs (0: none)."""
        self.ws = ws
        self.interval = ws.settings.watch_interval if interval is None else interval
        self.stop = stop or threading.Event()
        self.metrics_port = metrics_port
        self.metrics_address: tuple[str, int] | None = None  # where the metrics are served, while they are
        self._monotonic = monotonic
        self._seen: dict[str, object] = {}  # source id → last fingerprint (files) or fetch time (URLs)
        self._metrics_failed = False  # a failure to record was logged (once)

    def changed_sources(self) -> list[Source]:
        changed = []
        for source in self.ws.sources.all():
            if source.posted:  # its documents are posted to the workbench: nothing to read
                continue
            if source.location.startswith(("http://", "https://")):
                last = self._seen.get(source.id)
                if isinstance(last, float) and self._monotonic() - last < FEED_EVERY:
                    continue
                self._seen[source.id] = self._monotonic()
                changed.append(source)
                continue
            mark = fingerprint(source.location)
            if self._seen.get(source.id) != mark:
                self._seen[source.id] = mark
                changed.append(source)
        return changed

    def poll(self, number: int) -> WatchCycle:
        started = time.perf_counter()
        changed = self.changed_sources()
        report = self.ws.intake.ingest([s.id for s in changed]) if changed else None
        cycle = run_cycle(self.ws, self.ws.clock())
        return WatchCycle(number, report, cycle, time.perf_counter() - started)

    def run(self, on_cycle: Callable[[WatchCycle], None] | None = None, max_cycles: int | None = None,
            on_error: Callable[[ForewarnError], None] | None = None) -> int:
        """Poll until stopped (or ``max_cycles``); returns the number of cycles run. A forewarn error in
        one poll (a database briefly unreachable, a clock stepped back) is reported to ``on_error`` and
        the next poll tries again: each step is its own transaction, so nothing half-done remains."""
        with self._metrics() as metrics:
            number = 0
            while not self.stop.is_set() and (max_cycles is None or number < max_cycles):
                number += 1
                try:
                    result = self.poll(number)
                except ForewarnError as error:
                    self._record(metrics, None)
                    if on_error is None:
                        raise
                    on_error(error)
                else:
                    self._record(metrics, result)
                    if on_cycle is not None:
                        on_cycle(result)
                self.stop.wait(self.interval)
            return number

    @contextmanager
    def _metrics(self) -> Iterator[WatchMetrics | None]:
        """The watch's metrics, served while the loop runs (None without a port, or when it cannot be bound)."""
        if not self.metrics_port:
            yield None
            return
        metrics = WatchMetrics(lambda: self.ws.health.figures(self.ws.clock()))
        with ExitStack() as served:
            try:
                self.metrics_address = served.enter_context(metrics.serving(self.metrics_port))
            except OSError as error:
                log.warning("cannot serve the watch's metrics on %s:%d (%s): watching without them", LOOPBACK,
                            self.metrics_port, error)
            try:
                yield metrics if self.metrics_address else None
            finally:
                self.metrics_address = None

    def _record(self, metrics: WatchMetrics | None, result: WatchCycle | None) -> None:
        if metrics is None:
            return
        try:
            metrics.record(result)
        except Exception:  # the metrics never stop the watch; said once, not at every poll
            if not self._metrics_failed:
                self._metrics_failed = True
                log.exception("recording the watch's metrics failed: watching on without updating them")
