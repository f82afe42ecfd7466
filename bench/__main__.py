"""Run every benchmark in bench/ and print one table: figure, briefcast, baseline, ratio, target, met.

    python -m bench              # all
    python -m bench ingest audio # some

Exit status 1 when a benchmark fails or any checked figure misses its target (``bench.meets``), 0 otherwise.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bench import meets

ORDER = ["ingest", "curate", "draft", "grounding", "audio", "spoken", "episode", "editorial", "scale", "deliver",
         "review"]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def main(names: list[str], results: Path | None = None) -> int:
    here = Path(__file__).parent
    available = [name for name in ORDER if (here / f"{name}.py").exists()]
    chosen = names or available
    console = Console()
    rows: list[dict] = []
    failed = 0
    for name in chosen:
        console.print(f"[bold]bench.{name}[/] ...")
        started = time.monotonic()
        try:
            module = importlib.import_module(f"bench.{name}")
            for row in module.run():
                rows.append({"bench": name, **row})
        except Exception:  # a broken benchmark is reported and the others still run
            failed += 1
            console.print(traceback.format_exc(), style="red", markup=False)
            rows.append({"bench": name, "figure": "FAILED", "briefcast": None, "baseline": None, "ratio": None,
                         "target": ""})
        console.print(f"  {time.monotonic() - started:.1f}s")
    table = Table("bench", "figure", "briefcast", "baseline", "ratio", "target", "met", title="briefcast benchmarks")
    missed: list[dict] = []
    for row in rows:
        verdict = None if row["figure"] == "FAILED" else meets(row)
        row["met"] = verdict
        if verdict is False:
            missed.append(row)
        table.add_row(row["bench"], str(row["figure"]), _cell(row.get("briefcast")), _cell(row.get("baseline")),
                      _cell(row.get("ratio")), str(row.get("target") or ""),
                      {True: "yes", False: "[bold red]NO[/]", None: "-"}[verdict])
    console.print(table)
    for row in missed:
        console.print(f"[red]missed:[/] {escape(row['bench'])}: {escape(str(row['figure']))} = "
                      f"{escape(_cell(row.get('briefcast')))} (ratio {escape(_cell(row.get('ratio')))}), "
                      f"target {escape(str(row.get('target')))}")
    out = results or here / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(rows, indent=2, default=str))
    if failed or missed:
        console.print(f"[bold red]{failed} benchmark(s) failed, {len(missed)} figure(s) missed their target[/]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
