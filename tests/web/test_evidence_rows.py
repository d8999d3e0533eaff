"""Readable evidence (issue 16, item 4): each signal as a row — the sentence with its trigger marked, actor →
recipient by canonical name and linked, place, date, source with its grade, a claim's speaker and stance, a
surge's and a day of mentions' count, test and top stories — on the warning and scenario pages and in the API,
read by id with one query per table, hostile text escaped. A corrected event (issue 16, item 9) reads with its
corrected values, the extracted ones struck through, a "corrected" badge to its corrections; a rejected one says
so and why."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from web_support import HOSTILE, World

from forewarn.app import Workspace
from forewarn.ingest.annotations import CorrectionInput
from forewarn.model import Assessment, Signal, SignalKind
from forewarn.reads.evidence import ATTACHED, EvidenceGroup, EvidenceRow, cut, signal_groups
from forewarn.store import schema as t
from forewarn.warn import explain

WorldWs = tuple[Workspace, World]
Login = Callable[[str], TestClient]
UKR = "dict:ukr-military"
KNOWN = "2024-08-11T09:00:00+00:00"


def event_of(ws: Workspace, doc_id: str) -> str:
    return ws.reads.extraction(doc_id).events[0].id


def signal(indicator: str, kind: str, contribution: float, *, events: list[str] | None = None,
           documents: list[str] | None = None, sources: tuple[str, ...] = ("orbitline",), reliability: str = "B",
           evidence: str = "", counted: bool = True, day: str = "2024-08-11") -> dict[str, Any]:
    return {"indicator_id": indicator, "kind": kind, "observed_on": day, "known_at": KNOWN,
            "source_ids": list(sources), "reliability": reliability, "event_ids": events or [],
            "document_ids": documents or [], "strength": 0.85, "decay": 1.0, "contribution": contribution,
            "counted": counted, "note": "", "evidence": evidence}


@contextmanager
def selects(ws: Workspace) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(ws.store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ws.store.engine, "before_cursor_execute", record)


def groups_of(ws: Workspace, signals: list[dict[str, Any]], names: dict[str, str] | None = None,
              uncounted: int = 3) -> list[EvidenceGroup]:
    with ws.store.engine.connect() as conn:
        return signal_groups(conn, signals, names or {}, uncounted)


def only_row(groups: list[EvidenceGroup], indicator: str) -> EvidenceRow:
    [group] = [g for g in groups if g.indicator_id == indicator]
    return group.rows[0]


def add_claim(ws: Workspace, doc_id: str) -> str:
    """A claim by the Ukrainian army in the document's sentence (what it says: after "armour again: ")."""
    text = ws.store.get_document(doc_id).text
    sentence = text.strip()
    with ws.store.transaction() as conn:
        conn.execute(t.claims.insert().values(
            document_id=doc_id, seq=0, speaker_entity_id=UKR, speaker_text="the Ukrainian army", speaker_start=14,
            speaker_end=32, cue="warn", content_start=14, content_end=len(sentence), quoted=False, stance="warn",
            sentence=0, start=0, end=len(sentence), extractor="test", claimed_type="MOBILIZE"))
    return sentence


# -- the rows --------------------------------------------------------------------------------------------

def test_an_event_signal_reads_as_a_sentence_with_who_where_when_and_the_source(world_ws: WorldWs) -> None:
    ws, world = world_ws
    o1, c1 = world.documents["o1"], world.documents["c1"]
    evidence = ws.store.get_document(o1).text.strip()
    sig = signal("armour", "event", 0.4, events=[event_of(ws, c1), event_of(ws, o1)], documents=[o1, c1],
                 sources=("chat", "orbitline"), evidence=evidence)
    row = only_row(groups_of(ws, [sig], {"armour": "Armour near the border"}), "armour")
    e = row.event
    assert e is not None and e.document.id == o1  # the best report: the one whose sentence is the evidence
    assert e.sentence is not None and (e.sentence.before, e.sentence.marked) == ("", "armour")
    assert e.sentence.after.startswith(" columns of the Ukrainian army") and not e.sentence.cut
    assert e.actor is not None and (e.actor.entity_id, e.actor.name, e.actor.text) == (
        UKR, "Armed Forces of Ukraine", "the Ukrainian army")
    assert e.recipient is None and (e.type, e.mode, e.date, e.date_precision) == (
        "MOBILIZE", "troops", date(2024, 8, 6), "day")
    assert e.place is not None and (e.place.name, e.place.country, e.place.admin1, e.place.precision) == (
        "Sudzha", "RUS", "Kursk Oblast", "town")
    assert e.source is not None and (e.source.name, e.source.grade, e.source.label) == (
        "orbitline", "B", "usually reliable")
    assert e.anchor == f"ev-{e.id}" and e.document.title == "o1"
    assert [(s.id, s.grade) for s in row.sources] == [("chat", "E"), ("orbitline", "B")]
    assert row.best_grade == "B" and row.more_events == 1 and [d.id for d in row.documents] == [o1, c1]


def test_a_surge_names_its_count_place_test_examples_and_best_grade(world_ws: WorldWs) -> None:
    """A surge's stored signal has no grade of its own ("best " with nothing): the row takes its sources' best."""
    ws, world = world_ws
    events = [event_of(ws, d) for d in world.documents.values()]
    text = ("5 independent reports of MOBILIZE in Kursk Oblast (RUS) on 2024-08-11 against a baseline of 0.20/day "
            "(variance 0.10); poisson p = 0.0012")
    sig = signal("shelling-surge", "surge", 1.1, events=events, sources=("chat", "orbitline"), reliability="",
                 evidence=text)
    row = only_row(groups_of(ws, [sig]), "shelling-surge")
    assert (row.kind, row.count, row.best_grade) == ("surge", 5, "B")
    assert row.place is not None and (row.place.admin1, row.place.country) == ("Kursk Oblast", "RUS")
    assert row.test == "against a baseline of 0.20/day (variance 0.10); poisson p = 0.0012"
    assert len(row.examples) == 3 and row.more_events == 2
    assert all(e.sentence is not None and e.sentence.marked == "armour" for e in row.examples)


def test_a_day_of_mentions_names_its_count_test_and_top_stories(world_ws: WorldWs) -> None:
    ws, world = world_ws
    text = ('4 independent stories from 2 sources matching "armour" on 2024-08-11 against a baseline of 0.5/day '
            "(variance 0.3); poisson p = 0.004. Top stories: o1 (orbitline); o2 (orbitline); c2 (chat). Counted "
            "from the words of the reports, whether or not events were coded from them.")
    sig = signal("talk", "mentions", 0.7, documents=sorted(world.documents.values()), sources=("chat", "orbitline"),
                 evidence=text)
    row = only_row(groups_of(ws, [sig]), "talk")
    assert (row.kind, row.count) == ("mentions", 4)
    assert row.test == '"armour" on 2024-08-11 against a baseline of 0.5/day (variance 0.3); poisson p = 0.004'
    # one story per duplicate cluster (c1 is a copy of o1), the best source first, then the earliest
    assert [d.title for d in row.stories] == ["o1", "o2", "c2"]


def test_a_claim_names_its_speaker_and_stance(world_ws: WorldWs) -> None:
    ws, world = world_ws
    o2 = world.documents["o2"]
    sentence = add_claim(ws, o2)
    sig = signal("warned", "claim", 0.5, documents=[o2], evidence=f"Armed Forces of Ukraine (warn): {sentence}")
    claim = only_row(groups_of(ws, [sig]), "warned").claim
    assert claim is not None and (claim.speaker.name, claim.speaker.entity_id, claim.stance, claim.cue) == (
        "Armed Forces of Ukraine", UKR, "warn", "warn")
    assert claim.claimed_type == "MOBILIZE" and claim.source is not None and claim.source.grade == "B"
    assert claim.sentence is not None and claim.sentence.before == "armour again: "
    assert claim.sentence.marked.startswith("the Ukrainian army brought")


def test_groups_are_strongest_first_with_the_uncounted_ones_bounded(world_ws: WorldWs) -> None:
    ws, world = world_ws
    doc = world.documents["o2"]
    ev = event_of(ws, doc)
    signals = [signal("weak", "event", 0.1, events=[ev], documents=[doc]),
               *(signal("strong", "event", c, events=[ev], documents=[doc]) for c in (0.3, 0.5)),
               *(signal("strong", "event", 0.0, events=[ev], documents=[doc], counted=False) for _ in range(5))]
    groups = groups_of(ws, signals, {"strong": "Strong one"}, uncounted=2)
    assert [(g.indicator_id, g.name, round(g.contribution, 3), len(g.rows), g.hidden) for g in groups] == [
        ("strong", "Strong one", 0.8, 4, 3), ("weak", "weak", 0.1, 1, 0)]
    assert [r.contribution for r in groups[0].rows] == [0.5, 0.3, 0.0, 0.0]


def test_rows_read_the_cited_ids_with_one_query_per_table(world_ws: WorldWs) -> None:
    ws, world = world_ws
    docs = sorted(world.documents.values())
    add_claim(ws, world.documents["o2"])
    signals = [signal("armour", "event", 0.1 * i, events=[event_of(ws, d)], documents=[d]) for i, d in
               enumerate(docs, 1)]
    signals += [signal("warned", "claim", 0.2, documents=[world.documents["o2"]]),
                signal("talk", "mentions", 0.3, documents=docs)]
    with selects(ws) as seen:
        groups_of(ws, signals)
    seen = [s for s in seen if s.startswith("SELECT")]
    tables = sorted(re.search(r"\bFROM (\w+)", s).group(1) for s in seen)  # type: ignore[union-attr]
    assert tables == ["claims", "documents", "entities", "event_corrections", "events", "sources"]
    assert all(" IN (" in s for s in seen)  # by id: never a scan
    assert all("substr(documents.text" in s for s in seen if "FROM events" in s or "FROM claims" in s)


def test_a_sentence_is_cut_to_what_was_read_and_marks_stay_inside() -> None:
    assert cut("abcdef", 6, 2, 4) == cut("abcdefXYZ", 6, 2, 4)
    s = cut("abc", 10, 1, 50)
    assert s is not None and (s.before, s.marked, s.after, s.cut) == ("a", "bc", "", True)
    s = cut("abcdef", 6, -3, -1)
    assert s is not None and (s.before, s.marked, s.after) == ("", "", "abcdef")
    assert cut(None, 6, 0, 1) is None


def test_a_surge_warning_text_names_no_empty_best_grade(world_ws: WorldWs) -> None:
    ws, world = world_ws
    scenario = ws.scenarios.get(world.scenario_id)
    surge = Signal("shelling-surge", SignalKind.SURGE, date(2024, 8, 11), datetime(2024, 8, 11, tzinfo=UTC),
                   ("chat", "orbitline"), "", ("e1",), ("d1",), 1.0, 1.0, 0.7, True, evidence="5 reports")
    graded = replace(surge, reliability="B", indicator_id="armour")
    a = Assessment(scenario.id, scenario.version, datetime(2024, 8, 12, tzinfo=UTC), 0.1, 0.0, 0.5, "elevated",
                   (surge, graded))
    text = explain.text(scenario, a)
    assert "(best )" not in text and "2 sources (best B)" in text and "2 sources\n  “5 reports”" in text


# -- the pages and the API -------------------------------------------------------------------------------

def test_the_scenario_page_shows_readable_rows(as_role: Login, world: World) -> None:
    page = as_role("viewer").get(f"/scenarios/{world.scenario_id}").text
    table = page[page.index('<table class="contributions">'):]
    table = table[:table.index("</table>")]
    assert re.search(r'<tbody class="evidence-group" data-group="armour">\s*<tr class="group-head"><th colspan="3" '
                     r'scope="rowgroup">Armour near the border', table)
    assert table.count("<mark>armour</mark>") == 4
    assert '<a class="entity" href="/entities/dict%3Aukr-military"' in table and "Armed Forces of Ukraine" in table
    assert "Sudzha, Kursk Oblast (RUS, town)" in table
    assert '<span class="grade grade-B" title="Admiralty reliability: usually reliable">B</span> orbitline' in table
    assert re.search(rf'href="/documents/{world.documents["o2"]}#ev-[0-9a-f]+"><q class="sentence"><mark>armour'
                     r'</mark> again:', table)
    assert "best </" not in table and "(best )" not in page


def test_the_warning_page_shows_the_signals_that_raised_it(as_role: Login, world: World) -> None:
    page = as_role("viewer").get(f"/warnings/{world.warning_ids[0]}").text
    evidence = page[page.index('<section class="card evidence">'):]
    evidence = evidence[:evidence.index("</section>")]
    assert 'data-group="armour"' in evidence and "Armour near the border" in evidence
    assert evidence.count('<tr class="counted" data-indicator="armour">') == 4
    assert re.findall(r'<td class="num contribution">([+-]\d\.\d{3})', evidence) == ["+0.785", "+0.393", "+0.196",
                                                                                     "+0.165"]
    assert ATTACHED not in evidence  # every event and document of it is carried by a signal


def test_a_warning_raised_by_hand_shows_what_was_attached(as_role: Login, world_ws: WorldWs) -> None:
    ws, world = world_ws
    c2 = world.documents["c2"]
    w = ws.warnings.raise_warning("Seen by hand", "look", "high", document_ids=[world.documents["o1"]],
                                  event_ids=[event_of(ws, c2), "gone-event"])
    page = as_role("viewer").get(f"/warnings/{w.id}").text
    evidence = page[page.index('<section class="card evidence">'):]
    evidence = evidence[:evidence.index("</section>")]
    assert 'data-group="attached"' in evidence and "Attached evidence" in evidence
    assert re.search(rf'href="/documents/{c2}#ev-[0-9a-f]+"><q class="sentence"><mark>armour</mark> and fuel',
                     evidence)
    assert "event gone-event is no longer stored" in evidence
    assert f'<a class="doc" href="/documents/{world.documents["o1"]}">o1</a>' in evidence


def test_hostile_sentences_are_escaped_inside_the_rows(as_role: Login, world: World) -> None:
    for path in (f"/warnings/{world.warning_ids[0]}", f"/scenarios/{world.scenario_id}"):
        page = as_role("viewer").get(path).text
        assert HOSTILE not in page and "<img src=x" not in page, path
        assert ("<mark>armour</mark> of the Ukrainian army near Sudzha; &lt;script&gt;alert(&#34;xss&#34;)"
                "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") in page, path


def test_the_api_gives_the_same_rows(as_role: Login, world: World) -> None:
    viewer = as_role("viewer")
    w = viewer.get(f"/api/v1/warnings/{world.warning_ids[0]}").json()
    [group] = w["evidence"]
    assert (group["indicator_id"], group["name"], len(group["rows"])) == ("armour", "Armour near the border", 4)
    row = group["rows"][0]
    assert row["kind"] == "event" and row["contribution"] == w["evidence"][0]["rows"][0]["contribution"]
    e = row["event"]
    assert e["sentence"]["marked"] == "armour" and e["actor"]["name"] == "Armed Forces of Ukraine"
    assert e["place"]["name"] == "Sudzha" and e["source"]["grade"] == "B" and e["anchor"] == f"ev-{e['id']}"
    assert w["event_ids"] and w["document_ids"]  # the existing fields stay
    listed = viewer.get("/api/v1/warnings").json()["items"]
    assert all(item["evidence"] is None for item in listed)  # only the single-warning read carries it
    s = viewer.get(f"/api/v1/scenarios/{world.scenario_id}").json()
    assert [g["indicator_id"] for g in s["evidence"]] == ["armour"]
    assert [r["event"]["sentence"]["marked"] for r in s["evidence"][0]["rows"]] == ["armour"] * 4
    assert s["latest_assessment"]["signals"]  # kept


# -- corrections (issue 16, item 9) ----------------------------------------------------------------------

def one_event_signal(ws: Workspace, doc_id: str) -> dict[str, Any]:
    return signal("armour", "event", 0.4, events=[event_of(ws, doc_id)], documents=[doc_id],
                  evidence=ws.store.get_document(doc_id).text.strip())


def test_a_corrected_event_reads_with_its_corrected_values_and_the_extracted_ones_kept(world_ws: WorldWs) -> None:
    ws, world = world_ws
    o1 = world.documents["o1"]
    ws.annotations.correct(event_of(ws, o1), CorrectionInput(type="ASSAULT", date="2024-08-05", place="Kharkiv",
                                                             reason="shelling, not a build-up"))
    sig, plain = one_event_signal(ws, o1), one_event_signal(ws, world.documents["o2"])
    [group] = groups_of(ws, [sig, plain])
    fixed, untouched = group.rows
    e = fixed.event
    assert e is not None and (e.type, e.mode, e.date, e.date_precision) == ("ASSAULT", None, date(2024, 8, 5), "day")
    assert e.place is not None and e.place.name == "Kharkiv" and e.actor is not None and e.actor.entity_id == UKR
    c = e.correction
    assert c is not None and fixed.correction is c and (c.status, c.rejected) == ("corrected", False)
    assert c.changed == ("type", "mode", "place", "date")  # a new type without a mode clears the old one's
    assert (c.original.type, c.original.mode, c.original.date) == ("MOBILIZE", "troops", date(2024, 8, 6))
    assert c.original.place is not None and c.original.place.name == "Sudzha"
    assert {f.field: (f.original, f.value) for f in c.fields}["type"] == ("MOBILIZE", "ASSAULT")
    assert c.reason == "shelling, not a build-up" and c.href == f"/events/{e.id}#corrections"
    assert untouched.event is not None and untouched.event.correction is None and untouched.correction is None
    assert untouched.event.type == "MOBILIZE"


def test_a_rejected_event_keeps_its_values_and_says_why(world_ws: WorldWs) -> None:
    ws, world = world_ws
    c1 = world.documents["c1"]
    ws.annotations.correct(event_of(ws, c1), CorrectionInput(mode="troops", date="2024-08-01"))
    ws.annotations.reject(event_of(ws, c1), "a copy of a rumour")
    row = only_row(groups_of(ws, [one_event_signal(ws, c1)]), "armour")
    assert row.event is not None and row.event.date == date(2024, 8, 1)  # the fields set before still show
    c = row.correction
    assert c is not None and (c.status, c.rejected, c.reason) == ("rejected", True, "a copy of a rumour")
    assert c.changed == ("date",)
    ws.annotations.correct(event_of(ws, c1), CorrectionInput(date="2024-08-02"))  # a correction restores it
    again = only_row(groups_of(ws, [one_event_signal(ws, c1)]), "armour").correction
    assert again is not None and again.status == "corrected" and again.reason is None


def test_a_surges_examples_carry_their_own_corrections(world_ws: WorldWs) -> None:
    ws, world = world_ws
    events = [event_of(ws, world.documents[d]) for d in ("o1", "o2", "c2")]
    ws.annotations.reject(events[1], "not armour")
    sig = signal("shelling-surge", "surge", 1.1, events=events, evidence="3 reports")
    row = only_row(groups_of(ws, [sig]), "shelling-surge")
    assert [e.correction.status if e.correction else None for e in row.examples] == [None, "rejected", None]
    assert row.correction is None  # a surge has no one event


def test_the_corrections_of_every_cited_event_are_one_query(world_ws: WorldWs) -> None:
    ws, world = world_ws
    docs = sorted(world.documents.values())
    for d in docs[:2]:
        ws.annotations.reject(event_of(ws, d), "noise")
    with selects(ws) as seen:
        groups = groups_of(ws, [one_event_signal(ws, d) for d in docs])
    corrections = [s for s in seen if s.startswith("SELECT") and "FROM event_corrections" in s]
    assert len(corrections) == 1 and "event_corrections.target IN (" in corrections[0]
    assert sum(r.correction is not None for g in groups for r in g.rows) == 2


def correct_first_row(as_role: Login, path: str, body: dict[str, str], action: str = "corrections") -> str:
    """Correct (or reject) the event of the first evidence row the API gives for ``path``; its id."""
    found = as_role("viewer").get(path).json()
    event_id = str(found["evidence"][0]["rows"][0]["event"]["id"])
    done = as_role("analyst").post(f"/api/v1/events/{event_id}/{action}", json=body)
    assert done.status_code in (200, 201), done.text
    return event_id


def evidence_html(page: str, start: str) -> str:
    html = page[page.index(start):]
    return html[:html.index("</table>")]


def test_the_scenario_page_strikes_through_what_was_corrected(as_role: Login, world: World) -> None:
    event_id = correct_first_row(as_role, f"/api/v1/scenarios/{world.scenario_id}",
                                 {"type": "ASSAULT", "date": "2024-08-05", "reason": "shelling"})
    table = evidence_html(as_role("viewer").get(f"/scenarios/{world.scenario_id}").text,
                          '<table class="contributions">')
    assert ('<span class="badge type"><del title="as extracted">MOBILIZE · troops</del> '
            '<ins title="as corrected">ASSAULT</ins></span>') in table
    assert re.search(r'<del title="as extracted"><span class="date"[^>]*>2024-08-\d\d</span></del> '
                     r'<ins title="as corrected"><span class="date"[^>]*>2024-08-05</span></ins>', table), table
    badge = re.search(rf'<a class="badge corrected" href="/events/{event_id}#corrections" title="([^"]*)">'
                      r'corrected</a>', table)
    assert badge is not None and badge.group(1).startswith("corrected by analyst, ")
    assert "type: MOBILIZE → ASSAULT (analyst, " in badge.group(1)
    assert table.count("<del") == 2 and table.count("badge corrected") == 1  # only the corrected row


def test_the_warning_page_says_a_cited_event_was_rejected_and_why(as_role: Login, world: World) -> None:
    path = f"/api/v1/warnings/{world.warning_ids[0]}"
    event_id = correct_first_row(as_role, path, {"reason": f"a rumour {HOSTILE}"}, "rejection")
    html = as_role("viewer").get(f"/warnings/{world.warning_ids[0]}").text
    evidence = evidence_html(html, '<section class="card evidence">')
    assert f'<a class="badge rejected" href="/events/{event_id}#corrections"' in evidence
    assert re.search(r'<p class="rejection">Rejected by analyst · \d{4}-\d\d-\d\d \d\d:\d\d UTC: '
                     r'<q>a rumour &lt;script&gt;', evidence)
    assert HOSTILE not in html and "<del" not in evidence  # nothing corrected, only rejected
    assert evidence.count('<tr class="counted" data-indicator="armour">') == 4  # the assessment still cites it


def test_the_api_rows_carry_the_correction(as_role: Login, world: World) -> None:
    path = f"/api/v1/warnings/{world.warning_ids[0]}"
    event_id = correct_first_row(as_role, path, {"type": "ASSAULT", "place": "Kharkiv"})
    rows = as_role("viewer").get(path).json()["evidence"][0]["rows"]
    [fixed] = [r for r in rows if r["event"]["id"] == event_id]
    c = fixed["correction"]
    assert c == fixed["event"]["correction"] and (c["status"], c["author"]) == ("corrected", "analyst")
    assert c["changed"] == ["type", "mode", "place"] and c["href"] == f"/events/{event_id}#corrections"
    assert (c["original"]["type"], c["original"]["place"]["name"]) == ("MOBILIZE", "Sudzha")
    assert (fixed["event"]["type"], fixed["event"]["place"]["name"]) == ("ASSAULT", "Kharkiv")
    assert all(r["correction"] is None and r["event"]["correction"] is None for r in rows if r is not fixed)


def test_a_claim_row_links_to_its_words_on_the_document_page(world_ws: WorldWs,
                                                              as_role: Callable[[str], TestClient]) -> None:
    ws, world = world_ws
    o2 = world.documents["o2"]
    add_claim(ws, o2)
    claim = only_row(groups_of(ws, [signal("warned", "claim", 0.5, documents=[o2])]), "warned").claim
    assert claim is not None and claim.anchor == "cl-14"  # where what was said begins
    page = as_role("viewer").get(f"/documents/{o2}").text
    assert page.count('id="cl-14"') == 1
