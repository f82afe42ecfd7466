"""Backend registries (pipeline/registry.py): config accepts what is registered, plugins load by entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

import pipeline.registry as registry
from conftest import write_show
from pipeline.config import load_config
from pipeline.draft.llm import get_backend
from pipeline.errors import ConfigError
from pipeline.registry import DELIVER, LLM, TTS


class EchoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: str = ">"


class Echo:
    name = "echo"

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        self.settings = settings


@pytest.fixture
def echo():  # type: ignore[no-untyped-def]
    TTS.register("test-echo", options=EchoOptions)(Echo)
    yield
    TTS.unregister("test-echo")


def test_built_in_names_are_what_their_modules_register() -> None:
    for reg in (LLM, TTS, DELIVER):
        assert reg.names() == reg.builtin_names(), reg.kind


def test_a_registered_tts_backend_is_accepted_by_config_and_used(echo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pipeline.audio.backends import make_backend

    config = load_config(write_show(tmp_path, tts={"host": {"backend": "test-echo", "options": {"prefix": "#"}}}))
    assert config.tts.host.backend == "test-echo"
    backend = make_backend(config.tts.host.backend, config.tts)
    assert isinstance(backend, Echo) and backend.settings is config.tts
    options = TTS.get("test-echo").parse_options(config.tts.host.options)
    assert isinstance(options, EchoOptions) and options.prefix == "#"


def test_a_backends_options_are_checked_against_its_model(echo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        load_config(write_show(tmp_path, tts={"host": {"backend": "test-echo", "options": {"prefx": "#"}}}))
    assert "prefx" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_config(write_show(tmp_path, tts={"host": {"backend": "piper", "options": {"speed_up": 2}}}))
    assert "takes no options" in str(caught.value) and "speed_up" in str(caught.value)


def test_an_unknown_backend_is_a_config_error_naming_the_registered_ones(echo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        load_config(write_show(tmp_path, tts={"host": {"backend": "kokoro"}}))
    message = str(caught.value)
    assert "tts.host.backend" in message and "'kokoro'" in message
    for name in ("espeak", "openai", "piper", "test-echo"):
        assert name in message
    with pytest.raises(ConfigError) as caught:
        load_config(write_show(tmp_path, llm={"backend": "ollama"}))
    assert "llm.backend" in str(caught.value) and "compatible, local, openai" in str(caught.value)


def test_a_registered_llm_backend_is_accepted_and_built(tmp_path: Path) -> None:
    class Mine:
        structured_mode = "json_schema"

    LLM.register("test-mine")(Mine)
    try:
        config = load_config(write_show(tmp_path, llm={"backend": "test-mine"}, verify={"backend": "test-mine"}))
        assert config.llm.backend == config.verify.backend == "test-mine"
        assert isinstance(get_backend(config.llm.backend), Mine)
    finally:
        LLM.unregister("test-mine")
    with pytest.raises(ConfigError):
        get_backend("test-mine")


def installed(folder: Path, monkeypatch, name: str, entry: str) -> None:  # type: ignore[no-untyped-def]
    """A real installed distribution (dist-info on sys.path) with one line in the briefcast.backends group."""
    info = folder / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[briefcast.backends]\n{entry}\n")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(registry, "_plugins_loaded", False)


def test_a_plugin_registers_through_the_entry_point_group(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A real installed distribution (dist-info on sys.path) naming its module in briefcast.backends.
    (tmp_path / "briefcast_plugin_demo.py").write_text(
        "from pipeline.registry import TTS\n\n"
        "@TTS.register('plugin-demo')\n"
        "class Demo:\n"
        "    name = 'plugin-demo'\n\n"
        "    def __init__(self, settings):\n"
        "        self.settings = settings\n"
    )
    installed(tmp_path, monkeypatch, "briefcast-plugin-demo", "demo = briefcast_plugin_demo")
    monkeypatch.setattr(TTS, "_loaded", False)
    try:
        assert "plugin-demo" in TTS.names()
        config = load_config(write_show(tmp_path / "show", tts={"host": {"backend": "plugin-demo"}}))
        assert config.tts.host.backend == "plugin-demo"
    finally:
        TTS.unregister("plugin-demo")


def test_a_plugin_that_fails_to_import_leaves_the_built_ins(tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    installed(tmp_path, monkeypatch, "broken-demo", "broken = no_such_module_here")
    registry.load_plugins()
    assert "broken" in caplog.text and "no_such_module_here" in caplog.text
    assert {"espeak", "openai", "piper"} <= set(TTS.names())
