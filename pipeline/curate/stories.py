"""From clustered items to `Story` objects: a stable id, a representative title, every source."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from pipeline.models import Item, Story, StorySource

EXCERPT_CHARS = 400
_SPACE = re.compile(r"\s+")
# A bare version tag ("v0.9.0") or a very short title says little on its own: prefer an outlet's headline.
MIN_TITLE_WORDS = 4
CENTRAL_SHARE = 0.75


def story_id(items: Sequence[Item]) -> str:
    """Stable across re-runs: derived from the earliest item (ties broken by item id)."""
    earliest = min(items, key=lambda item: (item.published, item.id))
    return "s" + hashlib.sha1(earliest.id.encode("utf-8")).hexdigest()[:11]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of plain text, cut at a word boundary."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "\u2026"


def representative(items: Sequence[Item], centrality: Sequence[float]) -> Item:
    """The item whose title stands for the story: among the central reports (at least ``CENTRAL_SHARE`` of the
    most central one's similarity to the rest) with a real headline, the one from the highest-weight outlet,
    then the earliest. A roundup's "Quick hits: ..." is seldom central; a version tag is not a headline."""
    top = max(centrality, default=0.0)
    pairs = list(zip(items, centrality, strict=False))
    candidates = [
        item for item, central in pairs if central >= CENTRAL_SHARE * top and len(item.title.split()) >= MIN_TITLE_WORDS
    ] or [item for item, _ in pairs if len(item.title.split()) >= MIN_TITLE_WORDS] or list(items)
    return min(candidates, key=lambda item: (-item.source_weight, item.published, item.id))


def build_story(items: Sequence[Item], centrality: Sequence[float]) -> Story:
    """One story from a cluster's items (any order)."""
    ordered = sorted(zip(items, centrality, strict=False), key=lambda pair: (pair[0].published, pair[0].id))
    members = [item for item, _ in ordered]
    title_item = representative(members, [c for _, c in ordered])
    sources = [
        StorySource(
            item_id=item.id,
            outlet=item.source,
            title=item.title,
            url=item.url,
            published=item.published,
            excerpt=excerpt(item.text),
        )
        for item in members
    ]
    return Story(id=story_id(members), title=title_item.title, published=members[0].published, sources=sources)
