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
from pipeline.draft import editorial, grounding
from pipeline.draft.llm import LLMClient
from pipeline.draft.prompts import (
    PromptSource,
    as_data,
    attribute,
    render,
    segment_messages,
)
from pipeline.draft.script import ScriptDraft, words, write_script
from pipeline.errors import BudgetExceededError, LLMError, LLMOutputError
from pipeline.kinds import FRAMING, KINDS
from pipeline.models import Flag, Rundown, Segment, SegmentVersion, SourceRef, Story, StorySource
from pipeline.store import Store

log = logging.getLogger(__name__)

MAX_SOURCES = 10
LENGTH_LOW, LENGTH_HIGH = 0.5, 1.7
# Kinds drafted one story a call, with the (fewest, most) sentences a story gets (from the kinds table).
PER_STORY: dict[str, tuple[int, int]] = {name: k.sentences for name, k in KINDS.items() if k.mode == "per_story"}
WORDS_PER_SENTENCE = 22
TEASERS = 3  # stories the cold open teases, each from a different segment
# The prompt tags whose text a writing call may not copy for long (the embedded server's copy guard; quotes excepted).
GUARDED = ("source",)


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
                        __validators__={"trim": field_validator("sentences", mode="before")(classmethod(trim))},  # type: ignore[dict-item]
                        )


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
    day: str | None = None  # the episode's date (ISO), for the sign-off's goodbye
    languages: dict[str, str] = field(default_factory=dict)  # story id -> language of its reports, when foreign
    published: dict[int, datetime] = field(default_factory=dict)  # n -> the item's published date (date checks)


def source_text(store: Store, item_id: str, fallback: str = "") -> str:
    item = store.item(item_id)
    return (item.text if item else "") or fallback


def current_sources(story: Story) -> list[StorySource]:
    """A story's reports that still stand: a report a later one reversed or corrected (``superseded_by``) is left
    out, so the writer states only the latest state (the later reports say what changed)."""
    live = [source for source in story.sources if not source.superseded_by]
    return live or list(story.sources)


def has_body(store: Store, story: Story) -> bool:
    """Whether some report of the story says more than its headline (`editorial.is_thin`)."""
    return any(not editorial.is_thin(source.title, source_text(store, source.item_id, source.excerpt))
               for source in current_sources(story))


def build_plan(store: Store, spec: SegmentSpec, stories: list[Story], per_story: int | None = None) -> Plan:
    """Number the stories' sources 1..n (the kind's outlets per story, ten in all) and fetch their text.

    Every story gets its first outlet before any gets a second: a segment of six stories must not leave its
    last story with no source (it could then be neither written nor cited). Superseded reports are left out;
    thin sources (a headline and little more) are marked so the writer restates them and adds nothing."""
    most = per_story or KINDS[spec.kind].sources_per_story
    refs: list[SourceRef] = []
    prompt: list[PromptSource] = []
    texts: dict[int, str] = {}
    published: dict[int, datetime] = {}
    reports = [current_sources(story) for story in stories]
    shares = [min(1, len(sources)) for sources in reports]
    for rank in range(1, most):
        for i, sources in enumerate(reports):
            if sum(shares) < MAX_SOURCES and len(sources) > rank:
                shares[i] += 1
    for story, sources, share in zip(stories, reports, shares, strict=True):
        for source in sources[:share]:
            if len(refs) >= MAX_SOURCES:
                break
            n = len(refs) + 1
            text = source_text(store, source.item_id, source.excerpt)
            refs.append(SourceRef(n=n, story_id=story.id, item_id=source.item_id, outlet=source.outlet,
                                  title=source.title, url=source.url))
            prompt.append(PromptSource(n, source.outlet, source.title, text, editorial.is_thin(source.title, text)))
            texts[n] = f"{source.title}\n{source.outlet}\n{text}"
            published[n] = source.published
    return Plan(spec, [s.id for s in stories], refs, prompt, texts, published=published,
                languages={s.id: s.language for s in stories if s.language})


def plan_from_segment(config: Config, store: Store, segment: Segment) -> Plan:
    """A plan that reuses a drafted segment's own numbered sources (for regenerate and re-checks)."""
    try:
        spec = config.segment(segment.id)
    except KeyError:
        spec = SegmentSpec(id=segment.id, title=segment.title, kind=segment.kind,
                           target_words=segment.target_words or 200)
    prompt, texts = [], {}
    for ref in segment.sources:
        text = source_text(store, ref.item_id)
        prompt.append(PromptSource(ref.n, ref.outlet, ref.title, text, editorial.is_thin(ref.title, text)))
        texts[ref.n] = f"{ref.title}\n{ref.outlet}\n{text}"
    items = {ref.n: store.item(ref.item_id) for ref in segment.sources}
    published = {n: item.published for n, item in items.items() if item is not None}
    return Plan(spec, list(segment.story_ids), list(segment.sources), prompt, texts, published=published)


def plan_segments(config: Config, store: Store, rundown: Rundown) -> list[Plan]:
    """The episode plan, decided before any writing: every story in exactly one segment (the rundown's), the cold
    open teasing the lead stories of three different segments (one line each), the sign-off's line on what to
    watch taken from a story the cold open did not tease."""
    by_id = {story.id: story for story in rundown.stories}
    content: dict[str, list[Story]] = {}
    for spec in config.segments:
        if spec.kind not in FRAMING:
            stories = [by_id[i] for i in rundown.segments.get(spec.id, []) if i in by_id]
            if stories:
                content[spec.id] = stories
    # A story whose reports are all headlines is told once, in its segment: a teaser or a watch line from it could
    # only say its headline again (measured on the headline-only fixture: a sentence past one per thin source).
    with_body = [story for stories in content.values() for story in stories if has_body(store, story)]
    if content:
        told = {story.id for story in with_body}
        leads = [stories[0] for stories in content.values() if stories[0].id in told]
        teased = sorted(leads, key=lambda s: -s.score)[:TEASERS]
    else:
        teased = [story for story in rundown.stories if has_body(store, story)][:TEASERS]
    texts = {story.id: " ".join(s.title + " " + s.excerpt for s in current_sources(story)) for story in with_body}
    from pipeline.draft.pieces import watch_story

    watch_id = watch_story([s.id for s in with_body], texts, avoid={s.id for s in teased})
    plans: list[Plan] = []
    for spec in config.segments:
        if spec.kind == "cold_open":
            # Three outlets a story: the teaser reads only headlines, and picks one that reads as news.
            plan = build_plan(store, spec, teased, per_story=3) if teased else None
        elif spec.kind == "sign_off":
            plan = build_plan(store, spec, [by_id[watch_id]] if watch_id else [], per_story=2)  # the goodbye, always
        else:
            plan = build_plan(store, spec, content[spec.id]) if spec.id in content else None
        if plan is not None:
            plan.day = rundown.date.isoformat()
            plans.append(plan)
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


# A figure in words then again in short, in brackets: "14 billion (14B)", "2.4 million (2.4M)".
_SAID_TWICE = re.compile(r"\b((\d+(?:\.\d+)?)[ -]([mbt])(?:illion|rillion))\s*\(\s*\2\s*\3\s*\)", re.IGNORECASE)


def cited_lines(sentences: list[DraftSentence]) -> list[str]:
    """One line per sentence, its ``[n]`` markers placed before the full stop."""
    lines: list[str] = []
    for sentence in sentences:
        refs = list(dict.fromkeys(sentence.sources))
        marker = f" [{', '.join(map(str, refs))}]" if refs else ""
        flat = re.sub(r"\s+", " ", grounding.strip_citations(sentence.text)).strip()
        flat = re.sub(r"([$€£])\s+(?=\d)", r"\1", flat)  # "$ 2.4 billion": a model's stray space
        flat = _SAID_TWICE.sub(r"\1", flat)  # "14 billion (14B) parameters": one figure said twice
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
                  previous_text: str | None = None, voice: bool = True) -> Drafted:
    """Draft one segment's text the way its kind is made (``pipeline.kinds``), then, unless ``voice`` is False (the
    episode pass writes scripts after its cross-segment checks), its spoken script and flags. Raises LLMError when
    the text cannot be drafted."""
    from pipeline.draft import pieces

    mode = KINDS[plan.spec.kind].mode
    if mode == "per_story":
        drafted = draft_by_story(config, llm, plan, feedback=feedback, previous_text=previous_text)
    elif mode == "beats":
        drafted = pieces.draft_deep_dive(config, llm, plan, feedback=feedback, previous_text=previous_text)
    elif mode == "debate":
        drafted = pieces.draft_debate(config, llm, plan, feedback=feedback, previous_text=previous_text)
    elif mode == "teaser":
        drafted = pieces.draft_teaser(config, llm, plan)
    else:
        drafted = draft_sign_off(config, llm, plan, feedback=feedback)
    if voice:
        voice_segment(config, llm, plan, drafted)
    return drafted


def voice_segment(config: Config, llm: LLMClient, plan: Plan, drafted: Drafted) -> None:
    """The one place a segment's spoken script is made from its (final) text, then its flags.

    One model call rewrites the text for the ear and code checks it (no fact added, no story dropped; one retry,
    else the code-made ear version of the text, noted): ``pipeline.draft.script.write_script``. The intro and
    outro lines are made here in code; the cold open and sign-off, written to be said, get the code polish only."""
    segment = drafted.segment
    mode = KINDS[plan.spec.kind].mode
    intro = outro = ""
    if mode == "teaser":
        outro = f"This is {config.show.title}. I'm {config.show.host}." if plan.first else ""
    elif mode == "sign_off":  # the watch line is a story told earlier: said as what to watch, not as news again
        intro = KINDS[plan.spec.kind].intro if grounding.citations(segment.text) else ""
    else:
        intro, outro = segment_intro(config, plan), segment_outro(config, plan)
    spoken = write_script(config, llm, plan, segment.text, intro=intro, outro=outro, known=own_names(config),
                          model=mode not in ("teaser", "sign_off"))
    segment.script = spoken.script
    drafted.notes.extend(spoken.notes)
    drafted.budget_spent = drafted.budget_spent or spoken.budget_spent
    segment.script_stale = False
    segment.flags = check(plan, segment, own_names(config))


def dedupe_episode(segments: list[Segment], fixed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Each story told once: near-duplicate sentences anywhere in the episode (>= 70% of content words shared)
    lose the later one, except that a framing line (a teaser, the sign-off's watch line) yields to the body it
    repeats. Segments in ``fixed`` (an editor's) are never cut. Edits ``segments`` in place; returns notes."""
    placed = [editorial.Placed(segment.id, i, sentence) for segment in segments if segment.status == "drafted"
              for i, sentence in enumerate(grounding.split_sentences(segment.text))
              if not _MADE.search(sentence.strip())]
    by_id = {segment.id: segment for segment in segments}
    notes: list[str] = []
    cut: set[tuple[str, int]] = set()
    for earlier, later in editorial.near_duplicates(placed):
        if (earlier.segment, earlier.index) in cut or (later.segment, later.index) in cut:
            continue
        loser = earlier if by_id[earlier.segment].kind in FRAMING and by_id[later.segment].kind not in FRAMING \
            else later
        if loser.segment in fixed:
            loser = earlier if loser is later else later
            if loser.segment in fixed:
                continue
        segment = by_id[loser.segment]
        if loser.text not in segment.text:
            continue
        remaining = segment.text.replace(loser.text, "", 1)
        remaining = re.sub(r"[ \t]{2,}", " ", remaining)
        remaining = re.sub(r"^\s*-\s*$\n?", "", remaining, flags=re.MULTILINE).strip()
        if not grounding.split_sentences(remaining):
            continue  # never empty a segment; the editor sees both
        segment.text = re.sub(r"\n{3,}", "\n\n", remaining)
        cut.add((loser.segment, loser.index))
        other = later if loser is earlier else earlier
        notes.append(f"{loser.segment}: cut a sentence that repeats {other.segment}: {loser.text[:70]}")
    return notes


def keep_lines(lines: list[str], plan: Plan, seen: list[set[str]], most: int) -> tuple[list[str], list[str]]:
    """The editorial gate for a model's lines: at most ``most``, none a fragment, none talking about its sources
    (such a trailing clause is cut), none saying a source's figure of another thing (``grounding.moved_figure``,
    ``grounding.counted_thing``), saying the opposite of one (``grounding.says_otherwise``: a negation added or
    dropped, names or figures swapped), giving a verdict its sources do not (``grounding.unsourced_verdict``) or a
    word whose opposite is all they say (``grounding.opposite_word``), none repeating a line already kept in the
    segment (``seen``, updated) or, in this call, its figures of the same name (``said_facts``), none going on from
    a line cut for what it says (``_LEANS_BACK``). Lines that copy a source or speak in its first person are kept
    here and rewritten by ``rewrite_lines``. Returns (kept, why each cut one went)."""
    kept: list[str] = []
    cut: list[str] = []
    previous_wrong = False  # the line before was cut for what it says (not for its form)
    told: list[tuple[set[str], set[str]]] = []  # the kept lines' figures and names (``said_facts``)
    for line in lines:
        words = _words(line)
        why = editorial.fragment(line) or (_FRAGMENT.search(line) and "a dangling end") or ""
        if not why and previous_wrong and _LEANS_BACK.match(grounding.strip_citations(line)):
            why = "it leans on the line cut before it"  # and so may the next
        else:
            previous_wrong = False
        if not why and (glued := editorial.garbled(line)):
            why = f"text glued from a table ({glued})"
        talk = "" if why else editorial.meta_talk(line)
        if talk:
            trimmed = without_meta(line)
            if trimmed:
                cut.append(f"a clause about its sources ('{talk}'): {grounding.strip_citations(line)[:80]}")
                line, words = trimmed, _words(trimmed)
            else:
                why = f"the host talking about its sources ('{talk}')"
        if not why:
            cited = [plan.texts[n] for n in grounding.citations(line) if n in plan.texts]
            for name in grounding.said_by(line) if cited else []:
                if not any(grounding.speaks_in(name, text) for text in cited) and (bare := unattributed(line, name)):
                    cut.append(f"an attribution its sources do not make ('according to {name}'): "
                               f"{grounding.strip_citations(line)[:80]}")
                    line, words = bare, _words(bare)
            sentences = [s for text in cited for s in grounding.split_sentences(text)]
            figure, name, said_of, _ = grounding.moved_figure(line, sentences)
            if otherwise := grounding.says_otherwise(line, sentences):
                why = f"the opposite of its source ({otherwise})"
            elif figure:
                why = f"'{figure}' said of '{said_of}' (its source says it of {name})"
            elif (counted := grounding.counted_thing(line, "\n".join(cited)))[0]:
                why = f"'{counted[0]}' counting '{counted[1]}' (its sources count '{counted[2]}')"
            elif verdict := grounding.unsourced_verdict(line, "\n".join(cited)):
                why = f"a verdict its sources do not give ('{verdict}')"
            elif (opposite := grounding.opposite_word(line, "\n".join(cited)))[0]:
                why = f"'{opposite[0]}' where its sources only say '{opposite[1]}'"
            previous_wrong = bool(why)
        if not why and any(name in line for name in EXAMPLE_NAMES):
            why = "the prompt's example repeated"
        if not why and any(len(words & other) >= 0.7 * min(len(words), len(other)) for other in seen):
            why = "a repeat"
        facts = said_facts(line)
        if not why and facts[0] and any(facts[0] <= figures and _same_name(facts[1], names) for figures, names in told):
            why = "a repeat (its figures already said of the same name)"
        if not why and len(kept) >= most:
            why = "past the sentence cap"
        if why:
            cut.append(f"{why}: {grounding.strip_citations(line)[:80]}")
            continue
        seen.append(words)
        told.append(facts)
        kept.append(line)
    return kept, cut


def _same_name(mine: set[str], theirs: set[str]) -> bool:
    """Whether two lines share a name: "Quill" is "Quill Data"; "AI" is not "OpenAI"."""
    return any(a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)) for a in mine for b in theirs)


def unattributed(line: str, name: str) -> str:
    """A line without its opening or closing "according to <name>" ('' when it has neither, or nothing would be
    left): measured on the headline-only fixture, "Tidepool raised $18M ... according to Greyfield Partners", the
    firm that led the round, which said nothing."""
    said = re.escape(name).replace(r"\ ", r"\s+")
    tail = re.sub(rf",?\s+according to (?:the |a |an )?{said}\.?(?=\s*(?:\[[\d,\s]+\])?[.!?]?\s*$)", "", line, count=1)
    if tail == line:
        head = re.sub(rf"^According to (?:the |a |an )?{said}\.?,\s*", "", line, count=1)
        tail = head[:1].upper() + head[1:] if head != line else ""
    return tail if tail and len(grounding.strip_citations(tail).split()) >= 4 else ""


def said_facts(line: str) -> tuple[set[str], set[str]]:
    """A line's figures and names, compared: two outlets' versions of one fact ("Solstice Compute raises $640
    million ..." and "GPU cloud startup Solstice Compute lands $640M ...", measured on the sample day) share both
    while sharing few words."""
    figures = {f"{c.value:.6g}" for c in grounding.number_claims(line) if c.value is not None}
    return figures, {grounding.squash(c.span) for c in grounding.entity_claims(line)}


# A line that goes on from the one before it ("However, she allowed ..."): with that one cut, it has nothing to
# stand on (measured on the sample day: the ruling's negated line cut, "However, she ..." was left with no judge).
_LEANS_BACK = re.compile(r"(?:However|But|And|Also|Still|Yet|Instead|Meanwhile|Even so|It|Its|They|Their|He|His|She|"
                         r"Her|This|That|These|Those|The move|The change|The decision)\b")


def draft_sign_off(config: Config, llm: LLMClient, plan: Plan, *, feedback: str | None = None) -> Drafted:
    """One line on what to watch (from the plan's story), then the goodbye, made in code so it is always said."""
    from pipeline.draft import pieces

    bye = pieces.goodbye(config, plan.day)
    parts = story_parts(plan)
    notes: list[str] = []
    lines: list[str] = []
    digest = ""
    if parts:
        context = {**story_context(plan, 1), "min_sentences": 1, "max_sentences": 1, "sentences": 1}
        try:
            sentences, digest = draft_story(config, llm, plan, parts[0], context, feedback=feedback)
            lines, cut = keep_lines(cited_lines(sentences), plan, [], 1)
            notes += [f"{plan.spec.id}: cut {why}" for why in cut]
            notes += rewrite_lines(config, llm, plan, [lines])
        except BudgetExceededError:
            raise
        except LLMError as exc:
            notes.append(f"{plan.spec.id}: no line on what to watch ({exc})")
    text = "\n\n".join(filter(None, [" ".join(lines), bye]))
    segment = Segment(id=plan.spec.id, kind=plan.spec.kind, title=plan.spec.title, story_ids=plan.story_ids,
                      sources=plan.sources, text=text, target_words=plan.spec.target_words,
                      prompt_hash=hashlib.sha256(digest.encode()).hexdigest(), model=llm.model)
    return Drafted(segment, notes)


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
            sources = [PromptSource(i, by_n[n].outlet, by_n[n].title, by_n[n].text, by_n[n].thin)
                       for i, n in enumerate(numbers, 1)]
            parts.append(StoryPart(story_id, numbers, sources))
    return parts


def story_context(plan: Plan, count: int) -> dict[str, object]:
    """One story's share of the segment: its words, sentences, source excerpt budget and answer size."""
    low, high = KINDS[plan.spec.kind].sentences
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
    context = {**context, "language": plan.languages.get(part.story_id)}
    excerpt, max_tokens = story_budgets(int(context["target_words"]), int(context["max_sentences"]))  # type: ignore[call-overload]
    if previous_text is not None or feedback is not None:
        messages = segment_messages(config, "regenerate.j2", sources=part.sources, kind_template=template,
                                    feedback=as_data(feedback or ""),
                                    previous_text=as_data(previous_part(previous_text, part)),
                                    budget_tokens=excerpt, **context)
    else:
        messages = segment_messages(config, template, sources=part.sources, budget_tokens=excerpt, **context)
    answer = llm.structured(messages, story_schema(int(context["max_sentences"])),  # type: ignore[call-overload]
                            purpose=f"story:{plan.spec.id}:{part.story_id}", max_tokens=max_tokens,
                            guard=GUARDED)
    sentences = [DraftSentence(text=s.text, sources=part.to_segment(s.sources)) for s in answer.value.sentences]
    return sentences, answer.prompt_hash


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", grounding.strip_citations(text).lower()))


_FRAGMENT = re.compile(
    r"\[\.\.\.\]|://|(?:[,;:]|\b(?:a|an|the|as|of|to|and|or|by|for|with|from|that))"
    r"\s*(?:\[[\d,\s]+\])?\s*[.!?]?$", re.IGNORECASE)


class Retold(BaseModel):
    model_config = ConfigDict(extra="ignore")
    retold: str = Field(max_length=400)


EXAMPLE_NAMES = ("Acme Robotics", "Widget-2")  # the worked examples' names in prompts/rewrite.j2: never news
REWRITES_PER_SEGMENT = 8  # lines retold at most (a call or two each); lines past this stay as they are, flagged
RETELL_TEMPERATURES = (0.7, 1.0)


_LINE = re.compile(r"^(.*?)((?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])*)([.!?][\"”’)]*)?$", re.DOTALL)


_TRAILING_CLAUSE = re.compile(r",\s+(?:which|and|but|though|although|while|as|so|according to)\b")


def without_meta(line: str) -> str:
    """A line whose last clause talks about its sources, without that clause ("The release sparked a debate over
    open weights, which is not a source argument [5]." -> "The release sparked a debate over open weights [5].");
    '' when the talk is the line itself."""
    talk = editorial.meta_talk(line)
    match = _LINE.match(line)
    if not talk or not match:
        return line if not talk else ""
    body, marker, end = match.group(1), match.group(2) or "", match.group(3) or "."
    at = body.lower().find(talk.lower())
    clauses = list(_TRAILING_CLAUSE.finditer(body[: max(at, 0)]))
    head = body[: clauses[-1].start()].rstrip() if clauses else ""
    if not head or editorial.meta_talk(head) or len(head.split()) < 4:
        return ""
    return f"{head}{marker}{end}"


def line_problem(line: str, plan: Plan) -> str:
    """What a rewrite should fix in a kept line: the source's first person, or a copied run of 12+ words."""
    person = editorial.first_person(line)
    if person:
        return f"speaks as the source: '{person}'"
    cited = [plan.texts[n] for n in grounding.citations(line) if n in plan.texts]
    copied = editorial.copies(line, cited or list(plan.texts.values()))
    return f"copies the source: '{copied}'" if copied else ""


_ANNOUNCING = re.compile(r"^(?:We|I)(?:['’]re| are|['’]m| am)\s+(?:so\s+|very\s+)?(?:delighted|pleased|excited|"
                        r"proud|happy|thrilled|glad)\s+to\s+(?:announce|share|confirm|report|say)\s+(?:that\s+)?")


def unannounced(line: str) -> str:
    """A press release's lead-in cut, in code: "We are delighted to announce that Dr. Priya Ramanathan will join
    Northwind AI, starting April 1, 2026." -> "Dr. Priya Ramanathan will join ..." ('' when the line has none).
    Measured on the sample day: retold by the model instead, the hire became "has joined ... as a full-time
    researcher"."""
    rest = _ANNOUNCING.sub("", line, count=1)
    return rest[0].upper() + rest[1:] if rest != line and rest else ""


def same_facts(candidate: str, original: str) -> bool:
    """Whether a rewrite says the original's facts and no others: no number, name or quote the original lacks, no
    number of the original lost (a small model retelling "$0.48" says "five dollars", or drops every figure)."""
    from pipeline.draft.script import added_facts

    if any(name in candidate for name in EXAMPLE_NAMES) or added_facts(candidate, original):
        return False
    return not [fact for fact in added_facts(original, candidate) if re.search(r"\d", fact)]


_FUTURE = re.compile(r"\b(?:will|won't|shall|is set to|are set to|plans? to|is to|are to|is expected to|"
                     r"are expected to|going to)\b|['’]ll\b", re.IGNORECASE)
_PERFECT = re.compile(r"(?<!who )(?<!which )(?<!that )\b(?:has|have|had)\s+(?:already\s+)?(?:been\s+)?"
                      r"[a-z]+(?:ed|en|un|wn|ne|lt|pt)\b", re.IGNORECASE)


def made_past(candidate: str, original: str) -> bool:
    """Whether a retelling tells as done what its original says is coming (measured on the sample day: "will join
    Northwind AI, starting April 1" retold as "has joined Northwind AI ... starting April 1")."""
    return bool(_FUTURE.search(original)) and not _FUTURE.search(candidate) and bool(_PERFECT.search(candidate))


_NEGATION = re.compile(r"\b(?:not|never|no|none|neither|nor|without|cannot)\b|n[’']t\b", re.IGNORECASE)
_FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|does|did|do|says|said|\w{3,}ed|"
    r"cut|put|set|let|hit|won|led|made|told|took|gave|got|went|came|saw|ran|sold|bought|built|began|became|brought|"
    r"kept|left|lost|met|paid|rose|fell|grew|drew|chose|held|found|shut|spent|sent|wrote|spoke|broke|stood|meant|"
    r"felt|thought|beat|cost|quit|split|spread|struck|sought|taught|fought|caught)\b"
    r"|['’](?:s|re|ve|ll|d)\s+(?!own\b)[a-z]|^\S+\s+[a-z]+s\b",  # "Kestrel ships ...": a verb second
    re.IGNORECASE)


def keeps_sense(candidate: str, original: str) -> bool:
    """Whether a retelling keeps what makes its original a claim: as many negations, a finite verb when the
    original has one, and the news rather than talk about its sources. Measured on the sample day: "WebChores is a
    benchmark of 1,200 real browser tasks ..." retold without its verb, "... the 'open weights is not open source'
    argument" retold "..., which is not a source argument"."""
    bare = grounding.strip_citations(candidate)
    if len(_NEGATION.findall(bare)) != len(_NEGATION.findall(original)):
        return False
    if _FINITE.search(original) and not _FINITE.search(bare):
        return False
    return not editorial.meta_talk(bare) and not grounding.ONLY_ATTRIBUTION.fullmatch(bare.rstrip(". "))


def retell(config: Config, llm: LLMClient, plan: Plan, line: str, problem: str) -> str:
    """One line retold in the host's words, with its citations kept: a call, and a freer second one when the first
    still copies, speaks as the source, is not a full sentence, changes the facts or loses their sense
    (``keeps_sense``); '' when both do."""
    original = grounding.strip_citations(line)
    user = render(config, "rewrite.j2", text=as_data(original),
                  problem="speaks as the company" if problem.startswith("speaks as") else "copied")
    messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
    old = _LINE.match(line)
    marker = (old.group(2) or "") if old else ""
    for temperature in RETELL_TEMPERATURES:  # a second, freer try costs ~3 s: the prompt's prefix is cached
        answer = llm.structured(messages, Retold, purpose=f"rewrite:{plan.spec.id}", max_tokens=120,
                                temperature=temperature, guard=("original",))
        match = _LINE.match(grounding.strip_citations(answer.value.retold.strip()))
        candidate = f"{match.group(1).rstrip()}{marker}{match.group(3) or '.'}" if match and match.group(1) else ""
        if (candidate and not editorial.fragment(candidate) and not line_problem(candidate, plan)
                and same_facts(grounding.strip_citations(candidate), original)
                and not made_past(candidate, original) and keeps_sense(candidate, original)):
            return candidate
    return ""


def rewrite_lines(config: Config, llm: LLMClient, plan: Plan, groups: list[list[str]]) -> list[str]:
    """Every line of a segment that copies its source or speaks in its first person is retold, one call a line
    (``retell``), keeping its citations; a retelling is taken only when it fixes the problem and keeps the facts.
    A first-person line that stays so is cut; a copy that stays is flagged for the editor. ``groups`` (a
    segment's lines, per story or beat) change in place."""
    todo = [(g, i, problem) for g, lines in enumerate(groups) for i, line in enumerate(lines)
            if (problem := line_problem(line, plan))]
    if not todo:
        return []
    notes: list[str] = []
    dropped: set[tuple[int, int]] = set()
    fixed = 0
    for count, (g, i, problem) in enumerate(todo):
        old = groups[g][i]
        new = unannounced(old)
        if new and line_problem(new, plan):
            new = ""
        if not new and count < REWRITES_PER_SEGMENT:
            try:
                new = retell(config, llm, plan, old, problem)
            except BudgetExceededError:
                raise
            except LLMError as exc:
                notes.append(f"{plan.spec.id}: a rewrite failed ({exc})")
        if new:
            groups[g][i] = new
            fixed += 1
        elif problem.startswith("speaks as"):
            dropped.add((g, i))
            cut = grounding.strip_citations(old)[:70]
            notes.append(f"{plan.spec.id}: cut a line in the source's first person: {cut}")
    for g, i in sorted(dropped, reverse=True):
        del groups[g][i]
    notes.append(f"{plan.spec.id}: rewrote {fixed} of {len(todo)} lines that copied a source or spoke as one")
    return notes


def one_line_per_thin_source(lines: list[str], thin: set[int]) -> tuple[list[str], list[str]]:
    """A headline-only source yields one sentence: a second line resting only on thin sources already used goes."""
    used: set[int] = set()
    kept: list[str] = []
    cut: list[str] = []
    for line in lines:
        cited = set(grounding.citations(line))
        if cited and cited <= thin and cited <= used:
            cut.append(f"a second line from a headline-only source: {grounding.strip_citations(line)[:70]}")
            continue
        used |= cited & thin
        kept.append(line)
    return kept, cut


def restates(line: str, part: StoryPart) -> bool:
    """Whether a line written from headline-only sources says no more than the headlines and outlets do: at least
    70% of its content words come from them (a model padding a headline invents the rest)."""
    return says_no_more(line, part.sources)


def says_no_more(line: str, sources: list[PromptSource]) -> bool:
    known = set().union(*(editorial.content_words(f"{s.title} {s.outlet} {s.text}") for s in sources))
    words = editorial.content_words(line)
    return not words or len(words & known) >= 0.7 * len(words)


def thin_gate(lines: list[str], plan: Plan) -> tuple[list[str], list[str]]:
    """Lines resting only on headline-only sources: one a source, and only what the headlines say."""
    thin = {s.n: s for s in plan.prompt_sources if s.thin}
    lines, cut = one_line_per_thin_source(lines, set(thin))
    kept = []
    for line in lines:
        cited = set(grounding.citations(line))
        if cited and cited <= set(thin) and not says_no_more(line, [thin[n] for n in cited]):
            cut.append(f"more than its headline-only source says: {grounding.strip_citations(line)[:70]}")
            continue
        kept.append(line)
    return kept, cut


def headline_line(part: StoryPart) -> str:
    """A headline-only story said as its headline, quoted and attributed: nothing added."""
    return published_line(part.sources[0], part.numbers[0])


def published_line(source: PromptSource, n: int) -> str:
    """``Outlet published "Headline" [n].``: a source said as its headline, the one line that adds nothing."""
    return f'{source.outlet} published "{grounding.plain(source.title).strip().rstrip(".")}" [{n}].'


def _lead(title: str) -> str:
    title = title.strip().rstrip(".:")
    return title[0].lower() + title[1:] if len(title) > 1 and title[1].islower() else title


def segment_intro(config: Config, plan: Plan) -> str:
    """The host's spoken line into a segment, the kind's own (``pipeline.kinds``: "Let's turn to research picks."),
    "Let's start with ..." for the first after the cold open, and the greeting when it opens the show."""
    title = _lead(plan.spec.title)
    if plan.first:
        return f"This is {config.show.title}, I'm {config.show.host}. Let's start with {title}."
    after_open = any(spec.title == plan.previous and spec.kind == "cold_open" for spec in config.segments)
    if after_open:
        return f"Let's start with {title}."
    return KINDS[plan.spec.kind].intro.format(title=title)


def segment_outro(config: Config, plan: Plan) -> str:
    """The host's spoken line out of a segment: the goodbye when it ends the show, else the kind's own, if any
    ("That's it for top headlines.")."""
    if plan.last:
        return f"That's all for today from {config.show.title}."
    return KINDS[plan.spec.kind].outro.format(title=_lead(plan.spec.title))


def draft_by_story(config: Config, llm: LLMClient, plan: Plan, *, feedback: str | None = None,
                   previous_text: str | None = None) -> Drafted:
    """A multi-story segment drafted one call per story, assembled here; a story whose call fails is left out
    (and said so) unless every story fails. The spoken script is the text made speakable, with an intro line."""
    parts = story_parts(plan)
    if not parts:
        raise LLMOutputError("the segment has no sources to write from", subject=plan.spec.id)
    context = story_context(plan, len(parts))
    stories: list[list[str]] = []
    owners: list[StoryPart] = []
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
        most = 1 if all(source.thin for source in part.sources) else int(context["max_sentences"])  # type: ignore[call-overload]
        lines, cut = keep_lines(cited_lines(sentences), plan, seen, most)
        lines, more = one_line_per_thin_source(lines, {s.n for s in plan.prompt_sources if s.thin})
        notes += [f"{plan.spec.id}/{part.story_id}: cut {why}" for why in [*cut, *more]]
        stories.append(lines)
        owners.append(part)
        hashes.append(digest)
    if not owners:
        raise failure or LLMOutputError("the model wrote nothing for any story", subject=plan.spec.id)
    notes += rewrite_lines(config, llm, plan, stories)
    for index, (part, lines) in enumerate(zip(owners, stories, strict=True)):
        thin = all(source.thin for source in part.sources)
        if not lines or (thin and not restates(lines[0], part)):
            notes.append(f"{plan.spec.id}/{part.story_id}: said as its headline (the model's lines were cut, or "
                         "added to a headline-only source)")
            stories[index] = [headline_line(part)]
    if plan.spec.kind == "quick_hits":
        text = "\n".join(f"- {' '.join(lines)}" for lines in stories)
    else:
        text = "\n\n".join(" ".join(lines) for lines in stories)
    segment = Segment(
        id=plan.spec.id, kind=plan.spec.kind, title=plan.spec.title, story_ids=plan.story_ids, sources=plan.sources,
        text=text, target_words=plan.spec.target_words,
        prompt_hash=hashlib.sha256("".join(hashes).encode()).hexdigest(), model=llm.model,
    )
    return Drafted(segment, notes)


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
    sources = grounding.Sources(plan.texts, plan.published, known=own_names)
    flags = grounding.check_segment(segment.text, segment.script, sources, framing=segment.kind in FRAMING)
    framing = segment.kind in FRAMING
    made = made_lines(segment.text, framing) | made_lines(segment.script, framing)
    flags = [f for f in flags if grounding.strip_citations(f.sentence).strip() not in made]
    flags += editorial_flags(plan, segment, flags, made)
    extra = length_flag(segment)
    return [*flags, *([extra] if extra else [])]


_MADE = re.compile(r"^(?:\*\*)?(?:Today's question:|The case that it is\.|The case against\.|What to watch\.|"
                   r"Today's reports (?:offer|make) little)")
# The greeting and goodbye (pieces.goodbye, voice_segment): exempt only in the framing segments that carry them.
_FRAME = re.compile(r"^(?:That's .{3,80} for (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, [A-Z][a-z]+ \d{1,2}\.$|"
                    r"I'm [A-Z][\w .'-]{1,60}\.$|Thanks for listening, and see you tomorrow\.$|This is .{3,80}\.$)")


def made_lines(text: str, framing: bool = False) -> set[str]:
    """Lines the writer makes in code (the debate's question and labels; in a framing segment, the greeting and
    goodbye): they make no claim, so they are neither cited nor checked."""
    return {line.strip() for line in grounding.split_sentences(text) if not grounding.citations(line)
            and (_MADE.search(line.strip()) or (framing and _FRAME.search(line.strip())))}


def editorial_flags(plan: Plan, segment: Segment, already: list[Flag], made: set[str]) -> list[Flag]:
    """Flags for what a producer would cut: a sentence copying 12+ words of its source outside quotation marks,
    a headline-only source padded past one sentence, a fragment, the source's first person in the host's voice
    (each once per sentence, and not where the grounding checks raised the same kind)."""
    thin = {source.n for source in plan.prompt_sources if source.thin}
    taken: set[tuple[str, str]] = {(flag.kind, flag.sentence) for flag in already}
    per_thin: dict[int, int] = {}
    flags: list[Flag] = []

    def add(kind: str, sentence: str, span: str, message: str, severity: str = "medium") -> None:
        if (kind, sentence) in taken:
            return
        digest = hashlib.sha1(f"{kind}|text|{sentence}|{span}".encode()).hexdigest()[:10]
        flags.append(
            Flag(
                id=f"f-{digest}",
                kind=kind,
                field="text",
                sentence=sentence,
                span=span,
                message=message,
                severity=severity,
            )
        )
        taken.add((kind, sentence))

    for sentence in grounding.split_sentences(segment.text):
        if grounding.strip_citations(sentence).strip() in made:
            continue
        cited = [n for n in grounding.citations(sentence) if n in plan.texts]
        copied = editorial.copies(sentence, [plan.texts[n] for n in cited])
        if copied:
            add("verbatim", sentence, copied, f"copies {len(copied.split())} words of its source in a row: say it "
                "in our words, or quote and attribute it")
        if cited and all(n in thin for n in cited):
            for n in cited:
                per_thin[n] = per_thin.get(n, 0) + 1
            if any(per_thin[n] > 1 for n in cited):
                add("thin_source", sentence, "", "rests on a headline-only source that already gave one sentence: "
                    "anything more is not in the source", "high")
        why = editorial.fragment(sentence)
        if why:
            add("fragment", sentence, "", f"not a complete sentence ({why})", "high")
        person = editorial.first_person(sentence)
        if person:
            add(
                "first_person", sentence, person, f"speaks as the source ('{person}'): the host reports on them", "high"
            )
    return flags


def keep_resolutions(new: list[Flag], old: list[Flag]) -> list[Flag]:
    """An editor's verdict on a flag survives a re-draft that raises the same flag again."""
    verdicts = {flag.id: flag for flag in old if flag.resolved}
    return [
        flag.model_copy(
            update={k: getattr(verdicts[flag.id], k) for k in ("resolved", "resolution", "note", "resolved_by")}
        )
        if flag.id in verdicts
        else flag
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
        """The segment's text (no script yet: ``voice`` writes it after the episode-level checks)."""
        if self._stop is not None:
            return failed_segment(plan, self._stop), [], self._stop
        try:
            drafted = draft_segment(self.config, self.llm, plan, voice=False)
        except BudgetExceededError as exc:
            with self._lock:
                self._stop = self._stop or exc
            return failed_segment(plan, exc), [], exc
        except LLMError as exc:
            return failed_segment(plan, exc), [], exc
        return drafted.segment, drafted.notes, None

    def voice(self, plan: Plan, segment: Segment, old: Segment | None) -> tuple[Segment, list[str]]:
        """The script and flags of a drafted segment, its history carried over from the old one."""
        drafted = Drafted(segment)
        voice_segment(self.config, self.llm, plan, drafted)
        if drafted.budget_spent:
            with self._lock:
                self._stop = self._stop or BudgetExceededError("the run's token or cost budget is spent",
                                                                subject=plan.spec.id)
        return carry_history(drafted.segment, old), drafted.notes

    @property
    def stopped(self) -> BudgetExceededError | None:
        return self._stop


def episode_meta(config: Config, llm: LLMClient, day: str, segments: list[Segment],
                 on_error: Callable[[Exception], None]) -> tuple[str, str]:
    """The episode's title and one-paragraph description; a plain fallback if the model fails."""
    # The lead story first: the deep dive's (the day's biggest), then the running order.
    live = sorted((s for s in segments if s.status == "drafted"), key=lambda s: KINDS[s.kind].fill_order != 0)
    heads = [{"title": _spec_title(config, s), "headline": _headline(s)} for s in live if s.kind not in FRAMING]
    heads = heads or [{"title": _spec_title(config, s), "headline": _headline(s)} for s in live]
    fallback_title = heads[0]["headline"] if heads else config.show.title
    if not heads:
        return fallback_title, ""
    lead = grounding.strip_citations((grounding.split_sentences(live[0].text) or [""])[0]).strip()
    others = "; ".join(h["headline"] for h in heads[1:4])
    fallback = (fallback_title, " ".join(part for part in (lead, f"Also today: {others}." if others else "") if part))
    user = render(config, "episode.j2", date=day, segments=heads)
    messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
    try:
        answer = llm.structured(messages, EpisodeDraft, purpose="episode")
    except LLMError as exc:
        on_error(exc)
        return fallback
    title, description = answer.value.title.strip(), answer.value.description.strip()
    told = grounding.SourceIndex.of([*(s.text for s in live), *(h["headline"] for h in heads), config.show.title])
    if says_more(description, told):  # "...potentially leading to increased revenue": the feed says only the news
        return title, fallback[1]
    return title, description


def says_more(text: str, told: grounding.SourceIndex) -> bool:
    """Whether any sentence of ``text`` states a number, name or quote, or a clause of detail, that ``told`` lacks."""
    for sentence in grounding.split_sentences(text):
        if grounding.padded_clause(sentence, told):
            return True
        if any(not grounding.supported(claim, told) for claim in grounding.claims_of(sentence)):
            return True
    return False


def _headline(segment: Segment) -> str:
    """What a segment is about, for the episode's title: its first story's headline that reads as news (one story a
    segment: more made a small model's description too long)."""
    from pipeline.draft.pieces import best_headline

    if not segment.sources:
        return as_data(segment.title)
    first = segment.story_ids[0] if segment.story_ids else segment.sources[0].story_id
    return attribute(best_headline([ref.title for ref in segment.sources if ref.story_id == first])
                     or segment.sources[0].title)


def _spec_title(config: Config, segment: Segment) -> str:
    try:
        return config.segment(segment.id).title
    except KeyError:
        return segment.title


__all__ = [
    "published_line",
    "says_more",
    "PER_STORY",
    "DraftSentence",
    "rewrite_lines",
    "Drafter",
    "EpisodeDraft",
    "Plan",
    "ScriptDraft",
    "SegmentDraft",
    "StoryDraft",
    "build_text",
    "check",
    "dedupe_episode",
    "draft_by_story",
    "draft_segment",
    "episode_meta",
    "keep_lines",
    "plan_from_segment",
    "plan_segments",
    "story_parts",
    "voice_segment",
]
