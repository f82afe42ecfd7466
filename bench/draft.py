"""Draft benchmark: the sample day drafted cold by the embedded model, against that model's raw speed measured in
the same run.

    .venv/bin/python -m bench.draft                        # the 1.5B model (CPU: minutes)
    BENCH_DRAFT_MODEL=qwen2.5-coder-0.5b .venv/bin/python -m bench.draft

1. Raw speed: a fresh process loads the same GGUF with plain llama-cpp-python (the configured threads, no server,
   no grammar, no logits_all) and times prompt evaluation over a ~600-token prompt and 160 greedy tokens
   (llama.cpp's own perf counters). The raw cost of a volume is then ``prompt / p + generated / g`` seconds.
2. The day: the sample day ingested and curated, then ``draft()`` with the local backend from an empty cache, as
   ``briefcast run --sample`` does. Per call, from ``llm_calls``: purpose, prompt tokens, cached prompt tokens
   (reused from the server's KV cache), generated tokens, seconds, and whether it was a retry. The server's peak
   memory is its own VmHWM (/proc), sampled while it runs.
3. Figures: the draft's seconds against the raw cost of the reference volume (the sample day before issue 16:
   19.0k prompt and 4.1k generated tokens), target at most half; against the raw cost of its own tokens (what
   plumbing, grammar and retries add; cached tokens make it < 1); the cached share; retries; server peak memory
   under 2 GB; a cached re-run (0 calls); the flag rate against an extractive copy of the same plans.
The per-call table goes to stderr and bench/results/draft-calls.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date as Date
from pathlib import Path
from typing import Any

import yaml

from bench import peak_rss_mb
from pipeline.config import PROJECT_DIR, Config, load_config
from pipeline.draft import draft, grounding, local
from pipeline.draft.writer import plan_segments
from pipeline.files import load_episode, load_rundown
from pipeline.store import Store, open_store

DAY = Date(2026, 3, 10)
REFERENCE_IN, REFERENCE_OUT = 19_000, 4_100  # the sample day's draft before issue 16 (29 calls, 565-590 s)
RAW_PROMPT_TOKENS, RAW_GENERATED = 600, 160


def _show(folder: Path, model: str) -> Config:
    data = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())
    local_settings = {**data["llm"].get("local", {}), "model": model}
    if os.environ.get("BENCH_GRAMMAR_FIRST") in ("0", "1"):  # compare the two samplers on the same day
        local_settings["grammar_first"] = os.environ["BENCH_GRAMMAR_FIRST"] == "1"
    data["llm"] = {**data["llm"], "local": local_settings}
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


# -- raw speed, in a fresh process ----------------------------------------------------------------------------------


def raw_speed(model: str, threads: int, prompt_file: str) -> dict[str, float]:
    """Prompt and generation tokens/s of plain llama-cpp-python on this GGUF (runs in the child process)."""
    import llama_cpp
    from llama_cpp import llama_cpp as C

    llm = llama_cpp.Llama(model_path=model, n_ctx=2048, n_threads=threads, n_threads_batch=threads,
                          logits_all=False, verbose=False)
    tokens = llm.tokenize(Path(prompt_file).read_text().encode())[:RAW_PROMPT_TOKENS]
    C.llama_perf_context_reset(llm._ctx.ctx)
    for count, _token in enumerate(llm.generate(tokens, temp=0.0), start=1):
        if count >= RAW_GENERATED:
            break
    perf = C.llama_perf_context(llm._ctx.ctx)
    return {"prompt_tokens": perf.n_p_eval, "prompt_tok_s": perf.n_p_eval / (perf.t_p_eval_ms / 1000),
            "generated": perf.n_eval, "gen_tok_s": perf.n_eval / (perf.t_eval_ms / 1000)}


def _raw(config: Config, store: Store) -> dict[str, float]:
    model = local.assemble_model(config)
    items = [store.item(row["id"]) for row in store.query("SELECT id FROM items ORDER BY id LIMIT 60")]
    text = "\n\n".join(f"{item.title}\n{item.text}" for item in items if item is not None)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(text * 3)  # several thousand tokens: the first RAW_PROMPT_TOKENS are used
    try:
        done = subprocess.run([sys.executable, "-m", "bench.draft", "--raw", str(model),
                               str(config.llm.local.threads), handle.name],
                              cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise RuntimeError(f"raw speed measurement failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the day --------------------------------------------------------------------------------------------------------


class _ServerPeak:
    """The embedded server's own peak memory, sampled from /proc while it runs (it is stopped before draft()
    returns, so its high-water mark has to be read while it is alive)."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            for process in list(local._RUNNING):
                self.peak_mb = max(self.peak_mb, peak_rss_mb(process.pid) or 0.0)

    def __enter__(self) -> _ServerPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _extractive_flag_rate(config: Config, store: Store) -> float:
    rundown = load_rundown(config.episodes_dir, DAY)
    assert rundown is not None
    flags = sentences = 0
    for plan in plan_segments(config, store, rundown):
        text = " ".join(f"{(grounding.split_sentences(src.text) or [''])[0]} [{src.n}]" for src in plan.prompt_sources)
        flags += len(grounding.check_text(text, plan.texts))
        sentences += len(grounding.split_sentences(text))
    return flags / sentences if sentences else 0.0


def _flag_rate(config: Config) -> float:
    episode = load_episode(config.episodes_dir, DAY)
    sentences = sum(len(grounding.split_sentences(s.text)) + len(grounding.split_sentences(s.script))
                    for s in episode.live_segments)
    flags = sum(1 for flag in episode.open_flags if flag.kind != "length")
    return flags / sentences if sentences else 0.0


def measure(model: str, root: Path) -> dict[str, Any]:
    config = _show(root / model, model)
    store = _prepare(config)
    raw = _raw(config, store)
    with _ServerPeak() as server:
        started = time.monotonic()
        result = draft(config, store, DAY)
        seconds = time.monotonic() - started
    calls = [dict(row) for row in store.query(
        "SELECT purpose, tokens_in, tokens_cached, tokens_out, latency_s, ok FROM llm_calls ORDER BY id")]
    started = time.monotonic()
    again = draft(config, store, DAY)
    cached_seconds = time.monotonic() - started
    tokens_in = sum(c["tokens_in"] for c in calls)
    tokens_out = sum(c["tokens_out"] for c in calls)
    tokens_cached = sum(c["tokens_cached"] for c in calls)

    def cost(prompt: float, generated: float) -> float:
        return prompt / raw["prompt_tok_s"] + generated / raw["gen_tok_s"]

    return {
        "model": model, "seconds": seconds, "raw": raw, "calls": calls, "retries": sum(1 for c in calls if not c["ok"]),
        "tokens_in": tokens_in, "tokens_out": tokens_out, "tokens_cached": tokens_cached,
        "reference_cost": cost(REFERENCE_IN, REFERENCE_OUT), "own_cost": cost(tokens_in, tokens_out),
        "server_peak_mb": server.peak_mb, "cached_seconds": cached_seconds, "cached_calls": again.counts["llm_calls"],
        "segments": result.counts["segments_drafted"], "failed": result.counts["segments_failed"],
        "words": result.counts["words"], "target_words": result.counts["target_words"],
        "flag_rate": _flag_rate(config), "extractive_flag_rate": _extractive_flag_rate(config, store),
    }


def _print_calls(m: dict[str, Any]) -> None:
    print(f"{'purpose':<44} {'prompt':>6} {'cached':>6} {'gen':>5} {'s':>6}  retry", file=sys.stderr)
    for c in m["calls"]:
        print(f"{c['purpose'][:44]:<44} {c['tokens_in']:>6} {c['tokens_cached']:>6} {c['tokens_out']:>5} "
              f"{c['latency_s']:>6.1f}  {'' if c['ok'] else 'retry'}", file=sys.stderr)
    print(f"{'total':<44} {m['tokens_in']:>6} {m['tokens_cached']:>6} {m['tokens_out']:>5} "
          f"{sum(c['latency_s'] for c in m['calls']):>6.1f}  {m['retries']}", file=sys.stderr)


def run() -> list[dict]:
    model = os.environ.get("BENCH_DRAFT_MODEL", "qwen2.5-coder-1.5b")
    with tempfile.TemporaryDirectory(prefix="bench-draft-") as folder:
        m = measure(model, Path(folder))
    _print_calls(m)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "draft-calls.json").write_text(json.dumps(m, indent=2, default=str))
    raw = m["raw"]
    ratio = m["seconds"] / m["reference_cost"]
    own = m["seconds"] / m["own_cost"]
    cached_share = m["tokens_cached"] / m["tokens_in"] if m["tokens_in"] else 0.0
    return [
        {"figure": f"sample day draft, {model}, cold (s) vs raw cost of 19.0k in + 4.1k out",
         "briefcast": round(m["seconds"], 1), "baseline": round(m["reference_cost"], 1), "ratio": round(ratio, 2),
         "target": "ratio <= 0.5", "ok": ratio <= 0.5},
        {"figure": f"the same draft vs raw cost of its own {m['tokens_in']:,} in + {m['tokens_out']:,} out (s)",
         "briefcast": round(m["seconds"], 1), "baseline": round(m["own_cost"], 1), "ratio": round(own, 2),
         "target": "ratio <= 1 (cached prefixes, no grammar or retry overhead)", "ok": own <= 1.0},
        {"figure": f"model calls ({len(m['calls'])}), retries", "briefcast": m["retries"], "baseline": None,
         "ratio": None, "target": "0"},
        {"figure": "prompt tokens reused from the server's cache (share)", "briefcast": m["tokens_cached"],
         "baseline": m["tokens_in"], "ratio": round(cached_share, 2), "target": "reported"},
        {"figure": "generated tokens", "briefcast": m["tokens_out"], "baseline": REFERENCE_OUT,
         "ratio": round(m["tokens_out"] / REFERENCE_OUT, 2), "target": "reported (baseline: before issue 16)"},
        {"figure": "raw speed, prompt / generation tokens/s (same GGUF, plain llama-cpp-python)",
         "briefcast": f"{raw['prompt_tok_s']:.1f} / {raw['gen_tok_s']:.1f}", "baseline": None, "ratio": None,
         "target": "measured"},
        {"figure": "model server peak memory (MB, its own VmHWM)", "briefcast": round(m["server_peak_mb"]),
         "baseline": None, "ratio": None, "target": "< 2048 MB", "ok": 0 < m["server_peak_mb"] < 2048},
        {"figure": "segments drafted / failed", "briefcast": f"{m['segments']} / {m['failed']}", "baseline": None,
         "ratio": None, "target": "none failed", "ok": m["failed"] == 0},
        {"figure": "cached re-run: model calls", "briefcast": m["cached_calls"], "baseline": len(m["calls"]),
         "ratio": None, "target": "0"},
        {"figure": "grounding flags per sentence (text + script)", "briefcast": round(m["flag_rate"], 3),
         "baseline": round(m["extractive_flag_rate"], 3), "ratio": None, "target": "baseline = extractive copy"},
        {"figure": "spoken words vs target", "briefcast": m["words"], "baseline": m["target_words"],
         "ratio": round(m["words"] / m["target_words"], 2) if m["target_words"] else None, "target": "reported"},
    ]


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--raw":
        print(json.dumps(raw_speed(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
        sys.exit(0)
    for row in run():
        print(f"{row['figure']:<80} {row['briefcast']!s:>12} {row['baseline']!s:>10} {row['ratio']!s:>6}  {row['target']}")
