"""Deconfliction between two installations by file: private set intersection (PSI), no network.

Two installations each hold a set of normalised selector keys (strings). The *requester* (client) learns
which of its own keys the *responder* (server) also holds — or, in cardinality mode, only how many — and
nothing else; the responder learns nothing about the requester's keys. The protocol is the ECDH-based PSI
of OpenMined (``openmined-psi``, elliptic curve P-256): each side blinds the hashes of its keys with a
secret exponent that never leaves the machine, so a file shows only curve points that nobody without both
secrets can link to a key, and an outsider who reads every file learns nothing but sizes.

Three files, one round:

1. ``request_exchange`` (requester): the requester's keys, padded with random dummies to a bucket and
   blinded → the *request* file (shared) and a *state* (secret; it holds the requester's key and its
   plain keys: keep it at home, never send it).
2. ``answer_exchange`` (responder): reads the request; its own keys, padded and blinded with a fresh
   key → the *response* file (shared). In cardinality mode the re-blinded request is shuffled, so the
   requester can count matches but not say which.
3. ``finish_exchange`` (requester): state + response → the keys in common (or their number).

What still leaks — be precise:

- **Sizes, to a bucket.** Both sets are padded with random dummies to the next of four sizes per doubling
  from 1,024 (``bucket``: 1,024, 1,280, 1,472, 1,728, 2,048 …); each side learns the other's size only to
  within its bucket, a step of about 19 % (1,800 keys and 2,000 look alike; 1,000 and 1,500 do not).
- **The intersection, to the requester** (that is the point) — and the requester chooses its keys. A
  requester can put guesses in its request: for a small domain (phone numbers of one region, plates of one
  series) it can enumerate candidates and learn which the responder holds. PSI stops *outsiders* (anyone
  who only sees files) from testing guesses, not the peer. Defences here: the request is capped
  (``max_keys``, 1,048,576 by default: a region's phone numbers do not fit), the responder decides
  whether to reveal the intersection or only its size (``allow_reveal``), and ``check_rate`` refuses a
  second request from the same peer within a set interval. Each exchange should be ledgered on both
  sides so probing is visible afterwards.
- **Cardinality mode** leaks the count exactly; repeated requests that differ by one key would reveal
  that key's membership — the rate limit is what bounds that.
- **The responder** learns the requester's padded size, exchange id, peer name, mode and time.
- **Nothing is authenticated.** A file says which peer sent it but does not prove it; transport (signed
  media, a courier) must. A forged response can only make the requester see wrong matches.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import private_set_intersection.python as psi
from google.protobuf.message import DecodeError

from forewarn.errors import Code, ForewarnError, InvalidArgument, RateLimited

FORMAT = "forewarn-deconfliction"
VERSION = 1
MIN_BUCKET = 1024
STEPS = 4  # padded sizes per doubling: 1,024, 1,280, 1,472, 1,728, 2,048 … (about +19 % dummies at most)
MAX_KEYS = 1 << 20
MODES = ("intersection", "cardinality")
_DUMMY = "\x00dummy:"  # normalised selector keys never start with NUL, so a dummy never matches one
_HINT = "the file must come from forewarn's deconfliction exchange, version 1, for this exchange id"


@dataclass(frozen=True, slots=True)
class RequesterState:
    """The requester's secret half of an exchange: never leaves the machine (holds its plain keys)."""

    exchange_id: str
    mode: str
    key: bytes
    keys: tuple[str, ...]  # padded, in the order they were blinded


@dataclass(frozen=True, slots=True)
class Result:
    """What the requester learns: the keys in common (intersection mode) and their number."""

    exchange_id: str
    mode: str
    size: int
    keys: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class PastExchange:
    """One earlier exchange with a peer (as recorded in the ledger): for ``check_rate``."""

    peer: str
    at: datetime


def bucket(n: int) -> int:
    """The padded size for ``n`` keys: the next of ``STEPS`` sizes per doubling from ``MIN_BUCKET`` (each a
    multiple of 64), so that padding adds about a fifth at most and a size is known only to within that step."""
    k = 0
    while (size := _step(k)) < n:
        k += 1
    return size


def _step(k: int) -> int:
    return 64 * math.ceil(MIN_BUCKET * 2 ** (k / STEPS) / 64)


def padded(keys: Iterable[str], *, max_keys: int = MAX_KEYS) -> list[str]:
    """Distinct keys plus random dummies up to their bucket, shuffled; refuses more than ``max_keys``."""
    real = sorted(set(keys))
    if len(real) > max_keys:
        raise InvalidArgument(f"{len(real)} selector keys; an exchange takes at most {max_keys}",
                              hint="split the selectors or raise max_keys")
    out = real + [f"{_DUMMY}{secrets.token_hex(16)}" for _ in range(bucket(len(real)) - len(real))]
    secrets.SystemRandom().shuffle(out)
    return out


def check_rate(peer: str, now: datetime, past: Iterable[PastExchange], *, every: timedelta) -> None:
    """Refuse (RateLimited) a request from ``peer`` when its last exchange is less than ``every`` ago."""
    last = max((p.at for p in past if p.peer == peer), default=None)
    if last is not None and now - last < every:
        wait = int((last + every - now).total_seconds())
        raise RateLimited(f"peer {peer!r} exchanged at {last.isoformat()}; next exchange from {wait} s on",
                          retry_after=wait, hint="answer one request per peer per interval")


def request_exchange(keys: Iterable[str], *, exchange_id: str, peer: str, mode: str = "intersection",
                     max_keys: int = MAX_KEYS) -> tuple[dict[str, Any], RequesterState]:
    """Step 1 (requester): the request document to send, and the state to keep secret."""
    _check_mode(mode)
    items = padded(keys, max_keys=max_keys)
    client = psi.client.CreateWithNewKey(mode == "intersection")
    request = client.CreateRequest(items)
    doc = _header("request", exchange_id, peer, mode, len(items)) | {"payload": _b64(request)}
    return doc, RequesterState(exchange_id, mode, bytes(client.GetPrivateKeyBytes()), tuple(items))


def answer_exchange(request_doc: Any, keys: Iterable[str], *, peer: str, allow_reveal: bool = True,
                    max_keys: int = MAX_KEYS) -> dict[str, Any]:
    """Step 2 (responder): the response document for a request, built with a fresh secret key."""
    head = _read_header(request_doc, "request", max_keys=max_keys)
    if head["mode"] == "intersection" and not allow_reveal:
        raise InvalidArgument("the request asks for the intersection; this side answers with its size only",
                              hint="ask again with mode 'cardinality'")
    request = _parse(psi.Request(), request_doc["payload"])
    if len(request.encrypted_elements) != head["size"] or request.reveal_intersection != (
            head["mode"] == "intersection"):
        raise InvalidArgument("the request's payload does not match its header", hint=_HINT)
    items = padded(keys, max_keys=max_keys)
    server = psi.server.CreateWithNewKey(head["mode"] == "intersection")
    setup = server.CreateSetupMessage(0.0, len(items), items, psi.DataStructure.RAW)
    response = server.ProcessRequest(request)
    return _header("response", head["exchange_id"], peer, head["mode"], len(items)) | {
        "setup": _b64(setup), "payload": _b64(response)}


def finish_exchange(state: RequesterState, response_doc: Any) -> Result:
    """Step 3 (requester): the keys in common (or, in cardinality mode, only their number)."""
    head = _read_header(response_doc, "response", max_keys=MAX_KEYS)
    if head["exchange_id"] != state.exchange_id or head["mode"] != state.mode:
        raise InvalidArgument(f"the response is for exchange {head['exchange_id']!r} ({head['mode']}), "
                              f"not {state.exchange_id!r} ({state.mode})", hint=_HINT)
    setup = _parse(psi.ServerSetup(), response_doc.get("setup"))
    response = _parse(psi.Response(), response_doc["payload"])
    if len(response.encrypted_elements) != len(state.keys):
        raise InvalidArgument("the response does not answer this request (wrong number of elements)", hint=_HINT)
    client = psi.client.CreateFromKey(state.key, state.mode == "intersection")
    if state.mode == "cardinality":
        return Result(state.exchange_id, state.mode, _call(client.GetIntersectionSize, setup, response), None)
    found = frozenset(state.keys[i] for i in _call(client.GetIntersection, setup, response))
    real = frozenset(k for k in found if not k.startswith(_DUMMY))
    return Result(state.exchange_id, state.mode, len(real), real)


def state_doc(state: RequesterState) -> dict[str, Any]:
    """The requester's state as a document, for a file that stays at home (it holds the plain keys)."""
    return {"format": FORMAT, "version": VERSION, "kind": "state", "exchange_id": state.exchange_id,
            "mode": state.mode, "key": base64.b64encode(state.key).decode("ascii"), "keys": list(state.keys)}


def read_state(doc: Any) -> RequesterState:
    """The requester's state back from ``state_doc``; refuses a foreign or malformed one (INVALID_ARGUMENT)."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION \
            or doc.get("kind") != "state" or not isinstance(doc.get("exchange_id"), str):
        raise InvalidArgument("not a forewarn deconfliction state file of version 1", hint=_HINT)
    _check_mode(doc.get("mode"))
    keys = doc.get("keys")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys) or not isinstance(doc.get("key"), str):
        raise InvalidArgument("the state file's keys are malformed", hint=_HINT)
    try:
        key = base64.b64decode(doc["key"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidArgument(f"the state file's key cannot be read: {exc}", hint=_HINT) from exc
    return RequesterState(doc["exchange_id"], doc["mode"], key, tuple(keys))


def dumps(doc: dict[str, Any]) -> str:
    """An exchange document as the text of its file (JSON, keys sorted)."""
    return json.dumps(doc, sort_keys=True)


def loads(text: str | bytes) -> Any:
    """An exchange file's text as a document; refuses text that is not JSON (INVALID_ARGUMENT)."""
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgument(f"the exchange file is not JSON: {exc}", hint=_HINT) from exc


def _header(kind: str, exchange_id: str, peer: str, mode: str, size: int) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "kind": kind, "exchange_id": exchange_id, "peer": peer,
            "mode": mode, "size": size}


def _read_header(doc: Any, kind: str, *, max_keys: int) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise InvalidArgument("the exchange file is not a JSON object", hint=_HINT)
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise InvalidArgument(f"not a {FORMAT} file of version {VERSION} "
                              f"(format {doc.get('format')!r}, version {doc.get('version')!r})", hint=_HINT)
    if doc.get("kind") != kind:
        raise InvalidArgument(f"expected a {kind} file, got {doc.get('kind')!r}", hint=_HINT)
    for field in ("exchange_id", "peer", "payload"):
        if not isinstance(doc.get(field), str) or not doc[field]:
            raise InvalidArgument(f"the {kind} file has no {field}", hint=_HINT)
    _check_mode(doc.get("mode"))
    size = doc.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size != bucket(size) or size > bucket(max_keys):
        raise InvalidArgument(f"the {kind} file's size {size!r} is not a padded bucket (at most "
                              f"{bucket(max_keys)})", hint=_HINT)
    return doc


def _check_mode(mode: object) -> None:
    if mode not in MODES:
        raise InvalidArgument(f"unknown exchange mode {mode!r}; one of {', '.join(MODES)}", hint=_HINT)


def _b64(message: Any) -> str:
    return base64.b64encode(message.SerializeToString()).decode("ascii")


def _parse(message: Any, text: object) -> Any:
    if not isinstance(text, str):
        raise InvalidArgument("the exchange file lacks its payload", hint=_HINT)
    try:
        message.ParseFromString(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, DecodeError) as exc:
        raise InvalidArgument(f"the exchange file's payload cannot be read: {exc}", hint=_HINT) from exc
    return message


def _call(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except RuntimeError as exc:  # the library refuses points that are not on its curve
        raise ForewarnError(f"the response cannot be decoded: {exc}", hint=_HINT, code=Code.INVALID_ARGUMENT) from exc


__all__: Sequence[str] = ("PastExchange", "RequesterState", "Result", "answer_exchange", "bucket", "check_rate",
                          "dumps", "finish_exchange", "loads", "padded", "read_state", "request_exchange",
                          "state_doc")
