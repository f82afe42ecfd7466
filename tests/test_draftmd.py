"""draft.md as a format: what is written reads back exactly, and every ambiguity is an error naming its line."""

from __future__ import annotations

import random
import re

import pytest

from pipeline.errors import ConflictError, ReviewError
from pipeline.models import Episode, Segment
from pipeline.review.draftmd import normalize, parse_draft_md, parse_sections, render_draft_md
from test_review_workflow import make_episode

TRICKY_LINES = ["## [headlines] Top", "### Script", "### Sources", "### flags and more", "\\### Script",
                "\\\\## [x] y", "<!-- status: dropped -->", "<!-- briefcast-draft version=9 -->", "# A title",
                "plain text [1].", "", "> quoted", "- [2] Outlet: Title <https://x>", "    indented code", "\\"]


def with_text(episode: Episode, segment_id: str, text: str, script: str) -> Episode:
    episode = episode.model_copy(deep=True)
    segment = episode.segment(segment_id)
    segment.text, segment.script = text, script
    return episode


@pytest.mark.parametrize("seed", range(25))
def test_any_text_round_trips(seed: int) -> None:
    rng = random.Random(seed)
    text = normalize("\n".join(rng.choice(TRICKY_LINES) for _ in range(rng.randint(1, 12))))
    script = normalize("\n".join(rng.choice(TRICKY_LINES) for _ in range(rng.randint(0, 6))))
    episode = with_text(make_episode(), "headlines", text, script)
    rendered = render_draft_md(episode)
    _, sections = parse_sections(rendered)
    assert [s.id for s in sections] == ["cold-open", "headlines", "policy"]
    headlines = sections[1]
    assert (headlines.text, headlines.script) == (text, script)
    assert not parse_draft_md(rendered, episode)  # unedited: no change


def test_edits_are_found_per_field() -> None:
    episode = make_episode()
    text = render_draft_md(episode)
    edited = (text.replace("## [policy] Policy and business", "## [policy]   Policy & business  ")
                  .replace("A Senate bill cleared committee.", "A Senate bill cleared committee today."))
    changes = parse_draft_md(edited, episode)
    assert changes.segments == {"policy": {"title": "Policy & business",
                                           "script": "A Senate bill cleared committee today."}}
    assert changes.order is None and changes.base_version == 1


def test_a_file_without_bookkeeping_still_works() -> None:
    """Hand-written (no header, no base hashes): two-way comparison against the episode."""
    episode = make_episode()
    lines = [line for line in render_draft_md(episode).splitlines() if "base:" not in line and "briefcast-draft" not in line]
    written = "\n".join(lines).replace("Good morning.", "Hello.")
    assert parse_draft_md(written, episode).segments == {
        "cold-open": {"script": "Hello. An open model, a bill, and more."}}


@pytest.mark.parametrize("mangle, message", [
    (lambda t: t.replace("## [policy] Policy and business", "## [policy]"), "has no title"),
    (lambda t: t.replace("## [policy]", "## [pol icy]"), "must read '## [segment-id] Title'"),
    (lambda t: t + "\n## [policy] Again\n\n### Script\n", "appears twice"),
    (lambda t: t.replace("<!-- status: drafted; base", "<!-- status drafted; base", 1), "a status line must read"),
    (lambda t: t.replace("\n### Script\n\nA Senate", "\n### Script\n\n### Script\n\nA Senate"), "second '### Script'"),
])
def test_structural_mistakes_name_the_line(mangle, message: str) -> None:
    episode = make_episode()
    with pytest.raises(ReviewError, match=rf"draft.md line \d+: .*{re.escape(message)}"):
        parse_draft_md(mangle(render_draft_md(episode)), episode)


def test_three_way_merge() -> None:
    written_from = make_episode()
    file = render_draft_md(written_from)
    newer = with_text(written_from, "policy", "Newer words [1].", "Newer script.")
    # Untouched section, newer episode: nothing to take (the file is stale, not edited).
    assert not parse_draft_md(file, newer)
    # Edited section that did not change elsewhere: taken.
    edited = file.replace("An open 70B model, a bill, and more.", "Edited.")
    assert parse_draft_md(edited, newer).segments == {"cold-open": {"text": "Edited."}}
    # Edited section that also changed elsewhere: conflict naming its line.
    clash = file.replace("A Senate AI bill cleared committee 14-7 [1].", "Mine.")
    with pytest.raises(ConflictError, match=r"draft.md line \d+: segment \[policy\]"):
        parse_draft_md(clash, newer)


def test_order_merge() -> None:
    episode = make_episode()
    file = render_draft_md(episode)
    start, mid = file.index("\n## [headlines]") + 1, file.index("\n## [policy]") + 1
    swapped = file[:start] + file[mid:] + "\n" + file[start:mid]
    assert parse_draft_md(swapped, episode).order == ["cold-open", "policy", "headlines"]
    moved_elsewhere = episode.model_copy(deep=True)
    moved_elsewhere.segments = [moved_elsewhere.segments[i] for i in (1, 0, 2)]
    assert parse_draft_md(file, moved_elsewhere).order is None  # stale order, untouched file
    with pytest.raises(ConflictError, match="running order"):
        parse_draft_md(swapped, moved_elsewhere)


def test_failed_segment_needs_text_to_come_back() -> None:
    episode = make_episode()
    episode.segments.append(Segment(id="research", kind="research", title="Research picks", status="failed",
                                    error="LLMOutputError: truncated"))
    text = render_draft_md(episode)
    assert "> segment failed: LLMOutputError: truncated" in text
    revived = text.replace("<!-- status: failed", "<!-- status: drafted")
    with pytest.raises(ReviewError, match="write its text"):
        parse_draft_md(revived, episode)
    dropped = text.replace("<!-- status: failed", "<!-- status: dropped")
    assert parse_draft_md(dropped, episode).segments == {"research": {"status": "dropped"}}
