"""Real servers on 127.0.0.1 for the delivery tests: SMTP (aiosmtpd), S3 (moto's standalone server), and HTTP
servers that answer as Buttondown and listmonk do, each able to misbehave on cue."""

from __future__ import annotations

import itertools
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# -- SMTP -------------------------------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class RecordingHandler:
    """Keeps every accepted message. Misbehaviour, set by the test: ``refuse`` (address -> 5xx), ``greylist``
    (first try of each address gets 451), ``drop_at`` (message numbers whose DATA closes the connection),
    ``on_rcpt`` (called with each recipient's number; True drops the connection there: the kill hook)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.greylist = False
        self.greylisted: set[str] = set()
        self.drop_at: set[int] = set()
        self.on_rcpt: Callable[[int], bool] | None = None
        self.data_count = itertools.count(1)
        self.rcpt_count = itertools.count(1)
        self.greetings = 0  # EHLOs seen: one per connection (two with STARTTLS)
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        number = next(self.rcpt_count)
        if self.on_rcpt is not None and self.on_rcpt(number):
            server.transport.close()  # the client is gone while its message is in flight: nothing is accepted
            return "451 4.3.0 aborted"
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        if self.greylist and address.lower() not in self.greylisted:
            self.greylisted.add(address.lower())
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        number = next(self.data_count)
        if number in self.drop_at:
            server.transport.close()
            return "421 4.4.2 connection dropped"
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 2.0.0 Queued"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (made with the cryptography package) and its key."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """aiosmtpd on a free loopback port; with ``tls`` it requires STARTTLS (or speaks TLS at once with
    ``implicit_tls``), with ``login`` a user name and password."""

    def __init__(self, *, tls: tuple[Path, Path] | None = None, login: tuple[str, str] | None = None,
                 implicit_tls: bool = False) -> None:
        self.handler = RecordingHandler()
        kwargs: dict[str, Any] = {}
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            if implicit_tls:  # SMTPS (port 465 style): TLS from the first byte
                kwargs.update(ssl_context=context)
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        if login:
            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == login
                return AuthResult(success=ok, handled=False)

            kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=bool(tls))
        self.port = _free_port()  # aiosmtpd's controller checks its server by connecting: it needs a real port
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


# -- S3 ---------------------------------------------------------------------------------------------------------


class _RequestLog(logging.Handler):
    """The server's own request log (werkzeug, in this process), in arrival order: (method, path, status)."""

    LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3})')

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[tuple[str, str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        match = self.LINE.search(re.sub(r"\x1b\[[0-9;]*m", "", record.getMessage()))  # werkzeug colours non-200s
        if match:
            self.seen.append((match[1], match[2].split("?")[0], int(match[3])))


class S3Server:
    """moto's standalone server (it speaks the S3 HTTP API) on a free loopback port."""

    def __enter__(self) -> S3Server:
        from moto.server import ThreadedMotoServer

        self.log = _RequestLog()
        logger = logging.getLogger("werkzeug")
        logger.setLevel(logging.INFO)
        logger.addHandler(self.log)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        self.reset()
        return self

    def reset(self) -> None:
        """Empty buckets and request log (moto keeps its state per process, not per server)."""
        httpx.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()
        self.log.seen.clear()

    def __exit__(self, *exc: Any) -> None:
        self.server.stop()
        logging.getLogger("werkzeug").removeHandler(self.log)

    def puts(self, bucket: str) -> list[str]:
        """Keys of every successful object PUT to ``bucket``, in the order the server received them."""
        return [path.split("/", 2)[2] for method, path, status in self.log.seen
                if method == "PUT" and status == 200 and path.startswith(f"/{bucket}/")]

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client("s3", endpoint_url=self.url, region_name="us-east-1",
                                              aws_access_key_id="AKIATESTKEY", aws_secret_access_key="test-secret")

    def bucket(self, name: str, *, versioned: bool = True) -> Any:
        client = self.client()
        client.create_bucket(Bucket=name)
        if versioned:  # every PUT becomes a version: the tests count uploads with it
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return client


def versions(client: Any, bucket: str) -> list[str]:
    """The key of every version the bucket holds (one per PUT, versioning on)."""
    return sorted(v["Key"] for v in client.list_object_versions(Bucket=bucket).get("Versions", []))


# -- Buttondown and listmonk --------------------------------------------------------------------------------------


@dataclass
class Service:
    """State and faults of one fake mailing service. ``faults`` maps "METHOD path-prefix" to a list of actions
    taken by the next matching requests: an HTTP status (429 with Retry-After 0, 500, 503), "hang" (answer after
    the client gave up), "lost" (do the work, then answer 502 as a proxy whose upstream timed out would)."""

    kind: str
    token: str
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    tests: list[tuple[str, list[str]]] = field(default_factory=list)
    faults: dict[str, list[Any]] = field(default_factory=dict)
    hang_seconds: float = 1.5
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def fault(self, method: str, path: str) -> Any:
        for key, actions in self.faults.items():
            want_method, _, prefix = key.partition(" ")
            if want_method == method and path.startswith(prefix) and actions:
                return actions.pop(0)
        return None


class _Handler(BaseHTTPRequestHandler):
    service: Service

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _handle(self, method: str) -> None:
        service = self.service
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        service.requests.append((method, url.path, body))
        auth = self.headers.get("Authorization", "")
        expected = f"Token {service.token}" if service.kind == "buttondown" else f"token {service.token}"
        if auth != expected:
            # like a careless server, echo what it was sent: the client must keep it out of reports
            self._reply(401, {"detail": f"Invalid token: {auth!r}"})
            return
        action = service.fault(method, url.path)
        if isinstance(action, int):
            self._reply(action, {"detail": "slow down" if action == 429 else "upstream error"},
                        {"Retry-After": "0"} if action == 429 else None)
            return
        status, answer = (self._buttondown if service.kind == "buttondown" else self._listmonk)(method, url, body)
        if action == "hang":
            time.sleep(service.hang_seconds)
        if action == "lost":
            self._reply(502, {"detail": "bad gateway"})
            return
        self._reply(status, answer)

    def _buttondown(self, method: str, url: Any, body: Any) -> tuple[int, Any]:
        service, parts = self.service, url.path.strip("/").split("/")  # v1, emails, id, action
        if parts[:2] != ["v1", "emails"]:
            return 404, {"detail": "Not found."}
        if method == "POST" and len(parts) == 2:
            if body.get("status") == "about_to_send" and self.headers.get("X-Buttondown-Live-Dangerously") != "true":
                return 400, {"code": "sending_requires_confirmation", "detail": "needs the live header"}
            if any(e["subject"] == body.get("subject") for e in service.issues.values()):
                return 400, {"code": "email_duplicate", "detail": "An email with this subject already exists."}
            email_id = f"em-{next(service.ids)}"
            service.issues[email_id] = {"id": email_id, "status": "draft", **body}
            return 201, service.issues[email_id]
        if method == "GET" and len(parts) == 2:
            return 200, {"results": list(service.issues.values()), "count": len(service.issues)}
        email = service.issues.get(parts[2]) if len(parts) > 2 else None
        if email is None:
            return 404, {"detail": "Not found."}
        if method == "GET" and len(parts) == 3:
            return 200, email
        if method == "PATCH" and len(parts) == 3:
            if body.get("status") == "about_to_send" and self.headers.get("X-Buttondown-Live-Dangerously") != "true":
                return 400, {"code": "sending_requires_confirmation", "detail": "needs the live header"}
            if email["status"] != "draft":
                return 400, {"code": "email_already_sent", "detail": "This email has already been sent."}
            email.update(body)
            return 200, email
        if method == "POST" and parts[3:] == ["send-draft"]:
            service.tests.append((email["id"], body["recipients"]))
            return 200, {}
        return 404, {"detail": "Not found."}

    def _listmonk(self, method: str, url: Any, body: Any) -> tuple[int, Any]:
        service, parts = self.service, url.path.strip("/").split("/")  # api, campaigns, id, action
        if parts[:2] != ["api", "campaigns"]:
            return 404, {"message": "Unknown route"}
        if method == "POST" and len(parts) == 2:
            campaign_id = next(service.ids)
            service.issues[str(campaign_id)] = {"id": campaign_id, "status": "draft", **body}
            return 200, {"data": service.issues[str(campaign_id)]}
        if method == "GET" and len(parts) == 2:
            query = parse_qs(url.query).get("query", [""])[0]
            found = [c for c in service.issues.values() if query in c["name"] or query in c["subject"]]
            return 200, {"data": {"results": found, "total": len(found), "page": 1, "per_page": 50}}
        campaign = service.issues.get(parts[2]) if len(parts) > 2 else None
        if campaign is None:
            return 400, {"message": "Campaign not found."}
        if method == "GET" and len(parts) == 3:
            return 200, {"data": campaign}
        if method == "PUT" and len(parts) == 3:
            if campaign["status"] != "draft":
                return 400, {"message": "Cannot update a running or finished campaign."}
            campaign.update(body)
            return 200, {"data": campaign}
        if method == "PUT" and parts[3:] == ["status"]:
            if campaign["status"] in ("running", "finished"):
                return 400, {"message": "Campaign is already running."}
            campaign["status"] = body["status"]
            return 200, {"data": campaign}
        if method == "POST" and parts[3:] == ["test"]:
            if any(not s.endswith("@example.com") for s in body["subscribers"]):
                return 400, {"message": "One or more subscribers not found."}
            service.tests.append((str(campaign["id"]), body["subscribers"]))
            return 200, {"data": True}
        return 404, {"message": "Unknown route"}

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle("PATCH")


class ServiceServer:
    def __init__(self, kind: str, token: str) -> None:
        self.service = Service(kind, token)
        handler = type("Handler", (_Handler,), {"service": self.service})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ServiceServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["RecordingHandler", "S3Server", "SMTPServer", "ServiceServer", "self_signed", "versions"]
