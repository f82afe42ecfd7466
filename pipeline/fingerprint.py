"""Fingerprints of an episode's words: what an editor approved, and what each rendered output was made from.

``content_hash`` covers everything that goes out (title, description, running order, each live segment's title,
text, script and sources); approval records it, and publish releases only when the episode still has it.
``output_fingerprints`` has one entry per rendered output, recorded in ``Episode.rendered`` when the output is
written: an output whose recorded fingerprint differs from the episode's current one is stale.
``inputs_digest`` is what a stage's input fingerprint is made with (``pipeline.draft.draft_fingerprint``,
``pipeline.publish.render_fingerprint``): the run records it when the stage finishes and skips the stage while it
is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pipeline.models import Episode, Segment

OUTPUTS = ("newsletter", "audio")


def _digest(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def inputs_digest(*parts: Any) -> str:
    """A short digest of a stage's inputs (each part JSON-encoded, keys sorted), as ``.briefcast/runs/<date>.json``
    records it; the same parts always give the same digest, across runs and versions."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(json.dumps(part, sort_keys=True, default=str).encode())
    return hasher.hexdigest()[:20]


def _sources(segment: Segment) -> list[list[Any]]:
    return [[ref.n, ref.outlet, ref.title, ref.url] for ref in segment.sources]


def content_hash(episode: Episode) -> str:
    """The hash of the words that go out; any edit an editor could see changes it."""
    return _digest(
        {
            "title": episode.title,
            "description": episode.description,
            "segments": [
                [s.id, s.status, s.title, s.text, s.script, _sources(s)] if s.status == "drafted" else [s.id, s.status]
                for s in episode.segments
            ],
        }
    )


def newsletter_fingerprint(episode: Episode) -> str:
    return _digest({"title": episode.title, "description": episode.description,
                    "segments": [[s.id, s.title, s.text, _sources(s)] for s in episode.live_segments]})


def audio_fingerprint(episode: Episode) -> str:
    return _digest({"title": episode.title,
                    "segments": [[s.id, s.title, s.script] for s in episode.live_segments if s.script.strip()]})


def output_fingerprints(episode: Episode) -> dict[str, str]:
    return {"newsletter": newsletter_fingerprint(episode), "audio": audio_fingerprint(episode)}


def stale_outputs(episode: Episode, *, audio: bool = True) -> list[str]:
    """The outputs whose last render was made from other words than the episode has now (or never made)."""
    current = output_fingerprints(episode)
    names = [name for name in OUTPUTS if audio or name != "audio"]
    return [name for name in names if episode.rendered.get(name) != current[name]]


__all__ = ["OUTPUTS", "audio_fingerprint", "content_hash", "inputs_digest", "newsletter_fingerprint",
           "output_fingerprints", "stale_outputs"]
