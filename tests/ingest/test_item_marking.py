"""An item's own marking (a STIX report's TLP, a MISP event's tlp tag) on top of its source's compartment."""

from __future__ import annotations

from forewarn.ingest.batch import Pending, item_compartment
from forewarn.model import Marking, RawDocument, Source, SourceKind
from forewarn.model.marking import Compartment


def _pending(marking: str | None, source: Source | None = None) -> Pending:
    meta = (("marking", marking),) if marking is not None else ()
    return Pending(RawDocument(text="t", location="x.json", reader="stix", raw_sha256="0" * 64, meta=meta), source)


def _source(marking: Marking = Marking.CLEAR, team: str | None = None, recipients: tuple[str, ...] = ()) -> Source:
    return Source("partner", SourceKind.STIX, "Partner", "x.json", marking=marking, team=team, recipients=recipients)


def test_an_item_without_a_marking_keeps_its_source_compartment() -> None:
    assert item_compartment(_pending(None, _source(Marking.AMBER, "north")), "ana") is None


def test_an_amber_item_of_an_open_source_is_amber_for_the_sources_team() -> None:
    c = item_compartment(_pending("TLP:AMBER", _source(team="north")), "ana")
    assert c == Compartment(Marking.AMBER, ("north",))


def test_a_red_item_names_the_ingesting_account_when_its_source_names_nobody() -> None:
    assert item_compartment(_pending("red"), "ana") == Compartment(Marking.RED, (), ("ana",))


def test_a_red_item_of_a_red_source_keeps_the_sources_recipients() -> None:
    c = item_compartment(_pending("TLP:RED", _source(Marking.RED, "north", ("ben", "cy"))), "ana")
    assert c == Compartment(Marking.RED, ("north",), ("ben", "cy"))


def test_an_item_never_lowers_its_sources_marking() -> None:
    c = item_compartment(_pending("TLP:CLEAR", _source(Marking.AMBER_STRICT, "north")), "ana")
    assert c == Compartment(Marking.AMBER_STRICT, ("north",))


def test_an_unreadable_marking_closes_the_item() -> None:
    c = item_compartment(_pending("TLP:PURPLE"), "ana")
    assert c is not None and c.marking is Marking.RED and c.recipients == ("ana",)
