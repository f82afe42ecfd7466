"""episodes/feed.xml: parsed back with lxml (strict) and feedparser; every required element checked."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import numpy as np
import pytest
from lxml import etree

from pipeline.config import Config, load_config
from pipeline.files import load_episode, save_episode
from pipeline.publish import release
from pipeline.publish.artwork import DEFAULT_ARTWORK, image_size, png_bytes
from pipeline.publish.podcast import ITUNES, PODCAST, podcast_guid
from publish_support import HOSTILE_DESCRIPTION, HOSTILE_TITLE, add_episode, audio_info, make_episode, mp3_bytes

from conftest import write_show

NS = {"itunes": ITUNES, "podcast": PODCAST, "atom": "http://www.w3.org/2005/Atom",
      "content": "http://purl.org/rss/1.0/modules/content/"}
DAY1, DAY2, DAY3, DAY4 = date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)


def _parse(config: Config) -> etree._Element:
    # A strict parser: any escaping mistake makes the feed ill-formed and fails here.
    return etree.fromstring((config.episodes_dir / "feed.xml").read_bytes(), etree.XMLParser(recover=False))


def _one(node: etree._Element, path: str) -> etree._Element:
    found = node.findall(path, NS)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0]


def test_podcast_guid_matches_the_spec_example() -> None:
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_channel_has_every_required_element(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info()))
    result = release(show)
    assert result.status == "done", result.failures
    channel = _one(_parse(show), "channel")
    base = show.site.base_url
    assert _one(channel, "title").text == show.show.title
    assert _one(channel, "description").text == show.show.description
    assert _one(channel, "link").text == base
    assert _one(channel, "language").text == "en"
    image = _one(channel, "itunes:image").get("href")
    assert image == base + "artwork.png"
    artwork = show.episodes_dir / "artwork.png"
    assert artwork.read_bytes() == DEFAULT_ARTWORK.read_bytes()  # the show has none of its own
    kind, width, height = image_size(artwork)
    assert kind == "png" and width == height and 1400 <= width <= 3000
    category = _one(channel, "itunes:category")
    assert category.get("text") == "Technology"
    assert category.find(f"{{{ITUNES}}}category") is None  # Apple lists no subcategories under Technology
    assert _one(channel, "itunes:explicit").text == "false"
    assert _one(channel, "itunes:author").text == "Alex Rivera"
    owner = _one(channel, "itunes:owner")
    assert _one(owner, "itunes:name").text == "The AI Daily Brief desk"
    assert _one(owner, "itunes:email").text == "editors@example.com"
    assert _one(channel, "podcast:guid").text == podcast_guid(base + "feed.xml")
    assert str(uuid.UUID(_one(channel, "podcast:guid").text)) == _one(channel, "podcast:guid").text
    self_link = _one(channel, "atom:link")
    assert self_link.get("rel") == "self" and self_link.get("href") == base + "feed.xml"
    assert _one(channel, "podcast:locked").text == "no"
    assert parsedate_to_datetime(_one(channel, "lastBuildDate").text) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    assert "briefcast" in _one(channel, "generator").text


def test_item_has_every_required_element(show: Config) -> None:
    folder = add_episode(show, make_episode(DAY1, audio=audio_info(2.0)))
    release(show)
    item = _one(_one(_parse(show), "channel"), "item")
    base = show.site.base_url
    assert _one(item, "title").text == "Open weights catch up"
    notes = _one(item, "description").text
    assert '<a href="https://a.example/qwen?x=1&amp;y=2">' in notes and "Open vs closed" in notes
    assert parsedate_to_datetime(_one(item, "pubDate").text) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    guid = _one(item, "guid")
    assert guid.get("isPermaLink") == "false" and uuid.UUID(guid.text)
    enclosure = _one(item, "enclosure")
    assert enclosure.get("url") == f"{base}2026-03-09/episode.mp3"
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == (folder / "episode.mp3").stat().st_size == len(mp3_bytes())
    assert _one(item, "itunes:duration").text == "00:00:02"
    assert _one(item, "itunes:episodeType").text == "full"
    assert _one(item, "itunes:explicit").text == "false"
    transcript = _one(item, "podcast:transcript")
    assert transcript.get("url") == f"{base}2026-03-09/transcript.vtt" and transcript.get("type") == "text/vtt"
    chapters = _one(item, "podcast:chapters")
    assert chapters.get("url") == f"{base}2026-03-09/chapters.json"
    assert chapters.get("type") == "application/json+chapters"


def test_feedparser_reads_it_back(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info()))
    add_episode(show, make_episode(DAY2, title="Second", audio=audio_info()))
    release(show)
    parsed = feedparser.parse((show.episodes_dir / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "The AI Daily Brief"
    assert parsed.feed.image.href.endswith("/artwork.png")
    # feedparser 6 maps only yes/clean for itunes:explicit (true/false become None): lxml checks the value above.
    assert parsed.feed.podcast_guid == podcast_guid(show.site.base_url + "feed.xml")
    assert [entry.title for entry in parsed.entries] == ["Second", "Open weights catch up"]  # newest first
    entry = parsed.entries[0]
    assert entry.enclosures[0].type == "audio/mpeg"
    assert int(entry.enclosures[0].length) == len(mp3_bytes())
    assert entry.itunes_duration == "00:00:02"
    assert entry.guidislink is False


def test_only_published_episodes_with_audio_are_items(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info()))
    add_episode(show, make_episode(DAY2, status="drafted", title="Drafted one"))
    add_episode(show, make_episode(DAY3, status="approved", title="Approved one"))
    add_episode(show, make_episode(DAY4, title="Published, no audio yet"), mp3=False)
    result = release(show)
    titles = [t.text for t in _parse(show).findall("channel/item/title")]
    assert titles == ["Open weights catch up"]
    assert result.counts["episodes"] == 2 and result.counts["podcast_items"] == 1
    # The episode without an MP3 is still in the archive and the newsletter feed; the drafts are nowhere.
    archive = (show.episodes_dir / "index.html").read_text()
    newsletter = feedparser.parse((show.episodes_dir / "newsletter.xml").read_bytes())
    assert [e.title for e in newsletter.entries] == ["Published, no audio yet", "Open weights catch up"]
    for text in ("Drafted one", "Approved one"):
        assert text not in archive and text not in (show.episodes_dir / "feed.xml").read_text()
    assert "Published, no audio yet" in archive
    assert not (show.episode_dir(DAY2) / "index.html").exists()
    assert (show.episode_dir(DAY4) / "index.html").exists()


def test_rebuilds_are_identical_and_guids_stable(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info()))
    add_episode(show, make_episode(DAY2, audio=audio_info()))
    release(show)
    outputs = ["feed.xml", "newsletter.xml", "index.html", "2026-03-09/index.html", "2026-03-10/index.html"]
    first = {name: (show.episodes_dir / name).read_bytes() for name in outputs}
    guids = [g.text for g in _parse(show).findall("channel/item/guid")]
    second_result = release(show)
    assert {name: (show.episodes_dir / name).read_bytes() for name in outputs} == first
    assert second_result.counts["files_changed"] == 0
    # An editor retitles an episode after release: the item's GUID must not change.
    episode = load_episode(show.episodes_dir, DAY1)
    episode.title = "A better title"
    save_episode(show.episodes_dir, episode)
    release(show)
    assert [g.text for g in _parse(show).findall("channel/item/guid")] == guids
    assert len(set(guids)) == 2


def test_published_files_are_world_readable(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info()))
    release(show)
    for name in ("feed.xml", "newsletter.xml", "index.html", "artwork.png", "2026-03-09/index.html"):
        assert (show.episodes_dir / name).stat().st_mode & 0o444 == 0o444, name


def test_hostile_title_and_description_stay_text(show: Config) -> None:
    add_episode(show, make_episode(DAY1, hostile=True, audio=audio_info()))
    episode = load_episode(show.episodes_dir, DAY1)
    episode.title += "\x00\x08\x1b bell"  # control characters XML 1.0 cannot carry
    save_episode(show.episodes_dir, episode)
    release(show)
    item = _one(_one(_parse(show), "channel"), "item")
    assert _one(item, "title").text == HOSTILE_TITLE + " bell"
    notes = _one(item, "description").text
    # The show notes are HTML: the description's text is escaped inside it, the "]]>" did not end the CDATA.
    assert "Cats &amp; dogs &lt; birds &gt;" in notes and "<img" not in notes and "<script" not in notes
    parsed = feedparser.parse((show.episodes_dir / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert parsed.entries[0].title == HOSTILE_TITLE + " bell"
    newsletter = etree.fromstring((show.episodes_dir / "newsletter.xml").read_bytes(), etree.XMLParser(recover=False))
    assert newsletter.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary").text == \
        HOSTILE_DESCRIPTION
    # Every link anywhere in the published outputs is http(s) or mailto.
    outputs = [show.episodes_dir / "feed.xml", show.episodes_dir / "index.html", show.episode_dir(DAY1) / "index.html"]
    for path in outputs:
        text = path.read_text().lower()
        for scheme in ("javascript:", "vbscript:", "data:text"):
            assert f'href="{scheme}' not in text and f"href='{scheme}" not in text, (path.name, scheme)
    page = etree.HTML((show.episode_dir(DAY1) / "index.html").read_bytes())
    assert not page.xpath("//script") and not page.xpath("//@onerror")
    assert page.xpath("//h1")[-1].text == HOSTILE_TITLE + " bell"
    hrefs = page.xpath("//a/@href")
    assert all(h.startswith(("https://", "http://", "mailto:", "../", "episode.mp3", "transcript", "chapters"))
               for h in hrefs), hrefs


def test_duration_from_the_mp3_when_episode_json_has_none(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=None))
    release(show)
    item = _one(_one(_parse(show), "channel"), "item")
    assert _one(item, "itunes:duration").text in ("00:00:02", "00:00:03")  # encoder padding


def test_explicit_and_the_shows_own_artwork(tmp_path: Path) -> None:
    config = load_config(write_show(tmp_path / "own", show={"explicit": True, "artwork": "art/cover.png"}))
    art = np.zeros((1500, 1500, 3), np.uint8)
    art[:, :, 0] = 200
    (tmp_path / "own" / "art").mkdir()
    (tmp_path / "own" / "art" / "cover.png").write_bytes(png_bytes(art))
    add_episode(config, make_episode(DAY1, audio=audio_info()))
    result = release(config)
    channel = _one(_parse(config), "channel")
    assert _one(channel, "itunes:explicit").text == "true"
    assert _one(_one(channel, "item"), "itunes:explicit").text == "true"
    assert (config.episodes_dir / "artwork.png").read_bytes() == (tmp_path / "own" / "art" / "cover.png").read_bytes()
    assert image_size(config.episodes_dir / "artwork.png") == ("png", 1500, 1500)
    assert not [n for n in result.notes if "artwork" in n]


def test_bad_artwork_and_bad_episode_are_reported_not_fatal(tmp_path: Path) -> None:
    config = load_config(write_show(tmp_path / "bad", show={"artwork": "cover.png"}))
    (tmp_path / "bad" / "cover.png").write_bytes(png_bytes(np.zeros((600, 800, 3), np.uint8)))
    add_episode(config, make_episode(DAY1, audio=audio_info()))
    broken = config.episode_dir(DAY2)
    broken.mkdir(parents=True)
    (broken / "episode.json").write_text('{"date": "2026-03-10", "status": "published"')
    result = release(config)
    assert result.status == "partial"
    assert result.failures[0]["subject"] == "2026-03-10"
    assert any("square" in n for n in result.notes) and any("1400 to 3000" in n for n in result.notes)
    assert len(_parse(config).findall("channel/item")) == 1


def test_unpublishing_removes_the_page_and_the_item(show: Config) -> None:
    add_episode(show, make_episode(DAY1, audio=audio_info()))
    add_episode(show, make_episode(DAY2, audio=audio_info()))
    release(show)
    episode = load_episode(show.episodes_dir, DAY2)
    episode.status = "rejected"
    save_episode(show.episodes_dir, episode)
    result = release(show)
    assert result.counts["pages_removed"] == 1
    assert not (show.episode_dir(DAY2) / "index.html").exists()
    assert len(_parse(show).findall("channel/item")) == 1


@pytest.mark.parametrize("base", ["https://example.com/ai-daily-brief/", "http://localhost:8000/"])
def test_links_follow_base_url(tmp_path: Path, base: str) -> None:
    config = load_config(write_show(tmp_path / "b", site={"base_url": base}))
    add_episode(config, make_episode(DAY1, audio=audio_info()))
    release(config)
    item = _one(_one(_parse(config), "channel"), "item")
    assert _one(item, "enclosure").get("url") == base + "2026-03-09/episode.mp3"
    assert _one(item, "link").text == base + "2026-03-09/"
