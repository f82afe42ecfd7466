"""Many shows: 10 sample-derived shows for one date through Dagster's multiprocess executor, against a sequential
loop of `briefcast run` (what cron on one machine does), both drafting through one loopback OpenAI-compatible
server that answers every request after a fixed latency, like a remote API. No local model and no audio (the
shows set ``audio.enabled: false``; the loop passes ``--no-audio``): this measures orchestration, not the model
or the voice.

    python -m bench scale                     # BENCH_SCALE_SHOWS=10 BENCH_SCALE_LATENCY=1.0 BENCH_SCALE_CONCURRENT=10

Figures: wall time of each, their ratio (target >= 3x on 2 cores: the work is waiting on the API), and the
orchestration overhead per partition (show x day): the time from the run's start to the show's last step minus
the seconds its stages report in run.json, for both paths. Both make the same episodes: the check compares them.
Where a Dagster step's own overhead goes, from the run's event log (means over the steps): ``queued`` (its
dependency done -> its process asked for), ``launch`` (-> the forked process has opened the instance; the first
steps also wait for the forkserver's preload), ``setup`` (-> the plan built, resources up, step started) and
``after`` (step wall time minus the stage's own seconds: events, materialization, checks).

What is timed: the loop from its first ``briefcast run`` to its last; Dagster from ``execute_job`` to its return
(the instance is made before; a deployment's run worker, a process started per run, is not counted either: about
1-2 s once per run, not per partition).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.config import load_config
from pipeline.samples import maybe_sample_server, sample_config
from tests.conftest import write_show
from tests.fake_openai import FakeOpenAI, Reply

DAY = date(2026, 3, 10)
SHOWS = int(os.environ.get("BENCH_SCALE_SHOWS", "10"))
LATENCY = float(os.environ.get("BENCH_SCALE_LATENCY", "1.0"))
CONCURRENT = int(os.environ.get("BENCH_SCALE_CONCURRENT", "10"))


class SlowAPI(FakeOpenAI):
    """The loopback OpenAI-compatible server answering every request after ``latency`` seconds."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    def _next(self, body: dict[str, Any]) -> Reply:
        reply = super()._next(body)
        reply.delay = self.latency
        return reply


def _serve(conn: Any, latency: float, folder: str) -> None:
    """The sample feeds and the slow API in a process of their own, like the remote servers they stand for (in the
    bench's process they would share its GIL with Dagster's executor loop)."""
    base = sample_config(load_config(write_show(Path(folder) / "base")))
    with maybe_sample_server(base, True, DAY) as live, SlowAPI(latency) as api:
        conn.send(([source.model_dump() for source in live.sources if "slow" not in source.url], api.base_url))
        while conn.recv() == "count":
            conn.send(len(api.chat_requests))


class Servers:
    """``with Servers(latency, folder) as servers``: ``servers.sources``, ``servers.base_url``, ``servers.calls()``."""

    def __init__(self, latency: float, folder: Path) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, latency, str(folder)), daemon=True)

    def __enter__(self) -> Servers:
        self._process.start()
        self.sources, self.base_url = self._conn.recv()
        return self

    def calls(self) -> int:
        self._conn.send("count")
        return int(self._conn.recv())

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(timeout=30)


def _shows(root: Path, sources: list[dict[str, Any]], api: Any) -> list[Path]:
    paths = []
    for n in range(SHOWS):  # the reference show's running order, each with its own folder, state and episodes
        paths.append(write_show(
            root / f"show-{n:02d}", sources=sources, ingest={"allow_private_networks": True, "deadline": 4},
            llm={"backend": "compatible", "base_url": api.base_url, "model": f"remote-model-{n:02d}"},
            audio={"enabled": False},
        ))
    return paths


def _stage_seconds(config_path: Path) -> tuple[float, str, int]:
    config = load_config(config_path)
    report = json.loads((config.episode_dir(DAY) / "run.json").read_text())
    episode = json.loads((config.episode_dir(DAY) / "episode.json").read_text())
    drafted = sum(1 for s in episode["segments"] if s["status"] == "drafted")
    return sum(s["seconds"] for s in report["stages"]), report["status"], drafted


def _sequential(paths: list[Path]) -> tuple[float, list[float]]:
    started = time.monotonic()
    overheads = []
    for path in paths:
        began = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pipeline", "run", "--date", DAY.isoformat(), "--no-audio",
                               "--config", str(path)], cwd=path.parent, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"briefcast run failed for {path.parent.name}: {done.stderr[-2000:]}")
        work, _, _ = _stage_seconds(path)
        overheads.append(time.monotonic() - began - work)
    return time.monotonic() - started, overheads


def _dagster(root: Path, paths: list[Path]) -> tuple[float, list[float], int, dict[str, float]]:
    import dagster as dg

    from pipeline.orchestrate.dagster_defs import _zone_slug

    home = root / "dagster-home"
    home.mkdir()
    job_name = f"all_shows_{_zone_slug(load_config(paths[0]).show.timezone)}"
    job = dg.build_reconstructable_job("pipeline.orchestrate.dagster_defs", "job_for",
                                       reconstructable_args=(str(root / "shows"), job_name),
                                       reconstructable_kwargs={"max_concurrent": CONCURRENT})
    with dg.DagsterInstance.local_temp(str(home), overrides={"telemetry": {"enabled": False}}) as instance:
        started = time.monotonic()
        result = dg.execute_job(job, instance=instance, tags={"dagster/partition": DAY.isoformat()})
        wall = time.monotonic() - started
        if not result.success:
            raise RuntimeError(f"the Dagster run failed: {[e.message for e in result.all_events if e.is_failure]}")
        logs = instance.all_logs(result.run_id)
        run_start = min(e.timestamp for e in logs
                        if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.RUN_START)
        steps: dict[str, dict[str, float]] = {}  # step key -> event type -> its first timestamp
        for entry in logs:
            event = entry.dagster_event
            if event and entry.step_key:
                steps.setdefault(entry.step_key, {}).setdefault(event.event_type.value, entry.timestamp)
    overheads, work_total = [], 0.0
    phases: dict[str, list[float]] = {"queued": [], "launch": [], "setup": [], "after": []}
    inside: list[float] = []  # each step's own wall time, STEP_START to STEP_SUCCESS
    for path in paths:
        show = path.parent.name.replace("-", "_")
        work, _, _ = _stage_seconds(path)
        work_total += work
        own = _stage_lines(path)
        ready = run_start
        for stage in ("ingest", "curate", "draft", "render"):
            times = steps[f"{show}__{stage}"]
            start, done = times["STEP_START"], times["STEP_SUCCESS"]
            inside.append(done - start)
            phases["queued"].append(times["STEP_WORKER_STARTING"] - ready)
            phases["launch"].append(times["STEP_WORKER_STARTED"] - times["STEP_WORKER_STARTING"])
            phases["setup"].append(start - times["STEP_WORKER_STARTED"])
            phases["after"].append(done - start - own.get(stage, 0.0))
            ready = done
        overheads.append(ready - run_start - work)
    shares = {"steps_mean_s": sum(inside) / len(inside), "stages_mean_s": work_total / len(inside),
              **{name: sum(values) / len(values) for name, values in phases.items()}}
    return wall, overheads, len(inside), shares


def _stage_lines(config_path: Path) -> dict[str, float]:
    """Seconds per Dagster step from run.json: render's are its parts' (newsletter, audio ...) and notify's."""
    report = json.loads((load_config(config_path).episode_dir(DAY) / "run.json").read_text())
    seconds: dict[str, float] = {}
    for line in report["stages"]:
        step = line["stage"] if line["stage"] in ("ingest", "curate", "draft") else "render"
        seconds[step] = seconds.get(step, 0.0) + line["seconds"]
    return seconds


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="briefcast-bench-scale-") as tmp:
        root = Path(tmp)
        with Servers(LATENCY, root) as servers:
            cron = _shows(root / "cron", servers.sources, servers)
            seq_wall, seq_over = _sequential(cron)
            print(f"  sequential: {seq_wall:.1f} s", file=sys.stderr, flush=True)
            seq_calls = servers.calls()
            orchestrated = _shows(root / "shows", servers.sources, servers)
            dag_wall, dag_over, steps, shares = _dagster(root, orchestrated)
            dag_calls = servers.calls() - seq_calls
            same = [(_stage_seconds(a)[1:], _stage_seconds(b)[1:]) for a, b in zip(cron, orchestrated, strict=True)]
        shutil.rmtree(root, ignore_errors=True)
    if any(a != b for a, b in same) or seq_calls != dag_calls:
        raise RuntimeError(f"the two paths made different episodes: {same}, calls {seq_calls} vs {dag_calls}")
    per_show = seq_calls / SHOWS
    return [
        {"figure": f"{SHOWS} shows, sequential briefcast run (s)", "briefcast": round(seq_wall, 1), "baseline": None,
         "ratio": None, "target": f"{per_show:.0f} model calls a show at {LATENCY:.1f} s"},
        {"figure": f"{SHOWS} shows, Dagster multiprocess, {CONCURRENT} at once (s)", "briefcast": round(dag_wall, 1),
         "baseline": round(seq_wall, 1), "ratio": round(seq_wall / dag_wall, 2), "target": "ratio >= 3 on 2 cores"},
        {"figure": "orchestration overhead per partition, Dagster (s)",
         "briefcast": round(sum(dag_over) / len(dag_over), 1), "baseline": round(sum(seq_over) / len(seq_over), 1),
         "ratio": None, "target": "baseline: the same per briefcast run"},
        {"figure": f"mean Dagster step wall time ({steps} steps) vs its stage's own seconds",
         "briefcast": round(shares["steps_mean_s"], 2), "baseline": round(shares["stages_mean_s"], 2),
         "ratio": round(shares["steps_mean_s"] / shares["stages_mean_s"], 2), "target": ""},
        {"figure": "Dagster overhead per step: queued + launch + setup + after its stage (s)",
         "briefcast": round(sum(shares[name] for name in ("queued", "launch", "setup", "after")), 2),
         "baseline": None, "ratio": None,
         "target": " / ".join(f"{name} {shares[name]:.2f}" for name in ("queued", "launch", "setup", "after"))},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
