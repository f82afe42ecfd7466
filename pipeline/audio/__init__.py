"""The episode's audio: speech normalization, text-to-speech per sentence (cached per turn), mixing, loudness,
MP3 tags, transcript, chapters, and the pronunciation report.

``render_audio(config, store, episode)`` is the stage's public face; backends register through
``register_backend`` (see :mod:`pipeline.audio.backends`).
"""

from pipeline.audio.backends import Speech, TTSBackend, backend_names, make_backend, register_backend
from pipeline.audio.lexicon import DEFAULT_LEXICON, apply_lexicon
from pipeline.audio.normalize import normalize
from pipeline.audio.render import render_audio

__all__ = ["DEFAULT_LEXICON", "Speech", "TTSBackend", "apply_lexicon", "backend_names", "make_backend",
           "normalize", "register_backend", "render_audio"]
