"""A post-mortem as Markdown and as a self-contained HTML page.

Both render the same sections (:func:`sections`); the HTML page has its CSS inline, every value
escaped, a Content-Security-Policy that forbids fetching anything, and the replay chart (when the
post-mortem carries one) as an SVG ``data:`` image.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from forewarn.detect.shown import hidden_text
from forewarn.model.dissent import Dissent
from forewarn.review.judged import AssumptionSeen, JudgmentsSeen
from forewarn.review.postmortem import ChainBreak, PostMortem
from forewarn.review.replay import ReplaySeries
from forewarn.review.timeline import TimelineKind

BREAKS = {
    ChainBreak.NOT_COLLECTED: "Not collected: nothing was gathered in the window",
    ChainBreak.NOT_MATCHED: "Collected but not matched: no indicator matched what was gathered",
    ChainBreak.NO_WARNING: "Matched but no warning: signals were there, no warning was raised",
    ChainBreak.DISMISSED: "Warned but dismissed",
    ChainBreak.UNACKNOWLEDGED: "Warned but unacknowledged",
    ChainBreak.NONE: "No break: warned and acknowledged in time",
}
DETAIL_WIDTH = 240


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lead: str = ""  # said first, in bold
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    table: Table | None = None


def to_markdown(pm: PostMortem) -> str:
    lines = [f"# Post-mortem: {_md(pm.scenario.name)} ({_md(pm.scenario.id)})", "", _md(_subtitle(pm), line=True), ""]
    for s in sections(pm):
        lines += [f"## {_md(s.title)}", ""]
        if s.lead:
            lines += [f"**{_md(s.lead)}**", ""]
        for p in s.paragraphs:
            lines += [_md(p, line=True), ""]
        if s.bullets:
            lines += [*(f"- {_md(b)}" for b in s.bullets), ""]
        if s.table:
            lines += [*_md_table(s.table), ""]
    return "\n".join(lines)


def to_html(pm: PostMortem) -> str:
    title = f"Post-mortem: {pm.scenario.name} ({pm.scenario.id})"
    body = [f"<h1>{_h(title)}</h1>", f'<p class="sub">{_h(_subtitle(pm))}</p>',
            f'<p class="break {_h(pm.broken.value)}">{_h(BREAKS[pm.broken])}</p>']
    if pm.series is not None and pm.series.steps:
        body.append(_chart(pm, pm.series))
    for s in sections(pm):
        body.append(f"<section><h2>{_h(s.title)}</h2>")
        if s.lead:
            body.append(f"<p><strong>{_h(s.lead)}</strong></p>")
        body += [f"<p>{_h(p)}</p>" for p in s.paragraphs]
        if s.bullets:
            body.append("<ul>" + "".join(f"<li>{_h(b)}</li>" for b in s.bullets) + "</ul>")
        if s.table:
            body.append(_html_table(s.table))
        body.append("</section>")
    return PAGE.format(title=_h(title), style=STYLE, body="\n".join(body))


# -- the content, once ---------------------------------------------------------------------------

def sections(pm: PostMortem) -> list[Section]:
    found = [_chain(pm), _lead(pm), _warnings(pm)]
    if pm.judgments is not None:
        found += judgment_sections(pm.judgments)
    found += [_timeline(pm), _collection(pm)]
    if pm.series is not None:
        found.append(_replay(pm.series))
    return found


def _subtitle(pm: PostMortem) -> str:
    return (f"Event {when(pm.event_at)} UTC · looked back to {when(pm.window_start)} UTC "
            f"(horizon {pm.scenario.horizon_days} days and a margin) · report made {when(pm.at)} UTC")


def _chain(pm: PostMortem) -> Section:
    main, *rest = pm.findings
    bullets = tuple(f"{BREAKS[f.link]}: {f.text}" for f in rest)
    paragraphs = (main.text, "Also:") if bullets else (main.text,)
    return Section("Where the chain broke", lead=BREAKS[pm.broken], paragraphs=paragraphs, bullets=bullets)


def _lead(pm: PostMortem) -> Section:
    rows: list[tuple[str, ...]] = []
    paragraphs: list[str] = []
    if (s := pm.first_signal) is not None:
        rows.append(("first signal", when(s.known_at), duration(pm.signal_lead_time)))
        sources = ", ".join(s.source_ids) or "no source"
        paragraphs.append(f"First signal ({', '.join(s.indicator_ids)}), known {when(s.known_at)} UTC from {sources} "
                          f"(reliability {s.reliability}), about {s.observed_on.isoformat()}: “{s.evidence}”")
    else:
        rows.append(("first signal", "none before the event", "—"))
    if (w := pm.first_warning) is not None:
        rows.append(("first warning", when(w.raised_at), duration(pm.lead_time)))
        by = f" from {w.partner}" if w.partner else ""
        paragraphs.append(f"First warning: #{w.id} ({w.origin.value}{by}, {w.severity}) “{w.title}”, raised by "
                          f"{w.raised_by} on {when(w.raised_at)} UTC.")
    else:
        rows.append(("first warning", "none before the event", "—"))
    return Section("Lead time", paragraphs=tuple(paragraphs),
                   table=Table(("", "when (UTC)", "lead time before the event"), tuple(rows)))


def _warnings(pm: PostMortem) -> Section:
    if not pm.outcomes:
        return Section("Warnings", paragraphs=("No warning of this scenario was raised before the event.",))
    rows = tuple((f"#{o.warning.id}", o.warning.origin.value + (f" ({o.warning.partner})" if o.warning.partner else ""),
                  o.warning.severity, when(o.warning.raised_at), o.status.value, o.by or "—", when(o.when),
                  o.owner, str(o.escalations), str(o.reopened), o.rationale or "")
                 for o in pm.outcomes)
    header = ("warning", "origin", "severity", "raised", "state at the event", "by", "when", "waiting on",
              "escalations", "reopened", "rationale or note")
    return Section("Warnings", paragraphs=("Each warning raised before the event, as it stood when the event came.",),
                   table=Table(header, rows))


def _timeline(pm: PostMortem) -> Section:
    rows = tuple((when(t.at) + (" (after the event)" if t.at > pm.event_at else ""), t.kind.value, t.actor,
                  t.summary, _clip(t.detail))
                 for t in pm.timeline)
    shown = sum(1 for t in pm.timeline if t.kind is TimelineKind.SIGNAL)
    note = (f"The first {shown} of {len(pm.signals):,} signals are listed; all are counted per day below."
            if len(pm.signals) > shown else "")
    return Section("Timeline", paragraphs=(note,) if note else (),
                   table=Table(("when (UTC)", "what", "who", "summary", "detail"), rows))


def _collection(pm: PostMortem) -> Section:
    text = (f"{pm.documents_in_window:,} documents published and {pm.observations_in_window:,} coded events known in "
            f"the window; {len(pm.signals):,} matched the scenario's indicators.")
    if pm.hidden_signals:
        text += f" Also: {hidden_text(pm.hidden_signals)} (not listed, not counted per day)."
    rows = tuple((d.day.isoformat(), str(d.count)) for d in pm.signals_per_day)
    return Section("Collection and signals", paragraphs=(text,),
                   table=Table(("day (UTC)", "signals"), rows) if rows else None)


def _replay(series: ReplaySeries) -> Section:
    if not series.steps:
        return Section("Replay", paragraphs=("The replay has no steps.",))
    top = max(series.steps, key=lambda s: s.probability)
    why = f" ({series.step_reason})" if series.step_reason else ""
    text = (f"Recomputed every {series.step_text}{why} from what was known at each step: peak {top.probability:.1%} "
            f"on {when(top.at)} UTC ({top.level or 'below every threshold'}).")
    rows = []
    for t in series.thresholds:
        first = series.first_reaching(t)
        rows.append((t.level, f"{t.probability:.0%}", when(first.at) if first else "never reached"))
    would = tuple(f"{when(c.at)} UTC: {c.previous or 'no level'} → {c.level} ({c.probability:.1%})"
                  for c in series.crossings)
    paragraphs = (text, "A live system would have raised a warning at:") if would else (
        text, "The replay crosses no threshold upward: a live system would have raised no warning.")
    return Section("Replay", paragraphs=paragraphs, bullets=would,
                   table=Table(("threshold", "probability", "first reached"), tuple(rows)))


def judgment_sections(j: JudgmentsSeen) -> list[Section]:
    """The scenario's question: its estimates over time, its published lines with their softening gaps and
    dissents, and the dissents from the warnings' dispositions."""
    found = [_estimates(j), _lines(j)] if j.question is not None else [
        Section("Judgments", paragraphs=("Nobody estimated on the scenario's question or published a line for it.",))]
    on_lines = tuple(_dissent(d, f"the line of {when(x.line.at)}") for x in j.lines for d in x.dissents)
    if on_lines:
        found.append(Section("Dissents from published lines", paragraphs=(
            "Filed by analysts against a published line; no one can edit or hide them.",), bullets=on_lines))
    if j.assumptions:
        found.append(Section("Key assumptions", paragraphs=(
            "What the lines took for granted, with the evidence that met their signposts.",),
            bullets=tuple(_assumption(x) for x in j.assumptions)))
    if j.dispositions:
        found.append(Section("Dissents from dispositions", paragraphs=(
            "Filed by analysts against how a warning was disposed of; no one can edit or hide them.",),
            bullets=tuple(_dissent(d, f"the disposition of warning #{d.target_id}") for d in j.dispositions)))
    return found


def _estimates(j: JudgmentsSeen) -> Section:
    q = j.question
    assert q is not None
    state = q.state.value + (f" by {q.resolved_by} on {when(q.resolved_at)} UTC: “{q.resolution}”"
                             if q.resolved_by else "")
    said = [f"Question #{q.id}: {q.title} (owner {q.owner}; resolves by {q.resolves_by.isoformat()}; {state})"]
    if not j.revealed:
        said.append("The question is open and you have not estimated on it: by the blind rule only your own "
                    "estimates are shown, and no published line.")
    rows = tuple((when(e.at), e.analyst, f"{e.probability:.0%}", e.words, "blind" if e.blind else "revised",
                  _clip(e.rationale)) for e in j.estimates)
    return Section("Judgments: the analysts' estimates", paragraphs=tuple(said),
                   table=Table(("when (UTC)", "analyst", "probability", "words", "", "rationale"), rows)
                   if rows else None)


def _lines(j: JudgmentsSeen) -> Section:
    if not j.lines:
        return Section("Judgments: published lines", paragraphs=(
            "No line was published." if j.revealed else "Withheld by the blind rule.",))
    rows = tuple((when(x.line.at), x.line.published_by, f"{x.line.probability:.0%}", x.line.words,
                  "—" if x.median is None else f"{x.median:.0%}", logits(x.line.gap), logits(x.line.model_gap),
                  "FLAGGED: softer than the analysts" if x.line.flagged else "no", str(len(x.dissents)))
                 for x in j.lines)
    header = ("published (UTC)", "by", "line", "words", "analysts' blind median", "gap (logits)",
              "gap to the model (logits)", "flagged", "dissents")
    note = (f"The softening gap: the line's log-odds minus those of the median of the analysts' blind estimates made "
            f"before it (negative: softer); flagged when softer by more than {j.allowed:g} logits.")
    return Section("Judgments: published lines", paragraphs=(note,), table=Table(header, rows))


def _assumption(x: AssumptionSeen) -> str:
    a, first = x.assumption, (x.matches[0] if x.matches else None)
    met = (f"; a signpost ({first.signpost}) was met by evidence known {when(first.known_at)} UTC: "
           f"“{_clip(first.evidence)}” ({len(x.matches)} match(es) in all)" if first else "; no signpost was met")
    return f"{a.owner}'s, added {when(a.created_at)} UTC: “{a.text}” — {a.state.value}{met}"


def _dissent(d: Dissent, about: str) -> str:
    return f"{d.analyst} dissented from {about} on {when(d.at)} UTC: “{d.text}”"


def logits(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


# -- formatting ----------------------------------------------------------------------------------

def when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "—"


def duration(delta: timedelta | None) -> str:
    """``3 d 4 h 5 min``; whole minutes, largest units first."""
    if delta is None:
        return "—"
    sign = "-" if delta < timedelta(0) else ""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "min")) if n]
    return sign + (" ".join(parts) or "0 min")


def _clip(text: str, width: int = DETAIL_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _md(text: str, *, line: bool = False) -> str:
    """Text safe in Markdown: one line; no raw HTML (< > & as entities), no table breaks, no emphasis;
    ``line``: it starts a line, so it must not start a heading, list or quote either."""
    flat = " ".join(text.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|":
        flat = flat.replace(ch, "\\" + ch)
    return "\\" + flat if line and flat.startswith(("#", "-", "+")) else flat


def _md_table(table: Table) -> list[str]:
    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(_md(c) for c in cells) + " |"

    return [row(table.header), "|" + "---|" * len(table.header), *(row(r) for r in table.rows)]


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{_h(c)}</th>" for c in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{_h(c)}</td>" for c in r) + "</tr>" for r in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _chart(pm: PostMortem, series: ReplaySeries) -> str:
    from forewarn.review.chart import chart_data_uri  # matplotlib loads only for pages with a chart

    uri = chart_data_uri(series, warnings=[o.warning for o in pm.outcomes], event_at=pm.event_at)
    alt = f"Probability of {pm.scenario.name} recomputed every {series.step_text}, with thresholds and warnings"
    return f'<figure><img src="{_h(uri)}" alt="{_h(alt)}"></figure>'


STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2125;margin:0;background:#f8f9fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}
h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
.sub{color:#5c636a;margin:0 0 16px}
.break{font-weight:600;padding:10px 14px;border-radius:6px;background:#fff3bf;border-left:6px solid #e67700}
.break.none{background:#d3f9d8;border-left-color:#2b8a3e}
.break.not-collected,.break.not-matched{background:#e7f5ff;border-left-color:#1864ab}
.break.dismissed,.break.unacknowledged,.break.no-warning{background:#ffe3e3;border-left-color:#c92a2a}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9em}
th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f5}
figure{margin:16px 0;background:#fff;border:1px solid #dee2e6}
figure img{width:100%;height:auto;display:block}
""".strip()

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body><main>
{body}
</main></body>
</html>
"""
