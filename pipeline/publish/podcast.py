"""The podcast feed, ``episodes/feed.xml``: RSS 2.0 with the itunes and Podcasting 2.0 namespaces, via lxml.

Written by hand rather than with feedgen, which writes ``itunes:explicit`` as yes/no and has no ``podcast:`` tags.
Every value is set as element text or an attribute, so lxml escapes it: a hostile title cannot break the XML.
Nothing depends on the clock: lastBuildDate is the newest publication time, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from email.utils import format_datetime

from lxml import etree

from pipeline.config import Config
from pipeline.publish.markup import clean_text
from pipeline.publish.published import Published

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NSMAP = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT}

# Podcasting 2.0: podcast:guid is uuid5 of the feed URL (no scheme, no trailing slash) in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
GENERATOR = "briefcast 0.1.0"


def podcast_guid(feed_url: str) -> str:
    """The show's podcast:guid: ``podcast_guid("https://podnews.net/rss")`` is 9b024349-ccf0-5f69-a609-6b82873eab3c."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def feed_url(config: Config) -> str:
    return config.site.base_url + "feed.xml"


def _sub(parent: etree._Element, tag: str, text: str | None = None, attrs: dict[str, str] | None = None,
         **more: str) -> etree._Element:
    """A child element; text and attribute values are cleaned of characters XML cannot carry."""
    element = etree.SubElement(parent, tag, {k: clean_text(v) for k, v in {**(attrs or {}), **more}.items()})
    if text is not None:
        element.text = clean_text(text)
    return element


def _cdata(element: etree._Element, html: str) -> None:
    html = clean_text(html)
    # CDATA cannot contain its own terminator; the escaped form is equivalent XML, so fall back to it.
    element.text = etree.CDATA(html) if "]]>" not in html else html


def itunes_duration(seconds: float) -> str:
    """HH:MM:SS, which every directory accepts."""
    total = int(round(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def build_feed(config: Config, episodes: Sequence[Published], artwork: str) -> bytes:
    """feed.xml's bytes; ``episodes`` newest first, those without an MP3 are left out."""
    show = config.show
    base = config.site.base_url
    self_url = feed_url(config)
    rss = etree.Element("rss", nsmap=NSMAP, version="2.0")
    channel = _sub(rss, "channel")
    _sub(channel, "title", show.title)
    _sub(channel, "description", show.description)
    _sub(channel, "link", base)
    _sub(channel, "language", show.language)
    _sub(channel, f"{{{ATOM}}}link", href=self_url, rel="self", type="application/rss+xml")
    if show.copyright:
        _sub(channel, "copyright", show.copyright)
    _sub(channel, "generator", GENERATOR)
    _sub(channel, "docs", "https://www.rssboard.org/rss-specification")
    listed = [item for item in episodes if item.mp3_bytes]
    if listed:
        _sub(channel, "lastBuildDate", format_datetime(max(item.published for item in listed)))
    image = _sub(channel, "image")
    _sub(image, "url", base + artwork)
    _sub(image, "title", show.title)
    _sub(image, "link", base)
    _sub(channel, f"{{{ITUNES}}}image", href=base + artwork)
    category = _sub(channel, f"{{{ITUNES}}}category", attrs={"text": show.category})
    if show.subcategory:
        _sub(category, f"{{{ITUNES}}}category", attrs={"text": show.subcategory})
    _sub(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    _sub(channel, f"{{{ITUNES}}}author", show.host)
    owner = _sub(channel, f"{{{ITUNES}}}owner")
    _sub(owner, f"{{{ITUNES}}}name", show.owner.name)
    _sub(owner, f"{{{ITUNES}}}email", show.owner.email)
    _sub(channel, f"{{{ITUNES}}}type", "episodic")
    _sub(channel, f"{{{ITUNES}}}summary", show.description)
    _sub(channel, f"{{{PODCAST}}}guid", podcast_guid(self_url))
    _sub(channel, f"{{{PODCAST}}}locked", "no", owner=show.owner.email)
    _sub(channel, f"{{{PODCAST}}}medium", "podcast")
    for item in listed:
        _item(channel, config, item)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _item(channel: etree._Element, config: Config, item: Published) -> None:
    base = config.site.base_url
    day = item.episode.date.isoformat()
    node = _sub(channel, "item")
    _sub(node, "title", item.issue.title)
    _cdata(_sub(node, "description"), item.show_notes)
    _cdata(_sub(node, f"{{{CONTENT}}}encoded"), item.show_notes)
    _sub(node, "link", f"{base}{day}/")
    _sub(node, "guid", item.guid, isPermaLink="false")
    _sub(node, "pubDate", format_datetime(item.published))
    _sub(node, "enclosure", url=f"{base}{day}/episode.mp3", length=str(item.mp3_bytes), type="audio/mpeg")
    if item.duration is not None:
        _sub(node, f"{{{ITUNES}}}duration", itunes_duration(item.duration))
    _sub(node, f"{{{ITUNES}}}episodeType", "full")
    _sub(node, f"{{{ITUNES}}}explicit", "true" if config.show.explicit else "false")
    _sub(node, f"{{{ITUNES}}}summary", item.issue.description or item.issue.title)
    if item.has_transcript:
        _sub(node, f"{{{PODCAST}}}transcript", url=f"{base}{day}/transcript.vtt", type="text/vtt")
    if item.has_chapters:
        _sub(node, f"{{{PODCAST}}}chapters", url=f"{base}{day}/chapters.json", type="application/json+chapters")
