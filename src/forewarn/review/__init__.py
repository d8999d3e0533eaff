"""Review: replay a scenario as of past dates (no look-ahead) and reconstruct, after an event, who
knew what and when. Pure functions over observations, warnings and ledger entries; charts
(matplotlib) load only when drawn."""

from forewarn.review.postmortem import MARGIN_DAYS, ChainBreak, Finding, PostMortem, SignalSeen, postmortem, window
from forewarn.review.replay import Crossing, ReplaySeries, ReplayStep, replay, write_csv
from forewarn.review.report import to_html, to_markdown
from forewarn.review.steps import parse_instant, parse_step
from forewarn.review.timeline import TimelineEntry, TimelineKind
from forewarn.review.warnstate import WarningOutcome, WarningStatus

__all__ = [
    "MARGIN_DAYS",
    "ChainBreak",
    "Crossing",
    "Finding",
    "PostMortem",
    "ReplaySeries",
    "ReplayStep",
    "SignalSeen",
    "TimelineEntry",
    "TimelineKind",
    "WarningOutcome",
    "WarningStatus",
    "parse_instant",
    "parse_step",
    "postmortem",
    "replay",
    "to_html",
    "to_markdown",
    "window",
    "write_csv",
]
