"""The spoken script: text written for the ear.

The model writes the script (prompts/script.j2); ``speakable`` then makes sure of what the ear cannot take:
no citation markers or Markdown, and money, percentages and versions in words a voice reads correctly.
"""

from __future__ import annotations

import re

from pipeline.draft.grounding import plain, strip_citations

_CURRENCY = {"$": "dollars", "€": "euros", "£": "pounds"}
_SCALE = {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "b": "billion", "t": "trillion",
          "tn": "trillion", "thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion"}
_MONEY = re.compile(r"([$€£])\s?(\d[\d,]*(?:\.\d+)?)(?:\s?(bn|mn|tn|[kmbt]|thousand|million|billion|trillion)\b)?", re.IGNORECASE)


def _money(match: re.Match[str]) -> str:
    amount = match.group(2)
    scale = _SCALE.get((match.group(3) or "").lower())
    return f"{amount} {scale + ' ' if scale else ''}{_CURRENCY[match.group(1)]}"


def speakable(text: str) -> str:
    """Text made ready to be read aloud: no [n], no Markdown, '$2.5bn' -> '2.5 billion dollars', '40%' -> '40 percent'."""
    text = strip_citations(plain(text))
    text = re.sub(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)", "", text, flags=re.MULTILINE)
    text = re.sub(r"https?://\S+", "", text)
    text = _MONEY.sub(_money, text)
    text = re.sub(r"(\d)\s?%", r"\1 percent", text)
    text = re.sub(r"\bv(\d+(?:\.\d+)*)\b", r"version \1", text)
    text = text.replace(" & ", " and ")
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> int:
    """Words in a text as spoken (citations and Markdown don't count)."""
    return len(re.findall(r"[\w’'][\w’'.\-]*", strip_citations(plain(text))))
