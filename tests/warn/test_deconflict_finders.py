"""The finders of deconfliction: selectors written in a document's text, of its entities and its place cells."""

from __future__ import annotations

import datetime as dt

import pytest

from forewarn.errors import InvalidArgument
from forewarn.geo.selectors import normalise
from forewarn.warn.deconfliction import finders as f
from forewarn.warn.deconfliction.desk import parse_selector
from forewarn.warn.deconfliction.finders import Held, entity, in_text, place_week


def keys(found: object) -> list[str]:
    return [h.key for h in found]  # type: ignore[attr-defined]


def test_phones_with_and_without_a_country_code() -> None:
    text = "Call +380 67 123 45 67 or 8 (912) 345-67-89; not 12345."
    assert keys(f.phones(text)) == ["phone:+380671234567"]
    assert keys(f.phones(text, "RU")) == ["phone:+380671234567", "phone:+79123456789"]


def test_emails_handles_plates_hulls() -> None:
    assert keys(f.emails("write to Ivan.P@Mail.RU, or <ops@unit-12.example.org>.")) == [
        "email:ivan.p@mail.ru", "email:ops@unit-12.example.org"]
    assert keys(f.handles("see @Kursk_Watch and https://t.me/rybar; a@b.ru is mail")) == [
        "handle:kursk_watch", "handle:rybar"]
    assert keys(f.plates("an АХ 1234 ВК truck and a А123ВС 77 car, AX1234BK again")) == [
        "plate:AX1234BK", "plate:A123BC77", "plate:AX1234BK"]
    assert keys(f.hulls("бортовой номер 152, hull number 9201, tail no. RF-93620")) == [
        "hull:152", "hull:9201", "hull:RF93620"]


def test_in_text_gives_each_key_once_in_its_first_form() -> None:
    found = in_text("+380 67 123 45 67, later +380671234567, and @ops_room")
    assert found == [Held("phone", "phone:+380671234567", "+380 67 123 45 67"),
                     Held("handle", "handle:ops_room", "@ops_room")]


def test_nothing_in_plain_prose() -> None:
    assert in_text("Troops moved near Kursk in 2024 with 300 vehicles.") == []


def test_entities_by_id_and_name_units_by_sector() -> None:
    assert keys(entity("ner:person:ivanov", "person", None, "Иванов, Иван")) == [
        "person:id:ner:person:ivanov", normalise("person", "Ivan Ivanov").own_key]
    unit = entity("dict:47", "org", "military", "47-я бригада")
    assert [h.kind for h in unit] == ["unit", "unit"] and unit[1].key == "unit:47 brigade"
    assert entity("dict:rus", "country", None, "Russia") == []


def test_place_weeks_neighbour_across_a_year_end() -> None:
    a = place_week(50.45, 30.52, dt.date(2024, 12, 31))
    b = place_week(50.46, 30.53, dt.date(2025, 1, 7))
    far = place_week(50.45, 30.52, dt.date(2025, 1, 20))
    assert a is not None and b is not None and far is not None
    assert b.key in a.matched_by() and far.key not in a.matched_by()
    assert place_week(None, 30.0, dt.date(2024, 1, 1)) is None
    assert place_week(91.0, 30.0, dt.date(2024, 1, 1)) is None


def test_selectors_given_by_hand() -> None:
    assert parse_selector("phone", "+380 (67) 123-45-67").key == "phone:+380671234567"
    assert parse_selector("place_cell", "50.45,30.52,2024-12-31").kind == "place_cell"
    with pytest.raises(InvalidArgument):
        parse_selector("place_cell", "here")
    with pytest.raises(InvalidArgument):
        parse_selector("colour", "red")


def test_a_name_read_several_ways_is_held_under_each_reading() -> None:
    held = entity("ner:org:harkiv", "org", None, "Harkiv")
    assert held[1].key == "organisation:" + normalise("organisation", "Harkiv").key
    assert {h.shown for h in held[1:]} == {"Harkiv"} and len(held) > 2
    assert "organisation:" + normalise("organisation", "Харків").key in {h.key for h in held}
    assert f.reading_keys("organisation", held[2].key, "Harkiv") == {h.key for h in held[1:]}
    assert f.reading_keys("person", "person:id:x", "Harkiv") == {"person:id:x"}
