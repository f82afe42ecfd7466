"""The semantic verifier: a model reads each sentence beside the excerpts it cites and says whether they support it.

What a bag of values cannot see, a reader can: two names or two numbers swapped, a negation added or dropped, a
claim given to the wrong outlet, a headline padded into detail. For each sentence the model answers, as structured
output, ``supported`` / ``partly`` / ``not_supported`` with the span of the source its verdict rests on;
``not_supported`` becomes a high-severity ``unverified`` flag, ``partly`` a medium one.

    verify_segment(config, llm, plan, segment) -> Checked      flags for one drafted segment
    verify_meta(config, llm, title, description, segments)     flags for the episode's title and description
    open_verifier(config, store, drafting)                      the client to check with (the drafting one by default)

Calls are few: a segment's text sentences are checked in one call per story (the sentences that cite it, beside
excerpts of its sources chosen for those sentences), and the spoken script only where it is not the text made
speakable (one call per segment, against the segment's text). Everything goes through pipeline.draft.llm, so it
is cached, logged and budgeted like drafting; a re-run asks nothing. A failed call is a note, never a lost draft.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from pipeline.config import Config, LocalModel
from pipeline.draft import grounding
from pipeline.draft.llm import LLMClient, open_llm
from pipeline.draft.prompts import PromptSource, as_data, attribute, render
from pipeline.draft.script import speakable
from pipeline.errors import ConfigError, LLMError
from pipeline.models import Flag, Segment

if TYPE_CHECKING:
    from pipeline.draft.writer import Plan
    from pipeline.store import Store

log = logging.getLogger(__name__)

VerdictName = Literal["supported", "partly", "not_supported"]
SAME_AS_TEXT = 0.85  # a script sentence this close to a text sentence (word sequence ratio) shares its verdict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Verdict(_Answer):
    n: int = Field(ge=1, le=12)
    verdict: VerdictName
    evidence: str = Field("", max_length=300)


class Verdicts(_Answer):
    verdicts: list[Verdict] = Field(min_length=1, max_length=12)


@lru_cache(maxsize=16)
def verdicts_schema(count: int) -> type[Verdicts]:
    """Verdicts for exactly ``count`` sentences: the bounds reach llama.cpp's grammar, so a small model cannot stop
    early (the 1.5B left out the last sentence of a call now and then). An answer with fewer is still accepted."""
    return create_model(f"Verdicts{count}", __base__=Verdicts, verdicts=(
        list[Verdict], Field(min_length=1, json_schema_extra={"minItems": count, "maxItems": count})))


@dataclass
class Checked:
    """What a verification found: flags for the editor, notes for the run report."""

    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sentences: int = 0  # sentences judged (from a call or shared with the text)


# -- which model ------------------------------------------------------------------------------------------------


def verifier_config(config: Config) -> Config:
    """The config whose ``llm`` the verifier runs on: the drafting one unless ``verify`` points elsewhere."""
    settings = config.verify
    if settings.backend is None and settings.model is None and settings.base_url is None \
            and settings.api_key_env is None:
        return config
    llm = config.llm
    backend = settings.backend or llm.backend
    update: dict[str, object] = {"backend": backend}
    if backend == "local":
        try:
            local = LocalModel.model_validate({**llm.local.model_dump(), "model": settings.model or llm.local.model})
        except ValidationError:
            from typing import get_args

            names = get_args(LocalModel.model_fields["model"].annotation)
            raise ConfigError(f"verify.model {settings.model!r} is not an embedded model",
                              hint=f"use one of: {', '.join(names)}, or set verify.backend") from None
        update |= {"local": local, "model": "local", "base_url": None}
    else:
        base_url = settings.base_url or (llm.base_url if backend == llm.backend else None)
        if backend == "compatible" and not base_url:
            raise ConfigError("verify.backend is 'compatible' but no verify.base_url is set",
                              hint="set verify.base_url, e.g. http://localhost:11434/v1")
        update |= {"model": settings.model or llm.model, "base_url": base_url}
    if settings.api_key_env:
        update["api_key_env"] = settings.api_key_env
    return config.model_copy(update={"llm": llm.model_copy(update=update)})


@contextmanager
def open_verifier(config: Config, store: Store, drafting: LLMClient | None = None) -> Iterator[LLMClient]:
    """The client to verify with: ``drafting`` itself when the verifier uses the same model (one server, one
    budget), else a client of its own for ``verify``'s model, closed on exit."""
    checked = verifier_config(config)
    if drafting is not None and checked is config:
        yield drafting
        return
    with open_llm(checked, store) as llm:
        yield llm


# -- what is asked ------------------------------------------------------------------------------------------------


@dataclass
class Unit:
    """One call: sentences of one field and the sources they must rest on."""

    field: str  # "text" or "script"
    sentences: list[str]  # as they stand in the segment (flags quote them)
    sources: list[PromptSource]
    where: str  # for messages: "[1], [2]" or "the segment's text"


def excerpt(text: str, sentences: Sequence[str], chars: int) -> str:
    """The parts of a source that bear on ``sentences``, in the source's order, within ``chars``: its first line
    (the headline), then its sentences by the words they share with ours (a fact may sit deep in an article)."""
    if len(text) <= chars:
        return text
    lines = text.split("\n")
    head, body = lines[0], " ".join(lines[1:])
    parts = grounding.split_sentences(body) or [body]
    wanted = set().union(*(grounding._content(s) for s in sentences)) if sentences else set()
    ranked = sorted(range(len(parts)), key=lambda i: (-len(grounding._content(parts[i]) & wanted), i))
    chosen: set[int] = set()
    room = chars - len(head) - 1
    for i in ranked:
        if len(parts[i]) + 1 > room:
            continue
        chosen.add(i)
        room -= len(parts[i]) + 1
    picked = [parts[i] for i in sorted(chosen)]
    return "\n".join([head, " ".join(picked)]) if picked else head


def _claimless(sentence: str, made: set[str]) -> bool:
    """A line that states nothing to check: one the writer made in code, or a short one with no claim."""
    bare = grounding.strip_citations(sentence).strip()
    return bare in made or (len(bare.split()) < 6 and not grounding.claims_of(sentence))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", grounding.strip_citations(text).lower())


def units(config: Config, plan: Plan, segment: Segment, made: set[str]) -> tuple[list[Unit], dict[str, str]]:
    """The calls for one segment, and the script sentences that share a text sentence's verdict (script -> text)."""
    budget = config.verify.excerpt_tokens * 4
    per_call = config.verify.sentences_per_call
    story_of = {ref.n: ref.story_id for ref in plan.sources}
    by_n = {source.n: source for source in plan.prompt_sources}
    groups: dict[str, list[tuple[str, list[int]]]] = {}
    texts = []
    for sentence in grounding.split_sentences(segment.text):
        refs = [n for n in dict.fromkeys(grounding.citations(sentence)) if n in plan.texts]
        if not refs or _claimless(sentence, made):
            continue  # uncited lines are the lexical check's (uncited); made lines state nothing
        texts.append(sentence)
        groups.setdefault(story_of.get(refs[0], ""), []).append((sentence, refs))
    found: list[Unit] = []
    for members in groups.values():
        for start in range(0, len(members), per_call):
            chunk = members[start : start + per_call]
            refs = list(dict.fromkeys(n for _, numbers in chunk for n in numbers))
            sentences = [sentence for sentence, _ in chunk]
            share = max(200, budget // len(refs))
            sources = [PromptSource(n, by_n[n].outlet if n in by_n else "", by_n[n].title if n in by_n else "",
                                    excerpt(plan.texts[n], sentences, share)) for n in refs]
            found.append(Unit("text", sentences, sources, ", ".join(f"[{n}]" for n in refs)))
    spoken = {" ".join(_words(speakable(t))): t for t in texts}
    shared: dict[str, str] = {}
    rest: list[str] = []
    for sentence in grounding.split_sentences(segment.script):
        if _claimless(sentence, made):
            continue
        words = _words(sentence)
        best = max(spoken, key=lambda key: difflib.SequenceMatcher(None, key.split(), words).ratio(), default=None)
        if best is not None and difflib.SequenceMatcher(None, best.split(), words).ratio() >= SAME_AS_TEXT:
            shared[sentence] = spoken[best]
        else:
            rest.append(sentence)
    if rest:
        text = grounding.strip_citations(segment.text)
        shown = excerpt(f"{segment.title}\n{text}", rest, budget)
        source = PromptSource(1, "this segment's text", segment.title, shown)
        for start in range(0, len(rest), per_call):
            found.append(Unit("script", rest[start : start + per_call], [source], "the segment's text"))
    return found, shared


def _messages(config: Config, unit: Unit) -> list[dict[str, str]]:
    safe = [PromptSource(s.n, attribute(s.outlet), attribute(s.title), as_data(s.text)) for s in unit.sources]
    against = "sources" if unit.field == "text" else "segment's text"
    user = render(config, "verify.j2", sources=safe, against=against,
                  sentences=[as_data(grounding.strip_citations(s)).replace("\n", " ") for s in unit.sentences])
    return [{"role": "user", "content": user}]


def _evidence(verdict: Verdict, unit: Unit, sentence: str) -> str:
    """The model's evidence when the sources really hold it; else the nearest source sentence (or '')."""
    said = verdict.evidence.strip().strip('"“”')
    texts = [s.text for s in unit.sources]
    if said and grounding._alnum(said) and grounding._alnum(said) in grounding._alnum("\n".join(texts)):
        return said
    return grounding.nearest(sentence, grounding.SourceIndex.of(texts))


def _flag(verdict: Verdict, unit: Unit, sentence: str, field: str, model: str) -> Flag | None:
    if verdict.verdict == "supported":
        return None
    evidence = _evidence(verdict, unit, sentence)
    what = "not supported by" if verdict.verdict == "not_supported" else "only partly supported by"
    said = f"; the nearest it comes: {evidence!r}" if evidence else "; nothing there bears on it"
    return grounding.make_flag(
        "unverified", field, sentence, verdict.verdict,
        f"the semantic check ({model}) found this {what} {unit.where}{said}",
        severity="high" if verdict.verdict == "not_supported" else "medium", evidence=evidence)


def ask(config: Config, llm: LLMClient, unit: Unit) -> dict[int, Verdict]:
    """The verdicts of one call, by sentence number (1-based); raises LLMError when no usable answer came."""
    answer = llm.structured(
        _messages(config, unit),
        verdicts_schema(len(unit.sentences)),
        purpose=f"verify:{unit.field}",
        max_tokens=config.verify.max_tokens,
        temperature=0.0,
    )
    verdicts: dict[int, Verdict] = {}
    for verdict in answer.value.verdicts:
        if 1 <= verdict.n <= len(unit.sentences):
            verdicts.setdefault(verdict.n, verdict)
    return verdicts


def _run(config: Config, llm: LLMClient, found: list[Unit], subject: str) -> tuple[Checked, dict[str, Flag | None]]:
    checked = Checked()
    by_sentence: dict[str, Flag | None] = {}
    for unit in found:
        try:
            verdicts = ask(config, llm, unit)
        except LLMError as exc:
            checked.notes.append(f"{subject}: {len(unit.sentences)} {unit.field} sentence(s) not verified ({exc})")
            continue
        for i, sentence in enumerate(unit.sentences, 1):
            if i not in verdicts:
                checked.notes.append(f"{subject}: the verifier gave no verdict on {sentence[:60]!r}")
                continue
            checked.sentences += 1
            flag = _flag(verdicts[i], unit, sentence, unit.field, llm.model)
            by_sentence[sentence] = flag
            if flag is not None:
                checked.flags.append(flag)
    return checked, by_sentence


def verify_segment(config: Config, llm: LLMClient, plan: Plan, segment: Segment) -> Checked:
    """Flags for what a drafted segment's sentences say that their sources do not (text, then script)."""
    from pipeline.draft.writer import made_lines
    from pipeline.kinds import FRAMING

    if segment.status != "drafted" or not (segment.text or segment.script):
        return Checked()
    framing = segment.kind in FRAMING
    made = made_lines(segment.text, framing) | made_lines(segment.script, framing)
    found, shared = units(config, plan, segment, made)
    checked, by_sentence = _run(config, llm, found, segment.id)
    for spoken, written in shared.items():
        if written not in by_sentence:
            continue
        checked.sentences += 1
        flag = by_sentence[written]
        if flag is not None:
            checked.flags.append(grounding.make_flag(
                "unverified", "script", spoken, flag.span, flag.message + " (said in the script as in the text)",
                severity=flag.severity, evidence=flag.evidence))
    return checked


DRIFT = 0.5  # share of a description sentence's content words that no segment uses: it is about something else


def drift(sentences: Sequence[str], index: grounding.SourceIndex, title: str = "") -> list[Flag]:
    """Title or description sentences that are mostly about what no segment says ("the cost reduction of a space
    mission" for an AI model's price cut): half their content words (three at least) appear in no segment."""
    flags = []
    common = {"today", "todays", "episode", "headlines", "top", "stories", "story", "news", "brief", "daily", "also",
              "plus", "more", "focus", "look", "covers", "cover", "roundup", "week", "day", "latest", "which", "while"}
    for sentence in sentences:
        words = {w for w in grounding._content(sentence) if w not in common and not w.isdigit()}
        missing = sorted(w for w in words if not index.has_word(w))
        if len(missing) >= 3 and len(missing) >= DRIFT * len(words):
            where = "episode title" if sentence == title else "episode description"
            flags.append(grounding.make_flag(
                "unverified", "text", sentence, "drift",
                f"{where}: {len(missing)} of its {len(words)} words appear in no segment ({', '.join(missing[:6])}):"
                " it may be about something the episode does not say", severity="high"))
    return flags


def verify_meta(config: Config, llm: LLMClient | None, title: str, description: str,
                segments: Sequence[Segment], known: str = "") -> Checked:
    """Flags for the episode's title and description: each must say only what the segments say. The lexical
    checks always run; the semantic one when ``llm`` is given."""
    live = [s for s in segments if s.status == "drafted" and s.text]
    if not live or not (title or description):
        return Checked()
    texts = {i: f"{s.title}\n{grounding.strip_citations(s.text)}" for i, s in enumerate(live, 1)}
    sentences = [line for line in [title.strip(), *grounding.split_sentences(description)] if line]
    checked = Checked()
    index = grounding.SourceIndex.of([*texts.values(), known])
    known_index = grounding.SourceIndex.of([known]) if known else None
    for sentence in sentences:
        where = "episode title" if sentence == title.strip() else "episode description"
        for claim in grounding.claims_of(sentence):
            if grounding.supported(claim, index) or (known_index and claim.kind in ("entity", "attribution")
                                                     and grounding.supported(claim, known_index)):
                continue
            checked.flags.append(grounding.make_flag(
                grounding._KINDS[claim.kind], "text", sentence, claim.span,
                f"{where}: {grounding._WHAT[claim.kind]} {claim.span!r} is in none of the episode's segments",
                evidence=grounding.nearest(sentence, index)))
    checked.flags += drift(sentences, index, title.strip())
    if llm is None:
        return checked
    budget = config.verify.excerpt_tokens * 4
    share = max(200, budget // len(texts))
    sources = [
        PromptSource(i, "segment", live[i - 1].title, excerpt(text, sentences, share)) for i, text in texts.items()
    ]
    unit = Unit("text", sentences[: config.verify.sentences_per_call], sources, "the episode's segments")
    semantic, _ = _run(config, llm, [unit], "episode")
    checked.flags += semantic.flags
    checked.notes += semantic.notes
    checked.sentences += semantic.sentences
    return checked


__all__ = ["Checked", "Verdict", "Verdicts", "excerpt", "open_verifier", "units", "verifier_config", "verify_meta",
           "verify_segment"]
