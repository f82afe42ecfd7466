"""The published episodes, gathered once for the feed, the archive, the pages and the newsletter feed."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.config import Config
from pipeline.files import read_episodes
from pipeline.models import Episode, Failure
from pipeline.publish import markup
from pipeline.publish.newsletter import Issue, build_issue


@dataclass
class Chapter:
    start: float
    title: str
    url: str | None = None


@dataclass
class Cue:
    start: float
    end: float
    text: str


@dataclass
class Published:
    """One published episode and what exists of it on disk."""

    episode: Episode
    issue: Issue
    folder: Path
    guid: str
    published: datetime  # aware, UTC
    mp3_bytes: int | None  # None: no episode.mp3 yet (not in the podcast feed)
    duration: float | None
    has_transcript: bool
    has_chapters: bool
    chapters: list[Chapter] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    show_notes: str = ""


@dataclass
class Gathered:
    published: list[Published]
    failures: list[Failure]
    unpublished: list[Path]  # folders of episodes that exist but are not published


def episode_guid(config: Config, episode: Episode) -> str:
    """The item's GUID: a function of the site and the date only, so rebuilds and edits never change it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, config.site.base_url + episode.date.isoformat()))


def publication_time(config: Config, episode: Episode) -> datetime:
    """When it was published; episodes from before published_at existed count from midnight, show time."""
    if episode.published_at is not None:
        stamp = episode.published_at
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    return datetime.combine(episode.date, time(0), ZoneInfo(config.show.timezone)).astimezone(UTC)


def mp3_duration(path: Path) -> float | None:
    """Length of an MP3 in seconds from its frames (mutagen), None when it cannot be read."""
    try:
        from mutagen.mp3 import MP3

        return float(MP3(path).info.length)  # type: ignore[attr-defined]  # typed on the base class as None
    except Exception:  # noqa: BLE001 - any unreadable file simply has no known duration
        return None


def read_chapters(folder: Path, episode: Episode) -> tuple[list[Chapter], list[str]]:
    """Chapters from chapters.json (Podcasting 2.0 JSON chapters), else from episode.audio.chapters."""
    path = folder / "chapters.json"
    problems: list[str] = []
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            chapters = [
                Chapter(float(c["startTime"]), markup.clean_text(str(c.get("title", ""))),
                        markup.safe_url(c.get("url")))
                for c in data.get("chapters", [])
            ]
            return sorted(chapters, key=lambda c: c.start), problems
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            problems.append(f"{path}: not valid JSON chapters ({exc}); using episode.json's chapters")
    if episode.audio:
        return [Chapter(c.start, markup.clean_text(c.title)) for c in episode.audio.chapters], problems
    return [], problems


_TIMING = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})")
_VTT_TAG = re.compile(r"<[^>]*>")


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return sum(float(part) * 60**i for i, part in enumerate(reversed(parts)))


def read_transcript(path: Path) -> list[Cue]:
    """WebVTT cues as plain text (voice and styling tags dropped; the page escapes the text)."""
    if not path.is_file():
        return []
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        for i, line in enumerate(lines):
            timing = _TIMING.match(line)
            if timing:
                text = " ".join(lines[i + 1 :])
                text = markup.clean_text(_VTT_TAG.sub("", text))
                text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&amp;", "&")
                if text.strip():
                    cues.append(Cue(_seconds(timing.group(1)), _seconds(timing.group(2)), text.strip()))
                break
    return cues


def gather(config: Config) -> Gathered:
    """Every ``episodes/<date>/episode.json`` (read as the review list reads them, ``files.read_episodes``); the
    published ones newest first, unreadable files as failures."""
    published: list[Published] = []
    failures: list[Failure] = []
    unpublished: list[Path] = []
    root = Path(config.episodes_dir)
    for day, episode, error in read_episodes(root):
        folder = root / day.isoformat()
        if episode is None:
            failures.append(Failure(subject=folder.name, kind="episode", message=error or "unreadable"))
        elif episode.status != "published":
            unpublished.append(folder)
        else:
            published.append(_published(config, episode, folder, failures))
    return Gathered(published, failures, unpublished)


def _published(config: Config, episode: Episode, folder: Path, failures: list[Failure]) -> Published:
    mp3 = folder / "episode.mp3"
    size = mp3.stat().st_size if mp3.is_file() else None
    duration = episode.audio.duration if episode.audio else None
    if size and duration is None:
        duration = mp3_duration(mp3)
    chapters, problems = read_chapters(folder, episode)
    for problem in problems:
        failures.append(Failure(subject=episode.date.isoformat(), kind="chapters", message=problem))
    return Published(
        episode=episode,
        issue=build_issue(config, episode),
        folder=folder,
        guid=episode_guid(config, episode),
        published=publication_time(config, episode),
        mp3_bytes=size or None,
        duration=duration,
        has_transcript=(folder / "transcript.vtt").is_file(),
        has_chapters=(folder / "chapters.json").is_file(),
        chapters=chapters,
        cues=read_transcript(folder / "transcript.vtt"),
    )
