"""`forewarn events`, `forewarn export` and `forewarn entities` on a workspace holding a hand-built extraction."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forewarn.cli.main import app
from forewarn.model.extraction import (
    Claim,
    ClaimedEvent,
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
    TimePrecision,
)
from forewarn.model.query import EventQuery
from forewarn.store import open_store

runner = CliRunner()
TEXT = "Russian forces struck Sumy with drones overnight. Ukraine's army denied losses."
RUS = Entity("dict:rus-military", "Russian Armed Forces", EntityKind.ORG, "RUS", Sector.MILITARY, ("Russian forces",))
RUS_NER = Entity("ner:org:russian-forces", "Russian forces", EntityKind.ORG, None, None)
UKR = Entity("dict:ukr-military", "Armed Forces of Ukraine", EntityKind.ORG, "UKR", Sector.MILITARY)
SUMY = Place("Sumy", 50.9077, 34.7981, "UKR", "Sumy Oblast", "geonames:692194", PlacePrecision.TOWN)


def cli(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", "cli-test", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def extraction(doc_id: str, text: str) -> Extraction:
    first_end = text.index(".") + 1
    sumy = PlaceMention(SUMY, "Sumy", *at(text, "Sumy"), 0)
    strike = Event(type="ASSAULT", mode="drone", contexts=("military",),
                   actor=Participant(RUS, "Russian forces", *at(text, "Russian forces")), recipient=None, place=sumy,
                   date=date(2024, 8, 4), date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(),
                   evidence=Evidence(0, 0, first_end, *at(text, "struck")), confidence=0.85)
    denial = Event(type="REJECT", mode=None, contexts=(), actor=Participant(UKR, "Ukraine's army",
                                                                            *at(text, "Ukraine's army")),
                   recipient=Participant(RUS_NER, "losses", *at(text, "losses")), place=None, date=date(2024, 8, 4),
                   date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(reported=True),
                   evidence=Evidence(1, first_end + 1, len(text), *at(text, "denied")), confidence=0.5)
    return Extraction(document_id=doc_id, extractor="test 1",
                      entities=(EntityMention(RUS, "Russian forces", *at(text, "Russian forces"), 0),),
                      places=(sumy,), events=(strike, denial))


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(f"Title: Strike\nDate: 2024-08-04\n\n{TEXT}")
    code, out = cli(url, "ingest", str(inbox), "--json")
    assert code == 0, out
    store = open_store(url)
    try:
        [doc_id] = store.documents_needing_extraction()
        text = store.get_document(doc_id).text
        store.save_extractions([extraction(doc_id, text)], datetime(2024, 8, 5, tzinfo=UTC))
    finally:
        store.close()
    return url


def test_events_list_filter_and_render(db: str) -> None:
    code, out = cli(db, "events", "--json")
    assert code == 0, out
    listed = json.loads(out)
    assert listed["total"] == 2 and sorted(e["type"] for e in listed["items"]) == ["ASSAULT", "REJECT"]
    strike = next(e for e in listed["items"] if e["type"] == "ASSAULT")
    assert strike["date"] == "2024-08-04" and strike["actor"]["country"] == "RUS"
    assert strike["place"]["name"] == "Sumy"
    for args, expected in ((("--type", "assault,aid"), 1), (("--type", "REJECT", "--type", "ASSAULT"), 2),
                           (("--actor", "armed forces of ukraine"), 1), (("--actor-country", "rus"), 1),
                           (("--near", "50.9,34.8,10"), 1), (("--near", "48.0,37.8,10"), 0),
                           (("--from", "2024-08-05"), 0), (("--to", "2024-08-04"), 2),
                           (("--min-confidence", "0.6"), 1), (("--place", "sumy oblast"), 1),
                           (("--source", "nowhere"), 0), (("--mode", "drone"), 1)):
        code, out = cli(db, "events", "--json", *args)
        assert code == 0, (args, out)
        assert json.loads(out)["total"] == expected, args
    code, out = cli(db, "events")
    assert code == 0 and "ASSAULT" in out and "Russian Armed Forces (RUS)" in out and "reported" in out


def test_an_inferred_actor_is_shown_as_inferred(db: str) -> None:
    """A sighting's inferred actor and the type's coder reach the table, --json and the PLOVER export."""
    store = open_store(db)
    try:
        doc_id = store.find_events(EventQuery(limit=1))[0].document_id
        x = extraction(doc_id, store.get_document(doc_id).text)
        strike = x.events[0]
        assert strike.actor is not None
        sighting = dataclasses.replace(strike, actor=dataclasses.replace(strike.actor, inferred=True),
                                       coder="rules+model:events-1")
        store.save_extractions([dataclasses.replace(x, events=(sighting, x.events[1]))],
                               datetime(2024, 8, 6, tzinfo=UTC))
    finally:
        store.close()
    code, out = cli(db, "events", "--type", "ASSAULT")
    assert code == 0 and "Russian Armed Forces (inferred) (RUS)" in out, out
    code, out = cli(db, "events", "--json", "--type", "ASSAULT")
    [listed] = json.loads(out)["items"]
    assert listed["actor"]["inferred"] is True and listed["coder"] == "rules+model:events-1"
    result = runner.invoke(app, ["--db", db, "export", "--type", "ASSAULT"])
    record = json.loads(result.stdout)
    assert record["actor"]["inferred"] is True and record["type_coder"] == "rules+model:events-1"
    code, out = cli(db, "events", "--type", "REJECT")
    assert code == 0 and "(inferred)" not in out


def test_bad_filters_are_coded_errors(db: str) -> None:
    for args in (("--near", "50.9,34.8"), ("--near", "north"), ("--near", "95,10,5"), ("--from", "yesterday"),
                 ("--type", "FIGHT"), ("--from", "2024-08-05", "--to", "2024-08-01")):
        code, out = cli(db, "events", *args)
        assert code == 1 and "FW-E005" in out, (args, out)
    code, out = cli(db, "export", "--format", "csv")
    assert code == 1 and "FW-E005" in out and "plover, stix, misp" in out


def test_export_plover_jsonl(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", db, "export", "--type", "ASSAULT"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert (record["event"], record["mode"], record["event_text"], record["actor"]["code"]) == (
        "ASSAULT", "drone", "struck", "RUS")
    assert record["event_loc"]["name"] == "Sumy" and record["coder"] == "forewarn test 1"
    target = tmp_path / "out" / "events.jsonl"
    code, out = cli(db, "export", "--out", str(target))
    assert code == 1 and "FW-E005" in out  # the folder does not exist
    target.parent.mkdir()
    code, out = cli(db, "export", "--out", str(target))
    assert code == 0 and "wrote 2 events" in out
    first = target.read_bytes()
    cli(db, "export", "--out", str(target))
    assert target.read_bytes() == first and len(first.splitlines()) == 2


def test_the_export_carries_claims_whose_claimed_actor_follows_a_merge(db: str) -> None:
    """A stored claim reaches every event record of its document; a merge through the entity desk gives its
    claimed actor the canonical entity's country."""
    store = open_store(db)
    try:
        doc_id = store.find_events(EventQuery(limit=1))[0].document_id
        text = store.get_document(doc_id).text
        x = extraction(doc_id, text)
        said = text.index("Ukraine's army")
        denial = Claim(speaker=Participant(UKR, "Ukraine's army", *at(text, "Ukraine's army")),
                       speaker_text="Ukraine's army", cue="deny", content_start=text.index("losses"),
                       content_end=len(text) - 1, quoted=False, stance="deny", sentence=1, start=said, end=len(text),
                       claimed=ClaimedEvent("ASSAULT", Participant(RUS_NER, "losses", *at(text, "losses")), None,
                                            None, "denied"))
        store.save_extractions([dataclasses.replace(x, claims=(denial,))], datetime(2024, 8, 6, tzinfo=UTC))
    finally:
        store.close()
    records = [json.loads(line) for line in runner.invoke(app, ["--db", db, "export"]).stdout.splitlines()]
    assert [len(r["claims"]) for r in records] == [1, 1]
    [claim] = records[0]["claims"]
    assert (claim["speaker"]["code"], claim["stance"], claim["text"], claim["claimed"]["modality"]) == (
        "UKR", "deny", "losses", "denied")
    assert claim["claimed"]["actor"]["code"] is None
    code, out = cli(db, "entities", "merge", RUS_NER.id, RUS.id)
    assert code == 0, out
    [claim] = json.loads(runner.invoke(app, ["--db", db, "export", "--type", "ASSAULT"]).stdout)["claims"]
    assert (claim["claimed"]["actor"]["code"], claim["claimed"]["actor"]["entity_id"]) == ("RUS", RUS.id)


def test_entities_merge_edit_and_undo(db: str) -> None:
    code, out = cli(db, "entities", "list", "--json")
    assert code == 0, out
    assert {e["id"]: e["events"] for e in json.loads(out)["items"]} == {RUS.id: 1, UKR.id: 1, RUS_NER.id: 1}
    code, out = cli(db, "entities", "merge", RUS_NER.id, RUS.id, "--note", "same forces", "--json")
    assert code == 0, out
    merge = json.loads(out)
    assert (merge["actor"], merge["note"]) == ("cli-test", "same forces")
    code, out = cli(db, "events", "--json", "--recipient", RUS.id)
    assert json.loads(out)["total"] == 1
    code, out = cli(db, "entities", "show", RUS.id)
    assert code == 0 and "Russian Armed Forces" in out and RUS_NER.id in out and "same forces" in out
    code, out = cli(db, "entities", "merges")
    assert code == 0 and RUS_NER.id in out
    code, out = cli(db, "entities", "merge", RUS.id, RUS.id)
    assert code == 1 and "FW-E060" in out
    code, out = cli(db, "entities", "unmerge", str(merge["id"]))
    assert code == 0 and "undid merge" in out
    code, out = cli(db, "entities", "unmerge", str(merge["id"]))
    assert code == 1 and "FW-E060" in out
    code, out = cli(db, "events", "--json", "--recipient", RUS.id)
    assert json.loads(out)["total"] == 0

    code, out = cli(db, "entities", "edit", UKR.id, "--name", "ZSU", "--alias", "Ukrainian army", "--json")
    assert code == 0, out
    edited = json.loads(out)
    assert (edited["name"], edited["aliases"], edited["origin"], edited["updated_by"]) == (
        "ZSU", ["Ukrainian army"], "user", "cli-test")
    code, out = cli(db, "entities", "edit", UKR.id)
    assert code == 1 and "nothing to edit" in out
    code, out = cli(db, "entities", "edit", UKR.id, "--sector", "navy")
    assert code == 1 and "FW-E005" in out
    code, out = cli(db, "entities", "show", "dict:nobody")
    assert code == 1 and "FW-E003" in out
    code, out = cli(db, "entities", "list", "--kind", "planet")
    assert code == 1 and "FW-E005" in out
