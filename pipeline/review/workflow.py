"""The editor's workflow: reading an episode, edits, regenerate, undo, flags, approval and release.

The CLI and the review app both call these functions; neither touches episode files itself. Rules:

- Every read syncs first: edits saved in ``draft.md`` are taken into ``episode.json`` before anything else.
- Versions are per segment (``Segment.version``) plus one for the episode-level fields (``Episode.meta_version``:
  title, description); the running order is checked against the order the editor saw. An edit carries the version
  it was based on; a different current version is a `ConflictError` (HTTP 409) carrying the current words, never
  a silent overwrite. Edits of different segments never conflict.
- Every content change keeps the previous version (words, flags, stale mark) in ``Segment.history`` (diff and undo),
  bumps the segment's version and ``Episode.version`` (the app's ETag) under the episode lock, and re-writes
  ``draft.md``. A text edit without a script edit marks the script stale (``Segment.script_stale``).
- A regenerate whose segment changed while the model wrote is kept as ``Segment.proposal`` for the editor to accept
  or discard; a result with the same words as before says so.
- Approval is of a version: it records who, when, each segment's version and `pipeline.fingerprint.content_hash`
  (``Episode.approval``). An approval based on other words than the current ones is refused with the diff; any
  content change after approval takes the episode back to drafted. Publish re-renders the outputs made from other
  words (or refuses naming them), then releases exactly the approved words.
- Status: drafted -> approved -> published, or rejected; each transition is recorded in ``Episode.history``.
"""

from __future__ import annotations

import difflib
import getpass
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import date as Date
from typing import Any, Literal

from pipeline.config import Config
from pipeline.errors import ApprovalError, ConflictError, EpisodeNotFoundError, ReviewError
from pipeline.files import (
    atomic_write_text,
    load_episode,
    load_rundown,
    read_episodes,
    save_rundown,
    update_episode,
)
from pipeline.fingerprint import content_hash, stale_outputs  # noqa: F401 - stale_outputs is part of this API
from pipeline.models import (
    CITATION,
    Approval,
    Episode,
    EpisodeStatus,
    Flag,
    Proposal,
    Rundown,
    Segment,
    SegmentVersion,
    StageResult,
    Transition,
    refuse_replacing_edits,
)
from pipeline.review.draftmd import (
    DraftChanges,
    draft_path,
    normalize,
    parse_draft_md,
    parse_sections,
    render_draft_md,
    write_draft_md,
)

log = logging.getLogger(__name__)
DATE_ID = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DRAFT_LINE = re.compile(r"draft\.md line (\d+)")

# Grounding an edit is bounded twice: by review.max_text_chars, and by review.recheck_seconds; past it the edit is
# saved with one "unverified" flag instead of the check's (a pathological text never holds the episode lock long).
MAX_FLAGS_PER_SEGMENT = 60  # beyond this the segment is not a draft but pasted material: say so once

# One process-wide lock around "update episode.json, then re-write draft.md", so two threads of the review app
# never leave draft.md showing an older version than episode.json. (update_episode holds the file lock itself.)
_LOCK = threading.RLock()


class _NoChange(Exception):
    """Raised inside an update to skip saving (and bumping the version) when an action changes nothing."""


def now() -> datetime:
    return datetime.now(UTC)


def editor_name(config: Config, editor: str | None = None) -> str:
    """Who is acting: explicit > review.editor > $BRIEFCAST_EDITOR > $USER > "editor"."""
    for candidate in (editor, config.review.editor, os.environ.get("BRIEFCAST_EDITOR"), os.environ.get("USER")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser() or "editor"
    except (KeyError, OSError):
        return "editor"


def check_editor(config: Config, name: str) -> str:
    """``name`` when it is one of ``review.editors`` (any name when the list is empty), else `ReviewError`."""
    names = [spec.name for spec in config.review.editors]
    if names and name not in names:
        raise ReviewError("not one of this show's editors", subject=name,
                          hint=f"act as one of: {', '.join(names)} (review.editors in config.yaml)")
    return name


def parse_day(value: str | Date) -> Date:
    """An episode id ("YYYY-MM-DD") as a date; anything else (``../``, wrong shape) is `EpisodeNotFoundError`."""
    if isinstance(value, Date):
        return value
    if not DATE_ID.match(value or ""):
        raise EpisodeNotFoundError("not an episode id (episodes are named YYYY-MM-DD)", subject=str(value)[:40])
    try:
        return Date.fromisoformat(value)
    except ValueError:
        raise EpisodeNotFoundError("not a calendar date", subject=value) from None


# -- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeSummary:
    """One line of the episode list."""

    date: Date
    title: str
    status: EpisodeStatus | Literal["unreadable"]
    version: int
    segments: int
    live_segments: int
    open_flags: int
    edited_segments: int
    has_audio: bool
    updated: datetime | None
    published_at: datetime | None
    error: str | None = None  # episode.json cannot be read: the row says why instead of vanishing


@dataclass(frozen=True)
class DraftProblem:
    """draft.md could not be taken in: the episode is shown as stored, with this, until an editor chooses."""

    kind: Literal["broken", "conflict", "pending"]  # pending: edits a page load shows but does not take in
    message: str
    hint: str | None
    line: int | None
    excerpt: list[tuple[int, str]]  # numbered lines around ``line``


def load(config: Config, day: Date) -> Episode:
    """The episode, after taking in any edits saved in its draft.md."""
    sync_draft(config, day)
    return load_episode(config.episodes_dir, day)


def load_for_review(config: Config, day: Date, *, sync: bool = True) -> tuple[Episode, DraftProblem | None]:
    """The episode after syncing draft.md; when draft.md is broken or conflicts, the stored episode and the problem.

    ``sync=False`` (a page load: a GET never writes) reads only: the stored episode, and a ``pending`` problem
    when draft.md holds edits not taken in yet (a POST, ``briefcast review sync`` or the run takes them in)."""
    try:
        if not sync:
            return load_episode(config.episodes_dir, day), _pending_draft(config, day)
        return load(config, day), None
    except (ConflictError, ReviewError) as exc:
        if "draft.md" not in exc.message:
            raise
        episode = load_episode(config.episodes_dir, day)
        match = DRAFT_LINE.search(exc.message)
        line = int(match.group(1)) if match else None
        excerpt: list[tuple[int, str]] = []
        try:
            lines = draft_path(config, day).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        if line:
            excerpt = [(n, lines[n - 1]) for n in range(max(1, line - 2), min(len(lines), line + 2) + 1)]
        kind: Literal["broken", "conflict"] = "conflict" if isinstance(exc, ConflictError) else "broken"
        return episode, DraftProblem(kind=kind, message=exc.message, hint=exc.hint, line=line, excerpt=excerpt)


def _pending_draft(config: Config, day: Date) -> DraftProblem | None:
    """The edits in draft.md that episode.json does not have yet, read only (broken or conflicting: raises)."""
    found = _draft_differs(config, day)
    if found is None:
        return None
    text, episode = found
    changes = parse_draft_md(text, episode)
    if not changes:
        return None
    what = ", ".join(changes.changed_ids) or "the running order or the editor note"
    return DraftProblem(kind="pending", message=f"draft.md has edits not taken in yet ({what})",
                        hint="take them in, or keep the app's version", line=None, excerpt=[])


def list_episodes(config: Config) -> list[EpisodeSummary]:
    """Every episode under episodes/, newest first; one whose episode.json cannot be read is a row with its error."""
    rows = []
    for day, episode, error in read_episodes(config.episodes_dir):
        folder = config.episode_dir(day)
        if episode is None:
            rows.append(EpisodeSummary(
                date=day, title="", status="unreadable", version=0, segments=0, live_segments=0, open_flags=0,
                edited_segments=0, has_audio=(folder / "episode.mp3").is_file(), updated=None, published_at=None,
                error=error,
            ))
            continue
        rows.append(EpisodeSummary(
            date=episode.date, title=episode.title, status=episode.status, version=episode.version,
            segments=len(episode.segments), live_segments=len(episode.live_segments),
            open_flags=len(episode.open_flags),
            edited_segments=sum(1 for segment in episode.segments if segment.edited_by_human),
            has_audio=(folder / "episode.mp3").is_file(), updated=episode.updated, published_at=episode.published_at,
        ))
    return rows


# -- draft.md ---------------------------------------------------------------------------------------


class Synced(list[str]):
    """The ids of the segments `sync_draft` took from draft.md; ``note`` is True when an editor's note was kept."""

    note: bool = False


def _draft_differs(config: Config, day: Date) -> tuple[str, Episode] | None:
    """draft.md's text and the stored episode when the file is not what the episode writes (None: no draft.md, or
    exactly the episode's own); whether it holds edits is for `parse_draft_md` to say. Reads only."""
    text = _read_draft(config, day)
    if text is None:
        return None
    episode = load_episode(config.episodes_dir, day)
    return None if text == render_draft_md(episode) else (text, episode)


def _read_draft(config: Config, day: Date) -> str | None:
    path = draft_path(config, day)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReviewError(f"draft.md line {line}: not UTF-8 text", subject=str(path),
                          hint="save the file as UTF-8; it is kept as you left it") from None


def sync_draft(config: Config, day: Date, *, force: bool = False, editor: str | None = None) -> Synced:
    """Take edits saved in draft.md into episode.json; returns the ids of the segments changed.

    An unreadable file raises `ReviewError` ("draft.md line N: ...") and is left exactly as the editor saved it; a
    section edited in the file and in episode.json since is a `ConflictError`, unless ``force`` (the file wins).
    A note typed above the first section is kept as the episode's editor note (``Synced.note``).
    """
    result = Synced()
    with _LOCK:
        found = _draft_differs(config, day)
        if found is None:
            return result
        text, episode = found
        changes = parse_draft_md(text, episode, force=force)
        if not changes:
            # Untouched but stale (episode.json moved on): show the editor the current words. Anything typed where
            # nothing reads it (inside Sources or Flags) is kept in draft.md.bak.
            atomic_write_text(draft_path(config, day).with_name("draft.md.bak"), text)
            write_draft_md(config, episode)
            return result
        if episode.status == "published" and (changes.segments or changes.order is not None):
            first = min(parse_sections_lines(text, changes))
            raise ReviewError(f"draft.md line {first}: this episode is published; edits in draft.md are not taken",
                              subject=episode.date.isoformat(),
                              hint="undo the edits in draft.md (or delete it: it is re-written from episode.json)")
        who = editor or editor_name(config)

        def apply(current: Episode) -> Episode:
            fresh = parse_draft_md(text, current, force=force)  # re-parse under the lock against what is stored now
            _apply_draft_changes(config, current, fresh, who)
            return current

        episode = update_episode(config.episodes_dir, day, apply)
        write_draft_md(config, episode)
        result.extend(changes.changed_ids)
        result.note = changes.note is not None
        return result


def resolve_draft(config: Config, day: Date, keep: Literal["file", "app"], *, editor: str) -> str:
    """Settle a broken or conflicting draft.md: the file's edits win (``file``) or episode.json's (``app``).

    Keeping the app's version moves the file aside to ``draft.md.rejected`` first (never deleted); returns a
    sentence for the editor saying what happened.
    """
    with _LOCK:
        path = draft_path(config, day)
        if keep == "file":
            changed = sync_draft(config, day, force=True, editor=editor)
            return f"draft.md taken in ({', '.join(changed) or 'no segment changed'}); its edits won."
        text = _read_draft_bytes(path)
        episode = load_episode(config.episodes_dir, day)
        kept = path.with_name("draft.md.rejected")
        if text is not None:
            atomic_write_text(kept, text)
        write_draft_md(config, episode)
        return f"draft.md re-written from the app's version; the file as it was is kept in {kept.name}."


def _read_draft_bytes(path: Any) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None


def parse_sections_lines(text: str, changes: DraftChanges) -> list[int]:
    """The heading lines of the sections a change touches (the first section when only the order changed)."""
    _, sections = parse_sections(text)
    lines = [section.line for section in sections if section.id in changes.segments]
    return lines or [sections[0].line if sections else 1]


def _apply_draft_changes(config: Config, episode: Episode, changes: DraftChanges, editor: str) -> None:
    content_changed = False
    for segment_id, fields in changes.segments.items():
        segment = episode.segment(segment_id)
        content = {name: value for name, value in fields.items() if name in ("title", "text", "script")}
        if content:
            _check_limits(config, segment_id, **content)
            _set_content(segment, editor, "draft.md edit", **content)
            _recheck(config, segment)
            content_changed = True
        if "status" in fields:
            _snapshot_into(segment, editor, f"draft.md: {fields['status']}")
            segment.status = fields["status"]  # type: ignore[assignment]  # validated by the parser
            segment.version += 1
            content_changed = True
    if changes.order is not None:
        by_id = {segment.id: segment for segment in episode.segments}
        episode.segments = [by_id[segment_id] for segment_id in changes.order]
        _log(episode, editor, "running order changed in draft.md")
        content_changed = True
    if changes.note is not None:
        episode.editor_note = changes.note
    if content_changed:
        _unapprove(episode, editor, "edited in draft.md after approval")


# -- edits ------------------------------------------------------------------------------------------


def _diff_text(before: tuple[str, str, str], after: tuple[str, str, str], before_label: str, after_label: str) -> str:
    return "".join(difflib.unified_diff(_as_document(*before), _as_document(*after), fromfile=before_label,
                                        tofile=after_label))


def _words_at(segment: Segment, version: int) -> tuple[str, str, str] | None:
    """A segment's (title, text, script) as it was at ``version`` (from its history), None when not kept."""
    if version == segment.version:
        return segment.title, segment.text, segment.script
    for old in reversed(segment.history):
        if old.version == version:
            return old.title, old.text, old.script
    return None


def _since(segment: Segment, version: int) -> str:
    """The diff of a segment from ``version`` to now ("" when that version is not kept)."""
    then = _words_at(segment, version)
    if then is None:
        return ""
    return _diff_text(then, (segment.title, segment.text, segment.script), f"{segment.id} v{version} (what you saw)",
                      f"{segment.id} v{segment.version} (now)")


def stale_edit(episode: Episode, base_version: int, segment_id: str | None = None) -> ConflictError:
    """A stale edit of one segment: carries the current episode and segment so the editor can see the other edit."""
    segment = None
    if segment_id:
        try:
            segment = episode.segment(segment_id)
        except KeyError:
            segment = None
    if segment is not None:
        latest = segment.history[-1] if segment.history else None
        by = latest.by if latest else "someone"
        message = (f"this edit was based on version {base_version} of segment [{segment.id}], but it is now at "
                   f"version {segment.version} (last changed by {by})")
        diff = _since(segment, base_version)
    else:
        by = episode.history[-1].by if episode.history else "someone"
        message = (f"this edit was based on version {base_version}, but the episode's title and description are now "
                   f"at version {episode.meta_version} (last changed by {by})")
        diff = ""
    error = ConflictError(message, subject=f"{episode.date}/{segment_id}" if segment_id else episode.date.isoformat(),
                          hint="look at the other edit, then re-apply yours on top of the current version")
    error.episode = episode  # type: ignore[attr-defined]
    error.segment = segment  # type: ignore[attr-defined]
    error.current_version = segment.version if segment else episode.meta_version  # type: ignore[attr-defined]
    error.diff = diff  # type: ignore[attr-defined]
    return error


def _mutate(config: Config, day: Date, change: Callable[[Episode], None], *, segment_id: str | None = None,
            base_version: int | None = None, allow_published: bool = False) -> Episode:
    """Sync draft.md, check the segment's version, apply ``change`` under the episode lock, save, re-write draft.md."""
    with _LOCK:
        sync_draft(config, day)

        def apply(episode: Episode) -> Episode:
            if segment_id is not None and base_version is not None:
                segment = _segment(episode, segment_id)
                if base_version != segment.version:
                    raise stale_edit(episode, base_version, segment_id)
            if episode.status == "published" and not allow_published:
                raise ReviewError("this episode is published; its words are final", subject=episode.date.isoformat(),
                                  hint="make corrections in a new episode, or edit episode.json and re-publish")
            change(episode)
            return episode

        try:
            episode = update_episode(config.episodes_dir, day, apply)
        except _NoChange:
            return load_episode(config.episodes_dir, day)
        write_draft_md(config, episode)
        return episode


def _segment(episode: Episode, segment_id: str) -> Segment:
    try:
        return episode.segment(segment_id)
    except KeyError:
        raise ReviewError("no such segment in this episode", subject=segment_id,
                          hint=f"segments: {', '.join(s.id for s in episode.segments)}") from None


def _snapshot(segment: Segment, by: str, reason: str) -> SegmentVersion:
    return SegmentVersion(title=segment.title, text=segment.text, script=segment.script, at=now(), by=by, reason=reason,
                          version=segment.version, flags=[flag.model_copy() for flag in segment.flags],
                          script_stale=segment.script_stale, status=segment.status)


def _snapshot_into(segment: Segment, by: str, reason: str) -> None:
    segment.history.append(_snapshot(segment, by, reason))


def _check_limits(config: Config, segment_id: str, *, title: str | None = None, text: str | None = None,
                  script: str | None = None) -> None:
    """Refuse words over the configured sizes before anything is checked or saved."""
    limit = config.review.max_text_chars
    for name, value in (("text", text), ("script", script)):
        if value is not None and len(value) > limit:
            raise ReviewError(
                f"the {name} is {len(value):,} characters; a segment's {name} is limited to {limit:,}",
                subject=segment_id,
                hint=f"shorten it or split it across segments (review.max_text_chars: {limit}); nothing was saved",
            )
    if title is not None:
        if len(title) > config.review.max_title_chars:
            raise ReviewError(f"the title is {len(title):,} characters; titles are limited to "
                              f"{config.review.max_title_chars:,}", subject=segment_id,
                              hint="shorten it (review.max_title_chars); nothing was saved")
        if "\n" in title.strip():
            raise ReviewError("a title is one line", subject=segment_id, hint="remove the line breaks")


def _set_content(segment: Segment, editor: str, reason: str, *, title: str | None = None, text: str | None = None,
                 script: str | None = None) -> bool:
    """Apply a human edit: history first, then the new words; flags on rewritten sentences count as fixed.

    A text change without a script change marks the script stale; a script change clears the mark.
    """
    given = {"title": title, "text": text, "script": script}
    new = {name: normalize(value) for name, value in given.items() if value is not None}
    if "title" in new:
        new["title"] = " ".join(new["title"].split())
        if not new["title"]:
            raise ReviewError("a segment needs a title", subject=segment.id)
    changed = {name: value for name, value in new.items() if value != normalize(getattr(segment, name))}
    if not changed:
        return False
    _snapshot_into(segment, editor, reason)
    for name, value in changed.items():
        setattr(segment, name, value)
    segment.version += 1
    segment.edited_by_human = True
    if "script" in changed:
        segment.script_stale = False
    elif "text" in changed and segment.script.strip():
        segment.script_stale = True
    for flag in segment.flags:
        if (
            not flag.resolved
            and flag.field in changed
            and _squash(flag.sentence) not in _squash(getattr(segment, flag.field))
        ):
            flag.resolved, flag.resolution, flag.resolved_by = True, "fixed", editor
            flag.note = flag.note or "the flagged sentence was rewritten"
    if segment.status == "failed" and segment.text:
        segment.status, segment.error = "drafted", None
    return True


def _recheck(config: Config, segment: Segment) -> None:
    """Check an edited segment's claims against its sources again, so a number an editor typed in is flagged too.

    Verdicts already given stay; flags on sentences that no longer exist stay as resolved history. Skipped when the
    sources' text is not in this show's store (an episode made elsewhere): then only the rewrite rule above applies.
    Bounded: a check that outlives ``review.recheck_seconds`` leaves one "unverified" flag, and at most
    ``MAX_FLAGS_PER_SEGMENT`` flags are kept (with one flag saying how many more there were).
    """
    from pipeline.draft import recheck_segment
    from pipeline.store import open_store

    if not segment.sources or segment.status != "drafted":
        return
    snapshot = segment.model_copy(deep=True)
    outcome: dict[str, Any] = {}

    def work() -> None:
        store = open_store(config.state_dir)
        try:
            if any(store.item(ref.item_id) is None for ref in snapshot.sources):
                outcome["skip"] = True
                return
            outcome["flags"] = recheck_segment(config, store, snapshot)
        except Exception as exc:  # reported as a flag below, never a lost edit
            outcome["error"] = exc
        finally:
            store.close()

    worker = threading.Thread(target=work, name=f"recheck-{segment.id}", daemon=True)
    worker.start()
    wait = config.review.recheck_seconds
    worker.join(wait)
    if outcome.get("skip"):
        return
    if "flags" not in outcome:
        why = (f"the claim check did not finish in {wait:g} s" if worker.is_alive()
               else f"the claim check failed ({type(outcome.get('error')).__name__}: {outcome.get('error')})")
        fresh = [Flag(id=f"f-unverified-v{segment.version}", kind="unverified", sentence=segment.text[:200],
                      message=f"{why}; check this segment's claims against its sources by hand", severity="high")]
    else:
        fresh = outcome["flags"]
    if len(fresh) > MAX_FLAGS_PER_SEGMENT:
        extra = len(fresh) - MAX_FLAGS_PER_SEGMENT
        fresh = fresh[:MAX_FLAGS_PER_SEGMENT] + [Flag(
            id=f"f-many-v{segment.version}", kind="other", sentence=segment.text[:200], severity="high",
            message=f"{extra:,} more claims were flagged: this text does not rest on the segment's sources")]
    ids = {flag.id for flag in fresh}
    segment.flags = [flag for flag in segment.flags if flag.resolved and flag.id not in ids] + fresh


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def _log(episode: Episode, editor: str, note: str) -> None:
    """An episode-level action in the history (status unchanged): who changed the order, the title, a story."""
    episode.history.append(Transition(status=episode.status, by=editor, at=now(), note=note))


def _unapprove(episode: Episode, editor: str, note: str) -> None:
    if episode.status == "approved":
        episode.status = "drafted"
        episode.approval = None
        episode.history.append(Transition(status="drafted", by=editor, at=now(), note=note))


def edit_segment(config: Config, day: Date, segment_id: str, *, text: str | None = None, script: str | None = None,
                 title: str | None = None, base_version: int, editor: str) -> Episode:
    """Replace a segment's text, script and/or title; the previous words go to its history."""
    _check_limits(config, segment_id, title=title, text=text, script=script)

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        if not _set_content(segment, editor, "edit", title=title, text=text, script=script):
            raise _NoChange
        _recheck(config, segment)
        _unapprove(episode, editor, f"{segment_id} edited after approval")

    return _mutate(config, day, change, segment_id=segment_id, base_version=base_version)


def mark_script_current(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """The editor read the script against the edited text and keeps it as it is: clear the stale mark."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        if not segment.script_stale:
            raise _NoChange
        _snapshot_into(segment, editor, "script kept as it is")
        segment.script_stale = False
        segment.version += 1

    return _mutate(config, day, change, segment_id=segment_id, base_version=base_version)


def rederive_script(config: Config, store: Any, day: Date, segment_id: str, *, base_version: int,
                    editor: str) -> Regenerated:
    """Write the segment's script again from its current text (the draft stage's one script writer: a model call
    checked in code, else the code-made ear version), so the audio says what the text says.

    The model runs outside the lock; when the segment changed meanwhile the new script is kept as a proposal (with
    the text it was made from) instead of being written over the newer words.
    """
    from pipeline.draft.llm import open_llm
    from pipeline.draft.writer import Drafted, keep_resolutions, plan_from_segment, voice_segment

    episode = load(config, day)
    segment = _segment(episode, segment_id)
    if base_version != segment.version:
        raise stale_edit(episode, base_version, segment_id)
    if episode.status == "published":
        raise ReviewError("this episode is published; its words are final", subject=episode.date.isoformat())
    if not segment.text.strip():
        raise ReviewError("this segment has no text to make a script from", subject=segment_id)
    work = segment.model_copy(deep=True)
    plan = plan_from_segment(config, store, work)
    others = [s for s in episode.segments if s.status != "dropped"]
    index = next((i for i, s in enumerate(others) if s.id == segment_id), 0)
    plan.previous = others[index - 1].title if index else None
    plan.first, plan.last = index == 0, index == len(others) - 1
    drafted = Drafted(segment=work)
    with open_llm(config, store) as llm:
        voice_segment(config, llm, plan, drafted)
    script = normalize(work.script)
    flags = keep_resolutions(work.flags, segment.flags)
    outcome_box: dict[str, str] = {}

    def change(current: Episode) -> None:
        old = _segment(current, segment_id)
        if old.version != base_version:
            old.proposal = Proposal(title=old.title, text=work.text, script=script, sources=old.sources,
                                    story_ids=old.story_ids, flags=flags, model=old.model, prompt_hash=old.prompt_hash,
                                    base_version=base_version, at=now(), by=editor, reason="script re-derived")
            outcome_box["kind"] = "proposal"
            outcome_box["message"] = (f"{segment_id} changed while its script was written: the new script is kept "
                                      "as a proposal (accept or discard it)")
            return
        if script == normalize(old.script) and not old.script_stale:
            raise _NoChange
        _snapshot_into(old, editor, "script re-derived from the text")
        old.script, old.flags, old.script_stale, old.audio_hash = script, flags, False, None
        old.version += 1
        _unapprove(current, editor, f"{segment_id} script re-derived after approval")
        outcome_box["kind"] = "applied"
        outcome_box["message"] = f"{segment_id}: script written again from the text" + (
            f" ({'; '.join(drafted.notes)})" if drafted.notes else "")

    saved = _mutate(config, day, change)
    if not outcome_box:
        return Regenerated(saved, "unchanged", f"{segment_id}: the script came out the same as before")
    return Regenerated(saved, outcome_box["kind"], outcome_box["message"])  # type: ignore[arg-type]


def edit_episode(config: Config, day: Date, *, title: str | None = None, description: str | None = None,
                 base_version: int, editor: str) -> Episode:
    """Change the episode-level fields (title, description); ``base_version`` is the ``meta_version`` seen."""
    if title is not None:
        _check_limits(config, "episode", title=title)
    if description is not None and len(description) > config.review.max_text_chars:
        _check_limits(config, "episode", text=description)

    def change(episode: Episode) -> None:
        if base_version != episode.meta_version:
            raise stale_edit(episode, base_version)
        changed = []
        if title is not None and " ".join(title.split()) != episode.title:
            if not title.strip():
                raise ReviewError("an episode needs a title", subject=episode.date.isoformat())
            episode.title = " ".join(title.split())
            changed.append("title")
        if description is not None and normalize(description) != normalize(episode.description):
            episode.description = normalize(description)
            changed.append("description")
        if not changed:
            raise _NoChange
        episode.meta_version += 1
        _log(episode, editor, f"episode {' and '.join(changed)} changed")
        _unapprove(episode, editor, f"episode {' and '.join(changed)} changed after approval")

    return _mutate(config, day, change)


def reorder(config: Config, day: Date, order: list[str], *, base_order: list[str] | None = None, editor: str,
            base_version: int | None = None) -> Episode:
    """Set the running order; ``order`` lists every segment id once; ``base_order`` is the order the editor saw.

    A different current order is a conflict (unless it already is ``order``). ``base_version`` is accepted for
    older callers and ignored: segment versions do not cover the order.
    """
    del base_version

    def change(episode: Episode) -> None:
        ids = [segment.id for segment in episode.segments]
        if sorted(order) != sorted(ids) or len(set(order)) != len(order):
            raise ReviewError("a new running order must list every segment exactly once", subject=",".join(order),
                              hint=f"segments: {', '.join(ids)}")
        if order == ids:
            raise _NoChange
        if base_order is not None and base_order != ids:
            moved = next((t for t in reversed(episode.history) if t.note and "order" in t.note), None)
            error = ConflictError(
                f"the running order changed since you loaded the page (by {moved.by if moved else 'someone'}): "
                f"it is now {', '.join(ids)}", subject=episode.date.isoformat(),
                hint="reload the page and move the segment again")
            error.episode, error.segment, error.diff = episode, None, ""  # type: ignore[attr-defined]
            raise error
        by_id = {segment.id: segment for segment in episode.segments}
        episode.segments = [by_id[segment_id] for segment_id in order]
        _log(episode, editor, "running order changed")
        _unapprove(episode, editor, "running order changed after approval")

    return _mutate(config, day, change)


def move_segment(config: Config, day: Date, segment_id: str, offset: int, *, base_order: list[str] | None = None,
                 editor: str, base_version: int | None = None) -> Episode:
    """Move one segment up (offset -1) or down (+1) the running order the editor saw."""
    del base_version
    episode = load(config, day)
    ids = list(base_order) if base_order else [segment.id for segment in episode.segments]
    if segment_id not in ids:
        raise ReviewError("no such segment in this episode", subject=segment_id)
    index = ids.index(segment_id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return reorder(config, day, ids, base_order=base_order, editor=editor)


def _set_status(config: Config, day: Date, segment_id: str, status: Literal["dropped", "drafted"], *,
                base_version: int, editor: str) -> Episode:
    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        target = status if status == "dropped" or segment.text else "failed"
        if segment.status == target:
            raise _NoChange
        _snapshot_into(segment, editor, "dropped" if status == "dropped" else "restored")
        segment.status = target
        segment.version += 1
        _unapprove(episode, editor, f"{segment_id} {'dropped' if status == 'dropped' else 'restored'} after approval")

    return _mutate(config, day, change, segment_id=segment_id, base_version=base_version)


def drop_segment(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """Leave a segment out of the episode (kept in episode.json; `restore_segment` brings it back)."""
    return _set_status(config, day, segment_id, "dropped", base_version=base_version, editor=editor)


def restore_segment(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """Bring a dropped segment back."""
    return _set_status(config, day, segment_id, "drafted", base_version=base_version, editor=editor)


# -- story overrides (fed back into curate on regenerate) ------------------------------------------


def _override(config: Config, day: Date, story_id: str, value: str, *, editor: str) -> Episode:
    def change(episode: Episode) -> None:
        story = episode.story(story_id)
        if story is None:
            raise ReviewError("no such story in this episode", subject=story_id)
        if value not in ("drop", "pin"):
            _segment(episode, value)
            for segment in episode.segments:
                if story_id in segment.story_ids and segment.id != value:
                    segment.story_ids.remove(story_id)
            target = episode.segment(value)
            if story_id not in target.story_ids:
                target.story_ids.append(story_id)
            story.segment = value
        elif value == "drop":
            for segment in episode.segments:
                if story_id in segment.story_ids:
                    segment.story_ids.remove(story_id)
            story.segment = None
        else:
            story.pinned = True
        rundown = load_rundown(config.episodes_dir, day) or Rundown(
            date=day,
            stories=episode.stories,
            segments={s.id: list(s.story_ids) for s in episode.segments if s.story_ids},
        )
        rundown.overrides[story_id] = value
        save_rundown(config.episodes_dir, rundown)
        verb = {"drop": "dropped", "pin": "pinned"}.get(value, f"moved to {value}")
        _log(episode, editor, f"story {story_id} {verb}")

    return _mutate(config, day, change)


def move_story(config: Config, day: Date, story_id: str, to_segment: str, *, editor: str, **_: Any) -> Episode:
    """Put a story in another segment (an override curate keeps on the next run); regenerate to re-write."""
    return _override(config, day, story_id, to_segment, editor=editor)


def pin_story(config: Config, day: Date, story_id: str, *, editor: str, **_: Any) -> Episode:
    """Keep a story in the show whatever its rank."""
    return _override(config, day, story_id, "pin", editor=editor)


def drop_story(config: Config, day: Date, story_id: str, *, editor: str, **_: Any) -> Episode:
    """Leave a story out (an override curate keeps on the next run)."""
    return _override(config, day, story_id, "drop", editor=editor)


# -- regenerate, proposals, undo, diff -------------------------------------------------------------


@dataclass
class Regenerated:
    """What a regenerate did: ``applied``, kept as a ``proposal`` (the segment moved meanwhile) or ``unchanged``."""

    episode: Episode
    outcome: Literal["applied", "proposal", "unchanged"]
    message: str


def regenerate(config: Config, store: Any, day: Date, segment_id: str, feedback: str, *, force: bool = False,
               base_version: int, editor: str) -> Regenerated:
    """Re-draft one segment with the editor's feedback; the previous words go to history.

    Refuses a segment an editor changed unless ``force``: human edits win. The model runs outside the lock; when the
    segment changed meanwhile, the result is kept as its proposal (accept or discard), never thrown away and never
    written over the newer words. Edits of other segments meanwhile do not matter.
    """
    episode = load(config, day)
    segment = _segment(episode, segment_id)
    if base_version != segment.version:
        raise stale_edit(episode, base_version, segment_id)
    refuse_replacing_edits(segment, force=force)
    if episode.status == "published":
        raise ReviewError("this episode is published; its words are final", subject=episode.date.isoformat())
    from pipeline.draft import regenerate_segment  # the draft stage's model client is heavy: import when used

    result = regenerate_segment(config, store, episode, segment_id, feedback, force=force)
    fresh = result.segment(segment_id) if isinstance(result, Episode) else result
    reason = f"regenerate: {' '.join(feedback.split())}" if feedback.strip() else "regenerate"
    if normalize(fresh.text) == normalize(segment.text) and normalize(fresh.script) == normalize(segment.script):
        message = (f"{segment_id}: the writer returned the same words as before, so the feedback was not taken; "
                   "try more specific feedback, or edit by hand")
        return Regenerated(load_episode(config.episodes_dir, day), "unchanged", message)
    outcome: dict[str, str] = {}

    def change(current: Episode) -> None:
        old = _segment(current, segment_id)
        if old.version != base_version:
            by = old.history[-1].by if old.history else "someone"
            old.proposal = Proposal(title=fresh.title, text=fresh.text, script=fresh.script, sources=fresh.sources,
                                    story_ids=fresh.story_ids, flags=fresh.flags, model=fresh.model,
                                    prompt_hash=fresh.prompt_hash, base_version=base_version, at=now(), by=editor,
                                    reason=reason)
            outcome["kind"] = "proposal"
            outcome["message"] = (f"{segment_id} was changed by {by} while the writer worked: the new version is kept "
                                  "as a proposal on the segment (accept or discard it)")
            return
        new = fresh.model_copy(deep=True)
        new.history = [*old.history, _snapshot(old, editor, reason)]
        new.edited_by_human = False
        new.script_stale = False
        new.version = old.version + 1
        new.status = old.status if old.status == "dropped" else new.status
        new.proposal = None
        current.segments = [new if s.id == segment_id else s for s in current.segments]
        _unapprove(current, editor, f"{segment_id} regenerated after approval")
        outcome["kind"] = "applied"
        outcome["message"] = f"{segment_id} regenerated"

    saved = _mutate(config, day, change)
    return Regenerated(saved, outcome["kind"], outcome["message"])  # type: ignore[arg-type]


def accept_proposal(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """Take a segment's waiting regenerate result in place of its current words (which go to history)."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        proposal = segment.proposal
        if proposal is None:
            raise ReviewError("this segment has no proposal waiting", subject=segment_id)
        _snapshot_into(segment, editor, f"accepted proposal ({proposal.reason})")
        segment.title, segment.text, segment.script = proposal.title, proposal.text, proposal.script
        segment.sources, segment.story_ids, segment.flags = proposal.sources, proposal.story_ids, proposal.flags
        segment.model, segment.prompt_hash = proposal.model, proposal.prompt_hash
        segment.edited_by_human, segment.script_stale, segment.audio_hash = False, False, None
        segment.proposal = None
        segment.version += 1
        _unapprove(episode, editor, f"{segment_id} proposal accepted after approval")

    return _mutate(config, day, change, segment_id=segment_id, base_version=base_version)


def discard_proposal(config: Config, day: Date, segment_id: str, *, editor: str, **_: Any) -> Episode:
    """Throw away a segment's waiting regenerate result."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        if segment.proposal is None:
            raise _NoChange
        segment.proposal = None

    return _mutate(config, day, change)


def undo(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """Bring back a segment's previous version (the last one in its history), with the flags it had then."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        if not segment.history:
            raise ReviewError("nothing to undo: this segment has no earlier version", subject=segment_id)
        previous = segment.history.pop()
        segment.title, segment.text, segment.script = previous.title, previous.text, previous.script
        segment.script_stale = previous.script_stale
        if previous.status in ("drafted", "dropped", "failed"):
            segment.status = previous.status  # type: ignore[assignment]
        # The restored words were a person's unless the change before them was the model's (first draft/regenerate).
        before = segment.history[-1] if segment.history else None
        segment.edited_by_human = before is not None and not before.reason.startswith(("regenerate", "accepted"))
        segment.version += 1
        if previous.flags is not None:
            segment.flags = [flag.model_copy() for flag in previous.flags]
        else:  # a version saved before flags were kept with it: check the restored words again
            segment.flags = [flag for flag in segment.flags if flag.resolved]
            _recheck(config, segment)
        _unapprove(episode, editor, f"{segment_id} undone after approval")

    return _mutate(config, day, change, segment_id=segment_id, base_version=base_version)


def _as_document(title: str, text: str, script: str) -> list[str]:
    return f"# {title}\n\n{normalize(text)}\n\n## Script\n\n{normalize(script)}\n".splitlines(keepends=True)


def segment_diff(episode: Episode, segment_id: str) -> str:
    """Unified diff of a segment's previous version against its current one ("" when it has no history)."""
    segment = _segment(episode, segment_id)
    if not segment.history:
        return ""
    previous = segment.history[-1]
    label = f"{segment_id} before {previous.reason or 'change'} by {previous.by} ({previous.at:%Y-%m-%d %H:%M} UTC)"
    return _diff_text((previous.title, previous.text, previous.script), (segment.title, segment.text, segment.script),
                      label, f"{segment_id} now")


def proposal_diff(segment: Segment) -> str:
    """Unified diff of a segment's current words against its waiting proposal."""
    if segment.proposal is None:
        return ""
    p = segment.proposal
    return _diff_text((segment.title, segment.text, segment.script), (p.title, p.text, p.script),
                      f"{segment.id} now (v{segment.version})", f"{segment.id} proposal (from v{p.base_version})")


# -- flags ------------------------------------------------------------------------------------------


def _flag_of(segment: Segment, flag_id: str) -> Flag:
    flag = next((flag for flag in segment.flags if flag.id == flag_id), None)
    if flag is None:
        raise ReviewError("no such flag on this segment (the words may have changed: reload)",
                          subject=f"{segment.id}/{flag_id}")
    return flag


def resolve_flag(config: Config, day: Date, segment_id: str, flag_id: str, resolution: str, note: str | None = None, *,
                 editor: str, base_version: int | None = None) -> Episode:
    """Close a grounding flag: "fixed" (the words were corrected) or "accepted" (the editor vouches for them).

    Resolving changes no words, so it needs no version: it never conflicts with an edit of the same segment.
    """
    del base_version
    if resolution not in ("fixed", "accepted"):
        raise ReviewError("a flag is resolved as 'fixed' or 'accepted'", subject=resolution)

    def change(episode: Episode) -> None:
        flag = _flag_of(_segment(episode, segment_id), flag_id)
        flag.resolved, flag.resolution, flag.resolved_by = True, resolution, editor  # type: ignore[assignment]
        flag.note = (note or "").strip()[:500] or None

    return _mutate(config, day, change)


def _recite(sentence: str, n: int) -> str:
    """The sentence with its citation markers replaced by one ``[n]`` (added before the end when it had none)."""
    markers = list(CITATION.finditer(sentence))
    if not markers:
        stripped = sentence.rstrip()
        end = len(stripped.rstrip(".!?\"'”’"))
        return f"{stripped[:end]} [{n}]{stripped[end:]}"
    first = markers[0]
    out = sentence[: first.start()] + f"[{n}]"
    position = first.end()
    for marker in markers[1:]:
        out += sentence[position: marker.start()].rstrip(" ")
        position = marker.end()
    return out + sentence[position:]


def _replace_sentence(segment: Segment, flag: Flag, new_sentence: str) -> str:
    words = getattr(segment, flag.field)
    if flag.sentence not in words:
        raise ReviewError("the flagged sentence is no longer in the segment's words (it was edited since)",
                          subject=f"{segment.id}/{flag.id}", hint="reload the page and edit the segment by hand")
    return words.replace(flag.sentence, new_sentence.strip(), 1)


def cite_instead(config: Config, day: Date, segment_id: str, flag_id: str, n: int, *, base_version: int,
                 editor: str) -> Episode:
    """Replace the citation markers of a flagged sentence with ``[n]`` (a source the flag suggests) and re-check."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        flag = _flag_of(segment, flag_id)
        if n not in flag.suggest or segment.source(n) is None:
            raise ReviewError(f"source [{n}] is not one this flag suggests", subject=f"{segment_id}/{flag_id}",
                              hint=f"suggested: {', '.join(f'[{k}]' for k in flag.suggest) or 'none'}")
        if flag.field != "text":
            raise ReviewError("only the text carries citations", subject=f"{segment_id}/{flag_id}")
        text = _replace_sentence(segment, flag, _recite(flag.sentence, n))
        _set_content(segment, editor, f"cite [{n}] instead", text=text)
        _recheck(config, segment)
        _unapprove(episode, editor, f"{segment_id} edited after approval")

    return _mutate(config, day, change, segment_id=segment_id, base_version=base_version)


def rewrite_flagged(config: Config, day: Date, segment_id: str, flag_id: str, sentence: str, *, base_version: int,
                    editor: str) -> Episode:
    """Edit in place: replace a flagged sentence with the editor's wording and re-check."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        flag = _flag_of(segment, flag_id)
        words = _replace_sentence(segment, flag, sentence)
        _check_limits(config, segment_id, **{flag.field: words})
        if not _set_content(segment, editor, "flag edited in place", **{flag.field: words}):
            raise _NoChange
        _recheck(config, segment)
        _unapprove(episode, editor, f"{segment_id} edited after approval")

    return _mutate(config, day, change, segment_id=segment_id, base_version=base_version)


# -- status: approve, reject, publish ---------------------------------------------------------------


@dataclass
class Seen:
    """What the approving editor had on screen: the content hash, and each segment's and the meta version."""

    content_hash: str | None = None
    versions: dict[str, int] = field(default_factory=dict)
    meta_version: int | None = None

    @classmethod
    def parse(cls, content_hash: str | None, versions: str | None, meta_version: str | None = None) -> Seen:
        """From the app's form: ``versions`` reads ``id:v,id:v``."""
        pairs = {}
        for part in (versions or "").split(","):
            key, _, value = part.partition(":")
            if key and value.isdigit():
                pairs[key] = int(value)
        meta = int(meta_version) if meta_version and meta_version.isdigit() else None
        return cls(content_hash=(content_hash or "").strip() or None, versions=pairs, meta_version=meta)


def _approval_conflict(episode: Episode, seen: Seen) -> ConflictError:
    parts, diffs = [], []
    for segment in episode.segments:
        then = seen.versions.get(segment.id)
        if then is None:
            parts.append(f"[{segment.id}] is new")
        elif then != segment.version:
            by = segment.history[-1].by if segment.history else "someone"
            parts.append(f"[{segment.id}] v{then} -> v{segment.version} (by {by})")
            diffs.append(_since(segment, then) or f"[{segment.id}]: status {segment.status}\n")
    if seen.meta_version is not None and seen.meta_version != episode.meta_version:
        parts.append(f"title/description v{seen.meta_version} -> v{episode.meta_version}")
    if not parts:
        parts.append("the running order or the words changed")
    error = ConflictError(
        "not approved: the episode changed after you loaded it (" + "; ".join(parts) + ")",
        subject=episode.date.isoformat(),
        hint="read the changes below, then approve the current version if it is right",
    )
    error.episode, error.segment = episode, None  # type: ignore[attr-defined]
    error.diff = "\n".join(diffs)  # type: ignore[attr-defined]
    return error


def stale_scripts(episode: Episode) -> list[str]:
    return [s.id for s in episode.live_segments if s.script_stale and s.script.strip()]


def approve(config: Config, day: Date, *, editor: str, override_flags: bool = False, note: str | None = None,
            seen: Seen | None = None) -> Episode:
    """Approve the episode as it is now (or as ``seen``, refused with the diff when it changed since).

    Open grounding flags and stale scripts block it unless ``override_flags`` (recorded). The approval records who,
    when, every segment's version and the content hash (``Episode.approval``).
    """

    def change(episode: Episode) -> None:
        if episode.status == "published":
            raise ApprovalError("this episode is already published", subject=episode.date.isoformat())
        if episode.status == "approved":
            raise ApprovalError("this episode is already approved", subject=episode.date.isoformat(),
                                hint=f"publish it: briefcast publish {episode.date}")
        current = content_hash(episode)
        if seen is not None and seen.content_hash and seen.content_hash != current:
            raise _approval_conflict(episode, seen)
        if not episode.live_segments:
            raise ApprovalError("this episode has no segments to publish", subject=episode.date.isoformat(),
                                hint="restore a dropped segment or regenerate a failed one")
        flags = episode.open_flags
        stale = stale_scripts(episode)
        if flags and not override_flags:
            raise ApprovalError(
                f"{len(flags)} grounding flag(s) are open in "
                f"{', '.join(sorted({s.id for s in episode.live_segments if any(not f.resolved for f in s.flags)}))}",
                subject=episode.date.isoformat(),
                hint=f"resolve them in the review app (fixed or accepted), or approve anyway with "
                     f"'briefcast approve {episode.date} --override-flags' (the override is recorded)",
            )
        if stale and not override_flags:
            raise ApprovalError(
                f"the script of {', '.join(stale)} is stale: its text was edited after the script was written",
                subject=episode.date.isoformat(),
                hint="edit the script (or 'Keep script' in the review app) so the audio says what the text says",
            )
        recorded = [f"approved over {len(flags)} open flag(s)"] if flags else []
        if stale:
            recorded.append(f"approved with stale scripts: {', '.join(stale)}")
        if note:
            recorded.append(note)
        text = "; ".join(recorded) or None
        episode.status = "approved"
        episode.approval = Approval(by=editor, at=now(), content_hash=current,
                                    versions={s.id: s.version for s in episode.segments},
                                    meta_version=episode.meta_version, order=[s.id for s in episode.segments],
                                    note=text, over_flags=len(flags))
        episode.history.append(Transition(status="approved", by=editor, at=now(), note=text))

    return _mutate(config, day, change, allow_published=True)


def reject(config: Config, day: Date, *, editor: str, note: str | None = None) -> Episode:
    """Turn an episode down (it will not be published unless approved later)."""

    def change(episode: Episode) -> None:
        if episode.status == "published":
            raise ApprovalError("this episode is already published", subject=episode.date.isoformat())
        if episode.status == "rejected":
            raise _NoChange
        episode.status = "rejected"
        episode.approval = None
        episode.history.append(Transition(status="rejected", by=editor, at=now(), note=note))

    return _mutate(config, day, change, allow_published=True)


def _check_releasable(config: Config, episode: Episode) -> None:
    if config.review.required and episode.status != "approved":
        raise ApprovalError(
            f"this episode is {episode.status}, not approved; this show requires approval before publishing",
            subject=episode.date.isoformat(), hint=f"briefcast approve {episode.date} (or review.required: false)",
        )
    if not episode.live_segments:
        raise ApprovalError("this episode has no segments to publish", subject=episode.date.isoformat())
    if episode.status == "approved":
        if episode.approval is None:
            raise ApprovalError(
                "this approval does not say which words it was for (made by an older briefcast)",
                subject=episode.date.isoformat(),
                hint=f"approve it again: briefcast approve {episode.date}",
            )
        if episode.approval.content_hash != content_hash(episode):
            raise ApprovalError(
                "the episode's words are not the ones approved (episode.json was changed directly)",
                subject=episode.date.isoformat(),
                hint=f"review and approve it again: briefcast approve {episode.date}",
            )


def publish(config: Config, day: Date, *, editor: str, store: Any = None, render: bool = True,
            report: list[StageResult] | None = None) -> Episode:
    """Release the approved words: render the outputs made from other words, then status published and the feeds.

    An output whose last render was made from other words than the approved ones is re-rendered first (``render``),
    or publishing is refused naming it; what goes out is what was approved. Publishing again re-runs the release.
    A release with failures is reported: into ``report`` when the caller keeps one (the run, which writes run.json
    itself), else into the day's run.json.
    """
    episode = load(config, day)
    if episode.status != "published":
        _check_releasable(config, episode)
        # Audio that was never rendered is not stale: the release leaves the episode out of the podcast feed and
        # says so (a run with --no-audio publishes the newsletter). Audio made from other words is re-voiced.
        audio = config.audio.enabled and (config.episode_dir(day) / "episode.mp3").is_file()
        stale = stale_outputs(episode, audio=audio)
        missing = [] if (config.episode_dir(day) / "newsletter.html").is_file() else ["newsletter"]
        todo = sorted(set(stale) | set(missing))
        if todo and not render:
            raise ApprovalError(f"not publishing: the {' and '.join(todo)} {'were' if len(todo) > 1 else 'was'} "
                                "rendered from other words than the approved ones", subject=day.isoformat(),
                                hint=f"re-render first: briefcast render --date {day}")
        if todo:
            _render_for_release(config, store, day, todo)
            episode = load_episode(config.episodes_dir, day)
            _check_releasable(config, episode)
            left = stale_outputs(episode, audio=audio)
            if left:
                raise ApprovalError(
                    f"not publishing: the {' and '.join(left)} could not be brought up to the approved words",
                    subject=day.isoformat(),
                    hint="re-render and look at its report",
                )
        approved = episode.approval.content_hash if episode.approval else None

        def change(current: Episode) -> None:
            if current.status == "published":
                raise _NoChange
            _check_releasable(config, current)
            if approved is not None and content_hash(current) != approved:
                raise ApprovalError("the episode changed while it was rendered", subject=day.isoformat(),
                                    hint="review the change and approve again")
            if stale_outputs(current, audio=audio):
                raise ApprovalError("the episode changed while it was rendered", subject=day.isoformat())
            current.status = "published"
            current.published_at = now()
            current.history.append(Transition(status="published", by=editor, at=now(), note=None))

        episode = _mutate(config, day, change, allow_published=True)
    from pipeline.publish import release  # the publish stage pulls in audio and templating: import when used

    released = release(config)
    if released.failures:  # the episode is out; what the release could not write goes into the run report
        log.warning("release of %s: %s", day, "; ".join(f"{f.subject}: {f.message}" for f in released.failures))
        if report is not None:
            report.append(released)
        else:
            from pipeline.run import record_results

            record_results(config, day, [released])
    if config.deliver:
        from pipeline.deliver import deliver  # the newsletter to readers, the files online: once per target

        deliver(config, day, store=store)
    return episode


def _render_for_release(config: Config, store: Any, day: Date, todo: list[str]) -> None:
    from pipeline.publish import render_episode
    from pipeline.store import open_store

    own = store is None
    store = open_store(config.state_dir) if own else store
    try:
        results = render_episode(config, store, day, audio="audio" in todo)
    finally:
        if own:
            store.close()
    failed = [result for result in results if result.status == "failed"]
    if failed:
        causes = "; ".join(f"{r.stage}: {f.get('message', '')}" for r in failed for f in r.failures) or "see its report"
        hint = next((f.get("hint") for r in failed for f in r.failures if f.get("hint")), None)
        raise ApprovalError(f"not publishing: re-rendering failed ({causes})", subject=day.isoformat(), hint=hint)


def rerender(config: Config, store: Any, day: Date, *, allow_stale_scripts: bool = False) -> Any:
    """Re-render the episode's outputs after edits; audio is cached per segment, so only changed segments re-voice."""
    sync_draft(config, day)
    from pipeline.publish import render_episode

    return render_episode(config, store, day, allow_stale_scripts=allow_stale_scripts)


__all__ = [
    "DraftProblem",
    "EpisodeSummary",
    "Regenerated",
    "Seen",
    "Synced",
    "accept_proposal",
    "approve",
    "check_editor",
    "cite_instead",
    "discard_proposal",
    "drop_segment",
    "drop_story",
    "edit_episode",
    "edit_segment",
    "editor_name",
    "list_episodes",
    "load",
    "load_for_review",
    "mark_script_current",
    "rederive_script",
    "move_segment",
    "move_story",
    "parse_day",
    "pin_story",
    "proposal_diff",
    "publish",
    "regenerate",
    "reject",
    "rerender",
    "resolve_draft",
    "resolve_flag",
    "restore_segment",
    "reorder",
    "rewrite_flagged",
    "segment_diff",
    "stale_edit",
    "stale_outputs",
    "stale_scripts",
    "sync_draft",
    "undo",
]
