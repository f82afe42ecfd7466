"""The benchmark runner: targets are checked (a miss exits 1) and a child's peak memory is its own."""

from __future__ import annotations

import json
import resource
import sys
import types
from pathlib import Path

import pytest

from bench import meets, run_measured
from bench.__main__ import main


@pytest.mark.parametrize(("row", "expected"), [
    ({"briefcast": 80, "target": "<= 90 s for 30 min"}, True),
    ({"briefcast": 95.5, "target": "<= 90 s for 30 min"}, False),
    ({"briefcast": 1200, "target": "< 1024 MB at 10k"}, False),
    ({"briefcast": 0.93, "target": ">= 0.9 (baseline: single link)"}, True),
    ({"briefcast": 9.0, "ratio": 0.2, "target": "ratio < 0.10"}, False),
    ({"briefcast": 9.0, "ratio": 0.05, "target": "ratio < 0.10"}, True),
    ({"briefcast": -16.6, "target": "-16 +-1"}, True),
    ({"briefcast": -14.2, "target": "-16 +-1"}, False),
    ({"briefcast": 0, "target": "0"}, True),
    ({"briefcast": 3, "target": "0"}, False),
    ({"briefcast": 3, "target": "baseline = 0.5B"}, None),  # words: shown, not checked
    ({"briefcast": None, "target": "<= 5"}, None),
    ({"briefcast": 1, "ratio": 9.0, "target": ">= 8x faster", "ok": False}, False),  # a row's own verdict wins
])
def test_targets_are_read_as_comparisons(row: dict, expected: bool | None) -> None:
    assert meets(row) is expected


def test_a_missed_target_makes_the_run_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = types.ModuleType("bench.zz_good")
    good.run = lambda: [{"figure": "fast", "briefcast": 1.0, "baseline": 2.0, "ratio": 0.5, "target": "<= 2"}]
    bad = types.ModuleType("bench.zz_bad")
    bad.run = lambda: [{"figure": "slow", "briefcast": 5.0, "baseline": 2.0, "ratio": 2.5, "target": "<= 2"}]
    monkeypatch.setitem(sys.modules, "bench.zz_good", good)
    monkeypatch.setitem(sys.modules, "bench.zz_bad", bad)
    assert main(["zz_good"], results=tmp_path) == 0
    assert main(["zz_good", "zz_bad"], results=tmp_path) == 1
    rows = json.loads((tmp_path / "latest.json").read_text())
    assert [row["met"] for row in rows] == [True, False]


def test_a_childs_peak_memory_is_its_own_not_the_bench_process(tmp_path: Path) -> None:
    ballast = bytearray(400 << 20)  # this process: 400 MB resident
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 > 400
    child = "b = bytearray(60 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('done')"
    measured = run_measured([sys.executable, "-c", child])
    assert measured.returncode == 0 and measured.stdout.strip() == "done"
    assert 60 < measured.peak_mb < 200, measured.peak_mb
    del ballast


def test_a_figure_in_ms_is_checked_against_a_target_in_seconds() -> None:
    assert meets({"figure": "largest edit, ms", "briefcast": 420, "target": "< 0.5 s (review)"}) is True
    assert meets({"figure": "largest edit, ms", "briefcast": 620, "target": "< 0.5 s (review)"}) is False
