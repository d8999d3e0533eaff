"""Scenario YAML: a valid file loads; every invalid one is refused naming file, line and field."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from forewarn.detect.plover import MODES
from forewarn.detect.scenarios import (
    DEFAULT_THRESHOLDS,
    default_scenario,
    default_scenarios,
    load_scenario,
    load_scenario_file,
)
from forewarn.errors import Code, NotFound, ScenarioInvalid
from forewarn.model import IndicatorKind, Threshold
from forewarn.model.query import EVENT_TYPES

VALID = """\
id: border-watch
name: Border watch
description: Troops gather at a border.
region:
  countries: [BLR]
  admin1: ["RUS:Kursk Oblast", UKR:Sumy]
  point: [51.2, 35.3]
  radius_km: 40
horizon_days: 14
prior: 0.02
owner: duty-officer
escalation: [watch-lead, director]
thresholds:
  elevated: 0.2
  high: {probability: 0.4, ack_minutes: 30}
  critical: 0.7
indicators:
  - id: troops
    name: Troops near the border
    types: [MOBILIZE]
    modes: [troops]
    actor: {countries: [UKR], sectors: [military]}
    keywords: [armour, "column*"]
    weight: 3
    half_life_days: 4
  - id: attack-surge
    kind: surge
    types: [assault]
    weight: 1.5
    half_life_days: 3
    saturation: 2
"""


def test_valid_file_loads_every_field() -> None:
    s = load_scenario(VALID, "border.yaml")
    assert (s.id, s.name, s.horizon_days, s.prior, s.owner) == ("border-watch", "Border watch", 14, 0.02,
                                                                "duty-officer")
    assert s.chain == ("duty-officer", "watch-lead", "director")
    assert s.region.countries == ("BLR",) and s.region.admin1 == ("RUS:Kursk Oblast", "UKR:Sumy Oblast")
    assert s.region.point == (51.2, 35.3) and s.region.radius_km == 40
    assert s.thresholds == (Threshold("elevated", 0.2), Threshold("high", 0.4, 30), Threshold("critical", 0.7))
    troops, surge = s.indicators
    assert (troops.types, troops.modes, troops.actor_countries, troops.actor_sectors) == (
        ("MOBILIZE",), ("troops",), ("UKR",), ("military",))
    assert troops.keywords == ("armour", "column*") and troops.saturation == 5 and troops.in_region
    assert surge.kind is IndicatorKind.SURGE and surge.types == ("ASSAULT",) and surge.saturation == 2
    assert s.version == hashlib.sha256(VALID.encode()).hexdigest() and s.source == "border.yaml"


def test_thresholds_as_a_list_and_by_default() -> None:
    listed = VALID.replace("""  elevated: 0.2
  high: {probability: 0.4, ack_minutes: 30}
  critical: 0.7
""", """  - {level: watch, probability: 0.1}
  - {level: alarm, probability: 0.5, ack_minutes: 5}
""")
    assert load_scenario(listed, "f.yaml").thresholds == (Threshold("watch", 0.1), Threshold("alarm", 0.5, 5))
    bare = re.sub(r"thresholds:\n(  .*\n)+", "", VALID)
    assert load_scenario(bare, "f.yaml").thresholds == DEFAULT_THRESHOLDS


@pytest.mark.parametrize("spelling", ["Kursk", "Kursk region", "kursk oblast", "Kurskaya oblast"])
def test_admin1_spellings_normalise_to_the_gazetteers(spelling: str) -> None:
    text = VALID.replace('"RUS:Kursk Oblast"', f'"RUS:{spelling}"')
    assert load_scenario(text, "f.yaml").region.admin1[0] == "RUS:Kursk Oblast"


def test_transliteration_variant_of_a_region() -> None:
    text = VALID.replace("UKR:Sumy", "UKR:Kharkov")
    assert load_scenario(text, "f.yaml").region.admin1[1] == "UKR:Kharkiv Oblast"


def _line_of(text: str, needle: str) -> int:
    """The line (1-based) of the last line holding ``needle``."""
    return max(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# (change to VALID, the line the error must name (found by its text), field path, words of the message)
BAD = [
    ("half_life_days: 4", "half_life_days: -4", "half_life_days: -4", "indicators[0].half_life_days",
     "greater than 0"),
    ("types: [MOBILIZE]", "types: [MOBILIZE, FIGHT]", "types: [MOBILIZE, FIGHT]", "indicators[0].types[1]",
     "unknown event type 'FIGHT'"),
    ('admin1: ["RUS:Kursk Oblast", UKR:Sumy]', 'admin1: ["RUS:Atlantis", UKR:Sumy]', "admin1:",
     "region.admin1[0]", "no first-level region 'Atlantis' in RUS"),
    ("countries: [BLR]", "countries: [XXX]", "countries: [XXX]", "region.countries[0]",
     "not a known ISO 3166 alpha-3"),
    ("countries: [BLR]", "countries: BLR\n  radius: 3", "radius: 3", "region.radius", "unknown key 'radius'"),
    ("point: [51.2, 35.3]", "point: [91.2, 35.3]", "point:", "region.point[0]", "outside [-90, 90]"),
    ("radius_km: 40", "radius_km: 0", "radius_km: 0", "region.radius_km", "outside (0, 5000]"),
    ("horizon_days: 14", "horizon_days: two weeks", "horizon_days", "horizon_days",
     "expected a whole number, found text 'two weeks'"),
    ("prior: 0.02", "prior: 1.2", "prior:", "prior", "outside (0, 1)"),
    ("prior: 0.02", "prior: 0.3", "prior:", "prior", "not below the lowest threshold"),
    ("weight: 3", "weight: -3", "weight: -3", "indicators[0].weight", "greater than 0"),
    ("weight: 3", "weight: [3]", "weight: [3]", "indicators[0].weight", "expected a single value, found a list"),
    ("    weight: 1.5\n", "    weight: 1.5\n    keywords: [tanks]\n", "keywords: [tanks]",
     "indicators[1].keywords", "does not apply to a surge indicator"),
    ("    weight: 3\n", "    weight: 3\n    wieght: 3\n", "wieght: 3", "indicators[0].wieght",
     "unknown key 'wieght'"),
    ("owner: duty-officer", "owner: duty-officer\nprior: 0.05", "prior: 0.05", "prior",
     "duplicate key (first given on line 10)"),
    ("  critical: 0.7", "  critical: 0.3", "critical: 0.3", "thresholds", "critical (0.3) is not above high (0.4)"),
    ("modes: [troops]", "modes: [tanks]", "modes: [tanks]", "indicators[0].modes[0]",
     "'tanks' is not a mode of MOBILIZE"),
    ("sectors: [military]", "sectors: [army]", "sectors: [army]", "indicators[0].actor.sectors[0]",
     "unknown sector 'army'"),
    ("  - id: attack-surge", "  - id: troops", "  - id: troops", "indicators[1].id",
     "'troops' is also the id of indicators[0]"),
    ("id: border-watch", "id: Border Watch", "id: Border Watch", "id", "not a valid id"),
    ("    kind: surge", "    kind: spike", "kind: spike", "indicators[1].kind", "unknown kind 'spike'"),
    ("escalation: [watch-lead, director]", "escalation: [watch-lead, duty-officer]", "escalation:", "escalation",
     "'duty-officer' appears twice"),
    ("    saturation: 2", "    saturation: 0", "saturation: 0", "indicators[1].saturation", "at least 1"),
]


@pytest.mark.parametrize(("old", "new", "line_text", "field", "words"), BAD, ids=[b[3] + ":" + b[4] for b in BAD])
def test_invalid_scenarios_name_file_line_and_field(old: str, new: str, line_text: str, field: str,
                                                    words: str) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    with pytest.raises(ScenarioInvalid) as info:
        load_scenario(text, "watch/border.yaml")
    message = info.value.message
    assert message.startswith(f"watch/border.yaml:{_line_of(text, line_text)}: {field}: "), message
    assert words in message, message
    assert info.value.code is Code.SCENARIO_INVALID and info.value.hint


def test_missing_required_keys_and_empty_lists() -> None:
    with pytest.raises(ScenarioInvalid, match=r"^FW-E070 f\.yaml:1: owner: missing"):
        load_scenario(VALID.replace("owner: duty-officer\n", ""), "f.yaml")
    with pytest.raises(ScenarioInvalid, match=r"f\.yaml:\d+: indicators: the list is empty"):
        load_scenario(VALID.split("indicators:")[0] + "indicators: []\n", "f.yaml")
    with pytest.raises(ScenarioInvalid, match=r"f\.yaml:4: region: names no place"):
        load_scenario(re.sub(r"region:\n(  .*\n)+", "region: {}\n", VALID), "f.yaml")


def test_yaml_syntax_errors_and_empty_files() -> None:
    with pytest.raises(ScenarioInvalid, match=r"^FW-E070 f\.yaml:3: not valid YAML"):
        load_scenario("id: x\nname: [a, b\nprior: 0.1\n", "f.yaml")
    with pytest.raises(ScenarioInvalid, match=r"^FW-E070 f\.yaml:1: the file is empty"):
        load_scenario("# nothing\n", "f.yaml")
    with pytest.raises(ScenarioInvalid, match=r"^FW-E070 f\.yaml:1: expected a mapping"):
        load_scenario("- a\n- b\n", "f.yaml")


def test_files_are_read_as_utf8_with_their_path_in_messages(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID, encoding="utf-8")
    assert load_scenario_file(good).source == str(good)
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(VALID.replace("Border watch", "Border w\xe4tch").encode("latin-1"))
    with pytest.raises(ScenarioInvalid, match=rf"^FW-E070 {re.escape(str(bad))}:2: the file is not UTF-8"):
        load_scenario_file(bad)
    with pytest.raises(Exception, match="no scenario file"):
        load_scenario_file(tmp_path / "missing.yaml")


def test_every_default_scenario_loads() -> None:
    defaults = default_scenarios()
    ids = {s.id for s in defaults}
    assert {"cross-border-incursion", "large-scale-invasion", "armed-mutiny", "mass-casualty-attack",
            "coup"} <= ids
    for s in defaults:
        assert s.source == f"forewarn/data/scenarios/{s.id}.yaml"
        assert s.prior < s.thresholds[0].probability and s.chain[0] == s.owner and s.description
        assert all(i.name and i.weight > 0 for i in s.indicators)
        assert any(i.weight > 1 for i in s.indicators)
    assert default_scenario("coup").id == "coup"
    with pytest.raises(NotFound, match="no default scenario"):
        default_scenario("alien-invasion")


def test_modes_the_event_lexicon_emits_are_accepted() -> None:
    root = Path(__file__).resolve().parents[2] / "src" / "forewarn" / "data" / "nlp" / "event_lexicon.yaml"
    lexicon = yaml.safe_load(root.read_text(encoding="utf-8"))
    emitted = {(t, mode) for section in ("verbs", "nouns") for t, entries in lexicon[section].items()
               for mode in entries.values() if mode}
    emitted |= {tuple(v.split("/")) for objs in lexicon["light_verbs"].values() for v in objs.values() if "/" in v}
    assert set(MODES) == set(EVENT_TYPES)
    assert {(t, m) for t, m in emitted if m not in MODES[t]} == set()
