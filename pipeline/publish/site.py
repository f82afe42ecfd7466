"""The static site: the archive (``episodes/index.html``), a page per episode and the newsletter feed.

Static files with relative links only, so the folder works from file:// and behind any web server.
The newsletter feed (``episodes/newsletter.xml``) is Atom, written with lxml like the podcast feed.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from pipeline.config import Config
from pipeline.publish.markup import clean_text
from pipeline.publish.newsletter import format_duration
from pipeline.publish.published import Published
from pipeline.publish.templating import environment, render

ATOM = "http://www.w3.org/2005/Atom"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "updated" of a feed with no issues: fixed, so rebuilds match
NEWSLETTER_FEED_ISSUES = 30  # full issues are ~10 KB each; readers only want the recent ones
SITE_MARKER = '<meta name="generator" content="briefcast">'  # tells our pages from files someone else put there


def _stamp(seconds: float) -> str:
    return format_duration(seconds)


def render_index(config: Config, items: Sequence[Published], artwork: str) -> str:
    """The archive page, newest first."""
    env = environment(config)
    rows = [_Row(item) for item in items]
    return render(env, "site_index.html.j2", show=config.show, items=rows, artwork=artwork)


def render_page(config: Config, item: Published, artwork: str) -> str:
    """One episode's page: audio player, the newsletter, chapters and transcript."""
    env = environment(config)
    # On the site the logo sits one folder up; the email's absolute URL would break under file://.
    page_issue = dataclasses.replace(item.issue, artwork_url=f"../{artwork}")
    return render(env, "site_episode.html.j2", show=config.show, item=_Row(item), page_issue=page_issue,
                  artwork=artwork, stamp=_stamp)


def render_show_notes(config: Config, item: Published) -> str:
    """The podcast item's HTML description: the dek and every segment's sources."""
    return render(environment(config), "show_notes.html.j2", item=item).strip()


class _Row:
    """A Published with the few derived strings templates need."""

    def __init__(self, item: Published) -> None:
        self._item = item
        self.duration_text = format_duration(item.duration) if item.duration else None

    def __getattr__(self, name: str):  # delegate everything else to the Published
        return getattr(self._item, name)


def build_newsletter_feed(config: Config, items: Sequence[Published]) -> bytes:
    """``newsletter.xml``: an Atom feed with the newest issues' full HTML (the archive keeps the rest)."""
    env = environment(config)
    items = items[:NEWSLETTER_FEED_ISSUES]
    base = config.site.base_url
    self_url = base + "newsletter.xml"
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", config.show.language)

    def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean_text(v) for k, v in attrs.items()})
        if text is not None:
            element.text = clean_text(text)
        return element

    sub(feed, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self_url)}")
    sub(feed, "title", config.show.title)
    sub(feed, "subtitle", config.show.description)
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=base, type="text/html")
    sub(feed, "updated", (max(i.published for i in items) if items else EPOCH).isoformat())
    author = sub(feed, "author")
    sub(author, "name", config.show.owner.name)
    sub(author, "email", config.show.owner.email)
    sub(feed, "generator", "briefcast")
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:uuid:{item.guid}")
        sub(entry, "title", item.issue.title)
        sub(entry, "published", item.published.isoformat())
        sub(entry, "updated", item.published.isoformat())
        sub(entry, "link", rel="alternate", href=f"{base}{item.episode.date.isoformat()}/", type="text/html")
        if item.mp3_bytes:
            sub(entry, "link", rel="enclosure", href=f"{base}{item.episode.date.isoformat()}/episode.mp3",
                type="audio/mpeg", length=str(item.mp3_bytes))
        if item.issue.description:
            sub(entry, "summary", item.issue.description)
        body = env.from_string(
            '{% from "_issue.html.j2" import issue_rows %}<table role="presentation" width="100%">'
            "{{ issue_rows(issue) }}</table>"
        ).render(issue=_issue_with_listen(item))
        sub(entry, "content", body, type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _issue_with_listen(item: Published):
    listen = f"{item.issue.archive_url}{item.episode.date.isoformat()}/episode.mp3" if item.mp3_bytes else None
    duration = format_duration(item.duration) if item.duration else None
    return dataclasses.replace(item.issue, listen_url=listen, duration_text=duration)
