"""Feed bytes -> `Item`s: refuse entity declarations, let feedparser read what it can, clean every field.

feedparser gets bytes plus the HTTP headers that matter (the charset in Content-Type, the base URL), never a URL
or a path. Its own sanitizer and relative-URI pass are off: nh3 does the sanitizing (stricter, and about twice as
fast overall), and links are made absolute against the entry's URL while sanitizing.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from pipeline.config import Source
from pipeline.errors import ParseError
from pipeline.ingest.clean import canonical_url, html_to_text, item_id, plain_text, safe_url, sanitize_html
from pipeline.models import Item

# Dates before this are a feed's bug (epoch zero, year 1), not news.
OLDEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
MAX_TAGS = 20
MAX_AUTHORS = 10
_HEAD_END = re.compile(r"<[A-Za-z_]")
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_ENCODING_BOZO = ("CharacterEncodingOverride", "NonXMLContentType", "CharacterEncodingUnknown")
_PASSED_HEADERS = ("content-type", "content-language")


@dataclass
class ParsedFeed:
    """A feed's items and what went wrong while reading it (bozo warnings, fixed dates, duplicates)."""

    items: list[Item]
    title: str = ""
    warning: str | None = None  # malformed document: items are what could be read
    notes: list[str] = field(default_factory=list)
    entries: int = 0
    dates_fixed: int = 0
    duplicates: int = 0


def reject_entities(body: bytes, subject: str) -> None:
    """Refuse documents that declare entities: feedparser's loose fallback parser expands them without limit."""
    head = _document_head(body)
    if _ENTITY.search(head):
        raise ParseError(
            "document declares XML entities (<!DOCTYPE ... [<!ENTITY ...]>); refused before parsing, as an "
            "entity-expansion attack can take gigabytes",
            subject=subject,
            hint="real feeds never need entity declarations; ask the publisher to remove them or drop the source",
        )


def _document_head(body: bytes) -> str:
    """The prolog (everything before the first element) as text, whatever the byte encoding."""
    sample = body[: 1024 * 1024]
    encoding = "latin-1"
    if sample.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif sample[:4] in (b"<\x00?\x00", b"<\x00!\x00"):
        encoding = "utf-16-le"
    elif sample[:4] in (b"\x00<\x00?", b"\x00<\x00!"):
        encoding = "utf-16-be"
    text = sample.decode(encoding, errors="replace")
    end = _HEAD_END.search(text)
    return text[: end.start()] if end else text


def parse_feed(
    body: bytes, *, source: Source, feed_url: str, headers: dict[str, str], fetched: datetime
) -> ParsedFeed:
    """Parse one fetched feed into clean Items; raises `ParseError` when nothing usable is there."""
    if not body.strip():
        raise ParseError(
            "the server sent an empty document", subject=feed_url, hint="the feed may be broken for now; tried again next run"
        )
    reject_entities(body, feed_url)
    # No content-location: feedparser would join every URL against it (a fifth of its time); links are made
    # absolute here, against the entry's URL, while sanitizing. xml:base inside the document still applies.
    response_headers = {key: headers[key] for key in _PASSED_HEADERS if key in headers}
    parsed = feedparser.parse(
        body, response_headers=response_headers, sanitize_html=False, resolve_relative_uris=False
    )
    title = plain_text(parsed.feed.get("title"))
    warning, notes = _bozo(parsed)
    if not parsed.entries and (warning or not parsed.get("version")):
        content_type = headers.get("content-type", "unknown type")
        raise ParseError(
            f"not an RSS or Atom feed (served as {content_type}{'; ' + warning if warning else ''})",
            subject=feed_url,
            hint="the URL may point at a web page, not its RSS/Atom feed; find the feed link on the page",
        )
    result = ParsedFeed(items=[], title=title, warning=warning, notes=notes, entries=len(parsed.entries))
    seen: set[str] = set()
    for entry in parsed.entries:
        item, fixed = entry_to_item(entry, source=source, feed_url=feed_url, fetched=fetched)
        result.dates_fixed += fixed
        if item.id in seen:  # same article twice in one feed (duplicate GUIDs, reposts): keep the first
            result.duplicates += 1
            continue
        seen.add(item.id)
        result.items.append(item)
    return result


def _bozo(parsed: Any) -> tuple[str | None, list[str]]:
    if not parsed.get("bozo"):
        return None, []
    exc = parsed.get("bozo_exception")
    name = type(exc).__name__ if exc is not None else "unknown problem"
    text = f"{name}: {exc}" if exc is not None and str(exc) else name
    if name in _ENCODING_BOZO:  # encoding guessed or overridden by the HTTP header: read fine, worth a note
        return None, [text]
    return f"malformed document ({text})", []


def entry_to_item(entry: Any, *, source: Source, feed_url: str, fetched: datetime) -> tuple[Item, bool]:
    """One feedparser entry as a clean `Item`; also says whether its date had to be fixed."""
    url = canonical_url(safe_url(entry.get("link"), feed_url))
    # Titles are read as HTML whatever the feed claims: a "plain" title holding <script> must not survive either.
    title = plain_text(entry.get("title"))
    summary_html = sanitize_html(_text_value(entry.get("summary_detail"), entry.get("summary")), url or feed_url)
    content_html = sanitize_html(_content(entry), url or feed_url)
    if content_html and content_html == summary_html:
        summary_html = ""
    summary_text = html_to_text(summary_html, sanitized=True)
    content_text = html_to_text(content_html, sanitized=True)
    if not title:
        title = _first_words(summary_text or content_text) or "(untitled)"
    published, fixed = entry_date(entry, fetched)
    guid = plain_text(entry.get("id"), is_html=False)[:1000] or None
    item = Item(
        id=item_id(url, feed_url, guid, title, is_canonical=True),
        source=source.name,
        feed_url=feed_url,
        url=url,
        guid=guid,
        title=title[:500],
        published=published,
        fetched=fetched,
        authors=_authors(entry),
        tags=_tags(entry),
        summary_html=summary_html,
        summary_text=summary_text,
        content_html=content_html,
        content_text=content_text,
        source_kind=source.kind,
        source_weight=source.weight,
    )
    return item, fixed


def _text_value(detail: Any, value: Any) -> str:
    """A text construct as HTML: plain-text constructs are escaped so they cannot smuggle markup."""
    text = str(value or "")
    if detail and "html" not in str(detail.get("type", "text/html")):
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _content(entry: Any) -> str:
    contents = entry.get("content") or []
    parts = [_text_value(part, part.get("value")) for part in contents if part.get("value")]
    best = max(parts, key=len, default="")  # feeds sometimes repeat the content as text/plain and text/html
    return best


def entry_date(entry: Any, fetched: datetime) -> tuple[datetime, bool]:
    """The entry's UTC date; fetch time when missing or implausible, clamped to fetch time when in the future."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if not parsed:
            continue
        try:
            value = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError, OSError, TypeError):
            continue
        if value < OLDEST_PLAUSIBLE:
            continue
        if value > fetched:
            return fetched, True
        return value, False
    return fetched, True


def _authors(entry: Any) -> list[str]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = plain_text(author.get("name") or author.get("email"), is_html=False) if isinstance(author, dict) else ""
        if name and name not in names:
            names.append(name[:200])
    if not names and entry.get("author"):
        names.append(plain_text(entry.get("author"), is_html=False)[:200])
    return names[:MAX_AUTHORS]


def _tags(entry: Any) -> list[str]:
    tags: list[str] = []
    for tag in entry.get("tags") or []:
        term = plain_text(tag.get("term") or tag.get("label"), is_html=False) if isinstance(tag, dict) else ""
        if term and term not in tags:
            tags.append(term[:100])
    return tags[:MAX_TAGS]


def _first_words(text: str, limit: int = 12) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" ..." if len(words) > limit else "")
