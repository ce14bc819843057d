"""Mails to a moderator are written in the language they picked; the rest in English."""

import pytest

from commentsvc.notify import messages

COMMENT = {
    "id": 7,
    "article_id": "kilns",
    "article_title": "Brick kilns",
    "article_url": None,
    "parent_id": None,
    "status": "pending",
    "staff": False,
    "author": {"name": "Amrita Kaur", "email": "amrita@example.org", "url": None},
    "ip": "203.0.113.5",
    "user_agent": "test",
    "body": "Held for review.",
    "html": "<p>Held for review.</p>",
    "held_reasons": [],
    "created_at": "2026-11-25T15:00:00+00:00",
}


@pytest.fixture
def context(app):
    with app.app_context():
        yield messages.MailContext("https://comments.example", "Ledger", "c@example.org", "s")


def _parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message["Subject"], text, html


def _held(context, locale):
    payload = {"comment": COMMENT, "history": {"approved": 2}, "state": 0, "moderator_id": 1}
    if locale is not None:
        payload["locale"] = locale
    return messages.build("mail.held", "mod@example.org", payload, "d1", context)


def test_held_mail_in_the_moderators_urdu(context):
    subject, text, html = _parts(_held(context, "ur"))
    assert subject == "[Ledger] براہِ کرم ماڈریٹ کریں: “Brick kilns”"
    assert "Ledger پر ایک نیا تبصرہ آپ کی منظوری کا منتظر ہے۔" in text
    assert "2 منظور شدہ" in text  # the history, its status word translated
    assert '<html lang="ur" dir="rtl">' in html
    assert ">منظور کریں</a>" in html  # the Approve button
    assert "Please moderate" not in subject + text + html


@pytest.mark.parametrize("locale", [None, "xx"])
def test_held_mail_in_english_without_a_known_language(context, locale):
    subject, text, html = _parts(_held(context, locale))
    assert subject == "[Ledger] Please moderate: “Brick kilns”"
    assert "A new comment on Ledger is waiting for your approval." in text
    assert '<html lang="en" dir="ltr">' in html


def test_digest_subject_uses_plural_forms(context):
    item = {"comment": COMMENT, "history": {}, "state": 0}
    for total, german in ((1, "1 Kommentar wartet"), (3, "3 Kommentare warten")):
        payload = {"items": [item], "total": total, "moderator_id": 1, "locale": "de"}
        message = messages.build("mail.digest", "m@example.org", payload, "d2", context)
        assert message["Subject"] == f"[Ledger] {german} auf Moderation"
