"""Browser tests: Debian's Chromium, driven by Playwright, against gunicorn on free ports.

The served app has its own database (committed data, unlike the rolled-back API tests),
made and filled through the same CLI a user runs. It listens on two ports: pages served
from the second one are another origin, as an article page on a news site would be.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import IN_CI, fresh_database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str  # the service
    host_url: str  # the same server on another port: another origin, allowed by CORS
    foreign_url: str  # another origin that is not allowed
    api_key: str
    moderator_email: str
    admin_email: str
    password: str
    env: dict  # the served app's environment: run its CLI (the worker) with it
    instance_path: Path

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """Call the JSON API with the moderate key, as another service would."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


# The rules that look at timing and history are off on the shared server, as in the other
# tests (its tests post quickly, from one address, on purpose); `policy_server` has them on.
RELAXED_POLICY = {
    "COMMENTSVC_FLOOD_SECONDS": "0",
    "COMMENTSVC_MIN_FORM_SECONDS": "0",
    "COMMENTSVC_SPAM_REPEAT": "0",
    "COMMENTSVC_REFUSE_DUPLICATES": "false",
}


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    with serve(request, tmp_path_factory, "live", RELAXED_POLICY) as server:
        yield server


@pytest.fixture(scope="session")
def policy_server(request, tmp_path_factory):
    """A served app of its own with the submission policy's defaults (README).

    It trusts one proxy, so each test can be a reader of its own address (an
    X-Forwarded-For header): the flood rule counts by address.
    """
    with serve(request, tmp_path_factory, "policy", {"COMMENTSVC_TRUSTED_PROXIES": "1"}) as server:
        yield server


@contextmanager
def serve(request, tmp_path_factory, name: str, extra_env: dict):
    """gunicorn on two free ports over a fresh database, with a moderator, an admin, a key."""
    port, host_port = _free_port(), _free_port()
    host_url = f"http://127.0.0.1:{host_port}"
    password = "browser-tests-pw"
    with fresh_database(request.config, tmp_path_factory, name) as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("COMMENTSVC_") and key not in ("DATABASE_URL", "REDIS_URL")
        }
        instance_path = tmp_path_factory.mktemp(f"{name}-instance")
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY="browser-tests-secret",
            COMMENTSVC_INSTANCE_PATH=str(instance_path),
            COMMENTSVC_ALLOWED_ORIGINS=json.dumps([host_url]),
            COMMENTSVC_SUBMIT_RATE_LIMIT="1000 per minute",
            COMMENTSVC_SECURE_COOKIES="false",
            COMMENTSVC_PUBLIC_URL=f"http://127.0.0.1:{port}",
            **extra_env,
        )

        def flask(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "-m", "flask", "--app", "commentsvc", *args],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            return done.stdout

        flask("db", "upgrade")
        flask("moderators", "create", "mod@example.org", "--password", password)
        flask(
            "moderators", "create", "admin@example.org", "--role", "admin", "--password", password
        )
        api_key = flask("api-keys", "create", "browser-tests", "--scope", "moderate").splitlines()[
            -1
        ]

        log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--bind",
                    f"127.0.0.1:{host_port}",
                    "--workers",
                    "2",
                    "wsgi:app",
                ],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process, log)
            yield LiveServer(
                url=url,
                host_url=host_url,
                foreign_url=f"http://localhost:{host_port}",
                api_key=api_key,
                moderator_email="mod@example.org",
                admin_email="admin@example.org",
                password=password,
                env=env,
                instance_path=instance_path,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"{message}; CI requires the browser tests.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the tests save what they saw (under the pytest temp dir)."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page(browser):
    """A fresh browser tab that records every dialog, console error and page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []

    def on_dialog(dialog):
        tab.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    tab.on(
        "console",
        lambda message: message.type == "error" and tab.problems.append(f"console: {message.text}"),
    )
    yield tab
    context.close()
