"""Audio benchmark: a 30-minute episode from cached segment audio, against a naive all-in-pydub mix.

1. TTS: the local piper voice synthesizes six distinct scripts once (about 3 minutes of speech) into the TTS
   cache: its real-time factor is measured here.
2. briefcast: ``render_audio`` on a 30-minute episode whose segments cycle those scripts (every one a cache
   hit), so the figure is assembly + loudness measurement + the one MP3 encode (gain, limiter, meter) + tags;
   then the same render again (the turns' prepared 44.1 kHz files reused), as after an editor's edit.
3. baseline: the same segments loaded, resampled and concatenated in pydub at 44.1 kHz, with stings, then
   exported through ffmpeg with one-pass loudnorm: what a first version of this stage would do.
Each step runs in a fresh child process, so its peak memory (the process plus its largest ffmpeg child, from
getrusage) is its own. Run with ``python -m bench.audio``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DAY = date(2026, 3, 9)
TARGET_MINUTES = 30.0
SCRIPTS = [
    "Good morning. Three labs shipped new models overnight, and the price of running them keeps falling. "
    "The biggest story is a small one: a model that fits on a laptop now matches last year's flagship on "
    "reasoning tests. We will look at what that means for the companies that charge by the token.",
    "In the headlines, a chip maker reported record revenue of 2.5 billion dollars for the quarter, up 40 "
    "percent on last year, on demand for data center accelerators. A cloud provider announced a new region "
    "for training runs, and a startup raised a large round to build evaluation tools for language models.",
    "Our deep dive today is about open weights. When a lab publishes the weights of a model, anyone can run it, "
    "tune it, and study it. Supporters say that makes research faster and keeps the big companies honest. "
    "Critics say it makes misuse easier and removes the ability to recall a model once it is out.",
    "Research picks. The first paper shows that a model trained on less data, but cleaner data, beats a larger "
    "one on math problems. The second measures how often chat assistants agree with a user who is wrong, and "
    "finds that a short instruction to disagree politely cuts the problem by half.",
    "Policy and business. Regulators in Europe published guidance on how general purpose models must document "
    "their training data. In the United States, a state bill on model safety moved out of committee, and two "
    "large companies signed a deal to share compute for the next two years.",
    "Quick hits. A popular code assistant added support for longer files. A robotics company showed a "
    "warehouse arm that learns a new task from a single video. And a survey of developers found that most "
    "of them now use an assistant every day, though fewer than half trust it with tests.",
]


def _config(folder: Path):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(PROJECT / "tests"))
    from conftest import write_show

    from pipeline.config import load_config

    return load_config(write_show(folder / "show"))


def _episode(config, count: int):  # type: ignore[no-untyped-def]
    from pipeline.files import save_episode
    from pipeline.models import Episode, Segment

    segments = []
    for index in range(count):
        kind = "cold_open" if index == 0 else "sign_off" if index == count - 1 else "headlines"
        segments.append(Segment(id=f"s{index:03d}", kind=kind, title=f"Segment {index + 1}",
                                script=SCRIPTS[index % len(SCRIPTS)]))
    episode = Episode(date=DAY, show=config.show.title, title="Benchmark episode", segments=segments)
    save_episode(config.episodes_dir, episode)
    return episode


def _peak_mb() -> tuple[float, float]:
    """(this child's own peak, its largest waited-for child's). Own is VmHWM (its own address space since exec):
    ru_maxrss of RUSAGE_SELF would start from the benchmark process's size, which spawned it."""
    from bench import peak_rss_mb

    own = peak_rss_mb(os.getpid()) or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def child_synth(folder: Path) -> dict:
    """Voice the six scripts once (fills the cache); TTS time over audio time."""
    from pipeline.audio.synth import Synthesizer
    from pipeline.store import open_store

    config = _config(folder)
    episode = _episode(config, len(SCRIPTS))
    synthesizer = Synthesizer(config, open_store(config.state_dir))
    synthesizer.segment(episode.segments[0])  # loads the voice: not part of the real-time factor
    started = time.perf_counter()
    audio = [synthesizer.segment(segment) for segment in episode.segments[1:]]
    elapsed = time.perf_counter() - started
    seconds = sum(item.seconds for item in audio)
    first = synthesizer.segment(episode.segments[0])
    return {"tts_seconds": elapsed, "audio_seconds": seconds, "per_script": [first.seconds] + [a.seconds for a in audio]}


def child_render(folder: Path, count: int) -> dict:
    from pipeline.audio import render_audio
    from pipeline.store import open_store

    config = _config(folder)
    episode = _episode(config, count)
    store = open_store(config.state_dir)
    started = time.perf_counter()
    result = render_audio(config, store, episode)
    elapsed = time.perf_counter() - started
    # Again, as after an editor's fix elsewhere: every turn's prepared 44.1 kHz file is reused.
    started = time.perf_counter()
    render_audio(config, store, episode)
    again = time.perf_counter() - started
    own, children = _peak_mb()
    return {"seconds": elapsed, "again": again, "own_mb": own, "children_mb": children, "counts": result.counts,
            "mp3": str(config.episode_dir(DAY) / "episode.mp3")}


def child_naive(folder: Path, count: int) -> dict:
    """The naive mix: the whole episode as one pydub AudioSegment, exported with one-pass loudnorm."""
    from pipeline.audio.ffmpeg import pydub
    from pipeline.audio.music import sting
    from pipeline.audio.backends import write_wav
    from pipeline.audio.synth import Synthesizer
    from pipeline.store import open_store

    config = _config(folder)
    episode = _episode(config, count)
    synthesizer = Synthesizer(config, open_store(config.state_dir))
    AudioSegment = pydub().AudioSegment
    started = time.perf_counter()
    write_wav(folder / "intro.wav", sting(rising=True))
    write_wav(folder / "outro.wav", sting(rising=False))
    mix = AudioSegment.from_wav(folder / "intro.wav")
    gap = AudioSegment.silent(duration=config.audio.gap_ms, frame_rate=44100)
    for segment in episode.segments:
        for turn in synthesizer.segment(segment).turns:  # cache hits: no synthesis
            mix += AudioSegment.from_wav(turn.path).set_frame_rate(44100) + gap
    mix += AudioSegment.from_wav(folder / "outro.wav")
    target = folder / "naive.mp3"
    mix.export(target, format="mp3", bitrate=config.audio.bitrate,
               parameters=["-af", f"loudnorm=I={config.audio.loudness}:TP={config.audio.true_peak}:LRA=11",
                           "-ar", "44100", "-ac", "1"])
    elapsed = time.perf_counter() - started
    own, children = _peak_mb()
    return {"seconds": elapsed, "own_mb": own, "children_mb": children, "audio_seconds": len(mix) / 1000,
            "mp3": str(target)}


def _child(step: str, folder: Path, *args: object) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.audio", "--child", step, str(folder), *map(str, args)],
                          cwd=PROJECT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.audio {step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    """The benchmark rows."""
    from pipeline.audio.ffmpeg import measure

    with tempfile.TemporaryDirectory(prefix="bench-audio-") as scratch:
        folder = Path(scratch)
        synth = _child("synth", folder)
        mean = synth["audio_seconds"] / (len(SCRIPTS) - 1)
        count = max(3, round(TARGET_MINUTES * 60 / (mean + 0.6)))
        ours = _child("render", folder, count)
        naive = _child("naive", folder, count)
        minutes = ours["counts"]["audio_minutes"]
        ours_speed = minutes * 60 / ours["seconds"]
        naive_speed = naive["audio_seconds"] / naive["seconds"]
        ours_mb = ours["own_mb"] + ours["children_mb"]
        naive_mb = naive["own_mb"] + naive["children_mb"]
        naive_loudness = measure(Path(naive["mp3"]), subject="naive")
        ours_loudness = measure(Path(ours["mp3"]), subject="briefcast")
    rtf = synth["tts_seconds"] / synth["audio_seconds"]
    return [
        {"figure": "TTS real-time factor (piper, CPU s per audio s)", "briefcast": round(rtf, 4), "baseline": None,
         "ratio": None, "target": "<= 0.05 (20x faster than real time)"},
        {"figure": f"episode length, minutes ({count} cached segments)", "briefcast": round(minutes, 1),
         "baseline": round(naive["audio_seconds"] / 60, 1), "ratio": None, "target": "about 30"},
        {"figure": "assemble + loudness + encode, x real time", "briefcast": round(ours_speed, 1),
         "baseline": round(naive_speed, 1), "ratio": round(ours_speed / naive_speed, 2), "target": ">= 20x"},
        {"figure": "wall time, s", "briefcast": round(ours["seconds"], 1), "baseline": round(naive["seconds"], 1),
         "ratio": round(naive["seconds"] / ours["seconds"], 2), "target": "<= 90 s for 30 min"},
        {"figure": "re-render, s (prepared turns reused)", "briefcast": round(ours["again"], 1),
         "baseline": round(naive["seconds"], 1), "ratio": round(naive["seconds"] / ours["again"], 2),
         "target": ">= 2x faster than the first version's render"},
        {"figure": "peak memory, MB (process + largest ffmpeg child)", "briefcast": round(ours_mb),
         "baseline": round(naive_mb), "ratio": round(naive_mb / ours_mb, 2), "target": "< 500 MB"},
        {"figure": "integrated loudness, LUFS (ebur128 on the MP3)", "briefcast": ours_loudness.integrated,
         "baseline": naive_loudness.integrated, "ratio": None, "target": "-16 +-1"},
        {"figure": "true peak, dBTP (ebur128 on the MP3)", "briefcast": ours_loudness.true_peak,
         "baseline": naive_loudness.true_peak, "ratio": None, "target": "<= -1"},
    ]


def _main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        step, folder, rest = sys.argv[2], Path(sys.argv[3]), [int(x) for x in sys.argv[4:]]
        result = {"synth": child_synth, "render": child_render, "naive": child_naive}[step](folder, *rest)
        print(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "briefcast", "baseline", "ratio", "target", title="bench.audio")
    for row in run():
        table.add_row(*(str(row[key]) if row[key] is not None else "-"
                        for key in ("figure", "briefcast", "baseline", "ratio", "target")))
    Console().print(table)


if __name__ == "__main__":
    _main()
