"""Helpers for the warning tests: hand-built scenarios and assessments, a ledger chain check,
and local receivers (HTTP, SMTP) on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select

from forewarn.app import Workspace
from forewarn.ledger import GENESIS, entry_hash
from forewarn.model import Assessment, Indicator, IndicatorKind, Region, Scenario, Signal, SignalKind, Threshold
from forewarn.store import schema as t
from forewarn.warn import verify_signature

THRESHOLDS = (Threshold("elevated", 0.3), Threshold("high", 0.6), Threshold("critical", 0.85, ack_minutes=5))


def scenario(chain: Sequence[str] = ("alice", "bob", "carol"), sid: str = "build-up") -> Scenario:
    indicator = Indicator("armour", "Armour moving to the border", IndicatorKind.EVENTS, 3.0, 7.0)
    return Scenario(id=sid, name="Border build-up", description="test", region=Region(countries=("RUS",)),
                    horizon_days=30, prior=0.05, indicators=(indicator,), thresholds=THRESHOLDS, owner=chain[0],
                    escalation=tuple(chain[1:]), version="v1", source="test")


def signal(event: str, known_at: datetime, *, contribution: float = 1.1, counted: bool = True,
           doc: str | None = None) -> Signal:
    return Signal(indicator_id="armour", kind=SignalKind.EVENT, observed_on=known_at.date() - timedelta(days=1),
                  known_at=known_at, source_ids=("src-" + event,), reliability="B", event_ids=(event,),
                  document_ids=(doc or "doc-" + event,), strength=1.0, decay=1.0, contribution=contribution,
                  counted=counted, evidence=f"Tanks seen near the border ({event}).")


def assessment(sc: Scenario, probability: float, at: datetime, signals: Sequence[Signal] = ()) -> Assessment:
    return Assessment(scenario_id=sc.id, scenario_version=sc.version, at=at, prior=sc.prior, log_odds=0.0,
                      probability=probability, level=sc.level_of(probability), signals=tuple(signals))


def chain_problems(ws: Workspace) -> list[str]:
    """Recompute the ledger's hash chain; an empty list when it is intact."""
    problems: list[str] = []
    prev, last_at, expected_seq = GENESIS, None, 1
    with ws.store.engine.connect() as conn:
        for r in conn.execute(select(t.ledger).order_by(t.ledger.c.seq)):
            if r.seq != expected_seq:
                problems.append(f"seq {r.seq}: expected {expected_seq}")
            if r.prev_hash != prev:
                problems.append(f"seq {r.seq}: prev_hash does not chain")
            if entry_hash(r.seq, r.at, r.actor, r.kind, r.subject, r.payload, r.prev_hash) != r.hash:
                problems.append(f"seq {r.seq}: hash does not match")
            if last_at is not None and r.at < last_at:
                problems.append(f"seq {r.seq}: earlier than its predecessor")
            prev, last_at, expected_seq = r.hash, r.at, r.seq + 1
    return problems


def assert_ledger_intact(ws: Workspace) -> None:
    assert chain_problems(ws) == []
    report = ws.ledger.verify()  # the ledger's own check
    assert report.ok, report.problems


def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    host: str
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


@dataclass
class Received:
    event: str
    delivery: str
    timestamp: str
    signature: str | None
    body: bytes
    valid: bool

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: answers with ``statuses`` in turn (then 200) and checks the HMAC."""

    secret: str
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""


@contextmanager
def webhook_receiver(secret: str, statuses: Sequence[int] = ()) -> Iterator[Receiver]:
    receiver = Receiver(secret, list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ts = self.headers["X-Forewarn-Timestamp"]
            sig = self.headers.get("X-Forewarn-Signature")
            receiver.received.append(Received(self.headers["X-Forewarn-Event"], self.headers["X-Forewarn-Delivery"],
                                              ts, sig, body, verify_signature(secret, ts, body, sig)))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
