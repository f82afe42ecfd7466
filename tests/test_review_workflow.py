"""The editor workflow against real episode files: draft.md round trip, edits, history, conflicts, approval."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as Date

import pytest

from pipeline.config import Config
from pipeline.errors import ApprovalError, ConflictError, EpisodeNotFoundError, ReviewError
from pipeline.files import load_episode, load_rundown, save_episode
from pipeline.models import Episode, Flag, Segment, SourceRef, Story, StorySource
from pipeline.review import workflow
from pipeline.review.draftmd import draft_path, write_draft_md

DAY = Date(2026, 3, 10)
AT = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)


def make_episode(day: Date = DAY, *, flags: bool = True, hostile: str = "") -> Episode:
    """A small, realistic episode built by hand: three segments, two stories, one open flag."""
    stories = [
        Story(id="s-open", title="Lab releases open-weight 70B model", published=AT, sources=[
            StorySource(item_id="i1", outlet="Example AI Blog", title="Introducing Orca-70B" + hostile,
                        url="https://blog.example.com/orca", published=AT,
                        excerpt="Orca-70B is released under Apache 2.0 and scores 81.2 on MMLU." + hostile),
            StorySource(item_id="i2", outlet="Tech Daily", title="Orca goes open", url="https://techdaily.example/orca",
                        published=AT, excerpt="The weights can be downloaded today."),
        ], segment="headlines", score=3.2),
        Story(id="s-bill", title="Senate AI bill advances", published=AT, sources=[
            StorySource(item_id="i3", outlet="Policy Wire", title="AI bill clears committee",
                        url="https://policy.example/bill", published=AT, excerpt="The committee voted 14-7."),
        ], segment="policy", score=2.1),
    ]
    ref = lambda n, story, item, outlet, title, url: SourceRef(n=n, story_id=story, item_id=item, outlet=outlet,  # noqa: E731
                                                               title=title, url=url)
    segments = [
        Segment(id="cold-open", kind="cold_open", title="The day in three lines",
                text="An open 70B model, a bill, and more.", script="Good morning. An open model, a bill, and more."),
        Segment(id="headlines", kind="headlines", title="Top headlines", story_ids=["s-open"],
                sources=[ref(1, "s-open", "i1", "Example AI Blog", "Introducing Orca-70B", "https://blog.example.com/orca"),
                         ref(2, "s-open", "i2", "Tech Daily", "Orca goes open", "https://techdaily.example/orca")],
                text="Orca-70B is out under Apache 2.0 [1]. It scores 81.2 on MMLU [1]. Everyone loves it." + hostile,
                script="Orca seventy B is out, under Apache two point oh.",
                flags=[Flag(id="f1", kind="uncited", sentence="Everyone loves it.", message="no source cited")] if flags else []),
        Segment(id="policy", kind="policy", title="Policy and business", story_ids=["s-bill"],
                sources=[ref(1, "s-bill", "i3", "Policy Wire", "AI bill clears committee", "https://policy.example/bill")],
                text="A Senate AI bill cleared committee 14-7 [1].", script="A Senate bill cleared committee."),
    ]
    return Episode(date=day, show="AI Brief", title="Open weights and a bill", segments=segments, stories=stories,
                   created=AT)


def put(config: Config, episode: Episode) -> Episode:
    """Save an episode as the draft stage would: episode.json, then draft.md."""
    save_episode(config.episodes_dir, episode)
    write_draft_md(config, episode)
    return episode


@pytest.fixture
def ep(show: Config) -> Episode:
    return put(show, make_episode())


def test_editor_name_order(show: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    assert workflow.editor_name(show, "ana") == "ana"
    assert workflow.editor_name(show, None) == "test-editor"  # $BRIEFCAST_EDITOR from conftest
    monkeypatch.delenv("BRIEFCAST_EDITOR")
    monkeypatch.setenv("USER", "unixname")
    assert workflow.editor_name(show, None) == "unixname"
    configured = show.model_copy(update={"review": show.review.model_copy(update={"editor": "desk"})})
    assert workflow.editor_name(configured, None) == "desk"


def test_unedited_draft_round_trip_changes_nothing(show: Config, ep: Episode) -> None:
    before = draft_path(show, DAY).read_text()
    assert workflow.sync_draft(show, DAY) == []
    after = load_episode(show.episodes_dir, DAY)
    assert after.version == ep.version and after.model_dump() == ep.model_dump()
    # Cosmetic noise an editor's tool may add (CRLF, trailing spaces, extra blank lines) is not an edit.
    noisy = before.replace("\n", "  \r\n").replace("### Script", "\r\n\r\n### Script")
    draft_path(show, DAY).write_text(noisy)
    assert workflow.sync_draft(show, DAY) == []
    assert load_episode(show.episodes_dir, DAY).version == ep.version


def test_edit_in_draft_md_is_taken_in(show: Config, ep: Episode) -> None:
    path = draft_path(show, DAY)
    path.write_text(path.read_text().replace("A Senate AI bill cleared committee 14-7 [1].",
                                             "A US Senate AI bill cleared committee, 14 votes to 7 [1].")
                    .replace("## [policy] Policy and business", "## [policy] Policy"))
    episode = workflow.load(show, DAY)  # every read syncs first
    policy = episode.segment("policy")
    assert policy.text == "A US Senate AI bill cleared committee, 14 votes to 7 [1]."
    assert policy.title == "Policy"
    assert policy.edited_by_human and policy.history[-1].text == "A Senate AI bill cleared committee 14-7 [1]."
    assert policy.history[-1].by == "test-editor"
    assert not episode.segment("headlines").edited_by_human
    assert episode.version == ep.version + 1
    assert "14 votes to 7" in path.read_text() and workflow.sync_draft(show, DAY) == []


def test_reorder_and_drop_in_draft_md(show: Config, ep: Episode) -> None:
    path = draft_path(show, DAY)
    text = path.read_text()
    start, mid = text.index("\n## [headlines]") + 1, text.index("\n## [policy]") + 1
    swapped = text[:start] + text[mid:] + "\n" + text[start:mid]
    swapped = swapped.replace("<!-- status: drafted", "<!-- status: dropped", 1)  # the first section: cold-open
    path.write_text(swapped)
    assert sorted(workflow.sync_draft(show, DAY)) == ["cold-open"]
    episode = load_episode(show.episodes_dir, DAY)
    assert [s.id for s in episode.segments] == ["cold-open", "policy", "headlines"]
    assert episode.segment("cold-open").status == "dropped"


@pytest.mark.parametrize("mangle, line_of, expected", [
    (lambda t: t.replace("### Script\n\nA Senate", "A Senate"), "## [policy]", "no '### Script' heading"),
    (lambda t: t.replace("## [policy]", "## [policy-x]"), "## [policy-x]", "not a segment of this episode"),
    (lambda t: t.replace("<!-- status: drafted; base", "<!-- status: maybe; base", 1), "<!-- status: maybe", "not one of"),
    (lambda t: t[:t.index("## [policy]")], None, "is missing from the file"),
])
def test_broken_draft_md_names_the_line_and_is_kept(show: Config, ep: Episode, mangle, line_of, expected) -> None:
    path = draft_path(show, DAY)
    broken = mangle(path.read_text())
    path.write_text(broken)
    with pytest.raises(ReviewError) as caught:
        workflow.sync_draft(show, DAY)
    message = str(caught.value)
    assert expected in message
    line = broken.splitlines().index(next(l for l in broken.splitlines() if l.startswith(line_of))) + 1 if line_of else None
    if line:
        assert f"draft.md line {line}:" in message
    else:
        assert "draft.md line " in message
    assert path.read_text() == broken  # nothing lost: the file is exactly as the editor left it
    assert load_episode(show.episodes_dir, DAY).version == ep.version
    with pytest.raises(ReviewError):  # every read reports it until fixed
        workflow.load(show, DAY)


def test_text_that_looks_like_structure_round_trips(show: Config, ep: Episode) -> None:
    tricky = "Line one.\n\n## [headlines] not a heading\n\n### Script\n\n\\### Sources escaped already"
    episode = workflow.edit_segment(show, DAY, "policy", text=tricky, base_version=ep.segment("policy").version, editor="ana")
    assert workflow.sync_draft(show, DAY) == []
    assert load_episode(show.episodes_dir, DAY).segment("policy").text == tricky == episode.segment("policy").text


def test_stale_untouched_draft_does_not_revert_newer_edits(show: Config, ep: Episode) -> None:
    old_file = draft_path(show, DAY).read_text()
    workflow.edit_segment(show, DAY, "policy", text="Web edit.", base_version=ep.segment("policy").version, editor="ana")
    # The editor's text editor saves its old buffer, having changed only the headlines.
    draft_path(show, DAY).write_text(old_file.replace("Everyone loves it.", "Reviews are mixed."))
    assert workflow.sync_draft(show, DAY) == ["headlines"]
    episode = load_episode(show.episodes_dir, DAY)
    assert episode.segment("policy").text == "Web edit."
    assert "Reviews are mixed." in episode.segment("headlines").text
    # Editing the same segment in both places is a conflict naming the line; the file is kept.
    stale = draft_path(show, DAY).read_text()
    workflow.edit_segment(show, DAY, "policy", text="Second web edit.", base_version=episode.segment("policy").version, editor="ana")
    draft_path(show, DAY).write_text(stale.replace("Web edit.", "File edit."))
    with pytest.raises(ConflictError, match=r"draft.md line \d+: segment \[policy\]"):
        workflow.sync_draft(show, DAY)
    assert "File edit." in draft_path(show, DAY).read_text()


def test_history_diff_and_undo(show: Config, ep: Episode) -> None:
    episode = workflow.edit_segment(show, DAY, "headlines", text="Orca-70B is out under Apache 2.0 [1].",
                                    base_version=ep.segment("headlines").version, editor="ana")
    segment = episode.segment("headlines")
    assert segment.edited_by_human and len(segment.history) == 1 and segment.history[0].by == "ana"
    assert segment.flags[0].resolved and segment.flags[0].resolution == "fixed"  # the flagged sentence is gone
    diff = workflow.segment_diff(episode, "headlines")
    assert "-Orca-70B is out under Apache 2.0 [1]. It scores 81.2 on MMLU [1]. Everyone loves it." in diff
    assert "+Orca-70B is out under Apache 2.0 [1]." in diff
    episode = workflow.undo(show, DAY, "headlines", base_version=episode.segment("headlines").version, editor="ana")
    segment = episode.segment("headlines")
    assert segment.text == ep.segment("headlines").text and not segment.history and not segment.edited_by_human
    assert workflow.segment_diff(episode, "headlines") == ""
    with pytest.raises(ReviewError, match="nothing to undo"):
        workflow.undo(show, DAY, "headlines", base_version=episode.segment("headlines").version, editor="ana")


def test_no_op_edit_keeps_version(show: Config, ep: Episode) -> None:
    episode = workflow.edit_segment(show, DAY, "policy", text=ep.segment("policy").text + "\n\n",
                                    base_version=ep.segment("policy").version, editor="ana")
    assert episode.version == ep.version and not episode.segment("policy").history


def test_stale_edit_is_a_conflict_carrying_the_other_edit(show: Config, ep: Episode) -> None:
    workflow.edit_segment(show, DAY, "policy", text="Ana's words.", base_version=ep.segment("policy").version, editor="ana")
    with pytest.raises(ConflictError) as caught:
        workflow.edit_segment(show, DAY, "policy", text="Ben's words.", base_version=ep.segment("policy").version, editor="ben")
    error = caught.value
    assert error.segment.text == "Ana's words." and error.episode.version == ep.version + 1  # type: ignore[attr-defined]
    assert "ana" in str(error)
    assert load_episode(show.episodes_dir, DAY).segment("policy").text == "Ana's words."


def test_reorder_drop_restore(show: Config, ep: Episode) -> None:
    episode = workflow.reorder(show, DAY, ["cold-open", "policy", "headlines"], base_version=ep.version, editor="ana")
    assert [s.id for s in episode.segments] == ["cold-open", "policy", "headlines"]
    with pytest.raises(ReviewError, match="every segment exactly once"):
        workflow.reorder(show, DAY, ["policy"], base_version=episode.version, editor="ana")
    episode = workflow.move_segment(show, DAY, "headlines", -1, base_version=episode.version, editor="ana")
    assert [s.id for s in episode.segments] == ["cold-open", "headlines", "policy"]
    episode = workflow.drop_segment(show, DAY, "policy", base_version=episode.segment("policy").version, editor="ana")
    assert episode.segment("policy").status == "dropped" and "policy" not in [s.id for s in episode.live_segments]
    assert "status: dropped" in draft_path(show, DAY).read_text()
    episode = workflow.restore_segment(show, DAY, "policy", base_version=episode.segment("policy").version, editor="ana")
    assert episode.segment("policy").status == "drafted"


def test_story_overrides_feed_the_rundown(show: Config, ep: Episode) -> None:
    episode = workflow.move_story(show, DAY, "s-bill", "headlines", base_version=ep.version, editor="ana")
    assert "s-bill" in episode.segment("headlines").story_ids and "s-bill" not in episode.segment("policy").story_ids
    episode = workflow.pin_story(show, DAY, "s-open", base_version=episode.version, editor="ana")
    episode = workflow.drop_story(show, DAY, "s-bill", base_version=episode.version, editor="ana")
    rundown = load_rundown(show.episodes_dir, DAY)
    assert rundown is not None and rundown.overrides == {"s-bill": "drop", "s-open": "pin"}
    assert episode.story("s-open").pinned and episode.story("s-bill").segment is None
    with pytest.raises(ReviewError, match="no such story"):
        workflow.drop_story(show, DAY, "nope", base_version=episode.version, editor="ana")


def test_regenerate_refuses_human_edits(show: Config, ep: Episode) -> None:
    episode = workflow.edit_segment(show, DAY, "policy", text="Mine.", base_version=ep.segment("policy").version, editor="ana")
    with pytest.raises(ReviewError, match="edited by a person"):
        workflow.regenerate(show, None, DAY, "policy", "shorter", base_version=episode.segment("policy").version, editor="ana")
    with pytest.raises(ConflictError):  # a version of the headlines that is not the current one
        workflow.regenerate(show, None, DAY, "headlines", "shorter", base_version=7, editor="ana")


def test_resolve_flag_and_approval_gate(show: Config, ep: Episode) -> None:
    with pytest.raises(ApprovalError, match=r"1 grounding flag\(s\) are open.*headlines") as caught:
        workflow.approve(show, DAY, editor="ana")
    assert "--override-flags" in (caught.value.hint or "")
    with pytest.raises(ReviewError, match="'fixed' or 'accepted'"):
        workflow.resolve_flag(show, DAY, "headlines", "f1", "ignored", base_version=ep.version, editor="ana")
    episode = workflow.resolve_flag(show, DAY, "headlines", "f1", "accepted", "it's an opinion line",
                                    base_version=ep.version, editor="ana")
    flag = episode.segment("headlines").flags[0]
    assert flag.resolved and flag.resolution == "accepted" and flag.resolved_by == "ana"
    episode = workflow.approve(show, DAY, editor="ana", note="ok")
    assert episode.status == "approved" and episode.history[-1].by == "ana" and episode.history[-1].note == "ok"
    # An edit after approval takes the episode back to drafted: the approval was for other words.
    episode = workflow.edit_segment(show, DAY, "policy", text="Changed.", base_version=episode.segment("policy").version, editor="ben")
    assert episode.status == "drafted" and episode.history[-1].status == "drafted"


def test_override_flags_is_recorded(show: Config, ep: Episode) -> None:
    episode = workflow.approve(show, DAY, editor="ana", override_flags=True)
    assert episode.status == "approved" and "over 1 open flag" in (episode.history[-1].note or "")
    with pytest.raises(ApprovalError, match="already approved"):
        workflow.approve(show, DAY, editor="ana")


def test_publish_requires_approval(show: Config, ep: Episode) -> None:
    with pytest.raises(ApprovalError, match="not approved"):
        workflow.publish(show, DAY, editor="ana")
    episode = workflow.reject(show, DAY, editor="ana", note="too thin")
    assert episode.status == "rejected"
    with pytest.raises(ApprovalError):
        workflow.publish(show, DAY, editor="ana")
    assert load_episode(show.episodes_dir, DAY).published_at is None


def test_list_and_ids(show: Config, ep: Episode) -> None:
    put(show, make_episode(Date(2026, 3, 9), flags=False))
    rows = workflow.list_episodes(show)
    assert [r.date for r in rows] == [DAY, Date(2026, 3, 9)] and rows[0].open_flags == 1 and rows[1].open_flags == 0
    for bad in ("../etc", "2026-13-01", "2026-03-10/..", ""):
        with pytest.raises(EpisodeNotFoundError):
            workflow.parse_day(bad)
    with pytest.raises(EpisodeNotFoundError):
        workflow.load(show, Date(2020, 1, 1))


def test_a_corrupt_episode_is_a_row_with_its_error(show: Config, ep: Episode) -> None:
    broken = show.episode_dir(Date(2026, 3, 9)) / "episode.json"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text('{"date": "2026-03-09", "segments": [')  # cut off mid-write by hand
    rows = workflow.list_episodes(show)
    assert [r.date for r in rows] == [DAY, Date(2026, 3, 9)]
    assert rows[0].error is None and rows[1].status == "unreadable"
    assert "not a valid episode" in (rows[1].error or "") and str(broken) in (rows[1].error or "")
    assert broken.read_text() == '{"date": "2026-03-09", "segments": ['  # listing never writes


@pytest.fixture
def silent(tmp_path) -> Config:  # noqa: ANN001
    """The reference show without audio (publishing renders the newsletter only), with its episode."""
    from conftest import write_show
    from pipeline.config import load_config

    config = load_config(write_show(tmp_path / "silent", audio={"enabled": False}))
    put(config, make_episode())
    return config


def test_cli_sync_approve_publish(silent: Config) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    show = silent
    cli = CliRunner()
    config = ["--config", str(show.path)]
    path = draft_path(show, DAY)
    path.write_text(path.read_text().replace("An open 70B model, a bill, and more.", "An open model and a bill."))
    answer = cli.invoke(app, ["review", "sync", *config, "--date", str(DAY)])
    assert answer.exit_code == 0 and "1 segment(s) taken from draft.md: cold-open" in answer.output
    path.write_text(path.read_text().replace("\n### Script\n", "\n", 1))
    answer = cli.invoke(app, ["review", "sync", *config, "--date", str(DAY)])
    assert answer.exit_code == 1 and "draft.md line" in answer.output
    write_draft_md(show, load_episode(show.episodes_dir, DAY))
    answer = cli.invoke(app, ["approve", str(DAY), *config])
    assert answer.exit_code == 1 and "grounding flag" in answer.output and "--override-flags" in answer.output
    answer = cli.invoke(app, ["approve", str(DAY), *config, "--override-flags", "--editor", "ana"])
    assert answer.exit_code == 0, answer.output
    answer = cli.invoke(app, ["publish", str(DAY), *config])
    assert answer.exit_code == 0, answer.output
    episode = load_episode(show.episodes_dir, DAY)
    assert episode.status == "published" and [t.by for t in episode.history] == ["ana", "test-editor"]
    assert (show.episodes_dir / "index.html").is_file() and "2026-03-10" in (show.episodes_dir / "newsletter.xml").read_text()


def test_published_episode_refuses_draft_md_edits(silent: Config) -> None:
    show = silent
    workflow.approve(show, DAY, editor="ana", override_flags=True)
    workflow.publish(show, DAY, editor="ana")
    path = draft_path(show, DAY)
    edited = path.read_text().replace("A Senate AI bill cleared committee 14-7 [1].", "Changed after release.")
    path.write_text(edited)
    with pytest.raises(ReviewError, match=r"draft.md line \d+: this episode is published"):
        workflow.sync_draft(show, DAY)
    assert path.read_text() == edited and "14-7" in load_episode(show.episodes_dir, DAY).segment("policy").text
    with pytest.raises(ReviewError, match="published"):
        workflow.edit_segment(show, DAY, "policy", text="x", base_version=99, editor="ana")
