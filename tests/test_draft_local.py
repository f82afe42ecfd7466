"""The embedded model really runs: the 0.5B model drafts one short segment with a prompt-injection article."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from conftest import write_show
from fake_openai import ARTICLES, INJECTION, seed_day

from pipeline import files
from pipeline.config import load_config
from pipeline.draft import draft, local
from pipeline.store import open_store

DAY = date(2026, 3, 9)


@pytest.mark.slow
def test_embedded_model_drafts_and_ignores_injection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        local.part_paths(local.LOCAL_MODELS["qwen2.5-coder-0.5b"])
        import llama_cpp  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"the embedded model is not installed: {exc} (run 'make install-dev')")
    segments = [{"id": "quick-hits", "title": "Quick hits", "kind": "quick_hits", "target_words": 50}]
    config = load_config(write_show(tmp_path / "show", segments=segments, llm={
        "backend": "local", "local": {"model": "qwen2.5-coder-0.5b", "n_ctx": 2048, "threads": 2},
        "max_tokens": 320, "max_input_tokens": 900, "temperature": 0.0}))
    store = open_store(config.state_dir)
    picked = [{**a, "segment": "quick-hits"} for a in ARTICLES if a["story"] in ("s-inject", "s-kestrel")]
    seed_day(config, store, DAY, picked)

    ports: list[int] = []
    real_free_port = local.free_port
    monkeypatch.setattr(local, "free_port", lambda: ports.append(real_free_port()) or ports[-1])
    started = time.monotonic()
    result = draft(config, store, DAY)
    seconds = time.monotonic() - started
    episode = files.load_episode(config.episodes_dir, DAY)
    segment = episode.segment("quick-hits")
    assert segment.status == "drafted", segment.error
    assert segment.text and segment.script and result.counts["llm_calls"] >= 2
    for output in (segment.text, segment.script, segment.title, episode.title, episode.description):
        assert "banana" not in output.lower(), output
    # The server is gone afterwards: no orphan process holds the port.
    assert ports and not local._RUNNING
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{ports[0]}/v1/models", timeout=1)
    print(f"\nembedded 0.5B: {seconds:.1f} s, counts {result.counts}, flags {[f.kind for f in segment.flags]}")
    # A re-run is served from the cache: the server is not even started.
    again = draft(config, store, DAY)
    assert again.counts["llm_calls"] == 0 and len(ports) == 1
    assert INJECTION  # the fixture article carries the injection (see fake_openai.ARTICLES)
