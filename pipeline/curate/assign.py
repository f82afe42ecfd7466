"""Stories -> segments: rules by segment kind, topic keywords and source kinds; a pure function.

Segments are filled in this order, whatever their place in the running order: ``deep_dive`` (the biggest
story), ``debate``, ``research``, ``policy``, ``headlines``, ``quick_hits`` (segments of one kind in config
order). Each takes, in rank order, stories that fit it and are not placed yet, up to ``max_stories``:

- a segment with ``topics`` takes stories matching them (in any word form, see ``text.keyword_pattern``): a
  keyword in the story's title or in half its reports' titles counts 2, one found only elsewhere 1, and a story
  needs ``TOPIC_MIN`` (so one passing mention in one outlet's headline or text is not enough);
- a segment with ``source_kinds`` takes stories where at least half the reports come from those kinds; a kind
  marked ``papers`` in the kinds table (research) also takes stories where half the reports read as papers
  (``text.reads_as_paper``: "paper", "arXiv", "preprint", "study finds", a venue, a /papers/ link, or three of
  "benchmark", "dataset", "researchers" ...), since labs and the press publish and report papers too;
- ``cold_open`` and ``sign_off`` take no stories.

A segment that ends with fewer than ``min_stories`` is left out (not padded) and its stories go back to the
pool for the segments after it. Editor overrides come first: ``story -> segment id`` puts it there (even past
``max_stories``), ``drop`` keeps it out, ``pin`` places it first wherever it fits (or in the first general
segment), and may bring back a story an earlier episode covered.

A debate argues both sides: when the stories it took by rank all take one side (``side_of``, in their own words),
its last place goes to the best-ranked fitting story that takes the other, if the day has one.

One outlet cannot fill the show: at most ``max_per_outlet`` placed stories may be ones that outlet alone reports
(stories several outlets report are not counted, nor listings of many authors' work: ``LISTING_KINDS``; editors'
overrides and pins go past the cap). Every story lands in
exactly one segment and framing segments (cold open, sign-off) take none; that is checked before returning.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.config import SegmentSpec
from pipeline.curate.text import keyword_pattern, lean, matched_keywords, reads_as_paper
from pipeline.kinds import FRAMING, KINDS
from pipeline.models import Story

TOPIC_MIN = 2
KIND_ORDER = {name: k.fill_order for name, k in KINDS.items() if not k.framing}
GENERAL_KINDS = tuple(sorted((name for name, k in KINDS.items() if k.general), key=lambda n: -KIND_ORDER[n]))
NO_STORIES = tuple(sorted(FRAMING))
# Source kinds that list many authors' work (an arXiv category, a link aggregator): not one voice, so not capped.
LISTING_KINDS = frozenset({"arxiv", "aggregator"})


@dataclass
class Assignment:
    segments: dict[str, list[str]]  # only segments with material, in running order
    notes: list[str] = field(default_factory=list)

    def segment_of(self) -> dict[str, str]:
        return {story_id: segment for segment, ids in self.segments.items() for story_id in ids}


def topic_strength(story: Story, keywords: Sequence[str]) -> int:
    """2 per keyword in the story's title or in the titles of at least half its reports; 1 per keyword found
    only elsewhere (one outlet's headline among several, or an excerpt)."""
    pattern = keyword_pattern(keywords)
    per_title = Counter(k for source in story.sources for k in matched_keywords(pattern, source.title))
    headline = matched_keywords(pattern, story.title)
    strong = headline | {k for k, n in per_title.items() if 2 * n >= len(story.sources)}
    weak = (set(per_title) | matched_keywords(pattern, "\n".join(s.excerpt for s in story.sources))) - strong
    return 2 * len(strong) + len(weak)


def story_reads_as_paper(story: Story) -> bool:
    """Whether half or more of a story's reports read as a paper (or report on one), whoever published them."""
    papers = sum(reads_as_paper(f"{s.title}\n{s.excerpt}", [s.url]) for s in story.sources)
    return 2 * papers >= len(story.sources) > 0


def side_of(story: Story) -> str:
    """The debate side a story's reports take in their own words (``text.lean``): "behind", "keeping_up",
    "neither"."""
    return lean(" ".join(f"{source.title}. {source.excerpt}" for source in story.sources))


def _listing(kinds: Sequence[str]) -> bool:
    return bool(kinds) and set(kinds) <= LISTING_KINDS


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
        if share < 0.5 and not (KINDS[spec.kind].papers and story_reads_as_paper(story)):
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
    max_per_outlet: int = 0,
) -> Assignment:
    """Place ranked stories into segments. ``source_kinds``: story id -> kind of each report; ``held_back``:
    story ids not to place unless an editor says so (repeats of earlier episodes); ``max_per_outlet``: the most
    placed stories that one outlet alone reports (0: no cap)."""
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

    sole_outlet = {
        story.id: story.outlets[0]
        for story in ranked
        if len(story.outlets) == 1 and not _listing(source_kinds.get(story.id, ()))
    }
    capped: dict[str, set[str]] = {}  # outlet -> stories turned away by the cap

    def over_cap(story_id: str) -> bool:
        outlet = sole_outlet.get(story_id)
        if not max_per_outlet or outlet is None or story_id in pinned:
            return False
        if sum(sole_outlet.get(other) == outlet for other in placed) < max_per_outlet:
            return False
        capped.setdefault(outlet, set()).add(story_id)
        return True

    chosen: dict[str, list[str]] = {}
    order = sorted(
        (spec for spec in specs if spec.kind not in NO_STORIES), key=lambda spec: KIND_ORDER.get(spec.kind, 9)
    )

    def take(story_id: str, spec: SegmentSpec, picked: list[str]) -> bool:
        """Place a story in ``spec`` (appended to ``picked``) if it is free, fits and is within its outlet's cap."""
        if (
            story_id not in placed
            and fits(by_id[story_id], spec, source_kinds.get(story_id, ()))
            and not over_cap(story_id)
        ):
            picked.append(story_id)
            placed.add(story_id)
            return True
        return False

    for spec in order:
        picked = list(forced[spec.id])
        room = max(_capacity(spec) - len(picked), 0)
        # A debate keeps its last place for the side not yet heard, when the day has a story on it.
        held = 1 if KINDS[spec.kind].mode == "debate" and room > 1 else 0
        for story_id in pool:
            if room <= held:
                break
            room -= take(story_id, spec, picked)
        heard = {side_of(by_id[sid]) for sid in picked} - {"neither"}
        if held and room and len(heard) == 1:
            other = next((sid for sid in pool if sid not in placed and side_of(by_id[sid]) not in {*heard, "neither"}
                          and take(sid, spec, picked)), None)
            if other:
                room -= 1
                notes.append(f"segment {spec.id!r}: {by_id[other].title!r} takes the debate's last place, for the "
                             f"side its other stories do not argue")
        for story_id in pool:
            if room <= 0:
                break
            room -= take(story_id, spec, picked)
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

    for outlet, turned_away in sorted(capped.items()):
        left = [story.id for story in ranked if story.id in turned_away and story.id not in placed]
        if left:
            notes.append(
                f"{len(left)} more {'story' if len(left) == 1 else 'stories'} that only {outlet!r} reports left out "
                f"(curate.max_per_outlet = {max_per_outlet}): "
                + "; ".join(repr(by_id[sid].title) for sid in left[:3])
                + (" ..." if len(left) > 3 else "")
            )
    running = [spec.id for spec in specs if spec.id in chosen]
    segments = {segment: chosen[segment] for segment in running}
    _check_each_story_once(segments, spec_by_id)
    return Assignment(segments=segments, notes=notes)


def _check_each_story_once(segments: Mapping[str, list[str]], specs: Mapping[str, SegmentSpec]) -> None:
    """The rundown's promise to the writer: each story in exactly one segment, none in a framing segment."""
    seen: dict[str, str] = {}
    for segment, ids in segments.items():
        if specs[segment].kind in NO_STORIES:
            raise AssertionError(f"framing segment {segment!r} was given stories {ids}")
        for story_id in ids:
            if story_id in seen:
                raise AssertionError(f"story {story_id!r} placed in both {seen[story_id]!r} and {segment!r}")
            seen[story_id] = segment
