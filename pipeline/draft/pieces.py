"""The segments that are more than a list of stories: the deep dive, the debate, the cold open and the sign-off.

- **Beats** (deep dive, debate): one call per beat over the same sources, which come first in the prompt so the
  model server reuses them as a cached prefix; each beat sees what was already said. The deep dive reads all the
  story's outlets, excerpts ranked by what each adds (``ranked_excerpts``). The debate is one argued piece: the
  day's question (in code), the case that open AI is falling behind, the case against, what to watch; quotes from
  the sources are added verbatim with the speaker's name; a side the sources do not support is said so in a line.
- **Teaser** (cold open): one line for each of three stories from three different segments, no detail.
- **Sign-off**: one line on what to watch, then a goodbye made in code (show and host), so it always says goodbye.

Every sentence the model writes passes the writer's editorial gate (``writer.keep_lines``): fragments, the
source's first person, copied runs and repeats are retried once or cut.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import JsonDict

from pipeline.config import Config
from pipeline.curate.text import lean
from pipeline.draft import editorial, grounding
from pipeline.draft.llm import LLMClient
from pipeline.draft.prompts import PromptSource, as_data, attribute, outlet_name, render
from pipeline.draft.writer import (
    GUARDED,
    Drafted,
    DraftSentence,
    Plan,
    StoryDraft,
    cited_lines,
    keep_lines,
    published_line,
    rewrite_lines,
    thin_gate,
)
from pipeline.errors import LLMError, LLMOutputError
from pipeline.models import Segment

QUESTION = "Is open-source AI falling behind closed AI?"
_FUTURE = re.compile(r"\b(?:will|next|expected|plans?|deadline|vote|takes effect|effective|later this|coming|"
                     r"due|upcoming|scheduled|by (?:January|February|March|April|May|June|July|August|September|"
                     r"October|November|December))\b", re.IGNORECASE)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class BeatDraft(StoryDraft):
    """One beat's sentences; a debate side or a 'what next' beat may be empty when the sources offer nothing."""

    sentences: list[DraftSentence] = Field(max_length=8)


@lru_cache(maxsize=16)
def beat_schema(most: int, allow_empty: bool, least: int = 1) -> type[BeatDraft]:
    """``least`` to ``most`` sentences, none only when allowed. The bounds are in the schema, so llama.cpp's grammar
    holds a small model to them (asked for six sentences, the 1.5B wrote one); validation asks for one at least,
    so a server without grammars that writes fewer still gives a usable answer."""
    least = 0 if allow_empty else least
    return create_model(f"Beat{least}to{most}", __base__=BeatDraft,
                        sentences=(list[DraftSentence],
                                   Field(min_length=min(1, least), json_schema_extra={"minItems": least,
                                                                                       "maxItems": most})))


@lru_cache(maxsize=8)
def teaser_schema(count: int) -> type[_Answer]:
    return create_model(f"Teaser{count}", __base__=_Answer,
                        lines=(list[str], Field(min_length=count, max_length=count,
                                                json_schema_extra={"minItems": count, "maxItems": count})))


# -- sources ranked by what each adds ------------------------------------------------------------------------------


def ranked_excerpts(sources: list[PromptSource], budget_tokens: int) -> list[PromptSource]:
    """Excerpts of every source within ``budget_tokens`` (chars/4): the first source keeps its lede; each later one
    keeps the sentences that bring names and numbers the earlier ones did not, in their own order."""
    budget = max(0, budget_tokens) * 4
    share = budget // max(1, len(sources))
    seen: set[str] = set()
    out: list[PromptSource] = []
    for i, source in enumerate(sources):
        sentences = grounding.split_sentences(source.text) or [source.text]
        room = share * 2 if i == 0 else share
        scored = []
        for k, sentence in enumerate(sentences):
            new = editorial.content_words(sentence) - seen
            scored.append((0 if i == 0 else -len(new), k, sentence))
        chosen: list[tuple[int, str]] = []
        used = 0
        for _, k, sentence in sorted(scored):
            if used + len(sentence) > room and chosen:
                continue
            chosen.append((k, sentence))
            used += len(sentence) + 1
        text = " ".join(sentence for _, sentence in sorted(chosen))
        for _, sentence in chosen:
            seen |= editorial.content_words(sentence)
        out.append(PromptSource(source.n, source.outlet, source.title, text, source.thin))
    return out


def beat_messages(config: Config, plan: Plan, template: str, sources: list[PromptSource], **context: object
                  ) -> list[dict[str, str]]:
    system = render(config, "system.j2")
    safe = [PromptSource(s.n, outlet_name(s.outlet), attribute(s.title), as_data(s.text), s.thin) for s in sources]
    user = render(config, template, sources=safe, segment=plan.spec, **context)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


@dataclass
class Beat:
    name: str
    share: float  # of the segment's target words
    most: int  # sentences at most
    allow_empty: bool = False
    least: int = 1  # sentences at least (the grammar holds a small model to it: asked for six, it wrote one)
    # Shown what the beats before it said, so as not to repeat it. The case against is not: its sources are
    # other reports, and shown the first side's case a small model retold it (measured on the sample day: given
    # "the first open model in the top five", it wrote the Senate letter again, cut as a repeat); the code's
    # repeat check still holds.
    sees_before: bool = True


DEEP_DIVE = [Beat("happened", 0.45, 6, least=3), Beat("context", 0.4, 5, least=2),
             Beat("next", 0.15, 2, allow_empty=True)]
DEBATE = [Beat("behind", 0.4, 3, allow_empty=True), Beat("against", 0.4, 3, allow_empty=True, sees_before=False),
          Beat("watch", 0.2, 1, allow_empty=True)]
LEAD_SOURCES = 3  # the deep dive's first beat reads the story's first outlets; the second, the others


def future_lines(sources: list[PromptSource]) -> list[PromptSource]:
    """Each source cut to its sentences about what comes next (dates, votes, plans), or left out without any."""
    out = []
    for source in sources:
        lines = [line for line in grounding.split_sentences(source.text) if _FUTURE.search(line)]
        if lines:
            out.append(PromptSource(source.n, source.outlet, source.title, " ".join(lines[:3]), source.thin))
    return out


def write_beats(config: Config, llm: LLMClient, plan: Plan, beats: list[Beat], *, budget_tokens: int,
                feedback: str | None = None, previous_text: str | None = None,
                sources_for: dict[str, list[PromptSource]] | None = None, seen: list[set[str]] | None = None,
                ) -> tuple[dict[str, list[str]], list[str], str]:
    """Each beat's kept lines (cited with the segment's numbers), notes, and a hash of the calls' prompts.

    ``sources_for`` gives a beat its own sources (a small model shown the same sources twice writes the same
    sentences twice, whatever it is told); a beat given none is skipped without a call."""
    template = plan.spec.prompt or f"{plan.spec.kind}.j2"
    everything = ranked_excerpts(plan.prompt_sources, budget_tokens)
    written: dict[str, list[str]] = {}
    notes: list[str] = []
    hashes: list[str] = []
    seen = seen if seen is not None else []
    for beat in beats:
        sources = everything if sources_for is None or beat.name not in sources_for else sources_for[beat.name]
        if not sources:
            written[beat.name] = []
            continue
        target = max(20, round(plan.spec.target_words * beat.share))
        sentences = max(1, min(beat.most, round(target / 22)))
        already = " ".join(grounding.strip_citations(line) for lines in written.values()
                           for line in lines) if beat.sees_before else ""
        context = {"beat": beat.name, "sentences": sentences, "max_sentences": beat.most, "target_words": target,
                   "already": as_data(already), "feedback": as_data(feedback or ""),
                   "previous": as_data(grounding.strip_citations(previous_text or ""))}
        messages = beat_messages(config, plan, template, sources, **context)
        try:
            # Headline-only sources give one sentence each at most, so they set no floor (forced, the model pads).
            least = max(1, min(beat.least, 2 * sum(1 for source in sources if not source.thin)))
            answer = llm.structured(messages, beat_schema(beat.most, beat.allow_empty, least),
                                    purpose=f"beat:{plan.spec.id}:{beat.name}", guard=GUARDED,
                                    max_tokens=max(200, 90 * beat.most + 80))
        except LLMError as exc:
            if beat is beats[0]:
                raise
            notes.append(f"{plan.spec.id}: the '{beat.name}' beat was left out ({exc})")
            written[beat.name] = []
            continue
        hashes.append(answer.prompt_hash)
        lines, dropped = keep_lines(cited_lines(answer.value.sentences), plan, seen, beat.most)
        lines, thin = thin_gate(lines, plan)
        dropped += thin
        notes += [f"{plan.spec.id}/{beat.name}: cut {why}" for why in dropped]
        written[beat.name] = lines
    notes += rewrite_lines(config, llm, plan, list(written.values()))
    return written, notes, "".join(hashes)


def _paragraphs(*groups: list[str]) -> str:
    return "\n\n".join(" ".join(lines) for lines in groups if lines)


def draft_deep_dive(config: Config, llm: LLMClient, plan: Plan, *, feedback: str | None = None,
                    previous_text: str | None = None) -> Drafted:
    """What happened (from the story's first outlets), what the others add or dispute (from the rest), what is
    next (from the sentences about what comes next)."""
    lead, rest = plan.prompt_sources[:LEAD_SOURCES], plan.prompt_sources[LEAD_SOURCES:]
    sources_for = {"happened": ranked_excerpts(lead, 900),
                   "context": ranked_excerpts(rest, 1000) if rest else [],
                   "next": future_lines(plan.prompt_sources)}
    written, notes, digest = write_beats(config, llm, plan, DEEP_DIVE, budget_tokens=1400, feedback=feedback,
                                         previous_text=previous_text, sources_for=sources_for)
    text = _paragraphs(written["happened"], written.get("context", []), written.get("next", []))
    if not text and plan.prompt_sources:  # every line was cut (a headline-only story): say its headline, no more
        text = published_line(plan.prompt_sources[0], plan.prompt_sources[0].n)
        notes.append(f"{plan.spec.id}: said as its headline (every line the model wrote was cut)")
    if not text:
        raise LLMOutputError("the model wrote nothing usable for the deep dive", subject=plan.spec.id)
    headline = best_headline([ref.title for ref in plan.sources if ref.story_id in plan.story_ids[:1]])
    title = f"{plan.spec.title}: {headline}" if headline else plan.spec.title
    return Drafted(_segment(plan, llm, title, text, digest), notes)


def best_headline(titles: list[str]) -> str:
    """The headline to show for a story: the first of its outlets' titles that reads as news (not in the company's
    own first person, not a bare version tag) and aloud (not parts glued with dashes or slashes), else the first."""
    clean = [grounding.plain(t).strip().rstrip(".") for t in titles if t.strip()]
    good = [t for t in clean if not editorial.first_person(t) and len(t.split()) >= 4 and not t.lower().startswith(
        ("introducing", "welcoming", "announcing"))]
    said = [t for t in good if not grounding.fragment(t + ".")]  # a headline that is a sentence ("X does Y")
    # one that reads aloud: not a title glued from parts ("License 1.1 - output clause removed, 1B/3B/7B back to
    # Apache-2.0", measured on the sample day as the cold open's line, where "Helix U-turn: small models are open
    # source again" was on offer)
    spoken = [t for t in said if not _GLUED_TITLE.search(t)]
    return (spoken or said or good or clean or [""])[0]


_GLUED_TITLE = re.compile(r"\s[-–—|·]\s|[A-Za-z0-9]/[A-Za-z0-9]")


def quote_line(plan: Plan, numbers: list[int], used: set[str]) -> str:
    """A quotation from one of ``numbers``' sources, verbatim and attributed by name, as a cited sentence."""
    for n in numbers:
        for quote in editorial.find_quotes(plan.texts.get(n, "")):
            if quote.text in used:
                continue
            used.add(quote.text)
            return f'As {quote.speaker} put it, "{quote.text}" [{n}].'
    return ""


def side_numbers(lines: list[str]) -> list[int]:
    return list(dict.fromkeys(n for line in lines for n in grounding.citations(line)))


def draft_debate(config: Config, llm: LLMClient, plan: Plan, *, feedback: str | None = None,
                 previous_text: str | None = None) -> Drafted:
    """The question, both sides' cases with their citations and a quote each where the sources have one, what to
    watch. A side with fewer than two cited claims is said to be thin rather than made up."""
    sides, notes = classify_sides(config, llm, plan)
    everything = ranked_excerpts(plan.prompt_sources, 1200)
    by_n = {source.n: source for source in everything}
    sources_for = {"behind": [by_n[n] for n in sides["behind"]], "against": [by_n[n] for n in sides["against"]],
                   "watch": future_lines(everything) or everything}
    seen = [editorial.content_words(QUESTION)]  # a line that only restates the question is no argument
    written, more, digest = write_beats(config, llm, plan, DEBATE, budget_tokens=1200, feedback=feedback,
                                        previous_text=previous_text, sources_for=sources_for, seen=seen)
    notes += more
    behind, against = written.get("behind", []), written.get("against", [])
    used: set[str] = set()
    # A side's quote comes from the sources its lines cite, else from the other reports on its side (measured on
    # the sample day: with a wrong line cut, the case that open AI is behind lost the quote its source carried).
    only_behind = [n for n in dict.fromkeys([*side_numbers(behind), *sides["behind"], *sides["behind quotes"]])
                   if n not in side_numbers(against)]
    only_against = [n for n in dict.fromkeys([*side_numbers(against), *sides["against"], *sides["against quotes"]])
                    if n not in side_numbers(behind)]
    for lines, numbers in ((behind, only_behind), (against, only_against)):
        quote = quote_line(plan, numbers, used) if lines else ""
        if quote:
            lines.append(quote)
    parts = [f"**Today's question:** {QUESTION}"]
    for label, lines, absent in (
        ("The case that it is.", behind, "Today's reports offer little evidence that open AI is falling behind."),
        ("The case against.", against, "Today's reports make little of a case that open AI is keeping up."),
    ):
        parts.append(f"**{label}** " + (" ".join(lines) if lines else absent))
        if len(side_numbers(lines)) < 1 or sum(1 for line in lines if grounding.citations(line)) < 2:
            notes.append(f"{plan.spec.id}: '{label}' has fewer than two cited claims")
    if written.get("watch"):
        parts.append("**What to watch.** " + " ".join(written["watch"]))
    if not behind and not against:
        raise LLMOutputError("the model made neither side's case from the sources", subject=plan.spec.id)
    segment = _segment(plan, llm, plan.spec.title, "\n\n".join(parts), digest)
    return Drafted(segment, notes)


class SideDraft(_Answer):
    sides: list[str]


@lru_cache(maxsize=16)
def side_schema(count: int) -> type[SideDraft]:
    item: JsonDict = {"type": "string", "enum": ["behind", "keeping_up", "neither"]}
    return create_model(f"Sides{count}", __base__=SideDraft,
                        sides=(list[str], Field(min_length=count, max_length=count,
                                                json_schema_extra={"minItems": count, "maxItems": count,
                                                                   "items": item})))


def classify_sides(config: Config, llm: LLMClient, plan: Plan) -> tuple[dict[str, list[int]], list[str]]:
    """Which sources carry evidence for which side (one short call over headlines and ledes), so that each side's
    case is written only from its own evidence. A failed call puts every source on both sides."""
    numbers = [source.n for source in plan.prompt_sources]
    items = [{"n": s.n, "title": attribute(s.title), "lede": as_data(_lede(s.text))} for s in plan.prompt_sources]
    user = render(config, "debate_sides.j2", sources=items, count=len(items), question=QUESTION)
    messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
    try:
        answer = llm.structured(messages, side_schema(len(items)), purpose=f"sides:{plan.spec.id}",
                                max_tokens=40 + 12 * len(items), temperature=0.0)
    except LLMError as exc:
        return ({"behind": numbers, "against": numbers, "behind quotes": [], "against quotes": []},
                [f"{plan.spec.id}: sides not told apart ({exc})"])
    sides = {"behind": [], "against": []}  # type: dict[str, list[int]]
    cued = {"behind": [], "against": []}  # type: dict[str, list[int]]
    texts = {s.n: f"{s.title}. {s.text}" for s in plan.prompt_sources}
    for n, guess in zip(numbers, answer.value.sides, strict=False):
        own = lean(texts[n])
        side = {"behind": "behind", "keeping_up": "against"}.get(own if own != "neither" else guess)
        if side:
            sides[side].append(n)
            if own != "neither":
                cued[side].append(n)
    # A report's own words over a small model's guess: a side with reports that argue it in so many words is
    # written from those alone (measured on the sample day: the case against, given the Senate bill by the model's
    # guess beside "the first open model in the top five", retold the bill and was cut as a repeat).
    written = {side: cued[side] or found for side, found in sides.items()}
    quoted = {f"{side} quotes": found for side, found in sides.items()}  # a side's quote may come from any of them
    return {**written, **quoted}, [
        f"{plan.spec.id}: evidence that open AI is behind {written['behind']}, keeping up {written['against']}"]


def debate_sides(text: str) -> dict[str, int]:
    """Cited sentences per side of a drafted debate ({'behind': n, 'against': n}), for checks and the bench."""
    sides = {"behind": 0, "against": 0}
    current = None
    for block in text.split("\n\n"):
        if block.startswith("**The case that it is.**"):
            current = "behind"
        elif block.startswith("**The case against.**"):
            current = "against"
        else:
            current = None
        if current:
            sides[current] += sum(1 for s in grounding.split_sentences(block) if grounding.citations(s))
    return sides


def _segment(plan: Plan, llm: LLMClient, title: str, text: str, digest: str) -> Segment:
    return Segment(id=plan.spec.id, kind=plan.spec.kind, title=title, story_ids=plan.story_ids,
                   sources=plan.sources, text=text, target_words=plan.spec.target_words,
                   prompt_hash=hashlib.sha256(digest.encode()).hexdigest(), model=llm.model)


# -- the cold open and the sign-off ----------------------------------------------------------------------------------


def _lede(text: str) -> str:
    first = (grounding.split_sentences(text) or [""])[0]
    return first[:220]


def draft_teaser(config: Config, llm: LLMClient, plan: Plan) -> Drafted:
    """One line for each teased story (the plan's stories, one source each), cited to that story's source."""
    refs = [next(ref for ref in plan.sources if ref.story_id == story_id) for story_id in plan.story_ids
            if any(ref.story_id == story_id for ref in plan.sources)]
    headlines = [best_headline([r.title for r in plan.sources if r.story_id == ref.story_id]) for ref in refs]
    stories = [{"n": i, "title": attribute(title), "lede": ""} for i, title in enumerate(headlines, 1)]
    user = render(config, "cold_open.j2", stories=stories, count=len(refs))
    messages = [{"role": "system", "content": render(config, "system.j2")}, {"role": "user", "content": user}]
    notes: list[str] = []
    answer = llm.structured(messages, teaser_schema(len(refs)), purpose=f"teaser:{plan.spec.id}", max_tokens=220)
    lines: list[str] = []
    for ref, headline, line in zip(refs, headlines, answer.value.lines, strict=False):  # type: ignore[attr-defined]
        line = re.sub(r"\s+", " ", grounding.strip_citations(line)).split(" - ")[0].strip().rstrip(".!") + "."
        problem = editorial.fragment(line) or grounding.fragment(line)
        if problem or editorial.first_person(line):
            notes.append(f"{plan.spec.id}: a teaser was replaced by its headline ({problem or 'first person'})")
            line = headline + "."
        lines.append(f"{line[:-1]} [{ref.n}].")
    return Drafted(_segment(plan, llm, plan.spec.title, "\n".join(f"- {line}" for line in lines),
                            answer.prompt_hash), notes)


def goodbye(config: Config, day: str | None) -> str:
    when = ""
    if day:
        parsed = date.fromisoformat(day)
        when = f" for {parsed.strftime('%A')}, {parsed.strftime('%B')} {parsed.day}"
    return f"That's {config.show.title}{when}. I'm {config.show.host}. Thanks for listening, and see you tomorrow."


def watch_story(story_ids: list[str], texts: dict[str, str], avoid: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    """The story with the most to watch (future markers in its text) for the sign-off's last line; on a tie, one
    the cold open did not tease (``avoid``), then the earlier in running order."""
    scored = sorted(story_ids, key=lambda sid: (-len(_FUTURE.findall(texts.get(sid, ""))), sid in avoid))
    return scored[0] if scored else None


__all__ = ["DEBATE", "DEEP_DIVE", "QUESTION", "debate_sides", "draft_debate", "draft_deep_dive", "draft_teaser",
           "goodbye", "ranked_excerpts", "watch_story"]
