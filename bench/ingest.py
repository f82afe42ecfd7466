"""Ingest benchmark: concurrent safe fetching vs the loops a person would write, and parse rate on a 5 MB feed.

    .venv/bin/python -m bench.ingest

1. 200 feeds x 25 entries served with 100 ms latency from four loopback addresses (real feeds come from many
   hosts; the per-host limit applies as configured): `briefcast ingest` vs two baselines, same feeds, same run,
   same item count checked: `for url in urls: feedparser.parse(url)`, and the plain async loop a person would
   write today (`httpx.AsyncClient` + `asyncio.gather` over every URL, `feedparser.parse` on each body), which has
   none of briefcast's guards (address checks, size caps, per-feed deadline, sanitizing, per-host fairness).
2. A ~5 MB RSS feed: entries/s through briefcast's parse (feedparser with its sanitizer off, nh3 sanitizing, clean
   Items) vs feedparser.parse with default settings; and the same parse as a run does it, in a worker process.
Everything stays on 127.0.0.x; every loop is bounded.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import feedparser
import httpx
import yaml

from pipeline.config import Source, parse_config
from pipeline.ingest import ingest
from pipeline.ingest.parse import parse_feed
from pipeline.store import open_store
from tests.conftest import write_show
from tests.feedserver import FeedServer

FEEDS = 200
ENTRIES = 25
LATENCY = 0.1
HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
BIG_ENTRIES = 4000


def make_feed(number: int, entries: int, words: int = 60) -> bytes:
    """An RSS 2.0 feed with HTML descriptions, categories and authors, like a blog's."""
    start = datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp()
    items = []
    for index in range(entries):
        when = format_datetime(datetime.fromtimestamp(start - index * 600 - number, UTC))
        body = " ".join(f"word{(index * 7 + k) % 97}" for k in range(words))
        items.append(
            f"<item><title>Feed {number} story {index}: models &amp; more</title>"
            f"<link>https://site{number}.example.com/{index}?utm_source=rss</link>"
            f"<guid>https://site{number}.example.com/{index}</guid><pubDate>{when}</pubDate>"
            f"<author>desk@site{number}.example.com (Desk {number})</author><category>ai</category>"
            f"<description><![CDATA[<p>{body} <a href=\"/more/{index}\">more</a> <b>bold</b></p>"
            f"<script>track()</script><img src=x onerror=alert(1)>]]></description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {number}</title>'
        f"<link>https://site{number}.example.com/</link><description>d</description>{''.join(items)}</channel></rss>"
    ).encode()


def serve(latency: float = LATENCY) -> None:
    """Serve the benchmark's feeds from every loopback host until stdin closes (runs in a child process)."""
    servers = [FeedServer(latency=latency, host=host).start() for host in HOSTS]
    for number in range(FEEDS):
        servers[number % len(servers)].feeds[f"f{number}.xml"] = make_feed(number, ENTRIES)
    print(" ".join(server.base for server in servers), flush=True)
    sys.stdin.read()  # the parent closes our stdin when it is done (or dies)
    for server in servers:
        server.stop()


async def _plain_async(urls: list[str]) -> int:
    """The baseline a person would write: fetch everything at once with httpx, parse each body with feedparser."""
    async with httpx.AsyncClient(timeout=30, follow_redirects=True) as client:

        async def one(url: str) -> int:
            response = await client.get(url)
            return len(feedparser.parse(response.content, response_headers=dict(response.headers)).entries)

        return sum(await asyncio.gather(*(one(url) for url in urls)))


def _fetch_rows() -> list[dict]:
    # The feed servers run in their own process, as remote servers would: their threads must not take the
    # benchmarked process's CPU (or its GIL).
    child = subprocess.Popen(
        [sys.executable, "-c", "import bench.ingest as b; b.serve()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert child.stdout is not None
        bases = child.stdout.readline().split()
        assert len(bases) == len(HOSTS), "feed servers did not start"
        urls = [f"{bases[number % len(bases)]}/feeds/f{number}.xml" for number in range(FEEDS)]

        with tempfile.TemporaryDirectory() as folder:
            path = write_show(Path(folder) / "show", ingest={"allow_private_networks": True})
            config = parse_config(yaml.safe_load(path.read_text()), path=path)
            config = config.model_copy(update={"sources": [Source(name=f"f{n}", url=u) for n, u in enumerate(urls)]})
            store = open_store(config.state_dir)
            started = time.perf_counter()
            result = ingest(config, store)
            ours = time.perf_counter() - started
            ours_items = int(result.counts["items_seen"])
            assert result.counts["feeds_ok"] == FEEDS, result.failures[:3]
            store.close()

        started = time.perf_counter()
        base_items = sum(len(feedparser.parse(url).entries) for url in urls)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        async_items = asyncio.run(_plain_async(urls))
        plain_async = time.perf_counter() - started
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=30)
    same = "same" if ours_items == base_items == async_items else (
        f"DIFFERENT ({ours_items} vs {base_items} vs {async_items})")
    return [
        {
            "figure": f"fetch+parse {FEEDS} feeds x {ENTRIES} entries, {LATENCY * 1000:.0f} ms latency (s)",
            "briefcast": round(ours, 2),
            "baseline": round(baseline, 2),
            "ratio": round(baseline / ours, 1),
            "target": ">= 8x faster than sequential feedparser.parse(url)",
            "ok": baseline / ours >= 8,
        },
        {
            "figure": "the same fetch+parse, vs plain async httpx + feedparser (s)",
            "briefcast": round(ours, 2),
            "baseline": round(plain_async, 2),
            "ratio": round(plain_async / ours, 2),
            "target": ">= 0.8x the unguarded loop's speed, with every guard on",
            "ok": plain_async / ours >= 0.8,
        },
        {"figure": "items from those feeds", "briefcast": ours_items, "baseline": base_items, "ratio": None, "target": same,
         "ok": same == "same"},
    ]


def _parse_rows() -> list[dict]:
    body = make_feed(0, BIG_ENTRIES, words=180)
    source = Source(name="big", url="https://big.example.com/feed")
    fetched = datetime(2026, 3, 11, tzinfo=UTC)
    headers = {"content-type": "application/rss+xml; charset=utf-8"}
    started = time.perf_counter()
    parsed = parse_feed(body, source=source, feed_url=source.url, headers=headers, fetched=fetched)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    base = feedparser.parse(body, response_headers=headers)
    baseline = time.perf_counter() - started
    assert len(parsed.items) == len(base.entries) == BIG_ENTRIES
    pooled, pool_seconds = asyncio.run(_parse_in_worker(body, source, headers, fetched))
    assert len(pooled.items) == BIG_ENTRIES
    ours_rate, base_rate, pool_rate = BIG_ENTRIES / ours, BIG_ENTRIES / baseline, BIG_ENTRIES / pool_seconds
    return [
        {
            "figure": f"parse a {len(body) / 1e6:.1f} MB feed, {BIG_ENTRIES} entries (entries/s)",
            "briefcast": round(ours_rate),
            "baseline": round(base_rate),
            "ratio": round(ours_rate / base_rate, 2),
            "target": ">= feedparser defaults, while also sanitizing with nh3 and building Items",
        },
        {
            "figure": "the same, as a run parses: in a worker process, items sent back (entries/s)",
            "briefcast": round(pool_rate),
            "baseline": round(base_rate),
            "ratio": round(pool_rate / base_rate, 2),
            "target": ">= 0.8x feedparser defaults in-process, with the memory and time bounds on",
        },
    ]


async def _parse_in_worker(body: bytes, source: Source, headers: dict[str, str], fetched: datetime):
    from pipeline.config import IngestSettings
    from pipeline.ingest.workers import ParsePool

    async with ParsePool(IngestSettings(deadline=120)) as pool:
        await pool.parse(make_feed(1, 2), source=source, feed_url=source.url, headers=headers, fetched=fetched)  # warm
        started = time.perf_counter()
        parsed = await pool.parse(body, source=source, feed_url=source.url, headers=headers, fetched=fetched)
        return parsed, time.perf_counter() - started


def run() -> list[dict]:
    """The benchmark rows (see the module docstring)."""
    return _fetch_rows() + _parse_rows()


if __name__ == "__main__":
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "briefcast", "baseline", "ratio", "target", title="bench.ingest")
    for row in run():
        table.add_row(*(str(row[key]) if row[key] is not None else "-" for key in ("figure", "briefcast", "baseline", "ratio", "target")))
    Console().print(table)
