"""The editor's workflow: reading an episode, edits, regenerate, undo, flags, approval and release.

The CLI and the review app both call these functions; neither touches episode files itself. Rules:

- Every read syncs first: edits saved in ``draft.md`` are taken into ``episode.json`` before anything else.
- Every edit carries ``base_version``, the episode version the editor saw. A different current version is a
  `ConflictError` (HTTP 409 in the app) carrying the current episode, never a silent overwrite.
- Every content change keeps the previous version in ``Segment.history`` (diff and undo), bumps the episode
  version (`pipeline.files.update_episode`, under the episode lock) and re-writes ``draft.md``.
- Status: drafted -> approved -> published, or rejected; each transition is recorded in ``Episode.history``.
  A content edit after approval takes the episode back to drafted: the approval was for other words.
"""

from __future__ import annotations

import difflib
import getpass
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import date as Date
from typing import Any, Literal

from pipeline.config import Config
from pipeline.errors import ApprovalError, ConflictError, EpisodeNotFoundError, ReviewError
from pipeline.files import atomic_write_text, load_episode, load_rundown, save_rundown, update_episode
from pipeline.models import Episode, EpisodeStatus, Rundown, Segment, SegmentVersion, Transition
from pipeline.review.draftmd import (
    DraftChanges, draft_path, normalize, parse_draft_md, parse_sections, render_draft_md, write_draft_md,
)

DATE_ID = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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
    status: EpisodeStatus
    version: int
    segments: int
    live_segments: int
    open_flags: int
    edited_segments: int
    has_audio: bool
    updated: datetime | None
    published_at: datetime | None


def load(config: Config, day: Date) -> Episode:
    """The episode, after taking in any edits saved in its draft.md."""
    sync_draft(config, day)
    return load_episode(config.episodes_dir, day)


def list_episodes(config: Config) -> list[EpisodeSummary]:
    """Every episode under episodes/, newest first (unreadable ones are skipped: `load` reports them)."""
    rows = []
    root = config.episodes_dir
    if not root.is_dir():
        return []
    for folder in root.iterdir():
        if not (DATE_ID.match(folder.name) and (folder / "episode.json").is_file()):
            continue
        try:
            episode = load_episode(root, Date.fromisoformat(folder.name))
        except (ValueError, EpisodeNotFoundError, ReviewError):
            continue
        except Exception:  # a corrupt file must not hide the other episodes; `load` names the problem
            continue
        rows.append(EpisodeSummary(
            date=episode.date, title=episode.title, status=episode.status, version=episode.version,
            segments=len(episode.segments), live_segments=len(episode.live_segments),
            open_flags=len(episode.open_flags),
            edited_segments=sum(1 for segment in episode.segments if segment.edited_by_human),
            has_audio=(folder / "episode.mp3").is_file(), updated=episode.updated, published_at=episode.published_at,
        ))
    return sorted(rows, key=lambda row: row.date, reverse=True)


# -- draft.md ---------------------------------------------------------------------------------------


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


def sync_draft(config: Config, day: Date) -> list[str]:
    """Take edits saved in draft.md into episode.json; returns the ids of the segments changed.

    An unreadable file raises `ReviewError` ("draft.md line N: ...") and is left exactly as the editor saved it.
    """
    with _LOCK:
        text = _read_draft(config, day)
        if text is None:
            return []
        episode = load_episode(config.episodes_dir, day)
        if text == render_draft_md(episode):
            return []
        changes = parse_draft_md(text, episode)
        if not changes:
            # Untouched but stale (episode.json moved on): show the editor the current words. Text typed where
            # no segment reads it (above the first section, say) is kept in draft.md.bak, never lost.
            atomic_write_text(draft_path(config, day).with_name("draft.md.bak"), text)
            write_draft_md(config, episode)
            return []
        if episode.status == "published":
            first = min(parse_sections_lines(text, changes))
            raise ReviewError(f"draft.md line {first}: this episode is published; edits in draft.md are not taken",
                              subject=episode.date.isoformat(),
                              hint="undo the edits in draft.md (or delete it: it is re-written from episode.json)")
        editor = editor_name(config)

        def apply(current: Episode) -> Episode:
            fresh = parse_draft_md(text, current)  # re-parse under the lock against what is stored now
            _apply_draft_changes(config, current, fresh, editor)
            return current

        episode = update_episode(config.episodes_dir, day, apply)
        write_draft_md(config, episode)
        return changes.changed_ids


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
            _set_content(segment, editor, "draft.md edit", **content)
            _recheck(config, segment)
            content_changed = True
        if "status" in fields:
            segment.status = fields["status"]  # type: ignore[assignment] - validated by the parser
            content_changed = True
    if changes.order is not None:
        by_id = {segment.id: segment for segment in episode.segments}
        episode.segments = [by_id[segment_id] for segment_id in changes.order]
        content_changed = True
    if content_changed:
        _unapprove(episode, editor, "edited in draft.md after approval")


# -- edits ------------------------------------------------------------------------------------------


def stale_edit(episode: Episode, base_version: int, segment_id: str | None = None) -> ConflictError:
    """A stale edit: carries the current episode (and segment) so the editor can see the other edit."""
    who = episode.history[-1].by if episode.history else None
    latest = None
    if segment_id:
        try:
            segment = episode.segment(segment_id)
            latest = segment.history[-1] if segment.history else None
        except KeyError:
            segment = None
    else:
        segment = None
    by = (latest.by if latest else who) or "someone"
    error = ConflictError(
        f"this edit was based on version {base_version}, but the episode is now at version {episode.version} "
        f"(last changed by {by})",
        subject=f"{episode.date}/{segment_id}" if segment_id else episode.date.isoformat(),
        hint="look at the other edit, then re-apply yours on top of the current version",
    )
    error.episode = episode  # type: ignore[attr-defined]
    error.segment = segment  # type: ignore[attr-defined]
    error.current_version = episode.version  # type: ignore[attr-defined]
    return error


def _mutate(config: Config, day: Date, base_version: int | None, change: Callable[[Episode], None],
            *, segment_id: str | None = None, allow_published: bool = False) -> Episode:
    """Sync draft.md, check the version, apply ``change`` under the episode lock, save (bump) and re-write draft.md."""
    with _LOCK:
        sync_draft(config, day)

        def apply(episode: Episode) -> Episode:
            if base_version is not None and base_version != episode.version:
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
    return SegmentVersion(title=segment.title, text=segment.text, script=segment.script, at=now(), by=by, reason=reason)


def _set_content(segment: Segment, editor: str, reason: str, *, title: str | None = None, text: str | None = None,
                 script: str | None = None) -> bool:
    """Apply a human edit: history first, then the new words; flags on rewritten sentences count as fixed."""
    new = {"title": title, "text": text, "script": script}
    new = {name: normalize(value) for name, value in new.items() if value is not None}
    if "title" in new and not new["title"]:
        raise ReviewError("a segment needs a title", subject=segment.id)
    changed = {name: value for name, value in new.items() if value != normalize(getattr(segment, name))}
    if not changed:
        return False
    segment.history.append(_snapshot(segment, editor, reason))
    for name, value in changed.items():
        setattr(segment, name, value)
    segment.edited_by_human = True
    for flag in segment.flags:
        if not flag.resolved and flag.field in changed and _squash(flag.sentence) not in _squash(getattr(segment, flag.field)):
            flag.resolved, flag.resolution, flag.resolved_by = True, "fixed", editor
            flag.note = flag.note or "the flagged sentence was rewritten"
    if segment.status == "failed" and segment.text:
        segment.status, segment.error = "drafted", None
    return True


def _recheck(config: Config, segment: Segment) -> None:
    """Check an edited segment's claims against its sources again, so a number an editor typed in is flagged too.

    Verdicts already given stay; flags on sentences that no longer exist stay as resolved history. Skipped when the
    sources' text is not in this show's store (an episode made elsewhere): then only the rewrite rule above applies.
    """
    from pipeline.draft import recheck_segment
    from pipeline.store import open_store

    if not segment.sources or segment.status != "drafted":
        return
    store = open_store(config.state_dir)
    try:
        if any(store.item(ref.item_id) is None for ref in segment.sources):
            return
        fresh = recheck_segment(config, store, segment)
    finally:
        store.close()
    ids = {flag.id for flag in fresh}
    segment.flags = [flag for flag in segment.flags if flag.resolved and flag.id not in ids] + fresh


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def _unapprove(episode: Episode, editor: str, note: str) -> None:
    if episode.status == "approved":
        episode.status = "drafted"
        episode.history.append(Transition(status="drafted", by=editor, at=now(), note=note))


def edit_segment(config: Config, day: Date, segment_id: str, *, text: str | None = None, script: str | None = None,
                 title: str | None = None, base_version: int, editor: str) -> Episode:
    """Replace a segment's text, script and/or title; the previous words go to its history."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        if not _set_content(segment, editor, "edit", title=title, text=text, script=script):
            raise _NoChange
        _recheck(config, segment)
        _unapprove(episode, editor, f"{segment_id} edited after approval")

    return _mutate(config, day, base_version, change, segment_id=segment_id)


def reorder(config: Config, day: Date, order: list[str], *, base_version: int, editor: str) -> Episode:
    """Set the running order; ``order`` lists every segment id once."""

    def change(episode: Episode) -> None:
        ids = [segment.id for segment in episode.segments]
        if sorted(order) != sorted(ids) or len(set(order)) != len(order):
            raise ReviewError("a new running order must list every segment exactly once", subject=",".join(order),
                              hint=f"segments: {', '.join(ids)}")
        if order == ids:
            raise _NoChange
        by_id = {segment.id: segment for segment in episode.segments}
        episode.segments = [by_id[segment_id] for segment_id in order]
        _unapprove(episode, editor, "running order changed after approval")

    return _mutate(config, day, base_version, change)


def move_segment(config: Config, day: Date, segment_id: str, offset: int, *, base_version: int, editor: str) -> Episode:
    """Move one segment up (offset -1) or down (+1) the running order."""
    episode = load_episode(config.episodes_dir, day)
    ids = [segment.id for segment in episode.segments]
    if segment_id not in ids:
        raise ReviewError("no such segment in this episode", subject=segment_id)
    index = ids.index(segment_id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return reorder(config, day, ids, base_version=base_version, editor=editor)


def _set_status(config: Config, day: Date, segment_id: str, status: Literal["dropped", "drafted"], *,
                base_version: int, editor: str) -> Episode:
    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        target = status if status == "dropped" or segment.text else "failed"
        if segment.status == target:
            raise _NoChange
        segment.status = target
        _unapprove(episode, editor, f"{segment_id} {'dropped' if status == 'dropped' else 'restored'} after approval")

    return _mutate(config, day, base_version, change, segment_id=segment_id)


def drop_segment(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """Leave a segment out of the episode (kept in episode.json; `restore_segment` brings it back)."""
    return _set_status(config, day, segment_id, "dropped", base_version=base_version, editor=editor)


def restore_segment(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """Bring a dropped segment back."""
    return _set_status(config, day, segment_id, "drafted", base_version=base_version, editor=editor)


# -- story overrides (fed back into curate on regenerate) ------------------------------------------


def _override(config: Config, day: Date, story_id: str, value: str, *, base_version: int, editor: str) -> Episode:
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
            date=day, stories=episode.stories, segments={s.id: list(s.story_ids) for s in episode.segments if s.story_ids}
        )
        rundown.overrides[story_id] = value
        save_rundown(config.episodes_dir, rundown)

    return _mutate(config, day, base_version, change)


def move_story(config: Config, day: Date, story_id: str, to_segment: str, *, base_version: int, editor: str) -> Episode:
    """Put a story in another segment (an override curate keeps on the next run); regenerate to re-write."""
    return _override(config, day, story_id, to_segment, base_version=base_version, editor=editor)


def pin_story(config: Config, day: Date, story_id: str, *, base_version: int, editor: str) -> Episode:
    """Keep a story in the show whatever its rank."""
    return _override(config, day, story_id, "pin", base_version=base_version, editor=editor)


def drop_story(config: Config, day: Date, story_id: str, *, base_version: int, editor: str) -> Episode:
    """Leave a story out (an override curate keeps on the next run)."""
    return _override(config, day, story_id, "drop", base_version=base_version, editor=editor)


# -- regenerate, undo, diff ------------------------------------------------------------------------


def regenerate(config: Config, store: Any, day: Date, segment_id: str, feedback: str, *, force: bool = False,
               base_version: int, editor: str) -> Episode:
    """Re-draft one segment with the editor's feedback; the previous words go to history.

    Refuses a segment an editor changed unless ``force``: human edits win.
    """
    episode = load(config, day)
    if base_version != episode.version:
        raise stale_edit(episode, base_version, segment_id)
    segment = _segment(episode, segment_id)
    if segment.edited_by_human and not force:
        raise ReviewError("this segment was edited by a person; regenerating would replace their words",
                          subject=segment_id, hint="tick 'replace the edit' (or pass force=True); undo brings it back")
    if episode.status == "published":
        raise ReviewError("this episode is published; its words are final", subject=episode.date.isoformat())
    from pipeline.draft import regenerate_segment  # the draft stage's model client is heavy: import when used

    result = regenerate_segment(config, store, episode, segment_id, feedback, force=force)
    fresh = result.segment(segment_id) if isinstance(result, Episode) else result
    reason = f"regenerate: {' '.join(feedback.split())}" if feedback.strip() else "regenerate"

    def change(current: Episode) -> None:
        old = _segment(current, segment_id)
        new = fresh.model_copy(deep=True)
        new.history = [*old.history, _snapshot(old, editor, reason)]
        new.edited_by_human = False
        current.segments = [new if s.id == segment_id else s for s in current.segments]
        _unapprove(current, editor, f"{segment_id} regenerated after approval")

    # The model call ran outside the lock; anything saved meanwhile makes this a conflict, not an overwrite.
    return _mutate(config, day, episode.version, change, segment_id=segment_id)


def undo(config: Config, day: Date, segment_id: str, *, base_version: int, editor: str) -> Episode:
    """Bring back a segment's previous version (the last one in its history)."""

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        if not segment.history:
            raise ReviewError("nothing to undo: this segment has no earlier version", subject=segment_id)
        previous = segment.history.pop()
        segment.title, segment.text, segment.script = previous.title, previous.text, previous.script
        # The restored words were a person's unless the change before them was the model's (first draft/regenerate).
        before = segment.history[-1] if segment.history else None
        segment.edited_by_human = before is not None and not before.reason.startswith("regenerate")
        _unapprove(episode, editor, f"{segment_id} undone after approval")

    return _mutate(config, day, base_version, change, segment_id=segment_id)


def _as_document(title: str, text: str, script: str) -> list[str]:
    return f"# {title}\n\n{normalize(text)}\n\n## Script\n\n{normalize(script)}\n".splitlines(keepends=True)


def segment_diff(episode: Episode, segment_id: str) -> str:
    """Unified diff of a segment's previous version against its current one ("" when it has no history)."""
    segment = _segment(episode, segment_id)
    if not segment.history:
        return ""
    previous = segment.history[-1]
    label = f"{segment_id} before {previous.reason or 'change'} by {previous.by} ({previous.at:%Y-%m-%d %H:%M} UTC)"
    return "".join(difflib.unified_diff(
        _as_document(previous.title, previous.text, previous.script),
        _as_document(segment.title, segment.text, segment.script),
        fromfile=label, tofile=f"{segment_id} now",
    ))


def resolve_flag(config: Config, day: Date, segment_id: str, flag_id: str, resolution: str, note: str | None = None, *,
                 base_version: int, editor: str) -> Episode:
    """Close a grounding flag: "fixed" (the words were corrected) or "accepted" (the editor vouches for them)."""
    if resolution not in ("fixed", "accepted"):
        raise ReviewError("a flag is resolved as 'fixed' or 'accepted'", subject=resolution)

    def change(episode: Episode) -> None:
        segment = _segment(episode, segment_id)
        flag = next((flag for flag in segment.flags if flag.id == flag_id), None)
        if flag is None:
            raise ReviewError("no such flag on this segment", subject=f"{segment_id}/{flag_id}")
        flag.resolved, flag.resolution, flag.resolved_by = True, resolution, editor  # type: ignore[assignment]
        flag.note = (note or "").strip() or None

    return _mutate(config, day, base_version, change, segment_id=segment_id)


# -- status: approve, reject, publish ---------------------------------------------------------------


def _transition(config: Config, day: Date, check: Callable[[Episode], None], status: EpisodeStatus, editor: str,
                note: str | None, *, extra: Callable[[Episode], None] | None = None,
                allow_published: bool = False) -> Episode:
    def change(episode: Episode) -> None:
        check(episode)
        episode.status = status
        episode.history.append(Transition(status=status, by=editor, at=now(), note=note))
        if extra:
            extra(episode)

    return _mutate(config, day, None, change, allow_published=allow_published or status == "published")


def approve(config: Config, day: Date, *, editor: str, override_flags: bool = False, note: str | None = None) -> Episode:
    """Approve an episode for release; open grounding flags block it unless ``override_flags`` (recorded)."""
    recorded = note

    def check(episode: Episode) -> None:
        nonlocal recorded
        if episode.status == "published":
            raise ApprovalError("this episode is already published", subject=episode.date.isoformat())
        if episode.status == "approved":
            raise ApprovalError("this episode is already approved", subject=episode.date.isoformat(),
                                hint=f"publish it: briefcast publish {episode.date}")
        if not episode.live_segments:
            raise ApprovalError("this episode has no segments to publish", subject=episode.date.isoformat(),
                                hint="restore a dropped segment or regenerate a failed one")
        flags = episode.open_flags
        if flags and not override_flags:
            raise ApprovalError(
                f"{len(flags)} grounding flag(s) are open in {len({f.id for f in flags})} place(s) "
                f"({', '.join(sorted({s.id for s in episode.live_segments if any(not f.resolved for f in s.flags)}))})",
                subject=episode.date.isoformat(),
                hint=f"resolve them in the review app (fixed or accepted), or approve anyway with "
                     f"'briefcast approve {episode.date} --override-flags' (the override is recorded)",
            )
        if flags:
            recorded = f"approved over {len(flags)} open flag(s)" + (f"; {note}" if note else "")

    def change(episode: Episode) -> None:
        check(episode)
        episode.status = "approved"
        episode.history.append(Transition(status="approved", by=editor, at=now(), note=recorded))

    return _mutate(config, day, None, change, allow_published=True)


def reject(config: Config, day: Date, *, editor: str, note: str | None = None) -> Episode:
    """Turn an episode down (it will not be published unless approved later)."""

    def check(episode: Episode) -> None:
        if episode.status == "published":
            raise ApprovalError("this episode is already published", subject=episode.date.isoformat())
        if episode.status == "rejected":
            raise _NoChange

    return _transition(config, day, check, "rejected", editor, note, allow_published=True)


def publish(config: Config, day: Date, *, editor: str) -> Episode:
    """Release an episode: status published, then the feed, archive and newsletter feed are rebuilt.

    Publishing again re-runs the release (idempotent) without a new transition.
    """

    def check(episode: Episode) -> None:
        if episode.status == "published":
            raise _NoChange
        if config.review.required and episode.status != "approved":
            raise ApprovalError(
                f"this episode is {episode.status}, not approved; this show requires approval before publishing",
                subject=episode.date.isoformat(), hint=f"briefcast approve {episode.date} (or review.required: false)",
            )
        if not episode.live_segments:
            raise ApprovalError("this episode has no segments to publish", subject=episode.date.isoformat())

    def stamp(episode: Episode) -> None:
        episode.published_at = now()

    episode = _transition(config, day, check, "published", editor, None, extra=stamp)
    from pipeline.publish import release  # the publish stage pulls in audio and templating: import when used

    release(config)
    return episode


def rerender(config: Config, store: Any, day: Date) -> Any:
    """Re-render the episode's outputs after edits; audio is cached per segment, so only changed segments re-voice."""
    sync_draft(config, day)
    from pipeline.publish import render_episode

    return render_episode(config, store, day)


__all__ = [
    "EpisodeSummary", "approve", "drop_segment", "drop_story", "edit_segment", "editor_name", "list_episodes", "load",
    "move_segment", "move_story", "parse_day", "pin_story", "publish", "regenerate", "reject", "rerender",
    "resolve_flag", "restore_segment", "reorder", "segment_diff", "stale_edit", "sync_draft", "undo",
]
