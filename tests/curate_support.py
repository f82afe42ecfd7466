"""Sample-day Items for curate's tests and benchmark, read straight from samples/feeds/*.xml.

Uses ingest's own ``parse_feed`` when it is there (the same Items the daily run makes); otherwise a plain
feedparser reading (id = sha1(link)[:16], text from summary/content with tags stripped).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import SAMPLES_DIR, Config, Source, load_config
from pipeline.errors import ParseError
from pipeline.models import Item
from pipeline.store import Store

FEEDS_DIR = SAMPLES_DIR / "feeds"
LABELS = SAMPLES_DIR / "labels.json"
DAY1, DAY2 = date(2026, 3, 9), date(2026, 3, 10)
FETCHED = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
SAMPLE_HOST = "http://127.0.0.1:8000"


def sample_sources() -> list[dict[str, Any]]:
    """The sample show's sources (samples/sources.yaml) that are plain files in samples/feeds/."""
    data = yaml.safe_load((SAMPLES_DIR / "sources.yaml").read_text(encoding="utf-8"))
    return [s for s in data["sources"] if s["url"].startswith("/feeds/") and (SAMPLES_DIR / s["url"][1:]).exists()]


def labels() -> dict[str, Any]:
    return json.loads(LABELS.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _sample_items() -> tuple[Item, ...]:
    items: list[Item] = []
    for raw in sample_sources():
        source = Source.model_validate(raw)
        body = (SAMPLES_DIR / raw["url"][1:]).read_bytes()
        items.extend(_parse(body, source, SAMPLE_HOST + raw["url"]))
    return tuple(items)


def sample_items() -> list[Item]:
    """Every item of the sample feeds (both days)."""
    return list(_sample_items())


def _parse(body: bytes, source: Source, feed_url: str) -> list[Item]:
    try:
        from pipeline.ingest.parse import parse_feed
    except ImportError:
        return _parse_plain(body, source, feed_url)
    try:
        return parse_feed(body, source=source, feed_url=feed_url, headers={}, fetched=FETCHED).items
    except ParseError:
        return []


_TAG = re.compile(r"<[^>]+>")


def _parse_plain(body: bytes, source: Source, feed_url: str) -> list[Item]:
    import feedparser

    parsed = feedparser.parse(body)
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or entry.get("id") or entry.get("title", "")
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*when[:6], tzinfo=UTC) if when else FETCHED
        content = " ".join(c.get("value", "") for c in entry.get("content", []))
        text = unescape(_TAG.sub(" ", content or entry.get("summary", ""))).strip()
        items.append(
            Item(
                id=hashlib.sha1(link.encode()).hexdigest()[:16],
                source=source.name,
                feed_url=feed_url,
                url=entry.get("link"),
                title=entry.get("title", "(untitled)"),
                published=published,
                fetched=FETCHED,
                content_text=text,
                source_kind=source.kind,
                source_weight=source.weight,
            )
        )
    return items


def gold_of(items: list[Item]) -> dict[str, str]:
    """item id -> labelled event id, for the items whose link is labelled."""
    entries = labels()["entries"]
    return {item.id: entries[item.url] for item in items if item.url in entries}


def sample_config(folder: Path, **sections: Any) -> Config:
    """The reference show with the sample sources, in ``folder``."""
    from tests.conftest import write_show

    return load_config(write_show(folder, sources=sample_sources(), **sections))


def load_store(store: Store, until: datetime | None = None) -> int:
    """Upsert the sample items (those published before ``until``, as ingest on that day would have seen)."""
    items = [item for item in sample_items() if until is None or item.published < until]
    return store.upsert_items(items)
