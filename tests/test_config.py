from __future__ import annotations

from pathlib import Path

import pytest

from forewarn.config import Settings, load_settings
from forewarn.errors import ConfigError


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
