"""render_audio: an episode's segments -> episode.mp3, transcript.vtt and chapters.json, and AudioInfo."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from mutagen.mp3 import MP3

from pipeline import progress
from pipeline.audio.mix import build_timeline, encode
from pipeline.audio.synth import SegmentAudio, Synthesizer
from pipeline.audio.tags import write_tags
from pipeline.audio.transcript import chapters_json, webvtt
from pipeline.config import Config
from pipeline.errors import AudioError
from pipeline.files import atomic_replace_file, atomic_write_text, scratch_prefix, update_episode
from pipeline.models import AudioInfo, Chapter, Episode, Failure, StageResult
from pipeline.store import Store

LOUDNESS_TOLERANCE = 1.0  # LU around audio.loudness (Apple: -16 +-1)


def render_audio(config: Config, store: Store, episode: Episode, *, allow_stale_scripts: bool = False) -> StageResult:
    """Voice every live segment (cached), mix, normalize, tag and write the episode's audio files.

    Raises AudioError naming the segment when a segment cannot be voiced, or when a script is stale (its text
    was edited after the script was written) unless ``allow_stale_scripts``; nothing is written then, so an
    older episode.mp3 stays as it was rather than being replaced by a short one.
    """
    started = time.monotonic()
    day = episode.date.isoformat()
    stale = [segment.id for segment in episode.live_segments if segment.script_stale and segment.script.strip()]
    if stale and not allow_stale_scripts:
        raise AudioError(f"not voicing a stale script: the text of {', '.join(stale)} was edited after its script "
                         "was written", subject=", ".join(stale),
                         hint="edit the script in review (or mark it current there), or render with --allow-stale "
                              "to voice it as it is")
    segments = [segment for segment in episode.live_segments if segment.script.strip()]
    notes = [f"segment {segment.id!r} has no script: left out of the audio"
             for segment in episode.live_segments if not segment.script.strip()]
    if not segments:
        raise AudioError("the episode has no segment with a script to voice", subject=day,
                         hint="draft the episode first (briefcast run / draft)")
    synthesizer = Synthesizer(config, store)
    voiced: dict[str, SegmentAudio] = {}
    failures: list[AudioError] = []
    for done, segment in enumerate(segments):
        progress.advance("audio", done, len(segments) + 1, f"voicing {segment.id}")
        try:
            voiced[segment.id] = synthesizer.segment(segment)
        except AudioError as exc:  # voice the rest (it fills the cache), then fail naming every bad segment
            failures.append(exc)
    if failures:
        detail = "; ".join(str(exc) for exc in failures)
        raise AudioError(f"{len(failures)} segment(s) could not be voiced ({detail})",
                         subject=failures[0].subject, hint=failures[0].hint) from failures[0]

    progress.advance("audio", len(segments), len(segments) + 1, "mixing and loudness")
    folder = config.episode_dir(episode.date)
    folder.mkdir(parents=True, exist_ok=True)
    config.state_dir.mkdir(parents=True, exist_ok=True)
    # the owner's pid in the name: a later run removes this folder if a kill leaves it behind (files.sweep_scratch)
    with tempfile.TemporaryDirectory(prefix=scratch_prefix("mix"), dir=config.state_dir) as scratch:
        work = Path(scratch)
        timeline = build_timeline(config, segments, voiced, work)
        chapters = _chapters(segments, timeline.starts, timeline.duration)
        fd, name = tempfile.mkstemp(prefix=".episode.mp3.", suffix=".tmp", dir=folder)
        os.close(fd)
        partial = Path(name)
        try:
            encoded = encode(config, timeline, work, partial, subject=day)
            meter = encoded.meter
            duration = _check_duration(partial, timeline.duration, day)
            write_tags(partial, config, episode, chapters)
            partial.chmod(0o644)  # served as is by the podcast host
            atomic_replace_file(partial, folder / "episode.mp3")
        finally:
            partial.unlink(missing_ok=True)
    names = {"host": config.show.host, "cohost": "Co-host"}
    atomic_write_text(folder / "transcript.vtt", webvtt(timeline.speech, names, config.tts.lexicon))
    atomic_write_text(folder / "chapters.json", chapters_json(chapters))
    size = (folder / "episode.mp3").stat().st_size
    info = AudioInfo(duration=round(duration, 3), bytes=size, chapters=chapters,
                     loudness_lufs=meter.integrated, true_peak_dbtp=meter.true_peak)
    hashes = {segment_id: audio.audio_hash for segment_id, audio in voiced.items()}

    def change(current: Episode) -> Episode:
        current.audio = info
        for segment in current.segments:
            if segment.id in hashes:
                segment.audio_hash = hashes[segment.id]
        return current

    update_episode(config.episodes_dir, episode.date, change, bump=False)
    status = "done"
    failures_out: list[Failure] = []
    if abs(meter.integrated - config.audio.loudness) > LOUDNESS_TOLERANCE or meter.true_peak > -1.0:
        status = "partial"
        failures_out.append(Failure(subject=day, kind="loudness", message=(
            f"measured {meter.integrated:.1f} LUFS / {meter.true_peak:.1f} dBTP; wanted "
            f"{config.audio.loudness:.0f} +-{LOUDNESS_TOLERANCE:.0f} LUFS and at most -1 dBTP")))
    if notes:
        status = "partial"
    return StageResult(
        stage="audio", status=status, seconds=round(time.monotonic() - started, 3),
        counts={"characters": synthesizer.characters, "segments_synthesized": sum(
                    any(turn.synthesized for turn in audio.turns) for audio in voiced.values()),
                "cache_hits": synthesizer.hits, "audio_minutes": round(duration / 60, 2),
                "lufs": meter.integrated, "true_peak": meter.true_peak, "gain_db": round(encoded.gain_db, 2),
                **{key: value for key, value in timeline.levels.items()}},
        failures=failures_out, notes=notes,
    )


def _chapters(segments: list, starts: dict[str, float], total: float) -> list[Chapter]:
    ordered = [(segment, starts[segment.id]) for segment in segments]
    chapters = []
    for index, (segment, start) in enumerate(ordered):
        end = ordered[index + 1][1] if index + 1 < len(ordered) else total
        chapters.append(Chapter(segment_id=segment.id, title=segment.title, start=round(start, 3), end=round(end, 3)))
    return chapters


def _check_duration(path: Path, expected: float, subject: str) -> float:
    """The encoded file must be as long as the running order: never publish a truncated MP3."""
    try:
        actual = MP3(path).info.length  # type: ignore[attr-defined]  # typed on the base class as None
    except Exception as exc:  # mutagen raises its own assorted errors on a broken file
        raise AudioError("the encoded MP3 cannot be read back", subject=subject) from exc
    if abs(actual - expected) > max(1.0, expected * 0.01):
        raise AudioError(f"the encoded MP3 is {actual:.1f} s long, the running order {expected:.1f} s: "
                         "not publishing a truncated file", subject=subject)
    return actual
