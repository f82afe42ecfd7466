"""Ingest end to end against a real HTTP server on 127.0.0.1: good feeds, hostile feeds, limits, safety."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import time
import tracemalloc
from collections.abc import Iterator

import httpcore
import pytest

from pipeline.config import Config, Source
from pipeline.errors import RedirectError, UnsafeURLError
from pipeline.ingest import ingest
from pipeline.ingest.fetch import Fetcher
from pipeline.ingest.safety import AddressPolicy, GuardedBackend
from pipeline.store import Store, open_store
from tests.feedserver import FEEDS, FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def configure(show: Config, server: FeedServer, paths: dict[str, str], **ingest_settings) -> Config:
    """The reference show with these sources (name -> path on ``server``) and small limits."""
    sources = [Source(name=name, url=server.url(path)) for name, path in paths.items()]
    settings = show.ingest.model_copy(update={"deadline": 2.0, "connect_timeout": 2.0, "read_timeout": 2.0, **ingest_settings})
    return show.model_copy(update={"sources": sources, "ingest": settings})


def kinds(result) -> dict[str, str]:
    return {failure["message"].split(":", 1)[0]: failure["kind"] for failure in result.failures}


def test_ingest_then_reingest_costs_a_304_and_adds_nothing(show: Config, server: FeedServer) -> None:
    config = configure(show, server, {"full": "/feeds/full.rss", "atom": "/feeds/atom.xml"})
    store = open_store(config.state_dir)
    first = ingest(config, store)
    assert first.status == "done", first.failures
    assert first.counts["feeds_ok"] == 2 and first.counts["items_seen"] == 7 and first.counts["items_new"] == 7
    assert store.count_items() == 7
    seen = {item.id: item.first_seen for item in store.items_between(*_all_time())}

    second = ingest(config, store)
    assert second.counts["feeds_not_modified"] == 2
    assert second.counts["items_new"] == 0 and second.counts["items_seen"] == 0
    assert store.count_items() == 7
    conditional = [headers for path, headers in server.requests if path == "/feeds/full.rss"][1]
    assert conditional.get("if-none-match", "").startswith('"')
    assert {item.id: item.first_seen for item in store.items_between(*_all_time())} == seen


def test_changed_feed_without_validators_is_parsed_again_and_upserted(show: Config, server: FeedServer) -> None:
    body = (FEEDS / "full.rss").read_bytes()
    server.add("/plain", body, headers={"Content-Type": "application/rss+xml"})
    config = configure(show, server, {"plain": "/plain"})
    store = open_store(config.state_dir)
    assert ingest(config, store).counts["items_new"] == 5
    same = ingest(config, store)  # same bytes, no ETag: recognised by content hash, not parsed
    assert same.counts["feeds_not_modified"] == 1 and same.counts["items_seen"] == 0
    server.add("/plain", body.replace(b"From the future", b"Now from the past"), headers={"Content-Type": "text/xml"})
    changed = ingest(config, store)
    assert changed.counts["items_seen"] == 5 and changed.counts["items_new"] == 0  # same ids: updated in place
    assert any(item.title == "Now from the past" for item in store.items_between(*_all_time()))


def test_hostile_feeds_are_reported_with_their_cause_and_the_rest_ingested(show: Config, server: FeedServer) -> None:
    server.add("/empty", b"", headers={"Content-Type": "application/rss+xml"})
    server.add("/page", b"<html><body><h1>Not a feed</h1><p>hello</p></body></html>", headers={"Content-Type": "text/html"})
    paths = {
        "good": "/feeds/full.rss",
        "atom": "/feeds/atom.xml",
        "slow": "/slow/full.rss?every=0.2",
        "huge": "/huge",
        "bomb": "/gzip-bomb",
        "loop": "/loop/a",
        "chain": "/chain/6",
        "short-chain": "/chain/2?feed=atom.xml",
        "missing": "/status/404",
        "broken": "/status/503",
        "entities": "/feeds/entity-bomb.xml",
        "malformed": "/feeds/malformed.xml",
        "empty": "/empty",
        "page": "/page",
        "metadata": "/redirect?to=http://169.254.169.254/latest/meta-data/",
        "file": "/redirect?to=file:///etc/passwd",
    }
    config = configure(show, server, paths, deadline=1.5, max_bytes=1024 * 1024, max_redirects=3)
    store = open_store(config.state_dir)
    from tests.feedserver import gzip_bomb

    gzip_bomb()  # built once, before the clock starts: under load, building it took longer than the deadline
    started = time.monotonic()
    result = ingest(config, store)
    elapsed = time.monotonic() - started

    assert kinds(result) == {
        "slow": "timeout",
        "huge": "too_large",
        "bomb": "too_large",
        "loop": "redirect",
        "chain": "redirect",
        "missing": "http_status",
        "broken": "http_status",
        "entities": "parse",
        "malformed": "parse_warning",
        "empty": "parse",
        "page": "parse",
        "metadata": "unsafe_url",
        "file": "unsafe_url",
    }
    assert result.status == "partial"
    assert result.counts["feeds"] == 16 and result.counts["feeds_failed"] == 12 and result.counts["feeds_ok"] == 4
    # good, atom (also through two redirects, same items) and the two readable malformed items
    assert result.counts["items_new"] == 5 + 2 + 2
    messages = {f["message"].split(":", 1)[0]: f["message"] for f in result.failures}
    assert "loop" in messages["loop"] and "fix:" in messages["loop"]
    assert "after decompression" in messages["bomb"]
    assert "169.254.169.254" in messages["metadata"] and "link-local" in messages["metadata"]
    assert "404" in messages["missing"] and all(f["subject"].startswith("http://127.0.0.1") for f in result.failures)
    assert elapsed < 1.5 + 5.0, "feeds are fetched concurrently under one per-feed deadline (a drip lasts 60 s)"
    state = store.feed_state(server.url("/slow/full.rss?every=0.2"))
    assert state and state["last_status"] == "timeout" and state["etag"] is None


def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(show: Config, server: FeedServer) -> None:
    from tests.feedserver import gzip_bomb

    gzip_bomb()  # build (and cache) the bomb before measuring
    config = configure(show, server, {"bomb": "/gzip-bomb"}, max_bytes=2 * 1024 * 1024)
    store = open_store(config.state_dir)
    gc.collect()
    tracemalloc.start()
    try:
        result = ingest(config, store)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kinds(result) == {"bomb": "too_large"}
    # 256 MiB inflated; the cap is 2 MiB: memory stays near the cap, never near the bomb
    assert peak < 12 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_loopback_refused_by_default_without_sending_a_byte(show: Config, server: FeedServer) -> None:
    config = configure(show, server, {"local": "/feeds/full.rss"}, allow_private_networks=False)
    result = ingest(config, open_store(config.state_dir))
    assert kinds(result) == {"local": "unsafe_url"} and result.status == "failed"
    assert "loopback" in result.failures[0]["message"]
    assert sum(server.hits.values()) == 0


@pytest.mark.parametrize("host", ["2130706433", "0x7f.0.0.1", "017700000001", "127.1", "[::ffff:127.0.0.1]", "localhost"])
def test_numeric_and_named_loopback_forms_are_refused(server: FeedServer, host: str) -> None:
    port = server.base.rsplit(":", 1)[1]

    async def go() -> None:
        async with Fetcher(_settings(), policy=AddressPolicy()) as fetcher:
            await fetcher.fetch(f"http://{host}:{port}/feeds/full.rss")

    with pytest.raises(UnsafeURLError):
        asyncio.run(go())
    assert sum(server.hits.values()) == 0


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/feed",
        "http://192.168.1.1/",
        "http://172.16.0.5:8080/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fd00::1]/",
        "http://167772161/",  # 10.0.0.1 as one decimal number
        "http://0x0a.0.0.1/",  # hex
        "http://0.0.0.0/",
        "http://012.0.0.1/",  # octal: httpx itself rejects the Location (a RedirectError, also before connecting)
    ],
)
def test_redirect_to_a_private_address_is_refused_before_connecting(server: FeedServer, target: str) -> None:
    # loopback allowed so the test server answers; every other private range stays closed
    connects: list[str] = []

    async def go() -> None:
        async with Fetcher(_settings(), policy=AddressPolicy(allow_loopback=True)) as fetcher:
            backend = fetcher._client._transport._pool._network_backend  # type: ignore[union-attr]
            backend._inner = _Recording(backend._inner, connects)
            await fetcher.fetch(server.url(f"/redirect?to={target}"))

    expected = RedirectError if "012." in target else UnsafeURLError
    with pytest.raises(expected, match="refused|invalid location"):
        asyncio.run(go())
    assert server.hits["/redirect"] == 1
    assert all(ipaddress.ip_address(address).is_loopback for address in connects), connects


def test_guarded_backend_connects_only_to_the_address_it_checked() -> None:
    connects: list[str] = []
    backend = GuardedBackend(AddressPolicy(allow_loopback=True))
    backend._inner = _Recording(backend._inner, connects)

    async def go() -> None:
        with pytest.raises(UnsafeURLError):
            await backend.connect_tcp("10.1.2.3", 80, timeout=1)
        with pytest.raises(httpcore.ConnectError):  # allowed, resolved, then connected by address: nothing listens
            await backend.connect_tcp("localhost", 9, timeout=1)

    asyncio.run(go())
    assert connects and all(ipaddress.ip_address(a).is_loopback for a in connects)  # "localhost" -> its address


@pytest.mark.parametrize(
    ("address", "default", "private"),
    [
        ("93.184.216.34", True, True),
        ("2606:2800:220:1:248:1893:25c8:1946", True, True),
        ("127.0.0.1", False, True),
        ("10.0.0.1", False, True),
        ("100.64.0.1", False, True),
        ("::1", False, True),
        ("fd12::1", False, True),
        ("::ffff:192.168.0.1", False, True),
        ("2002:c0a8:0001::1", False, True),  # 6to4 wrapping 192.168.0.1
        ("64:ff9b::a00:1", False, True),  # NAT64 wrapping 10.0.0.1
        ("169.254.169.254", False, False),  # metadata: never, whatever the switch says
        ("fe80::1", False, False),
        ("0.0.0.0", False, False),
        ("224.0.0.1", False, False),
    ],
)
def test_address_policy(address: str, default: bool, private: bool) -> None:
    ip = ipaddress.ip_address(address)
    assert (AddressPolicy().refusal(ip) is None) is default
    assert (AddressPolicy(allow_private=True).refusal(ip) is None) is private


def test_per_host_limit_bounds_concurrency(show: Config) -> None:
    with FeedServer(latency=0.15) as slow_server:
        for index in range(8):
            slow_server.feeds[f"f{index}.xml"] = (FEEDS / "atom.xml").read_bytes().replace(b"Atom example", f"Feed {index}".encode())
        paths = {f"f{index}": f"/feeds/f{index}.xml" for index in range(8)}
        config = configure(show, slow_server, paths, per_host=2)
        started = time.monotonic()
        result = ingest(config, open_store(config.state_dir))
        elapsed = time.monotonic() - started
        assert result.counts["feeds_ok"] == 8, result.failures
        assert slow_server.max_inflight == 2
        assert elapsed >= 4 * 0.15

        slow_server.max_inflight = 0
        config = configure(show, slow_server, paths, per_host=8)
        ingest(config, open_store(config.state_dir / "other"))
        assert slow_server.max_inflight > 2


def test_wrong_charset_over_http_uses_the_header(show: Config, server: FeedServer) -> None:
    body = (FEEDS / "wrong-charset.xml").read_bytes()
    server.add("/cp1251", body, headers={"Content-Type": "application/rss+xml; charset=windows-1251"})
    config = configure(show, server, {"cyrillic": "/cp1251"})
    store = open_store(config.state_dir)
    assert ingest(config, store).status == "done"
    assert [item.title for item in store.items_between(*_all_time())] == ["Новая модель Lumen-70B"]


def test_full_text_for_teasers(show: Config, server: FeedServer) -> None:
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>
<item><title>Lumen-70B</title><link>{server.url('/articles/lumen.html')}</link><description>A teaser.</description></item>
<item><title>Nothing there</title><link>{server.url('/articles/no-article.html')}</link><description>Short.</description></item>
<item><title>Gone</title><link>{server.url('/status/404')}</link><description>Short too.</description></item>
</channel></rss>"""
    server.add("/teasers", feed)
    config = configure(show, server, {"teasers": "/teasers"})
    config = config.model_copy(update={"sources": [config.sources[0].model_copy(update={"full_text": True})]})
    store = open_store(config.state_dir)
    result = ingest(config, store)
    assert result.counts["full_text"] == 1 and result.counts["full_text_failed"] == 2
    items = {item.title: item for item in store.items_between(*_all_time())}
    article = items["Lumen-70B"]
    assert "9 trillion tokens" in article.content_text and "Mara Osei" in article.content_text
    for chrome in ("MENU-CHROME", "SUBSCRIBE-PROMO", "COMMENTS-CHROME", "FOOTER-CHROME", "NAV-SCRIPT", "in-article"):
        assert chrome not in article.content_text and chrome not in article.content_html
    assert "<img" not in article.content_html and "onerror" not in article.content_html
    assert items["Nothing there"].content_text == ""
    assert any("404" in note for note in result.notes)


def test_ingest_works_inside_a_running_event_loop(show: Config, server: FeedServer) -> None:
    config = configure(show, server, {"atom": "/feeds/atom.xml"})
    store = open_store(config.state_dir)

    async def caller() -> float:
        return ingest(config, store).counts["items_new"]

    assert asyncio.run(caller()) == 2


def test_no_sources_is_skipped(show: Config) -> None:
    config = show.model_copy(update={"sources": []})
    result = ingest(config, Store(config.state_dir / "s.db"))
    assert result.status == "skipped" and result.counts["feeds"] == 0


# -- helpers --------------------------------------------------------------------------------------------------


def _all_time():
    from datetime import UTC, datetime

    return datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _settings():
    from pipeline.config import IngestSettings

    return IngestSettings(deadline=2.0, connect_timeout=1.0, read_timeout=1.0)


class _Recording(httpcore.AsyncNetworkBackend):
    """Wraps the real backend and records every address a socket was opened to."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, log: list[str]) -> None:
        self.inner, self.log = inner, log

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.log.append(host)
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
