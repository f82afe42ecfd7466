"""Speech normalization: written text -> the words a voice reads without guessing.

Run on every script before any voice sees it (``Synthesizer`` calls it per sentence), and by the transcript and
the pronunciation report, so all three agree on what is said. A voice (piper phonemizes with espeak-ng) reads
digits and symbols by its own rules: "0.10 dollars" is "zero point one zero dollars", "10^26 FLOP" is "ten
twenty-six flop", "180 ms" is two letters and "Sen." ends a sentence in the middle of a name. Here every number
becomes words in code, with the reading a newsreader would give it:

- money: "$0.10" -> "ten cents", "$1.2B" -> "one point two billion dollars", "€40m" -> "forty million euros";
- units and rates: ms, MW, GB, GHz, tokens/s, FLOP, "10^26", "128k", "70B", "10x", "5.2x";
- dates, years and ordinals: "2026-03-10", "April 1", "June 15th", "in 2026", "the 1990s";
- versions: "v2.1.0", "Python 3.11"; model names split where a reader would pause ("Qwen2.5-72B");
- abbreviations expanded so they never end a sentence ("Sen.", "Dr.", "v.", "U.S.", "Inc.");
- acronyms spelled letter by letter ("AWQ" -> "A-W-Q") unless they are said as a word (a built-in list plus
  ``tts.say_as_words``), and the show's lexicon (``tts.lexicon``) on top of the built-in one.

Spellings follow the lexicon's rule: hyphens between letters ("A-I"), never dots, which espeak reads as a
sentence end. The design borrows the classify-then-verbalize order of WFST normalizers (NeMo, Sparrowhawk), as
ordered regular-expression passes: each pass consumes a class of tokens and leaves words for the next.

>>> normalize("Sen. Lee said $0.10 per 1M tokens, 10x cheaper than in 2024 (GPT-4o).")
'Senator Lee said ten cents per million tokens, ten times cheaper than in twenty twenty-four, G-P-T four oh.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# -- numbers as words --------------------------------------------------------------------------------------------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALE_WORDS = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand")]
_ORDINAL_WORDS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                  "nine": "ninth", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words.append(f"{_ONES[hundreds]} hundred")
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest or not hundreds:
        words.append(_ONES[rest])
    return " ".join(words)


def cardinal(n: int) -> str:
    """12 -> 'twelve', 2_500 -> 'two thousand five hundred', -3 -> 'minus three'."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 1000:
        return _below_thousand(n)
    words: list[str] = []
    for value, name in _SCALE_WORDS:
        if n >= value:
            count, n = divmod(n, value)
            words.append(f"{cardinal(count)} {name}")
    if n:
        words.append(_below_thousand(n))
    return " ".join(words)


def ordinal(n: int) -> str:
    """1 -> 'first', 22 -> 'twenty-second', 100 -> 'one hundredth'."""
    words = cardinal(n)
    head, sep, last = words.rpartition("-") if "-" in words.split(" ")[-1] else words.rpartition(" ")
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def year(n: int) -> str:
    """2026 -> 'twenty twenty-six', 2000 -> 'two thousand', 2005 -> 'two thousand five', 1999 -> 'nineteen
    ninety-nine'."""
    if 2000 <= n <= 2009:
        return cardinal(n)
    high, low = divmod(n, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    return f"{cardinal(high)} {'oh ' + _ONES[low] if low < 10 else cardinal(low)}"


def decimal(text: str, *, keep_zero: bool = False) -> str:
    """'5.2' -> 'five point two', '3.14' -> 'three point one four', '66.0' -> 'sixty-six' ('... point oh' with
    ``keep_zero``, as in 'Gemini 2.0')."""
    whole, _, fraction = text.replace(",", "").partition(".")
    spoken = cardinal(int(whole or "0"))
    if fraction and (keep_zero or fraction.strip("0")):
        digits = fraction if keep_zero else fraction.rstrip("0")
        spoken += " point " + " ".join("oh" if keep_zero and d == "0" else _ONES[int(d)] for d in digits)
    return spoken


def number(text: str) -> str:
    """Any written number ('1,200', '3.5', '7') as words."""
    return decimal(text) if "." in text else cardinal(int(text.replace(",", "")))


def _plural(count_text: str, unit: str) -> str:
    return unit if count_text in ("1", "1.0") else unit + "s"


# -- tables --------------------------------------------------------------------------------------------------------

# Titles and abbreviations that must not end a sentence: the voice pauses at every full stop.
ABBREVIATIONS: dict[str, str] = {
    "Sen.": "Senator", "Sens.": "Senators", "Rep.": "Representative", "Reps.": "Representatives",
    "Gov.": "Governor", "Pres.": "President", "Dr.": "Doctor", "Drs.": "Doctors", "Prof.": "Professor",
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Gen.": "General", "Lt.": "Lieutenant", "Sgt.": "Sergeant",
    "Capt.": "Captain", "Sec.": "Secretary", "St.": "Saint", "Jr.": "Junior", "Sr.": "Senior", "Inc.": "Inc",
    "Corp.": "Corp", "Ltd.": "Limited", "Co.": "Co", "Bros.": "Brothers", "vs.": "versus", "v.": "versus",
    "etc.": "et cetera", "e.g.": "for example", "i.e.": "that is", "approx.": "approximately", "et al.":
    "and colleagues", "U.S.": "U-S", "U.K.": "U-K", "E.U.": "E-U", "U.N.": "U-N", "a.m.": "A-M", "p.m.": "P-M",
    "Ph.D.": "P-H-D", "Jan.": "January", "Feb.": "February", "Mar.": "March", "Apr.": "April", "Aug.": "August",
    "Sept.": "September", "Sep.": "September", "Oct.": "October", "Nov.": "November", "Dec.": "December",
}
# Words that start a new sentence: after "... in the U.S. The" the full stop is kept.
_STARTERS = {"The", "A", "An", "It", "Its", "This", "That", "These", "Those", "In", "On", "At", "But", "And", "So",
             "He", "She", "They", "We", "I", "You", "There", "Now", "Meanwhile", "Still", "Also", "For", "What",
             "Why", "How", "When", "If", "As", "After", "Before", "Today", "Yesterday", "Next", "Finally", "Others"}

# All-capital words said as a word, not spelled.
SAY_AS_WORD = {"NASA", "NATO", "RAG", "CUDA", "ASCII", "JSON", "YAML", "SQL", "GIF", "JPEG", "PIN", "RAM", "ROM",
               "LIDAR", "SOTA", "OK", "UNESCO", "FIFA", "GAAP", "OPEC", "SWIFT", "NAND", "DRAM", "VRAM", "TOPS",
               "FLOP", "FLOPS", "FLOPs", "ONNX", "LoRA", "QLoRA", "MoE", "DALL", "WASM", "ARM", "ASIC", "POSIX",
               "CAPTCHA", "SaaS", "PaaS", "IaaS", "GUI", "FAQ", "EPOCH", "ERNIE", "BERT", "MIT", "FAIR", "SWE"}
# How those and a few other names are said (applied before spelling; the lexicon can override any of them).
SAID: dict[str, str] = {
    "CUDA": "cooda", "JSON": "jason", "YAML": "yamel", "SQL": "sequel", "VRAM": "vee-ram", "DRAM": "dee-ram",
    "FLOP": "flop", "FLOPS": "flops", "FLOPs": "flops", "ONNX": "onyx", "LoRA": "lora", "QLoRA": "cue-lora",
    "MoE": "mixture of experts", "SOTA": "state of the art", "WASM": "wasm", "GUI": "gooey", "FAQ": "F-A-Q",
    "MIT": "M-I-T", "BERT": "bert", "SaaS": "sass", "TOPS": "tops", "RAG": "rag", "SWE-bench": "swee bench",
    "LLaMA": "Lahma", "DALL-E": "dolly", "vLLM": "V-L-L-M", "macOS": "mac O-S", "iOS": "eye O-S", "k8s": "kubernetes",
    "PyTorch": "pie torch", "GitHub": "git hub", "Hugging Face": "Hugging Face", "DeepSeek": "Deep Seek",
    "xAI": "x A-I",
}

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_MONTH = "|".join(_MONTHS)
_CURRENCY = {"$": "dollar", "US$": "dollar", "€": "euro", "£": "pound", "¥": "yen", "₹": "rupee"}
_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion", "t": "trillion",
           "tn": "trillion", "thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion"}
# Units after a number: (pattern, singular, plural).
_UNITS: list[tuple[str, str, str]] = [
    ("ms", "millisecond", "milliseconds"), ("µs|us", "microsecond", "microseconds"), ("ns", "nanosecond",
    "nanoseconds"), ("sec|secs", "second", "seconds"), ("min|mins", "minute", "minutes"), ("hrs?", "hour", "hours"),
    ("TWh", "terawatt-hour", "terawatt-hours"), ("GWh", "gigawatt-hour", "gigawatt-hours"),
    ("MWh", "megawatt-hour", "megawatt-hours"), ("kWh", "kilowatt-hour", "kilowatt-hours"),
    ("GW", "gigawatt", "gigawatts"), ("MW", "megawatt", "megawatts"), ("kW", "kilowatt", "kilowatts"),
    ("W", "watt", "watts"), ("PB", "petabyte", "petabytes"), ("TB", "terabyte", "terabytes"),
    ("GB|GiB", "gigabyte", "gigabytes"), ("MB|MiB", "megabyte", "megabytes"), ("KB|kB|KiB", "kilobyte", "kilobytes"),
    ("Gbps|Gb/s", "gigabit a second", "gigabits a second"), ("GHz", "gigahertz", "gigahertz"),
    ("MHz", "megahertz", "megahertz"), ("nm", "nanometer", "nanometers"), ("mm", "millimeter", "millimeters"),
    ("cm", "centimeter", "centimeters"), ("km", "kilometer", "kilometers"), ("kg", "kilogram", "kilograms"),
    ("EFLOPS|EFLOPs", "exaflop", "exaflops"), ("PFLOPS|PFLOPs", "petaflop", "petaflops"),
    ("TFLOPS|TFLOPs", "teraflop", "teraflops"), ("GFLOPS|GFLOPs", "gigaflop", "gigaflops"),
    ("FLOPS|FLOPs|FLOP", "flop", "flops"), ("°C", "degree Celsius", "degrees Celsius"),
    ("°F", "degree Fahrenheit", "degrees Fahrenheit"),
]
_RATE_UNITS = {"s": "a second", "sec": "a second", "second": "a second", "min": "a minute", "minute": "a minute",
               "h": "an hour", "hr": "an hour", "hour": "an hour", "day": "a day", "mo": "a month", "month": "a month",
               "yr": "a year", "year": "a year", "wk": "a week", "week": "a week", "user": "a user", "seat": "a seat"}
_SYMBOLS = {"&": " and ", "@": " at ", "=": " equals ", "≈": " about ", "~": " about ", "±": " plus or minus ",
            "→": " to ", "×": " times ", "+": " plus ", "|": ", ", "_": " ", "*": "", "#": " ", "^": " ", "\\": " ",
            "<": " less than ", ">": " more than ", "≥": " at least ", "≤": " at most ", "°": " degrees ",
            "{": "", "}": "", "`": ""}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:in|since|by|until|till|of|from|to|through|year|early|late|mid|before|after|during|around|and|or|"
    rf"the|fiscal|FY|{_MONTH})|[–-])\s*$", re.IGNORECASE)


# -- the passes ------------------------------------------------------------------------------------------------------


def _tidy_input(text: str) -> str:
    text = re.sub(r"https?://\S+|www\.\S+", "", text)
    text = re.sub(r"[\u2018\u2019]", "'", text)
    text = re.sub(r"[\u201c\u201d]", '"', text)
    text = text.replace("\u2026", "...").replace("\u00a0", " ")
    # Parentheses and brackets are pauses, not words: "(78.9)" -> ", 78.9,".
    text = re.sub(r"\s*[(\[]\s*", ", ", text)
    text = re.sub(r"\s*[)\]]", ",", text)
    # Dashes used as punctuation are pauses; a hyphen inside a word or a range stays for later passes.
    text = re.sub(r"\s+[—–-]+\s+|—", ", ", text)
    return text


def _abbreviations(text: str) -> str:
    keys = sorted(ABBREVIATIONS, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in keys) + r")(?=(\s+\S+)|\s*$|[,;:)])")

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "No.":
            return key
        spoken = ABBREVIATIONS[key]
        after = match.group(2)
        following = (after or "").strip()
        if key in ("v.",) and not following[:1].isupper():  # "v." only between two names (a court case)
            return key
        ends = after is None and match.end() >= len(text.rstrip()) or following.strip("\"'") in _STARTERS
        return spoken + ("." if ends and key.endswith(".") else "")

    text = pattern.sub(replace, text)
    text = re.sub(r"#\s?(?=\d)", "number ", text)
    return re.sub(r"\bNo\.\s?(?=\d)", "number ", text)


def _word_pattern(key: str) -> str:
    body = re.escape(key)
    # Whole word: no letter or digit right before; after, a digit may follow a name ("Qwen2.5").
    return rf"(?<![\w-]){body}(?![^\W\d])" if key[-1].isalnum() else rf"(?<![\w-]){body}"


def _entries(text: str, entries: Mapping[str, str]) -> str:
    """Whole-word replacements; keys with a capital match exactly, lowercase keys any case (longest first)."""
    exact = {k: v for k, v in entries.items() if k != k.lower()}
    folded = {k.lower(): v for k, v in entries.items() if k == k.lower()}
    for table, flags in ((exact, 0), (folded, re.IGNORECASE)):
        if not table:
            continue
        ordered = sorted(table, key=len, reverse=True)
        pattern = re.compile("|".join(_word_pattern(k) for k in ordered), flags)

        def replace(match: re.Match[str], table: dict[str, str] = table, flags: int = flags) -> str:
            found = match.group(0)
            spoken = table[found.lower() if flags else found]
            if flags and found[:1].isupper() and spoken[:1].islower():
                spoken = spoken[:1].upper() + spoken[1:]
            following = match.string[match.end() : match.end() + 1]
            return spoken + " " if following.isdigit() else spoken

        text = pattern.sub(replace, text)
    return text


def _model_names(text: str) -> str:
    # GPT-4o, GPT-4.1, GPT-5: the letters spelled, the number said, "o" as "oh".
    text = re.sub(r"(?<![\w-])GPT-?(\d+(?:\.\d+)?)(o)?(?![\w.])",
                  lambda m: "G-P-T " + number(m.group(1)) + ("-oh" if m.group(2) else ""), text)
    text = re.sub(r"(?<![\w-])o(\d)\b-?", lambda m: "oh " + _ONES[int(m.group(1))] + " ", text)  # o1, o3-mini
    # "8x7B" (a mixture of experts): eight by seven billion.
    text = re.sub(r"(?<![\w.])(\d+)x(\d+(?:\.\d+)?)([BM])\b",
                  lambda m: f"{number(m.group(1))} by {number(m.group(2))} {_SCALES[m.group(3).lower()]}", text)
    text = re.sub(r"(?<=[\w.])-(?=\d+(?:\.\d+)?[BMTkK]\b)", " ", text)
    # Sizes glued to a number: 70B, 1.5B, 128k, 1M (a model size or a context length).
    text = re.sub(r"(?<![\w.$€£¥₹])-?(\d+(?:\.\d+)?)([BMTkK])(?![\w'’])-?",
                  lambda m: f" {number(m.group(1))} {_SCALES[m.group(2).lower()]} ", text)
    # A name with a number: a space where a reader pauses ("Qwen2.5-72B" -> "Qwen 2.5 72B", "H100" -> "H 100").
    text = re.sub(r"(?<=[A-Za-z])-(?=\d)|(?<=\d)-(?=[A-Za-z])", " ", text)
    text = re.sub(r"(?<=[A-Za-z])(?=\d)", " ", text)
    text = re.sub(r"(?<=\d)(?=[A-Za-z]{2,}\b)(?!(?:st|nd|rd|th|s|ms|ns|us|am|pm|mo|GB|MB|TB|PB|KB|kB|GW|MW|kW|GHz|MHz"
                  r"|nm|mm|cm|km|kg|min|sec|secs|mins|hr|hrs|GWh|MWh|kWh|TWh|GiB|MiB|KiB|Gbps|FLOP|FLOPs|FLOPS"
                  r"|TFLOPS|PFLOPS|EFLOPS|GFLOPS|TFLOPs|PFLOPs|EFLOPs|GFLOPs|x)\b)", " ", text)
    return text


def _dates(text: str) -> str:
    def iso(match: re.Match[str]) -> str:
        y, m, d = (int(g) for g in match.groups())
        if not (1 <= m <= 12 and 1 <= d <= 31):
            return match.group(0)
        return f"{_MONTHS[m - 1]} {ordinal(d)}, {year(y)}"

    text = re.sub(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])", iso, text)
    text = re.sub(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:%|percent|million|billion|[,.]\d))",
                  lambda m: f"{m.group(1)} {ordinal(int(m.group(2)))}", text)
    text = re.sub(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b",
                  lambda m: f"the {ordinal(int(m.group(1)))} of {m.group(2)}", text)
    text = re.sub(r"(?<![\w.])(\d+)(st|nd|rd|th)\b", lambda m: ordinal(int(m.group(1))), text)
    # Decades: the 1990s, the '90s.
    text = re.sub(r"\b(1[89]\d0|20[0-9]0)s\b", lambda m: _decade(year(int(m.group(1)))), text)
    text = re.sub(r"(?<!\w)'(\d)0s\b", lambda m: _decade(_TENS[int(m.group(1))] if m.group(1) != "0" else "oh"), text)
    # Quarters: Q3 -> "Q-three".
    text = re.sub(r"\bQ([1-4])\b", lambda m: "Q-" + _ONES[int(m.group(1))], text)
    # Clock times: 9:30, 10:00, 9:05.
    def clock(match: re.Match[str]) -> str:
        h, mnt = int(match.group(1)), int(match.group(2))
        if h > 24 or mnt > 59:
            return match.group(0)
        if mnt == 0:
            return f"{cardinal(h)} o'clock" if not match.group(3) else cardinal(h)
        return f"{cardinal(h)} {'oh ' + _ONES[mnt] if mnt < 10 else cardinal(mnt)}"

    text = re.sub(r"\b(\d{1,2}):(\d{2})\b(\s*(?:A-M|P-M|am|pm|AM|PM))?",
                  lambda m: clock(m) + (m.group(3) or ""), text)
    text = re.sub(r"(?<=\d)\s?(am|AM)\b", " A-M", text)
    return re.sub(r"(?<=\d)\s?(pm|PM)\b", " P-M", text)


def _decade(spoken: str) -> str:
    return spoken[:-1] + "ies" if spoken.endswith("y") else spoken + "s"


_MONEY = re.compile(rf"(US\$|[$€£¥₹])\s?({_NUM})(?:\s?(thousand|million|billion|trillion|[bmt][n]|[kmbt])(?![\w']))?",
                    re.IGNORECASE)


def money(text: str, *, digits: bool = False) -> str:
    """Amounts of money as said: "$2.5bn" -> "two point five billion dollars", "$0.10" -> "ten cents", "£3.50" ->
    "three pounds and fifty pence". With ``digits`` the numbers stay as written, for a reader (the spoken script
    an editor reads): "2.5 billion dollars", "0.10 dollars", "1 dollar". The one money speller: the voice's
    normalizer and the script's :func:`pipeline.draft.script.speakable` both use it."""

    def replace(match: re.Match[str]) -> str:
        unit, amount, size = _CURRENCY[match.group(1).upper()], match.group(2), match.group(3)
        if size:
            return f"{amount if digits else number(amount)} {_SCALES[size.lower()]} {unit}s"
        if digits:
            return f"{amount} {unit}{'' if unit == 'yen' or amount in ('1', '1.0') else 's'}"
        return _amount(amount, unit)

    text = _MONEY.sub(replace, text)
    if digits:
        return text
    # Already in words: "0.10 dollars" -> "ten cents", "1 dollars" -> "one dollar".
    return re.sub(rf"(?<![\w.])({_NUM})\s+(dollar|euro|pound)s?\b",
                  lambda m: _amount(m.group(1), m.group(2)), text)


def _amount(amount: str, unit: str) -> str:
    whole, _, cents = amount.replace(",", "").partition(".")
    plural = "" if unit == "yen" else "s"
    if cents and len(cents) <= 2 and unit != "yen":
        cents_value = int(cents.ljust(2, "0"))
        minor = "cent" if unit in ("dollar", "euro") else "penny" if unit == "pound" else unit
        minors = minor + "s" if minor != "penny" else "pence"  # not "plural": that is the main unit's ending
        minor_words = f"{cardinal(cents_value)} {minor if cents_value == 1 else minors}"
        if int(whole or 0) == 0:
            return minor_words if cents_value else f"zero {unit}{plural}"
        main = f"{cardinal(int(whole))} {unit}{'' if int(whole) == 1 else plural}"
        return f"{main} and {minor_words}" if cents_value else main
    value = decimal(amount)
    return f"{value} {unit}{'' if amount in ('1', '1.0') else plural}"


def _rates(text: str) -> str:
    # "per 1M tokens", "/1K", "/M" -> "per million"
    text = re.sub(r"(?:\bper\s+|/\s?)1?([MK])\b(?=\s+\w)|(?:\bper\s+|/\s?)1?([MK])\b",
                  lambda m: " per " + _SCALES[(m.group(1) or m.group(2)).lower()], text)
    text = re.sub(r"\b(tokens?|tok|t|images?|requests?|queries|frames|steps|samples)/s\b",
                  lambda m: ("tokens" if m.group(1) in ("tok", "t") else m.group(1)) + " a second", text)
    text = re.sub(r"(?<=\w)\s?/\s?(s|sec|second|min|minute|h|hr|hour|day|mo|month|yr|year|wk|week|user|seat)\b",
                  lambda m: " " + _RATE_UNITS[m.group(1)], text)
    return text


def _powers(text: str) -> str:
    text = re.sub(r"(?<![\w.])10\s?\^\s?(\d+)", lambda m: "ten to the " + ordinal(int(m.group(1))), text)
    text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)\s?[x×*]\s?10\s?\^\s?(\d+)",
                  lambda m: f"{number(m.group(1))} times ten to the {ordinal(int(m.group(2)))}", text)
    text = re.sub(r"(?<![\w.])1e(\d+)\b", lambda m: "ten to the " + ordinal(int(m.group(1))), text)
    return re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)e(\d+)\b",
                  lambda m: f"{number(m.group(1))} times ten to the {ordinal(int(m.group(2)))}", text)


def _units(text: str) -> str:
    def unit(match: re.Match[str], one: str, many: str) -> str:
        # "a 48 MW site" is "a forty-eight megawatt site": after an article the unit is an adjective, singular.
        adjective = re.search(r"\b(?:a|an)\s+$", match.string[: match.start()], re.IGNORECASE) is not None
        return f"{number(match.group(1))} {one if match.group(1) == '1' or adjective else many}"

    for pattern, one, many in _UNITS:
        text = re.sub(rf"(?<![\w.])({_NUM})\s?(?:{pattern})(?![\w/])",
                      lambda m, one=one, many=many: unit(m, one, many), text)  # type: ignore[misc]
    # A unit name alone after the number was spoken: "ten to the twenty-sixth FLOP".
    return text


def _multipliers(text: str) -> str:
    text = re.sub(rf"(?<![\w.])({_NUM})\s?[x×](?![\w])", lambda m: f"{number(m.group(1))} times", text)
    return re.sub(rf"(?<![\w.])[x×]({_NUM})\b", lambda m: f"times {number(m.group(1))}", text)


def percent(text: str, *, digits: bool = False) -> str:
    """"12%" -> "twelve percent", "10-20%" -> "ten to twenty percent"; with ``digits`` "12 percent" (see `money`)."""
    if digits:
        return re.sub(rf"({_NUM})\s?%", r"\1 percent", text)
    text = re.sub(rf"(?<![\w.])({_NUM})\s?[-–]\s?({_NUM})\s?%",
                  lambda m: f"{number(m.group(1))} to {number(m.group(2))} percent", text)
    return re.sub(rf"({_NUM})\s?%", lambda m: f"{number(m.group(1))} percent", text)


def _versions(text: str) -> str:
    def dotted(value: str) -> str:
        parts = value.split(".")
        return " point ".join(cardinal(int(p)) if len(p) < 2 or not p.startswith("0") else " ".join(
            _ONES[int(d)] for d in p) for p in parts)

    text = re.sub(r"(?<![\w.-])v(\d+(?:\.\d+)*)\b|(?<![\w.-])V(\d+\.\d+(?:\.\d+)*)\b",
                  lambda m: "version " + dotted(m.group(1) or m.group(2)), text)
    text = re.sub(r"\b(version|release|Python|iOS|Android|Gemini|Claude|Llama|Lahma|Kwen|Mistral|Phi|Gemma)"
                  r"\s+(\d+(?:\.\d+)+)\b", lambda m: f"{m.group(1)} {_point_version(m.group(2))}", text)
    # Three-part numbers are versions wherever they are.
    return re.sub(r"(?<![\w.])(\d+\.\d+\.\d+(?:\.\d+)*)(?![\w.])", lambda m: dotted(m.group(1)), text)


def _point_version(value: str) -> str:
    parts = value.split(".")
    head = cardinal(int(parts[0]))
    tail = [("oh" if p == "0" else cardinal(int(p)) if not p.startswith("0") else " ".join(_ONES[int(d)] for d in p))
            for p in parts[1:]]
    return " point ".join([head, *tail])


def _ranges(text: str) -> str:
    def span(match: re.Match[str]) -> str:
        a, b = match.group(1), match.group(2)
        if len(a) == 4 and len(b) in (2, 4) and 1900 <= int(a) <= 2099:
            b_full = int(a[:2] + b) if len(b) == 2 else int(b)
            return f"{year(int(a))} to {year(b_full)}"
        return f"{number(a)} to {number(b)}"

    return re.sub(rf"(?<![\w.\-])({_NUM})\s?[–-]\s?({_NUM})(?![\w.\-]|\.\d)", span, text)


def _years_and_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        raw = match.group(0)
        if re.fullmatch(r"\d{4}", raw) and 1900 <= int(raw) <= 2099:
            before = text[: match.start()]
            after = text[match.end() : match.end() + 2]
            if _YEAR_CONTEXT.search(before) or not after.strip() or after[:1] in ",.;:!?'\"":
                return year(int(raw))
        return number(raw)

    text = re.sub(r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])", replace, text)
    return re.sub(r"(?<=[a-z])\s?(?=\d)", " ", text)


def _acronyms(text: str, say_as_word: set[str]) -> str:
    def spell(match: re.Match[str]) -> str:
        word, plural = match.group(1), match.group(2) or ""
        if word in say_as_word or word + plural in say_as_word:
            return match.group(0)
        return "-".join(word) + ("'s" if plural else "")

    return re.sub(r"(?<![\w'-])([A-Z]{2,6})(s)?(?![\w'-])", spell, text)


def _symbols(text: str) -> str:
    text = re.sub(r"(?<=\w)/(?=\w)", " or ", text)
    text = re.sub(r"(?<=\d)\s?\+(?!\d)", " plus", text)
    for symbol, spoken in _SYMBOLS.items():
        text = text.replace(symbol, spoken)
    return text.replace("/", " ")


def _tidy_output(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",(\s*,)+", ",", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text)
    text = re.sub(r"([.!?])\s*,", r"\1", text)
    text = re.sub(r"^\s*,\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"(?<=[,;:])(?=\w)", " ", text)
    text = re.sub(r"(?<=[a-z])-(?=[A-Z])", " ", text)
    return text.strip()


def normalize(text: str, lexicon: Mapping[str, str] | None = None, say_as_words: Iterable[str] = ()) -> str:
    """``text`` as the words a voice should read: no digits, no symbols, no abbreviation that ends a sentence.

    ``lexicon`` (the show's ``tts.lexicon``) wins over the built-in pronunciations; ``say_as_words`` are extra
    all-capital words said as a word rather than spelled."""
    from pipeline.audio.lexicon import DEFAULT_LEXICON

    text = _tidy_input(text)
    text = _abbreviations(text)
    # The show's entries first (an exact built-in key must not beat a show's any-case one), then the built-in.
    custom = dict(lexicon or {})
    text = _entries(text, custom)
    folded = {key.lower() for key in custom}
    text = _entries(text, {k: v for k, v in {**SAID, **DEFAULT_LEXICON}.items()
                           if k not in custom and k.lower() not in folded})
    text = _powers(text)
    text = _dates(text)
    text = money(text)
    text = _rates(text)
    text = percent(text)
    text = _ranges(text)
    text = _versions(text)
    text = _units(text)
    text = _multipliers(text)
    text = _model_names(text)
    text = _units(text)
    text = _years_and_numbers(text)
    text = _acronyms(text, SAY_AS_WORD | set(say_as_words))
    text = _symbols(text)
    return _tidy_output(text)


_BOUNDARY = re.compile(r"[.!?…][\"”’')\]]*(?=\s)|\n")
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")
# Abbreviations that may also end a sentence ("... sold in the U.S. The rest"): split when a sentence starter
# follows. Titles (Dr., Sen.) never end one.
_SENTENCE_END_OK = {"U.S.", "U.K.", "E.U.", "U.N.", "Inc.", "Corp.", "Ltd.", "Co.", "etc.", "a.m.", "p.m.", "Jr.",
                    "Sr.", "Bros."}


def split_sentences(text: str) -> list[str]:
    """Sentences of a script as a listener hears them: never split inside an abbreviation ("Sen. Lee", "the
    U.S. market", "Doe v. Smith", "J. Smith"), but split after one that ends a sentence ("... in the U.S. The")."""
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.end()].strip()
        if not candidate:
            start = match.end()
            continue
        if match.group(0) != "\n":
            last = candidate.rsplit(None, 1)[-1]
            following = text[match.end() :].split(None, 1)[0].strip("\"'“(") if text[match.end() :].strip() else ""
            if last in ABBREVIATIONS or last in ("v.", "vs.") or _INITIAL.search(candidate):
                if not (last in _SENTENCE_END_OK and following in _STARTERS):
                    continue
        pieces.append(candidate)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces


# Characters a voice would have to guess at: the bench and the pronunciation report count them.
UNSPOKEN = re.compile(r"[0-9$€£¥₹%&@#/\\^~<>=+*_|(){}\[\]]")


def unspoken(text: str) -> list[str]:
    """Digits and symbols left in ``text`` (after normalization there should be none)."""
    return UNSPOKEN.findall(text)


__all__ = ["ABBREVIATIONS", "SAY_AS_WORD", "cardinal", "decimal", "money", "normalize", "ordinal", "percent",
           "split_sentences", "unspoken", "year"]
