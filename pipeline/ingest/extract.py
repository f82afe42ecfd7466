"""Article text for items whose feed gives only a teaser (``full_text: true``) or only a headline (``auto``).

trafilatura is used when installed (``pip install briefcast[fulltext]``); otherwise a small readability pass over
lxml: drop chrome (scripts, navigation, headers, footers, forms), prefer <article> or <main>, else the block whose
paragraphs hold the most text. Pages are fetched with the same `Fetcher` as feeds, so the same limits apply.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from pipeline.ingest.clean import html_to_text, sanitize_html
from pipeline.models import Item

TEASER_CHARS = 600  # shorter item text than this counts as a teaser worth completing (full_text: true)
THIN_CHARS = 200  # a headline, or less text than this, is a thin item (full_text: auto completes only these)
MIN_ARTICLE_CHARS = 200  # an extraction shorter than this is not better than the teaser
_CHROME = (
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button",
    "template", "object", "embed",
)  # fmt: skip
_CHROME_HINT = re.compile(r"(?i)comment|share|social|related|promo|sidebar|newsletter|subscribe|cookie|advert|menu")


def is_teaser(text: str) -> bool:
    """Whether an item's text is short enough that the article is worth fetching."""
    return len(text) < TEASER_CHARS


def is_thin(item: Item) -> bool:
    """Whether an item says no more than its headline, or under `THIN_CHARS` characters."""
    text = item.text.strip()
    return len(text) < THIN_CHARS or text.casefold() == item.title.strip().casefold()


def extract_article(body: bytes, url: str) -> tuple[str, str] | None:
    """(sanitized HTML, plain text) of the article in an HTML page, or None when none was found."""
    if not body.strip():
        return None
    html = _with_trafilatura(body, url)
    if html is None:
        html = _with_lxml(body)
    if not html:
        return None
    clean = sanitize_html(html, url)
    text = html_to_text(clean)
    if len(text) < MIN_ARTICLE_CHARS:
        return None
    return clean, text


def _with_trafilatura(body: bytes, url: str) -> str | None:
    try:
        import trafilatura  # optional: imported only when installed
    except ImportError:
        return None
    result = trafilatura.extract(body, url=url, output_format="html", include_comments=False, favor_precision=True)
    return result or ""


def _with_lxml(body: bytes) -> str:
    try:
        parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)
        root = lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    for element in list(root.iter(*_CHROME)):
        _drop(element)
    for element in list(root.iter("div", "section", "ul")):
        label = f"{element.get('class', '')} {element.get('id', '')}"
        if _CHROME_HINT.search(label) and _text_len(element) < 2000:
            _drop(element)
    candidates = root.xpath("//article") or root.xpath("//main") or root.xpath("//*[@role='main']")
    node = max(candidates, key=_text_len) if candidates else _densest(root)
    if node is None:
        return ""
    return lxml.html.tostring(node, encoding="unicode")


def _drop(element: lxml.html.HtmlElement) -> None:
    if element.getparent() is not None:
        element.drop_tree()  # keeps the tail text, which belongs to the parent


def _text_len(element: etree._Element) -> int:
    return len(" ".join(element.itertext()).split())


def _densest(root: etree._Element) -> etree._Element | None:
    """The element whose direct <p> children hold the most words (classic readability scoring, simplified)."""
    best, best_score = None, 0
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is None:
            continue
        score = sum(_text_len(child) for child in parent if child.tag == "p")
        if score > best_score:
            best, best_score = parent, score
    return best
