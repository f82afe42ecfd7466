"""The bundled sample show: ``--sample`` runs use samples/ served by a real HTTP server on 127.0.0.1.

`sample_config` swaps a show's sources for samples/sources.yaml and picks the embedded backends;
`maybe_sample_server` serves samples/ while a command runs, with every feed date shifted by whole days so that the
samples' day 2 (2026-03-10) becomes the episode's date, and a /slow/ route that drips bytes so the demo shows a
per-feed deadline at work. Nothing here touches the network beyond 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date as Date
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from pipeline.config import SAMPLES_DIR, Config, Source
from pipeline.errors import ConfigError

SAMPLE_DAY2 = Date(2026, 3, 10)
SAMPLE_DEADLINE = 4.0  # seconds: the slow demo feed fails fast instead of holding the run
DRIP_EVERY = 0.5  # seconds per byte on /slow/
DRIP_MAX_SECONDS = 60.0
# A fixed port when free keeps feed URLs (and so conditional GETs and link-less item ids) stable across runs.
PREFERRED_PORT = 47610  # a client that never gives up cannot keep a server thread forever
_DATED = re.compile(
    rb"(<(pubDate|lastBuildDate|updated|published|dc:date)>)([^<]{1,100})(</\2>)"
)  # fmt: skip


def sample_config(config: Config) -> Config:
    """The same show with the sample sources (relative URLs), loopback allowed, a short deadline, local backends."""
    sources = load_sample_sources()
    # full_text off: the sample entries link to fictional sites, and a sample run never leaves 127.0.0.1
    ingest = config.ingest.model_copy(
        update={"allow_private_networks": True, "deadline": SAMPLE_DEADLINE, "full_text": False}
    )
    llm = config.llm.model_copy(update={"backend": "local", "model": "local", "base_url": None})
    host = config.tts.host.model_copy(update={"backend": "piper", "voice": "joe", "model": None})
    cohost = config.tts.cohost
    if cohost is not None:  # keep a second voice, made locally from the same piper voice
        cohost = cohost.model_copy(update={"backend": "piper", "voice": "joe", "model": None})
    tts = config.tts.model_copy(update={"host": host, "cohost": cohost})
    return config.model_copy(update={"sources": sources, "ingest": ingest, "llm": llm, "tts": tts})


def load_sample_sources(folder: Path = SAMPLES_DIR) -> list[Source]:
    """samples/sources.yaml as validated Sources."""
    path = folder / "sources.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", hint="the sample data ships with briefcast's source tree") from None
    entries = data.get("sources") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a list of sources under 'sources'")
    try:
        return [Source.model_validate(entry) for entry in entries]
    except ValueError as exc:
        raise ConfigError(f"{path}: invalid sample source ({exc})") from None


def sample_days(folder: Path = SAMPLES_DIR) -> dict[str, Date]:
    """The sample world's days from labels.json ("day1", "day2")."""
    try:
        days = json.loads((folder / "labels.json").read_text(encoding="utf-8"))["days"]
        return {name: Date.fromisoformat(value) for name, value in days.items()}
    except (OSError, KeyError, ValueError, TypeError):
        return {"day1": SAMPLE_DAY2 - timedelta(days=1), "day2": SAMPLE_DAY2}


@contextmanager
def maybe_sample_server(config: Config, sample: bool, day: Date | None = None) -> Iterator[Config]:
    """When ``sample``: serve samples/ on 127.0.0.1 and yield the config with source URLs pointing at it."""
    if not sample:
        yield config
        return
    target = day or config.today()
    shift = (target - sample_days().get("day2", SAMPLE_DAY2)).days
    with SampleServer(SAMPLES_DIR, shift_days=shift) as server:
        sources = [
            source.model_copy(update={"url": urljoin(server.base + "/", source.url)})
            if source.url.startswith("/")
            else source
            for source in config.sources
        ]
        yield config.model_copy(update={"sources": sources})


def shift_dates(body: bytes, days: int) -> bytes:
    """Move every RSS/Atom/dc date in a feed by whole days; unparseable dates are left as they are."""
    if days == 0:
        return body

    def move(match: re.Match[bytes]) -> bytes:
        raw = match.group(3).decode("ascii", "replace").strip()
        moved = _shift_one(raw, days)
        if moved is None:
            return match.group(0)
        return match.group(1) + moved.encode("ascii") + match.group(4)

    return _DATED.sub(move, body)


def _shift_one(raw: str, days: int) -> str | None:
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is not None:
        text = (when + timedelta(days=days)).isoformat()
        return text.replace("+00:00", "Z") if raw.endswith("Z") else text
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    moved = parsed + timedelta(days=days)
    return format_datetime(moved, usegmt=raw.endswith("GMT") and moved.utcoffset() == timedelta(0))


class SampleServer:
    """samples/ over HTTP on 127.0.0.1: feeds (dates shifted, ETag), /slow/<feed> drips, /articles/ pages."""

    def __init__(
        self,
        folder: Path = SAMPLES_DIR,
        *,
        shift_days: int = 0,
        drip_every: float = DRIP_EVERY,
        port: int = PREFERRED_PORT,
    ) -> None:
        self.folder = folder.resolve()
        self.port = port
        self.shift_days = shift_days
        self.drip_every = drip_every
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._httpd is not None, "start the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> SampleServer:
        handler = _make_handler(self)
        try:
            self._httpd = _QuietServer(("127.0.0.1", self.port), handler)
        except OSError:  # taken (another run, another program): any free port will do
            self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def file(self, kind: str, name: str) -> Path | None:
        """A file under samples/<kind>/, or None (no traversal out of it, only feeds and articles)."""
        if kind not in ("feeds", "articles") or not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = (self.folder / kind / name).resolve()
        if path.parent != self.folder / kind or not path.is_file():
            return None
        return path

    def feed_body(self, name: str) -> bytes | None:
        path = self.file("feeds", name)
        return shift_dates(path.read_bytes(), self.shift_days) if path else None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients giving up (the demo's deadline) reset connections on purpose


def _make_handler(server: SampleServer) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            kind, _, name = path.strip("/").partition("/")
            if kind == "feeds":
                body = server.feed_body(name)
                self._send(body, "application/xml; charset=utf-8")
            elif kind == "slow":
                body = server.feed_body(name)
                self._drip(body) if body is not None else self._send(None, "")
            elif kind == "articles":
                file = server.file("articles", name)
                self._send(file.read_bytes() if file else None, "text/html; charset=utf-8")
            else:
                self._send(None, "")

        def _send(self, body: bytes | None, content_type: str) -> None:
            if body is None:
                self.send_response(404)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b"not found")
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def _drip(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            stop = time.monotonic() + DRIP_MAX_SECONDS
            try:
                for index in range(len(body)):
                    if time.monotonic() > stop:
                        return
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(server.drip_every)
            except OSError:
                return

    return Handler
