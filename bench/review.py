"""The review app under oversized edits: what a 900 KB paste, the largest allowed text and the page cost now.

Baseline, measured in the same run: a one-sentence edit and the page of the untouched episode. Before issue 15 a
900 KB edit froze the server (6 s per request, 38,029 flags, a 53 MB page); now it is refused before any check.

    python -m bench review
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parents[1]
DAY = Date(2026, 3, 10)
AT = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
SOURCE = "The Senate committee voted 14-7 to advance the AI bill on Tuesday. Revenue was 2.1 billion in 2025."


def _show(folder: Path) -> Any:
    from pipeline.config import load_config
    from pipeline.files import save_episode
    from pipeline.models import Episode, Item, Segment, SourceRef, Story, StorySource
    from pipeline.review.draftmd import write_draft_md
    from pipeline.store import open_store

    data = yaml.safe_load((PROJECT / "config.yaml").read_text())
    data["audio"] = {**data["audio"], "enabled": False}
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    config = load_config(folder / "config.yaml")
    story = Story(id="s-bill", title="AI bill advances", published=AT, segment="policy", sources=[
        StorySource(item_id="i1", outlet="Policy Wire", title="AI bill clears committee", published=AT, excerpt=SOURCE)])
    ref = SourceRef(n=1, story_id="s-bill", item_id="i1", outlet="Policy Wire", title="AI bill clears committee")
    episode = Episode(date=DAY, show="bench", title="Bench episode", stories=[story], segments=[
        Segment(id="policy", kind="policy", title="Policy", story_ids=["s-bill"], sources=[ref],
                text="The committee voted 14-7 [1].", script="The committee voted fourteen to seven."),
        Segment(id="other", kind="headlines", title="Other", sources=[ref], story_ids=["s-bill"],
                text="The bill advanced on Tuesday [1].", script="The bill advanced on Tuesday."),
    ])
    store = open_store(config.state_dir)
    store.upsert_items([Item(id="i1", source="Policy Wire", feed_url="https://feeds.example/x", title="AI bill",
                             published=AT, fetched=AT, content_text=SOURCE)])
    store.close()
    save_episode(config.episodes_dir, episode)
    write_draft_md(config, episode)
    return config


def _page_ms(config: Any) -> tuple[float, int]:
    import httpx
    import uvicorn

    from pipeline.review.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config, host="127.0.0.1", port=port), log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        url = f"http://127.0.0.1:{port}/episodes/{DAY}"
        httpx.get(url)  # templates compiled
        started = time.perf_counter()
        answer = httpx.get(url)
        return (time.perf_counter() - started) * 1000, len(answer.content)
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


def run() -> list[dict[str, Any]]:
    from pipeline.errors import ReviewError
    from pipeline.review import workflow

    os.environ.setdefault("BRIEFCAST_EDITOR", "bench")
    with tempfile.TemporaryDirectory() as scratch:
        config = _show(Path(scratch) / "show")
        page_before, bytes_before = _page_ms(config)
        started = time.perf_counter()
        workflow.edit_segment(config, DAY, "other", text="The bill advanced on a Tuesday [1].", base_version=1,
                              editor="bench")
        small = (time.perf_counter() - started) * 1000
        huge = "Revenue grew 97% in 2025 [1]. " * 30_000
        started = time.perf_counter()
        try:
            workflow.edit_segment(config, DAY, "policy", text=huge, base_version=1, editor="bench")
            refused = False
        except ReviewError:
            refused = True
        huge_ms = (time.perf_counter() - started) * 1000
        largest = " ".join(f"Revenue was {n}.{n} billion in {1900 + n} [1]." for n in range(1, 2000))
        largest = largest[: config.review.max_text_chars]
        started = time.perf_counter()
        episode = workflow.edit_segment(config, DAY, "policy", text=largest, base_version=1, editor="bench")
        largest_ms = (time.perf_counter() - started) * 1000
        flags = len(episode.segment("policy").flags)
        page_after, bytes_after = _page_ms(config)
    wait = config.review.recheck_seconds
    return [
        {"figure": "900 KB edit refused (ms) vs one-sentence edit", "briefcast": round(huge_ms, 2),
         "baseline": round(small, 1), "ratio": round(huge_ms / small, 3), "target": "refused, < 50 ms",
         "ok": refused and huge_ms < 50},
        {"figure": f"largest allowed edit ({config.review.max_text_chars:,} chars, all claims) ms",
         "briefcast": round(largest_ms), "baseline": round(small, 1), "ratio": round(largest_ms / small, 1),
         "target": f"< {wait:g} s (review.recheck_seconds)", "ok": largest_ms < wait * 1000},
        {"figure": "flags kept from that edit", "briefcast": flags, "baseline": None, "ratio": None,
         "target": f"<= {workflow.MAX_FLAGS_PER_SEGMENT + 1}"},
        {"figure": "episode page after it (ms; was 33 s)", "briefcast": round(page_after, 1),
         "baseline": round(page_before, 1), "ratio": round(page_after / page_before, 2), "target": "< 2 s",
         "ok": page_after < 2000},
        {"figure": "episode page after it (KB; was 53 MB)", "briefcast": bytes_after // 1024,
         "baseline": bytes_before // 1024, "ratio": round(bytes_after / bytes_before, 1), "target": "<= 1024"},
    ]

if __name__ == "__main__":
    for row in run():
        print(row)
