"""One exception tree for briefcast.

    BriefcastError                 every error briefcast raises on purpose
    ├── ConfigError                config.yaml is wrong (exit code 2): names the file, the key and the fix
    ├── StoreError                 the state database cannot be opened or migrated
    ├── FetchError                 one feed could not be fetched (recorded per feed, the run goes on)
    │   ├── UnsafeURLError         scheme or address refused (private network, file://, ...)
    │   ├── TooLargeError          body over the cap, counted after decompression
    │   ├── DeadlineError          connect/read timeout or the per-feed overall deadline
    │   ├── RedirectError          too many redirects or a redirect loop
    │   └── HTTPStatusError        4xx/5xx answer
    ├── ParseError                 a fetched document was refused or could not be parsed
    ├── LLMError                   the language model failed (per segment; the run goes on)
    │   ├── LLMRequestError        4xx other than 429: fail fast with the server's message
    │   ├── LLMUnavailableError    429/5xx/connection problems that outlived the retry deadline
    │   ├── LLMOutputError         the answer did not validate, even after one retry
    │   └── BudgetExceededError    the run's token or cost budget would be exceeded
    ├── AudioError                 synthesis or mixing failed; names the segment
    ├── PublishError               a template, the artwork or a published file could not be made
    ├── DeliveryError              a delivery target (email, hosting) could not be reached or refused
    ├── ReviewError                an editor action cannot be done
    │   ├── ConflictError          an edit was based on an old version (HTTP 409)
    │   └── ApprovalError          publishing without approval, approving with open flags
    ├── EpisodeNotFoundError       no such episode
    ├── LockedError                another run of this show holds the lock
    └── NothingUsableError         the run could not make anything usable (exit code 1)

Each error carries what it concerns (a feed URL, a segment id, an episode date) and ``str()`` reads
``message: 'subject': cause``; ``hint`` says how to fix it where we know.
"""

from __future__ import annotations


class BriefcastError(Exception):
    """Base of every error briefcast raises on purpose."""

    exit_code = 1
    kind = "error"

    def __init__(self, message: str, *, subject: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.subject = subject
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        if self.subject:
            text = f"{text}: {self.subject!r}"
        cause = self.__cause__
        if cause is not None and str(cause):
            text = f"{text}: {type(cause).__name__}: {cause}"
        return text


class ConfigError(BriefcastError):
    exit_code = 2
    kind = "config"


class StoreError(BriefcastError):
    kind = "store"


class FetchError(BriefcastError):
    kind = "fetch"


class UnsafeURLError(FetchError):
    kind = "unsafe_url"


class TooLargeError(FetchError):
    kind = "too_large"


class DeadlineError(FetchError):
    kind = "timeout"


class RedirectError(FetchError):
    kind = "redirect"


class HTTPStatusError(FetchError):
    kind = "http_status"

    def __init__(self, message: str, *, status: int, subject: str | None = None, hint: str | None = None):
        super().__init__(message, subject=subject, hint=hint)
        self.status = status


class ParseError(BriefcastError):
    kind = "parse"


class LLMError(BriefcastError):
    kind = "llm"


class LLMRequestError(LLMError):
    kind = "llm_request"


class LLMUnavailableError(LLMError):
    kind = "llm_unavailable"


class LLMOutputError(LLMError):
    kind = "llm_output"


class BudgetExceededError(LLMError):
    kind = "budget"


class AudioError(BriefcastError):
    kind = "audio"


class PublishError(BriefcastError):
    kind = "publish"


class DeliveryError(BriefcastError):
    kind = "delivery"


class ReviewError(BriefcastError):
    kind = "review"


class ConflictError(ReviewError):
    kind = "conflict"


class ApprovalError(ReviewError):
    kind = "approval"


class EpisodeNotFoundError(BriefcastError):
    kind = "not_found"


class LockedError(BriefcastError):
    kind = "locked"


class NothingUsableError(BriefcastError):
    kind = "nothing_usable"
