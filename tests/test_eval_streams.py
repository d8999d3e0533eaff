"""The stream backtests' own arithmetic (eval/news_workspace.py, eval/backtest_streams.py): feed ids, reading
an archive member by member with its lengths checked, feed items written as plain text, periods split at gaps,
the lead of the run that held at the event, and which warnings are false alarms. Fixtures in our own words."""

from __future__ import annotations

import gzip
import importlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from forewarn.model import RawDocument, Threshold
from forewarn.review.replay import Crossing, ReplayStep
from forewarn.sources import JsonlReader
from forewarn.sources.base import ReadContext

ROOT = Path(__file__).resolve().parents[1]
EVENT_AT = datetime(2030, 5, 20, 19, tzinfo=UTC)


@pytest.fixture
def eval_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    """eval/ on the path, as when its scripts run; returns an importer."""
    monkeypatch.syspath_prepend(str(ROOT / "eval"))
    return importlib.import_module


def test_feed_ids_come_from_the_site_and_the_path(eval_module: Any) -> None:
    feed_id = eval_module("news_workspace").feed_id
    assert feed_id("https://feeds.example.co.uk/news/rss.xml") == "example-news"
    assert feed_id("https://www.example.com/world/rss") == "example-world"
    assert feed_id("https://rss.example.com/services/xml/rss/ex/World.xml") == "example-ex-world"
    assert feed_id("https://example.media/feed/") == feed_id("https://example.media/feed") == "example"
    assert feed_id("https://example.com/example/public/world?itid=7") == "example-public-world"


def test_every_member_of_an_archive_is_read_and_a_cut_one_is_refused(eval_module: Any, tmp_path: Path) -> None:
    members = eval_module("news_workspace").members
    archive = tmp_path / "items.jsonl.gz"
    archive.write_bytes(gzip.compress(b'{"a": 1}\n') + gzip.compress(b'{"a": 2}\n'))
    assert list(members(archive)) == [b'{"a": 1}\n', b'{"a": 2}\n']
    archive.write_bytes(gzip.compress(b'{"a": 1}\n' * 50)[:-6])
    with pytest.raises(SystemExit, match="truncated or corrupt"):
        list(members(archive))


def test_feed_items_are_read_as_title_then_plain_text(eval_module: Any, tmp_path: Path) -> None:
    news = eval_module("news_workspace")
    path = tmp_path / "feed.jsonl"
    news.write_feed(path, [{"title": "Bread &amp; butter", "description": "<p>Prices <b>rose</b> again.</p>",
                            "date": "2030-01-02", "link": "https://example.org/1", "language": "en"}])
    ctx = ReadContext(now=datetime(2030, 1, 3, tzinfo=UTC), column_map=news.COLUMNS)
    (doc,) = [d for d in JsonlReader().read(str(path), ctx) if isinstance(d, RawDocument)]
    assert (doc.title, doc.text) == ("Bread & butter", "Bread & butter\n\nPrices rose again.")


def test_periods_split_where_no_item_came_for_more_than_two_weeks(eval_module: Any) -> None:
    streams = eval_module("backtest_streams")
    days = [date(2030, 1, 1) + timedelta(days=d) for d in (0, 1, 5, 19, 40, 41)]
    periods = streams.split_days(days)
    assert [(p.first, p.last) for p in periods] == [(days[0], days[3]), (days[4], days[5])]
    assert periods[0].start == datetime(2030, 1, 2, tzinfo=UTC)  # the end of the first day
    assert periods[0].end == datetime(2030, 1, 21, tzinfo=UTC)  # the end of the last


def steps(*probabilities: float) -> list[ReplayStep]:
    """Daily steps ending on the event's day."""
    first = datetime(2030, 5, 21, tzinfo=UTC) - timedelta(days=len(probabilities))
    return [ReplayStep(first + timedelta(days=i), p, 0.0, None, 0, "", 0.0) for i, p in enumerate(probabilities)]


def test_the_lead_is_the_run_that_still_held_before_the_event(eval_module: Any) -> None:
    streams = eval_module("backtest_streams")
    played = steps(0.3, 0.1, 0.2, 0.2, 0.25, 0.05)[:-1]  # the last step came after the event
    since = streams.held_since(played, 0.15)
    assert since == played[2].at  # the early spike that fell back does not count
    assert streams.target_met(since, EVENT_AT, 2.0) and not streams.target_met(since, EVENT_AT, 4.0)
    assert streams.held_since(played, 0.4) is None and not streams.target_met(None, EVENT_AT, 0.0)


def test_targets_are_judged_on_the_first_warning_within_the_horizon(eval_module: Any) -> None:
    streams = eval_module("backtest_streams")
    played = steps(0.3, 0.05, 0.2, 0.1, 0.05, 0.05)  # elevated (0.15) 4 days before, then it fell back
    series = SimpleNamespace(steps=played, thresholds=(Threshold("elevated", 0.15), Threshold("high", 0.4)))
    live = SimpleNamespace(level=None, probability=0.05)
    event = streams.RealEvent("s", EVENT_AT, "something", (("elevated", 3.0), ("high", 0.0)))
    outcome = streams.event_outcome(series, event, live, horizon_days=5)  # the spike 6 days before is too early
    assert outcome["first_warned"] == {"elevated": played[2].at, "high": None}
    assert outcome["held_since"]["elevated"] is None
    assert outcome["targets"] == {"elevated >= 3 d": True, "high >= 0 d": False}
    assert round(outcome["lead_days"]["elevated"], 2) == round((EVENT_AT - played[2].at).total_seconds() / 86400, 2)


@pytest.mark.parametrize(("days_before", "kind"), [(3, "before the event"), (20, "false alarm"),
                                                   (-2, "after the event")])
def test_a_warning_is_a_lead_a_false_alarm_or_after_the_event(eval_module: Any, monkeypatch: pytest.MonkeyPatch,
                                                               days_before: int, kind: str) -> None:
    streams = eval_module("backtest_streams")
    monkeypatch.setattr(streams, "assess_scenario", lambda store, scenario, at: _NoSignals())
    scenario = importlib.import_module("forewarn.detect.scenarios").default_scenario("armed-mutiny")  # 14-day horizon
    event = streams.RealEvent(scenario.id, EVENT_AT, "something")
    at = EVENT_AT - timedelta(days=days_before)
    warned = streams.warning(_NoStore(), scenario, Crossing(at, "elevated", None, 0.2), event)
    assert warned.kind == kind
    assert streams.warning(_NoStore(), scenario, Crossing(at, "elevated", None, 0.2), None).kind == "false alarm"


class _NoSignals:
    counted = ()
    probability = 0.2


class _NoStore:
    store = None
