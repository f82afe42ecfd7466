"""The safe Markdown subset: URLs, parsing and the three renderers."""

from __future__ import annotations

import pytest

from pipeline.publish.markup import md_escape, parse, plain, safe_url, to_html, to_markdown, to_text

URLS = {1: "https://a.example/1", 2: "https://b.example/2?x=1&y=2"}


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
        "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&amp;#106;avascript:alert(1)",
        "java&#x09;script:alert(1)", "jav&#x0A;ascript:alert(1)", "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x", "/relative", "http:///nohost", "",
        None, "mailto:x@example.com", "ftp://example.com/",
    ],
)
def test_unsafe_urls_are_refused(url) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
        ("HTTP://Example.com/", "HTTP://Example.com/"),
        ("https://example.com/a&amp;b", "https://example.com/a&b"),
        ("&#x68;ttps://example.com/", "https://example.com/"),
        ('https://example.com/a b"<>()', "https://example.com/a%20b%22%3C%3E%28%29"),
        ("https://example.com/caf\u00e9", "https://example.com/caf%C3%A9"),
    ],
)
def test_safe_urls_are_normalised(url: str, expected: str) -> None:
    assert safe_url(url) == expected


def test_blocks_and_inlines() -> None:
    blocks = parse("First **bold** and *it* and snake_case_name [1].\n\n- a [2]\n- b\n  wrapped\n\n"
                   "### Sub\n\n1. one\n2. two")
    assert [b.kind for b in blocks] == ["paragraph", "list", "heading", "list"]
    assert len(blocks[1].items) == 2
    html = to_html(blocks, URLS.get)
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "snake_case_name" in html
    assert '<a href="https://a.example/1" title="Source 1">1</a>' in html
    assert "<li" in html and "b wrapped" in html


def test_citations_without_a_source_stay_plain() -> None:
    html = to_html(parse("Claim [7]."), URLS.get)
    assert "[7]" in html and "<a" not in html
    assert to_markdown(parse("Claim [7]."), URLS.get) == "Claim \\[7\\]."


def test_everything_else_is_escaped() -> None:
    source = ('<script>alert(1)</script> <a href="javascript:x">y</a> & [ok](https://ok.example/) '
              "[no](javascript:alert(1))")
    html = to_html(parse(source), URLS.get)
    assert "<script" not in html and "<a href=\"javascript" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert '<a href="https://ok.example/">ok</a>' in html and ">no<" not in html
    md = to_markdown(parse(source), URLS.get)
    assert "\\<script\\>" in md and "[ok](https://ok.example/)" in md and "javascript" not in md.split("no")[-1]
    assert "(javascript" not in md


def test_markdown_escape_defuses_markup_in_titles() -> None:
    assert md_escape("[click](javascript:x) *bold* <b>") == "\\[click\\](javascript:x) \\*bold\\* \\<b\\>"
    assert md_escape("# not a heading") == "\\# not a heading"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("- nor this") == "\\- nor this"


def test_text_rendering_and_plain() -> None:
    text = to_text(parse("A [docs](https://d.example/) link [1, 2].\n\n- item"), width=40)
    assert "A docs <https://d.example/> link [1, 2]." in text and "  * item" in text
    assert plain("**Bold** claim [1].\n\n- one\n- two") == "Bold claim [1]. one two"


def test_control_characters_are_dropped() -> None:
    html = to_html(parse("bell\x07 null\x00 esc\x1b ok"))
    assert html == '<p style="margin:0 0 14px 0;">bell null esc ok</p>'
