"""Grounding checks: does each sentence of a draft rest on the sources it cites? Pure functions, no I/O.

A sentence of a segment's ``text`` is checked against the text of the sources it cites with ``[n]``; the spoken
``script`` carries no markers, so each of its sentences is checked against all of the segment's sources.
What is checked (everything else is trusted to the editor):

- numbers, money and percentages, normalised to values so "$2.5 billion", "2.5bn", "2,500 million" and "two
  and a half billion dollars" agree, as do "40%", "40 percent" and "forty percent";
- named entities: capitalised multi-word names ("European Commission") and model-style names mixing letters
  and digits ("Lumen-70B", "GPT-4o"), compared with separators ignored ("Lumen 70B" = "lumen-70b");
- quotations of three words or more, compared case- and whitespace-insensitively.

A text sentence without a citation is ``uncited`` (framing segments such as the cold open and sign-off may have
uncited sentences as long as they make no checkable claim); a ``[n]`` with no such source is ``unknown_citation``.
Sources are checked liberally (every digit run counts, with and without its scale) and claims strictly (a number
glued to a name, like the 70 of Lumen-70B, is part of the name): that asymmetry keeps false flags down.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipeline.models import CITATION, Flag

# -- sentences ---------------------------------------------------------------------------------------------------

_END = re.compile(r'[.!?]["”’)]*(?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])*(?=\s+["“(]?[A-Z0-9]|\s*$)')
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\bMr|\bMrs|\bMs|\bDr|\bSt|\bInc|\bCorp|\bLtd|\bCo|\bvs|\betc|\be\.g|\bi\.e|\bNo|\bSen|\bRep|\bGov"
    r"|\bProf|\bGen|\bJr|\bSr|\bU\.S|\bU\.K|\bJan|\bFeb|\bAug|\bSept?|\bOct|\bNov|\bDec|\bv)$"
)
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)")
_MD_MARKS = re.compile(r"(\*\*|__|\*|`)")


def plain(text: str) -> str:
    """Markdown to plain prose: links keep their words, emphasis and code marks go."""
    return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", text))


def split_sentences(text: str) -> list[str]:
    """Sentences of Markdown prose; a citation after the full stop stays with its sentence."""
    sentences: list[str] = []
    for raw in text.splitlines():
        block = plain(raw).strip()
        if block.startswith("#"):
            continue  # headings make no claims of their own
        block = re.sub(r"^(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)", "", block).strip()
        if not block:
            continue
        start = 0
        for match in _END.finditer(block):
            before = block[start : match.start()]
            if block[match.start()] == "." and _ABBREVIATION.search(before):
                continue
            sentence = block[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
        rest = block[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


def citations(sentence: str) -> list[int]:
    return [int(n) for group in CITATION.findall(sentence) for n in re.split(r"\s*,\s*", group)]


def strip_citations(text: str) -> str:
    return re.sub(r"\s*" + CITATION.pattern, "", text)


# -- numbers -----------------------------------------------------------------------------------------------------

SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SUFFIXES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "t": 1e12, "tn": 1e12, **SCALES}
PERCENT = re.compile(r"^(?:%|percent|per\s?cent)$", re.IGNORECASE)

_NUMBER = re.compile(
    r"(?<![\w.\-/])(?P<cur>[$€£])?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?:\s?(?P<unit>%|percent\b|per\s?cent\b|bn\b|mn\b|tn\b|[kKMBT]\b|thousand\b|million\b|billion\b|trillion\b))?"
    r"(?![\w\-]|\.\d)",
)
_LOOSE_NUMBER = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?:\s?(?P<unit>%|percent|per\s?cent|bn|mn|tn|[kKmMbBtT](?![a-z])|thousand|million|billion|trillion))?",
)
_WORD_NUMBER = re.compile(
    r"\b(?:(?:" + "|".join([*SMALL, "hundred", *SCALES, "point", "and a half", "and"]) + r")(?:[\s-]+|\b))+",
    re.IGNORECASE,
)


def _value(num: str, dec: str | None, unit: str | None) -> float:
    value = float(num.replace(",", "") + (dec or ""))
    scale = SUFFIXES.get((unit or "").lower(), 1.0)
    return value * scale


def words_to_number(phrase: str) -> float | None:
    """'two and a half billion' -> 2.5e9, 'forty' -> 40, 'one point five' -> 1.5; None when it is no number."""
    words = [w for w in re.split(r"[\s-]+", phrase.lower().strip()) if w]
    total, current, seen, i = 0.0, 0.0, False, 0
    while i < len(words):
        word = words[i]
        if word in SMALL:
            current += SMALL[word]
            seen = True
        elif word == "hundred":
            current = (current or 1) * 100
            seen = True
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0.0
            seen = True
        elif word == "point":
            digits = ""
            while i + 1 < len(words) and words[i + 1] in SMALL and SMALL[words[i + 1]] < 10:
                i += 1
                digits += str(SMALL[words[i]])
            current += float("0." + digits) if digits else 0.0
        elif word == "and" and words[i + 1 : i + 3] == ["a", "half"]:
            current += 0.5
            i += 2
        elif word != "and":
            break
        i += 1
    return total + current if seen else None


@dataclass(frozen=True)
class Claim:
    kind: str  # "number", "entity" or "quote"
    span: str
    value: float | None = None


def _key(value: float) -> str:
    return f"{value:.6g}"


def number_claims(sentence: str) -> list[Claim]:
    """Numbers a sentence asserts (strict: digits glued to names are not numbers)."""
    text = strip_citations(sentence)
    claims = [Claim("number", m.group(0).strip(), _value(m["num"], m["dec"], m["unit"])) for m in _NUMBER.finditer(text)]
    for match in _WORD_NUMBER.finditer(text):
        phrase = match.group(0).strip(" -")
        if not phrase or not re.search(r"\b(?:" + "|".join(SMALL) + r")\b", phrase, re.IGNORECASE):
            continue  # a bare scale word: "2.5 billion" was read with its digits above
        if re.search(r"\d\s*$", text[: match.start()]):
            continue
        value = words_to_number(phrase)
        if value is None:
            continue
        following = text[match.end() :].lstrip()[:8].lower()
        scaled = any(w in phrase.lower() for w in (*SCALES, "hundred", "point", "half"))
        # "one of", "two companies": small spelled numbers are everywhere in speech; check them only with a unit.
        if value < 10 and not scaled and not following.startswith(("percent", "per cent")):
            continue
        claims.append(Claim("number", phrase, value))
    return claims


def source_numbers(text: str) -> set[str]:
    """Every value a source mentions, each with and without its scale (liberal on purpose)."""
    values: set[str] = set()
    for match in _LOOSE_NUMBER.finditer(text):
        bare = float(match["num"].replace(",", "") + (match["dec"] or ""))
        values.add(_key(bare))
        values.add(_key(_value(match["num"], match["dec"], match["unit"])))
    for match in _WORD_NUMBER.finditer(text):
        value = words_to_number(match.group(0))
        if value is not None:
            values.add(_key(value))
    return values


# -- entities and quotes -----------------------------------------------------------------------------------------

_MODEL_NAME = re.compile(r"(?<![\w\-])[A-Za-z][A-Za-z]*[-_.]?\d(?:[\w.\-]*\w)?(?![\w\-])")
_CONNECTORS = {"of", "for", "and", "the", "de", "on", "&"}
_LEADING = {
    "the", "a", "an", "in", "on", "at", "but", "and", "today", "this", "that", "it", "its", "meanwhile",
    "however", "also", "then", "so", "yet", "still", "after", "before", "while", "as", "by", "for", "with",
    "from", "to", "over", "under", "here", "there", "now", "finally", "first", "next", "plus", "according",
    "welcome", "thanks", "good", "hello", "i'm", "im", "we", "our", "what", "why", "how", "who", "when",
}
_MONTHS_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}
_PRONOUNS = {"i", "i'm", "i’m", "i'll", "i’ll", "we're", "we’re"}
_QUOTE = re.compile(r"[“\"]([^”\"]{10,300})[”\"]")


def squash(text: str) -> str:
    """Lower case without spaces and separators: 'Lumen 70B' == 'lumen-70b'."""
    return re.sub(r"[\s\-_.’'`]", "", text.lower())


def _capitalized(word: str) -> bool:
    return bool(word) and word[0].isupper()


def entity_claims(sentence: str) -> list[Claim]:
    """Capitalised multi-word names and letter-digit model names in a sentence."""
    text = strip_citations(plain(sentence))
    claims = [Claim("entity", m.group(0)) for m in _MODEL_NAME.finditer(text) if not re.match(r"^[vV]\d", m.group(0))]
    words = re.findall(r"[\w’'&][\w’'&.\-]*", text)
    group: list[str] = []

    def close() -> None:
        while group and (group[-1].lower() in _CONNECTORS):
            group.pop()
        while group and (group[0].lower().strip("’'") in _LEADING or group[0].lower() in _MONTHS_DAYS):
            group.pop(0)
        names = [w for w in group if w.lower() not in _CONNECTORS]
        if len(names) >= 2 and not all(w.lower().rstrip(".") in _MONTHS_DAYS for w in names):
            claims.append(Claim("entity", " ".join(group)))
        group.clear()

    for word in words:
        clean = word.rstrip(".’'")
        if any(ch.isdigit() for ch in clean) or clean.lower() in _MONTHS_DAYS or clean.lower() in _PRONOUNS:
            close()  # model names are checked on their own; dates are numbers, not names
        elif _capitalized(clean):
            group.append(clean)
        elif group and word.lower() in _CONNECTORS and _capitalized(group[-1]):
            group.append(word)
        else:
            close()
    close()
    return claims


def quote_claims(sentence: str) -> list[Claim]:
    return [Claim("quote", m.group(1)) for m in _QUOTE.finditer(sentence) if len(m.group(1).split()) >= 3]


def _normal(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class SourceIndex:
    """One or more sources' text, prepared for the checks."""

    numbers: frozenset[str]
    squashed: str
    words: frozenset[str]
    normal: str

    @classmethod
    def of(cls, texts: Iterable[str]) -> SourceIndex:
        text = "\n".join(texts)
        words = {w.lower().removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w’'&][\w’'&\-]*", text)}
        return cls(frozenset(source_numbers(text)), squash(text), frozenset(words), _normal(text))


def supported(claim: Claim, index: SourceIndex) -> bool:
    """Is the claim found in the sources (after normalisation)?"""
    if claim.kind == "number":
        assert claim.value is not None
        return _key(claim.value) in index.numbers
    if claim.kind == "quote":
        return _normal(claim.span).strip(" .,") in index.normal
    if squash(claim.span) in index.squashed:
        return True
    names = [w for w in claim.span.split() if w.lower() not in _CONNECTORS]
    return all(w.lower().removesuffix("'s").removesuffix("’s") in index.words for w in names)


# -- the checks -------------------------------------------------------------------------------------------------


def _flag(kind: str, field: str, sentence: str, span: str, message: str) -> Flag:
    digest = hashlib.sha1(f"{kind}|{field}|{sentence}|{span}".encode()).hexdigest()[:10]
    return Flag(id=f"f-{digest}", kind=kind, field=field, sentence=sentence, span=span, message=message)  # type: ignore[arg-type]


_MESSAGES = {
    "number": ("unsupported_number", "the number {span!r} appears in none of {where}"),
    "entity": ("unsupported_entity", "the name {span!r} appears in none of {where}"),
    "quote": ("unsupported_quote", "the quote {span!r} is not found in {where}"),
}


def claims_of(sentence: str) -> list[Claim]:
    return [*number_claims(sentence), *entity_claims(sentence), *quote_claims(sentence)]


def _unsupported(sentence: str, index: SourceIndex, field: str, where: str) -> list[Flag]:
    flags = []
    seen: set[tuple[str, str]] = set()
    for claim in claims_of(sentence):
        if (claim.kind, claim.span) in seen or supported(claim, index):
            continue
        seen.add((claim.kind, claim.span))
        kind, message = _MESSAGES[claim.kind]
        flags.append(_flag(kind, field, sentence, claim.span, message.format(span=claim.span, where=where)))
    return flags


def check_text(text: str, sources: Mapping[int, str], *, framing: bool = False) -> list[Flag]:
    """Flags for newsletter text with ``[n]`` citations; ``sources`` maps n to that source's text."""
    flags: list[Flag] = []
    everything = SourceIndex.of(sources.values())
    for sentence in split_sentences(text):
        cited = citations(sentence)
        unknown = [n for n in cited if n not in sources]
        for n in dict.fromkeys(unknown):
            flags.append(_flag("unknown_citation", "text", sentence, f"[{n}]",
                               f"[{n}] refers to no source of this segment (it has {len(sources)})"))
        known = [n for n in dict.fromkeys(cited) if n in sources]
        if known:
            index = SourceIndex.of(sources[n] for n in known)
            flags += _unsupported(sentence, index, "text", "the cited sources " + ", ".join(f"[{n}]" for n in known))
            continue
        claims = claims_of(sentence)
        if not cited and (not framing or claims):
            flags.append(_flag("uncited", "text", sentence, "", "this sentence cites no source"))
        flags += _unsupported(sentence, everything, "text", "the segment's sources")
    return flags


def check_script(script: str, sources: Mapping[int, str]) -> list[Flag]:
    """Flags for the spoken script: each claim must be in one of the segment's sources."""
    index = SourceIndex.of(sources.values())
    flags: list[Flag] = []
    for sentence in split_sentences(script):
        flags += _unsupported(sentence, index, "script", "the segment's sources")
    return flags


def check_segment(text: str, script: str, sources: Mapping[int, str], *, framing: bool = False) -> list[Flag]:
    """All grounding flags of one segment (text, then script)."""
    return [*check_text(text, sources, framing=framing), *check_script(script, sources)]


def flag_rate(flags: Iterable[Flag], sentences: int) -> float:
    """Flags per sentence (the figure reported in the docs)."""
    return sum(1 for _ in flags) / sentences if sentences else 0.0
