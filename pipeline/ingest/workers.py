"""Parsing in worker processes, so that a hostile document costs one feed and never the run.

The entity guard in parse.py closes the holes we know of; this is the wall behind it. Each feed is parsed in a
worker process (a fresh interpreter: it never inherits the run's threads, sockets or locks) whose address space
is capped with ``RLIMIT_AS`` (``ingest.parse_memory_mb``) and whose CPU time per parse is capped with
``RLIMIT_CPU``. The run waits for a parse only until the feed's own deadline (the one its fetch started) and
kills the worker when it overruns. A worker that ran out of memory, was killed or crashed is replaced; its feed
becomes one ``parse`` failure naming the cause and the fix.

Memory across feeds is bounded too: at most ``PARSE_BUDGET`` bytes of feed are being parsed at once (a feed
larger than that parses alone), since a parse peaks at several times the document's size; bodies over 1 MiB wait
on disk and are read by the worker itself; items come back in batches; and a worker that has parsed a large
document is retired, so its heap goes back to the system instead of idling at its peak.

    async with ParsePool(config.ingest) as pool:
        parsed = await pool.parse(body, source=source, feed_url=url, headers=headers, fetched=now, deadline_at=t)
"""

from __future__ import annotations

import asyncio
import ctypes
import math
import os
import resource
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.config import IngestSettings, Source
from pipeline.errors import BriefcastError, ParseError

PARSE_BUDGET = 16 * 1024 * 1024  # bytes of feed parsed at once, across workers
RETIRE_AFTER = 4 * 1024 * 1024  # a worker that parsed a document this large is replaced (its heap stays grown)
_CPU_SLACK = 2  # seconds of CPU over the wall deadline before the kernel stops a runaway parse itself
_START_TIMEOUT = 60.0
_BATCH_CHARS = 2 * 1024 * 1024  # text per message back from a worker
_HEAP_ARENAS = 2
_START_HINT = "the machine is out of memory or processes; check ingest.parse_memory_mb and the system's limits"
_ENTRY = "import sys; from pipeline.ingest.workers import _main; _main(sys.argv)"
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the pipeline package


def _main(argv: list[str]) -> None:
    _serve(Connection(int(argv[1])), int(argv[2]))


def _serve(conn: Connection, address_space: int) -> None:
    """A worker's loop: receive a parse job, send back ("ok", ParsedFeed) or (kind, message, hint)."""
    from pipeline.ingest.parse import parse_feed

    if address_space:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (address_space, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))  # no core files
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the run closed the pipe (or died): nothing left to do
        _limit_cpu(job.pop("cpu_seconds"))
        path = job.pop("body_path", None)
        parsed = None
        try:
            if path is not None:
                job["body"] = Path(path)  # read inside parse_feed, so its copy is the only one
            parsed = parse_feed(**job)
            reply: tuple[Any, ...] = ("ok", None)
        except BriefcastError as exc:
            reply = (exc.kind, exc.message, exc.hint)
        except MemoryError:
            reply = ("memory", "", None)
        except RecursionError:
            reply = ("parse", "the document nests too deeply to read", "the feed is broken or hostile; drop it")
        except Exception as exc:  # a parser bug found by hostile input: reported, the worker is replaced
            reply = ("internal", f"unexpected {type(exc).__name__} while parsing: {exc}", "report this as a bug")
        del job
        try:
            try:
                if parsed is not None:
                    _send_parsed(conn, parsed)
                else:
                    conn.send(reply)
            except MemoryError:
                conn.send(("memory", "", None))
        except OSError:
            return  # the run gave up on this parse (its deadline passed) and closed the pipe
        del parsed
        if reply[0] != "ok" and reply[0] not in ("parse", "parse_warning"):
            return  # memory errors and bugs may leave a damaged heap: retire


def _send_parsed(conn: Connection, parsed: Any) -> None:
    """The feed, then its items in batches of about `_BATCH_CHARS` of text, each freed once sent: neither side
    ever holds a second copy of a big feed's items."""
    items, parsed.items = parsed.items, []
    conn.send(("ok", parsed, len(items)))
    items.reverse()
    while items:
        batch: list[Any] = []
        chars = 0
        while items and (not batch or chars < _BATCH_CHARS):
            item = items.pop()
            chars += len(item.content_html) + len(item.content_text) + len(item.summary_html) + len(item.summary_text)
            batch.append(item)
        conn.send(batch)


def _limit_cpu(seconds: float) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(spent + seconds + _CPU_SLACK)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _libc() -> Any:
    global _LIBC
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL("libc.so.6")
            _LIBC.malloc_trim, _LIBC.mallopt  # noqa: B018 (glibc only: AttributeError elsewhere)
        except (OSError, AttributeError):
            _LIBC = False
    return _LIBC


def release_memory() -> None:
    """Give freed heap back to the system; a no-op without glibc."""
    if libc := _libc():
        libc.malloc_trim(0)


def limit_heap_arenas(arenas: int = _HEAP_ARENAS) -> None:
    """Cap glibc's per-thread heap arenas: a big feed's items arrive on one thread and are stored on another,
    and each thread's arena otherwise keeps its own peak (six 14 MiB feeds: the run's process 231 MB -> 168 MB)."""
    if libc := _libc():
        libc.mallopt(_M_ARENA_MAX, arenas)


_LIBC: Any = None
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


class _Worker:
    """One worker process (a fresh ``python`` running `_serve`) and the run's end of its socket.

    A fresh interpreter rather than a fork: it inherits none of the run's threads, locks, sockets or memory,
    and nothing depends on how the caller's main module is written. ``call`` blocks: run it on a thread.
    """

    def __init__(self, address_space: int) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _ENTRY, str(theirs.fileno()), str(address_space)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
            )  # fmt: skip
        except OSError as exc:
            ours.close()
            raise ParseError(f"no parser process could be started ({exc})", hint=_START_HINT) from None
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.retire = False
        # Ready means imported and limited. A run's first worker starts while the first feeds download.
        try:
            ready = self.conn.poll(_START_TIMEOUT) and self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise ParseError(f"no parser process was ready within {_START_TIMEOUT:g} s", hint=_START_HINT)

    def call(self, job: dict[str, Any], timeout: float) -> tuple[Any, ...]:
        ends = time.monotonic() + max(timeout, 0.0)
        try:
            self.conn.send(job)
            reply = self._receive(ends)
            if reply[0] == "ok":
                parsed, count = reply[1], reply[2]
                while len(parsed.items) < count:
                    parsed.items.extend(self._receive(ends))
                return ("ok", parsed)
        except TimeoutError:
            self.process.kill()  # a runaway parse: stop it now, not when it is done
            self.retire = True
            return ("timeout", "", None)
        except (EOFError, OSError):
            self.retire = True
            return ("died", str(self._exit_code()), None)
        if reply[0] not in ("parse", "parse_warning"):
            self.retire = True
        return reply

    def _receive(self, ends: float) -> Any:
        if not self.conn.poll(max(ends - time.monotonic(), 0.0)):
            raise TimeoutError
        return self.conn.recv()

    def _exit_code(self) -> int | None:
        try:
            return self.process.wait(1.0)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        self.conn.close()  # an idle worker sees the end of the socket and exits
        try:
            self.process.wait(0.5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(2.0)


class ParsePool:
    """Worker processes for parse jobs, bounded in number, memory, bytes at once, and time per job."""

    def __init__(self, settings: IngestSettings, *, budget: int = PARSE_BUDGET) -> None:
        self.settings = settings
        self.budget = budget
        self.address_space = settings.parse_memory_mb * 1024 * 1024
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._slots = settings.parse_workers
        self._inflight = 0
        self._changed = asyncio.Condition()
        self._warm: asyncio.Task[_Worker] | None = None

    async def __aenter__(self) -> ParsePool:
        # Start one worker while the first feeds download, so the first parse does not wait for Python imports.
        self._warm = asyncio.create_task(asyncio.to_thread(_Worker, self.address_space))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._warm is not None:
            try:
                self._idle.append(await self._warm)
            except BriefcastError:
                pass
            self._warm = None
        await asyncio.to_thread(self.close)

    async def _worker(self) -> _Worker:
        if self._warm is not None:
            warm, self._warm = self._warm, None
            try:
                return await warm
            except BriefcastError:
                pass  # start another below; its error is the one reported
        if self._idle:
            return self._idle.pop()
        return await asyncio.to_thread(_Worker, self.address_space)

    def close(self) -> None:
        for worker in [*self._idle, *self._busy]:
            worker.stop()
        self._idle.clear()
        self._busy.clear()

    async def parse(
        self,
        body: bytes | Path,
        *,
        source: Source,
        feed_url: str,
        headers: dict[str, str],
        fetched: Any,
        deadline_at: float | None = None,
    ) -> Any:
        """`parse_feed` in a worker, finished before ``deadline_at`` (event-loop time) or a `ParseError`.

        ``body`` is the document, or the file it was spooled to (read by the worker; the caller deletes it).

        Time spent queued (for a worker to start, or for room in the byte budget) is the run's, not the feed's:
        it moves the deadline on, as a fetch's deadline starts only when its request can go out.
        """
        loop = asyncio.get_running_loop()
        if deadline_at is None:
            deadline_at = loop.time() + self.settings.deadline
        size = body.stat().st_size if isinstance(body, Path) else len(body)
        queued = loop.time()
        await self._admit(size)
        worker: _Worker | None = None
        try:
            worker = self._idle.pop() if self._idle else await self._worker()
            deadline_at += loop.time() - queued
            self._busy.add(worker)
            left = deadline_at - loop.time()
            job = {
                "source": source, "feed_url": feed_url, "headers": headers, "fetched": fetched,
                "max_item_chars": self.settings.max_item_chars, "cpu_seconds": max(left, 0.0),
            }  # fmt: skip
            job["body_path" if isinstance(body, Path) else "body"] = str(body) if isinstance(body, Path) else body
            reply = await asyncio.to_thread(worker.call, job, left)
        finally:
            if worker is not None:
                self._busy.discard(worker)
                if worker.retire or size >= RETIRE_AFTER:
                    await asyncio.to_thread(worker.stop)
                else:
                    self._idle.append(worker)
            await self._release(size)
        return self._result(reply, feed_url)

    async def _admit(self, size: int) -> None:
        def room() -> bool:
            return self._slots > 0 and (self._inflight == 0 or self._inflight + size <= self.budget)

        async with self._changed:
            await self._changed.wait_for(room)
            self._slots -= 1
            self._inflight += size

    async def _release(self, size: int) -> None:
        async with self._changed:
            self._slots += 1
            self._inflight -= size
            self._changed.notify_all()

    def _result(self, reply: tuple[Any, ...], feed_url: str) -> Any:
        kind = reply[0]
        if kind == "ok":
            return reply[1]
        if kind == "timeout":
            raise self._overran(feed_url)
        if kind == "memory":
            raise ParseError(
                f"parsing needed more than the {self.settings.parse_memory_mb} MB a parser may use; it was stopped",
                subject=feed_url,
                hint="the document is huge or hostile (an expansion attack); raise ingest.parse_memory_mb only if "
                "the feed is legitimately that large",
            )
        if kind == "died":
            raise ParseError(
                f"the parser process died (exit code {reply[1]}) while reading this feed",
                subject=feed_url,
                hint="the document may be hostile; if it keeps happening drop the source and report it as a bug",
            )
        raise ParseError(reply[1], subject=feed_url, hint=reply[2])

    def _overran(self, feed_url: str) -> ParseError:
        return ParseError(
            f"parsing did not finish within the feed's {self.settings.deadline:g} s deadline; the parser was stopped",
            subject=feed_url,
            hint="the document is very large or hostile; it is tried again next run "
            "(raise ingest.deadline if this feed is always that slow)",
        )
