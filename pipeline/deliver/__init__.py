"""Deliver: the published episode reaches its readers and listeners, once per target.

``deliver(config, day)`` runs after ``publish`` (which calls it) or by itself (``briefcast deliver D``): first every
hosting target (``folder``, ``s3``) gets the changed public files, feed.xml last; then, if they all succeeded,
every email target (``smtp``, ``buttondown``, ``listmonk``) gets the newsletter, so no reader follows a link to a
page or an MP3 that is not online yet. Each message, object and step is a row in the ``deliveries`` table, so a
re-run, a crash half-way or a second publish resumes what failed and repeats nothing that succeeded. Failures are
rows of the returned `StageResult` (cause and fix), kept in ``.briefcast/deliveries/<date>.json`` and sent to the
editors through `pipeline.notify`. ``test_address`` sends one test copy per email target to that address only.

Secrets come only from environment variables named in config; every message is scrubbed of their values.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date as Date
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.deliver import hosting, s3, services, smtp  # noqa: F401 - built-in backends register on import
from pipeline.deliver.base import (
    EmailBackend,
    HostingTarget,
    Job,
    Ledger,
    Newsletter,
    Scrubber,
    backend_names,
    make_backend,
    register_backend,
    role_of,
    secret_env_names,
)
from pipeline.errors import BriefcastError, DeliveryError, LockedError
from pipeline.files import load_episode, write_json
from pipeline.models import Episode, StageResult

__all__ = [
    "EmailBackend", "HostingTarget", "Job", "Newsletter", "backend_names", "deliver", "last_delivery",
    "load_newsletter", "register_backend",
]


def load_newsletter(config: Config, episode: Episode) -> Newsletter:
    """The rendered newsletter files of an episode (what the editor approved), as an email."""
    folder = config.episode_dir(episode.date)
    parts = {}
    for name in ("newsletter.html", "newsletter.txt", "newsletter.md"):
        try:
            parts[name] = (folder / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DeliveryError(f"{name} has not been rendered for this episode", subject=episode.date.isoformat(),
                                hint=f"briefcast render --date {episode.date}") from None
    subject = episode.title.strip() or f"{config.show.title}, {episode.date.isoformat()}"
    return Newsletter(subject=subject, html=parts["newsletter.html"], text=parts["newsletter.txt"],
                      markdown=parts["newsletter.md"], page_url=f"{config.site.base_url}{episode.date.isoformat()}/")


def _report_path(config: Config, day: Date) -> Path:
    return config.state_dir / "deliveries" / f"{day.isoformat()}.json"


def last_delivery(config: Config, day: Date) -> StageResult | None:
    """The report of the last delivery of ``day`` (None when it was never delivered)."""
    try:
        return StageResult.model_validate_json(_report_path(config, day).read_bytes())
    except (OSError, ValueError):
        return None


@contextmanager
def _delivery_lock(config: Config) -> Iterator[None]:
    """One delivery per show at a time: two at once could both send to the same recipient."""
    path = config.state_dir / "deliver.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError("another delivery of this show is in progress", subject=str(path),
                              hint="wait for it to finish, then run briefcast deliver again") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def deliver(config: Config, day: Date, *, test_address: str | None = None, store: Any = None,
            notify: bool = True) -> StageResult:
    """Deliver a published episode to every enabled target (or a test copy to one address); never raises for a
    target's failure: it is a row in the result."""
    started = time.monotonic()
    result = StageResult(stage="deliver")
    targets = [spec for spec in config.deliver if spec.enabled]
    if not targets:
        result.status = "skipped"
        result.notes.append("no deliver: targets in config.yaml; the published files are in episodes/")
        return result
    episode = load_episode(config.episodes_dir, day)
    if test_address is not None:
        _check_address(test_address)
    elif episode.status != "published":
        raise DeliveryError(f"this episode is {episode.status}, not published", subject=day.isoformat(),
                            hint=f"briefcast publish {day} (it delivers), or --test ADDRESS for a test copy")
    scrub = Scrubber(*secret_env_names(config))
    own_store = store is None
    if own_store:
        from pipeline.store import open_store

        store = open_store(config.state_dir)
    try:
        with _delivery_lock(config):
            jobs = _run(config, episode, store, scrub, test_address)
    finally:
        if own_store:
            store.close()
    for job in jobs:
        for name, value in job.counts.items():
            result.counts[name] = result.counts.get(name, 0) + value
        result.failures.extend(job.failures)
        result.notes.extend(job.notes)
    result.seconds = round(time.monotonic() - started, 3)
    failed_targets = sum(1 for job in jobs if job.failures)
    if failed_targets:
        result.status = "failed" if failed_targets == len(jobs) and not _anything_done(result) else "partial"
    if test_address is None:
        if result.failures and notify:
            _tell_editors(config, day, result)
        write_json(_report_path(config, day), result)
    return result


def _anything_done(result: StageResult) -> bool:
    return any(result.counts.get(key) for key in ("messages_sent", "objects_uploaded", "issues_created",
                                                   "issues_sent", "test_sent"))


def _check_address(address: str) -> None:
    local, _, domain = address.rpartition("@")
    if not local or "." not in domain or any(c.isspace() or c in "<>,;" for c in address):
        raise DeliveryError("--test needs one email address", subject=address[:80],
                            hint="e.g. --test editor@example.com")


def _run(config: Config, episode: Episode, store: Any, scrub: Scrubber, test_address: str | None) -> list[Job]:
    day = episode.date
    jobs: list[Job] = []
    specs = [spec for spec in config.deliver if spec.enabled]
    hosting_specs = [spec for spec in specs if role_of(spec) == "hosting"]
    email_specs = [spec for spec in specs if role_of(spec) == "email"]
    if test_address is None:
        files = hosting.public_files(config)
        for spec in hosting_specs:
            job = Job(config, spec, episode, Ledger(store, day, spec.label, scrub), scrub)
            jobs.append(job)
            _guarded(job, lambda job=job: hosting.deliver_files(job, make_backend(job.spec, config), files))
    if test_address is not None and not email_specs:
        raise DeliveryError("no email target to send a test copy with", subject=test_address,
                            hint="add an smtp, buttondown or listmonk target under deliver: in config.yaml")
    hosting_failed = [job.label for job in jobs if job.failures]
    newsletter = None
    for spec in email_specs:
        job = Job(config, spec, episode, Ledger(store, day, spec.label, scrub), scrub)
        jobs.append(job)
        if hosting_failed:
            job.fail("", f"held back: the episode is not fully online yet ({', '.join(hosting_failed)} failed), "
                         "so the newsletter's links would break", hint=f"fix that, then: briefcast deliver {day}",
                     kind="held")
            continue
        try:
            newsletter = newsletter or load_newsletter(config, episode)
        except DeliveryError as exc:
            job.fail("", str(exc), hint=exc.hint)
            continue
        job.newsletter = newsletter
        if test_address is None:
            _guarded(job, lambda job=job: make_backend(job.spec, config).send(job))
        else:
            _guarded(job, lambda job=job: make_backend(job.spec, config).send_test(job, test_address))
    return jobs


def _guarded(job: Job, action: Any) -> None:
    """Run one target; its BriefcastError becomes a failure row (scrubbed), the next target goes on."""
    try:
        action()
    except BriefcastError as exc:
        job.fail("", str(exc), hint=exc.hint, kind=exc.kind)


def _tell_editors(config: Config, day: Date, result: StageResult) -> None:
    from pipeline.notify import notify_problem

    lines = [f"{config.show.title} {day}: delivery had {len(result.failures)} problem(s)", ""]
    for failure in result.failures[:30]:
        lines.append(f"- {failure.subject}: {failure.message}")
    if len(result.failures) > 30:
        lines.append(f"... and {len(result.failures) - 30} more: briefcast deliver {day} shows them all")
    lines += ["", f"What went through is recorded and will not be repeated. Retry: briefcast deliver {day}"]
    outcome = notify_problem(config, f"{config.show.title} {day}: delivery problems", "\n".join(lines))
    result.notes.extend(f"notify: {row['message']}" for row in outcome.failures)
