"""The demo's warning with and without its Russian and Ukrainian sources (issue 15).

Builds the bundled demo twice, each in a temporary workspace: with every source, and with the English
sources only (``sources.toml`` names each source's language). Each plays the six weeks as the demo does
(:func:`forewarn.demo_play.play`: a warning cycle every six hours, seeing only what was published by
then) and prints, for ``cross-border-incursion``, when each level was first warned and how long before
6 August 2024; then the signals known before that day that came from Russian or Ukrainian posts, and the
events the Russian and Ukrainian posts yield. Needs nothing outside the repository.

The target (issue 15): the warning comes earlier with the Cyrillic posts than without.

Run: .venv/bin/python eval/demo_languages.py
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from forewarn.app import Workspace
from forewarn.config import load_settings
from forewarn.demo import DEMO_DEFAULTS, build_demo, demo_sources
from forewarn.demo_play import EVENT_DATE, play
from forewarn.model import Origin, WarningRecord
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.review import PostMortem, SignalSeen

CYRILLIC = ("ru", "uk")
EVENT_AT = datetime.combine(EVENT_DATE, datetime.min.time(), tzinfo=UTC)
ENGLISH = ("en",)
EVIDENCE_CHARS = 110


@dataclass(frozen=True)
class Coded:
    """An event coded from a Russian or Ukrainian post, as printed."""

    source: str
    day: str
    type: str
    mode: str | None
    actor: str
    recipient: str
    place: str
    evidence: str


@dataclass(frozen=True)
class Run:
    """One build of the demo: its scenario warnings, its post-mortem, and what its Cyrillic posts gave."""

    name: str
    languages: Counter[str]  # documents per stored language
    warnings: tuple[WarningRecord, ...]
    postmortem: PostMortem
    cyrillic_signals: tuple[SignalSeen, ...]
    events: tuple[Coded, ...]


def main() -> None:
    runs = [build("all sources", None), build("English only", ENGLISH)]
    print_levels(runs)
    print_target(runs)
    print_signals(runs[0])
    print_events(runs[0])


def build(name: str, languages: Collection[str] | None) -> Run:
    """Build and play the demo in a temporary workspace (``languages``: only the sources writing in them)."""
    with tempfile.TemporaryDirectory(prefix="forewarn-demo-") as folder:
        config = load_settings({"database_url": f"sqlite:///{Path(folder) / 'demo.db'}", "actor": "demo"}, env={},
                               config_path=Path(folder) / "none.toml", defaults=DEMO_DEFAULTS)
        build_demo(config, languages)
        played = play(config)
        with Workspace.open(config) as ws:
            return Run(name, stored_languages(ws), tuple(w for w in played.warnings if w.origin is Origin.SCENARIO),
                       played.postmortem, cyrillic_signals(ws, played.postmortem), cyrillic_events(ws))


def stored_languages(ws: Workspace) -> Counter[str]:
    docs, _ = ws.reads.documents(DocumentQuery(limit=100_000))
    return Counter(d.language or "none" for d in docs)


def language_of(ws: Workspace, document_id: str) -> str | None:
    return ws.reads.document(document_id).document.language


def cyrillic_signals(ws: Workspace, pm: PostMortem) -> tuple[SignalSeen, ...]:
    """The post-mortem's signals (known before the event) with a Russian or Ukrainian document."""
    return tuple(s for s in pm.signals if any(language_of(ws, d) in CYRILLIC for d in s.document_ids))


def cyrillic_events(ws: Workspace) -> tuple[Coded, ...]:
    sources = [s["id"] for s in demo_sources(languages=CYRILLIC)]
    events = [e for source in sources for e in ws.reads.events(EventQuery(source_id=source, limit=None))]
    return tuple(Coded(e.source_id or "", str(e.date), e.type, e.mode, e.actor.name if e.actor else "-",
                       e.recipient.name if e.recipient else "-", e.place.name if e.place else "-",
                       short(ws.reads.document(e.document_id).document.text[e.start:e.end]))
                 for e in sorted(events, key=lambda e: (e.date, e.source_id or "")))


def short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= EVIDENCE_CHARS else one[:EVIDENCE_CHARS - 1] + "…"


def first_at_level(run: Run, level: str) -> WarningRecord | None:
    """The first warning raised at ``level`` or above."""
    ranks = [t.level for t in run.postmortem.scenario.thresholds]
    above = [w for w in run.warnings if w.severity in ranks and ranks.index(w.severity) >= ranks.index(level)]
    return min(above, key=lambda w: w.raised_at, default=None)


def raised(w: WarningRecord | None) -> datetime | None:
    return None if w is None else w.raised_at


def cell(w: WarningRecord | None) -> str:
    if w is None:
        return "never"
    return f"{when(w.raised_at)} ({lead(w.raised_at)}, p {w.probability or 0:.2f})"


def lead(at: datetime | None) -> str:
    if at is None:
        return "—"
    days = (EVENT_AT - at) / timedelta(days=1)
    return f"{days:+.2f} d"


def when(at: datetime | None) -> str:
    return "never" if at is None else at.strftime("%Y-%m-%d %H:%M")


def print_levels(runs: list[Run]) -> None:
    scenario = runs[0].postmortem.scenario
    print(f"{scenario.id}: first warning at each level, lead before {EVENT_AT:%Y-%m-%d %H:%M} UTC")
    for run in runs:
        langs = ", ".join(f"{k} {v}" for k, v in sorted(run.languages.items()))
        print(f"  {run.name}: {sum(run.languages.values())} documents ({langs})")
    print(f"  {'level':<14}" + "".join(f"{run.name:>38}" for run in runs))
    for threshold in scenario.thresholds:
        cells = [cell(first_at_level(run, threshold.level)) for run in runs]
        print(f"  {threshold.level + ' ' + str(threshold.probability):<14}" + "".join(f"{c:>38}" for c in cells))
    for run in runs:
        pm = run.postmortem
        print(f"  {run.name}: first signal {when(pm.first_signal.known_at if pm.first_signal else None)}, "
              f"{len(pm.signals)} signals before the event, chain broken at {pm.broken.value}")


def print_target(runs: list[Run]) -> None:
    levels = [t.level for t in runs[0].postmortem.scenario.thresholds]
    pairs = [(level, raised(first_at_level(runs[0], level)), raised(first_at_level(runs[1], level)))
             for level in levels]
    earlier = [level for level, a, b in pairs if a is not None and (b is None or a < b)]
    later = [level for level, a, b in pairs if b is not None and (a is None or b < a)]
    first = pairs[0]
    met = first[1] is not None and (first[2] is None or first[1] < first[2])
    print(f"target: the first warning comes earlier with the Cyrillic posts: {'met' if met else 'NOT met'} "
          f"(earlier at: {', '.join(earlier) or 'none'}; later at: {', '.join(later) or 'none'})")


def print_signals(run: Run) -> None:
    print(f"\nsignals before the event from Russian or Ukrainian posts ({run.name}): {len(run.cyrillic_signals)} "
          f"of {len(run.postmortem.signals)}")
    for s in run.cyrillic_signals:
        print(f"  {when(s.known_at)}  {','.join(s.indicator_ids):<28} {s.kind.value:<8} {','.join(s.source_ids)} "
              f"({s.reliability}): {short(s.evidence)}")


def print_events(run: Run) -> None:
    by_type = Counter(e.type for e in run.events)
    print(f"\nevents coded from the Russian and Ukrainian posts: {len(run.events)} "
          f"({', '.join(f'{t} {n}' for t, n in by_type.most_common()) or 'none'})")
    for e in run.events:
        print(f"  {e.day} {e.source:<22} {e.type}/{e.mode or '-'} {e.actor} → {e.recipient} @ {e.place}: {e.evidence}")


if __name__ == "__main__":
    main()
