"""The static site (archive, episode pages) and the newsletter feed, read back with lxml and feedparser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import feedparser
from lxml import etree

from pipeline.config import Config
from pipeline.publish import release
from pipeline.publish.published import read_transcript
from publish_support import add_episode, audio_info, make_episode, mp3_bytes

DAY1, DAY2 = date(2026, 3, 9), date(2026, 3, 10)


def _html(path: Path) -> etree._Element:
    return etree.HTML(path.read_bytes())


def test_archive_lists_issues_newest_first_with_players(show: Config) -> None:
    add_episode(show, make_episode(DAY1, title="First issue", audio=audio_info()))
    add_episode(show, make_episode(DAY2, title="Second issue", description="Two & more", audio=audio_info()), mp3=False)
    release(show)
    doc = _html(show.episodes_dir / "index.html")
    assert doc.xpath("//article//h2/a/text()") == ["Second issue", "First issue"]
    assert doc.xpath("//article//h2/a/@href") == ["2026-03-10/index.html", "2026-03-09/index.html"]
    assert doc.xpath("//article//time/@datetime") == ["2026-03-10", "2026-03-09"]
    assert "Two & more" in doc.xpath("//article")[0].xpath("string(.)")
    assert doc.xpath("//audio/@src") == ["2026-03-09/episode.mp3"]  # the issue without an MP3 has no player
    assert doc.xpath("//img/@src") == ["artwork.png"] and doc.xpath("//img/@alt")[0]
    # Relative links only (file:// and any server): nothing but feeds, pages, MP3s and mailto.
    for href in doc.xpath("//@href | //@src"):
        assert "://" not in href or href.startswith("mailto:"), href


def test_episode_page_has_newsletter_player_chapters_and_transcript(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info(125)))
    release(show)
    doc = _html(show.episode_dir(DAY1) / "index.html")
    assert doc.xpath("//audio/@src") == ["episode.mp3"]
    assert doc.xpath("//h1/a/@href") == ["../index.html"]
    assert "Open weights catch up" in doc.xpath("string((//h1)[last()])")
    assert doc.xpath("//table[contains(@class,'bc-box')]//h2/text()") == ["Open vs closed"]
    chapters = [li.xpath("string(.)") for li in doc.xpath("//ol[@class='chapters']/li")]
    assert chapters == ["0:00Cold open", "0:01Headlines"]
    assert not doc.xpath("//ol[@class='chapters']//a")  # the chapter's javascript: URL was dropped
    transcript = [li.xpath("string(.)") for li in doc.xpath("//ol[@class='transcript']/li")]
    assert transcript == ["0:00Welcome to the brief & more.", "0:01Open weights caught up <script>."]
    assert doc.xpath("//a[@href='transcript.vtt']") and doc.xpath("//a[@href='chapters.json']")
    assert "(2:05)" in doc.xpath("string(//section[@aria-label='Listen']/h2)")


def test_chapters_fall_back_to_episode_json(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info()), chapters=False, transcript=False)
    release(show)
    doc = _html(show.episode_dir(DAY1) / "index.html")
    assert [li.xpath("string(.)") for li in doc.xpath("//ol[@class='chapters']/li")] == ["0:00Cold open",
                                                                                         "0:01Headlines"]
    assert not doc.xpath("//ol[@class='transcript']")


def test_newsletter_feed_is_atom_with_full_issues(show: Config) -> None:
    add_episode(show, make_episode(DAY1, title="First issue", audio=audio_info()))
    add_episode(show, make_episode(DAY2, title="Second issue"), mp3=False)
    release(show)
    raw = (show.episodes_dir / "newsletter.xml").read_bytes()
    etree.fromstring(raw, etree.XMLParser(recover=False))
    parsed = feedparser.parse(raw)
    assert not parsed.bozo and parsed.version == "atom10"
    assert parsed.feed.title == "The AI Daily Brief"
    assert [e.title for e in parsed.entries] == ["Second issue", "First issue"]
    first = parsed.entries[1]
    assert first.link == show.site.base_url + "2026-03-09/"
    assert first.id.startswith("urn:uuid:")
    content = first.content[0].value
    assert "Open vs closed" in content and 'href="https://d.example/open-case"' in content
    enclosures = [link for link in first.links if link.rel == "enclosure"]
    assert enclosures and int(enclosures[0].length) == len(mp3_bytes())
    assert not [link for link in parsed.entries[0].links if link.rel == "enclosure"]


def test_vtt_parser_handles_hours_settings_and_tags(tmp_path: Path) -> None:
    vtt = tmp_path / "t.vtt"
    vtt.write_text("WEBVTT\n\nNOTE a comment\n\n01:02:03.500 --> 01:02:05.000 align:start\n<v Host>Hi <i>there</i>\n"
                   "second line\n\n00:00.000 --> 00:01.000\n\n")
    cues = read_transcript(vtt)
    assert len(cues) == 1
    assert cues[0].start == 3723.5 and cues[0].text == "Hi there second line"
