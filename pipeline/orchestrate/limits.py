"""A machine-wide rate limit for model requests, shared by every process that names the same file.

Many shows drafting at once through a paid API must stay under its requests-per-minute quota; the shows run in
different processes (Dagster's multiprocess executor, several runs), so the limit lives in a small file under a
lock: each request takes the next free slot, ``60 / per_minute`` seconds after the previous one, and waits for
it. A crashed process loses nothing but the slot it took.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import ConfigError


class RateLimit:
    """At most ``per_minute`` requests a minute across processes: ``with limit(): send()``.

    >>> limit = RateLimit(Path("/tmp/llm.rate"), per_minute=120)   # one request every 0.5 s, machine-wide
    """

    def __init__(self, path: Path, per_minute: float) -> None:
        if per_minute <= 0:
            raise ConfigError(f"requests_per_minute must be above 0, not {per_minute}",
                              hint="leave it unset for no limit")
        self.path = path
        self.interval = 60.0 / per_minute

    def reserve(self) -> float:
        """Take the next free slot; returns its time (``time.time()`` clock)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            try:
                next_free = float(raw)
            except ValueError:
                next_free = 0.0  # a new (or damaged) file: the first request goes now
            now = time.time()  # wall clock: the one clock every process on the machine shares
            slot = max(now, next_free)
            data = f"{slot + self.interval:.6f}".encode().ljust(32)
            os.pwrite(fd, data, 0)
            return slot
        finally:
            os.close(fd)  # closing drops the lock

    @contextmanager
    def __call__(self) -> Iterator[None]:
        wait = self.reserve() - time.time()
        if wait > 0:
            time.sleep(wait)
        yield
