"""ID3v2 tags for the episode MP3 (mutagen): title, show, host, date, description, artwork and chapters.

Chapters are ID3 CHAP frames (one per segment, times in milliseconds) under a top-level ordered CTOC, which is
what podcast apps and ffmpeg read back.
"""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TLAN, TPE1, CTOCFlags

from pipeline.config import PACKAGE_DIR, Config
from pipeline.models import Chapter, Episode

DEFAULT_ARTWORK = PACKAGE_DIR / "assets" / "artwork.png"


def artwork_path(config: Config) -> Path | None:
    """The show's artwork (relative to the show folder), else briefcast's default, else None."""
    own = Path(config.show.artwork).expanduser()
    own = own if own.is_absolute() else config.root / own
    for candidate in (own, DEFAULT_ARTWORK):
        if candidate.is_file():
            return candidate
    return None


def write_tags(path: Path, config: Config, episode: Episode, chapters: list[Chapter]) -> None:
    """Replace the file's ID3 tags with the episode's."""
    tags = ID3()
    title = episode.title or f"{config.show.title}: {episode.date.isoformat()}"
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TALB(encoding=3, text=config.show.title))
    tags.add(TPE1(encoding=3, text=config.show.host))
    tags.add(TDRC(encoding=3, text=episode.date.isoformat()))
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(TLAN(encoding=3, text=config.show.language))
    description = episode.description or config.show.description
    tags.add(COMM(encoding=3, lang="eng", desc="", text=description))
    art = artwork_path(config)
    if art is not None:
        mime = "image/png" if art.suffix.lower() == ".png" else "image/jpeg"
        tags.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=art.read_bytes()))
    ids = _chapter_ids(chapters)
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                  sub_frames=[TIT2(encoding=3, text="Chapters")]))
    for element, chapter in zip(ids, chapters, strict=False):
        tags.add(CHAP(element_id=element, start_time=round(chapter.start * 1000), end_time=round(chapter.end * 1000),
                      sub_frames=[TIT2(encoding=3, text=chapter.title)]))
    tags.save(path, v2_version=3)


def _chapter_ids(chapters: list[Chapter]) -> list[str]:
    """CHAP element ids whose frames grow in size with the chapter number.

    mutagen writes frames of one kind shortest first, and ffmpeg (and players built on it) list chapters in file
    order, ignoring the CTOC's order: padding the (invisible) element ids keeps the file order the running order.
    """
    ids: list[str] = []
    last = -1
    for index, chapter in enumerate(chapters):
        ident = f"chp{index}"
        # ID3v2.3 has no UTF-8: mutagen writes the title sub-frame as UTF-16.
        size = len(chapter.title.encode("utf-16-le")) + len(ident)
        if size <= last:
            ident += "-" * (last + 1 - size)
            size = last + 1
        ids.append(ident)
        last = size
    return ids
