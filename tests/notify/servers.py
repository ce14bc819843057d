"""Real servers on free loopback ports: an SMTP server (aiosmtpd) and a webhook receiver.

The receiver checks every delivery's signature with the `standardwebhooks` package (the
reference implementation, not our code), and can answer with chosen statuses or stall.
"""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """aiosmtpd on a free port; `messages` holds every mail received, parsed."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.raw: list[bytes] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.content)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class Delivery:
    path: str
    headers: dict
    body: bytes
    payload: dict | None  # None when the signature did not verify


@dataclass
class Receiver:
    """A webhook endpoint: verifies, records, answers `statuses` in turn (then 200)."""

    secret: str | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    stall: threading.Event | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def verified(self) -> list[dict]:
        assert all(d.payload is not None for d in self.deliveries), "a signature failed"
        return [d.payload for d in self.deliveries]

    def ids(self) -> list[str]:
        return [d.headers["webhook-id"] for d in self.deliveries]


def start_receiver(receiver: Receiver) -> ThreadingHTTPServer:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                payload = Webhook(receiver.secret).verify(body, headers)
            except (WebhookVerificationError, ValueError, TypeError):
                payload = None
            with lock:
                receiver.deliveries.append(Delivery(self.path, headers, body, payload))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            receiver.arrived.set()
            if receiver.stall is not None:
                receiver.stall.wait(20)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a worker killed mid-request leaves a broken pipe: expected here

    server = Server(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
