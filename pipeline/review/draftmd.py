"""draft.md: the editor's plain-text view of an episode, and taking the edits back.

The file is Markdown that reads well in any editor and parses back without guessing::

    <!-- briefcast-draft episode=2026-03-10 version=7 order=cold-open,headlines,... -->
    <!-- how-to-edit notes -->
    # Episode title                                  (for reference)

    ## [headlines] Top headlines                     segment id in brackets (fixed), then the title (editable)
    <!-- status: drafted; base: 3f9a1c2e4b5d -->     drafted | dropped; "base" is bookkeeping, leave it
    The newsletter text, Markdown with [1] citations (editable)

    ### Script
    The spoken script (editable)

    ### Sources (for reference: edits here are ignored)
    - [1] Outlet: Title <https://...>

    ### Flags (for reference: resolve them in the review app)
    > [uncited] "The sentence": why it was flagged

Rules, chosen so nothing is ever lost or guessed:

- Running order is the order of the sections. Dropping a segment is ``status: dropped`` in its status line;
  deleting a section, changing its ``[id]`` or removing its ``### Script`` heading is an error that names the
  line (the segment is still in episode.json; put the section back).
- Content lines that would read as structure (``## [``, ``### Script``, ...) are written with one extra leading
  backslash and read back without it, so any text round-trips.
- Unchanged detection compares normalized text (line endings, trailing spaces, runs of blank lines), so an
  unedited file changes nothing.
- Three-way merge: each section carries the hash of the segment as written ("base"). A section whose content still
  matches its base was not touched by the editor and is skipped, even if episode.json moved on since (the web app
  edited it): a stale draft.md never reverts newer work. A section edited in the file *and* changed in
  episode.json since is a `ConflictError` naming the line; the file is kept as it is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConflictError, ReviewError
from pipeline.files import atomic_write_text
from pipeline.models import Episode, Segment

DRAFT_NAME = "draft.md"

_HEADER = re.compile(r"^<!--\s*briefcast-draft\b(.*?)-->\s*$")
_HEADER_LIKE = re.compile(r"^<!--\s*briefcast-draft\b")
_SEGMENT = re.compile(r"^##\s*\[([A-Za-z0-9_-]+)\][ \t]*(.*?)\s*$")
_SEGMENT_LIKE = re.compile(r"^##\s*\[")
_SCRIPT = re.compile(r"^###\s+script\b", re.IGNORECASE)
_INFO = re.compile(r"^###\s+(sources|flags)\b", re.IGNORECASE)
_STATUS = re.compile(r"^<!--\s*status:\s*([A-Za-z]*)\s*(?:[;,·]\s*base:\s*([0-9a-fA-F]*)\s*)?-->\s*$")
_STATUS_LIKE = re.compile(r"^<!--\s*status\b", re.IGNORECASE)
_STRUCTURAL = (_HEADER_LIKE, _SEGMENT_LIKE, _SCRIPT, _INFO, _STATUS_LIKE)

EDITABLE_STATUSES = ("drafted", "dropped")

HOW_TO_EDIT = """\
<!--
  HOW TO EDIT THIS FILE (any text editor; briefcast takes your edits back into episode.json
  the next time anything reads the episode, or now with 'briefcast review sync'):
  - Edit a segment's text under its heading, and the spoken script under its "### Script" heading.
  - Change a segment's title after the [id] in its heading, e.g. `## [headlines] Top headlines`.
    The [id] itself is fixed.
  - Reorder segments by moving whole sections (heading to the end of its Flags).
  - Drop a segment: change its status line to `status: dropped` (back to `drafted` restores it).
    Do not delete a section: that is an error, and the segment stays in episode.json.
  - Keep the [n] citation markers: they link a claim to its numbered source.
  - "Sources" and "Flags" are for reference; edits there are ignored. Leave the "base:" numbers alone.
  - A note typed above the first section is kept as the episode's editor note (never published).
  - Editing a segment's text marks its script stale: edit the script too, so the audio says the same.
  - A line of your text that starts like a heading of this file ("## [", "### Script") is written
    with a leading backslash; the backslash is removed when read back.
-->"""


# -- normalizing and hashing ----------------------------------------------------------------------


def normalize(text: str) -> str:
    """Text as compared and stored: LF endings, no trailing spaces, no leading/trailing or doubled blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _hash(title: str, text: str, script: str, status: str) -> str:
    blob = "\x00".join((normalize(title), normalize(text), normalize(script), status))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def segment_hash(segment: Segment) -> str:
    """The "base" written into a section: what the segment looked like when draft.md was written."""
    return _hash(segment.title, segment.text, segment.script, segment.status)


def _escape(text: str) -> str:
    lines = []
    for line in normalize(text).split("\n") if text else []:
        bare = line.lstrip("\\")
        if any(pattern.match(bare) for pattern in _STRUCTURAL):
            line = "\\" + line
        lines.append(line)
    return "\n".join(lines)


def _unescape(line: str) -> str:
    if line.startswith("\\"):
        bare = line.lstrip("\\")
        if any(pattern.match(bare) for pattern in _STRUCTURAL):
            return line[1:]
    return line


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- rendering ------------------------------------------------------------------------------------


def render_draft_md(episode: Episode) -> str:
    """The draft.md text for an episode (pure; see `write_draft_md`)."""
    order = ",".join(segment.id for segment in episode.segments)
    out = [
        f"<!-- briefcast-draft episode={episode.date.isoformat()} version={episode.version} order={order} -->",
        HOW_TO_EDIT,
        "",
        f"# {_one_line(episode.title) or episode.show + ' - ' + episode.date.isoformat()}",
        "",
    ]
    if episode.editor_note.strip():
        out += [_escape(episode.editor_note), ""]
    for segment in episode.segments:
        out += _render_segment(segment)
    return "\n".join(out).rstrip("\n") + "\n"


def _render_segment(segment: Segment) -> list[str]:
    status = f"<!-- status: {segment.status}; base: {segment_hash(segment)} -->"
    out = [f"## [{segment.id}] {_one_line(segment.title)}", status, ""]
    if segment.text:
        out += [_escape(segment.text), ""]
    out += ["### Script", ""]
    if segment.script:
        out += [_escape(segment.script), ""]
    if segment.sources:
        out += ["### Sources (for reference: edits here are ignored)", ""]
        for ref in segment.sources:
            link = f" <{ref.url}>" if ref.url else ""
            out.append(f"- [{ref.n}] {_one_line(ref.outlet)}: {_one_line(ref.title)}{link}")
        out.append("")
    notes = []
    if segment.script_stale:
        notes.append("> [stale script] the text was edited after the script was written: edit the script to match")
    if segment.status == "failed":
        notes.append(f"> segment failed: {_one_line(segment.error or 'no draft')}")
    for flag in segment.flags:
        if not flag.resolved:
            where = "" if flag.field == "text" else f" (in the {flag.field})"
            notes.append(f'> [{flag.kind}]{where} "{_one_line(flag.sentence)}": {_one_line(flag.message)}')
    if notes:
        out += ["### Flags (for reference: resolve them in the review app)", "", *notes, ""]
    return out


def draft_path(config, day) -> Path:  # noqa: ANN001 - Config, date: kept light to avoid an import cycle
    return config.episode_dir(day) / DRAFT_NAME


def write_draft_md(config, episode: Episode) -> Path:  # noqa: ANN001 - config: pipeline.config.Config
    """Render ``episodes/<date>/draft.md`` atomically; returns its path."""
    path = draft_path(config, episode.date)
    atomic_write_text(path, render_draft_md(episode))
    return path


# -- parsing --------------------------------------------------------------------------------------


@dataclass
class DraftSection:
    """One segment's section as found in the file."""

    id: str
    title: str
    line: int  # 1-based line of its heading
    text: str = ""
    script: str = ""
    status: str | None = None
    status_line: int | None = None
    base: str | None = None
    has_script: bool = False


@dataclass
class DraftChanges:
    """What the editor changed in draft.md, relative to the episode it was parsed against."""

    segments: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {title|text|script|status: value}
    order: list[str] | None = None  # new running order, None when unchanged
    base_version: int | None = None  # the episode version the file was written from
    note: str | None = None  # the editor's note above the first section, when it differs from the episode's

    @property
    def changed_ids(self) -> list[str]:
        return list(self.segments)

    def __bool__(self) -> bool:
        return bool(self.segments) or self.order is not None or self.note is not None


def _error(line: int, message: str, *, hint: str | None = None, subject: str | None = None) -> ReviewError:
    return ReviewError(f"draft.md line {line}: {message}", subject=subject,
                       hint=hint or "fix the line and save; your file is kept exactly as you left it")


def _parse_header(lines: list[str]) -> dict[str, str]:
    for line in lines:
        match = _HEADER.match(line)
        if match:
            return dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
    return {}


def parse_sections(text: str) -> tuple[dict[str, str], list[DraftSection]]:
    """Split draft.md into its header fields and segment sections; structural mistakes raise `ReviewError`."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections: list[DraftSection] = []
    preamble: list[str] = []
    current: DraftSection | None = None
    region = "text"  # text | script | info
    text_lines: list[str] = []
    script_lines: list[str] = []

    def close() -> None:
        if current is None:
            return
        if not current.has_script:
            raise _error(
                current.line,
                f"segment [{current.id}] has no '### Script' heading",
                hint="put the '### Script' line back above the spoken script (the file is kept as you left it)",
                subject=current.id,
            )
        current.text = normalize("\n".join(text_lines))
        current.script = normalize("\n".join(script_lines))
        sections.append(current)

    for number, line in enumerate(lines, start=1):
        if _SEGMENT_LIKE.match(line):
            match = _SEGMENT.match(line)
            if not match:
                raise _error(
                    number,
                    "a segment heading must read '## [segment-id] Title' (letters, digits, '-' and '_' in the id)",
                )
            if not match.group(2):
                raise _error(number, f"segment [{match.group(1)}] has no title after its id", subject=match.group(1))
            close()
            current = DraftSection(id=match.group(1), title=match.group(2), line=number)
            region, text_lines, script_lines = "text", [], []
            continue
        if current is None:
            preamble.append(line)
            continue
        if _SCRIPT.match(line):
            if current.has_script:
                raise _error(number, f"segment [{current.id}] has a second '### Script' heading", subject=current.id)
            current.has_script, region = True, "script"
            continue
        if _INFO.match(line):
            region = "info"
            continue
        if _STATUS_LIKE.match(line):
            match = _STATUS.match(line)
            if not match:
                raise _error(number, "a status line must read '<!-- status: drafted -->' or '<!-- status: dropped -->'",
                             subject=current.id)
            if current.status_line is not None:
                raise _error(
                    number,
                    f"segment [{current.id}] has a second status line (first on line {current.status_line})",
                    subject=current.id,
                )
            current.status, current.status_line = match.group(1).lower(), number
            current.base = (match.group(2) or "").lower() or None
            continue
        if region == "text":
            text_lines.append(_unescape(line))
        elif region == "script":
            script_lines.append(_unescape(line))
    close()
    return _parse_header(preamble), sections


def preamble_note(text: str) -> str:
    """What an editor typed above the first section (not the header, the how-to comment or the title line)."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    in_howto = seen_title = False
    for index, line in enumerate(lines):
        if _SEGMENT_LIKE.match(line):
            break
        if _HEADER_LIKE.match(line):
            continue
        if in_howto:
            in_howto = not line.strip().endswith("-->")
            continue
        if line.strip() == "<!--" and index + 1 < len(lines) and "HOW TO EDIT" in lines[index + 1]:
            in_howto = True
            continue
        if not seen_title and line.startswith("# "):
            seen_title = True
            continue
        out.append(_unescape(line))
    return normalize("\n".join(out))


def parse_draft_md(text: str, episode: Episode, *, force: bool = False) -> DraftChanges:
    """Parse draft.md against the current episode and return the editor's changes (empty when none).

    Raises `ReviewError` naming the line ("draft.md line N: ...") for a file that cannot be read back
    unambiguously, and `ConflictError` when a section was edited in the file and changed in episode.json since
    (unless ``force``: then the file's edits win).
    """
    header, sections = parse_sections(text)
    changes = DraftChanges(base_version=int(header["version"]) if header.get("version", "").isdigit() else None)
    base_order = [part for part in header.get("order", "").split(",") if part] if "order" in header else None
    known = {segment.id: segment for segment in episode.segments}
    last_line = max(1, len(text.splitlines()))

    seen: dict[str, DraftSection] = {}
    for section in sections:
        if section.id in seen:
            raise _error(section.line, f"segment [{section.id}] appears twice (first on line {seen[section.id].line})",
                         subject=section.id)
        if section.id not in known:
            raise _error(
                section.line,
                f"[{section.id}] is not a segment of this episode; the id in brackets cannot be changed",
                hint=f"use one of: {', '.join(known)}",
                subject=section.id,
            )
        seen[section.id] = section

    for position, segment in enumerate(episode.segments):
        if segment.id in seen or (base_order is not None and segment.id not in base_order):
            continue  # present, or added to the episode after this file was written
        following = next((seen[s.id].line for s in episode.segments[position + 1:] if s.id in seen), last_line)
        raise _error(following, f"segment [{segment.id}] ({segment.title}) is missing from the file",
                     hint="put its section back (it is still in episode.json); to drop a segment write "
                          "'status: dropped' in its status line", subject=segment.id)

    for section in sections:
        fields = _section_changes(section, known[section.id], force=force)
        if fields:
            changes.segments[section.id] = fields

    changes.order = _order_change(sections, episode, base_order, force=force)
    note = preamble_note(text)
    if note != normalize(episode.editor_note):
        changes.note = note
    return changes


def _section_changes(section: DraftSection, segment: Segment, *, force: bool = False) -> dict[str, str]:
    status = section.status or segment.status
    if status not in (*EDITABLE_STATUSES, segment.status):
        raise _error(
            section.status_line or section.line,
            f"status {status!r} is not one of: {', '.join(EDITABLE_STATUSES)}",
            subject=section.id,
        )
    if section.base and _hash(section.title, section.text, section.script, status) == section.base:
        return {}  # the editor did not touch this section (episode.json may have moved on: keep that)
    fields: dict[str, str] = {}
    for name, value in (("title", section.title), ("text", section.text), ("script", section.script)):
        if normalize(value) != normalize(getattr(segment, name)):
            fields[name] = normalize(value)
    if status != segment.status:
        fields["status"] = status
    if not fields:
        return {}
    if section.base and segment_hash(segment) != section.base and not force:
        raise ConflictError(
            f"draft.md line {section.line}: segment [{section.id}] was edited in draft.md and also changed elsewhere "
            "since draft.md was written (by the review app, a regenerate or another sync)",
            subject=section.id,
            hint="choose which side wins: the review app offers 'keep the file's version' and 'keep the app's "
                 "version' (or 'briefcast review sync --keep file|app'); your draft.md is kept as you left it",
        )
    if fields.get("status") == "drafted" and segment.status == "failed" and not normalize(section.text):
        raise _error(
            section.status_line or section.line,
            f"segment [{section.id}] failed to draft; write its text before "
            "setting it to drafted, or set it to dropped",
            subject=section.id,
        )
    return fields


def _order_change(sections: list[DraftSection], episode: Episode, base_order: list[str] | None, *,
                  force: bool = False) -> list[str] | None:
    file_order = [section.id for section in sections]
    current = [segment.id for segment in episode.segments]
    if file_order == current:
        return None
    if base_order is not None:
        in_file, in_current = set(file_order), set(current)
        editor_moved = file_order != [i for i in base_order if i in in_file]
        if not editor_moved:
            return None  # stale order in an untouched file: the episode's own order stands
        elsewhere_moved = [i for i in current if i in set(base_order)] != [i for i in base_order if i in in_current]
        if elsewhere_moved and not force:
            raise ConflictError(
                f"draft.md line {sections[0].line if sections else 1}: the running order was changed in draft.md and "
                "also elsewhere since draft.md was written",
                subject=episode.date.isoformat(),
                hint="choose which side wins in the review app (keep the file's or the app's version), or "
                     "'briefcast review sync --keep file|app'",
            )
    if file_order == [i for i in current if i in set(file_order)]:
        return None
    return file_order + [i for i in current if i not in set(file_order)]
