"""Memory across days: is a story new, a repeat of an earlier episode's, or a follow-up with new facts?

An earlier episode's story is recognised by shared items (the show's window is longer than a day, so
yesterday's reports come round again) or, failing that, by text similarity with what the episode recorded
(``store.coverage``). A recognised story counts as a real new development only when its new reports bring
facts the earlier coverage did not have: at least ``NEW_FACTS`` names or numbers (``$0.48``, ``HCL-1.1``,
``4,800``) absent from it. Otherwise it is a repeat and stays out of the segments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pipeline.curate.cluster import vectorize
from pipeline.curate.text import features
from pipeline.models import Item, Story

NEW_FACTS = 3
# Text-only matches (no shared reports): at FOLLOW_UP_SIMILARITY a story with new facts is linked as a
# follow-up; only a near-copy (REPEAT_SIMILARITY) without new facts is held back as a repeat. Calibrated on
# the sample days: follow-ups there score 0.30-0.52, unrelated stories about the same company up to 0.39.
FOLLOW_UP_SIMILARITY = 0.30
REPEAT_SIMILARITY = 0.60
COVERAGE_TEXT_CHARS = 4000

Status = Literal["new", "repeat", "follow_up"]


@dataclass(frozen=True)
class Recall:
    status: Status
    earlier: str | None = None  # "<episode date>/<story id>"
    new_facts: tuple[str, ...] = ()
    new_share: float = 1.0  # share of the story's reports that no earlier episode covered

    @property
    def novelty(self) -> float:
        return {"new": 1.0, "follow_up": max(0.5, self.new_share), "repeat": 0.0}[self.status]


def coverage_text(story: Story) -> str:
    """What an episode records about a story it covered: titles and excerpts, for tomorrow's comparison."""
    lines = [story.title] + [f"{source.title}. {source.excerpt}" for source in story.sources]
    return "\n".join(lines)[:COVERAGE_TEXT_CHARS]


def _names(title: str, text: str) -> Counter[str]:
    return features(title, text, limit=None)[1]


def recall(
    stories: Sequence[Story],
    items: Mapping[str, Item],
    coverage: Sequence[Mapping[str, Any]],
    threshold: float,
) -> dict[str, Recall]:
    """For each story id: new, repeat or follow-up of an earlier episode's story."""
    if not coverage:
        return {story.id: Recall("new") for story in stories}
    covered_by_item: dict[str, str] = {}
    for row in coverage:  # oldest first: a later episode's claim wins
        for item_id in row["item_ids"]:
            covered_by_item[item_id] = f"{row['episode_date']}/{row['story_id']}"
    key_of_row = [f"{row['episode_date']}/{row['story_id']}" for row in coverage]
    docs = [features(story.title, _story_body(story), limit=None) for story in stories]
    docs += [features(row["title"], row["text"], limit=None) for row in coverage]
    vectors = vectorize(docs)
    story_rows, coverage_rows = vectors.rows[: len(stories)], vectors.rows[len(stories) :]
    index = _index(coverage_rows)
    floor = max(threshold, FOLLOW_UP_SIMILARITY)
    result: dict[str, Recall] = {}
    for story, vector in zip(stories, story_rows, strict=False):
        earlier, similarity = _by_items(story, covered_by_item), 1.0
        if earlier is None:
            earlier, similarity = _by_text(vector, index, key_of_row)
        if earlier is None or similarity < floor:
            result[story.id] = Recall("new")
            continue
        fresh = [source for source in story.sources if source.item_id not in covered_by_item]
        share = len(fresh) / len(story.sources)
        if not fresh:
            result[story.id] = Recall("repeat", earlier, new_share=0.0)
            continue
        known = Counter[str]()
        for position, key in enumerate(key_of_row):
            if key == earlier:
                known.update(_names(coverage[position]["title"], coverage[position]["text"]))
        for source in story.sources:
            if source.item_id in covered_by_item:
                item = items.get(source.item_id)
                known.update(_names(source.title, item.text if item else source.excerpt))
        found: Counter[str] = Counter()
        for source in fresh:
            item = items.get(source.item_id)
            found.update(_names(source.title, item.text if item else source.excerpt))
        facts = tuple(sorted(name for name in found if name not in known))
        status: Status = "follow_up" if len(facts) >= NEW_FACTS else "repeat"
        if status == "repeat" and similarity < REPEAT_SIMILARITY:  # related, but not the same event: keep it
            result[story.id] = Recall("new")
            continue
        result[story.id] = Recall(status, earlier, facts, share)
    return result


def _story_body(story: Story) -> str:
    return "\n".join(f"{source.title}. {source.excerpt}" for source in story.sources)


def _by_items(story: Story, covered_by_item: Mapping[str, str]) -> str | None:
    hits = Counter(covered_by_item[s.item_id] for s in story.sources if s.item_id in covered_by_item)
    if not hits:
        return None
    return sorted(hits.items(), key=lambda pair: (-pair[1], pair[0]))[0][0]


def _by_text(
    row: dict[int, float], index: Mapping[int, list[tuple[int, float]]], keys: Sequence[str]
) -> tuple[str | None, float]:
    """The earlier story most similar to ``row`` (through an inverted index over coverage rows) and how similar."""
    scores: dict[int, float] = {}
    for token, weight in row.items():
        for position, other in index.get(token, ()):
            scores[position] = scores.get(position, 0.0) + weight * other
    if not scores:
        return None, 0.0
    position, best = min(scores.items(), key=lambda pair: (-pair[1], keys[pair[0]]))
    return keys[position], best


def _index(rows: Sequence[dict[int, float]]) -> dict[int, list[tuple[int, float]]]:
    index: dict[int, list[tuple[int, float]]] = {}
    for position, row in enumerate(rows):
        for token, weight in row.items():
            index.setdefault(token, []).append((position, weight))
    return index
