"""Atomic file writes and the episode folder.

Every file briefcast writes goes to a temporary file in the same folder, is flushed to disk, then renamed over
the target: a crash (even kill -9) leaves the old file or the new one, never half of either.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.errors import BriefcastError, EpisodeNotFoundError
from pipeline.models import Episode, Rundown, RunReport

_THREAD_LOCK = threading.RLock()
_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; published files must be readable by a web server
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, value: Any) -> None:
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    atomic_write_text(path, text + "\n")


def atomic_replace_file(source: Path, target: Path) -> None:
    """Move a finished file (written elsewhere in the same folder) into place."""
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)


def episode_path(episodes_dir: Path, day: Date) -> Path:
    return Path(episodes_dir) / day.isoformat() / "episode.json"


def load_episode(episodes_dir: Path, day: Date) -> Episode:
    path = episode_path(episodes_dir, day)
    try:
        return Episode.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise EpisodeNotFoundError(
            "no drafted episode for this date", subject=day.isoformat(), hint=f"run 'briefcast run --date {day}'"
        ) from None
    except ValidationError as exc:
        raise BriefcastError(f"{path} is not a valid episode ({exc.error_count()} problems: {exc.errors()[0]['msg']})",
                             hint="restore it from git or re-run 'briefcast draft'") from None


def episode_days(episodes_dir: Path) -> list[Date]:
    """The dates of the episode folders under episodes/ (named YYYY-MM-DD), newest first."""
    root = Path(episodes_dir)
    days = []
    for folder in root.glob("????-??-??") if root.is_dir() else ():
        try:
            days.append(Date.fromisoformat(folder.name))
        except ValueError:
            continue
    return sorted((day for day in days if (root / day.isoformat()).is_dir()), reverse=True)


def read_episodes(episodes_dir: Path, days: list[Date] | None = None) -> list[tuple[Date, Episode | None, str | None]]:
    """(date, episode, None) per drafted episode, or (date, None, why) when its episode.json cannot be read: a corrupt
    file is a row with its error, never silently left out. Days without an episode.json are skipped. The one way
    the review list, ``briefcast status`` and the release read episodes; it never writes."""
    rows: list[tuple[Date, Episode | None, str | None]] = []
    for day in episode_days(episodes_dir) if days is None else days:
        if not episode_path(episodes_dir, day).is_file():
            continue
        try:
            rows.append((day, load_episode(episodes_dir, day), None))
        except (BriefcastError, OSError) as exc:
            rows.append((day, None, str(exc)))
    return rows


def save_episode(episodes_dir: Path, episode: Episode) -> Path:
    path = episode_path(episodes_dir, episode.date)
    write_json(path, episode)
    return path


def rundown_path(episodes_dir: Path, day: Date) -> Path:
    return Path(episodes_dir) / day.isoformat() / "rundown.json"


def load_rundown(episodes_dir: Path, day: Date) -> Rundown | None:
    path = rundown_path(episodes_dir, day)
    if not path.exists():
        return None
    return Rundown.model_validate_json(path.read_bytes())


def save_rundown(episodes_dir: Path, rundown: Rundown) -> Path:
    path = rundown_path(episodes_dir, rundown.date)
    write_json(path, rundown)
    return path


def save_report(episodes_dir: Path, report: RunReport) -> Path:
    path = Path(episodes_dir) / report.date.isoformat() / "run.json"
    write_json(path, report)
    return path


@contextmanager
def episode_lock(episodes_dir: Path, day: Date) -> Iterator[None]:
    """Serialize read-modify-write of one episode across threads and processes (editor, render, run)."""
    folder = Path(episodes_dir) / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK, open(folder / ".lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def update_episode(
    episodes_dir: Path, day: Date, change: Callable[[Episode], Episode | None], *, bump: bool = True
) -> Episode:
    """Load, change and save an episode under its lock. ``bump`` marks a content change (new version).

    An episode that does not exist is `EpisodeNotFoundError` before any lock file (or folder) is made.
    """
    if not episode_path(episodes_dir, day).is_file():
        load_episode(episodes_dir, day)  # raises the not-found error with its hint
    with episode_lock(episodes_dir, day):
        episode = load_episode(episodes_dir, day)
        changed = change(episode) or episode
        if bump:
            changed.version += 1
        changed.updated = datetime.now(UTC)
        save_episode(episodes_dir, changed)
        return changed


SCRATCH_PREFIXES = ("mix-", "ingest-")  # .briefcast/<prefix><pid>-<random>/: a stage's scratch folder


def scratch_prefix(kind: str) -> str:
    """The name prefix of a scratch folder this process owns (``mix-<pid>-``), so a later run can tell whether
    its owner is still alive."""
    return f"{kind}-{os.getpid()}-"


def sweep_scratch(state_dir: Path, legacy_older_than: float = 3600.0) -> list[Path]:
    """Remove scratch folders whose owner process is dead (a run killed while mixing or ingesting); folders
    without an owner pid in their name (older versions) once they are ``legacy_older_than`` seconds old."""
    import shutil
    import time

    removed = []
    for prefix in SCRATCH_PREFIXES:
        for folder in Path(state_dir).glob(f"{prefix}*"):
            owner = folder.name.removeprefix(prefix).split("-", 1)[0]
            try:
                if owner.isdigit():
                    if pid_alive(int(owner)):
                        continue
                elif folder.stat().st_mtime > time.time() - legacy_older_than:
                    continue
            except FileNotFoundError:
                continue
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0: nothing is sent). A process of another user counts as
    alive; pid 0 or below (a process group, not a process) never does."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def sweep_temp_files(folder: Path, older_than: float = 60.0) -> list[Path]:
    """Remove temp files a killed writer left behind (the targets themselves are always whole)."""
    import time

    removed = []
    cutoff = time.time() - older_than
    for leftover in Path(folder).glob(".*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed.append(leftover)
        except FileNotFoundError:
            pass
    return removed
