"""Safe HTTP for hostile servers: bounded time, bounded bytes, checked redirects, conditional GET.

One `Fetcher` per ingest run holds one httpx.AsyncClient on a `GuardedTransport`, a per-host semaphore and a global
limit (the pool and a semaphore), taken in that order so a feed waiting for a slow host holds no global slot.
Every fetch has connect/read timeouts *and* one overall deadline around the
whole exchange, redirects and body included, because httpx's timeouts are per chunk and a server dripping a byte a
second would otherwise hold a fetch for minutes. Bodies are decompressed here, chunk by bounded chunk, and counted
after decompression, so a gzip bomb stops at ``max_bytes`` instead of filling memory. Redirects are followed by hand
so every hop is checked (scheme here, address in the transport) and loops are named as loops.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import IO

import httpx

from pipeline.config import IngestSettings
from pipeline.errors import (
    DeadlineError,
    FetchError,
    HTTPStatusError,
    RedirectError,
    TooLargeError,
    UnsafeURLError,
)
from pipeline.ingest.safety import AddressPolicy, GuardedTransport, check_url

ACCEPT_FEED = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECTS = {301, 302, 303, 307, 308}
_DECODE_STEP = 256 * 1024  # most bytes one decompress call may produce: memory stays bounded per chunk
SPOOL_OVER = 1024 * 1024  # larger bodies go to a file in the Fetcher's spool_dir, when it has one


@dataclass
class Fetched:
    """What a fetch brought back. ``body`` is empty when ``not_modified``."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""  # empty when the body was spooled to ``body_path`` instead
    seconds: float = 0.0
    body_path: Path | None = None  # a large body, spooled to disk (the caller deletes it)
    sha256: str = ""  # of the body, however it is held
    deadline_at: float | None = None  # event-loop time by which this URL's whole exchange (and parse) must end

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class _Decoder:
    """Content-Encoding decoding in bounded steps (gzip, deflate, identity)."""

    def __init__(self, encoding: str, subject: str) -> None:
        codings = [part.strip().lower() for part in encoding.split(",") if part.strip()]
        codings = [coding for coding in codings if coding not in ("identity", "none")]
        if len(codings) > 1:
            raise FetchError(f"stacked content encodings {encoding!r} are not supported", subject=subject)
        coding = codings[0] if codings else ""
        if coding in ("gzip", "x-gzip"):
            self._zlib: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._zlib = zlib.decompressobj()
            self._raw_deflate_checked = False
        elif coding == "":
            self._zlib = None
        else:
            raise FetchError(
                f"content encoding {coding!r} is not supported",
                subject=subject,
                hint="the server ignored Accept-Encoding",
            )
        self.coding = coding
        self.subject = subject

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            yield data
            return
        if self.coding == "deflate" and not self._raw_deflate_checked:
            self._raw_deflate_checked = True
            if data and (data[0] & 0x0F) != 8:  # no zlib header: servers often send raw deflate
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = data
        try:
            while pending:
                out = self._zlib.decompress(pending, _DECODE_STEP)
                pending = self._zlib.unconsumed_tail
                if out:
                    yield out
                if self._zlib.eof:
                    return
        except zlib.error as exc:
            raise FetchError("the compressed body is corrupt", subject=self.subject) from exc


class Fetcher:
    """Fetches URLs safely and concurrently. Use as ``async with Fetcher(settings) as fetcher``."""

    def __init__(
        self, settings: IngestSettings, *, policy: AddressPolicy | None = None, spool_dir: Path | None = None
    ) -> None:
        self.settings = settings
        self.spool_dir = spool_dir  # where bodies larger than SPOOL_OVER go (None: kept in memory)
        self.policy = policy or AddressPolicy(allow_private=settings.allow_private_networks)
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        limits = httpx.Limits(
            max_connections=self.settings.concurrency,
            max_keepalive_connections=self.settings.concurrency,
            keepalive_expiry=10.0,
        )
        timeout = httpx.Timeout(
            connect=self.settings.connect_timeout,
            read=self.settings.read_timeout,
            write=self.settings.read_timeout,
            pool=self.settings.deadline,
        )
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(self.policy, limits),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _host_limit(self, url: httpx.URL) -> asyncio.Semaphore:
        key = f"{url.host}:{url.port or ''}"
        if key not in self._hosts:
            self._hosts[key] = asyncio.Semaphore(self.settings.per_host)
        return self._hosts[key]

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = ACCEPT_FEED,
    ) -> Fetched:
        """GET ``url`` within every limit; raises a `FetchError` subclass naming the cause."""
        current = check_url(url)
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        deadline_at: float | None = None
        seen = [str(current)]
        sent_validators = bool(etag or last_modified)
        for hop in range(self.settings.max_redirects + 1):
            headers = {"Accept": accept}
            if hop == 0:  # validators belong to the URL we were given, not to where it redirects
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
            # The host's slot first, then a global one: a feed queued behind a slow host holds no global slot,
            # so one dripping host cannot starve every other host's feeds.
            async with self._host_limit(current), self._global:
                if deadline_at is None:  # the clock starts when the first request can go out
                    deadline_at = loop.time() + self.settings.deadline
                try:
                    async with asyncio.timeout_at(deadline_at):
                        result = await self._exchange(url, current, headers)
                except TimeoutError:
                    raise DeadlineError(
                        f"no complete answer within the {self.settings.deadline:g} s deadline",
                        subject=url,
                        hint="the server is slow or drips its answer; it is tried again next run "
                        "(raise ingest.deadline if this feed is always slow)",
                    ) from None
            if isinstance(result, Fetched):
                if result.not_modified and not (hop == 0 and sent_validators):
                    raise HTTPStatusError(
                        "HTTP 304 Not Modified, but nothing was asked conditionally (no ETag or Last-Modified "
                        "sent" + (", or it came after a redirect)" if hop else ")"),
                        status=304,
                        subject=url,
                        hint="the server answers 304 to a plain GET; tell the publisher their server is "
                        "misconfigured (nothing new can be read from it until then)",
                    )
                result.seconds = time.monotonic() - started
                result.deadline_at = deadline_at
                return result
            current = self._next_hop(url, current, result, seen)
        raise RedirectError(
                f"more than {self.settings.max_redirects} redirects",
                subject=url,
                hint="point the source at the feed's final URL",
            )

    def _next_hop(self, url: str, current: httpx.URL, location: str, seen: list[str]) -> httpx.URL:
        try:
            target = current.join(location)
        except (httpx.InvalidURL, ValueError) as exc:
            raise RedirectError(f"redirect to an invalid location {location!r}", subject=url) from exc
        try:
            target = check_url(target)
        except UnsafeURLError as exc:
            raise UnsafeURLError(f"redirect refused: {exc.message}", subject=url, hint=exc.hint) from None
        if str(target) in seen:
            raise RedirectError(
                f"redirect loop ({' -> '.join([*seen, str(target)])})",
                subject=url,
                hint="the site is misconfigured; point the source at a URL that answers",
            )
        seen.append(str(target))
        return target

    async def _exchange(self, url: str, current: httpx.URL, headers: dict[str, str]) -> Fetched | str:
        """One request: a `Fetched`, or the Location of a redirect to follow."""
        assert self._client is not None, "use 'async with Fetcher(...)'"
        try:
            async with self._client.stream("GET", current, headers=headers) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise RedirectError(f"HTTP {response.status_code} without a Location header", subject=url)
                    return location
                if response.status_code == 304:
                    return Fetched(url, str(current), 304, _headers(response))
                if response.status_code >= 400:
                    raise _status_error(url, response.status_code)
                if not 200 <= response.status_code < 300:
                    raise HTTPStatusError(
                        f"unexpected HTTP {response.status_code}", status=response.status_code, subject=url
                    )
                body, path, digest = await self._read_body(url, response)
                return Fetched(
                    url, str(current), response.status_code, _headers(response), body, body_path=path, sha256=digest
                )
        except UnsafeURLError as exc:
            if exc.subject != url:
                raise UnsafeURLError(exc.message, subject=url, hint=exc.hint) from None
            raise
        except httpx.TimeoutException as exc:
            raise DeadlineError(
                f"{_phase(exc)} timed out", subject=url, hint="the server did not answer in time; tried again next run"
            ) from exc
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc).lower():  # httpx parses Location even when not following it
                raise RedirectError(
                    f"redirect to an invalid location ({exc})", subject=url, hint="the site sends a broken redirect"
                ) from None
            raise FetchError(f"the server broke the HTTP protocol ({exc})", subject=url) from None
        except httpx.TransportError as exc:
            raise FetchError(
                f"connection failed ({type(exc).__name__}: {exc or 'no detail'})",
                subject=url,
                hint="check the URL; the site may be down or refuse connections",
            ) from None

    async def _read_body(self, url: str, response: httpx.Response) -> tuple[bytes, Path | None, str]:
        """(body, None, sha256), or (b"", the file it was spooled to, sha256) when larger than `SPOOL_OVER`."""
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "")
        if declared.isdigit() and not encoding and int(declared) > cap:
            raise _too_large(url, cap, f"the server announced {int(declared):,} bytes")
        decoder = _Decoder(encoding, url)
        chunks: list[bytes] = []
        hasher = hashlib.sha256()
        size = 0
        spool: IO[bytes] | None = None
        try:
            async for raw in _raw_chunks(response):
                for piece in decoder.feed(raw):
                    size += len(piece)
                    if size > cap:
                        raise _too_large(url, cap, "counted after decompression" if decoder.coding else "")
                    hasher.update(piece)
                    if spool is None and self.spool_dir is not None and size > SPOOL_OVER:
                        # Many large feeds downloading at once must not all sit in memory waiting to be parsed.
                        spool = tempfile.NamedTemporaryFile(dir=self.spool_dir, prefix="body-", delete=False)  # noqa: SIM115
                        spool.writelines(chunks)
                        chunks = []
                    if spool is not None:
                        spool.write(piece)
                    else:
                        chunks.append(piece)
        except BaseException:
            if spool is not None:
                spool.close()
                Path(spool.name).unlink(missing_ok=True)
            raise
        if spool is not None:
            spool.close()
            return b"", Path(spool.name), hasher.hexdigest()
        return b"".join(chunks), None, hasher.hexdigest()


async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    async for raw in response.aiter_raw(64 * 1024):
        yield raw


def _headers(response: httpx.Response) -> dict[str, str]:
    return {key.lower(): value for key, value in response.headers.items()}


def _phase(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(exc, httpx.PoolTimeout):
        return "waiting for a connection"
    return "reading the answer"


def _too_large(url: str, cap: int, detail: str) -> TooLargeError:
    more = f" ({detail})" if detail else ""
    return TooLargeError(
        f"body larger than {cap:,} bytes{more}; download stopped",
        subject=url,
        hint="raise ingest.max_bytes if this feed is really that large",
    )


_STATUS_HINTS = {
    401: "the feed needs a login; use a public feed URL",
    403: "the site refuses briefcast (maybe its user agent); check the URL in a browser",
    404: "the feed moved or was removed; correct the source's url in config.yaml",
    410: "the feed was removed for good; delete the source from config.yaml",
    429: "the site rate-limits us; it is tried again next run",
}


def _status_error(url: str, status: int) -> HTTPStatusError:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "unknown status"
    hint = _STATUS_HINTS.get(status) or (
        "the server failed; it is tried again next run" if status >= 500 else "check the source's url in config.yaml"
    )
    return HTTPStatusError(f"HTTP {status} {reason}", status=status, subject=url, hint=hint)
