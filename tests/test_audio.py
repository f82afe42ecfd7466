"""The audio stage end to end: real piper voice, real ffmpeg, loudness checked by ffmpeg's own ebur128 meter."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from conftest import write_show
from pipeline.audio import render_audio
from pipeline.audio.backends import PiperBackend, Speech
from pipeline.audio.ffmpeg import ffmpeg_exe
from pipeline.config import Config, load_config
from pipeline.errors import AudioError
from pipeline.files import load_episode, save_episode, update_episode
from pipeline.models import Episode, Segment
from pipeline.registry import TTS
from pipeline.store import open_store

DAY = date(2026, 3, 9)
SCRIPTS = [
    ("cold_open", "cold_open", "Cold open", "Good morning. OpenAI shipped a new model [1], and Qwen answered."),
    ("headlines", "headlines", "Headlines", "First, the headlines. Nvidia raised $2.5 billion [2]. "
                                            "The 70B model is on arXiv. Regulators in the U.S. took note."),
    ("research", "research", "Research picks", "One paper today: a smaller model that reasons well."),
    ("sign_off", "sign_off", "Sign-off", "That's the brief. See you tomorrow."),
]


def make_episode(config: Config) -> Episode:
    segments = [Segment(id=sid, kind=kind, title=title, script=script) for sid, kind, title, script in SCRIPTS]
    segments.insert(3, Segment(id="policy", kind="policy", title="Policy", script="Dropped.", status="dropped"))
    episode = Episode(date=DAY, show=config.show.title, title="Monday: a new model", segments=segments)
    save_episode(config.episodes_dir, episode)
    return episode


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak, by ffmpeg's meter (independent of the code under test)."""
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-vn", "-af",
                           "ebur128=peak=true:framelog=quiet", "-f", "null", "-"], capture_output=True, text=True)
    summary = done.stderr.split("Summary:")[-1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+)", summary).group(1))
    return integrated, peak


def ffmpeg_chapters(path: Path) -> list[tuple[float, float, str]]:
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "ffmetadata", "-"],
                          capture_output=True, text=True)
    found = re.findall(r"\[CHAPTER\]\nTIMEBASE=1/1000\nSTART=(\d+)\nEND=(\d+)\ntitle=(.*)", done.stdout)
    return [(int(start) / 1000, int(end) / 1000, title) for start, end, title in found]


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        hours, minutes, rest = stamp.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(rest)

    return [(seconds(a), seconds(b), line)
            for a, b, line in re.findall(r"([\d:.]+) --> ([\d:.]+)\n(.*)", text)]


class Counting:
    """Wraps the piper backend and counts real syntheses."""

    calls: list[str] = []

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        self.inner = PiperBackend(settings)
        self.name = "piper"

    def synthesize(self, text: str, voice, *, subject: str) -> Speech:  # type: ignore[no-untyped-def]
        Counting.calls.append(subject)
        return self.inner.synthesize(text, voice, subject=subject)

    def synthesize_sentences(self, sentences: list[str], voice, *, subject: str) -> list[Speech]:  # type: ignore[no-untyped-def]
        Counting.calls.append(subject)
        return self.inner.synthesize_sentences(sentences, voice, subject=subject)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One real render of a short episode (piper, counted), shared by the read-only checks below."""
    TTS.register("counting-piper")(Counting)
    folder = tmp_path_factory.mktemp("audio") / "show"
    config = load_config(write_show(folder, tts={"host": {"backend": "counting-piper", "voice": "joe"}}))
    episode = make_episode(config)
    store = open_store(config.state_dir)
    result = render_audio(config, store, episode)
    store.close()
    yield config, result
    TTS.unregister("counting-piper")


@pytest.fixture
def voiced_by(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A show whose host voice is a test double, registered under its own name like any backend."""
    names: list[str] = []

    def use(name: str, factory: type, **sections: object) -> Config:
        TTS.register(name)(factory)
        names.append(name)
        return load_config(write_show(tmp_path / "show", tts={"host": {"backend": name}}, **sections))

    yield use
    for name in names:
        TTS.unregister(name)


def test_render_writes_files_and_episode(rendered) -> None:  # type: ignore[no-untyped-def]
    config, result = rendered
    folder = config.episode_dir(DAY)
    assert result.stage == "audio" and result.status == "done", result
    assert result.counts["segments_synthesized"] == 4 and result.counts["cache_hits"] == 0
    assert result.counts["characters"] > 150
    episode = load_episode(config.episodes_dir, DAY)
    assert episode.audio is not None
    assert episode.audio.bytes == (folder / "episode.mp3").stat().st_size
    assert 15 < episode.audio.duration < 60
    assert [chapter.segment_id for chapter in episode.audio.chapters] == ["cold_open", "headlines", "research",
                                                                        "sign_off"]
    assert all(segment.audio_hash for segment in episode.live_segments)
    assert episode.segment("policy").audio_hash is None  # dropped: not voiced
    assert episode.version == 1  # audio is not a content change
    assert not list(folder.glob(".*.tmp"))


def test_loudness_by_independent_meter(rendered) -> None:  # type: ignore[no-untyped-def]
    config, result = rendered
    integrated, peak = ebur128(config.episode_dir(DAY) / "episode.mp3")
    assert abs(integrated - -16.0) <= 1.0, integrated
    assert peak <= -1.0, peak
    assert abs(result.counts["lufs"] - integrated) <= 0.2


def test_mp3_format_tags_and_chapters(rendered) -> None:  # type: ignore[no-untyped-def]
    config, _ = rendered
    path = config.episode_dir(DAY) / "episode.mp3"
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    assert re.search(r"Audio: mp3.*44100 Hz, mono", probe), probe
    tags = ID3(path)
    assert str(tags["TIT2"]) == "Monday: a new model"
    assert str(tags["TALB"]) == config.show.title and str(tags["TPE1"]) == config.show.host
    assert str(tags["TDRC"]) == "2026-03-09"
    assert tags.getall("COMM") and tags.getall("APIC")  # the default artwork
    chapters = ffmpeg_chapters(path)
    episode = load_episode(config.episodes_dir, DAY)
    assert [title for _, _, title in chapters] == ["Cold open", "Headlines", "Research picks", "Sign-off"]
    for (start, end, _), chapter in zip(chapters, episode.audio.chapters):
        # ffmpeg reports chapter times less the MP3 encoder's priming delay (1105 samples, 25 ms).
        assert abs(start - chapter.start) < 0.05 and abs(end - chapter.end) < 0.05
    assert chapters[0][0] == 0.0 and abs(chapters[-1][1] - episode.audio.duration) < 0.5


def test_transcript_and_json_chapters_match_audio(rendered) -> None:  # type: ignore[no-untyped-def]
    config, _ = rendered
    folder = config.episode_dir(DAY)
    text = (folder / "transcript.vtt").read_text()
    assert text.startswith("WEBVTT\n")
    assert "[1]" not in text and "$2.5 billion" in text  # shown as written, citations gone
    cues = vtt_cues(text)
    chapters = ffmpeg_chapters(folder / "episode.mp3")
    starts = [start for start, _, _ in chapters]
    # Each later segment's first words start at its chapter; the first one after the intro sting.
    first_cue_of = {}
    for start, end, line in cues:
        chapter = max(i for i, s in enumerate(starts) if s <= start + 0.5)
        first_cue_of.setdefault(chapter, start)
        assert end > start
    assert sorted(first_cue_of) == [0, 1, 2, 3]
    for index in (1, 2, 3):
        assert abs(first_cue_of[index] - starts[index]) <= 0.5
    assert 1.0 < first_cue_of[0] < 3.0  # after most of the ~3 s sting
    assert all(a[1] <= b[0] + 1e-3 for a, b in zip(cues, cues[1:]))
    assert cues[-1][1] <= chapters[-1][1]
    data = json.loads((folder / "chapters.json").read_text())
    assert data["version"] == "1.2.0"
    assert [c["title"] for c in data["chapters"]] == [t for _, _, t in chapters]
    assert all(abs(c["startTime"] - s) < 0.05 for c, (s, _, _) in zip(data["chapters"], chapters))


def test_rerender_uses_cache_and_edit_revoices_one_segment(rendered, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source, _ = rendered
    shutil.copytree(source.root, tmp_path / "show")
    config = load_config(tmp_path / "show" / "config.yaml")
    Counting.calls = []
    store = open_store(config.state_dir)
    again = render_audio(config, store, load_episode(config.episodes_dir, DAY))
    assert Counting.calls == [] and again.counts["cache_hits"] == 4 and again.counts["characters"] == 0

    def edit(episode: Episode) -> Episode:
        episode.segment("research").script = "One paper today: a tiny model that plans well."
        return episode

    episode = update_episode(config.episodes_dir, DAY, edit)
    before = load_episode(config.episodes_dir, DAY).segment("research").audio_hash
    result = render_audio(config, store, episode)
    assert Counting.calls == ["research"]
    assert result.counts["segments_synthesized"] == 1 and result.counts["cache_hits"] == 3
    after = load_episode(config.episodes_dir, DAY)
    assert after.segment("research").audio_hash != before
    rows = store.query("SELECT COUNT(*) FROM tts_cache")[0][0]
    voiced = [path for path in (config.state_dir / "tts").glob("*.wav") if ".mix" not in path.name]
    prepared = list((config.state_dir / "tts").glob("*.mix*.wav"))  # each turn resampled for the mix once
    assert rows == 5 and len(voiced) == 5 and len(prepared) == 5


class Silent:
    name = "piper"

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        pass

    def synthesize(self, text: str, voice, *, subject: str) -> Speech:  # type: ignore[no-untyped-def]
        if subject == "headlines":
            return Speech(np.zeros(22050 * 5, dtype=np.int16), 22050)
        rng = np.random.default_rng(0)  # loud enough noise of a plausible length for the rest
        return Speech((rng.standard_normal(int(22050 * len(text) / 15)) * 3000).astype(np.int16), 22050)


def test_silent_audio_fails_naming_the_segment(voiced_by) -> None:  # type: ignore[no-untyped-def]
    show = voiced_by("silent", Silent)
    episode = make_episode(show)
    mp3 = show.episode_dir(DAY) / "episode.mp3"
    mp3.write_bytes(b"previous good file")
    with pytest.raises(AudioError) as caught:
        render_audio(show, open_store(show.state_dir), episode)
    assert caught.value.subject == "headlines" and "near-silent" in str(caught.value)
    assert mp3.read_bytes() == b"previous good file"  # nothing replaced by a bad file
    assert load_episode(show.episodes_dir, DAY).audio is None
    # Nothing bad was cached either: the silent segment is retried next time.
    store = open_store(show.state_dir)
    assert store.query("SELECT COUNT(*) FROM tts_cache")[0][0] == 3


def test_truncated_audio_fails(voiced_by) -> None:  # type: ignore[no-untyped-def]
    class Truncated(Silent):
        def synthesize(self, text: str, voice, *, subject: str) -> Speech:  # type: ignore[no-untyped-def]
            return Speech((np.random.default_rng(1).standard_normal(2205) * 3000).astype(np.int16), 22050)

    show = voiced_by("truncated", Truncated)
    with pytest.raises(AudioError) as caught:
        render_audio(show, open_store(show.state_dir), make_episode(show))
    assert caught.value.subject == "cold_open" and "too short" in str(caught.value)


def test_cohost_voice_and_own_assets(tmp_path: Path) -> None:
    # A show's own intro (any format ffmpeg reads), no bed, and a pitched cohost for COHOST: lines.
    folder = tmp_path / "show"
    folder.mkdir()
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "sine=frequency=660:duration=1.5", str(folder / "intro.mp3")], check=True)
    config = load_config(write_show(folder, tts={"cohost": {"backend": "piper", "voice": "joe", "pitch": 0.84}},
                                    audio={"intro": "intro.mp3", "bed": "none", "gap_ms": 300}))
    segments = [Segment(id="cold_open", kind="cold_open", title="Open", script="Hello and welcome."),
                Segment(id="sign_off", kind="sign_off", title="Bye", script="Thanks.\nCOHOST: See you tomorrow.")]
    episode = Episode(date=DAY, show="t", segments=segments)
    save_episode(config.episodes_dir, episode)
    store = open_store(config.state_dir)
    result = render_audio(config, store, episode)
    assert result.status == "done" and result.counts["cache_hits"] == 0
    assert store.query("SELECT COUNT(*) FROM tts_cache")[0][0] == 3  # host, host, cohost turns
    vtt = (config.episode_dir(DAY) / "transcript.vtt").read_text()
    assert "<v Co-host>See you tomorrow." in vtt and f"<v {config.show.host}>Thanks." in vtt
    cues = vtt_cues(vtt)
    assert 0.3 < cues[0][0] < 1.0  # our 1.5 s intro, minus the overlap
    integrated, peak = ebur128(config.episode_dir(DAY) / "episode.mp3")
    assert abs(integrated + 16) <= 1 and peak <= -1


def test_missing_show_asset_is_a_clear_error(voiced_by) -> None:  # type: ignore[no-untyped-def]
    config = voiced_by("silent", Silent, audio={"outro": "music/outro.wav"})
    episode = make_episode(config)
    episode.segments = [s for s in episode.segments if s.id != "headlines"]
    with pytest.raises(AudioError) as caught:
        render_audio(config, open_store(config.state_dir), episode)
    assert caught.value.subject == "audio.outro" and "music/outro.wav" in str(caught.value)


def test_espeak_without_program_names_the_fix(show: Config, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pipeline.audio.backends import make_backend

    monkeypatch.setenv("PATH", str(tmp_path))
    if shutil.which("espeak-ng") or shutil.which("espeak"):
        pytest.skip("an espeak program is installed")
    with pytest.raises(AudioError) as caught:
        make_backend("espeak", show.tts).synthesize("Hello.", show.tts.host, subject="cold_open")
    assert caught.value.subject == "cold_open" and "espeak-ng" in str(caught.value)
    assert "piper" in (caught.value.hint or "")


def test_unknown_backend_lists_the_known_ones(show: Config) -> None:
    from pipeline.audio.backends import make_backend

    with pytest.raises(AudioError) as caught:
        make_backend("kokoro", show.tts)
    assert "piper" in (caught.value.hint or "") and "openai" in (caught.value.hint or "")
