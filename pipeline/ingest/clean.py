"""Turning hostile feed text into safe values: sanitized HTML, plain text, canonical URLs and stable ids.

Everything a feed says is data from a stranger. HTML goes through nh3 (ammonia) with a strict allowlist and
http/https links only; plain text is unescaped and loses control characters; URLs lose tracking parameters so the
same article reached through two campaigns is one item.
"""

from __future__ import annotations

import hashlib
import html
import re
from contextvars import ContextVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import nh3

# A strict allowlist: structure and emphasis, links, code. No images (tracking pixels), no styles, no forms.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan"}, "th": {"colspan"}}
URL_SCHEMES = {"http", "https"}
LINK_REL = "noopener noreferrer nofollow"

# C0 controls but tab/newline/CR, DEL, C1 controls, and the bidi overrides that make text lie about its order.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|pre|tr|dt|dd|table|ul|ol|section|article)>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

# Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid", "twclid",
    "ref", "ref_src", "ref_url", "referrer", "cmpid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "spm", "si", "s_cid", "wt.mc_id", "at_medium", "at_campaign",
}  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "itm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NEEDS_PARSE = re.compile(r"[\s\\]")  # whitespace or backslashes: let urlsplit normalise them


def strip_controls(text: str) -> str:
    """Remove control and bidi-override characters (they break terminals, XML and readers' trust)."""
    return _CONTROL.sub("", text)


_BASE_URL: ContextVar[str | None] = ContextVar("briefcast_sanitize_base", default=None)
_TAG = re.compile(r"<[^>]*>")


def _keep_url(element: str, attribute: str, value: str) -> str | None:
    if attribute != "href":
        return value
    return safe_url(value, _BASE_URL.get())


# Built once: nh3 converts its options on every nh3.clean() call, which costs more than the cleaning itself.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_url,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), strip_comments=True)


def sanitize_html(fragment: str, base_url: str | None = None) -> str:
    """Sanitize feed HTML for storing and showing: allowlisted tags, http/https links made absolute, rel=noopener."""
    if not fragment:
        return ""
    token = _BASE_URL.set(base_url)
    try:
        return _CLEANER.clean(strip_controls(fragment)).strip()
    finally:
        _BASE_URL.reset(token)


def html_to_text(fragment: str, *, sanitized: bool = False) -> str:
    """Plain text from HTML: paragraphs kept, tags and entities gone.

    ``sanitized=True`` is for output of `sanitize_html` (well-formed, no script or style left), where stripping tags
    is a regex; anything else goes through nh3 first, which also drops script and style bodies.
    """
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(strip_controls(fragment))
    marked = _BLOCK_END.sub(
        lambda match: match.group(0) + ("\n" if match.group(0)[1:3].lower() == "br" else "\n\n"), fragment
    )
    if sanitized:  # sanitize_html already removed control characters; entities cannot reintroduce C0 ones
        return _tidy(html.unescape(_TAG.sub("", marked)))
    return _tidy(strip_controls(html.unescape(_TEXT_ONLY.clean(marked))))


def plain_text(value: str | None, *, is_html: bool = True) -> str:
    """One line of plain text (titles, names): tags stripped, entities unescaped, whitespace collapsed."""
    if not value:
        return ""
    text = html_to_text(value) if is_html else strip_controls(html.unescape(value))
    return " ".join(text.split())


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def safe_url(value: str | None, base_url: str | None = None) -> str | None:
    """An absolute http/https URL, or None for anything else (javascript:, data:, file:, mailto: ...)."""
    if not value:
        return None
    value = strip_controls(value).strip()
    if not value:
        return None
    if value.startswith(("https://", "http://")) and not _NEEDS_PARSE.search(value):
        return value  # already absolute and plain: the common case, no parsing needed
    try:
        absolute = urljoin(base_url, value) if base_url else value
        parts = urlsplit(absolute)  # also drops tabs and newlines hidden inside "java\tscript:"
    except ValueError:
        return None
    if parts.scheme.lower() not in URL_SCHEMES or not parts.hostname:
        return None
    return urlunsplit(parts)


def canonical_url(value: str | None) -> str | None:
    """The URL an item is known by: http/https, lowercase host, no default port, no fragment, no tracking."""
    url = safe_url(value)
    if url is None:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    query = [
        (key, val)
        for key, val in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def short_hash(*parts: str) -> str:
    """A short stable hex id from strings (sha1, first 16 hex digits)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def item_id(url: str | None, feed_url: str, guid: str | None, title: str, *, is_canonical: bool = False) -> str:
    """Stable across fetches: the canonical article URL, else the feed URL plus the entry's guid (or title).

    ``is_canonical=True`` says ``url`` already went through `canonical_url`.
    """
    canonical = url if is_canonical else canonical_url(url)
    if canonical:
        return short_hash("url", canonical)
    return short_hash("guid", canonical_url(feed_url) or feed_url, guid or f"title:{title}")
