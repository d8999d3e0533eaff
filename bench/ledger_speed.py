"""Ledger speed: appending (one transaction per entry, as real actions do) and verifying a long chain.

Rows of the table, on SQLite (a fresh file) and on PostgreSQL when FOREWARN_BENCH_PG_URL is set
(make bench starts a local server):

  append    `Workspace.record` --appends times: a write transaction, the chain lock, the last
            entry read, the canonical encoding and SHA-256, the insert, the commit
            baseline: the same rows INSERTed into a plain table (no hash, no lock, no trigger,
            no index but the key), also one transaction each
  verify    `Workspace.verify_ledger` over a chain of --entries entries (built beforehand in
            batches, not timed): every hash recomputed, every link and time checked
            baseline: a plain SELECT of every row of that table (the driver, nothing else)
  verify signed   the same, every entry signed by one registered Ed25519 key (each signature checked)

The entries are comments on warnings (kind ``comment``): they chain like every entry, but change no
state, so the state cross-check of `verify` (warnings, assessments, accounts against the ledger)
has nothing to compare and the figure is the chain's own cost. Entries that stand for actions on
warnings with no warning rows behind them would be reported, rightly, as mismatches.

Each figure is the median of --repeat runs; the ratio is forewarn's figure over the baseline's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pgschemas import pg_schemas
from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, Text

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.ledger import GENESIS, canonical_payload, entry_hash
from forewarn.ledger.keys import load_signer
from forewarn.store import schema as t
from forewarn.store.types import UTCDateTime

START = datetime(2024, 8, 12, tzinfo=UTC)
BATCH = 5000
KIND = "comment"  # the kind of every benchmark entry: see the module text

plain_metadata = MetaData()
plain = Table("plain_ledger", plain_metadata,
              Column("seq", BigInteger, primary_key=True, autoincrement=False), Column("at", UTCDateTime),
              Column("actor", String(128)), Column("kind", String(32)), Column("subject", Text),
              Column("payload", Text), Column("prev_hash", String(64)), Column("hash", String(64)),
              Column("key_id", String(64)), Column("signature", String(128)))


@dataclass(frozen=True)
class Row:
    label: str
    unit: str
    value: float
    baseline: float


def payload(n: int) -> dict[str, object]:
    return {"id": n, "state": "acknowledged", "note": f"seen by the duty officer, shift {n % 3}",
            "signposts": ["armour moving west", "rail traffic"]}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def open_ws(url: str, key: Path | None = None) -> Workspace:
    settings = Settings(database_url=url, actor="bench", extract=False, signing_key=key)
    return Workspace.open(settings, clock=Clock())


def append_rate(url: str, n: int) -> float:
    with open_ws(url) as ws:
        start = time.perf_counter()
        for i in range(n):
            ws.ledger.record(KIND, f"warning:{i}", payload(i))
        return n / (time.perf_counter() - start)


def plain_rate(engine: Engine, n: int) -> float:
    plain_metadata.create_all(engine)
    rows = list(chain_rows(n))
    start = time.perf_counter()
    for row in rows:
        with engine.begin() as conn:
            conn.execute(plain.insert().values(**row))
    rate = n / (time.perf_counter() - start)
    plain_metadata.drop_all(engine)
    return rate


def chain_rows(n: int, first: int = 1, prev: str = GENESIS, sign: Callable[[bytes], str] | None = None,
               key_id: str | None = None) -> list[dict[str, object]]:
    rows = []
    for seq in range(first, first + n):
        at = START + timedelta(seconds=seq)
        text_ = canonical_payload(payload(seq))
        digest = entry_hash(seq, at, "bench", KIND, f"warning:{seq}", text_, prev)
        rows.append({"seq": seq, "at": at, "actor": "bench", "kind": KIND,
                     "subject": f"warning:{seq}", "payload": text_, "prev_hash": prev, "hash": digest,
                     "key_id": key_id, "signature": sign(bytes.fromhex(digest)) if sign else None})
        prev = digest
    return rows


def build_chain(ws: Workspace, n: int, key: Path | None) -> None:
    """Fill the ledger with n entries fast: hashes computed here, rows inserted in batches."""
    first, prev, sign, key_id = 1, GENESIS, None, None
    if key is not None:
        ws.ledger.register_key(key, generate=True)
        signer = load_signer(key)
        head = ws.ledger.entries()[0]
        first, prev, sign, key_id = 2, head.hash, signer.sign, signer.key_id
    rows = chain_rows(n - first + 1, first, prev, sign, key_id)
    for i in range(0, len(rows), BATCH):
        with ws.store.transaction() as conn:
            conn.execute(t.ledger.insert(), rows[i:i + BATCH])


def verify_times(url: str, n: int, repeat: int, key: Path | None) -> tuple[float, float]:
    with open_ws(url) as ws:
        build_chain(ws, n, key)
        times, base = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            report = ws.ledger.verify()
            times.append(time.perf_counter() - start)
            assert report.ok and report.count == n, report.summary()
            start = time.perf_counter()
            with ws.store.engine.connect() as conn:
                got = len(conn.exec_driver_sql("SELECT * FROM ledger ORDER BY seq").fetchall())
            base.append(time.perf_counter() - start)
            assert got == n
        return statistics.median(times), statistics.median(base)


def backend_rows(name: str, fresh: Callable[[], str], args: argparse.Namespace, work: Path) -> list[Row]:
    appends = statistics.median(append_rate(fresh(), args.appends) for _ in range(args.repeat))
    engine = open_ws(fresh()).store.engine
    plain_ = statistics.median(plain_rate(engine, args.appends) for _ in range(args.repeat))
    engine.dispose()
    verify_s, select_s = verify_times(fresh(), args.entries, args.repeat, None)
    signed_s, select2_s = verify_times(fresh(), args.entries, args.repeat, work / f"{uuid.uuid4().hex}.pem")
    k = f"{args.entries // 1000}k"
    return [Row(f"append → {name}", "entries/s", appends, plain_),
            Row(f"verify {k} → {name}", "s", verify_s, select_s),
            Row(f"verify {k} signed → {name}", "s", signed_s, select2_s)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=2000, help="entries appended, one transaction each")
    parser.add_argument("--entries", type=int, default=100_000, help="length of the chain verified")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core (the PostgreSQL server has its own)
    pg_url = os.environ.get("FOREWARN_BENCH_PG_URL", "")
    print(f"{args.appends:,} appends, a chain of {args.entries:,} entries; one core; median of {args.repeat} runs\n")
    with tempfile.TemporaryDirectory(prefix="forewarn-bench-") as tmp:
        work = Path(tmp)
        rows = backend_rows("SQLite", lambda: f"sqlite:///{work / uuid.uuid4().hex}.db", args, work)
        if pg_url:
            with pg_schemas(pg_url) as fresh:
                rows += backend_rows("PostgreSQL", fresh, args, work)
        else:
            print("(PostgreSQL skipped: set FOREWARN_BENCH_PG_URL or run `make bench`)\n")
    print(f"{'figure':32} {'forewarn':>12} {'baseline':>12}  {'unit':10} {'ratio':>7}")
    for r in rows:
        print(f"{r.label:32} {r.value:12,.2f} {r.baseline:12,.2f}  {r.unit:10} {r.value / r.baseline:6.2f}x")
    print("\nappend baseline: plain INSERT, one transaction each; verify baseline: plain SELECT of every row")


if __name__ == "__main__":
    main()
