"""transcript.vtt (WebVTT) and chapters.json (Podcasting 2.0 JSON chapters) from the episode's timeline.

Cue times come from the audio itself: each turn's position and length in the mixed episode, split into
sentences, the turn's duration shared out by each sentence's spoken length (after the lexicon, since "$2.5B"
takes longer to say than to write).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from pipeline.audio.lexicon import apply_lexicon
from pipeline.audio.mix import Placement
from pipeline.models import Chapter

_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.", "Inc.", "Corp.", "Ltd.", "Co.", "vs.", "e.g.",
                  "i.e.", "U.S.", "U.K.", "E.U.", "a.m.", "p.m.", "No.", "approx.", "etc.")
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Sentences of a script, not fooled by common abbreviations ("Dr. Lee", "the U.S. market")."""
    pieces: list[str] = []
    carry = ""
    for part in _BOUNDARY.split(text):
        part = part.strip()
        if not part:
            continue
        carry = f"{carry} {part}" if carry else part
        if carry.endswith(_ABBREVIATIONS):
            continue
        pieces.append(carry)
        carry = ""
    if carry:
        pieces.append(carry)
    return pieces


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
        sentences = split_sentences(placement.turn.text) or [placement.turn.text]
        weights = [max(1, len(apply_lexicon(sentence, lexicon))) for sentence in sentences]
        total = sum(weights)
        start = placement.start
        for sentence, weight in zip(sentences, weights):
            length = placement.seconds * weight / total
            out.append((start, start + length, placement.turn.speaker, sentence))
            start += length
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
