"""An assessment in words: from the prior, each signal's contribution, to the probability ("why is this 0.72?")."""

from __future__ import annotations

import math

from forewarn.model import Assessment, Scenario, Signal

EVIDENCE_WIDTH = 110


def explain_lines(assessment: Assessment, scenario: Scenario, *, evidence_width: int = EVIDENCE_WIDTH) -> list[str]:
    """One line for the prior, one per signal (largest contribution first), one for the result."""
    names = {i.id: i for i in scenario.indicators}
    prior_lo = math.log(assessment.prior / (1 - assessment.prior))
    lines = [f"prior {assessment.prior:.3f} → log-odds {prior_lo:+.3f}"]
    for s in assessment.signals:
        indicator = names.get(s.indicator_id)
        weight = indicator.weight if indicator else math.nan
        lines.append(f"{s.contribution:+.3f}  {signal_text(s, assessment, weight, evidence_width)}")
    counted = len(assessment.counted)
    lines.append(f"= log-odds {assessment.log_odds:+.3f} → probability {assessment.probability:.3f} "
                 f"({_level(assessment, scenario)}; {counted} signal{'s' if counted != 1 else ''} counted)")
    return lines


def explain(assessment: Assessment, scenario: Scenario) -> str:
    return "\n".join(explain_lines(assessment, scenario))


def signal_text(s: Signal, assessment: Assessment, weight: float, evidence_width: int = EVIDENCE_WIDTH) -> str:
    days = (assessment.at.date() - s.observed_on).days
    age = "today" if days == 0 else "1 day old" if days == 1 else f"{days} days old"
    sources = ", ".join(s.source_ids) or "no source"
    grade = f", {s.reliability}" if s.reliability else ""
    how = f"ln {weight:g} × strength {s.strength:.2f} × decay {s.decay:.2f}"
    head = f"{s.indicator_id} [{s.kind.value}] {s.observed_on.isoformat()} ({sources}{grade}, {age}; {how})"
    tail = f" — {s.note}" if s.note else ""
    return f"{head}: {_short(s.evidence, evidence_width)}{tail}"


def _level(a: Assessment, scenario: Scenario) -> str:
    levels = ", ".join(f"{t.level} {t.probability:g}" for t in scenario.thresholds)
    return f"level {a.level or 'none'} of {levels}"


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"
