"""Issue 15's failures, each driven in headless Chromium: two browser contexts for the concurrency ones, a 390 px
viewport for the phone. Set BRIEFCAST_SCREENSHOTS=DIR to keep the phone screenshots (docs/review-mobile*.png)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fake_openai import FakeOpenAI, Reply, fake_openai  # noqa: F401 - the fixture
from pipeline.files import load_episode, save_episode
from pipeline.models import Flag
from pipeline.publish.newsletter import render_newsletter
from pipeline.review import workflow
from pipeline.review.draftmd import draft_path
from test_review_app import running
from test_review_browser import review_show
from test_review_workflow import DAY

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def tab(browser, url: str, viewport: dict | None = None):  # noqa: ANN001, ANN201
    """A page in its own browser context (its own cookies and storage); confirms accepted; a beforeunload prompt
    is dismissed (the editor stays) unless ``page.leave`` is set."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs, page.leave = [], False  # type: ignore[attr-defined]

    def dialog(d) -> None:  # noqa: ANN001
        page.dialogs.append(d.type)  # type: ignore[attr-defined]
        if d.type == "confirm" or (d.type == "beforeunload" and page.leave):  # type: ignore[attr-defined]
            d.accept()
        else:
            d.dismiss()

    page.on("dialog", dialog)
    page.goto(url)
    return page


def until(page, expression: str, seconds: float = 10) -> None:  # noqa: ANN001
    """Poll a JavaScript expression from the test side (the app's CSP forbids the eval wait_for_function needs)."""
    import time

    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(50)


def edit(page, segment: str, **fields: str) -> None:  # noqa: ANN001
    box = page.locator(f"#seg-{segment}")
    box.locator("details.edit summary").click()
    for name, value in fields.items():
        box.locator(f"details.edit [name={name}]").fill(value)
    box.locator("details.edit button[type=submit]").click()


def test_1_approve_refuses_what_another_tab_wrote(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        ana = tab(browser, f"{base}/episodes/{DAY}")
        ben = tab(browser, f"{base}/episodes/{DAY}")
        edit(ben, "policy", text="Revenue grew 97% [1].")
        ben.wait_for_url("**#seg-policy")
        ana.locator("input[name=override_flags]").check()
        with ana.expect_response(lambda r: r.request.method == "POST") as answer:
            ana.locator("#approve").click()
        assert answer.value.status == 409
        assert "[policy] v1 -> v2 (by test-editor)" in ana.locator(".message").inner_text()
        assert "+Revenue grew 97% [1]." in ana.locator("pre.diff").inner_text()
        assert load_episode(config.episodes_dir, DAY).status == "drafted"
        # Having seen it, Ana approves the current words.
        ana.goto(f"{base}/episodes/{DAY}")
        ana.locator("input[name=override_flags]").check()
        ana.locator("#approve").click()
        ana.wait_for_selector("#episode-status:text('approved')")
        approval = load_episode(config.episodes_dir, DAY).approval
        assert approval is not None and approval.versions["policy"] == 2


def test_2_publish_renders_what_is_stale(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        page.locator("button:text('Re-render')").click()
        page.wait_for_selector(".banner.job-done", timeout=60_000)
        assert page.locator("#preview-stale").is_hidden()
        edit(page, "policy", text="The committee vote was 14 to 7 [1].")
        page.wait_for_url("**#seg-policy")
        assert page.locator("#preview-stale").is_visible()  # the preview says it is behind
        page.locator("input[name=override_flags]").check()
        page.locator("#approve").click()
        page.wait_for_selector("#episode-status:text('approved')")
        page.locator("#publish").click()
        page.wait_for_selector("#episode-status:text('published')", timeout=60_000)
        assert page.locator("#preview-stale").is_hidden()
    folder = config.episode_dir(DAY)
    _, files = render_newsletter(config, load_episode(config.episodes_dir, DAY))
    assert (folder / "newsletter.md").read_text() == files["newsletter.md"]
    assert "14 to 7" in (folder / "newsletter.html").read_text() and "14 to 7" in (folder / "index.html").read_text()


def test_3_huge_paste_is_refused_at_once_and_the_typing_kept(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    huge = "Revenue grew 97% in 2025 [1]. " * 30_000  # 900 KB
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            edit(page, "policy", text=huge)
        assert answer.value.status == 422
        assert "the text is 900,000 characters; a segment's text is limited to 20,000" in page.locator(".banner.error").inner_text()
        # The page restores the typing from this browser once its script has run: wait for it (on two busy cores
        # CI once read the box before the restore).
        page.wait_for_selector("#seg-policy .restored", state="visible", timeout=30_000)
        box = page.locator("#seg-policy textarea[name=text]")
        assert box.input_value() == huge  # the typing came back from this browser, not lost
        assert "Unsaved words restored" in page.locator("#seg-policy .restored").inner_text()
    assert load_episode(config.episodes_dir, DAY).segment("policy").version == 1


def test_4_two_tabs_edit_different_segments(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        ana = tab(browser, f"{base}/episodes/{DAY}")
        ben = tab(browser, f"{base}/episodes/{DAY}")
        edit(ana, "headlines", title="Renamed by Ana")
        ana.wait_for_url("**#seg-headlines")
        edit(ben, "policy", text="Ben's policy words [1].")  # loaded before Ana's save
        ben.wait_for_url("**#seg-policy")
        assert ben.locator(".banner.notice").inner_text() == "Saved."
    episode = load_episode(config.episodes_dir, DAY)
    assert episode.segment("headlines").title == "Renamed by Ana" and episode.segment("policy").text == "Ben's policy words [1]."


def test_5_phone_every_action_in_reach_and_reorder_in_place(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    keep = os.environ.get("BRIEFCAST_SCREENSHOTS")
    shots = Path(keep) if keep else tmp_path
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}", viewport=PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide"
        approve = page.locator("#approve").bounding_box()
        assert approve and approve["x"] >= 0 and approve["x"] + approve["width"] <= PHONE["width"]
        assert approve["y"] + approve["height"] <= PHONE["height"]  # on the first screen
        for selector in ("#seg-policy button:text('↑')", "#seg-policy button:text('Drop')", "#stories button:text('Pin')",
                         "#seg-headlines .flag button:text('Accept')"):
            box = page.locator(selector).first.bounding_box()
            assert box and box["x"] + box["width"] <= PHONE["width"], selector
        page.screenshot(path=str(shots / "review-mobile.png"))
        page.locator("#seg-headlines details.edit summary").click()
        page.locator("#seg-headlines").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "review-mobile-segment.png"))
        page.locator("#seg-headlines .flags").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "review-mobile-flags.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # Reorder with the buttons and the keyboard: no page load per step.
        page.evaluate("window.__same_page = true")
        page.locator("#seg-policy form[data-move=up] button").click()
        page.wait_for_selector("#order-status:text('Running order saved.')")
        assert [s.id for s in load_episode(config.episodes_dir, DAY).segments] == ["cold-open", "policy", "headlines"]
        page.locator("#seg-policy [data-handle]").focus()
        page.keyboard.press("ArrowUp")
        until(page, "document.querySelector('#segments > li').id === 'seg-policy'")
        until(page, "document.getElementById('episode').dataset.order.startsWith('policy')")
        assert [s.id for s in load_episode(config.episodes_dir, DAY).segments] == ["policy", "cold-open", "headlines"]
        assert page.evaluate("window.__same_page") is True
        assert page.locator("#seg-policy [data-handle]").inner_text() == "1"
        # The approve form now carries the new order's hash: approving works without a reload.
        page.locator("input[name=override_flags]").check()
        page.locator("#approve").click()
        page.wait_for_selector("#episode-status:text('approved')")


def test_6_typing_is_never_lost(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        box = page.locator("#seg-headlines")
        box.locator("details.edit summary").click()
        box.locator("textarea[name=text]").fill("Half-typed correction of the headlines [1].")
        page.locator("#seg-cold-open button:text('Drop')").click()  # another button first
        page.wait_for_timeout(300)
        assert "beforeunload" in page.dialogs  # type: ignore[attr-defined] - the browser asked
        assert load_episode(config.episodes_dir, DAY).segment("cold-open").status == "drafted"  # stayed
        assert box.locator("textarea[name=text]").input_value() == "Half-typed correction of the headlines [1]."
        # Even when the editor leaves anyway, the words stay in this browser until saved.
        page.leave = True  # type: ignore[attr-defined]
        page.reload()
        box = page.locator("#seg-headlines")
        assert box.locator("textarea[name=text]").input_value() == "Half-typed correction of the headlines [1]."
        assert box.locator("details.edit").get_attribute("open") is not None
        assert "Unsaved words restored" in box.locator(".restored").inner_text()
        box.locator("details.edit button[type=submit]").click()
        page.wait_for_url("**#seg-headlines")
        assert load_episode(config.episodes_dir, DAY).segment("headlines").text == "Half-typed correction of the headlines [1]."
        page.reload()
        assert page.locator("#seg-headlines .restored").count() == 0  # saved: the local draft is gone
        other = tab(browser, f"{base}/episodes/{DAY}")  # another browser never sees this one's drafts
        assert other.locator("#seg-headlines .restored").count() == 0


def test_7_undo_takes_the_undone_sentences_flags_with_it(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    workflow.resolve_flag(config, DAY, "headlines", "f1", "accepted", editor="ana")
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        edit(page, "policy", text="A Senate AI bill cleared committee 19-2 [1].")
        page.wait_for_url("**#seg-policy")
        assert page.locator("#seg-policy .flag:not(.resolved)").count() >= 1
        page.locator("#seg-policy button:text('Undo')").click()
        page.wait_for_selector(".banner.notice:text('Previous version restored.')")
        assert page.locator("#seg-policy .flag:not(.resolved)").count() == 0
        assert page.locator("input[name=override_flags]").count() == 0  # nothing blocks approval
        page.locator("#approve").click()
        page.wait_for_selector("#episode-status:text('approved')")


def test_8_broken_or_conflicting_draft_md_is_shown_with_a_choice(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    path = draft_path(config, DAY)
    broken = path.read_text().replace("## [policy] Policy and business", "## [policy-x] Policy and business")
    path.write_text(broken)
    line = broken.splitlines().index("## [policy-x] Policy and business") + 1
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        problem = page.locator("#draft-problem")
        assert f"draft.md line {line}:" in problem.inner_text() and "[policy-x]" in problem.inner_text()
        assert "Orca-70B is out under Apache 2.0" in page.locator("#seg-headlines .seg-text").inner_text()  # last good
        page.locator("#keep-app").click()
        page.wait_for_selector(".banner.notice")
        assert (config.episode_dir(DAY) / "draft.md.rejected").read_text() == broken
        assert page.locator("#draft-problem").count() == 0
        # A conflict: the same segment edited in the file and in the app; the file's version wins on request.
        stale = path.read_text()
        edit(page, "policy", text="Web words [1].")
        page.wait_for_url("**#seg-policy")
        path.write_text(stale.replace("A Senate AI bill cleared committee 14-7 [1].", "File words [1]."))
        page.goto(f"{base}/episodes/{DAY}")
        assert "conflicts with the app" in page.locator("#draft-problem").inner_text()
        page.locator("#keep-file").click()
        page.wait_for_selector(".banner.notice")
        assert "File words [1]." in page.locator("#seg-policy .seg-text").inner_text()


def test_10_regenerate_progress_at_the_segment_and_ignored_feedback(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    fake_openai.script(*[Reply(delay=0.8) for _ in range(4)])
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        box = page.locator("#seg-headlines")
        box.locator("details.regen summary").click()
        box.locator("textarea[name=feedback]").fill("Lead with the licence.")
        box.locator("details.regen button[type=submit]").click()
        running_banner = page.locator("#seg-headlines .seg-job .job[data-status=running]")
        running_banner.wait_for()
        assert "the writer is drafting" in running_banner.inner_text()
        assert page.locator("main > .banner.job").count() == 0  # not at the top of the page
        page.wait_for_selector("#seg-headlines .job-done", timeout=60_000)
        # The same request again gives the same words: the job says so rather than "done".
        box = page.locator("#seg-headlines")
        box.locator("details.regen summary").click()
        box.locator("textarea[name=feedback]").fill("Lead with the licence.")
        box.locator("details.regen button[type=submit]").click()
        page.wait_for_selector("#seg-headlines .job-unchanged", timeout=60_000)
        assert "feedback was not taken" in page.locator("#seg-headlines .job-unchanged").inner_text()


def test_cite_instead_in_one_click(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    episode = load_episode(config.episodes_dir, DAY)
    headlines = episode.segment("headlines")
    headlines.text = "Orca-70B is out under Apache 2.0 [2]. It scores 81.2 on MMLU [1]."
    headlines.flags = [Flag(id="f-w", kind="wrong_source", sentence="Orca-70B is out under Apache 2.0 [2].",
                            severity="high", message="[2] does not say this; [1] does", suggest=[1],
                            evidence="Orca-70B is released under Apache 2.0")]
    save_episode(config.episodes_dir, episode)
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        flag = page.locator("#flag-headlines-f-w")
        assert "Orca-70B is released under Apache 2.0" in flag.locator(".evidence").inner_text()
        flag.locator("button:text('Cite [1] instead')").click()
        page.wait_for_selector(".banner.notice:text('Citation changed')")
        assert page.locator("#flag-headlines-f-w").count() == 0 or "resolved" in (
            page.locator("#flag-headlines-f-w").get_attribute("class") or "")
    assert load_episode(config.episodes_dir, DAY).segment("headlines").text.startswith("Orca-70B is out under Apache 2.0 [1].")


def test_stale_script_is_shown_and_cleared(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        page = tab(browser, f"{base}/episodes/{DAY}")
        edit(page, "policy", text="The committee voted 14 to 7 [1].")
        page.wait_for_url("**#seg-policy")
        assert page.locator("#seg-policy .badge.stale-script").is_visible()
        assert "policy" in page.locator("#stale-scripts").inner_text()
        page.locator("#seg-policy button:text('Write it again from the text')").click()
        page.wait_for_selector("#seg-policy .job-done", timeout=60_000)
        assert page.locator("#seg-policy .badge.stale-script").count() == 0 and page.locator("#stale-scripts").count() == 0
        edit(page, "policy", text="The committee voted 14-7 [1].")
        page.wait_for_url("**#seg-policy")
        page.locator("#seg-policy button:text('Keep the script as it is')").click()
        page.wait_for_selector(".banner.notice:text('Script kept as it is')")
        assert page.locator("#seg-policy .badge.stale-script").count() == 0
    assert not load_episode(config.episodes_dir, DAY).segment("policy").script_stale


def test_drag_reorders_in_place(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        # Tall enough that nothing scrolls mid-drag (a scroll while the button is down cancels an HTML5 drag).
        page = tab(browser, f"{base}/episodes/{DAY}", viewport={"width": 1280, "height": 3200})
        page.evaluate("window.__same_page = true")
        page.drag_and_drop("#seg-policy [data-handle]", "#seg-cold-open .seg-title")
        until(page, "document.querySelector('#segments > li').id === 'seg-policy'")
        until(page, "document.getElementById('episode').dataset.order.startsWith('policy')")
        assert page.evaluate("window.__same_page") is True
    assert [s.id for s in load_episode(config.episodes_dir, DAY).segments] == ["policy", "cold-open", "headlines"]
