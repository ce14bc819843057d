"""The rules through the no-JS form (/embed/<article_id>): the same outcomes, as pages."""

import re
import time
from datetime import timedelta

import pytest

from commentsvc import tokens
from commentsvc.models import Comment, utcnow
from tests.helpers import ARTICLE, EMAIL, row_counts
from tests.widget.conftest import PAGE, form_token

from .conftest import waited

HELD = "Your comment is awaiting moderation."


def text(response) -> str:
    return response.get_data(as_text=True)


def send(client, token, ip="198.51.100.1", **fields):
    data = {"name": "Reader", "email": EMAIL, "url": "", "body": "A thoughtful comment."}
    data.update(fields)
    data["token"] = token
    return client.post(PAGE, data=data, environ_base={"REMOTE_ADDR": ip})


def latest(db_session) -> Comment:
    return db_session.query(Comment).order_by(Comment.id.desc()).first()


def test_the_page_hides_a_honeypot_from_people_but_not_as_type_hidden(client):
    html = text(client.get(PAGE))

    trap = re.search(r'<p class="comment-form-subject"[^>]*>.*?</p>', html, re.S).group(0)
    assert 'aria-hidden="true"' in trap
    assert 'name="subject"' in trap and 'type="text"' in trap
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert 'type="hidden"' not in trap


def test_a_person_who_waited_is_held_for_the_mode_only(app, client, db_session, rules_on):
    response = send(client, waited(app))

    assert response.status_code == 303
    assert [r["rule"] for r in latest(db_session).held_reasons] == ["moderation_mode"]


def test_a_bot_that_posts_at_once_lands_in_spam(client, db_session, rules_on):
    token = form_token(text(client.get(PAGE)))  # and straight back, as a script does

    response = send(client, token)

    assert response.status_code == 303
    comment = latest(db_session)
    assert comment.status.value == "spam"
    assert "time_trap" in [r["rule"] for r in comment.held_reasons]


def _notice_page(client, response) -> str:
    assert response.status_code == 303
    return text(client.get(response.headers["Location"]))


def test_spam_is_answered_exactly_like_a_held_comment(app, client, db_session, rules_on):
    app.config["FLOOD_SECONDS"] = 0
    held = send(client, waited(app), body="Held words")
    held_page = _notice_page(client, held)
    spam = send(client, waited(app), body="Spam words", subject="x")
    spam_page = _notice_page(client, spam)

    assert latest(db_session).status.value == "spam"
    for page in (held_page, spam_page):
        assert HELD in page
    assert "Spam words" in spam_page  # its author sees it waiting, as with any held one

    def masked(page: str) -> str:  # what differs by nature: text, ids, names, tokens, times
        page = re.sub(r"(Held|Spam) words", "TEXT", page)
        page = re.sub(r'(value|datetime|title|id|href)="[^"]*"', r'\1=""', page)
        return re.sub(r"comment-\d+", "comment-N", page)

    assert masked(held_page) == masked(spam_page)


@pytest.mark.parametrize(
    ("setting", "fields", "status"),
    [
        ({"DISALLOWED_WORDS": "casino"}, {"body": "Casino nights"}, "spam"),
        ({"MODERATION_WORDS": "casino"}, {"body": "Casino nights"}, "pending"),
        ({}, {"subject": "bot was here"}, "spam"),
    ],
)
def test_content_rules_through_the_form(
    app, client, db_session, rules_on, monkeypatch, setting, fields, status
):
    for name, value in setting.items():
        monkeypatch.setitem(app.config, name, value)

    assert send(client, waited(app), **fields).status_code == 303

    assert latest(db_session).status.value == status


def test_posting_again_at_once_is_refused_with_the_text_kept(app, client, db_session, rules_on):
    assert send(client, waited(app)).status_code == 303
    before = row_counts(db_session)

    response = send(client, waited(app), body="My second thought", email="else@example.org")

    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15
    assert "You are posting comments too quickly. Slow down." in text(response)
    assert "My second thought</textarea>" in text(response)
    assert row_counts(db_session) == before


def test_the_same_comment_twice_is_refused_as_a_duplicate(app, client, db_session, rules_on):
    app.config["FLOOD_SECONDS"] = 0
    assert send(client, waited(app)).status_code == 303
    before = row_counts(db_session)

    response = send(client, waited(app), body="a thoughtful   COMMENT.")

    assert response.status_code == 409
    assert "it looks as though you\u2019ve already said that!" in text(response)
    assert "a thoughtful   COMMENT.</textarea>" in text(response)
    assert row_counts(db_session) == before


def test_an_article_past_its_days_shows_comments_closed_and_no_form(
    app, client, auth, db_session, rules_on, monkeypatch
):
    published = (utcnow() - timedelta(days=40)).isoformat()
    client.put(f"/api/v1/articles/{ARTICLE}", json={"published_at": published}, headers=auth)
    page_token = form_token(text(client.get(PAGE)))
    monkeypatch.setitem(app.config, "CLOSE_AFTER_DAYS", 30)

    html = text(client.get(PAGE))
    assert "Comments are closed." in html and "<form" not in html
    before = row_counts(db_session)
    response = send(client, page_token)
    assert response.status_code == 403
    assert row_counts(db_session) == before


def test_the_page_token_is_the_time_traps_clock(app, client):
    token = form_token(text(client.get(PAGE)))

    now = time.time()
    later = tokens.check_form_token(app.config["SECRET_KEY"], token, ARTICLE, now=now + 10)

    assert 0 <= tokens.check_form_token(app.config["SECRET_KEY"], token, ARTICLE).age < 5
    assert 10 <= later.age < 15
