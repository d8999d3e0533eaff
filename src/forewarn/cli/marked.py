"""A document's text with its extractions marked, for the terminal."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from forewarn.cli.render import dated, short, who
from forewarn.model.records import DocumentExtraction, StoredClaimed, StoredEvent

STYLES = {"claim": "italic", "entity": "bold cyan", "place": "underline green", "event": "bold white on red"}
LEGEND = Text.assemble(("entity", STYLES["entity"]), " · ", ("place", STYLES["place"]), " · ",
                       ("event", STYLES["event"]), " · ", ("claim content", STYLES["claim"]))


def marked_text(text: str, x: DocumentExtraction) -> Text:
    marked = Text(text)
    for c in x.claims:
        marked.stylize(STYLES["claim"], c.content_start, c.content_end)
    for m in x.mentions:
        marked.stylize(STYLES["entity"], m.start, m.end)
    for p in x.places:
        marked.stylize(STYLES["place"], p.start, p.end)
    for e in x.events:
        marked.stylize(STYLES["event"], e.trigger_start, e.trigger_end)
    return marked


def events_table(text: str, events: tuple[StoredEvent, ...]) -> Table:
    table = Table("type", "actor → recipient", "place", "date", "flags", "conf.", "evidence", title="events")
    for e in events:
        parties = f"{who(e.actor)} → {who(e.recipient)}"
        place = f"{e.place.name} ({e.place.precision})" if e.place else "—"
        day = dated(e.date, e.date_precision) + (" (published)" if e.date_from_publication else "")
        flags = ",".join(e.flags) or "—"
        table.add_row(e.type + (f"/{e.mode}" if e.mode else ""), parties, place, day, flags, f"{e.confidence:.2f}",
                      short(text[e.start:e.end], 70))
    return table


def claims_table(text: str, x: DocumentExtraction) -> Table:
    table = Table("speaker", "cue", "stance", "claimed event", "content", title="claims")
    for c in x.claims:
        speaker = who(c.speaker) if c.speaker else (c.speaker_text or "—")
        table.add_row(speaker, c.cue, c.stance or "—", claimed(c.claimed),
                      short(text[c.content_start:c.content_end], 80))
    return table


def claimed(e: StoredClaimed | None) -> str:
    """The event a claim is about: "ASSAULT Russian military → Ukraine (possible)", or "—"."""
    if e is None:
        return "—"
    return f"{e.type} {who(e.actor)} → {who(e.recipient)}" + (f" ({e.modality})" if e.modality else "")
