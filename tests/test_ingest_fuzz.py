"""Fuzz-style: a few hundred odd and hostile feed documents, generated here from a fixed seed, each through the real
parse path (the entity guard, feedparser in a worker process under its memory and time limits, the sanitizer).

Every document must end as items or as one recorded ``parse`` failure: no crash, no hang, no other error, nothing
executable or secret in what is kept, and every document that declares entities refused.
"""

from __future__ import annotations

import asyncio
import random
import re
from datetime import UTC, datetime

from pipeline.config import IngestSettings, Source
from pipeline.errors import ParseError
from pipeline.ingest.parse import ParsedFeed
from pipeline.ingest.workers import ParsePool

SEED = 20261201
FETCHED = datetime(2026, 3, 10, 12, tzinfo=UTC)
SOURCE = Source(name="Fuzz", url="https://fuzz.example/feed")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Fuzz &amp; co</title>
<link>https://fuzz.example/</link><language>en-us</language>
<item><title>First &lt;b&gt;bold&lt;/b&gt; story</title><link>https://fuzz.example/a?utm_source=x#top</link>
<guid>a1</guid><pubDate>Mon, 09 Mar 2026 07:00:00 GMT</pubDate><dc:creator>Ana</dc:creator>
<description><![CDATA[<p>Body with <a href="/rel">a link</a> and <script>alert(1)</script></p>]]></description></item>
<item><title>Second</title><link>https://fuzz.example/b</link><description>Plain &amp; simple.</description>
<category>ai</category><pubDate>Tue, 10 Mar 2026 07:00:00 +0200</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Atom fuzz</title><id>tag:fuzz</id>
<updated>2026-03-10T00:00:00Z</updated>
<entry><title type="html">&lt;i&gt;Hello&lt;/i&gt;</title><id>tag:1</id><link href="https://fuzz.example/c"/>
<updated>2026-03-10T01:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
<p onclick="x()">Content <img src="x" onerror="y()"/></p></div></content></entry></feed>"""

RDF = """<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://fuzz.example/"><title>RDF</title></channel>
<item rdf:about="https://fuzz.example/d"><title>RDF item</title><link>https://fuzz.example/d</link></item></rdf:RDF>"""

BASES = [RSS, ATOM, RDF]
XML_TYPES = ["application/rss+xml", "application/atom+xml", "text/xml", "application/xml", "text/html", ""]
CHARSETS = ["utf-8", "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-7", "cp037", "latin-1",
            "windows-1251", "shift_jis", "bogus-charset", ""]  # fmt: skip

# Entity tricks: every one declares entities and must be refused, whatever hides it.
ENTITY_TRICKS = [
    '<!DOCTYPE rss [<!ENTITY a "{lol}">]>',
    '<!DOCTYPE rss [<!ENTITY % p "<!ENTITY a \'{lol}\'>"> %p;]>',
    '<!DOCTYPE rss SYSTEM "x>y" [<!ENTITY a "{lol}">]>',
    '<!DOCTYPE rss [<!ENTITY a SYSTEM "file:///etc/passwd">]>',
    '<!-- {pad} --><!DOCTYPE rss [<!ENTITY a "{lol}">]>',
    '<?pi {pad}?><!DOCTYPE rss [<!ENTITY a "{lol}">]>',
    '<!doctype rss [<!entity a "{lol}">]>',
    '<!DOCTYPE rss>\n<!ENTITY a "{lol}">',
    '<!-- <!ENTITY a "{lol}"> --><!DOCTYPE rss>',
]


def _entity_doc(rng: random.Random, trick: str) -> str:
    prolog = trick.format(lol="lol" * rng.randint(10, 2000), pad="x" * rng.choice([10, 5000, 200_000]))
    refs = "&a;" * rng.randint(1, 3000)
    return (f'<?xml version="1.0"?>\n{prolog}\n<rss version="2.0"><channel><title>t</title>'
            f"<item><title>x & y</title><description>{refs}</description></item></channel></rss>")  # fmt: skip


def _encode(rng: random.Random, text: str) -> tuple[bytes, str]:
    charset = rng.choice(CHARSETS)
    try:
        body = text.encode(charset or "utf-8", errors="replace")
    except LookupError:
        body = text.encode("utf-8")
    if rng.random() < 0.3 and charset.startswith("utf-16"):
        body = b"\n\x00" + body  # a leading newline before the declaration
    content_type = rng.choice(XML_TYPES)
    header_charset = rng.choice([charset, charset, rng.choice(CHARSETS)])  # sometimes the header lies
    if content_type and header_charset:
        content_type += f"; charset={header_charset}"
    return body, content_type


def _mutate(rng: random.Random, body: bytes) -> bytes:
    kind = rng.randrange(6)
    if kind == 0 and body:  # truncated anywhere
        return body[: rng.randrange(len(body))]
    if kind == 1 and body:  # bytes flipped
        data = bytearray(body)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == 2:  # random bytes spliced in
        at = rng.randrange(len(body) + 1)
        return body[:at] + rng.randbytes(rng.randint(1, 200)) + body[at:]
    if kind == 3:  # a BOM that lies
        return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"]) + body
    if kind == 4 and body:  # duplicated halves
        at = rng.randrange(len(body))
        return body[:at] + body[:at] + body[at:]
    return body


def _odd_markup(rng: random.Random) -> str:
    depth = rng.choice([100, 5000, 50_000])
    choices = [
        "<b>" * depth + "deep" + "</b>" * (depth // 2),  # nested, unclosed
        "<div>" * depth,
        f'<a href="{"j" * rng.choice([1000, 1_000_000])}avascript:alert(1)" title="{"t" * 100_000}">x</a>',
        "&#0;&#xD800;&#x110000;&#65535;&#x1F600;&#xFFFE;" * 50,
        "<![CDATA[" + "]]>" * 100 + "<script>x</script>",
        "\u202e\u0000\u0007evil\u2066" * 100,
        "<p " + " ".join(f'a{n}="v"' for n in range(5000)) + ">many attributes</p>",
        '<a href="java&#x09;script:alert(1)">tab</a><a href="&#106;avascript:alert(2)">ref</a>',
    ]
    return rng.choice(choices)


def _wrap(markup: str, where: str) -> str:
    if where == "description":
        return RSS.replace("Plain &amp; simple.", markup.replace("&", "&amp;").replace("<", "&lt;"))
    if where == "cdata":
        return RSS.replace("<![CDATA[<p>Body", "<![CDATA[" + markup.replace("]]>", "]]]]><![CDATA[>") + "<p>Body")
    return RSS.replace("<title>Second</title>", f"<title>{markup}</title>")  # raw, often malformed


def documents() -> list[tuple[str, bytes, str]]:
    """(label, body, content type) for every generated document; the same ones on every run."""
    rng = random.Random(SEED)
    docs: list[tuple[str, bytes, str]] = []
    for n in range(120):
        body, content_type = _encode(rng, rng.choice(BASES))
        docs.append((f"mutated-{n}", _mutate(rng, body), content_type))
    for n in range(60):
        body, content_type = _encode(rng, _wrap(_odd_markup(rng), rng.choice(["description", "cdata", "raw"])))
        docs.append((f"markup-{n}", body, content_type))
    for n, trick in enumerate(ENTITY_TRICKS * 6):
        body, content_type = _encode(rng, _entity_doc(rng, trick))
        if b"ENTITY" in trick.encode() or rng.random() < 0.5:
            docs.append((f"entities-{n}", body, content_type))
    for n in range(40):
        docs.append((f"random-{n}", rng.randbytes(rng.choice([0, 1, 7, 100, 5000, 200_000])), rng.choice(XML_TYPES)))
    docs.append(("html-page", b"<!doctype html><html><body><p>Not a feed</p></body></html>", "text/html"))
    docs.append(("only-bom", b"\xef\xbb\xbf", "application/xml"))
    docs.append(("huge-line", (RSS.replace("Plain &amp; simple.", "x" * 3_000_000)).encode(), "application/rss+xml"))
    return docs


def test_hostile_documents_become_items_or_one_recorded_failure() -> None:
    docs = documents()
    assert len(docs) > 250
    settings = IngestSettings(deadline=10.0, parse_memory_mb=512, max_item_chars=20_000)

    async def run() -> list[ParsedFeed | ParseError]:
        async with ParsePool(settings) as pool:

            async def one(body: bytes, content_type: str) -> ParsedFeed | ParseError:
                headers = {"content-type": content_type} if content_type else {}
                try:
                    return await pool.parse(body, source=SOURCE, feed_url=SOURCE.url, headers=headers, fetched=FETCHED)
                except ParseError as exc:  # the one expected failure; anything else fails the test
                    return exc

            return await asyncio.gather(*(one(body, content_type) for _, body, content_type in docs))

    outcomes = asyncio.run(run())
    parsed = refused = 0
    for (label, _, _), outcome in zip(docs, outcomes, strict=True):
        if isinstance(outcome, ParseError):
            refused += 1
            assert outcome.message and outcome.hint, label  # a cause and a fix, always
            assert not outcome.message.startswith("unexpected"), f"{label}: a parser bug: {outcome.message}"
            continue
        parsed += 1
        assert not label.startswith("entities-"), f"{label}: entity declarations got through"
        for item in outcome.items:
            kept = item.model_dump_json().lower()
            assert "root:x:0:0" not in kept, label  # no external entity was read
            assert not re.search(r"<script|onerror=|onclick=|javascript:", item.summary_html + item.content_html), label
            assert (item.url or "https://").startswith(("https://", "http://")), label
            assert len(item.summary_text) <= 20_000 and len(item.content_text) <= 20_000, label
    assert parsed > 50 and refused > 50  # both paths exercised
