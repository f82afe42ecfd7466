"""The spoken script: code polish and checks, and the one-retry-then-fallback rule through a loopback model."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_show
from fake_openai import FakeOpenAI, Reply, fake_openai  # noqa: F401

from pipeline.config import Config, SegmentSpec, load_config
from pipeline.draft.llm import open_llm
from pipeline.draft.script import (
    added_facts,
    broken_off,
    contract,
    contractions_per_100,
    dropped_stories,
    polish,
    problems,
    round_for_ear,
    speakable,
    split_long,
    spoken_outlet,
    write_script,
)
from pipeline.draft.writer import Plan
from pipeline.models import SourceRef
from pipeline.store import open_store

OUTLETS = [
    # (name, kind, spoken)
    ("Forge releases (GitHub)", "github", "Forge's release notes on GitHub"),
    ("llama.cpp releases", "github", "llama.cpp's release notes on GitHub"),
    ("HN AI front page", "aggregator", "a post on Hacker News"),
    ("Hacker News (LLM, 100+ points)", "aggregator", "a post on Hacker News"),
    ("arXiv cs.CL", "arxiv", "a paper on arXiv"),
    ("The Wire (AI)", "press", "The Wire"),
    ("Business Daily (AI & Markets)", "press", "Business Daily"),
    ("TechCrunch AI", "press", "TechCrunch"),
    ("Policy Desk", "policy", "Policy Desk"),
    ("The Circuit: AI", "press", "The Circuit"),  # measured on the headline-only fixture: "according to The Circuit:."
]


@pytest.mark.parametrize(("name", "kind", "spoken"), OUTLETS)
def test_outlets_are_named_as_a_person_names_them(name: str, kind: str, spoken: str) -> None:
    assert spoken_outlet(name, kind) == spoken
    assert spoken_outlet(name, kind, "the Forge team") == "the Forge team"  # a source's spoken_name wins


def test_polish_fixes_what_code_can() -> None:
    names = [("HN AI front page", "a post on Hacker News"), ("Forge releases (GitHub)", "Forge's release notes on GitHub")]
    script = polish("It is cheap [1] (about 78.9 on the test), according to HN AI front page. "
                    "Forge releases (GitHub) says it does not crash. "
                    "The lab said the model, which was trained on 1,234,567 documents, is faster than the last "
                    "one; it also uses less memory and runs on a laptop, and the weights are open to anyone.", names)
    assert "(" not in script and ")" not in script and "[1]" not in script
    assert "according to a post on Hacker News" in script and "HN AI" not in script
    assert "Forge's release notes on GitHub says it doesn't crash" in script
    assert "It's cheap" in script and "about 79" in script and "about 1.2 million documents" in script
    assert all(len(s.split()) <= 25 for s in script.split(". "))


def test_contractions_never_before_a_full_stop() -> None:
    assert contract("It is here and they are not. That is how it is.") == "It's here and they're not. That's how it is."
    assert contractions_per_100("It's here and it's fine; Forge's notes say so.") > 0
    assert contractions_per_100("Forge's notes say so.") == 0  # a possessive is not a contraction


def test_rounding_keeps_versions_years_and_names() -> None:
    assert round_for_ear("In 2026 Lumen-70B v1.2.3 cost $1,234,567.") == "In 2026 Lumen-70B v1.2.3 cost about $1.2 million."
    assert round_for_ear("It scored 66.0 and 5.2x, with 3,000,000 users") == "It scored 66 and 5.2x, with 3 million users"


def test_long_sentences_are_cut_at_a_conjunction_only() -> None:
    long = ("The agency published its first guidance for general purpose models on Tuesday in Brussels, "
            "and the rules take effect next year for every company that sells a model in the bloc.")
    parts = split_long(long)
    assert len(parts) == 2 and parts[1].startswith("And the rules") and all(len(p.split()) <= 25 for p in parts)
    uncuttable = " ".join(["word"] * 30) + "."
    assert split_long(uncuttable) == [uncuttable]


def test_a_script_adds_no_fact() -> None:
    text = "Forge raised $40 million [1]. Its CEO Dana Osei said the round closes in April [2]."
    assert added_facts("Forge raised 40 million dollars. Dana Osei says it closes in April.", text) == []
    added = added_facts("Forge raised $45 million. Its CEO Dana Osei and Sam Reyes spoke.", text)
    assert "$45 million" in added and any("Reyes" in a for a in added)
    # Rounded for the ear: "about 1.2 million" rests on the text's 1,234,567; "about 2 million" does not.
    precise = "The dataset has 1,234,567 documents [1]."
    assert added_facts("The dataset has about 1.2 million documents.", precise) == []
    assert added_facts("The dataset has about 2 million documents.", precise) != []


def test_a_dropped_story_and_a_title_read_aloud_are_problems() -> None:
    stories = ["Forge 2.0 shipped with a new kernel [1].", "Lumen-70B weights are now open [2].",
               "The Policy Desk reports a new rule for model labs [3]."]
    text = "\n\n".join(stories)
    script = "Forge 2.0 shipped with a new kernel. Lumen-70B weights are open now."
    assert dropped_stories(script, stories) == [2]
    found = problems(script, text, paragraphs=stories)
    assert any("leaves out" in p for p in found)
    # A debate side the day does not argue is said in a line with no name or number: leaving it out is a problem too
    # (measured on the sample day: the script then argued one side only).
    debate = ["**The case that it is.** The Senate panel approved the act 14-9 [5].",
              "**The case against.** Today's reports make little of a case that open AI is keeping up."]
    assert dropped_stories("The Senate panel approved the act 14-9.", debate) == [1]
    assert dropped_stories("The Senate panel approved the act 14-9. But today's reports make little of a case "
                           "that open AI is keeping up.", debate) == []
    # A paragraph counts as said only by what it alone says (measured on the sample day: the case against, left
    # out, passed because its "AI" was in the script), and a script that breaks off is a problem.
    argued = ["**The case that it is.** Open AI trails: the Senate panel approved the act 14-9 [5].",
              "**The case against.** Open AI keeps up: Lumen-70B sits fourth on OpenArena, Elo 1287 [7]."]
    cut_short = "Open AI trails: the Senate panel approved the act 14-9. As CEO Dana Okafor put it,"
    assert dropped_stories(cut_short, argued) == [1]
    assert any("breaks off mid-sentence" in p for p in problems(cut_short, "\n\n".join(argued), paragraphs=argued))
    assert not broken_off("She said \"no.\"") and not broken_off("It passed 14-9.") and broken_off("It went to the.")
    titled = problems('A paper on arXiv, "Sparse Mixture Routing Cuts Training Compute", is out.',
                      'arXiv published "Sparse Mixture Routing Cuts Training Compute" [1].')
    assert any("title" in p for p in titled)


# -- through a model on loopback -----------------------------------------------------------------------------------

TEXT = ("Forge released version 2.0 of its inference server [1]. The release cuts memory use by 30% [1].\n\n"
        "Lumen-70B weights are now open under an Apache licence [2].")


def _setup(tmp_path: Path, fake: FakeOpenAI) -> tuple[Config, Plan]:
    settings = {"backend": "compatible", "base_url": fake.base_url, "model": "fake-model", "budget": {}}
    config = load_config(write_show(tmp_path / "show", llm=settings))
    spec = SegmentSpec(id="headlines", title="Top headlines", kind="headlines", target_words=120)
    refs = [SourceRef(n=1, story_id="s1", item_id="i1", outlet="Forge releases (GitHub)", title="Forge 2.0",
                      url="https://example.com/1"),
            SourceRef(n=2, story_id="s2", item_id="i2", outlet="Hacker News (AI front page)", title="Lumen",
                      url="https://example.com/2")]
    return config, Plan(spec, ["s1", "s2"], refs, [], {}, previous="The day in three lines")


def test_one_retry_names_the_problem_then_the_good_script_is_used(tmp_path: Path,
                                                                   fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config, plan = _setup(tmp_path, fake_openai)
    invented = "Forge shipped version 2.0 for $9 million. It cuts memory by 30 percent. Lumen-70B weights are open."
    good = "Forge shipped version 2.0 of its server, and it cuts memory by 30 percent. Lumen-70B weights are open."
    fake_openai.when("radio copy", Reply.json({"script": invented}), Reply.json({"script": good}))
    with open_llm(config, open_store(config.state_dir)) as llm:
        spoken = write_script(config, llm, plan, TEXT, intro="Now, top headlines.")
    retry = fake_openai.requests_containing("Your last script had problems")
    assert len(retry) == 1 and "$9 million" in retry[0]["body"]["messages"][-1]["content"]
    assert spoken.script.startswith("Now, top headlines. Forge shipped version 2.0 of its server, and")
    assert "$9 million" not in spoken.script and not spoken.from_text and spoken.notes == []


def test_a_summary_for_a_script_is_asked_again_part_by_part(tmp_path: Path,
                                                             fake_openai: FakeOpenAI) -> None:  # noqa: F811
    """Measured on the sample day: the deep dive's script came back a 33-word summary twice, so its text was read
    aloud. A beats segment's script that is too short is asked again one spoken part per paragraph."""
    config, headlines = _setup(tmp_path, fake_openai)
    spec = SegmentSpec(id="deep-dive", title="Deep dive", kind="deep_dive", target_words=120)
    plan = Plan(spec, ["s1"], headlines.sources, [], {}, previous="Top headlines")
    summary = "Forge 2.0 is out."
    parts = ["Forge has shipped version 2.0 of its inference server, and it cuts memory use by 30 percent.",
             "And Lumen-70B's weights are now open, under an Apache licence."]
    fake_openai.when("radio copy", Reply.json({"script": summary}), Reply.json({"parts": parts}))
    with open_llm(config, open_store(config.state_dir)) as llm:
        spoken = write_script(config, llm, plan, TEXT, intro="Now, top headlines.")
    [retry] = fake_openai.requests_containing("Your last script had problems")
    asked = retry["body"]["messages"][-1]["content"]
    assert "too short" in asked and '<part n="2">\nLumen-70B weights are now open under an Apache licence.' in asked
    assert not spoken.from_text and spoken.script == "Now, top headlines. " + " ".join(parts)


def test_a_script_in_lower_case_gets_the_texts_capitals_back() -> None:
    from pipeline.draft.script import recase

    text = "Today Northwind AI cut the price of Aurora-3 by 60% [1]. The Batch API is discounted [1]."
    said = "today northwind ai cut the price of aurora-3 by 60 percent. the batch api is discounted."
    assert recase(said, text) == "Today Northwind AI cut the price of Aurora-3 by 60 percent. The Batch API is discounted."
    assert recase("The company cut the price.", text) == "The company cut the price."  # "the" stays lower case


def test_an_outlet_said_the_way_the_script_says_it_is_no_added_fact(tmp_path: Path,
                                                                   fake_openai: FakeOpenAI) -> None:  # noqa: F811
    """The text names "HN AI front page" (an aggregator); the script says "a post on Hacker News", as it is told
    to: the same outlet, not a fact the draft lacks (measured: it cost the sample day's headlines a retry and then
    the model's script)."""
    settings = {"backend": "compatible", "base_url": fake_openai.base_url, "model": "fake-model", "budget": {}}
    sources = [{"name": "HN AI front page", "url": "https://news.example/ai.xml", "kind": "aggregator"}]
    config = load_config(write_show(tmp_path / "show", llm=settings, sources=sources))
    spec = SegmentSpec(id="headlines", title="Top headlines", kind="headlines", target_words=60)
    refs = [SourceRef(n=1, story_id="s1", item_id="i1", outlet="HN AI front page", title="Lumen",
                      url="https://example.com/1")]
    plan = Plan(spec, ["s1"], refs, [], {}, previous="The day in three lines")
    text = "Lumen-70B weights are now open under an Apache licence, according to HN AI front page [1]."
    said = "Lumen-70B weights are now open under an Apache licence, a post on Hacker News says."
    fake_openai.when("radio copy", Reply.json({"script": said}))
    with open_llm(config, open_store(config.state_dir)) as llm:
        spoken = write_script(config, llm, plan, text, intro="Now, top headlines.")
    assert not spoken.from_text and spoken.notes == [] and "a post on Hacker News" in spoken.script
    assert len(fake_openai.requests_containing("radio copy")) == 1


def test_segment_lines_speak_as_a_host_and_the_outro_is_said_once(tmp_path: Path,
                                                                    fake_openai: FakeOpenAI) -> None:  # noqa: F811
    """The code-made lines in and out of a segment use the contractions a host says ("That's it for top
    headlines.", "Here's what's new in policy."), the goodbye ends the show, and a model that writes the outro
    line itself does not get it said twice."""
    from pipeline.draft.writer import segment_intro, segment_outro

    config, plan = _setup(tmp_path, fake_openai)
    outro = segment_outro(config, plan)
    assert outro == "That's it for top headlines."
    assert segment_outro(config, Plan(plan.spec, [], [], [], {}, last=True)).startswith("That's all for today from")
    policy = SegmentSpec(id="policy", title="Policy and business", kind="policy", target_words=60)
    assert segment_intro(config, Plan(policy, [], [], [], {}, previous="Top headlines")) == (
        "Here's what's new in policy and business.")
    assert contractions_per_100(outro) > 0
    said = "Forge shipped version 2.0 of its server, and it cuts memory by 30 percent. Lumen-70B weights are open."
    fake_openai.when("radio copy", Reply.json({"script": f"{said} That's it for top headlines."}))
    with open_llm(config, open_store(config.state_dir)) as llm:
        spoken = write_script(config, llm, plan, TEXT, intro="Now, top headlines.", outro=outro)
    assert f'"{outro}"' in fake_openai.requests_containing("radio copy")[0]["body"]["messages"][-1]["content"]
    assert not spoken.from_text and spoken.script.endswith("weights are open. That's it for top headlines.")
    assert spoken.script.count("That's it") == 1


def test_two_bad_scripts_fall_back_to_the_text_with_a_note(tmp_path: Path,
                                                           fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config, plan = _setup(tmp_path, fake_openai)
    dropped = "Forge shipped version 2.0 of its inference server, and it cuts memory use by 30 percent."
    fake_openai.when("radio copy", Reply.json({"script": dropped}), Reply.json({"script": dropped}))
    with open_llm(config, open_store(config.state_dir)) as llm:
        spoken = write_script(config, llm, plan, TEXT, intro="Now, top headlines.")
    assert spoken.from_text and "leaves out" in spoken.notes[0]
    # The ear version of the text: every story, no markers, outlets not read as metadata.
    assert "Lumen-70B" in spoken.script and "[" not in spoken.script and "30 percent" in spoken.script
    assert len(fake_openai.requests_containing("radio copy")) == 2


def test_fixes_seen_on_the_sample_day() -> None:
    from pipeline.draft.script import drop_repeated_intro, ear_version, is_title

    # A list's serial comma is not a place to cut a sentence; a second verb is said again with its subject.
    listed = ("Helix Labs reversed its stance on the Helix Community License, returning 1B, 3B, and 7B models "
              "to Apache-2.0 with a commercial threshold of 100 million monthly active users.")
    shared = ("It achieves 8x compression with an average accuracy loss of 0.3% across 14 long-context tasks on "
              "three model families, and increases maximum batch size by 5.2x at 128k context.")
    assert split_long(listed) == [listed]
    assert split_long(shared) == ["It achieves 8x compression with an average accuracy loss of 0.3% across 14 "
                                  "long-context tasks on three model families.",
                                  "It also increases maximum batch size by 5.2x at 128k context."]
    # The model repeating the code-made intro is said once; "a 98.1% score" is not "a about 98%".
    assert drop_repeated_intro("Now, top headlines. Aurora is cheaper.", "Now, top headlines.") == "Aurora is cheaper."
    assert drop_repeated_intro("The AI Daily Brief. Let's start with top headlines. Aurora is cheaper.",
                               "Let's start with top headlines.", "The AI Daily Brief") == "Aurora is cheaper."
    assert round_for_ear("it reached a 98.1% score") == "it reached about 98% score"
    # Someone's words in quotes are a quote; Title Case or a source's title is a title.
    assert not is_title("Mini is our answer to anyone who says you need open weights")
    assert is_title("Sparse Mixture Routing Cuts Training Compute")
    assert is_title("sparse mixture routing cuts training compute", ["Sparse Mixture Routing cuts training compute"])
    # An outlet's name is spoken before '&' and parentheses are read as words.
    assert ear_version("Q filed it, according to Business Daily (AI & Markets) [2].",
                       [("Business Daily (AI & Markets)", "Business Daily")]) == "Q filed it, according to Business Daily."


def test_long_sentences_break_at_which_as_a_newsreader_does() -> None:
    long = ("Northwind AI says Aurora-3 Mini costs 0.10 dollars per million input tokens and 0.40 dollars per "
            "million output tokens, which is about a fifth of the new Aurora-3 price from March 16.")
    assert split_long(long) == [
        "Northwind AI says Aurora-3 Mini costs 0.10 dollars per million input tokens and 0.40 dollars per million "
        "output tokens.", "That's about a fifth of the new Aurora-3 price from March 16."]
    assert contract("She said it would help, and they have shipped it.") == "She said it'd help, and they've shipped it."


@pytest.mark.parametrize("written", ["It raised $2.5bn.", "Costs $0.10 per token.", "A $1 fee.", "€40m round",
                                     "£3.50 each", "up 12% today", "10-20% off", "US$5 million", "¥500 a month",
                                     "$2.5BN in debt", "1.5% and 2%"])
def test_the_script_spells_money_and_percent_as_the_voice_does(written: str) -> None:
    """One speller: the script keeps the digits for the editor, and the voice then says what it would have said."""
    from pipeline.audio.normalize import normalize

    readable = speakable(written)
    assert not set("$€£¥%") & set(readable)
    assert normalize(readable) == normalize(written)


# -- contractions and cuts, rule by rule (each row fails without its rule) ------------------------------------------

CONTRACTED = [
    # Someone's words stay theirs: never contracted inside a quotation, double or single.
    ('He said "it is not a ban" and it is not over.', 'He said "it is not a ban" and it\'s not over.'),
    ("The 'open weights is not open source' argument is not new.",
     "The 'open weights is not open source' argument isn't new."),
    # Apostrophes are not quote marks: "the '90s ... the models'" is no quotation.
    ("In the '90s it was not common, the models' authors said.",
     "In the '90s it wasn't common, the models' authors said."),
    # The negation contracts, the adverb goes before it.
    ("Helix has still not published prices.", "Helix still hasn't published prices."),
    ("They could have shipped it sooner.", "They could've shipped it sooner."),
    ("There has been a change of plan.", "There's been a change of plan."),
    # Never "is" at the end of a clause.
    ("That is how it is. Here it is, again.", "That's how it is. Here it is, again."),
    # Nor after a wh-word and its word (measured on the sample day: "how easy it's to remove"), unless a verb follows.
    ("The paper asks how easy it is to remove safety training.", "The paper asks how easy it is to remove safety "
     "training."),
    ("It shows what it is doing, and it is fast.", "It shows what it's doing, and it's fast."),
]


@pytest.mark.parametrize(("written", "said"), CONTRACTED)
def test_contractions_as_a_person_says_them(written: str, said: str) -> None:
    assert contract(written) == said


def test_contractions_are_counted_not_possessives() -> None:
    # "today's question" is a possessive; "it's" and "doesn't" are contractions.
    assert contractions_per_100("Today's question is open.") == 0
    assert contractions_per_100("It's open and it doesn't cost much.") == pytest.approx(200 / 7)


def test_a_contraction_opening_a_sentence_is_not_a_name() -> None:
    # The script check must not take "They're" or "It'd" for a name the text does not have (a retry, a fallback).
    text = "They are open to everyone [1]. It would help small labs [1]. It does not cost much [1]."
    assert added_facts("They're open to everyone. It'd help small labs. Doesn't it cost much? No.", text) == []
    assert added_facts("Vantorix'd help small labs.", text) != []


CUTS = [
    # ", down from" -> "That's down from"
    ("Northwind's pricing page now lists Aurora-3 at 0.48 dollars per million input tokens and 2.40 dollars per "
     "million output tokens from March 16, down from 1.20 dollars and 6.00 dollars.",
     ["Northwind's pricing page now lists Aurora-3 at 0.48 dollars per million input tokens and 2.40 dollars per "
      "million output tokens from March 16.", "That's down from 1.20 dollars and 6.00 dollars."]),
    # a second verb of the subject, said with the subject (and its auxiliary)
    ("Helix Labs has returned its 1B, 3B and 7B models to the Apache-2.0 licence and scrapped a clause banning the "
     "use of its models' outputs to train rivals.",
     ["Helix Labs has returned its 1B, 3B and 7B models to the Apache-2.0 licence.",
      "Helix Labs has also scrapped a clause banning the use of its models' outputs to train rivals."]),
    ("She held that training on lawfully purchased books was likely fair use at this stage, but allowed claims over "
     "roughly 7,000 allegedly pirated books to proceed.",
     ["She held that training on lawfully purchased books was likely fair use at this stage.",
      "But she allowed claims over roughly 7,000 allegedly pirated books to proceed."]),
    # a name's description, at the end ("That's ...") or in the middle (a sentence of its own, after)
    ("The Senate Commerce Committee voted 14-9 on Monday to advance the Frontier Model Accountability Act, FMAA, the "
     "fictional bill introduced in January by Sen. Harold Whitcomb.",
     ["The Senate Commerce Committee voted 14-9 on Monday to advance the Frontier Model Accountability Act, FMAA.",
      "That's the fictional bill introduced in January by Sen. Harold Whitcomb."]),
    ("Today Northwind AI lowered the price of Aurora-3, their most capable model, by 60 percent per million input and "
     "output tokens starting from March 16, 2026.",
     ["Today Northwind AI lowered the price of Aurora-3 by 60 percent per million input and output tokens starting "
      "from March 16, 2026.", "Aurora-3 is their most capable model."]),
    # "an amendment that would exempt X and shorten Y": the second verb said of "it"
    ("Sen. Marisol Quintero filed an amendment to the Frontier Model Accountability Act that would exempt "
     "non-commercial research releases from the 90-day notice requirement and shorten the notice period for "
     "everyone else to 30 days.",
     ["Sen. Marisol Quintero filed an amendment to the Frontier Model Accountability Act that would exempt "
      "non-commercial research releases from the 90-day notice requirement.",
      "It would also shorten the notice period for everyone else to 30 days."]),
    # ", while" between two facts, each with its own subject
    ("Humans complete 92 percent of the tasks in the new browser benchmark from the university team, while the best "
     "agent on Aurora-3 completes about 41 percent of them.",
     ["Humans complete 92 percent of the tasks in the new browser benchmark from the university team.",
      "The best agent on Aurora-3 completes about 41 percent of them."]),
    # ", while increasing" said with the subject; ", bringing" as what the clause before did
    ("The authors achieve an average accuracy loss of 0.3% across 14 long-context tasks on three model families, "
     "while increasing maximum batch size by 5.2x at 128k context.",
     ["The authors achieve an average accuracy loss of 0.3% across 14 long-context tasks on three model families.",
      "The authors also increase maximum batch size by 5.2x at 128k context."]),
    ("Requests sent through the Batch API are also discounted by an additional 50 percent on every order placed this "
     "month, bringing offline workloads to 0.24 dollars per million input tokens.",
     ["Requests sent through the Batch API are also discounted by an additional 50 percent on every order placed "
      "this month.", "That brings offline workloads to 0.24 dollars per million input tokens."]),
    # "The new models" is no subject and its verb; a past tense is not guessed ("Northwind AI also cuts")
    ("The new models ship with an average accuracy loss of 0.3% across 14 long-context tasks on three model "
     "families, while increasing maximum batch size by 5.2x at 128k context.", None),
    ("Northwind AI raised prices by 40 percent in the quarter to the highest level the company has ever charged, "
     "while cutting its costs by a fifth across every team.", None),
    # an auxiliary said once ("It would also would require" was the first try)
    ("It would require developers to register any model trained with more than 10^26 FLOP, and would require 90 "
     "days' notice plus a third-party evaluation before the weights are published.",
     ["It would require developers to register any model trained with more than 10^26 FLOP.",
      "It would also require 90 days' notice plus a third-party evaluation before the weights are published."]),
    # ", which" before a clause of its own is not "It its maintainers say ..."
    ("The community-run Forge inference engine shipped version 0.9.0 with speculative decoding, which its "
     "maintainers say gives up to 1.8x throughput on Lumen-70B on an 8-GPU node.", None),
    # the last item of a list is not a clause ("And the maintainers of the Forge inference engine.")
    ("The letter, organised by the Open Weights Alliance, is signed by universities, startups, nonprofit labs "
     "including Kestrel Research and the Common Text Trust, and the maintainers of the Forge inference engine.", None),
    # never inside a quotation
    ('The minister told reporters on Tuesday that "the rules are final, and the labs that sell models here will have '
     'to comply by the end of next year" in Brussels.', None),
    # never leaving a phrase as a sentence ("; for researchers ...": no clause of its own)
    ("The lab published the weights, the training code and the full evaluation data for its new model on Tuesday "
     "morning; for researchers, students and hobbyists alike.", None),
    # a list is not a name and its description ("Forge is the inference server ..." would be a guess)
    ("Forge, the inference server from the Lumen team, and Helix Labs both shipped new releases on Tuesday with "
     "faster kernels for long-context inference on laptops and phones alike.", None),
    # an opener is not the subject ("Today Northwind AI also cut ...")
    ("Today Northwind AI lowered the price of its largest model by 60 percent for every customer in every region "
     "and cut the price of its smallest model in half.", None),
    # a verb inside a relative clause is not the subject's ("Helix Labs has also liked ...")
    ("Helix Labs has returned the models that its users wanted back in the survey it ran last year and liked best "
     "of all to the Apache-2.0 licence this week.", None),
]


@pytest.mark.parametrize(("sentence", "said"), CUTS)
def test_long_sentences_are_said_as_sentences_that_stand_alone(sentence: str, said: list[str] | None) -> None:
    from pipeline.draft.grounding import fragment

    parts = split_long(sentence)
    assert parts == (said or [sentence])
    assert all(fragment(part) == "" for part in parts)


def test_polish_contracts_what_a_cut_says() -> None:
    # The cut says "It would also ..."; the script says "It'd also ...".
    script = polish(next(cut for cut, _ in CUTS if cut.startswith("Sen. Marisol")))
    assert "It'd also shorten the notice period" in script and "that'd exempt" in script


def test_a_requirement_and_a_reason_are_said_as_sentences_of_their_own() -> None:
    """Two sentences of the guarded sample day's debate script (40 and 33 words) that no cut rule took."""
    required = ("The Senate Commerce Committee approves the Frontier Model Accountability Act by 14 votes to 9, "
                "requiring models trained with more than 10^26 FLOP to be registered after 90 days' notice.")
    assert split_long(required) == [
        "The Senate Commerce Committee approves the Frontier Model Accountability Act by 14 votes to 9.",
        "That requires models trained with more than 10^26 FLOP to be registered after 90 days' notice."]
    reason = ("The committee's approval of the Frontier Model Accountability Act is seen as a positive development "
              "for open-source AI, as it requires developers to register and share model weights after 90 days.")
    assert split_long(reason)[1] == "That's because it requires developers to register and share model weights after 90 days."
    listed = "Prices rose as high as ever this spring for chips, memory, racks and power, as the wholesale market tightened."
    assert split_long(listed, most=15)[-1].startswith("That's because the wholesale")


def test_a_relative_clauses_second_verb_and_a_but_clause_with_a_plain_subject_are_cut() -> None:
    """The guarded sample day's policy script: 32 and 36 words."""
    exempts = ("Sen. Marisol Quintero has introduced a change to the Frontier Model Accountability Act that exempts "
               "non-commercial research from a 90-day notice period and reduces it to 30 days for all other companies.")
    assert split_long(exempts)[1] == "It also reduces it to 30 days for all other companies."
    covered = ("An amendment filed Tuesday by Sen. Marisol Quintero would reduce the FMAA's pre-release notice period "
               "from 90 to 30 days, but commercial open-weights developers would still be covered.")
    assert split_long(covered)[1] == "But commercial open-weights developers would still be covered."
