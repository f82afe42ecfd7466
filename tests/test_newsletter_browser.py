"""The newsletter and the site in headless Chromium: no horizontal overflow at phone and desktop widths, key
text visible, hostile text shown as text and never run, no request leaves the machine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.publish import release, render_episode
from publish_support import HOSTILE_TITLE, add_episode, audio_info, make_episode

pytestmark = pytest.mark.browser





def _open(browser, url: str, width: int, *, dark: bool = False):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light")
    dialogs: list[str] = []
    outside: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def route(route):  # the newsletter must render with nothing fetched from the network
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_load_state("load")
    return page, dialogs, outside


def _no_overflow(page) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"horizontal overflow: content {scroll}px wide in a {inner}px window"


@pytest.mark.parametrize("width", [390, 1200])
def test_newsletter_fits_and_reads(show: Config, browser, tmp_path: Path, width: int) -> None:
    day = date(2026, 3, 10)
    add_episode(show, make_episode(day, audio=audio_info(725)))
    render_episode(show, None, day, audio=False)
    page, dialogs, outside = _open(browser, (show.episode_dir(day) / "newsletter.html").as_uri(), width)
    try:
        _no_overflow(page)
        for text in ["Open weights catch up", "Top headlines", "Open vs closed", "Quick hits", "Listen to the episode"]:
            assert page.get_by_text(text, exact=False).first.is_visible(), text
        # The card is at most about 640 px wide and, on a phone, uses the width it has.
        card = page.locator("table.bc-card").bounding_box()
        assert card["width"] <= 642 and card["width"] >= min(width - 20, 600)
        # The debate box is visibly boxed: a border of its own.
        border = page.locator("table.bc-box").evaluate("e => getComputedStyle(e).borderTopWidth")
        assert border == "2px"
        # Citations are real links to the sources.
        assert page.locator('sup a[href="https://a.example/qwen?x=1&y=2"]').count() >= 1
        assert page.locator("img").evaluate_all("imgs => imgs.every(i => i.alt && i.alt.length > 0)")
        assert page.locator("script").count() == 0
        page.screenshot(path=str(tmp_path / f"newsletter-{width}.png"), full_page=True)
        assert (tmp_path / f"newsletter-{width}.png").stat().st_size > 10_000
        assert not dialogs
        assert all(url.startswith("https://example.com/") for url in outside), outside  # only the logo
    finally:
        page.close()


def test_dark_mode_changes_colours(show: Config, browser, tmp_path: Path) -> None:
    day = date(2026, 3, 10)
    add_episode(show, make_episode(day))
    render_episode(show, None, day, audio=False)
    url = (show.episode_dir(day) / "newsletter.html").as_uri()
    colours = {}
    for dark in (False, True):
        page, _, _ = _open(browser, url, 390, dark=dark)
        colours[dark] = page.locator("table.bc-card").evaluate(
            "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
        if dark:
            page.screenshot(path=str(tmp_path / "newsletter-dark.png"), full_page=True)
        page.close()
    assert colours[False] == ["rgb(255, 255, 255)", "rgb(29, 35, 43)"]
    assert colours[True] == ["rgb(26, 31, 39)", "rgb(231, 234, 239)"]


def test_hostile_text_is_shown_not_run(show: Config, browser, tmp_path: Path) -> None:
    day = date(2026, 3, 10)
    add_episode(show, make_episode(day, hostile=True, audio=audio_info()))
    render_episode(show, None, day, audio=False)
    release(show)
    for path in [show.episode_dir(day) / "newsletter.html", show.episode_dir(day) / "index.html",
                 show.episodes_dir / "index.html"]:
        for width in (390, 1200):
            page, dialogs, _ = _open(browser, path.as_uri(), width)
            try:
                assert not dialogs, f"{path.name}: script ran: {dialogs}"
                assert page.locator("script").count() == 0
                assert page.get_by_text(HOSTILE_TITLE, exact=False).first.is_visible()
                hrefs = page.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
                assert hrefs and not [h for h in hrefs if h.split(":")[0].lower() in ("javascript", "data", "vbscript")]
                _no_overflow(page)
                if path.name == "index.html" and path.parent == show.episode_dir(day) and width == 390:
                    page.screenshot(path=str(tmp_path / "page-390.png"), full_page=True)
            finally:
                page.close()


def test_site_works_from_file_urls(show: Config, browser) -> None:
    for day in (date(2026, 3, 9), date(2026, 3, 10)):
        add_episode(show, make_episode(day, title=f"Issue of {day}", audio=audio_info()))
    release(show)
    page, _, outside = _open(browser, (show.episodes_dir / "index.html").as_uri(), 390)
    try:
        _no_overflow(page)
        titles = page.locator("article h2 a").all_inner_texts()
        assert titles == ["Issue of 2026-03-10", "Issue of 2026-03-09"]  # newest first
        assert page.locator("audio").count() == 2
        page.locator("article h2 a").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("2026-03-10/index.html")
        assert page.get_by_text("Welcome to the brief & more.").is_visible()  # the transcript
        assert page.locator("ol.chapters li").count() == 2
        assert page.evaluate("document.querySelector('audio').src").endswith("2026-03-10/episode.mp3")
        assert page.evaluate("document.querySelector('header img').naturalWidth") == 1400  # artwork loads
        _no_overflow(page)
        assert not outside, outside
    finally:
        page.close()
