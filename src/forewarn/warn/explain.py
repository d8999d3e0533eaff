"""The words of a scenario warning: a title and a text a duty officer reads without the scenario
file open — the probability, how it moved from the prior, and the strongest counted signals with
their evidence."""

from __future__ import annotations

from forewarn.detect.shown import EVIDENCE_LINE
from forewarn.model import Assessment, Scenario, Signal

TOP_SIGNALS = 5
EVIDENCE_CHARS = 240


def title(scenario: Scenario, assessment: Assessment) -> str:
    return f"{scenario.name}: {assessment.level} (p={assessment.probability:.2f})"


def text(scenario: Scenario, assessment: Assessment) -> str:
    counted = sorted(assessment.counted, key=lambda s: -s.contribution)
    lines = [
        f"{scenario.name} reached {assessment.level}: probability {assessment.probability:.2f} "
        f"(prior {assessment.prior:.2f}) as of {assessment.at:%Y-%m-%d %H:%M} UTC, "
        f"from {len(counted)} counted signal{'s' if len(counted) != 1 else ''}.",
    ]
    if counted:
        lines.append("Strongest signals:")
        names = {i.id: i.name for i in scenario.indicators}
        lines += [_signal_line(s, names.get(s.indicator_id, s.indicator_id)) for s in counted[:TOP_SIGNALS]]
    if len(counted) > TOP_SIGNALS:
        lines.append(f"… and {len(counted) - TOP_SIGNALS} more (see the evidence ids).")
    return "\n".join(lines)


def _signal_line(s: Signal, indicator: str) -> str:
    sources = f"{len(s.source_ids)} source{'s' if len(s.source_ids) != 1 else ''}"
    line = (f"- {indicator}: {s.contribution:+.2f} log-odds, observed {s.observed_on.isoformat()}, "
            f"known {s.known_at:%Y-%m-%d %H:%M}, {sources}{f' (best {s.reliability})' if s.reliability else ''}")
    evidence = " ".join(s.evidence.split())
    if evidence:
        clipped = evidence if len(evidence) <= EVIDENCE_CHARS else evidence[:EVIDENCE_CHARS - 1] + "…"
        line += f"\n  “{clipped}”"
    if s.event_ids:
        line += f"\n  events: {', '.join(e[:12] for e in s.event_ids[:5])}"
    # what it rests on, in full: a reader who may not see one of them reads the text without this block
    line += f"\n{EVIDENCE_LINE}{', '.join([*s.document_ids, *s.event_ids, *s.source_ids]) or '-'}"
    return line
