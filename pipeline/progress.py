"""Progress reporting that stages can call without knowing who listens.

A stage calls ``progress.advance("draft", done, total, what)``; the daily run installs a listener that draws Rich
bars on a terminal or writes JSON lines when not on a TTY (cron, CI). Without a listener the calls cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[str, int, int, str], None]

_listener: ContextVar[Listener | None] = ContextVar("briefcast_progress", default=None)
_global: list[Listener] = []  # for worker threads, which do not inherit context variables


def advance(stage: str, done: int, total: int, what: str = "") -> None:
    """Tell whoever listens that ``stage`` has done ``done`` of ``total`` units (segments, feeds ...)."""
    listener = _listener.get() or (_global[-1] if _global else None)
    if listener is not None:
        listener(stage, done, total, what)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    token = _listener.set(listener)
    _global.append(listener)
    try:
        yield
    finally:
        _global.remove(listener)
        _listener.reset(token)
