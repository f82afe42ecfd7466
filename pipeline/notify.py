"""Tell the editors a draft is ready: webhooks (Slack, Discord, generic JSON) and email (SMTP).

A failure to notify is reported in the run, never fatal: the draft is there whatever the chat server says.
"""

from __future__ import annotations

import os
import smtplib
from datetime import date as Date
from email.message import EmailMessage
from typing import Any

import httpx

from pipeline.config import Config, Email, Webhook
from pipeline.files import load_episode, load_rundown
from pipeline.models import Failure, StageResult


def _review_link(config: Config, day: Date) -> str:
    base = config.notify.review_url or f"http://{config.review.host}:{config.review.port}"
    return f"{base.rstrip('/')}/episodes/{day.isoformat()}"


def rundown_text(config: Config, day: Date) -> str:
    """A short plain-text rundown: segments and their stories, then what needs the editor."""
    episode = load_episode(config.episodes_dir, day)
    rundown = load_rundown(config.episodes_dir, day)
    titles = {story.id: story.title for story in (rundown.stories if rundown else episode.stories)}
    lines = [f"{config.show.title}, {day.isoformat()}: draft ready for review", episode.title, ""]
    for segment in episode.live_segments:
        lines.append(f"* {segment.title}")
        lines.extend(f"    - {titles.get(story_id, story_id)}" for story_id in segment.story_ids)
    failed = [segment.id for segment in episode.segments if segment.status == "failed"]
    lines.append("")
    lines.append(
        f"Open grounding flags: {len(episode.open_flags)}"
        + (f"; failed segments: {', '.join(failed)}" if failed else "")
    )
    lines.append(f"Review: {_review_link(config, day)}")
    return "\n".join(lines)


def _payload(hook: Webhook, text: str, config: Config, day: Date) -> dict[str, Any]:
    if hook.format == "slack":
        return {"text": text}
    if hook.format == "discord":
        return {"content": text[:1990]}
    return {"show": config.show.title, "date": day.isoformat(), "event": "draft_ready", "text": text,
            "review_url": _review_link(config, day)}


def _send_email(email: Email, subject: str, text: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = email.sender
    message["To"] = ", ".join(email.to)
    message.set_content(text)
    with smtplib.SMTP(email.host, email.port, timeout=20) as smtp:
        if email.starttls:
            smtp.starttls()
        if email.username_env and email.password_env:
            smtp.login(os.environ.get(email.username_env, ""), os.environ.get(email.password_env, ""))
        smtp.send_message(message)


def notify_ready(config: Config, day: Date) -> StageResult:
    """Send the rundown and the review link to every configured channel; failures become report rows."""
    result = StageResult(stage="notify")
    if not config.notify.webhooks and config.notify.email is None:
        result.status = "skipped"
        result.notes.append("no webhook or email configured (notify: in config.yaml)")
        return result
    text = rundown_text(config, day)
    sent = 0
    for hook in config.notify.webhooks:
        try:
            response = httpx.post(hook.url, json=_payload(hook, text, config, day), timeout=15)
            response.raise_for_status()
            sent += 1
        except httpx.HTTPError as exc:
            host = httpx.URL(hook.url).host
            result.failures.append(Failure(subject=f"webhook {host}", kind="notify",
                                    message=f"{type(exc).__name__}: {exc}; check notify.webhooks url"))
    if config.notify.email is not None:
        try:
            _send_email(config.notify.email, f"{config.show.title} {day}: draft ready for review", text)
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            result.failures.append(Failure(subject=f"email {config.notify.email.host}", kind="notify",
                                    message=f"{type(exc).__name__}: {exc}; check notify.email"))
    result.counts = {"sent": sent, "failed": len(result.failures)}
    if result.failures:
        result.status = "partial" if sent else "failed"
    return result


def notify_problem(config: Config, subject: str, text: str) -> StageResult:
    """Tell every configured channel about a problem an editor must act on (a delivery that failed)."""
    result = StageResult(stage="notify")
    if not config.notify.webhooks and config.notify.email is None:
        result.status = "skipped"
        return result
    for hook in config.notify.webhooks:
        payload: dict[str, Any] = ({"text": text} if hook.format == "slack" else {"content": text[:1990]}
                                   if hook.format == "discord" else
                                   {"show": config.show.title, "event": "problem", "subject": subject, "text": text})
        try:
            httpx.post(hook.url, json=payload, timeout=15).raise_for_status()
        except httpx.HTTPError as exc:
            result.failures.append(Failure(subject=f"webhook {httpx.URL(hook.url).host}", kind="notify",
                                    message=f"{type(exc).__name__}: {exc}; check notify.webhooks url"))
    if config.notify.email is not None:
        try:
            _send_email(config.notify.email, subject, text)
        except (OSError, smtplib.SMTPException) as exc:
            result.failures.append(Failure(subject=f"email {config.notify.email.host}", kind="notify",
                                    message=f"{type(exc).__name__}: {exc}; check notify.email"))
    if result.failures:
        result.status = "failed"
    return result
