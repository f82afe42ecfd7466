"""Grounding checks: does each sentence of a draft rest on the sources it cites? Pure functions, no I/O.

A sentence of a segment's ``text`` is checked against the sources it cites with ``[n]``; the spoken ``script``
carries no markers, so each of its sentences is checked against the segment's text (what the editor reads and
approves): a fact the script adds is ``script_adds``, whether or not some source has it. What is checked:

- numbers, money and percentages, normalised to values so "$2.5 billion", "2.5bn", "2,500 million" and "two
  and a half billion dollars" agree, as do "40%", "40 percent" and "forty percent"; numbers glued to units and
  hyphens ("128,000-token", "5.2x", "80GB") are numbers; spelled numbers of any size and ordinals ("third",
  "15th") are read. Digits inside a name (the 70 of Lumen-70B, the 2 of Helix-2) are part of the name: they
  never support a number, and "Lumen 70B" matches the name "Lumen-70B".
- dates: a month, a day of a month or a weekday must be in the cited text, or be the cited item's own published
  date (its weekday computed); weekdays of full dates in the text count too.
- names: one-word and multi-word proper names (people, companies, places; never joined across a comma) and
  model-style names mixing letters and digits ("Lumen-70B", "GPT-4o"), compared with separators ignored.
- attributions ("according to X", "X reports"): X must be in the cited sources (their outlet or their text).
- quotations of three words or more, compared ignoring case and punctuation.
- the sentence itself: a fragment (it stops on "the", "that the 9.", has no verb) or the source's first person
  in the host's mouth ("our evaluations team") is flagged with severity high.

A claim not in the cited sources but in another source of the segment is ``wrong_source``, with that source's
number in ``Flag.suggest`` ("cite [k] instead"). Every flag carries a severity and, in ``evidence``, the nearest
source sentence (empty when no source says anything like it). A text sentence without a citation is ``uncited``
(framing segments such as the cold open and sign-off may have uncited lines that make no claim); a ``[n]`` with no
such source is ``unknown_citation``.

``fragment``, ``first_person`` and ``verbatim_run`` are public: the writer uses them to retry or cut.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime
from functools import lru_cache

from pipeline.models import CITATION, Flag, cited

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
    return cited(sentence)


def strip_citations(text: str) -> str:
    return re.sub(r"\s*" + CITATION.pattern, "", text)


_QUOTED = re.compile(r"[\"“][^\"“”]{1,600}[\"”]")


def outside_quotes(sentence: str) -> str:
    """The sentence with its quotations blanked out (quoted words are the source's own, by design)."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), sentence)


# -- numbers -----------------------------------------------------------------------------------------------------

SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SUFFIXES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "t": 1e12, "tn": 1e12, **SCALES}
ORDINAL_WORDS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "fortieth": 40, "fiftieth": 50, "hundredth": 100, "thousandth": 1000,
}
_UNIT_SUFFIX = {"x", "gb", "tb", "mb", "kb", "ms", "s", "h", "hz", "khz", "mhz", "ghz", "nm", "mm", "cm", "km",
                "kg", "g", "w", "kw", "mw", "gw", "p", "fps", "px"}
_ORDINAL_SUFFIX = {"st", "nd", "rd", "th"}

_NUMBER = re.compile(
    r"(?P<cur>[$€£])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?P<dec>\.\d+)?(?P<glued>[A-Za-z]+)?"
    r"(?:[\s\-]?(?P<unit>%|percent\b|per\s?cent\b|thousand\b|million\b|billion\b|trillion\b|bn\b|mn\b|tn\b))?"
)
_SPELLED_WORDS = [*SMALL, "hundred", *SCALES]
_WORD_NUMBER = re.compile(
    r"\b(?:" + "|".join(_SPELLED_WORDS) + r")(?:(?:[\s-]+(?:and\s+a\s+half|and|point))?[\s-]+(?:"
    + "|".join(_SPELLED_WORDS) + r"))*\b(?:\s+and\s+a\s+half\b)?",
    re.IGNORECASE,
)
_ORDINAL_WORD = re.compile(r"\b(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-)?(?:"
                           + "|".join(ORDINAL_WORDS) + r"|first)\b", re.IGNORECASE)


def _value(num: str, dec: str | None, unit: str | None) -> float:
    value = float(num.replace(",", "") + (dec or ""))
    scale = SUFFIXES.get((unit or "").lower().replace(" ", ""), 1.0)
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
            if current == 0 and total:
                total += 0.5 * _last_scale(words[:i])
            else:
                current += 0.5
            i += 2
        elif word != "and":
            break
        i += 1
    return total + current if seen else None


def _last_scale(words: list[str]) -> float:
    return next((SCALES[w] for w in reversed(words) if w in SCALES), 1.0)


def ordinal_value(word: str) -> int | None:
    """'third' -> 3, 'twenty-first' -> 21, '15th' -> 15."""
    word = word.lower()
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", word):
        return int(word[:-2])
    tens, _, unit = word.rpartition("-")
    base = 1 if unit == "first" else ORDINAL_WORDS.get(unit)
    if base is None:
        return None
    return base + (SMALL.get(tens, 0) if tens else 0)


@dataclass(frozen=True)
class Claim:
    kind: str  # "number", "date", "entity", "attribution" or "quote"
    span: str
    value: float | None = None
    key: str = ""  # dates: "md:3-9", "m:3" or "wd:0"; numbers: the name it may belong to, squashed ("lumen70");
    # entities: "role" for a lone capitalised role word ("Judge", "Senator"), which the sources must have as a word
    approx: bool = False  # "about 71", "roughly 1.9 trillion": a rounding of the source's figure is support
    percent: bool = False  # "1%": the sources must state it as a percentage (a "1" elsewhere is no support)


def _key(value: float) -> str:
    return f"{value:.6g}"


def _name_digit(text: str, start: int) -> bool:
    """Is the number starting at ``start`` part of a name or version (Lumen-70B, GPT-4o, v1.2, Qwen2.5)?"""
    before = text[max(0, start - 2) : start]
    if before[-1:].isalnum() or before[-1:] == "_":
        return True
    if before[-1:] in "-./" and before[:1].isalpha():
        return True
    return before[-1:] == "." and before[:1].isdigit()


def _numbers(text: str) -> list[tuple[re.Match[str], float, bool]]:
    """(match, value, ordinal) for every number in ``text`` that is not part of a name, version or date."""
    found: list[tuple[re.Match[str], float, bool]] = []
    for match in _NUMBER.finditer(text):
        start = match.start("cur") if match["cur"] else match.start("num")
        if _name_digit(text, match.start("num")) or (start != match.start("num") and _name_digit(text, start)):
            continue
        after = text[match.end() : match.end() + 2]
        if after[:1] == "." and after[1:2].isdigit():
            continue  # 0.9.1: a version
        glued = (match["glued"] or "").lower()
        unit = match["unit"]
        if glued and glued in SUFFIXES and not unit:
            unit = glued
        elif glued in _ORDINAL_SUFFIX:
            found.append((match, float(match["num"].replace(",", "")), True))
            continue  # "15th": an ordinal
        elif glued and glued not in _UNIT_SUFFIX:
            continue  # 4o, 3D: a name
        found.append((match, _value(match["num"], match["dec"], unit), False))
    return found


def _is_percent(match: re.Match[str]) -> bool:
    return (match["unit"] or "").lower().replace(" ", "") in ("%", "percent")  # "per cent" too


def _previous_word(text: str, start: int) -> str:
    words = re.findall(r"[\w’'.\-]+", text[:start])
    return words[-1] if words else ""


def number_claims(sentence: str) -> list[Claim]:
    """Numbers a sentence asserts (digits glued to names are not numbers; dates are read as dates)."""
    bare = strip_citations(plain(sentence))
    text = _blank(bare, _date_spans(bare))
    claims: list[Claim] = []
    for match, value, ordinal in _numbers(text):
        digits = match["num"].replace(",", "") + (match["dec"] or "")
        context = squash(_previous_word(text, match.start()) + digits + (match["glued"] or ""))
        span = match.group(0).strip()
        claims.append(Claim("number", span, value, key="ordinal" if ordinal else context,
                            approx=bool(_APPROX.search(text[: match.start()])), percent=_is_percent(match)))
    for match in _WORD_NUMBER.finditer(text):
        phrase = match.group(0).strip(" -")
        if re.search(r"\d\s*$", text[: match.start()]):
            continue  # "2.5 billion": read with its digits above
        if not re.search(r"\b(?:" + "|".join(SMALL) + r")\b", phrase, re.IGNORECASE):
            continue  # a bare scale word
        worded = words_to_number(phrase)
        if worded is None:
            continue
        value = worded
        following = text[match.end() :].lstrip()[:8].lower()
        scaled = any(w in phrase.lower() for w in (*SCALES, "hundred", "point", "half"))
        # "one of them", "a new one": only 'one' and 'zero' go unchecked unless scaled or a percentage.
        if value < 2 and not scaled and not following.startswith(("percent", "per cent")):
            continue
        if re.match(r"\s*-?\s*(?:thirds?|quarters?|halves)\b", text[match.end() :], re.IGNORECASE):
            continue  # two-thirds: a fraction
        claims.append(Claim("number", phrase, value))
    for match in _ORDINAL_WORD.finditer(text):
        word = match.group(0).lower()
        if word == "first":
            continue  # 'first' is everywhere in speech ("First, ...", "the first time")
        if word == "second" and not re.search(r"\b(?:the|its|their|his|her|a)\s*$", text[: match.start()], re.I):
            continue  # "a second" / "per second"
        if word == "second" and re.search(r"\ba\s*$", text[: match.start()], re.I):
            continue  # "a second model" = another one
        place = ordinal_value(word)
        if place is not None:
            claims.append(Claim("number", match.group(0), float(place), key="ordinal"))
    return claims


_APPROX = re.compile(r"\b(?:about|around|roughly|nearly|almost|some|approximately|close to|more than|over|under|"
                     r"upwards of|just over|just under|a little over|a little under)\s*[$€£]?\s*$", re.IGNORECASE)
ROUNDING = 0.06  # "about 41%" for 41.3%, "roughly 1.9 trillion" for 1.94 trillion


def source_numbers(text: str) -> set[str]:
    """Every value a source states, each with and without its scale; never the digits of a name."""
    values: set[str] = set()
    blanked = _blank(text, _date_spans(text))
    for match, value, ordinal in _numbers(blanked):
        if ordinal:
            continue
        values.add(_key(float(match["num"].replace(",", "") + (match["dec"] or ""))))
        values.add(_key(value))
        if _is_percent(match):
            values.add("%" + _key(value))
    for match in _WORD_NUMBER.finditer(blanked):
        worded = words_to_number(match.group(0))
        if worded is not None:
            values.add(_key(worded))
    for found in _dates(text):
        values.update(_key(float(part)) for part in found.numbers)
    return values


def source_ordinals(text: str) -> set[str]:
    """Every ordinal a source states ("third", "3rd"): they support ordinals only, never "three"."""
    blanked = _blank(text, _date_spans(text))
    values = {_key(value) for _match, value, ordinal in _numbers(blanked) if ordinal}
    for match in _ORDINAL_WORD.finditer(blanked):
        value = ordinal_value(match.group(0))
        if value is not None:
            values.add(_key(value))
    return values


# -- dates -------------------------------------------------------------------------------------------------------

MONTHS = {name: i for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], 1)}
_MONTH_SHORT = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
                "nov": 11, "dec": 12}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December" \
            r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DATE = re.compile(
    r"\b(?P<m1>" + _MONTH_RE + r")\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>\d{4})\b)?"
    r"|\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>" + _MONTH_RE + r")(?:,?\s+(?P<y2>\d{4})\b)?"
    r"|\b(?P<iso>(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))\b"
    r"|\b(?P<m4>January|February|March|April|June|July|August|September|October|November|December)"
    r"(?:\s+(?P<y4>\d{4}))?\b"
    r"|\b(?P<m5>May)\b"
    r"|\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!s)"
)


@dataclass(frozen=True)
class _Found:
    span: tuple[int, int]
    text: str
    key: str  # "md:M-D", "m:M" or "wd:W"
    numbers: tuple[int, ...] = ()  # the day and year, which a source states as numbers too
    full: tuple[int, int, int] | None = None  # (year, month, day) when the year is given


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    return MONTHS.get(name) or _MONTH_SHORT[name]


def _dates(text: str) -> list[_Found]:
    found: list[_Found] = []
    for match in _DATE.finditer(text):
        span, whole = match.span(), match.group(0)
        if match["wd"]:
            found.append(_Found(span, whole, f"wd:{WEEKDAYS.index(match['wd'].lower())}"))
            continue
        if match["m5"] and not re.search(r"\b(?:in|by|since|until|from|early|late|mid|of|last|next|this)\s+$",
                                         text[: match.start()], re.IGNORECASE):
            continue  # "may" the verb
        if match["m5"] or match["m4"]:
            month = _month(match["m5"] or match["m4"])
            year = match["y4"]
            found.append(_Found(span, whole, f"m:{month}", (int(year),) if year else ()))
            continue
        if match["iso"]:
            year, month, day = int(match["y3"]), int(match["m3"]), int(match["d3"])
        else:
            month = _month(match["m1"] or match["m2"])
            day = int(match["d1"] or match["d2"])
            year = int(match["y1"] or match["y2"] or 0)
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            continue
        found.append(_Found(span, whole, f"md:{month}-{day}", (day, year) if year else (day,),
                            (year, month, day) if year else None))
    return found


def weekday_mismatches(sentence: str, years: Iterable[int]) -> list[tuple[str, str, str]]:
    """A weekday said beside a date that falls on another day ("from March 16 on Wednesday": March 16, 2026 is a
    Monday): (weekday as written, date as written, its real weekday), for the date's own year or, without one,
    every year the sources were published in."""
    text = outside_quotes(strip_citations(plain(sentence)))
    found = _dates(text)
    wrong: list[tuple[str, str, str]] = []
    for weekday in (f for f in found if f.key.startswith("wd:")):
        near = [f for f in found if f.key.startswith("md:")
                and (0 <= weekday.span[0] - f.span[1] <= 6 or 0 <= f.span[0] - weekday.span[1] <= 6)]
        for date in near:
            month, day = map(int, date.key[3:].split("-"))
            real = set()
            for year in ({date.full[0]} if date.full else set(years)):
                try:
                    real.add(Date(year, month, day).weekday())
                except ValueError:
                    continue
            said = int(weekday.key[3:])
            if real and said not in real:
                wrong.append((weekday.text, date.text, WEEKDAYS[min(real)].capitalize()))
    return wrong


def _weekday_flags(sentence: str, field: str, years: Iterable[int]) -> list[Flag]:
    return [make_flag("unsupported_date", field, sentence, said,
                      f"{date} falls on a {real}, not a {said}", severity="high")
            for said, date, real in weekday_mismatches(sentence, years)]


def _date_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` (as given: offsets are into it) states dates."""
    return [f.span for f in _dates(text)]


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def date_claims(sentence: str) -> list[Claim]:
    """Months, days of a month and weekdays a sentence states (outside quotations)."""
    return [Claim("date", f.text, key=f.key) for f in _dates(outside_quotes(strip_citations(plain(sentence))))]


def date_keys(text: str, published: Iterable[Date | datetime] = ()) -> set[str]:
    """The dates a source supports: what it states (and the weekdays of its full dates), and its own date."""
    keys: set[str] = set()
    published = [p.date() if isinstance(p, datetime) else p for p in published]
    years = {p.year for p in published}
    for found in _dates(text):
        keys.add(found.key)
        if found.key.startswith("md:"):
            month, day = map(int, found.key[3:].split("-"))
            keys.add(f"m:{month}")
            for year in ({found.full[0]} if found.full else years):
                try:
                    keys.add(f"wd:{Date(year, month, day).weekday()}")
                except ValueError:
                    pass
    for when in published:
        keys |= {f"md:{when.month}-{when.day}", f"m:{when.month}", f"wd:{when.weekday()}"}
    return keys


# -- names, attributions and quotes --------------------------------------------------------------------------------

_MODEL_NAME = re.compile(r"(?<![\w\-])[A-Za-z][A-Za-z]*[-_.]?\d(?:[\w.\-]*\w)?(?![\w\-])")
_VERSION = re.compile(r"(?<![\w.\-])\d+(?:\.\d+){2,}(?![\w\-])")
_CONNECTORS = {"of", "for", "the", "de", "on", "&", "van", "von", "der", "da", "del", "la", "le"}
_LEADING = {
    "the", "a", "an", "in", "on", "at", "but", "and", "today", "this", "that", "it", "its", "meanwhile",
    "however", "also", "then", "so", "yet", "still", "after", "before", "while", "as", "by", "for", "with",
    "from", "to", "over", "under", "here", "there", "now", "finally", "first", "next", "plus", "according",
    "welcome", "thanks", "good", "hello", "i'm", "im", "we", "our", "what", "why", "how", "who", "when", "where",
    "which", "if", "once", "since", "until", "although", "though", "because", "both", "each", "every", "all",
    "some", "many", "most", "more", "other", "another", "such", "these", "those", "they", "he", "she", "his", "her",
    "their", "one", "two", "three", "four", "five", "no", "not", "only", "even", "just", "later", "earlier",
    "separately", "elsewhere", "overall", "together", "instead", "similarly", "likewise", "additionally",
    "moreover", "furthermore", "despite", "among", "across", "against", "beyond", "within", "without", "during",
    "about", "around", "into", "onto", "upon", "than", "you", "your", "my", "me", "us", "let's", "lets", "stay",
    "see", "join", "that's", "it's", "there's", "here's", "what's", "today's", "tomorrow", "yesterday", "last",
    "second", "third", "new", "big", "major", "key", "top", "quick", "early", "late", "recently", "currently",
    "critics", "analysts", "researchers", "developers", "users", "investors", "experts", "officials", "lawmakers",
    "regulators", "companies", "customers", "engineers", "employees", "scientists", "authors", "supporters",
    "opponents", "observers", "sources", "reports", "others", "several", "few", "chief", "executive", "former",
    "following", "amid", "notably", "importantly", "ultimately", "indeed",
}
_ROLES = {
    "judge", "justice", "chief", "executive", "senator", "sen", "rep", "representative", "president", "ceo", "cto",
    "cfo", "founder", "cofounder", "co-founder", "minister", "secretary", "director", "commissioner", "professor",
    "prof", "dr", "mr", "ms", "mrs", "district", "court", "federal", "u.s.", "us", "u.s", "uk", "eu", "state", "chair",
    "chairman", "chairwoman", "head", "vice", "general", "attorney", "governor", "gov", "mayor", "officer",
    "spokesperson", "spokesman", "spokeswoman", "lead", "senior", "deputy", "former", "acting", "ai", "api", "inc",
    "corp", "ltd", "co", "labs", "lab", "research",
}
_ACRONYMS = {"AI", "API", "APIs", "CEO", "CTO", "CFO", "GPU", "GPUs", "CPU", "LLM", "LLMs", "US", "U.S.", "UK", "U.K.",
             "EU", "UN", "IPO", "AGI", "ML", "OK", "TV", "PC", "PhD", "HTTP", "JSON", "SDK", "FAQ", "Q&A", "I"}
_PRONOUNS = {"i", "i'm", "i’m", "i'll", "i’ll", "we're", "we’re", "i've", "i’ve"}
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[\w’'&][\w’'&.\-]*[\w’'&]|[\w&]|[,;:()\[\]—–\"“”.!?]|\s-\s")
_ATTRIBUTION = re.compile(
    r"\b[Aa]ccording to (?:the |a |an )?(?P<a>[A-Z][\w’'&.\-]*(?:\s+(?:of\s+|the\s+|&\s+)?[A-Z][\w’'&.\-]*){0,4})"
    r"|\b(?:[Rr]eported by|[Tt]old|[Pp]er) (?:the )?(?P<b>[A-Z][\w’'&.\-]*(?:\s+[A-Z][\w’'&.\-]*){0,4})"
    r"|(?P<c>\b[A-Z][\w’'&.\-]*(?:\s+[A-Z][\w’'&.\-]*){0,4})\s+(?:reports|reported|writes|wrote|says|said|notes|noted"
    r"|announced|told|confirmed)\b"
)
_QUOTE = re.compile(r"[“\"]([^”\"]{10,400})[”\"]")
_COMMON_START = _LEADING | {"is", "are", "was", "were", "has", "have", "had", "will", "can", "could", "would",
                            "should", "may", "might", "must", "do", "does", "did"}


def squash(text: str) -> str:
    """Lower case without spaces and separators: 'Lumen 70B' == 'lumen-70b'."""
    return re.sub(r"[\s\-_.’'`]", "", text.lower())


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower().replace("’", "'"))


def _word(word: str) -> str:
    """A word as compared: lower case, no possessive, no dots ('U.S.' = 'us')."""
    word = word.lower().replace("’", "'")
    word = word.removesuffix("'s").removesuffix("'")
    return word.replace(".", "")


def _capitalized(word: str) -> bool:
    return bool(word) and word[0].isupper()


_CONTRACTED = re.compile(r"(?<=\w)(?:n't|'d|'ll|'re|'ve|'m)$")
_IRREGULAR_NOT = {"won't": "will", "can't": "can", "shan't": "shall", "ain't": "is"}


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from english_words import get_english_words_set  # about 114,000 words (GCIDE), loaded once

    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))


def common_word(word: str) -> bool:
    """Is this an ordinary English word (or its plural)? Decides whether a sentence's capitalised first word is a
    name to check ("Critics said ..." is not; "Vantorix said ..." is). A contraction is its first word ("They're",
    "Doesn't", "It'd" open a sentence of the script as "They", "Does", "It" would)."""
    w = word.lower().replace("’", "'").removesuffix("'s")
    w = _IRREGULAR_NOT.get(w) or _CONTRACTED.sub("", w)
    if w in _COMMON_START:
        return True
    words = _dictionary()
    return (w in words or (w.endswith("s") and w[:-1] in words) or (w.endswith("es") and w[:-2] in words)
            or (w.endswith("ies") and w[:-3] + "y" in words))


_BREAKS = {":", ";", "—", "–", '"', "“", "”", "(", " - "}


def entity_claims(sentence: str) -> list[Claim]:
    """Proper names: one word or several (never across punctuation), and letter-digit model names."""
    text = outside_quotes(strip_citations(plain(sentence)))
    claims = [Claim("entity", m.group(0)) for m in _MODEL_NAME.finditer(text) if not re.match(r"^[vV]\d", m.group(0))]
    claims += [Claim("entity", m.group(0)) for m in _VERSION.finditer(text)]
    # "arXiv cs.LG", "r/LocalLLaMA": a name inside a dotted or slashed word
    claims += [Claim("entity", m.group(0)) for m in re.finditer(r"(?<![\w.])[a-z]+[./][A-Z]\w*(?!\w|[./]\w)", text)]
    group: list[str] = []
    state = {"opens": False, "fresh": True}  # does the group open the sentence (or a clause after a colon)?

    def close() -> None:
        opens = state["opens"]
        while group and group[-1].lower() in _CONNECTORS:
            group.pop()
        # A leading word ("The", "Every") opens a name or a sentence; alone mid-sentence it is one ("enters Every")
        while group and ((group[0].lower().strip("’'") in _LEADING and (opens or len(group) > 1))
                         or group[0].lower() in MONTHS
                         or group[0].lower() in WEEKDAYS
                         or (opens and (len(group) == 1 or group[1].lower() in _CONNECTORS) and common_word(group[0]))):
            group.pop(0)
            opens = False
        names = [w for w in group if w.lower() not in _CONNECTORS]
        if len(names) >= 2:
            claims.append(Claim("entity", " ".join(group)))
        elif len(names) == 1:
            word = names[0]
            if word in _ACRONYMS or len(word) < 2:
                pass
            elif _word(word) in _ROLES and not word.isupper():
                if not opens and len(word) >= 4:  # "Judge" mid-sentence is a title: "... 10^26 Judge" adds one
                    claims.append(Claim("entity", word, key="role"))
            else:
                claims.append(Claim("entity", word))
        group.clear()

    for token in _TOKEN.findall(text):
        if not token[:1].isalnum() and token != "&":
            close()  # punctuation ends a name: "Cobalt Systems, U.S. District Judge Elaine Marsh" is two
            state["fresh"] = state["fresh"] or token.strip() in _BREAKS or token in ".!?"
            continue
        clean = token if re.fullmatch(r"(?:[A-Z]\.){2,}", token) else token.rstrip(".’'")
        if (any(ch.isdigit() for ch in clean) or clean.lower() in MONTHS or clean.lower() in WEEKDAYS
                or clean.lower() in _PRONOUNS):
            close()  # model names are checked on their own; dates are dates
        elif _capitalized(clean):
            if not group:
                state["opens"] = state["fresh"]
            group.append(clean)
        elif group and token.lower() in _CONNECTORS and _capitalized(group[-1]):
            group.append(token)
        else:
            close()
        state["fresh"] = False
    close()
    return claims


def attribution_claims(sentence: str) -> list[Claim]:
    """Who a sentence says the news comes from ("according to X", "X reports"): X must be a cited source."""
    text = outside_quotes(strip_citations(plain(sentence)))
    claims = []
    for match in _ATTRIBUTION.finditer(text):
        name = (match["a"] or match["b"] or match["c"] or "").strip()
        words = name.split()
        while words and (words[0].lower() in _LEADING or words[0] in _ACRONYMS):
            words.pop(0)
        if words and not all(w.lower() in _ROLES for w in words):
            claims.append(Claim("attribution", " ".join(words)))
    return claims


_SPEECH = (r"(?:said|says|say|told|tells|wrote|writes|write|announced|announces|argued|argues|stated|states|"
           r"reported|reports|posted|posts|added|adds|noted|notes|confirmed|confirms|explained|explains|warned|warns|"
           r"claimed|claims|estimated|estimates|found|finds|showed|shows|published|publishes|according to|"
           r"in a (?:post|statement|letter|blog post|filing|report))")


def said_by(sentence: str) -> list[str]:
    """The names a sentence says its news comes from in so many words ("according to X", "reported by X", "per
    X"), without a trailing dot; "X says" is left out (the company a story is about says things in every report),
    and so is "according to X's report" (a document of X's, which a source may describe without X saying a word)."""
    text = outside_quotes(strip_citations(plain(sentence)))
    return [claim.span.rstrip(".") for match in _ATTRIBUTION.finditer(text) if match["a"] or match["b"]
            for claim in attribution_claims(match.group(0)) if not re.search(r"['’]s\b", claim.span)]


_TITLES = re.compile(r"\b(Sen|Rep|Dr|Mr|Mrs|Ms|Gov|Prof|St|Jr|Sr|Inc|Corp|Ltd|Co|Gen|Lt|Col)\.")


def speaks_in(name: str, text: str) -> bool:
    """Whether ``name`` is who says something in a source (its outlet line, or next to a verb of saying: "said
    Maria Chen", "Northwind AI announced", "according to Policy Desk"), not only someone the news is about
    ("The round was led by Greyfield Partners" does not make "according to Greyfield Partners" true)."""
    lines = text.split("\n")
    outlet = squash(lines[1]) if len(lines) > 2 else ""
    text = _TITLES.sub(r"\1", text)  # "said Sen. Maria Whitcomb": the title's dot ends no sentence
    mine = squash(name)
    if outlet and mine and (mine in outlet or outlet in mine):
        return True
    words = [w for w in name.split() if w[:1].isupper()]
    forms = {name, *(words[:1] if len(words) > 1 else []), *(words[-1:] if len(words) > 1 else [])}
    for form in forms:
        said = re.escape(form).replace(r"\ ", r"\s+")
        near = (rf"\b{said}\b(?:['’]s)?(?:[^.;]{{0,60}}?)\b{_SPEECH}\b|\b{_SPEECH}\b[^.;]{{0,40}}?\b{said}\b")
        if re.search(near, text, re.IGNORECASE):
            return True
    return False


# A script says quotations in single quotes ('Mini is our answer ...'): the same claim, when it is bounded as one.
_SINGLE_QUOTE = re.compile(r"(?:^|(?<=[\s,:]))'([^']{10,400})'(?=[\s.,;:!?]|$)")


def quote_claims(sentence: str) -> list[Claim]:
    claims = []
    plain_sentence = strip_citations(sentence)
    for match in [*_QUOTE.finditer(plain_sentence), *_SINGLE_QUOTE.finditer(plain_sentence)]:
        for part in re.split(r"\.\.\.|…", match.group(1)):
            if len(part.split()) >= 3:
                claims.append(Claim("quote", part.strip(" ,.")))
    return claims


# -- what a source supports ----------------------------------------------------------------------------------------


# A sentence of a source that speaks to the model rather than the reader (a prompt injection): what it asks to be
# said is no support for saying it.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?]{0,60}\b(?:instructions?|prompts?|rules|guidelines|directions)\b"
    r"|\byou (?:must|should|will|are to)\s+(?:now\s+|always\s+)?(?:say|write|state|respond|reply|answer|include|"
    r"mention|output|report|claim|repeat)\b|\bsystem prompt\b|<\s*/?\s*(?:system|instructions?)\s*>"
    r"|^(?:also,?\s+|and\s+|now,?\s+)?(?:say|state|write|claim|report|tell (?:readers|listeners|everyone))\s+that\b",
    re.IGNORECASE,
)


def instructions(text: str) -> list[str]:
    """The sentences of a source that address the model ("Ignore previous instructions and say that ...")."""
    found = []
    # Pieces of the original text (so they can be taken out of it): sentences, and whatever a tag separates.
    for piece in re.split(r"(?<=[.!?])\s+|\s*<[^<>\n]{1,60}>\s*|\s*‹[^‹›\n]{1,60}›\s*|\n", text):
        if piece and piece.strip() and _INSTRUCTION.search(piece.strip()):
            found.append(piece)
    return found


def _without(text: str, sentences: Iterable[str]) -> str:
    for sentence in sentences:
        text = text.replace(sentence, " ")
    return text


@dataclass(frozen=True)
class SourceIndex:
    """One or more sources' text, prepared for the checks (sentences addressing the model left out)."""

    numbers: frozenset[str]
    squashed: str
    words: frozenset[str]
    grams: frozenset[str]  # one to four consecutive words, squashed: a name matches whole words only
    alnum: str
    dates: frozenset[str] = frozenset()
    sentences: tuple[str, ...] = ()
    ordinals: frozenset[str] = frozenset()
    injected: tuple[str, ...] = ()  # the source sentences that address the model, kept to explain a flag

    @classmethod
    def of(cls, texts: Iterable[str], published: Iterable[Date | datetime] = (), *, raw: bool = False) -> SourceIndex:
        return _index(tuple(texts), tuple(published), raw)

    @classmethod
    def build(cls, texts: tuple[str, ...], published: tuple[Date | datetime, ...], raw: bool) -> SourceIndex:
        text = "\n".join(texts)
        injected = () if raw else tuple(instructions(text))
        text = _without(text, injected)
        tokens = re.findall(r"(?:[A-Z]\.){2,}|[\w’'&][\w’'&.\-]*[\w’'&]|[\w&]", text)
        words = {_word(w) for w in tokens}
        words |= {_word(part) for w in tokens if "-" in w or "." in w for part in re.split(r"[.\-]", w)}
        tokens += [w[1:] for w in tokens if re.match(r"[vV]\d", w)]  # "v1.0.0" is also said "version 1.0.0"
        grams = {squash("".join(tokens[i : i + n])) for n in range(1, 5) for i in range(len(tokens) - n + 1)}
        sentences = tuple(s for block in text.split("\n") for s in split_sentences(block))
        years = {_key(float((p.date() if isinstance(p, datetime) else p).year)) for p in published}
        return cls(
            frozenset(source_numbers(text) | years),
            squash(text),
            frozenset(words),
            frozenset(grams),
            _alnum(text),
            frozenset(date_keys(text, published)),
            sentences,
            frozenset(source_ordinals(text)),
            injected,
        )

    def names_number(self, key: str) -> bool:
        """Is ``key`` (a word and the number after it, squashed: 'lumen70') the start of a name here (Lumen-70B)?"""
        if not re.fullmatch(r"[a-z]+\d[\w]*", key):
            return False
        return re.search(re.escape(key) + r"(?!\d)", self.squashed) is not None

    def has_word(self, word: str) -> bool:
        word = _word(word)
        if word in self.words:
            return True
        # Europe / European, Northwind / Northwind's: a shared stem of five letters or more
        stem = word[: max(5, len(word) - 2)]
        return len(word) >= 5 and any(w.startswith(stem) for w in self.words)


@lru_cache(maxsize=4096)
def _index(texts: tuple[str, ...], published: tuple[Date | datetime, ...], raw: bool) -> SourceIndex:
    """Indexes are immutable: a segment's sources are indexed once however many sentences cite them."""
    return SourceIndex.build(texts, published, raw)


def rounds_to(value: float, said: float) -> bool:
    """Whether "about ``said``" is ``value`` rounded at said's own last digit (78.9 -> "about 79", 1.94 -> "roughly
    1.9", 1,040 -> "about 1,000"), and within ROUNDING of it: "about 86" is not support for 78.9 because the text
    has an 85.6 somewhere else."""
    if abs(value - said) > ROUNDING * abs(value):
        return False
    text = f"{said:.6f}".rstrip("0").rstrip(".")
    if "." in text:
        unit = 10.0 ** -len(text.split(".")[1])
    else:
        unit = 10.0 ** (len(text) - len(text.rstrip("0"))) if text.strip("0-") else 1.0
    return abs(value - said) <= unit / 2 + 1e-9


def supported(claim: Claim, index: SourceIndex) -> bool:
    """Is the claim found in the sources (after normalisation)?"""
    if claim.kind == "number":
        assert claim.value is not None
        if claim.key == "ordinal":
            return _key(claim.value) in index.ordinals
        if claim.percent:  # "1%" is not supported by the 1 of "Figure 1"
            shares = [float(v[1:]) for v in index.numbers if v.startswith("%")]
            return claim.value in shares or (claim.approx and any(rounds_to(v, claim.value) for v in shares))
        if _key(claim.value) in index.numbers or index.names_number(claim.key):
            return True
        return claim.approx and any(rounds_to(float(v), claim.value) for v in index.numbers
                                    if not v.startswith("%"))
    if claim.kind == "date":
        return claim.key in index.dates
    if claim.kind == "quote":
        return _alnum(claim.span) in index.alnum
    squashed = squash(claim.span)
    if squashed in index.grams:
        return True
    if claim.key == "role":
        return index.has_word(claim.span)
    if claim.kind == "entity" and (_MODEL_NAME.fullmatch(claim.span) or _VERSION.fullmatch(claim.span)):
        return False  # a model name matches as a whole ("Lumen-7B" is not "Lumen-70B")
    names = [w for w in claim.span.split() if w.lower() not in _CONNECTORS and _word(w) not in _ROLES]
    return all(index.has_word(w) for w in names) if names else True


# -- the sentence itself: fragments, first person, copying ----------------------------------------------------------

DANGLING = re.compile(
    r"(?:\b(?:a|an|the|of|to|and|or|but|nor|by|for|with|from|that|which|whose|as|at|into|onto|than|its|their|his|"
    r"her|our|your|including|such|between|via|per|because|if|whether)|[,;:(–—]|\s-)\s*[\"”’]?\s*$"
    r"|\b(?:the|a|an|its|their|his|her|our|your|this|these|those)\s+\d[\d,.]*%?\s*$",  # "that the 9.", "a 35%."
    re.IGNORECASE,
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|has|have|had|having|do|does|did|will|would|can|could|may|might|"
    r"must|shall|should|'s|’s|'re|’re|'ve|’ve|'ll|’ll|'d|’d|cut|put|set|let|hit|won|led|made|said|told|took|"
    r"gave|got|went|came|saw|ran|sold|bought|built|began|became|brought|kept|left|lost|met|paid|read|rose|fell|"
    r"grew|drew|chose|held|found|shut|spent|sent|wrote|spoke|broke|stood|meant|felt|thought|won|beat|bet|"
    r"cost|quit|split|spread|shed|struck|sought|taught|fought|caught|bought|leads|lead|says|sees|see|get|make|"
    r"take|give|go|come|run|show|need|want|plan|hope|aim|expect|keep|remain|seem|stay|face|offer|ship|launch|"
    r"release|raise|add|open|close|warn|claim|argue|allow|let|help|join|move|hold|win|lose|pay|use|say|tell|"
    r"mean|vote|rule|sue|urge|push|ask|call|drop|buy|sell|cut|beat|top|trail|lag|match|double|triple|halve)\b"
    r"|\b\w{2,}(?:ed|es|ing)\b|\b[a-z]\w+s\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:we're|we’re|we've|we’ve|we'll|we’ll|we'd|we|ourselves|ours|our|us|I'm|I’m|"
                           r"I've|I’ve|I'll|I’ll|I'd|I|my|mine|me)\b", re.IGNORECASE)


# A feed's summary cut mid-word and copied so: "... tested six agents on 1,200 real t." (the headline-only fixture)
CUT_WORD = re.compile(r"(?<![\w'’.\-/])[b-hj-z]$")  # not a unit's: "42 tokens/s"
# ... or cut after two letters: "An implementation of SqueezeKV is also av." (the sample day). Two-letter words a
# sentence may end on, lower case, are few.
_CUT_PAIR = re.compile(r"(?<![\w'’.\-/])(?<!\d )([a-z]{2})$")
_ENDS_IN_TWO = frozenset({"it", "in", "on", "up", "is", "be", "to", "no", "us", "me", "we", "he", "go", "do", "so",
                          "am", "as", "at", "by", "of", "or", "an", "ok", "id", "ai", "hi", "my", "ox", "tv", "pr",
                          "ml", "vs", "uk", "eu", "ux", "ui", "qa", "hr"})


def cut_off(core: str) -> bool:
    """Whether a sentence (its end stop removed) ends on a word cut short ("1,200 real t", "is also av")."""
    two = _CUT_PAIR.search(core)
    return bool(CUT_WORD.search(core) or (two and two.group(1) not in _ENDS_IN_TWO))


# A line that only says where something came from: "According to Policy Desk." (measured on the sample day)
ONLY_ATTRIBUTION = re.compile(r"(?:according to|as reported by|reported by|per|via|source:?|sources:?)\s+[^,;:]{1,60}",
                              re.IGNORECASE)


def fragment(sentence: str, known: str = "") -> str:
    """Why a sentence is not a complete one ('' when it is): it stops on a word that needs more ("that the 9."),
    is cut off, has no verb, or opens mid-sentence. ``known``: lines (the show's segment titles) that may stand
    alone after a transition ("Now, research picks.")."""
    body = strip_citations(plain(sentence)).strip()
    core = re.sub(r"[.!?…\"”’)\]]+$", "", body).strip()
    if not core:
        return "empty"
    bare = re.sub(r"^(?:now|next|first|finally|and|plus|also|then|up next)\s*,?\s*", "", core, flags=re.IGNORECASE)
    if bare and bare.lower() in {line.strip().lower().rstrip(".") for line in known.splitlines() if line.strip()}:
        return ""
    if re.search(r"\[\.\.\.\]|\.\.\.\s*$|…\s*$", body):
        return "it is cut off with an ellipsis"
    if ONLY_ATTRIBUTION.fullmatch(core):
        return "it is only an attribution"
    if cut_off(core):
        return f"a word is cut off ('{core.split()[-1]}')"
    if DANGLING.search(core):
        return f"it stops at '{core.split()[-1]}'"
    if re.match(r"(?:and|but|or|which|that|who|whose|while|because|although)\b", core):
        return f"it opens mid-sentence ('{core.split()[0]}')"
    words = re.findall(r"[\w’']+", outside_quotes(core))
    if len(words) >= 3 and not _VERBISH.search(outside_quotes(core)):
        return "it has no verb"
    if body.count("(") != body.count(")") or (body.count('"') % 2 and "“" not in body):
        return "a parenthesis or quotation is left open"
    return ""


def first_person(sentence: str, known: str = "") -> str:
    """The first-person phrase a sentence uses outside quotation marks ('' when none): the host never speaks as a
    source ("our evaluations team", "we are excited"). "US" (the country), "I" in a name ("Phase I") and the host
    saying who they are ("I'm <host>", ``known`` holding the host's name) are not first person."""
    text = outside_quotes(strip_citations(plain(sentence)))
    names = [line.strip() for line in known.splitlines() if line.strip()]
    for match in _FIRST_PERSON.finditer(text):
        word = match.group(0)
        if word == "US" or (word == "I" and re.search(r"[A-Z][a-z]+ $", text[: match.start()])):
            continue
        rest = text[match.end() :].lstrip()
        if word.lower() in ("i'm", "i’m") and any(rest.startswith(name) for name in names):
            continue
        following = re.match(r"[\w’'-]+(?:\s+[\w’'-]+)?", rest)
        return f"{word} {following.group(0)}" if following else word
    return ""


def _tokens(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.-]*[A-Za-z0-9]|[A-Za-z0-9]",
                                                           strip_citations(plain(text)))]


def verbatim_run(sentence: str, sources: Iterable[str]) -> str:
    """The longest run of words the sentence shares with any source, outside quotation marks ('' when none)."""
    words = _tokens(outside_quotes(sentence))
    best: list[str] = []
    for source in sources:
        tokens = _tokens(source)
        positions: dict[str, list[int]] = {}
        for k, token in enumerate(tokens):
            positions.setdefault(token, []).append(k)
        for i in range(len(words)):
            for start in positions.get(words[i], ()):

                length = 0
                while (i + length < len(words) and start + length < len(tokens)
                       and words[i + length] == tokens[start + length]):
                    length += 1
                if length > len(best):
                    best = words[i : i + length]
    return " ".join(best)


# -- near-copies that say otherwise: a negation added or dropped, two names or two values swapped -------------------

_NEGATION = re.compile(r"\b(?:not|never|no|none|neither|nor|without|cannot|no longer)\b|n[’']t\b", re.IGNORECASE)
NEAR_COPY = 0.75  # word-sequence ratio above which two sentences are one sentence, reworded at most lightly


def _sequence(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", strip_citations(plain(text)).lower().replace("’", "'"))


def _order(sentence: str) -> tuple[list[str], list[str]]:
    """The names and the values of a sentence, in the order it says them."""
    names = [squash(c.span) for c in entity_claims(sentence)]
    values = [_key(c.value) for c in number_claims(sentence) if c.value is not None]
    return names, values


def contradiction(sentence: str, other: str) -> str:
    """How ``sentence`` says the opposite of ``other``, a near-copy of it ('' when it does not): a negation added or
    dropped, or the same names or values in another order ("Marsh sued Cobalt" for "Cobalt sued Marsh")."""
    a, b = _sequence(sentence), _sequence(other)
    if not a or not b:
        return ""
    if sorted(a) != sorted(b) and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() < NEAR_COPY:
        return ""  # neither the same words reordered nor a light rewording
    if len(_NEGATION.findall(plain(sentence))) != len(_NEGATION.findall(plain(other))):
        return "a negation is added or dropped"
    for mine, theirs, what in (*zip(_order(sentence), _order(other), ("names", "numbers"), strict=True),):
        if len(mine) >= 2 and sorted(mine) == sorted(theirs) and mine != theirs:
            return f"the same {what} in another order" + (
                " (who did what to whom)" if what == "names" else " (which figure is which)"
            )
    return ""


_FLIP_WORDS = 3  # the words after a "not" that a source must say, un-negated, for the "not" to be the writer's own
_FLIP_SKIP = {"only", "just", "yet", "all", "always", "quite", "least", "necessarily", "longer"}  # "not only": no flip


def _negated(token: str) -> bool:
    return token in ("not", "never") or token.endswith("n't")


def negation_flip(sentence: str, candidates: Iterable[str]) -> str:
    """The source sentence that says, without a negation, what ``sentence`` says with one ("training on lawfully
    purchased books was likely fair use" for "... was not likely fair use", measured on the sample day), '' when
    none does or when some source says it negated too. The phrase compared is the three words after the "not"."""
    words = _tokens(outside_quotes(sentence))
    phrases = {tuple(words[i + 1 : i + 1 + _FLIP_WORDS]) for i, w in enumerate(words)
               if _negated(w) and i + _FLIP_WORDS < len(words) and words[i + 1] not in _FLIP_SKIP}
    if not phrases:
        return ""
    plain_hit = ""
    for candidate in candidates:
        theirs = _tokens(candidate)
        for i in range(len(theirs) - _FLIP_WORDS + 1):
            if tuple(theirs[i : i + _FLIP_WORDS]) in phrases:
                if any(_negated(w) or w == "no" for w in theirs[max(0, i - 3) : i]):
                    return ""  # a source says it negated as well
                plain_hit = plain_hit or candidate
    return plain_hit


# -- a figure said of another thing; a verdict no source gives ------------------------------------------------------

RETELLS = 0.5  # word-sequence ratio above which a sentence retells one source sentence (names swapped, words added)
# Words that stand for a name when a sentence retells its source ("the company" for Northwind, "the model" for
# Aurora-3, "its chief executive" for Tomas Varga): saying one in a name's place moves no figure.
STANDS_FOR = frozenset({
    "it", "its", "they", "their", "them", "he", "she", "his", "her", "this", "that", "these", "those", "which", "who",
    "company", "companies", "firm", "lab", "labs", "startup", "maker", "makers", "developer", "developers", "vendor",
    "group", "team", "business", "rival", "rivals", "parent", "owner", "buyer", "seller", "investor", "investors",
    "model", "models", "version", "versions", "release", "successor", "predecessor", "system", "weights", "llm",
    "chief", "executive", "ceo", "founder", "head", "director", "spokesperson", "researchers", "authors", "author",
    "paper", "study", "report", "benchmark", "leaderboard", "bill", "act", "law", "measure", "amendment", "court",
    "judge", "senator", "committee", "panel", "agency", "regulator", "coalition", "alliance", "deal", "round",
    "platform", "app", "service", "product", "tool", "assistant", "chatbot", "chip", "software", "engine", "library",
    "dataset", "framework", "cloud", "network", "device", "fund",
})


_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her"})
_PRONOUNS_OF = frozenset({"its", "their", "his", "her"})  # "its chief executive": the name's own, whatever follows


def moved_figure(sentence: str, candidates: Iterable[str]) -> tuple[str, str, str, str]:
    """(figure, name, what the sentence says it of, the source sentence) when ``sentence`` retells a source sentence
    and keeps one of its figures, but puts another thing where the source names what the figure is about; four
    empty strings when not. Measured on the sample day: "The new license will cost about four times what the
    previous version did" for "Helix-3 will cost about four times what Helix-2 did". A word that stands for the
    name ("the company", "the model") moves nothing; a name the sentence says anywhere is kept, not moved."""
    figures = {_key(c.value): c.span for c in number_claims(sentence) if c.value is not None}
    if not figures:
        return "", "", "", ""
    words = _sequence(sentence)
    said = squash(sentence)
    for candidate in candidates:
        shared = [figures[k] for k in (_key(c.value) for c in number_claims(candidate) if c.value is not None)
                  if k in figures]
        if not shared:
            continue
        theirs = _sequence(candidate)
        matcher = difflib.SequenceMatcher(None, words, theirs, autojunk=False)
        if matcher.ratio() < RETELLS:
            continue
        names = [(claim.span, _sequence(claim.span)) for claim in entity_claims(candidate)]
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "replace":
                continue
            mine, replaced = words[i1:i2], theirs[j1:j2]
            if (len(mine) > 4 or mine[0] not in _DETERMINERS or mine[-1] in STANDS_FOR or set(mine) & _PRONOUNS_OF
                    or not [w for w in mine if w not in STOPWORDS and w not in theirs]):
                continue  # only a short description ("the new license"), its last word the thing, moves a figure
            for span, tokens in names:
                inside = any(replaced[k : k + len(tokens)] == tokens for k in range(len(replaced) - len(tokens) + 1))
                if tokens and inside and squash(span) not in said:
                    return shared[0], span, " ".join(mine), candidate
    return "", "", "", ""


# A verdict: "is seen as a positive development", "a major win", "a game-changer". News says who judges so; the host
# may say one only when a cited source does, in the same words.
_VERDICT = re.compile(
    r"\b(?:is|are|was|were|be|been|being|widely|largely|generally|broadly)\s+(?:widely\s+|largely\s+|generally\s+|"
    r"broadly\s+)?(seen|viewed|regarded|hailed|touted|welcomed|praised|celebrated)(?:\s+(as))?\b"
    r"|\b(positive|negative|welcome|major|significant|huge|big|important|historic|clear)\s+"
    r"(development|step|win|blow|setback|milestone|victory|boost|breakthrough)\b"
    r"|\b(?:a|an)\s+(?:[a-z]+\s+)?(blow|win|setback|boost|victory|milestone|breakthrough)\s+(?:to|for)\b"
    r"|\b(analysts|observers|critics|experts|commentators|insiders)\s+(?:say|said|call|called|welcomed|hailed|"
    r"praised|see|saw|warn|warned|expect|expected)\b"  # an unnamed judge: "critics say"
    r"|\b(game[- ]changer|turning point|watershed)\b"
    r"|\b(?:this|which|that|it)\s+(aligns|underscores|highlights|signals|showcases|demonstrates|suggests|"
    r"indicates)\b"  # the host's commentary
    r"|\b(?:this|which|that|it)\s+(could|may|might)\s+(?:potentially\s+|well\s+|eventually\s+)?(lead|help|pave|"
    r"spur|boost|fuel|mean|accelerate|drive|change|reshape|transform|shape|encourage|hurt|slow)\b",  # speculation
    re.IGNORECASE,
)


# Words after a figure that say how it is counted, not what: "7.5 points", "3 times", "40 percent".
_NOT_COUNTED = frozenset({"percent", "per", "cent", "times", "point", "points", "more", "less", "fewer", "than",
                          "of", "in", "on", "at", "to", "for", "from", "by", "with", "as", "and", "or", "a", "an",
                          "the", "is", "was", "are", "were", "new", "total", "each", "every", "other", "so",
                          "far", "today", "now", "after", "before", "over", "under", "up", "down", "its", "their",
                          "thousand", "million", "billion", "trillion", "about", "some", "nearly", "almost", "that",
                          "which", "who", "remain", "remains", "stay", "stays", "have", "has", "had", "will", "would"})


_PLURAL_NOUN = re.compile(r"[a-z][a-z'’-]*[a-rt-z]s")  # "users", "employees": not "less", "ing"/"ed" forms below
_PARTICIPLE = re.compile(r".*(?:ed|ing)s?")


def _counted(text: str, end: int, most: int = 4) -> list[str]:
    """The content words among the next ``most`` words after a figure (what it counts), plural ``s`` removed."""
    following = re.findall(r"[A-Za-z][\w'’]*|\d[\d.,]*", text[end:end + 80])[:most]
    return [w.lower().removesuffix("s") for w in following if w[:1].isalpha() and w.lower() not in _NOT_COUNTED]


def counted_thing(sentence: str, sources_text: str) -> tuple[str, str, str]:
    """(figure, what the sentence counts with it, what the sources count with it) when a sentence keeps a source's
    count and changes what is counted: "its 2.4 million employees" where the source says "2.4 million users"
    (measured on the sample day, missed by every other check); ('', '', '') when not. Only plain counts (no
    currency, percentage or letters glued on: "110B" in "Helix-2-110B", "720p"), a plural noun right after the
    figure, every place the sources give the figure a word right after it too, and no counted word shared within
    four."""
    bare = _blank(outside_quotes(strip_citations(plain(sentence))), _date_spans(sentence))
    theirs_text = _blank(plain(sources_text), _date_spans(sources_text))
    for match, value, ordinal in _numbers(bare):
        if ordinal or match["cur"] or match["glued"] or _is_percent(match):
            continue
        before = bare[: match.start()].split()
        if len(before) > 1 and before[-1][:1].isupper():
            continue  # a name's number: "Helix Community License 1.1 - output clause"
        mine = _counted(bare, match.end())
        first = (re.findall(r"[A-Za-z][\w'’-]*", bare[match.end():match.end() + 40]) or [""])[0]
        if (not mine or not _PLURAL_NOUN.fullmatch(first) or first.lower() in _NOT_COUNTED
                or _PARTICIPLE.fullmatch(first)):
            continue  # a count is of things: "2.4 million users", not "11.2 last quarter" ("in Q4" in the source)
        windows = [(_counted(theirs_text, m.end()), theirs_text[m.end():].lstrip()[:1])
                   for m, v, o in _numbers(theirs_text) if not o and _key(v) == _key(value)]
        if not windows or any(set(mine) & set(words) for words, _ in windows):
            continue
        if all(words and head.isalpha() and head.islower() for words, head in windows):
            return match.group(0).strip(), mine[0], windows[0][0][0]
    return "", "", ""


def unsourced_verdict(sentence: str, sources_text: str) -> str:
    """The verdict a sentence gives in the host's voice that its sources do not give ('' when none): "The Senate
    panel's approval is seen as a positive development for open-source AI" (measured on the sample day, where the
    source says no such thing). The sources must have the verdict's words together ("seen as", "positive
    development"); a quotation is the source's own verdict, attributed."""
    for match in _VERDICT.finditer(outside_quotes(strip_citations(plain(sentence)))):
        keys = [word for word in match.groups() if word]
        pattern = r"\W+(?:\w+\W+){0,3}".join(re.sub(r"\W+", r"\\W*", key) for key in keys)  # "seen the bill as"
        if not re.search(rf"\b{pattern}\b", sources_text, re.IGNORECASE):
            return match.group(0)
    return ""


# Words whose opposite a small model swaps in ("cheaper and faster than closed models" where the source says "ahead
# of every open model", measured on the sample day): the pairs a news sentence turns on.
OPPOSITES = [("open", "closed"), ("higher", "lower"), ("rise", "fall"), ("rises", "falls"), ("rose", "fell"),
             ("increase", "decrease"), ("increased", "decreased"), ("ahead", "behind"), ("above", "below"),
             ("faster", "slower"), ("cheaper", "costlier"), ("approved", "rejected"), ("allowed", "banned"),
             ("wider", "narrower"), ("widens", "narrows"), ("widened", "narrowed")]


def opposite_word(sentence: str, sources_text: str) -> tuple[str, str]:
    """(the word, its opposite) when a sentence says a word its sources never say, while they say its opposite
    ("closed" where they only say "open"); ('', '') when not. Quotations are the source's own words."""
    said = set(re.findall(r"[a-z]+", strip_citations(plain(outside_quotes(sentence))).lower()))  # "closed-model"
    theirs = set(re.findall(r"[a-z]+", plain(sources_text).lower()))
    for a, b in OPPOSITES:
        for word, other in ((a, b), (b, a)):
            if word in said and word not in theirs and other in theirs and other not in said:
                return word, other
    return "", ""


def _closest(sentence: str, candidates: Iterable[str], least: float = NEAR_COPY) -> str:
    words = _sequence(sentence)
    best, score = "", 0.0
    for candidate in candidates:
        other = _sequence(candidate)
        ratio = 1.0 if sorted(other) == sorted(words) else difflib.SequenceMatcher(None, words, other,
                                                                                    autojunk=False).ratio()
        if ratio > score:
            best, score = candidate, ratio
    return best if score >= least else ""


def says_otherwise(sentence: str, candidates: Iterable[str]) -> str:
    """How ``sentence`` says the opposite of a source sentence among ``candidates`` ('' when it does not): it nearly
    repeats one but with a negation added or dropped, or names or values swapped (``contradiction``), or it negates
    what one says plainly (``negation_flip``). The writer's gate cuts such a line; ``check_text`` flags one."""
    sentences = list(candidates)
    copied = _closest(sentence, sentences)
    how = contradiction(sentence, copied) if copied else ""
    if how:
        return how
    return "it negates what its source says" if negation_flip(sentence, sentences) else ""


def _attributed_elsewhere(claim: Claim, sentence: str, text: str, data: Sources) -> str:
    """The text's own telling of a script sentence (its closest sentence) when it names neither the script's source
    nor cites it, else ''. "According to The Wire" on a story the text cites to Business Daily is a
    misattribution even when The Wire is cited elsewhere in the segment."""
    written = _closest(sentence, split_sentences(text), least=0.6)
    if not written:
        return ""  # no sentence of the text tells it: the segment-wide check stands alone
    cited = [data.texts[n] for n in citations(written) if n in data.texts]
    return "" if supported(claim, SourceIndex.of([strip_citations(written), data.known, *cited])) else written


# -- the checks -------------------------------------------------------------------------------------------------

SEVERITY = {
    "unsupported_number": "high",
    "unsupported_date": "high",
    "unsupported_quote": "high",
    "unsupported_attribution": "high",
    "unknown_citation": "high",
    "fragment": "high",
    "first_person": "high",
    "unsupported_entity": "medium",
    "wrong_source": "medium",
    "script_adds": "medium",
    "uncited": "medium",
    "verbatim": "low",
    "length": "low",
}
_KINDS = {
    "number": "unsupported_number",
    "date": "unsupported_date",
    "entity": "unsupported_entity",
    "attribution": "unsupported_attribution",
    "quote": "unsupported_quote",
}
_WHAT = {
    "number": "the number",
    "date": "the date",
    "entity": "the name",
    "attribution": "the attribution to",
    "quote": "the quote",
}


def make_flag(kind: str, field: str, sentence: str, span: str, message: str, *, severity: str | None = None,
              evidence: str = "", suggest: Iterable[int] = ()) -> Flag:
    """A flag with a stable id (same kind, field, sentence and span: same id, so an editor's verdict survives)."""
    digest = hashlib.sha1(f"{kind}|{field}|{sentence}|{span}".encode()).hexdigest()[:10]
    return Flag(
        id=f"f-{digest}",
        kind=kind,
        field=field,
        sentence=sentence,
        span=span,
        message=message,
        severity=severity or SEVERITY.get(kind, "medium"),
        evidence=evidence[:600],
        suggest=sorted(set(suggest)),
    )


_flag = make_flag  # the name used before


def claims_of(sentence: str) -> list[Claim]:
    """Every checkable claim of a sentence; a name that is the subject of an attribution is checked once, as that."""
    attributions = attribution_claims(sentence)
    attributed = {squash(c.span) for c in attributions}
    entities = [c for c in entity_claims(sentence) if squash(c.span) not in attributed
                and not any(squash(c.span) in a for a in attributed)]
    return [*number_claims(sentence), *date_claims(sentence), *entities, *attributions, *quote_claims(sentence)]


STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "their",
        "they",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "us",
        "you",
        "not",
        "so",
        "than",
        "then",
        "also",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "says",
        "said",
        "according",
        "new",
        "today",
    ]
)


def _content(text: str) -> set[str]:
    return {w for w in _tokens(text) if w not in STOPWORDS and len(w) > 1}


def nearest(sentence: str, index: SourceIndex, claim: Claim | None = None) -> str:
    """The source sentence that bears most on ``sentence``: one holding the claim if any, else the one sharing
    the most words (at least a third of the sentence's); '' when none does."""
    if claim is not None:
        holding = [s for s in index.sentences if supported(claim, SourceIndex.of([s]))] if index.sentences else []
        if holding:
            return max(holding, key=lambda s: len(_content(s) & _content(sentence)))
    words = _content(sentence)
    if not words:
        return ""
    best, score = "", 0.0
    for candidate in index.sentences:
        share = len(words & _content(candidate)) / len(words)
        if share > score:
            best, score = candidate, share
    return best if score >= 1 / 3 else ""


@dataclass
class Sources:
    """A segment's sources as the checks see them: each source's text and published date, and own names."""

    texts: Mapping[int, str]
    published: Mapping[int, Date | datetime] = field(default_factory=dict)
    known: str = ""  # the show's own names (title, host, segment titles): never a grounding problem

    def index(self, numbers: Iterable[int]) -> SourceIndex:
        numbers = [n for n in numbers if n in self.texts]
        return SourceIndex.of([*(self.texts[n] for n in numbers), self.known],
                              [self.published[n] for n in numbers if n in self.published])

    def everything(self) -> SourceIndex:
        return self.index(self.texts)

    def years(self) -> set[int]:
        """The years the sources were published in (a date said without its year is in one of them)."""
        return {when.year for when in self.published.values()}


def _known_claim(claim: Claim, known: SourceIndex | None) -> bool:
    return known is not None and claim.kind in ("entity", "attribution") and supported(claim, known)


def _sentence_flags(sentence: str, field: str, known: str, *, framing: bool, sources_text: str) -> list[Flag]:
    flags = []
    problem = fragment(sentence, known)
    if problem:
        flags.append(make_flag("fragment", field, sentence, "", f"not a complete sentence: {problem}"))
    voice = first_person(sentence, known)
    # The host may say "we" in a greeting or goodbye; in the news, or copied from a source, it is the source's voice.
    if voice and (not framing or voice.lower() in sources_text.lower()):
        flags.append(make_flag("first_person", field, sentence, voice,
                               f"{voice!r} speaks in the first person: the host would be speaking as the source"))
    return flags


def check_text(text: str, sources: Mapping[int, str] | Sources, *, framing: bool = False) -> list[Flag]:
    """Flags for newsletter text with ``[n]`` citations; ``sources`` maps n to that source's text (or `Sources`)."""
    data = sources if isinstance(sources, Sources) else Sources(sources)
    flags: list[Flag] = []
    everything = data.everything()
    known = SourceIndex.of([data.known]) if data.known else None
    all_text = "\n".join(data.texts.values())
    for sentence in split_sentences(text):
        flags += _sentence_flags(sentence, "text", data.known, framing=framing, sources_text=all_text)
        cited = citations(sentence)
        for n in dict.fromkeys(n for n in cited if n not in data.texts):
            flags.append(make_flag("unknown_citation", "text", sentence, f"[{n}]",
                                   f"[{n}] refers to no source of this segment (it has {len(data.texts)})"))
        known_refs = [n for n in dict.fromkeys(cited) if n in data.texts]
        claims = [c for c in claims_of(sentence) if not _known_claim(c, known)]
        if not known_refs:
            if not cited and (not framing or claims):
                flags.append(make_flag("uncited", "text", sentence, "", "this sentence cites no source",
                                       evidence=nearest(sentence, everything)))
            where, index, others = "the segment's sources", everything, {}
        else:
            where = "the cited sources " + ", ".join(f"[{n}]" for n in known_refs)
            index = data.index(known_refs)
            others = {n: data.index([n]) for n in data.texts if n not in known_refs}
        found = _unsupported(sentence, claims, index, others, where)
        flagged = {(f.kind, f.span) for f in found}
        found += [f for f in _weekday_flags(sentence, "text", data.years()) if (f.kind, f.span) not in flagged]
        flags += found
        if known_refs and not framing and not found:  # one flag is enough to send the editor to a sentence
            flags += _padding(sentence, index, where)
        how = ""
        if known_refs:
            copied = _closest(sentence, index.sentences)
            how = contradiction(sentence, copied) if copied else ""
            if how:
                flags.append(make_flag("unverified", "text", sentence, "contradiction",
                                       f"this nearly repeats {where} but says otherwise: {how}", severity="high",
                                       evidence=copied))
        flipped = "" if how else negation_flip(sentence, index.sentences)  # a contradiction already says it
        if flipped:
            flags.append(make_flag("unverified", "text", sentence, "negation",
                                   f"{where} say this without the negation: the sentence may say the "
                                   "opposite of its source", severity="high", evidence=flipped))
        figure, name, said_of, told = ("", "", "", "") if how or flipped else moved_figure(sentence, index.sentences)
        if figure:
            flags.append(make_flag("unverified", "text", sentence, figure,
                                   f"{where} say {figure!r} of {name}; this sentence says it of {said_of!r}: check "
                                   "what the figure is about", severity="high", evidence=told))
        cited_text = "\n".join(data.texts[n] for n in known_refs)  # not the show's own names ("Open vs closed")
        flagged_names = {f.span.rstrip(".") for f in found}
        for name in said_by(sentence) if known_refs else []:
            if name not in flagged_names and not any(speaks_in(name, data.texts[n]) for n in known_refs):
                flags.append(make_flag("unsupported_attribution", "text", sentence, name,
                                       f"{name!r} is named in {where} but says nothing there: say who reported it",
                                       evidence=nearest(sentence, index)))
        count, counted, theirs = counted_thing(sentence, cited_text) if known_refs and not figure else ("", "", "")
        if count:
            flags.append(make_flag("unverified", "text", sentence, count,
                                   f"{where} count {theirs!r} with {count!r}, never {counted!r}: check what the "
                                   "figure counts", severity="high", evidence=nearest(sentence, index)))
        word, other = opposite_word(sentence, cited_text) if known_refs and not how else ("", "")
        if word:
            flags.append(make_flag("unverified", "text", sentence, word,
                                   f"{where} say {other!r} and never {word!r}: the sentence may say the opposite of "
                                   "its source", severity="high", evidence=nearest(sentence, index)))
        verdict = unsourced_verdict(sentence, cited_text) if known_refs and not framing else ""
        if verdict:
            flags.append(make_flag("unverified", "text", sentence, verdict,
                                   f"{verdict!r} is a verdict {where} do not give: say who judges so, or cut it",
                                   evidence=nearest(sentence, index)))
        if index.injected:
            flags += _injected(sentence, index, where)
    return flags


def _injected(sentence: str, index: SourceIndex, where: str) -> list[Flag]:
    """A sentence that says what a source's instruction to the model says ("the company was acquired"): half its
    words (two at least) come from that instruction and from nowhere else in the source."""
    words = _content(outside_quotes(sentence))
    if not words:
        return []
    told = set().union(*(_content(_INSTRUCTION.sub(" ", instruction)) for instruction in index.injected))
    borrowed = {w for w in words & told if not index.has_word(w)}
    if len(borrowed) >= 2 and len(borrowed) >= len(words) / 2:
        return [make_flag("unverified", "text", sentence, "injection",
                          f"this repeats an instruction inside {where} (a prompt injection), not its reporting: "
                          f"{', '.join(sorted(borrowed)[:6])}", severity="high", evidence=" ".join(index.injected))]
    return []


# A clause that brings its own detail: "..., following complaints from several large customers", "..., after months
# of negotiations behind closed doors". No number or name to check, so a bag of values misses it; its words do.
_CLAUSE = re.compile(r"[,;]\s*|\s+(?=(?:after|following|amid|while|because|despite|since)\s)")
PADDING_WORDS = 4  # content words of a clause that no cited source (or, for a script, the text) has
PADDING_SHARE = 0.66  # ... and their share of the clause's content words


def padded_clause(sentence: str, index: SourceIndex) -> str:
    """The clause of ``sentence`` whose content words mostly come from nowhere in ``index`` ('' when none): at
    least PADDING_WORDS of them, two in three absent. A paraphrase changes some words of a clause; an invented
    detail brings all of its own."""
    body = outside_quotes(strip_citations(plain(sentence)))
    for clause in _CLAUSE.split(body):
        words = _content(clause)
        absent = [w for w in words if not index.has_word(w)]
        if len(absent) >= PADDING_WORDS and len(absent) >= PADDING_SHARE * len(words):
            return clause.strip(" .")
    return ""


def _padding(sentence: str, index: SourceIndex, where: str, field: str = "text") -> list[Flag]:
    clause = padded_clause(sentence, index)
    if not clause:
        return []
    return [make_flag("unverified", field, sentence, clause, f"{clause!r} adds detail not found in {where}",
                      evidence=nearest(sentence, index))]


def _unsupported(sentence: str, claims: list[Claim], index: SourceIndex, others: Mapping[int, SourceIndex],
                 where: str) -> list[Flag]:
    flags: list[Flag] = []
    seen: set[tuple[str, str]] = set()
    for claim in claims:
        if (claim.kind, claim.span) in seen or supported(claim, index):
            continue
        seen.add((claim.kind, claim.span))
        elsewhere = [n for n, other in others.items() if supported(claim, other)]
        what = f"{_WHAT[claim.kind]} {claim.span!r}"
        if elsewhere:
            cite = ", ".join(f"[{n}]" for n in elsewhere)
            flags.append(make_flag("wrong_source", "text", sentence, claim.span,
                                   f"{what} is not in {where} but is in {cite}: cite {cite} instead",
                                   evidence=nearest(sentence, others[elsewhere[0]], claim), suggest=elsewhere))
            continue
        message = (f"{what} is not found in {where}" if claim.kind == "quote"
                   else f"{what} appears in none of {where}")
        injected = [s for s in index.injected if supported(claim, SourceIndex.of([s], raw=True))]
        if injected:
            flags.append(make_flag(_KINDS[claim.kind], "text", sentence, claim.span,
                                   f"{what} comes only from an instruction inside {where} (a prompt injection), "
                                   "not from its reporting", severity="high", evidence=injected[0]))
            continue
        flags.append(make_flag(_KINDS[claim.kind], "text", sentence, claim.span, message,
                               evidence=nearest(sentence, index)))
    return flags


def check_script(script: str, sources: Mapping[int, str] | Sources, text: str | None = None, *,
                 framing: bool = False) -> list[Flag]:
    """Flags for the spoken script. With ``text`` (the segment's newsletter text), each claim must be in that
    text (else ``script_adds``, high when no source has it either); without it, in one of the sources."""
    data = sources if isinstance(sources, Sources) else Sources(sources)
    everything = data.everything()
    known = SourceIndex.of([data.known]) if data.known else None
    all_text = "\n".join(data.texts.values())
    told = SourceIndex.of([strip_citations(text), data.known], data.published.values()) if text is not None else None
    flags: list[Flag] = []
    for sentence in split_sentences(script):
        flags += _sentence_flags(sentence, "script", data.known, framing=framing, sources_text=all_text)
        before = len(flags)
        if text is not None:
            written = _closest(sentence, split_sentences(text))
            how = contradiction(sentence, written) if written else ""
            if how:
                flags.append(make_flag("script_adds", "script", sentence, "contradiction",
                                       f"the script nearly repeats the text but says otherwise: {how}",
                                       severity="high", evidence=strip_citations(written)))
        seen: set[tuple[str, str]] = set()
        for flag in _weekday_flags(sentence, "script", data.years()):
            flags.append(flag)
            seen.add(("date", flag.span))
        for claim in claims_of(sentence):
            if (claim.kind, claim.span) in seen or _known_claim(claim, known):
                continue
            seen.add((claim.kind, claim.span))
            what = f"{_WHAT[claim.kind]} {claim.span!r}"
            if told is None:
                if not supported(claim, everything):
                    flags.append(make_flag(_KINDS[claim.kind], "script", sentence, claim.span,
                                           f"{what} appears in none of the segment's sources",
                                           evidence=nearest(sentence, everything)))
                continue
            if supported(claim, told):
                elsewhere = _attributed_elsewhere(claim, sentence, text or "", data) \
                    if claim.kind == "attribution" else ""
                if elsewhere:
                    flags.append(make_flag("script_adds", "script", sentence, claim.span,
                                           f"the script credits {claim.span!r}, but the text tells this story "
                                           "from other sources", evidence=elsewhere))
                continue
            holders = [n for n in data.texts if supported(claim, data.index([n]))]
            if holders:
                cite = ", ".join(f"[{n}]" for n in holders)
                flags.append(make_flag("script_adds", "script", sentence, claim.span,
                                       f"the script says {what}, which the segment's text does not (it is in {cite})",
                                       evidence=nearest(sentence, data.index(holders), claim)))
            else:
                flags.append(make_flag("script_adds", "script", sentence, claim.span,
                                       f"the script says {what}, which neither the segment's text nor any source has",
                                       severity="high", evidence=nearest(sentence, everything)))
        if text is not None and not framing and len(flags) == before:
            flags += _script_moves(sentence, text)
        if told is not None and not framing and len(flags) == before:
            flags += _padding(sentence, told, "the segment's text", "script")
    return flags


def _script_moves(sentence: str, text: str) -> list[Flag]:
    """A script line that says one of the text's figures of another thing, a word whose opposite is all the text
    says, or a verdict the text does not give."""
    written = [strip_citations(s) for s in split_sentences(text)]
    figure, name, said_of, told = moved_figure(sentence, written)
    if figure:
        return [make_flag("script_adds", "script", sentence, figure,
                          f"the text says {figure!r} of {name}; the script says it of {said_of!r}", severity="high",
                          evidence=told)]
    word, other = opposite_word(sentence, strip_citations(text))
    if word:
        return [make_flag("script_adds", "script", sentence, word,
                          f"the text says {other!r} and never {word!r}: the script may say the opposite",
                          severity="high", evidence=nearest(sentence, SourceIndex.of([strip_citations(text)])))]
    verdict = unsourced_verdict(sentence, strip_citations(text))
    if verdict:
        return [make_flag("script_adds", "script", sentence, verdict,
                          f"{verdict!r} is a verdict the segment's text does not give")]
    return []


def check_segment(text: str, script: str, sources: Mapping[int, str] | Sources, *, framing: bool = False) -> list[Flag]:
    """All grounding flags of one segment: its text against the cited sources, its script against its text."""
    return [*check_text(text, sources, framing=framing), *check_script(script, sources, text, framing=framing)]


def flag_rate(flags: Iterable[Flag], sentences: int) -> float:
    """Flags per sentence (the figure reported in the docs)."""
    return sum(1 for _ in flags) / sentences if sentences else 0.0


__all__ = ["Claim", "SourceIndex", "Sources", "check_script", "check_segment", "check_text", "citations", "claims_of",
           "date_claims", "entity_claims", "first_person", "fragment", "make_flag", "moved_figure", "nearest",
           "number_claims", "opposite_word", "outside_quotes", "plain", "quote_claims", "source_numbers",
           "split_sentences", "strip_citations", "supported", "unsourced_verdict", "verbatim_run", "words_to_number"]
