"""A streamed export: pieces as written, errors before the first piece raised, a reader that goes stops it."""

from __future__ import annotations

import threading
import time
from typing import IO

import pytest

from forewarn.errors import InvalidArgument
from forewarn.web import download


def test_pieces_come_in_order_and_whole() -> None:
    def export(out: IO[str]) -> None:
        for i in range(50_000):
            out.write(f"{i}\n")

    pieces = list(download.stream(export))
    assert len(pieces) > 1  # streamed, not one string
    assert "".join(pieces) == "".join(f"{i}\n" for i in range(50_000))


def test_an_error_before_anything_is_written_is_raised_to_the_caller() -> None:
    def export(out: IO[str]) -> None:
        raise InvalidArgument("unknown export format 'x'", hint="formats: plover, stix, misp")

    with pytest.raises(InvalidArgument, match="unknown export format"):
        download.stream(export)


def test_an_error_after_the_start_cuts_the_stream_short(caplog: pytest.LogCaptureFixture) -> None:
    def export(out: IO[str]) -> None:
        out.write("x" * (download.PIECE + 1))
        raise RuntimeError("disk gone")

    pieces = list(download.stream(export))
    assert "".join(pieces) == "x" * (download.PIECE + 1)
    assert "disk gone" in caplog.text


def test_a_reader_that_goes_away_stops_the_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "WAIT_S", 0.05)
    stopped = threading.Event()

    def export(out: IO[str]) -> None:
        try:
            while True:
                out.write("y" * 1024)
        except download.Gone:
            stopped.set()
            raise

    pieces = download.stream(export)
    next(pieces)
    pieces.close()  # the response's generator is closed when the client disconnects
    deadline = time.monotonic() + 5
    while not stopped.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stopped.is_set()
