"""The written brief: newsletter.md, newsletter.html, newsletter.txt and script.md from an Episode.

``build_issue`` turns an episode into plain data (every piece of feed-derived text already rendered safely for
each output format); the templates only lay it out. The same data feeds the site's episode pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date

from markupsafe import Markup

from pipeline.config import Config
from pipeline.kinds import FRAMING, KINDS
from pipeline.models import CITATION, Episode, Segment
from pipeline.publish import markup
from pipeline.publish.artwork import artwork_name
from pipeline.publish.templating import environment, render

# Segment kinds that frame the issue rather than being sections of it.
FRAME_KINDS = FRAMING
BOXED_KINDS = frozenset(name for name, k in KINDS.items() if k.boxed)
UNSUBSCRIBE_PLACEHOLDER = "{{unsubscribe_url}}"  # left for the mailing tool to fill in

LINK_STYLE = "color:#1a56db;text-decoration:underline;"


@dataclass
class SourceLine:
    n: int
    outlet: str
    title: str
    url: str | None  # safe http(s) or None


@dataclass
class Section:
    id: str
    kind: str
    title: str
    html: Markup
    md: str
    txt: str
    sources: list[SourceLine]
    boxed: bool
    links: int
    words: int


@dataclass
class Issue:
    """One newsletter issue, ready for any template."""

    date: Date
    date_text: str
    title: str
    description: str
    intro: Section | None
    sections: list[Section]
    outro: Section | None
    listen_url: str | None
    duration_text: str | None
    page_url: str
    show_title: str
    show_description: str
    host: str
    owner_email: str
    language: str
    archive_url: str
    artwork_url: str
    unsubscribe: str = UNSUBSCRIBE_PLACEHOLDER
    notes: list[str] = field(default_factory=list)

    @property
    def all_sections(self) -> list[Section]:
        return [s for s in [self.intro, *self.sections, self.outro] if s is not None]

    @property
    def words(self) -> int:
        return sum(section.words for section in self.all_sections)

    @property
    def links(self) -> int:
        return sum(section.links for section in self.all_sections)


def format_duration(seconds: float) -> str:
    """``11:42`` or ``1:02:05``."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def date_text(day: Date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def _section(segment: Segment) -> Section:
    sources = [
        SourceLine(ref.n, markup.clean_text(ref.outlet), markup.clean_text(ref.title), markup.safe_url(ref.url))
        for ref in sorted(segment.sources, key=lambda ref: ref.n)
    ]
    urls = {line.n: line.url for line in sources}
    cite = urls.get
    blocks = markup.parse(segment.text)
    txt = markup.to_text(blocks)
    return Section(
        id=segment.id,
        kind=segment.kind,
        title=markup.clean_text(segment.title),
        html=markup.to_html(blocks, cite, link_style=LINK_STYLE),
        md=markup.to_markdown(blocks, cite),
        txt=txt,
        sources=sources,
        boxed=segment.kind in BOXED_KINDS,
        links=markup.count_links(blocks, cite),
        words=len(re.findall(r"\w+(?:['’-]\w+)*", CITATION.sub(" ", txt))),
    )


def build_issue(config: Config, episode: Episode) -> Issue:
    """The issue's content, every text escaped or rendered through the safe Markdown subset."""
    live = episode.live_segments
    intro = next((_section(s) for s in live if s.kind == "cold_open"), None)
    outro = next((_section(s) for s in live if s.kind == "sign_off"), None)
    sections = [_section(s) for s in live if s.kind not in FRAME_KINDS]
    base = config.site.base_url
    day = episode.date.isoformat()
    has_audio = episode.audio is not None or config.audio.enabled
    title = markup.clean_text(episode.title) or f"{config.show.title}: {date_text(episode.date)}"
    return Issue(
        date=episode.date,
        date_text=date_text(episode.date),
        title=title,
        description=markup.plain(episode.description),
        intro=intro,
        sections=sections,
        outro=outro,
        listen_url=f"{base}{day}/episode.mp3" if has_audio else None,
        duration_text=format_duration(episode.audio.duration) if episode.audio else None,
        page_url=f"{base}{day}/",
        show_title=markup.clean_text(config.show.title),
        show_description=markup.clean_text(config.show.description),
        host=markup.clean_text(config.show.host),
        owner_email=config.show.owner.email,
        language=config.show.language,
        archive_url=base,
        artwork_url=base + artwork_name(config),
    )


def render_newsletter(config: Config, episode: Episode) -> tuple[Issue, dict[str, str]]:
    """The issue and its files: newsletter.md/.html/.txt and script.md, as name -> text."""
    env = environment(config)
    issue = build_issue(config, episode)
    context = {"issue": issue, "md": markup.md_escape}
    files = {
        "newsletter.html": render(env, "newsletter.html.j2", **context),
        "newsletter.md": render(env, "newsletter.md.j2", **context),
        "newsletter.txt": render(env, "newsletter.txt.j2", **context),
        "script.md": render(env, "script.md.j2", issue=issue, segments=_script_parts(episode), md=markup.md_escape),
    }
    return issue, files


def _script_parts(episode: Episode) -> list[dict[str, str]]:
    """The spoken script per live segment, Markdown-escaped paragraph by paragraph."""
    parts = []
    for segment in episode.live_segments:
        paragraphs = re.split(r"\n\s*\n", markup.clean_text(segment.script).strip())
        script = "\n\n".join(markup.md_escape(p.strip()) for p in paragraphs if p.strip())
        parts.append({"id": segment.id, "title": markup.md_escape(segment.title), "script": script})
    return parts
