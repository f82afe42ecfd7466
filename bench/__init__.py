"""Benchmarks: each module has ``run() -> list[dict]``; ``python -m bench`` runs them all and prints one table.

A row is ``{"figure", "briefcast", "baseline", "ratio", "target"}`` plus, optionally, ``"ok"``: whether the figure
meets its target. Without ``ok`` the runner reads the target when it starts with a comparison (``"<= 90 s"``,
``">= 0.9"``, ``"ratio < 0.10"``, ``"-16 +-1"``, ``"0"``) and checks ``briefcast`` (or ``ratio``) against it; a
target in words is shown but not checked. ``python -m bench`` exits 1 when any checked figure misses.

Peak memory of a child process: ``run_measured`` runs it under a small fresh launcher and reads the launcher's
``RUSAGE_CHILDREN``. A child's own ``ru_maxrss`` starts from its parent's size (fork copies the parent, exec keeps
the high-water mark), so a child of the benchmark process would report at least the benchmark's own peak.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_COMPARE = re.compile(r"^\s*(ratio\s*)?(<=|>=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*(x|%|s|ms|mb|gb)?\b", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:\+-|±)\s*(\d+(?:\.\d+)?)\b")
_EXACT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*$")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def meets(row: dict[str, Any]) -> bool | None:
    """Whether a row meets its target: its own ``ok`` if it has one, else the target read as a comparison; None
    when the target is not a comparison (or the value is missing)."""
    if isinstance(row.get("ok"), bool):
        return row["ok"]
    target = str(row.get("target") or "")
    compare = _COMPARE.match(target)
    if compare:
        value = _number(row.get("ratio") if compare.group(1) else row.get("briefcast"))
        if value is None:
            return None
        bound = float(compare.group(3))
        if (compare.group(4) or "").lower() == "s" and re.search(r"\bms\b", str(row.get("figure", ""))):
            value /= 1000  # a figure in milliseconds against a target in seconds
        return {"<=": value <= bound, ">=": value >= bound, "<": value < bound, ">": value > bound,
                "=": value == bound}[compare.group(2)]
    span = _RANGE.match(target)
    if span:
        value = _number(row.get("briefcast"))
        centre, width = float(span.group(1)), float(span.group(2))
        return None if value is None else abs(value - centre) <= width
    exact = _EXACT.match(target)
    if exact:
        value = _number(row.get("briefcast"))
        return None if value is None else value == float(exact.group(1))
    return None


@dataclass
class Measured:
    """A finished child process: its exit code, output, and the peak resident memory of its whole tree."""

    returncode: int
    stdout: str
    stderr: str
    peak_mb: float


_LAUNCHER = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    json.dump({"returncode": done.returncode,
               "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, out)
"""


def run_measured(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                 timeout: float | None = None) -> Measured:
    """Run ``command`` to the end; ``peak_mb`` is the largest resident set of it and its waited-for descendants
    (a fresh launcher's RUSAGE_CHILDREN: the launcher is small, so nothing of this process is inherited)."""
    with tempfile.TemporaryDirectory(prefix="bench-measure-") as folder:
        report = Path(folder) / "rusage.json"
        done = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, str(report), *command], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        try:
            usage = json.loads(report.read_text())
        except (OSError, ValueError):
            usage = {"returncode": done.returncode, "maxrss_kb": 0}
    return Measured(int(usage["returncode"]), done.stdout, done.stderr, usage["maxrss_kb"] / 1024)


def peak_rss_mb(pid: int) -> float | None:
    """A live process's own peak resident memory (VmHWM in /proc/PID/status: its own address space's high-water
    mark, not inherited across exec); None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


__all__ = ["Measured", "meets", "peak_rss_mb", "run_measured"]
