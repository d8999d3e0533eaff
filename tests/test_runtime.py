"""The collector around long runs (forewarn.runtime): a paused block has no automatic collection and the collector
comes back after it, also when it fails; nested and concurrent blocks share one pause that ends with the last; a
collector someone else turned off stays off. And settle freezes what start-up made. (That replays and post-mortems
run paused: tests/review/test_narrowed_read.py.)"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from forewarn.runtime import collector_paused, settle


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_a_paused_block_and_nested_ones() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a failed replay")
    assert gc.isenabled()


def test_concurrent_blocks_share_the_pause() -> None:
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(5)
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's block still runs
    release.set()
    thread.join()
    assert gc.isenabled()


def test_a_collector_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_settle_freezes_what_is_alive() -> None:
    before = gc.get_freeze_count()
    kept: list[list[int]] = [[] for _ in range(10)]  # tracked by the collector
    settle()
    assert gc.get_freeze_count() >= before + 10
    del kept
