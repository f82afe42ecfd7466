"""Parsing and cleaning: the golden fixture, XSS, entity declarations, ids and URLs (no network)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from pipeline.config import Source
from pipeline.errors import ParseError
from pipeline.ingest.clean import canonical_url, html_to_text, item_id, plain_text, safe_url, sanitize_html
from pipeline.ingest.parse import parse_feed, reject_entities

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FETCHED = datetime(2026, 3, 10, 12, tzinfo=UTC)
FEED_URL = "https://news.example.com/feed.rss"
SOURCE = Source(name="Example News", url=FEED_URL, kind="press", weight=1.5)


def parse(name: str, content_type: str = "application/rss+xml; charset=utf-8"):
    body = (FEEDS / name).read_bytes()
    return parse_feed(body, source=SOURCE, feed_url=FEED_URL, headers={"content-type": content_type}, fetched=FETCHED)


FIXTURE_FEEDS = sorted(path.name for path in FEEDS.iterdir() if not path.name.endswith(".expected.json"))


def _parse_as_expected(name: str, expected: dict) -> dict:  # type: ignore[type-arg]
    """What parsing ``name`` gives, in the expected file's shape (its keys; a refused feed as its error)."""
    try:
        parsed = parse(name, expected.get("content_type", "application/rss+xml; charset=utf-8"))
    except ParseError as exc:
        got = {"error": {"type": type(exc).__name__, "kind": exc.kind, "message": str(exc)}}
    else:
        got = {
            "feed_title": parsed.title,
            "warning": parsed.warning,
            "notes": parsed.notes,
            "entries": parsed.entries,
            "dates_fixed": parsed.dates_fixed,
            "duplicates": parsed.duplicates,
            "items": [item.model_dump(mode="json", exclude={"first_seen"}) for item in parsed.items],
        }
    if "content_type" in expected:
        got["content_type"] = expected["content_type"]
    return {key: got.get(key, "<missing>") for key in {*expected, *(k for k in got if k != "notes")}}


@pytest.mark.parametrize("name", FIXTURE_FEEDS)
def test_fixture_feed_parses_as_its_expected_file(name: str) -> None:
    """Every fixture feed carries its expected parse beside it (``full.rss`` + ``full.rss.expected.json``)."""
    path = FEEDS / f"{name}.expected.json"
    assert path.exists(), f"{name} has no expected file: write {path.name} (the parse it must give)"
    expected = json.loads(path.read_text())
    assert _parse_as_expected(name, expected) == expected


def test_golden_rules_hold_independently_of_the_expected_file() -> None:
    items = {item.title: item for item in parse("full.rss").items}
    first = items["Kestrel releases Lumen-70B under Apache-2.0"]
    # tracking parameters and fragment gone, host lowercased; id = sha1 of the canonical URL
    assert first.url == "https://news.example.com/2026/03/lumen-70b?id=7"
    assert first.id == hashlib.sha1(b"url\x1fhttps://news.example.com/2026/03/lumen-70b?id=7").hexdigest()[:16]
    assert first.published == datetime(2026, 3, 10, 7, 30, tzinfo=UTC)  # +0200 converted to UTC
    assert "<script" not in first.content_html and "track()" not in first.content_text
    assert "style=" not in first.content_html and "<img" not in first.summary_html
    assert 'href="https://news.example.com/docs/lumen"' in first.summary_html  # relative link made absolute
    assert "(repost)" not in " ".join(items)  # same article once tracking is stripped: a duplicate
    assert items["A link that runs code"].url is None
    assert items["From the future"].published == FETCHED  # clamped
    assert items["Tom & Jerry's bold move"].published == FETCHED  # missing date
    controls = next(title for title in items if title.startswith("Bad date"))
    assert "\u202e" not in controls and items[controls].published == FETCHED
    assert items[controls].authors == ["News Desk"]
    assert items[controls].summary_html == "<p>Escaped HTML <em>works</em> too.</p>"


def _executable_bits(html: str) -> list[str]:
    """Anything in ``html`` that a browser could run or that loads something."""
    found = []
    if not html:
        return found
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "style", "iframe", "object", "embed", "svg", "math", "form", "img", "meta", "base"):
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.startswith("on") or name in ("style", "src", "action", "formaction", "srcdoc"):
                found.append(f"{element.tag}@{name}")
            if name == "href" and not value.startswith(("https://", "http://")):
                found.append(f"href={value}")
        if element.tag == "a" and "href" in element.attrib:
            assert "noopener" in element.get("rel", "")
    return found


def test_xss_fixture_leaves_nothing_executable() -> None:
    parsed = parse("xss.rss")
    assert len(parsed.items) == 2
    for item in parsed.items:
        for field in ("summary_html", "content_html"):
            assert _executable_bits(getattr(item, field)) == [], (item.title, field)
        for value in (item.title, item.summary_text, item.content_text, item.url or "", *item.authors, *item.tags):
            lowered = value.lower()
            assert "javascript" not in lowered and "alert(" not in lowered and "<script" not in lowered, value
        everything = item.model_dump_json().lower()
        assert "javascript:" not in everything and "onerror" not in everything and "vbscript" not in everything
    assert parsed.items[0].url is None
    assert parsed.items[0].title == "Plain title"
    assert parsed.title == "XSS"
    # the safe link survives, with its text
    assert 'href="https://ok.example.com/"' in parsed.items[0].summary_html


@pytest.mark.parametrize(
    "encode",
    [lambda text: text.encode("utf-8"), lambda text: text.encode("utf-16"), lambda text: text.encode("utf-16-le")],
    ids=["utf-8", "utf-16-bom", "utf-16-le"],
)
def test_entity_declarations_are_refused_in_any_encoding(encode) -> None:
    text = (FEEDS / "entity-bomb.xml").read_text()
    with pytest.raises(ParseError, match="declares XML entities"):
        reject_entities(encode(text), FEED_URL)


def test_entity_bomb_is_refused_before_parsing() -> None:
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(ParseError):
        parse("entity-bomb.xml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MiB: the bomb was expanded before it was refused"


def test_entities_in_body_text_are_not_a_doctype() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>' \
        b"<description><![CDATA[Write <!ENTITY a 'b'> in a DTD]]></description></item></channel></rss>"
    reject_entities(body, FEED_URL)  # after the first element: not a declaration, not refused


def test_wrong_charset_header_beats_the_lying_declaration() -> None:
    good = parse("wrong-charset.xml", "application/rss+xml; charset=windows-1251").items[0]
    assert good.title == "Новая модель Lumen-70B"
    assert good.summary_text == "Открытые веса «Apache-2.0»"


def test_missing_charset_falls_back_with_a_note() -> None:
    parsed = parse("no-charset.xml", "application/xml")
    assert parsed.items[0].title == "Café – crème"
    assert parsed.warning is None and any("windows-1252" in note for note in parsed.notes)


def test_malformed_feed_keeps_what_parsed_and_warns() -> None:
    parsed = parse("malformed.xml")
    assert [item.title for item in parsed.items] == ["First of two", "Second & last"]
    assert parsed.warning and "malformed" in parsed.warning


def test_control_characters_are_stripped() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>c\x01</title>'
        b"<item><title>Bell\x07 and esc\x1b[31m red</title><link>https://c.example.com/1</link>"
        b"<description>nul\x00 byte \x1f here</description></item></channel></rss>"
    )
    parsed = parse_feed(body, source=SOURCE, feed_url=FEED_URL, headers={}, fetched=FETCHED)
    item = parsed.items[0]
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", item.title + item.summary_text + item.summary_html)
    assert item.title.startswith("Bell")


def test_atom_feed() -> None:
    parsed = parse("atom.xml", "application/atom+xml")
    first, second = parsed.items
    assert first.url == "https://atom.example.org/blog/posts/forge-090"
    assert first.title == "Forge v0.9.0 released"
    assert first.authors == ["R. Menon", "J. Ortiz"] and first.tags == ["release"]
    assert first.published == datetime(2026, 3, 10, 11, 45, tzinfo=UTC)
    assert 'href="https://atom.example.org/blog/docs/spec"' in first.content_html
    assert first.summary_text == "Speculative decoding <1.8x> throughput."
    assert second.url is None
    assert second.id == item_id(None, FEED_URL, "tag:atom.example.org,2026:2", "No link entry")


@pytest.mark.parametrize(
    ("body", "match"),
    [(b"", "empty document"), (b"  \n", "empty document"), (b"<html><body><p>Hi</p></body></html>", "not an RSS")],
)
def test_not_a_feed(body: bytes, match: str) -> None:
    with pytest.raises(ParseError, match=match):
        parse_feed(body, source=SOURCE, feed_url=FEED_URL, headers={"content-type": "text/html"}, fetched=FETCHED)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM:443/a?utm_source=x&id=3&fbclid=1&gclid=2&ref=hn#top", "https://example.com/a?id=3"),
        ("http://example.com:8080/a/?mc_cid=1&b=2&a=1", "http://example.com:8080/a/?b=2&a=1"),
        ("https://example.com", "https://example.com/"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("file:///etc/passwd", None),
        ("mailto:a@b.c", None),
        ("", None),
    ],
)
def test_canonical_url(url: str, canonical: str | None) -> None:
    assert canonical_url(url) == canonical


def test_same_article_same_id_whatever_the_campaign() -> None:
    a = item_id("https://x.example/p?utm_campaign=a", "https://feed-a.example/", "g1", "t")
    b = item_id("https://X.example/p?fbclid=zz#c", "https://feed-b.example/", "g2", "t2")
    assert a == b and re.fullmatch(r"[0-9a-f]{16}", a)
    assert item_id(None, FEED_URL, "g1", "t") != item_id(None, FEED_URL, "g2", "t")


def test_sanitize_and_text_helpers() -> None:
    html = sanitize_html('<p onclick="x()">a <a href="/r">b</a></p><script>bad()</script>', "https://s.example/x/")
    assert html == '<p>a <a href="https://s.example/r" rel="noopener noreferrer nofollow">b</a></p>'
    assert html_to_text("<p>One &amp; two</p><p>three<br>four</p>") == "One & two\n\nthree\nfour"
    assert plain_text("Tom &amp; <b>Jerry</b>\x07") == "Tom & Jerry"
    assert safe_url(" java\tscript:alert(1)") is None
    assert safe_url("//cdn.example.com/a", "https://s.example/") == "https://cdn.example.com/a"
