"""Deconfliction with another installation by file (``ws.exchanges``; ``forewarn deconflict exchange``): the
selector keys a team holds (or the whole workspace's, for an admin) go through the private set intersection of
:mod:`forewarn.sharing.exchange`, and each step is recorded in this side's ledger (``deconfliction-exchanged``:
step, exchange id, peer label, mode, padded set sizes and the sha256 of the file written or read — never a
selector) and in ``deconfliction_exchanges``, which the rate limit reads (``deconfliction_exchange_hours`` per peer
and step; ``deconfliction_max_keys`` on either side). docs/sharing.md says what still leaks."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from forewarn.config import Settings
from forewarn.errors import Forbidden, InvalidArgument
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal, Role
from forewarn.sharing import exchange as psi
from forewarn.store import SqlStore
from forewarn.store import deconfliction as q

KIND = "deconfliction-exchanged"


@dataclass(frozen=True)
class Found:
    """What the requester learns: the number in common and, in intersection mode, the keys (each with the form
    the asker's teams wrote it in, when they hold it)."""

    exchange_id: str
    mode: str
    size: int
    keys: tuple[tuple[str, str], ...] | None


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ExchangeDesk:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService

    def request(self, peer: str, team: str | None, mode: str = "intersection",
                exchange_id: str | None = None) -> tuple[str, str]:
        """Step 1: the request file's text (to send) and the state file's text (to keep: it holds the keys)."""
        peer, xid = _label(peer), exchange_id or secrets.token_hex(8)
        with self.store.transaction() as conn:
            keys = self._keys(conn, team)
            self._check_rate(conn, peer, "request")
            doc, state = psi.request_exchange(keys, exchange_id=xid, peer=peer, mode=mode, max_keys=self._max())
            text = psi.dumps(doc)
            self._record(conn, xid, "request", peer, mode, doc["size"], None, text)
            return text, psi.dumps(psi.state_doc(state))

    def answer(self, request_text: str, peer: str, team: str | None, allow_reveal: bool = True) -> str:
        """Step 2: the response file's text for a peer's request (refused within the rate limit)."""
        peer = _label(peer)
        doc = psi.loads(request_text)
        with self.store.transaction() as conn:
            keys = self._keys(conn, team)
            self._check_rate(conn, peer, "answer")
            answer = psi.answer_exchange(doc, keys, peer=peer, allow_reveal=allow_reveal, max_keys=self._max())
            text = psi.dumps(answer)
            self._record(conn, answer["exchange_id"], "answer", peer, answer["mode"], answer["size"], doc["size"],
                         request_text)
            return text

    def finish(self, state_text: str, response_text: str) -> Found:
        """Step 3: what the two sides hold in common (or how many), from the kept state and the peer's response."""
        self.who.require(Role.ANALYST, "finish a deconfliction exchange")
        state, doc = psi.read_state(psi.loads(state_text)), psi.loads(response_text)
        result = psi.finish_exchange(state, doc)
        with self.store.transaction() as conn:
            self._record(conn, result.exchange_id, "finish", _label(str(doc.get("peer", ""))), result.mode,
                         len(state.keys), doc.get("size"), response_text)
            shown = q.held_keys(conn, self.store.teams_of(self.who.name))
        keys = None if result.keys is None else tuple((k, shown.get(k, k)) for k in sorted(result.keys))
        return Found(result.exchange_id, result.mode, result.size, keys)

    def _keys(self, conn: Connection, team: str | None) -> list[str]:
        """The selector keys exported: a team's (analyst or above, a member), or every team's (an admin); not the
        canonical entity ids, which mean something only inside this workspace (their names go)."""
        return [k for k in self._held(conn, team) if ":id:" not in k]

    def _held(self, conn: Connection, team: str | None) -> list[str]:
        self.who.require(Role.ANALYST, "exchange selectors with another installation")
        if team is None:
            self.who.require(Role.ADMIN, "exchange the whole workspace's selectors")
            return sorted(q.held_keys(conn, None))
        name = team.strip().lower()
        if name not in self.store.teams_of(self.who.name):
            raise Forbidden(f"{self.who.name} is not a member of team {name!r}",
                            hint="a team's members exchange its selectors (an admin: the whole workspace)")
        return sorted(q.held_keys(conn, [name]))

    def _max(self) -> int:
        return self.settings.deconfliction_max_keys

    def _check_rate(self, conn: Connection, peer: str, step: str) -> None:
        hours = self.settings.deconfliction_exchange_hours
        if hours:
            past = [psi.PastExchange(r.peer, r.at) for r in q.exchanges_with(conn, peer, step)]
            psi.check_rate(peer, self.clock(), past, every=timedelta(hours=hours))

    def _record(self, conn: Connection, xid: str, step: str, peer: str, mode: str, own: int, other: Any,
                text: str) -> None:
        peer_size = other if isinstance(other, int) and not isinstance(other, bool) else None
        row = {"exchange_id": xid[:64], "step": step, "peer": peer, "mode": mode, "own_size": own,
               "peer_size": peer_size, "file_sha256": sha256(text), "at": self.clock(), "actor": self.who.name}
        q.record_exchange(conn, row)
        self.ledger.append(conn, KIND, f"deconfliction-exchange:{xid[:64]}", {
            k: row[k] for k in ("exchange_id", "step", "peer", "mode", "own_size", "peer_size", "file_sha256")})


def _label(peer: str) -> str:
    name = " ".join(peer.split())
    if not name or len(name) > 128:
        raise InvalidArgument(f"peer label {peer[:40]!r} must be 1 to 128 characters",
                              hint="name the other installation, e.g. --peer agency-b")
    return name


def found_json(f: Found) -> dict[str, Any]:
    return {"exchange_id": f.exchange_id, "mode": f.mode, "size": f.size,
            "keys": None if f.keys is None else [{"key": k, "selector": s} for k, s in f.keys]}
