"""Curate: the day's items -> stories (same event, many outlets) -> ranked -> placed in the show's segments.

    items_between(window) -> mutes -> language (language.py) -> cluster (cluster.py) -> Story (stories.py) ->
    same-window updates merged (updates.py) -> memory across days (memory.py) -> score terms and rank (rank.py)
    -> segments (assign.py, at most curate.max_per_outlet one-outlet stories each) -> rundown.json;
    ``record_coverage`` (once the episode is drafted) -> coverage, the next days' memory

``curate`` is the stage's one public entry point; the CLI and the daily run call it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from datetime import date as Date
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from pipeline.config import Config, Mutes
from pipeline.curate.assign import assign
from pipeline.curate.cluster import cluster_docs
from pipeline.curate.language import split_by_language
from pipeline.curate.memory import Recall, coverage_text, recall
from pipeline.curate.rank import rank, score_terms, story_text
from pipeline.curate.stories import build_story
from pipeline.curate.text import features, keyword_pattern, matched_keywords
from pipeline.curate.updates import link_updates
from pipeline.errors import BriefcastError
from pipeline.files import load_rundown, rundown_path, save_rundown
from pipeline.models import Item, Rundown, Story
from pipeline.store import Store

__all__ = ["curate", "record_coverage", "window", "cluster_items", "apply_mutes"]


def window(config: Config, day: Date) -> tuple[datetime, datetime]:
    """The show's window for ``day`` in UTC: from ``ingest.window_hours`` before the day starts (in the show's
    time zone) to the day's end."""
    zone = ZoneInfo(config.show.timezone)
    start_of_day = datetime.combine(day, time.min, tzinfo=zone)
    end_of_day = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    start = start_of_day - timedelta(hours=config.ingest.window_hours)
    return start.astimezone(UTC), end_of_day.astimezone(UTC)


def apply_mutes(items: Sequence[Item], mutes: Mutes) -> tuple[list[Item], list[Item]]:
    """(kept, muted): an item is muted when its source is muted or a muted keyword is in its title or text."""
    sources = {name.casefold() for name in mutes.sources}
    pattern = keyword_pattern(mutes.keywords, forms=False)
    kept: list[Item] = []
    muted: list[Item] = []
    for item in items:
        hit = item.source.casefold() in sources or bool(matched_keywords(pattern, f"{item.title}\n{item.text}"))
        (muted if hit else kept).append(item)
    return kept, muted


def cluster_items(items: Sequence[Item], threshold: float) -> list[Story]:
    """Group items reporting the same event into stories (unranked, in order of their earliest item)."""
    ordered = sorted(items, key=lambda item: (item.published, item.id))
    clustering = cluster_docs(
        [features(item.title, item.text) for item in ordered],
        threshold,
        outlets=[item.source for item in ordered],
        hours=[item.published.timestamp() / 3600 for item in ordered],
    )
    return [
        build_story([ordered[i] for i in group], [clustering.centrality[i] for i in group])
        for group in clustering.groups
    ]


def curate(config: Config, store: Store, day: Date, *, overrides: dict[str, str] | None = None) -> Rundown:
    """Cluster the day's items into stories, rank them, place them in segments; save and return the rundown."""
    if overrides is None:
        overrides = _saved_overrides(config, day)
    start, end = window(config, day)
    items, muted = apply_mutes(store.items_between(start, end), config.curate.mutes)
    notes = [f"{len(muted)} items muted by curate.mutes"] if muted else []
    items, foreign = _by_language(config, items, notes)
    if not items:
        notes.append(
            f"no items published between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC"
            + (" once mutes were applied" if muted else "")
            + "; run 'briefcast ingest' for this date or check that the feeds in config.yaml have recent entries"
        )
        rundown = Rundown(date=day, stories=[], segments={}, overrides=overrides, item_count=0, notes=notes)
        save_rundown(config.episodes_dir, rundown)
        return rundown

    settings = config.curate
    stories = cluster_items(items, settings.similarity_threshold)
    stories, update_notes = link_updates(stories)
    notes.extend(update_notes)
    by_item = {item.id: item for item in items}
    since = (day - timedelta(days=settings.memory_days)).isoformat()
    memory = recall(stories, by_item, store.coverage_before(day.isoformat(), since), settings.similarity_threshold)
    stories = _score(config, stories, memory, by_item, (start, end))
    ranked = rank(stories)
    ranked = _with_topics(config, _trim(ranked, settings.max_stories, overrides, notes))
    ranked = _with_languages(ranked, foreign)
    kinds = {story.id: [_kind_of(config, by_item[s.item_id]) for s in story.sources] for story in ranked}
    held_back = {story.id for story in ranked if memory[story.id].status == "repeat"}
    assignment = assign(
        ranked,
        config.segments,
        source_kinds=kinds,
        held_back=held_back,
        overrides=overrides,
        max_per_outlet=settings.max_per_outlet,
    )
    segment_of = assignment.segment_of()
    final = [
        story.model_copy(update={"segment": segment_of.get(story.id), "pinned": overrides.get(story.id) == "pin"})
        for story in ranked
    ]
    repeats = [story for story in final if story.id in held_back and story.segment is None]
    if repeats:
        notes.append(
            f"{len(repeats)} stories held back as already covered: "
            + "; ".join(f"{story.title!r} ({memory[story.id].earlier})" for story in repeats[:5])
            + (" ..." if len(repeats) > 5 else "")
        )
    notes.extend(assignment.notes)
    rundown = Rundown(
        date=day,
        stories=final,
        segments=assignment.segments,
        overrides=overrides,
        item_count=len(items),
        notes=notes,
    )
    save_rundown(config.episodes_dir, rundown)
    return rundown


def record_coverage(config: Config, store: Store, day: Date) -> int:
    """Remember what ``day``'s episode covers (the stories its rundown placed), for memory across days.

    Called when the episode is drafted, never by `curate` itself: a curate-only preview of a date must not hold
    stories back on a later one. Returns how many stories were recorded.
    """
    rundown = load_rundown(config.episodes_dir, day)
    placed = [story for story in (rundown.stories if rundown else []) if story.segment is not None]
    store.record_coverage(
        day.isoformat(),
        [
            (story.id, story.title, [source.item_id for source in story.sources], coverage_text(story))
            for story in placed
        ],
    )
    return len(placed)


def _saved_overrides(config: Config, day: Date) -> dict[str, str]:
    """The editor's overrides from an earlier rundown of this day, so a re-run keeps them."""
    try:
        previous = load_rundown(config.episodes_dir, day)
    except (ValidationError, ValueError) as exc:
        raise BriefcastError(
            "the saved rundown cannot be read, so the editor's overrides in it would be lost",
            subject=str(rundown_path(config.episodes_dir, day)),
            hint="fix the file's JSON or delete it (its overrides go with it), then re-run curate",
        ) from exc
    return dict(previous.overrides) if previous else {}


def _by_language(config: Config, items: list[Item], notes: list[str]) -> tuple[list[Item], dict[str, str]]:
    """Items not in the show's language: left out with a note (``drop``), or kept (``translate``); returns the
    items to curate and, when kept, item id -> language of the foreign ones."""
    kept, other = split_by_language(items, config.show.language)
    if not other:
        return items, {}
    counts = ", ".join(f"{lang}: {len(group)}" for lang, group in sorted(other.items()))
    examples = "; ".join(repr(item.title) for group in other.values() for item in group[:2])
    if config.curate.other_languages == "drop":
        notes.append(
            f"{sum(map(len, other.values()))} items not in the show's language ({config.show.language}) left out "
            f"({counts}: {examples}); set curate.other_languages: translate to keep them for translation"
        )
        return kept, {}
    notes.append(f"items in other languages kept for translation ({counts}): {examples}")
    return items, {item.id: lang for lang, group in other.items() for item in group}


def _with_languages(stories: Sequence[Story], foreign: Mapping[str, str]) -> list[Story]:
    """Mark stories with reports in another language (kept to translate), so the writer translates and says so."""
    if not foreign:
        return list(stories)
    result = []
    for story in stories:
        languages = sorted({foreign[s.item_id] for s in story.sources if s.item_id in foreign})
        result.append(story.model_copy(update={"language": languages[0]}) if languages else story)
    return result


def _kind_of(config: Config, item: Item) -> str:
    for source in config.sources:
        if source.name == item.source:
            return source.kind
    return item.source_kind


def _score(
    config: Config,
    stories: Sequence[Story],
    memory: Mapping[str, Recall],
    by_item: Mapping[str, Item],
    span: tuple[datetime, datetime],
) -> list[Story]:
    settings = config.curate
    weights: dict[str, float] = defaultdict(lambda: 1.0)
    for item in by_item.values():
        weights[item.source] = item.source_weight
    for source in config.sources:  # today's config wins over what ingest stamped on the item
        weights[source.name] = source.weight
    scored = []
    for story in stories:
        remembered = memory[story.id]
        terms = score_terms(story, settings, weights_by_outlet=weights, window=span, novelty=remembered.novelty)
        scored.append(
            story.model_copy(
                update={
                    "score": round(sum(terms.values()), 4),
                    "score_terms": terms,
                    "follow_up_of": remembered.earlier if remembered.status == "follow_up" else None,
                }
            )
        )
    return scored


def _with_topics(config: Config, stories: Sequence[Story]) -> list[Story]:
    """Each story's matched keywords from the segments' topics and the boost rules (for editors and drafting)."""
    topic_lists = [spec.topics for spec in config.segments if spec.topics]
    topic_lists += [rule.keywords for rule in config.curate.boosts]
    patterns = [keyword_pattern(keywords) for keywords in topic_lists]
    result = []
    for story in stories:
        text = story_text(story)
        topics = sorted({k for pattern in patterns for k in matched_keywords(pattern, text)})
        result.append(story.model_copy(update={"topics": topics}))
    return result


def _trim(ranked: list[Story], limit: int, overrides: Mapping[str, str], notes: list[str]) -> list[Story]:
    """Keep the top ``limit`` stories, plus any an editor named in an override."""
    if len(ranked) <= limit:
        return ranked

    kept = [story for n, story in enumerate(ranked) if n < limit or story.id in overrides]
    notes.append(f"{len(ranked) - len(kept)} lower-ranked stories left out (curate.max_stories = {limit})")
    return kept
