"""Settings: precedence, parsing once into typed values, text forms, and the small configs built from them."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import forewarn.nlp.extract as extract
from forewarn.app import Workspace
from forewarn.config import Settings, load_settings
from forewarn.errors import ConfigError
from forewarn.geo.gazetteer import cache_file_name, default_cache_dir
from forewarn.ingest.pipeline import IngestConfig
from forewarn.nlp.pipeline import ExtractorConfig


def test_precedence_flag_over_env_over_file_over_default(tmp_path: Path) -> None:
    toml = tmp_path / "forewarn.toml"
    toml.write_text('[forewarn]\nbatch_size = 7\nactor = "file"\nhttp_timeout = 3.5\n')
    env = {"FOREWARN_ACTOR": "env", "FOREWARN_BATCH_SIZE": "9"}
    s = load_settings({"actor": "flag", "database_url": None}, env=env, config_path=toml)
    assert (s.actor, s.batch_size, s.http_timeout) == ("flag", 9, 3.5)
    assert s.database_url == Settings().database_url


def test_a_command_default_sits_below_file_env_and_flag(tmp_path: Path) -> None:
    demo = {"database_url": "sqlite:///demo.db"}
    assert load_settings(env={}, config_path=tmp_path / "none.toml", defaults=demo).database_url == "sqlite:///demo.db"
    env = {"FOREWARN_DATABASE_URL": "sqlite:///env.db"}
    assert load_settings(env=env, config_path=tmp_path / "none.toml", defaults=demo).database_url == "sqlite:///env.db"


@pytest.mark.parametrize(("env", "message"), [
    ({"FOREWARN_BATCH_SIZE": "many"}, "batch_size"),
    ({"FOREWARN_NEAR_DUPLICATE_THRESHOLD": "1.5"}, "near_duplicate_threshold"),
    ({"FOREWARN_DATABASE_URL": "mysql://x"}, "unsupported database"),
])
def test_bad_values_are_clear_errors(env: dict[str, str], message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env, config_path=tmp_path / "absent.toml")


def test_unknown_keys_in_the_file_are_refused(tmp_path: Path) -> None:
    toml = tmp_path / "forewarn.toml"
    toml.write_text("batch_sise = 3\n")
    with pytest.raises(ConfigError, match="batch_sise"):
        load_settings(env={}, config_path=toml)


def test_lists_and_paths_are_parsed_once_from_their_text_forms(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    env = {"FOREWARN_ACTOR_DICTIONARIES": "~/a.yaml::/etc/b.yaml", "FOREWARN_FOCUS_COUNTRIES": "ukr, RUS,,UKR",
           "FOREWARN_ESCALATION_CHAIN": " alice,bob,alice ", "FOREWARN_NOTIFY_EMAIL": "",
           "FOREWARN_SIGNING_KEY": "~/key.pem", "FOREWARN_EVENT_LEXICON": ""}
    s = load_settings(env=env, config_path=tmp_path / "absent.toml")
    assert s.actor_dictionaries == (tmp_path / "a.yaml", Path("/etc/b.yaml"))
    assert (s.focus_countries, s.escalation_chain, s.notify_email) == (("UKR", "RUS"), ("alice", "bob"), ())
    assert (s.signing_key, s.event_lexicon, s.gazetteer_cache) == (tmp_path / "key.pem", None, None)


def test_toml_arrays_work_for_lists_and_a_wrong_type_is_a_clear_error(tmp_path: Path) -> None:
    toml = tmp_path / "forewarn.toml"
    toml.write_text('focus_countries = ["ukr", "blr"]\nactor_dictionaries = ["/x/a.yaml", "/x/b.yaml"]\n')
    s = load_settings(env={}, config_path=toml)
    assert (s.focus_countries, s.actor_dictionaries) == (("UKR", "BLR"), (Path("/x/a.yaml"), Path("/x/b.yaml")))
    toml.write_text("escalation_chain = 3\n")
    with pytest.raises(ConfigError, match="escalation_chain=3 is not a valid list"):
        load_settings(env={}, config_path=toml)


def test_settings_made_directly_are_parsed_and_validated_too() -> None:
    s = Settings(focus_countries="UKR,RUS", batch_size="7", extract="off", gazetteer_cache="")
    assert (s.focus_countries, s.batch_size, s.extract, s.gazetteer_cache) == (("UKR", "RUS"), 7, False, None)
    assert replace(s, signing_key="/k.pem").signing_key == Path("/k.pem")
    with pytest.raises(ConfigError, match="near_duplicate_threshold"):
        Settings(near_duplicate_threshold=2.0)


def test_shown_settings_are_text_that_reads_back_the_same(tmp_path: Path) -> None:
    s = Settings(actor_dictionaries="/x/a.yaml:/x/b.yaml", focus_countries="UKR,BLR", signing_key="/k.pem",
                 escalation_chain="alice,bob")
    shown = s.shown()
    assert shown["actor_dictionaries"] == "/x/a.yaml:/x/b.yaml" and shown["focus_countries"] == "UKR,BLR"
    assert (shown["signing_key"], shown["gazetteer_cache"], shown["notify_email"]) == ("/k.pem", "", "")
    json.dumps(shown)  # `forewarn config --json`
    env = {f"FOREWARN_{name.upper()}": str(value) for name, value in shown.items()}
    assert load_settings(env=env, config_path=tmp_path / "absent.toml") == s


def test_each_component_takes_its_own_small_config() -> None:
    s = Settings(focus_countries="UKR", gazetteer_cache="/gz", extract_batch_size=8, batch_size=9)
    extract = ExtractorConfig.from_settings(s)
    assert (extract.focus, extract.gazetteer_cache, extract.batch_size) == (("UKR",), Path("/gz"), 8)
    assert extract == ExtractorConfig.from_settings(replace(s, database_url="sqlite:///other.db", batch_size=1))
    assert IngestConfig.from_settings(s).batch_size == 9


def test_the_shared_extractor_is_keyed_by_its_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "Extractor", lambda config: object())
    extract._shared.cache_clear()
    try:
        one = extract.shared_extractor(Settings(focus_countries="UKR"))
        assert extract.shared_extractor(Settings(focus_countries="ukr", actor="someone else")) is one
        assert extract.shared_extractor(Settings(focus_countries="RUS")) is not one
    finally:
        extract._shared.cache_clear()


def test_a_home_relative_gazetteer_cache_is_one_folder_and_one_gazetteer(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `~/gz` was expanded by the scenarios but not by extraction: two folders, two gazetteers."""
    built = default_cache_dir() / cache_file_name()
    home = tmp_path / "home"
    (home / "gz").mkdir(parents=True)
    if built.is_file():  # spare the test building the index from GeoNames
        shutil.copy(built, home / "gz")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    env = {"FOREWARN_GAZETTEER_CACHE": "~/gz", "FOREWARN_DATABASE_URL": f"sqlite:///{tmp_path / 'ws.db'}"}
    settings = load_settings(env=env, config_path=tmp_path / "absent.toml")
    assert settings.gazetteer_cache == home / "gz"
    places = extract.Extractor(ExtractorConfig.from_settings(settings)).nlp.get_pipe("forewarn_places")
    with Workspace.open(settings) as ws:
        assert ws.scenarios.gazetteer is places.gazetteer
    assert not (tmp_path / "~").exists()
    assert [p.parent for p in home.rglob("gazetteer-*.npz")] == [home / "gz"]
