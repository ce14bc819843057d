"""Idempotency-Key on submissions: a retry answers the first answer and stores nothing new."""

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from commentsvc.models import Article, Comment, IdempotencyKey, OutboxMessage
from commentsvc.services import Client, idempotency, submission
from tests.helpers import ARTICLE, api_error, comment_payload, row_counts

URL = f"/api/v1/articles/{ARTICLE}/comments"


def post(client, key: str | None, article_id: str = ARTICLE, **kwargs):
    headers = kwargs.pop("headers", {}) | ({"Idempotency-Key": key} if key is not None else {})
    kwargs.setdefault("json", comment_payload())
    return client.post(f"/api/v1/articles/{article_id}/comments", headers=headers, **kwargs)


def new_key() -> str:
    return str(uuid.uuid4())


def test_a_repeated_key_answers_the_first_answer_and_stores_nothing(client, db_session):
    key = new_key()
    first = post(client, key)
    assert first.status_code == 202
    assert "Idempotent-Replayed" not in first.headers
    after_first = row_counts(db_session)
    assert after_first["idempotency_keys"] == 1
    for _ in range(3):
        again = post(client, key)
        assert again.status_code == 202
        assert again.get_data() == first.get_data()  # the same body, byte for byte
        assert again.headers["Idempotent-Replayed"] == "true"
    assert row_counts(db_session) == after_first


def test_published_answers_are_replayed_as_published(client, app, monkeypatch, db_session):
    monkeypatch.setitem(app.config, "MODERATION", "none")
    key = new_key()
    first = post(client, key)
    assert first.status_code == 201
    before = row_counts(db_session)
    again = post(client, key)
    assert (again.status_code, again.get_data()) == (201, first.get_data())
    assert row_counts(db_session) == before


def test_a_form_body_and_a_quoted_key_are_the_same_request(client, db_session):
    key = new_key()
    first = post(client, key, json=None, data=comment_payload())
    before = row_counts(db_session)
    again = post(client, f'"{key}"')  # the draft's structured-field string, as JSON
    assert (again.status_code, again.get_data()) == (202, first.get_data())
    assert row_counts(db_session) == before


def test_different_keys_store_different_comments(client, db_session):
    before = row_counts(db_session)["comments"]
    assert post(client, new_key()).status_code == 202
    assert post(client, new_key()).status_code == 202
    assert post(client, None).status_code == 202
    assert row_counts(db_session)["comments"] == before + 3


@pytest.mark.parametrize(
    "change",
    [
        {"body": "Another comment."},
        {"name": "Someone Else"},
        {"email": "other@example.org"},
        {"url": "https://reader.example"},
        {"article_id": "another-article"},
    ],
)
def test_a_key_reused_for_another_request_is_refused(client, db_session, change):
    key = new_key()
    assert post(client, key).status_code == 202
    before = row_counts(db_session)
    article_id = change.pop("article_id", ARTICLE)
    response = post(client, key, article_id, json=comment_payload(**change))
    error = api_error(response, 422, "idempotency_key_reused")
    assert "different request" in error["message"]
    assert row_counts(db_session) == before


@pytest.mark.parametrize(
    "key",
    [
        "",
        " ",
        "two words",
        "k" * 256,
        '"' + "k" * 256 + '"',
        "ключ",
        'a"b',
        '"unbalanced',
        'unbalanced"',
        '""',
        "back\\slash",
        "tab\there",
    ],
)
def test_a_key_outside_the_grammar_is_refused(client, db_session, key):
    before = row_counts(db_session)
    response = client.post(URL, json=comment_payload(), headers=[("Idempotency-Key", key)])
    error = api_error(response, 400, "invalid_idempotency_key")
    assert "255" in error["message"]
    assert row_counts(db_session) == before


def test_two_keys_in_one_request_are_refused(client, db_session):
    before = row_counts(db_session)
    headers = [("Idempotency-Key", new_key()), ("Idempotency-Key", new_key())]
    api_error(
        client.post(URL, json=comment_payload(), headers=headers), 400, "invalid_idempotency_key"
    )
    assert row_counts(db_session) == before


def test_the_longest_key_and_every_allowed_character_are_accepted(client):
    allowed = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\')
    assert post(client, allowed).status_code == 202
    assert post(client, "k" * 255).status_code == 202


# ---- refused requests do not use the key up ------------------------------------------


def test_a_refused_field_does_not_use_the_key_up(client, db_session):
    key = new_key()
    before = row_counts(db_session)
    api_error(post(client, key, json=comment_payload(email="nope")), 422, "validation_failed")
    assert row_counts(db_session) == before
    assert post(client, key).status_code == 202
    assert row_counts(db_session)["comments"] == before["comments"] + 1


def test_a_closed_article_does_not_use_the_key_up(client, auth, db_session):
    key = new_key()
    client.put(f"/api/v1/articles/{ARTICLE}", json={"comments_open": False}, headers=auth)
    before = row_counts(db_session)
    api_error(post(client, key), 403, "comments_closed")
    assert row_counts(db_session) == before
    client.put(f"/api/v1/articles/{ARTICLE}", json={"comments_open": True}, headers=auth)
    assert post(client, key).status_code == 202
    assert row_counts(db_session)["idempotency_keys"] == before["idempotency_keys"] + 1


def test_a_bad_parent_does_not_use_the_key_up_or_create_the_article(client, db_session):
    key = new_key()
    before = row_counts(db_session)
    refused = post(client, key, "brand-new-article", json=comment_payload(parent_id=99))
    api_error(refused, 422, "validation_failed")
    assert row_counts(db_session) == before
    assert post(client, key, "brand-new-article").status_code == 202


def test_a_cross_site_refusal_does_not_use_the_key_up(client, db_session):
    key = new_key()
    before = row_counts(db_session)
    refused = post(client, key, headers={"Origin": "https://evil.example"})
    api_error(refused, 403, "cross_site_refused")
    assert row_counts(db_session) == before
    assert post(client, key).status_code == 202


def test_a_rate_limited_request_does_not_use_the_key_up(client, app, db_session, monkeypatch):
    from commentsvc.extensions import limiter

    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "1 per minute")
    assert post(client, new_key()).status_code == 202
    key = new_key()
    before = row_counts(db_session)
    api_error(post(client, key), 429, "rate_limited")
    assert row_counts(db_session) == before
    limiter.reset()
    assert post(client, key).status_code == 202
    assert row_counts(db_session)["comments"] == before["comments"] + 1


# ---- keys expire after a day ---------------------------------------------------------


def test_keys_older_than_a_day_are_purged_and_may_be_used_again(client, db_session):
    old, fresh = new_key(), new_key()
    assert post(client, old).status_code == 202
    assert post(client, fresh).status_code == 202
    row = db_session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == old))
    row.created_at = datetime.now(UTC) - idempotency.KEEP - timedelta(minutes=1)
    db_session.commit()
    comments = row_counts(db_session)["comments"]

    assert post(client, new_key()).status_code == 202  # any keyed submission purges
    kept = db_session.scalars(select(IdempotencyKey.key)).all()
    assert old not in kept and fresh in kept
    again = post(client, old)
    assert again.status_code == 202 and "Idempotent-Replayed" not in again.headers
    assert row_counts(db_session)["comments"] == comments + 2


# ---- concurrent requests with one key --------------------------------------------------


def _waiting_for_a_lock(engine) -> bool:
    with engine.connect() as conn:
        waiting = conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        )
    return waiting > 0


def test_concurrent_requests_with_one_key_store_once(app):
    """The second request waits for the first's transaction, then replays its answer.

    Runs on committed data (two real sessions), so it cleans up after itself.
    """
    from commentsvc.config import Settings
    from commentsvc.extensions import db

    article_id, key = f"concurrent-{uuid.uuid4().hex[:10]}", new_key()
    data = {
        "name": "Reader",
        "email": "r@example.org",
        "url": None,
        "body": "Hi",
        "parent_id": None,
    }
    asked = idempotency.fingerprint("test", article_id, data)
    inside, go = threading.Event(), threading.Event()

    def slow_answer(comment):  # the door's answer, taken while the first holds the key
        inside.set()
        assert go.wait(30)
        return {"id": comment.id}, 202

    outcomes = {}

    def run(name, answer):
        with app.app_context(), Session(db.engine) as session:
            settings = Settings.from_config(app.config)
            once = idempotency.Once(key, asked, answer)
            try:
                comment = submission.submit_comment(
                    session, article_id, data, Client(), settings, once=once
                )
                outcomes[name] = ("stored", comment.id)
            except idempotency.Replay as replay:
                outcomes[name] = ("replayed", replay.status, replay.body)

    first = threading.Thread(target=run, args=("first", slow_answer))
    second = threading.Thread(target=run, args=("second", lambda c: ({"id": c.id}, 202)))
    try:
        first.start()
        assert inside.wait(30)
        second.start()
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                # The second is blocked on the unique key the first holds uncommitted.
                deadline = time.monotonic() + 30
                while not _waiting_for_a_lock(db.engine):
                    assert time.monotonic() < deadline, "the second request never waited"
                    time.sleep(0.05)
            else:
                time.sleep(0.3)  # SQLite: the second waits for the write lock
        assert second.is_alive()
        go.set()
        first.join(30)
        second.join(30)
        assert outcomes["first"][0] == "stored"
        comment_id = outcomes["first"][1]
        assert outcomes["second"] == ("replayed", 202, {"id": comment_id})
        with app.app_context(), Session(db.engine) as session:
            stored = session.scalar(
                select(func.count())
                .select_from(Comment)
                .join(Article)
                .where(Article.article_id == article_id)
            )
            assert stored == 1
    finally:
        go.set()
        with app.app_context(), Session(db.engine) as session:
            # The comment's outbox event too: other tests' workers would deliver it.
            stored = select(Comment.id).join(Article).where(Article.article_id == article_id)
            session.execute(delete(OutboxMessage).where(OutboxMessage.comment_id.in_(stored)))
            session.execute(delete(Article).where(Article.article_id == article_id))
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.key == key))
            session.commit()


def test_erasing_a_comment_drops_the_answer_kept_for_its_key(client, auth, db_session):
    key = new_key()
    comment_id = post(client, key, json=comment_payload(name="Private Person")).get_json()["id"]
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=auth).status_code == 204
    kept = db_session.scalars(select(IdempotencyKey.response)).all()
    assert all("Private Person" not in str(answer) for answer in kept)
    assert db_session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key)) is None
