"""Watch latency: from a report written into a watched folder to the warning in the store and the
signed webhook received on 127.0.0.1, through the real ``forewarn watch`` process.

Set-up, per backend (SQLite in a temporary directory; PostgreSQL too when FOREWARN_BENCH_PG_URL is
set, in a fresh schema dropped afterwards): --drops scenarios ``drop-01`` … ``drop-NN``, each with one
MOBILIZE indicator (weight 60, prior 0.01) restricted to a keyword of its own (``kestrel07``), and one
folder source of reliability A. One report from that source ("Russian forces massed tanks near Sumy
on <today>, residents said, in what locals call operation kestrel07.") makes a MOBILIZE event in
Ukraine whose evidence holds the keyword: probability 0.38, over the elevated threshold 0.2, so
scenario drop-i rises and a warning is raised for each drop i and for no other scenario. Each report
also carries a line of words drawn at random (seeded): otherwise the drops would be near-duplicates
of one another, and a near-duplicate joins the story it copies instead of counting as a new one. The
workspace therefore watches --drops scenarios (50 by default) and the default scenarios besides, whose
claim and mentions indicators make every cycle read the claims and the stories of their windows, and
every poll assesses all of them: a realistic load, not a one-scenario best case.

Method: ``python -m forewarn --db URL watch --interval S`` runs as a child process with
FOREWARN_EXTRACT=true and the webhook (HMAC secret) pointing at a receiver in this process. Once its
first cycle published assessments, a warm-up report that matches no scenario is dropped and
extracted (spaCy loads then; not counted). Then, one after another, after a pause of 0 to
--max-pause seconds (seeded, so that drops do not line up with the poll phase), report i is written
next to the folder and moved into it with ``os.replace`` (one atomic rename); t0 is taken right after.

  store     until a read-only workspace on the same database, queried every 10 ms, sees a warning
            of scenario drop-i
  webhook   until the receiver got the signed "raised" notification of that warning (arrival time
            taken in the request handler; the HMAC is checked)

Both are reported as median, p95 (``statistics.quantiles``, n=20, inclusive) and max over the
drops. Target: p95 ≤ 1 s. The warning of drop-i is raised when the cycle reaches scenario drop-i
(scenarios are assessed in id order), so the store latency grows with i; the webhook goes out once
the whole cycle is done.

Baseline, measured in the same run on a second workspace of the same backend with the same
scenarios and the same drops: the work the watcher does for one document, in-process and without
waiting for a poll — ``Workspace.ingest`` of the folder (reading, deduplication, extraction with the
model already loaded), then ``run_cycle`` (assessing every scenario, raising the warning, delivering
the webhook); the median over every drop, so that the store grows as it does in the watch. After
each drop one more ``run_cycle`` finds nothing new: the idle cycle, which is what the watch is busy
with when a report lands. The ratio is the latency over the work; above 1 is the wait for the next
poll (on average half an idle cycle plus half the interval, printed as the expected latency) and the
noise of two processes sharing the machine. The watch is stopped with SIGTERM at the end: its exit
status must be 0 and its ledger must verify.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from pgschemas import pg_schemas

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.cycle import run_cycle
from forewarn.detect.scenarios import default_scenarios
from forewarn.model import Reliability, SourceKind
from forewarn.model.query import EventQuery
from forewarn.warn import verify_signature

SECRET = "bench-watch-latency"
TARGET_P95 = 1.0  # seconds (issue 14)
POLL = 0.01  # seconds between store queries while waiting for a warning
TIMEOUT = 120.0  # seconds to wait for any one step before giving up
SCENARIO = """\
id: drop-{tag}
name: Drop {tag}
region:
  countries: [UKR]
horizon_days: 14
prior: 0.01
owner: duty-officer
indicators:
  - id: armour
    name: Troops and armour massing
    types: [MOBILIZE]
    keywords: [kestrel{tag}]
    weight: 60
    half_life_days: 7
"""
REPORT = """\
Title: Report {tag}

Russian forces massed tanks near Sumy on {day}, residents said, in what locals call operation kestrel{tag}.

Inventory: {filler}.
"""
WORDS = ("apple", "basket", "bottle", "blanket", "bread", "brush", "bucket", "butter", "button", "cabbage", "candle",
         "carpet", "carrot", "chair", "cheese", "cherry", "coffee", "cotton", "cup", "cushion", "desk", "drawer",
         "envelope", "flour", "fork", "garden", "glove", "hat", "honey", "jacket", "jar", "jam", "kettle", "kitchen",
         "ladder", "lamp", "leaf", "lemon", "linen", "melon", "milk", "mirror", "napkin", "needle", "noodle",
         "notebook", "olive", "onion", "orange", "oven", "paper", "parsley", "peach", "pear", "pencil", "pepper",
         "pillow", "plate", "plum", "pocket", "potato", "pumpkin", "radio", "ribbon", "rice", "ruler", "saucer",
         "scarf", "shelf", "soap", "sock", "soup", "spoon", "stamp", "stool", "sugar", "table", "tea", "teapot",
         "thread", "tomato", "towel", "tray", "tulip", "umbrella", "vase", "wallet", "walnut", "window", "wool",
         "yarn")


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: arrival time (monotonic) of each "raised" notification, by
    URL path and scenario; whether every signature checked out."""

    arrived: dict[tuple[str, str], float] = field(default_factory=dict)
    invalid: int = 0
    received: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                at = time.monotonic()
                valid = verify_signature(SECRET, self.headers["X-Forewarn-Timestamp"], body,
                                         self.headers["X-Forewarn-Signature"])
                payload = json.loads(body)
                with receiver.changed:  # before answering: the sender may look right after
                    receiver.received += 1
                    receiver.invalid += not valid
                    if payload["event"] == "raised":
                        receiver.arrived.setdefault((self.path, str(payload["warning"]["scenario"])), at)
                    receiver.changed.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def wait(self, key: tuple[str, str], seconds: float = TIMEOUT) -> float:
        with self.changed:
            if not self.changed.wait_for(lambda: key in self.arrived, seconds):
                raise TimeoutError(f"no webhook for {key} within {seconds:.0f} s")
            return self.arrived[key]


@contextmanager
def serve(receiver: Receiver) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Drops:
    """The scenario files, the folder and the reports of one workspace."""

    def __init__(self, root: Path, n: int, seed: int) -> None:
        self.root, self.n = root, n
        self.width = max(2, len(str(n)))
        self.inbox, self.staging = root / "inbox", root / "staging"
        self.inbox.mkdir(parents=True)
        self.staging.mkdir()
        self.rng = random.Random(seed)

    def tag(self, i: int) -> str:
        return f"{i:0{self.width}d}"

    def scenario_files(self) -> list[Path]:
        paths = []
        for i in range(1, self.n + 1):
            path = self.root / f"drop-{self.tag(i)}.yaml"
            path.write_text(SCENARIO.format(tag=self.tag(i)), encoding="utf-8")
            paths.append(path)
        return paths

    def drop(self, i: int) -> float:
        """Write report i (0: the warm-up, matching no scenario) and move it into the folder; the
        monotonic time right after the move."""
        day = datetime.now(UTC).strftime("%d %B %Y")
        filler = " ".join(self.rng.sample(WORDS, 40))
        staged = self.staging / f"report-{self.tag(i)}.txt"
        staged.write_text(REPORT.format(tag=self.tag(i), day=day, filler=filler), encoding="utf-8")
        os.replace(staged, self.inbox / staged.name)
        return time.monotonic()


def path_of(url: str) -> str:
    return urlsplit(url).path


def prepare(url: str, drops: Drops) -> str:
    """The scenarios and the folder source; returns the source id."""
    with Workspace.open(Settings(database_url=url, actor="setup", extract=False)) as ws:
        ws.scenarios.add_many(drops.scenario_files(), defaults=[s.id for s in default_scenarios()])
        return ws.sources.add("inbox", str(drops.inbox), kind=SourceKind.TEXT, reliability=Reliability.A).id


def wait_for(condition: Callable[[], object], what: str, seconds: float = TIMEOUT, pause: float = 0.1) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(pause)


@dataclass(frozen=True)
class Baseline:
    ingest: list[float]  # Workspace.ingest (read, dedup, extract) of one new document
    cycle: list[float]  # run_cycle after it (assess all, raise, deliver)
    idle: list[float]  # run_cycle right after that, nothing new

    @property
    def work(self) -> float:
        return statistics.median(a + b for a, b in zip(self.ingest, self.cycle, strict=True))


def baseline(url: str, root: Path, args: argparse.Namespace, receiver: Receiver, hook: str) -> Baseline:
    drops = Drops(root, args.drops, args.seed + 1)
    source = prepare(url, drops)
    settings = Settings(database_url=url, actor="baseline", extract=True, webhook_url=f"{hook}/baseline",
                        webhook_secret=SECRET)
    ingest, cycle, idle = [], [], []
    with Workspace.open(settings) as ws:
        drops.drop(0)  # warm-up: loads the model
        ws.intake.ingest([source])
        run_cycle(ws, ws.clock())
        for i in range(1, args.drops + 1):
            drops.drop(i)
            start = time.perf_counter()
            report = ws.intake.ingest([source])
            middle = time.perf_counter()
            result = run_cycle(ws, ws.clock())
            end = time.perf_counter()
            run_cycle(ws, ws.clock())
            idle.append(time.perf_counter() - end)
            assert report.new == 1, report
            assert [w.scenario_id for w in result.warnings] == [f"drop-{drops.tag(i)}"], result.warnings
            receiver.wait((f"{path_of(hook)}/baseline", f"drop-{drops.tag(i)}"), 0)  # delivered within the cycle
            ingest.append(middle - start)
            cycle.append(end - middle)
    return Baseline(ingest, cycle, idle)


@dataclass(frozen=True)
class WatchRun:
    store: list[float]
    webhook: list[float]
    returncode: int
    ledger: str
    ledger_ok: bool
    polls: str


def watch(url: str, root: Path, args: argparse.Namespace, receiver: Receiver, hook: str) -> WatchRun:
    drops = Drops(root, args.drops, args.seed)
    prepare(url, drops)
    env = {**os.environ, "FOREWARN_EXTRACT": "true", "FOREWARN_WEBHOOK_URL": f"{hook}/watch",
           "FOREWARN_WEBHOOK_SECRET": SECRET, "FOREWARN_ACTOR": "watch"}
    log_out, log_err = root / "watch.out", root / "watch.err"
    rng = random.Random(args.seed)
    store, webhook = [], []
    with open(log_out, "w") as out, open(log_err, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "forewarn", "--db", url, "watch", "--interval",
                                 str(args.interval)], env=env, stdout=out, stderr=err)
    reader = Workspace.open(Settings(database_url=url, actor="bench", extract=False))

    def running() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"forewarn watch exited with {proc.returncode}:\n{log_err.read_text()}")
        return True

    try:
        wait_for(lambda: running() and reader.ledger.entries(kind="assessment-published"), "the first cycle")
        drops.drop(0)
        wait_for(lambda: running() and reader.reads.count_events(EventQuery(limit=None)) > 0,
                 "the warm-up report's extraction")
        time.sleep(1.0)  # the warm-up's cycle ends
        for i in range(1, args.drops + 1):
            time.sleep(rng.uniform(0, args.max_pause))
            scenario = f"drop-{drops.tag(i)}"
            t0 = drops.drop(i)
            deadline = t0 + TIMEOUT
            while not reader.warnings.board(scenario_id=scenario):
                if time.monotonic() > deadline and running():
                    raise TimeoutError(f"no warning for {scenario} within {TIMEOUT:.0f} s")
                time.sleep(POLL)
            store.append(time.monotonic() - t0)
            webhook.append(receiver.wait((f"{path_of(hook)}/watch", scenario)) - t0)
            if args.progress:
                print(f"  {scenario}: store {store[-1]:.3f} s, webhook {webhook[-1]:.3f} s", file=sys.stderr)
    finally:
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=TIMEOUT)
    try:
        report = reader.ledger.verify()
    finally:
        reader.close()
    stopped = [line for line in log_err.read_text().splitlines() if "watch stopped" in line]
    if returncode != 0:
        print(log_err.read_text(), file=sys.stderr)
    return WatchRun(store, webhook, returncode, report.summary(), report.ok, stopped[-1] if stopped else "")


@dataclass(frozen=True)
class Row:
    label: str
    value: float
    baseline: float
    target: float | None = None


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def backend(name: str, fresh: Callable[[], str], args: argparse.Namespace, work: Path, receiver: Receiver,
            hook: str) -> list[Row]:
    hook = f"{hook}/{name.lower()}"  # one receiver for every backend: its paths keep them apart
    base = baseline(fresh(), work / f"{name}-baseline", args, receiver, hook)
    run = watch(fresh(), work / f"{name}-watch", args, receiver, hook)
    idle = statistics.median(base.idle)
    print(f"{name}: work per document (in-process, median of {len(base.ingest)}): "
          f"{statistics.median(base.ingest):.3f} s ingest+extract + {statistics.median(base.cycle):.3f} s cycle "
          f"= {base.work:.3f} s; idle cycle {idle:.3f} s; expected webhook latency (idle cycle + interval) / 2 "
          f"+ work = {(idle + args.interval) / 2 + base.work:.3f} s")
    print(f"{name}: watch exit status {run.returncode} ({run.polls}); ledger: {run.ledger}")
    assert run.returncode == 0 and run.ledger_ok, "the watch did not stop cleanly or its ledger does not verify"
    if args.json:
        raw = json.loads(args.json.read_text()) if args.json.exists() else {}
        raw[name] = {"store": run.store, "webhook": run.webhook, "ingest": base.ingest, "cycle": base.cycle,
                     "idle": base.idle}
        args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    w = base.work
    return [Row(f"store median → {name}", statistics.median(run.store), w),
            Row(f"store p95 → {name}", p95(run.store), w, TARGET_P95),
            Row(f"store max → {name}", max(run.store), w),
            Row(f"webhook median → {name}", statistics.median(run.webhook), w),
            Row(f"webhook p95 → {name}", p95(run.webhook), w, TARGET_P95),
            Row(f"webhook max → {name}", max(run.webhook), w)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drops", type=int, default=50, help="reports dropped (and scenarios watched)")
    parser.add_argument("--interval", type=float, default=0.2, help="forewarn watch --interval (seconds)")
    parser.add_argument("--max-pause", type=float, default=0.3, help="longest random pause between drops (s)")
    parser.add_argument("--seed", type=int, default=20240812)
    parser.add_argument("--progress", action="store_true", help="print each drop's latencies as they come")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    args = parser.parse_args()
    if args.drops < 2:
        parser.error("need --drops ≥ 2")
    if args.json and args.json.exists():
        args.json.unlink()
    pg_url = os.environ.get("FOREWARN_BENCH_PG_URL", "")
    print(f"{args.drops} drops into a watched folder, {args.drops} scenarios watched and the "
          f"{len(default_scenarios())} default ones, "
          f"forewarn watch --interval {args.interval}; {os.cpu_count()} CPUs\n")
    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="forewarn-bench-") as tmp, serve(receiver) as hook:
        work = Path(tmp)
        rows = backend("SQLite", lambda: f"sqlite:///{work / uuid.uuid4().hex}.db", args, work, receiver, hook)
        if pg_url:
            with pg_schemas(pg_url) as fresh:
                rows += backend("PostgreSQL", fresh, args, work, receiver, hook)
        else:
            print("(PostgreSQL skipped: set FOREWARN_BENCH_PG_URL, e.g. to the URL scripts/postgres.sh prints)")
    assert receiver.invalid == 0, f"{receiver.invalid} webhook signatures did not verify"
    print(f"\n{receiver.received} webhooks received, every signature valid\n")
    print(f"| {'figure':28} | {'forewarn':>9} | {'baseline':>9} | unit | {'ratio':>6} | {'target':8} |")
    print(f"|{'-' * 30}|{'-' * 11}|{'-' * 11}|------|{'-' * 8}|{'-' * 10}|")
    for r in rows:
        mark = "" if r.target is None else f"≤ {r.target:g} s {'✔' if r.value <= r.target else '✗'}"
        print(f"| {r.label:28} | {r.value:9.3f} | {r.baseline:9.3f} | s    | {r.value / r.baseline:5.2f}x | {mark:8} |")
    print("\nlatency: from the report's rename into the folder to the warning in the store (seen by a 10 ms poll)"
          " / the signed webhook's arrival;\nbaseline: the in-process work per document (ingest with extraction,"
          " then one cycle over every scenario with the webhook delivered)")


if __name__ == "__main__":
    main()
