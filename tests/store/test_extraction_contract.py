"""The Store contract for extractions and entities: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from forewarn.detect.match import in_region
from forewarn.errors import Code, ForewarnError, InvalidArgument, NotFound
from forewarn.geo.distance import haversine_km
from forewarn.ingest import dedup
from forewarn.ingest.normalise import document_id
from forewarn.model import Document
from forewarn.model.document import DatePrecision
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
from forewarn.model.records import event_id
from forewarn.model.scenario import Region
from forewarn.store import SqlStore, open_store
from forewarn.store import schema as t
from forewarn.store.batch import Batch, StoredDocument

T0 = datetime(2024, 8, 5, 12, 0, tzinfo=UTC)
V1, V2 = "test-extractor 1", "test-extractor 2"

RUS = Entity("dict:rus-military", "Russian Armed Forces", EntityKind.ORG, "RUS", Sector.MILITARY,
             ("Russian army", "Russian troops"))
UKR = Entity("dict:ukr-military", "Armed Forces of Ukraine", EntityKind.ORG, "UKR", Sector.MILITARY, ("ZSU",))
WAGNER = Entity("ner:org:wagner", "Wagner", EntityKind.ORG, None, Sector.REBEL)
WAGNER_GROUP = Entity("ner:org:wagner-group", "Wagner Group", EntityKind.ORG, "RUS", Sector.REBEL)
RESIDENTS = Entity("ner:group:residents", "residents", EntityKind.GROUP, "UKR", Sector.CIVILIAN)

SUMY = Place("Sumy", 50.9077, 34.7981, "UKR", "Sumy Oblast", "geonames:692194", PlacePrecision.TOWN)
SUDZHA = Place("Sudzha", 51.1903, 35.2706, "RUS", "Kursk Oblast", "geonames:485660", PlacePrecision.TOWN)
KURSK = Place("Kursk", 51.7373, 36.1874, "RUS", "Kursk Oblast", "geonames:538560", PlacePrecision.TOWN)

TEXT_1 = ("Russian troops shelled residents in Sumy on Thursday. "
          "Ukraine moved troops to Sudzha. "
          "Russian troops did not attack Kursk.")
TEXT_2 = ("Wagner threatened the ZSU near Kursk. "
          "The ZSU accused the Russian army of lying, a spokesman said.")


def span(text: str, words: str, after: int = 0) -> tuple[int, int]:
    start = text.index(words, after)
    return start, start + len(words)


def who(text: str, entity: Entity, words: str, after: int = 0) -> Participant:
    return Participant(entity, words, *span(text, words, after))


def where(text: str, place: Place, after: int = 0) -> PlaceMention:
    start, end = span(text, place.name, after)
    return PlaceMention(place, place.name, start, end, sentence_of(text, start))


def sentence_of(text: str, offset: int) -> int:
    return text[:offset].count(". ")


def event(text: str, sentence: str, trigger: str, type_: str, *, mode: str | None = None,
          actor: Participant | None = None, recipient: Participant | None = None, place: PlaceMention | None = None,
          day: date = date(2024, 8, 1), confidence: float = 0.8, flags: Flags = Flags(),
          contexts: tuple[str, ...] = ("military",)) -> Event:
    s_start, s_end = span(text, sentence)
    t_start, t_end = span(text, trigger, s_start)
    return Event(type=type_, mode=mode, contexts=contexts, actor=actor, recipient=recipient, place=place, date=day,
                 date_precision=TimePrecision.DAY, date_from_publication=False, flags=flags,
                 evidence=Evidence(sentence_of(text, s_start), s_start, s_end, t_start, t_end), confidence=confidence)


def extraction_1(doc_id: str, extractor: str = V1) -> Extraction:
    x = TEXT_1
    s1, s2, s3 = (s if s.endswith(".") else s + "." for s in x.split(". "))
    return Extraction(
        document_id=doc_id, extractor=extractor,
        entities=(EntityMention(RUS, "Russian troops", 0, 14, 0), EntityMention(RESIDENTS, "residents", 23, 32, 0)),
        places=(where(x, SUMY), where(x, SUDZHA), where(x, KURSK)),
        events=(
            event(x, s1, "shelled", "ASSAULT", mode="heavy-weapons", actor=who(x, RUS, "Russian troops"),
                  recipient=who(x, RESIDENTS, "residents"), place=where(x, SUMY), confidence=0.9),
            event(x, s2, "moved troops", "MOBILIZE", mode="troops", actor=who(x, UKR, "Ukraine"),
                  place=where(x, SUDZHA), confidence=0.6),
            event(x, s3, "attack", "ASSAULT", actor=who(x, RUS, "Russian troops", 60), place=where(x, KURSK),
                  flags=Flags(negated=True)),
        ),
    )


def extraction_2(doc_id: str, extractor: str = V1) -> Extraction:
    x = TEXT_2
    s1, s2 = x.split(" The ")
    s2 = "The " + s2
    said = x.index("a spokesman")
    return Extraction(
        document_id=doc_id, extractor=extractor,
        entities=(EntityMention(WAGNER, "Wagner", 0, 6, 0), EntityMention(UKR, "ZSU", *span(x, "ZSU"), 0)),
        places=(where(x, KURSK),),
        events=(
            event(x, s1, "threatened", "THREATEN", mode="violence", actor=who(x, WAGNER, "Wagner"),
                  recipient=who(x, UKR, "ZSU"), place=where(x, KURSK), day=date(2024, 8, 3)),
            event(x, s2, "accused", "ACCUSE", actor=who(x, UKR, "ZSU", 30), recipient=who(x, RUS, "Russian army"),
                  day=date(2024, 8, 2), contexts=("military", "misinformation")),
        ),
        claims=(Claim(speaker=None, speaker_text="a spokesman", cue="say", content_start=len(s1) + 1,
                      content_end=said - 2, quoted=False, stance="assert", sentence=1, start=len(s1) + 1,
                      end=len(x)),),
    )


def make_document(text: str, *, source: str, published: datetime | None) -> StoredDocument:
    doc_id = document_id(text)
    fp = dedup.fingerprint(text)
    doc = Document(id=doc_id, text=text, title=None, url=f"https://example.org/{doc_id[:8]}", source_id=source,
                   published_at=published, published_precision=DatePrecision.DAY if published else None,
                   ingested_at=T0, language="en", marking="TLP:CLEAR", team=None, cluster_id=doc_id, reader="text",
                   location=f"/data/{doc_id[:8]}.txt", item=None, raw_sha256="0" * 64, run_id=1)
    return StoredDocument(doc, fp.shingles, fp.signature, fp.band_keys)


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


@dataclasses.dataclass
class Docs:
    one: str
    two: str
    bare: str


@pytest.fixture
def docs(store: SqlStore) -> Docs:
    run_id = store.start_run("tester", ["/data"], T0)
    made = [make_document(TEXT_1, source="wire", published=datetime(2024, 8, 1, 8, tzinfo=UTC)),
            make_document(TEXT_2, source="chat", published=datetime(2024, 8, 3, 9, tzinfo=UTC)),
            make_document("A quiet day with nothing to report.", source="wire", published=None)]
    with store.ingest_transaction() as tx:
        store.write_batch(tx, Batch(run_id, T0, tuple(made)))
    return Docs(*(d.document.id for d in made))


@pytest.fixture
def saved(store: SqlStore, docs: Docs) -> Docs:
    store.save_extractions([extraction_1(docs.one), extraction_2(docs.two)], T0)
    return docs


def types(store: SqlStore, **filters: Any) -> list[str]:
    return [e.type for e in store.find_events(EventQuery(**filters))]


def dump(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    tables = (t.entities, t.entity_aliases, t.extractions, t.mentions, t.places, t.events, t.claims)
    with store.engine.connect() as conn:
        return {table.name: sorted(tuple(r) for r in conn.execute(select(table))) for table in tables}


def test_schema_is_at_the_head_revision(store: SqlStore) -> None:
    assert store.schema_revision() == "0030"


def test_saved_events_come_back_whole(store: SqlStore, saved: Docs) -> None:
    events = store.find_events(EventQuery())
    assert [e.date for e in events] == sorted(e.date for e in events)
    assault = next(e for e in events if e.type == "ASSAULT")
    x = extraction_1(saved.one).events[0]
    assert assault.id == event_id(saved.one, x)
    assert (assault.document_id, assault.source_id, assault.extractor, assault.coded_at) == (saved.one, "wire", V1, T0)
    assert assault.published_at == datetime(2024, 8, 1, 8, tzinfo=UTC)
    assert (assault.mode, assault.contexts, assault.date, assault.date_precision) == (
        "heavy-weapons", ("military",), date(2024, 8, 1), "day")
    assert assault.actor is not None and assault.recipient is not None and assault.place is not None
    assert (assault.actor.entity_id, assault.actor.name, assault.actor.text, assault.actor.country,
            assault.actor.sector) == (RUS.id, RUS.name, "Russian troops", "RUS", "military")
    assert (assault.actor.start, assault.actor.end) == (0, 14)
    assert assault.recipient.canonical_id == RESIDENTS.id
    assert (assault.place.name, assault.place.country, assault.place.admin1, assault.place.precision) == (
        "Sumy", "UKR", "Sumy Oblast", "town")
    assert assault.place.lat == pytest.approx(SUMY.lat)
    assert TEXT_1[assault.trigger_start:assault.trigger_end] == "shelled"
    assert TEXT_1[assault.start:assault.end].startswith("Russian troops shelled")
    assert (assault.confidence, assault.negated, assault.reported) == (pytest.approx(0.9), False, False)
    accuse = next(e for e in events if e.type == "ACCUSE")
    assert accuse.place is None and accuse.contexts == ("military", "misinformation")


@pytest.mark.parametrize("flag", ["negated", "hypothetical", "future", "reported"])
def test_each_flag_comes_back_alone(store: SqlStore, docs: Docs, flag: str) -> None:
    """An event read back has the one flag it was saved with, each in its own column (a read makes events from
    its rows' columns by position: a column in the wrong place would move a flag)."""
    x = TEXT_1
    s1 = x.split(". ")[0] + "."
    marked = event(x, s1, "shelled", "ASSAULT", flags=Flags(**{flag: True}))
    store.save_extractions([Extraction(document_id=docs.one, extractor=V1, events=(marked,))], T0)
    [back] = store.find_events(EventQuery(include_negated=True))
    assert back.flags == (flag,)
    assert (back.sentence, back.start, back.end, back.trigger_start, back.trigger_end) == (
        marked.evidence.sentence, marked.evidence.start, marked.evidence.end, marked.evidence.trigger_start,
        marked.evidence.trigger_end)


def test_every_event_filter(store: SqlStore, saved: Docs) -> None:
    assert sorted(types(store)) == ["ACCUSE", "ASSAULT", "MOBILIZE", "THREATEN"]  # the negated one is left out
    assert sorted(types(store, include_negated=True)) == ["ACCUSE", "ASSAULT", "ASSAULT", "MOBILIZE", "THREATEN"]
    assert types(store, types=("ASSAULT", "AID")) == ["ASSAULT"]
    assert types(store, modes=("troops",)) == ["MOBILIZE"]
    assert types(store, actor=RUS.id) == ["ASSAULT"]
    assert sorted(types(store, actor="zsu")) == ["ACCUSE", "MOBILIZE"]  # an alias, case-insensitive
    assert types(store, actor="armed forces of russia") == []
    assert sorted(types(store, actor="armed forces")) == ["ACCUSE", "ASSAULT", "MOBILIZE"]  # name substring
    assert sorted(types(store, recipient="ukraine")) == ["THREATEN"]
    assert types(store, actor_country="rus") == ["ASSAULT"]
    assert types(store, recipient_country="RUS") == ["ACCUSE"]
    assert types(store, place="sudzh") == ["MOBILIZE"]
    assert sorted(types(store, place="kursk oblast")) == ["MOBILIZE", "THREATEN"]  # the region counts
    assert types(store, date_from=date(2024, 8, 3)) == ["THREATEN"]
    assert sorted(types(store, date_to=date(2024, 8, 1))) == ["ASSAULT", "MOBILIZE"]  # inclusive
    assert types(store, date_from=date(2024, 8, 2), date_to=date(2024, 8, 2)) == ["ACCUSE"]
    assert sorted(types(store, source_id="chat")) == ["ACCUSE", "THREATEN"]
    assert sorted(types(store, document_id=saved.two)) == ["ACCUSE", "THREATEN"]
    assert sorted(types(store, document_id=saved.two[:12])) == ["ACCUSE", "THREATEN"]  # a prefix
    assert sorted(types(store, min_confidence=0.7)) == ["ACCUSE", "ASSAULT", "THREATEN"]
    assert types(store, actor="%") == [] and types(store, place="_") == []  # literal text, not patterns
    assert types(store, types=("ASSAULT",), actor_country="UKR") == []  # every filter must hold
    assert store.count_events(EventQuery(source_id="chat")) == 2
    assert store.count_events(EventQuery(include_negated=True)) == 5


def test_near_filter_is_exact_distance(store: SqlStore, saved: Docs) -> None:
    km_sumy_sudzha = haversine_km(SUMY.lat, SUMY.lon, SUDZHA.lat, SUDZHA.lon)
    assert 44 < km_sumy_sudzha < 47
    assert types(store, near=(SUMY.lat, SUMY.lon, 5)) == ["ASSAULT"]
    assert sorted(types(store, near=(SUMY.lat, SUMY.lon, km_sumy_sudzha + 1))) == ["ASSAULT", "MOBILIZE"]
    # a point inside the bounding box's corner but outside the circle
    corner = (SUMY.lat + 0.3, SUMY.lon + 0.47)
    assert haversine_km(*corner, SUMY.lat, SUMY.lon) > 40
    assert "ASSAULT" not in types(store, near=(*corner, 40))
    assert store.count_events(EventQuery(near=(KURSK.lat, KURSK.lon, 200))) == 3
    everything = store.find_events(EventQuery(near=(KURSK.lat, KURSK.lon, 200)))
    assert store.find_events(EventQuery(near=(KURSK.lat, KURSK.lon, 200), limit=1, offset=1)) == everything[1:2]


@pytest.mark.parametrize("region", [
    Region(countries=("RUS",)), Region(countries=("UKR",)), Region(admin1=("RUS:Kursk Oblast",)),
    Region(point=(SUMY.lat, SUMY.lon), radius_km=50.0), Region(countries=("POL",)), Region()], ids=repr)
def test_region_prefilter_keeps_every_event_in_the_region(store: SqlStore, saved: Docs, region: Region) -> None:
    """The SQL region filter may keep a few events outside (a radius's box corners) but never drops one
    that the exact test (detect.match.in_region) puts inside."""
    every = store.find_events(EventQuery(limit=None))
    inside = {e.id for e in every if in_region(region, e)}
    kept = {e.id for e in store.find_events(EventQuery(region=region, limit=None))}
    assert inside <= kept
    assert {i for i in kept if i not in inside} <= {e.id for e in every if region.point is not None}
    assert len(kept) < len(every) or len(inside) == len(every)  # it narrows


def test_paging_orders_by_date_then_id(store: SqlStore, saved: Docs) -> None:
    everything = store.find_events(EventQuery(include_negated=True, limit=None))
    assert [(e.date, e.id) for e in everything] == sorted((e.date, e.id) for e in everything)
    page = store.find_events(EventQuery(include_negated=True, limit=2, offset=2))
    assert page == everything[2:4]


def test_bad_queries_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="FIGHT"):
        EventQuery(types=("FIGHT",))
    with pytest.raises(InvalidArgument):
        EventQuery(near=(95.0, 10.0, 5.0))
    with pytest.raises(InvalidArgument):
        EventQuery(near=(50.0, 10.0, 0.0))
    with pytest.raises(InvalidArgument):
        EventQuery(date_from=date(2024, 8, 2), date_to=date(2024, 8, 1))


def test_saving_twice_is_idempotent_and_a_new_extraction_replaces(store: SqlStore, saved: Docs) -> None:
    before = dump(store)
    store.save_extractions([extraction_1(saved.one), extraction_2(saved.two)], T0)
    assert dump(store) == before
    first = extraction_1(saved.one, V2)
    store.save_extractions([dataclasses.replace(first, events=first.events[:1], places=first.places[:1])],
                           T0 + timedelta(hours=1))
    assert sorted(types(store, document_id=saved.one, include_negated=True)) == ["ASSAULT"]
    kept = store.find_events(EventQuery(document_id=saved.one))[0]
    assert kept.id == event_id(saved.one, first.events[0])  # same evidence, same id, whatever the version
    assert kept.extractor == V2
    stored = store.extraction_of(saved.one)
    assert len(stored.places) == 1 and len(stored.mentions) == 2
    assert stored.status is not None and stored.status.extractor == V2
    assert stored.status.counts.events == 1
    assert sorted(types(store, document_id=saved.two)) == ["ACCUSE", "THREATEN"]  # the other document is untouched


def test_extraction_for_an_unknown_document_writes_nothing(store: SqlStore, docs: Docs) -> None:
    with pytest.raises(NotFound, match="no document"):
        store.save_extractions([extraction_1(docs.one), extraction_2("f" * 64)], T0)
    assert store.count_events(EventQuery(include_negated=True)) == 0
    assert store.extraction_status(docs.one) is None
    assert store.list_entities() == []


def test_failure_is_recorded_then_cleared_by_a_success(store: SqlStore, docs: Docs) -> None:
    assert store.documents_needing_extraction() == sorted([docs.one, docs.two, docs.bare])
    store.save_extractions([extraction_1(docs.one)], T0)
    store.record_extraction_failure(docs.two, V1, "ValueError: boom", T0)
    status = store.extraction_status(docs.two)
    assert status is not None and (status.status, status.error, status.extractor) == ("failed", "ValueError: boom", V1)
    assert store.documents_needing_extraction(only_failed=True) == [docs.two]
    assert store.documents_needing_extraction() == sorted([docs.two, docs.bare])
    assert store.documents_needing_extraction(extractor=V2) == sorted([docs.one, docs.two, docs.bare])
    assert store.documents_needing_extraction(extractor=V1, limit=1) == sorted([docs.two, docs.bare])[:1]
    store.save_extractions([extraction_2(docs.two)], T0 + timedelta(minutes=5))
    status = store.extraction_status(docs.two)
    assert status is not None and (status.status, status.error) == ("ok", None)
    assert status.extracted_at == T0 + timedelta(minutes=5)
    assert store.documents_needing_extraction(only_failed=True) == []
    assert store.documents_needing_extraction(extractor=V1) == [docs.bare]
    with pytest.raises(NotFound):
        store.record_extraction_failure("0" * 64, V1, "boom", T0)


def test_a_failure_keeps_the_earlier_results(store: SqlStore, saved: Docs) -> None:
    store.record_extraction_failure(saved.one, V2, "MemoryError", T0)
    assert sorted(types(store, document_id=saved.one)) == ["ASSAULT", "MOBILIZE"]


def test_entities_are_listed_with_event_counts(store: SqlStore, saved: Docs) -> None:
    listed = store.list_entities()
    assert [e.id for e in listed][:1] == [UKR.id]  # three events, the most
    counts = {e.id: e.events for e in listed}
    assert counts == {UKR.id: 3, RUS.id: 2, RESIDENTS.id: 1, WAGNER.id: 1}
    rus = store.get_entity(RUS.id)
    assert (rus.name, rus.kind, rus.country, rus.sector, rus.origin, rus.aliases) == (
        "Russian Armed Forces", "org", "RUS", "military", "dictionary", ("Russian army", "Russian troops"))
    assert store.get_entity(WAGNER.id).origin == "ner"
    assert [e.id for e in store.list_entities(kind="group")] == [RESIDENTS.id]
    assert [e.id for e in store.list_entities(search="troops")] == [RUS.id]  # by alias
    assert [e.id for e in store.list_entities(search="ner:org")] == [WAGNER.id]  # by id
    assert len(store.list_entities(limit=2)) == 2
    with pytest.raises(NotFound, match="entities list"):
        store.get_entity("dict:nobody")
    with pytest.raises(InvalidArgument):
        store.list_entities(kind="planet")


def test_document_extraction_view(store: SqlStore, saved: Docs) -> None:
    view = store.extraction_of(saved.two)
    assert [m.entity_id for m in view.mentions] == [WAGNER.id, UKR.id]
    assert view.mentions[1].name == UKR.name and view.mentions[1].kind == "org"
    assert [p.name for p in view.places] == ["Kursk"]
    assert [e.type for e in view.events] == ["ACCUSE", "THREATEN"]
    [claim] = view.claims
    assert (claim.speaker, claim.speaker_text, claim.cue, claim.quoted, claim.stance) == (
        None, "a spokesman", "say", False, "assert")
    assert store.claims_of(saved.two) == list(view.claims)
    assert view.status is not None and view.status.counts.claims == 1
    empty = store.extraction_of(saved.bare)
    assert (empty.status, empty.events, empty.mentions) == (None, (), ())


def test_inferred_actor_coder_and_claimed_event_come_back(store: SqlStore, docs: Docs) -> None:
    """An inferred actor stays flagged, the type's coder is kept, and a claim's event (type, modality,
    actor, recipient, place) comes back with the canonical entities' country and sector."""
    x = TEXT_1
    s1, s2, _ = (s if s.endswith(".") else s + "." for s in x.split(". "))
    sighting = dataclasses.replace(event(x, s2, "moved troops", "MOBILIZE", actor=dataclasses.replace(
        who(x, RUS, "troops", 40), inferred=True), place=where(x, SUDZHA)), coder="rules+model:events-1")
    claimed = ClaimedEvent("ASSAULT", who(x, RUS, "Russian troops"), who(x, RESIDENTS, "residents"), where(x, SUMY),
                           "possible")
    claim = Claim(speaker=who(x, UKR, "Ukraine"), speaker_text="Ukraine", cue="warn", content_start=0,
                  content_end=len(s1), quoted=False, stance="warn", sentence=0, start=0, end=len(s1),
                  claimed=claimed)
    store.save_extractions([Extraction(docs.one, V1, events=(sighting, event(x, s1, "shelled", "ASSAULT")),
                                       claims=(claim, dataclasses.replace(claim, claimed=None)))], T0)
    assault, mobilize = sorted(store.find_events(EventQuery()), key=lambda e: e.type)
    assert mobilize.actor is not None and mobilize.actor.inferred and mobilize.coder == "rules+model:events-1"
    assert (mobilize.actor.country, mobilize.actor.sector, mobilize.actor.text) == ("RUS", "military", "troops")
    assert assault.actor is None and assault.coder == "rules"
    with_event, without = store.claims_of(docs.one)
    assert without.claimed is None and with_event.speaker is not None and not with_event.speaker.inferred
    got = with_event.claimed
    assert got is not None and got.actor is not None and got.recipient is not None
    assert (got.type, got.modality, got.place_name, got.place_country, got.place_admin1) == (
        "ASSAULT", "possible", "Sumy", "UKR", "Sumy Oblast")
    assert (got.actor.canonical_id, got.actor.name, got.actor.country, got.actor.sector, got.actor.text) == (
        RUS.id, RUS.name, "RUS", "military", "Russian troops")
    assert (got.recipient.canonical_id, got.recipient.country) == (RESIDENTS.id, "UKR")
    assert got.place_lat == pytest.approx(SUMY.lat) and got.place_lon == pytest.approx(SUMY.lon)


def test_merge_and_unmerge_change_what_actor_filters_return(store: SqlStore, saved: Docs) -> None:
    x = extraction_2(saved.two)
    store.save_extractions([dataclasses.replace(x, entities=(*x.entities, EntityMention(
        WAGNER_GROUP, "Wagner", 0, 6, 0)))], T0)
    assert WAGNER_GROUP.id in {e.id for e in store.list_entities()}
    assert types(store, actor_country="RUS") == ["ASSAULT"]  # Wagner has no country yet
    merge_id = store.merge_entities(WAGNER.id, WAGNER_GROUP.id, "alice", T0, note="same group")
    assert types(store, actor=WAGNER_GROUP.id) == ["THREATEN"]
    assert types(store, actor="wagner group") == ["THREATEN"]
    assert sorted(types(store, actor_country="RUS")) == ["ASSAULT", "THREATEN"]  # the canonical's country
    threaten = store.find_events(EventQuery(types=("THREATEN",)))[0]
    assert threaten.actor is not None
    assert (threaten.actor.entity_id, threaten.actor.canonical_id, threaten.actor.name) == (
        WAGNER.id, WAGNER_GROUP.id, "Wagner Group")
    group = store.get_entity(WAGNER_GROUP.id)
    assert group.members == (WAGNER.id,) and group.events == 1
    assert WAGNER.id not in {e.id for e in store.list_entities()}  # merged ones are listed on request only
    assert WAGNER.id in {e.id for e in store.list_entities(include_merged=True)}

    # a chain resolves to its end; merging back into the group is refused
    second = store.merge_entities(WAGNER_GROUP.id, RUS.id, "bob", T0 + timedelta(minutes=1))
    assert sorted(types(store, actor=RUS.id)) == ["ASSAULT", "THREATEN"]
    assert store.get_entity(WAGNER.id).canonical_id == RUS.id
    for src, dst in ((RUS.id, WAGNER.id), (RUS.id, RUS.id), (WAGNER.id, UKR.id)):
        with pytest.raises(ForewarnError) as refused:
            store.merge_entities(src, dst, "alice", T0)
        assert refused.value.code == Code.ENTITY_CONFLICT

    undone = store.undo_merge(second, "carol", T0 + timedelta(minutes=2))
    assert (undone.undone_by, undone.undone_at, undone.active) == ("carol", T0 + timedelta(minutes=2), False)
    assert types(store, actor=RUS.id) == ["ASSAULT"]
    assert types(store, actor=WAGNER.id) == ["THREATEN"]  # the first merge still holds
    assert store.get_entity(WAGNER.id).canonical_id == WAGNER_GROUP.id
    store.undo_merge(merge_id, "carol", T0 + timedelta(minutes=3))
    assert types(store, actor=WAGNER_GROUP.id) == []
    assert types(store, actor_country="RUS") == ["ASSAULT"]
    with pytest.raises(ForewarnError, match="undone already") as twice:
        store.undo_merge(merge_id, "carol", T0)
    assert twice.value.code == Code.ENTITY_CONFLICT
    log = store.list_merges()
    assert [(m.id, m.from_id, m.into_id, m.actor) for m in log] == [
        (second, WAGNER_GROUP.id, RUS.id, "bob"), (merge_id, WAGNER.id, WAGNER_GROUP.id, "alice")]
    assert log[1].note == "same group" and store.get_merge(merge_id) == log[1]
    assert [m.id for m in store.list_merges(RUS.id)] == [second]
    with pytest.raises(NotFound):
        store.undo_merge(999, "carol", T0)


def claimed_facts(store: SqlStore) -> list[tuple[Any, ...]]:
    """The claims table's stored country and sector of each claimed event's actor and recipient."""
    c = t.claims.c
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(c.claimed_actor_country, c.claimed_actor_sector,
                                                      c.claimed_recipient_country).order_by(c.document_id, c.seq))]


def test_claimed_participants_follow_merges_undos_and_edits(store: SqlStore, saved: Docs) -> None:
    """The claims table's ``claimed_*_country``/``sector`` columns (what queries on claims filter by) change
    with the entity desk's merges, their undoing and edits, as the events' columns do."""
    x = TEXT_2
    claim = Claim(speaker=who(x, UKR, "ZSU"), speaker_text="The ZSU", cue="accuse", content_start=0, content_end=5,
                  quoted=False, stance="warn", sentence=0, start=0, end=len(x),
                  claimed=ClaimedEvent("ASSAULT", who(x, WAGNER, "Wagner"), who(x, WAGNER, "Wagner"), None, "possible"))
    base = extraction_2(saved.two)
    group = EntityMention(WAGNER_GROUP, "Wagner", 0, 6, 0)
    store.save_extractions([dataclasses.replace(base, entities=(*base.entities, group), claims=(claim,))], T0)
    assert claimed_facts(store) == [(None, "rebel", None)]
    merge_id = store.merge_entities(WAGNER.id, WAGNER_GROUP.id, "alice", T0)
    assert claimed_facts(store) == [("RUS", "rebel", "RUS")]
    store.undo_merge(merge_id, "alice", T0 + timedelta(minutes=1))
    assert claimed_facts(store) == [(None, "rebel", None)]
    store.edit_entity(WAGNER.id, actor="alice", now=T0, country="blr", sector="military")
    assert claimed_facts(store) == [("BLR", "military", "BLR")]
    [stored] = store.claims_of(saved.two)
    assert stored.claimed is not None and stored.claimed.actor is not None
    assert (stored.claimed.actor.country, stored.claimed.actor.sector) == ("BLR", "military")


def test_a_hand_edited_entity_survives_reextraction(store: SqlStore, saved: Docs) -> None:
    edited = store.edit_entity(WAGNER.id, actor="alice", now=T0, name="PMC Wagner", country="rus", sector="military",
                               add_aliases=("Wagner PMC", " "))
    assert (edited.name, edited.country, edited.sector, edited.origin, edited.updated_by) == (
        "PMC Wagner", "RUS", "military", "user", "alice")
    assert edited.aliases == ("Wagner PMC",)
    assert types(store, actor_country="RUS") == ["ASSAULT", "THREATEN"]  # events follow the edit
    store.edit_entity(RUS.id, actor="alice", now=T0, remove_aliases=("Russian army",))

    later = T0 + timedelta(days=1)
    store.save_extractions([extraction_1(saved.one, V2), extraction_2(saved.two, V2)], later)
    wagner = store.get_entity(WAGNER.id)
    assert (wagner.name, wagner.country, wagner.sector, wagner.origin) == ("PMC Wagner", "RUS", "military", "user")
    assert store.get_entity(RUS.id).aliases == ("Russian troops",)  # the removed alias is not added back
    threaten = store.find_events(EventQuery(types=("THREATEN",)))[0]
    assert threaten.actor is not None and (threaten.actor.country, threaten.actor.sector) == ("RUS", "military")

    # an entity nobody edited follows the extractor's latest description, and gains aliases
    renamed = dataclasses.replace(UKR, name="Ukrainian Armed Forces", aliases=("ZSU", "Ukrainian army"))
    x = extraction_2(saved.two, V2)
    store.save_extractions([dataclasses.replace(x, entities=(EntityMention(renamed, "ZSU", 22, 25, 0),))], later)
    ukr = store.get_entity(UKR.id)
    assert (ukr.name, ukr.aliases, ukr.origin) == ("Ukrainian Armed Forces", ("Ukrainian army", "ZSU"), "dictionary")


def test_bad_edits_are_refused(store: SqlStore, saved: Docs) -> None:
    with pytest.raises(InvalidArgument):
        store.edit_entity(RUS.id, actor="a", now=T0, country="Russia")
    with pytest.raises(InvalidArgument):
        store.edit_entity(RUS.id, actor="a", now=T0, sector="navy")
    with pytest.raises(InvalidArgument):
        store.edit_entity(RUS.id, actor="a", now=T0, name="  ")
    with pytest.raises(NotFound, match="no alias"):
        store.edit_entity(RUS.id, actor="a", now=T0, remove_aliases=("Red Army",))
    with pytest.raises(NotFound):
        store.edit_entity("dict:nobody", actor="a", now=T0, name="x")
    assert store.get_entity(RUS.id).origin == "dictionary"  # nothing was written
