"""Shared fixtures. Every test runs in its own temporary folder: state, episodes and caches never leak."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import PROJECT_DIR, Config, load_config

@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFCAST_EDITOR", "test-editor")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def write_show(folder: Path, **sections: Any) -> Path:
    """A show folder made from the project's config.yaml, with sections replaced; returns its config path."""
    data = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())
    # The semantic verifier adds model calls to every draft: tests that count calls or script answers opt in
    # with verify={"enabled": True} (tests/test_verify.py).
    data["verify"] = {**(data.get("verify") or {}), "enabled": False}
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (its own browser download is not possible here)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is missing: 'make test' installs it (make browser)")
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


