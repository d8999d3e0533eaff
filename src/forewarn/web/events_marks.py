"""A document's text cut into segments for display, each with the kinds of span that cover it
(entity, event trigger, evidence sentence, place, date, claim). Spans may overlap or nest: the text
is split at every span boundary, and a segment carries the classes of all spans over it. Segments
are plain text; the template escapes each one (no markup is ever built from document text)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from forewarn.model.records import DocumentExtraction
from forewarn.reads.evidence import claim_anchor

KINDS = ("entity", "event", "sentence", "place", "date", "claim")

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december"
           "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# explicit time expressions, for display only (extraction resolves dates itself and does not store
# their offsets): ISO and numeric dates, "6 August 2024", "August 6th, 2024", "Aug. 6", weekdays and
# the deictic words reports use
DATE_RE = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    rf"|(?:{_MONTHS})\s+\d{{4}}"
    rf"|(?:(?:last|next|this)\s+)?(?:{_WEEKDAYS})(?:\s+(?:morning|afternoon|evening|night))?"
    rf"|yesterday|today|tonight|last\s+night|overnight|this\s+(?:morning|afternoon|evening)"
    rf"|(?:last|this|next)\s+(?:week|month|year))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Span:
    """A mark on a document's text (``start``, ``end``: offsets into it): its ``kind`` (entity, event
    (trigger), sentence (an event's evidence), place, date, claim), a ``label`` in words, and ``ref``,
    what it names: the canonical entity id, event id or gazetteer id."""

    start: int
    end: int
    kind: str  # one of KINDS
    label: str  # what it is, in words (a tooltip)
    ref: str | None = None  # an entity id, event id …


@dataclass(slots=True)
class Segment:
    text: str
    start: int
    classes: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()  # element ids that start here (ev-<event id>)
    events: tuple[str, ...] = ()  # ids of the events whose sentence or trigger covers it
    entity: str | None = None  # the entity a mention segment links to
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def css(self) -> str:
        return " ".join(self.classes)

    @property
    def title(self) -> str:
        return "; ".join(dict.fromkeys(self.labels))


def spans_of(x: DocumentExtraction, text: str) -> list[Span]:
    """Every span extraction stored for a document, and the explicit dates in its text."""
    spans: list[Span] = []
    for m in x.mentions:
        spans.append(Span(m.start, m.end, "entity", f"{m.name} ({m.kind})", m.canonical_id))
    for p in x.places:
        region = f", {p.admin1}" if p.admin1 else ""
        spans.append(Span(p.start, p.end, "place", f"{p.name}{region} ({p.country})", p.gazetteer_id))
    for e in x.events:
        flags = [f for f, on in (("negated", e.negated), ("hypothetical", e.hypothetical), ("future", e.future),
                                 ("reported", e.reported)) if on]
        what = f"{e.type}{' / ' + e.mode if e.mode else ''} on {e.date.isoformat()}"
        if flags:
            what += f" ({', '.join(flags)})"
        spans.append(Span(e.start, e.end, "sentence", f"evidence of {what}", e.id))
        spans.append(Span(e.trigger_start, e.trigger_end, "event", what, e.id))
        for role, who in (("actor", e.actor), ("recipient", e.recipient)):
            if who is not None:
                spans.append(Span(who.start, who.end, "entity", f"{who.name} ({role} of {e.type})", who.canonical_id))
    for c in x.claims:
        speaker = c.speaker.name if c.speaker else c.speaker_text or "someone"
        spans.append(Span(c.content_start, c.content_end, "claim",
                          f"claim by {speaker} ({c.cue}{', quoted' if c.quoted else ''})"))
    for found in DATE_RE.finditer(text):
        spans.append(Span(found.start(), found.end(), "date", f"date: {found.group(0)}"))
    return spans


def segments(text: str, spans: Iterable[Span], anchors: Sequence[tuple[int, str]] = ()) -> list[Segment]:
    """``text`` split at every span boundary (and anchor position); spans outside the text or empty are
    left out, spans running past its end are cut there. Segments cover the whole text, in order."""
    n = len(text)
    kept = [s for s in spans if 0 <= s.start < s.end and s.start < n]
    cuts = {0, n}
    for s in kept:
        cuts.add(s.start)
        cuts.add(min(s.end, n))
    anchored: dict[int, list[str]] = {}
    for pos, name in anchors:
        pos = min(max(pos, 0), n)
        cuts.add(pos)
        anchored.setdefault(pos, []).append(name)
    bounds = sorted(cuts)
    opening: dict[int, list[Span]] = {}
    for s in kept:
        opening.setdefault(s.start, []).append(s)
    active: list[Span] = []
    out: list[Segment] = []
    for a, b in zip(bounds, [*bounds[1:], None], strict=True):
        active = [s for s in active if s.end > a] + opening.get(a, [])
        if b is None:
            if anchored.get(a):  # an anchor at the very end of the text
                out.append(Segment("", a, anchors=tuple(anchored[a])))
            break
        if b == a:
            continue
        order = sorted(active, key=lambda s: (KINDS.index(s.kind), s.start, -s.end))
        entity = next((s.ref for s in order if s.kind == "entity" and s.ref), None)
        out.append(Segment(text[a:b], a, tuple(dict.fromkeys(s.kind for s in order)),
                           tuple(s.label for s in order), tuple(anchored.get(a, ())),
                           tuple(dict.fromkeys(s.ref for s in order if s.kind in ("event", "sentence") and s.ref)),
                           entity))
    return out


def document_segments(x: DocumentExtraction, text: str) -> list[Segment]:
    """The document's segments with an ``ev-<id>`` anchor where each event's trigger begins and a ``cl-<offset>``
    anchor where what each claim says begins."""
    anchors = [(e.trigger_start if 0 <= e.trigger_start <= len(text) else e.start, f"ev-{e.id}") for e in x.events]
    said = dict.fromkeys(c.content_start for c in x.claims if 0 <= c.content_start <= len(text))
    anchors += [(at, claim_anchor(at)) for at in said]
    return segments(text, spans_of(x, text), anchors)
