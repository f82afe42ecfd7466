"""The segment writer: rundown -> numbered sources -> model -> Segment (text with [n], spoken script, flags).

For each segment the model answers a deliberately simple schema (a title and a list of sentences, each with the
numbers of its sources), from which the newsletter text with ``[n]`` markers is built here; a second call turns
that text into the spoken script (prompts/script.j2), which ``speakable`` then cleans for the voice. Both
answers are cached, so a re-run with the same inputs asks nothing.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, create_model

from pipeline.config import Config, SegmentSpec
from pipeline.draft import grounding
from pipeline.draft.llm import LLMClient
from pipeline.draft.prompts import PromptSource, as_data, render, segment_messages
from pipeline.draft.script import speakable, words
from pipeline.errors import BudgetExceededError, LLMError
from pipeline.models import Flag, Rundown, Segment, SegmentVersion, SourceRef, Story
from pipeline.store import Store

log = logging.getLogger(__name__)

FRAMING = {"cold_open", "sign_off"}  # may have uncited lines that make no claim (greetings, goodbyes)
SOURCES_PER_STORY = 2
MAX_SOURCES = 10
LENGTH_LOW, LENGTH_HIGH = 0.5, 1.7


# -- what the model answers ---------------------------------------------------------------------------------------


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DraftSentence(_Answer):
    text: str = Field(min_length=1, max_length=400)
    sources: list[int] = Field(max_length=5)


class SegmentDraft(_Answer):
    title: str = Field(min_length=1, max_length=90)
    sentences: list[DraftSentence] = Field(min_length=1, max_length=40)


class ScriptDraft(_Answer):
    script: str = Field(min_length=1, max_length=4000)


@lru_cache(maxsize=64)
def script_schema(target_words: int) -> type[ScriptDraft]:
    """The script's schema sized to its target (about 10 characters a word, with room): a small model that
    repeats itself is stopped by the length bound rather than by max_tokens."""
    limit = max(300, min(4000, target_words * 10))
    return create_model(f"ScriptDraft{limit}", __base__=ScriptDraft,
                        script=(str, Field(min_length=1, max_length=limit)))


class EpisodeDraft(_Answer):
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=900)


# -- plans: what each segment is made from ---------------------------------------------------------------------------


@dataclass
class Plan:
    """One segment to draft: its spec, stories and numbered sources (prompt text and full text for checks)."""

    spec: SegmentSpec
    story_ids: list[str]
    sources: list[SourceRef]
    prompt_sources: list[PromptSource]
    texts: dict[int, str]  # n -> the source's full text, for grounding
    previous: str | None = None
    first: bool = False
    last: bool = False


def source_text(store: Store, item_id: str, fallback: str = "") -> str:
    item = store.item(item_id)
    return (item.text if item else "") or fallback


def build_plan(store: Store, spec: SegmentSpec, stories: list[Story]) -> Plan:
    """Number the stories' sources 1..n (at most two outlets a story) and fetch their text from the store."""
    refs: list[SourceRef] = []
    prompt: list[PromptSource] = []
    texts: dict[int, str] = {}
    for story in stories:
        for source in story.sources[:SOURCES_PER_STORY]:
            if len(refs) >= MAX_SOURCES:
                break
            n = len(refs) + 1
            text = source_text(store, source.item_id, source.excerpt)
            refs.append(SourceRef(n=n, story_id=story.id, item_id=source.item_id, outlet=source.outlet,
                                  title=source.title, url=source.url))
            prompt.append(PromptSource(n, source.outlet, source.title, text))
            texts[n] = f"{source.title}\n{source.outlet}\n{text}"
    return Plan(spec, [s.id for s in stories], refs, prompt, texts)


def plan_from_segment(config: Config, store: Store, segment: Segment) -> Plan:
    """A plan that reuses a drafted segment's own numbered sources (for regenerate and re-checks)."""
    try:
        spec = config.segment(segment.id)
    except KeyError:
        spec = SegmentSpec(id=segment.id, title=segment.title, kind=segment.kind,  # type: ignore[arg-type]
                           target_words=segment.target_words or 200)
    prompt, texts = [], {}
    for ref in segment.sources:
        text = source_text(store, ref.item_id)
        prompt.append(PromptSource(ref.n, ref.outlet, ref.title, text))
        texts[ref.n] = f"{ref.title}\n{ref.outlet}\n{text}"
    return Plan(spec, list(segment.story_ids), list(segment.sources), prompt, texts)


def plan_segments(config: Config, store: Store, rundown: Rundown) -> list[Plan]:
    """Plans for every configured segment with material; cold open and sign-off from the day's top stories."""
    by_id = {story.id: story for story in rundown.stories}
    top = [s for s in rundown.stories if s.segment] or list(rundown.stories)
    plans: list[Plan] = []
    for spec in config.segments:
        if spec.kind == "cold_open":
            stories = top[:3]
        elif spec.kind == "sign_off":
            stories = top[:2]
        else:
            stories = [by_id[i] for i in rundown.segments.get(spec.id, []) if i in by_id]
        if stories:
            plans.append(build_plan(store, spec, stories))
    for i, plan in enumerate(plans):
        plan.previous = plans[i - 1].spec.title if i else None
        plan.first, plan.last = i == 0, i == len(plans) - 1
    return plans


# -- drafting one segment ---------------------------------------------------------------------------------------------


def build_text(kind: str, sentences: list[DraftSentence]) -> str:
    """Newsletter Markdown from the model's sentences, each with its [n] markers before the full stop."""
    lines: list[str] = []
    for sentence in sentences:
        refs = list(dict.fromkeys(sentence.sources))
        marker = f" [{', '.join(map(str, refs))}]" if refs else ""
        flat = re.sub(r"\s+", " ", grounding.strip_citations(sentence.text)).strip()
        # Models often pack several sentences into one item: each gets the item's sources, so every claim
        # carries its citation (the grounding check reads sentence by sentence).
        for body in grounding.split_sentences(flat) if flat else []:
            match = re.match(r"(.*?)([.!?][\"”’)]*)$", body, re.DOTALL)
            lines.append(f"{match.group(1)}{marker}{match.group(2)}" if match else f"{body}{marker}.")
    if kind == "quick_hits" and len(lines) > 1:
        return "\n".join(f"- {line}" for line in lines)
    return "\n\n".join(" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3))


def _context(plan: Plan) -> dict[str, object]:
    target = plan.spec.target_words
    return {"segment": plan.spec, "target_words": target, "sentences": max(3, round(target / 20))}


@dataclass
class Drafted:
    segment: Segment
    notes: list[str] = field(default_factory=list)
    budget_spent: bool = False


def draft_segment(config: Config, llm: LLMClient, plan: Plan, *, feedback: str | None = None,
                  previous_text: str | None = None) -> Drafted:
    """Draft one segment (text, script, flags). Raises LLMError when the text cannot be drafted."""
    template = plan.spec.prompt or f"{plan.spec.kind}.j2"
    context = _context(plan)
    if previous_text is not None or feedback is not None:
        messages = segment_messages(config, "regenerate.j2", sources=plan.prompt_sources, kind_template=template,
                                    feedback=as_data(feedback or ""), previous_text=as_data(previous_text or ""),
                                    **context)
    else:
        messages = segment_messages(config, template, sources=plan.prompt_sources, **context)
    answer = llm.structured(messages, SegmentDraft, purpose=f"segment:{plan.spec.id}")
    text = build_text(plan.spec.kind, answer.value.sentences)
    drafted = Drafted(Segment(
        id=plan.spec.id, kind=plan.spec.kind, title=answer.value.title.strip() or plan.spec.title,
        story_ids=plan.story_ids, sources=plan.sources, text=text, target_words=plan.spec.target_words,
        prompt_hash=answer.prompt_hash, model=answer.model,
    ))
    try:
        drafted.segment.script = speakable(write_script(config, llm, plan, text))
    except LLMError as exc:
        # The text stands; the voice reads a cleaned copy of it, and the editor is told.
        drafted.segment.script = speakable(text)
        drafted.notes.append(f"{plan.spec.id}: script written from the text ({exc})")
        drafted.budget_spent = isinstance(exc, BudgetExceededError)
    drafted.segment.flags = check(plan, drafted.segment, own_names(config))
    return drafted


def write_script(config: Config, llm: LLMClient, plan: Plan, text: str) -> str:
    user = render(config, "script.j2", text=as_data(grounding.strip_citations(text)), previous=plan.previous,
                  first=plan.first, last=plan.last, **_context(plan))
    messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
    schema = script_schema(plan.spec.target_words)
    return llm.structured(messages, schema, purpose=f"script:{plan.spec.id}").value.script


def own_names(config: Config) -> str:
    """Names the show says about itself; never a grounding problem."""
    return f"{config.show.title}\n{config.show.host}"


def length_flag(segment: Segment) -> Flag | None:
    """A 'length' flag when the spoken script is far from its target (<50% or >170%)."""
    if not segment.target_words:
        return None
    actual = words(segment.script)
    ratio = actual / segment.target_words
    if LENGTH_LOW <= ratio <= LENGTH_HIGH:
        return None
    return Flag(id=f"f-length-{segment.id}", kind="length", field="script", sentence="", span=str(actual),
                message=f"{actual} spoken words against a target of {segment.target_words} ({ratio:.0%})")


def check(plan: Plan, segment: Segment, own_names: str = "") -> list[Flag]:
    """Grounding and length flags for a segment. ``own_names`` (the show's title and host) count as known."""
    texts = {n: f"{text}\n{own_names}" for n, text in plan.texts.items()}
    flags = grounding.check_segment(segment.text, segment.script, texts, framing=segment.kind in FRAMING)
    extra = length_flag(segment)
    return [*flags, *([extra] if extra else [])]


def keep_resolutions(new: list[Flag], old: list[Flag]) -> list[Flag]:
    """An editor's verdict on a flag survives a re-draft that raises the same flag again."""
    verdicts = {flag.id: flag for flag in old if flag.resolved}
    return [
        flag.model_copy(update={k: getattr(verdicts[flag.id], k) for k in ("resolved", "resolution", "note", "resolved_by")})
        if flag.id in verdicts else flag
        for flag in new
    ]


def failed_segment(plan: Plan, exc: Exception) -> Segment:
    return Segment(id=plan.spec.id, kind=plan.spec.kind, title=plan.spec.title, story_ids=plan.story_ids,
                   sources=plan.sources, status="failed", error=str(exc), target_words=plan.spec.target_words)


def carry_history(new: Segment, old: Segment | None) -> Segment:
    """Keep the old segment's history; when a re-draft changed it, the old version joins that history."""
    if old is None:
        return new
    history = list(old.history)
    if old.status == "drafted" and (old.text, old.script, old.title) != (new.text, new.script, new.title):
        history.append(SegmentVersion(title=old.title, text=old.text, script=old.script, at=datetime.now(UTC),
                                      by="model", reason="re-drafted"))
    return new.model_copy(update={"history": history, "flags": keep_resolutions(new.flags, old.flags)})


class Drafter:
    """Drafts plans concurrently (``llm.concurrency``); once the budget is spent, the rest fail with that cause."""

    def __init__(self, config: Config, llm: LLMClient) -> None:
        self.config = config
        self.llm = llm
        self._stop: BudgetExceededError | None = None
        self._lock = threading.Lock()

    def run(self, plan: Plan, old: Segment | None) -> tuple[Segment, list[str], Exception | None]:
        if self._stop is not None:
            return failed_segment(plan, self._stop), [], self._stop
        try:
            drafted = draft_segment(self.config, self.llm, plan)
        except BudgetExceededError as exc:
            with self._lock:
                self._stop = self._stop or exc
            return failed_segment(plan, exc), [], exc
        except LLMError as exc:
            return failed_segment(plan, exc), [], exc
        if drafted.budget_spent:
            with self._lock:
                self._stop = self._stop or BudgetExceededError("the run's token or cost budget is spent",
                                                                subject=plan.spec.id)
        return carry_history(drafted.segment, old), drafted.notes, None

    @property
    def stopped(self) -> BudgetExceededError | None:
        return self._stop


def episode_meta(config: Config, llm: LLMClient, day: str, segments: list[Segment],
                 on_error: Callable[[Exception], None]) -> tuple[str, str]:
    """The episode's title and one-paragraph description; a plain fallback if the model fails."""
    live = [s for s in segments if s.status == "drafted"]
    heads = [{"title": _spec_title(config, s), "headline": as_data(s.title)} for s in live if s.kind not in FRAMING]
    heads = heads or [{"title": _spec_title(config, s), "headline": as_data(s.title)} for s in live]
    fallback_title = heads[0]["headline"] if heads else config.show.title
    fallback = (fallback_title, "Today: " + "; ".join(h["headline"] for h in heads) + "." if heads else "")
    if not heads:
        return fallback
    user = render(config, "episode.j2", date=day, segments=heads)
    messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
    try:
        answer = llm.structured(messages, EpisodeDraft, purpose="episode")
    except LLMError as exc:
        on_error(exc)
        return fallback
    return answer.value.title.strip(), answer.value.description.strip()


def _spec_title(config: Config, segment: Segment) -> str:
    try:
        return config.segment(segment.id).title
    except KeyError:
        return segment.title


__all__ = ["DraftSentence", "Drafter", "EpisodeDraft", "Plan", "ScriptDraft", "SegmentDraft", "build_text",
           "check", "draft_segment", "episode_meta", "plan_from_segment", "plan_segments"]
