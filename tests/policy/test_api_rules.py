"""Every rule's outcome through the JSON API, and the 409/429 refusals that store nothing."""

from datetime import timedelta

import pytest

from commentsvc import tokens
from commentsvc.models import utcnow
from tests.helpers import ARTICLE, api_error, row_counts

from .conftest import post, rules, stored_comment, waited

HELD = "Your comment is awaiting moderation."


def put_settings(client, auth, **changes):
    response = client.put("/api/v1/settings/discussion", json=changes, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# ---- held, spam, published ------------------------------------------------------


def test_a_person_who_waited_is_held_only_for_the_configured_reasons(app, client, auth, rules_on):
    response = post(client, token=waited(app))

    assert response.status_code == 202
    record = stored_comment(client, auth, response.get_json()["id"])
    assert record["status"] == "pending"
    assert rules(record) == ["moderation_mode"]


def test_with_moderation_off_a_person_who_waited_is_published(app, client, auth, rules_on):
    put_settings(client, auth, moderation="none")

    response = post(client, token=waited(app))

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("fields", "setting", "rule", "status"),
    [
        (
            {"body": "Best casino bonus"},
            {"moderation_words": ["casino"]},
            "moderation_words",
            "pending",
        ),
        (
            {"name": "Casino King"},
            {"moderation_words": "casino\npoker"},
            "moderation_words",
            "pending",
        ),
        (
            {"body": "Cheap pills here"},
            {"disallowed_words": ["cheap pills"]},
            "disallowed_words",
            "spam",
        ),
        (
            {"email": "bot@spam.example"},
            {"disallowed_words": ["spam.example"]},
            "disallowed_words",
            "spam",
        ),
        ({}, {"disallowed_words": ["198.51.100.0/24"]}, "disallowed_words", "spam"),
        ({}, {"moderation_words": ["198.51.100.1"]}, "moderation_words", "pending"),
        ({"body": "a http://a.example b http://b.example"}, {"max_links": 1}, "links", "pending"),
        ({"honeypot": "I fill everything"}, {}, "honeypot", "spam"),
    ],
)
def test_each_content_rule_decides_through_the_api(
    app, client, auth, rules_on, fields, setting, rule, status
):
    put_settings(client, auth, moderation="none", **setting)
    payload = dict(fields)
    if "honeypot" in payload:
        payload["subject"] = payload.pop("honeypot")

    response = post(client, token=waited(app), **payload)

    assert response.status_code == 202  # spam answers exactly like held
    assert response.get_json()["message"] == HELD
    record = stored_comment(client, auth, response.get_json()["id"])
    assert record["status"] == status
    assert rules(record) == [rule]
    (reason,) = record["held_reasons"]
    assert reason["message"] and reason["details"]["outcome"] == (
        "spam" if status == "spam" else "hold"
    )


@pytest.mark.parametrize(
    ("token", "status", "problem_words"),
    [
        ("instant", "spam", "under 1 s"),
        ("two seconds", "pending", "under 3 s"),
        ("missing", "pending", "no form token"),
        ("forged", "pending", "not valid"),
        ("other article", "pending", "not valid"),
        ("a day old", "pending", "more than 24 hours"),
        ("waited", "approved", None),
    ],
)
def test_the_time_trap_through_the_api(app, client, auth, rules_on, token, status, problem_words):
    put_settings(client, auth, moderation="none")
    secret = app.config["SECRET_KEY"]
    sent = {
        "instant": client.get(f"/api/v1/articles/{ARTICLE}/comments").headers.get(
            "Comment-Form-Token"
        ),
        "two seconds": waited(app, seconds=2),
        "missing": None,
        "forged": tokens.form_token("not-the-secret", ARTICLE),
        "other article": waited(app, "another-article"),
        "a day old": waited(app, seconds=tokens.FORM_MAX_AGE + 60),
        "waited": waited(app, seconds=5),
    }[token]
    assert secret  # the real secret signs every token but the forged one

    response = post(client, token=sent)

    assert response.status_code == (201 if status == "approved" else 202)
    record = stored_comment(client, auth, response.get_json()["id"])
    assert record["status"] == status
    if problem_words:
        (reason,) = record["held_reasons"]
        assert reason["rule"] == "time_trap" and problem_words in reason["message"]


def test_a_request_with_an_api_key_skips_the_time_trap(client, auth, rules_on):
    put_settings(client, auth, moderation="none")

    response = client.post(
        f"/api/v1/articles/{ARTICLE}/comments",
        json={"name": "Importer", "email": "a@example.org", "body": "From another service"},
        headers=auth,
    )

    assert response.status_code == 201


def test_a_wrong_api_key_on_a_submission_is_refused_not_ignored(client, db_session):
    before = row_counts(db_session)

    response = client.post(
        f"/api/v1/articles/{ARTICLE}/comments",
        json={"name": "Importer", "email": "a@example.org", "body": "From another service"},
        headers={"Authorization": "Bearer csk_not-a-key"},
    )

    api_error(response, 401, "unauthorized")
    assert row_counts(db_session) == before


def test_three_spam_from_one_email_send_the_next_comment_to_spam(app, client, auth, rules_on):
    app.config["FLOOD_SECONDS"] = 0  # the same email, at once
    put_settings(client, auth, moderation="none", disallowed_words=["pills"])
    for n in range(3):
        spam = post(client, token=waited(app), ip=f"198.51.100.{10 + n}", body=f"pills {n}")
        assert stored_comment(client, auth, spam.get_json()["id"])["status"] == "spam"
    put_settings(client, auth, disallowed_words=[])

    response = post(client, token=waited(app), ip="198.51.100.99", body="Honest words now")

    record = stored_comment(client, auth, response.get_json()["id"])
    assert record["status"] == "spam"
    assert rules(record) == ["repeat_offender"]
    assert record["held_reasons"][0]["details"] == {
        "by": "email",
        "count": 3,
        "limit": 3,
        "outcome": "spam",
    }


def test_three_spam_from_one_ip_send_the_next_comment_to_spam(app, client, auth, rules_on):
    app.config["FLOOD_SECONDS"] = 0  # the same address, at once
    put_settings(client, auth, moderation="none", disallowed_words=["pills"])
    for n in range(3):
        post(client, token=waited(app), ip="192.0.2.5", email=f"s{n}@x.example", body="pills")
    put_settings(client, auth, disallowed_words=[])

    response = post(client, token=waited(app), ip="192.0.2.5", email="new@x.example")

    assert rules(stored_comment(client, auth, response.get_json()["id"])) == ["repeat_offender"]


# ---- refusals: 429 and 409, nothing stored -------------------------------------------


@pytest.fixture
def refused(client, db_session):
    def check(response, status: int, code: str) -> dict:
        return api_error(response, status, code)

    return check


def test_posting_again_within_15_seconds_from_the_same_ip_is_refused(
    app, client, db_session, rules_on
):
    assert post(client, token=waited(app), body="First").status_code == 202
    before = row_counts(db_session)

    response = post(client, token=waited(app), email="other@example.org", body="Second")

    error = api_error(response, 429, "too_fast")
    assert error["message"] == "You are posting comments too quickly. Slow down."
    assert 1 <= int(response.headers["Retry-After"]) <= 15
    assert row_counts(db_session) == before


def test_posting_again_within_15_seconds_with_the_same_email_is_refused(
    app, client, db_session, rules_on
):
    assert post(client, token=waited(app), ip="203.0.113.1").status_code == 202
    before = row_counts(db_session)

    response = post(client, token=waited(app), ip="203.0.113.2", body="Elsewhere")

    api_error(response, 429, "too_fast")
    assert row_counts(db_session) == before


def test_after_the_flood_interval_the_same_reader_may_post_again(app, client, db_session, rules_on):
    from commentsvc.models import Comment

    first = post(client, token=waited(app), body="First").get_json()["id"]
    # Move the first comment 16 seconds into the past instead of waiting for it.
    db_session.get(Comment, first).created_at = utcnow() - timedelta(seconds=16)
    db_session.commit()

    assert post(client, token=waited(app), body="Second").status_code == 202


def test_other_readers_are_not_slowed_down(app, client, rules_on):
    assert post(client, token=waited(app), ip="203.0.113.1").status_code == 202

    response = post(client, token=waited(app), ip="203.0.113.2", email="someone@example.org")

    assert response.status_code == 202


def test_a_service_with_a_key_is_not_flooded_by_its_own_ip(client, auth, rules_on):
    for n in range(3):
        response = client.post(
            f"/api/v1/articles/{ARTICLE}/comments",
            json={"name": f"R{n}", "email": f"r{n}@example.org", "body": f"Imported {n}"},
            headers=auth,
        )
        assert response.status_code == 202


@pytest.mark.parametrize(
    "again", ["A thoughtful comment.", "  a THOUGHTFUL\n\ncomment. ", "A   thoughtful comment."]
)
def test_the_same_text_twice_from_one_email_is_a_duplicate(
    app, client, db_session, rules_on, again
):
    app.config["FLOOD_SECONDS"] = 0
    assert post(client, token=waited(app)).status_code == 202
    before = row_counts(db_session)

    response = post(client, token=waited(app), body=again, ip="203.0.113.50")

    error = api_error(response, 409, "duplicate")
    assert error["message"] == (
        "Duplicate comment detected; it looks as though you\u2019ve already said that!"
    )
    assert row_counts(db_session) == before


def test_the_same_text_is_fine_on_another_article_or_from_another_email(app, client, rules_on):
    app.config["FLOOD_SECONDS"] = 0
    assert post(client, token=waited(app)).status_code == 202

    assert post(client, token=waited(app), email="twin@example.org").status_code == 202
    assert post(client, article_id="other", token=waited(app, "other")).status_code == 202


def test_a_refused_first_comment_leaves_no_article_behind(app, client, db_session, rules_on):
    app.config["FLOOD_SECONDS"] = 0
    assert post(client, token=waited(app)).status_code == 202
    app.config["FLOOD_SECONDS"] = 15
    before = row_counts(db_session)

    response = post(client, article_id="brand-new", token=waited(app, "brand-new"))

    api_error(response, 429, "too_fast")
    assert row_counts(db_session) == before


# ---- the spam answer tells nothing -----------------------------------------------------


def _shape(response) -> tuple:
    body = response.get_json()
    comment = body["comment"]
    return (
        response.status_code,
        sorted(response.headers.keys()),
        sorted(body),
        body["status"],
        body["message"],
        sorted(comment),
        sorted(comment["author"]),
    )


def test_a_spam_answer_cannot_be_told_from_a_held_one(app, client, auth, rules_on):
    app.config["FLOOD_SECONDS"] = 0
    held = post(client, token=waited(app), body="Honest", email="person@example.org")
    spam = post(
        client, token=waited(app), body="Bot text", email="bot@example.org", subject="filled"
    )

    assert _shape(held) == _shape(spam)
    assert "spam" not in spam.get_data(as_text=True).lower()
    assert stored_comment(client, auth, spam.get_json()["id"])["status"] == "spam"
    assert stored_comment(client, auth, held.get_json()["id"])["status"] == "pending"


# ---- close after N days ----------------------------------------------------------------


def test_comments_close_n_days_after_publication(app, client, auth, db_session, rules_on):
    thread = f"/api/v1/articles/{ARTICLE}/comments"
    published_at = (utcnow() - timedelta(days=10)).isoformat()
    client.put(f"/api/v1/articles/{ARTICLE}", json={"published_at": published_at}, headers=auth)
    open_etag = client.get(thread).headers["ETag"]
    assert client.get(thread).get_json()["comments_open"] is True

    put_settings(client, auth, close_after_days=7)

    answer = client.get(thread)
    assert answer.get_json()["comments_open"] is False
    assert answer.headers["ETag"] != open_etag
    before = row_counts(db_session)
    api_error(post(client, token=waited(app)), 403, "comments_closed")
    assert row_counts(db_session) == before
    article = client.put(f"/api/v1/articles/{ARTICLE}", json={}, headers=auth).get_json()
    assert article["published_at"].startswith(published_at[:19])


def test_without_a_publication_time_the_first_comment_starts_the_clock(
    app, client, auth, db_session, rules_on
):
    from commentsvc.models import Article

    assert post(client, token=waited(app)).status_code == 202
    article = db_session.query(Article).filter_by(article_id=ARTICLE).one()
    assert article.first_comment_at is not None
    article.first_comment_at = utcnow() - timedelta(days=3)
    db_session.commit()

    put_settings(client, auth, close_after_days=5)
    assert client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["comments_open"] is True
    put_settings(client, auth, close_after_days=2)
    assert client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["comments_open"] is False
    put_settings(client, auth, close_after_days=0)
    assert client.get(f"/api/v1/articles/{ARTICLE}/comments").get_json()["comments_open"] is True


# ---- the widget's form token comes with the thread ---------------------------------------


def test_every_thread_answer_carries_a_fresh_form_token_and_cors_exposes_it(app, client):
    thread = f"/api/v1/articles/{ARTICLE}/comments"
    origin = {"Origin": "https://news.example"}

    first = client.get(thread, headers=origin)
    again = client.get(thread, headers={**origin, "If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200 and again.status_code == 304
    secret = app.config["SECRET_KEY"]
    for answer in (first, again):
        stamp = tokens.check_form_token(secret, answer.headers["Comment-Form-Token"], ARTICLE)
        assert 0 <= stamp.age < 5
        exposed = answer.headers["Access-Control-Expose-Headers"].split(", ")
        assert "Comment-Form-Token" in exposed
    assert "Comment-Form-Token" not in first.get_data(as_text=True)  # not in the cached body
