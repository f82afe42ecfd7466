"""One call to an OpenAI-compatible API (chat completions, speech), retried inside one overall deadline.

The LLM client (:mod:`pipeline.draft.llm`) and the speech backend (:mod:`pipeline.audio.backends`) both turn the
``openai`` client's own retries off (``max_retries=0``) and go through :func:`call_with_retries`, so a call never
outlives its ``llm.timeout`` / ``tts.timeout`` and both follow the same rules (the SDK's own):

- 408, 409, 429 and 5xx answers, timeouts and dropped connections are retried; any other status is refused at once,
  with the server's words;
- the wait is the server's ``Retry-After`` (seconds or an HTTP date; 0 means at once) when it sends one, else
  ``min(0.5 * 2**n, 8)`` seconds less up to 25 % jitter;
- a wait that would end past the deadline is not waited: the call gives up at once, naming the last cause.

The callers say how they fail (their own errors and hints) and how long one try may take::

    call_with_retries(lambda seconds: client.with_options(timeout=seconds).chat.completions.create(...),
                      timeout=300, refused=..., gave_up=..., label="headlines")
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRYABLE = frozenset({408, 409, 429})  # and every status from 500 up


def retryable(status: int) -> bool:
    """Whether an HTTP status is worth asking again (the server is busy or failing, not refusing)."""
    return status in RETRYABLE or status >= 500


def retry_after(response: Any) -> float | None:
    """Seconds the server asked us to wait (``Retry-After`` as seconds or an HTTP date), None when it did not say."""
    value = response.headers.get("retry-after") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def backoff(attempt: int) -> float:
    """The wait after ``attempt`` failures (0 for the first): 0.5, 1, 2, 4, 8, 8 ... seconds, less up to 25 %
    jitter (so clients that failed together do not ask again together)."""
    return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())


def server_message(exc: Any, limit: int = 500) -> str:
    """The server's own words from an ``openai.APIStatusError`` (its JSON ``error.message``), cut to ``limit``."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:limit]
        if isinstance(error, str):
            return error[:limit]
    return str(getattr(exc, "message", exc))[:limit]


def call_with_retries(
    send: Callable[[float], T],
    *,
    timeout: float,
    refused: Callable[[int, str], Exception],
    gave_up: Callable[[str | None, int], Exception],
    per_try: Callable[[float], float] | None = None,
    on_failure: Callable[[Exception], None] | None = None,
    label: str = "",
) -> T:
    """``send(seconds)`` until it answers, within ``timeout`` seconds overall.

    ``send`` gets the seconds its try may take (what is left of the deadline, or ``per_try(left)``). A status that
    is not worth retrying raises ``refused(status, server's message)``; running out of time raises
    ``gave_up(last cause or None, failed attempts)``. ``on_failure(exc)`` sees every failed try first (to count
    it, or to raise when retrying is pointless, such as a local server that died)."""
    import openai

    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise gave_up(None, attempt)
        try:
            return send(per_try(remaining) if per_try is not None else remaining)
        except openai.APIStatusError as exc:
            if on_failure is not None:
                on_failure(exc)
            if not retryable(exc.status_code):
                raise refused(exc.status_code, server_message(exc)) from None
            wait = retry_after(exc.response)
            cause = f"HTTP {exc.status_code}: {server_message(exc)}"
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            if on_failure is not None:
                on_failure(exc)
            wait, cause = None, f"{type(exc).__name__}: {exc}"
        wait = backoff(attempt) if wait is None else wait
        attempt += 1
        if time.monotonic() + wait >= deadline:
            raise gave_up(cause, attempt)
        log.warning("%s: %s; retrying in %.1f s", label, cause, wait)
        time.sleep(wait)


__all__ = ["RETRYABLE", "backoff", "call_with_retries", "retry_after", "retryable", "server_message"]
