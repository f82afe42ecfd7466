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
from dataclasses import dataclass
from functools import lru_cache

# How much of an item's text is used: the lead carries the event; long articles drift into background that
# mentions other events (a release post naming a rival's price cut).
LEAD_CHARS = 900
TITLE_REPEAT = 2

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "new",
        "one",
        "two",
        "three",
        "per",
        "via",
        "like",
        "get",
        "gets",
        "got",
        "still",
        "yet",
        "already",
        "today",
        "yesterday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "week",
        "weeks",
        "year",
        "years",
        "day",
        "days",
        "month",
        "months",
        "time",
        "first",
        "last",
        "next",
        "many",
        "much",
        "well",
        "even",
        "may",
        "might",
        "must",
        "us",
        "it's",
        "that's",
        "here's",
        "there's",
        "what's",
        "don't",
        "doesn't",
        "isn't",
        "won't",
        "can't",
        "we're",
        "they're",
        "you're",
    ]
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
    elif (
        len(word) > 4
        and word.endswith("ed")
        and not word.endswith("eed")
        or len(word) > 4
        and word.endswith(("sses", "xes", "zes", "ches", "shes"))
    ):
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
            starts_sentence = previous_end == 0 or bool(
                _SENTENCE_END.search(part[max(0, previous_end - 3) : match.start()])
            )
            if has_digit or (raw[0].isupper() and not starts_sentence and len(raw) > 1):
                names[lower.strip(".")] += repeat
            if not has_digit:
                for piece in lower.split("-"):
                    if len(piece) > 1 and piece not in STOP_WORDS:
                        words[stem(piece)] += repeat
            previous_end = match.end()
    return words, names


# A compound: letters and digits joined by hyphens ("open-sourced", "Helix-2", "fine-tune") or an apostrophe.
_COMPOUND = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?(?:-[A-Za-z0-9]+)*")
SHORT_KEYWORD = 3  # "act", "law": only plurals, so "acting" and "lawful" do not count as policy words


@dataclass(frozen=True)
class Keywords:
    """Compiled topic keywords (see `keyword_pattern`): each a tuple of word stems, with the keyword it stands for."""

    phrases: tuple[tuple[tuple[str, ...], str], ...]  # (stems, keyword), longest first
    compact: dict[str, str]  # the stems run together ("openweight") -> keyword
    short: frozenset[str]  # one-word keywords of SHORT_KEYWORD letters or fewer: matched as written or plural
    exact: bool = False  # words as written, no other forms (mutes: muting "sponsored" must not mute "sponsors")
    screen: re.Pattern[str] | None = None  # a text without any of these first-word prefixes cannot match: skip it


def _keyword_stem(word: str) -> str:
    return stem(word.lower().replace("\u2019", "'"))


def _as_written(word: str) -> str:
    return word.lower().replace("\u2019", "'")


def _short_forms(word: str) -> tuple[str, ...]:
    return (word, word + "s", word + "es")


def keyword_pattern(keywords: Iterable[str], *, forms: bool = True) -> Keywords | None:
    """Keywords matched as whole words in any of their forms: plural and verb endings (``benchmark`` ~
    ``benchmarks``, ``open source`` ~ ``open-sourced``), and with the words of a phrase joined by a space, a hyphen
    or nothing (``open weights`` ~ ``open-weight`` ~ ``openweight``). A hyphenated compound is one word, so ``fine``
    does not match ``fine-tuned``. Keywords whose words have the same stems are one keyword (the first spelling).
    ``forms=False``: only the words as written (still any case and any joining of a phrase's words)."""
    return _compile_keywords(tuple(keywords), forms)


@lru_cache(maxsize=256)
def _compile_keywords(keywords: tuple[str, ...], forms: bool = True) -> Keywords | None:
    norm = _keyword_stem if forms else _as_written
    phrases: dict[tuple[str, ...], str] = {}
    short: set[str] = set()
    for keyword in keywords:
        spelled = keyword.strip().lower()
        words = [w for w in re.split(r"[\s-]+", spelled) if w]
        if not words:
            continue
        if len(words) == 1 and len(words[0]) <= SHORT_KEYWORD:
            short.add(words[0])
        stems = tuple(norm(w) for w in words)
        phrases.setdefault(stems, spelled)
    if not phrases:
        return None
    ordered = tuple(sorted(phrases.items(), key=lambda pair: (-len(pair[0]), pair[0])))
    compact = {norm("".join(keyword.split()).replace("-", "")): keyword for _, keyword in ordered}
    # Every form of a word starts with its stem less two letters ("licens" ~ "licence", "study" ~ "studies").
    prefixes = {stems[0] if not forms else stems[0][: max(3, len(stems[0]) - 2)] for stems, _ in ordered}
    screen = re.compile("|".join(sorted(map(re.escape, prefixes), key=len, reverse=True)), re.IGNORECASE)
    return Keywords(phrases=ordered, compact=compact, short=frozenset(short), exact=not forms, screen=screen)


@lru_cache(maxsize=8192)
def _compounds(text: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Each compound of ``text`` as (its parts lower-cased, their stems)."""
    result = []
    for match in _COMPOUND.finditer(text):
        parts = tuple(p for p in match.group(0).lower().replace("\u2019", "'").split("-") if p)
        result.append((parts, tuple(stem(p) for p in parts)))
    return tuple(result)


def matched_keywords(pattern: Keywords | None, text: str) -> set[str]:
    """Distinct keywords of ``pattern`` found in ``text`` (as spelled in the keyword list, lower-cased).

    Matching is greedy from left to right, longest phrase first, and matches never overlap: ``open weights`` in a
    text does not also count as ``weights``."""
    if pattern is None or not text or (pattern.screen is not None and not pattern.screen.search(text)):
        return set()
    compounds = _compounds(text)
    found: set[str] = set()
    position = 0
    while position < len(compounds):
        step = _match_at(pattern, compounds, position, found)
        position += step or 1
    return found


def _match_at(
    pattern: Keywords,
    compounds: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...],
    position: int,
    found: set[str],
) -> int:
    """Match a keyword starting at compound ``position``; returns how many compounds it covered (0: none)."""
    field = 0 if pattern.exact else 1
    parts, stems = compounds[position][0], compounds[position][field]
    for phrase, keyword in pattern.phrases:
        run: list[str] = []
        end = position
        while len(run) < len(phrase) and end < len(compounds):  # a phrase may span compounds: whole ones only
            run.extend(compounds[end][field])
            end += 1
        if tuple(run) != phrase:
            continue
        if len(phrase) == 1 and keyword in pattern.short and parts[0] not in _short_forms(keyword):
            continue
        found.add(keyword)
        return end - position
    if len(parts) == 1:
        single = pattern.compact.get(stems[0])
        if single is not None and single not in pattern.short:
            found.add(single)
            return 1
    return 0


# What makes a report read as a paper, wherever it was published (a lab blog, the press, arXiv). Strong markers
# name the genre or a venue; weak ones are the vocabulary of research that a product post also uses now and then.
_PAPER_STRONG = {
    "arxiv": r"\barxiv\b|\b\d{4}\.\d{4,5}(?:v\d+)?\b",
    "paper": r"(?<!white )(?<!white-)\bpapers?\b(?! (?:cuts?|over|trail|towel|clip)s?\b)",
    "preprint": r"\bpre-?prints?\b",
    "technical report": r"\b(?:technical|tech) reports?\b|\bsystem card\b",
    "we propose": r"\bwe propose\b|\bin this (?:paper|work)\b",
    "venue": r"\b(?:neurips|icml|iclr|acl|emnlp|naacl|cvpr|iccv|eccv|aaai|colm|interspeech|icassp)\b(?: ?20\d\d)?",
    "doi": r"\bdoi\b|\b10\.\d{4,9}/",
    "peer review": r"\bpeer[- ]reviewed\b|\bproceedings\b",
    "study finds": r"\b(?:study|studies|research|researchers|paper|authors) (?:finds?|found|shows?|showed|suggests?)\b",
}
_PAPER_WEAK = {
    "benchmark": r"\bbenchmarks?\b",
    "dataset": r"\bdatasets?\b|\bcorpus\b|\bcorpora\b",
    "researchers": r"\bresearchers?\b",
    "study": r"\bstud(?:y|ies)\b",
    "evaluation": r"\bevaluations?\b|\bablations?\b",
    "state of the art": r"\bstate[- ]of[- ]the[- ]art\b|\bsota\b",
    "method": r"\bwe (?:present|introduce|describe|show|find|train|evaluate|study)\b",
}
_PAPER_URL = re.compile(r"arxiv\.|/abs/\d|/pdf/|/papers?/|/publications?/|/research/", re.IGNORECASE)
_PAPER_PATTERNS = [
    (name, strong, re.compile(pattern, re.IGNORECASE))
    for strong, table in ((True, _PAPER_STRONG), (False, _PAPER_WEAK))
    for name, pattern in table.items()
]


def paper_markers(text: str, urls: Iterable[str | None] = ()) -> tuple[set[str], set[str]]:
    """(strong, weak) markers of a paper in ``text`` and the report ``urls`` (a link under /papers/ or to arXiv is
    strong, one under /research/ weak)."""
    strong: set[str] = set()
    weak: set[str] = set()
    for name, is_strong, pattern in _PAPER_PATTERNS:
        if pattern.search(text):
            (strong if is_strong else weak).add(name)
    for url in urls:
        if url and (match := _PAPER_URL.search(url)):
            (weak if match.group(0).lower() == "/research/" else strong).add("link")
    return strong, weak


def reads_as_paper(text: str, urls: Iterable[str | None] = ()) -> bool:
    """A paper, by its words: one strong marker ("paper", "arXiv", "preprint", "study finds", a venue ...) or
    three weak ones ("benchmark", "dataset", "researchers" ...: a launch post has one or two of those)."""
    strong, weak = paper_markers(text, urls)
    return bool(strong) or len(weak) >= 3


# The debate's sides (is open AI falling behind closed AI?) in a report's own words (the debate prompt's
# definitions). Curate gives a debate both sides when the day has them; the writer places a report whose words take
# one side there, whatever a small model said (it answers "neither" for most reports and guesses at the rest).
_BEHIND = re.compile(r"\b(?:closed|proprietary)\b[^.]{0,80}\b(?:cheap\w*|price\w*|cuts?|lead\w*|beats?|tops?|"
                     r"outperform\w*)\b|\bopen(?:-weights?| weights?|-source| source)?\b[^.]{0,60}\b(?:restrict\w*|"
                     r"wait \d+ days|notice rule|notice requirement|ban\w*|unsafe|undo safety|remove safety|"
                     r"safety training)\b|\b(?:undo\w*|remov\w*|strip\w*) safety\b|"
                     r"\bopen(?:-weights?| weights?|-source| source)? models?\b(?:[^.]|\.\d){0,40}"
                     r"\b(?:behind|trail\w*|lag\w*)\b",
                     re.IGNORECASE)
_KEEPING_UP = re.compile(r"\bopen(?:-weights?| weights?|-source| source)? models?\b[^.]{0,60}\b"
                         r"(?:top (?:five|5|ten|10)|ranks?|matches|beats?|rivals?|leads?|first open)\b|"
                         r"\bback to (?:Apache|open)|\bopen source again\b", re.IGNORECASE)


def lean(text: str) -> str:
    """The side a report's own words take ("behind", "keeping_up"), or "neither" when its cues point both ways
    or nowhere."""
    behind, keeping = bool(_BEHIND.search(text)), bool(_KEEPING_UP.search(text))
    return "behind" if behind and not keeping else "keeping_up" if keeping and not behind else "neither"
