"""Prompt files (Jinja2, in the show's prompts/ folder, else the project's) and fetched text as delimited data.

Fetched text is hostile: it is placed inside ``<source>`` tags, with any tag-like text that could close or open
a delimiter neutralised, and every prompt tells the model that what is inside is data, not instructions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from pipeline.config import PROJECT_DIR, Config
from pipeline.draft.editorial import readable
from pipeline.draft.llm import approx_tokens

_DELIMITER = re.compile(
    r"<\s*/?\s*(sources?|sentences|draft|previous|segments|system|instructions?|original)\b[^>]*>", re.IGNORECASE
)


def as_data(text: str) -> str:
    """Fetched text made safe to place between our delimiters: no tag of ours can be opened or closed."""
    return _DELIMITER.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text).strip()


def attribute(text: str) -> str:
    return as_data(text).replace('"', "'").replace("\n", " ")[:200]


def outlet_name(outlet: str) -> str:
    """An outlet as a writer names it: config's qualifiers in parentheses or after a colon go ("Business Daily (AI &
    Markets)" -> "Business Daily"), so they are not copied into the copy."""
    short = re.sub(r"\s*\([^)]*\)\s*$", "", outlet).strip()
    short = re.sub(r"^(\S+\s+\S+.*?)\s*:\s*[\w &]{1,20}$", r"\1", short).strip()  # "The Circuit: AI" -> "The Circuit"
    return attribute(short or outlet)


@lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)) for folder in folders])
    # Plain text prompts, not HTML: no autoescape; StrictUndefined makes a typo in a template an error.
    return jinja2.Environment(loader=loader, autoescape=False, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)


def environment(config: Config) -> jinja2.Environment:
    """Templates from the show's own prompts/ first, then the project's (a show overrides only what it edits)."""
    folders = tuple(dict.fromkeys([config.prompts_dir, PROJECT_DIR / "prompts"]))
    return _environment(folders)


def template_hash(config: Config, name: str) -> str:
    """sha256 of a prompt file's text, for provenance."""
    source, _, _ = environment(config).loader.get_source(environment(config), name)  # type: ignore[union-attr]
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def render(config: Config, name: str, **context: Any) -> str:
    return environment(config).get_template(name).render(show=config.show, **context).strip()


@dataclass
class PromptSource:
    """One numbered source as the prompt shows it."""

    n: int
    outlet: str
    title: str
    text: str
    thin: bool = False  # a headline and little more: the writer may restate it in one sentence, nothing else


def fit_sources(sources: list[PromptSource], budget_tokens: int) -> list[PromptSource]:
    """Shorten source texts so together they fit ``budget_tokens`` (chars/4 estimate), sharing it fairly.

    Short sources keep all their text; what they leave is shared by the longer ones (water-filling).
    """
    budget_chars = max(0, budget_tokens) * 4
    sizes = [len(s.text) for s in sources]
    if sum(sizes) <= budget_chars:
        return sources
    allowance = {i: 0 for i in range(len(sources))}
    remaining, open_ = budget_chars, sorted(range(len(sources)), key=lambda i: sizes[i])
    while open_:
        share = remaining // len(open_)
        i = open_[0]
        if sizes[i] <= share:
            allowance[i] = sizes[i]
            remaining -= sizes[i]
            open_.pop(0)
        else:
            for j in open_:
                allowance[j] = share
            break
    return [PromptSource(s.n, s.outlet, s.title, _cut(s.text, allowance[i]), s.thin) for i, s in enumerate(sources)]


def _cut(text: str, chars: int) -> str:
    if len(text) <= chars:
        return text
    if chars < 40:
        return "(text omitted to fit the model's input limit)"
    head = text[:chars]
    # End on a full sentence when one ends in the second half: a small model copies a cut-off fragment.
    ends = [m.end() for m in re.finditer(r"[.!?][\"”’)]*(?=\s)", head)]
    if ends and ends[-1] >= chars // 2:
        return head[: ends[-1]]
    return head.rsplit(" ", 1)[0] + " [...]"


def segment_messages(config: Config, template: str, *, sources: list[PromptSource], budget_tokens: int | None = None,
                     **context: Any) -> list[dict[str, str]]:
    """System + user messages for one segment (or story), the sources shortened to fit ``llm.max_input_tokens``
    and, when given, to ``budget_tokens`` of source text."""
    system = render(config, "system.j2")
    safe = [PromptSource(s.n, outlet_name(s.outlet), attribute(s.title), as_data(readable(s.text)), s.thin)
            for s in sources]
    empty = [PromptSource(s.n, s.outlet, s.title, "", s.thin) for s in safe]
    overhead = approx_tokens(system) + approx_tokens(render(config, template, sources=empty, **context))
    room = config.llm.max_input_tokens - overhead
    fitted = fit_sources(safe, room if budget_tokens is None else min(room, budget_tokens))
    user = render(config, template, sources=fitted, **context)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
