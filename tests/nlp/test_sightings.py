"""Sighting reports: a caption that shows troops or equipment somewhere is a MOBILIZE event, with the actor
its words name or the inference rule gives; look-alikes (equipment off duty, people who are no forces,
acts the rules do not know) are no sighting. Through the whole pipeline."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from forewarn.config import Settings
from forewarn.model.extraction import Event, Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig
from forewarn.nlp.sightings import SIGHTINGS_VERSION

DAY = date(2022, 4, 12)


@cache
def extractor() -> Extractor:
    return Extractor(ExtractorConfig.from_settings(Settings()))


def events(text: str, on: date = DAY) -> tuple[Event, ...]:
    [result] = extractor().extract([ExtractInput("1", text, on)])
    assert isinstance(result, Extraction)
    return result.events


@pytest.mark.parametrize(("text", "mode", "place", "inferred"), [
    ("Armour moving through Nova Kakhovka.", "weapons", "Nova Kakhovka", True),  # the holder of the place
    ("Grad launchers in a field outside Donetsk.", "weapons", "Donetsk", True),
    ("BMP-2 with a Z marking in Hostomel.", "weapons", "Hostomel", True),  # a designation, a marking
    ("Trucks with Z symbols near Tokmak", "weapons", "Tokmak", True),  # a carrier signed by its marking
    ("Satellite imagery of Russian trucks moving towards Izium", "weapons", "Izium", True),  # what media show
])
def test_a_caption_of_forces_at_a_place_is_a_sighting_with_its_actor(text: str, mode: str, place: str,
                                                                     inferred: bool) -> None:
    [event] = events(text)
    assert (event.type, event.mode, event.place.place.name if event.place else None) == ("MOBILIZE", mode, place)
    assert event.actor is not None and event.actor.entity.id == "group:rus:military"
    assert event.actor.inferred is inferred


@pytest.mark.parametrize("text", [
    "Trucks near Tokmak",  # a carrier with no sign that it is military
    "Russian tourists in Antalya",  # people, no forces
    "Russian soldiers tell of the war",  # a verb that is no motion: an act the rules do not know
    "The servicemen were awarded medals in Kyiv.",
    "Soviet armour in a museum near Tokmak",  # off duty
    "Burnt armour near Tokmak",  # a loss
    "Relief trucks with Ukrainian flags moving towards Tokmak",  # a civil word
    "No unusual military activity reported by residents near Tokmak.",  # a report that nothing was seen
])
def test_look_alikes_are_no_sighting(text: str) -> None:
    assert not [e for e in events(text) if e.type == "MOBILIZE"]


@pytest.mark.parametrize("text", ["Residents saw no tanks near Tokmak on Monday.",
                                  "Tanks were not seen near Tokmak on Monday."])
def test_a_report_that_nothing_was_seen_is_no_sighting(text: str) -> None:
    assert all(e.flags.negated for e in events(text) if e.type == "MOBILIZE")


def test_a_marking_counts_only_from_the_day_it_came_into_use() -> None:
    assert not events("Trucks with Z symbols near Tokmak", date(2022, 1, 12))


def test_a_sentence_the_rules_coded_gets_no_sighting_and_the_version_names_the_rule() -> None:
    found = events("Russian troops shelled Kharkiv with tanks parked near Izium.")
    assert [e.type for e in found] == ["ASSAULT"]
    assert f"/sig{SIGHTINGS_VERSION}/" in extractor().version
