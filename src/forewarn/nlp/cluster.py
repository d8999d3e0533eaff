"""Extraction on a Dask distributed cluster: ``forewarn extract --backfill`` and the extraction step of
``forewarn ingest --backfill`` (docs/backfill.md).

The command's process, the driver, reads documents from the store, sends them in tasks of ``backfill_batch``
documents, at most two tasks per worker thread in flight (so its memory stays flat however many documents
there are), and takes results back as tasks complete. Every write stays in the driver, through the runner's
one save path: a worker never touches the store. Each worker builds its extractor once, when it joins
(:class:`ExtractorPlugin`; the :class:`ExtractorConfig` travels, not the model). A worker that dies mid-task
loses nothing: the scheduler runs the task again elsewhere, and since saving a document's results replaces
what was stored for it, nothing is written twice. A driver that dies leaves the unsaved documents "needing
extraction", and the next ``forewarn extract`` (with ``--backfill`` or without) does them. A batch that
kills every worker it is given (the scheduler gives up after ``allowed-failures``, 3) has each of its
documents recorded as failed, as any failing document is, and the rest proceeds.

Without ``backfill_scheduler`` the driver starts a local cluster of ``backfill_workers`` processes (one
thread each) on 127.0.0.1, with no dashboard, and stops it at the end, on an error or on Ctrl-C too.

Why Dask and not Ray: Dask's distributed scheduler is pure Python and installs from PyPI with pip alone (it
is an optional extra, ``forewarn[distributed]``), starts in a couple of seconds on a two-core box, and the
same code runs against a scheduler address on other machines (``dask scheduler`` / ``dask worker``). What
travels is plain pickles of our own dataclasses, which is all this work needs. Ray brings a large native
runtime (its own object store in shared memory, a GCS server, raylets, a dashboard) sized for clusters,
which weighs on a small machine and adds moving parts an operator must secure, for features (actors, a
shared object store, autoscaling) this batch work does not use.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from itertools import islice

from forewarn.config import Settings
from forewarn.errors import ClusterUnavailable, ConfigError
from forewarn.nlp.extract import ExtractFailure, ExtractInput, Extractor, Result, batches
from forewarn.nlp.pipeline import ExtractorConfig

try:
    import dask
    from dask.typing import Key
    from distributed import Client, Future, KilledWorker, LocalCluster, Worker, WorkerPlugin, as_completed, get_worker
    from distributed.client import FutureCancelledError
    from distributed.comm import CommClosedError
    from distributed.utils import get_mp_context
except ModuleNotFoundError as missing:  # the optional extra: the default path never comes here
    raise ClusterUnavailable("--backfill runs extraction on Dask, which is not installed",
                             hint="pip install 'forewarn[distributed]'") from missing

PLUGIN = "forewarn-extractor"
IN_FLIGHT = 2  # tasks in flight per worker thread: one running, one ready to start
TASKS_PER_WORKER = 8  # at least this many tasks per worker thread (smaller ones for a small run): a short tail
CONNECT_TIMEOUT = 30  # seconds to reach a scheduler
WORKERS_TIMEOUT = 60  # seconds for a scheduler's first worker to join
KILLED = ("KilledWorker: the Dask workers that extracted it with its batch died (out of memory?); "
          "`forewarn extract --failed` retries it")
# what a local cluster's worker processes fork from: a server that imported these once
PRELOAD = ["__main__", "distributed", "forewarn.nlp.extract"]


class ExtractorPlugin(WorkerPlugin):
    """Builds the worker's extractor once, when the worker starts or joins (a restarted worker too)."""

    name = PLUGIN

    def __init__(self, config: ExtractorConfig) -> None:
        self.config = config
        self.extractor: Extractor | None = None

    def setup(self, worker: Worker) -> None:
        self.extractor = Extractor(self.config)

    def teardown(self, worker: Worker) -> None:
        self.extractor = None


def _extractor(worker: Worker) -> Extractor:
    plugin = worker.plugins[PLUGIN]
    assert isinstance(plugin, ExtractorPlugin) and plugin.extractor is not None, "extractor plugin not set up"
    return plugin.extractor


def _extract(batch: list[ExtractInput]) -> list[Result]:
    """A task: one batch through this worker's extractor."""
    return list(_extractor(get_worker()).extract(batch))


def _version(dask_worker: Worker) -> str:
    """The extractor version of a worker (``client.run`` passes the worker)."""
    return _extractor(dask_worker).version


@dataclass
class ExtractionCluster:
    """A client of a cluster whose workers hold the extractor: ``version`` is theirs, ``workers`` how many
    there were when it started."""

    client: Client
    batch: int
    version: str
    workers: int

    @classmethod
    @contextmanager
    def start(cls, settings: Settings) -> Iterator[ExtractionCluster]:
        """Connect to ``backfill_scheduler`` (or start a local cluster), load the extractor on every worker;
        on leaving, unload it (or stop the local cluster)."""
        with ExitStack() as stack:
            client = stack.enter_context(_client(settings))
            client.register_plugin(ExtractorPlugin(ExtractorConfig.from_settings(settings)))
            if settings.backfill_scheduler:  # a local cluster's workers stop with it
                stack.callback(_unregister, client)
            yield cls(client, settings.backfill_batch, _one_version(client), sum(client.nthreads().values()))

    def extract(self, inputs: Iterable[ExtractInput], documents: int) -> Iterator[Result]:
        """One result per input (``documents`` of them), in the order tasks complete. A task holds
        ``backfill_batch`` inputs, or fewer when there are too few for every worker to get several."""
        size = max(1, min(self.batch, math.ceil(documents / (TASKS_PER_WORKER * self.workers))))
        owners: dict[Key, list[str]] = {}  # the document ids of each task in flight

        def submit(batch: list[ExtractInput]) -> Future:
            future = self.client.submit(_extract, batch, pure=False)
            owners[future.key] = [item.document_id for item in batch]
            return future

        todo = (submit(batch) for batch in batches(inputs, size))
        running = as_completed(list(islice(todo, IN_FLIGHT * self.workers)), loop=self.client.loop)
        for future in running:
            results = _outcome(future, owners.pop(future.key))
            running.update(islice(todo, 1))  # the next task starts while this one's results are saved
            yield from results


def _outcome(future: Future, document_ids: list[str]) -> list[Result]:
    """A task's results; when it killed every worker that ran it (the scheduler gives up after
    ``distributed.scheduler.allowed-failures`` deaths), a failure for each of its documents. Losing the
    scheduler stops the run."""
    try:
        results: list[Result] = future.result()
    except KilledWorker:
        return [ExtractFailure(d, KILLED) for d in document_ids]
    except (FutureCancelledError, CommClosedError) as lost:  # the scheduler went away mid-run
        raise ClusterUnavailable(f"lost the Dask scheduler mid-run: {lost}",
                                 hint="what was saved is kept: run the command again once the scheduler is back, "
                                 "and it extracts the rest") from None
    finally:
        future.release()
    return results


@contextmanager
def _client(settings: Settings) -> Iterator[Client]:
    if not settings.backfill_scheduler:
        with local_cluster(settings.backfill_workers) as cluster, Client(cluster, set_as_default=False) as client:
            yield client
        return
    with _connect(settings.backfill_scheduler) as client:
        _await_workers(client, settings.backfill_scheduler)
        yield client


@contextmanager
def local_cluster(workers: int) -> Iterator[LocalCluster]:
    """``workers`` worker processes of one thread each, everything on 127.0.0.1: no dashboard, and the
    scheduler's HTTP endpoint (health, metrics) on a free loopback port. Stopped on leaving."""
    with _worker_processes(), LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None,
                                           scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                           silence_logs=logging.ERROR) as cluster:
        yield cluster


@contextmanager
def _worker_processes() -> Iterator[None]:
    """How the local cluster's workers start. They fork from a server that imported Dask, spaCy and the command's
    main module once, rather than each new interpreter importing them again (seconds per worker). And without
    the MALLOC_TRIM_THRESHOLD_ Dask gives its workers (64 KiB): glibc then returns memory to the system so
    often that spaCy spends some 15 % more CPU time in the kernel (docs/backfill.md, "Memory"). And without Dask's
    sampling profiler, which takes the interpreter every 10 ms to walk the running task's stack (some 3 % of the
    workers' rate: docs/backfill.md, "Scaling")."""
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver",
                          "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                          "distributed.worker.profile.enabled": False}):
        get_mp_context()  # Dask sets its own preload on the first call: ours replaces it
        multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
        yield


def _connect(address: str) -> Client:
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {err}",
                                 hint="start it with `dask scheduler`, or fix the backfill_scheduler setting "
                                      "(--scheduler); leave it empty for a local cluster") from None


def _await_workers(client: Client, address: str) -> None:
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
    except TimeoutError:
        raise ClusterUnavailable(f"no Dask worker joined the scheduler at {address} in {WORKERS_TIMEOUT} s",
                                 hint=f"start workers with `dask worker {address}` on machines with forewarn "
                                      "installed") from None


def _one_version(client: Client) -> str:
    """The workers' extractor version; they must all run the same (results record it)."""
    versions: set[str] = set(client.run(_version).values())
    if len(versions) != 1:
        raise ConfigError(f"the Dask workers run different extractors: {', '.join(sorted(versions))}",
                          hint="install the same forewarn, model, lexicon and dictionaries on every worker")
    return versions.pop()


def _unregister(client: Client) -> None:
    """Free the workers' memory of the model (a scheduler's workers live on); best effort."""
    with suppress(Exception):
        client.unregister_worker_plugin(PLUGIN)
