"""config.yaml validation: one clear message naming the file, key path, problem and fix; exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import PROJECT_DIR, load_config
from pipeline.errors import ConfigError
from tests.conftest import write_show


def test_reference_show_is_valid() -> None:
    config = load_config(PROJECT_DIR / "config.yaml")
    assert config.show.title == "The AI Daily Brief"
    assert len(config.sources) >= 25
    kinds = {source.kind for source in config.sources}
    assert {"blog", "arxiv", "github", "aggregator", "press", "policy"} <= kinds
    assert [s.kind for s in config.segments][0] == "cold_open"
    assert config.ingest.allow_private_networks is False


def test_unknown_key_names_file_key_and_fix(tmp_path: Path) -> None:
    path = write_show(tmp_path, ingest={"concurency": 5})
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert "ingest.concurency" in message
    assert "check its spelling" in message


def test_bad_source_is_named_by_its_name(tmp_path: Path) -> None:
    data = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())
    data["sources"][2]["url"] = "ftp://example.com/feed"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "sources[2] (Google Research).url" in str(caught.value)
    assert "http or https only" in str(caught.value)


def test_yaml_syntax_error_points_at_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("show:\n  title: [unclosed\nsources: []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "line " in str(caught.value) and "not valid YAML" in str(caught.value)


def test_compatible_backend_needs_base_url(tmp_path: Path) -> None:
    path = write_show(tmp_path, llm={"backend": "compatible"})
    with pytest.raises(ConfigError, match="llm: .*needs base_url"):
        load_config(path)


def test_bad_timezone_and_duplicate_segment(tmp_path: Path) -> None:
    data = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())
    data["show"]["timezone"] = "Mars/Olympus"
    data["segments"].append(dict(data["segments"][1]))
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "show.timezone" in str(caught.value) and "Mars/Olympus" in str(caught.value)


def test_cli_exits_2_with_the_message(tmp_path: Path) -> None:
    path = write_show(tmp_path, audio={"bitrate": 128, "loudnes": -16})
    result = CliRunner().invoke(app, ["status", "--config", str(path)])
    assert result.exit_code == 2
    assert "audio.loudnes" in result.output
    assert "Traceback" not in result.output
