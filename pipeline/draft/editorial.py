"""Editorial checks a producer makes by ear, in code: pure functions over sentences and source texts, no I/O.

- ``near_duplicates``: sentences anywhere in an episode that say the same thing (>= 70% of the shorter one's
  content words shared), so each story is told once;
- ``verbatim_run``: the longest run of words a sentence shares with a source outside quotation marks (12 or more
  is copying, not reporting);
- ``first_person``: the source's own voice ("our evaluations team", "we are excited") in the host's mouth;
- ``fragment``: a sentence that stops mid-thought ("Its central argument is that the 9.");
- ``meta_talk``: the host talking about the material ("The article also mentions ...") instead of the news;
- ``is_thin``: a source that is a headline and little else, from which one sentence at most may be written;
- ``find_quotes``: quotations in a source with the person who said them, for a segment to use verbatim.

The writer uses them to retry or cut; ``bench/editorial.py`` counts them over a whole episode.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.draft import grounding
from pipeline.draft.grounding import plain, strip_citations

THIN_CHARS = 200  # a source with less text than this beyond its headline is thin
VERBATIM_WORDS = 12  # a shared run this long outside quotation marks is copying
DUPLICATE_SHARE = 0.7

# grounding's stop words, plus the pronouns and modals a repeat check should not count
_STOP = grounding.STOPWORDS | {"being", "i", "me", "might", "my", "no", "should", "them", "there", "your"}
_QUOTED = grounding._QUOTED


_tokens = grounding._tokens  # one tokenizer for both checkers


def content_words(text: str) -> set[str]:
    """The words that carry a sentence's meaning: no stop words, no citation markers."""
    return {w for w in _tokens(text) if w not in _STOP and len(w) > 1}


def overlap(a: str, b: str) -> float:
    """Share of the shorter sentence's content words found in the other."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


@dataclass(frozen=True)
class Placed:
    """One sentence and where it stands in the episode."""

    segment: str
    index: int  # the sentence's position within its segment's text
    text: str


def near_duplicates(sentences: Sequence[Placed], share: float = DUPLICATE_SHARE) -> list[tuple[Placed, Placed]]:
    """Every (earlier, later) pair of near-duplicate sentences, in episode order; short lines (< 4 content words)
    are ignored."""
    pairs: list[tuple[Placed, Placed]] = []
    words = [content_words(s.text) for s in sentences]
    for j, later in enumerate(sentences):
        if len(words[j]) < 4:
            continue
        for i in range(j):
            if len(words[i]) < 4:
                continue
            if len(words[i] & words[j]) >= share * min(len(words[i]), len(words[j])):
                pairs.append((sentences[i], later))
    return pairs


# The checks the writer shares with grounding live there (pipeline/draft/grounding.py); these are the same functions.
outside_quotes = grounding.outside_quotes
verbatim_run = grounding.verbatim_run


def copies(sentence: str, sources: Iterable[str], words: int = VERBATIM_WORDS) -> str:
    """The copied span when a sentence shares ``words`` or more words in a row with a source, else ''."""
    run = verbatim_run(sentence, sources)
    return run if len(run.split()) >= words else ""


_FIRST_PERSON = re.compile(r"\b(?:we|we're|we've|we'll|our|ours|ourselves|us|I|I'm|I've|my|mine)\b", re.IGNORECASE)


def first_person(sentence: str) -> str:
    """The first-person word a sentence uses outside quotation marks ('' when none): the host never speaks as a
    source ("our evaluations team"). "US" (the country) and a Roman "I" in a name ("Phase I") are not first person."""
    text = outside_quotes(strip_citations(plain(sentence)))
    for match in _FIRST_PERSON.finditer(text):
        word = match.group(0)
        if word == "US" or (word == "I" and match.start() > 0 and text[match.start() - 1 : match.start()] == " "
                            and re.search(r"[A-Z][a-z]+ $", text[: match.start()])):
            continue
        return word
    return ""


# Words a finished sentence does not end on (a preposition may end one: "build on", "agreed to").
_DANGLING = re.compile(
    r"(?:\b(?:a|an|the|of|and|or|but|that|which|who|whose|as|is|are|was|were|its|their|his|her|than|with|from)|"
    r"[,;:(–]|(?<!\d)-)\s*[\"”’]?\s*(?:\d{1,3}%?)?\s*$", re.IGNORECASE)  # "14-9" is a score, not a cut-off;
# "..., from $2.91, a 35%." is one (the sample day)


# The writer's own bar for a line, stricter than grounding.fragment in its four words and end punctuation and looser
# in the rest: folding the two changes which drafted lines are dropped and which are flagged (a decision to measure).
def fragment(sentence: str) -> str:
    """Why a sentence is not a complete one ('' when it is): too short, or it stops on a word that needs more."""
    body = strip_citations(plain(sentence)).strip()
    core = re.sub(r"[.!?…\"”’)\]]+$", "", body).strip()
    if len(_tokens(core)) < 4:
        return "under four words"
    if re.search(r"\[\.\.\.\]|\.\.\.$|…$", body):
        return "cut off with an ellipsis"
    if grounding.ONLY_ATTRIBUTION.fullmatch(core):
        return "only an attribution"
    if grounding.cut_off(core):
        return f"a word cut off ('{core.split()[-1]}')"
    if _DANGLING.search(core):
        return f"stops at '{core.split()[-1]}'"
    if not re.search(r"[.!?][\"”’)]*$", body):
        return "has no end punctuation"
    return ""


# The host talking about the material instead of the news: "The article also mentions that ...", "..., which is not
# a source argument" (both measured on the sample day). "An article in The Wire" and "the source code" are news.
_META = re.compile(
    r"\b(?:the|this)\s+(?:article|excerpt|snippet|passage)s?\b(?!\s+(?:of|in)\s+the\s+(?:law|bill|act))"
    r"|\bthe\s+(?:given|provided)\s+(?:text|sources?|information|articles?)\b"
    r"|\bsource\s+(?:argument|material|text)s?\b"
    r"|\b(?:not|never)\s+(?:mentioned|stated|specified|given|provided|discussed)\s+in\s+the\b"
    r"|\bthe\s+sources?\s+(?:do|does|did)\s*(?:not|n[’']t)\b",
    re.IGNORECASE,
)


def meta_talk(sentence: str) -> str:
    """The words in which a sentence talks about its sources rather than the news ('' when none), outside quotes."""
    found = _META.search(outside_quotes(strip_citations(plain(sentence))))
    return found.group(0) if found else ""


# Words glued by a page flattened to text: a table's cells ("variantGauntletBench", "bf1658.3", "Q4_K_M57.3").
_GLUED = re.compile(r"\b[a-z]{4,}[A-Z][a-z]|\b[A-Za-z]{2}\d{3,}\.\d|_[A-Z]\d{2,}\.\d")


def garbled(sentence: str) -> str:
    """The glued words that show a sentence is page furniture or a flattened table, not prose ('' when none)."""
    found = _GLUED.findall(strip_citations(sentence))
    return ", ".join(found[:2])


def readable(text: str) -> str:
    """A source's text without its garbled sentences, so a model is never shown a flattened table to copy."""
    parts = re.split(r"(?<=[.!?])\s+", text)
    kept = [part for part in parts if not garbled(part)]
    return " ".join(kept) if len(kept) < len(parts) else text


def is_thin(title: str, text: str, chars: int = THIN_CHARS) -> bool:
    """A source that gives a headline and little more: its text, less any repeat of the headline, is short."""
    body = re.sub(r"\s+", " ", text or "").strip()
    head = re.sub(r"\s+", " ", title or "").strip()
    if head and body.lower().startswith(head.lower()):
        body = body[len(head):].strip(" .:-–")
    return len(body) < chars


@dataclass(frozen=True)
class Quote:
    text: str  # the words inside the quotation marks, verbatim
    speaker: str  # who said them, by name


_NAME = r"((?:[A-Z][\w.'’-]+)(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|der|da)){0,3})"
_SPEAKER_AFTER = re.compile(r"^[\s,]*(?:said|says|wrote|writes|added|told [\w ]{1,30}?)\s+" + _NAME)
_SPEAKER_AFTER_NAME = re.compile(r"^[\s,]*" + _NAME + r"\s+(?:said|says|wrote|writes|added)\b")
_SPEAKER_BEFORE = re.compile(_NAME + r"(?:,[^,\"“]{1,60},)?\s+(?:said|says|wrote|writes|added|told [\w ]{1,30}?)"
                             r"(?:\s+(?:that|it|the)[^\"“]{0,60})?[\s,:]*$")
_NOT_NAMES = frozenset({"The", "It", "He", "She", "They", "This", "That", "A", "An", "In", "On", "But", "And"})


def find_quotes(text: str, *, min_words: int = 5, max_words: int = 40) -> list[Quote]:
    """Quotations in a source text with a named speaker just before or after them ("X said", "said X")."""
    quotes: list[Quote] = []
    for match in _QUOTED.finditer(text):
        inner = match.group(0)[1:-1].strip().rstrip(",")
        count = len(inner.split())
        if not min_words <= count <= max_words:
            continue
        after = text[match.end(): match.end() + 80]
        before = text[max(0, match.start() - 120): match.start()]
        speaker = ""
        for pattern, where in ((_SPEAKER_AFTER, after), (_SPEAKER_AFTER_NAME, after), (_SPEAKER_BEFORE, before)):
            found = pattern.search(where)
            if found and found.group(1).split()[0] not in _NOT_NAMES:
                # A name match may run back over a sentence end ("the API. Analyst Ravi Patel"): keep the last one.
                speaker = re.split(r"(?<=\w\w)\.\s+", found.group(1))[-1].rstrip(".,")
                break
        if speaker:
            quotes.append(Quote(inner.rstrip(".,;") , speaker))
    return quotes


__all__ = ["DUPLICATE_SHARE", "THIN_CHARS", "VERBATIM_WORDS", "Placed", "Quote", "content_words", "copies",
           "find_quotes", "first_person", "fragment", "is_thin", "meta_talk", "near_duplicates", "outside_quotes",
           "overlap", "verbatim_run"]
