"""Stories -> segments: rules by segment kind, topic keywords and source kinds; a pure function.

Segments are filled in this order, whatever their place in the running order: ``deep_dive`` (the biggest
story), ``debate``, ``research``, ``policy``, ``headlines``, ``quick_hits`` (segments of one kind in config
order). Each takes, in rank order, stories that fit it and are not placed yet, up to ``max_stories``:

- a segment with ``topics`` takes stories matching them: a keyword in a title counts 2, only in an excerpt 1,
  and a story needs ``TOPIC_MIN`` (so one passing mention in one outlet's text is not enough);
- a segment with ``source_kinds`` takes stories where at least half the reports come from those kinds;
- ``cold_open`` and ``sign_off`` take no stories.

A segment that ends with fewer than ``min_stories`` is left out (not padded) and its stories go back to the
pool for the segments after it. Editor overrides come first: ``story -> segment id`` puts it there (even past
``max_stories``), ``drop`` keeps it out, ``pin`` places it first wherever it fits (or in the first general
segment), and may bring back a story an earlier episode covered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.config import SegmentSpec
from pipeline.curate.text import keyword_pattern, matched_keywords
from pipeline.kinds import FRAMING, KINDS
from pipeline.models import Story

TOPIC_MIN = 2
KIND_ORDER = {name: k.fill_order for name, k in KINDS.items() if not k.framing}
GENERAL_KINDS = tuple(sorted((name for name, k in KINDS.items() if k.general), key=lambda n: -KIND_ORDER[n]))
NO_STORIES = tuple(sorted(FRAMING))


@dataclass
class Assignment:
    segments: dict[str, list[str]]  # only segments with material, in running order
    notes: list[str] = field(default_factory=list)

    def segment_of(self) -> dict[str, str]:
        return {story_id: segment for segment, ids in self.segments.items() for story_id in ids}


def topic_strength(story: Story, keywords: Sequence[str]) -> int:
    """2 per keyword found in a title, 1 per keyword found only in an excerpt."""
    pattern = keyword_pattern(keywords)
    in_titles = matched_keywords(pattern, "\n".join([story.title] + [s.title for s in story.sources]))
    in_text = matched_keywords(pattern, "\n".join(s.excerpt for s in story.sources)) - in_titles
    return 2 * len(in_titles) + len(in_text)


def _capacity(spec: SegmentSpec) -> int:
    """max_stories; 0 means no limit, except that a deep dive is one story."""
    if spec.max_stories:
        return spec.max_stories
    return 1 if spec.kind == "deep_dive" else 1_000_000


def fits(story: Story, spec: SegmentSpec, kinds: Sequence[str]) -> bool:
    """Whether a story may go in a segment by the segment's rules (not counting room)."""
    if spec.kind in NO_STORIES:
        return False
    if spec.source_kinds:
        share = sum(kind in spec.source_kinds for kind in kinds) / max(len(kinds), 1)
        if share < 0.5:
            return False
    if spec.topics and topic_strength(story, spec.topics) < TOPIC_MIN:
        return False
    return True


def assign(
    ranked: Sequence[Story],
    specs: Sequence[SegmentSpec],
    *,
    source_kinds: Mapping[str, Sequence[str]],
    held_back: set[str] = frozenset(),  # type: ignore[assignment]
    overrides: Mapping[str, str] | None = None,
) -> Assignment:
    """Place ranked stories into segments. ``source_kinds``: story id -> kind of each report; ``held_back``:
    story ids not to place unless an editor says so (repeats of earlier episodes)."""
    overrides = dict(overrides or {})
    notes: list[str] = []
    by_id = {story.id: story for story in ranked}
    spec_by_id = {spec.id: spec for spec in specs}
    for story_id, action in sorted(overrides.items()):
        if story_id not in by_id:
            notes.append(f"override for story {story_id!r} ignored: no such story today")
        elif action not in ("drop", "pin") and action not in spec_by_id:
            notes.append(f"override {story_id!r} -> {action!r} ignored: no segment {action!r} in config.yaml")
        elif action in spec_by_id and spec_by_id[action].kind in NO_STORIES:
            notes.append(f"override {story_id!r} -> {action!r} ignored: a {spec_by_id[action].kind} takes no stories")
    forced: dict[str, list[str]] = {spec.id: [] for spec in specs}
    placed: set[str] = set()
    for story in ranked:
        target = overrides.get(story.id)
        if target in forced and spec_by_id[target].kind not in NO_STORIES:
            forced[target].append(story.id)
            placed.add(story.id)
    pinned = [s.id for s in ranked if overrides.get(s.id) == "pin"]
    dropped = {sid for sid, action in overrides.items() if action == "drop"}
    pool = pinned + [s.id for s in ranked if s.id not in pinned]
    pool = [sid for sid in pool if sid not in dropped and sid not in placed and (sid not in held_back or sid in pinned)]

    chosen: dict[str, list[str]] = {}
    order = sorted(
        (spec for spec in specs if spec.kind not in NO_STORIES), key=lambda spec: KIND_ORDER.get(spec.kind, 9)
    )
    for spec in order:
        picked = list(forced[spec.id])
        room = max(_capacity(spec) - len(picked), 0)
        for story_id in pool:
            if room <= 0:
                break
            if story_id not in placed and fits(by_id[story_id], spec, source_kinds.get(story_id, ())):
                picked.append(story_id)
                placed.add(story_id)
                room -= 1
        if len(picked) < spec.min_stories and not forced[spec.id]:
            if picked:
                notes.append(
                    f"segment {spec.id!r} left out: {len(picked)} fitting stories, it needs {spec.min_stories}"
                )
            else:
                notes.append(f"segment {spec.id!r} left out: no fitting stories today")
            placed.difference_update(picked)
            continue
        if picked:
            chosen[spec.id] = picked

    for story_id in pinned:  # a pinned story that fit nowhere goes to the first general segment, past its max
        if story_id in placed:
            continue
        general = next((spec for spec in order if spec.kind in GENERAL_KINDS and spec.id in chosen), None)
        general = general or next((spec for spec in order if spec.kind in GENERAL_KINDS), None)
        if general is None:
            notes.append(f"pinned story {story_id!r} has no segment to go to")
            continue
        chosen.setdefault(general.id, []).insert(0, story_id)
        placed.add(story_id)
        notes.append(f"pinned story {story_id!r} placed in {general.id!r}: it fit no segment's rules")

    running = [spec.id for spec in specs if spec.id in chosen]
    return Assignment(segments={segment: chosen[segment] for segment in running}, notes=notes)
