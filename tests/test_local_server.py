"""The embedded model server never outlives the run that started it (issue 14): kill -9 of the owner, then no server.

A tiny stand-in server (a Python HTTP server, optionally watching its lifeline like ``llama_serve``) keeps these
fast; one slow test does it with the real 0.5B model server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_show

from pipeline.config import load_config
from pipeline.draft import local

PROJECT = Path(__file__).resolve().parents[1]

STAND_IN = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
if sys.argv[1] == "watch":
    from pipeline.draft.llama_serve import watch_lifeline_from_env
    watch_lifeline_from_env()
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", 0), Handler).serve_forever()
"""

# The owner: starts a supervised server (from the main thread, or from a worker thread as a drafting thread would),
# prints its pid and waits to be killed.
OWNER = """
import sys, threading, time
from pathlib import Path
from pipeline.draft import local
state, mode, where = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
command = [sys.executable, "-c", sys.argv[4], mode]
started = []
def start():
    started.append(local.start_supervised(command, state_dir=state, logfile=state / "server.log"))
if where == "thread":
    worker = threading.Thread(target=start); worker.start(); worker.join()
else:
    start()
print(started[0].pid, flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for its reaper."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running(pid):
            return True
        time.sleep(0.05)
    return False


def start_owner(state: Path, mode: str, where: str, script: str = OWNER, *extra: str) -> tuple[subprocess.Popen[str], int]:
    owner = subprocess.Popen([sys.executable, "-c", script, str(state), mode, where, STAND_IN, *extra],
                             cwd=PROJECT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert owner.stdout is not None
    line = owner.stdout.readline()
    assert line.strip().isdigit(), f"the owner did not start a server: {line!r}"
    return owner, int(line)


def kill9(owner: subprocess.Popen[str]) -> None:
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=10)


@pytest.fixture
def cleanup() -> list[int]:
    """Pids to kill at the end whatever happened (a failing test must not leave a server behind either)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if running(pid):
            os.killpg(pid, signal.SIGKILL)


def test_lifeline_stops_the_server_when_its_owner_is_killed(tmp_path: Path, cleanup: list[int]) -> None:
    """Started from a worker thread (no parent-death signal there): the lifeline pipe alone ends the server."""
    owner, server = start_owner(tmp_path, "watch", "thread")
    cleanup.append(server)
    assert running(server) and list((tmp_path / "run").glob("model-server-*.json"))
    kill9(owner)
    assert wait_gone(server), "the server outlived its owner"


def test_parent_death_signal_stops_a_server_that_ignores_its_lifeline(tmp_path: Path, cleanup: list[int]) -> None:
    owner, server = start_owner(tmp_path, "ignore", "main")
    cleanup.append(server)
    assert running(server)
    kill9(owner)
    assert wait_gone(server), "PR_SET_PDEATHSIG did not stop the server"


def test_next_run_stops_a_stale_server_and_leaves_a_live_runs_server(tmp_path: Path, cleanup: list[int]) -> None:
    """A server that neither watches its lifeline nor got the death signal (a wedged or older server) is stopped by
    the next start; while its owner lives it is never touched."""
    owner, server = start_owner(tmp_path, "ignore", "thread")
    cleanup.append(server)
    assert local.sweep_stale_servers(tmp_path) == [] and running(server)  # its run is still going
    kill9(owner)
    time.sleep(0.5)
    assert running(server), "precondition: this stand-in survives its owner"
    process = local.start_supervised([sys.executable, "-c", STAND_IN, "watch"], state_dir=tmp_path,
                                     logfile=tmp_path / "server.log")
    cleanup.append(process.pid)
    try:
        assert wait_gone(server), "the stale server was not stopped"
        records = [json.loads(p.read_text())["pid"] for p in (tmp_path / "run").glob("model-server-*.json")]
        assert records == [process.pid]
    finally:
        local._stop(process)
    assert not list((tmp_path / "run").glob("model-server-*.json")) and not running(process.pid)


def test_a_record_of_a_reused_pid_is_not_the_server(tmp_path: Path) -> None:
    """A pid file whose pid now belongs to another process (start time differs) is dropped, and nothing is killed."""
    (tmp_path / "run").mkdir()
    record = tmp_path / "run" / f"model-server-{os.getpid()}.json"
    record.write_text(json.dumps({"pid": os.getpid(), "pgid": os.getpid(), "ticks": 1, "owner": 999_999_999}))
    assert local.sweep_stale_servers(tmp_path) == [] and not record.exists()


REAL_OWNER = """
import sys, time
from pathlib import Path
from pipeline.config import load_config
from pipeline.draft import local
with local.serve_local(load_config(Path(sys.argv[1]) / "config.yaml")) as server:
    print(server.process.pid, flush=True)
    time.sleep(600)
"""


@pytest.mark.slow
def test_kill_9_of_a_run_with_the_real_model_server_leaves_no_server(tmp_path: Path, cleanup: list[int]) -> None:
    try:
        local.part_paths(local.LOCAL_MODELS["qwen2.5-coder-0.5b"])
        import llama_cpp  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"the embedded model is not installed: {exc} (run 'make install-dev')")
    show = write_show(tmp_path / "show", llm={"backend": "local", "local": {"model": "qwen2.5-coder-0.5b",
                                                                             "n_ctx": 1024, "threads": 2}})
    config = load_config(show)
    owner = subprocess.Popen([sys.executable, "-c", REAL_OWNER, str(show.parent)], cwd=PROJECT,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert owner.stdout is not None
    line = owner.stdout.readline()
    assert line.strip().isdigit(), f"the real server did not start: {line!r}"
    server = int(line)
    cleanup.append(server)
    assert running(server)
    kill9(owner)
    assert wait_gone(server, 20), "the model server outlived its owner"
    assert local.sweep_stale_servers(config.state_dir) == []


def test_a_zombie_server_is_not_stopped_again(tmp_path: Path) -> None:
    """A server that already exited but is not reaped yet (its owner died) counts as gone."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while running(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Path(f"/proc/{child.pid}").exists() and not running(child.pid)  # a zombie: exited, not waited for
    (tmp_path / "run").mkdir()
    record = tmp_path / "run" / f"model-server-{child.pid}.json"
    record.write_text(json.dumps({"pid": child.pid, "pgid": child.pid, "ticks": None, "owner": 999_999_999}))
    assert local.sweep_stale_servers(tmp_path) == [] and not record.exists()
    child.wait()
