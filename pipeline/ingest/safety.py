"""Where briefcast may connect: http/https only, and never to private, loopback or link-local addresses.

The check happens at connect time, inside the HTTP transport: the host is resolved once, every resolved address is
checked, and the socket connects to a checked address. So a redirect hop, a hostname that resolves to 10.0.0.1, a
number written in octal or hex (``0x7f.1``, ``2130706433``) or a DNS answer that changes between check and connect
(rebinding) all meet the same gate. ``allow_private`` (config ``ingest.allow_private_networks``) opens loopback and
private ranges for tests and feeds on your own network; link-local (cloud metadata at 169.254.169.254), multicast
and unspecified addresses stay closed whatever the switch says.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import typing
from dataclasses import dataclass

import anyio
import httpcore
import httpx

from pipeline.errors import UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a fetch may connect to."""

    allow_private: bool = False  # loopback, RFC 1918, unique-local, CGNAT ...
    allow_loopback: bool = False  # loopback only (tests that must prove a private hop is refused)

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` is refused, or None when it may be used."""
        for candidate in _embedded(address):
            reason = self._refusal_one(candidate)
            if reason:
                return reason
        return None

    def _refusal_one(self, ip: IPAddress) -> str | None:
        if ip.is_unspecified:
            return "an unspecified address (0.0.0.0 or ::)"
        if ip.is_link_local:
            return "a link-local address (such as the cloud metadata service at 169.254.169.254)"
        if ip.is_multicast:
            return "a multicast address"
        if ip.is_loopback:
            return None if (self.allow_private or self.allow_loopback) else "a loopback address"
        if not ip.is_global or ip.is_reserved:
            return None if self.allow_private else "a private or reserved address"
        return None


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """The address and any IPv4 address hidden inside an IPv6 one (mapped, 6to4, Teredo, NAT64)."""
    found: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour:
            found.append(ip.sixtofour)
        if ip.teredo:
            found.extend(ip.teredo)
        if ip in _NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def check_url(url: httpx.URL | str) -> httpx.URL:
    """Refuse anything but http/https with a host before a request is made (addresses are checked at connect)."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise UnsafeURLError("not a valid URL", subject=str(url), hint="write the full https:// URL") from exc
    if parsed.scheme not in ("http", "https"):
        raise UnsafeURLError(
            f"scheme {parsed.scheme or '(none)'!r} refused: feeds are fetched over http or https only",
            subject=str(url),
            hint="use an https:// URL",
        )
    if not parsed.host:
        raise UnsafeURLError("URL has no host", subject=str(url), hint="write the full https:// URL")
    return parsed


async def resolve(host: str, port: int, timeout: float | None) -> list[IPAddress]:
    """Every address ``host`` resolves to (numeric forms such as 0x7f.1 are resolved as the OS would)."""
    with anyio.fail_after(timeout):
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        raw = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        address = ipaddress.ip_address(raw)
        if address not in addresses:
            addresses.append(address)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that resolves, checks every address, then connects to a checked one."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port, timeout)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except (OSError, ValueError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            reason = self.policy.refusal(address)
            if reason:
                raise UnsafeURLError(
                    f"refused to connect to {host} ({address}): {reason}",
                    subject=host,
                    hint="feeds must be on the public internet; set ingest.allow_private_networks: true only "
                    "for feeds on your own network",
                )
        last: Exception | None = None
        for address in addresses:  # connect to the address we checked, never re-resolve
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, *args: typing.Any, **kwargs: typing.Any) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx transport whose every connection goes through `GuardedBackend`; no proxies, no retries."""

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None):
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(policy),
        )
