"""Ingest: fetch every enabled source concurrently and safely, parse, and upsert clean Items into the store.

    fetch.py    Fetcher: limits, deadline, redirects checked hop by hop, bounded decompression, conditional GET
    safety.py   AddressPolicy and the guarded transport: http/https only, no private addresses (checked at connect)
    parse.py    entity guard, feedparser on the decoded text, entries -> Items (dates fixed, duplicates dropped)
    workers.py  ParsePool: each feed parsed in a worker process under a memory cap, inside the feed's deadline
    clean.py    nh3 sanitizing, plain text, canonical URLs, stable ids
    extract.py  article text for teaser-only items (optional)

A feed's problem is a row in the result (``failures``), never an exception: the run goes on with the others.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.config import Config, Source
from pipeline.errors import BriefcastError, FetchError
from pipeline.files import scratch_prefix
from pipeline.ingest.extract import extract_article, is_teaser, is_thin
from pipeline.ingest.fetch import ACCEPT_HTML, Fetched, Fetcher
from pipeline.ingest.parse import ParsedFeed, parse_feed
from pipeline.ingest.workers import ParsePool, limit_heap_arenas, release_memory
from pipeline.models import Failure, Item, StageResult
from pipeline.store import Store

__all__ = ["ingest", "ingest_async", "Fetcher", "Fetched", "parse_feed"]

log = logging.getLogger("briefcast.ingest")
MAX_ARTICLES_PER_FEED = 30  # full-text fetches per feed and run: a teaser-only firehose must not fan out forever


@dataclass
class FeedOutcome:
    """What happened to one source."""

    source: Source
    url: str
    status: str = "ok"  # ok | partial | not_modified | failed
    items_seen: int = 0
    items_new: int = 0
    failure: Failure | None = None
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def ingest(config: Config, store: Store, *, now: datetime | None = None) -> StageResult:
    """Fetch all enabled sources concurrently, parse them, upsert their Items; one failure row per failed feed."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(ingest_async(config, store, now=now))
    # Called from inside an event loop (a web app, a notebook): run ours on a thread of its own.
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["result"] = asyncio.run(ingest_async(config, store, now=now))
        except BaseException as exc:  # handed back to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=runner, name="briefcast-ingest")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


@dataclass
class _Run:
    """What the feeds of one ingest run share."""

    config: Config
    store: Store
    fetcher: Fetcher
    parser: ParsePool
    now: datetime
    articles_left: int  # full-text fetches still allowed this run (ingest.full_text_limit)


async def ingest_async(config: Config, store: Store, *, now: datetime | None = None) -> StageResult:
    """The async body of `ingest`, for callers that already run an event loop."""
    started = time.monotonic()
    fetched_at = (now or datetime.now(UTC)).astimezone(UTC)
    sources = [source for source in config.sources if source.enabled]
    if not sources:
        return _result([], time.monotonic() - started)
    limit_heap_arenas()
    config.state_dir.mkdir(parents=True, exist_ok=True)
    # Large bodies wait for their parse on disk; a killed run's folder is swept by the next run (run.py).
    with tempfile.TemporaryDirectory(prefix=scratch_prefix("ingest"), dir=config.state_dir) as spool:
        async with Fetcher(config.ingest, spool_dir=Path(spool)) as fetcher, ParsePool(config.ingest) as parser:
            run = _Run(config, store, fetcher, parser, fetched_at, config.ingest.full_text_limit)
            outcomes = await asyncio.gather(*(_ingest_feed(run, source) for source in sources))
    return _result(outcomes, time.monotonic() - started)


async def _ingest_feed(run: _Run, source: Source) -> FeedOutcome:
    config, store, fetcher, now = run.config, run.store, run.fetcher, run.now
    url = source.url
    outcome = FeedOutcome(source=source, url=url)
    state = store.feed_state(url) or {}
    try:
        fetched = await fetcher.fetch(url, etag=state.get("etag"), last_modified=state.get("last_modified"))
        if fetched.not_modified:
            store.save_feed_state(url, last_status="not_modified", last_error=None)
            outcome.status = "not_modified"
            return outcome
        content_hash = fetched.sha256
        if state.get("content_hash") == content_hash and state.get("last_status") in ("ok", "partial", "not_modified"):
            # The server has no validators but sent the same bytes: as good as a 304.
            store.save_feed_state(
                url, etag=fetched.etag, last_modified=fetched.last_modified, last_status="not_modified", last_error=None
            )
            outcome.status = "not_modified"
            outcome.notes.append(f"{source.name}: unchanged (same content, no validators)")
            return outcome
        body: bytes | Path = fetched.body_path or fetched.body
        fetched.body = b""  # the parser's copy is the only one kept while it works
        try:
            parsed = await run.parser.parse(
                body, source=source, feed_url=fetched.final_url, headers=fetched.headers, fetched=now,
                deadline_at=fetched.deadline_at,
            )  # fmt: skip
        finally:
            if fetched.body_path is not None:
                fetched.body_path.unlink(missing_ok=True)
        del body
        _account(outcome, parsed)
        mode = _full_text_mode(config, source)
        if mode:
            parsed.items = await _complete_teasers(run, parsed.items, outcome, thin_only=mode == "auto")
        outcome.items_new = await asyncio.to_thread(store.upsert_items, parsed.items)
        outcome.items_seen = len(parsed.items)
        if fetched.body_path is not None:  # a large feed: hand its items' memory back before the next one
            del parsed.items
            release_memory()
        store.save_feed_state(
            url,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            content_hash=content_hash,
            last_status=outcome.status,
            last_error=parsed.warning,
        )
    except BriefcastError as exc:
        _fail(store, outcome, exc.kind, _describe(exc))
    except Exception as exc:  # hostile input can find bugs in parsers: record it, keep the other feeds going
        log.exception("unexpected error ingesting %s", url)
        _fail(store, outcome, "internal", f"unexpected {type(exc).__name__}: {exc}; fix: report this as a bug")
    return outcome


def _account(outcome: FeedOutcome, parsed: ParsedFeed) -> None:
    name = outcome.source.name
    outcome.notes.extend(f"{name}: {note}" for note in parsed.notes)
    outcome.counts["dates_fixed"] = parsed.dates_fixed
    outcome.counts["duplicates"] = parsed.duplicates
    if parsed.truncated:
        outcome.counts["items_truncated"] = parsed.truncated
        outcome.notes.append(
            f"{name}: {parsed.truncated} item(s) longer than ingest.max_item_chars were cut to that length"
        )
    if parsed.warning:
        outcome.status = "partial"
        outcome.failure = Failure(
            subject=outcome.url,
            kind="parse_warning",
            message=f"{name}: {parsed.warning}; kept the {len(parsed.items)} item(s) that could be read; "
            "fix: tell the publisher their feed is not well-formed XML",
        )


def _fail(store: Store, outcome: FeedOutcome, kind: str, message: str) -> None:
    outcome.status = "failed"
    outcome.failure = Failure(subject=outcome.url, kind=kind, message=f"{outcome.source.name}: {message}")
    # Forget validators: the next run must fetch in full rather than trust a 304 for something never parsed.
    store.save_feed_state(
        outcome.url, etag=None, last_modified=None, content_hash=None, last_status=kind, last_error=message
    )


def _describe(exc: BriefcastError) -> str:
    text = str(exc)
    return f"{text}; fix: {exc.hint}" if exc.hint else text


def _full_text_mode(config: Config, source: Source) -> bool | str:
    """True (every teaser), "auto" (thin items only) or False, the source's setting over the show's."""
    return source.full_text if source.full_text is not None else config.ingest.full_text


async def _complete_teasers(run: _Run, items: list[Item], outcome: FeedOutcome, *, thin_only: bool) -> list[Item]:
    """Fetch and extract the article of each teaser-only item (thin items only when ``thin_only``), reusing
    earlier extractions; at most `MAX_ARTICLES_PER_FEED` per feed and ``ingest.full_text_limit`` per run, all of a
    feed's within one ``ingest.deadline``."""
    fetcher, store = run.fetcher, run.store
    wanted = is_thin if thin_only else (lambda item: is_teaser(item.text))
    done: list[Item] = []
    todo: list[int] = []
    for index, item in enumerate(items):
        known = store.item(item.id)
        if known is not None and not is_teaser(known.content_text):
            item = item.model_copy(update={"content_html": known.content_html, "content_text": known.content_text})
        elif item.url and wanted(item) and len(todo) < MAX_ARTICLES_PER_FEED:
            if run.articles_left <= 0:
                outcome.counts["full_text_skipped"] = outcome.counts.get("full_text_skipped", 0) + 1
            else:
                run.articles_left -= 1
                todo.append(index)
        done.append(item)

    async def complete(index: int) -> None:
        item = done[index]
        assert item.url is not None
        try:
            page = await fetcher.fetch(item.url, accept=ACCEPT_HTML)
            if page.body_path is not None:  # a page over the spool size: read back once, here
                page.body = page.body_path.read_bytes()
                page.body_path.unlink(missing_ok=True)
            article = await asyncio.to_thread(extract_article, page.body, page.final_url)
        except FetchError as exc:
            outcome.counts["full_text_failed"] = outcome.counts.get("full_text_failed", 0) + 1
            outcome.notes.append(f"{outcome.source.name}: full text of {item.url} not fetched: {exc}")
            return
        if article is None:
            outcome.counts["full_text_failed"] = outcome.counts.get("full_text_failed", 0) + 1
            outcome.notes.append(f"{outcome.source.name}: no article text found at {item.url}")
            return
        html, text = article
        done[index] = item.model_copy(update={"content_html": html, "content_text": text})
        outcome.counts["full_text"] = outcome.counts.get("full_text", 0) + 1

    try:
        async with asyncio.timeout(run.config.ingest.deadline):
            await asyncio.gather(*(complete(index) for index in todo))
    except TimeoutError:
        outcome.notes.append(
            f"{outcome.source.name}: article pages still loading after {run.config.ingest.deadline:g} s were given up"
        )
    return done


def _result(outcomes: list[FeedOutcome], seconds: float) -> StageResult:
    counts: dict[str, float] = {
        "feeds": len(outcomes),
        "feeds_ok": sum(o.status in ("ok", "partial") for o in outcomes),
        "feeds_failed": sum(o.status == "failed" for o in outcomes),
        "feeds_not_modified": sum(o.status == "not_modified" for o in outcomes),
        "items_seen": sum(o.items_seen for o in outcomes),
        "items_new": sum(o.items_new for o in outcomes),
    }
    for outcome in outcomes:
        for key, value in outcome.counts.items():
            counts[key] = counts.get(key, 0) + value
    failures = [o.failure for o in outcomes if o.failure]
    notes = [note for o in outcomes for note in o.notes]
    if not outcomes:
        status, notes = "skipped", ["no enabled sources in config.yaml"]
    elif counts["feeds_failed"] == len(outcomes):
        status = "failed"
    elif failures:
        status = "partial"
    else:
        status = "done"
    return StageResult(
        stage="ingest", status=status, seconds=round(seconds, 3), counts=counts, failures=failures, notes=notes
    )
