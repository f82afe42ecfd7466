"""Shared fixtures. Every test runs in its own temporary folder: state, episodes and caches never leak."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import PROJECT_DIR, Config, load_config

pytest_plugins: list[str] = []


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFCAST_EDITOR", "test-editor")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def write_show(folder: Path, **sections: Any) -> Path:
    """A show folder made from the project's config.yaml, with sections replaced; returns its config path."""
    data = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def show(tmp_path: Path) -> Config:
    """The reference show in a temp folder, allowed to fetch from 127.0.0.1."""
    return load_config(write_show(tmp_path / "show", ingest={"allow_private_networks": True}))


@pytest.fixture
def project_file():
    def find(*parts: str) -> Path:
        return PROJECT_DIR.joinpath(*parts)

    return find


__all__ = ["write_show", "shutil"]
