"""A tiny, safe Markdown dialect for segment text, rendered three ways: HTML, Markdown and plain text.

Segment text comes from a language model that read hostile feeds, so nothing in it is trusted. Rather than
render arbitrary Markdown and sanitize afterwards, we parse the small subset a newsletter needs (paragraphs,
``- `` bullet lists, ``### `` subheadings, ``**bold**``, ``*italic*``, ```code```, ``[text](http...)`` links and
``[n]`` citations) into a tree, and every renderer escapes all text it emits. Anything else is shown literally.
Links survive only with an http or https scheme, after entity decoding (``&#106;avascript:`` is refused).
"""

from __future__ import annotations

import html
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from pipeline.models import CITATION, citation_numbers

# -- URLs ---------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters kept as-is when normalising a URL; everything else (spaces, quotes, brackets, parentheses,
# backslashes, non-ASCII) is percent-encoded, so a URL can sit inside Markdown's (...) or an attribute.
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"


def safe_url(url: str | None) -> str | None:
    """``url`` normalised if it is an absolute http(s) URL with a host, else None.

    Entities are decoded first (repeatedly, as a browser might after several layers of escaping) and control
    characters and whitespace removed, so ``java&#x09;script:`` and ``&#106;avascript:`` are both refused.
    """
    if not url:
        return None
    text = url
    for _ in range(3):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _CONTROL.sub("", text.strip())
    if not text.lower().startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(text, safe=_URL_SAFE)


def clean_text(text: str | None) -> str:
    """Text without control characters (XML 1.0 refuses most of them) and with Unicode normalised."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in "\t\n" or not unicodedata.category(ch).startswith("C") or ch == "\u200d")


# -- the tree -----------------------------------------------------------------------------------------------


@dataclass
class Inline:
    kind: str  # text | strong | em | code | link | cite
    text: str = ""
    children: list[Inline] = field(default_factory=list)
    url: str | None = None
    numbers: list[int] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # paragraph | heading | list
    inlines: list[Inline] = field(default_factory=list)
    items: list[list[Inline]] = field(default_factory=list)


_INLINE = re.compile(
    r"(?P<link>\[(?P<ltext>[^\[\]\n]+)\]\((?P<lurl>[^()\s]+(?:\([^()\s]*\)[^()\s]*)*)\))"
    r"|(?P<cite>" + CITATION.pattern.replace("(", "(?P<nums>", 1) + ")"  # the one citation syntax, its group named
    r"|(?P<strong>\*\*(?=\S)(?P<stext>.+?)(?<=\S)\*\*)"
    r"|(?P<em>(?<![\w*])\*(?=[^\s*])(?P<etext>[^*]+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)(?P<utext>[^_]+?)(?<=\S)_(?!\w))"
    r"|(?P<code>`(?P<ctext>[^`\n]+)`)"
)
_BULLET = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


def parse_inlines(text: str) -> list[Inline]:
    """Inline markup to a list of nodes; unmatched markup stays text."""
    nodes: list[Inline] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            nodes.append(Inline("text", text[pos : match.start()]))
        if match.group("link"):
            url = safe_url(match.group("lurl"))
            nodes.append(Inline("link", children=parse_inlines(match.group("ltext")), url=url))
        elif match.group("cite"):
            numbers = citation_numbers(match.group("nums"))
            nodes.append(Inline("cite", numbers=numbers))
        elif match.group("strong"):
            nodes.append(Inline("strong", children=parse_inlines(match.group("stext"))))
        elif match.group("em"):
            nodes.append(Inline("em", children=parse_inlines(match.group("etext") or match.group("utext"))))
        else:
            nodes.append(Inline("code", match.group("ctext")))
        pos = match.end()
    if pos < len(text):
        nodes.append(Inline("text", text[pos:]))
    return nodes


def parse(text: str) -> list[Block]:
    """Segment Markdown to blocks: paragraphs, ``#`` headings, bullet (or numbered) lists."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", clean_text(text).replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if _BULLET.match(lines[0]):
            items: list[str] = []
            for line in lines:
                if _BULLET.match(line):
                    items.append(_BULLET.sub("", line, count=1))
                else:  # a wrapped line continues the item above
                    items[-1] += " " + line.strip()
            blocks.append(Block("list", items=[parse_inlines(item.strip()) for item in items]))
        elif _HEADING.match(lines[0]) and len(lines) == 1:
            blocks.append(Block("heading", inlines=parse_inlines(_HEADING.sub("", lines[0]).rstrip("# ").strip())))
        else:
            blocks.append(Block("paragraph", inlines=parse_inlines(" ".join(line.strip() for line in lines))))
    return blocks


# -- renderers ----------------------------------------------------------------------------------------------

_CODE_STYLE = "font-family:Menlo,Consolas,monospace;font-size:90%;"

CiteURL = Callable[[int], str | None]
"""Maps a citation number to its source's (already safe) URL, or None when the segment has no such source."""


def _no_sources(n: int) -> str | None:
    return None


def to_html(blocks: Iterable[Block], cite: CiteURL = _no_sources, *, link_style: str = "") -> Markup:
    """Email-safe HTML with inline styles only; every text node escaped."""
    style = f' style="{html.escape(link_style)}"' if link_style else ""
    p_style = ' style="margin:0 0 14px 0;"'
    out: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            out.append(f"<p{p_style}>{_html_inlines(block.inlines, cite, style)}</p>")
        elif block.kind == "heading":
            inner = _html_inlines(block.inlines, cite, style)
            out.append(f'<p style="margin:0 0 10px 0;font-weight:bold;">{inner}</p>')
        else:
            items = "".join(
                f'<li style="margin:0 0 8px 0;">{_html_inlines(item, cite, style)}</li>' for item in block.items
            )
            out.append(f'<ul style="margin:0 0 14px 0;padding:0 0 0 22px;">{items}</ul>')
    return Markup("\n".join(out))


def _html_inlines(nodes: list[Inline], cite: CiteURL, style: str) -> str:
    parts: list[str] = []
    for node in nodes:
        if node.kind == "text":
            parts.append(html.escape(node.text))
        elif node.kind == "code":
            parts.append(f'<code style="{_CODE_STYLE}">{html.escape(node.text)}</code>')
        elif node.kind == "strong":
            parts.append(f"<strong>{_html_inlines(node.children, cite, style)}</strong>")
        elif node.kind == "em":
            parts.append(f"<em>{_html_inlines(node.children, cite, style)}</em>")
        elif node.kind == "link":
            inner = _html_inlines(node.children, cite, style)
            parts.append(f'<a href="{html.escape(node.url)}"{style}>{inner}</a>' if node.url else inner)
        else:
            parts.append(_html_cite(node.numbers, cite, style))
    return "".join(parts)


def _html_cite(numbers: list[int], cite: CiteURL, style: str) -> str:
    links = []
    for n in numbers:
        url = cite(n)
        if url:
            links.append(f'<a href="{html.escape(url)}"{style} title="Source {n}">{n}</a>')
        else:
            links.append(str(n))
    return f'<sup style="font-size:75%;line-height:0;">[{", ".join(links)}]</sup>'


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_LINE_START = re.compile(r"^(\s*)(?:(#|[-+]\s)|(\d+)([.)]\s))")


def md_escape(text: str) -> str:
    """Plain text made inert in Markdown: no emphasis, links, raw HTML, headings or lists sneak in."""
    escaped = _MD_SPECIAL.sub(r"\\\1", clean_text(text).replace("\n", " "))
    # At the start of a line "#", "- " and "1. " would make a heading or a list: escape their punctuation.
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), escaped)


def to_markdown(blocks: Iterable[Block], cite: CiteURL = _no_sources) -> str:
    """Normalised Markdown: citations become ``[[n]](url)``; unsafe links lose their URL."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            out.append(_md_inlines(block.inlines, cite))
        elif block.kind == "heading":
            out.append("#### " + _md_inlines(block.inlines, cite))
        else:
            out.append("\n".join("- " + _md_inlines(item, cite) for item in block.items))
    return "\n\n".join(out)


def _md_inlines(nodes: list[Inline], cite: CiteURL) -> str:
    parts: list[str] = []
    for node in nodes:
        if node.kind == "text":
            parts.append(md_escape(node.text))
        elif node.kind == "code":
            parts.append("`" + node.text.replace("`", "'") + "`")
        elif node.kind == "strong":
            parts.append(f"**{_md_inlines(node.children, cite)}**")
        elif node.kind == "em":
            parts.append(f"*{_md_inlines(node.children, cite)}*")
        elif node.kind == "link":
            inner = _md_inlines(node.children, cite)
            parts.append(f"[{inner}]({node.url})" if node.url else inner)
        else:
            refs = []
            for n in node.numbers:
                url = cite(n)
                refs.append(f"[[{n}]]({url})" if url else f"\\[{n}\\]")
            parts.append("".join(refs))
    return "".join(parts)


def to_text(blocks: Iterable[Block], *, width: int = 72) -> str:
    """Plain text wrapped at ``width``; citations stay ``[n]`` (the references are listed after the segment)."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            out.append(textwrap.fill(_text_inlines(block.inlines), width=width, break_on_hyphens=False,
                                     break_long_words=False))
        elif block.kind == "heading":
            out.append(_text_inlines(block.inlines).upper())
        else:
            out.append(
                "\n".join(
                    textwrap.fill(_text_inlines(item), width=width, initial_indent="  * ", subsequent_indent="    ",
                                  break_on_hyphens=False, break_long_words=False)
                    for item in block.items
                )
            )
    return "\n\n".join(out)


def _text_inlines(nodes: list[Inline]) -> str:
    parts: list[str] = []
    for node in nodes:
        if node.kind in ("text", "code"):
            parts.append(node.text)
        elif node.kind == "link":
            inner = _text_inlines(node.children)
            parts.append(f"{inner} <{node.url}>" if node.url else inner)
        elif node.kind == "cite":
            parts.append("[" + ", ".join(str(n) for n in node.numbers) + "]")
        else:
            parts.append(_text_inlines(node.children))
    return "".join(parts)


def count_links(blocks: Iterable[Block], cite: CiteURL) -> int:
    """How many links a rendering carries: safe inline links plus citations that resolve to a URL."""
    total = 0

    def walk(nodes: list[Inline]) -> None:
        nonlocal total
        for node in nodes:
            if node.kind == "link" and node.url:
                total += 1
            elif node.kind == "cite":
                total += sum(1 for n in node.numbers if cite(n))
            walk(node.children)

    for block in blocks:
        walk(block.inlines)
        for item in block.items:
            walk(item)
    return total


def plain(text: str) -> str:
    """Segment Markdown as one line of plain text (for descriptions and feed summaries)."""
    return " ".join(_text_inlines(block.inlines) if block.kind != "list" else
                    " ".join(_text_inlines(item) for item in block.items) for block in parse(text))
