"""Text features for clustering and topic matching: words, named things and numbers.

Two channels per item, both plain ``{token: count}`` dicts:

- ``words``: lower-cased, stop words removed, lightly stemmed (``cuts`` = ``cut``, ``licence`` = ``license``),
  so two outlets' wording of one event overlap;
- ``names``: what tells one event from another about the same company: capitalised words inside sentences
  (``Northwind``, ``Ramanathan``), model and version names with digits (``aurora-3``, ``v0.9.0``) and numbers
  with their unit stripped (``$640 million`` = ``$640M`` = ``#640``).

The title counts twice: it is the outlet's own one-line summary of the event.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

# How much of an item's text is used: the lead carries the event; long articles drift into background that
# mentions other events (a release post naming a rival's price cut).
LEAD_CHARS = 900
TITLE_REPEAT = 2

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves said says say new one
    two three per via like get gets got still yet already today yesterday monday tuesday wednesday thursday friday
    saturday sunday week weeks year years day days month months time first last next many much well even may might
    must us it's that's here's there's what's don't doesn't isn't won't can't we're they're you're
    """.split()
)

_SPELLING = {"licence": "license", "licences": "licenses", "licenced": "licensed", "percent": "%", "per cent": "%"}

# A token: a number with an optional unit, or a word that may carry digits, hyphens or dots (Aurora-3, v0.9.0).
_TOKEN = re.compile(
    r"(?P<num>\$?\d+(?:[.,]\d+)*(?:\s?(?:%|percent|per cent|million|billion|trillion|bn|[mbkMBK]\b|x\b))?)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9]*(?:['\u2019.-][A-Za-z0-9]+)*)"
)
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[.!?:;\"\u201c\u201d]\s*$")
_UNIT = re.compile(r"\s?(?:%|percent|per cent|million|billion|trillion|bn|[mbkMBK]|x)$")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, predictable suffix stripper: enough to meet ``cuts``/``cut`` and ``prices``/``price``."""
    word = _SPELLING.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # A final e goes too, so release/released/releases/releasing all meet.
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _number(raw: str) -> str:
    value = _UNIT.sub("", raw.strip()).lstrip("$").replace(",", "")
    return "#" + value.rstrip(".")


def lead(title: str, text: str) -> str:
    """The part of an item that features are taken from."""
    body = text[:LEAD_CHARS]
    return f"{title}\n{body}" if body else title


def features(title: str, text: str, *, limit: int | None = LEAD_CHARS) -> tuple[Counter[str], Counter[str]]:
    """(words, names) token counts of a title and the lead of a text (``limit`` characters; None: all)."""
    words: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for part, repeat in ((title, TITLE_REPEAT), (text[:limit] if limit else text, 1)):
        previous_end = 0
        for match in _TOKEN.finditer(part):
            raw = match.group(0)
            if match.group("num") is not None:
                token = _number(raw)
                if token not in ("#", "#0", "#1"):
                    names[token] += repeat
                continue
            lower = raw.lower().replace("\u2019", "'")
            if lower in STOP_WORDS:
                previous_end = match.end()
                continue
            has_digit = _DIGIT.search(lower) is not None
            starts_sentence = previous_end == 0 or bool(_SENTENCE_END.search(part[max(0, previous_end - 3) : match.start()]))
            if has_digit or (raw[0].isupper() and not starts_sentence and len(raw) > 1):
                names[lower.strip(".")] += repeat
            if not has_digit:
                for piece in lower.split("-"):
                    if len(piece) > 1 and piece not in STOP_WORDS:
                        words[stem(piece)] += repeat
            previous_end = match.end()
    return words, names


def keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any keyword as a whole word; hyphens count as part of a word (``fine`` != ``fine-tune``)."""
    return _compile_keywords(tuple(keywords))


@lru_cache(maxsize=256)
def _compile_keywords(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = sorted({re.escape(k.strip().lower()) for k in keywords if k.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.IGNORECASE)


def matched_keywords(pattern: re.Pattern[str] | None, text: str) -> set[str]:
    """Distinct keywords of ``pattern`` found in ``text`` (lower-cased)."""
    if pattern is None or not text:
        return set()
    return {m.group(0).lower() for m in pattern.finditer(text)}
