"""The openai speech backend against a loopback fake of POST /v1/audio/speech, with injected faults."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from conftest import write_show
from fake_openai_speech import fake_speech_server
from pipeline.audio import render_audio
from pipeline.audio.backends import make_backend
from pipeline.config import Voice, load_config
from pipeline.errors import AudioError
from pipeline.files import load_episode, save_episode
from pipeline.models import Episode, Segment
from pipeline.store import open_store

VOICE = Voice(backend="openai", voice="alloy", model="tts-1", speed=1.1, instructions="Warm and brisk.")


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with fake_speech_server() as fake:
        yield fake


def backend(tmp_path: Path, server, monkeypatch, timeout: float = 3.0):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    config = load_config(write_show(tmp_path / "show", tts={"host": VOICE.model_dump(), "base_url": server.url,
                                                             "timeout": timeout}))
    return config, make_backend("openai", config.tts)


def test_request_carries_voice_settings(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch)
    speech = tts.synthesize("Hello from the fake server.", VOICE, subject="cold_open")
    assert speech.rate == 24000 and 1.5 < speech.seconds < 2.5  # the streaming WAV header was coped with
    [request] = server.requests
    assert request["path"] == "/v1/audio/speech" and request["auth"] == "Bearer test-key"
    assert (request["model"], request["voice"], request["speed"], request["instructions"]) == (
        "tts-1", "alloy", 1.1, "Warm and brisk.")
    assert request["input"] == "Hello from the fake server." and request["response_format"] == "wav"


def test_retries_429_and_500(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch)
    server.faults = ["429", "500", "500"]
    speech = tts.synthesize("Third time lucky.", VOICE, subject="headlines")
    assert len(server.requests) == 4 and speech.seconds > 1


def test_408_is_retried_like_the_llm_client_does(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch)
    server.faults = ["408"]
    tts.synthesize("Once more.", VOICE, subject="headlines")
    assert len(server.requests) == 2


def test_retry_after_past_the_deadline_gives_up_at_once(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch, timeout=3.0)
    server.faults = ["429-long"]
    started = time.monotonic()
    with pytest.raises(AudioError, match="HTTP 429") as caught:
        tts.synthesize("Later.", VOICE, subject="headlines")
    assert time.monotonic() - started < 1.0 and len(server.requests) == 1
    assert "1 attempts" in str(caught.value)


def test_timeout_is_retried_within_the_deadline(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch, timeout=3.0)
    server.faults, server.delay = ["timeout"], 2.5
    started = time.monotonic()
    tts.synthesize("Slow at first.", VOICE, subject="headlines")
    assert time.monotonic() - started < 3.0 and len(server.requests) == 2


def test_persistent_5xx_fails_by_the_deadline(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch, timeout=1.5)
    server.faults = ["500"] * 50
    started = time.monotonic()
    with pytest.raises(AudioError) as caught:
        tts.synthesize("Never.", VOICE, subject="research")
    assert time.monotonic() - started < 2.5
    assert caught.value.subject == "research" and "HTTP 500" in str(caught.value)
    assert len(server.requests) >= 2


def test_bad_request_fails_fast_with_the_servers_words(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch)
    server.faults = ["400"]
    with pytest.raises(AudioError) as caught:
        tts.synthesize("Hello.", VOICE, subject="cold_open")
    assert "Invalid voice 'nobody'" in str(caught.value) and len(server.requests) == 1


def test_missing_key_names_the_variable(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch)
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(AudioError) as caught:
        tts.synthesize("Hello.", VOICE, subject="cold_open")
    assert "OPENAI_API_KEY" in str(caught.value) and not server.requests


def test_empty_answer_fails(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tts = backend(tmp_path, server, monkeypatch)
    server.faults = ["empty"]
    with pytest.raises(AudioError, match="no audio"):
        tts.synthesize("Hello.", VOICE, subject="cold_open")


def test_render_with_openai_voice_and_silent_answer(tmp_path: Path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config, _ = backend(tmp_path, server, monkeypatch)
    segments = [Segment(id="cold_open", kind="cold_open", title="Open", script="Hello and welcome to the show."),
                Segment(id="headlines", kind="headlines", title="News", script="A model was released today."),
                Segment(id="sign_off", kind="sign_off", title="Bye", script="See you tomorrow, everyone.")]
    episode = Episode(date=date(2026, 3, 10), show="t", segments=segments)
    save_episode(config.episodes_dir, episode)
    store = open_store(config.state_dir)
    server.faults = ["", "silence"]  # the second request (headlines) answers with silence
    with pytest.raises(AudioError) as caught:
        render_audio(config, store, episode)
    assert caught.value.subject == "headlines" and "near-silent" in str(caught.value)
    assert not (config.episode_dir(episode.date) / "episode.mp3").exists()
    result = render_audio(config, store, episode)  # the service recovered: only the bad segment is asked again
    assert result.status == "done" and result.counts["cache_hits"] == 2 and len(server.requests) == 4
    assert load_episode(config.episodes_dir, episode.date).audio.duration > 5
