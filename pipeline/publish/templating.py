"""The Jinja2 environment for published outputs: a show's own ``templates/`` first, then briefcast's.

HTML templates (``*.html.j2``) are autoescaped; Markdown and text templates are not, so everything put into
them is escaped by the caller (``markup.md_escape``) or comes from the safe renderers in ``markup``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from pipeline.config import Config
from pipeline.errors import PublishError

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".xml.j2", ".html"))


def environment(config: Config) -> jinja2.Environment:
    """Templates from ``<show root>/templates/`` override the built-in ones of the same name."""
    own = (Path(config.root) / "templates").resolve()
    return _environment(str(own) if own.is_dir() else None)


@functools.lru_cache(maxsize=16)
def _environment(own: str | None) -> jinja2.Environment:
    # Cached so templates compile once per process; the loaders still notice edited files (auto_reload).
    loaders: list[jinja2.BaseLoader] = []
    if own:
        loaders.append(jinja2.FileSystemLoader(own))
    loaders.append(jinja2.FileSystemLoader(TEMPLATES_DIR))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,  # a typo in a show's template is an error, not a blank
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one template; template problems become a PublishError naming the file and the line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound:
        raise PublishError("template not found", subject=name,
                           hint=f"restore it, or copy it from {TEMPLATES_DIR} into the show's templates/") from None
    except jinja2.TemplateSyntaxError as exc:
        raise PublishError(f"template syntax error at line {exc.lineno}: {exc.message}", subject=exc.filename or name,
                           hint="fix the template, or delete the show's copy to use the built-in one") from None
    except jinja2.UndefinedError as exc:
        raise PublishError(f"template uses an unknown name ({exc.message})", subject=name,
                           hint="check the variable names against the built-in template of the same name") from None
