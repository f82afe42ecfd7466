"""The written show's rules, each against a fixture that breaks it: repetition, copying, fragments, first person,
thin sources, superseded reports, the debate's two sides, the cold open's teasers and the sign-off's goodbye.

The drafts go through the real writer and the loopback OpenAI-compatible server (tests/fake_openai.py), whose
scripted answers play a model that breaks the rule."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import write_show
from fake_openai import FakeOpenAI, Reply, fake_openai, seed_day  # noqa: F401

from pipeline import files
from pipeline.config import Config, load_config
from pipeline.draft import draft, editorial, grounding
from pipeline.draft.pieces import debate_sides
from pipeline.draft.writer import dedupe_episode, plan_segments
from pipeline.kinds import FRAMING, KINDS
from pipeline.models import Segment, StageResult
from pipeline.store import Store, open_store

DAY = date(2026, 3, 10)


def config_for(tmp_path: Path, fake: FakeOpenAI, segments: list[dict[str, Any]]) -> Config:
    llm = {"backend": "compatible", "base_url": fake.base_url, "model": "fake-model", "budget": {}}
    return load_config(write_show(tmp_path / "show", segments=segments, llm=llm))


def story(story: str, segment: str, outlet: str, title: str, text: str, kind: str = "press") -> dict[str, Any]:
    return {"story": story, "segment": segment, "outlet": outlet, "kind": kind, "title": title, "text": text}


def answer(*sentences: tuple[str, list[int]]) -> Reply:
    return Reply.json({"sentences": [{"text": text, "sources": sources} for text, sources in sentences]})


LONG = ("Kestrel Research released Lumen-70B, a 70-billion-parameter model, under the Apache 2.0 licence on Monday. "
        "The weights can be downloaded by anyone and used commercially without a fee, the lab said. "
        "It scored 78.9 on the MMLU-Pro benchmark, the lab said in its post.")


# -- pure rules ------------------------------------------------------------------------------------------------


def copied_headline(show: tuple[Config, Store, FakeOpenAI], retold: str) -> tuple[StageResult, Segment]:
    """The headlines drafted from one story whose model line copies its source, the retelling answered ``retold``."""
    config, store, fake = show
    seed_day(config, store, DAY, [story("s-k", "headlines", "The Wire", "Kestrel releases Lumen-70B", LONG)])
    copied = answer(("Kestrel Research released Lumen-70B, a 70-billion-parameter model, under the Apache 2.0 "
                     "licence on Monday.", [1]))
    fake.when("This story is one of the top headlines", copied)
    fake.when("(copied)", Reply.json({"retold": retold}))
    result = draft(config, store, DAY)
    return result, files.load_episode(config.episodes_dir, DAY).segment("headlines")


def test_a_copied_line_is_retold_in_one_call(show: tuple[Config, Store, FakeOpenAI]) -> None:
    ours = "Kestrel put out its 70-billion-parameter Lumen-70B model under Apache 2.0 on Monday."
    result, headlines = copied_headline(show, ours)
    assert ours.rstrip(".") + " [1]." in headlines.text and "a 70-billion-parameter model, under" not in headlines.text
    assert any("rewrote 1 of 1 lines" in note for note in result.notes)
    assert not [f for f in headlines.flags if f.kind == "verbatim"]


def test_a_retelling_that_changes_the_facts_is_refused(show: tuple[Config, Store, FakeOpenAI]) -> None:
    # A small model retelling drops the figure, or borrows the prompt's worked example: neither is taken.
    _, headlines = copied_headline(show, "Kestrel put out its big Lumen-70B model under an open licence.")
    assert "big Lumen-70B" not in headlines.text
    assert [f for f in headlines.flags if f.kind == "verbatim"]  # the copy stays, flagged for the editor


COMING = ("Kestrel Research will open the Lumen-70B weights to everyone on April 1, the lab said in a post. "
          "The 70-billion-parameter model will ship under the Apache 2.0 licence, with no fee for commercial use. "
          "It scored 78.9 on the MMLU-Pro benchmark, the lab said.")


def headline_line(show: tuple[Config, Store, FakeOpenAI], line: str) -> FakeOpenAI:
    """A headlines day of one story (COMING), whose model line is ``line``; returns the server to script more."""
    config, store, fake = show
    seed_day(config, store, DAY, [story("s-k", "headlines", "The Wire", "Kestrel to open Lumen-70B", COMING)])
    fake.when("This story is one of the top headlines", answer((line, [1])))
    return fake


def test_a_retelling_that_tells_as_done_what_is_coming_is_refused(show: tuple[Config, Store, FakeOpenAI]) -> None:
    # Measured on the sample day: "will join Northwind AI, starting April 1" retold "has joined ... starting April 1".
    config, store, _ = show
    fake = headline_line(show, "We will open the Lumen-70B weights to everyone on April 1.")
    done = "The company has opened the Lumen-70B weights to everyone on April 1."
    coming = "The company says the Lumen-70B weights open to everyone on April 1."
    fake.when("(speaks as the company)", Reply.json({"retold": done}), Reply.json({"retold": coming}))
    draft(config, store, DAY)
    headlines = files.load_episode(config.episodes_dir, DAY).segment("headlines")
    assert "has opened" not in headlines.text and coming.rstrip(".") in headlines.text
    assert len(fake.requests_containing("(speaks as the company)")) == 2


def test_a_press_release_lead_in_is_cut_in_code(show: tuple[Config, Store, FakeOpenAI]) -> None:
    # "We are delighted to announce that ..." is the source's voice; what follows it is the news, kept without a call.
    config, store, _ = show
    fake = headline_line(show, "We are delighted to announce that Kestrel Research will open the Lumen-70B weights "
                               "on April 1.")
    draft(config, store, DAY)
    headlines = files.load_episode(config.episodes_dir, DAY).segment("headlines")
    assert "Kestrel Research will open the Lumen-70B weights on April 1 [1]." in headlines.text
    assert "delighted" not in headlines.text and not fake.requests_containing("(speaks as the company)")


@pytest.mark.parametrize(("retold", "past"), [
    ("Dr. Priya Ramanathan has joined Northwind AI as a full-time researcher starting April 1, 2026.", True),
    ("Dr. Priya Ramanathan joins Northwind AI on April 1, 2026.", False),
    ("Ramanathan, who has led audits, joins Northwind AI on April 1, 2026.", False),
    ("Dr. Priya Ramanathan is set to join Northwind AI on April 1, 2026.", False),
])
def test_made_past(retold: str, past: bool) -> None:
    from pipeline.draft.writer import made_past

    original = "We are delighted to announce that Dr. Priya Ramanathan will join Northwind AI, starting April 1, 2026."
    assert made_past(retold, original) is past
    assert not made_past(retold, "Dr. Priya Ramanathan joined Northwind AI on April 1, 2026.")


@pytest.mark.parametrize("retold, kept", [
    # measured on the sample day: each retelling below passed the earlier gate and made the show worse
    ("WebChores, a benchmark of 1,200 browser tasks for web agent evaluation, according to arXiv [1].", False),
    ("The release sparked a debate over open weights, which is not a source argument [5].", False),
    ("Judge Elaine Marsh ruled that training on purchased books was not likely fair use [1].", False),
    ("WebChores is a new test of 1,200 real browser tasks for web agents [1].", True),
])
def test_a_retelling_keeps_the_sense_of_its_original(retold: str, kept: bool) -> None:
    from pipeline.draft.writer import keeps_sense

    original = {"W": "WebChores is a benchmark of 1,200 real browser tasks for evaluating web agents.",
                "T": "The release prompted another round of the open weights is not open source argument.",
                "J": "Judge Elaine Marsh held that training on lawfully purchased books was likely fair use."}
    assert keeps_sense(retold, original[retold[0]]) is kept


def test_copy_check_finds_a_twelve_word_run_outside_quotes_only() -> None:
    copied = "Kestrel Research released Lumen-70B, a 70-billion-parameter model, under the Apache 2.0 licence on Monday."
    assert editorial.copies(copied, [LONG])
    ours = "Kestrel has put out its 70-billion-parameter Lumen model as open weights under Apache 2.0."
    assert not editorial.copies(ours, [LONG])
    quoted = 'As the lab put it, "The weights can be downloaded by anyone and used commercially without a fee."'
    assert not editorial.copies(quoted, [LONG])


@pytest.mark.parametrize("sentence, broken", [
    ("Its central argument is that the 9.", True),
    ("The bill now goes to the full Senate, and.", True),
    ("Northwind cut its prices", True),  # no end punctuation
    ("Kestrel released Lumen-70B under Apache 2.0 [1].", False),
    ("The company did not say what it will charge, the report says [2].", False),
    ("According to Policy Desk [5].", True),  # only an attribution (measured on the sample day)
    ("The act cleared the Commerce Committee 14-9 [5].", False),  # a score ends it (measured on the sample day)
    ("Researchers tested six agents on 1,200 real t [1].", True),  # a feed summary cut mid-word, copied
    ("An implementation of SqueezeKV is also av [5].", True),  # cut after two letters (the sample day, twice)
    ("Vantage Cloud lowered its price to $1.89 an hour, from $2.91, a 35% [9].", True),  # the sample day
    ("Vantage Cloud cut prices by 35% [9].", False),
    ("It runs 5.2x faster than Lumen-8B, said Priya [1].", False),
])
def test_fragments(sentence: str, broken: bool) -> None:
    assert bool(editorial.fragment(sentence)) is broken


@pytest.mark.parametrize("line, kept", [
    # measured on the sample day: the model's note to itself, said by the host
    ("The release sparked a debate over open weights, which is not a source argument [5].",
     "The release sparked a debate over open weights [5]."),
    ("The article also mentions that these builds are Apache-2.0 licensed [7].", ""),
    ("The gap widens from 7.5 to 9.8 points, according to the article [2].", "The gap widens from 7.5 to 9.8 points [2]."),
    ("The sources do not say when it ships [1].", ""),
    ("Kestrel released the source code under Apache-2.0 [3].", None),  # news, not talk about the material
    ("An article in The Wire says prices fell 60% [2].", None),
])
def test_the_host_never_talks_about_its_sources(line: str, kept: str | None) -> None:
    from pipeline.draft.writer import without_meta

    assert bool(editorial.meta_talk(line)) is (kept is not None)
    assert without_meta(line) == (line if kept is None else kept)


@pytest.mark.parametrize("sentence, person", [
    ("Our evaluations team found the model safe [1].", "Our"),
    ("We are excited to release Lumen-70B [1].", "We"),
    ("The US Senate advanced the bill [1].", ""),
    ('Kestrel said "we are proud of it" [1].', ""),
    ("The company said it would ship in Phase I of the rollout [1].", ""),
])
def test_first_person(sentence: str, person: str) -> None:
    assert editorial.first_person(sentence) == person


def test_thin_source_is_a_headline_and_little_more() -> None:
    assert editorial.is_thin("Introducing Aurora-3 Mini", "Introducing Aurora-3 Mini")
    assert editorial.is_thin("Introducing Aurora-3 Mini", "Introducing Aurora-3 Mini. Read more on our blog.")
    assert not editorial.is_thin("Lumen-70B", LONG)


def test_the_headline_said_for_a_story_reads_as_a_sentence_aloud() -> None:
    from pipeline.draft.pieces import best_headline

    helix = ["We heard you: changes to the Helix Community License",  # the company's first person
             "Helix Community License 1.1 - output clause removed, 1B/3B/7B back to Apache-2.0",  # glued parts
             "Helix U-turn: small models are open source again after 4,800-signature revolt"]
    assert best_headline(helix) == helix[2]
    assert best_headline(["Aurora-3 Mini: $0.10/M input, 128k context", "Northwind launches Aurora-3 Mini"]) == \
        "Northwind launches Aurora-3 Mini"
    assert best_headline(helix[:2]) == helix[1]  # nothing better on offer: the glued title still beats first person


def test_a_figure_said_twice_in_a_line_is_said_once() -> None:
    from pipeline.draft.writer import DraftSentence, cited_lines

    said = [DraftSentence(text="Reel-1 has 14 billion (14B) parameters, not 14 billion (14T) tokens.", sources=[2])]
    assert cited_lines(said) == ["Reel-1 has 14 billion parameters, not 14 billion (14T) tokens [2]."]


def test_quotes_are_found_with_their_speaker() -> None:
    text = ('"Inference is the bill you pay every day," said Maria Chen, Northwind\'s chief executive. Analyst Ravi '
            'Patel said the cut puts "direct pressure on every closed-model vendor\'s pricing page." Fine "words".')
    quotes = editorial.find_quotes(text)
    assert [(q.text, q.speaker) for q in quotes] == [
        ("Inference is the bill you pay every day", "Maria Chen"),
        ("direct pressure on every closed-model vendor's pricing page", "Analyst Ravi Patel")]


def test_repeats_across_segments_lose_the_later_sentence_and_teasers_yield() -> None:
    first = Segment(id="headlines", kind="headlines", title="Top", text=(
        "Kestrel released Lumen-70B as open weights under Apache 2.0 on Monday [1]. Northwind cut prices [2]."))
    later = Segment(id="deep-dive", kind="deep_dive", title="Deep", text=(
        "On Monday Kestrel released Lumen-70B as open weights under Apache 2.0 [1]. Developers cheered it [2]."))
    tease = Segment(id="cold-open", kind="cold_open", title="Cold", text=(
        "- Kestrel released Lumen-70B open weights under Apache 2.0 Monday [1].\n- A Senate panel moved a bill [2]."))
    notes = dedupe_episode([tease, first, later])
    assert "Lumen" not in tease.text and "Senate" in tease.text  # the teaser yields to the body it repeats
    assert "Lumen" in first.text and "Lumen" not in later.text and "Developers cheered" in later.text
    assert len(notes) == 2
    # An editor's segment is never cut: the other side of the pair goes instead.
    a = Segment(id="a", kind="headlines", title="A", text="Kestrel released Lumen-70B as open weights today [1]. Ok then it is [1].")
    b = Segment(id="b", kind="policy", title="B", text="Kestrel released Lumen-70B as open weights today [1]. More here now [1].")
    dedupe_episode([a, b], fixed={"b"})
    assert "Lumen" not in a.text and "Lumen" in b.text


def test_kinds_table_drives_config_and_framing() -> None:
    assert FRAMING == {"cold_open", "sign_off"}
    assert all((KINDS[k].mode in ("teaser", "sign_off")) for k in FRAMING)
    assert (Path(__file__).parents[1] / "prompts" / KINDS["debate"].prompt).exists()


# -- through the writer --------------------------------------------------------------------------------------------


@pytest.fixture
def show(tmp_path: Path, fake_openai: FakeOpenAI) -> tuple[Config, Store, FakeOpenAI]:  # noqa: F811
    segments = [
        {"id": "cold-open", "title": "The day in three lines", "kind": "cold_open", "target_words": 40},
        {"id": "headlines", "title": "Top headlines", "kind": "headlines", "target_words": 120},
        {"id": "open-vs-closed", "title": "Open vs closed", "kind": "debate", "target_words": 200},
        {"id": "policy", "title": "Policy and business", "kind": "policy", "target_words": 100},
        {"id": "sign-off", "title": "Sign-off", "kind": "sign_off", "target_words": 30},
    ]
    config = config_for(tmp_path, fake_openai, segments)
    return config, open_store(config.state_dir), fake_openai


def test_first_person_is_rewritten_once_then_said_as_its_headline(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, fake = show
    seed_day(config, store, DAY, [
        story("s-lab", "headlines", "Kestrel blog", "Kestrel releases Lumen-70B", "We are proud to release Lumen-70B, "
              "our most capable open model, today under the Apache 2.0 licence for everyone to use and build on."),
        story("s-two", "headlines", "The Wire", "Northwind cuts prices", "Northwind cut Aurora-3 API prices by 60% on "
              "Tuesday, it said in a post, in a move analysts called aggressive for the whole industry."),
    ])
    first_person = answer(("We are proud to release Lumen-70B, our most capable open model.", [1]))
    fake.when("This story is one of the top headlines", first_person)
    result = draft(config, store, DAY)
    headlines = files.load_episode(config.episodes_dir, DAY).segment("headlines")
    assert "We are proud" not in headlines.text and "our most" not in headlines.text
    assert 'Kestrel blog published "Kestrel releases Lumen-70B"' in headlines.text  # nothing made up instead
    tries = fake.requests_containing("(speaks as the company)")  # a retelling, then a freer one, then the cut
    assert len(tries) == 2
    assert all("We are proud to release Lumen-70B" in t["body"]["messages"][1]["content"] for t in tries)
    assert any("first person" in note for note in result.notes), result.notes


def test_a_headline_only_story_gets_one_sentence_and_no_padding(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, fake = show
    seed_day(config, store, DAY, [
        story("s-thin", "headlines", "Helix blog", "Introducing Helix Studio", "Introducing Helix Studio"),
        story("s-two", "headlines", "The Wire", "Northwind cuts prices", LONG),
    ])
    padded = answer(("Helix Labs introduced Helix Studio, a tool for designers launching June 15th.", [1]),
                    ("It will be used by hospitals and schools across Europe.", [1]))
    fake.when('thin="yes"', padded)
    result = draft(config, store, DAY)
    headlines = files.load_episode(config.episodes_dir, DAY).segment("headlines")
    thin_part = [line for line in headlines.text.split("\n\n") if "Helix" in line]
    assert thin_part == ['Helix blog published "Introducing Helix Studio" [1].']
    assert "hospitals" not in headlines.text and "June" not in headlines.text
    assert result.counts["thin_sources"] == 1 and result.counts["sources"] == 2
    prompt = fake.requests_containing('thin="yes"')[0]["body"]["messages"][1]["content"]
    assert "headline" in prompt  # the writer is told the source is thin


DEBATE = [
    story("s-helix", "open-vs-closed", "The Ledger", "Helix reverses licence change",
          "Helix Labs put its small models back under Apache 2.0 after 4,800 developers signed a letter. The larger "
          "models keep the new licence, with a higher threshold for commercial use than before. "
          '"The community has real leverage," said Ana Ruiz, who organised the letter.'),
    story("s-price", "open-vs-closed", "The Wire", "Northwind cuts Aurora-3 prices by 60%",
          "Northwind cut the price of its closed Aurora-3 API by 60%, undercutting open-model hosts. The new prices "
          "start next week for every customer of the API. "
          'Analyst Ravi Patel said the cut puts "direct pressure on every open-model host\'s margins."'),
]


def test_the_debate_argues_both_sides_with_citations_and_quotes(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, fake = show
    seed_day(config, store, DAY, DEBATE)
    fake.when("which side its facts support", Reply.json({"sides": ["keeping_up", "behind"]}))
    fake.when("Make the case that open AI IS falling behind", answer(
        ("The Wire reports that Northwind cut closed Aurora-3 prices by 60%, squeezing open hosts.", [2]),
        ("That price cut undercuts open-model hosts, according to The Wire.", [2])))
    fake.when("Now make the case AGAINST", answer(
        ("The Ledger reports that Helix went back to Apache 2.0 for its small models.", [1]),
        ("Some 4,800 developers signed a letter that forced the change, The Ledger says.", [1])))
    draft(config, store, DAY)
    debate = files.load_episode(config.episodes_dir, DAY).segment("open-vs-closed")
    assert debate.text.startswith("**Today's question:** Is open-source AI falling behind closed AI?")
    assert debate_sides(debate.text) == {"behind": 3, "against": 3}, debate.text  # two claims each, a quote each
    assert 'As Ana Ruiz put it, "The community has real leverage" [1].' in debate.text
    assert "direct pressure on every open-model host's margins" in debate.text
    assert not [f for f in debate.flags if f.kind == "uncited"]  # the question and labels are ours, not claims
    assert "Today's question" in debate.script and "[" not in debate.script
    # Each side was written from its own evidence only: the price cut for "behind", the reversal for "against".
    [behind] = fake.requests_containing("Make the case that open AI IS falling behind")
    prompt = behind["body"]["messages"][1]["content"]
    assert "Northwind cut the price" in prompt and "4,800 developers" not in prompt.split("<already>")[0]
    # The case against is not shown the first side's case (a small model retold it); the code checks repeats.
    [against] = fake.requests_containing("Now make the case AGAINST")
    assert "squeezing open hosts" not in against["body"]["messages"][1]["content"]
    assert fake.requests_containing("squeezing open hosts")  # later calls (what to watch, the script) still are


def test_a_sides_quote_may_come_from_a_report_on_its_side_it_does_not_cite(
        show: tuple[Config, Store, FakeOpenAI]) -> None:
    # Measured on the sample day: the one line citing the quoted report was wrong and cut, and the quote went too.
    config, store, fake = show
    seed_day(config, store, DAY, [*DEBATE, story(
        "s-bill", "open-vs-closed", "Policy Desk", "Senate panel advances AI bill",
        "A Senate committee advanced the Frontier Model Accountability Act 14-9. The bill would make developers of "
        "the largest models give 90 days' notice before publishing weights, its sponsors said on Tuesday.")])
    fake.when("which side its facts support", Reply.json({"sides": ["keeping_up", "behind", "behind"]}))
    fake.when("Make the case that open AI IS falling behind", answer(
        ("Policy Desk reports that the bill would make developers of the largest models wait 90 days.", [3]),
        ("The committee advanced the act 14-9, Policy Desk says.", [3])))
    draft(config, store, DAY)
    debate = files.load_episode(config.episodes_dir, DAY).segment("open-vs-closed")
    behind = debate.text.split("**The case that it is.**")[1].split("**The case against.**")[0]
    assert "direct pressure on every open-model host's margins" in behind, debate.text  # quoted from [2]


def test_a_side_is_written_from_the_reports_that_argue_it_in_so_many_words(
        show: tuple[Config, Store, FakeOpenAI]) -> None:
    # Measured on the sample day: the model guessed the Senate bill was evidence that open AI keeps up; written
    # beside "the first open model in the top five", the case against retold the bill and was cut as a repeat.
    config, store, fake = show
    seed_day(config, store, DAY, [DEBATE[1], story(
        "s-arena", "open-vs-closed", "Open Digest", "Lumen-70B enters OpenArena at #4",
        "Lumen-70B entered OpenArena at #4 today, the first open model in the top five, 55 points short of the "
        "leader."), story(
        "s-bill", "open-vs-closed", "Policy Desk", "Senate panel advances AI bill",
        "A Senate committee advanced the Frontier Model Accountability Act 14-9. The bill would make developers of "
        "the largest models give 90 days' notice before publishing weights, its sponsors said on Tuesday.")])
    fake.when("which side its facts support", Reply.json({"sides": ["behind", "keeping_up", "keeping_up"]}))
    result = draft(config, store, DAY)
    [against] = fake.requests_containing("Now make the case AGAINST")
    prompt = against["body"]["messages"][1]["content"].split("<already>")[0]
    assert "first open model in the top five" in prompt and "Frontier Model Accountability Act" not in prompt
    assert any("keeping up [2]" in note for note in result.notes)


def test_a_sides_quote_may_come_from_a_report_the_model_placed_there(show: tuple[Config, Store, FakeOpenAI]) -> None:
    # The case against is written from the report that argues it in so many words; the quote still comes from a
    # report the model placed on that side (measured on the sample day: without it, the debate lost its only quote).
    config, store, fake = show
    seed_day(config, store, DAY, [DEBATE[1], story(
        "s-arena", "open-vs-closed", "Open Digest", "Lumen-70B enters OpenArena at #4",
        "Lumen-70B entered OpenArena at #4 today, the first open model in the top five."), DEBATE[0]])
    fake.when("which side its facts support", Reply.json({"sides": ["behind", "keeping_up", "keeping_up"]}))
    fake.when("Now make the case AGAINST", answer(
        ("Lumen-70B reached fourth place on OpenArena, the first open model in its top five.", [2]),
        ("It entered the board at #4 today, Open Digest says.", [2])))
    draft(config, store, DAY)
    [against] = fake.requests_containing("Now make the case AGAINST")
    assert "4,800 developers" not in against["body"]["messages"][1]["content"]
    debate = files.load_episode(config.episodes_dir, DAY).segment("open-vs-closed")
    case = debate.text.split("**The case against.**")[1]
    assert 'As Ana Ruiz put it, "The community has real leverage" [3].' in case, debate.text


def test_a_side_the_sources_do_not_support_is_said_so(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, fake = show
    seed_day(config, store, DAY, DEBATE)
    fake.when("Now make the case AGAINST", Reply.json({"sentences": []}))
    result = draft(config, store, DAY)
    debate = files.load_episode(config.episodes_dir, DAY).segment("open-vs-closed")
    assert "Today's reports make little of a case that open AI is keeping up." in debate.text
    assert any("'The case against.' has fewer than two cited claims" in note for note in result.notes)


def test_a_headline_only_story_is_neither_teased_nor_the_watch_line(show: tuple[Config, Store, FakeOpenAI]) -> None:
    # Measured on the headline-only fixture: the cold open teased "Cinder-2 model card and evaluation results" and
    # the debate told it too, two sentences on one headline. A thin story is told once, in its own segment.
    config, store, _ = show
    seed_day(config, store, DAY, [
        *DEBATE,
        story("s-thin", "headlines", "Lab blog", "Cobalt Voice 2 is coming", "Cobalt Voice 2 is expected next month."),
        story("s-c", "policy", "Policy Desk", "Senate panel advances AI bill", "A Senate committee advanced the "
              "Frontier Model Accountability Act 14-9. The bill would make developers of the largest models "
              "register them and give 90 days' notice before publishing weights, its sponsors said on Tuesday."),
    ])
    plans = {plan.spec.id: plan for plan in plan_segments(config, store, files.load_rundown(config.episodes_dir, DAY))}
    assert "s-thin" in plans["headlines"].story_ids  # told, once
    assert "s-thin" not in plans["cold-open"].story_ids and plans["cold-open"].story_ids
    assert "s-thin" not in plans["sign-off"].story_ids  # the sign-off is there all the same: it says goodbye


def test_a_day_of_headlines_only_has_no_cold_open_and_says_goodbye(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, _ = show
    seed_day(config, store, DAY, [
        story("s-1", "headlines", "Lab blog", "Cobalt Voice 2 is coming", "Cobalt Voice 2 is expected next month."),
        story("s-2", "policy", "Policy Desk", "Senate panel advances AI bill", "A floor vote is expected soon."),
    ])
    result = draft(config, store, DAY)
    episode = files.load_episode(config.episodes_dir, DAY)
    live = [s for s in episode.segments if s.status == "drafted"]
    assert live[0].kind == "headlines" and live[0].script.startswith("This is ")  # the greeting opens the show
    assert live[-1].kind == "sign_off" and live[-1].story_ids == [] and "Thanks for listening" in live[-1].text
    assert result.status != "failed"


def test_cold_open_teases_three_segments_and_sign_off_says_goodbye(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, fake = show
    seed_day(config, store, DAY, [
        *DEBATE,
        story("s-a", "headlines", "The Wire", "Cobalt launches a voice model", "Cobalt launched Cobalt Voice, a "
              "speech model for phones, on Tuesday. It runs on the handset without a network connection, speaks "
              "nine languages, and is free for apps with fewer than a million users, the company said."),
        story("s-b", "headlines", "The Ledger", "Quill raises $12 million", "Quill Data raised $12 million."),
        story("s-c", "policy", "Policy Desk", "Senate panel advances AI bill", "A Senate committee advanced the "
              "Frontier Model Accountability Act 14-9; a floor vote is expected next month. The bill would make "
              "developers of the largest models register them and give 90 days' notice before publishing weights."),
    ])
    rundown = files.load_rundown(config.episodes_dir, DAY)
    plans = {plan.spec.id: plan for plan in plan_segments(config, store, rundown)}
    teased = plans["cold-open"].story_ids
    segment_of = {s.id: s.segment for s in rundown.stories}
    assert len(teased) == 3 and len({segment_of[s] for s in teased}) == 3  # three different segments
    assert plans["sign-off"].story_ids == ["s-c"]  # "expected next month": the story with something to watch
    fake.when("This is the cold open", Reply.json({"lines": [
        "Your phone may soon talk back in a new voice.", "A lab blinks after a developer revolt.",
        "And Washington takes a step on frontier AI."]}))
    fake.when("This is the sign-off", Reply.json({"sentences": [
        {"text": "Watch for the full Senate's vote, due next month.", "sources": [1]}]}))
    draft(config, store, DAY)
    episode = files.load_episode(config.episodes_dir, DAY)
    cold = episode.segment("cold-open")
    assert cold.text.count("\n- ") == 2 and cold.script.endswith(f"This is {config.show.title}. I'm {config.show.host}.")
    bye = episode.segment("sign-off")
    assert bye.text.endswith("Thanks for listening, and see you tomorrow.") and "Tuesday, March 10" in bye.text
    # its watch line retells a story already told: the host says it is what to watch, not news again
    assert grounding.citations(bye.text) and bye.script.startswith("Before we go, one thing to watch. ")


def test_superseded_reports_are_left_out_of_what_the_writer_reads(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, fake = show
    seed_day(config, store, DAY, [
        story("s-helix", "headlines", "The Wire", "Helix moves Helix-2 to a restrictive licence",
              "Helix Labs moved Helix-2 to the Helix Community License 1.0 with a 50M MAU threshold."),
        story("s-helix", "headlines", "The Ledger", "Helix partially reverses its licence change",
              "Helix Labs put 1B-7B back under Apache 2.0 and raised the threshold from 50M to 100M MAU."),
        story("s-two", "headlines", "Policy Desk", "Senate panel advances AI bill", LONG),
    ])
    path = config.episodes_dir / DAY.isoformat() / "rundown.json"
    rundown = json.loads(path.read_text())
    helix = next(s for s in rundown["stories"] if s["id"] == "s-helix")
    helix["sources"][0]["superseded_by"] = helix["sources"][1]["item_id"]
    path.write_text(json.dumps(rundown))
    draft(config, store, DAY)
    prompts = [r["body"]["messages"][1]["content"] for r in fake.chat_requests]
    assert not any("Helix Community License 1.0 with a 50M" in p for p in prompts)
    assert any("partially reverses" in p for p in prompts)


def test_a_thin_source_yields_one_line_even_in_a_story_with_a_fuller_one() -> None:
    from pipeline.draft.writer import one_line_per_thin_source

    lines = ["Pixelwright released Reel-1 weights [5].", "It is open only for research [5].",
             "Reel-1 makes 10-second clips at 720p [6].", "The licence bars companies [5, 6]."]
    kept, cut = one_line_per_thin_source(lines, thin={5})
    assert kept == [lines[0], lines[2], lines[3]] and len(cut) == 1


def test_a_beat_resting_on_a_headline_only_source_adds_nothing(show: tuple[Config, Store, FakeOpenAI]) -> None:
    config, store, fake = show
    seed_day(config, store, DAY, [
        story("s-c", "open-vs-closed", "Cinder blog", "Cinder-2 open weights in 3B and 12B", "Cinder-2 open weights"),
        story("s-p", "open-vs-closed", "The Wire", "Northwind cuts prices", LONG)])
    fake.when("which side its facts support", Reply.json({"sides": ["keeping_up", "behind"]}))
    fake.when("Now make the case AGAINST", answer(
        ("Cinder released Cinder-2 open weights in 3B and 12B sizes.", [1]),
        ("Developers delayed the release over fears of competition from rival AI companies.", [1])))
    result = draft(config, store, DAY)
    debate = files.load_episode(config.episodes_dir, DAY).segment("open-vs-closed")
    assert "Cinder-2 open weights in 3B and 12B sizes [1]." in debate.text
    assert "delayed" not in debate.text
    assert any("headline-only source" in note for note in result.notes)


@pytest.mark.parametrize("candidate, kept", [
    ("Kestrel put out its 70-billion-parameter Lumen-70B under Apache 2.0 on Monday.", True),
    ("Kestrel put out Lumen-70B under Apache 2.0 on Monday.", False),  # the 70-billion figure is lost
    ("Kestrel put out its 70-billion-parameter Lumen-70B under Apache 2.0 on Friday.", False),  # a day added
    ("Widget-2 and Kestrel's 70-billion-parameter Lumen-70B came out under Apache 2.0 on Monday.", False),
])
def test_same_facts_gate(candidate: str, kept: bool) -> None:
    from pipeline.draft.writer import same_facts

    original = "Kestrel Research released Lumen-70B, a 70-billion-parameter model, under the Apache 2.0 licence on Monday."
    assert same_facts(candidate, original) is kept


@pytest.mark.parametrize("sentence, glued", [
    ("Quality variantGauntletBench v2 Lumen-8B bf1658.3 Lumen-8B Q4_K_M57.3 (98.2% of bf16).", True),
    ("OpenArena ranks DeepSeek-V3 and ChatGPT near GauntletBench leaders on an H100.", False),
    ("Lumen-8B v1.1.0 adds 4-bit GGUF Q4_K_M builds of 5.1 GB for the iPhone and macOS.", False),
])
def test_text_glued_from_a_table_is_never_shown_or_kept(sentence: str, glued: bool) -> None:
    assert bool(editorial.garbled(sentence)) is glued
    text = f"Kestrel shipped quantized builds. {sentence} They run on laptops."
    assert (sentence in editorial.readable(text)) is not glued


@pytest.mark.parametrize("text, side", [
    ("Senate panel backs AI bill that would make open models wait 90 days", "behind"),
    ("Fifty fine-tuning steps remove safety training from 11 of 12 open-weight models", "behind"),
    ("Lumen-70B enters OpenArena at #4, the first open model in the top five", "keeping_up"),
    ("Helix U-turn: small models are open source again after 4,800-signature revolt", "keeping_up"),
    ("Meridian: open models now 7.5 points behind on GauntletBench", "behind"),
    ("Welcoming Dr. Priya Ramanathan as Chief Safety Officer", "neither"),
])
def test_a_report_the_model_leaves_out_is_placed_by_its_own_words(text: str, side: str) -> None:
    from pipeline.curate.text import lean

    assert lean(text) == side


def test_a_description_that_adds_to_the_episode_is_replaced_by_one_made_from_it() -> None:
    from pipeline.draft.writer import says_more

    told = grounding.SourceIndex.of(["Helix Labs moved its 1B, 3B and 7B models back to the Apache-2.0 licence [1].",
                                     "Brightline Software to buy AI writing startup Quillmark for $310 million"])
    padded = ("The episode looks at the Helix licence change, potentially leading to increased usage and revenue "
              "for Apache projects.")
    assert says_more(padded, told)
    assert says_more("Helix Labs moved its models back to Apache-2.0 after a 9,000-signature petition.", told)
    assert not says_more("Helix Labs moved its 1B, 3B and 7B models back to the Apache-2.0 licence. Also today: "
                         "Brightline Software to buy AI writing startup Quillmark for $310 million.", told)


def test_a_headline_only_deep_dive_is_said_as_its_headline_not_failed(tmp_path: Path,
                                                                      fake_openai: FakeOpenAI) -> None:  # noqa: F811
    segments = [{"id": "deep-dive", "title": "Deep dive", "kind": "deep_dive", "target_words": 200}]
    config = config_for(tmp_path, fake_openai, segments)
    store = open_store(config.state_dir)
    seed_day(config, store, DAY, [
        story("s-thin", "deep-dive", "Helix blog", "Introducing Helix Studio", "Introducing Helix Studio"),
        story("s-thin", "deep-dive", "Helix news", "Helix Studio is here", "Helix Studio is here"),
    ])
    padded = answer(("Helix Studio is a design tool that hospitals in Europe will use from June 15th.", [1]),
                    ("It costs $40 a seat and ships with three plugins.", [2]),
                    ("Helix said demand from schools drove the launch.", [1]))
    fake_openai.when("deep dive", padded)
    result = draft(config, store, DAY)
    deep = files.load_episode(config.episodes_dir, DAY).segment("deep-dive")
    assert deep.status == "drafted", result.failures
    assert deep.text == 'Helix blog published "Introducing Helix Studio" [1].'
    assert any("said as its headline" in note for note in result.notes)
