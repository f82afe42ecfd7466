"""Pronunciations applied to a script before synthesis.

A built-in lexicon for the words an AI news show says every day (acronyms, model names, sizes, versions, money,
percentages), with the show's own ``tts.lexicon`` on top. Entries are whole words and case-aware: a key with a
capital letter matches only that spelling ("AI" is not the "ai" in a name), an all-lowercase key matches any
case. The spellings were chosen by listening to what espeak-ng's phonemizer (used by piper) makes of them:
"A-I" reads "ay eye" where "A I" reads "uh eye", and hyphens avoid the sentence break that "A.I." can cause.

>>> apply_lexicon("GPT-4o costs $2.5 billion, up 12% on v2.1.0 of the 70B model.")
'G-P-T four oh costs two point five billion dollars, up twelve percent on version two point one point zero of the \
seventy billion model.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pipeline.audio.normalize import normalize
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
    "LLaMA": "Lahma",
    "AWQ": "A-W-Q",
    "NVIDIA": "Nvidia",
    "e.g.": "for example",
    "i.e.": "that is",
    "vs.": "versus",
    "vs": "versus",
}

def merged_lexicon(custom: Mapping[str, str] | None = None) -> dict[str, str]:
    """The built-in lexicon with the show's entries on top (a show's entry replaces the built-in one)."""
    return {**DEFAULT_LEXICON, **(custom or {})}


def clean_script(text: str) -> str:
    """Spoken text only: no [n] citation markers or Markdown emphasis, whitespace tidied."""
    text = CITATION.sub("", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def apply_lexicon(text: str, custom: Mapping[str, str] | None = None, say_as_words: Iterable[str] = ()) -> str:
    """Rewrite ``text`` for the ear: the show's and the built-in pronunciations, then numbers, units and symbols
    in words (:func:`pipeline.audio.normalize.normalize`)."""
    return normalize(text, custom, say_as_words)
