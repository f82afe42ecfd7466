"""Grounding checks, data-driven: each case is (sentence, the flags expected as {(kind, span)})."""

from __future__ import annotations

import pytest

from pipeline.draft.grounding import (
    check_script,
    check_text,
    entity_claims,
    number_claims,
    split_sentences,
    words_to_number,
)

SOURCES = {
    1: "Lumen AI released Lumen-70B on Monday under the Apache 2.0 licence. It scores 81.2% on MMLU. Chief "
       "executive Dana Okafor said \"open weights are how research moves forward\". The startup raised $2.5bn.",
    2: "Northwind Labs cut the price of its Atlas-2 API by 40 percent to $1.20 per million tokens. The European "
       "Commission has 2,000 staff on AI and fifteen partner labs.",
}

TEXT_CASES = [
    # faithful, with normalisation
    ("Lumen AI released Lumen-70B under an Apache 2.0 licence [1].", set()),
    ("Lumen AI raised $2.5 billion [1].", set()),
    ("Lumen AI raised 2.5 billion dollars [1].", set()),
    ("Northwind cut Atlas-2 prices by 40% [2].", set()),
    ("The European Commission has 2000 staff on AI [2].", set()),
    ("Lumen 70B scored 81.2 percent [1].", set()),
    ("Okafor said \"open weights are how research moves forward\" [1].", set()),
    ("Dana Okafor leads Lumen AI [1].", set()),
    ("Prices fell at Northwind Labs and the European Commission noticed [2].", set()),
    # wrong numbers, names, quotes
    ("Lumen AI raised $3.1 billion [1].", {("unsupported_number", "$3.1 billion")}),
    ("Atlas-2 costs $1.50 per million tokens [2].", {("unsupported_number", "$1.50")}),
    ("Lumen-70B scored 91.2% [1].", {("unsupported_number", "91.2%")}),
    ("It beats GPT-5 [1].", {("unsupported_entity", "GPT-5")}),
    ("Sam Altman praised Lumen AI [1].", {("unsupported_entity", "Sam Altman")}),
    ("Okafor said \"closed models are finished forever\" [1].", {("unsupported_quote", "closed models are finished forever")}),
    # a claim that is in another source than the one cited is still flagged
    ("Lumen AI cut prices by 40% [1].", {("wrong_source", "40%")}),
    # citations
    ("Open models are popular.", {("uncited", "")}),
    ("Lumen AI released a model [3].", {("unknown_citation", "[3]")}),
    ("Lumen AI released Lumen-70B [1, 2].", set()),
]


@pytest.mark.parametrize(("sentence", "expected"), TEXT_CASES)
def test_text_sentence(sentence: str, expected: set[tuple[str, str]]) -> None:
    assert {(f.kind, f.span) for f in check_text(sentence, SOURCES)} == expected


SCRIPT_CASES = [
    ("Lumen AI raised two and a half billion dollars.", set()),
    ("Northwind cut prices by forty percent.", set()),
    ("The Commission works with fifteen partner labs.", set()),
    ("One of them is Lumen AI, and two more are coming.", set()),  # small spelled numbers are not claims
    ("Lumen 70 B scored eighty one point two percent.", set()),
    ("This is The AI Daily Brief, I'm Alex Rivera.", {("unsupported_entity", "AI Daily Brief"),
                                                       ("unsupported_entity", "Alex Rivera"),
                                                       ("first_person", "I'm Alex Rivera")}),
    ("Lumen AI raised three billion dollars.", {("unsupported_number", "three billion")}),
    ("Northwind cut prices by fifty percent.", {("unsupported_number", "fifty")}),
]


@pytest.mark.parametrize(("sentence", "expected"), SCRIPT_CASES)
def test_script_sentence(sentence: str, expected: set[tuple[str, str]]) -> None:
    flags = check_script(sentence, SOURCES)
    assert {(f.kind, f.span) for f in flags} == expected
    assert all(f.field == "script" for f in flags)


def test_framing_sentences_may_be_uncited_unless_they_claim() -> None:
    text = "Thanks for listening, see you tomorrow. Lumen AI raised $9 billion."
    flags = check_text(text, SOURCES, framing=True)
    assert {(f.kind, f.span) for f in flags} == {("uncited", ""), ("unsupported_number", "$9 billion")}
    assert flags[0].sentence == "Lumen AI raised $9 billion."


def test_flags_carry_the_sentence_and_a_stable_id() -> None:
    first = check_text("Lumen AI raised $3.1 billion [1].", SOURCES)
    again = check_text("Lumen AI raised $3.1 billion [1].", SOURCES)
    assert first[0].sentence == "Lumen AI raised $3.1 billion [1]." and first[0].id == again[0].id
    assert "none of the cited sources [1]" in first[0].message


def test_sentence_splitting() -> None:
    text = "## Heading\n- First [1]. Second one [2].\n\nThe U.S. agency met Dr. Okafor [1]. Version 2.5 ships. [2] Last"
    assert split_sentences(text) == ["First [1].", "Second one [2].", "The U.S. agency met Dr. Okafor [1].",
                                     "Version 2.5 ships. [2]", "Last"]


@pytest.mark.parametrize(("phrase", "value"), [
    ("forty", 40), ("two and a half billion", 2.5e9), ("one point five", 1.5), ("three hundred million", 3e8),
    ("twenty-one", 21), ("two thousand and six", 2006),
])
def test_words_to_number(phrase: str, value: float) -> None:
    assert words_to_number(phrase) == value


def test_claims_extraction_is_strict_about_names() -> None:
    assert [c.span for c in number_claims("Lumen-70B and GPT-4o beat v1.2 by 3 points [1].")] == ["3"]
    assert {c.span for c in entity_claims("Meanwhile Google DeepMind shipped Gemini-3 on Monday March 9.")} == {
        "Google DeepMind", "Gemini-3"}


def test_every_sentence_of_a_packed_model_item_carries_its_citation() -> None:
    from pipeline.draft.grounding import split_sentences
    from pipeline.draft.writer import DraftSentence, build_text

    packed = DraftSentence(text="The committee voted 14-9 on Monday. Sen. Harold Whitcomb wrote the bill.", sources=[2])
    text = build_text("headlines", [packed])
    assert text == "The committee voted 14-9 on Monday [2]. Sen. Harold Whitcomb wrote the bill [2]."
    assert split_sentences(text) == ["The committee voted 14-9 on Monday [2].", "Sen. Harold Whitcomb wrote the bill [2]."]
