"""The spoken script: a segment's text rewritten for the ear, then checked in code.

One model call per segment (``prompts/script.j2``) rewrites the newsletter text as radio copy: contractions,
short sentences, no parentheses, numbers rounded for the ear, a paper said as what it is about, outlets named as
a person names them ("The Wire reports", "a post on Hacker News"). Then code makes sure, because a small model
does not always do what it is told:

- ``polish`` fixes what code can fix without changing a fact: citation markers and Markdown out, parentheses
  to commas, common contractions (never inside a quotation), sentences over 25 words said as two that stand
  alone (``split_long``), over-precise numbers rounded ("1,234,567" -> "about 1.2 million"), outlet names
  replaced by their spoken names;
- ``problems`` lists what code cannot fix: a number, name or quote the text does not have (the script adds no
  fact), a story of the text the script leaves out, a paper title read out in quotes, a script far shorter
  than its text. On any problem the model gets one retry told exactly what was wrong; if that fails too, the
  script is the code-made ear version of the text (``ear_version``) and the editor is told in a note.

The segment's intro and outro lines ("Now, research picks.") are made in code and joined around the script.
Speech normalization (digits and symbols to words) is the voice's job, at render time
(:mod:`pipeline.audio.normalize`): the script keeps "$2.5 billion" so an editor reads it as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, create_model

from pipeline.audio.normalize import money, percent
from pipeline.draft import grounding
from pipeline.draft.grounding import plain, strip_citations
from pipeline.errors import BudgetExceededError, LLMError

if TYPE_CHECKING:  # the writer imports this module; its Plan is only a type here
    from pipeline.config import Config
    from pipeline.draft.llm import LLMClient
    from pipeline.draft.writer import Plan

MAX_SENTENCE_WORDS = 25
MIN_SHARE = 0.45  # a script under this share of its text's words has dropped something


# -- what the model answers ---------------------------------------------------------------------------------------


class ScriptDraft(BaseModel):
    model_config = ConfigDict(extra="ignore")
    script: str = Field(min_length=1, max_length=4000)


@lru_cache(maxsize=64)
def script_schema(max_tokens: int) -> type[ScriptDraft]:
    """The script's schema for a call of ``max_tokens``: its length bound is above anything that many tokens can
    spell (8 characters a token), so no answer fails by construction; ``max_tokens`` is the real bound."""
    limit = max(600, max_tokens * 8)
    return create_model(f"ScriptDraft{limit}", __base__=ScriptDraft,
                        script=(str, Field(min_length=1, max_length=limit)))


class ScriptParts(BaseModel):
    model_config = ConfigDict(extra="ignore")
    parts: list[str]


@lru_cache(maxsize=16)
def parts_schema(count: int) -> type[ScriptParts]:
    """One spoken paragraph per paragraph of the text, exactly ``count`` (the grammar holds the model to it)."""
    return create_model(f"ScriptParts{count}", __base__=ScriptParts,
                        parts=(list[str], Field(min_length=count, max_length=count,
                                                json_schema_extra={"minItems": count, "maxItems": count})))


STRUCTURAL = ("it is too short", "it leaves out")  # problems a paragraph-by-paragraph retry cannot repeat


def script_tokens(text_words: int) -> int:
    """max_tokens for a script call: the rewrite is about as long as the text plus JSON. News text is dense in
    figures and model names (~1.7 tokens a word on the sample day's headlines, whose script was cut off twice at
    1.5), so the cap has room; it costs nothing unless used."""
    return max(160, min(1000, round(text_words * 2.2) + 60))


# -- cleaning text for the ear ----------------------------------------------------------------------------------------


def speakable(text: str) -> str:
    """Text ready to be read aloud: no [n], no Markdown, '$2.5bn' -> '2.5 billion dollars', '40%' -> '40 percent'."""
    text = strip_citations(plain(text))
    text = re.sub(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)", "", text, flags=re.MULTILINE)
    text = re.sub(r"https?://\S+", "", text)
    text = percent(money(text, digits=True), digits=True)  # the voice's own spellers, digits kept for the reader
    text = re.sub(r"\bv(\d+(?:\.\d+)*)\b", r"version \1", text)
    text = text.replace(" & ", " and ")
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> int:
    """Words in a text as spoken (citations and Markdown don't count)."""
    return len(re.findall(r"[\w’'][\w’'.\-]*", strip_citations(plain(text))))


_CONTRACTIONS = [
    (r"\b([Ii])t is\b", r"\1t's"), (r"\b([Tt])hat is\b", r"\1hat's"), (r"\b([Tt])here is\b", r"\1here's"),
    (r"\b([Ww])hat is\b", r"\1hat's"), (r"\b([Hh])ere is\b", r"\1ere's"), (r"\b([Ww])ho is\b", r"\1ho's"),
    (r"\b([Tt])hey are\b", r"\1hey're"), (r"\b([Ww])e are\b", r"\1e're"), (r"\b([Yy])ou are\b", r"\1ou're"),
    (r"\bI am\b", "I'm"), (r"\b([Ll])et us\b", r"\1et's"), (r"\b([Ii])t will\b", r"\1t'll"),
    (r"\b([Tt])hey will\b", r"\1hey'll"), (r"\b([Ww])e will\b", r"\1e'll"), (r"\bis not\b", "isn't"),
    (r"\bare not\b", "aren't"), (r"\bwas not\b", "wasn't"), (r"\bwere not\b", "weren't"), (r"\bdo not\b", "don't"),
    (r"\bdoes not\b", "doesn't"), (r"\bdid not\b", "didn't"), (r"\bhas not\b", "hasn't"),
    (r"\bhave not\b", "haven't"), (r"\bhad not\b", "hadn't"), (r"\bwill not\b", "won't"),
    (r"\bwould not\b", "wouldn't"), (r"\bcould not\b", "couldn't"), (r"\bshould not\b", "shouldn't"),
    (r"\bcan ?not\b", "can't"), (r"\b([Ii])t has been\b", r"\1t's been"),
    (r"\b([Ii]t|[Tt]hat|[Tt]here|[Ww]hat|[Tt]hey|[Ww]e|[Yy]ou|[Hh]e|[Ss]he) would\b", r"\1'd"),
    (r"\b([Tt]hat|[Tt]here|[Ww]hat|[Hh]e|[Ss]he|[Yy]ou) will\b", r"\1'll"),
    (r"\b([Tt]hey|[Ww]e|[Yy]ou|I) have(?=\s+\w+(?:ed|en|wn|ne|ot|ld)\b)", r"\1've"),
    (r"\b([Ww]ho|[Ii]t|[Tt]hat|[Hh]e|[Ss]he) has(?=\s+\w+(?:ed|en|wn|ne|ot|ld)\b)", r"\1's"),
    (r"\b([Hh]e|[Ss]he) is\b", r"\1's"),
    # "has still not published" -> "still hasn't published": the negation contracts, the adverb goes before it.
    (r"\b(has|have|had|is|are|was|were|does|do|did|would|could|should) (still|also) not\b", r"\2 \1n't"),
    (r"\b([Ww]ould|[Cc]ould|[Ss]hould|[Mm]ight|[Mm]ust) have(?=\s+\w+(?:ed|en|wn|ne|ot|ld)\b)", r"\1've"),
    (r"\b([Tt]here|[Ww]hat|[Hh]ere) has been\b", r"\1's been"),
]
_CONTRACTION_RES = [(re.compile(pattern + r"(?=\s+[\w$€£])"), repl) for pattern, repl in _CONTRACTIONS]
# A quotation is someone's words: never contracted, never cut. Double quotes, or single ones that open before a
# letter and close after a word ("the 'open weights isn't open source' argument"; "the '90s", "the models'
# authors": apostrophes, not quote marks).
_QUOTATION = re.compile(r"[\"“][^\"”\n]*[\"”]|(?<![\w'’])['‘](?=[^\W\d_])[^\n]*?(?<=[\w.,!?])['’](?![\w'’])")
_ROUNDERS = re.compile(
    r"\b(?:about|around|roughly|nearly|almost|some|over|more than|just under|just over|close to)\s*$", re.IGNORECASE
)


# Words whose "'s" is "is" or "has", never a possessive ("today's", "the model's" may be either: not counted).
_PRONOUNS = {"it", "that", "there", "what", "here", "who", "he", "she", "let", "where", "how"}


def quotations(text: str) -> list[tuple[int, int]]:
    """Where the quotations of ``text`` are (start, end)."""
    return [match.span() for match in _QUOTATION.finditer(text)]


def outside_quotes(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the text between quotations, the quotations kept as written."""
    out, at = [], 0
    for start, end in quotations(text):
        out += [change(text[at:start]), text[start:end]]
        at = end
    return "".join([*out, change(text[at:])])


# "how easy it is to remove", "how big it is now": a pronoun and its "is"/"are" after a wh-word and a word or two
# keep their full form (measured on the sample day: "how easy it's to remove").
_WH_BEFORE = re.compile(r"\b(?:how|what|where|who|whatever|wherever|however|no matter how)\s+(?:[\w-]+\s+){0,2}$",
                        re.IGNORECASE)
_VERB_NEXT = re.compile(r"\s+\w+(?:ing|ed)\b")  # "what it's doing", "where they're headed": contracted as ever
_FULL_AFTER_WH = re.compile(r"^(?:it|that|there|they|we|you|he|she)\s+(?:is|are)\b", re.IGNORECASE)


def _contract(text: str) -> str:
    for pattern, repl in _CONTRACTION_RES:
        def one(match: re.Match[str], repl: str = repl) -> str:
            if (_FULL_AFTER_WH.match(match.group(0)) and _WH_BEFORE.search(match.string[: match.start()])
                    and not _VERB_NEXT.match(match.string[match.end():])):
                return match.group(0)
            return match.expand(repl)

        text = pattern.sub(one, text)
    return text


def contract(text: str) -> str:
    """Common contractions, as a person says them ("it is" -> "it's"); never before a full stop ("as it is."),
    never inside a quotation (someone's words stay theirs)."""
    return outside_quotes(text, _contract)


def contractions_per_100(text: str) -> float:
    """Contractions per 100 words: n't, 're, 'll, 've, 'd, 'm, and 's after a pronoun ("it's", "that's"); a noun's
    's ("Forge's", "today's") is counted as the possessive it usually is."""
    count = sum(1 for match in re.finditer(r"\b(\w+)['’](s|re|ll|ve|d|m|t)\b", text)
                if match.group(2) != "s" or match.group(1).lower() in _PRONOUNS)
    total = words(text)
    return 100 * count / total if total else 0.0


def _unparenthesize(text: str) -> str:
    text = re.sub(r"\s*\(([^()]*)\)", lambda m: f", {m.group(1).strip()}," if m.group(1).strip() else "", text)
    text = re.sub(r"\s*\[[^\]]*\]", "", text)
    text = text.replace("(", "").replace(")", "")
    text = re.sub(r",\s*([.!?;:])", r"\1", text)
    return re.sub(r",\s*,", ",", text)


def _round_number(match: re.Match[str]) -> str:
    """'1,234,567' -> 'about 1.2 million', '3,412' -> 'about 3,400', '78.93' -> 'about 79'; round numbers stay."""
    cur, raw = match.group(1) or "", match.group(2)
    value = float(raw.replace(",", ""))
    before = match.string[: match.start()]
    prefix = "" if _ROUNDERS.search(before) else "about "
    if value >= 1_000_000:
        scaled, name = (value / 1e9, "billion") if value >= 1e9 else (value / 1e6, "million")
        spoken = f"{scaled:.1f}".rstrip("0").rstrip(".")
        if abs(scaled - float(spoken)) < 1e-9:
            return f"{cur}{spoken} {name}"
        return f"{prefix}{cur}{spoken} {name}"
    if value >= 10_000 and "," in raw:
        rounded = round(value, -3 if value >= 100_000 else -2)
        return match.group(0) if rounded == value else f"{prefix}{cur}{rounded:,.0f}"
    if "." in raw and value >= 10:
        rounded = round(value)
        return f"{cur}{rounded}" if abs(rounded - value) < 1e-9 else f"{prefix}{cur}{rounded}"
    return match.group(0)


_PRECISE = re.compile(r"(?<![\w.\-])([$€£])?(\d{1,3}(?:,\d{3})+|\d+\.\d+)(?![\w.]*\d)(?![\w\-])")


def round_for_ear(text: str) -> str:
    """Over-precise numbers rounded as a newsreader rounds them; versions, years and names untouched."""
    text = _PRECISE.sub(lambda m: m.group(0) if _in_name(m) else _round_number(m), text)
    return re.sub(r"\b[Aa]n? (about \$?\d)", r"\1", text)  # "a 98.1% score" -> "about 98% score", not "a about"


def _in_name(match: re.Match[str]) -> bool:
    before = match.string[max(0, match.start() - 1) : match.start()]
    after = match.string[match.end() : match.end() + 1]
    return before.isalpha() or before in ("-", "v", "V") or after in ("x", "×") or after.isalpha()


# After ", and" a new sentence needs its own subject: a determiner, a pronoun, a name or a number.
_SUBJECT = re.compile(r"(?:the|a|an|it|its|they|their|this|that|these|those|he|she|we|there|some|many|most|all|no|"
                      r"one|two|three|each|both|others)\b|[A-Z0-9$€£]")
_CLAUSE_CUT = re.compile(r";\s+|\s+[—–]\s+|,\s+(?P<conj>and|but|so|yet|while)\s+")
_WHICH = re.compile(r",\s+which\s+(is|was|are|were|has|had|\w+s)\b\s*")
_WHICH_SAID = {"is": "That's", "was": "That was", "are": "They're", "were": "They were", "has": "That has",
               "had": "That had"}
_LEADS_OFF = re.compile(r"(?i:for|with|from|in|on|at|by|to|of|including|as|after|before|like|such|than|via|per|"
                        r"especially|mostly|mainly|even|not|only)\b")
_CHANGE = re.compile(r",\s+(up|down)\s+from\s+")
# "..., and scrapped a clause": a second verb of the sentence's subject, said again with that subject.
_PREDICATE = re.compile(r",?\s+(?P<conj>and|but)\s+(?P<verb>[a-z]\w+)\s+")
_SUBJECT_HEAD = re.compile(
    r"^(?P<subject>It|They|He|She|We|(?:The\s+[a-z]\w+)|(?:The\s+)?(?:[A-Z][\w.\-]*\s+){0,3}[A-Z][\w.\-]*)\s+"
    r"(?:(?P<aux>has|have|had|will|would|can|could)\s+)?(?P<verb>[a-z]\w+)\b"
)
_PAST = {"held", "made", "said", "told", "took", "gave", "won", "led", "sold", "built", "began", "became", "kept",
         "left", "lost", "paid", "rose", "fell", "grew", "found", "spent", "sent", "wrote", "cut", "put", "set",
         "hit", "met", "ran", "drew", "chose", "shut", "brought", "bought", "sought", "taught", "beat", "shown",
         "known", "grown", "given", "taken", "written", "done", "seen", "begun", "drawn", "chosen"}
_NOT_VERB = {"also", "then", "now", "still", "its", "their", "his", "her", "this", "that", "these", "those", "other"}
_MODAL = re.compile(r"\b(\w+)\s+that\s*(?P<modal>'d|’d|would|will|could|can|may)\s+[a-z]\w+\b")
# "that exempts X and reduces Y": a relative clause's two present-tense verbs ("It also reduces Y").
_THAT_VERB = re.compile(r"\b(\w+)\s+that\s+[a-z]+[^s\W]s\b")
# ", but commercial developers would still be covered": a subject of a few words before its auxiliary.
_NOUN_THEN_AUX = re.compile(r"(?:[a-z][\w'’\-]*\s+){1,3}(?:would|will|is|are|was|were|has|have|had|can|could|"
                            r"may|might|must|should)\b")
# "Aurora-3, their most capable model, by 60 percent": a name's description, said as a sentence of its own.
_APPOSITION = re.compile(r"(?P<name>(?:[A-Z][\w.\-]*\s+){0,2}[A-Z][\w.\-]*),\s+"
                         r"(?P<what>(?:the|a|an|its|their|his|her)\s+[^,;:]{3,70}?)(?P<end>,\s+|[.!?]?$)")


_RELATIVE = re.compile(r"\b(?:that|which|who|whom|whose|when|where|because|if|after|before|as)\b")
_OPENERS = {"Today", "Now", "Yesterday", "Tomorrow", "Meanwhile", "Also", "Separately", "Earlier", "Later",
            "Finally", "Still", "Then", "In", "On", "At", "After", "Before", "Last", "This", "That", "These", "Those",
            "And", "But", "So", "As", "For", "With", "By", "From", "Under", "Over", "Since"}


_AUXILIARIES = {"is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can", "could",
                "may", "might", "must", "should", "shall", "does", "do", "did"}
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "your", "of", "and", "or", "these", "those",
                "many", "some", "all", "most", "few", "several", "both", "other", "new", "two", "three", "four"}


def _finite(clause: str, verb: str | None = None) -> bool:
    """Does a clause have a verb of its own: an auxiliary, a contraction, a past tense, or an -s verb that is not a
    plural noun after "the" ("the maintainers")? ``verb``: that -s word only. Leans to "no": a cut not made is a
    long sentence, a cut made wrongly is a fragment."""
    tokens = re.findall(r"[\w'’.\-]+", clause)
    for i, token in enumerate(tokens):
        word = token.lower().strip(".")
        if verb is not None and word != verb:
            continue
        before = tokens[i - 1].lower() if i else ""
        following = tokens[i + 1].lower().strip(".,") if i + 1 < len(tokens) else ""
        if word in _AUXILIARIES or re.search(r"(?:n't|n’t|'re|’re|'ve|’ve|'ll|’ll|'d|’d)$", word):
            return True
        if word[:1].isupper() or token[:1].isupper():
            continue
        if (word.endswith("ed") or word in _PAST) and before not in ("the", "a", "an", "its", "their"):
            return True
        if (_tense(word) == "s" and before not in _DETERMINERS and not before[:1].isdigit()
                and following not in _AUXILIARIES and _tense(following) != "past"
                and following not in ("say", "expect", "believe", "think", "estimate", "call", "see")):
            return True
    return False


def _subject_ok(subject: str, aux: str | None, verb: str) -> bool:
    """Is the sentence's opening its subject, so that it can be said again? Not an opener ("Today Northwind ...");
    a lower-case noun ("The company") only before an unmistakable verb ("has", "raised"), not "The new models"."""
    if subject.split()[0] in _OPENERS:
        return False
    if re.match(r"The\s+[a-z]", subject):  # "The authors achieve" is a subject and its verb; "The new models" is not
        plural = _tense(subject.split()[-1]) == "s" and _tense(verb) == "bare"
        return bool(aux) or _tense(verb) == "past" or plural
    return True


# ", bringing offline workloads to 24 cents" -> ". That brings ..."; ", while increasing X" -> ". They also increase X"
_PARTICIPLE = {"bringing": "bring", "making": "make", "giving": "give", "leaving": "leave", "putting": "put",
               "pushing": "push", "raising": "raise", "lifting": "lift", "lowering": "lower", "cutting": "cut",
               "doubling": "double", "tripling": "triple", "halving": "halve", "marking": "mark", "ending": "end",
               "topping": "top", "increasing": "increase", "reducing": "reduce", "adding": "add", "keeping": "keep",
               "requiring": "require", "forcing": "force", "meaning": "mean"}
_RESULT = {"bringing", "making", "giving", "leaving", "putting", "pushing", "raising", "lifting", "lowering",
           "cutting", "doubling", "tripling", "halving", "marking", "topping", "requiring", "forcing", "meaning"}
# ", as it requires ...", ", because the bill ...": the reason said as a sentence of its own ("That's because ...").
_BECAUSE = re.compile(r",\s+(?:as|because|since)\s+(?=(?:it|they|the|this|these|its|their|he|she)\b)")
_PARTICIPLE_CUT = re.compile(r",\s+(?P<while>while\s+)?(?P<verb>" + "|".join(_PARTICIPLE) + r")\s+")


def _third_person(base: str) -> str:
    return base + ("es" if re.search(r"(?:s|sh|ch|x|z)$", base) else "s")


def _tense(verb: str) -> str:
    if verb.endswith("ed") or verb in _PAST:
        return "past"
    if verb.endswith("s") and not verb.endswith("ss"):
        return "s"
    return "bare"


def _sentence(head: str) -> str:
    head = head.rstrip(",;:—– ")
    return head if head.endswith((".", "!", "?")) else head + "."


def _capital(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _cuts(sentence: str) -> Iterable[tuple[int, str, str]]:
    """Every place a long sentence could become two that stand alone: (where, first, second)."""
    for match in _CLAUSE_CUT.finditer(sentence):
        head, rest = sentence[: match.start()], sentence[match.end() :]
        conj = match.group("conj")
        if _LEADS_OFF.match(rest):
            continue  # "; for researchers and hobbyists alike": a phrase, not a clause of its own
        if conj:
            if re.search(r",\s*\S+(?:\s+\S+)?$", head):
                continue  # "1B, 3B, and 7B": a list, not two clauses
            if not _SUBJECT.match(rest) and not _NOUN_THEN_AUX.match(rest):
                continue  # ", and adds ...": no subject of its own (a second verb: see _PREDICATE)
            # ", while the best agent completes 41%": the contrast is in the two facts side by side.
            rest = rest if conj == "while" else f"{conj} {rest}"
        if not _finite(rest):
            continue  # "..., and the maintainers of the Forge engine": the last item of a list, not a clause
        yield match.start(), _sentence(head), _capital(rest)
    for match in _WHICH.finditer(sentence):
        verb = match.group(1)  # ", which is about a fifth" -> ". That's about a fifth"; ", which needs" -> ". It needs"
        if verb not in _WHICH_SAID and (verb in _NOT_VERB or not _finite(sentence[match.start(1) :], verb)):
            continue  # ", which its maintainers say ...", ", which analysts expect ...": not a verb of "which"
        said = _WHICH_SAID.get(verb, f"It {verb}")
        yield match.start(), _sentence(sentence[: match.start()]), f"{said} {sentence[match.end():].strip()}"
    for match in _BECAUSE.finditer(sentence):
        rest = sentence[match.end() :]
        if _finite(rest):
            yield match.start(), _sentence(sentence[: match.start()]), f"That's because {rest}"
    for match in _CHANGE.finditer(sentence):  # ", down from $1.20" -> ". That's down from $1.20"
        yield (match.start(), _sentence(sentence[: match.start()]),
               f"That's {match.group(1)} from {sentence[match.end():].strip()}")
    head_match = _SUBJECT_HEAD.match(sentence)
    if head_match and head_match.group("verb") not in _NOT_VERB and _subject_ok(*head_match.group("subject", "aux",
                                                                                                  "verb")):
        subject, aux, first = head_match.group("subject", "aux", "verb")
        for match in _PREDICATE.finditer(sentence, head_match.end()):
            verb, rest = match.group("verb"), sentence[match.end() :]
            if aux and verb == aux:  # "It would require X, and would require Y": "It would also require Y"
                verb, _, rest = rest.partition(" ")
            after = rest.split(" ", 1)[0].strip(",.")
            if (verb in _NOT_VERB or verb in _AUXILIARIES or _tense(verb) != _tense(first)
                    or (_tense(verb) == "bare" and not aux)
                    or _tense(after) == "past" or after in ("is", "are", "was", "were", "has", "have", "will")):
                continue  # "and prices rose": a new subject, not a second verb
            if not match.group(0).startswith(",") and _RELATIVE.search(sentence[head_match.end() : match.start()]):
                continue  # "the models that users wanted and liked": the verb is the clause's, not the subject's
            if match.group("conj") == "but":
                who = subject.lower() if subject in ("It", "They", "He", "She", "We") else subject
                tail = f"But {who} {aux + ' ' if aux else ''}{verb} {rest}"
            else:
                tail = f"{subject} {aux + ' ' if aux else ''}also {verb} {rest}"
            yield match.start(), _sentence(sentence[: match.start()]), tail
    for match in _PREDICATE.finditer(sentence):  # "an amendment that would exempt X and shorten Y"
        if match.group("conj") != "and":
            continue
        modal = [m for m in _MODAL.finditer(sentence[: match.start()])]
        verb = match.group("verb")
        present = [m for m in _THAT_VERB.finditer(sentence[: match.start()])]
        if not modal and present and _tense(verb) == "s" and verb not in _NOT_VERB:
            noun = present[-1].group(1)
            pronoun = "They" if noun.endswith("s") and not noun.endswith("ss") else "It"
            yield (match.start(), _sentence(sentence[: match.start()]),
                   f"{pronoun} also {verb} {sentence[match.end():]}")
            continue
        if not modal or verb in _NOT_VERB or _tense(verb) != "bare":
            continue
        noun, said = modal[-1].group(1), modal[-1].group("modal").lstrip("'’")
        said = {"d": "would"}.get(said, said)
        pronoun = "They" if noun.endswith("s") and not noun.endswith("ss") else "It"
        yield (match.start(), _sentence(sentence[: match.start()]),
               f"{pronoun} {said} also {verb} {sentence[match.end():]}")
    for match in _PARTICIPLE_CUT.finditer(sentence):
        verb, rest = match.group("verb"), sentence[match.end() :]
        base = _PARTICIPLE[verb]
        if match.group("while"):  # the subject's second verb, said with the subject
            if not (head_match and _subject_ok(*head_match.group("subject", "aux", "verb"))):
                continue
            subject, aux, first = head_match.group("subject", "aux", "verb")
            if _tense(first) == "past" and not aux:
                continue  # "X rose, while cutting ...": a past tense to make; not guessed
            said = base if aux or _tense(first) == "bare" else _third_person(base)
            tail = f"{subject} {aux + ' ' if aux else ''}also {said} {rest}"
        elif verb in _RESULT:  # what the clause before did: "That brings ..."
            tail = f"That {_third_person(base)} {rest}"
        else:
            continue
        yield match.start(), _sentence(sentence[: match.start()]), tail
    for match in _APPOSITION.finditer(sentence):
        name, what = match.group("name"), match.group("what").strip()
        while name.split()[0] in _OPENERS and " " in name:  # "In Brussels, the agency's home town,"
            name = name.split(" ", 1)[1]
        if name in _OPENERS or len(what.split()) < 3:
            continue  # a word or two (", the CEO,") reads fine where it is
        if re.match(r"(?:and|or|nor)\b", sentence[match.end() :]):
            continue  # "Forge, the Lumen team, and Helix": a list, not a name and its description
        if match.group("end").startswith(","):  # in the middle: said after the sentence, with the name
            head = sentence[: match.end("name")] + " " + sentence[match.end() :]
            yield match.end("name"), head, f"{name} is {what}."
        else:  # at the end: ". That's the fictional bill introduced in January"
            yield match.end("name"), _sentence(sentence[: match.end("name")]), f"That's {_sentence(what)}"


def split_long(sentence: str, most: int = MAX_SENTENCE_WORDS) -> list[str]:
    """A sentence over ``most`` words said as two (or more) that each stand alone, cut where a newsreader
    would: a semicolon or dash; ", and" or ", but" before a clause with its own subject; ", while" between two
    facts; ", which is" ("That's ..."); ", down from" ("That's down from ..."); a second verb of the subject
    ("Helix has returned ... and scrapped ..." -> "Helix has also scrapped ..."); a name's description ("Aurora-3,
    their most capable model," -> "Aurora-3 is their most capable model."). Never inside a quotation, never
    leaving a fragment (grounding's own test of one) or a piece under five words; the cut leaving the shorter
    longest piece wins. Sentences that cannot be cut stay whole."""
    count = len(sentence.split())
    if count <= most:
        return [sentence]
    quoted = quotations(sentence)
    best: tuple[int, str, str] | None = None
    for where, head, tail in _cuts(sentence):
        if any(start <= where < end for start, end in quoted):
            continue
        sizes = (len(head.split()), len(tail.split()))
        if min(sizes) < 5 or max(sizes) >= count:
            continue
        if grounding.fragment(head) or grounding.fragment(tail):
            continue
        if best is None or max(sizes) < best[0]:
            best = (max(sizes), head, tail)
    if best is None:
        return [sentence]
    return [*split_long(best[1], most), *split_long(best[2], most)]


def sentences_of(script: str) -> list[str]:
    from pipeline.audio.normalize import split_sentences

    return [s for line in script.splitlines() for s in split_sentences(line)]


# -- outlets as a person says them --------------------------------------------------------------------------------


def spoken_outlet(name: str, kind: str = "other", spoken_name: str | None = None) -> str:
    """How the host names an outlet: "Forge releases (GitHub)" -> "Forge's release notes on GitHub", "HN AI front
    page" -> "a post on Hacker News" (an aggregator is where a post was seen, never the source of a claim),
    "arXiv cs.CL" -> "a paper on arXiv", "The Wire (AI)" -> "The Wire"."""
    if spoken_name:
        return spoken_name
    base = re.sub(r"\s*\([^)]*\)", "", name).strip()
    base = re.sub(r"^(\S+\s+\S+.*?)\s*:\s*[\w &]{1,20}$", r"\1", base).strip()  # "The Circuit: AI": said "The Circuit"
    if kind == "aggregator":
        site = "Hacker News" if re.match(r"(?i)^(hn\b|hacker news)", base) else re.sub(
            r"(?i)\s+(front page|ai|llm|top|new|best)\b.*$", "", base) or base
        return f"a post on {site}"
    if kind == "arxiv" or base.lower().startswith("arxiv"):
        return "a paper on arXiv"
    if kind == "github" or "(github)" in name.lower():
        project = re.sub(r"(?i)\s+releases?$", "", base)
        return f"{project}'s release notes on GitHub"
    base = re.sub(r"(?i)\s+(?:ai|blog|news|newsletter)$", "", base) if len(base.split()) > 1 else base
    return base


def outlet_names(config: Config, outlets: Iterable[str]) -> list[tuple[str, str]]:
    """(written, spoken) for each outlet the segment cites, from the show's sources (kind, ``spoken_name``)."""
    by_name = {source.name: source for source in config.sources}
    pairs: list[tuple[str, str]] = []
    for outlet in dict.fromkeys(outlets):
        source = by_name.get(outlet)
        spoken = spoken_outlet(outlet, source.kind if source else "other", source.spoken_name if source else None)
        pairs.append((outlet, spoken))
    return pairs


def _outlet_patterns(written: str) -> list[str]:
    base = re.sub(r"\s*\([^)]*\)", "", written).strip()
    forms = [written, base] if base and base != written else [written]
    if re.match(r"(?i)^hn\b", base):
        forms.append("HN")
    return [re.escape(form) for form in sorted(set(forms), key=len, reverse=True)]


def speak_outlets(script: str, names: list[tuple[str, str]]) -> str:
    """Outlet names in the script replaced by their spoken names ("according to HN AI front page" -> "according
    to a post on Hacker News"); a spoken name that opens a sentence gets its capital."""
    for written, spoken in names:
        if written == spoken:
            continue
        pattern = re.compile(r"(?<![\w'])(?:the\s+)?(?:" + "|".join(_outlet_patterns(written)) + r")(?![\w'])",
                             re.IGNORECASE)

        def replace(match: re.Match[str], spoken: str = spoken) -> str:
            before = match.string[: match.start()].rstrip()
            opens = not before or before[-1] in ".!?"
            return spoken[:1].upper() + spoken[1:] if opens else spoken

        script = pattern.sub(replace, script)
    return script


# -- polish and checks ------------------------------------------------------------------------------------------------


_TITLED = re.compile(r",?\s*(?:titled|entitled|called|named)\s+[\"“][^\"”]{3,}[\"”],?", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")


_WORD = re.compile(r"[A-Za-z][\w'’.\-]*[\w]|[A-Za-z]")


def recase(script: str, text: str) -> str:
    """A script given back in lower case with the text's capitals restored: every word the text only ever writes
    capitalised mid-sentence ("Northwind", "AI", "Aurora-3") in its case, and each sentence's first letter up.
    Measured on the sample day: the headlines' script came back "today northwind ai lowered the price of aurora-3",
    which the voice reads "eye" for AI."""
    bare = strip_citations(plain(text))
    cased: dict[str, str] = {}
    lowered: set[str] = set()
    for match in _WORD.finditer(bare):
        word = match.group(0)
        before = bare[: match.start()].rstrip()
        starts = not before or before[-1] in ".!?:\"“"
        if word == word.lower():
            lowered.add(word)
        elif not starts:
            cased.setdefault(word.lower(), word)
    fixed = _WORD.sub(lambda m: cased.get(m.group(0), m.group(0)) if m.group(0) not in lowered
                      and m.group(0) == m.group(0).lower() else m.group(0), script)
    return re.sub(r"(^|[.!?][\"”’)]*\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), fixed)


def polish(script: str, names: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    """What code can fix in a script without touching a fact (see the module docstring)."""
    text = strip_citations(plain(script))
    text = re.sub(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)", "", text, flags=re.MULTILINE)
    text = re.sub(r"https?://\S+", "", text)
    text = _TITLED.sub("", text)
    text = speak_outlets(text, list(names))  # before the parentheses go: "Forge releases (GitHub)" is one name
    text = _unparenthesize(text)
    text = round_for_ear(text)
    text = contract(text)
    out: list[str] = []
    for sentence in sentences_of(text):
        out += split_long(sentence)
    return re.sub(r"[ \t]+", " ", contract(" ".join(out))).strip()  # a cut may say "It would also ..."


def _known_index(text: str, known: str) -> grounding.SourceIndex:
    return grounding.SourceIndex.of([strip_citations(plain(text)), known])


def _rounded_in_text(claim: grounding.Claim, sentence: str, numbers: list[float]) -> bool:
    """A number the script rounded ("about 1.2 million" for 1,234,567) rests on the text's precise one."""
    if claim.value is None:
        return False
    at = sentence.find(claim.span)
    qualified = at >= 0 and _ROUNDERS.search(sentence[:at])
    tolerance = 0.06 if qualified else 0.005
    return any(math.isclose(claim.value, value, rel_tol=tolerance) for value in numbers)


def added_facts(script: str, text: str, known: str = "") -> list[str]:
    """Numbers, names and quotes in the script that the segment's text does not have."""
    index = _known_index(text, known)
    numbers = [float(key) for key in index.numbers if not key.startswith("%")]
    added: list[str] = []
    for sentence in sentences_of(script):
        for claim in grounding.claims_of(sentence):
            if grounding.supported(claim, index):
                continue
            if claim.kind == "number" and _rounded_in_text(claim, sentence, numbers):
                continue
            if claim.span not in added:
                added.append(claim.span)
    return added


def dropped_stories(script: str, paragraphs: list[str]) -> list[int]:
    """Indexes of the text's story paragraphs that the script says nothing distinctive of (no name or number), or,
    for a paragraph with neither, not most of its words (the debate's "Today's reports make little of a case that
    open AI is keeping up.", left out of the sample day's script, which then argued one side only)."""
    from pipeline.draft import editorial

    said = _known_index(script, "")
    spoken = editorial.content_words(script)
    missing: list[int] = []
    for index, paragraph in enumerate(paragraphs):
        claims = [c for s in grounding.split_sentences(paragraph) for c in grounding.claims_of(s)
                  if c.kind in ("entity", "number", "attribution")]
        # Only what this paragraph alone says tells it was kept (measured on the sample day: the case against,
        # left out, counted as said because its "AI" was in the script).
        others = _known_index("\n".join(p for i, p in enumerate(paragraphs) if i != index), "")
        claims = [c for c in claims if not grounding.supported(c, others)] or claims
        mine = set() if claims else editorial.content_words(paragraph)
        if (any(grounding.supported(claim, said) for claim in claims) if claims
                else len(mine & spoken) >= 0.6 * len(mine)):
            continue
        missing.append(index)
    return missing


def is_title(quoted: str, source_titles: Iterable[str] = ()) -> bool:
    """Is a quoted span a title (a paper's, a post's) rather than someone's words? Title Case, or a source's title."""
    parts = quoted.split()
    if len(parts) < 4:
        return False
    squashed = re.sub(r"\W+", "", quoted.lower())
    if any(squashed and squashed in re.sub(r"\W+", "", title.lower()) for title in source_titles):
        return True
    long = [w for w in parts if len(w.strip(",.:;!?")) >= 4]
    return bool(long) and sum(w[:1].isupper() for w in long) >= 0.7 * len(long)


def problems(script: str, text: str, *, known: str = "", paragraphs: list[str] | None = None,
             source_titles: Iterable[str] = ()) -> list[str]:
    """What is wrong with a polished script, in words the model can act on; empty when it is fine."""
    found: list[str] = []
    added = added_facts(script, text, known)
    if added:
        found.append("it says things the draft does not: " + ", ".join(repr(a) for a in added[:6])
                     + ". Use only the draft's facts")
    if paragraphs and len(paragraphs) > 1:
        missing = dropped_stories(script, paragraphs)
        if missing:
            found.append("it leaves out " + "; ".join(repr(_gist(paragraphs[i])) for i in missing[:3])
                         + ". Keep every story")
    if script.strip() and broken_off(script):
        found.append(f"it breaks off mid-sentence ({script.strip()[-40:]!r}): end every sentence")
    titles = [q for q in _QUOTED.findall(script) if is_title(q, source_titles)]
    if titles:
        found.append(f"it reads a title aloud ({titles[0]!r}): say what the paper or post is about instead")
    if words(script) < MIN_SHARE * words(text):
        found.append(f"it is too short ({words(script)} words for a draft of {words(text)}): keep every fact")
    return found


def broken_off(script: str) -> bool:
    """Whether a script stops mid-sentence: no full stop at its end, or its last word needs more ("As CEO Dana
    Okafor put it,", measured on the sample day: a quotation mark ended the model's JSON string)."""
    body = script.strip()
    if not re.search(r"[.!?…][\"”’')\]]*$", body):
        return True
    core = re.sub(r"[.!?…\"”’')\]]+$", "", body).strip()
    return bool(grounding.DANGLING.search(core) or grounding.cut_off(core))


def _gist(paragraph: str) -> str:
    first = grounding.split_sentences(paragraph)[:1]
    return strip_citations(first[0])[:90] if first else paragraph[:90]


def ear_version(text: str, names: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    """The code-made script: the text itself, cleaned and polished for the ear (adds nothing, drops nothing)."""
    return polish(speakable(speak_outlets(strip_citations(text), list(names))), names)


# -- writing the script -----------------------------------------------------------------------------------------------


@dataclass
class Spoken:
    """A segment's script and what the editor should know about how it was made."""

    script: str
    notes: list[str] = field(default_factory=list)
    from_text: bool = False  # True: the code-made ear version (the model's script failed its checks)
    budget_spent: bool = False


TRANSITIONS = re.compile(r"^(?:now|next|turning|turn to|moving on|meanwhile|over to|let's|on to|and now|time for|"
                         r"switching|finally|to close|before we go|that's|first|here's|here is)\b", re.IGNORECASE)


def _said(text: str) -> str:
    """A line as it is heard: lower case, punctuation gone ("Now, top headlines." -> "now top headlines")."""
    return re.sub(r"\W+", " ", text).strip().lower()


def drop_repeated_intro(body: str, intro: str, show: str = "") -> str:
    """The model's script without opening sentences that repeat the code-made intro ("Now, top headlines.") or
    only name the show ("The AI Daily Brief. Let's start with top headlines.", measured)."""
    if not intro:
        return body
    key = _said(intro)
    said = {key, key.removeprefix("now "), _said(show)} - {""}
    for _ in range(2):
        first, _, rest = body.partition(". ")
        if _said(first) not in said or not rest.strip():
            break
        body = rest.strip()
    return body


def drop_repeated_outro(body: str, outro: str) -> str:
    """The model's script without a last sentence that repeats the code-made outro ("That's it for top headlines.")."""
    head, _, last = body.rstrip().rpartition(". ")
    if outro and head and _said(last) == _said(outro):
        return head.rstrip() + "."
    return body


def _join(intro: str, body: str, outro: str) -> str:
    return " ".join(part.strip() for part in (intro, body, outro) if part and part.strip())


def write_script(config: Config, llm: LLMClient, plan: Plan, text: str, *, intro: str = "", outro: str = "",
                 known: str = "", model: bool = True) -> Spoken:
    """The segment's script: one model call from ``text``, polished and checked; one retry naming the problems;
    else the code-made ear version of the text, with a note. ``intro``/``outro`` are code-made lines joined around
    it (the segment's opening line, the show's greeting or goodbye); ``known`` is what may be said besides the

    text (the show's and host's names). ``model=False``: the ear version only, no call (lines already written to
    be said, such as the cold open's three)."""
    from pipeline.draft.prompts import as_data, render
    from pipeline.kinds import KINDS

    names = outlet_names(config, [ref.outlet for ref in plan.sources])
    if not model:
        return Spoken(_join(intro, ear_version(text, names), outro))
    # Story by story (and the debate's sides), each paragraph or quick-hits bullet is one story: keep every one.
    kind = KINDS.get(plan.spec.kind)
    paragraphs = ([p for p in re.split(r"\n\s*\n|\n(?=- )", text.strip()) if p.strip()]
                  if kind is not None and kind.mode in ("per_story", "debate") else [])
    allowed = "\n".join([known, intro, outro, *(spoken for _, spoken in names)])  # "a post on Hacker News"
    clean = strip_citations(text)
    spoken_names = [{"written": as_data(w), "spoken": s} for w, s in names if w != s]
    problems_seen: list[str] = []
    notes: list[str] = []
    max_tokens = script_tokens(words(text))
    blocks = [strip_citations(p).strip(" -") for p in re.split(r"\n\s*\n|\n(?=- )", text.strip()) if p.strip()]
    for attempt in (1, 2):
        # A beats segment's script that came back a summary is asked again paragraph by paragraph: one spoken part
        # for each of the text's. Measured on the sample day: the deep dive's free retry was a summary again (the
        # text was read aloud), by parts it kept every beat; the policy segment's free retry, told which stories it
        # left out, kept them all, and by parts shortened each: story segments keep the free retry.
        by_part = (attempt == 2 and not paragraphs and len(blocks) > 1
                   and any(p.startswith(STRUCTURAL) for p in problems_seen))
        schema: type[BaseModel] = parts_schema(len(blocks)) if by_part else script_schema(max_tokens)
        user = render(config, "script.j2", text=as_data(clean), previous=plan.previous, first=plan.first,
                      last=plan.last, segment=plan.spec, target_words=max(40, words(text)), outlets=spoken_names,
                      intro=intro, outro=outro, problems=problems_seen, stories=len(paragraphs),
                      parts=[as_data(b) for b in blocks] if by_part else [])
        messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
        try:
            # No copy guard here (llama_serve.CopyGuard): measured with the <draft> guarded on the sample day, the
            # model evaded it with markup ("four-year-<br>old") and merged two facts, for 1.2 contractions per 100
            # words against 1.0.
            answer = llm.structured(messages, schema, purpose=f"script:{plan.spec.id}" + ("" if attempt == 1 else
                                    ":retry"), max_tokens=max_tokens)
        except BudgetExceededError as exc:
            return Spoken(
                _join(intro, ear_version(text, names), outro),
                [f"{plan.spec.id}: script made from the text ({exc})"],
                from_text=True,
                budget_spent=True,
            )
        except LLMError as exc:
            notes.append(f"{plan.spec.id}: script made from the text (the model failed: {exc})")
            break
        said = " ".join(answer.value.parts) if by_part else answer.value.script  # type: ignore[attr-defined]
        body = polish(recase(said, text), names)
        body = drop_repeated_outro(drop_repeated_intro(body, intro, config.show.title), outro)
        if intro and body.lower().startswith(intro.strip().lower()):  # the model said the intro line again
            body = body[len(intro.strip()):].lstrip()
        if not intro and not plan.first and plan.previous and not TRANSITIONS.search(body):
            body = f"Now, {_lead(plan.spec.title)}. {body}"
        found = problems(body, text, known=allowed, paragraphs=paragraphs,
                         source_titles=[ref.title for ref in plan.sources])
        if not found:
            return Spoken(_join(intro, body, outro), notes)
        problems_seen = found
    else:
        notes.append(f"{plan.spec.id}: script made from the text (the model's script {'; '.join(problems_seen)})")
    return Spoken(_join(intro, ear_version(text, names), outro), notes, from_text=True)


def _lead(title: str) -> str:
    title = title.strip().rstrip(".:")
    return title[0].lower() + title[1:] if len(title) > 1 and title[1].islower() else title


__all__ = ["ScriptDraft", "ScriptParts", "Spoken", "added_facts", "broken_off", "contract", "contractions_per_100",
           "dropped_stories", "ear_version", "outlet_names", "parts_schema", "polish", "problems", "recase",
           "round_for_ear", "script_schema", "speakable", "split_long", "spoken_outlet", "words", "write_script"]
