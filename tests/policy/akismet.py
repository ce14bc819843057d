"""A small Akismet-compatible server for tests: real HTTP on a free loopback port.

It answers comment-check the way Akismet does ("true"/"false", "invalid" with a debug
header), records every call, and can be told to fail: "invalid", "http500" or "slow".
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

KEY = "test-akismet-key"
SPAM_AUTHOR = "viagra-test-123"  # Akismet's own always-spam test author
THANKS = b"Thanks for making the web a better place."


@dataclass
class FakeAkismet:
    url: str
    server: ThreadingHTTPServer
    calls: list[tuple[str, dict]] = field(default_factory=list)
    mode: str = "normal"  # normal | invalid | http500 | slow
    slow_seconds: float = 1.0
    # Called (with the path) while a comment-check is being answered, to look around.
    during_check: object = None

    def received(self, method: str) -> list[dict]:
        return [fields for path, fields in self.calls if path == f"/1.1/{method}"]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAkismet

    def log_message(self, *args):  # keep test output quiet
        pass

    def _answer(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        fake = self.fake
        fake.calls.append((self.path, fields))
        if fake.mode == "slow":
            time.sleep(fake.slow_seconds)
        if fake.mode == "http500":
            return self._answer(500, b"Internal Server Error")
        if fake.mode == "invalid" or fields.get("api_key") != KEY:
            return self._answer(200, b"invalid", {"X-akismet-debug-help": "Empty API key"})
        if self.path == "/1.1/comment-check":
            if callable(fake.during_check):
                fake.during_check(fields)
            spam = SPAM_AUTHOR in (
                fields.get("comment_author", "") + fields.get("comment_content", "")
            )
            return self._answer(200, b"true" if spam else b"false")
        if self.path in ("/1.1/submit-spam", "/1.1/submit-ham"):
            return self._answer(200, THANKS)
        return self._answer(404, b"Not Found")


def start() -> FakeAkismet:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    fake = FakeAkismet(url=f"http://127.0.0.1:{server.server_address[1]}", server=server)
    handler.fake = fake
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return fake


def stop(fake: FakeAkismet) -> None:
    fake.server.shutdown()
    fake.server.server_close()
