"""Ranking: a score made of named terms, each visible to editors in ``Story.score_terms``.

Terms (each multiplied by its weight in ``config.curate.weights``):

- ``outlets``: log2(1 + independent outlets): the second outlet counts more than the tenth;
- ``source_weight``: the highest ``weight`` among the outlets (config ``sources[].weight``);
- ``recency``: 0..1, where the latest report falls in the show's window (1 = at the window's end);
- ``boost``: the sum of the ``curate.boosts`` rules whose keywords the story matches;
- ``novelty``: 1 for a new story, the share of new reports for a follow-up, 0 for a repeat.

Ties are broken by the earliest report, then the story id, so the order is a pure function of the input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

from pipeline.config import CurateSettings
from pipeline.curate.text import keyword_pattern, matched_keywords
from pipeline.models import Story


def story_text(story: Story) -> str:
    """What keyword rules look at: every source's title and excerpt."""
    return "\n".join(f"{source.title}\n{source.excerpt}" for source in story.sources)


def score_terms(
    story: Story,
    settings: CurateSettings,
    *,
    weights_by_outlet: Mapping[str, float],
    window: tuple[datetime, datetime],
    novelty: float,
) -> dict[str, float]:
    """The weighted ranking terms of one story."""
    w = settings.weights
    start, end = window
    latest = max(source.published for source in story.sources)
    span = max((end - start).total_seconds(), 1.0)
    freshness = min(1.0, max(0.0, (latest - start).total_seconds() / span))
    text = story_text(story)
    boost = sum(rule.weight for rule in settings.boosts if matched_keywords(keyword_pattern(rule.keywords), text))
    outlets = story.outlets
    return {
        "outlets": round(w.outlets * math.log2(1 + len(outlets)), 4),
        "source_weight": round(w.source_weight * max((weights_by_outlet.get(o, 1.0) for o in outlets), default=1.0), 4),
        "recency": round(w.recency * freshness, 4),
        "boost": round(w.boost * boost, 4),
        "novelty": round(w.novelty * novelty, 4),
    }


def rank(stories: Sequence[Story]) -> list[Story]:
    """Stories by score, highest first; ties by earliest report, then id."""
    return sorted(stories, key=lambda story: (-story.score, story.published, story.id))
