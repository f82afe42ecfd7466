"""Review integrity without a browser: approval of a version, publish renders what is stale, per-segment versions,
limits, undo with its flags, stale scripts, flags with evidence and cite-instead, draft.md problems, CLI output."""

from __future__ import annotations

import threading
import time
from datetime import date as Date
from pathlib import Path

import httpx
import pytest

from conftest import write_show
from fake_openai import FakeOpenAI, Reply, fake_openai  # noqa: F401 - the fixture
from pipeline.config import Config, load_config
from pipeline.errors import ApprovalError, ConflictError, ReviewError
from pipeline.files import load_episode, save_episode
from pipeline.fingerprint import content_hash, output_fingerprints
from pipeline.models import Flag, Item
from pipeline.publish import render_episode
from pipeline.publish.newsletter import render_newsletter
from pipeline.review import workflow
from pipeline.review.draftmd import draft_path
from pipeline.store import open_store
from test_review_app import csrf_of, post, running
from test_review_workflow import AT, DAY, make_episode, put

TEXTS = {
    "i1": "Orca-70B is released under Apache 2.0. It scores 81.2 on MMLU, the lab said on Monday.",
    "i2": "The weights can be downloaded today from the lab's site. Tech Daily tested the model.",
    "i3": "The Senate committee voted 14-7 to advance the AI bill on Tuesday.",
}


def show_with(tmp_path: Path, name: str = "show", **sections) -> Config:  # noqa: ANN003
    """The reference show (audio off unless asked) with the test episode and its sources in the store."""
    sections.setdefault("audio", {"enabled": False})
    config = load_config(write_show(tmp_path / name, **sections))
    episode = make_episode()
    store = open_store(config.state_dir)
    store.upsert_items([
        Item(id=source.item_id, source=source.outlet, feed_url="https://feeds.example/x", url=source.url,
             title=source.title, published=AT, fetched=AT, content_text=TEXTS[source.item_id])
        for story in episode.stories for source in story.sources
    ])
    store.close()
    put(config, episode)
    return config


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return show_with(tmp_path)


def version(config: Config, segment_id: str) -> int:
    return load_episode(config.episodes_dir, DAY).segment(segment_id).version


def accept_all(config: Config) -> None:
    for segment in load_episode(config.episodes_dir, DAY).segments:
        for flag in segment.flags:
            if not flag.resolved:
                workflow.resolve_flag(config, DAY, segment.id, flag.id, "accepted", editor="ana")


# -- 1. approval is of a version ---------------------------------------------------------------------


def test_approve_refuses_words_newer_than_the_ones_seen(cfg: Config) -> None:
    seen = load_episode(cfg.episodes_dir, DAY)
    seen_state = workflow.Seen(content_hash=content_hash(seen), versions={s.id: s.version for s in seen.segments})
    workflow.resolve_flag(cfg, DAY, "headlines", "f1", "accepted", editor="ana")  # not a change of words
    workflow.edit_segment(cfg, DAY, "policy", text="Revenue grew 97% [1].", base_version=1, editor="ben")
    with pytest.raises(ConflictError) as caught:
        workflow.approve(cfg, DAY, editor="ana", seen=seen_state, override_flags=True)
    assert "[policy] v1 -> v2 (by ben)" in str(caught.value)
    assert "+Revenue grew 97% [1]." in caught.value.diff  # type: ignore[attr-defined]
    assert load_episode(cfg.episodes_dir, DAY).status == "drafted"
    # Approving what is there now works, and records who, when, every version and the hash.
    now = load_episode(cfg.episodes_dir, DAY)
    episode = workflow.approve(cfg, DAY, editor="ana", override_flags=True,
                               seen=workflow.Seen(content_hash=content_hash(now)))
    approval = episode.approval
    assert approval is not None and approval.by == "ana" and approval.content_hash == content_hash(now)
    assert approval.versions == {"cold-open": 1, "headlines": 1, "policy": 2} and approval.order == [
        "cold-open", "headlines", "policy"]
    # Any later change of words takes the approval away.
    episode = workflow.edit_segment(cfg, DAY, "cold-open", text="New open.", base_version=1, editor="ben")
    assert episode.status == "drafted" and episode.approval is None


# -- 2. publish renders what is stale; what goes out is what was approved ------------------------------


def test_publish_renders_stale_newsletter_and_releases_the_approved_words(cfg: Config) -> None:
    render_episode(cfg, None, DAY)
    assert load_episode(cfg.episodes_dir, DAY).rendered["newsletter"] == output_fingerprints(
        load_episode(cfg.episodes_dir, DAY))["newsletter"]
    workflow.edit_segment(cfg, DAY, "policy", text="The committee vote was 14-7 [1].", base_version=1, editor="ana")
    workflow.approve(cfg, DAY, editor="ana", override_flags=True)
    with pytest.raises(ApprovalError, match="newsletter was rendered from other words"):
        workflow.publish(cfg, DAY, editor="ana", render=False)
    episode = workflow.publish(cfg, DAY, editor="ana")
    assert episode.status == "published"
    folder = cfg.episode_dir(DAY)
    _, files = render_newsletter(cfg, load_episode(cfg.episodes_dir, DAY))
    assert (folder / "newsletter.md").read_text() == files["newsletter.md"]  # byte for byte the approved words
    assert "The committee vote was 14-7" in (folder / "newsletter.md").read_text()
    assert "The committee vote was 14-7" in (cfg.episodes_dir / "newsletter.xml").read_text()


def test_publish_refuses_words_changed_behind_the_approval(cfg: Config) -> None:
    workflow.approve(cfg, DAY, editor="ana", override_flags=True)
    episode = load_episode(cfg.episodes_dir, DAY)
    episode.segment("policy").text = "Changed in episode.json by hand."
    save_episode(cfg.episodes_dir, episode)
    with pytest.raises(ApprovalError, match="not the ones approved"):
        workflow.publish(cfg, DAY, editor="ana")
    assert not (cfg.episodes_dir / "feed.xml").exists()


def test_render_refuses_a_stale_script_unless_allowed(tmp_path: Path) -> None:
    config = show_with(tmp_path, "loud", audio={"enabled": True})
    workflow.edit_segment(config, DAY, "policy", text="A different text [1].", base_version=1, editor="ana")
    results = render_episode(config, None, DAY)
    audio = next(r for r in results if r.stage == "audio")
    assert audio.status == "failed" and "stale script" in audio.failures[0]["message"]
    assert audio.failures[0]["subject"] == "policy" and "--allow-stale" in audio.failures[0]["hint"]
    assert not (config.episode_dir(DAY) / "episode.mp3").exists()


# -- 3. limits and inputs --------------------------------------------------------------------------


def test_text_over_the_limit_is_refused_and_nothing_saved(cfg: Config) -> None:
    limit = cfg.review.max_text_chars
    assert limit == 20_000
    with pytest.raises(ReviewError, match=r"the text is 20,001 characters; a segment's text is limited to 20,000") as caught:
        workflow.edit_segment(cfg, DAY, "policy", text="x" * (limit + 1), base_version=1, editor="ana")
    assert "review.max_text_chars" in caught.value.hint and "nothing was saved" in caught.value.hint
    with pytest.raises(ReviewError, match="the script is"):
        workflow.edit_segment(cfg, DAY, "policy", script="y" * (limit + 1), base_version=1, editor="ana")
    with pytest.raises(ReviewError, match="titles are limited"):
        workflow.edit_segment(cfg, DAY, "policy", title="t" * 201, base_version=1, editor="ana")
    assert version(cfg, "policy") == 1
    # Through draft.md too: the file is kept as typed.
    path = draft_path(cfg, DAY)
    big = path.read_text().replace("A Senate AI bill cleared committee 14-7 [1].", "z" * (limit + 5))
    path.write_text(big)
    with pytest.raises(ReviewError, match="limited to 20,000"):
        workflow.sync_draft(cfg, DAY)
    assert path.read_text() == big and version(cfg, "policy") == 1


def test_text_limit_comes_from_config(tmp_path: Path) -> None:
    config = show_with(tmp_path, review={"max_text_chars": 500})
    with pytest.raises(ReviewError, match="limited to 500"):
        workflow.edit_segment(config, DAY, "policy", text="w " * 300, base_version=1, editor="ana")


def test_flags_of_one_edit_are_capped(cfg: Config) -> None:
    text = " ".join(f"Revenue was {n}.{n} billion in {1900 + n} [1]." for n in range(1, 400))
    assert len(text) < cfg.review.max_text_chars
    started = time.monotonic()
    episode = workflow.edit_segment(cfg, DAY, "policy", text=text, base_version=1, editor="ana")
    elapsed = time.monotonic() - started
    flags = episode.segment("policy").flags
    assert len(flags) == workflow.MAX_FLAGS_PER_SEGMENT + 1 and "more claims were flagged" in flags[-1].message
    assert elapsed < 60  # generous: a sanity bound, the measured figure is in the report


def test_grounding_that_runs_too_long_leaves_one_unverified_flag(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.draft as draft

    release = threading.Event()

    def slow(config, store, segment):  # noqa: ANN001, ANN202 - the check stuck on a pathological text
        release.wait(10)
        return []

    monkeypatch.setattr(draft, "recheck_segment", slow)
    quick = cfg.model_copy(update={"review": cfg.review.model_copy(update={"recheck_seconds": 0.5})})
    episode = workflow.edit_segment(quick, DAY, "policy", text="A bill passed [1].", base_version=1, editor="ana")
    release.set()
    flags = [f for f in episode.segment("policy").flags if not f.resolved]
    assert [f.kind for f in flags] == ["unverified"] and "did not finish in 0.5 s" in flags[0].message
    assert episode.segment("policy").text == "A bill passed [1]."  # the edit is saved, never lost


def test_file_upload_on_a_text_field_is_refused(cfg: Config) -> None:
    with running(cfg) as base:
        token = csrf_of(httpx.get(f"{base}/episodes/{DAY}").text)
        answer = httpx.post(f"{base}/episodes/{DAY}/segments/policy/edit", headers={"Origin": base},
                            data={"csrf": token, "version": "1"}, files={"text": ("notes.txt", b"Uploaded words.")})
        assert answer.status_code == 400 and "file uploads are not accepted" in answer.text
        assert "paste the words into the text box" in answer.text
    assert "UploadFile" not in load_episode(cfg.episodes_dir, DAY).segment("policy").text
    assert version(cfg, "policy") == 1


# -- 4. per-segment versions, proposals -----------------------------------------------------------


def test_edits_of_different_segments_never_conflict(cfg: Config) -> None:
    workflow.edit_segment(cfg, DAY, "headlines", title="Renamed", base_version=1, editor="ana")
    workflow.edit_episode(cfg, DAY, title="A new episode title", base_version=1, editor="ana")
    episode = workflow.edit_segment(cfg, DAY, "policy", text="Ben's [1].", base_version=1, editor="ben")
    assert episode.segment("policy").text == "Ben's [1]." and episode.segment("headlines").title == "Renamed"
    assert episode.title == "A new episode title" and episode.meta_version == 2
    with pytest.raises(ConflictError, match="title and description are now at version 2"):
        workflow.edit_episode(cfg, DAY, title="Another", base_version=1, editor="ben")
    # The running order is checked against the order the editor saw.
    workflow.reorder(cfg, DAY, ["cold-open", "policy", "headlines"], base_order=["cold-open", "headlines", "policy"],
                     editor="ana")
    with pytest.raises(ConflictError, match="running order changed since you loaded the page"):
        workflow.reorder(cfg, DAY, ["headlines", "cold-open", "policy"], base_order=["cold-open", "headlines", "policy"],
                         editor="ben")


def regen_show(tmp_path: Path, base_url: str) -> Config:
    llm = {"backend": "compatible", "base_url": base_url, "model": "fake-model", "budget": {}}
    return show_with(tmp_path, "regen", llm=llm)


def test_regenerate_whose_base_moved_is_kept_as_a_proposal(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = regen_show(tmp_path, fake_openai.base_url)
    fake_openai.script(*[Reply(delay=0.6) for _ in range(6)])
    outcome: dict[str, workflow.Regenerated] = {}

    def regenerate() -> None:
        store = open_store(config.state_dir)
        try:
            outcome["r"] = workflow.regenerate(config, store, DAY, "headlines", "Lead with the licence.",
                                               base_version=1, editor="ana")
        finally:
            store.close()

    worker = threading.Thread(target=regenerate)
    worker.start()
    time.sleep(0.3)
    workflow.edit_segment(config, DAY, "headlines", title="Renamed while it ran", base_version=1, editor="ben")
    workflow.edit_segment(config, DAY, "policy", text="Another segment, meanwhile [1].", base_version=1, editor="cy")
    worker.join(60)
    result = outcome["r"]
    assert result.outcome == "proposal" and "changed by ben" in result.message
    headlines = load_episode(config.episodes_dir, DAY).segment("headlines")
    assert headlines.title == "Renamed while it ran" and headlines.proposal is not None  # nothing thrown away
    assert headlines.proposal.base_version == 1 and headlines.proposal.text != headlines.text
    assert "proposal (from v1)" in workflow.proposal_diff(headlines)
    episode = workflow.accept_proposal(config, DAY, "headlines", base_version=headlines.version, editor="ana")
    accepted = episode.segment("headlines")
    assert accepted.text == headlines.proposal.text and accepted.proposal is None
    assert accepted.history[-1].title == "Renamed while it ran"  # undo brings the renamed version back


def test_regenerate_that_ignored_the_feedback_says_so(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = regen_show(tmp_path, fake_openai.base_url)
    store = open_store(config.state_dir)
    try:
        first = workflow.regenerate(config, store, DAY, "headlines", "", base_version=1, editor="ana")
        assert first.outcome == "applied" and first.episode.segment("headlines").version == 2
        again = workflow.regenerate(config, store, DAY, "headlines", "Make it funnier.", base_version=2, editor="ana")
    finally:
        store.close()
    assert again.outcome == "unchanged" and "feedback was not taken" in again.message
    assert load_episode(config.episodes_dir, DAY).segment("headlines").version == 2


# -- 7. undo restores the flags of the version it restores ----------------------------------------


def test_undo_restores_the_flags_of_that_version(cfg: Config) -> None:
    before = load_episode(cfg.episodes_dir, DAY).segment("policy")
    assert before.flags == []
    episode = workflow.edit_segment(cfg, DAY, "policy", text="A Senate AI bill cleared committee 19-2 [1].",
                                    base_version=1, editor="ana")
    assert any(f.kind == "unsupported_number" and not f.resolved for f in episode.segment("policy").flags)
    episode = workflow.undo(cfg, DAY, "policy", base_version=2, editor="ana")
    assert episode.segment("policy").text == before.text and episode.segment("policy").flags == []
    workflow.resolve_flag(cfg, DAY, "headlines", "f1", "accepted", editor="ana")
    assert workflow.approve(cfg, DAY, editor="ana").status == "approved"  # nothing left open to block it
    assert not load_episode(cfg.episodes_dir, DAY).segment("policy").script_stale


# -- issue 13 item 3: the script follows the text -------------------------------------------------


def test_script_goes_stale_when_only_the_text_changes(cfg: Config) -> None:
    episode = workflow.edit_segment(cfg, DAY, "policy", text="The committee voted 14-7 [1].", base_version=1, editor="ana")
    assert episode.segment("policy").script_stale
    assert "[stale script]" in draft_path(cfg, DAY).read_text()
    from pipeline.reporting import episode_statuses

    row = episode_statuses(cfg, DAY)[0]
    assert row["stale_scripts"] == ["policy"] and "stale script: policy" in row["waiting_on"]
    accept_all(cfg)
    with pytest.raises(ApprovalError, match="script of policy is stale"):
        workflow.approve(cfg, DAY, editor="ana")
    # Editing the script (alone) clears it; so does keeping the script as it is.
    episode = workflow.edit_segment(cfg, DAY, "policy", script="The committee voted fourteen to seven.",
                                    base_version=2, editor="ana")
    assert not episode.segment("policy").script_stale
    episode = workflow.edit_segment(cfg, DAY, "policy", text="Committee vote: 14-7 [1].", base_version=3, editor="ana")
    assert episode.segment("policy").script_stale
    episode = workflow.mark_script_current(cfg, DAY, "policy", base_version=4, editor="ana")
    assert not episode.segment("policy").script_stale
    # Undo brings back the mark the restored version had.
    episode = workflow.undo(cfg, DAY, "policy", base_version=5, editor="ana")
    assert episode.segment("policy").script_stale


def test_script_goes_stale_through_draft_md(cfg: Config) -> None:
    path = draft_path(cfg, DAY)
    path.write_text(path.read_text().replace("A Senate AI bill cleared committee 14-7 [1].", "The bill advanced [1]."))
    assert workflow.sync_draft(cfg, DAY) == ["policy"]
    assert load_episode(cfg.episodes_dir, DAY).segment("policy").script_stale
    path.write_text(path.read_text().replace("A Senate bill cleared committee.", "The bill advanced."))
    assert workflow.sync_draft(cfg, DAY) == ["policy"]
    assert not load_episode(cfg.episodes_dir, DAY).segment("policy").script_stale


def test_regenerate_writes_a_fresh_script(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = regen_show(tmp_path, fake_openai.base_url)
    workflow.edit_segment(config, DAY, "headlines", text="Orca-70B is out [1].", base_version=1, editor="ana")
    assert load_episode(config.episodes_dir, DAY).segment("headlines").script_stale
    store = open_store(config.state_dir)
    try:
        result = workflow.regenerate(config, store, DAY, "headlines", "", force=True, base_version=2, editor="ana")
    finally:
        store.close()
    assert result.outcome == "applied" and not result.episode.segment("headlines").script_stale


# -- issue 12 item 8: flags by severity, evidence, cite instead -----------------------------------


def flagged(config: Config) -> None:
    episode = load_episode(config.episodes_dir, DAY)
    headlines = episode.segment("headlines")
    headlines.text = "Orca-70B is out under Apache 2.0 [2]. It scores 81.2 on MMLU [1]. Everyone loves it."
    headlines.flags = [
        Flag(id="f-low", kind="length", sentence="Everyone loves it.", message="short", severity="low"),
        Flag(id="f-wrong", kind="wrong_source", sentence="Orca-70B is out under Apache 2.0 [2].", severity="high",
             message="[2] does not say this; [1] does", evidence="", suggest=[1]),
        Flag(id="f-num", kind="unsupported_number", sentence="It scores 81.2 on MMLU [1].", severity="medium",
             message="81.2", evidence="Orca-70B is released under Apache 2.0 and scores 81.2 on MMLU."),
    ]
    save_episode(config.episodes_dir, episode)


def test_cite_instead_replaces_the_markers_and_checks_again(cfg: Config) -> None:
    flagged(cfg)
    with pytest.raises(ReviewError, match="not one this flag suggests"):
        workflow.cite_instead(cfg, DAY, "headlines", "f-wrong", 2, base_version=1, editor="ana")
    episode = workflow.cite_instead(cfg, DAY, "headlines", "f-wrong", 1, base_version=1, editor="ana")
    headlines = episode.segment("headlines")
    assert headlines.text.startswith("Orca-70B is out under Apache 2.0 [1].")
    assert headlines.history[-1].reason == "cite [1] instead" and headlines.history[-1].by == "ana"
    assert not any(f.id == "f-wrong" and not f.resolved for f in headlines.flags)
    assert workflow._recite("A and B [1, 2] then [3].", 4) == "A and B [4] then."
    assert workflow._recite("No marker here.", 2) == "No marker here [2]."


def test_flags_shown_by_severity_with_evidence(cfg: Config) -> None:
    flagged(cfg)
    with running(cfg) as base:
        page = httpx.get(f"{base}/episodes/{DAY}").text
        order = [page.index(f'id="flag-headlines-{fid}"') for fid in ("f-wrong", "f-num", "f-low")]
        assert order == sorted(order)  # high, medium, low
        assert "no source has this" in page and "scores 81.2 on MMLU." in page
        assert "Cite [1] instead" in page and "Edit this sentence" in page
        token = csrf_of(page)
        answer = post(f"{base}/episodes/{DAY}/segments/headlines/flags/f-num/rewrite", base,
                      {"csrf": token, "version": "1", "sentence": "It scores 81.2 on the MMLU benchmark [1]."})
        assert answer.status_code == 303
    assert "81.2 on the MMLU benchmark [1]." in load_episode(cfg.episodes_dir, DAY).segment("headlines").text


# -- 8. draft.md: broken or conflicting is shown with a choice; a note above the sections is kept ----


def test_draft_md_conflict_keep_the_file_or_the_app(cfg: Config) -> None:
    stale = draft_path(cfg, DAY).read_text()
    workflow.edit_segment(cfg, DAY, "policy", text="Web edit [1].", base_version=1, editor="ana")
    draft_path(cfg, DAY).write_text(stale.replace("A Senate AI bill cleared committee 14-7 [1].", "File edit [1]."))
    episode, problem = workflow.load_for_review(cfg, DAY)
    assert problem is not None and problem.kind == "conflict" and problem.line and problem.excerpt
    assert episode.segment("policy").text == "Web edit [1]."  # the last good episode
    workflow.resolve_draft(cfg, DAY, "file", editor="ana")
    assert load_episode(cfg.episodes_dir, DAY).segment("policy").text == "File edit [1]."
    # Now the other way: the app wins, the file is kept aside.
    stale = draft_path(cfg, DAY).read_text()
    workflow.edit_segment(cfg, DAY, "policy", text="Web again [1].", base_version=3, editor="ana")
    conflicting = stale.replace("File edit [1].", "File again [1].")
    draft_path(cfg, DAY).write_text(conflicting)
    message = workflow.resolve_draft(cfg, DAY, "app", editor="ana")
    assert "draft.md.rejected" in message
    assert (cfg.episode_dir(DAY) / "draft.md.rejected").read_text() == conflicting
    assert "Web again [1]." in draft_path(cfg, DAY).read_text() and workflow.load_for_review(cfg, DAY)[1] is None


def test_note_above_the_first_section_is_kept_and_said(cfg: Config) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = draft_path(cfg, DAY)
    text = path.read_text()
    first = text.index("## [cold-open]")
    path.write_text(text[:first] + "Call the lab before 9 about the licence.\n\n" + text[first:])
    answer = CliRunner().invoke(app, ["review", "sync", "--config", str(cfg.path), "--date", str(DAY)])
    assert answer.exit_code == 0 and "Kept the note typed above the first section" in answer.output
    episode = load_episode(cfg.episodes_dir, DAY)
    assert episode.editor_note == "Call the lab before 9 about the licence."
    assert "Call the lab before 9" in path.read_text()  # still where the editor typed it
    assert not (cfg.episode_dir(DAY) / "draft.md.bak").exists()
    assert workflow.sync_draft(cfg, DAY) == [] and content_hash(episode) == content_hash(make_episode())


# -- 9. CLI output keeps bracketed ids; issue 14: host, unknown dates ------------------------------


def test_cli_prints_bracketed_ids_as_written(cfg: Config) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = draft_path(cfg, DAY)
    path.write_text(path.read_text().replace("## [policy] Policy and business", "## [policy-x] Policy and business"))
    answer = CliRunner().invoke(app, ["review", "sync", "--config", str(cfg.path), "--date", str(DAY)])
    assert answer.exit_code == 1
    assert "[policy-x] is not a segment of this episode" in answer.output, answer.output
    # A hint naming ids in brackets keeps them too (the segments list of a missing segment).
    path.write_text(path.read_text().replace("## [policy-x] Policy and business", "## [policy] Policy and business"))
    answer = CliRunner().invoke(app, ["approve", str(DAY), "--config", str(cfg.path)])
    assert answer.exit_code == 1 and "open in headlines: '2026-03-10'" in answer.output.replace("\n", " ")


def test_bound_loopback_address_answers_its_own_url(cfg: Config) -> None:
    from pipeline.review.app import serve

    seen: list[str] = []
    thread = threading.Thread(target=lambda: serve(cfg, host="127.0.0.2", port=0, day=DAY, announce=seen.append),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    assert seen and seen[0].startswith("http://127.0.0.2:")
    for _ in range(100):
        try:
            answer = httpx.get(seen[0])
            break
        except httpx.ConnectError:
            time.sleep(0.05)
    assert answer.status_code == 200 and "Open weights and a bill" in answer.text


def test_post_for_an_unknown_date_leaves_no_folder(cfg: Config) -> None:
    with running(cfg) as base:
        token = csrf_of(httpx.get(f"{base}/episodes/{DAY}").text)
        for path in ("segments/policy/edit", "approve", "segments/policy/drop", "order", "render"):
            answer = post(f"{base}/episodes/2031-01-02/{path}", base, {"csrf": token, "version": "1", "text": "x"})
            assert answer.status_code == 404
    assert not (cfg.episodes_dir / "2031-01-02").exists()
    with pytest.raises(Exception, match="no drafted episode"):
        workflow.edit_segment(cfg, Date(2031, 1, 3), "policy", text="x", base_version=1, editor="ana")
    assert not (cfg.episodes_dir / "2031-01-03").exists()


def test_publish_revoices_a_script_edit_and_a_drop(tmp_path: Path) -> None:
    """Issue 15 #2 for the audio: after the last render a script is edited and a segment dropped; publish voices
    the approved running order (real piper and ffmpeg) before it releases."""
    import hashlib

    config = show_with(tmp_path, "voiced", audio={"enabled": True})
    store = open_store(config.state_dir)
    try:
        assert all(r.status != "failed" for r in render_episode(config, store, DAY))
    finally:
        store.close()
    mp3 = config.episode_dir(DAY) / "episode.mp3"
    before = hashlib.sha256(mp3.read_bytes()).hexdigest()
    workflow.edit_segment(config, DAY, "policy", script="The bill moved on, fourteen votes to seven.", base_version=1,
                          editor="ana")
    workflow.drop_segment(config, DAY, "cold-open", base_version=1, editor="ana")
    assert workflow.stale_outputs(load_episode(config.episodes_dir, DAY)) == ["newsletter", "audio"]
    workflow.approve(config, DAY, editor="ana", override_flags=True)
    episode = workflow.publish(config, DAY, editor="ana")
    assert episode.status == "published"
    assert hashlib.sha256(mp3.read_bytes()).hexdigest() != before
    assert [c.segment_id for c in episode.audio.chapters] == ["headlines", "policy"]
    assert episode.rendered == output_fingerprints(episode)
    assert "fourteen votes to seven" in (config.episode_dir(DAY) / "transcript.vtt").read_text()


def test_rederive_the_script_from_the_edited_text(tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    config = regen_show(tmp_path, fake_openai.base_url)
    workflow.edit_segment(config, DAY, "policy", text="The Senate committee voted 14-7 to advance the bill [1].",
                          base_version=1, editor="ana")
    assert load_episode(config.episodes_dir, DAY).segment("policy").script_stale
    store = open_store(config.state_dir)
    try:
        result = workflow.rederive_script(config, store, DAY, "policy", base_version=2, editor="ana")
    finally:
        store.close()
    policy = result.episode.segment("policy")
    assert result.outcome == "applied" and not policy.script_stale and policy.version == 3
    assert policy.script != "A Senate bill cleared committee." and "committee" in policy.script.lower()
    assert policy.history[-1].reason == "script re-derived from the text" and policy.history[-1].by == "ana"
    assert any("voted 14-7 to advance the bill" in str(r["body"]["messages"]) for r in fake_openai.requests)  # from the text


def test_each_editor_has_a_token_beyond_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import uvicorn

    from pipeline.review.app import create_app, serve

    editors = [{"name": "Ana", "token_env": "TOKEN_ANA"}, {"name": "Ben", "token_env": "TOKEN_BEN"}]
    config = show_with(tmp_path, "team", review={"editors": editors})
    monkeypatch.setenv("TOKEN_ANA", "a" * 24)
    monkeypatch.delenv("TOKEN_BEN", raising=False)
    with pytest.raises(ReviewError, match="editor 'Ben' has no token"):
        serve(config, host="0.0.0.0", port=0, announce=lambda url: None)
    monkeypatch.setenv("TOKEN_BEN", "b" * 24)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(config, host="0.0.0.0", port=sock.getsockname()[1]),
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        assert httpx.get(f"{base}/episodes/{DAY}").status_code == 401
        ben = {"Authorization": "Bearer " + "b" * 24, "Origin": base}
        page = httpx.get(f"{base}/episodes/{DAY}", headers=ben)
        assert page.status_code == 200 and 'id="me">as Ben<' in page.text and "Editing as" not in page.text
        answer = httpx.post(f"{base}/episodes/{DAY}/segments/policy/edit", headers=ben,
                            data={"csrf": csrf_of(page.text), "version": "1", "text": "Ben's words [1].", "editor": "Ana"})
        assert answer.status_code == 303
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()
    assert load_episode(config.episodes_dir, DAY).segment("policy").history[-1].by == "Ben"  # the token says who
