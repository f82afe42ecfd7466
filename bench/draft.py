"""Draft benchmark on the sample day with the embedded models: speed, time per segment, grounding flag rate.

    .venv/bin/python -m bench.draft            # 0.5B on the whole day, 1.5B on three segments (CPU: minutes)
    BENCH_DRAFT_FULL=1 .venv/bin/python -m bench.draft    # 1.5B on the whole day too

Baselines measured in the same run: the 0.5B model for speed, an extractive draft (each sentence copied from
its source, what the fake server does) for the flag rate, and a cached re-run for the cost of running again.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date as Date
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import PROJECT_DIR, Config, load_config
from pipeline.draft import draft, grounding
from pipeline.draft.writer import plan_segments
from pipeline.files import load_episode, load_rundown
from pipeline.store import Store, open_store

DAY = Date(2026, 3, 10)
SUBSET = ["cold-open", "deep-dive", "open-vs-closed"]


def _show(folder: Path, model: str, segments: list[str] | None) -> Config:
    data = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())
    if segments:
        data["segments"] = [s for s in data["segments"] if s["id"] in segments]
    data["llm"] = {**data["llm"], "local": {"model": model, "n_ctx": 4096, "threads": 2}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    from pipeline.samples import sample_config

    return sample_config(load_config(folder / "config.yaml"))


def _prepare(config: Config) -> Store:
    from pipeline.curate import curate
    from pipeline.ingest import ingest
    from pipeline.samples import maybe_sample_server

    store = open_store(config.state_dir)
    with maybe_sample_server(config, True, DAY) as served:
        ingest(served, store)
    curate(config, store, DAY)
    return store


def _sentences(config: Config) -> tuple[int, int, dict[str, int]]:
    episode = load_episode(config.episodes_dir, DAY)
    sentences = sum(len(grounding.split_sentences(s.text)) + len(grounding.split_sentences(s.script))
                    for s in episode.live_segments)
    kinds: dict[str, int] = {}
    for flag in episode.open_flags:
        if flag.kind != "length":
            kinds[flag.kind] = kinds.get(flag.kind, 0) + 1
    return sentences, sum(kinds.values()), kinds


def _extractive_flag_rate(config: Config, store: Store) -> float:
    rundown = load_rundown(config.episodes_dir, DAY)
    assert rundown is not None
    flags = sentences = 0
    for plan in plan_segments(config, store, rundown):
        text = " ".join(f"{(grounding.split_sentences(src.text) or [''])[0]} [{src.n}]" for src in plan.prompt_sources)
        found = grounding.check_text(text, plan.texts)
        flags += len(found)
        sentences += len(grounding.split_sentences(text))
    return flags / sentences if sentences else 0.0


def _measure(model: str, segments: list[str] | None, root: Path) -> dict[str, Any]:
    config = _show(root / model, model, segments)
    store = _prepare(config)
    started = time.monotonic()
    result = draft(config, store, DAY)
    fresh = time.monotonic() - started
    rows = store.query("SELECT purpose, tokens_in, tokens_out, latency_s FROM llm_calls WHERE ok = 1")
    started = time.monotonic()
    again = draft(config, store, DAY)
    cached = time.monotonic() - started
    sentences, flags, kinds = _sentences(config)
    tokens_out = sum(r["tokens_out"] for r in rows)
    latency = sum(r["latency_s"] for r in rows)
    drafted = max(1, int(result.counts["segments_drafted"]))
    return {
        "model": model, "seconds": fresh, "cached_seconds": cached, "cached_calls": again.counts["llm_calls"],
        "segments": drafted, "failed": result.counts["segments_failed"], "calls": result.counts["llm_calls"],
        "tokens_in": result.counts["tokens_in"], "tokens_out": tokens_out,
        "tok_s_end_to_end": tokens_out / latency if latency else 0.0,
        "seconds_per_segment": fresh / drafted, "sentences": sentences, "flags": flags, "kinds": kinds,
        "flag_rate": flags / sentences if sentences else 0.0, "extractive_flag_rate": _extractive_flag_rate(config, store),
        "words": result.counts["words"], "target_words": result.counts["target_words"], "notes": result.notes,
    }


def run() -> list[dict]:
    root = Path(tempfile.mkdtemp(prefix="bench-draft-"))
    full = os.environ.get("BENCH_DRAFT_FULL") == "1"
    small = _measure("qwen2.5-coder-0.5b", None, root)
    big = _measure("qwen2.5-coder-1.5b", None if full else SUBSET, root)
    for m in (small, big):
        print(m, file=sys.stderr)
    return [
        {"figure": "1.5B output tokens/s (incl. prompt time)", "briefcast": round(big["tok_s_end_to_end"], 1),
         "baseline": round(small["tok_s_end_to_end"], 1), "ratio": round(big["tok_s_end_to_end"] / small["tok_s_end_to_end"], 2),
         "target": "baseline = 0.5B"},
        {"figure": "1.5B seconds per segment (text + script)", "briefcast": round(big["seconds_per_segment"], 1),
         "baseline": round(small["seconds_per_segment"], 1),
         "ratio": round(big["seconds_per_segment"] / small["seconds_per_segment"], 2), "target": "baseline = 0.5B"},
        {"figure": "0.5B whole sample day, seconds", "briefcast": round(small["seconds"], 1),
         "baseline": round(small["cached_seconds"], 2), "ratio": None, "target": "baseline = cached re-run (0 calls)"},
        {"figure": "flag rate 0.5B (flags/sentence, text+script)", "briefcast": round(small["flag_rate"], 3),
         "baseline": round(small["extractive_flag_rate"], 3), "ratio": None, "target": "baseline = extractive copy"},
        {"figure": "flag rate 1.5B (flags/sentence, text+script)", "briefcast": round(big["flag_rate"], 3),
         "baseline": round(big["extractive_flag_rate"], 3), "ratio": None, "target": "baseline = extractive copy"},
        {"figure": "1.5B spoken words vs target", "briefcast": big["words"], "baseline": big["target_words"],
         "ratio": round(big["words"] / big["target_words"], 2) if big["target_words"] else None, "target": "0.5-1.7"},
    ]


if __name__ == "__main__":
    table = run()
    for row in table:
        print(f"{row['figure']:<48} {row['briefcast']!s:>10} {row['baseline']!s:>10} {row['ratio']!s:>6}  {row['target']}")
