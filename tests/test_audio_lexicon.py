"""The pronunciation lexicon, the script clean-up and the speaker split (no synthesis here)."""

from __future__ import annotations

import pytest

from pipeline.audio.lexicon import apply_lexicon, clean_script
from pipeline.audio.synth import split_turns
from pipeline.audio.transcript import split_sentences

CASES = [
    ("AI is here.", "A-I is here."),
    ("The AI's answer", "The A-I's answer"),
    ("OpenAI and xAI", "Open A-I and x A-I"),
    ("GPT-4o launched", "G-P-T four oh launched"),
    ("GPT-5 and GPT-4.1", "G-P-T five and G-P-T four point one"),
    ("Llama and Qwen2.5", "Lahma and Kwen two point five"),
    ("a paper on arXiv", "a paper on archive"),
    ("LLMs need an API", "L-L-M's need an A-P-I"),
    ("trained in FP8", "trained in F-P eight"),
    ("the 70B model and a 1.5B one", "the seventy billion model and a one point five billion one"),
    ("v2.1.0 shipped", "version two point one point zero shipped"),
    ("raised $2.5 billion", "raised two point five billion dollars"),
    ("$40, then $1,200 and $3B", "forty dollars, then one thousand two hundred dollars and three billion dollars"),
    ("up 12% or 3.5 %", "up twelve percent or three point five percent"),
    ("e.g. this vs. that", "for example this versus that"),
]


@pytest.mark.parametrize(("text", "spoken"), CASES)
def test_default_lexicon(text: str, spoken: str) -> None:
    assert apply_lexicon(text) == spoken


def test_whole_words_and_case() -> None:
    # "AI" only as the capitalised word: not inside Thai, AIM or FAIR, not the lowercase name "ai" (AIM is then
    # spelled as any acronym is; FAIR is said as a word).
    assert apply_lexicon("Thai food, AIM, FAIR, ai") == "Thai food, A-I-M, FAIR, ai"
    # An all-lowercase key matches any case and keeps a capital at the start.
    assert apply_lexicon("ArXiv papers") == "Archive papers"


def test_show_lexicon_on_top() -> None:
    custom = {"Rivera": "Riveera", "AI": "artificial intelligence", "vllm": "V L L M"}
    assert apply_lexicon("Rivera on AI and vLLM", custom) == "Riveera on artificial intelligence and V L L M"
    assert apply_lexicon("Riverao") == "Riverao"


def test_clean_script_strips_citations() -> None:
    assert clean_script("Prices fell [1], then rose [2, 3] . **Really**.") == "Prices fell, then rose. Really."


def test_cohost_lines() -> None:
    script = "Hello.\nCOHOST: Hi there [2].\ncohost: Still me.\nHOST: Back to me.\nAnd more."
    turns = split_turns(script, cohost=True)
    assert [(t.speaker, t.text) for t in turns] == [
        ("host", "Hello."), ("cohost", "Hi there.\nStill me."), ("host", "Back to me.\nAnd more.")]
    # Without a cohost voice the host reads everything, prefixes removed.
    solo = split_turns(script, cohost=False)
    assert len(solo) == 1 and "COHOST" not in solo[0].text and "Hi there." in solo[0].text


def test_sentences_keep_abbreviations() -> None:
    text = "Dr. Lee spoke to U.S. regulators. Prices rose 3.5 percent! Was it enough?\nNew line."
    assert split_sentences(text) == [
        "Dr. Lee spoke to U.S. regulators.", "Prices rose 3.5 percent!", "Was it enough?", "New line."]
