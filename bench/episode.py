"""The sample run end to end, then the same date again.

First run: wall time per stage and peak memory (the largest process of the run's tree, which includes the local
LLM server and ffmpeg). Second run of the same date: target no LLM call, no synthesis, under 10% of the first time.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import run_measured

PROJECT = Path(__file__).resolve().parents[1]
DAY = "2026-03-10"


def _run(folder: Path) -> tuple[float, dict, float]:
    """One sample run: seconds, its run.json, and the peak memory of its largest process (its own, not this one's)."""
    started = time.monotonic()
    done = run_measured(
        [sys.executable, "-m", "pipeline", "run", "--sample", "--date", DAY, "--config", str(folder / "config.yaml")],
        cwd=folder,
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"run failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, json.loads((folder / "episodes" / DAY / "run.json").read_text()), done.peak_mb


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="briefcast-bench-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(PROJECT / "config.yaml", folder / "config.yaml")
        first, report1, peak_mb = _run(folder)
        second, report2, _ = _run(folder)
    rows = [{"figure": "sample run, first (s)", "briefcast": round(first, 1), "baseline": None, "ratio": None,
             "target": "< 600 s from a warm install"}]
    for stage in report1["stages"]:
        rows.append({"figure": f"  stage {stage['stage']} (s)", "briefcast": round(stage["seconds"], 1),
                     "baseline": None, "ratio": None, "target": ""})
    rows.append({"figure": "peak memory, largest process (MB)", "briefcast": round(peak_mb), "baseline": None,
                 "ratio": None, "target": ""})
    rows.append({"figure": "second run of the same date (s)", "briefcast": round(second, 1), "baseline": round(first, 1),
                 "ratio": round(second / first, 3), "target": "ratio < 0.10"})
    rows.append({"figure": "second run: LLM calls", "briefcast": report2.get("llm", {}).get("calls", 0),
                 "baseline": report1.get("llm", {}).get("calls", 0), "ratio": None, "target": "0"})
    rows.append({"figure": "second run: segments synthesized", "briefcast": report2.get("tts", {}).get("segments_synthesized", 0),
                 "baseline": report1.get("tts", {}).get("segments_synthesized", 0), "ratio": None, "target": "0"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
