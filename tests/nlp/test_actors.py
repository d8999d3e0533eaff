"""The actor dictionary and the entity linker, on hand-built sentences with the real model."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from spacy.language import Language

from forewarn.errors import Code, ConfigError
from forewarn.model.extraction import EntityKind, EntityMention, Sector
from forewarn.nlp.actors import ActorDictionary, EntityLinker, normalize


@pytest.fixture(scope="module")
def dictionary() -> ActorDictionary:
    return ActorDictionary.load()


@pytest.fixture(scope="module")
def linker(nlp: Language, dictionary: ActorDictionary) -> EntityLinker:
    return EntityLinker(nlp.vocab, dictionary)


def link(nlp: Language, linker: EntityLinker, text: str) -> list[EntityMention]:
    return linker(nlp(text))


def ids(mentions: list[EntityMention]) -> dict[str, str]:
    return {m.text: m.entity.id for m in mentions}


# ---------------------------------------------------------------------- the dictionary
def test_default_dictionary_has_every_kind(dictionary: ActorDictionary) -> None:
    kinds = {e.kind for e in dictionary.entities}
    assert {EntityKind.PERSON, EntityKind.ORG, EntityKind.GROUP, EntityKind.COUNTRY} <= kinds
    assert sum(e.kind is EntityKind.PERSON for e in dictionary.entities) >= 60
    assert len(dictionary.version) == 12


def test_lookup_normalises_case_article_possessive_and_punctuation(dictionary: ActorDictionary) -> None:
    fsb = dictionary.get("rus-fsb")
    assert fsb is not None and fsb.id == "dict:rus-fsb" and fsb.sector is Sector.INTELLIGENCE
    for text in ("FSB", "the Federal Security Service", "Russia's security service", "russia’s Security Service"):
        assert dictionary.lookup(text) == fsb, text
    assert dictionary.lookup("U.S.") == dictionary.get("country:USA")
    assert dictionary.lookup("Kiev") == dictionary.lookup("Kyiv") == dictionary.group("UKR", Sector.GOVERNMENT)
    assert dictionary.lookup("Russian") is None  # a demonym alone is no actor
    assert normalize("The Kremlin’s") == "kremlin"


def test_igos_have_no_country(dictionary: ActorDictionary) -> None:
    nato = dictionary.lookup("NATO")
    assert nato is not None and nato.country is None and nato.sector is Sector.IGO


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text(
        "entities:\n"
        "  - {id: rus-fsb, aliases: [Lubyanka], sector: police}\n"
        "  - {id: acme-militia, name: Acme Militia, kind: group, country: UKR, sector: rebel, aliases: [Acme]}\n"
        "countries:\n"
        "  RUS: {metonyms: [Kremlin walls]}\n"
        "agents:\n"
        "  rebel: [raiders]\n",
        encoding="utf-8",
    )
    base = ActorDictionary.load()
    d = ActorDictionary.load([user])
    fsb = d.get("rus-fsb")
    assert fsb is not None and fsb.sector is Sector.POLICE and fsb.name == "Federal Security Service"
    assert "Lubyanka" in fsb.aliases and "FSB" in fsb.aliases
    assert d.lookup("Lubyanka") == fsb and d.lookup("FSB") == fsb
    acme = d.lookup("acme")
    assert acme is not None and acme.id == "dict:acme-militia" and acme.country == "UKR"
    assert d.lookup("Kremlin walls") == d.group("RUS", Sector.GOVERNMENT)
    assert d.agents["raiders"].sector is Sector.REBEL
    assert d.version != base.version
    assert len(d.entities) == len(base.entities) + 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("entities:\n  - {id: x-1, name: X, kind: army}\n", "entities[0] (id x-1): kind 'army'"),
        ("entities:\n  - {id: ok, name: A, kind: org}\n  - {id: x-2, kind: org}\n", "entities[1] (id x-2)"),
        ("entities:\n  - {id: Bad Id, name: X, kind: org}\n", "entities[0]: id 'Bad Id'"),
        ("entities:\n  - {id: x-3, name: X, kind: org, country: XYZ}\n", "country 'XYZ'"),
        ("entities:\n  - {id: x-4, name: X, kind: org, alias: [Y]}\n", "unknown field 'alias'"),
        ("entities:\n  - {id: x-5, name: X, kind: org, national: [army]}\n", "'national' phrases need a country"),
        ("entities:\n  - {id: x-6, name: X, kind: org, aliases: [FSB]}\n", "alias 'FSB' is already a name of"),
        ("countries:\n  ZZZ: {adjectives: [Zed]}\n", "countries.ZZZ"),
        ("agents:\n  army: [troops]\n", "sector 'army'"),
        ("entities: [\n", "not valid YAML"),
        ("people: []\n", "unknown top-level key 'people'"),
        ("countries:\n  RUS: {adjectives: [A]}\n  RUS: {adjectives: [B]}\n", "duplicate key 'RUS'"),
    ],
)
def test_validation_errors_name_file_and_entry(tmp_path: Path, content: str, expected: str) -> None:
    user = tmp_path / "bad.yaml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        ActorDictionary.load([user])
    assert caught.value.code is Code.CONFIG_INVALID
    assert str(user) in caught.value.message
    assert expected in caught.value.message
    assert caught.value.hint


def test_missing_user_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read actor dictionary"):
        ActorDictionary.load([tmp_path / "absent.yaml"])


# ---------------------------------------------------------------------- linking
def test_fsb_variants_are_one_entity(nlp: Language, linker: EntityLinker) -> None:
    text = "The FSB said the Federal Security Service and Russia's security service detained a man."
    mentions = link(nlp, linker, text)
    assert [m.entity.id for m in mentions] == ["dict:rus-fsb"] * 3
    assert [m.text for m in mentions] == ["FSB", "Federal Security Service", "Russia's security service"]
    assert all(text[m.start:m.end] == m.text for m in mentions)


def test_surname_links_to_earlier_full_name(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "Vladimir Putin met Ivan Petrov on Monday. Later Putin and Mr Petrov spoke.")
    assert ids(mentions)["Vladimir Putin"] == ids(mentions)["Putin"] == "dict:vladimir-putin"
    petrov = [m for m in mentions if "Petrov" in m.text]
    assert len(petrov) == 2 and petrov[0].entity == petrov[1].entity
    assert petrov[0].entity.id == "ner:person:ivan-petrov" and petrov[1].sentence == 1


def test_title_lends_country_and_sector_to_an_unknown_person(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "Russian President Vladimir Putin met Latvian Interior Minister Ivan Petrov.")
    assert [m.text for m in mentions] == ["Vladimir Putin", "Ivan Petrov"]
    assert (mentions[1].entity.country, mentions[1].entity.sector) == ("LVA", Sector.GOVERNMENT)


def test_of_country_titles(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "President of Russia Vladimir Putin spoke. The President of Ukraine replied.")
    assert ids(mentions) == {"Vladimir Putin": "dict:vladimir-putin", "President of Ukraine": "group:ukr:government"}


def test_kyiv_and_kiev_are_the_ukrainian_government(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "Kyiv rejected the offer, and Kiev said so again.")
    assert [m.entity.id for m in mentions] == ["group:ukr:government"] * 2


def test_capital_after_a_locative_preposition_is_a_place(nlp: Language, linker: EntityLinker) -> None:
    assert link(nlp, linker, "The talks were held in Moscow.") == []


@pytest.mark.parametrize(
    ("text", "span", "entity_id", "sector"),
    [
        ("Russian troops shelled the town.", "Russian troops", "group:rus:military", Sector.MILITARY),
        ("Ukraine's armed forces said the attack failed.", "Ukraine's armed forces", "group:ukr:military",
         Sector.MILITARY),
        ("Belarusian border guards closed the crossing.", "Belarusian border guards", "group:blr:police",
         Sector.POLICE),
        ("Pro-Russian separatists seized the building.", "Pro-Russian separatists", "group:pro-rus:rebel",
         Sector.REBEL),
        ("Russian-backed militants attacked.", "Russian-backed militants", "group:pro-rus:rebel", Sector.REBEL),
        ("Ukrainian officials said the talks failed.", "Ukrainian officials", "group:ukr:government",
         Sector.GOVERNMENT),
        ("Protesters gathered outside the embassy.", "Protesters", "group:civilian", Sector.CIVILIAN),
        ("American journalists were detained.", "American journalists", "group:usa:media", Sector.MEDIA),
    ],
)
def test_demonym_and_agent_make_one_group(nlp: Language, linker: EntityLinker, text: str, span: str,
                                          entity_id: str, sector: Sector) -> None:
    mentions = link(nlp, linker, text)
    assert len(mentions) == 1
    assert (mentions[0].text, mentions[0].entity.id, mentions[0].entity.sector) == (span, entity_id, sector)
    assert mentions[0].entity.kind is EntityKind.GROUP


def test_coordinated_demonyms_make_one_group_each(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "Senior Polish, Czech and Slovak officials agreed.")
    assert ids(mentions) == {"Polish": "group:pol:government", "Czech": "group:cze:government",
                             "Slovak officials": "group:svk:government"}


def test_org_sector_and_country_inferred(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "The Moldovan Agriculture Ministry and the Estonian Ministry of Economic Affairs met.")
    orgs = [m.entity for m in mentions]
    assert [(e.kind, e.country, e.sector) for e in orgs] == [(EntityKind.ORG, "MDA", Sector.GOVERNMENT),
                                                               (EntityKind.ORG, "EST", Sector.GOVERNMENT)]
    assert orgs[0].id == "ner:org:moldovan-agriculture-ministry"


def test_dictionary_org_beats_inference(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "The Ukrainian Defence Ministry said Wagner fighters withdrew.")
    assert ids(mentions) == {"Ukrainian Defence Ministry": "dict:ukr-mod", "Wagner fighters": "dict:rus-wagner"}


def test_bare_demonym_and_modifiers_are_no_actor(nlp: Language, linker: EntityLinker) -> None:
    assert link(nlp, linker, "The Russian language is widely spoken.") == []
    assert link(nlp, linker, "The military operation continued near the police station.") == []


def test_country_names_and_case_rules(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "Ukraine asked the US for help. Tell us who cooked the turkey.")
    assert ids(mentions) == {"Ukraine": "country:UKR", "US": "country:USA"}


def test_empty_doc(nlp: Language, linker: EntityLinker) -> None:
    assert link(nlp, linker, "") == []
    assert link(nlp, linker, "   ") == []


def test_all_caps_text(nlp: Language, linker: EntityLinker) -> None:
    mentions = link(nlp, linker, "RUSSIAN TROOPS SHELLED KHARKIV, PUTIN SAID.")
    assert ids(mentions) == {"RUSSIAN TROOPS": "group:rus:military", "PUTIN": "dict:vladimir-putin"}


def test_mentions_are_ordered_and_disjoint(nlp: Language, linker: EntityLinker) -> None:
    text = ("Kremlin spokesman Dmitry Peskov said NATO troops and EU officials met. "
            "Zelenskyy's office said Putin's troops shelled Kharkiv.")
    mentions = link(nlp, linker, text)
    assert [m.text for m in mentions] == ["Dmitry Peskov", "NATO troops", "EU officials", "Zelenskyy's office",
                                          "Putin's troops"]
    assert all(a.end <= b.start for a, b in pairwise(mentions))
    assert [m.sentence for m in mentions] == [0, 0, 0, 1, 1]


def test_a_person_span_of_only_a_line_break_is_no_mention(nlp: Language, linker: EntityLinker) -> None:
    """A headline ending in a possessive, a blank line, then the story: the tagger may run a PERSON span over
    the break; what is left of it once the titles are off has no name and must not stop the document."""
    text = ("A matter of the interior minister’s judgment has become a test of the prime minister’s\n\nWhether the "
            "interior minister, Jane Doeberg, keeps her job is up to the prime minister, Tom Ashcroft.")
    mentions = link(nlp, linker, text)
    assert all(m.entity.name.strip() for m in mentions)
    assert "Jane Doeberg" in {m.entity.name for m in mentions}
