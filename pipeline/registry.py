"""Backend registries: one shape for the LLM, TTS and delivery backends, open to other packages.

A backend registers under the name config.yaml uses, optionally with its own pydantic options model::

    from pipeline.registry import TTS

    class KokoroOptions(BaseModel):
        model_config = ConfigDict(extra="forbid")
        speed_up: float = 1.0

    @TTS.register("kokoro", options=KokoroOptions)
    def _make(settings: TTSSettings) -> TTSBackend: ...

The built-in backends register exactly like that when their module is imported; a registry imports its
built-in modules, and every module an installed package names in the ``briefcast.backends`` entry-point group,
the first time it is asked for a name (the way simonw/llm loads its plugins)::

    # a plugin's pyproject.toml
    [project.entry-points."briefcast.backends"]
    kokoro = "briefcast_kokoro"

Config validates ``llm.backend``, ``verify.backend`` and ``tts.*.backend`` against these registries (and a
backend's ``options:`` against its options model), so a registered name is accepted and an unknown one is a
config error that lists the registered ones. Vendor SDKs stay unimported until a backend is built.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

ENTRY_POINT_GROUP = "briefcast.backends"
log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Entry(Generic[F]):
    """One registered backend: its factory, its options model (if any) and free-form facts (a delivery role)."""

    name: str
    factory: F
    options: type[BaseModel] | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def parse_options(self, raw: Mapping[str, Any] | None) -> BaseModel | None:
        """``raw`` validated against the options model; raises ValueError when options are given but not declared."""
        if self.options is None:
            if raw:
                raise ValueError(f"backend {self.name!r} takes no options (remove options: {', '.join(raw)})")
            return None
        return self.options.model_validate(dict(raw or {}))


class Registry(Generic[F]):
    """Backends of one kind keyed by config name; built-ins and plugins load on first use."""

    def __init__(self, kind: str, builtins: Mapping[str, str]) -> None:
        self.kind = kind
        self._builtins = dict(builtins)  # built-in name -> the module that registers it (imported when needed)
        self._entries: dict[str, Entry[F]] = {}
        self._loaded = False

    def register(
        self, name: str, *, options: type[BaseModel] | None = None, **meta: Any
    ) -> Callable[[F], F]:
        """Decorator: register ``factory`` under ``name`` (a later registration of the same name replaces it)."""

        def add(factory: F) -> F:
            self._entries[name] = Entry(name, factory, options, meta)
            return factory

        return add

    def unregister(self, name: str) -> None:
        """Forget ``name`` (tests register doubles under their own names and remove them after)."""
        self._entries.pop(name, None)

    def names(self) -> list[str]:
        self._load()
        return sorted(self._entries)

    def builtin_names(self) -> list[str]:
        return sorted(self._builtins)

    def get(self, name: str) -> Entry[F]:
        """The entry for ``name``; KeyError with the registered names when there is none."""
        self._load()
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(self.unknown(name)) from None

    def unknown(self, name: str) -> str:
        return f"{self.kind} backend {name!r} is not registered; registered: {', '.join(self.names())}"

    def validate(self, name: str, options: Mapping[str, Any] | None = None) -> str:
        """For config validators: ``name`` when registered (its options valid), else ValueError naming the fix.

        A built-in name without options passes without importing its module: config loads stay light, and
        config.py itself builds its defaults before any backend module can import it."""
        if name in self._builtins and not options and name not in self._entries:
            return name
        self._load()
        if name not in self._entries:
            raise ValueError(
                f"{self.unknown(name)} (a plugin registers more through the {ENTRY_POINT_GROUP!r} entry points)"
            )
        self._entries[name].parse_options(options)
        return name

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True  # set first: a built-in module asking for names while it imports must not recurse
        for module in dict.fromkeys(self._builtins.values()):
            importlib.import_module(module)
        load_plugins()


_plugins_loaded = False


def load_plugins() -> None:
    """Import every ``briefcast.backends`` entry point once (a module registers at import; a callable is called)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = point.load()
        except Exception as exc:  # a broken plugin must not stop the show's built-in backends
            log.warning("backend plugin %s (%s) failed to load: %s", point.name, point.value, exc)
            continue
        if callable(loaded) and not isinstance(loaded, type):
            loaded()


_DRAFT, _AUDIO, _DELIVER = "pipeline.draft.llm", "pipeline.audio.backends", "pipeline.deliver"
LLM: Registry[Callable[..., Any]] = Registry("llm", {"local": _DRAFT, "openai": _DRAFT, "compatible": _DRAFT})
TTS: Registry[Callable[..., Any]] = Registry("tts", {"piper": _AUDIO, "openai": _AUDIO, "espeak": _AUDIO})
DELIVER: Registry[Callable[..., Any]] = Registry(
    "deliver", {name: _DELIVER for name in ("smtp", "buttondown", "listmonk", "folder", "s3")}
)

__all__ = ["DELIVER", "ENTRY_POINT_GROUP", "LLM", "TTS", "Entry", "Registry", "load_plugins"]
