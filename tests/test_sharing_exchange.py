"""Deconfliction between installations by file (forewarn.sharing.exchange): exact intersection, nothing
else in the files, padded sizes, cardinality mode, refusals with codes, the rate limit."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from forewarn.errors import Code, ForewarnError, RateLimited
from forewarn.sharing import exchange as ex


def _sets(n_a: int, n_b: int, common: int, seed: int = 7) -> tuple[set[str], set[str]]:
    rng = random.Random(seed)
    pool = [f"phone:+7{rng.randrange(10**9, 10**10)}" for _ in range(n_a + n_b)]
    pool = list(dict.fromkeys(pool))
    a = set(pool[:n_a])
    b = set(pool[n_a - common:n_a - common + n_b])
    return a, b


def _round(a: set[str], b: set[str], mode: str = "intersection") -> tuple[str, str, ex.Result]:
    request, state = ex.request_exchange(b, exchange_id="x-1", peer="B", mode=mode)
    request_text, state_text = ex.dumps(request), ex.dumps(ex.state_doc(state))
    response_text = ex.dumps(ex.answer_exchange(ex.loads(request_text), a, peer="A"))
    return request_text, response_text, ex.finish_exchange(ex.read_state(ex.loads(state_text)), ex.loads(response_text))


def test_the_requester_learns_exactly_the_intersection() -> None:
    a, b = _sets(1500, 900, 120)
    result = _round(a, b)[2]
    assert result.keys == frozenset(a & b) and result.size == 120 == len(a & b)


def test_disjoint_and_empty_sets_give_nothing() -> None:
    assert _round({"plate:a1"}, {"plate:b2"})[2].keys == frozenset()
    assert _round(set(), {"plate:b2"})[2].size == 0


def test_no_plain_key_in_any_file_and_sizes_are_padded() -> None:
    a, b = _sets(1500, 900, 120)
    request_text, response_text, _ = _round(a, b)
    for text in (request_text, response_text):
        assert not any(k in text or k.split(":", 1)[1] in text for k in a | b)
    request, response = json.loads(request_text), json.loads(response_text)
    assert (request["size"], response["size"]) == (1024, 1728)
    assert set(request) == {"format", "version", "kind", "exchange_id", "peer", "mode", "size", "payload"}


def test_two_sets_in_one_bucket_give_files_of_the_same_size() -> None:
    small, large = _round({"x:1"}, {"y:1"})[:2], _round({f"x:{i}" for i in range(1000)}, {"y:1"})[:2]
    assert [len(t) for t in small] == [len(t) for t in large]


def test_cardinality_mode_gives_only_the_count() -> None:
    a, b = _sets(1100, 1100, 37)
    result = _round(a, b, mode="cardinality")[2]
    assert (result.size, result.keys, result.mode) == (37, None, "cardinality")


def test_a_responder_may_refuse_to_reveal_the_intersection() -> None:
    request, _ = ex.request_exchange({"a"}, exchange_id="x", peer="B")
    with pytest.raises(ForewarnError) as err:
        ex.answer_exchange(request, {"a"}, peer="A", allow_reveal=False)
    assert err.value.code is Code.INVALID_ARGUMENT and "size only" in err.value.message


def _bad_requests() -> list[Any]:
    good, _ = ex.request_exchange({"a", "b"}, exchange_id="x", peer="B")
    return [[], "text", good | {"version": 2}, good | {"format": "misp"}, good | {"kind": "response"},
            good | {"size": 1000}, good | {"size": 1 << 22}, good | {"mode": "all"}, good | {"payload": "@@@"},
            good | {"payload": "AAAA"}, {k: v for k, v in good.items() if k != "exchange_id"},
            good | {"size": 2048}]


@pytest.mark.parametrize("doc", _bad_requests())
def test_malformed_or_foreign_files_are_refused_with_a_code(doc: Any) -> None:
    with pytest.raises(ForewarnError) as err:
        ex.answer_exchange(doc, {"a"}, peer="A")
    assert err.value.code is Code.INVALID_ARGUMENT and err.value.hint


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(ForewarnError) as err:
        ex.loads(b"\xff{")
    assert err.value.code is Code.INVALID_ARGUMENT


def test_a_response_to_another_exchange_or_tampered_is_refused() -> None:
    request, state = ex.request_exchange({"a"}, exchange_id="x", peer="B")
    response = ex.answer_exchange(request, {"a"}, peer="A")
    other, _ = ex.request_exchange({"a"}, exchange_id="y", peer="B")
    for doc in (ex.answer_exchange(other, {"a"}, peer="A"), response | {"setup": "AAAA"}, response | {"setup": 3},
                response | {"kind": "request"}, response | {"mode": "cardinality"}):
        with pytest.raises(ForewarnError) as err:
            ex.finish_exchange(state, doc)
        assert err.value.code is Code.INVALID_ARGUMENT
    assert ex.finish_exchange(state, response).keys == frozenset({"a"})


def test_too_many_keys_are_refused() -> None:
    with pytest.raises(ForewarnError) as err:
        ex.request_exchange({str(i) for i in range(2000)}, exchange_id="x", peer="B", max_keys=1024)
    assert err.value.code is Code.INVALID_ARGUMENT


def test_buckets_are_four_sizes_per_doubling_from_1024() -> None:
    assert [ex.bucket(n) for n in (0, 1, 1024, 1025, 1281, 2048, 2049)] == [1024, 1024, 1024, 1280, 1472, 2048, 2496]
    sizes = [ex.bucket(1)]
    while sizes[-1] < 300_000:
        sizes.append(ex.bucket(sizes[-1] + 1))
    assert all(ex.bucket(s) == s and s % 64 == 0 for s in sizes)  # a padded size is its own bucket
    assert all(b / a <= (1.25 if a <= 4096 else 1.2) for a, b in itertools.pairwise(sizes))  # ~a fifth


def test_the_rate_limit_refuses_a_second_request_within_the_interval() -> None:
    now = datetime(2026, 1, 2, 12, tzinfo=UTC)
    past = [ex.PastExchange("B", now - timedelta(hours=3)), ex.PastExchange("C", now - timedelta(hours=30))]
    with pytest.raises(RateLimited) as err:
        ex.check_rate("B", now, past, every=timedelta(hours=24))
    assert err.value.code is Code.RATE_LIMITED and err.value.retry_after == 21 * 3600
    ex.check_rate("C", now, past, every=timedelta(hours=24))
    ex.check_rate("D", now, past, every=timedelta(hours=24))


@pytest.mark.parametrize("doc", [[], {"format": "x"}, {"format": ex.FORMAT, "version": 1, "kind": "state",
                                                        "exchange_id": "x", "mode": "intersection", "key": "@",
                                                        "keys": []}])
def test_a_malformed_state_file_is_refused(doc: Any) -> None:
    with pytest.raises(ForewarnError) as err:
        ex.read_state(doc)
    assert err.value.code is Code.INVALID_ARGUMENT
