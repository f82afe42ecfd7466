"""The episode's audio: speech normalization, text-to-speech per sentence (cached per turn), mixing, loudness,
MP3 tags, transcript, chapters, and the pronunciation report.

``render_audio(config, store, episode)`` is the stage's public face; backends register through
``register_backend`` (see :mod:`pipeline.audio.backends`). Only the text side (normalizer, lexicon) is imported
eagerly: the draft stage uses it, and must not pull in the TTS and mixing stack.
"""

from __future__ import annotations

from typing import Any

# Not "normalize" itself: a package attribute of that name would shadow the submodule pipeline.audio.normalize.
from pipeline.audio.lexicon import DEFAULT_LEXICON, apply_lexicon

_LAZY = {"render_audio": "pipeline.audio.render", "Speech": "pipeline.audio.backends",
         "TTSBackend": "pipeline.audio.backends", "backend_names": "pipeline.audio.backends",
         "make_backend": "pipeline.audio.backends", "register_backend": "pipeline.audio.backends"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pipeline.audio' has no attribute {name!r}")


__all__ = ["DEFAULT_LEXICON", "Speech", "TTSBackend", "apply_lexicon", "backend_names", "make_backend",
           "register_backend", "render_audio"]
