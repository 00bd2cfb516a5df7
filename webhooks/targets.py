"""Where a webhook may be sent, and sending it there (the standard library only).

A target URL is checked when an endpoint is saved and again before every POST (DNS can change): http or https, no
credentials in it, and every address its host resolves to must be public (no loopback, private, link-local,
unique-local, multicast, reserved or unspecified address, IPv4 or IPv6, IPv4-mapped ones included) unless
``settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS``. The POST then connects to the address that was checked (no second
lookup an attacker's DNS could answer differently), keeps the host name for ``Host``, SNI and the certificate check,
never follows a redirect, waits at most ``settings.WEBHOOKS_TIMEOUT_SECONDS`` per step and reads a few KB of answer.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

#: How much of a response body is read (and kept in the delivery log).
RESPONSE_BYTES = 4096

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL is not one webhooks may be sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: how to reach it and the address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    """What a POST got: the status (None if there was no answer), a body excerpt, an error, how long it took."""

    status: int | None
    body: str
    error: str
    duration_ms: int


def forbidden_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one (None if it is)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return forbidden_reason(embedded)
    checks = [
        (address.is_unspecified, _("unspecified")),
        (address.is_loopback, _("loopback")),
        (address.is_link_local, _("link-local")),
        (address.is_multicast, _("multicast")),
        (address.is_reserved, _("reserved")),
        (address.is_private, _("private")),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, _("site-local")),
        (not address.is_global, _("not public")),
    ]
    return next((str(label) for hit, label in checks if hit), None)


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal is itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        message = _("The host %(host)s cannot be resolved (%(error)s).") % {"host": host, "error": error}
        raise TargetRefused(message) from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(_("The host %(host)s has no address.") % {"host": host})
    return addresses


def check_target(url: str) -> Target:
    """The checked target of ``url``; TargetRefused with the reason if webhooks may not go there."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(_("The URL is not valid (%(error)s).") % {"error": error}) from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise TargetRefused(_("Only http and https URLs can receive webhooks."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_("The URL must not contain a user name or password."))
    host = parts.hostname
    if not host:
        raise TargetRefused(_("The URL has no host."))
    port = port or (443 if scheme == "https" else 80)
    addresses = resolve(host, port)
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            reason = forbidden_reason(address)
            if reason is not None:
                raise TargetRefused(
                    _("%(host)s resolves to %(address)s, a %(kind)s address: webhooks go to public addresses only.")
                    % {"host": host, "address": address, "kind": reason}
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address, with SNI and the certificate checked against the URL's host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._target = target

    def connect(self) -> None:
        sock = socket.create_connection((self._target.address, self._target.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._target.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a fixed address (the ``Host`` header still names the URL's host)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        self.sock = socket.create_connection((self._target.address, self._target.port), self.timeout)


def host_header(target: Target) -> str:
    """The ``Host`` header of the target (with its port when not the scheme's default)."""
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` after checking it; never raises for the network's or the receiver's faults."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = check_target(url)
    except TargetRefused as refused:
        return Answer(status=None, body="", error=_("Refused: %(reason)s") % {"reason": refused}, duration_ms=0)
    timeout = float(settings.WEBHOOKS_TIMEOUT_SECONDS)
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout) if target.scheme == "https" else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request(
            "POST", target.path, body=body, headers={**headers, "Host": host_header(target), "Connection": "close"}
        )
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_BYTES).decode("utf-8", errors="replace")
        status = response.status
    except (OSError, http.client.HTTPException, ValueError) as failure:
        return Answer(status=None, body="", error=f"{type(failure).__name__}: {failure}"[:1000], duration_ms=elapsed())
    finally:
        connection.close()
    error = ""
    if 300 <= status < 400:
        error = _("Redirects are not followed (Location: %(location)s).") % {
            "location": (response.getheader("Location") or "")[:300]
        }
    return Answer(status=status, body=excerpt, error=error, duration_ms=elapsed())
