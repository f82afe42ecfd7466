"""Feed bytes -> `Item`s: refuse entity declarations, let feedparser read what it can, clean every field.

feedparser gets bytes plus the HTTP headers that matter (the charset in Content-Type, the base URL), never a URL
or a path. Its own sanitizer and relative-URI pass are off: nh3 does the sanitizing (stricter, and about twice as
fast overall), and links are made absolute against the entry's URL while sanitizing.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
from feedparser.encodings import convert_to_utf8

from pipeline.config import Source
from pipeline.errors import ParseError
from pipeline.ingest.clean import canonical_url, html_to_text, item_id, plain_text, safe_url, sanitize_html
from pipeline.models import Item

# Dates before this are a feed's bug (epoch zero, year 1), not news.
OLDEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
MAX_TAGS = 20
MAX_ITEM_CHARS = 100_000  # default cap on an entry's summary and content (ingest.max_item_chars)
MAX_TITLE_SOURCE = 4000  # a title is read from at most this much of the feed's text
MAX_AUTHORS = 10
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
# Prolog tokens, in the order they must be tried: comments and PIs (skipped whole, however long), DOCTYPE, then
# "<" + a name-start character (the root element) or any other "<".
_PROLOG_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)|<!DOCTYPE|<[A-Za-z_:\u00c0-\U0010ffff]?", re.S | re.I)
_LOOSE_HEAD_END = re.compile(r"<[A-Za-z0-9_]")  # feedparser's replace_doctype: the head ends at the first "<\w"
_DOCTYPE_BODY = re.compile(r"""(?:[^"'\[>]+|"[^"]*"|'[^']*')*""")  # up to the "[" or ">" that ends it
_WIDE_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"), (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"),
)  # fmt: skip
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*?>")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Fragments that point at page chrome (comment threads, "back to top"), not at a part of the article.
_CHROME_ANCHOR = re.compile(
    r"comments?|respond|reply|top|more|main|content|page|disqus_thread|comment-\d+|discussion|share"
)
_ENCODING_BOZO = ("CharacterEncodingOverride", "NonXMLContentType", "CharacterEncodingUnknown")


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
    truncated: int = 0


def decode_document(body: bytes, headers: Mapping[str, str]) -> tuple[str, str | None]:
    """The characters feedparser will read, decided once: (text, note about the encoding or None).

    feedparser's own `convert_to_utf8` makes the decision (BOMs, UTF-32 without a BOM in either byte order,
    EBCDIC, the HTTP charset including utf-7, the XML declaration), so the guard below and the parser cannot
    disagree: the parser is then handed exactly these characters as UTF-8, declared as UTF-8 in the header and
    in the XML declaration, and has nothing left to guess.
    """
    result: dict[str, Any] = {}
    data = convert_to_utf8({key: headers[key] for key in headers if key == "content-type"}, body, result)
    # Undecodable documents stay bytes inside feedparser, which then reads them as UTF-8 with replacement.
    text = data.decode("utf-8", "replace")
    if not result.get("encoding"):
        text = _XML_DECLARATION.sub("", text, count=1)
    exc = result.get("bozo_exception")
    note = f"{type(exc).__name__}: {exc}" if exc is not None else None
    return text, note


def reject_doctype(text: str, subject: str) -> None:
    """Refuse entity declarations and DOCTYPEs with an internal subset anywhere in the prolog, however long.

    feedparser's loose fallback parser expands declared entities without limit (kilobytes become gigabytes).
    The prolog is read as XML reads it (comments and processing instructions skipped, whatever their length)
    up to the root element, and at least as far as feedparser's own look for declarations reaches.
    """
    root = len(text)
    for match in _PROLOG_TOKEN.finditer(text):
        token = match.group(0)
        if token[:9].upper() == "<!DOCTYPE" and _has_internal_subset(text, match.end()):
            raise _declares_entities(subject)
        if len(token) == 2 and token[1] not in "!?":  # "<" + a name-start character: the root element
            root = match.start()
            break
    loose_head = _LOOSE_HEAD_END.search(text)  # where feedparser stops looking for <!ENTITY (comments not skipped)
    end = max(root, loose_head.start() + 1 if loose_head else len(text))
    if _ENTITY.search(text, 0, end):
        raise _declares_entities(subject)


def _declares_entities(subject: str) -> ParseError:
    return ParseError(
        "document declares XML entities (<!ENTITY ...> or a DOCTYPE internal subset <!DOCTYPE ... [ ... ]>); "
        "refused before parsing, as an entity-expansion attack can take gigabytes",
        subject=subject,
        hint="real feeds never need entity declarations; ask the publisher to remove them or drop the source",
    )


def reject_entities(body: bytes, subject: str, headers: Mapping[str, str] | None = None) -> None:
    """`reject_doctype` on raw bytes, decoded as the parser would decode them (and as their byte pattern says)."""
    reject_doctype(decode_document(body, headers or {})[0], subject)
    reject_sniffed(body, subject)


def reject_sniffed(body: bytes, subject: str) -> None:
    """Also refuse declarations visible when a UTF-16/32 document is read as its BOM or byte pattern says.

    feedparser reads such a document as UTF-8 when nothing declares its encoding (harmless garbage), but a
    second reading costs little and does not depend on that staying true.
    """
    for prefix, encoding in _WIDE_ENCODINGS:
        if body.startswith(prefix):
            reject_doctype(body.decode(encoding, "replace"), subject)
            return


def _has_internal_subset(text: str, start: int) -> bool:
    """Whether the DOCTYPE whose name starts at ``start`` opens ``[`` before it ends (quoted ids skipped).

    An unterminated quote counts as a subset: such a DOCTYPE is broken anyway, and it is safer refused.
    """
    body = _DOCTYPE_BODY.match(text, start)
    assert body is not None  # the pattern matches the empty string at worst
    end = body.end()
    return end < len(text) and text[end] != ">"


def parse_feed(
    body: bytes | Path,
    *,
    source: Source,
    feed_url: str,
    headers: dict[str, str],
    fetched: datetime,
    max_item_chars: int = MAX_ITEM_CHARS,
) -> ParsedFeed:
    """Parse one fetched feed into clean Items; raises `ParseError` when nothing usable is there.

    ``body`` is the document or a file holding it. ``max_item_chars`` caps each entry's summary and content as
    read from the feed (before sanitizing).
    """
    if isinstance(body, Path):
        body = body.read_bytes()
    if not body.strip():
        raise ParseError(
            "the server sent an empty document",
            subject=feed_url,
            hint="the feed may be broken for now; tried again next run",
        )
    text, encoding_note = decode_document(body, headers)
    reject_doctype(text, feed_url)
    reject_sniffed(body, feed_url)
    del body  # big feeds: every copy dropped as soon as it is no longer needed
    data = text.encode("utf-8")
    del text
    # No content-location: feedparser would join every URL against it (a fifth of its time); links are made
    # absolute here, against the entry's URL, while sanitizing. xml:base inside the document still applies.
    response_headers = {"content-type": "application/xml; charset=utf-8"}
    if "content-language" in headers:
        response_headers["content-language"] = headers["content-language"]
    try:
        parsed = feedparser.parse(
            data, response_headers=response_headers, sanitize_html=False, resolve_relative_uris=False
        )
    except (UnicodeError, ValueError, RecursionError) as exc:  # e.g. &#xD800; in a document only the loose parser reads
        raise ParseError(
            f"the feed parser gave up on this document ({type(exc).__name__}: {exc})",
            subject=feed_url,
            hint="the document is malformed; tell the publisher, or drop the source",
        ) from None
    del data
    title = plain_text(parsed.feed.get("title"))
    warning, notes = _bozo(parsed)
    if encoding_note:
        notes.insert(0, encoding_note)
    if not parsed.entries and (warning or not parsed.get("version")):
        content_type = headers.get("content-type", "unknown type")
        raise ParseError(
            f"not an RSS or Atom feed (served as {content_type}{'; ' + warning if warning else ''})",
            subject=feed_url,
            hint="the URL may point at a web page, not its RSS/Atom feed; find the feed link on the page",
        )
    result = ParsedFeed(items=[], title=title, warning=warning, notes=notes, entries=len(parsed.entries))
    languages = _Languages(parsed.feed.get("language"), headers.get("content-language"))
    seen: set[str] = set()
    for entry in parsed.entries:
        read = entry_to_item(
            entry, source=source, feed_url=feed_url, fetched=fetched, max_chars=max_item_chars, languages=languages
        )
        item = read.item
        result.dates_fixed += read.date_fixed
        result.truncated += read.truncated
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


@dataclass
class ReadEntry:
    """One entry as an `Item`, and what had to be fixed to get it."""

    item: Item
    date_fixed: bool = False
    truncated: bool = False  # its summary or content was longer than max_item_chars and was cut


def entry_to_item(
    entry: Any,
    *,
    source: Source,
    feed_url: str,
    fetched: datetime,
    max_chars: int = MAX_ITEM_CHARS,
    languages: _Languages | None = None,
) -> ReadEntry:
    """One feedparser entry as a clean `Item`."""
    link = safe_url(entry.get("link"), feed_url)
    url = canonical_url(link)
    fragment = urlsplit(link).fragment if link and url else ""
    if _is_anchor(fragment):  # a changelog's entries are anchors on one page: each its own item
        url = f"{url}#{fragment}"
    # Titles are read as HTML whatever the feed claims: a "plain" title holding <script> must not survive either.
    title = plain_text(str(entry.get("title") or "")[:MAX_TITLE_SOURCE])
    raw_summary = _text_value(entry.get("summary_detail"), entry.get("summary"))
    raw_content = _content(entry)
    truncated = len(raw_summary) > max_chars or len(raw_content) > max_chars
    summary_html = _bounded(sanitize_html(raw_summary[:max_chars], url or feed_url), max_chars)
    content_html = _bounded(sanitize_html(raw_content[:max_chars], url or feed_url), max_chars)
    del raw_summary, raw_content
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
        language=(languages or _Languages(None, None)).of(entry),
    )
    return ReadEntry(item, date_fixed=fixed, truncated=truncated)


def _bounded(html: str, max_chars: int) -> str:
    """Sanitized HTML within ``max_chars``: closing a cut document's open tags can double it (nested markup), and
    then only its text is kept, as one escaped paragraph."""
    if len(html) <= max_chars:
        return html
    room = max_chars - len("<p></p>")
    text = html_to_text(html, sanitized=True)[:room]
    while len(escape(text)) > room:  # entities make the escaped text longer than the text
        text = text[: len(text) * 9 // 10]
    return f"<p>{escape(text)}</p>" if text else ""


class _Languages:
    """An entry's language: its own xml:lang, else the feed's <language>/xml:lang, else Content-Language."""

    def __init__(self, feed_language: Any, header_language: str | None) -> None:
        self.feed = primary_language(feed_language)
        self.header = primary_language(header_language)

    def of(self, entry: Any) -> str | None:
        contents = entry.get("content") or [{}]
        for detail in (contents[0], entry.get("summary_detail"), entry.get("title_detail")):
            language = primary_language(detail.get("language")) if detail else None
            # feedparser hands the Content-Language header down to every entry; the feed's own tag says more
            if language and not (language == self.header and self.feed):
                return language
        return self.feed or self.header


def primary_language(tag: Any) -> str | None:
    """The primary subtag of a language tag, lowercase ("en-US" -> "en", "DE_de" -> "de"); None if not one."""
    if not tag or not isinstance(tag, str):
        return None
    primary = re.split(r"[-_\s,;]", tag.strip(), maxsplit=1)[0].lower()
    return primary if _LANGUAGE.fullmatch(primary) else None


def _is_anchor(fragment: str) -> bool:
    """Whether a link's #fragment names a part of the page (a release, a section), not page chrome or tracking."""
    lowered = fragment.lower()
    return bool(fragment) and len(fragment) <= 200 and "=" not in fragment and not lowered.startswith(":~:") and (
        not _CHROME_ANCHOR.fullmatch(lowered)
    )


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
