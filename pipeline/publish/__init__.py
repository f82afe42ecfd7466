"""Publish: the newsletter (md, html, txt), the spoken script, the static site and the podcast feed.

Two entry points:

- ``render_episode(config, store, day)``: the draft's written outputs into ``episodes/<date>/``, then the audio
  (``pipeline.audio``) when enabled. Editors read and listen to these before approving. ``render_fingerprint``
  is what a render is made from (the run skips a render whose fingerprint is unchanged).
- ``release(config)``: rebuild everything public from the episodes whose status is ``published``:
  ``episodes/feed.xml`` (podcast), ``episodes/newsletter.xml`` (issues), ``episodes/index.html`` (archive)
  and ``episodes/<date>/index.html`` (one page per episode). Same inputs, same bytes.
"""

from __future__ import annotations

import time
from datetime import date as Date
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.errors import AudioError
from pipeline.files import atomic_write_text, load_episode, update_episode
from pipeline.fingerprint import audio_fingerprint, inputs_digest, newsletter_fingerprint
from pipeline.models import Episode, StageResult
from pipeline.publish.newsletter import build_issue, render_newsletter
from pipeline.publish.release import make_public, release

if TYPE_CHECKING:
    from pipeline.store import Store

__all__ = ["build_issue", "release", "render_episode", "render_fingerprint", "render_newsletter_files"]


def render_newsletter_files(config: Config, episode: Episode) -> StageResult:
    """Write newsletter.md/.html/.txt and script.md for one episode (atomic writes)."""
    started = time.monotonic()
    issue, files = render_newsletter(config, episode)
    folder = config.episode_dir(episode.date)
    for name, text in files.items():
        atomic_write_text(folder / name, text)
        make_public(folder / name)
    return StageResult(
        stage="newsletter",
        seconds=round(time.monotonic() - started, 3),
        counts={"words": issue.words, "segments": len(issue.all_sections), "links": issue.links},
        notes=[f"wrote {', '.join(files)} in {folder}"],
    )


def _stamp(config: Config, day: Date, **fingerprints: str) -> None:
    """Record what each output was rendered from (``Episode.rendered``): publish re-renders what no longer matches."""

    def change(current: Episode) -> Episode:
        current.rendered = {**current.rendered, **fingerprints}
        return current

    update_episode(config.episodes_dir, day, change, bump=False)


def render_fingerprint(config: Config, episode: Episode, *, audio: bool) -> str:
    """A render's inputs: the episode's content (not its bookkeeping: versions, history, status, approval, audio
    info), the audio, voice, show and site settings, and whether audio is made."""
    content = episode.model_dump(
        mode="json",
        exclude={
            "audio": True,
            "version": True,
            "updated": True,
            "history": True,
            "status": True,
            "rendered": True,
            "approval": True,
            "meta_version": True,
            "editor_note": True,
            "segments": {"__all__": {"audio_hash", "version", "proposal"}},
        },
    )
    settings = (config.audio.model_dump(), config.tts.model_dump(), config.show.model_dump(), config.site.model_dump())
    return inputs_digest(content, settings, audio)


def render_episode(config: Config, store: Store | None, day: Date, *, audio: bool = True,
                   allow_stale_scripts: bool = False) -> list[StageResult]:
    """Render the episode's audio, then its newsletter and script (once); an audio failure is reported, not raised.

    A segment whose script is stale (its text was edited after the script was written) is not voiced unless
    ``allow_stale_scripts``: the audio stage fails naming it.
    """
    episode = load_episode(config.episodes_dir, day)
    if not (audio and config.audio.enabled):
        reason = "audio disabled in config (audio.enabled: false)" if audio else "audio not requested (--no-audio)"
        audio_result = StageResult(stage="audio", status="skipped", notes=[reason])
        written = episode
    else:
        # Audio first: it records the duration and chapters in episode.json, which the newsletter's listen link
        # shows, so the newsletter is drawn once, from the episode as the audio left it.
        audio_result = _render_audio(config, store, episode, allow_stale_scripts=allow_stale_scripts)
        written = episode
        if audio_result.status in ("done", "partial"):
            _stamp(config, day, audio=audio_fingerprint(episode))
            written = load_episode(config.episodes_dir, day)
    results = [render_newsletter_files(config, written), audio_result]
    _stamp(config, day, newsletter=newsletter_fingerprint(episode))
    return results


def _render_audio(
    config: Config, store: Store | None, episode: Episode, *, allow_stale_scripts: bool = False
) -> StageResult:
    started = time.monotonic()
    try:
        from pipeline.audio import render_audio  # imported lazily: it pulls in the TTS and mixing stack
    except ImportError as exc:
        return StageResult(stage="audio", status="failed", seconds=0.0, failures=[{
            "subject": episode.date.isoformat(), "kind": "audio",
            "message": f"the audio stage cannot be loaded ({exc})",
            "hint": "install briefcast[local], or set audio.enabled: false",
        }])
    try:
        result = render_audio(config, store, episode, allow_stale_scripts=allow_stale_scripts)
    except AudioError as exc:
        return StageResult(stage="audio", status="failed", seconds=round(time.monotonic() - started, 3), failures=[{
            "subject": exc.subject or episode.date.isoformat(), "kind": exc.kind, "message": str(exc),
            **({"hint": exc.hint} if exc.hint else {}),
        }])
    if isinstance(result, StageResult):
        return result
    return StageResult(stage="audio", seconds=round(time.monotonic() - started, 3))
