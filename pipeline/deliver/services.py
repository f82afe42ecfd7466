"""Mailing services: ``buttondown`` and ``listmonk`` get the issue through their HTTP APIs.

Both go in steps, each a row in the deliveries table: the issue is created as a draft (``email`` / ``campaign``),
then, with ``mode: send``, released (``send`` / ``start``). A create whose answer was lost (a timeout, a 5xx, a
crash) is never simply repeated: the service is first searched for the issue by its key (Buttondown metadata, a
listmonk campaign name), so a retry finds the draft it made instead of making a second one. 429 and 5xx answers
are retried with backoff (honouring Retry-After); other 4xx fail at once with the service's own message.

API shapes (checked against the services' documentation):
- Buttondown: ``POST /v1/emails`` {subject, body, status: draft, metadata}; ``PATCH /v1/emails/{id}``
  {status: about_to_send} with ``X-Buttondown-Live-Dangerously: true``; ``POST /v1/emails/{id}/send-draft``
  {recipients} for a test copy; ``Authorization: Token <key>``.
- listmonk: ``POST /api/campaigns`` {name, subject, lists, type, content_type, body, altbody, ...};
  ``PUT /api/campaigns/{id}/status`` {status: running}; ``POST /api/campaigns/{id}/test`` {..., subscribers};
  ``GET /api/campaigns?query=``; ``Authorization: token <user>:<token>``; answers wrap results in ``data``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from pipeline.config import ButtondownTarget, Config, ListmonkTarget
from pipeline.deliver.base import Job, register_backend, secret
from pipeline.errors import DeliveryError


class ServiceError(DeliveryError):
    """A 4xx answer from the service: its status and (when it gives one) its error code."""

    def __init__(self, message: str, *, status: int, code: str = "", subject: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, subject=subject, hint=hint)
        self.status = status
        self.code = code


class Unconfirmed(Exception):
    """The request may or may not have reached the service (timeout, dropped connection, 5xx)."""


class Api:
    """A small JSON client: bounded timeouts, retries on 429/5xx/network errors, service messages in errors."""

    def __init__(self, base_url: str, headers: dict[str, str], *, timeout: float, retries: int, label: str) -> None:
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout,
                                   follow_redirects=False, trust_env=False)
        self.retries = retries
        self.label = label

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, safe: bool = True) -> Any:
        """The decoded JSON answer. ``safe=False`` (a create) raises Unconfirmed instead of retrying blindly."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.client.request(method, path, json=json, params=params, headers=headers)
            except httpx.ConnectError as exc:  # never reached the service: always safe to retry
                if last:
                    raise DeliveryError(f"cannot reach {self.client.base_url} ({exc})", subject=self.label,
                                        hint="check the service's address and the network") from None
                self._wait(attempt, None)
                continue
            except httpx.HTTPError as exc:
                if not safe:
                    raise Unconfirmed(f"{type(exc).__name__}: {exc}") from None
                if last:
                    raise DeliveryError(f"{method} {path} failed: {type(exc).__name__}: {exc}", subject=self.label,
                                        hint="the service is slow or unreachable; try again later") from None
                self._wait(attempt, None)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if response.status_code >= 500 and not safe:
                    raise Unconfirmed(f"HTTP {response.status_code}: {_message(response)}")
                if last:
                    raise DeliveryError(f"{method} {path}: HTTP {response.status_code}: {_message(response)}",
                                        subject=self.label, hint="the service is busy or down; try again later")
                self._wait(attempt, response.headers.get("retry-after"))
                continue
            if response.status_code >= 400:
                hint = ("check the API key in the environment variable named in config"
                        if response.status_code in (401, 403) else None)
                raise ServiceError(f"{method} {path}: HTTP {response.status_code}: {_message(response)}",
                                   status=response.status_code, code=_code(response), subject=self.label, hint=hint)
            return response.json() if response.content else {}
        raise AssertionError("unreachable")

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = min(0.5 * 2**attempt, 8.0)
        if retry_after:
            try:
                delay = min(max(float(retry_after), 0.0), 30.0)
            except ValueError:
                pass
        time.sleep(delay)


def _code(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("code") or "") if isinstance(data, dict) else ""


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        for key in ("detail", "message", "error", "code"):
            if data.get(key):
                return str(data[key])[:300]
    return str(data)[:300]


def _id(answer: Any, key: str, *, label: str) -> str:
    if isinstance(answer, dict) and answer.get(key) not in (None, ""):
        return str(answer[key])
    raise DeliveryError(f"the service answered without an issue id: {str(answer)[:200]}", subject=label,
                        hint="check base_url/url: it must be the service's API, not its website")


def create_once(job: Job, item: str, create: Callable[[], str], find: Callable[[], str | None],
                retries: int) -> str:
    """Create a remote issue exactly once: after an unconfirmed attempt, look for it before trying again."""
    digest = job.newsletter.digest if job.newsletter else ""
    job.ledger.begin(item, digest)
    for attempt in range(retries + 1):
        try:
            remote = create()
            break
        except Unconfirmed as exc:
            found = find()
            if found:
                remote = found
                break
            if attempt == retries:
                job.ledger.failed(item, digest, str(exc))
                raise DeliveryError(f"creating the issue failed: {exc}", subject=job.label,
                                    hint=f"try again later: briefcast deliver {job.episode.date}") from None
            time.sleep(min(0.5 * 2**attempt, 8.0))
        except DeliveryError as exc:
            job.ledger.failed(item, digest, str(exc))
            raise
    job.ledger.done(item, digest, remote)
    job.count("issues_created")
    return remote


def ensure_issue(job: Job, item: str, *, create: Callable[[], str], find: Callable[[], str | None],
                 update: Callable[[str], None], retries: int) -> str:
    """The remote draft's id: the one recorded, the one found after a crash, or a new one; content kept current."""
    digest = job.newsletter.digest if job.newsletter else ""
    row = job.ledger.get(item)
    if row and row["status"] == "sent" and row["remote_id"]:
        released = (job.ledger.get("send") or job.ledger.get("start") or {}).get("status") == "sent"
        if row["digest"] != digest and released:
            job.note("the newsletter changed after the issue was sent: the service keeps the text it sent")
        elif row["digest"] != digest:
            update(row["remote_id"])
            job.ledger.done(item, digest, row["remote_id"])
            job.note("the draft was updated with the approved text")
        return str(row["remote_id"])
    if row and row["status"] in ("sending", "failed"):
        found = find()
        if found:
            update(found)
            job.ledger.done(item, digest, found)
            job.note("found the draft an interrupted run had made; not creating another")
            return found
    return create_once(job, item, create, find, retries)


# -- Buttondown ---------------------------------------------------------------------------------------------------


class ButtondownBackend:
    name = "buttondown"

    def __init__(self, spec: ButtondownTarget, config: Config) -> None:
        self.spec = spec
        key = secret(spec.api_key_env, subject=spec.label, what="the Buttondown API key")
        self.api = Api(spec.base_url, {"Authorization": f"Token {key}"}, timeout=spec.timeout,
                       retries=spec.retries, label=spec.label)

    def _payload(self, job: Job) -> dict[str, Any]:
        assert job.newsletter is not None
        # Buttondown writes in Markdown and fills {{ unsubscribe_url }} itself.
        _, _, markdown = job.newsletter.filled("{{ unsubscribe_url }}")
        return {"subject": job.newsletter.subject, "body": markdown, "metadata": {"briefcast": job.key}}

    def _find(self, job: Job) -> str | None:
        data = self.api.call("GET", "/emails", params={"ordering": "-creation_date"})
        for email in (data.get("results") or []) if isinstance(data, dict) else []:
            if (email.get("metadata") or {}).get("briefcast") == job.key:
                return str(email["id"])
        return None

    def _draft(self, job: Job) -> str:
        def create() -> str:
            try:
                answer = self.api.call("POST", "/emails", json={**self._payload(job), "status": "draft"}, safe=False)
            except ServiceError as exc:
                if exc.code != "email_duplicate":
                    raise
                found = self._find(job)  # ours, made by a run whose answer was lost
                if found:
                    return found
                exc.hint = ("Buttondown already has an email with this subject that briefcast did not make: "
                            "delete or rename it there, then: briefcast deliver " + job.episode.date.isoformat())
                raise
            return _id(answer, "id", label=job.label)

        def update(remote: str) -> None:
            self.api.call("PATCH", f"/emails/{remote}", json=self._payload(job))

        return ensure_issue(job, "email", create=create, find=lambda: self._find(job), update=update,
                            retries=self.spec.retries)

    def send(self, job: Job) -> None:
        try:
            remote = self._draft(job)
            if self.spec.mode == "draft":
                job.note(f"draft {remote} is ready in Buttondown: send it from there")
                return
            row = job.ledger.get("send")
            if row and row["status"] == "sent":
                job.count("issues_already_sent")
                return
            if row and row["status"] in ("sending", "failed"):
                current = self.api.call("GET", f"/emails/{remote}")
                if current.get("status") not in (None, "draft"):
                    job.ledger.done("send", remote_id=remote)
                    job.count("issues_sent")
                    return
            job.ledger.begin("send")
            try:
                self.api.call("PATCH", f"/emails/{remote}", json={"status": "about_to_send"},
                              headers={"X-Buttondown-Live-Dangerously": "true"})
            except DeliveryError as exc:
                job.ledger.failed("send", "", str(exc))
                raise
            job.ledger.done("send", remote_id=remote)
            job.count("issues_sent")
            job.note(f"issue {remote} is being sent by Buttondown")
        finally:
            self.api.close()

    def send_test(self, job: Job, address: str) -> None:
        try:
            remote = self._draft(job)
            self.api.call("POST", f"/emails/{remote}/send-draft", json={"recipients": [address]})
        finally:
            self.api.close()
        job.count("test_sent")
        job.note(f"test copy of draft {remote} sent to {address}")


register_backend("buttondown", role="email")(ButtondownBackend)


# -- listmonk -----------------------------------------------------------------------------------------------------


class ListmonkBackend:
    name = "listmonk"

    def __init__(self, spec: ListmonkTarget, config: Config) -> None:
        self.spec = spec
        user = secret(spec.username_env, subject=spec.label, what="the listmonk API user")
        token = secret(spec.token_env, subject=spec.label, what="the listmonk API token")
        self.api = Api(spec.url + "/api", {"Authorization": f"token {user}:{token}"}, timeout=spec.timeout,
                       retries=spec.retries, label=spec.label)

    def _payload(self, job: Job) -> dict[str, Any]:
        assert job.newsletter is not None
        html, text, _ = job.newsletter.filled("{{ UnsubscribeURL }}")
        payload: dict[str, Any] = {
            "name": job.key, "subject": job.newsletter.subject, "lists": self.spec.lists, "type": "regular",
            "content_type": "html", "body": html, "altbody": text, "messenger": "email", "tags": ["briefcast"],
        }
        if self.spec.from_email:
            payload["from_email"] = self.spec.from_email
        if self.spec.template_id is not None:
            payload["template_id"] = self.spec.template_id
        return payload

    def _find(self, job: Job) -> str | None:
        data = self.api.call("GET", "/campaigns", params={"query": job.key, "per_page": 50})
        for campaign in ((data.get("data") or {}).get("results") or []):
            if campaign.get("name") == job.key:
                return str(campaign["id"])
        return None

    def _campaign(self, job: Job) -> str:
        def create() -> str:
            answer = self.api.call("POST", "/campaigns", json=self._payload(job), safe=False)
            return _id(answer.get("data") if isinstance(answer, dict) else None, "id", label=job.label)

        def update(remote: str) -> None:
            self.api.call("PUT", f"/campaigns/{remote}", json=self._payload(job))

        return ensure_issue(job, "campaign", create=create, find=lambda: self._find(job), update=update,
                            retries=self.spec.retries)

    def send(self, job: Job) -> None:
        try:
            remote = self._campaign(job)
            if self.spec.mode == "draft":
                job.note(f"campaign {remote} is ready in listmonk: start it from there")
                return
            row = job.ledger.get("start")
            if row and row["status"] == "sent":
                job.count("issues_already_sent")
                return
            if row and row["status"] in ("sending", "failed"):
                current = (self.api.call("GET", f"/campaigns/{remote}").get("data") or {})
                if current.get("status") in ("running", "finished", "scheduled"):
                    job.ledger.done("start", remote_id=remote)
                    job.count("issues_sent")
                    return
            job.ledger.begin("start")
            try:
                self.api.call("PUT", f"/campaigns/{remote}/status", json={"status": "running"})
            except DeliveryError as exc:
                job.ledger.failed("start", "", str(exc))
                raise
            job.ledger.done("start", remote_id=remote)
            job.count("issues_sent")
            job.note(f"campaign {remote} started")
        finally:
            self.api.close()

    def send_test(self, job: Job, address: str) -> None:
        try:
            remote = self._campaign(job)
            self.api.call("POST", f"/campaigns/{remote}/test", json={**self._payload(job), "subscribers": [address]})
        except DeliveryError as exc:
            if "subscriber" in str(exc).lower():
                exc.hint = f"listmonk sends test copies only to its own subscribers: add {address} to a list"
            raise
        finally:
            self.api.close()
        job.count("test_sent")
        job.note(f"test copy of campaign {remote} sent to {address}")


register_backend("listmonk", role="email")(ListmonkBackend)
