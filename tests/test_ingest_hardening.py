"""Holes that hostile testing found in ingest (issue 14), each pinned by a test: entity-guard bypasses, parse
memory and time bounds, feeds overwriting each other's items, slow hosts starving others, and the small ones."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from pipeline.config import PROJECT_DIR

# Six ways past a guard that decodes differently from the parser. Made here, small: each expands to about 45 MB
# of text in feedparser's loose parser when let through (gigabytes at the sizes seen in the wild).
BYPASSES = textwrap.dedent(
    """
    def bomb(decl='<?xml version="1.0"?>', prefix=""):
        value = "lol" * 500
        return (f'{decl}\\n{prefix}<!DOCTYPE rss [\\n<!ENTITY a "{value}">\\n]>\\n'
                '<rss version="2.0"><channel><title>bomb</title><item><title>x & y forces the loose parser</title>'
                f'<description>{"&a;" * 10000}</description></item></channel></rss>')

    XML = "application/rss+xml"
    BYPASSES = {
        "comment-longer-than-1-MiB": (bomb(prefix="<!--" + "x" * (1024 * 1024 + 16) + "-->\\n").encode(), XML),
        "utf-32-be-no-bom": (bomb('<?xml version="1.0" encoding="utf-32"?>').encode("utf-32-be"), XML),
        "utf-32-le-no-bom": (bomb('<?xml version="1.0" encoding="utf-32"?>').encode("utf-32-le"), XML),
        "ebcdic": (bomb('<?xml version="1.0" encoding="cp037"?>').encode("cp037"), XML),
        "charset-utf-7": (bomb().encode("utf-7").replace(b"<!", b"+ADwAIQ-"), XML + "; charset=utf-7"),
        "utf-16le-leading-newline": (("\\n" + bomb()).encode("utf-16-le"), XML + "; charset=utf-16le"),
    }
    """
)


def run_isolated(script: str, *, address_space_mb: int = 1024, timeout: float = 120) -> list[dict]:
    """Run ``script`` in a fresh interpreter under an address-space limit; it prints one JSON object a line."""
    prelude = textwrap.dedent(
        f"""
        import json, resource, sys, time, tracemalloc
        sys.path.insert(0, {str(PROJECT_DIR)!r})
        resource.setrlimit(resource.RLIMIT_AS, ({address_space_mb} * 2**20, resource.RLIM_INFINITY))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + script], capture_output=True, text=True, timeout=timeout, cwd=Path.cwd()
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_entity_guard_bypasses_are_refused_with_bounded_memory() -> None:
    script = BYPASSES + textwrap.dedent(
        """
        from datetime import UTC, datetime
        from pipeline.config import Source
        from pipeline.errors import ParseError
        from pipeline.ingest.parse import parse_feed

        source = Source(name="hostile", url="https://hostile.example/feed")
        for name, (body, content_type) in BYPASSES.items():
            tracemalloc.start()
            started = time.process_time()
            try:
                parsed = parse_feed(body, source=source, feed_url=source.url, headers={"content-type": content_type},
                                    fetched=datetime.now(UTC))
                outcome = f"parsed {sum(len(item.text) for item in parsed.items):,} characters"
            except ParseError as exc:
                outcome = "refused: " + str(exc)
            except MemoryError:
                outcome = "MemoryError"
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(json.dumps({"name": name, "bytes": len(body), "outcome": outcome, "peak": peak,
                              "cpu": time.process_time() - started}))
        """
    )
    rows = run_isolated(script)
    assert [row["name"] for row in rows] == [
        "comment-longer-than-1-MiB", "utf-32-be-no-bom", "utf-32-le-no-bom", "ebcdic", "charset-utf-7",
        "utf-16le-leading-newline",
    ]
    for row in rows:
        assert row["outcome"].startswith("refused: ") and "declares XML entities" in row["outcome"], row
        assert row["peak"] < 10 * 2**20, f"{row['name']}: peak {row['peak'] / 1e6:.1f} MB"
