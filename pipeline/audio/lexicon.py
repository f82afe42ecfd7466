"""Pronunciations applied to a script before synthesis.

A built-in lexicon for the words an AI news show says every day (acronyms, model names, sizes, versions, money,
percentages), with the show's own ``tts.lexicon`` on top. Entries are whole words and case-aware: a key with a
capital letter matches only that spelling ("AI" is not the "ai" in a name), an all-lowercase key matches any
case. The spellings were chosen by listening to what espeak-ng's phonemizer (used by piper) makes of them:
"A-I" reads "ay eye" where "A I" reads "uh eye", and hyphens avoid the sentence break that "A.I." can cause.

>>> apply_lexicon("GPT-4o costs $2.5 billion, up 12% on v2.1.0 of the 70B model.")
'G-P-T four oh costs 2.5 billion dollars, up 12 percent on version 2 point 1 point 0 of the 70 billion model.'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from pipeline.models import CITATION

DEFAULT_LEXICON: dict[str, str] = {
    "AI": "A-I",
    "AI's": "A-I's",
    "AGI": "A-G-I",
    "OpenAI": "Open A-I",
    "xAI": "x A-I",
    "ChatGPT": "Chat G-P-T",
    "GPT-4o": "G-P-T four oh",
    "GPT-4o-mini": "G-P-T four oh mini",
    "LLM": "L-L-M",
    "LLMs": "L-L-M's",
    "API": "A-P-I",
    "APIs": "A-P-I's",
    "GPU": "G-P-U",
    "GPUs": "G-P-U's",
    "TPU": "T-P-U",
    "TPUs": "T-P-U's",
    "FP8": "F-P-8",
    "FP16": "F-P-16",
    "BF16": "B-F-16",
    "FP4": "F-P-4",
    "RLHF": "R-L-H-F",
    "RAG": "rag",
    "SOTA": "state of the art",
    "MoE": "mixture of experts",
    "arXiv": "archive",
    "arxiv": "archive",
    "Qwen": "Kwen",
    "Llama": "Lahma",
    "NVIDIA": "Nvidia",
    "e.g.": "for example",
    "i.e.": "that is",
    "vs.": "versus",
    "vs": "versus",
}

_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion", "t": "trillion",
           "thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion"}
_CURRENCIES = {"$": "dollars", "€": "euros", "£": "pounds"}

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_MONEY = re.compile(
    rf"(?P<cur>[$€£])\s?(?P<num>{_NUMBER})(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|[kmbtKMBT])\b)?"
)
_PERCENT = re.compile(rf"(?P<num>{_NUMBER})\s?%")
_VERSION = re.compile(r"(?<![\w.])[vV](?P<num>\d+(?:\.\d+)*)\b")
_GPT = re.compile(r"(?<![\w-])GPT-?(?P<num>\d+(?:\.\d+)?)(?P<o>o)?(?![\w])")
_SIZE = re.compile(r"(?<![\w.$€£])(?P<num>\d+(?:\.\d+)?)(?P<unit>[BMT])(?![\w])")
_SIZE_WORDS = {"B": "billion", "M": "million", "T": "trillion"}


def _money(match: re.Match[str]) -> str:
    scale = match.group("scale")
    words = [match.group("num")]
    if scale:
        words.append(_SCALES[scale.lower()])
    words.append(_CURRENCIES[match.group("cur")])
    return " ".join(words)


def _version(match: re.Match[str]) -> str:
    return "version " + " point ".join(match.group("num").split("."))


def _gpt(match: re.Match[str]) -> str:
    return f"G-P-T {match.group('num')}" + (" oh" if match.group("o") else "")


def _entry_pattern(key: str) -> str:
    # Whole word: no letter or digit directly before or after (punctuation and spaces are fine).
    # A digit may follow a name ("Qwen2.5"): the replacement then gets a space before it.
    body = re.escape(key)
    return rf"(?<![\w]){body}(?![^\W\d])" if key[-1].isalnum() else rf"(?<![\w]){body}"


@lru_cache(maxsize=32)
def _compile(entries: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None,
                                                             dict[str, str], dict[str, str]]:
    exact = {key: value for key, value in entries if key != key.lower()}
    folded = {key.lower(): value for key, value in entries if key == key.lower()}
    # Longest first, so "GPT-4o-mini" wins over "GPT-4o".
    def pattern(keys: list[str], flags: int) -> re.Pattern[str] | None:
        if not keys:
            return None
        ordered = sorted(keys, key=len, reverse=True)
        return re.compile("|".join(_entry_pattern(key) for key in ordered), flags)

    return pattern(list(exact), 0), pattern(list(folded), re.IGNORECASE), exact, folded


def _spaced(match: re.Match[str], replacement: str) -> str:
    following = match.string[match.end() : match.end() + 1]
    return replacement + " " if following.isdigit() else replacement


def _keep_case(original: str, replacement: str) -> str:
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def merged_lexicon(custom: Mapping[str, str] | None = None) -> dict[str, str]:
    """The built-in lexicon with the show's entries on top (a show's entry replaces the built-in one)."""
    return {**DEFAULT_LEXICON, **(custom or {})}


def clean_script(text: str) -> str:
    """Spoken text only: no [n] citation markers or Markdown emphasis, whitespace tidied."""
    text = CITATION.sub("", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def apply_lexicon(text: str, custom: Mapping[str, str] | None = None) -> str:
    """Rewrite ``text`` for the ear: the show's and the built-in pronunciations, then numbers and units."""
    entries = merged_lexicon(custom)
    exact_re, folded_re, exact, folded = _compile(tuple(sorted(entries.items())))
    if exact_re is not None:
        text = exact_re.sub(lambda m: _spaced(m, exact[m.group(0)]), text)
    if folded_re is not None:
        text = folded_re.sub(lambda m: _spaced(m, _keep_case(m.group(0), folded[m.group(0).lower()])), text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda m: f"{m.group('num')} percent", text)
    text = _VERSION.sub(_version, text)
    text = _GPT.sub(_gpt, text)
    text = _SIZE.sub(lambda m: f"{m.group('num')} {_SIZE_WORDS[m.group('unit')]}", text)
    return text
