"""What the settings say about warnings: acknowledgement minutes per severity, who escalates to
whom, and who is notified; and the board's order (:func:`board_key`, which every board read
follows: :func:`forewarn.warn.rows.board_order` writes the same rule in SQL). Pure: read once from
Settings, then plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from forewarn.config import Settings
from forewarn.errors import ConfigError, InvalidArgument
from forewarn.model import Threshold, WarningRecord

BOARD_SEVERITIES = ("critical", "high", "elevated")  # board order; any other severity sorts after these
OTHER_RANK = len(BOARD_SEVERITIES)  # the rank of every severity not named above
EXAMPLE = 'e.g. ack_minutes = "elevated=240,high=60,critical=15"'


def parse_ack_minutes(spec: str) -> dict[str, int]:
    """``"elevated=240,high=60,critical=15"`` → {"elevated": 240, "high": 60, "critical": 15}."""
    minutes: dict[str, int] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        try:
            count = int(value.strip()) if sep else 0
        except ValueError:
            count = 0
        if not name.strip() or count < 1:
            raise ConfigError(f"ack_minutes: {part!r} is not severity=minutes with minutes a positive whole number",
                              hint=EXAMPLE)
        minutes[name.strip().lower()] = count
    if not minutes:
        raise ConfigError("ack_minutes names no severity", hint=EXAMPLE)
    return minutes


@dataclass(frozen=True, slots=True)
class Policy:
    ack_minutes: dict[str, int]
    escalation_chain: tuple[str, ...]
    webhook_url: str
    notify_email: tuple[str, ...]
    smtp_host: str
    remind_minutes: int = 240  # between reminders at the end of a chain
    remind_cap: int = 3  # reminders at most, then nothing until someone acts

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(parse_ack_minutes(settings.ack_minutes), settings.escalation_chain,
                   settings.webhook_url.strip(), settings.notify_email, settings.smtp_host.strip(),
                   settings.remind_minutes, settings.remind_cap)

    def check_severity(self, severity: str) -> str:
        """A person's severity, lower-cased; InvalidArgument naming the allowed ones otherwise."""
        level = severity.strip().lower()
        if level not in self.ack_minutes:
            raise InvalidArgument(f"unknown severity {severity!r}",
                                  hint=f"use one of: {', '.join(self.ack_minutes)} (the `ack_minutes` setting)")
        return level

    def minutes(self, severity: str, thresholds: Sequence[Threshold] = ()) -> int:
        """Minutes a warning of ``severity`` may stay unacknowledged: the scenario threshold's own
        ``ack_minutes`` when it sets one, else the setting; a severity the setting does not name
        gets the shortest configured time (a warning is never left without a deadline)."""
        for t in thresholds:
            if t.level == severity and t.ack_minutes:
                return t.ack_minutes
        return self.ack_minutes.get(severity, min(self.ack_minutes.values()))

    def chain(self, owner: str | None, base: Sequence[str], fallback: str) -> tuple[str, ...]:
        """``owner`` first (when given), then ``base`` without it; ``(fallback,)`` when both are empty."""
        people = [p for p in base if p]
        if owner and owner.strip():
            people = [owner.strip(), *(p for p in people if p != owner.strip())]
        return tuple(people) or (fallback,)


def severity_rank(severity: str) -> int:
    """Board rank: critical 0, high 1, elevated 2, anything else 3."""
    return BOARD_SEVERITIES.index(severity) if severity in BOARD_SEVERITIES else OTHER_RANK


def board_key(w: WarningRecord) -> tuple[int, int, datetime, int]:
    """The board's order: escalated warnings first, then by severity rank, then oldest raised first
    (then by number)."""
    return (0 if w.escalation_level > 0 else 1), severity_rank(w.severity), w.raised_at, w.id
