"""What of an assessment's or a warning's evidence a reader may see: the one place that decides it.

Scoring runs as the system and sees everything; a reader sees a signal (a contribution) only when every
source, document and event it rests on is visible to them (:meth:`Access.sees` on their ``compartment``).
Claims take their document's compartment, so a signal's documents cover its claims. The rest is shown only
as :func:`hidden_text` ("n signals from holdings you may not see"): no type, date, place or weight.
The lookup (one query per table for a page's or a board's worth) is :func:`forewarn.store.access.hidden_among`;
a signal's rule is :func:`forewarn.store.access.seen_signals`, which reads' evidence applies too.

For a reader from whom nothing is hidden every function here returns what it was given without a query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection

from forewarn.detect import assessments
from forewarn.detect.types import ScenarioTest
from forewarn.model import Assessment, Origin, WarningRecord
from forewarn.model.marking import Access
from forewarn.store.access import hidden_among, hidden_under, rests_on, seen_signals

HIDDEN = "from holdings you may not see"


def hidden_text(n: int) -> str:
    """"3 signals from holdings you may not see" ("" for none)."""
    return f"{n} signal{'s' if n != 1 else ''} {HIDDEN}" if n else ""


@dataclass(frozen=True, slots=True)
class Hidden:
    """The ids (documents, events, sources) among those asked about that the reader may not see."""

    ids: frozenset[str] = frozenset()

    def blocks(self, ids: Iterable[str]) -> bool:
        return not self.ids.isdisjoint(ids)


def hidden_ids(conn: Connection, access: Access, *, documents: Iterable[str] = (), events: Iterable[str] = (),
               sources: Iterable[str] = ()) -> Hidden:
    """Which of these documents, events and sources ``access`` may not see (:func:`hidden_among`)."""
    return Hidden(hidden_among(conn, access, documents=documents, events=events, sources=sources))


def shown_signals(conn: Connection, signals: Sequence[dict[str, Any]], access: Access
                  ) -> tuple[tuple[dict[str, Any], ...], int]:
    """The stored signals (JSON) the reader may see, and how many they may not."""
    kept, hidden = seen_signals(conn, signals, access)
    return tuple(kept), hidden


def shown_assessment(conn: Connection, a: Assessment, access: Access) -> tuple[Assessment, int]:
    """An assessment (computed now) with only the signals the reader may see, and how many they may not."""
    if not access.restricted or not a.signals:
        return a, 0
    kept, hidden = seen_signals(conn, a.signals, access)
    return replace(a, signals=tuple(kept)), hidden


def shown_warning(conn: Connection, w: WarningRecord, access: Access) -> tuple[WarningRecord, int]:
    """A warning with only the evidence the reader may see: its event and document ids, and its text without
    the signal blocks that rest on hidden evidence (see :func:`forewarn.warn.explain.text`); and how many
    signals (blocks, or attached items when the text names none) were left out."""
    return shown_warnings(conn, [w], access)[0]


def shown_warnings(conn: Connection, found: Sequence[WarningRecord], access: Access
                   ) -> list[tuple[WarningRecord, int]]:
    """Each warning as :func:`shown_warning` gives it, the hidden ones among all their documents and events
    looked up at once (a board's worth in two queries); only a warning that cites some reads more."""
    if not access.restricted:
        return [(w, 0) for w in found]
    hidden = hidden_among(conn, access, documents=[d for w in found for d in w.document_ids],
                          events=[e for w in found for e in w.event_ids])
    return [_shown_one(conn, w, access, Hidden(hidden.intersection([*w.document_ids, *w.event_ids])))
            for w in found]


def _shown_one(conn: Connection, w: WarningRecord, access: Access, hidden: Hidden) -> tuple[WarningRecord, int]:
    """``w`` without what rests on ``hidden`` (its own hidden documents and events), and how many signals."""
    if not hidden.ids:
        return w, 0
    text, dropped = redact_text(w.text, hidden)
    gone = hidden.ids | _carried_by_hidden(conn, w, access)  # a signal resting on a hidden holding: all of it
    events = tuple(e for e in w.event_ids if e not in gone)
    documents = tuple(d for d in w.document_ids if d not in gone)
    return replace(w, text=text, event_ids=events, document_ids=documents), dropped or len(hidden.ids)


def _carried_by_hidden(conn: Connection, w: WarningRecord, access: Access) -> frozenset[str]:
    """The ids of every signal of the assessment that raised a scenario warning that rests on something hidden
    (a signal may join copies of one report from open and restricted holdings: its words may be the hidden one's)."""
    if w.origin is not Origin.SCENARIO or not w.scenario_id:
        return frozenset()
    last = assessments.latest(conn, w.scenario_id, until=w.raised_at)
    signals = list(last.signals) if last else []
    hidden = hidden_under(conn, signals, access)
    return frozenset(i for s in signals if not hidden.isdisjoint(rests_on(s)) for i in rests_on(s))


def shown_test(conn: Connection, found: ScenarioTest, access: Access) -> ScenarioTest:
    """A test of a scenario's indicators with only what the reader may see: signals, matching events, claims
    and stories resting on hidden holdings left out (the signals counted in ``hidden``)."""
    if not access.restricted:
        return found
    a, n = shown_assessment(conn, found.assessment, access)
    tests = found.indicators
    hidden = hidden_ids(conn, access, events=[o.event.id for i in tests for o in i.observations],
                        documents=[*(o.event.document_id for i in tests for o in i.observations),
                                   *(c.claim.document_id for i in tests for c in i.claims),
                                   *(s.document_id for i in tests for s in i.stories)])
    kept = tuple(replace(
        i, observations=tuple(o for o in i.observations if not hidden.blocks([o.event.id, o.event.document_id])),
        signals=tuple(s for s in a.signals if s.indicator_id == i.indicator.id),
        surges=tuple(s for s in i.surges if not hidden.blocks(s.event_ids)),
        claims=tuple(c for c in i.claims if c.claim.document_id not in hidden.ids),
        stories=tuple(s for s in i.stories if s.document_id not in hidden.ids)) for i in tests)
    return replace(found, assessment=a, indicators=kept, hidden=n)


EVIDENCE_LINE = "  evidence: "  # the line of a signal block naming the documents and events it rests on


def redact_text(text: str, hidden: Hidden) -> tuple[str, int]:
    """A warning's text without the signal blocks (a line "- …" and its indented lines) whose evidence line
    names a hidden id, or that name no evidence at all (written before evidence lines were: kept out, to be
    safe); the summary and other lines stay. Returns the text and the number of blocks left out."""
    kept: list[str] = []
    block: list[str] = []
    dropped = 0

    def close() -> None:
        nonlocal dropped
        if block:
            named = [ln[len(EVIDENCE_LINE):].split(", ") for ln in block if ln.startswith(EVIDENCE_LINE)]
            if named and not any(hidden.blocks(ids) for ids in named):
                kept.extend(block)
            else:
                dropped += 1
            block.clear()

    for line in text.splitlines():
        if line.startswith("- "):
            close()
            block.append(line)
        elif block and line.startswith("  "):
            block.append(line)
        else:
            close()
            if not line.startswith("… and "):  # "… and n more": a count of all, hidden ones too
                kept.append(line)
    close()
    if dropped:
        kept.append(hidden_text(dropped) + ".")
    return "\n".join(kept), dropped
