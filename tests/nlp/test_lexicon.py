from pathlib import Path

import pytest

from forewarn.errors import ConfigError
from forewarn.nlp.lexicon import PLOVER_TYPES, Lexicon


def test_packaged_lexicon_loads_and_covers_every_type():
    lex = Lexicon.load()
    covered = {e.type for es in lex.verbs.values() for e in es} | {e.type for es in lex.nouns.values() for e in es}
    assert covered == set(PLOVER_TYPES)
    assert len(lex.version) == 10


def test_longest_entry_first():
    strike = Lexicon.load().nouns["strike"]
    assert strike[0].before and not strike[-1].before


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_keys_are_refused_with_the_line(tmp_path):
    path = write(tmp_path, "verbs:\n  ASSAULT:\n    attack: null\n    attack: aerial\nnouns: {}\n")
    with pytest.raises(ConfigError, match=r"(?s)duplicate key 'attack'.*line 4"):
        Lexicon.load(path)


def test_one_trigger_one_type(tmp_path):
    path = write(tmp_path, "verbs:\n  ASSAULT:\n    strike: null\n  PROTEST:\n    strike: null\nnouns: {}\n")
    with pytest.raises(ConfigError, match="'strike' is listed under ASSAULT and PROTEST"):
        Lexicon.load(path)


def test_unknown_type_is_named(tmp_path):
    path = write(tmp_path, "verbs:\n  FIGHT:\n    fight: null\nnouns: {}\n")
    with pytest.raises(ConfigError, match="unknown PLOVER type 'FIGHT'"):
        Lexicon.load(path)


def test_missing_file_and_wrong_shape(tmp_path):
    with pytest.raises(ConfigError, match="cannot read event lexicon"):
        Lexicon.load(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="needs mappings 'verbs' and 'nouns'"):
        Lexicon.load(write(tmp_path, "- a list\n"))


def test_version_follows_the_content(tmp_path):
    a = Lexicon.load(write(tmp_path, "verbs:\n  ASSAULT:\n    attack: null\nnouns: {}\n"))
    b = Lexicon.load(write(tmp_path, "verbs:\n  ASSAULT:\n    attack: aerial\nnouns: {}\n"))
    assert a.version != b.version
