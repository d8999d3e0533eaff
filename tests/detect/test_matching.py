"""Which observations match an indicator, and which events lie in a region."""

from __future__ import annotations

import pytest
from detect_helpers import MOSCOW, RUS_GOV, RUS_MIL, SUMY, UKR_MIL, indicator, obs, scenario, who

from forewarn.detect.match import in_region, indicator_matches
from forewarn.model import IndicatorKind, Region


def matches(ind_kwargs: dict[str, object], region: Region | None = None, **obs_kwargs: object) -> bool:
    ind = indicator(**ind_kwargs)  # type: ignore[arg-type]
    sc = scenario(ind) if region is None else scenario(ind, region=region)
    return indicator_matches(sc, ind, obs(**obs_kwargs))  # type: ignore[arg-type]


def test_type_mode_and_confidence() -> None:
    assert matches({"types": ("MOBILIZE",)})
    assert not matches({"types": ("ASSAULT",)})
    assert matches({"types": ("MOBILIZE",), "modes": ("troops", "weapons")})
    assert not matches({"modes": ("weapons",)})
    assert not matches({"modes": ("troops",)}, mode=None)
    assert matches({"min_confidence": 0.8}, confidence=0.8)
    assert not matches({"min_confidence": 0.8}, confidence=0.79)
    assert matches({})  # no filter: any event in the region


def test_actor_and_recipient_country_and_sector() -> None:
    assert matches({"actor_countries": ("UKR",), "actor_sectors": ("military",)})
    assert not matches({"actor_countries": ("RUS",)})
    assert not matches({"actor_sectors": ("government",)})
    assert not matches({"actor_countries": ("UKR",)}, actor=None)
    assert matches({"recipient_countries": ("RUS",)}, recipient=RUS_MIL)
    assert not matches({"recipient_countries": ("RUS",)})  # no recipient
    assert not matches({"recipient_sectors": ("government",)}, recipient=RUS_MIL)
    assert matches({"recipient_sectors": ("government", "military")}, recipient=RUS_GOV)
    assert not matches({"actor_countries": ("UKR",)}, actor=who(None, "military"))


@pytest.mark.parametrize(("keywords", "evidence", "expected"), [
    (("armour",), "Heavy ARMOUR moved at night.", True),
    (("armour",), "Armoured vehicles moved.", False),  # a word, not a prefix
    (("armour*",), "Armoured vehicles moved.", True),
    (("pontoon bridge",), "A pontoon   bridge was laid.", True),
    (("pontoon bridge",), "Pontoons and a bridge.", False),
    (("evacuat*", "leave"), "Residents were told to leave.", True),
    (("t-72",), "A T-72 tank was seen.", True),
    (("war",), "Warsaw hosted talks.", False),
])
def test_keywords_match_words_case_insensitively(keywords: tuple[str, ...], evidence: str, expected: bool) -> None:
    assert matches({"keywords": keywords}, evidence=evidence) is expected


def test_negated_and_hypothetical_never_match_future_and_reported_do() -> None:
    assert not matches({}, negated=True)
    assert not matches({}, hypothetical=True)
    assert matches({}, future=True)
    assert matches({}, reported=True)


def test_surge_indicators_match_no_single_event() -> None:
    assert not matches({"kind": IndicatorKind.SURGE, "types": ("MOBILIZE",)})


def test_in_region_by_admin1_country_and_radius() -> None:
    kursk = Region(admin1=("RUS:Kursk Oblast",))
    assert in_region(kursk, obs().event)
    assert not in_region(kursk, obs(place=SUMY).event)
    assert not in_region(kursk, obs(place=MOSCOW).event)
    assert in_region(Region(countries=("UKR",)), obs(place=SUMY).event)
    near_sudzha = Region(point=(51.19, 35.27), radius_km=10)
    assert in_region(near_sudzha, obs().event)
    assert not in_region(near_sudzha, obs(place=SUMY).event)  # ~60 km away
    assert in_region(Region(point=(51.19, 35.27), radius_km=70), obs(place=SUMY).event)


def test_event_without_place_is_placed_by_recipient_then_actor_country() -> None:
    russia = Region(countries=("RUS",))
    assert in_region(russia, obs(place=None, actor=UKR_MIL, recipient=RUS_MIL).event)
    assert not in_region(russia, obs(place=None, actor=RUS_MIL, recipient=UKR_MIL).event)
    assert in_region(russia, obs(place=None, actor=RUS_MIL, recipient=who(None, "civilian")).event)
    assert in_region(russia, obs(place=None, actor=RUS_MIL, recipient=None).event)
    assert not in_region(russia, obs(place=None, actor=None, recipient=None).event)
    # a region of first-level regions or a point only: nothing says where in the country it was
    assert not in_region(Region(admin1=("RUS:Kursk Oblast",)), obs(place=None, recipient=RUS_MIL).event)


def test_in_region_false_looks_everywhere() -> None:
    assert not matches({}, place=MOSCOW)
    assert matches({"in_region": False}, place=MOSCOW)
