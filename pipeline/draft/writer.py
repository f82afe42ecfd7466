"""The segment writer: rundown -> numbered sources -> model -> Segment (text with [n], spoken script, flags).

The model answers a deliberately simple schema (a list of sentences, each with the numbers of its sources), from
which the newsletter text with ``[n]`` markers is built here. Two ways, by segment kind:

- story by story (``PER_STORY``: headlines, quick hits, research, policy, debate): one small call per story that
  sees only that story's sources, numbered 1..k for the call and mapped back to the segment's ``[n]`` here. A
  small model given five stories at once wrote about one of them; one story a call cannot drop any. The text is
  assembled in code and the spoken script is that text made speakable, after a one-line intro to the segment.
- one call for the whole segment (deep dive, cold open, sign-off), then a second call turns the text into the
  spoken script (prompts/script.j2), which ``speakable`` cleans for the voice.

Every answer is cached, so a re-run with the same inputs asks nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from pipeline.config import Config, SegmentSpec
from pipeline.draft import grounding
from pipeline.draft.llm import LLMClient
from pipeline.draft.prompts import (
    PromptSource,
    as_data,
    attribute,
    render,
    segment_messages,
)
from pipeline.draft.script import speakable, words
from pipeline.errors import BudgetExceededError, LLMError, LLMOutputError
from pipeline.models import Flag, Rundown, Segment, SegmentVersion, SourceRef, Story
from pipeline.store import Store

log = logging.getLogger(__name__)

FRAMING = {"cold_open", "sign_off"}  # may have uncited lines that make no claim (greetings, goodbyes)
SOURCES_PER_STORY = 2
MAX_SOURCES = 10
LENGTH_LOW, LENGTH_HIGH = 0.5, 1.7
# Kinds drafted one story a call, with the (fewest, most) sentences a story gets.
PER_STORY: dict[str, tuple[int, int]] = {
    "headlines": (1, 3), "quick_hits": (1, 3), "research": (2, 4), "policy": (2, 4), "debate": (2, 4),
}
WORDS_PER_SENTENCE = 22


# -- what the model answers ---------------------------------------------------------------------------------------


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DraftSentence(_Answer):
    text: str = Field(min_length=1, max_length=400)
    sources: list[int] = Field(max_length=5)


class SegmentDraft(_Answer):
    title: str = Field(min_length=1, max_length=90)
    sentences: list[DraftSentence] = Field(min_length=1, max_length=40)


class StoryDraft(_Answer):
    """One story's part of a story-by-story segment (no title: the segment keeps its configured one)."""

    sentences: list[DraftSentence] = Field(min_length=1, max_length=8)


@lru_cache(maxsize=16)
def story_schema(most: int) -> type[StoryDraft]:
    """A story's schema asking for at most ``most`` sentences: llama.cpp's grammar then stops the model there (it
    writes on otherwise). An answer with more (a server without grammars) is accepted; the writer keeps the
    first ``most`` usable ones after dropping fragments and repeats."""

    def trim(cls: type[BaseModel], value: object) -> object:
        return value[:8] if isinstance(value, list) else value

    return create_model(f"StoryDraft{most}", __base__=StoryDraft,
                        sentences=(list[DraftSentence], Field(min_length=1, json_schema_extra={"maxItems": most})),
                        __validators__={"trim": field_validator("sentences", mode="before")(classmethod(trim))})


class ScriptDraft(_Answer):
    script: str = Field(min_length=1, max_length=4000)


@lru_cache(maxsize=64)
def script_schema(target_words: int) -> type[ScriptDraft]:
    """The script's schema sized to its target (about 6 characters a word, with room): a small model that
    repeats itself is stopped by the length bound rather than by max_tokens."""
    limit = max(300, min(4000, target_words * 14))
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
    """Number the stories' sources 1..n (at most two outlets a story, ten in all) and fetch their text.

    Every story gets its first outlet before any gets a second: a segment of six stories must not leave its
    last story with no source (it could then be neither written nor cited)."""
    refs: list[SourceRef] = []
    prompt: list[PromptSource] = []
    texts: dict[int, str] = {}
    shares = [min(1, len(story.sources)) for story in stories]
    for rank in range(1, SOURCES_PER_STORY):
        for i, story in enumerate(stories):
            if sum(shares) < MAX_SOURCES and len(story.sources) > rank:
                shares[i] += 1
    for story, share in zip(stories, shares, strict=True):
        for source in story.sources[:share]:
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


def segment_title(spec: SegmentSpec, headline: str) -> str:
    """The title chapters and the newsletter show: the show's own name for framing segments (a cold open is
    always "The day in three lines"), the show's name plus the model's headline for a deep dive."""
    headline = re.sub(r"\s+", " ", headline).strip().rstrip(".")
    if spec.kind in FRAMING or not headline:
        return spec.title
    if spec.kind == "deep_dive":
        return f"{spec.title}: {headline}"
    return headline


def build_text(kind: str, sentences: list[DraftSentence]) -> str:
    """Newsletter Markdown from the model's sentences, each with its [n] markers before the full stop."""
    lines = cited_lines(sentences)
    if kind == "quick_hits" and len(lines) > 1:
        return "\n".join(f"- {line}" for line in lines)
    return "\n\n".join(" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3))


def cited_lines(sentences: list[DraftSentence]) -> list[str]:
    """One line per sentence, its ``[n]`` markers placed before the full stop."""
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
    return lines


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
    if plan.spec.kind in PER_STORY:
        return draft_by_story(config, llm, plan, feedback=feedback, previous_text=previous_text)
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
        id=plan.spec.id, kind=plan.spec.kind, title=segment_title(plan.spec, answer.value.title),
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


# -- story by story -------------------------------------------------------------------------------------------------


@dataclass
class StoryPart:
    """One story of a segment: the segment's ``[n]`` of its sources, and those sources renumbered 1..k for its call."""

    story_id: str
    numbers: list[int]
    sources: list[PromptSource]

    def to_segment(self, local: list[int]) -> list[int]:
        """The model's local source numbers as the segment's; none valid means all this story's sources (the call
        saw nothing else, so the sentence rests on them; grounding still checks every claim against them)."""
        mapped = [self.numbers[n - 1] for n in dict.fromkeys(local) if 1 <= n <= len(self.numbers)]
        return mapped or list(self.numbers)


def story_parts(plan: Plan) -> list[StoryPart]:
    """The plan's sources grouped by story, in the segment's story order."""
    by_n = {source.n: source for source in plan.prompt_sources}
    parts: list[StoryPart] = []
    for story_id in dict.fromkeys([*plan.story_ids, *(ref.story_id for ref in plan.sources)]):
        numbers = [ref.n for ref in plan.sources if ref.story_id == story_id and ref.n in by_n]
        if numbers:
            sources = [PromptSource(i, by_n[n].outlet, by_n[n].title, by_n[n].text) for i, n in enumerate(numbers, 1)]
            parts.append(StoryPart(story_id, numbers, sources))
    return parts


def story_context(plan: Plan, count: int) -> dict[str, object]:
    """One story's share of the segment: its words, sentences, source excerpt budget and answer size."""
    low, high = PER_STORY[plan.spec.kind]
    share = max(15, round(plan.spec.target_words / max(1, count)))
    sentences = min(high, max(low, round(share / WORDS_PER_SENTENCE)))
    return {"segment": plan.spec, "target_words": share, "story_count": count, "min_sentences": low,
            "max_sentences": min(high, sentences + 1), "sentences": sentences}


def story_budgets(share: int, high: int) -> tuple[int, int]:
    """(source excerpt tokens, max_tokens) for one story call: short excerpts (prompt evaluation dominates a CPU
    model's time, and a story's lede is at the top), an answer bound with room for JSON and a longer story."""
    return max(140, min(320, share * 3)), max(240, min(640, share * 4 + 60 * high))


def previous_part(previous_text: str | None, part: StoryPart) -> str:
    """The sentences of an earlier version that cite this story, without their markers."""
    if not previous_text:
        return ""
    mine = [s for s in grounding.split_sentences(previous_text) if set(grounding.citations(s)) & set(part.numbers)]
    return grounding.strip_citations(" ".join(mine))


def draft_story(config: Config, llm: LLMClient, plan: Plan, part: StoryPart, context: dict[str, object], *,
                feedback: str | None = None, previous_text: str | None = None) -> tuple[list[DraftSentence], str]:
    """One story's sentences (cited with the segment's numbers) and the prompt hash of its call."""
    template = plan.spec.prompt or f"{plan.spec.kind}.j2"
    excerpt, max_tokens = story_budgets(int(context["target_words"]), int(context["max_sentences"]))  # type: ignore[call-overload]
    if previous_text is not None or feedback is not None:
        messages = segment_messages(config, "regenerate.j2", sources=part.sources, kind_template=template,
                                    feedback=as_data(feedback or ""),
                                    previous_text=as_data(previous_part(previous_text, part)),
                                    budget_tokens=excerpt, **context)
    else:
        messages = segment_messages(config, template, sources=part.sources, budget_tokens=excerpt, **context)
    answer = llm.structured(messages, story_schema(int(context["max_sentences"])),  # type: ignore[call-overload]
                            purpose=f"story:{plan.spec.id}:{part.story_id}", max_tokens=max_tokens)
    sentences = [DraftSentence(text=s.text, sources=part.to_segment(s.sources)) for s in answer.value.sentences]
    return sentences, answer.prompt_hash


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", grounding.strip_citations(text).lower()))


_FRAGMENT = re.compile(
    r"\[\.\.\.\]|://|(?:[,;:]|\b(?:a|an|the|as|of|to|and|or|by|for|with|from|that))"
    r"\s*(?:\[[\d,\s]+\])?\s*[.!?]?$", re.IGNORECASE)


def distinct(lines: list[str], seen: list[set[str]], most: int) -> list[str]:
    """At most ``most`` lines, without fragments (under four words, a copied '[...]' or link, a sentence that stops
    at a comma) and without near-repeats of a line already kept in the segment (``seen``, updated): a small model
    given two outlets' reports tends to tell the story twice, and to write on past the length it was asked for."""
    kept: list[str] = []
    for line in lines:
        words = _words(line)
        if len(words) < 4 or _FRAGMENT.search(line) or len(kept) >= most:
            continue
        if any(len(words & other) >= 0.7 * min(len(words), len(other)) for other in seen):
            continue
        seen.append(words)
        kept.append(line)
    return kept


def _lead(title: str) -> str:
    title = title.strip().rstrip(".:")
    return title[0].lower() + title[1:] if len(title) > 1 and title[1].islower() else title


def segment_intro(config: Config, plan: Plan) -> str:
    """The spoken line that opens a story-by-story segment (and the show, when it comes first)."""
    if plan.first:
        return f"This is {config.show.title}, I'm {config.show.host}. First, {_lead(plan.spec.title)}."
    return f"Now, {_lead(plan.spec.title)}."


def segment_outro(config: Config, plan: Plan) -> str:
    return f"That's all for today from {config.show.title}." if plan.last else ""


def draft_by_story(config: Config, llm: LLMClient, plan: Plan, *, feedback: str | None = None,
                   previous_text: str | None = None) -> Drafted:
    """A multi-story segment drafted one call per story, assembled here; a story whose call fails is left out
    (and said so) unless every story fails. The spoken script is the text made speakable, with an intro line."""
    parts = story_parts(plan)
    if not parts:
        raise LLMOutputError("the segment has no sources to write from", subject=plan.spec.id)
    context = story_context(plan, len(parts))
    stories: list[list[str]] = []
    hashes: list[str] = []
    notes: list[str] = []
    failure: LLMError | None = None
    seen: list[set[str]] = []
    for part in parts:
        try:
            sentences, digest = draft_story(config, llm, plan, part, context, feedback=feedback,
                                            previous_text=previous_text)
        except BudgetExceededError:
            raise
        except LLMError as exc:
            failure = failure or exc
            notes.append(f"{plan.spec.id}: story {part.story_id} left out ({exc})")
            continue
        lines = distinct(cited_lines(sentences), seen, int(context["max_sentences"]))  # type: ignore[call-overload]
        if lines:
            stories.append(lines)
            hashes.append(digest)
        else:
            notes.append(f"{plan.spec.id}: story {part.story_id} left out (the model wrote only fragments or "
                         "repeated an earlier story)")
    if not stories:
        raise failure or LLMOutputError("the model wrote nothing for any story", subject=plan.spec.id)
    if plan.spec.kind == "quick_hits":
        text = "\n".join(f"- {' '.join(lines)}" for lines in stories)
    else:
        text = "\n\n".join(" ".join(lines) for lines in stories)
    spoken = [segment_intro(config, plan), *(" ".join(lines) for lines in stories), segment_outro(config, plan)]
    segment = Segment(
        id=plan.spec.id, kind=plan.spec.kind, title=plan.spec.title, story_ids=plan.story_ids, sources=plan.sources,
        text=text, script=speakable(" ".join(line for line in spoken if line)), target_words=plan.spec.target_words,
        prompt_hash=hashlib.sha256("".join(hashes).encode()).hexdigest(), model=llm.model,
    )
    segment.flags = check(plan, segment, own_names(config))
    return Drafted(segment, notes)


def write_script(config: Config, llm: LLMClient, plan: Plan, text: str) -> str:
    user = render(config, "script.j2", text=as_data(grounding.strip_citations(text)), previous=plan.previous,
                  first=plan.first, last=plan.last, **_context(plan))
    messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
    schema = script_schema(plan.spec.target_words)
    return llm.structured(messages, schema, purpose=f"script:{plan.spec.id}").value.script


def own_names(config: Config) -> str:
    """Names the show says about itself (its title, host and segment titles); never a grounding problem."""
    return "\n".join([config.show.title, config.show.host, *(spec.title for spec in config.segments)])


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
    heads = [{"title": _spec_title(config, s), "headline": _headline(s)} for s in live if s.kind not in FRAMING]
    heads = heads or [{"title": _spec_title(config, s), "headline": _headline(s)} for s in live]
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


def _headline(segment: Segment) -> str:
    """What a segment is about, for the episode's title: its own headline, or for a story-by-story segment (whose
    title is the configured one) its first story's headline (more made a small model's description too long)."""
    if segment.kind not in PER_STORY or not segment.sources:
        return as_data(segment.title)
    first = next((ref for ref in segment.sources if ref.story_id in segment.story_ids[:1]), segment.sources[0])
    return attribute(first.title)


def _spec_title(config: Config, segment: Segment) -> str:
    try:
        return config.segment(segment.id).title
    except KeyError:
        return segment.title


__all__ = ["PER_STORY", "DraftSentence", "Drafter", "EpisodeDraft", "Plan", "ScriptDraft", "SegmentDraft",
           "StoryDraft", "build_text", "check", "draft_by_story", "draft_segment", "episode_meta", "plan_from_segment",
           "plan_segments", "story_parts"]
