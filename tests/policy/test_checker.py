"""The external checker against a real local server speaking Akismet's protocol."""

import socket

import pytest
from sqlalchemy import select

from commentsvc.checker import Akismet, Message
from tests.helpers import ARTICLE, moderate

from . import akismet
from .conftest import post, rules, stored_comment, waited


@pytest.fixture
def fake():
    server = akismet.start()
    yield server
    akismet.stop(server)


@pytest.fixture
def checker_on(app, client, auth, monkeypatch, fake, rules_on):
    """The checker switched on in the configuration and by an admin; moderation off."""
    for name, value in {
        "AKISMET": True,
        "AKISMET_URL": fake.url,
        "AKISMET_KEY": akismet.KEY,
        "AKISMET_TIMEOUT": 0.5,
        "AKISMET_SITE": "https://news.example",
        "FLOOD_SECONDS": 0,
    }.items():
        monkeypatch.setitem(app.config, name, value)
    client.put("/api/v1/settings/discussion", json={"moderation": "none"}, headers=auth)
    return fake


def message(**kw) -> Message:
    fields = dict(
        ip="198.51.100.4",
        user_agent="UA/1",
        name="Reader",
        email="r@example.org",
        url=None,
        body="Hello there",
    )
    fields.update(kw)
    return Message.of(**fields)


# ---- the client on its own ---------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "name", "verdict", "detail"),
    [
        ("normal", "Reader", "ham", ""),
        ("normal", akismet.SPAM_AUTHOR, "spam", ""),
        ("invalid", "Reader", "error", "unexpected answer 'invalid' (Empty API key)"),
        ("http500", "Reader", "error", "HTTP 500"),
        ("slow", "Reader", "error", "no answer within 0.3 s"),
    ],
)
def test_comment_check_answers(fake, mode, name, verdict, detail):
    fake.mode = mode
    checker = Akismet(url=fake.url, key=akismet.KEY, site="https://news.example", timeout=0.3)

    answer = checker.check(message(name=name))

    assert (answer.verdict, answer.detail) == (verdict, detail)
    (sent,) = fake.received("comment-check")
    assert sent["api_key"] == akismet.KEY and sent["blog"] == "https://news.example"
    assert sent["user_ip"] == "198.51.100.4" and sent["user_agent"] == "UA/1"
    assert sent["comment_author"] == name and sent["comment_content"] == "Hello there"
    assert sent["comment_type"] == "comment" and sent["blog_charset"] == "UTF-8"


def test_a_checker_nobody_listens_on_is_an_error_answer():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again at once: nothing listens there
    checker = Akismet(url=f"http://127.0.0.1:{port}", key="k", site="s", timeout=0.5)

    answer = checker.check(message())

    assert answer.verdict == "error" and answer.detail.startswith("could not connect")


# ---- through a submission ------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "name", "status", "expected_rules", "words"),
    [
        ("normal", "Reader", "approved", [], None),
        ("normal", akismet.SPAM_AUTHOR, "spam", ["checker"], "says spam"),
        ("invalid", "Reader", "pending", ["checker"], "could not answer"),
        ("http500", "Reader", "pending", ["checker"], "HTTP 500"),
        ("slow", "Reader", "pending", ["checker"], "no answer within 0.5 s"),
    ],
)
def test_the_checker_decides_or_holds_but_never_refuses_or_loses(
    app, client, auth, checker_on, mode, name, status, expected_rules, words
):
    checker_on.mode = mode

    response = post(client, token=waited(app), name=name)

    assert response.status_code == (201 if status == "approved" else 202)
    comment_id = response.get_json()["id"]
    record = stored_comment(client, auth, comment_id)
    assert record["status"] == status
    assert rules(record) == expected_rules
    if words:
        assert words in record["held_reasons"][0]["message"]
    (sent,) = checker_on.received("comment-check")
    assert sent["comment_author"] == name and sent["user_ip"] == "198.51.100.1"


def test_comments_the_rules_already_call_spam_are_not_sent(app, client, auth, checker_on):
    response = post(client, token=waited(app), subject="bot")

    assert stored_comment(client, auth, response.get_json()["id"])["status"] == "spam"
    assert checker_on.received("comment-check") == []


def test_an_admin_can_switch_the_checker_off(app, client, auth, checker_on):
    client.put("/api/v1/settings/discussion", json={"checker_enabled": False}, headers=auth)

    assert post(client, token=waited(app), name=akismet.SPAM_AUTHOR).status_code == 201
    assert checker_on.received("comment-check") == []


# ---- moderators' decisions are reported ------------------------------------------------


def test_marking_spam_and_not_spam_reports_to_the_checker(app, client, auth, checker_on):
    comment_id = post(client, token=waited(app), body="Slipped through").get_json()["id"]

    assert moderate(client, auth, comment_id, "spam").status_code == 200
    assert checker_on.received("submit-spam") == []  # nothing leaves inside the request
    drain(app)
    (spam,) = checker_on.received("submit-spam")
    assert spam["comment_content"] == "Slipped through" and spam["user_ip"] == "198.51.100.1"
    assert moderate(client, auth, comment_id, "unspam").status_code == 200
    drain(app)
    (ham,) = checker_on.received("submit-ham")
    assert ham["comment_content"] == "Slipped through"
    assert stored_comment(client, auth, comment_id)["status"] == "approved"


def test_ordinary_decisions_report_nothing(app, client, auth, checker_on):
    app.config["MODERATION"] = "all"
    client.put("/api/v1/settings/discussion", json={"moderation": None}, headers=auth)
    comment_id = post(client, token=waited(app)).get_json()["id"]

    moderate(client, auth, comment_id, "approve")
    moderate(client, auth, comment_id, "reject")
    drain(app)

    assert checker_on.received("submit-spam") == checker_on.received("submit-ham") == []


def test_a_report_that_fails_is_retried_and_the_decision_stands(
    app, client, auth, checker_on, db_session
):
    from commentsvc.models import OutboxKind, OutboxMessage, OutboxState

    comment_id = post(client, token=waited(app)).get_json()["id"]
    checker_on.mode = "http500"

    response = moderate(client, auth, comment_id, "spam")
    drain(app)

    assert response.status_code == 200
    assert stored_comment(client, auth, comment_id)["status"] == "spam"
    report = db_session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.checker)
    )
    assert report.state is OutboxState.pending and report.attempts == 1
    assert "HTTP 500" in report.last_error
    # The checker answers again: the retry (same row, same delivery id) goes through.
    checker_on.mode = "normal"
    report.next_attempt_at = report.created_at
    db_session.commit()
    drain(app)
    db_session.refresh(report)
    assert report.state is OutboxState.sent and report.attempts == 2
    failed, delivered = checker_on.received("submit-spam")  # the 500, then the retry
    assert failed == delivered


def test_a_report_waits_for_nobody_once_the_checker_is_switched_off(
    app, client, auth, checker_on, db_session
):
    from commentsvc.models import OutboxKind, OutboxMessage, OutboxState

    comment_id = post(client, token=waited(app)).get_json()["id"]
    moderate(client, auth, comment_id, "spam")
    client.put("/api/v1/settings/discussion", json={"checker_enabled": False}, headers=auth)
    drain(app)

    report = db_session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.checker)
    )
    assert report.state is OutboxState.cancelled
    assert checker_on.received("submit-spam") == []


def drain(app):
    from commentsvc import worker

    worker.run(app, once=True)


def test_the_article_url_is_the_permalink(app, client, auth, checker_on):
    client.put(
        f"/api/v1/articles/{ARTICLE}", json={"url": "https://news.example/kilns"}, headers=auth
    )

    post(client, token=waited(app))

    assert checker_on.received("comment-check")[0]["permalink"] == "https://news.example/kilns"


def test_forgetting_an_address_drops_its_reports_still_waiting(
    app, client, auth, checker_on, db_session
):
    from commentsvc.models import OutboxKind, OutboxMessage
    from commentsvc.services import outbox
    from tests.helpers import EMAIL

    comment_id = post(client, token=waited(app)).get_json()["id"]
    moderate(client, auth, comment_id, "spam")
    waiting = select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.checker)
    assert db_session.scalar(waiting).author_email == EMAIL

    outbox.forget_address(db_session, EMAIL)
    db_session.commit()
    drain(app)

    assert db_session.scalar(waiting) is None
    assert checker_on.received("submit-spam") == []
