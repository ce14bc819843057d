"""One structured line per request; no email, token or set-password link in any log.

The same scenario runs twice: through the test client with every logger captured, and
against a real gunicorn (its own stderr captured), since gunicorn's access log is where
these leaked before.
"""

import http.cookiejar
import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from commentsvc.models import Role
from commentsvc.ops.requestlog import LineFormatter
from commentsvc.services import accounts
from tests.review.conftest import _FreshG
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "log-scenario-password"
NEW_PASSWORD = "a brand new password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"/review/set-password/([^\"'<\s]+)")
MODERATOR_LINK = re.compile(r'action="/review/moderators/(\d+)/link"')
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
LINE_FIELDS = {"time", "level", "request_id", "method", "route", "status", "duration_ms"}


class ClientBrowser:
    """The scenario's browser over Flask's test client."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str) -> tuple[int, str]:
        response = self.client.get(path)
        return response.status_code, response.get_data(as_text=True)

    def post(self, path: str, *, form=None, json_body=None) -> tuple[int, str]:
        response = self.client.post(path, data=form, json=json_body)
        return response.status_code, response.get_data(as_text=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class HttpBrowser:
    """The scenario's browser over HTTP, with cookies, not following redirects."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, *, form=None, json_body=None) -> tuple[int, str]:
        if json_body is not None:
            data, kind = json.dumps(json_body).encode(), "application/json"
        else:
            data, kind = (
                urllib.parse.urlencode(form or {}).encode(),
                "application/x-www-form-urlencoded",
            )
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Content-Type": kind}
        )
        return self._open(request)


def scenario(browser_for, secrets: dict) -> None:
    """Submit, sign in, read an author's history by email, use a set-password link."""
    reader = browser_for()
    body = {"name": "Reader", "email": secrets["reader"], "body": "A comment to moderate."}
    assert reader.post("/api/v1/articles/log-scenario/comments", json_body=body)[0] == 202

    admin = browser_for()
    _sign_in(admin, secrets["admin"], PASSWORD)
    status, page = admin.get(f"/review/?status=all&email={urllib.parse.quote(secrets['reader'])}")
    assert status == 200 and "A comment to moderate." in page

    status, page = admin.get("/review/moderators")
    assert status == 200
    moderator_id = _moderator_id(page, secrets["moderator"])
    status, page = admin.post(
        f"/review/moderators/{moderator_id}/link", form={"csrf_token": CSRF.search(page)[1]}
    )
    assert status == 200
    secrets["token"] = LINK.search(page)[1]

    invited = browser_for()
    link = f"/review/set-password/{secrets['token']}"
    status, page = invited.get(link)
    assert status == 200
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": CSRF.search(page)[1]}
    assert invited.post(link, form=form)[0] == 302
    _sign_in(invited, secrets["moderator"], NEW_PASSWORD)


def _sign_in(browser, email: str, password: str) -> None:
    _status, page = browser.get("/review/login")
    form = {"email": email, "password": password, "csrf_token": CSRF.search(page)[1]}
    assert browser.post("/review/login", form=form)[0] == 302


def _moderator_id(page: str, email: str) -> str:
    row = page[page.index(email) :]
    return MODERATOR_LINK.search(row)[1]


def _secrets() -> dict:
    tag = uuid.uuid4().hex[:10]
    return {
        "reader": f"reader-{tag}@example.org",
        "admin": f"admin-{tag}@example.org",
        "moderator": f"moderator-{tag}@example.org",
    }


def _leaks(text: str, secrets: dict) -> list[str]:
    quoted = [urllib.parse.quote(v) for v in secrets.values()]
    found = [v for v in [*secrets.values(), *quoted, PASSWORD, NEW_PASSWORD] if v in text]
    return found + re.findall(r"\S*@example\.org\S*", text)


def test_a_request_logs_one_line_and_echoes_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="commentsvc.requests")

    response = client.get(
        "/api/v1/counts?article_id=x&email=a@example.org", headers={"X-Request-Id": "req-42"}
    )

    assert response.headers["X-Request-Id"] == "req-42"
    (line,) = [r for r in caplog.records if r.name == "commentsvc.requests"]
    assert line.fields["request_id"] == "req-42"
    assert line.fields["route"] == "/api/v1/counts"  # the template, no query string
    assert line.fields["status"] == response.status_code
    assert line.fields["method"] == "GET" and line.fields["duration_ms"] >= 0


@pytest.mark.parametrize("given", ["", "two words", "x" * 129, "caf\u00e9", "a;forged=1"])
def test_an_odd_request_id_is_replaced_with_one_of_ours(client, given):
    response = client.get("/healthz", headers={"X-Request-Id": given})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_json_lines_carry_every_field(app, client, caplog):
    caplog.set_level(logging.INFO, logger="commentsvc.requests")
    app.config["LOG_FORMAT"] = "json"
    try:
        response = client.get("/nowhere?token=abc")
    finally:
        app.config["LOG_FORMAT"] = "text"

    (record,) = [r for r in caplog.records if r.name == "commentsvc.requests"]
    line = json.loads(LineFormatter().format(record))
    assert set(line) == LINE_FIELDS
    assert line["route"] == "<unmatched>" and line["status"] == 404
    assert line["request_id"] == response.headers["X-Request-Id"]


def test_error_bodies_name_the_request(client):
    response = client.get("/api/v1/nowhere", headers={"X-Request-Id": "err-7"})

    assert response.status_code == 404
    assert response.get_json()["error"]["request_id"] == "err-7"


def test_no_email_or_token_reaches_the_log_through_the_app(app, db_session, caplog, capfd):
    secrets = _secrets()
    accounts.create_moderator(db_session, secrets["admin"], PASSWORD, Role.admin)
    accounts.create_moderator(db_session, secrets["moderator"], PASSWORD, Role.moderator)
    caplog.set_level(logging.DEBUG)

    # Each request with a fresh `g`, as served (db_session keeps one app context open).
    app.test_client_class = _FreshG
    try:
        scenario(lambda: ClientBrowser(app.test_client()), secrets)
    finally:
        app.test_client_class = None

    logged = caplog.text + "".join(capfd.readouterr())
    assert "/review/set-password/<token>" in logged  # the scenario was logged...
    assert _leaks(logged, secrets) == []  # ...and nothing secret with it


def test_no_email_or_token_reaches_gunicorns_output(tmp_path):
    secrets = _secrets()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTSVC_", "PROMETHEUS"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'commentsvc.db'}",
        SECRET_KEY="log-scenario-secret",
        COMMENTSVC_INSTANCE_PATH=str(tmp_path / "instance"),
        COMMENTSVC_SECURE_COOKIES="false",
        COMMENTSVC_MIN_FORM_SECONDS="0",
        COMMENTSVC_LOG_FORMAT="json",
    )
    env.pop("REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "commentsvc"]
    run = {"env": env, "cwd": ROOT, "capture_output": True, "timeout": 60, "check": True}
    subprocess.run([*flask, "db", "upgrade"], **run)
    for email, role in ((secrets["admin"], "admin"), (secrets["moderator"], "moderator")):
        subprocess.run(
            [*flask, "moderators", "create", email, "--role", role, "--password", PASSWORD], **run
        )
    port = free_port()
    output = tmp_path / "gunicorn.out"
    with output.open("w") as out:
        server = subprocess.Popen(
            [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base, server, output)
        scenario(lambda: HttpBrowser(base), secrets)
    finally:
        server.terminate()
        server.wait(timeout=20)

    logged = output.read_text()
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    assert {line["route"] for line in lines} >= {"/review/set-password/<token>", "/review/"}
    assert all(set(line) == LINE_FIELDS for line in lines)
    assert _leaks(logged, secrets) == []


def _wait_for(base: str, server: subprocess.Popen, output: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{output.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer:\n{output.read_text()}")
