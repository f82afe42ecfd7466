"""The spoken show, measured on the sample day: what the voice is given and how the audio follows it.

Run under the heavy lock (it may draft the sample day with the embedded model, and it synthesizes speech):

    flock /tmp/briefcast-heavy.lock .venv/bin/python -m bench spoken

The episode is ``$BRIEFCAST_SPOKEN_EPISODE`` (an episode.json), else the newest ``episodes/*/episode.json`` of the
project, else the sample day drafted now (``briefcast run --sample --no-audio --date 2026-03-10``, ~10 minutes).

Figures, for the scripts as drafted (``briefcast``) against the segments' text made speakable the way the voice
read it before scripts were written for the ear (``baseline``: five of eight segments were their text):
parentheses read aloud, digits or symbols left for the voice to guess (after the normalizer; the baseline's
lexicon spelled only $, % and versions), sentence length p95 and longest (words), contractions per 100 words,
segments whose script fell back to the code-made ear version. Then the voice: words per minute over speech
(piper, on the day's own sentences), the normalizer table's pass rate (tests/test_audio_normalize.py), transcript
cue error against the finished audio (each cue's start and end vs the nearest pause/speech transition in
the decoded MP3; mean and worst; baseline: the old share-by-characters estimate on the same audio), and MP3 size per minute (baseline: 128 kbps).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_DAY = date(2026, 3, 10)
VOICE_SAMPLE_WORDS = 260  # words of the day's script voiced for the speaking-rate figure
CUE_SEGMENTS = 2  # segments rendered for the cue-error figure


def find_episode() -> Path:
    """The episode.json to measure (see the module docstring)."""
    chosen = os.environ.get("BRIEFCAST_SPOKEN_EPISODE")
    if chosen:
        return Path(chosen)
    found = sorted(PROJECT.glob("episodes/*/episode.json"), key=lambda p: p.stat().st_mtime)
    if found:
        return found[-1]
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", "--sample", "--no-audio", "--date",
                           SAMPLE_DAY.isoformat()], cwd=PROJECT, capture_output=True, text=True, check=False)
    path = PROJECT / "episodes" / SAMPLE_DAY.isoformat() / "episode.json"
    if not path.is_file():
        raise RuntimeError(f"drafting the sample day failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return path


def _sentences(text: str) -> list[str]:
    from pipeline.audio.lexicon import clean_script
    from pipeline.audio.normalize import split_sentences

    return [s for line in text.splitlines() for s in split_sentences(clean_script(line))]


def _p95(values: list[int]) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]) if ordered else 0.0


def script_figures(scripts: list[str]) -> dict[str, float]:
    from pipeline.audio.normalize import normalize, unspoken
    from pipeline.draft.script import contractions_per_100

    sentences = [s for script in scripts for s in _sentences(script)]
    lengths = [len(s.split()) for s in sentences]
    whole = " ".join(scripts)
    return {
        "parentheses": len(re.findall(r"[()]", whole)) / 2,
        "unspoken": sum(len(unspoken(normalize(s))) for s in sentences),
        "p95": _p95(lengths),
        "longest": float(max(lengths, default=0)),
        "contractions": contractions_per_100(whole),
        "words": float(sum(lengths)),
    }


def _old_unspoken(text: str) -> int:
    """Digits and symbols the voice had to guess before the normalizer: the old lexicon said $, % and v1.2."""
    from pipeline.audio.normalize import unspoken

    text = re.sub(r"[$€£%]", " ", text)
    return len(unspoken(text))


def table_pass_rate() -> tuple[int, int]:
    sys.path.insert(0, str(PROJECT / "tests"))
    from test_audio_normalize import TABLE

    from pipeline.audio.normalize import normalize

    return sum(normalize(written) == spoken for written, spoken in TABLE), len(TABLE)


def voice_figures(scripts: list[str], folder: Path) -> dict[str, float]:
    """Speaking rate and cue error, with the bundled piper voice."""
    sys.path.insert(0, str(PROJECT / "tests"))
    from conftest import write_show

    from pipeline.audio import render_audio
    from pipeline.audio.backends import PiperBackend
    from pipeline.audio.normalize import normalize
    from pipeline.config import load_config
    from pipeline.files import save_episode
    from pipeline.models import Episode, Segment
    from pipeline.store import open_store

    config = load_config(write_show(folder / "show"))
    piper = PiperBackend(config.tts)
    sentences, count = [], 0
    for sentence in (s for script in scripts for s in _sentences(script)):
        sentences.append(sentence)
        count += len(sentence.split())
        if count >= VOICE_SAMPLE_WORDS:
            break
    from pipeline.audio.synth import SENTENCE_PAUSE

    clips = piper.synthesize_sentences([normalize(s) for s in sentences], config.tts.host, subject="bench")
    # As a listener hears the segment: the sentences and the pauses between them (what a word target must fit).
    speech_seconds = sum(clip.seconds for clip in clips) + SENTENCE_PAUSE * (len(clips) - 1)
    wpm = count / (speech_seconds / 60)

    chosen = [s for s in scripts if s.strip()][:CUE_SEGMENTS]
    segments = [Segment(id=f"s{i}", kind="headlines", title=f"Segment {i}", script=script)
                for i, script in enumerate(chosen)]
    episode = Episode(date=SAMPLE_DAY, show=config.show.title, title="bench", segments=segments)
    save_episode(config.episodes_dir, episode)
    counts = render_audio(config, open_store(config.state_dir), episode).counts
    vtt = (config.episode_dir(SAMPLE_DAY) / "transcript.vtt").read_text()
    cues = [(_seconds(a), _seconds(b), text) for a, b, text in re.findall(r"([\d:.]+) --> ([\d:.]+)\n<v [^>]*>(.*)", vtt)]
    # Against the finished audio: each cue's start and end vs the nearest pause-to-speech / speech-to-pause
    # transition in the decoded MP3 (a second synthesis would not do: piper samples its durations).
    sys.path.insert(0, str(PROJECT / "tests"))
    from test_audio_spoken import transitions

    from pipeline.audio.backends import read_wav
    from pipeline.audio.ffmpeg import ffmpeg_exe

    decoded = folder / "decoded.wav"
    subprocess.run([ffmpeg_exe(), "-y", "-v", "error", "-i", str(config.episode_dir(SAMPLE_DAY) / "episode.mp3"),
                    "-ac", "1", "-ar", "44100", str(decoded)], check=True)
    onsets, offsets = transitions(read_wav(decoded).samples)
    first_words = cues[0][0] + 0.01  # the open (sting, bed) has no clean pauses: measured from its second cue on
    timed = [c for c in cues if c[0] > first_words]
    errors = [max(min(abs(t - a) for t in onsets), min(abs(t - b) for t in offsets)) for a, b, _ in timed]
    # The old estimate on the same audio: each segment's speech shared out by characters.
    old_errors: list[float] = []
    for segment in segments:
        turn = [c for c in timed if c[2] in segment.script]
        if len(turn) < 2:
            continue
        span = turn[-1][1] - turn[0][0]
        weights = [max(1, len(normalize(c[2]))) for c in turn]
        at = turn[0][0]
        for weight in weights:
            end = at + span * weight / sum(weights)
            old_errors.append(max(min(abs(t - at) for t in onsets), min(abs(t - end) for t in offsets)))
            at = end
    mp3 = config.episode_dir(SAMPLE_DAY) / "episode.mp3"
    minutes = counts["audio_minutes"]
    return {"wpm": wpm, "cue_mean": statistics.mean(errors), "cue_worst": max(errors),
            "old_cue_mean": statistics.mean(old_errors) if old_errors else 0.0,
            "old_cue_worst": max(old_errors, default=0.0),
            "kb_per_minute": mp3.stat().st_size / 1024 / minutes, "cues": float(len(cues))}


def _fallbacks(run_json: Path) -> int | None:
    """Segments whose script fell back to the code-made ear version, from the draft stage's notes in run.json."""
    try:
        report = json.loads(run_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    notes = [note for stage in report.get("stages", []) if stage.get("stage") == "draft"
             for note in stage.get("notes", [])]
    return sum("script made from the text" in note for note in notes)


def _seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def run() -> list[dict]:
    """The benchmark rows."""
    from pipeline.draft.script import speakable
    from pipeline.models import Episode

    path = find_episode()
    episode = Episode.model_validate_json(path.read_bytes())
    live = episode.live_segments
    scripts = [segment.script for segment in live]
    ours = script_figures(scripts)
    old_texts = [speakable(segment.text) for segment in live]
    old = script_figures(old_texts)
    old_unspoken = sum(_old_unspoken(s) for text in old_texts for s in _sentences(text))
    fallbacks = _fallbacks(path.parent / "run.json")
    passed, total = table_pass_rate()
    with tempfile.TemporaryDirectory(prefix="bench-spoken-") as scratch:
        voice = voice_figures(scripts, Path(scratch))
    rows = [
        {"figure": f"episode measured ({path.parent.name}, {len(live)} segments, {ours['words']:.0f} words)",
         "briefcast": None, "baseline": None, "ratio": None, "target": ""},
        {"figure": "parentheses read aloud", "briefcast": ours["parentheses"], "baseline": old["parentheses"],
         "ratio": None, "target": "0"},
        {"figure": "digits or symbols left for the voice to guess", "briefcast": ours["unspoken"],
         "baseline": old_unspoken, "ratio": None, "target": "0"},
        {"figure": "sentence length p95, words", "briefcast": ours["p95"], "baseline": old["p95"], "ratio": None,
         "target": "<= 25"},
        {"figure": "longest sentence, words", "briefcast": ours["longest"], "baseline": old["longest"],
         "ratio": None, "target": ""},
        {"figure": "contractions per 100 words", "briefcast": round(ours["contractions"], 2),
         "baseline": round(old["contractions"], 2), "ratio": None, "target": ">= 1.5"},
        {"figure": "voice speaking rate, words a minute (piper, over speech)", "briefcast": round(voice["wpm"], 1),
         "baseline": 160, "ratio": None, "target": "measured (config tts.words_per_minute)"},
        {"figure": "normalizer table pass rate", "briefcast": f"{passed}/{total}", "baseline": None,
         "ratio": round(passed / total, 3), "target": "100%"},
        {"figure": f"cue error vs the speech in the MP3, mean s ({voice['cues']:.0f} cues)",
         "briefcast": round(voice["cue_mean"], 3), "baseline": round(voice["old_cue_mean"], 3), "ratio": None,
         "target": "<= 0.2"},
        {"figure": "cue error, worst s", "briefcast": round(voice["cue_worst"], 3),
         "baseline": round(voice["old_cue_worst"], 3), "ratio": None, "target": "<= 0.2"},
        {"figure": "episode size per minute, KB (64 kbps mono)", "briefcast": round(voice["kb_per_minute"]),
         "baseline": round(128000 / 8 * 60 / 1024), "ratio": round(voice["kb_per_minute"] / (128000 / 8 * 60 / 1024), 2),
         "target": "~half of 128 kbps"},
    ]
    rows.append({"figure": "segments whose script fell back to the ear version of the text",
                 "briefcast": fallbacks, "baseline": None, "ratio": None, "target": "few"})
    return rows


if __name__ == "__main__":
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "briefcast", "baseline", "ratio", "target", title="bench.spoken")
    for row in run():
        table.add_row(*(str(row[key]) if row[key] is not None else "-"
                        for key in ("figure", "briefcast", "baseline", "ratio", "target")))
    Console().print(table)
