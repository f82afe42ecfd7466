"""Grounding benchmark: plant one error at a time in the sample day's drafted episode and count what is caught.

    flock /tmp/briefcast-heavy.lock .venv/bin/python -m bench grounding
    BENCH_GROUNDING_SHOW=DIR      a show folder holding a drafted sample day (default bench/results/grounding-show,
                                  drafted there with `briefcast run --sample --no-audio` when it has none)
    BENCH_GROUNDING_VERIFY=0      lexical checks only (no model calls)
    BENCH_GROUNDING_MODEL=NAME    the embedded model the verifier runs on (default: the show's llm.local.model)
    BENCH_GROUNDING_PER=N         mutations per category and field (default 8)
    BENCH_GROUNDING_VERIFY_PER=N  of those, how many the verifier reads (default 4: each is a model call)
    BENCH_GROUNDING_BEFORE=FILE   check with an older grounding.py instead (its check_segment), for before/after

Each mutation changes one sentence of one segment's text or spoken script (a number, a spelled number, money, a
percentage, a date, a weekday, an ordinal, a one-word or multi-word name, a model name, a quote, an attribution;
two names or two values swapped; a negation; the citation moved to another source; a headline padded with an
invented detail; the name a figure is said of swapped for a description of another thing; a verdict no source
gives; a word said as its opposite). It is caught when the checks raise a flag on that sentence that the unmodified sentence did not
have. The false-flag rate is the flags on the unmodified episode per 100 sentences, and the same for an extractive
copy of the sources (honest by construction).

The mutations are made here with their own small regexes and word lists, never with pipeline.draft.grounding's,
so the checks cannot agree with the generator by construction.
"""

from __future__ import annotations

import difflib
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
DAY = Date(2026, 3, 10)
SEED = 20261201

LEXICAL = ["number", "spelled number", "money", "percent", "date", "weekday", "ordinal", "one-word name",
           "multi-word name", "model name", "quote", "attribution"]
SEMANTIC = ["role swap", "value swap", "negation", "wrong source", "padded headline", "moved figure", "verdict",
            "opposite"]

# -- the generator's own vocabulary (deliberately not grounding.py's) ---------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
INVENTED = ["Vantorix", "Quellmark", "Brisbane", "Ostrava", "Telvane", "Marrowind", "Pellucid", "Kinsella",
            "Dunmore", "Ravensworth", "Achterberg", "Okonkwo"]
OUTLETS = ["Reuters", "Bloomberg", "The Information", "the Financial Times", "Axios", "Politico"]
PADDING = [
    ", a move the company says will reach every customer within weeks",
    ", after months of negotiations behind closed doors",
    ", a decision critics say will raise prices for developers",
    ", and the team plans to open the code to outside researchers",
    ", following complaints from several large customers",
    ", which the company called its most important launch so far",
    ", and regulators have already asked for more information",
    ", although early testers found the results hard to reproduce",
]
# What a figure is said of instead of the name the source says it of; verdicts no source gives.
DESCRIPTIONS = ["the new licence", "the older benchmark", "the rival's chip", "the smaller dataset", "the pricing plan",
                "the earlier draft"]
VERDICTS = [", a move widely seen as a win for developers", ", which observers hailed as a turning point",
            ", a major step for the whole field", ", in what many call a game-changer",
            ", a development analysts welcomed", ", a clear blow to its rivals"]
# A word and its opposite, the generator's own list (some are not the checks' pairs, on purpose).
SWAPS = {"open": "closed", "closed": "open", "higher": "lower", "lower": "higher", "rose": "fell", "fell": "rose",
         "ahead": "behind", "behind": "ahead", "faster": "slower", "cheaper": "pricier", "more": "fewer",
         "before": "after", "after": "before", "above": "below", "below": "above", "up": "down", "won": "lost"}
QUOTES = ["this changes everything for developers", "we will not slow down for anyone",
          "nobody else is even close to this", "the old rules simply no longer apply"]
STOP = {"The", "A", "An", "It", "Its", "This", "That", "These", "Those", "In", "On", "At", "And", "But", "For",
        "Now", "Today", "Meanwhile", "Also", "First", "Next", "Finally", "Plus", "Here", "There", "They", "He", "She",
        "We", "I", "I'm", "After", "Before", "While", "As", "With", "From", "By", "Of", "To", "According", "Thanks",
        "Welcome", "That's", "What", "Why", "How", "Who", "When", "If", "So", "Yet", "Still", "Both", "Each", "One",
        "Two", "Three", "Some", "Many", "Most", "All", "AI", "API", "US", "U.S.", "EU", "CEO"}
# Flags about truth (what the false-flag rate counts); copying and length are the editor's style questions.
TRUTH = {"unsupported_number", "unsupported_date", "unsupported_entity", "unsupported_quote", "unsupported_attribution",
         "wrong_source", "script_adds", "uncited", "unknown_citation", "unverified", "fragment", "first_person"}
CITE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")


def spell(n: int) -> str:
    """An integer below a million in words (the generator's own speller)."""
    if n < 20:
        return UNITS[n]
    if n < 100:
        return TENS[n // 10] + ("-" + UNITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        return UNITS[n // 100] + " hundred" + (" " + spell(rest) if rest else "")
    rest = n % 1000
    return spell(n // 1000) + " thousand" + (" " + spell(rest) if rest else "")


def sentences_of(text: str) -> list[str]:
    """Sentences by the generator's own rule: a stop (and any citation) before a space and a capital."""
    out: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*+]\s+|#+\s+)", "", line).strip()
        if not line or line.startswith("#"):
            continue
        # a citation that follows the stop stays with its sentence; "v." "U.S." "Sen." do not end one
        pieces = re.findall(r".+?(?:[.!?](?:\s*\[\d+(?:,\s*\d+)*\])?(?=\s+[A-Z\"“]|\s*$)|$)", line)
        merged: list[str] = []
        for piece in (p.strip() for p in pieces if p.strip()):
            if merged and re.search(r"\b(?:v|vs|U\.S|Sen|Rep|Dr|Mr|Ms|Mrs|Inc|No|St|[A-Z])\.$", merged[-1]):
                merged[-1] += " " + piece
            else:
                merged.append(piece)
        out += merged
    return out


def cited(sentence: str) -> list[int]:
    return [int(n) for group in CITE.findall(sentence) for n in re.split(r"\s*,\s*", group)]


def _absent(word: str, haystack: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(word) + r"(?![\w])", haystack, re.IGNORECASE) is None


def _end(sentence: str) -> tuple[str, str]:
    """(body, tail): the tail is the closing citation and punctuation, where insertions go before."""
    match = re.search(r"(\s*\[\d+(?:\s*,\s*\d+)*\])?\s*[.!?][\"”’)]*\s*$", sentence)
    if not match:
        return sentence, ""
    return sentence[: match.start()], sentence[match.start():]


@dataclass
class Ctx:
    sources: str  # what the sentence may rest on: its cited sources (text) or the segment's text (script)
    outlets: list[str]  # outlets of the segment's sources
    other_names: list[str]  # capitalised words from other segments' sources (real names of the day)
    field: str
    source_texts: dict[int, str]
    rng: random.Random


def _other_number(value: str, ctx: Ctx) -> str | None:
    digits = value.replace(",", "")
    try:
        number = float(digits)
    except ValueError:
        return None
    for delta in (7, 3, 11, 2, 19):
        new = number + delta if "." not in digits else round(number + delta / 10, len(digits.split(".")[1]))
        text = f"{new:g}" if "." in digits else str(int(new))
        if "," in value and "." not in text:
            text = f"{int(new):,}"
        if _absent(text, ctx.sources) and _absent(text.replace(",", ""), ctx.sources):
            return text
    return None


PLAIN_NUMBER = re.compile(r"(?<![\w$€£.,\-\[])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d%\]]|[.,]\d|\s?(?:percent|"
                          r"per cent|million|billion|trillion|dollars)\b|[A-Za-z]|,\s*\d+\])")  # never a citation's [n]


def m_number(s: str, ctx: Ctx) -> str | None:
    for match in PLAIN_NUMBER.finditer(s):
        if re.match(r"(19|20)\d\d$", match.group(1)):
            continue  # years are dates
        new = _other_number(match.group(1), ctx)
        if new:
            return s[: match.start(1)] + new + s[match.end(1):]
    return None


def m_spelled(s: str, ctx: Ctx) -> str | None:
    words = "|".join(UNITS[2:] + [t for t in TENS if t])
    match = re.search(r"\b(" + words + r")\b", s, re.IGNORECASE)
    if match:
        for new in ("seventeen", "forty-three", "eleven", "ninety"):
            if new != match.group(1).lower() and _absent(new, ctx.sources):
                return s[: match.start()] + new + s[match.end():]
    for match in PLAIN_NUMBER.finditer(s):
        raw = match.group(1).replace(",", "")
        if not raw.isdigit() or re.match(r"(19|20)\d\d$", raw):
            continue
        value = int(raw) + 13 if int(raw) < 1000 else int(raw) * 2 + 1000
        if value < 1_000_000 and _absent(str(value), ctx.sources):
            return s[: match.start(1)] + spell(value) + s[match.end(1):]
    return None


MONEY = re.compile(r"([$€£]\s?)(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)(\s(?:million |billion |trillion )?"
                   r"(?:dollars|euros|pounds))")


def m_money(s: str, ctx: Ctx) -> str | None:
    for match in MONEY.finditer(s):
        group = 2 if match.group(2) else 3
        new = _other_number(match.group(group), ctx)
        if new:
            return s[: match.start(group)] + new + s[match.end(group):]
    return None


def m_percent(s: str, ctx: Ctx) -> str | None:
    for match in re.finditer(r"(\d+(?:\.\d+)?)(\s?%|\s(?:percent|per cent))", s):
        new = _other_number(match.group(1), ctx)
        if new:
            return s[: match.start(1)] + new + s[match.end(1):]
    return None


def m_date(s: str, ctx: Ctx) -> str | None:
    match = re.search(r"\b(" + "|".join(MONTHS) + r")\s+(\d{1,2})\b", s)
    if match:
        day = int(match.group(2))
        new_day = day + 5 if day < 20 else day - 9
        return s[: match.start(2)] + str(new_day) + s[match.end(2):]
    match = re.search(r"\b(" + "|".join(MONTHS) + r")\b", s)
    if match:
        month = MONTHS[(MONTHS.index(match.group(1)) + 1) % 12]
        return s[: match.start()] + month + s[match.end():]
    body, tail = _end(s)
    month = next(m for m in ("June", "August", "November") if _absent(m, ctx.sources))
    return f"{body} on {month} {ctx.rng.choice([4, 14, 22, 27])}{tail}"


def m_weekday(s: str, ctx: Ctx) -> str | None:
    match = re.search(r"\b(" + "|".join(WEEKDAYS) + r")\b", s)
    options = [d for d in WEEKDAYS if _absent(d, ctx.sources)]
    if not options:
        return None
    if match:
        new = next((d for d in options if d != match.group(1)), None)
        return s[: match.start()] + new + s[match.end():] if new else None
    body, tail = _end(s)
    return f"{body} on {ctx.rng.choice(options)}{tail}"


def m_ordinal(s: str, ctx: Ctx) -> str | None:
    for match in re.finditer(r"\b(" + "|".join(ORDINALS) + r")\b(?!,)", s, re.IGNORECASE):
        if match.start() == 0:
            continue  # "First, ..." is a transition, not a claim
        new = next((o for o in ("third", "fifth", "seventh") if o != match.group(1).lower()
                    and _absent(o, ctx.sources)), None)
        if new:
            return s[: match.start()] + new + s[match.end():]
    match = re.search(r"\b(\d{1,2})(st|nd|rd|th)\b", s)
    if match:
        new = int(match.group(1)) + 2
        suffix = "th" if 10 <= new % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(new % 10, "th")
        return s[: match.start()] + f"{new}{suffix}" + s[match.end():]
    body, tail = _end(s)
    if _absent("fifth", ctx.sources):
        return f"{body} for the fifth time{tail}"
    return None


def _names(s: str) -> list[re.Match[str]]:
    """Runs of capitalised words (not across punctuation), by the generator's own rule."""
    return list(re.finditer(r"\b[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)*\b", s))


def m_one_word(s: str, ctx: Ctx) -> str | None:
    for match in _names(s):
        word = match.group(0)
        if " " in word or word in STOP or word in MONTHS or word in WEEKDAYS or match.start() == 0:
            continue
        if _absent(word, ctx.sources):
            continue  # the sentence says it but the sources don't: already a problem, not a planted one
        pool = [n for n in ctx.other_names if n != word and _absent(n, ctx.sources)]
        pool = pool if pool and ctx.rng.random() < 0.5 else [n for n in INVENTED if _absent(n, ctx.sources)]
        return s[: match.start()] + ctx.rng.choice(pool) + s[match.end():]
    return None


def m_multi_word(s: str, ctx: Ctx) -> str | None:
    for match in _names(s):
        words = match.group(0).split()
        while words and words[0] in STOP:
            words.pop(0)
        if len(words) < 2 or any(w in MONTHS or w in WEEKDAYS for w in words):
            continue
        name = " ".join(words)
        if _absent(name, ctx.sources):
            continue
        start = match.start() + match.group(0).index(name)
        new_last = next(n for n in INVENTED if _absent(n, ctx.sources))
        return s[:start] + " ".join([*words[:-1], new_last]) + s[start + len(name):]
    return None


def m_model(s: str, ctx: Ctx) -> str | None:
    for match in re.finditer(r"\b([A-Z][A-Za-z]*)[- ]?(\d+(?:\.\d+)?)([A-Za-z]*)\b", s):
        if match.group(1) in MONTHS or match.group(1) in WEEKDAYS or not (match.group(3) or "-" in match.group(0)):
            continue
        digits = match.group(2)
        for delta in (2, 5, 9):
            step = delta * (10 if "." not in digits and int(digits) >= 10 else 1)
            new = f"{float(digits) + delta:g}" if "." in digits else str(int(digits) + step)
            candidate = match.group(0).replace(digits, new, 1)
            if _absent(candidate, ctx.sources):
                return s[: match.start()] + candidate + s[match.end():]
    return None


def m_quote(s: str, ctx: Ctx) -> str | None:
    match = re.search(r"[\"“]([^\"”]{12,})[\"”]", s)
    if match:
        words = match.group(1).split()
        if len(words) >= 3:
            i = max(range(len(words)), key=lambda k: len(words[k]))
            words[i] = "never" if words[i].lower() != "never" else "always"
            return s[: match.start(1)] + " ".join(words) + s[match.end(1):]
    body, tail = _end(s)
    return f'{body}, saying "{ctx.rng.choice(QUOTES)}"{tail}'


def m_attribution(s: str, ctx: Ctx) -> str | None:
    others = [o for o in ctx.outlets if _absent(o, ctx.sources)]
    outlet = ctx.rng.choice(others) if others and ctx.rng.random() < 0.4 else ctx.rng.choice(OUTLETS)
    if re.match(r"(?:According to|This is|Now,|Thanks)", s):
        return None
    return f"According to {outlet}, {s[0].lower() + s[1:] if s[1:2].islower() else s}"


def m_role_swap(s: str, ctx: Ctx) -> str | None:
    names = [m for m in _names(s) if m.group(0).split()[0] not in STOP and m.start() > 0] or []
    first = [m for m in _names(s) if m.group(0) not in STOP]
    names = first if len(first) >= 2 else names
    distinct = []
    for m in names:
        if all(m.group(0) != d.group(0) for d in distinct) and m.group(0) not in MONTHS + WEEKDAYS:
            distinct.append(m)
    if len(distinct) < 2:
        return None
    a, b = distinct[0], distinct[1]
    return s[: a.start()] + b.group(0) + s[a.end(): b.start()] + a.group(0) + s[b.end():]


def m_value_swap(s: str, ctx: Ctx) -> str | None:
    values = [m for m in re.finditer(r"(?<![\w.\-])\d[\d,]*(?:\.\d+)?(?![\w\-])", s)]
    distinct = []
    for m in values:
        if all(m.group(0) != d.group(0) for d in distinct):
            distinct.append(m)
    if len(distinct) < 2:
        words = "|".join(UNITS[2:] + [t for t in TENS if t])
        spelled = list(re.finditer(r"\b(" + words + r")\b", s, re.IGNORECASE))
        distinct = distinct + [m for m in spelled if all(m.group(0) != d.group(0) for d in distinct)]
    if len(distinct) < 2:
        return None
    a, b = distinct[0], distinct[1]
    if a.start() > b.start():
        a, b = b, a
    return s[: a.start()] + b.group(0) + s[a.end(): b.start()] + a.group(0) + s[b.end():]


def m_negation(s: str, ctx: Ctx) -> str | None:
    match = re.search(r"\b(not|never|no longer)\s+", s)
    if match:
        return s[: match.start()] + s[match.end():]
    match = re.search(r"\b(is|are|was|were|will|can|has|have|had|could|would|should)\b(?!\s+not)", s)
    if match and match.start() > 0:
        return s[: match.end()] + " not" + s[match.end():]
    match = re.search(r"\b([a-z]{3,}ed)\b", s)
    if match and match.start() > 0:
        return s[: match.start()] + "never " + s[match.start():]
    return None


def m_wrong_source(s: str, ctx: Ctx) -> str | None:
    if ctx.field != "text":
        return None
    refs = cited(s)
    if len(refs) != 1:
        return None
    others = [n for n in ctx.source_texts if n != refs[0]]
    body = CITE.sub("", s)
    for n in others:
        tokens = re.findall(r"\b(?:[A-Z][a-zA-Z]+|\d[\d,.]*\d|\d)\b", body)
        if any(_absent(t, ctx.source_texts[n]) for t in tokens if t not in STOP):
            return re.sub(r"\[" + str(refs[0]) + r"\]", f"[{n}]", s, count=1)
    return None


def _appended(s: str, ctx: Ctx, clauses: list[str]) -> str | None:
    """The sentence with one of ``clauses`` before its closing citation and stop."""
    body, tail = _end(s)
    if len(body.split()) < 5 or body.endswith((",", ":")):
        return None
    return f"{body}{ctx.rng.choice(clauses)}{tail}"


def m_padded(s: str, ctx: Ctx) -> str | None:
    return _appended(s, ctx, PADDING)


def m_moved(s: str, ctx: Ctx) -> str | None:
    """The name a sentence's figure is said of, swapped for a description of something else."""
    if not re.search(r"\d|\b(?:" + "|".join(UNITS[2:]) + r")\b", CITE.sub("", s)):
        return None
    found = [m for m in re.finditer(r"\b[A-Z][A-Za-z]*-\d[\w.\-]*\b", s)] + _names(s)
    for match in sorted(found, key=lambda m: m.start()):
        name = match.group(0)
        if name.split()[0] in STOP or name in MONTHS or name in WEEKDAYS or _absent(name, ctx.sources):
            continue
        if match.start() == 0 and " " not in name and not re.search(r"\d", name):
            continue  # a capitalised first word ("Requests", "Snapshot") is no name
        pool = [d for d in DESCRIPTIONS if _absent(d, ctx.sources)]
        description = ctx.rng.choice(pool)
        if match.start() == 0:
            description = description[0].upper() + description[1:]
        return s[: match.start()] + description + s[match.end():]
    return None


def m_opposite(s: str, ctx: Ctx) -> str | None:
    """The first word of the generator's list said as its opposite (outside quotation marks)."""
    quoted = [(m.start(), m.end()) for m in re.finditer(r"[\"“][^\"”]*[\"”]", s)]
    for match in re.finditer(r"\b(" + "|".join(SWAPS) + r")\b", s, re.IGNORECASE):
        if any(a <= match.start() < b for a, b in quoted):
            continue
        word = match.group(0)
        other = SWAPS[word.lower()]
        return s[: match.start()] + (other.capitalize() if word[0].isupper() else other) + s[match.end():]
    return None


def m_verdict(s: str, ctx: Ctx) -> str | None:
    return _appended(s, ctx, VERDICTS)


MUTATORS: dict[str, Callable[[str, Ctx], str | None]] = {
    "number": m_number, "spelled number": m_spelled, "money": m_money, "percent": m_percent, "date": m_date,
    "weekday": m_weekday, "ordinal": m_ordinal, "one-word name": m_one_word, "multi-word name": m_multi_word,
    "model name": m_model, "quote": m_quote, "attribution": m_attribution, "role swap": m_role_swap,
    "value swap": m_value_swap, "negation": m_negation, "wrong source": m_wrong_source, "padded headline": m_padded,
    "moved figure": m_moved, "verdict": m_verdict, "opposite": m_opposite,
}


@dataclass
class Mutation:
    category: str
    segment: str
    field: str
    original: str
    mutated: str


# -- the show: a drafted sample day -------------------------------------------------------------------------------


def show_folder() -> Path:
    folder = Path(os.environ.get("BENCH_GROUNDING_SHOW") or PROJECT / "bench" / "results" / "grounding-show")
    if not (folder / "episodes" / DAY.isoformat() / "episode.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "config.yaml").exists():
            shutil.copyfile(PROJECT / "config.yaml", folder / "config.yaml")
        print(f"drafting the sample day into {folder} (minutes)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pipeline", "run", "--sample", "--no-audio", "--date", DAY.isoformat(),
                        "--config", str(folder / "config.yaml")], cwd=folder, check=True)
    return folder


def _load(folder: Path) -> tuple[Any, Any, Any]:
    from pipeline.config import load_config
    from pipeline.files import load_episode
    from pipeline.samples import sample_config
    from pipeline.store import open_store

    config = sample_config(load_config(folder / "config.yaml"))
    model = os.environ.get("BENCH_GROUNDING_MODEL")
    if model:
        config = config.model_copy(update={"llm": config.llm.model_copy(update={
            "local": config.llm.local.model_copy(update={"model": model})})})
    return config, open_store(config.state_dir), load_episode(config.episodes_dir, DAY)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", CITE.sub("", text).lower())


def _same(a: str, b: str) -> bool:
    """The same sentence, or one holding the other (the checks may split sentences differently)."""
    wa, wb = " ".join(_words(a)), " ".join(_words(b))
    if wa and wb and (wa in wb or wb in wa):
        return True
    return difflib.SequenceMatcher(None, wa.split(), wb.split()).ratio() >= 0.75


def _caught(before: list[Any], after: list[Any], mutation: Mutation) -> bool:
    """A flag on the mutated sentence that the unmodified sentence did not carry."""
    old = Counter((f.kind, f.span) for f in before
                  if f.field == mutation.field and _same(f.sentence, mutation.original))
    new = Counter((f.kind, f.span) for f in after if f.field == mutation.field
                  and (_same(f.sentence, mutation.mutated) or (f.sentence == "" and f.kind != "length")))
    return bool(new - old)


def generate(config: Any, store: Any, episode: Any, per: int) -> list[Mutation]:
    from pipeline.draft.writer import plan_from_segment

    rng = random.Random(SEED)
    names_by_segment: dict[str, set[str]] = {}
    plans = {}
    for segment in episode.live_segments:
        plan = plan_from_segment(config, store, segment)
        plans[segment.id] = plan
        names_by_segment[segment.id] = {w for t in plan.texts.values() for w in re.findall(r"\b[A-Z][a-z]{3,}\b", t)
                                        if w not in STOP and w not in MONTHS and w not in WEEKDAYS}
    candidates: dict[tuple[str, str], list[Mutation]] = defaultdict(list)
    own = [config.show.title, config.show.host]
    for segment in episode.live_segments:
        plan = plans[segment.id]
        elsewhere = set().union(*(v for k, v in names_by_segment.items() if k != segment.id))
        others = sorted(elsewhere - names_by_segment[segment.id])
        outlets = sorted({ref.outlet for ref in segment.sources})
        for field in ("text", "script"):
            for sentence in sentences_of(getattr(segment, field)):
                if (any(name in sentence for name in own) or len(sentence.split()) < 4
                        or re.match(r"\W*(?:Today's (?:question|reports)|The case (?:that|against)|What to watch)",
                                    sentence)):
                    continue  # the show's greetings, goodbyes and debate labels (made in code) state no news
                if field == "text":
                    refs = [n for n in cited(sentence) if n in plan.texts]
                    if not refs:
                        continue
                    sources = "\n".join(plan.texts[n] for n in refs)
                else:
                    sources = segment.text
                # A weekday or date equal to a source's publication day is right by construction: not a planted error.
                dated = " ".join(f"{d:%A %B} {d.day}" for d in plan.published.values())
                ctx = Ctx(f"{sources}\n{dated}", outlets, others, field, plan.texts, rng)
                for category, mutate in MUTATORS.items():
                    mutated = mutate(sentence, ctx)
                    if mutated and mutated != sentence:
                        candidates[(category, field)].append(Mutation(category, segment.id, field, sentence, mutated))
    chosen: list[Mutation] = []
    for _key, pool in sorted(candidates.items()):
        rng.shuffle(pool)
        seen: set[str] = set()
        for mutation in pool:
            if mutation.original in seen:
                continue  # one mutation a sentence per category: spread over the episode
            seen.add(mutation.original)
            chosen.append(mutation)
            if len(seen) >= per:
                break
    return chosen


def apply(segment: Any, mutation: Mutation) -> Any:
    value = getattr(segment, mutation.field)
    assert mutation.original in value, (mutation.original, value)
    return segment.model_copy(update={mutation.field: value.replace(mutation.original, mutation.mutated, 1)})


def _checks(config: Any, store: Any) -> tuple[Callable[[Any], list[Any]], Callable[[Any], list[Any]] | None]:
    """The lexical check of a segment, and the verifier (None when it is off or not built)."""
    from pipeline.draft import writer

    own = writer.own_names(config)
    before = os.environ.get("BENCH_GROUNDING_BEFORE")

    def lexical(segment: Any) -> list[Any]:
        return writer.check(writer.plan_from_segment(config, store, segment), segment, own)

    if before:
        import importlib.util

        spec = importlib.util.spec_from_file_location("grounding_before", before)
        assert spec is not None and spec.loader is not None
        old = importlib.util.module_from_spec(spec)
        sys.modules["grounding_before"] = old  # dataclasses look their module up
        spec.loader.exec_module(old)

        def lexical(segment: Any) -> list[Any]:  # writer.check as it is, on the older checks
            plan = writer.plan_from_segment(config, store, segment)
            current, writer.grounding = writer.grounding, old
            try:
                return writer.check(plan, segment, own)
            finally:
                writer.grounding = current

        return lexical, None

    if os.environ.get("BENCH_GROUNDING_VERIFY", "1") == "0":
        return lexical, None
    try:
        from pipeline.draft import verify
    except ModuleNotFoundError:
        return lexical, None
    return lexical, verify


def _extractive(config: Any, store: Any, episode: Any, lexical: Callable[[Any], list[Any]]) -> tuple[int, int]:
    """Flags and sentences for an honest copy: each source's first two sentences, cited to it, text and script."""
    from pipeline.draft.writer import plan_from_segment

    flags = total = 0
    for segment in episode.live_segments:
        plan = plan_from_segment(config, store, segment)
        lines = []
        for n, text in plan.texts.items():
            body = " ".join(text.split("\n")[2:])
            for sentence in sentences_of(body)[:2]:
                if re.search(r"\b(?:we|our|us|I)\b", sentence, re.IGNORECASE):
                    continue  # a source's first person is not the host's honest sentence
                if len(sentence.split()) >= 5 and sentence[-1] in ".!?":
                    lines.append(f"{sentence[:-1]} [{n}]{sentence[-1]}")
        if not lines:
            continue
        text = " ".join(lines)
        script = CITE.sub("", text)
        copy = segment.model_copy(update={"text": text, "script": script})
        flags += sum(1 for f in lexical(copy) if f.kind in TRUTH)
        total += len(sentences_of(text)) + len(sentences_of(script))
    return flags, total


def run() -> list[dict]:
    per = int(os.environ.get("BENCH_GROUNDING_PER", "8"))
    config, store, episode = _load(show_folder())
    lexical, verify = _checks(config, store)
    segments = {s.id: s for s in episode.live_segments}
    base = {sid: lexical(s) for sid, s in segments.items()}
    sentences = sum(len(sentences_of(s.text)) + len(sentences_of(s.script)) for s in segments.values())
    honest = [f for flags in base.values() for f in flags if f.kind in TRUTH]
    for flag in honest:
        print(f"  unmodified flag [{flag.field}] {flag.kind} {flag.span!r}: {flag.sentence[:110]}", file=sys.stderr)
    mutations = generate(config, store, episode, per)
    hits: dict[str, list[bool]] = defaultdict(list)
    hits_by_field: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for mutation in mutations:
        mutated = apply(segments[mutation.segment], mutation)
        caught = _caught(base[mutation.segment], lexical(mutated), mutation)
        hits[mutation.category].append(caught)
        hits_by_field[(mutation.category, mutation.field)].append(caught)
        if not caught:
            print(f"  missed {mutation.category} [{mutation.field}]: {mutation.mutated[:140]}", file=sys.stderr)
    rows = []
    for category in [*LEXICAL, *SEMANTIC]:
        got = hits.get(category, [])
        text = hits_by_field.get((category, "text"), [])
        script = hits_by_field.get((category, "script"), [])
        rows.append({"figure": f"recall {category} (text {sum(text)}/{len(text)}, script {sum(script)}/{len(script)})",
                     "briefcast": round(100 * sum(got) / len(got), 1) if got else None, "baseline": None, "ratio": None,
                     "target": ">= 95%" if category in LEXICAL else "lexical checks only"})
    rows.append({"figure": f"mutations (single, {len(mutations)} in all)", "briefcast": len(mutations),
                 "baseline": None, "ratio": None, "target": ">= 150"})
    rows.append({"figure": f"flags per 100 sentences, unmodified drafted episode ({sentences} sentences)",
                 "briefcast": round(100 * len(honest) / sentences, 1) if sentences else None,
                 "baseline": None, "ratio": None, "target": "true + false flags; false <= 5"})
    flags, total = _extractive(config, store, episode, lexical)
    rows.append({"figure": f"false flags per 100 honest sentences (extractive copy, {total})",
                 "briefcast": round(100 * flags / total, 1) if total else None, "baseline": None, "ratio": None,
                 "target": "<= 5"})
    if verify is not None:
        rows += _verified(config, store, episode, mutations, base, lexical, verify)
    return rows


def _verified(config: Any, store: Any, episode: Any, mutations: list[Mutation], base: dict[str, list[Any]],
              lexical: Callable[[Any], list[Any]], verify: Any) -> list[dict]:
    """The semantic verifier on the semantic categories (and attribution): recall, its time, its false flags."""
    from pipeline.draft.llm import open_llm
    from pipeline.draft.writer import plan_from_segment

    segments = {s.id: s for s in episode.live_segments}
    per = int(os.environ.get("BENCH_GROUNDING_VERIFY_PER", "4"))
    taken: Counter[tuple[str, str]] = Counter()
    wanted = []
    for m in mutations:
        if (m.category in SEMANTIC or m.category in ("attribution", "quote")) and taken[(m.category, m.field)] < per:
            taken[(m.category, m.field)] += 1
            wanted.append(m)
    hits: dict[str, list[bool]] = defaultdict(list)
    combined: dict[str, list[bool]] = defaultdict(list)
    with open_llm(verify.verifier_config(config), store) as llm:
        started = time.monotonic()
        honest_flags = 0
        honest_base: dict[str, list[Any]] = {}
        for sid, segment in segments.items():
            honest_base[sid] = verify.verify_segment(config, llm, plan_from_segment(config, store, segment),
                                                     segment).flags
            honest_flags += len(honest_base[sid])
        honest_seconds = time.monotonic() - started
        honest_calls = llm.usage.calls
        started = time.monotonic()
        for mutation in wanted:
            mutated = apply(segments[mutation.segment], mutation)
            flags = verify.verify_segment(config, llm, plan_from_segment(config, store, mutated), mutated).flags
            caught = _caught(honest_base[mutation.segment], flags, mutation)
            hits[mutation.category].append(caught)
            combined[mutation.category].append(caught or _caught(base[mutation.segment], lexical(mutated), mutation))
        seconds = time.monotonic() - started
        usage = llm.usage
    sentences = sum(len(sentences_of(s.text)) + len(sentences_of(s.script)) for s in segments.values())
    rows = []
    for category, got in hits.items():
        both = combined[category]
        rows.append({"figure": f"verifier recall {category} ({len(got)})",
                     "briefcast": round(100 * sum(got) / len(got), 1),
                     "baseline": round(100 * sum(both) / len(both), 1), "ratio": None,
                     "target": "aim >= 60%; baseline column = verifier + lexical"})
    rows.append({"figure": f"verifier flags per 100 unmodified sentences ({config.llm.local.model})",
                 "briefcast": round(100 * honest_flags / sentences, 1), "baseline": None, "ratio": None,
                 "target": "<= 5 false"})
    rows.append({"figure": "verifier seconds, whole unmodified episode", "briefcast": round(honest_seconds, 1),
                 "baseline": None, "ratio": None, "target": f"{honest_calls} calls"})
    rows.append({"figure": f"verifier seconds per mutated segment ({len(wanted)})",
                 "briefcast": round(seconds / max(1, len(wanted)), 1), "baseline": None, "ratio": None,
                 "target": f"{usage.calls} calls ({usage.cache_hits} cached), "
                           f"{usage.tokens_in} in / {usage.tokens_out} out"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['figure']:<72} {row['briefcast']!s:>8} {row['baseline']!s:>8}  {row['target']}")
