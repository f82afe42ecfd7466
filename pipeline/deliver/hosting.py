"""Hosting: the published files go where podcast apps and browsers fetch them, feed.xml last.

Which files: what ``release`` made public in ``episodes/`` (feed.xml, newsletter.xml, index.html, the artwork) and,
for every published episode, its page, MP3, transcript and chapters. Never episode.json, draft.md or run.json.

Order: media first (MP3s, transcripts, chapters, artwork), then the pages, then newsletter.xml, then feed.xml, so no
app ever reads an item whose audio is not there yet; when anything before it failed, feed.xml is held back.
Only what changed goes up: a file whose sha256 is the one last delivered to that target is skipped. Once the feed
is up, the files of an episode that is no longer published are taken down (it has left the feed first).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.config import Config, FolderTarget, S3Target
from pipeline.deliver.base import HostingTarget, Job, register_backend
from pipeline.errors import BriefcastError, DeliveryError
from pipeline.files import atomic_write_bytes, load_episode

Cache = Literal["media", "page", "feed"]

_DAY_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EPISODE_FILES = {  # name -> (content type, cache class, upload rank)
    "episode.mp3": ("audio/mpeg", "media", 0),
    "transcript.vtt": ("text/vtt; charset=utf-8", "media", 1),
    "chapters.json": ("application/json+chapters", "media", 1),
    "index.html": ("text/html; charset=utf-8", "page", 3),
}
_TOP_FILES = {
    "index.html": ("text/html; charset=utf-8", "page", 4),
    "newsletter.xml": ("application/atom+xml; charset=utf-8", "feed", 5),
    "feed.xml": ("application/rss+xml; charset=utf-8", "feed", 9),  # always last
}
_ARTWORK_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
FEED = "feed.xml"
STOP_AFTER = 3  # consecutive failures that stop a target (a wrong bucket or key fails every file the same way)


@dataclass(frozen=True)
class PublicFile:
    key: str  # path relative to episodes/, with "/"
    path: Path
    content_type: str
    cache: Cache
    rank: int


def public_files(config: Config) -> list[PublicFile]:
    """Every file a listener or reader may fetch, in upload order (media, pages, newsletter feed, podcast feed)."""
    root = Path(config.episodes_dir)
    files: list[PublicFile] = []
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and _DAY_DIR.match(p.name)):
            if not (folder / "episode.json").is_file() or not _published(config, folder):
                continue
            for name, (ctype, cache, rank) in _EPISODE_FILES.items():
                if (folder / name).is_file():
                    key = f"{folder.name}/{name}"
                    files.append(PublicFile(key, folder / name, ctype, cache, rank))  # type: ignore[arg-type]
        for path in sorted(root.glob("artwork.*")):
            if path.suffix.lower() in _ARTWORK_TYPES:
                files.append(PublicFile(path.name, path, _ARTWORK_TYPES[path.suffix.lower()], "media", 2))
        for name, (ctype, cache, rank) in _TOP_FILES.items():
            if (root / name).is_file():
                files.append(PublicFile(name, root / name, ctype, cache, rank))  # type: ignore[arg-type]
    return sorted(files, key=lambda f: (f.rank, f.key))


def _published(config: Config, folder: Path) -> bool:
    from datetime import date

    try:
        return load_episode(config.episodes_dir, date.fromisoformat(folder.name)).status == "published"
    except (BriefcastError, ValueError):
        return False


def cache_control(spec: S3Target | FolderTarget, cache: Cache) -> str:
    ages = {"feed": getattr(spec, "feed_max_age", 300), "page": getattr(spec, "page_max_age", 600),
            "media": getattr(spec, "media_max_age", 30 * 86400)}
    return f"public, max-age={ages[cache]}"


def deliver_files(job: Job, target: HostingTarget, files: list[PublicFile]) -> None:
    """Upload what changed since the last delivery to this target, in order, recording each object once."""
    ledger = job.ledger
    problems = 0
    in_a_row = 0
    feed = "unchanged"
    for index, file in enumerate(files):
        if file.key == FEED and problems:
            job.fail(FEED, f"held back: {problems} file(s) before it did not go up, so the feed would point at "
                           "missing audio or pages", hint="fix the failures above, then: briefcast deliver "
                           f"{job.episode.date}")
            job.count("objects_held")
            feed = "held back"
            continue
        data = file.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if ledger.last_sent_digest(file.key) == digest:
            job.count("objects_unchanged")
            continue
        row = ledger.get(file.key)
        try:
            if row and row["status"] == "sending" and row["digest"] == digest and target.present(file.key, data):
                # a crash came after the upload and before its record: the object is there, do not send it again
                ledger.done(file.key, digest, row.get("remote_id"))
                job.count("objects_confirmed")
                feed = "updated" if file.key == FEED else feed
                continue
            ledger.begin(file.key, digest)
            cache = cache_control(job.spec, file.cache)  # type: ignore[arg-type]
            remote = target.upload(file.key, data, file.content_type, cache)
        except DeliveryError as exc:
            ledger.failed(file.key, digest, str(exc))
            job.fail(file.key, str(exc), hint=exc.hint)
            job.count("objects_failed")
            feed = "failed" if file.key == FEED else feed
            problems += 1
            in_a_row += 1
            if in_a_row >= STOP_AFTER:
                rest = len(files) - index - 1
                job.fail("", f"stopped after {STOP_AFTER} failures in a row; {rest} file(s) not tried",
                         hint=f"fix the cause above, then: briefcast deliver {job.episode.date}")
                job.count("objects_held", rest)
                return
            continue
        in_a_row = 0
        ledger.done(file.key, digest, remote)
        job.count("objects_uploaded")
        job.count("bytes_uploaded", len(data))
        if file.key == FEED:
            feed = "updated"
    if not problems:
        _take_down(job, target, files)
    job.note(f"{int(job.counts.get('objects_uploaded', 0))} file(s) uploaded, "
             f"{int(job.counts.get('objects_unchanged', 0))} unchanged; feed.xml {feed}")


def _take_down(job: Job, target: HostingTarget, files: list[PublicFile]) -> None:
    """Remove what an episode that is no longer published left online, once the feed no longer lists it."""
    current = {file.key for file in files}
    for key in sorted(job.ledger.delivered_items() - current):
        if not _DAY_DIR.match(key.split("/", 1)[0]):
            continue  # only episode files; the top-level files are always rewritten, never removed
        try:
            target.remove(key)
        except DeliveryError as exc:
            job.fail(key, f"could not take it down: {exc}", hint=exc.hint)
            continue
        job.ledger.removed(key)
        job.count("objects_removed")


# -- folder -----------------------------------------------------------------------------------------------------


class FolderHosting:
    """Copies the published files into a folder a web server serves (atomic writes, world-readable)."""

    name = "folder"

    def __init__(self, spec: FolderTarget, config: Config) -> None:
        self.root = Path(config.episodes_dir).resolve()
        target = Path(spec.path).expanduser() if spec.path else self.root
        self.dest = (target if target.is_absolute() else Path(config.root) / target).resolve()
        self.in_place = self.dest == self.root

    def upload(self, key: str, data: bytes, content_type: str, cache_control: str) -> str | None:
        if self.in_place:
            return "in place"  # episodes/ is what the web server serves: release already wrote the file
        path = self.dest / key
        try:
            atomic_write_bytes(path, data)
            path.chmod(0o644)
        except OSError as exc:
            raise DeliveryError("cannot write the published file", subject=str(path),
                                hint="check that the folder exists and is writable (deliver[].path)") from exc
        return hashlib.md5(data).hexdigest()  # noqa: S324 - an ETag-like fingerprint, not security

    def remove(self, key: str) -> None:
        if self.in_place:
            return  # episodes/ holds the show's own files: release already removed the page
        try:
            (self.dest / key).unlink(missing_ok=True)
        except OSError as exc:
            raise DeliveryError("cannot remove the file", subject=str(self.dest / key)) from exc

    def present(self, key: str, data: bytes) -> bool:
        path = self.root / key if self.in_place else self.dest / key
        try:
            return path.read_bytes() == data
        except OSError:
            return False


register_backend("folder", role="hosting")(FolderHosting)
