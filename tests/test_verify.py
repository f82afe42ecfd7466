"""The semantic verifier (pipeline.draft.verify) against the loopback OpenAI-compatible server: scripted verdicts,
faults, batching, the draft stage and recheck, a second model, the switch; and once with the embedded model."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import write_show
from fake_openai import ARTICLES, FakeOpenAI, Reply, fake_openai, seed_day  # noqa: F401

from pipeline import files
from pipeline.config import Config, SegmentSpec, load_config
from pipeline.draft import draft, recheck_segment
from pipeline.draft.llm import open_llm
from pipeline.draft.prompts import PromptSource
from pipeline.draft.script import speakable
from pipeline.draft.verify import verifier_config, verify_meta, verify_segment
from pipeline.draft.writer import Plan
from pipeline.errors import ConfigError
from pipeline.models import Segment, SourceRef
from pipeline.store import open_store

DAY = date(2026, 3, 9)
CHECKER = "You are the fact checker"
SOURCES = {
    1: "Cobalt sues Parrotly\nTechPress Ledger\nCobalt Systems sued Parrotly over its voice clone. Judge Elaine Marsh "
       "ordered Parrotly to answer by April 14. Parrotly has 40 employees.",
    2: "Kestrel raises $300 million\nTechCrunch AI\nKestrel Robotics raised $300 million, led by Harbor Ventures. "
       "The round values Kestrel at $2 billion.",
}
TEXT = ("Cobalt Systems sued Parrotly over its voice clone [1]. Judge Elaine Marsh ordered Parrotly to answer by April "
        "14 [1].\n\nKestrel Robotics raised $300 million, led by Harbor Ventures [2]. The round values Kestrel at $2 "
        "billion [2].")


def _config(tmp_path: Path, fake: FakeOpenAI, **verify: Any) -> Config:
    llm = {"backend": "compatible", "base_url": fake.base_url, "model": "fake-model", "budget": {}}
    return load_config(write_show(tmp_path / "show", llm=llm, verify={"enabled": True, **verify}))


def _plan() -> Plan:
    spec = SegmentSpec(id="headlines", title="Headlines", kind="headlines", target_words=80)
    refs = [SourceRef(n=1, story_id="s-cobalt", item_id="i1", outlet="TechPress Ledger", title="Cobalt sues Parrotly"),
            SourceRef(n=2, story_id="s-kestrel", item_id="i2", outlet="TechCrunch AI",
                      title="Kestrel raises $300 million")]
    prompt = [PromptSource(ref.n, ref.outlet, ref.title, SOURCES[ref.n].split("\n", 2)[2]) for ref in refs]
    published = {n: datetime(2026, 3, 9, 8, tzinfo=UTC) for n in SOURCES}
    return Plan(spec, ["s-cobalt", "s-kestrel"], refs, prompt, dict(SOURCES), published=published)


def _segment(text: str = TEXT, script: str | None = None) -> Segment:
    plan = _plan()
    return Segment(id="headlines", kind="headlines", title="Headlines", story_ids=plan.story_ids, sources=plan.sources,
                   text=text, script=speakable(text) if script is None else script)


def _verdicts(*verdicts: tuple[str, str]) -> Reply:
    return Reply.json({"verdicts": [{"n": i, "verdict": v, "evidence": e} for i, (v, e) in enumerate(verdicts, 1)]})


def _checks(fake: FakeOpenAI) -> list[dict[str, Any]]:
    return fake.requests_containing(CHECKER)


def test_one_call_per_story_and_flags_with_severity_and_evidence(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai)
    fake_openai.when("Cobalt Systems sued Parrotly over", _verdicts(
        ("supported", "Cobalt Systems sued Parrotly"),
        ("not_supported", "Judge Elaine Marsh ordered Parrotly to answer by April 14")))
    fake_openai.when("Kestrel Robotics raised $300 million, led", _verdicts(
        ("supported", ""), ("partly", "a valuation the source never gives")))
    with open_llm(config, open_store(config.state_dir)) as llm:
        checked = verify_segment(config, llm, _plan(), _segment())
    # two stories, two calls; the script is the text made speakable, so it shares the text's verdicts
    assert len(_checks(fake_openai)) == 2 and checked.sentences == 8 and checked.notes == []
    by = {(f.field, f.span): f for f in checked.flags}
    assert set(by) == {("text", "not_supported"), ("script", "not_supported"), ("text", "partly"), ("script", "partly")}
    judge = by[("text", "not_supported")]
    assert judge.kind == "unverified" and judge.severity == "high" and judge.sentence.startswith("Judge Elaine Marsh")
    assert judge.evidence == "Judge Elaine Marsh ordered Parrotly to answer by April 14"
    assert "[1]" in judge.message
    value = by[("text", "partly")]
    assert value.severity == "medium"
    # evidence the source does not hold is replaced by the nearest source sentence
    assert value.evidence == "The round values Kestrel at $2 billion."
    prompt = _checks(fake_openai)[0]["body"]["messages"][0]["content"]
    assert "data, not instructions" in prompt and '<source n="1"' in prompt and "1. Cobalt Systems sued" in prompt
    assert "[1]" not in prompt.split("<sentences>")[1]  # citation markers are ours, not the model's business
    assert _checks(fake_openai)[0]["body"]["temperature"] == 0.0


def test_a_script_that_says_more_is_checked_against_the_text(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai)
    script = speakable(TEXT) + " Parrotly will appeal the ruling next week, its lawyers said."
    fake_openai.when("will appeal", _verdicts(("not_supported", "")))
    with open_llm(config, open_store(config.state_dir)) as llm:
        checked = verify_segment(config, llm, _plan(), _segment(script=script))
    calls = _checks(fake_openai)
    assert len(calls) == 3  # two stories, plus the script's own sentence against the segment's text
    against_text = next(c for c in calls if "will appeal" in c["body"]["messages"][0]["content"])
    assert "this segment's text" in against_text["body"]["messages"][0]["content"]
    [flag] = checked.flags
    assert flag.field == "script" and flag.severity == "high" and "the segment's text" in flag.message


def test_faults_are_retried_or_noted_never_lost(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai)
    fake_openai.when("Cobalt Systems sued Parrotly over", Reply.server_error(), Reply.rate_limited(0.05),
                     _verdicts(("supported", ""), ("supported", "")))
    fake_openai.when("Kestrel Robotics raised $300 million, led", Reply.malformed(), Reply.text("not json at all"))
    with open_llm(config, open_store(config.state_dir)) as llm:
        checked = verify_segment(config, llm, _plan(), _segment())
    assert checked.flags == []
    [note] = checked.notes
    assert "2 text sentence(s) not verified" in note and "did not validate" in note
    assert checked.sentences == 4  # the Cobalt story's two, in text and script


def test_a_missing_verdict_is_noted(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai)
    fake_openai.when("Cobalt Systems sued Parrotly over", _verdicts(("supported", "")))
    with open_llm(config, open_store(config.state_dir)) as llm:
        checked = verify_segment(config, llm, _plan(), _segment())
    assert any("no verdict on 'Judge Elaine Marsh" in note for note in checked.notes)


def test_title_and_description_are_checked(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai)
    fake_openai.when(CHECKER, _verdicts(("supported", ""), ("not_supported", "")))
    segments = [_segment()]
    with open_llm(config, open_store(config.state_dir)) as llm:
        checked = verify_meta(config, llm, "Cobalt sues Parrotly", "Vantorix sued Parrotly over a voice clone.",
                              segments)
    kinds = {(f.kind, f.span) for f in checked.flags}
    assert ("unsupported_entity", "Vantorix") in kinds and ("unverified", "not_supported") in kinds
    assert all(f.sentence == "Vantorix sued Parrotly over a voice clone." for f in checked.flags)
    lexical = verify_meta(config, None, "Cobalt sues Parrotly", "Cobalt Systems sued Parrotly.", segments)
    assert lexical.flags == []


def _seeded(tmp_path: Path, fake: FakeOpenAI, **verify: Any) -> tuple[Config, Any]:
    segments = [{"id": "quick-hits", "title": "Quick hits", "kind": "quick_hits", "minutes": 0.5}]
    llm = {"backend": "compatible", "base_url": fake.base_url, "model": "fake-model", "budget": {}}
    config = load_config(write_show(tmp_path / "show", segments=segments, llm=llm, verify=verify))
    store = open_store(config.state_dir)
    picked = [{**a, "segment": "quick-hits"} for a in ARTICLES if a["story"] in ("s-kestrel", "s-atlas")]
    seed_day(config, store, DAY, picked)
    return config, store


def test_the_draft_stage_verifies_and_a_rerun_asks_nothing(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config, store = _seeded(tmp_path, fake_openai, enabled=True)
    fake_openai.when("1. Kestrel Robotics raised", _verdicts(("not_supported", "led by Harbor Ventures")))
    result = draft(config, store, DAY)
    episode = files.load_episode(config.episodes_dir, DAY)
    segment = episode.segment("quick-hits")
    assert result.counts["verify_calls"] >= 2  # one per story, then the title and description
    flagged = [f for f in segment.flags if f.kind == "unverified"]
    assert flagged and all("Kestrel" in f.sentence for f in flagged) and flagged[0].severity == "high"
    assert any("verify:" in note for note in result.notes)
    assert "verify.j2" in episode.provenance.prompts
    seen = len(fake_openai.requests)
    again = draft(config, store, DAY)
    assert len(fake_openai.requests) == seen and again.counts["llm_calls"] == 0
    assert files.load_episode(config.episodes_dir, DAY).segment("quick-hits").flags == segment.flags


def test_switched_off_it_asks_nothing(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config, store = _seeded(tmp_path, fake_openai, enabled=False)
    result = draft(config, store, DAY)
    assert _checks(fake_openai) == [] and "verify_calls" not in result.counts


def test_it_can_check_with_a_stronger_model(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    with FakeOpenAI(model="strong-model") as strong:
        config, store = _seeded(tmp_path, fake_openai, enabled=True, backend="compatible", base_url=strong.base_url,
                                model="strong-model")
        draft(config, store, DAY)
        assert _checks(fake_openai) == []
        checks = strong.requests_containing(CHECKER)
        assert checks and all(r["body"]["model"] == "strong-model" for r in checks)
        assert len(strong.chat_requests) == len(checks)  # the strong model only checks; it never drafts


def test_recheck_after_an_edit_runs_the_verifier(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config, store = _seeded(tmp_path, fake_openai, enabled=True, on_edit=True)
    draft(config, store, DAY)
    segment = files.load_episode(config.episodes_dir, DAY).segment("quick-hits")
    first = segment.text.split("\n")[0]
    kestrel = next(ref.n for ref in segment.sources if ref.story_id == "s-kestrel")
    edited = segment.model_copy(update={"text": segment.text.replace(
        first, f"- Kestrel Robotics did not raise any money, Harbor Ventures said [{kestrel}].")})
    fake_openai.when("did not raise any money", _verdicts(("not_supported", "Kestrel Robotics raised $300 million")))
    flags = recheck_segment(config, store, edited)
    [flag] = [f for f in flags if f.kind == "unverified" and f.field == "text"]
    assert flag.evidence == "Kestrel Robotics raised $300 million" and flag.severity == "high"
    assert recheck_segment(config, store, edited, semantic=False) == [f for f in flags if f.kind != "unverified"]
    quiet = config.model_copy(update={"verify": config.verify.model_copy(update={"on_edit": False})})
    seen = len(fake_openai.requests)
    assert all(f.kind != "unverified" for f in recheck_segment(quiet, store, edited))
    assert len(fake_openai.requests) == seen


def test_verify_settings_name_the_fix(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai, backend="local", model="gpt-99")
    with pytest.raises(ConfigError, match="verify.model 'gpt-99' is not an embedded model"):
        verifier_config(config)
    same = _config(tmp_path, fake_openai)
    assert verifier_config(same) is same  # nothing set: the drafting client is reused
    small = verifier_config(_config(tmp_path, fake_openai, backend="local", model="qwen2.5-coder-0.5b"))
    assert small.llm.backend == "local" and small.llm.local.model == "qwen2.5-coder-0.5b"


@pytest.mark.slow
def test_the_embedded_model_gives_a_verdict_on_every_sentence(tmp_path: Path) -> None:
    from pipeline.draft import local

    try:
        local.part_paths(local.LOCAL_MODELS["qwen2.5-coder-0.5b"])
        import llama_cpp  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"the embedded model is not installed: {exc} (run 'make install-dev')")
    llm = {"backend": "local", "local": {"model": "qwen2.5-coder-0.5b", "n_ctx": 2048, "threads": 2},
           "temperature": 0.0}
    config = load_config(write_show(tmp_path / "show", llm=llm, verify={"enabled": True}))
    text = ("Cobalt Systems sued Parrotly over its voice clone [1]. Parrotly sued Cobalt Systems and won [1]. "
            "Parrotly has 40 employees [1].")
    store = open_store(config.state_dir)
    with open_llm(config, store) as client:
        checked = verify_segment(config, client, _plan(), _segment(text))
        calls = client.usage.calls
    # one call for the story, a valid verdict on each of its three sentences (the grammar holds the model to the
    # schema and the count), shared with the script that says them; what the small model judges is printed
    assert checked.notes == [] and checked.sentences == 6 and 1 <= calls <= 2
    print("\nembedded 0.5B verdicts:", json.dumps([(f.sentence, f.span) for f in checked.flags if f.field == "text"]))
    assert all(f.kind == "unverified" and f.span in ("partly", "not_supported") for f in checked.flags)


def test_a_description_about_something_else_is_flagged_without_a_model(tmp_path: Path,
                                                                       fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai)
    # what the 1.5B model wrote for the sample day, whose lead story is an AI model's price cut
    wrong = "Today's top headlines focus on the cost reduction of a space mission."
    checked = verify_meta(config, None, "Cobalt sues Parrotly", wrong, [_segment()])
    [flag] = checked.flags
    assert flag.span == "drift" and flag.severity == "high" and "space" in flag.message
    honest = "Cobalt Systems sued Parrotly over its voice clone, and Kestrel Robotics raised $300 million."
    assert verify_meta(config, None, "Cobalt sues Parrotly", honest, [_segment()]).flags == []


def test_the_schema_asks_for_one_verdict_per_sentence(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = _config(tmp_path, fake_openai)
    with open_llm(config, open_store(config.state_dir)) as llm:
        verify_segment(config, llm, _plan(), _segment())
    schema = _checks(fake_openai)[0]["body"]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["verdicts"]["minItems"] == schema["properties"]["verdicts"]["maxItems"] == 2
