"""What every delivery target shares: the two Protocols, the registry, the ledger, secrets and the scrubber.

A target is either an **email** backend (it gets the newsletter to readers) or a **hosting** target (it puts the
published files where podcast apps and browsers fetch them). Both register under the name config.yaml uses::

    @register_backend("mine", role="email")
    def _make(spec, config) -> EmailBackend:
        return MyBackend(spec, config)

The ledger is the ``deliveries`` table: one row per (episode, target, item), where an item is a recipient, an
object key or a step such as ``campaign``. A row is ``sending`` while the item is in flight, then ``sent`` or
``failed``. What is ``sent`` is never done again; a row left ``sending`` by a crash is settled on the next run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import date as Date
from typing import Any, Literal, Protocol

from pipeline.config import Config, DeliverTarget
from pipeline.errors import DeliveryError
from pipeline.models import Episode, Failure
from pipeline.publish.newsletter import UNSUBSCRIBE_PLACEHOLDER
from pipeline.registry import DELIVER

Role = Literal["email", "hosting"]


# -- secrets ----------------------------------------------------------------------------------------------------


def secret(env_name: str, *, subject: str, what: str) -> str:
    """The value of an environment variable named in config; a clear error naming the variable when unset."""
    value = os.environ.get(env_name, "")
    if not value:
        raise DeliveryError(
            f"{what} is not set: the environment variable {env_name} is empty", subject=subject,
            hint=f"export {env_name}=... before running (secrets come only from the environment, never config.yaml)",
        )
    return value


class Scrubber:
    """Replaces every secret value (and its base64 forms, as SMTP AUTH and basic auth send them) with a marker.

    Every message that leaves a target (failure rows, notes, the ledger's error column, notices to editors)
    goes through it, so a server that echoes a key back in an error never puts it in run.json. User names are not
    secrets, but ``user:secret`` pairs are, so they are scrubbed too.
    """

    def __init__(self, env_names: Iterable[str], user_env_names: Iterable[str] = ()) -> None:
        values = [(os.environ.get(name, ""), f"[${name}]") for name in sorted(set(env_names))]
        values = [(value, marker) for value, marker in values if len(value) >= 4]
        users = [os.environ.get(name, "") for name in sorted(set(user_env_names))]
        self.secrets: list[tuple[str, str]] = []
        for value, marker in values:
            self.secrets += [(value, marker), (base64.b64encode(value.encode()).decode(), marker)]
            for user in filter(None, users):  # as sent on the wire: basic auth, listmonk tokens, AUTH PLAIN
                for joined in (f"{user}:{value}", f"\0{user}\0{value}"):
                    self.secrets.append((base64.b64encode(joined.encode()).decode(), "[credentials]"))
        self.secrets.sort(key=lambda pair: -len(pair[0]))

    def __call__(self, text: Any) -> str:
        text = str(text)
        for value, marker in self.secrets:
            text = text.replace(value, marker)
        return text


_USER_KEYS = {"username_env"}


def secret_env_names(config: Config) -> tuple[list[str], list[str]]:
    """The ``*_env`` settings of the delivery targets: (variables holding secrets, variables holding user names)."""
    secrets: list[str] = []
    users: list[str] = []
    for spec in config.deliver:
        for key, value in spec.model_dump().items():
            if key.endswith("_env") and value:
                (users if key in _USER_KEYS else secrets).append(str(value))
    return secrets, users


# -- the ledger (deliveries table) ------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Ledger:
    """The rows of one (episode, target) in the deliveries table."""

    def __init__(self, store: Any, day: Date, target: str, scrub: Callable[[Any], str]) -> None:
        self.store = store
        self.day = day.isoformat()
        self.target = target
        self.scrub = scrub

    def get(self, item: str) -> dict[str, Any] | None:
        rows = self.store.query("SELECT * FROM deliveries WHERE episode_date = ? AND target = ? AND item = ?",
                                (self.day, self.target, item))
        return dict(rows[0]) if rows else None

    def statuses(self) -> dict[str, dict[str, Any]]:
        rows = self.store.query("SELECT * FROM deliveries WHERE episode_date = ? AND target = ?",
                                (self.day, self.target))
        return {row["item"]: dict(row) for row in rows}

    def last_sent_digest(self, item: str) -> str | None:
        """The digest of the last successful delivery of ``item`` to this target, whatever the episode."""
        rows = self.store.query(
            "SELECT digest FROM deliveries WHERE target = ? AND item = ? AND status = 'sent' "
            "ORDER BY updated DESC LIMIT 1", (self.target, item))
        return rows[0]["digest"] if rows else None

    def delivered_items(self) -> set[str]:
        """Every item this target holds from earlier deliveries (any episode): what is online there."""
        rows = self.store.query("SELECT DISTINCT item FROM deliveries WHERE target = ? AND status = 'sent'",
                                (self.target,))
        return {row["item"] for row in rows}

    def removed(self, item: str) -> None:
        """``item`` was taken down: no earlier delivery of it counts any more (a later one uploads it again)."""
        with self.store.transaction() as db:
            db.execute("UPDATE deliveries SET status = 'removed', updated = ? WHERE target = ? AND item = ? "
                       "AND status = 'sent'", (_now(), self.target, item))

    def _write(self, item: str, status: str, digest: str, *, remote_id: str | None = None,
               error: str | None = None, attempt: bool = False) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO deliveries (episode_date, target, item, digest, status, attempts, remote_id, error,"
                " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(episode_date, target, item) DO UPDATE SET"
                " digest = excluded.digest, status = excluded.status, attempts = attempts + ?,"
                " remote_id = COALESCE(excluded.remote_id, remote_id), error = excluded.error,"
                " updated = excluded.updated",
                (self.day, self.target, item, digest, status, int(attempt), remote_id,
                 self.scrub(error) if error else None, _now(), int(attempt)),
            )

    def begin(self, item: str, digest: str = "") -> None:
        """Mark ``item`` in flight (committed before anything is sent, so a crash leaves a trace)."""
        self._write(item, "sending", digest, attempt=True)

    def done(self, item: str, digest: str = "", remote_id: str | None = None) -> None:
        self._write(item, "sent", digest, remote_id=remote_id)

    def failed(self, item: str, digest: str, error: str) -> None:
        self._write(item, "failed", digest, error=error)


# -- what a target is given -------------------------------------------------------------------------------------


@dataclass
class Newsletter:
    """The approved issue as written by publish (newsletter.html/.txt/.md), ready to send."""

    subject: str
    html: str
    text: str
    markdown: str
    page_url: str

    @property
    def digest(self) -> str:
        return hashlib.sha256("\0".join([self.subject, self.html, self.text, self.markdown]).encode()).hexdigest()[:32]

    def filled(self, unsubscribe: str) -> tuple[str, str, str]:
        """(html, text, markdown) with the unsubscribe placeholder replaced (a URL or a mailing tool's tag)."""
        return tuple(part.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe)  # type: ignore[return-value]
                     for part in (self.html, self.text, self.markdown))


@dataclass
class Job:
    """One target's share of one delivery: what to send, where to record it, where to report."""

    config: Config
    spec: DeliverTarget
    episode: Episode
    ledger: Ledger
    scrub: Scrubber
    newsletter: Newsletter | None = None
    counts: dict[str, float] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def key(self) -> str:
        """A name for this issue that a mailing service can be searched by (campaign name, metadata)."""
        show = re.sub(r"[^a-z0-9]+", "-", self.config.show.title.lower()).strip("-") or "show"
        return f"briefcast:{show}:{self.episode.date.isoformat()}"

    def count(self, name: str, n: float = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def fail(self, what: str, message: str, *, hint: str | None = None, kind: str = "delivery") -> None:
        text = f"{message}; fix: {hint}" if hint else message
        self.failures.append(Failure(subject=f"{self.label}: {what}" if what else self.label, kind=kind,
                              message=self.scrub(text)))

    def note(self, text: str) -> None:
        self.notes.append(self.scrub(f"{self.label}: {text}"))


# -- the two kinds of target, and the registry ------------------------------------------------------------------


class EmailBackend(Protocol):
    """Gets the newsletter to the list, once per recipient (or once per issue for a mailing service)."""

    name: str

    def send(self, job: Job) -> None: ...

    def send_test(self, job: Job, address: str) -> None: ...


class HostingTarget(Protocol):
    """Puts one published file where it is served, or takes one down; raises DeliveryError when it cannot."""

    name: str

    def upload(self, key: str, data: bytes, content_type: str, cache_control: str) -> str | None: ...

    def present(self, key: str, data: bytes) -> bool: ...

    def remove(self, key: str) -> None: ...


BackendFactory = Callable[[Any, Config], Any]


def register_backend(name: str, *, role: Role) -> Callable[[BackendFactory], BackendFactory]:
    """Register a target factory ``(spec, config) -> backend`` under the ``type`` config.yaml uses.

    The shared registry shape (pipeline/registry.py, ``DELIVER``), with the target's role kept beside it."""
    return DELIVER.register(name, role=role)


def backend_names() -> list[str]:
    return DELIVER.names()


def role_of(spec: DeliverTarget) -> Role:
    return _lookup(spec)[0]


def make_backend(spec: DeliverTarget, config: Config) -> Any:
    """A new backend for one target (vendor SDKs are imported here, only when the target is configured)."""
    return _lookup(spec)[1](spec, config)


def _lookup(spec: DeliverTarget) -> tuple[Role, BackendFactory]:
    kind = getattr(spec, "type", None)
    try:
        entry = DELIVER.get(str(kind))
    except KeyError:
        raise DeliveryError(f"unknown delivery target type {kind!r}", subject=spec.label,
                            hint=f"use one of: {', '.join(backend_names())}") from None
    return entry.meta["role"], entry.factory
