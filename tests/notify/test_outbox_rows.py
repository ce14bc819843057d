"""An outbox row exists exactly when the change it tells of committed."""

import pytest
from sqlalchemy import func, select

from commentsvc.models import Comment, OutboxKind, OutboxMessage, OutboxState
from tests.helpers import ARTICLE, EMAIL, moderate, published, row_counts, submit
from tests.notify.helpers import outbox_rows


def count_outbox(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_submission_writes_one_event_with_the_comment(client, db_session):
    response = submit(client, body="Which <em>district</em> office?")

    assert response.status_code == 202
    (row,) = outbox_rows(db_session)
    assert (row.kind, row.event, row.state) == (
        OutboxKind.event,
        "comment.created",
        OutboxState.pending,
    )
    assert row.comment_id == response.get_json()["id"]
    comment = row.payload["comment"]
    assert comment["status"] == "pending"
    assert comment["author"]["email"] == EMAIL
    assert comment["article_id"] == ARTICLE
    assert comment["html"] == "<p>Which <em>district</em> office?</p>"
    assert row.author_email == EMAIL
    assert row.delivery_id.startswith("msg_")


@pytest.mark.parametrize(
    "overrides",
    [{"parent_id": 999999}, {"email": "not-an-address"}, {"body": ""}],
    ids=["unknown-parent", "bad-email", "empty-body"],
)
def test_a_refused_submission_leaves_no_row(client, db_session, overrides):
    before = row_counts(db_session) | {"outbox": count_outbox(db_session)}

    assert submit(client, **overrides).status_code == 422
    assert row_counts(db_session) | {"outbox": count_outbox(db_session)} == before


def test_a_change_rolled_back_at_commit_leaves_neither_comment_nor_row(
    client, db_session, monkeypatch
):
    from commentsvc.config import Settings
    from commentsvc.services import Client, submission

    before = count_outbox(db_session)
    session_class = type(db_session())

    def failing_commit(self):
        self.flush()  # the comment and its row reach the database, then the commit fails
        raise RuntimeError("the database went away at commit")

    monkeypatch.setattr(session_class, "commit", failing_commit)
    data = {"name": "R", "email": EMAIL, "url": None, "body": "Lost?", "parent_id": None}
    with pytest.raises(RuntimeError):
        submission.submit_comment(db_session, ARTICLE, data, Client(), Settings())
    monkeypatch.undo()
    db_session.rollback()

    assert count_outbox(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(Comment)) == 0


def test_each_decision_writes_one_moved_event_per_comment(client, auth, db_session):
    ids = [submit(client).get_json()["id"] for _ in range(3)]
    response = client.post(
        "/api/v1/moderation/bulk", json={"ids": ids, "action": "spam"}, headers=auth
    )
    assert response.status_code == 200

    moved = outbox_rows(db_session, event="comment.moderated")
    assert sorted(r.comment_id for r in moved) == sorted(ids)
    assert {(r.payload["from"], r.payload["to"], r.payload["action"]) for r in moved} == {
        ("pending", "spam", "spam")
    }


def test_a_refused_decision_writes_no_row(client, auth, db_session):
    comment_id = published(client, auth)
    before = count_outbox(db_session)

    assert moderate(client, auth, comment_id, "approve").status_code == 409
    response = client.post(
        "/api/v1/moderation/bulk",
        json={"ids": [comment_id, 999999], "action": "reject"},
        headers=auth,
    )
    assert response.status_code == 404
    assert count_outbox(db_session) == before


def test_undo_edit_and_erase_each_write_their_event(client, auth, db_session):
    comment_id = submit(client).get_json()["id"]
    assert moderate(client, auth, comment_id, "approve").status_code == 200
    assert (
        client.patch(
            f"/api/v1/comments/{comment_id}", json={"body": "Edited text"}, headers=auth
        ).status_code
        == 200
    )
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=auth).status_code == 204

    events = [r.event for r in outbox_rows(db_session, comment_id=comment_id)]
    assert events == ["comment.created", "comment.moderated", "comment.edited", "comment.erased"]
    edited, erased = outbox_rows(db_session, comment_id=comment_id)[2:]
    assert edited.payload["comment"]["body"] == "Edited text"
    assert erased.payload == {"comment": {"id": comment_id, "article_id": ARTICLE}}
    assert erased.author_email is None


def test_erasing_drops_the_mails_about_the_comment_still_waiting(
    client, auth, db_session, moderator, drain, smtp, monkeypatch
):
    from commentsvc.services import fanout, outbox

    comment_id = submit(client).get_json()["id"]
    # Fan the event out, but send nothing yet: the moderator's mail waits in the outbox.
    (event,) = outbox.claim(db_session, limit=1, lease_seconds=60, worker="test")
    fanout.expand(db_session, event, fanout.FanoutSettings())
    (waiting,) = outbox_rows(db_session, kind=OutboxKind.mail)
    assert waiting.state is OutboxState.pending

    assert client.delete(f"/api/v1/comments/{comment_id}", headers=auth).status_code == 204
    drain()

    (cancelled,) = outbox_rows(db_session, kind=OutboxKind.mail)
    assert cancelled.state is OutboxState.cancelled
    assert cancelled.payload == {}
    assert smtp.messages == []


def test_forgetting_an_address_leaves_no_trace_of_it_in_the_outbox(
    client, auth, db_session, moderator, receiver, drain, smtp
):
    import json

    from commentsvc.models import MailOptOut, Subscription
    from commentsvc.services import outbox
    from tests.notify.test_webhooks import register

    register(client, auth, receiver.url)  # a public endpoint: its payloads carry the name only
    register(client, auth, receiver.url, moderation=True)
    parent = published(client, auth, email="keep@example.org", notify_replies=True)
    gone = "gone@example.org"
    published(client, auth, email=gone, name="Gone Person", parent_id=parent, notify_replies=True)
    submit(client, email=gone, name="Gone Person", body="Held one")
    drain()
    db_session.add(MailOptOut(email=gone, article_pk=None))
    db_session.commit()

    touched = outbox.forget_address(db_session, gone.upper())
    db_session.commit()

    assert touched > 0
    for row in outbox_rows(db_session):
        stored = json.dumps(row.payload)
        assert gone not in stored and "Gone Person" not in stored, (row.event, stored)
        assert gone not in (row.recipient or "") and row.author_email != gone
    assert (
        db_session.scalar(
            select(func.count()).select_from(Subscription).where(Subscription.email == gone)
        )
        == 0
    )
    assert db_session.scalar(select(func.count()).select_from(MailOptOut)) == 0
    assert any("keep@example.org" in json.dumps(r.payload) for r in outbox_rows(db_session))
