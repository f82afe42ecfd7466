"""transcript.vtt (WebVTT) and chapters.json (Podcasting 2.0 JSON chapters) from the episode's timeline.

Cue times come from the audio itself: each turn's position in the mixed episode plus each sentence's measured
start and end inside the turn (the voice speaks sentence by sentence, see ``synth``). A backend that voices whole
texts only gets its turn's duration shared out by each sentence's spoken length. Sentences are split as the
voice was given them, never inside an abbreviation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pipeline.audio.mix import Placement
from pipeline.audio.normalize import normalize, split_sentences
from pipeline.models import Chapter


def timestamp(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cues(placements: list[Placement], lexicon: Mapping[str, str] | None = None) -> list[tuple[float, float, str, str]]:
    """(start, end, speaker, text) per sentence."""
    out: list[tuple[float, float, str, str]] = []
    for placement in placements:
        spans = placement.sentences
        if not spans:  # no times recorded: share the turn's length by spoken length
            sentences = split_sentences(placement.turn.text) or [placement.turn.text]
            weights = [max(1, len(normalize(sentence, lexicon))) for sentence in sentences]
            at, spans = 0.0, []
            for sentence, weight in zip(sentences, weights, strict=False):
                length = placement.seconds * weight / sum(weights)
                spans.append((sentence, at, at + length))
                at += length
        for sentence, begin, end in spans:
            out.append((placement.start + begin, placement.start + min(end, placement.seconds),
                        placement.turn.speaker, sentence))
    return out


def webvtt(placements: list[Placement], names: Mapping[str, str], lexicon: Mapping[str, str] | None = None) -> str:
    """The WebVTT transcript; each cue carries its speaker as a voice span (<v Name>)."""
    lines = ["WEBVTT", ""]
    for number, (start, end, speaker, text) in enumerate(cues(placements, lexicon), start=1):
        lines += [str(number), f"{timestamp(start)} --> {timestamp(end)}",
                  f"<v {_escape(names.get(speaker, speaker))}>{_escape(text)}", ""]
    return "\n".join(lines)


def chapters_json(chapters: list[Chapter]) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0)."""
    body = {"version": "1.2.0", "chapters": [
        {"startTime": round(chapter.start, 3), "endTime": round(chapter.end, 3), "title": chapter.title}
        for chapter in chapters
    ]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
