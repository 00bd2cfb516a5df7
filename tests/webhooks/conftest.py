"""A local HTTP receiver that records webhook deliveries (and can be told to fail or redirect), and helpers."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from partners.choices import PartnerKind
from partners.services import partner_create


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/webhooks.md writes it: HMAC-SHA256 of "<t>.<body>", constant-time, recent t."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A recording HTTP server on 127.0.0.1: ``statuses`` are answered first (then ``default``)."""

    url: str
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    default: int = 200
    #: Seconds to wait before answering (to catch a worker mid-stream).
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else self.default


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    """A receiver in a thread of this process."""
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.next_status()
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.url + "elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """A running receiver; private targets allowed (it is on the loopback)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


def make_partners(count: int, start: int = 0) -> None:
    """``count`` partner.created events, through the service."""
    for n in range(start, start + count):
        partner_create(actor=None, data={"name": f"Hook {n}", "slug": f"hook-{n}", "kind": PartnerKind.COUNTRY})
