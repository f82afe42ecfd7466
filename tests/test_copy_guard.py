"""The embedded server's copy guard: an answer never repeats N words in a row of a prompt's <source> text (outside
quotes), refused as the model samples (pipeline.draft.llama_serve.CopyGuard); one slow test with the real 0.5B."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import write_show

from pipeline.config import load_config
from pipeline.draft import local
from pipeline.draft.grounding import verbatim_run
from pipeline.draft.llama_serve import CopyGuard, _cuttable, named_pairs
from pipeline.draft.llm import cache_key

SOURCE = ("Acme Robotics today announced the general availability of Widget-2, its most capable model to date, "
          "priced at five dollars per million input tokens for every customer.")
PROMPT = f'Rules.\n<source n="1" outlet="Wire">{SOURCE}</source>\n<original>We are glad.</original>'


def write(guard: CopyGuard, pieces: list[str]) -> tuple[str, list[str]]:
    """Feed pieces as a model would, each refused piece skipped (the sampler draws another): (text, refused)."""
    refused = []
    for piece in pieces:
        if guard.blocks(piece.encode()):
            refused.append(piece)
        else:
            guard.accept(piece.encode())
    return guard.answer.decode(), refused


def pieces_of(answer: str) -> list[str]:
    """An answer cut the way a BPE tokenizer cuts English: a word with its leading space, punctuation apart."""
    return re.findall(r" ?[A-Za-z0-9]+|[^A-Za-z0-9 ]+| ", answer)


def test_a_run_is_refused_at_its_first_plain_word_past_n() -> None:
    guard = CopyGuard.from_prompt(PROMPT, "10 source")
    assert guard is not None
    text, refused = write(guard, pieces_of('{"text": "Acme Robotics today announced the general availability of '
                                           'Widget-2, its most capable model"}'))
    # words split at hyphens: the tenth is the 2 of Widget-2 (a figure), the eleventh and twelfth ("its", "most")
    # function words: a run is never cut there ("according by"); the thirteenth is plain
    assert refused == [" capable"]
    assert len(verbatim_run(json.loads(text)["text"], [SOURCE]).split()) < 12


def test_a_run_of_names_and_small_words_is_cut_past_n_plus_two_all_the_same() -> None:
    source = "The panel said rules would apply to the Frontier Model Accountability Act of the United States."
    guard = CopyGuard.from_prompt(f"<source>{source}</source>", "8 source")
    assert guard is not None
    _, refused = write(guard, pieces_of('{"text": "The panel said rules would apply to the Frontier Model '
                                        'Accountability Act of the United States"}'))
    assert refused == [" of"]  # the first lower-case word past n+2 (never inside the Act's name)


def test_names_and_figures_are_never_where_a_run_is_cut() -> None:
    source = "The panel said rules would apply to Frontier Labs today, not next year."
    guard = CopyGuard.from_prompt(f"<source>{source}</source>", "8 source")
    assert guard is not None
    _, refused = write(guard, pieces_of('{"text": "The panel said rules would apply to Frontier Labs today"}'))
    assert refused == [" today"]  # the eighth and ninth words are a name: cut at the first plain word after it


def test_prefixes_inflections_and_glued_copies_of_the_word_are_refused() -> None:
    guard = CopyGuard.from_prompt(PROMPT, "10 source")
    assert guard is not None
    pieces = ['{"', 'text', '":', ' "', 'Acme', ' Robotics', ' today', ' announced', ' the', ' general', ' avail',
              'ability', ' of', ' Widget', '-', '2', ',', ' its', ' most', ' cap', ' capable', ' capables',
              'capable', ' strongest']
    text, refused = write(guard, pieces)
    assert refused == [" cap", " capable", " capables", "capable"]
    assert text.endswith("its most strongest")


def test_nine_words_in_a_row_pass_and_so_does_a_quoted_run() -> None:
    guard = CopyGuard.from_prompt(PROMPT, "10 source")
    assert guard is not None
    _, refused = write(guard, pieces_of('{"text": "Acme Robotics today announced the general availability of '
                                        'Widget-2. Acme Robotics says"}'))
    assert refused == []
    for quoted in ('{"text": "The firm said \\"Acme Robotics today announced the general availability of Widget-2, '
                   'its most capable model\\" in a post"}',
                   '{"text": "It said “Acme Robotics today announced the general availability of Widget-2, its most '
                   'capable model” today"}'):
        guard = CopyGuard.from_prompt(PROMPT, "10 source")
        assert guard is not None
        _, refused = write(guard, pieces_of(quoted))
        assert refused == [], quoted


def test_only_the_named_tags_are_protected_and_keys_are_never_refused() -> None:
    guard = CopyGuard.from_prompt(PROMPT, "3 original")
    assert guard is not None
    _, refused = write(guard, pieces_of('{"text": "Acme Robotics today announced the general availability", '
                                        '"we": "We are glad"}'))
    assert refused == [" glad"]  # the <original> words; the source's are free under this header
    assert CopyGuard.from_prompt(PROMPT, "10 draft") is None  # no such tag in the prompt: no guard
    assert CopyGuard.from_prompt(PROMPT, "ten source") is None  # a malformed header is ignored, not obeyed


def test_the_guard_is_part_of_the_cache_key() -> None:
    messages = [{"role": "user", "content": "x"}]
    plain = cache_key("m", messages, {}, 0.0)
    assert plain == cache_key("m", messages, {}, 0.0, {})
    assert plain != cache_key("m", messages, {}, 0.0, {"x-briefcast-copy-guard": "10 source"})


@pytest.mark.slow
def test_the_real_model_told_to_copy_cannot(tmp_path: Path) -> None:
    """The 0.5B asked to copy a source word for word does so without the guard and cannot with it."""
    try:
        local.part_paths(local.LOCAL_MODELS["qwen2.5-coder-0.5b"])
        import llama_cpp  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"the embedded model is not installed: {exc} (run 'make install-dev')")
    from openai import OpenAI

    config = load_config(write_show(tmp_path / "show", llm={
        "backend": "local", "local": {"model": "qwen2.5-coder-0.5b", "n_ctx": 1024, "threads": 2}}))
    schema = {"type": "object", "properties": {"text": {"type": "string", "maxLength": 400}}, "required": ["text"]}
    messages = [{"role": "user", "content": f'Copy the text inside the source tags exactly, word for word.\n'
                                            f'<source n="1">{SOURCE}</source>\nReply with JSON: {{"text": "..."}}'}]
    with local.serve_local(config) as server:
        client = OpenAI(base_url=server.base_url, api_key="local", max_retries=0)

        def ask(headers: dict[str, str]) -> tuple[str, str | None]:
            raw = client.chat.completions.with_raw_response.create(
                model="local", messages=messages, temperature=0.0, max_tokens=160, extra_headers=headers,
                response_format={"type": "json_object", "schema": schema})  # type: ignore[arg-type]
            content = raw.parse().choices[0].message.content or ""
            return json.loads(content)["text"], raw.headers.get("x-briefcast-copy-refused")

        free, _ = ask({})
        guarded, refused = ask({"x-briefcast-copy-guard": "9 source"})
    assert len(verbatim_run(free, [SOURCE]).split()) >= 12, free  # the model does copy when let
    # never the 12 words in a row the writer's copy check looks for (a run through a figure may reach n+2 = 11)
    assert len(verbatim_run(guarded, [SOURCE]).split()) < 12, guarded
    assert refused is not None and int(refused) > 0
    assert "Widget-2" in guarded or "Acme" in guarded, guarded  # it still writes about the source


def test_in_place_of_a_refused_word_only_the_sources_or_small_words_may_come() -> None:
    """The way out of a copy is a turn of phrase: a synonym no source uses ("security" for "safety") could change
    the fact, so in place of a refused word, and while that word is finished, only the sources' words, small words
    or punctuation may come, in the show's script, and the sentence may not end there."""
    source = "Northwind named Priya Ramanathan its first chief safety officer, starting on April 1 with a danger team."
    guard = CopyGuard.from_prompt(f"<source>{source}</source>", "7 source")
    assert guard is not None
    for piece in ['{"', 'text', '":', ' "', 'Northwind', ' named', ' Priya', ' Ram', 'anathan', ' its', ' first']:
        assert guard.allows(piece.encode())
        guard.accept(piece.encode())
    assert not guard.allows(b" chief")  # the seventh word in a row: the copy
    assert not guard.allows(b" security", redrawn=True)  # a word no source has, in its place
    assert not guard.allows(b" sec", redrawn=True)  # nor the start of one
    assert not guard.allows(" 안".encode()[:3], redrawn=True)  # the first bytes of another script's character
    assert guard.allows(b" of", redrawn=True) and guard.allows(b",", redrawn=True)
    assert not guard.allows(" 安".encode(), redrawn=True) and not guard.allows(" безопасности".encode(), redrawn=True)
    assert not guard.allows(b'"', redrawn=True) and not guard.allows(b".", redrawn=True)  # no ending it there
    guard.accept(b" saf", redrawn=True)
    assert not guard.allows(b"ari")  # finishing the word begun in place of the refused one: still the sources'
    assert guard.allows(b"ety")
    guard.accept(b"ety")
    assert guard.allows(b" lead")  # the next word is free again


def test_a_title_that_another_source_capitalizes_is_never_where_a_run_is_cut() -> None:
    """Measured on the sample day: a copy of the wire's "will become Northwind AI's chief safety officer on April 1",
    cut inside the title, came out as "chief danger officer". The lab's own post writes "Chief Safety Officer": a
    name, so the run is cut past it."""
    wire = ("Priya Ramanathan, who ran the independent Calder Institute for AI Assurance for six years, will become "
            "Northwind AI's chief safety officer on April 1. She gets a 40-person team.")
    blog = "Welcoming Dr. Priya Ramanathan as Chief Safety Officer"
    answer = ("Dr. Priya Ramanathan, who has led model auditing at a large financial regulator for six years, will "
              "become Northwind AI's chief safety officer on April 1. She gets a 40-person team.")
    raw = re.findall(r"[A-Za-z0-9']+", wire)
    at = raw.index("safety")
    assert _cuttable(raw, at + 1)  # alone, a plain word
    assert not _cuttable(raw, at + 1, named_pairs([wire, blog])) and not _cuttable(raw, at, named_pairs([blog]))
    alone = CopyGuard.from_prompt(f"<source>{wire}</source>", "10 source")
    both = CopyGuard.from_prompt(f"<source>{wire}</source><source>{blog}</source>", "10 source")
    assert alone is not None and both is not None
    assert write(alone, pieces_of(f'{{"text": "{answer}"}}'))[1] == [" officer"]
    assert write(both, pieces_of(f'{{"text": "{answer}"}}'))[1] == [" gets"]  # past the title, but cut


def test_a_run_is_never_cut_inside_a_figure_or_a_title_before_a_name() -> None:
    raw = re.findall(r"[A-Za-z0-9']+", "for $310 million in cash, said founder and chief executive Eli Navarro today")
    where = {word: _cuttable(raw, i) for i, word in enumerate(raw)}
    assert not where["million"] and not where["cash"]  # a figure and the words that belong to it
    assert not where["executive"]  # a title before a name
    assert where["founder"] and where["today"]
