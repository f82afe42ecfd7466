"""The ``smtp`` email backend: one message per recipient, for small lists, over one connection.

Each message is multipart (the plain-text newsletter, then the email-safe HTML), with a Message-ID made from the
show, the date and the address (the same on every attempt, so inboxes that drop duplicate ids drop a resend),
a Reply-To, List-Id, and List-Unsubscribe plus List-Unsubscribe-Post (one click, RFC 8058) when an https
unsubscribe URL is configured. Every recipient is a row in the deliveries table: marked ``sending`` before the
message goes, ``sent`` on the server's 250. A 4xx answer or a dropped connection (greylisting, a busy server) is
retried after ``retry_delays``; a 5xx is a permanent failure for that address. A row left ``sending`` by a crash is
sent again on the next run: SMTP cannot tell whether the server kept a message whose transfer was interrupted,
and a lost issue is worse than the rare duplicate (which keeps its Message-ID).
"""

from __future__ import annotations

import csv
import hashlib
import io
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import quote

from pipeline.config import Config, SmtpTarget
from pipeline.deliver.base import Job, register_backend, secret
from pipeline.errors import DeliveryError


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""

    @property
    def key(self) -> str:
        return self.address.lower()


def _lines(path: Path, what: str = "recipients file") -> list[tuple[int, str, str]]:
    """(line number, raw text, address text) of a recipients file: plain lines, or a CSV with an email column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DeliveryError(f"the {what} does not exist", subject=str(path),
                            hint="write one address a line there, or fix its path in deliver:") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"the {what} cannot be read", subject=str(path)) from exc
    if path.suffix.lower() != ".csv":
        return [(n, raw, raw.split("#", 1)[0].strip()) for n, raw in enumerate(text.splitlines(), start=1)]
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in (rows[0] if rows else [])]
    names = ("email", "email_address", "e-mail", "address")
    column = next((header.index(name) for name in names if name in header), None)
    if column is None:
        raise DeliveryError(f"the {what} (CSV) has no email column", subject=str(path),
                            hint="name the column 'email' in the first row (a 'name' column is used too)")
    named = header.index("name") if "name" in header else None
    out = []
    for n, row in enumerate(rows[1:], start=2):
        address = row[column].strip() if column < len(row) else ""
        name = row[named].strip() if named is not None and named < len(row) else ""
        out.append((n, ",".join(row), f"{name} <{address}>" if name and address else address))
    return out


def read_recipients(path: Path, limit: int, suppress: Path | None = None) -> tuple[list[Recipient], list[str], int]:
    """Addresses from a recipients file (one a line, ``Name <a@b>`` allowed, ``#`` comments; or CSV), less the
    suppressed ones; returns them, problems by line, and how many were suppressed."""
    suppressed: set[str] = set()
    if suppress is not None:
        suppressed = {parseaddr(line)[1].lower() for _, _, line in _lines(suppress, "suppression list") if line}
    seen: set[str] = set()
    found: list[Recipient] = []
    problems: list[str] = []
    skipped = 0
    for number, raw, line in _lines(path):
        if not line:
            continue
        name, address = parseaddr(line)
        local, _, domain = address.rpartition("@")
        if not local or "." not in domain or any(c.isspace() for c in address) or len(getaddresses([line])) != 1:
            problems.append(f"{path.name} line {number}: {raw.strip()[:80]!r} is not an email address")
            continue
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        if address.lower() in suppressed:
            skipped += 1
            continue
        found.append(Recipient(address, name))
    if len(found) > limit:
        raise DeliveryError(
            f"{len(found)} recipients is more than this target sends itself (max_recipients: {limit})",
            subject=str(path), hint="use a mailing service for a large list (type: buttondown or listmonk), "
                                    "or raise max_recipients")
    return found, problems, skipped


class SmtpBackend:
    name = "smtp"

    def __init__(self, spec: SmtpTarget, config: Config) -> None:
        self.spec = spec
        self.config = config
        self.sender_name, self.sender = parseaddr(spec.sender)
        self.domain = self.sender.rpartition("@")[2] or "localhost"
        self.list_id = f"<{_slug(config.show.title)}.{self.domain}>"
        self.reply_to = spec.reply_to or config.show.owner.email
        self._smtp: smtplib.SMTP | None = None
        self._on_connection = 0
        self._last_send = 0.0

    # -- the connection -----------------------------------------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.spec.ca_file:
            context.load_verify_locations(cafile=str(Path(self.config.root) / self.spec.ca_file))
        return context

    def _connect(self) -> smtplib.SMTP:
        spec = self.spec
        where = f"{spec.host}:{spec.port}"
        try:
            if spec.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(spec.host, spec.port, timeout=spec.timeout,
                                                      context=self._context())
            else:
                smtp = smtplib.SMTP(spec.host, spec.port, timeout=spec.timeout)
                if spec.security == "starttls":
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
            if spec.username_env or spec.password_env:
                user = secret(spec.username_env or "", subject=spec.label, what="the SMTP user name")
                password = secret(spec.password_env or "", subject=spec.label, what="the SMTP password")
                smtp.login(user, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"the server at {where} refused the login ({exc.smtp_code})", subject=spec.label,
                                hint=f"check ${spec.username_env} and ${spec.password_env}") from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"the server at {where} does not offer STARTTLS", subject=spec.label,
                                hint="use security: tls (port 465) if it speaks TLS from the start") from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"TLS with {where} failed ({exc.reason or exc})", subject=spec.label,
                                hint="check security (starttls on 587, tls on 465) and the server's "
                                     "certificate (ca_file for a private CA)") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot reach the mail server at {where} ({type(exc).__name__}: {exc})",
                                subject=spec.label,
                                hint="check deliver[].host and port, then: briefcast deliver DATE") from None
        return smtp

    def _close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    # -- messages -------------------------------------------------------------------------------------------------

    def message(self, job: Job, recipient: Recipient, *, test: bool = False) -> EmailMessage:
        assert job.newsletter is not None
        unsubscribe_url = (self.spec.unsubscribe_url or "").replace("{email}", quote(recipient.address, safe="@"))
        mailto = f"mailto:{self.spec.unsubscribe_mailto or self.sender}?subject=unsubscribe"
        html, text, _ = job.newsletter.filled(unsubscribe_url or mailto)
        message = EmailMessage()
        message["Subject"] = ("[Test] " if test else "") + job.newsletter.subject
        message["From"] = str(Address(self.sender_name, addr_spec=self.sender)) if self.sender_name else self.sender
        message["To"] = (str(Address(recipient.name, addr_spec=recipient.address)) if recipient.name
                         else recipient.address)
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = make_msgid("test", self.domain) if test else self.message_id(job, recipient)
        message["Reply-To"] = self.reply_to
        message["List-Id"] = self.list_id
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>" if unsubscribe_url else f"<{mailto}>"
        if unsubscribe_url.startswith("https://"):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["X-Briefcast-Issue"] = job.key
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message

    def message_id(self, job: Job, recipient: Recipient) -> str:
        token = hashlib.sha256(f"{job.key}\0{recipient.key}".encode()).hexdigest()[:24]
        return f"<{job.episode.date.isoformat()}.{token}@{self.domain}>"

    # -- sending --------------------------------------------------------------------------------------------------

    def send(self, job: Job) -> None:
        path = Path(self.config.root) / self.spec.recipients
        suppress = Path(self.config.root) / self.spec.suppress if self.spec.suppress else None
        recipients, problems, suppressed = read_recipients(path, self.spec.max_recipients, suppress)
        if suppressed:
            job.count("recipients_suppressed", suppressed)
        for problem in problems:
            job.fail("recipients", problem, hint=f"fix the line in {path}", kind="recipient")
        rows = job.ledger.statuses()
        pending = [r for r in recipients if (rows.get(r.key) or {}).get("status") != "sent"]
        interrupted = sum(1 for r in pending if (rows.get(r.key) or {}).get("status") == "sending")
        job.count("recipients", len(recipients))
        if len(recipients) > len(pending):
            job.count("messages_already_sent", len(recipients) - len(pending))
        sent_before = job.counts.get("messages_sent", 0)
        if interrupted:
            job.note(f"{interrupted} message(s) interrupted by an earlier crash are sent again (same Message-ID)")
        digest = job.newsletter.digest if job.newsletter else ""
        older = sum(1 for r in recipients if (rows.get(r.key) or {}).get("status") == "sent"
                    and rows[r.key]["digest"] != digest)
        if older:
            job.note(f"the newsletter changed after {older} recipient(s) got it: they keep the earlier text "
                     "(an issue is mailed once)")
        try:
            for delay in [0.0, *self.spec.retry_delays]:
                if not pending:
                    break
                if delay:
                    time.sleep(delay)
                pending = [r for r in pending if not self._send_one(job, r, digest)]
        finally:
            self._close()
        for recipient in pending:  # still deferred after every retry: the next deliver run tries again
            row = job.ledger.get(recipient.key) or {}
            job.fail(recipient.address, f"not accepted yet: {row.get('error') or 'temporary failure'}",
                     hint=f"sent again by the next run: briefcast deliver {job.episode.date}", kind="deferred")
            job.count("messages_deferred")
        rows = job.ledger.statuses()
        have = sum(1 for r in recipients if (rows.get(r.key) or {}).get("status") == "sent")
        sent = int(job.counts.get("messages_sent", 0) - sent_before)
        job.note(f"{have} of {len(recipients)} recipients have the issue ({sent} sent now, "
                 f"{int(job.counts.get('messages_refused', 0))} refused, {len(pending)} deferred)")

    def _send_one(self, job: Job, recipient: Recipient, digest: str) -> bool:
        """Send one message; True when settled (sent, or refused for good), False to retry later."""
        ledger = job.ledger
        message = self.message(job, recipient)
        if self.spec.max_per_second:
            time.sleep(max(0.0, self._last_send + 1 / self.spec.max_per_second - time.monotonic()))
        if self._on_connection >= self.spec.per_connection:
            self._close()
        ledger.begin(recipient.key, digest)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
                self._on_connection = 0
            self._last_send = time.monotonic()
            self._on_connection += 1
            self._smtp.send_message(message, from_addr=self.sender, to_addrs=[recipient.address])
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()), (550, b""))
            return self._refused(job, recipient, digest, code, answer)
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code >= 500:
                ledger.failed(recipient.key, digest, f"{exc.smtp_code} {_text(exc.smtp_error)}")
                raise DeliveryError(f"the server refused the sender {self.sender} ({exc.smtp_code} "
                                    f"{_text(exc.smtp_error)})", subject=self.spec.label,
                                    hint="check deliver[].sender: the server must accept mail from it") from None
            return self._refused(job, recipient, digest, exc.smtp_code, exc.smtp_error)
        except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as exc:
            # the connection dropped or stalled: the server did not take the message; try again on a new one
            if self._smtp is not None:
                self._smtp.close()
            self._smtp = None
            ledger.failed(recipient.key, digest, f"connection lost ({type(exc).__name__}: {exc})")
            return False
        except DeliveryError as exc:  # cannot connect at all: nothing more will go through now
            ledger.failed(recipient.key, digest, str(exc))
            raise
        ledger.done(recipient.key, digest, message["Message-ID"])
        job.count("messages_sent")
        return True

    def _refused(self, job: Job, recipient: Recipient, digest: str, code: int, answer: bytes | str) -> bool:
        error = f"{code} {_text(answer)}"
        job.ledger.failed(recipient.key, digest, error)
        if code == 421:  # the server is closing the connection
            self._close()
        if 400 <= code < 500:
            return False  # greylisting, a full mailbox, a busy server: retry later
        job.fail(recipient.address, f"refused by the mail server: {error}",
                 hint="check or remove the address in the recipients file", kind="refused")
        job.count("messages_refused")
        return True

    def send_test(self, job: Job, address: str) -> None:
        recipient = Recipient(address)
        try:
            smtp = self._connect()
            try:
                smtp.send_message(self.message(job, recipient, test=True), from_addr=self.sender,
                                  to_addrs=[address])
            finally:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    smtp.close()
        except smtplib.SMTPException as exc:
            raise DeliveryError(f"the test copy was refused ({exc})", subject=address) from None
        except OSError as exc:
            raise DeliveryError(f"the connection failed while sending the test copy ({exc})", subject=address) from None
        job.count("test_sent")
        job.note(f"test copy sent to {address}")


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "briefcast"


register_backend("smtp", role="email")(SmtpBackend)
