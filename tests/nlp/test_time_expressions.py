"""Time expressions: ``resolve`` rule by rule (pure, fast), then ``find_dates`` on real parses."""

from __future__ import annotations

import random
import time
from datetime import date, datetime

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from forewarn.model.extraction import DateMention, TimePrecision
from forewarn.nlp.dates import add_months, find_dates, infer_year, resolve

DAY, WEEK, MONTH, YEAR = TimePrecision.DAY, TimePrecision.WEEK, TimePrecision.MONTH, TimePrecision.YEAR
MON = date(2024, 8, 12)  # a Monday


def d(text: str) -> date:
    return date.fromisoformat(text)


# ------------------------------------------------------------------------------------------------ resolve


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Aug. 6", "2024-08-06"),
        ("6 August 2024", "2024-08-06"),
        ("August 6th", "2024-08-06"),
        ("on 6 August", "2024-08-06"),
        ("the 6th of August", "2024-08-06"),
        ("AUGUST 6, 2024", "2024-08-06"),
        ("Tuesday, Aug. 6", "2024-08-06"),
        ("2024-08-06", "2024-08-06"),
        ("8/6/2024", "2024-08-06"),
        ("13/6/2024", "2024-06-13"),
        ("06.08.2024", "2024-08-06"),
    ],
)
def test_explicit_days(expression: str, expected: str) -> None:
    assert resolve(expression, MON) == (d(expected), DAY)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Aug 5-6", "2024-08-05"),
        ("5-6 August", "2024-08-05"),
        ("on the night of 5 to 6 August", "2024-08-05"),
        ("between 5 and 6 August", "2024-08-05"),
        ("July 31-August 2, 2024", "2024-07-31"),
        ("12 to 15 October 2023", "2023-10-12"),
    ],
)
def test_ranges_take_the_first_day(expression: str, expected: str) -> None:
    assert resolve(expression, MON) == (d(expected), DAY)


@pytest.mark.parametrize(
    ("expression", "expected", "precision"),
    [
        ("in August", "2024-08-01", MONTH),
        ("August 2024", "2024-08-01", MONTH),
        ("mid-July", "2024-07-01", MONTH),
        ("the end of June", "2024-06-01", MONTH),
        ("in 2023", "2023-01-01", YEAR),
        ("2019", "2019-01-01", YEAR),
        ("early 2022", "2022-01-01", YEAR),
        ("2024-07", "2024-07-01", MONTH),
        ("2022-23", "2022-01-01", YEAR),
        ("2023–2024", "2023-01-01", YEAR),
        ("summer 2022", "2022-01-01", YEAR),
        ("last December", "2023-12-01", MONTH),
        ("next March", "2025-03-01", MONTH),
    ],
)
def test_months_and_years_give_the_first_day(expression: str, expected: str, precision: TimePrecision) -> None:
    assert resolve(expression, MON) == (d(expected), precision)


@pytest.mark.parametrize(
    ("expression", "published", "expected"),
    [
        ("Dec. 28", "2025-01-03", "2024-12-28"),  # rollover: the previous year
        ("Jan. 3", "2024-12-28", "2025-01-03"),  # a few days ahead: next January
        ("Sept. 10", "2024-08-12", "2024-09-10"),  # within a month ahead: this year
        ("Sept. 20", "2024-08-12", "2023-09-20"),  # more than a month ahead: last year
        ("Feb. 29", "2025-03-10", "2024-02-29"),  # the latest leap year
        ("Feb. 29", "2024-03-01", "2024-02-29"),
    ],
)
def test_year_inference(expression: str, published: str, expected: str) -> None:
    assert resolve(expression, d(published)) == (d(expected), DAY)


def test_year_inference_for_a_month() -> None:
    assert resolve("in December", d("2025-01-03")) == (d("2024-12-01"), MONTH)
    assert resolve("in September", MON) == (d("2024-09-01"), MONTH)
    assert infer_year(2, 30, MON) is None


def test_invalid_dates_are_none() -> None:
    assert resolve("29 February 2023", MON) is None
    assert resolve("2024-13-01", MON) is None
    assert resolve("31 June", MON) is None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("on Tuesday", "2024-08-06"),
        ("Monday", "2024-08-12"),  # the publication day itself
        ("last Monday", "2024-08-05"),
        ("this past Sunday", "2024-08-11"),
        ("next Tuesday", "2024-08-13"),
        ("next Monday", "2024-08-19"),
        ("Tuesday night", "2024-08-06"),
        ("early Friday", "2024-08-09"),
        ("TUESDAY", "2024-08-06"),
    ],
)
def test_weekdays(expression: str, expected: str) -> None:
    assert resolve(expression, MON) == (d(expected), DAY)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("today", "2024-08-12"),
        ("this morning", "2024-08-12"),
        ("earlier today", "2024-08-12"),
        ("tonight", "2024-08-12"),
        ("yesterday", "2024-08-11"),
        ("yesterday afternoon", "2024-08-11"),
        ("last night", "2024-08-11"),
        ("overnight", "2024-08-11"),
        ("late last night", "2024-08-11"),
        ("the day before yesterday", "2024-08-10"),
        ("tomorrow", "2024-08-13"),
    ],
)
def test_deictic_words(expression: str, expected: str) -> None:
    assert resolve(expression, MON) == (d(expected), DAY)


def test_yesterday_across_a_leap_day() -> None:
    assert resolve("yesterday", d("2024-03-01")) == (d("2024-02-29"), DAY)


@pytest.mark.parametrize(
    ("expression", "published", "expected", "precision"),
    [
        ("last week", "2024-08-12", "2024-08-05", WEEK),
        ("earlier this week", "2024-08-14", "2024-08-12", WEEK),
        ("next week", "2024-08-14", "2024-08-19", WEEK),
        ("last month", "2024-01-15", "2023-12-01", MONTH),
        ("earlier this month", "2024-08-12", "2024-08-01", MONTH),
        ("late last month", "2024-08-12", "2024-07-01", MONTH),
        ("last year", "2024-08-12", "2023-01-01", YEAR),
        ("earlier this year", "2024-08-12", "2024-01-01", YEAR),
        ("over the weekend", "2024-08-12", "2024-08-10", WEEK),
        ("last weekend", "2024-08-11", "2024-08-03", WEEK),
        ("the weekend", "2024-08-11", "2024-08-10", WEEK),
    ],
)
def test_calendar_periods(expression: str, published: str, expected: str, precision: TimePrecision) -> None:
    assert resolve(expression, d(published)) == (d(expected), precision)


@pytest.mark.parametrize(
    ("expression", "expected", "precision"),
    [
        ("two days ago", "2024-08-10", DAY),
        ("10 days ago", "2024-08-02", DAY),
        ("a few days ago", "2024-08-09", WEEK),  # vague count: 3, coarsened
        ("about three days ago", "2024-08-09", WEEK),  # approximate: coarsened
        ("three weeks ago", "2024-07-22", WEEK),  # the computed day, WEEK precision
        ("weeks ago", "2024-07-22", MONTH),
        ("nearly a month ago", "2024-07-12", MONTH),
        ("six months ago", "2024-02-12", MONTH),
        ("a year ago", "2023-08-12", YEAR),
        ("48 hours ago", "2024-08-10", DAY),
    ],
)
def test_ago(expression: str, expected: str, precision: TimePrecision) -> None:
    assert resolve(expression, MON) == (d(expected), precision)


def test_month_arithmetic_clamps_to_the_month_end() -> None:
    assert resolve("a month ago", d("2024-03-31")) == (d("2024-02-29"), MONTH)
    assert add_months(d("2024-01-31"), 1) == d("2024-02-29")
    assert add_months(d("2024-02-29"), 12) == d("2025-02-28")
    assert add_months(d("2024-01-15"), -1) == d("2023-12-15")


@pytest.mark.parametrize(
    ("expression", "anchor", "expected", "precision"),
    [
        ("days before", "2024-08-06", "2024-08-03", WEEK),
        ("days earlier", "2024-08-06", "2024-08-03", WEEK),
        ("the day before", "2024-08-06", "2024-08-05", DAY),
        ("the previous day", "2024-08-06", "2024-08-05", DAY),
        ("the following day", "2024-02-28", "2024-02-29", DAY),
        ("the next day", "2024-08-06", "2024-08-07", DAY),
        ("two days later", "2024-08-06", "2024-08-08", DAY),
        ("a week later", "2024-08-06", "2024-08-13", WEEK),
        ("that same day", "2024-08-06", "2024-08-06", DAY),
        ("the following week", "2024-08-06", "2024-08-12", WEEK),
        ("the previous month", "2024-08-06", "2024-07-01", MONTH),
    ],
)
def test_anchored_on_an_explicit_anchor(expression: str, anchor: str, expected: str, precision: TimePrecision) -> None:
    assert resolve(expression, MON, anchor=d(anchor)) == (d(expected), precision)


def test_anchored_without_anchor_counts_from_publication() -> None:
    assert resolve("days before", MON) == (d("2024-08-09"), WEEK)
    assert resolve("the day before", MON) == (d("2024-08-11"), DAY)


@pytest.mark.parametrize(
    ("expression", "expected", "precision"),
    [
        ("a week after Aug. 6", "2024-08-13", WEEK),
        ("two weeks after 6 June", "2024-06-20", WEEK),
        ("three days after 1 March", "2024-03-04", DAY),
        ("days before the 12 October", "2023-10-09", WEEK),
        ("the day before 6 August 2024", "2024-08-05", DAY),
    ],
)
def test_anchor_inside_the_expression(expression: str, expected: str, precision: TimePrecision) -> None:
    # an anchor argument is ignored when the expression carries its own date
    assert resolve(expression, MON, anchor=d("2020-01-01")) == (d(expected), precision)


@pytest.mark.parametrize(
    "expression",
    [
        "for three days", "three days", "48 hours", "24/7", "70 years old", "aged 70", "a 70-year-old",
        "every day", "daily", "each week", "on Tuesdays", "recently", "for years", "the past decades",
        "in recent weeks", "in the coming days", "the 19th century", "the 1990s", "decades ago", "years ago",
        "12", "3,400", "", "   ", "the day", "day after day",
    ],
)
def test_not_points_in_time(expression: str) -> None:
    assert resolve(expression, MON) is None


def test_long_tail_goes_to_dateparser() -> None:
    assert resolve("Aug 6th at 5 pm", MON) == (d("2024-08-06"), DAY)
    assert resolve("6 Aug '24", MON) == (d("2024-08-06"), DAY)


def test_published_may_be_a_datetime_and_must_be_a_date() -> None:
    assert resolve("yesterday", datetime(2024, 8, 12, 23, 59)) == (d("2024-08-11"), DAY)
    with pytest.raises(TypeError, match=r"datetime\.date"):
        resolve("yesterday", "2024-08-12")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- find_dates


def found(nlp: Language, text: str, published: date = MON) -> list[DateMention]:
    return find_dates(nlp(text), published)


def values(mentions: list[DateMention]) -> list[tuple[str, date, TimePrecision]]:
    return [(m.text, m.value, m.precision) for m in mentions]


def test_mentions_point_at_their_text_in_order(nlp: Language) -> None:
    text = "Rebels shelled Kharkiv on Tuesday, officials said on Aug. 6, two days ago and last week."
    mentions = found(nlp, text)
    assert values(mentions) == [
        ("Tuesday", d("2024-08-06"), DAY),
        ("Aug. 6", d("2024-08-06"), DAY),
        ("two days ago", d("2024-08-10"), DAY),
        ("last week", d("2024-08-05"), WEEK),
    ]
    assert all(text[m.start:m.end] == m.text for m in mentions)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


def test_durations_ages_and_recurring_are_not_dates(nlp: Language) -> None:
    text = ("Protests continued for three days and the 70 years old man was held for 48 hours. "
            "Shops open every Tuesday and 24/7. Police patrol daily, as they have for years. "
            "He wrote about the 19th century and the 1990s. About 1,200 people and 45 trucks were there.")
    assert found(nlp, text) == []


def test_year_inference_in_documents(nlp: Language) -> None:
    mentions = found(nlp, "He was detained on Dec. 28 and released on January 2.", d("2025-01-03"))
    assert values(mentions) == [("Dec. 28", d("2024-12-28"), DAY), ("January 2", d("2025-01-02"), DAY)]


def test_anchor_in_the_same_sentence(nlp: Language) -> None:
    text = "Shelling killed four civilians on 9 June; days earlier, residents had fled."
    assert values(found(nlp, text, d("2022-06-20")))[-1] == ("days earlier", d("2022-06-06"), WEEK)
    text = "Rebels captured the airport on 14 March and the government fled the following day."
    assert values(found(nlp, text, d("2024-03-20")))[-1] == ("the following day", d("2024-03-15"), DAY)


def test_anchor_after_the_expression_and_inside_it(nlp: Language) -> None:
    text = "Days before the 12 October referendum, activists were detained."
    assert values(found(nlp, text, d("2021-10-20")))[0][1:] == (d("2021-10-09"), WEEK)
    text = "Protesters gathered again a week after Aug. 6, when the first rally was held."
    assert values(found(nlp, text, d("2024-08-20"))) == [("a week after Aug. 6", d("2024-08-13"), WEEK)]


def test_anchor_chains_across_sentences(nlp: Language) -> None:
    text = "On July 30, rebels seized the town. Two days later they withdrew, and the next day the army returned."
    assert values(found(nlp, text)) == [
        ("July 30", d("2024-07-30"), DAY),
        ("Two days later", d("2024-08-01"), DAY),
        ("the next day", d("2024-08-02"), DAY),
    ]


def test_forward_anchored_without_anchor_is_dropped(nlp: Language) -> None:
    assert found(nlp, "In August the government fell. The following day, protests erupted.") == [
        DateMention(d("2024-08-01"), MONTH, "August", 3, 9, 0)
    ]
    assert values(found(nlp, "The day before, rebels issued an ultimatum.")) == [
        ("The day before", d("2024-08-11"), DAY)
    ]


def test_sentence_indices(nlp: Language) -> None:
    text = "Calm returned on Monday. Nothing happened. Then, yesterday, the shelling resumed."
    mentions = found(nlp, text)
    doc = nlp(text)
    assert [m.sentence for m in mentions] == [0, 2]
    sents = list(doc.sents)
    assert all(sents[m.sentence].start_char <= m.start < sents[m.sentence].end_char for m in mentions)


def test_night_ranges_and_weekday_prefixes(nlp: Language) -> None:
    text = "On the night of 5 to 6 August, drones hit Odesa. Talks were held on Tuesday, Aug. 6, in Doha."
    assert values(found(nlp, text, d("2024-08-20"))) == [
        ("the night of 5 to 6 August", d("2024-08-05"), DAY),
        ("Tuesday, Aug. 6", d("2024-08-06"), DAY),
    ]


def test_empty_and_all_caps(nlp: Language) -> None:
    assert found(nlp, "") == []
    assert found(nlp, "   \n ") == []
    mentions = found(nlp, "RUSSIAN FORCES ATTACKED ON TUESDAY, AUGUST 6, 2024, AND LAST NIGHT.")
    assert [(m.value, m.precision) for m in mentions] == [(d("2024-08-06"), DAY), (d("2024-08-11"), DAY)]


def test_lower_case_month_words_are_not_months(nlp: Language) -> None:
    assert found(nlp, "They may march again, the minister said.") == []


def test_a_long_paragraph_with_many_numbers_runs_in_bounded_time(nlp: Language) -> None:
    """1 MB of numbers and dates: the real tokenizer, every number marked as a DATE entity (the worst case
    for NER candidates), sentences every 40 tokens; parsing 1 MB with the model would take minutes."""
    rng = random.Random(7)
    vocabulary = ("the army said 12 soldiers and 3,400 civilians were hit on Aug. 6 near km 17 of route 45 at 10:30 "
                  "since 1999 in May last week 5-6 August two days later 2024-08-06 24/7 for 48 hours")
    words = vocabulary.split(" ")
    text = " ".join(rng.choice(words) for _ in range(180_000))[:1_000_000]
    doc = nlp.make_doc(text)
    starts: list[bool | int | None] = [i % 40 == 0 for i in range(len(doc))]
    doc = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc], sent_starts=starts)
    doc.ents = [Span(doc, t.i, t.i + 1, label="DATE") for t in doc if t.like_num]
    began = time.perf_counter()
    mentions = find_dates(doc, MON)
    elapsed = time.perf_counter() - began
    assert len(mentions) > 1000
    assert elapsed < 15, f"find_dates took {elapsed:.1f} s on 1 MB"
