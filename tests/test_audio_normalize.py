"""The speech normalizer: a table of written forms and what the voice must be given (bench/spoken.py reads it)."""

from __future__ import annotations

import pytest

from pipeline.audio.normalize import cardinal, normalize, ordinal, unspoken, year

# (written, spoken). Every row is something a news script really says; the first block is what the producer's
# checklist heard wrong on the sample day.
TABLE: list[tuple[str, str]] = [
    # heard wrong on the sample day
    ("0.10 dollars per million", "ten cents per million"),
    ("scored 66.0 on the test", "scored sixty-six on the test"),
    ("10^26 FLOP", "ten to the twenty-sixth flop"),
    ("a 180 ms delay", "a one hundred eighty millisecond delay"),
    ("a 48 MW site", "a forty-eight megawatt site"),
    ("5.2x faster", "five point two times faster"),
    ("a 128k context", "a one hundred twenty-eight thousand context"),
    ("on 2026-03-10", "on March tenth, twenty twenty-six"),
    ("Sen. Warren asked", "Senator Warren asked"),
    ("Dr. Osei said", "Doctor Osei said"),
    ("in Doe v. Forge", "in Doe versus Forge"),
    ("LLaMA weights", "Lahma weights"),
    ("10x the compute", "ten times the compute"),
    ("AWQ quantization", "A-W-Q quantization"),
    ("a score (78.9) on it", "a score, seventy-eight point nine, on it"),
    ("the agency (FMAA) said", "the agency, F-M-A-A, said"),
    # money
    ("$0.10", "ten cents"),
    ("$0.01 a call", "one cent a call"),
    ("$1", "one dollar"),
    ("$5", "five dollars"),
    ("$2.50", "two dollars and fifty cents"),
    ("$1.2B", "one point two billion dollars"),
    ("$2.5bn", "two point five billion dollars"),
    ("$640M round", "six hundred forty million dollars round"),
    ("€40m", "forty million euros"),
    ("£3 million", "three million pounds"),
    ("$1,200", "one thousand two hundred dollars"),
    ("$100k", "one hundred thousand dollars"),
    ("$15/month", "fifteen dollars a month"),
    ("$0.10 per 1M tokens", "ten cents per million tokens"),
    ("$2 per 1M input tokens", "two dollars per million input tokens"),
    ("US$5 billion", "five billion dollars"),
    ("€1.5 billion", "one point five billion euros"),
    ("1 dollars", "one dollar"),
    # percentages and multipliers
    ("40%", "forty percent"),
    ("3.5% growth", "three point five percent growth"),
    ("10-15% cheaper", "ten to fifteen percent cheaper"),
    ("2× the speed", "two times the speed"),
    ("a 3x jump", "a three times jump"),
    # units and rates
    ("80 GB of memory", "eighty gigabytes of memory"),
    ("24GB cards", "twenty-four gigabytes cards"),
    ("2 TB drives", "two terabytes drives"),
    ("1 GW campus", "one gigawatt campus"),
    ("it draws 48 MW", "it draws forty-eight megawatts"),
    ("200 tokens/s", "two hundred tokens a second"),
    ("30 tok/s", "thirty tokens a second"),
    ("3 GHz", "three gigahertz"),
    ("700 W", "seven hundred watts"),
    ("4 PFLOPS", "four petaflops"),
    ("1e25 FLOPs", "ten to the twenty-fifth flops"),
    ("3 x 10^25 FLOP", "three times ten to the twenty-fifth flop"),
    ("5 ms", "five milliseconds"),
    ("1 ms", "one millisecond"),
    # dates, years, ordinals, times
    ("April 1", "April first"),
    ("June 15th", "June fifteenth"),
    ("March 10, 2026", "March tenth, twenty twenty-six"),
    ("on 3 May", "on the third of May"),
    ("in 2026", "in twenty twenty-six"),
    ("since 2000", "since two thousand"),
    ("by 2005", "by two thousand five"),
    ("in 1999", "in nineteen ninety-nine"),
    ("the 1990s", "the nineteen nineties"),
    ("2024-2025", "twenty twenty-four to twenty twenty-five"),
    ("the 21st century", "the twenty-first century"),
    ("the 2nd and 3rd tries", "the second and third tries"),
    ("Q3 results", "Q-three results"),
    ("at 9:30", "at nine thirty"),
    ("at 10:00", "at ten o'clock"),
    ("at 9:05 a.m. today", "at nine oh five A-M today"),
    # versions
    ("v2.1.0 shipped", "version two point one point zero shipped"),
    ("v3 is out", "version three is out"),
    ("Forge 1.4.2", "Forge one point four point two"),
    ("Python 3.11", "Python three point eleven"),
    ("Gemini 2.0 Flash", "Gemini two point oh Flash"),
    # abbreviations that must not end a sentence
    ("Rep. Diaz and Gov. Hale", "Representative Diaz and Governor Hale"),
    ("Prof. Kim", "Professor Kim"),
    ("the U.S. market", "the U-S market"),
    ("sold in the U.S. The rest", "sold in the U-S. The rest"),
    ("Acme Inc. said", "Acme Inc said"),
    ("e.g. this vs. that", "for example this versus that"),
    ("Jan. 5", "January fifth"),
    ("No. 1 spot", "number one spot"),
    ("#2 app", "number two app"),
    ("Kim et al. found", "Kim and colleagues found"),
    # acronyms spelled or said
    ("AI is here", "A-I is here"),
    ("the GPUs", "the G-P-U's"),
    ("GGUF files", "G-G-U-F files"),
    ("NASA and the FTC", "NASA and the F-T-C"),
    ("CUDA kernels", "cooda kernels"),
    ("a RAG system", "a rag system"),
    ("MoE models", "mixture of experts models"),
    ("OpenAI's API", "Open A-I's A-P-I"),
    # model names
    ("GPT-4o", "G-P-T four oh"),
    ("GPT-4.1 and GPT-5", "G-P-T four point one and G-P-T five"),
    ("Qwen2.5-72B", "Kwen two point five seventy-two billion"),
    ("Llama-3.1-8B-Instruct", "Lahma three point one eight billion Instruct"),
    ("the 70B model and a 1.5B one", "the seventy billion model and a one point five billion one"),
    ("Mixtral 8x7B", "Mixtral eight by seven billion"),
    ("H100 GPUs", "H one hundred G-P-U's"),
    ("o3-mini", "oh three mini"),
    ("DeepSeek-V3", "Deep Seek V three"),
    ("Lumen-70B", "Lumen seventy billion"),
    # numbers and symbols
    ("7 labs", "seven labs"),
    ("1,000 users", "one thousand users"),
    ("2,500 GPUs", "two thousand five hundred G-P-U's"),
    ("3,000,000 downloads", "three million downloads"),
    ("78.9 percent", "seventy-eight point nine percent"),
    ("3-5 stories", "three to five stories"),
    ("R&D", "R and D"),
    ("C++", "C plus plus"),
    ("100+ points", "one hundred plus points"),
    ("~5 people", "about five people"),
    ("read https://example.com/x now", "read now"),
    ("fast - and cheap", "fast, and cheap"),
]


@pytest.mark.parametrize(("written", "spoken"), TABLE, ids=[row[0] for row in TABLE])
def test_table(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_table_is_large_and_leaves_nothing_to_guess() -> None:
    assert len(TABLE) >= 80
    left = {written: unspoken(normalize(written)) for written, _ in TABLE}
    assert not {k: v for k, v in left.items() if v}


def test_number_words() -> None:
    assert cardinal(0) == "zero"
    assert cardinal(115) == "one hundred fifteen"
    assert cardinal(1_234_567) == "one million two hundred thirty-four thousand five hundred sixty-seven"
    assert [ordinal(n) for n in (1, 2, 3, 4, 12, 20, 21, 100)] == [
        "first", "second", "third", "fourth", "twelfth", "twentieth", "twenty-first", "one hundredth"]
    assert [year(n) for n in (1900, 1905, 2010, 2026)] == [
        "nineteen hundred", "nineteen oh five", "twenty ten", "twenty twenty-six"]


def test_show_lexicon_and_words_said_as_words() -> None:
    assert normalize("Rivera on AI", {"AI": "artificial intelligence"}) == "Rivera on artificial intelligence"
    assert normalize("the FMAA rules") == "the F-M-A-A rules"
    assert normalize("the FMAA rules", say_as_words=["FMAA"]) == "the FMAA rules"


def test_sentence_ends_stay_where_they_are() -> None:
    spoken = normalize("Dr. Lee met Sen. Ruiz in the U.S. The deal is done. Prices fell 3%.")
    assert spoken == "Doctor Lee met Senator Ruiz in the U-S. The deal is done. Prices fell three percent."
    assert spoken.count(".") == 3


def test_a_scale_in_capitals_is_still_a_scale() -> None:
    assert normalize("a $2.5BN deal") == "a two point five billion dollars deal"
    assert normalize("a $40Mn round") == "a forty million dollars round"
