"""Fixtures for notifications: real SMTP and HTTP servers, and draining the outbox."""

import pytest

from tests.notify.servers import Receiver, SmtpServer, start_receiver

# The review UI's client (a fresh `g` per request, as when served) and its admin.
from tests.review.conftest import admin, client  # noqa: F401

PUBLIC_URL = "https://comments.example"


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server, app, monkeypatch):
    """Mail goes to the real SMTP server; its inbox starts empty."""
    smtp_server.messages.clear()
    smtp_server.envelopes.clear()
    smtp_server.raw.clear()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Comments <comments@news.example>")
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)
    return smtp_server


@pytest.fixture
def receiver(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOKS_TIMEOUT", 3)
    hook = Receiver()
    server = start_receiver(hook)
    yield hook
    if hook.stall is not None:
        hook.stall.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def drain(app, db_session):
    """Run the worker in this process until nothing is due; return its stats."""
    from commentsvc import worker

    def run():
        return worker.run(app, once=True)

    return run
