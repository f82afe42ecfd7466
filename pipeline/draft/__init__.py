"""Draft: the rundown's stories become written segments, a spoken script, a title and checked claims.

    draft(config, store, day) -> StageResult          every segment with material, episode.json + draft.md
    regenerate_segment(config, store, episode, id)    one segment again, with the editor's feedback
    draft_fingerprint(config, rundown)                what a draft is made of (the run skips an unchanged one)
    open_llm(config, store)                           the LLM client (pipeline.draft.llm) for other callers

Human edits win: a segment an editor changed (``edited_by_human``) or dropped is never re-drafted here.
"""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from datetime import date as Date

from pipeline import files, progress
from pipeline.config import Config
from pipeline.draft.llm import LLMClient, open_llm
from pipeline.draft.prompts import template_hash
from pipeline.draft.script import words
from pipeline.draft.verify import open_verifier, verify_meta, verify_segment
from pipeline.draft.writer import (
    FRAMING,
    Drafter,
    Plan,
    check,
    dedupe_episode,
    draft_segment,
    episode_meta,
    keep_resolutions,
    own_names,
    plan_from_segment,
    plan_segments,
)
from pipeline.errors import ConfigError, EpisodeNotFoundError, LLMError, NothingUsableError, ReviewError
from pipeline.fingerprint import inputs_digest
from pipeline.models import (
    Episode,
    Failure,
    Flag,
    Provenance,
    Rundown,
    Segment,
    StageResult,
    Story,
    refuse_replacing_edits,
)
from pipeline.store import Store

log = logging.getLogger(__name__)

__all__ = ["draft", "draft_fingerprint", "open_llm", "recheck_segment", "regenerate_segment"]


def _existing(config: Config, day: Date) -> Episode | None:
    try:
        return files.load_episode(config.episodes_dir, day)
    except EpisodeNotFoundError:
        return None


def _kept(segment: Segment | None) -> bool:
    """A segment this run must leave alone: an editor changed it or dropped it."""
    return segment is not None and (segment.edited_by_human or segment.status == "dropped")


def _order(config: Config, segments: list[Segment]) -> list[Segment]:
    rank = {spec.id: i for i, spec in enumerate(config.segments)}
    return sorted(segments, key=lambda s: rank.get(s.id, len(rank)))


def _prompt_hashes(config: Config, plans: list[Plan]) -> dict[str, str]:
    names = {"system.j2", "_segment.j2", "_story.j2", "script.j2", "episode.j2"}
    names |= {"verify.j2"} if config.verify.enabled else set()
    names |= {plan.spec.prompt or f"{plan.spec.kind}.j2" for plan in plans}
    return {name: template_hash(config, name) for name in sorted(names)}


def draft_fingerprint(config: Config, rundown: Rundown | None) -> str:
    """The draft's inputs: the stories, their sources and where they go (not their scores, which age), the model
    settings that change an answer, the prompt files and the segment specs. The run redrafts when it changes."""
    llm = config.llm.model_dump(exclude={"budget", "timeout", "concurrency"})
    material = rundown and (rundown.segments, [(s.id, s.title, s.segment, [x.item_id for x in s.sources])
                                               for s in rundown.stories])
    prompts = sorted(config.prompts_dir.glob("*.j2"))
    prompts_digest = inputs_digest([(f.name, hashlib.sha256(f.read_bytes()).hexdigest()) for f in prompts])
    return inputs_digest(material, llm, prompts_digest,
                         config.segments and [spec.model_dump() for spec in config.segments])


def draft(config: Config, store: Store, day: Date) -> StageResult:
    """Draft the day's episode from its rundown; write episode.json and draft.md."""
    started = time.monotonic()
    rundown = files.load_rundown(config.episodes_dir, day)
    if rundown is None:
        raise NothingUsableError("no rundown for this date, so nothing to draft", subject=day.isoformat(),
                                 hint=f"run 'briefcast curate --date {day}' first")
    if not rundown.stories:
        raise NothingUsableError("the day's rundown has no stories", subject=day.isoformat(),
                                 hint="check 'briefcast ingest' found items in the window, then curate again")
    existing = _existing(config, day)
    old = {s.id: s for s in existing.segments} if existing else {}
    plans = plan_segments(config, store, rundown)
    result = StageResult(stage="draft")
    segments: dict[str, Segment] = {}
    with open_llm(config, store) as llm:
        drafter = Drafter(config, llm)
        todo = [plan for plan in plans if not _kept(old.get(plan.spec.id))]
        finished = iter(range(1, len(todo) + 1))

        def run_one(plan: Plan) -> tuple[Segment, list[str], Exception | None]:
            outcome = drafter.run(plan, old.get(plan.spec.id))
            progress.advance("draft", next(finished), len(todo), plan.spec.id)
            return outcome

        progress.advance("draft", 0, len(todo), "drafting")
        with ThreadPoolExecutor(max_workers=config.llm.concurrency, thread_name_prefix="draft") as pool:
            outcomes = list(pool.map(run_one, todo))
        fresh: list[tuple[Plan, Segment]] = []
        for plan, (segment, notes, error) in zip(todo, outcomes, strict=True):
            result.notes += notes
            previous = old.get(plan.spec.id)
            if error is not None:
                result.failures.append(Failure(subject=plan.spec.id, kind=getattr(error, "kind", "error"),
                                        message=str(error)))
                if previous is not None and previous.status == "drafted":
                    result.notes.append(f"{plan.spec.id}: kept the previous draft ({type(error).__name__})")
                    segment = previous
            else:
                fresh.append((plan, segment))
            segments[plan.spec.id] = segment
        # The episode pass, before any script is written: each story told once across segments.
        kept_ids = {s.id for s in old.values() if _kept(s)}
        whole = _order(config, [*segments.values(), *(s for s in old.values() if s.id in kept_ids)])
        fresh_ids = {plan.spec.id for plan, _ in fresh}  # only what this run wrote may be cut (and then voiced)
        result.notes += dedupe_episode(whole, fixed={s.id for s in whole if s.id not in fresh_ids})
        for plan, segment in fresh:
            voiced, notes = drafter.voice(plan, segment, old.get(plan.spec.id))
            result.notes += notes
            segments[plan.spec.id] = voiced
        if drafter.stopped is not None:
            result.notes.append(f"drafting stopped: {drafter.stopped}")
        for segment in old.values():  # human-edited and dropped segments stay as they are
            if _kept(segment):
                segments[segment.id] = segment
        ordered = _order(config, list(segments.values()))

        def meta_failed(exc: Exception) -> None:
            result.failures.append(Failure(subject="episode", kind=getattr(exc, "kind", "error"), message=str(exc)))

        title, description = episode_meta(config, llm, day.isoformat(), ordered, meta_failed)
        ordered, meta_flags = _verify(config, store, llm, [plan for plan, _ in fresh], ordered, old, title,
                                      description, result)
        usage = llm.usage

    episode = _save(config, day, existing, ordered, rundown.stories, title, description,
                    Provenance(model=llm.model, backend=config.llm.backend, prompts=_prompt_hashes(config, plans)),
                    meta_flags)
    _write_draft_md(config, episode, result)
    drafted = [s for s in ordered if s.id in {p.spec.id for p in todo} and s.status == "drafted"]
    live = episode.live_segments
    for segment in live:
        result.notes.append(f"length {segment.id}: {words(segment.script)} spoken words, target {segment.target_words}")
    failed = sum(1 for f in result.failures if f["subject"] != "episode")
    result.counts |= {
        "segments_drafted": len(drafted), "segments_failed": failed,
        "segments_kept": sum(1 for s in ordered if _kept(s)),
        **usage.as_counts(),
        "flags": len(episode.open_flags),
        "words": sum(words(s.script) for s in live),
        "target_words": sum(s.target_words for s in live),
        **_thin_counts(plans),
    }
    if result.counts["sources"] and result.counts["thin_sources"] >= result.counts["sources"] / 2:
        result.notes.append(
            f"a quiet day: {result.counts['thin_sources']:.0f} of {result.counts['sources']:.0f} sources give only a "
            f"headline, so the episode is {result.counts['words']:.0f} of {result.counts['target_words']:.0f} target "
            "words rather than padded (ingest.full_text: auto fetches linked articles for thin items)")
    result.status = "failed" if not live else ("partial" if result.failures else "done")
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _verify(config: Config, store: Store, llm: LLMClient, plans: list[Plan], ordered: list[Segment],
            old: dict[str, Segment], title: str, description: str,
            result: StageResult) -> tuple[list[Segment], list[Flag]]:
    """The semantic check (pipeline.draft.verify) of the segments drafted in this run, then of the episode's title
    and description; its flags join the lexical ones. Off with ``verify.enabled: false`` (the lexical checks of
    the title and description still run)."""
    if not config.verify.enabled:
        return ordered, verify_meta(config, None, title, description, ordered, own_names(config)).flags
    started = time.monotonic()
    by_id = {plan.spec.id: plan for plan in plans}
    checked: list[Segment] = []
    with open_verifier(config, store, llm) as checker:
        calls, hits = checker.usage.calls, checker.usage.cache_hits
        for segment in ordered:
            plan = by_id.get(segment.id)
            if plan is None or segment.status != "drafted":
                checked.append(segment)
                continue
            progress.advance("draft", len(ordered), len(ordered), f"verifying {segment.id}")
            found = verify_segment(config, checker, plan, segment)
            result.notes += found.notes
            previous = old.get(segment.id)
            flags = keep_resolutions(found.flags, previous.flags if previous else [])
            checked.append(segment.model_copy(update={"flags": [*segment.flags, *flags]}))
        meta = verify_meta(config, checker, title, description, checked, own_names(config))
        result.notes += meta.notes
        calls, hits = checker.usage.calls - calls, checker.usage.cache_hits - hits
    seconds = time.monotonic() - started
    result.counts.update({"verify_calls": calls, "verify_seconds": round(seconds, 1)})
    result.notes.append(f"verify: {calls} call(s), {hits} from the cache, {seconds:.1f} s")
    return checked, meta.flags


def _thin_counts(plans: list[Plan]) -> dict[str, float]:
    """Sources the writer read, and how many of them were headline-only (thin), counted once per item."""
    seen: dict[str, bool] = {}
    for plan in plans:
        for ref, source in zip(plan.sources, plan.prompt_sources, strict=False):
            seen[ref.item_id] = seen.get(ref.item_id, False) or source.thin
    return {"sources": len(seen), "thin_sources": sum(seen.values())}


def _save(config: Config, day: Date, existing: Episode | None, segments: list[Segment], stories: list[Story],
          title: str, description: str, provenance: Provenance, meta_flags: list[Flag] | None = None) -> Episode:
    now = datetime.now(UTC)
    meta_flags = meta_flags or []
    if existing is None:
        with files.episode_lock(config.episodes_dir, day):
            episode = Episode(date=day, show=config.show.title, title=title, description=description,
                              meta_flags=meta_flags, segments=segments, stories=stories, provenance=provenance,
                              created=now, updated=now)
            files.save_episode(config.episodes_dir, episode)
            return episode

    def change(current: Episode) -> Episode:
        # An editor may have changed a segment while we drafted: what is on disk now wins for those.
        theirs = {s.id: s for s in current.segments if _kept(s)}
        ours = {x.id for x in segments}
        merged = [theirs.get(s.id, s) for s in segments] + [s for i, s in theirs.items() if i not in ours]
        return current.model_copy(update={"segments": _order(config, merged), "stories": stories, "title": title,
                                          "description": description, "provenance": provenance,
                                          "meta_flags": keep_resolutions(meta_flags, current.meta_flags)})

    with files.episode_lock(config.episodes_dir, day):
        current = files.load_episode(config.episodes_dir, day)
        updated = change(current)
        if updated.model_dump(exclude={"version", "updated"}) == current.model_dump(exclude={"version", "updated"}):
            return current  # nothing changed: no new version, no write
        updated.version = current.version + 1
        updated.updated = now
        files.save_episode(config.episodes_dir, updated)
        return updated


def _write_draft_md(config: Config, episode: Episode, result: StageResult) -> None:
    try:
        from pipeline.review.draftmd import write_draft_md
    except ModuleNotFoundError as exc:
        if exc.name not in ("pipeline.review.draftmd", "pipeline.review"):
            raise
        result.notes.append("draft.md not written: pipeline.review.draftmd is not installed yet")
        log.warning("draft.md not written: pipeline.review.draftmd is missing")
        return
    write_draft_md(config, episode)


def regenerate_segment(config: Config, store: Store, episode: Episode, segment_id: str,
                       feedback: str | None = None, *, force: bool = False) -> Segment:
    """A new version of one segment, guided by the editor's feedback (prompts/regenerate.j2).

    Refuses a segment an editor changed unless ``force``. The returned segment keeps the old one's history
    as it was (the caller adds the replaced version and saves).
    """
    try:
        old = episode.segment(segment_id)
    except KeyError:
        raise ReviewError("no such segment in this episode", subject=segment_id,
                          hint="segment ids are those of config.yaml's segments") from None
    refuse_replacing_edits(old, force=force, hint="regenerate with force to replace the edited version")
    if not old.sources and old.kind not in FRAMING:
        raise ReviewError("this segment has no sources to write from", subject=segment_id)
    plan = plan_from_segment(config, store, old)
    others = [s for s in episode.segments if s.status != "dropped"]
    index = next(i for i, s in enumerate(others) if s.id == segment_id) if old.status != "dropped" else 0
    plan.previous = others[index - 1].title if index else None
    plan.first, plan.last = index == 0, index == len(others) - 1
    with open_llm(config, store) as llm:
        drafted = draft_segment(config, llm, plan, feedback=feedback, previous_text=old.text)
    return drafted.segment.model_copy(update={"history": list(old.history), "audio_hash": None})


def recheck_segment(config: Config, store: Store, segment: Segment, *, semantic: bool | None = None) -> list[Flag]:
    """Grounding and length flags for a segment as it stands now (e.g. after an editor's change), and the semantic
    check's (``semantic``, default ``verify.enabled`` and ``verify.on_edit``; sentences unchanged since the draft
    are answered from the cache). A verifier that cannot run leaves the lexical flags and a warning: the edit itself
    always stands."""
    plan = plan_from_segment(config, store, segment)
    flags = check(plan, segment, own_names(config))
    if (config.verify.enabled and config.verify.on_edit) if semantic is None else semantic:
        try:
            with open_verifier(config, store) as llm:
                found = verify_segment(config, llm, plan, segment)
        except (LLMError, ConfigError) as exc:
            log.warning("%s: the semantic check did not run (%s)", segment.id, exc)
        else:
            flags += found.flags
            for note in found.notes:
                log.warning("%s", note)
    return keep_resolutions(flags, segment.flags)
