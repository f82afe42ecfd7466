"""The show's state: SQLite at ``.briefcast/state.db`` (WAL), with numbered migrations.

Tables: ``feeds`` (fetch validators and last outcome), ``items`` (every article seen, its own publisher's version,
with when it was first seen), ``sightings`` (every feed that listed each article),
``llm_calls`` (log and cache of every model call), ``tts_cache`` (synthesized segment audio), ``coverage``
(stories earlier episodes covered, for memory across days), ``runs`` and ``deliveries`` (what was sent or
uploaded where, once).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.errors import StoreError
from pipeline.models import Item

MIGRATIONS: list[str] = [
    # 1: the spine
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        last_fetch TEXT,
        last_status TEXT,
        last_error TEXT,
        content_hash TEXT
    );
    CREATE TABLE items (
        id TEXT PRIMARY KEY,
        feed_url TEXT NOT NULL,
        source TEXT NOT NULL,
        url TEXT,
        guid TEXT,
        title TEXT NOT NULL,
        published TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX items_published ON items(published);
    CREATE INDEX items_feed ON items(feed_url);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        date TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL,
        report TEXT
    );
    """,
    # 2: language model calls, log and cache in one table
    """
    CREATE TABLE llm_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cache_key TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        purpose TEXT,
        tokens_in INTEGER NOT NULL DEFAULT 0,
        tokens_out INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        latency_s REAL NOT NULL DEFAULT 0,
        ok INTEGER NOT NULL,
        response TEXT,
        error TEXT,
        created TEXT NOT NULL
    );
    CREATE INDEX llm_calls_key ON llm_calls(cache_key, ok);
    """,
    # 3: synthesized audio and what earlier episodes covered
    """
    CREATE TABLE tts_cache (
        cache_key TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        characters INTEGER NOT NULL,
        seconds REAL NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE coverage (
        episode_date TEXT NOT NULL,
        story_id TEXT NOT NULL,
        title TEXT NOT NULL,
        item_ids TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (episode_date, story_id)
    );
    """,
    # 4: deliveries: each (episode, target, message or object) and its result, so a delivery happens once
    """
    CREATE TABLE deliveries (
        episode_date TEXT NOT NULL,
        target TEXT NOT NULL,
        item TEXT NOT NULL,
        digest TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        remote_id TEXT,
        error TEXT,
        updated TEXT NOT NULL,
        PRIMARY KEY (episode_date, target, item)
    );
    CREATE INDEX deliveries_item ON deliveries(target, item, status);
    """,
    # 5: sightings: every feed that listed an article; the items row keeps its own publisher's version
    """
    CREATE TABLE sightings (
        item_id TEXT NOT NULL,
        feed_url TEXT NOT NULL,
        source TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        PRIMARY KEY (item_id, feed_url)
    );
    INSERT INTO sightings (item_id, feed_url, source, first_seen, last_seen)
        SELECT id, feed_url, source, first_seen, last_seen FROM items;
    """,
    # 6: prompt tokens the model server reused from its KV cache (prefix cache), per call
    """
    ALTER TABLE llm_calls ADD COLUMN tokens_cached INTEGER NOT NULL DEFAULT 0;
    """,
]


def utcnow() -> datetime:
    return datetime.now(UTC)


_SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go"}


def _site(url: str | None) -> str | None:
    """The site a URL belongs to, roughly its registrable domain: news.example.co.uk -> example.co.uk."""
    host = (urlsplit(url).hostname or "") if url else ""
    if host.replace(".", "").isdigit() or ":" in host:
        return host  # an IP address is its own site
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2:
        return host or None
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _publishes(url: str | None, feed_url: str) -> bool:
    """Whether a feed is on the site of the article it links to (the article's own publisher)."""
    site = _site(url)
    return site is not None and site == _site(feed_url)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class Store:
    """One show's state database. Safe to share between threads (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StoreError("cannot open the state database", subject=str(self.path)) from exc
        self._lock = threading.RLock()
        self._migrate()

    # -- plumbing ---------------------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"the state database is from a newer briefcast (schema {version}, this one knows "
                    f"{len(MIGRATIONS)})",
                    subject=str(self.path),
                    hint="upgrade briefcast",
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def schema_version(self) -> int:
        return self.query("PRAGMA user_version")[0][0]

    # -- feeds ------------------------------------------------------------------------------------------------

    def feed_state(self, url: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM feeds WHERE url = ?", (url,))
        return dict(rows[0]) if rows else None

    def save_feed_state(self, url: str, **fields: Any) -> None:
        fields["last_fetch"] = _iso(utcnow())
        columns = ", ".join(fields)
        updates = ", ".join(f"{name} = excluded.{name}" for name in fields)
        with self.transaction() as db:
            db.execute(
                f"INSERT INTO feeds (url, {columns}) VALUES (?{', ?' * len(fields)}) "
                f"ON CONFLICT(url) DO UPDATE SET {updates}",
                (url, *fields.values()),
            )

    # -- items ------------------------------------------------------------------------------------------------

    def upsert_items(self, items: Iterable[Item]) -> int:
        """Store items; returns how many were new.

        An item id is one article. Its row holds its own publisher's version: the feed on the site the link
        belongs to, else the feed that listed it first. Another feed listing the same article adds a sighting
        and changes nothing else, so no feed can rewrite another outlet's titles and text or take its name.
        ``first_seen`` and ``published``, once assigned, are kept: a feed that changes does not re-date its
        undated entries with today's fetch time, and old items never come back as today's news.
        """
        now = _iso(utcnow())
        new = 0
        with self.transaction() as db:
            for item in items:
                db.execute(
                    "INSERT INTO sightings (item_id, feed_url, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT(item_id, feed_url) DO UPDATE SET source = excluded.source,"
                    " last_seen = excluded.last_seen",
                    (item.id, item.feed_url, item.source, now, now),
                )
                row = db.execute(
                    "SELECT feed_url, url, first_seen, published FROM items WHERE id = ?", (item.id,)
                ).fetchone()
                if row is None:
                    first_seen, published = now, _iso(item.published)
                elif row["feed_url"] == item.feed_url or (
                    _publishes(item.url, item.feed_url) and not _publishes(row["url"], row["feed_url"])
                ):
                    first_seen, published = row["first_seen"], row["published"]
                else:  # another outlet's article: a sighting only
                    db.execute("UPDATE items SET last_seen = ? WHERE id = ?", (now, item.id))
                    continue
                stored = item.model_copy(
                    update={
                        "first_seen": datetime.fromisoformat(first_seen),
                        "published": datetime.fromisoformat(published),
                    }
                )
                db.execute(
                    "INSERT INTO items (id, feed_url, source, url, guid, title, published, first_seen, last_seen, data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET feed_url = excluded.feed_url, source = excluded.source,"
                    " title = excluded.title, url = excluded.url, guid = excluded.guid,"
                    " last_seen = excluded.last_seen, data = excluded.data",
                    (
                        item.id,
                        item.feed_url,
                        item.source,
                        item.url,
                        item.guid,
                        item.title,
                        published,
                        first_seen,
                        now,
                        stored.model_dump_json(),
                    ),
                )
                new += row is None
        return new

    def sightings(self, item_id: str) -> list[dict[str, Any]]:
        """Every feed that listed the item (feed_url, source, first_seen, last_seen), earliest first."""
        rows = self.query(
            "SELECT feed_url, source, first_seen, last_seen FROM sightings WHERE item_id = ? "
            "ORDER BY first_seen, feed_url",
            (item_id,),
        )
        return [dict(row) for row in rows]

    def items_between(self, start: datetime, end: datetime) -> list[Item]:
        """Items published in [start, end), oldest first."""
        rows = self.query(
            "SELECT data FROM items WHERE published >= ? AND published < ? ORDER BY published, id",
            (_iso(start), _iso(end)),
        )
        return [Item.model_validate_json(row["data"]) for row in rows]

    def item(self, item_id: str) -> Item | None:
        rows = self.query("SELECT data FROM items WHERE id = ?", (item_id,))
        return Item.model_validate_json(rows[0]["data"]) if rows else None

    def count_items(self) -> int:
        return self.query("SELECT COUNT(*) FROM items")[0][0]

    # -- coverage (memory across days) --------------------------------------------------------------------------

    def record_coverage(self, episode_date: str, stories: Iterable[tuple[str, str, list[str], str]]) -> None:
        """Remember (story id, title, item ids, text) an episode covered; replaces that episode's rows."""
        with self.transaction() as db:
            db.execute("DELETE FROM coverage WHERE episode_date = ?", (episode_date,))
            db.executemany(
                "INSERT INTO coverage (episode_date, story_id, title, item_ids, text) VALUES (?, ?, ?, ?, ?)",
                [(episode_date, sid, title, json.dumps(ids), text) for sid, title, ids, text in stories],
            )

    def coverage_before(self, episode_date: str, since: str) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT * FROM coverage WHERE episode_date < ? AND episode_date >= ? ORDER BY episode_date",
            (episode_date, since),
        )
        return [{**dict(row), "item_ids": json.loads(row["item_ids"])} for row in rows]

    # -- runs -------------------------------------------------------------------------------------------------

    def start_run(self, day: str) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (date, started, status) VALUES (?, ?, 'running')", (day, _iso(utcnow()))
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, report: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished = ?, status = ?, report = ? WHERE id = ?",
                (_iso(utcnow()), status, json.dumps(report, default=str), run_id),
            )


def open_store(state_dir: Path) -> Store:
    return Store(Path(state_dir) / "state.db")
