"""Segment kinds: the one table that says what each kind of segment is and how it is made.

Config validation, curate's assignment, the writer, the newsletter and the mix all read this table; a new kind
is one entry here plus one prompt file in ``prompts/``.

    >>> KINDS["debate"].mode, KINDS["cold_open"].framing
    ('debate', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How the writer drafts a kind:
# - per_story: one small call per story, seeing only that story's sources, assembled in code;
# - beats: one call per beat (what happened, what others add, ...) over all the story's outlets;
# - debate: one argued piece over the thread's stories: the question, each side's case, what to watch;
# - teaser: one line per teased story from three different segments (the cold open);
# - sign_off: one line on what to watch, then a goodbye made in code.
DraftMode = Literal["per_story", "beats", "debate", "teaser", "sign_off"]


@dataclass(frozen=True)
class Kind:
    name: str
    mode: DraftMode
    framing: bool = False  # frames the show: takes no stories of its own in the rundown, may have uncited lines
    sources_per_story: int = 2  # outlets of one story the writer reads
    sentences: tuple[int, int] = (1, 3)  # (fewest, most) sentences a story gets (per_story)
    boxed: bool = False  # the newsletter sets it apart in a bordered box
    bed: bool = False  # the music bed plays under it
    fill_order: int = 99  # curate fills segments in this order (lower first); framing kinds take no stories
    general: bool = False  # may take any story (where a pinned story goes when nothing else fits)
    papers: bool = False  # its source_kinds rule also admits stories that read as papers (labs and press publish them)
    intro: str = "Now, {title}."  # the host's spoken line into it ({title}: its title as said mid-sentence)
    outro: str = ""  # the host's spoken line out of it, unless it ends the show (then the goodbye)

    @property
    def prompt(self) -> str:
        return f"{self.name}.j2"


KINDS: dict[str, Kind] = {kind.name: kind for kind in [
    Kind("cold_open", "teaser", framing=True, sources_per_story=1, bed=True),
    Kind("headlines", "per_story", sentences=(1, 3), fill_order=4, general=True, outro="That's it for {title}."),
    Kind("deep_dive", "beats", sources_per_story=8, fill_order=0, general=True, intro="Here's today's deep dive."),
    Kind("debate", "debate", sources_per_story=2, boxed=True, fill_order=1,
         intro="It's time for today's debate: {title}."),
    Kind("research", "per_story", sentences=(2, 4), fill_order=2, papers=True, intro="Let's turn to {title}."),
    Kind("policy", "per_story", sentences=(2, 4), fill_order=3, intro="Here's what's new in {title}."),
    Kind("quick_hits", "per_story", sentences=(1, 2), fill_order=5, general=True, intro="Let's run through {title}."),
    Kind("sign_off", "sign_off", framing=True, sources_per_story=1, bed=True,
         intro="Before we go, one thing to watch."),  # said only when it has a line on what to watch
]}

FRAMING = frozenset(name for name, kind in KINDS.items() if kind.framing)


def kind(name: str) -> Kind:
    """The table's entry for a kind name (config validation makes sure it exists)."""
    return KINDS[name]


__all__ = ["FRAMING", "KINDS", "DraftMode", "Kind", "kind"]
