"""The review app end to end in headless Chromium: read, edit, regenerate through a loopback LLM, approve, publish."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from lxml import etree

from conftest import write_show
from fake_openai import FakeOpenAI, fake_openai  # noqa: F401 - the fixture
from pipeline.config import Config, load_config
from pipeline.files import load_episode
from pipeline.models import AudioInfo, Chapter, Item
from pipeline.store import open_store
from test_review_app import XSS, running
from test_review_workflow import AT, DAY, make_episode, put

pytestmark = pytest.mark.browser

TEXTS = {
    "i1": "Orca-70B is released under Apache 2.0. It scores 81.2 on MMLU, the lab said on Monday.",
    "i2": "The weights can be downloaded today from the lab's site. Tech Daily tested the model.",
    "i3": "The Senate committee voted 14-7 to advance the AI bill on Tuesday.",
}




def write_mp3(path: Path, seconds: float = 3.0) -> int:
    """A small real MP3 (a sine tone) made with the bundled ffmpeg."""
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=330:duration={seconds}", "-c:a", "libmp3lame", "-b:a", "64k", str(path)],
                   check=True, timeout=60)
    return path.stat().st_size


def review_show(tmp_path: Path, base_url: str) -> Config:
    llm = {"backend": "compatible", "base_url": base_url, "model": "fake-model", "budget": {}}
    # Audio off: publishing re-renders only the newsletter (the audio path is tested with piper in test_review_audio).
    config = load_config(write_show(tmp_path / "show", llm=llm, site={"base_url": "https://brief.example.com/"},
                                    audio={"enabled": False}))
    store = open_store(config.state_dir)
    episode = make_episode(hostile=XSS)
    store.upsert_items([
        Item(id=source.item_id, source=source.outlet, feed_url="https://feeds.example/x", url=source.url,
             title=source.title, published=AT, fetched=AT, content_text=TEXTS[source.item_id])
        for story in episode.stories for source in story.sources
    ])
    store.close()
    folder = config.episode_dir(DAY)
    folder.mkdir(parents=True)
    size = write_mp3(folder / "episode.mp3")
    episode.audio = AudioInfo(duration=3.0, bytes=size, chapters=[
        Chapter(segment_id="cold-open", title="The day in three lines", start=0.0, end=1.0),
        Chapter(segment_id="headlines", title="Top headlines", start=1.0, end=2.0),
        Chapter(segment_id="policy", title="Policy and business", start=2.0, end=3.0)])
    put(config, episode)
    return config


def open_page(browser, url: str):  # noqa: ANN001, ANN201 - playwright objects
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"alerts": [], "csp": [], "outside": []}

    def dialog(d) -> None:  # noqa: ANN001
        if d.type == "confirm":
            d.accept()
        else:
            seen["alerts"].append(d.message)
            d.dismiss()

    page.on("dialog", dialog)
    page.on("console", lambda m: seen["csp"].append(m.text) if "Content Security Policy" in m.text else None)
    origin = url.split("/episodes")[0]

    def route(r) -> None:  # noqa: ANN001 - nothing may leave the machine
        if r.request.url.startswith(origin):
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    return page, seen


def test_edit_regenerate_approve_publish(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        page, seen = open_page(browser, f"{base}/episodes/{DAY}")
        assert page.locator("h1").inner_text() == "Open weights and a bill"
        assert XSS in page.locator("#seg-headlines .seg-text").inner_text()  # shown as text, never run
        assert page.locator("#seg-headlines mark.flagged").inner_text() == "Everyone loves it." + XSS.split("<")[0]
        page.screenshot(path=str(tmp_path / "review-app.png"), full_page=True)

        # Edit the policy segment in the browser.
        policy = page.locator("#seg-policy")
        policy.locator("details.edit summary").click()
        policy.locator("textarea[name=text]").fill("A Senate committee advanced the AI bill, 14 votes to 7 [1].")
        policy.locator("details.edit button[type=submit]").click()
        page.wait_for_url("**#seg-policy")
        assert page.locator(".banner.notice").inner_text() == "Saved."
        assert "14 votes to 7" in page.locator("#seg-policy .seg-text").inner_text()
        assert page.locator("#seg-policy .badge.human").inner_text() == "edited"

        # Regenerate the headlines with feedback; the job runs in the background and the page follows it.
        headlines = page.locator("#seg-headlines")
        headlines.locator("details.regen summary").click()
        headlines.locator("textarea[name=feedback]").fill("Lead with the licence.")
        headlines.locator("details.regen button[type=submit]").click()
        page.wait_for_selector(".banner.job-done, .banner.job-failed", timeout=60_000)
        assert page.locator(".banner.job-done").count() == 1, page.locator(".banner.job").inner_text()
        prompts = " ".join(str(r["body"]["messages"]) for r in fake_openai.requests)
        assert "Lead with the licence." in prompts
        episode = load_episode(config.episodes_dir, DAY)
        regenerated = episode.segment("headlines")
        assert regenerated.history and regenerated.history[-1].reason == "regenerate: Lead with the licence."
        assert not regenerated.edited_by_human and episode.segment("policy").edited_by_human
        assert page.locator("#seg-headlines details.diff").count() == 1

        # Chapter seek works on the real MP3.
        page.locator("#seg-policy [data-seek]").click()
        page.wait_for_function("document.getElementById('episode-audio').currentTime >= 2")

        # Approve (over any flags the new draft raised) and publish.
        override = page.locator("input[name=override_flags]")
        if override.count():
            override.check()
        page.locator("#approve").click()
        page.wait_for_selector(".banner.notice")
        assert page.locator("#episode-status").text_content() == "approved"
        page.locator("#publish").click()  # confirm() is accepted by the dialog handler
        page.wait_for_selector("#episode-status:text('published')")
        assert seen == {"alerts": [], "csp": [], "outside": []}
        page.close()

    episode = load_episode(config.episodes_dir, DAY)
    assert episode.status == "published" and episode.published_at is not None
    assert [t.status for t in episode.history] == ["approved", "published"]
    feed = etree.fromstring((config.episodes_dir / "feed.xml").read_bytes())
    items = feed.findall("./channel/item")
    assert len(items) == 1 and items[0].findtext("title").startswith("Open weights and a bill")
    assert items[0].find("enclosure").get("url").endswith(f"{DAY}/episode.mp3")


def test_two_tabs_second_save_gets_the_conflict(browser, tmp_path: Path, fake_openai: FakeOpenAI) -> None:  # noqa: ANN001, F811
    config = review_show(tmp_path, fake_openai.base_url)
    with running(config) as base:
        ana, _ = open_page(browser, f"{base}/episodes/{DAY}")
        ben, _ = open_page(browser, f"{base}/episodes/{DAY}")
        for page, words in ((ana, "Ana's cut."), (ben, "Ben's cut.")):
            page.locator("#seg-cold-open details.edit summary").click()
            page.locator("#seg-cold-open textarea[name=text]").fill(words)
        ana.locator("#seg-cold-open details.edit button[type=submit]").click()
        ana.wait_for_url("**#seg-cold-open")
        with ben.expect_response(lambda r: r.request.method == "POST") as answer:
            ben.locator("#seg-cold-open details.edit button[type=submit]").click()
        assert answer.value.status == 409
        assert "Someone else changed this episode first" in ben.locator("h1").first.inner_text()
        assert "Ana's cut." in ben.content() and "Ben's cut." in ben.locator("textarea[name=text]").input_value()
        assert load_episode(config.episodes_dir, DAY).segment("cold-open").text == "Ana's cut."
        # Ben decides to keep his on top of Ana's, explicitly.
        ben.locator("button.primary").click()
        ben.wait_for_url("**#seg-cold-open")
        episode = load_episode(config.episodes_dir, DAY)
        assert episode.segment("cold-open").text == "Ben's cut." and episode.segment("cold-open").history[-1].text == "Ana's cut."
