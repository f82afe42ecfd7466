"""The retry rules the LLM client and the speech backend share (pipeline.retry); both are exercised end to end
against their loopback fakes in test_llm.py and test_audio_openai.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace

from pipeline.retry import backoff, retry_after, retryable


def _answer(value: str | None) -> SimpleNamespace:
    return SimpleNamespace(headers={} if value is None else {"retry-after": value})


def test_retryable_statuses_are_the_sdks() -> None:
    assert [s for s in (400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503) if retryable(s)] == [
        408, 409, 429, 500, 502, 503]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after(_answer("2.5")) == 2.5 and retry_after(_answer("0")) == 0.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (retry_after(_answer(later)) or 0) <= 30
    assert retry_after(_answer(None)) is None and retry_after(_answer("soon")) is None and retry_after(None) is None


def test_backoff_doubles_up_to_eight_seconds_and_never_waits_longer() -> None:
    for attempt, base in enumerate([0.5, 1, 2, 4, 8, 8]):
        waits = [backoff(attempt) for _ in range(200)]
        assert all(0.75 * base <= wait <= base for wait in waits), attempt
