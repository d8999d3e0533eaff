"""Claims: quotations, reported speech, "according to", passives, negation and robustness."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from forewarn.model.extraction import Claim, Entity, EntityKind, EntityMention, Sector
from forewarn.nlp.claims import ACCORDING_CUE, CUE_STANCE, find_claims
from forewarn.nlp.spans import sentence_of

PESKOV = Entity("ner:person:dmitry-peskov", "Dmitry Peskov", EntityKind.PERSON, "RUS", Sector.GOVERNMENT)
KREMLIN = Entity("dict:rus-kremlin", "Kremlin", EntityKind.ORG, "RUS", Sector.GOVERNMENT)
KHARKIV = Entity("place:kharkiv", "Kharkiv", EntityKind.PLACE, "UKR")


def mention(doc: Doc, entity: Entity, words: str) -> EntityMention:
    start = doc.text.index(words)
    token = next(t for t in doc if t.idx <= start < t.idx + len(t.text))
    return EntityMention(entity, words, start, start + len(words), sentence_of(doc)[token.i])


def claims_of(nlp: Language, text: str, mentions: Sequence[tuple[Entity, str]] = ()) -> tuple[Doc, list[Claim]]:
    doc = nlp(text)
    linked = sorted((mention(doc, entity, words) for entity, words in mentions), key=lambda m: m.start)
    claims = find_claims(doc, linked)
    for claim in claims:
        check_well_formed(doc, claim)
    return doc, claims


def check_well_formed(doc: Doc, claim: Claim) -> None:
    text = doc.text  # rebuilt by spaCy on every access
    assert 0 <= claim.start <= claim.content_start < claim.content_end <= claim.end <= len(text)
    first_token = next(t for t in doc if t.idx == claim.start)
    assert claim.sentence == sentence_of(doc)[first_token.i]
    assert claim.cue in CUE_STANCE or claim.cue == ACCORDING_CUE
    if claim.speaker is not None:
        assert text[claim.speaker.start : claim.speaker.end] == claim.speaker.text


def content(doc: Doc, claim: Claim) -> str:
    return doc.text[claim.content_start : claim.content_end]


def only(claims: list[Claim]) -> Claim:
    assert len(claims) == 1, claims
    return claims[0]


# ---------------------------------------------------------------- indirect speech


def test_indirect_speech_with_apposition_and_linked_speaker(nlp: Language) -> None:
    text = "Dmitry Peskov, the Kremlin spokesman, said that the talks had failed."
    doc, claims = claims_of(nlp, text, [(PESKOV, "Dmitry Peskov"), (KREMLIN, "Kremlin")])
    claim = only(claims)
    assert claim.cue == "say" and claim.stance is None and not claim.quoted
    assert claim.speaker_text == "Dmitry Peskov, the Kremlin spokesman"
    assert claim.speaker is not None and claim.speaker.entity == PESKOV and claim.speaker.text == "Dmitry Peskov"
    assert content(doc, claim) == "the talks had failed"
    assert (claim.start, claim.end, claim.sentence) == (0, len(text), 0)


def test_unlinked_speaker_keeps_its_words(nlp: Language) -> None:
    doc, claims = claims_of(nlp, "A resident of Kharkiv said the shelling lasted all night.", [(KHARKIV, "Kharkiv")])
    claim = only(claims)
    assert claim.speaker is None  # Kharkiv is where the resident lives, not who spoke
    assert claim.speaker_text == "A resident of Kharkiv"
    assert content(doc, claim) == "the shelling lasted all night"


def test_speaker_named_through_a_modifier(nlp: Language) -> None:
    _, claims = claims_of(nlp, "A Kremlin spokesman said the talks had failed.", [(KREMLIN, "Kremlin")])
    claim = only(claims)
    assert claim.speaker is not None and claim.speaker.entity == KREMLIN
    assert claim.speaker_text == "A Kremlin spokesman"


def test_reporting_clause_after_the_content(nlp: Language) -> None:
    doc, claims = claims_of(nlp, "The talks have failed, Peskov said on Tuesday.")
    claim = only(claims)
    assert claim.speaker_text == "Peskov" and content(doc, claim) == "The talks have failed"


@pytest.mark.parametrize(
    ("text", "cue", "stance", "said"),
    [
        ("Russia denied involvement in the attack.", "deny", "deny", "involvement in the attack"),
        ("The Kremlin rejected the allegations.", "reject", "deny", "the allegations"),
        ("Kyiv acknowledged that two soldiers had died.", "acknowledge", "admit", "two soldiers had died"),
        ("Analysts predicted that the offensive would stall.", "predict", "predict", "the offensive would stall"),
        ("The general vowed to retaliate.", "vow", "promise", "to retaliate"),
        ("Putin threatened to cut gas supplies.", "threaten", "threat", "to cut gas supplies"),
        ("The minister warned of a humanitarian catastrophe.", "warn", "warn", "a humanitarian catastrophe"),
        ("Zelensky called on Russia to withdraw its troops.", "call", "urge", "Russia to withdraw its troops"),
        ("The UN called for a ceasefire.", "call", "urge", "a ceasefire"),
        ("Ukraine accused Russia of shelling the city.", "accuse", "accuse", "Russia of shelling the city"),
        ("The ministry confirmed that the strike had happened.", "confirm", "confirm", "the strike had happened"),
        ("Kuleba wrote on Twitter that Russia must pay.", "write", None, "Russia must pay"),
        ("He insisted that the army would hold the line.", "insist", "assert", "the army would hold the line"),
    ],
)
def test_cues_and_stances(nlp: Language, text: str, cue: str, stance: str | None, said: str) -> None:
    doc, claims = claims_of(nlp, text)
    claim = only(claims)
    assert (claim.cue, claim.stance, content(doc, claim)) == (cue, stance, said)


# ---------------------------------------------------------------- direct quotations


@pytest.mark.parametrize(
    "text",
    [
        "“We will not retreat,” Peskov said.",
        "“We will not retreat,” said Peskov.",
        '"We will not retreat," Peskov said.',
        "Peskov said: “We will not retreat.”",
        "«We will not retreat», Peskov said.",
    ],
)
def test_direct_quotation_attributed_before_or_after(nlp: Language, text: str) -> None:
    doc, claims = claims_of(nlp, text, [(PESKOV, "Peskov")])
    claim = only(claims)
    assert claim.quoted and claim.cue == "say" and claim.speaker_text == "Peskov"
    assert claim.speaker is not None and claim.speaker.entity == PESKOV
    assert content(doc, claim).rstrip(".") == "We will not retreat"


def test_quotation_with_apposition_after_the_cue(nlp: Language) -> None:
    doc, claims = claims_of(nlp, '"We are ready," said Peskov, the Kremlin spokesman.', [(PESKOV, "Peskov")])
    claim = only(claims)
    assert claim.speaker_text == "Peskov, the Kremlin spokesman" and content(doc, claim) == "We are ready"


def test_quotation_cut_by_the_sentence_splitter(nlp: Language) -> None:
    text = "Peskov told reporters: “We will not retreat. We will never surrender.” Then he left."
    doc = nlp(text)
    assert len(list(doc.sents)) >= 3  # the model cuts inside the quotation
    claim = only(find_claims(doc, []))
    check_well_formed(doc, claim)
    assert claim.quoted and claim.cue == "tell" and claim.sentence == 0
    assert content(doc, claim) == "We will not retreat. We will never surrender."
    assert claim.start == 0 and doc.text[claim.start : claim.end].endswith("surrender.”")


def test_multi_sentence_quotation_attributed_after(nlp: Language) -> None:
    doc, claims = claims_of(nlp, "“We will not retreat. We will never surrender,” Peskov said.")
    claim = only(claims)
    assert claim.sentence == 0 and content(doc, claim) == "We will not retreat. We will never surrender"


def test_interrupted_and_continued_quotations(nlp: Language) -> None:
    text = "“We will not retreat,” Peskov said, “and we will never surrender.”\n\n“Never.”"
    doc, claims = claims_of(nlp, text)
    assert [content(doc, c) for c in claims] == ["We will not retreat", "and we will never surrender.", "Never."]
    assert all(c.quoted and c.speaker_text == "Peskov" for c in claims)


def test_continued_quotation_stands_in_its_own_sentence(nlp: Language) -> None:
    text = "“We will not retreat,” Peskov said. “Never.”"
    doc, claims = claims_of(nlp, text)
    first, second = claims
    assert (first.sentence, second.sentence) == (0, 1) and second.speaker_text == "Peskov"
    assert doc.text[second.start : second.end] == "“Never.”" and content(doc, second) == "Never."


def test_partial_quotation_stays_indirect(nlp: Language) -> None:
    doc, claims = claims_of(nlp, "Peskov said the talks were “a dead end”.")
    claim = only(claims)
    assert not claim.quoted and content(doc, claim) == "the talks were “a dead end”"


def test_scare_quotes_are_not_claims(nlp: Language) -> None:
    assert claims_of(nlp, "Moscow calls it a “special military operation” in Ukraine.")[1] == []


# ---------------------------------------------------------------- according to, passives, negation


@pytest.mark.parametrize(
    ("text", "source", "said"),
    [
        ("According to local officials, the bridge was destroyed.", "local officials", "the bridge was destroyed"),
        ("The bridge was destroyed, according to local officials.", "local officials", "The bridge was destroyed"),
    ],
)
def test_according_to(nlp: Language, text: str, source: str, said: str) -> None:
    doc, claims = claims_of(nlp, text)
    claim = only(claims)
    assert (claim.cue, claim.speaker_text, content(doc, claim), claim.quoted) == (ACCORDING_CUE, source, said, False)


def test_according_to_a_rule_is_not_a_source(nlp: Language) -> None:
    assert claims_of(nlp, "The troops withdrew according to the plan.")[1] == []


def test_agentless_passives(nlp: Language) -> None:
    doc, claims = claims_of(nlp, "It was reported that troops had moved.")
    claim = only(claims)
    assert (claim.speaker, claim.speaker_text, claim.cue) == (None, "", "report")
    assert content(doc, claim) == "troops had moved"
    doc, claims = claims_of(nlp, "Russia was accused of shelling the city.")
    claim = only(claims)
    assert (claim.speaker, claim.speaker_text, claim.stance) == (None, "", "accuse")
    assert content(doc, claim) == "shelling the city"


def test_passive_with_agent_names_the_speaker(nlp: Language) -> None:
    _, claims = claims_of(nlp, "Russia was accused by Ukraine of shelling the city.")
    assert only(claims).speaker_text == "Ukraine"


def test_passive_without_content_is_no_claim(nlp: Language) -> None:
    assert claims_of(nlp, "The incident was reported.")[1] == []


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "said"),
    [
        ("The ministry did not deny that the strike happened.", "deny", "The ministry", "the strike happened"),
        (
            "The ministry refused to confirm that troops had crossed the border.",
            "confirm",
            "The ministry",
            "troops had crossed the border",
        ),
    ],
)
def test_negated_cue_keeps_the_claim_without_stance(
    nlp: Language, text: str, cue: str, speaker: str, said: str
) -> None:
    doc, claims = claims_of(nlp, text)
    claim = only(claims)
    assert (claim.cue, claim.stance, claim.speaker_text, content(doc, claim)) == (cue, None, speaker, said)


# ---------------------------------------------------------------- not claims


@pytest.mark.parametrize(
    "text",
    [
        "Troops entered the city on Monday. Residents fled to the west.",
        "Under the said agreement, troops withdrew.",
        "What did he say?",
        "Did Peskov say that the talks failed?",
        "Peskov declined to comment.",
        "He said nothing.",
        "Peskov did not say whether troops had crossed.",
        "The Kremlin rejected the proposal.",
        "The state sent a report to the council.",
        "Never tell us that our army is weak!",
        "During the year we often called each other on the telephone.",
        "This once again confirms the effectiveness of vaccinations.",
    ],
)
def test_not_claims(nlp: Language, text: str) -> None:
    assert claims_of(nlp, text)[1] == []


# ---------------------------------------------------------------- documents


def test_several_claims_in_one_document(nlp: Language) -> None:
    text = (
        "Troops crossed the river at dawn. Peskov said on Monday that troops would withdraw. "
        "Ukraine denied the claim, and Kuleba warned that Russia was regrouping. "
        "“We are ready,” the general said. According to witnesses, the shelling continued."
    )
    doc, claims = claims_of(nlp, text, [(PESKOV, "Peskov")])
    assert [(c.cue, c.sentence) for c in claims] == [
        ("say", 1),
        ("deny", 2),
        ("warn", 2),
        ("say", 3),
        ("according to", 4),
    ]
    assert [c.quoted for c in claims] == [False, False, False, True, False]
    assert claims[0].speaker is not None and claims[0].speaker.entity == PESKOV
    assert content(doc, claims[2]) == "Russia was regrouping"
    assert [c.start for c in claims] == sorted(c.start for c in claims)


# ---------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "“We will never surrender, Peskov said.",
        'He said "yes and then "no" and "maybe',
        "” Stray closing mark, he said. “",
        '""',
        "ZELENSKY SAID THAT RUSSIA MUST PAY FOR THE WAR.",
        "🔥🔥🔥 🇺🇦🇺🇦 💪💪 😀😀😀 ❤️❤️",
    ],
)
def test_odd_inputs_give_well_formed_claims(nlp: Language, text: str) -> None:
    claims_of(nlp, text)


def test_all_caps_and_emoji(nlp: Language) -> None:
    doc, claims = claims_of(nlp, "“WE WILL WIN,” ZELENSKY SAID.")
    assert content(doc, only(claims)) == "WE WILL WIN"
    doc, claims = claims_of(nlp, "🔥🔥 “We will win 💪,” Zelensky said 🇺🇦🇺🇦 😀😀😀")
    claim = only(claims)
    assert claim.quoted and claim.speaker_text == "Zelensky" and content(doc, claim) == "We will win 💪"


def test_one_megabyte_paragraph_in_bounded_time(nlp: Language) -> None:
    unit = nlp(
        '"Stray opening mark. “We will not retreat,” Peskov said. According to officials, the bridge fell. '
        "Troops crossed the river and the said agreement collapsed. It was reported that talks had failed. "
    )
    copies = 1_000_000 // len(unit.text) + 1
    doc = Doc.from_docs([unit] * copies)
    text = doc.text
    assert len(text) >= 1_000_000 and "\n" not in text
    started = time.perf_counter()
    claims = find_claims(doc, [])
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{elapsed:.1f} s for 1 MB"  # about 0.5 s on a laptop-class CPU
    assert len(claims) >= 3 * copies
    assert all(0 <= c.start <= c.content_start < c.content_end <= c.end <= len(text) for c in claims)
