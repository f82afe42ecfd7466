"""The sample day drafted end to end by the embedded model (the 0.5B, to keep the suite short), then read the way
bench/editorial.py reads an episode, with its own counters: the episode-level rules of the written show hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.editorial import analyze, source_texts
from pipeline.config import PROJECT_DIR
from pipeline.draft.editorial import Placed, near_duplicates
from pipeline.draft.grounding import split_sentences

DAY = "2026-03-10"


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_sample_day_by_the_embedded_model_keeps_the_written_show_rules(tmp_path: Path) -> None:
    config = yaml.safe_load((PROJECT_DIR / "config.yaml").read_text())
    config["llm"]["local"] = {"model": "qwen2.5-coder-0.5b", "n_ctx": 4096, "threads": 2}
    config["verify"] = {"enabled": False}  # the verifier has its own embedded-model test; this one is the writer's
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", "--sample", "--no-audio", "--date", DAY,
                           "--config", str(tmp_path / "config.yaml")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=1400, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    folder = tmp_path / "episodes" / DAY
    report = json.loads((folder / "run.json").read_text())
    metrics = analyze(folder, source_texts(tmp_path / ".briefcast" / "state.db"), report)
    print("\nembedded 0.5B, sample day:", {k: v for k, v in metrics.items() if k != "segments"})
    episode = json.loads((folder / "episode.json").read_text())
    live = {s["id"]: s for s in episode["segments"] if s["status"] == "drafted"}
    # Each story told once, by the writer's own rule (its episode pass): no two sentences of different segments
    # share 70% of their content words. The bench's counter, which splits "Lumen-70B" into two words, is printed.
    placed = [Placed(s["id"], i, x) for s in episode["segments"] if s["status"] == "drafted"
              for i, x in enumerate(split_sentences(s["text"]))]
    assert not [(a, b) for a, b in near_duplicates(placed) if a.segment != b.segment]
    assert metrics["fragments"] == 0
    assert metrics["first_person"] == 0
    assert metrics["superseded_as_current"] == 0
    assert metrics["thin_excess"] == 0
    # Each story in one segment; the cold open teases stories the show tells later; the sign-off says goodbye.
    placed = [story for s in live.values() if s["kind"] not in ("cold_open", "sign_off") for story in s["story_ids"]]
    assert len(placed) == len(set(placed))
    assert set(live["cold-open"]["story_ids"]) <= set(placed)
    assert "see you tomorrow" in live["sign-off"]["text"] and config["show"]["host"] in live["sign-off"]["script"]
    debate = live["open-vs-closed"]["text"]
    assert "**Today's question:**" in debate and "**The case against.**" in debate
    assert all("[" not in s["script"] for s in live.values())
