"""A real HTTP server on 127.0.0.1, in a thread, serving fixture feeds and hostile routes.

    with FeedServer() as server:
        server.url("/feeds/full.rss")            # a fixture from tests/fixtures/feeds/, with ETag/Last-Modified
        server.add("/odd", body=b"...", headers={"Content-Type": "text/xml; charset=utf-8"})

Hostile routes (each bounded in time and bytes so a broken client cannot make the server run away):
    /slow/<name>?every=S     the fixture, one byte every S seconds (default 0.5)
    /huge                    an endless well-formed-looking feed, cut off after 256 MiB or when the client leaves
    /gzip-bomb               ~256 KiB of gzip that inflates to 256 MiB (Content-Encoding: gzip)
    /loop/a, /loop/b         redirect to each other forever
    /chain/<n>?feed=<name>   n redirects, then the fixture
    /redirect?to=<url>       302 to any Location (private addresses, file://, octal hosts ...)
    /status/<code>           that status, with a short body
    /articles/<name>         an HTML fixture from tests/fixtures/articles/ (or one added with add())
``latency`` delays every answer (the benchmark's 100 ms); ``hits`` counts requests per path; ``requests`` keeps
each request's path and headers, so tests can check conditional-GET headers; ``max_inflight`` is the most requests
served at once.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
import zlib
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEEDS = FIXTURES / "feeds"
BOMB_INFLATED = 256 * 1024 * 1024
HUGE_LIMIT = 256 * 1024 * 1024
_bomb_cache: dict[int, bytes] = {}


def gzip_bomb(inflated: int = BOMB_INFLATED) -> bytes:
    """Gzip bytes that inflate to ``inflated`` bytes of an (unfinished) feed; built in 1 MiB steps, cached."""
    if inflated not in _bomb_cache:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts = [packer.compress(b'<?xml version="1.0"?><rss version="2.0"><channel><title>bomb</title>')]
        block = b" " * (1024 * 1024)
        for _ in range(inflated // len(block)):
            parts.append(packer.compress(block))
        parts.append(packer.flush())
        _bomb_cache[inflated] = b"".join(parts)
    return _bomb_cache[inflated]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the default backlog (5) stalls many simultaneous connects for seconds
    owner: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up (deadlines, size caps) reset connections on purpose: not worth a traceback.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read assertions, not access logs
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        with owner.lock:
            owner.hits[parts.path] += 1
            owner.requests.append((parts.path, {k.lower(): v for k, v in self.headers.items()}))
            owner.inflight += 1
            owner.max_inflight = max(owner.max_inflight, owner.inflight)
        try:
            if owner.latency:
                time.sleep(owner.latency)
            owner.dispatch(self, parts.path, parse_qs(parts.query))
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True
        finally:
            with owner.lock:
                owner.inflight -= 1

    # -- helpers used by routes -------------------------------------------------------------------------------

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        if status not in (204, 304):
            headers["Content-Length"] = str(len(body))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if body and status not in (204, 304):
            self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", {"Location": location})


class FeedServer:
    """Start with ``with FeedServer() as server`` (or start()/stop()); ``url(path)`` gives absolute URLs."""

    def __init__(self, *, latency: float = 0.0, host: str = "127.0.0.1") -> None:
        self.latency = latency
        self.host = host
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0  # most requests in progress at once: shows the client's concurrency limits
        self.extra: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.feeds: dict[str, bytes] = {}  # in-memory feeds served under /feeds/<name> besides the fixtures
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------------------

    def start(self) -> FeedServer:
        self._httpd = _Server((self.host, 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        assert self._httpd is not None, "start the server first"
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + (path if path.startswith("/") else "/" + path)

    def add(self, path: str, body: bytes | str = b"", *, status: int = 200, headers: dict[str, str] | None = None) -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.extra[path] = (status, data, headers or {"Content-Type": "application/rss+xml; charset=utf-8"})
        return self.url(path)

    # -- routing ----------------------------------------------------------------------------------------------

    def dispatch(self, h: _Handler, path: str, query: dict[str, list[str]]) -> None:
        if path in self.extra:
            status, body, headers = self.extra[path]
            h.send(status, body, headers)
        elif path.startswith("/feeds/"):
            self._feed(h, path.removeprefix("/feeds/"))
        elif path.startswith("/slow/"):
            self._slow(h, path.removeprefix("/slow/"), float(query.get("every", ["0.5"])[0]))
        elif path == "/huge":
            self._huge(h)
        elif path == "/gzip-bomb":
            h.send(200, gzip_bomb(), {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        elif path in ("/loop/a", "/loop/b"):
            h.redirect("/loop/b" if path == "/loop/a" else "/loop/a")
        elif path.startswith("/chain/"):
            left = int(path.removeprefix("/chain/"))
            feed = query.get("feed", ["full.rss"])[0]
            h.redirect(f"/chain/{left - 1}?feed={feed}" if left > 0 else f"/feeds/{feed}", 301)
        elif path == "/redirect":
            h.redirect(query["to"][0], int(query.get("status", ["302"])[0]))
        elif path.startswith("/status/"):
            code = int(path.removeprefix("/status/"))
            h.send(code, f"status {code}".encode())
        elif path.startswith("/articles/"):
            self._file(h, FIXTURES / "articles" / Path(path).name, "text/html; charset=utf-8")
        else:
            h.send(404, b"no such route")

    def feed_bytes(self, name: str) -> bytes | None:
        if name in self.feeds:
            return self.feeds[name]
        file = FEEDS / Path(name).name  # Path(...).name: no way out of the fixture folder
        return file.read_bytes() if file.is_file() else None

    def _feed(self, h: _Handler, name: str) -> None:
        body = self.feed_bytes(name)
        if body is None:
            h.send(404, b"no such feed")
            return
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = formatdate(1773100800, usegmt=True)  # fixed: 2026-03-10 00:00 UTC
        if h.headers.get("If-None-Match") == etag:
            h.send(304, b"", {"ETag": etag, "Last-Modified": modified})
            return
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag, "Last-Modified": modified}
        if "gzip" in h.headers.get("Accept-Encoding", "") and len(body) > 1024:
            body = gzip.compress(body, 5)
            headers["Content-Encoding"] = "gzip"
        h.send(200, body, headers)

    def _file(self, h: _Handler, file: Path, content_type: str) -> None:
        if file.is_file():
            h.send(200, file.read_bytes(), {"Content-Type": content_type})
        else:
            h.send(404, b"no such file")

    def _slow(self, h: _Handler, name: str, every: float) -> None:
        body = self.feed_bytes(name) or b"<rss>" + b" " * 10_000
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        deadline = time.monotonic() + 30  # a forgotten client cannot keep this thread forever
        for index in range(len(body)):
            if time.monotonic() > deadline:
                break
            h.wfile.write(body[index : index + 1])
            h.wfile.flush()
            time.sleep(every)
        h.close_connection = True

    def _huge(self, h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()  # no length: the body ends when the connection does
        h.close_connection = True
        item = b"<item><title>again</title><description>" + b"x" * 4000 + b"</description></item>\n"
        h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>huge</title>\n')
        sent = 0
        while sent < HUGE_LIMIT:
            h.wfile.write(item * 16)
            sent += len(item) * 16
