"""``release``: rebuild every public output from the published episodes. Idempotent and deterministic."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import BriefcastError
from pipeline.files import atomic_write_bytes
from pipeline.models import Failure, StageResult
from pipeline.publish.artwork import install_artwork
from pipeline.publish.podcast import build_feed
from pipeline.publish.published import gather
from pipeline.publish.site import SITE_MARKER, build_newsletter_feed, render_index, render_page, render_show_notes


def make_public(path: Path) -> None:
    """rw-r--r--: atomic writes start from a private temp file, but a web server must be able to read these."""
    os.chmod(path, 0o644)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomic write, skipped when the bytes are the same (mtimes and HTTP caches stay valid)."""
    if path.is_file() and path.read_bytes() == data:
        return False
    atomic_write_bytes(path, data)
    make_public(path)
    return True


def release(config: Config) -> StageResult:
    """Rebuild feed.xml, newsletter.xml, index.html and every published episode's page.

    Only episodes with status "published" appear; those without an episode.mp3 are left out of the podcast feed
    but keep their page, their archive entry and their newsletter-feed entry. A page left behind by an episode
    that is no longer published is removed. Bad episode.json files are reported and skipped.
    """
    started = time.monotonic()
    episodes_dir = Path(config.episodes_dir)
    episodes_dir.mkdir(parents=True, exist_ok=True)
    gathered = gather(config)
    items = gathered.published
    artwork, notes = install_artwork(config)
    for item in items:
        item.show_notes = render_show_notes(config, item)

    changed = 0
    changed += write_if_changed(episodes_dir / "feed.xml", build_feed(config, items, artwork))
    changed += write_if_changed(episodes_dir / "newsletter.xml", build_newsletter_feed(config, items))
    changed += write_if_changed(episodes_dir / "index.html", render_index(config, items, artwork).encode("utf-8"))
    failures = list(gathered.failures)
    for item in items:
        try:
            page = render_page(config, item, artwork)
        except BriefcastError as exc:  # one bad page (a broken show template) does not stop the others
            failures.append(Failure(subject=item.episode.date.isoformat(), kind=exc.kind, message=str(exc)))
            continue
        changed += write_if_changed(item.folder / "index.html", page.encode("utf-8"))
    removed = _remove_stale_pages(gathered.unpublished)
    podcast_items = sum(1 for item in items if item.mp3_bytes)
    without_audio = [item.episode.date.isoformat() for item in items if not item.mp3_bytes]
    if without_audio:
        notes.append(f"not in the podcast feed yet (no episode.mp3): {', '.join(without_audio)}")
    notes.append(f"feed: {episodes_dir / 'feed.xml'}")
    return StageResult(
        stage="release",
        status="partial" if failures else "done",
        seconds=round(time.monotonic() - started, 3),
        counts={"episodes": len(items), "podcast_items": podcast_items, "files_changed": changed,
                "pages_removed": removed},
        failures=failures,
        notes=notes,
    )


def _remove_stale_pages(folders: list[Path]) -> int:
    removed = 0
    for folder in folders:
        page = folder / "index.html"
        # Only a page we made (it carries our generator tag) is ours to remove.
        if page.is_file() and SITE_MARKER in page.read_text(encoding="utf-8", errors="replace")[:2000]:
            page.unlink()
            removed += 1
    return removed
